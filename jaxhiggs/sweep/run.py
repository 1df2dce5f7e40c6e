"""Parameter sweeps at scale: ``jaxhiggs.sweep(model, drive, times, grid, …) -> xarray.Dataset``.

How a sweep runs
----------------
1. ``grid`` maps parameter names (:mod:`jaxhiggs.sweep_params`: ``gamma``/``gamma_i``,
   ``gap``/``gap_i``, ``v``, ``temperature``, ``peak_field``, ``fluence``, ``frequency``,
   ``delay``, ``final_gap``) to 1-D arrays; the points are their Cartesian product (in
   the order of the keys, last fastest) or, with ``zip=True``, the zipped axes.
2. A point is applied by editing the material with ``eqx.tree_at`` and rebuilding the
   model with ``model.with_material`` (every model implements ``options()``), and by
   editing the drive's components.  This is a pure function of the point, so
   ``jax.vmap`` over a pytree of point arrays gives the batch axis.
3. Points are cut into chunks sized to device memory (estimated from the model's state
   and observable sizes; ``chunk_size`` overrides), each chunk padded to a multiple of
   the device count and sharded over a 1-D device mesh ``("points",)`` with ``jax.shard_map``: every device
   integrates its slice of the chunk.  One compilation serves all chunks.
4. With ``store=path`` each finished chunk is written to a Zarr store
   (:mod:`jaxhiggs.sweep_store`), read back, and marked done with a digest of its data.
   Re-running the same call **resumes automatically**: it verifies every done chunk,
   skips the intact ones and recomputes interrupted, missing or corrupt ones (naming
   them).  A store from a different model, drive, times, grid or solver setting is
   refused (fingerprint).  A path that is a file, a folder with anything in it that is
   not a jaxhiggs store, or another Zarr store is refused and left untouched: a sweep
   never deletes or overwrites anything it did not create.

Lockstep
--------
Under ``vmap`` an adaptive solve's while-loop runs until its slowest member finishes:
a chunk costs (points) × (max steps in the chunk).  Two remedies: ``dt=`` (fixed
step in ps, every member takes the same steps; check accuracy against an adaptive run)
and ``sort_by=`` (a parameter name, ``"-name"`` for descending, or a function of the
point arrays returning a stiffness key), which groups points of similar cost into the
same chunks.  ``benchmarks/bench_sweep.py`` measures both.  A failing point (NaN,
``max_steps``) is recorded (``failed``, ``reason``) and the sweep goes on; note that
a point that fails by exhausting ``max_steps`` holds its whole chunk for that long.

Several GPUs, several hosts
---------------------------
One host, several GPUs: nothing to do; all visible devices are used (``devices=2``
or a list of devices restricts them), e.g. ``CUDA_VISIBLE_DEVICES=0,1,2,3``.

Several hosts (e.g. SLURM, one process per GPU or per node): call
``jax.distributed.initialize()`` before anything else, then run the *same* script in
every process with the same arguments.  ``jax.devices()`` then lists the devices of
all processes, the mesh spans them, each process feeds its own shards, results are
gathered, and only process 0 writes the store (which must be on a shared file
system; the store is opened by all processes after process 0 created it)::

    #!/bin/bash
    #SBATCH --nodes=2 --ntasks-per-node=4 --gpus-per-task=1
    srun python my_sweep.py        # my_sweep.py: jax.distributed.initialize(); jaxhiggs.sweep(..., store=...)

Re-submitting the same job resumes from the store.  (The multi-host path follows the
JAX multi-process API but has only been tested with several devices in one process.)
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import re
import sys
import time as _time
from pathlib import Path
from typing import Callable, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
from jaxtyping import ArrayLike, Float

from .. import __version__, divergence, units
from . import store as sweep_store
from .._validate import InputError, check, check_int
from ..drive import Drive
from ..io import UNITS as OBS_UNITS
from ..models.base import Model
from ..solve import SolverOptions, check_model_and_drive, check_step, check_times, solve_status
from .params import apply_point, canonical, unit_of, validate_axes

log = logging.getLogger("jaxhiggs.sweep")
AXIS = "points"
_SOLVER_STATE_COPIES = 24  # Runge-Kutta stages, y, error estimate, controller state, carry copies (estimate)


# -- precision ----------------------------------------------------------------------------------
def _cast(tree, dtype):
    """Float/complex array leaves of ``tree`` cast to ``dtype`` (complex to its complex partner)."""
    if dtype is None:
        return tree
    real = jnp.dtype(dtype)
    cplx = jnp.result_type(real, jnp.complex64)

    def one(x):
        if eqx.is_array(x) and jnp.issubdtype(x.dtype, jnp.complexfloating):
            return x.astype(cplx)
        if eqx.is_array(x) and jnp.issubdtype(x.dtype, jnp.floating):
            return x.astype(real)
        return x

    return jax.tree_util.tree_map(one, tree)


class _Precision(Model):
    """Wraps a model so that its state, right-hand side and observables stay in ``dtype``."""

    inner: Model
    dtype: str = eqx.field(static=True)

    def initial_state(self):
        return _cast(self.inner.initial_state(), self.dtype)

    def arguments(self, drive):
        return _cast(self.inner.arguments(drive), self.dtype)

    def vector_field(self, t, y, args):
        return _cast(self.inner.vector_field(t, y, args), self.dtype)

    def has_linear_part(self) -> bool:
        return self.inner.has_linear_part()

    def linear_part(self, args):
        return _cast(self.inner.linear_part(args), self.dtype)

    def nonlinear_part(self, t, y, args):
        return _cast(self.inner.nonlinear_part(t, y, args), self.dtype)

    def default_solver(self):
        return self.inner.default_solver()

    def default_tolerances(self):
        return self.inner.default_tolerances()

    def observables(self, t, y, args):
        return _cast(self.inner.observables(t, y, args), self.dtype)

    def jump_times(self, drive):
        return self.inner.jump_times(drive)


# -- the batched, sharded core ------------------------------------------------------------------
def _solve_point(model, drive, times, options, dtype, point):
    model, drive = apply_point(model, drive, point)
    if dtype is not None:
        model = _Precision(_cast(model, dtype), str(jnp.dtype(dtype)))
        drive, times = _cast(drive, dtype), _cast(times, dtype)
    return solve_status(model, drive, times, options)


@eqx.filter_jit
def _run_batch(model, drive, times, points, options, dtype, sharding, vectorize):
    """The point axis inside ``jax.shard_map`` over the 1-D mesh of ``sharding`` (pure, jit-compiled).

    Each device integrates its own block of points.  ``vectorize="vmap"`` batches the block
    into one vectorised solve (members advance in lockstep: the GPU choice); ``"map"`` runs
    the block's points one after the other inside the same compiled program (``lax.map``),
    each with its own adaptive steps: on CPU this measured 2.3× cheaper per point than vmap
    (N_e = 1000, 4 points: 3.0 s vs 7.1 s).  Model, drive and options are replicated.
    """

    def local(block):
        solve_one = lambda p: _solve_point(model, drive, times, options, dtype, p)  # noqa: E731
        return jax.vmap(solve_one)(block) if vectorize == "vmap" else jax.lax.map(solve_one, block)

    spec = P(AXIS)
    return jax.shard_map(local, mesh=sharding.mesh, in_specs=(spec,), out_specs=spec, check_vma=False)(points)


# -- points, order, chunks --------------------------------------------------------------------------
def grid_points(axes: dict, zip: bool = False) -> tuple[dict, np.ndarray]:
    """Flattened points: ({name: values (n_points,)}, indices (n_points, n_axes)); last axis fastest."""
    names = list(axes)
    if zip:
        n = axes[names[0]].size
        index = np.repeat(np.arange(n)[:, None], len(names), axis=1)
    else:
        mesh = np.meshgrid(*[np.arange(axes[k].size) for k in names], indexing="ij")
        index = np.stack([m.reshape(-1) for m in mesh], axis=-1)
    return {k: axes[k][index[:, i]] for i, k in enumerate(names)}, index


def point_order(values: dict, sort_by) -> np.ndarray:
    """Execution order: identity, by a parameter (``"-name"`` descending) or by ``sort_by(values)``."""
    n = len(next(iter(values.values())))
    if sort_by is None:
        return np.arange(n)
    if callable(sort_by):
        key = np.asarray(sort_by({k: np.asarray(v) for k, v in values.items()}), dtype=float)
        if key.shape != (n,):
            raise ValueError(f"sort_by returned shape {key.shape}: it must return one key per point ({n},)")
        return np.argsort(key, kind="stable")
    if not isinstance(sort_by, str):
        raise InputError(f"sort_by = {sort_by!r} is not allowed: a grid axis name, '-name', or a function")
    descending = sort_by.startswith("-")
    name = canonical(sort_by.lstrip("-"))
    if name not in values:
        raise ValueError(f"sort_by = {sort_by!r} is not allowed: sort by one of the grid axes {list(values)}")
    key = -values[name] if descending else values[name]
    return np.argsort(key, kind="stable")


def _tree_bytes(tree) -> int:
    return int(sum(np.prod(x.shape) * jnp.dtype(x.dtype).itemsize for x in jax.tree_util.tree_leaves(tree)))


def observable_layout(model: Model, drive: Drive, n_times: int) -> dict:
    """``{name: (dims, shape, dtype, units)}`` of each observable over (time, …), from ``jax.eval_shape``."""
    y0 = jax.eval_shape(model.initial_state)
    args = jax.eval_shape(model.arguments, drive)
    obs = jax.eval_shape(model.observables, jax.ShapeDtypeStruct((), jnp.float64), y0, args)
    n_bands = model.material.n_bands
    layout = {}
    for name, s in obs.items():
        dims = ["time"] + ["band" if (k == 0 and size == n_bands) else f"{name}_dim{k}" for k, size in enumerate(s.shape)]
        layout[name] = (tuple(dims), (n_times,) + tuple(s.shape), np.dtype(s.dtype).name,
                        OBS_UNITS.get(name, "see the model's documentation"))
    return layout


def estimate_point_bytes(model: Model, drive: Drive, n_times: int) -> int:
    """Rough device memory of one vmapped point in bytes (solver copies of the state + saved observables)."""
    state = _tree_bytes(jax.eval_shape(model.initial_state))
    per_time = _tree_bytes(jax.eval_shape(
        model.observables, jax.ShapeDtypeStruct((), jnp.float64), jax.eval_shape(model.initial_state),
        jax.eval_shape(model.arguments, drive)))
    return _SOLVER_STATE_COPIES * state + 2 * n_times * per_time


def _device_memory(device) -> int:
    try:
        stats = device.memory_stats()
        if stats and "bytes_limit" in stats:
            return int(stats["bytes_limit"])
    except Exception:  # CPU devices have no memory stats
        pass
    host = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return int(host // max(1, len(jax.local_devices())))  # forced host devices share the RAM


def choose_chunk_size(n_points: int, n_devices: int, point_bytes: int, device_memory: int,
                      memory_fraction: float = 0.5, min_chunks: int = 1) -> int:
    """Largest multiple of ``n_devices`` whose batch fits ``memory_fraction`` of each device,
    at most all points (and at most ``n_points / min_chunks`` so a store gets checkpoints)."""
    per_device = max(1, int(memory_fraction * device_memory // max(point_bytes, 1)))
    size = per_device * n_devices
    size = min(size, -(-n_points // max(min_chunks, 1)))
    return max(n_devices, -(-size // n_devices) * n_devices)


def _devices(devices) -> list:
    if devices is None:
        return list(jax.devices())
    if isinstance(devices, int):
        available = jax.devices()
        if not 1 <= devices <= len(available):
            raise ValueError(f"devices = {devices} is not allowed: between 1 and {len(available)} are available")
        return list(available[:devices])
    return list(devices)


def _to_host(x) -> np.ndarray:
    if getattr(x, "is_fully_addressable", True):
        return np.asarray(x)
    from jax.experimental import multihost_utils

    return np.asarray(multihost_utils.process_allgather(x, tiled=True))


# -- fingerprint and parameter record -----------------------------------------------------------
def _hash_tree(tree) -> str:
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    h = hashlib.sha256(re.sub(r"0x[0-9a-f]+", "", str(treedef)).encode())
    for leaf in leaves:
        if eqx.is_array(leaf) or isinstance(leaf, np.ndarray):
            arr = np.asarray(leaf)
            h.update(f"{arr.dtype}{arr.shape}".encode())
            h.update(np.ascontiguousarray(arr).tobytes())
        else:
            h.update(repr(leaf).encode())
    return h.hexdigest()[:16]


def _describe(tree):
    """JSON-able description of a module: class name and its fields (arrays as numbers/lists)."""
    if isinstance(tree, eqx.Module):
        out = {"type": type(tree).__name__}
        for name in tree.__dataclass_fields__:
            out[name] = _describe(getattr(tree, name, None))
        return out
    if isinstance(tree, (tuple, list)):
        return [_describe(x) for x in tree]
    if isinstance(tree, dict):
        return {str(k): _describe(v) for k, v in tree.items()}
    if eqx.is_array(tree) or isinstance(tree, (np.ndarray, np.generic)):
        arr = np.asarray(tree)
        if arr.size > 16:
            return {"shape": list(arr.shape), "dtype": str(arr.dtype), "min": float(np.min(np.real(arr))),
                    "max": float(np.max(np.real(arr)))}
        return arr.item() if arr.size == 1 and np.isrealobj(arr) else np.real(arr).tolist()
    if isinstance(tree, (int, float, str, bool)) or tree is None:
        return tree
    return repr(tree)


def _record(model, drive, times_ps, axes, zip, order, options, dtype, sort_by) -> dict:
    solver = {"solver": type(options.solver).__name__, "rtol": options.rtol, "atol": options.atol,
              "dt_ps": options.dt, "max_steps": options.max_steps, "dtype": str(jnp.dtype(dtype or jnp.float64))}
    parts = {
        "model": _hash_tree(model), "drive": _hash_tree(drive), "times": _hash_tree(np.asarray(times_ps)),
        "grid": _hash_tree(({k: v for k, v in axes.items()}, bool(zip), list(axes))),
        "order": _hash_tree(order), "solver": hashlib.sha256(json.dumps(solver, sort_keys=True).encode()).hexdigest()[:16],
    }
    return {
        "fingerprint": hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24],
        "fingerprint_parts": parts,
        "names": list(axes), "axes": {k: v.tolist() for k, v in axes.items()},
        "axis_units": {k: unit_of(k) for k in axes}, "zip": bool(zip),
        "sort_by": None if sort_by is None else (sort_by if isinstance(sort_by, str) else repr(sort_by)),
        "times_ps": {"start": float(times_ps[0]), "stop": float(times_ps[-1]), "count": int(len(times_ps))},
        "model": {**model.metadata(), "options": _describe(model.options()), "material": _describe(model.material)},
        "drive": _describe(drive), "drive_units": "internal: energies/frequencies meV, times ħ/meV, A in V·s/m",
        "solver": solver, "jaxhiggs_version": __version__, "jax_version": jax.__version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def _refuse(path, stored: dict, new: dict):
    differ = [k for k in new["fingerprint_parts"] if stored.get("fingerprint_parts", {}).get(k) != new["fingerprint_parts"][k]]
    raise ValueError(
        f"the store {path} belongs to a different sweep (fingerprint {stored.get('fingerprint')} ≠ {new['fingerprint']}; "
        f"differs in: {', '.join(differ) or 'unknown'}): refusing to resume. Use another store path or delete it."
    )


# -- the sweep --------------------------------------------------------------------------------
def _failures(obs: dict, steps: np.ndarray, success: np.ndarray, status: np.ndarray, opts: SolverOptions,
              model=None, times_ps=None):
    """(failed, reason) per point; the reason is the same report :func:`jaxhiggs.simulate` raises
    (model, time in ps, last good values, likely cause)."""
    finite = np.ones(steps.shape, dtype=bool)
    for value in obs.values():
        finite &= np.all(np.isfinite(value.reshape(value.shape[0], -1)), axis=1)
    failed = (~success) | (~finite)
    reason = np.full(steps.shape, "", dtype=object)
    for p in np.flatnonzero(failed):
        code = int(status[p])
        if code == divergence.FAILED and steps[p] >= opts.max_steps:
            code = divergence.MAX_STEPS
        one = {k: v[p] for k, v in obs.items()}
        text = divergence.report(model, code, times_ps, one, int(steps[p]), opts.max_steps, opts.rtol, opts.atol,
                                 opts.dt) if times_ps is not None else ""
        reason[p] = text or "non-finite (NaN/inf) observables"
    return failed, reason.astype(str)


class _Progress:
    def __init__(self, enabled):
        self.enabled = enabled

    def __call__(self, message: str):
        log.info(message)
        if self.enabled:
            print(f"jaxhiggs.sweep: {message}", file=sys.stderr, flush=True)


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
        grid: ``{name: 1-D values}``, names and units in :mod:`jaxhiggs.sweep_params`
            (``gamma`` meV, ``gap`` meV, ``v``, ``temperature`` K, ``peak_field`` kV/cm,
            ``fluence`` scale, ``frequency`` THz, ``delay`` ps, ``final_gap`` meV).
        store: directory of a Zarr store for chunk-wise results (None: memory only).  A new or
            empty directory is created as a store; an existing store of the *same* sweep
            (same fingerprint) is resumed automatically, recomputing only chunks that are not
            done or fail verification; a store of another sweep, a file, or a folder with other
            content is refused without touching it.
        chunk_size: points per chunk (default from device memory; a resumed store keeps its own).
        zip: zip the axes (equal lengths) instead of the Cartesian product.
        devices: number of devices or a list of devices (default: all of ``jax.devices()``).
        sort_by: execution order for lockstep efficiency (parameter name, ``"-name"``, or
            ``fn(points: dict[str, ndarray]) -> key``); the result is in grid order regardless.
        dt: fixed step in ps (None: adaptive, see ``rtol``/``atol``).
        dtype: ``jnp.float32`` to integrate in single precision (default float64).
        memory_fraction: fraction of each device's memory a chunk may use (auto chunk size).
        progress: print a progress line per chunk to stderr (always logged to ``jaxhiggs.sweep``).
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
    say = _Progress(progress)
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
    check_model_and_drive(model, drive)
    times_ps = check_times(times, drive)
    check_step(opts, times_ps)
    model.check_window(times_ps)
    axes = validate_axes(grid, model, drive, zip, times_ps)
    resumed = store is not None and sweep_store.check_target(store)  # refuses files and foreign folders
    values, index = grid_points(axes, zip)
    order = point_order(values, sort_by)
    values = {k: v[order] for k, v in values.items()}
    index = index[order]
    n_points = len(order)
    devs = _devices(devices)
    if vectorize == "auto":
        vectorize = "map" if devs[0].platform == "cpu" else "vmap"
    n_dev = len(devs)
    record = _record(model, drive, times_ps, axes, zip, order, opts, dtype, sort_by)
    layout = observable_layout(model, drive, len(times_ps))
    if dtype is not None and jnp.dtype(dtype) == jnp.float32:
        layout = {k: (d, s, "complex64" if t.startswith("complex") else "float32", u) for k, (d, s, t, u) in layout.items()}
    point_bytes = estimate_point_bytes(model, drive, len(times_ps))

    if resumed:
        stored = sweep_store.read_record(store)
        if stored.get("fingerprint") != record["fingerprint"]:
            _refuse(store, stored, record)
        if chunk_size is not None and int(chunk_size) != stored["chunk_size"]:
            say(f"resuming with the store's chunk size {stored['chunk_size']} (ignoring chunk_size={chunk_size})")
        chunk = int(stored["chunk_size"])
        record = stored
    else:
        if chunk_size is not None:
            chunk = int(chunk_size)
        else:
            chunk = choose_chunk_size(n_points, n_dev, point_bytes, min(_device_memory(d) for d in devs),
                                      memory_fraction, min_chunks=8 if store is not None else 1)
        record.update(chunk_size=chunk, n_points=n_points, devices_at_creation=[str(d) for d in devs])
        if store is not None and jax.process_index() == 0:
            flat_points = {**values, **{f"{k}_index": index[:, i] for i, k in enumerate(axes)}}
            sweep_store.create(store, record, layout, flat_points, times_ps, model.material.n_bands)
    if store is not None and jax.process_count() > 1:
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices("jaxhiggs.sweep: store ready")

    n_chunks = -(-n_points // chunk)
    batch = -(-chunk // n_dev) * n_dev  # padded to a multiple of the device count
    if resumed and jax.process_index() == 0:
        sweep_store.remove_partial_files(store)  # temporaries of a write that was killed
    done, damaged = sweep_store.verify(store) if resumed else (np.zeros(n_chunks, dtype=bool), [])
    mesh = Mesh(np.array(devs), (AXIS,))
    sharding = NamedSharding(mesh, P(AXIS))
    t_internal = jnp.asarray(units.ps_to_internal(times_ps))
    say(f"{n_points} points in {n_chunks} chunk(s) of {chunk} on {n_dev} {devs[0].platform} device(s) "
        f"(~{point_bytes / 1e6:.2f} MB/point)" + (f"; resuming {store}: {int(done.sum())}/{n_chunks} chunk(s) "
                                                  "already done and verified" if resumed else ""))
    if damaged:
        message = (f"{len(damaged)} chunk(s) of {store} are missing or corrupt and will be recomputed: "
                   f"{sweep_store.describe_damage(damaged)}")
        log.warning(message)
        say(message)

    memory = None if store is not None else {
        **{k: np.full((n_points,) + s, sweep_store._fill(t), dtype=t) for k, (_, s, t, _) in layout.items()},
        "num_steps": np.full(n_points, -1, dtype=np.int64), "failed": np.zeros(n_points, bool),
        "reason": np.full(n_points, "", dtype=object)}
    flat_points = {**values, **{f"{k}_index": index[:, i] for i, k in enumerate(axes)}}
    todo = [c for c in range(n_chunks) if not done[c]]
    n_done = int(done.sum())
    start_all, walls, failed_total = _time.perf_counter(), [], 0
    for count, c in enumerate(todo, 1):
        lo, hi = c * chunk, min((c + 1) * chunk, n_points)
        take = np.minimum(np.arange(lo, lo + batch), hi - 1)  # pad with the last point (no extra lockstep cost)
        points = {k: jax.make_array_from_callback((batch,), sharding, lambda idx, v=v[take]: v[idx])
                  for k, v in values.items()}
        t0 = _time.perf_counter()
        obs, steps, success, status = _run_batch(model, drive, t_internal, points, opts, dtype, sharding, vectorize)
        obs = {k: _to_host(v)[: hi - lo] for k, v in obs.items()}
        steps = _to_host(steps)[: hi - lo].astype(np.int64)
        success = _to_host(success)[: hi - lo].astype(bool)
        status = _to_host(status)[: hi - lo]
        wall = _time.perf_counter() - t0
        failed, reason = _failures(obs, steps, success, status, opts, model, times_ps)
        data = {**obs, "num_steps": steps, "failed": failed, "reason": reason}
        if store is not None:
            if jax.process_index() == 0:
                sweep_store.write_chunk(store, c, lo, {**data, **{k: v[lo:hi] for k, v in flat_points.items()}})
        else:
            for k, v in data.items():
                memory[k][lo:hi] = v
        walls.append(wall)
        n_done += 1
        failed_total += int(failed.sum())
        steady = walls[1:] or walls  # the first chunk includes compilation
        eta = np.mean(steady) * (len(todo) - count)
        say(f"chunk {c + 1}/{n_chunks}: {hi - lo} points, {wall:.2f} s{' (incl. compilation)' if count == 1 else ''}, "
            f"steps max {steps.max()} mean {steps.mean():.0f}, {int(failed.sum())} failed | "
            f"{n_done}/{n_chunks} chunks done, ETA {eta:.0f} s")
        if on_chunk is not None:
            on_chunk({"index": c, "points": hi - lo, "wall_s": wall, "steps": steps, "failures": int(failed.sum())})
    if todo:
        say(f"done: {sum(hi for hi in [min((c + 1) * chunk, n_points) - c * chunk for c in todo])} points computed "
            f"in {_time.perf_counter() - start_all:.1f} s, {failed_total} failed")

    if store is not None:
        if jax.process_count() > 1:
            from jax.experimental import multihost_utils

            multihost_utils.sync_global_devices("jaxhiggs.sweep: store written")
        return open_sweep(store)
    import xarray as xr

    flat = xr.Dataset(
        {**{k: (("point",) + d, memory[k], {"units": u}) for k, (d, _, _, u) in layout.items()},
         "num_steps": ("point", memory["num_steps"]), "failed": ("point", memory["failed"]),
         "reason": ("point", memory["reason"].astype(str)), "chunk_done": ("chunk", np.ones(n_chunks, bool)),
         **{k: ("point", v) for k, v in values.items()},
         **{f"{k}_index": ("point", index[:, i]) for i, k in enumerate(axes)}},
        coords={"time": ("time", times_ps, {"units": "ps"}),
                "band": ("band", np.arange(1, model.material.n_bands + 1), {"units": "1 (band index)"})},
    )
    return to_grid(flat, record)


# -- reading ---------------------------------------------------------------------------------------
def to_grid(flat, record: dict):
    """Reshape a flat sweep Dataset (dim ``point`` in execution order) to one dim per grid axis."""
    import xarray as xr

    names, axes = record["names"], {k: np.asarray(v) for k, v in record["axes"].items()}
    index = [np.asarray(flat[f"{k}_index"].values) for k in names]
    sizes = [axes[k].size for k in names]
    valid = np.all([(i >= 0) & (i < n) for i, n in zip(index, sizes)], axis=0)  # unreadable index chunks: skipped
    index = [i[valid] for i in index]
    if record["zip"]:
        shape, dims = (axes[names[0]].size,), ("point",)
        position = index[0]
        coords = {"point": ("point", np.arange(shape[0]))}
        coords.update({k: ("point", axes[k], {"units": record["axis_units"][k]}) for k in names})
    else:
        shape, dims = tuple(axes[k].size for k in names), tuple(names)
        position = np.ravel_multi_index(index, shape)
        coords = {k: (k, axes[k], {"units": record["axis_units"][k]}) for k in names}
    chunk_of = np.arange(flat.sizes["point"])[valid] // int(record["chunk_size"])
    computed = np.asarray(flat["chunk_done"].values, dtype=bool)[chunk_of]
    skip = set(names) | {f"{k}_index" for k in names} | {"chunk_done"}
    out = {}
    for name, var in flat.data_vars.items():
        if name in skip or "point" not in var.dims:
            continue
        values = np.asarray(var.values)
        if values.dtype.kind in "US":
            values = values.astype(object)
        fill = "" if values.dtype == object else sweep_store._fill(values.dtype)
        grid = np.full(shape + values.shape[1:], fill, dtype=values.dtype)
        grid.reshape((-1,) + values.shape[1:])[position] = values[valid]
        if values.dtype == object:
            grid = grid.astype(str)
        out[name] = (dims + tuple(var.dims[1:]), grid, dict(var.attrs))
    comp = np.zeros(shape, dtype=bool)
    comp.reshape(-1)[position] = computed
    out["computed"] = (dims, comp, {"description": "point's chunk finished"})
    coords["time"] = ("time", np.asarray(flat["time"].values), {"units": "ps"})
    coords["band"] = ("band", np.asarray(flat["band"].values), {"units": "1 (band index)"})
    attrs = {"fingerprint": record["fingerprint"], "parameters": json.dumps(record),
             "grid": ", ".join(names), "chunks_done": int(np.sum(flat["chunk_done"].values)),
             "chunks_total": int(flat.sizes["chunk"]), "jaxhiggs_version": record.get("jaxhiggs_version", "")}
    return xr.Dataset(out, coords=coords, attrs=attrs)


def open_sweep(path):
    """Open a sweep store as an ``xarray.Dataset`` with one dimension per grid axis (see :func:`sweep`).

    Every chunk is verified against its recorded digest: a chunk whose files are missing or
    corrupt counts as not computed (``computed`` False, data NaN) and is named, with its files,
    in the attribute ``damaged_chunks`` and in a warning; ``sweep`` with the same arguments
    recomputes exactly those chunks.
    """
    import warnings

    import xarray as xr

    record = sweep_store.read_record(path)
    arrays, attrs, done, damaged = sweep_store.read_flat(path)
    data = {}
    for name, values in arrays.items():
        if name in ("time", "band"):
            continue
        dims, a = attrs[name]
        data[name] = (dims, values, a)
    data["chunk_done"] = ("chunk", done)
    flat = xr.Dataset(data, coords={"time": ("time", arrays["time"], {"units": "ps"}),
                                    "band": ("band", arrays["band"], {"units": "1 (band index)"})})
    ds = to_grid(flat, record)
    ds.attrs["damaged_chunks"] = sweep_store.describe_damage(damaged)
    if damaged:
        warnings.warn(f"sweep store {path}: {len(damaged)} chunk(s) missing or corrupt, shown as not computed: "
                      f"{sweep_store.describe_damage(damaged)}; re-run the same sweep to recompute them", stacklevel=2)
    return ds


__all__ = ["choose_chunk_size", "estimate_point_bytes", "grid_points", "observable_layout", "open_sweep",
           "point_order", "sweep", "to_grid"]
