"""``sweep()``: validate the call, plan the chunks, prepare the store, compute the chunks, return the Dataset.

Each step is a function of its own below; the parts they use live in the sibling modules
(:mod:`.plan`, :mod:`.batch`, :mod:`.record`, :mod:`.store`, :mod:`.read`, :mod:`.progress`).
How a sweep runs, lockstep and several devices or hosts: see :mod:`jaxhiggs.sweep`.
"""

from __future__ import annotations

import logging
import os
import time as _time
from typing import Callable, NamedTuple, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
from jaxtyping import ArrayLike, Float

from .. import units
from .._validate import InputError, check, check_bool, check_int, is_concrete
from ..cpu import usable_cores
from ..drive import Drive
from ..models.base import Model
from ..parallel import batch_mode
from ..solve import SolverOptions, check_model_and_drive, check_step, check_times
from . import store as sweep_store
from .batch import AXIS, run_chunk
from .params import validate_axes
from .plan import choose_chunk_size, device_memory, devices_of, estimate_point_bytes, grid_points, observable_layout, point_order
from .progress import Progress
from .read import from_memory, memory_buffers, open_sweep
from .record import make_record, refuse

log = logging.getLogger("jaxhiggs.sweep")


def sweep(
    model: Model,
    drive: Drive,
    times: Float[ArrayLike, " n_times"],
    grid: dict,
    store: str | os.PathLike | None = None,
    chunk_size: int | None = None,
    zip: bool = False,
    devices: int | Sequence | None = None,
    *,
    sort_by: str | Callable | None = None,
    dt: float | None = None,
    dtype=None,
    memory_fraction: float = 0.5,
    progress: bool = True,
    on_chunk: Callable[[dict], None] | None = None,
    vectorize: str = "auto",
    **options,
):
    """Run ``model`` under ``drive`` for every point of ``grid`` and return an ``xarray.Dataset``.

    Args:
        model: a model with ``options()``/``with_material`` (e.g. ``CleanPseudospin``).
        drive: the base drive (pulse, pump + probe sum, quench, …).
        times: saved times in ps (the state at ``times[0]`` is the equilibrium).
        grid: ``{name: 1-D values}``, names and units in :mod:`jaxhiggs.sweep.params`
            (``gamma`` meV, ``gap`` meV, ``v``, ``temperature`` K, ``peak_field`` kV/cm,
            ``fluence`` scale, ``frequency`` THz, ``delay`` ps, ``final_gap`` meV), plus the model's own
            (``model.sweep_parameters()``, e.g. the disordered model's ``magnetic_rate``, ``potential_rate`` meV).
        store: directory of a Zarr store for chunk-wise results (None: memory only).  A new or
            empty directory is created as a store; an existing store of the *same* sweep
            (same fingerprint) is resumed automatically, recomputing only chunks that are not
            done or fail verification; a store of another sweep, a file, or a folder with other
            content is refused without touching it.
        chunk_size: points per chunk (default from device memory; a resumed store keeps its own).
        zip: zip the axes (equal lengths) instead of the Cartesian product.
        devices: number of devices or a list of devices (default: all of ``jax.devices()``, at most one per
            point).  On a CPU, :func:`jaxhiggs.use_cpu_cores` makes one device per core.
        sort_by: execution order for lockstep efficiency (parameter name, ``"-name"``, or
            ``fn(points: dict[str, ndarray]) -> key``); the result is in grid order regardless.
        dt: fixed step in ps (None: adaptive, see ``rtol``/``atol``).
        dtype: ``jnp.float32`` to integrate in single precision (default float64).
        memory_fraction: fraction of each device's memory a chunk may use (auto chunk size).
        progress: show a progress bar over the points with rate and ETA, and the plan, resume and
            summary lines, on stderr (always logged to the ``jaxhiggs.sweep`` logger).
        on_chunk: called after each computed chunk with a dict (index, points, wall_s, steps, failures).
        vectorize: how a device runs its points: ``"vmap"`` (one vectorised solve, lockstep),
            ``"map"`` (sequentially in one compiled loop, each point its own steps) or
            ``"auto"`` (``"map"`` on CPU, ``"vmap"`` on accelerators).
        **options: other :class:`~jaxhiggs.solve.SolverOptions` fields (``solver``, ``rtol``,
            ``atol``, ``max_steps``).

    Returns:
        ``xarray.Dataset`` with dims (*grid axes, ``time``, ``band``) (or (``point``, …) with
        ``zip``): ``gap`` (complex meV) and the model's other observables, ``num_steps``,
        ``failed``, ``reason`` (for a failed point the same report :func:`jaxhiggs.simulate`
        raises: model, time in ps, last good values, likely cause), ``computed``; coordinates
        carry ``units``; attributes hold the full parameter record (``parameters``, JSON) and
        the fingerprint.  A grid axis ``gap``/``gap_i`` (the material's T → 0 gap) is named
        ``target_gap``/``target_gap_i`` in the result, so it never hides the observable ``gap``.

    Raises:
        ValueError (:class:`jaxhiggs._validate.InputError`, also a TypeError): any bad input,
        before anything is compiled or written.
    """
    say = Progress(progress)
    try:
        call = _checked_call(model, drive, times, grid, store, chunk_size, zip, sort_by, dt, dtype, memory_fraction,
                             on_chunk, vectorize, options)
        plan = _plan(call, devices, chunk_size, memory_fraction, say)
        _create_store(call, plan)
        writer = call.store if call.store is not None and jax.process_index() == 0 else None
        with sweep_store.locked(writer, note=lambda text: _note(say, text)):  # one writer per store
            done = _prepare_store(call, plan, say)
            memory = None if store is not None else memory_buffers(plan.layout, plan.n_points)
            _compute(call, plan, done, memory, say, on_chunk)
            return _result(call, plan, memory)
    finally:
        say.close()


class _Call(NamedTuple):
    """A validated ``sweep`` call (nothing compiled or written yet)."""

    model: Model
    drive: Drive
    times_ps: np.ndarray
    axes: dict  # {canonical name: float64 values}
    zip: bool
    sort_by: object
    opts: SolverOptions
    dtype: object
    vectorize: str
    store: object  # path or None
    resumed: bool  # a store of this kind exists at ``store``


class _Plan(NamedTuple):
    """Points in execution order and how they are cut into chunks and spread over devices."""

    values: dict  # {name: (n_points,)} in execution order
    index: np.ndarray  # (n_points, n_axes) grid indices, execution order
    devices: list
    vectorize: str  # "vmap" or "map"
    chunk: int  # points per chunk
    record: dict  # parameter record and fingerprint (a resumed store's own)
    layout: dict  # observables: {name: (dims, shape, dtype, units)}
    point_bytes: int

    @property
    def n_points(self) -> int:
        return len(self.index)

    @property
    def n_chunks(self) -> int:
        return -(-self.n_points // self.chunk)

    @property
    def batch(self) -> int:
        """Points per compiled batch: the chunk padded to a multiple of the device count."""
        n = len(self.devices)
        return -(-self.chunk // n) * n

    def flat_points(self) -> dict:
        """Per-point parameter values and grid indices, as stored next to the observables."""
        return {**self.values, **{f"{k}_index": self.index[:, i] for i, k in enumerate(self.record["names"])}}


def _checked_call(model, drive, times, grid, store, chunk_size, zip, sort_by, dt, dtype, memory_fraction, on_chunk,
                  vectorize, options) -> _Call:
    """Every argument checked, in the order a user would fix them; raises before compiling or writing."""
    dt = options.pop("dt", dt)
    unknown = set(options) - set(SolverOptions.__dataclass_fields__)
    if unknown:
        raise TypeError(f"unknown option(s) {sorted(unknown)}: allowed are {sorted(SolverOptions.__dataclass_fields__)}")
    opts = SolverOptions(**options, dt=dt)
    if dtype is not None and jnp.dtype(dtype) not in (jnp.dtype(jnp.float32), jnp.dtype(jnp.float64)):
        raise InputError(f"dtype = {dtype!r} is not allowed: float32 or float64")
    if vectorize not in ("auto", "vmap", "map"):
        raise InputError(f"vectorize = {vectorize!r} is not allowed: 'auto', 'vmap' or 'map'")
    if chunk_size is not None:
        check_int("chunk_size", chunk_size, 1, what="points per chunk")
    check(lambda f: (f > 0) & (f <= 1), "memory_fraction", memory_fraction, "a fraction in (0, 1]")
    if on_chunk is not None and not callable(on_chunk):
        raise InputError(f"on_chunk = {on_chunk!r} is not allowed: give a function of one dict, or None")
    check_bool("zip", zip)
    check_model_and_drive(model, drive)
    times_ps = check_times(times, drive)
    check_step(opts, times_ps)
    model.check_window(times_ps, drive if is_concrete(drive) else None)
    axes = validate_axes(grid, model, drive, zip, times_ps)
    resumed = store is not None and sweep_store.check_target(store)  # refuses files and foreign folders
    return _Call(model, drive, times_ps, axes, bool(zip), sort_by, opts, dtype, vectorize, store, resumed)


def _plan(call: _Call, devices, chunk_size, memory_fraction, say) -> _Plan:
    """Execution order, devices and chunk size; for a resumed store, its record and chunk size
    (refusing a store of another sweep)."""
    values, index = grid_points(call.axes, call.zip)
    order = point_order(values, call.sort_by)
    values, index = {k: v[order] for k, v in values.items()}, index[order]
    devs = devices_of(devices)
    if devices is None:  # no more devices than points: an idle device would only integrate padding
        devs = devs[:max(1, len(order))]
    vectorize = call.vectorize
    if vectorize == "auto":
        vectorize = batch_mode(devs[0].platform)
    record = make_record(call.model, call.drive, call.times_ps, call.axes, call.zip, order, call.opts, call.dtype,
                         call.sort_by)
    layout = observable_layout(call.model, call.drive, len(call.times_ps), call.dtype)
    point_bytes = estimate_point_bytes(call.model, call.drive, len(call.times_ps))
    if call.resumed:
        stored = sweep_store.read_record(call.store)
        if stored.get("fingerprint") != record["fingerprint"]:
            refuse(call.store, stored, record)
        if chunk_size is not None and int(chunk_size) != stored["chunk_size"]:
            say.say(f"resuming with the store's chunk size {stored['chunk_size']} (ignoring chunk_size={chunk_size})")
        return _Plan(values, index, devs, vectorize, int(stored["chunk_size"]), stored, layout, point_bytes)
    if chunk_size is not None:
        chunk = int(chunk_size)
    else:
        chunk = choose_chunk_size(len(order), len(devs), point_bytes, min(device_memory(d) for d in devs),
                                  memory_fraction, min_chunks=8 if call.store is not None else 1)
    record.update(chunk_size=chunk, n_points=len(order), devices_at_creation=[str(d) for d in devs])
    return _Plan(values, index, devs, vectorize, chunk, record, layout, point_bytes)


def _sync(message: str) -> None:
    """Wait for every process of a multi-host run (nothing to do in one process)."""
    if jax.process_count() > 1:
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices(f"jaxhiggs.sweep: {message}")


def _note(say, text: str) -> None:
    log.warning(text)
    say.say(text)


def _create_store(call: _Call, plan: _Plan) -> None:
    """A new store (process 0), ready for every process."""
    if call.store is not None and not call.resumed and jax.process_index() == 0:
        sweep_store.create(call.store, plan.record, plan.layout, plan.flat_points(), call.times_ps,
                           call.model.material.n_bands)
    if call.store is not None:
        _sync("store ready")


def _prepare_store(call: _Call, plan: _Plan, say) -> np.ndarray:
    """Check a resumed store (under its lock); returns the chunks already done and verified.
    Only process 0 writes: damaged metadata files are restored from the store's copy, damaged
    chunks are named (warning) and will be recomputed."""
    if call.resumed and jax.process_index() == 0:
        for text in sweep_store.repair(call.store):
            _note(say, text)
        sweep_store.remove_partial_files(call.store)  # temporaries of a write that was killed
    if call.resumed:
        _sync("store repaired")
    done, damaged = sweep_store.verify(call.store) if call.resumed else (np.zeros(plan.n_chunks, dtype=bool), [])
    devs = plan.devices
    say.say(f"{plan.n_points} points in {plan.n_chunks} chunk(s) of {plan.chunk} on {len(devs)} {devs[0].platform} "
            f"device(s) (~{plan.point_bytes / 1e6:.2f} MB/point)"
            + (f"; resuming {call.store}: {int(done.sum())}/{plan.n_chunks} chunk(s) already done and verified"
               if call.resumed else ""))
    if devs[0].platform == "cpu" and len(jax.devices()) == 1 and usable_cores() > 1:
        say.say(f"one CPU device on {usable_cores()} cores: calling jaxhiggs.use_cpu_cores() right after import "
                "runs that many points at once (the jaxhiggs sweep command does)")
    if damaged:
        _note(say, f"{len(damaged)} chunk(s) of {call.store} are missing or corrupt and will be recomputed: "
                   f"{sweep_store.describe_damage(damaged)}")
    return done


def _compute(call: _Call, plan: _Plan, done: np.ndarray, memory: dict | None, say, on_chunk) -> None:
    """Integrate every chunk that is not done; each goes to the store (process 0) or into ``memory``."""
    todo = [c for c in range(plan.n_chunks) if not done[c]]
    bounds = {c: (c * plan.chunk, min((c + 1) * plan.chunk, plan.n_points)) for c in todo}
    sharding = NamedSharding(Mesh(np.array(plan.devices), (AXIS,)), P(AXIS))
    t_internal = jnp.asarray(units.ps_to_internal(call.times_ps))
    flat_points = plan.flat_points()
    say.start(sum(hi - lo for lo, hi in bounds.values()), len(todo))
    start, failed_total = _time.perf_counter(), 0
    for c in todo:
        lo, hi = bounds[c]
        t0 = _time.perf_counter()
        data = run_chunk(call.model, call.drive, call.times_ps, t_internal, plan.values, lo, hi, plan.batch, sharding,
                         call.opts, call.dtype, plan.vectorize)
        wall = _time.perf_counter() - t0
        if memory is None:
            if jax.process_index() == 0:
                sweep_store.write_chunk(call.store, c, lo, {**data, **{k: v[lo:hi] for k, v in flat_points.items()}})
        else:
            for k, v in data.items():
                memory[k][lo:hi] = v
        n_failed = int(data["failed"].sum())
        failed_total += n_failed
        say.chunk(c, plan.n_chunks, hi - lo, wall, data["num_steps"], n_failed)
        if on_chunk is not None:
            on_chunk({"index": c, "points": hi - lo, "wall_s": wall, "steps": data["num_steps"], "failures": n_failed})
    say.close()
    if todo:
        say.say(f"done: {sum(hi - lo for lo, hi in bounds.values())} points computed in "
                f"{_time.perf_counter() - start:.1f} s, {failed_total} failed")


def _result(call: _Call, plan: _Plan, memory: dict | None):
    """The gridded ``xarray.Dataset``: read back from the store (verified) or built from memory."""
    if call.store is not None:
        _sync("store written")
        return open_sweep(call.store)
    return from_memory(memory, plan.layout, plan.values, plan.index, plan.n_chunks, call.times_ps,
                       call.model.material.n_bands, plan.record)


__all__ = ["sweep"]
