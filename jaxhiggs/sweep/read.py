"""Reading a sweep: the flat results (one ``point`` axis in execution order, from memory or from a
store) reshaped to an ``xarray.Dataset`` with one dimension per grid axis.
"""

from __future__ import annotations

import json
import warnings

import numpy as np

from . import store as sweep_store


def memory_buffers(layout: dict, n_points: int) -> dict:
    """Host arrays a sweep without a store fills chunk by chunk (NaN / −1 / "" until computed)."""
    return {**{k: np.full((n_points,) + s, sweep_store._fill(t), dtype=t) for k, (_, s, t, _) in layout.items()},
            "num_steps": np.full(n_points, -1, dtype=np.int64), "failed": np.zeros(n_points, bool),
            "reason": np.full(n_points, "", dtype=object)}


def from_memory(memory: dict, layout: dict, values: dict, index: np.ndarray, n_chunks: int, times_ps,
                n_bands: int, record: dict):
    """The result of a sweep without a store (``memory`` from :func:`memory_buffers`, every chunk done)."""
    import xarray as xr

    axes = record["names"]
    flat = xr.Dataset(
        {**{k: (("point",) + d, memory[k], {"units": u}) for k, (d, _, _, u) in layout.items()},
         "num_steps": ("point", memory["num_steps"]), "failed": ("point", memory["failed"]),
         "reason": ("point", memory["reason"].astype(str)), "chunk_done": ("chunk", np.ones(n_chunks, bool)),
         **{k: ("point", v) for k, v in values.items()},
         **{f"{k}_index": ("point", index[:, i]) for i, k in enumerate(axes)}},
        coords={"time": ("time", times_ps, {"units": "ps"}),
                "band": ("band", np.arange(1, n_bands + 1), {"units": "1 (band index)"})},
    )
    return to_grid(flat, record)


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
    """Open a sweep store as an ``xarray.Dataset`` with one dimension per grid axis (see :func:`jaxhiggs.sweep`).

    A missing or damaged metadata file (``zarr.json``, ``<array>/zarr.json``) is restored from the
    store's copy (``jaxhiggs_copy/zarr.json``) and named in a warning.  Every chunk is verified against its recorded digest: a chunk whose files are missing or
    corrupt counts as not computed (``computed`` False, data NaN) and is named, with its files,
    in the attribute ``damaged_chunks`` and in a warning; ``sweep`` with the same arguments
    recomputes exactly those chunks.
    """
    import xarray as xr

    for text in sweep_store.repair(path):  # damaged metadata files, restored from the store's copy
        warnings.warn(f"sweep store {path}: {text}", stacklevel=2)
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


__all__ = ["from_memory", "memory_buffers", "open_sweep", "to_grid"]
