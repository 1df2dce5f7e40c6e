"""On-disk sweep store (Zarr v3 directory), written chunk by chunk and resumable.

Why Zarr (and not netCDF/HDF5): a Zarr store is a directory of independent chunk files,
so writing one sweep chunk touches only that chunk's files (no read-modify-write of a
shared file, no file-level lock, nothing to corrupt in the rest of the store when a
job is killed mid-write); partial writes of a region are native; complex128 and
variable-length strings are supported; and ``xarray.open_zarr`` reads it directly,
also lazily and from object storage.  HDF5/netCDF would need complex-number
workarounds (``invalid_netcdf``) and a single file that a kill can leave unreadable.

Layout (flat over the executed point order, one Zarr chunk per sweep chunk):

* ``time`` (time,) ps, ``band`` (band,) 1-based;
* one array per observable, dims ``(point, time, …)``, NaN until computed;
* per point: ``num_steps`` (−1 until computed), ``failed``, ``reason`` (string);
  each grid parameter ``<name>`` (its value) and ``<name>_index`` (index on its axis);
* ``chunk_done`` (chunk,): set only after all of a chunk's data are written, so a
  chunk interrupted mid-write is recomputed and overwritten on resume;
* attribute ``jaxhiggs_sweep``: JSON with the fingerprint, axes, chunk size and the
  full parameter record.

``xarray.open_zarr(path)`` gives this flat view; :func:`jaxhiggs.sweep.open_sweep`
reshapes it to one dimension per grid axis.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

ATTR = "jaxhiggs_sweep"


def _zarr():
    import zarr

    return zarr


def _fill(dtype) -> object:
    dtype = np.dtype(dtype)
    if dtype.kind == "c":
        return complex(np.nan, np.nan)
    if dtype.kind == "f":
        return np.nan
    if dtype.kind == "b":
        return False
    return -1


def exists(path) -> bool:
    return (Path(path) / "zarr.json").exists()


def read_record(path) -> dict:
    """The ``jaxhiggs_sweep`` attribute of a store (raises if ``path`` is not a sweep store)."""
    zarr = _zarr()
    if not exists(path):
        raise FileNotFoundError(f"{path} is not a Zarr store (no zarr.json)")
    group = zarr.open_group(str(path), mode="r")
    if ATTR not in group.attrs:
        raise ValueError(f"{path} is a Zarr store but not a jaxhiggs sweep store (no {ATTR!r} attribute)")
    return json.loads(group.attrs[ATTR])


def create(path, record: dict, layout: dict, points: dict, times_ps, n_bands: int) -> None:
    """Create an empty store.

    ``layout``: observable name → (dims after ``point``, shape after ``point``, dtype).
    ``points``: name → (n_points,) arrays (parameter values and ``<name>_index``).
    """
    zarr = _zarr()
    n_points, chunk = int(record["n_points"]), int(record["chunk_size"])
    n_chunks = -(-n_points // chunk)
    group = zarr.open_group(str(path), mode="w", zarr_format=3)
    group.attrs[ATTR] = json.dumps(record)

    def array(name, dims, shape, dtype, chunks, fill=None, attrs=None):
        arr = group.create_array(name, shape=shape, chunks=chunks, dtype=dtype, dimension_names=list(dims),
                                 fill_value=_fill(dtype) if fill is None else fill, attributes=attrs or {})
        return arr

    array("time", ("time",), (len(times_ps),), "float64", (len(times_ps),), attrs={"units": "ps"})[:] = times_ps
    array("band", ("band",), (n_bands,), "int64", (n_bands,), attrs={"units": "1 (band index)"})[:] = (
        np.arange(1, n_bands + 1))
    for name, (dims, shape, dtype, units) in layout.items():
        array(name, ("point",) + tuple(dims), (n_points,) + tuple(shape), dtype, (chunk,) + tuple(shape),
              attrs={"units": units})
    array("num_steps", ("point",), (n_points,), "int64", (chunk,), attrs={"units": "solver steps"})
    array("failed", ("point",), (n_points,), "bool", (chunk,))
    array("reason", ("point",), (n_points,), str, (chunk,), fill="")
    for name, values in points.items():
        values = np.asarray(values)
        array(name, ("point",), (n_points,), values.dtype, (chunk,))[:] = values
    array("chunk_done", ("chunk",), (n_chunks,), "bool", (1,))


def done_chunks(path) -> np.ndarray:
    return np.asarray(_zarr().open_group(str(path), mode="r")["chunk_done"][:], dtype=bool)


def write_chunk(path, index: int, start: int, data: dict) -> None:
    """Write one chunk's arrays at ``point`` offset ``start``, then mark chunk ``index`` done."""
    group = _zarr().open_group(str(path), mode="r+")
    for name, values in data.items():
        values = np.asarray(values)
        group[name][start:start + values.shape[0]] = values
    group["chunk_done"][index] = True  # last: an interrupted chunk stays "not done"


def open_flat(path):
    """The store as a flat ``xarray.Dataset`` over ``point`` (loaded into memory)."""
    import xarray as xr

    return xr.open_zarr(str(path), consolidated=False).load()
