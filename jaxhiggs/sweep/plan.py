"""Planning a sweep: the grid's points and their execution order, the result's layout, and how
many points go into one chunk (from the model's memory per point and the devices' memory).
"""

from __future__ import annotations

import os

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import InputError
from ..drive import Drive
from ..io import UNITS as OBS_UNITS
from ..models.base import Model
from .params import canonical

_SOLVER_STATE_COPIES = 24  # Runge-Kutta stages, y, error estimate, controller state, carry copies (estimate)


# -- points and their order ----------------------------------------------------------------------
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


# -- the result's layout and memory ------------------------------------------------------------------
def _tree_bytes(tree) -> int:
    return int(sum(np.prod(x.shape) * jnp.dtype(x.dtype).itemsize for x in jax.tree_util.tree_leaves(tree)))


def observable_layout(model: Model, drive: Drive, n_times: int, dtype=None) -> dict:
    """``{name: (dims, shape, dtype, units)}`` of each observable over (time, …), from ``jax.eval_shape``
    (``dtype=jnp.float32``: the single-precision dtypes a float32 sweep stores)."""
    y0 = jax.eval_shape(model.initial_state)
    args = jax.eval_shape(model.arguments, drive)
    obs = jax.eval_shape(model.observables, jax.ShapeDtypeStruct((), jnp.float64), y0, args)
    n_bands = model.material.n_bands
    single = dtype is not None and jnp.dtype(dtype) == jnp.float32
    layout = {}
    for name, s in obs.items():
        dims = ["time"] + ["band" if (k == 0 and size == n_bands) else f"{name}_dim{k}" for k, size in enumerate(s.shape)]
        kind = np.dtype(s.dtype).name
        if single:
            kind = "complex64" if kind.startswith("complex") else "float32"
        layout[name] = (tuple(dims), (n_times,) + tuple(s.shape), kind,
                        OBS_UNITS.get(name, "see the model's documentation"))
    return layout


def estimate_point_bytes(model: Model, drive: Drive, n_times: int) -> int:
    """Rough device memory of one vmapped point in bytes (solver copies of the state + saved observables)."""
    state = _tree_bytes(jax.eval_shape(model.initial_state))
    per_time = _tree_bytes(jax.eval_shape(
        model.observables, jax.ShapeDtypeStruct((), jnp.float64), jax.eval_shape(model.initial_state),
        jax.eval_shape(model.arguments, drive)))
    return _SOLVER_STATE_COPIES * state + 2 * n_times * per_time


# -- devices and chunks --------------------------------------------------------------------------------
def devices_of(devices) -> list:
    """The devices a sweep runs on: all (None), the first ``devices`` (int) or the given list."""
    if devices is None:
        return list(jax.devices())
    if isinstance(devices, int):
        available = jax.devices()
        if not 1 <= devices <= len(available):
            raise ValueError(f"devices = {devices} is not allowed: between 1 and {len(available)} are available")
        return list(available[:devices])
    return list(devices)


def device_memory(device) -> int:
    """Memory of one device in bytes (host RAM shared by the local devices for CPU devices)."""
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


__all__ = ["choose_chunk_size", "device_memory", "devices_of", "estimate_point_bytes", "grid_points",
           "observable_layout", "point_order"]
