"""On-disk sweep store (Zarr v3 directory), written chunk by chunk, verifiable and resumable.

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
* ``chunk_digest`` (chunk,): JSON ``{array: sha256}`` of every per-point array's slice
  of the chunk, recorded after the chunk's data were written *and read back*;
* ``chunk_done`` (chunk,): set last;
* attribute ``jaxhiggs_sweep``: JSON with the fingerprint, axes, chunk size and the
  full parameter record.

Nothing is trusted that cannot be checked: a chunk counts as done only if its flag is
set and every array's slice still reads back with the recorded digest (:func:`verify`).
A deleted, truncated or corrupt chunk file is reported by chunk index and file, and a
resumed sweep recomputes exactly those chunks.

Safety: a store is created in a hidden sibling directory and renamed into place when
complete, so a kill during creation leaves no half-made store; every chunk file is
written atomically by Zarr (temporary file + rename).  A path that exists and is not a
jaxhiggs store (a file, a folder with anything in it, another Zarr store) is refused
and never written to or deleted.

``xarray.open_zarr(path)`` gives the raw flat view (unverified);
:func:`jaxhiggs.sweep.open_sweep` verifies and reshapes it to one dimension per grid axis.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np

from .._validate import InputError

ATTR = "jaxhiggs_sweep"
_CREATING = ".jaxhiggs-creating-"  # infix of the temporary directory a store is built in
_BOOKKEEPING = ("chunk_done", "chunk_digest", "time", "band")


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
    """True if ``path`` is a directory holding a Zarr store (``zarr.json``), jaxhiggs or not."""
    return (Path(path) / "zarr.json").is_file()


def _listing(path: Path, limit: int = 8) -> str:
    try:
        names = sorted(p.name + ("/" if p.is_dir() else "") for p in path.iterdir())
    except OSError as err:  # pragma: no cover - permissions
        return f"unreadable ({err})"
    more = f", … ({len(names)} entries)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def check_target(path) -> bool:
    """Check that ``path`` can hold a sweep store; True if a jaxhiggs store is already there.

    Refuses (without touching anything) a path that is a file, a folder with anything in
    it that is not a jaxhiggs store, or a Zarr store of another kind.
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"store = {str(p)!r} is not allowed: it is an existing file, not a directory; give the path "
                         "of a new (or empty) directory for the Zarr store")
    if not p.exists():
        if p.parent.exists() and not p.parent.is_dir():
            raise InputError(f"store = {str(p)!r} is not allowed: its parent {str(p.parent)!r} is a file")
        return False
    if exists(p):
        read_record(p)  # raises for a Zarr store that is not ours
        return True
    if any(True for _ in p.iterdir()):
        raise InputError(
            f"store = {str(p)!r} is not allowed: the directory exists and is not a jaxhiggs sweep store (it holds "
            f"{_listing(p)}); nothing was changed. Give a new or empty directory"
        )
    return False


def read_record(path) -> dict:
    """The ``jaxhiggs_sweep`` attribute of a store (raises if ``path`` is not a sweep store)."""
    zarr = _zarr()
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"store = {str(p)!r} is not allowed: it is a file, not a sweep store (a directory)")
    if not exists(p):
        raise FileNotFoundError(f"{p} is not a Zarr store (no zarr.json)"
                                + (f"; it holds {_listing(p)}" if p.is_dir() else ""))
    try:
        group = zarr.open_group(str(p), mode="r")
        attrs = dict(group.attrs)
    except Exception as err:
        raise InputError(f"store = {str(p)!r} is not allowed: its zarr.json cannot be read ({err})") from None
    if ATTR not in attrs:
        raise InputError(f"store = {str(p)!r} is not allowed: it is a Zarr store but not a jaxhiggs sweep store (no "
                         f"{ATTR!r} attribute); nothing was changed")
    return json.loads(attrs[ATTR])


def _remove_stale_temporaries(path: Path) -> None:
    """Delete temporary build directories of this store left by killed processes (ours only)."""
    prefix = f".{path.name}{_CREATING}"
    for tmp in path.parent.glob(prefix + "*"):
        pid = tmp.name[len(prefix):]
        if not pid.isdigit() or not tmp.is_dir() or _alive(int(pid)):
            continue
        shutil.rmtree(tmp, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    return True


def create(path, record: dict, layout: dict, points: dict, times_ps, n_bands: int) -> None:
    """Create an empty store at ``path`` (which must not exist or be an empty directory).

    ``layout``: observable name → (dims after ``point``, shape after ``point``, dtype, units).
    ``points``: name → (n_points,) arrays (parameter values and ``<name>_index``).
    Built in a hidden sibling directory and renamed into place: atomic.
    """
    zarr = _zarr()
    path = Path(path)
    if check_target(path):
        raise InputError(f"store = {str(path)!r} is not allowed: a sweep store already exists there")
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    tmp = path.parent / f".{path.name}{_CREATING}{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    n_points, chunk = int(record["n_points"]), int(record["chunk_size"])
    n_chunks = -(-n_points // chunk)
    try:
        group = zarr.open_group(str(tmp), mode="w-", zarr_format=3)

        def array(name, dims, shape, dtype, chunks, fill=None, attrs=None):
            return group.create_array(name, shape=shape, chunks=chunks, dtype=dtype, dimension_names=list(dims),
                                      fill_value=_fill(dtype) if fill is None else fill, attributes=attrs or {})

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
        array("chunk_digest", ("chunk",), (n_chunks,), str, (1,), fill="")
        array("chunk_done", ("chunk",), (n_chunks,), "bool", (1,))
        group.attrs[ATTR] = json.dumps(record)  # last: a directory without it is not a store
        os.rename(tmp, path)  # atomic; replaces an empty directory, fails on a non-empty one
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def remove_partial_files(path) -> int:
    """Delete Zarr's temporary ``<chunk>.<32 hex>.partial`` files that a killed write left inside the
    store (they are never read; only files of exactly that form are touched).  Returns the count."""
    import re

    pattern = re.compile(r"\.[0-9a-f]{32}\.partial$")
    removed = 0
    for file in Path(path).rglob("*.partial"):
        if file.is_file() and pattern.search(file.name):
            file.unlink(missing_ok=True)
            removed += 1
    return removed


# -- digests and verification ------------------------------------------------------------------
def _digest(values: np.ndarray) -> str:
    arr = np.asarray(values)
    h = hashlib.sha256(f"{arr.shape}".encode())
    if arr.dtype.kind in "OUT" or "String" in type(arr.dtype).__name__:
        h.update("\x00".join(str(x) for x in arr.ravel()).encode())
    else:
        h.update(str(arr.dtype).encode())
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()[:32]


def _point_arrays(group) -> list[str]:
    return sorted(name for name, arr in group.arrays() if name not in _BOOKKEEPING
                  and arr.metadata.dimension_names and arr.metadata.dimension_names[0] == "point")


def chunk_file(path, group, name: str, index: int) -> Path:
    """The file holding chunk ``index`` of array ``name`` (default Zarr v3 chunk keys)."""
    ndim = len(group[name].shape)
    return Path(path) / name / "c" / str(index) / Path(*(["0"] * (ndim - 1))) if ndim > 1 else (
        Path(path) / name / "c" / str(index))


def _read_element(arr, i, default):
    try:
        return arr[i]
    except Exception:
        return default


class _ChunkReader:
    """Chunk ``c`` of a per-point array, read in blocks of ``block`` chunks (one Zarr read per block);
    a block that fails to read (a corrupt or unreadable chunk) falls back to chunk-by-chunk reads,
    and an unreadable chunk raises only for that chunk."""

    def __init__(self, arr, chunk: int, n_points: int, block: int = 64):
        self.arr, self.chunk, self.n_points, self.block = arr, chunk, n_points, block
        self.start, self.data = -1, None

    def __call__(self, c: int):
        b0 = (c // self.block) * self.block
        if b0 != self.start:
            self.start = b0
            try:
                self.data = self.arr[b0 * self.chunk:min((b0 + self.block) * self.chunk, self.n_points)]
            except Exception:
                self.data = None
        if self.data is not None:
            offset = (c - b0) * self.chunk
            return self.data[offset:offset + min(self.chunk, self.n_points - c * self.chunk)]
        return self.arr[c * self.chunk:min((c + 1) * self.chunk, self.n_points)]


def _elements(arr, default) -> np.ndarray:
    """All elements of a (chunk,) bookkeeping array; unreadable elements are ``default``."""
    try:
        return np.asarray(arr[:])
    except Exception:
        return np.asarray([_read_element(arr, i, default) for i in range(arr.shape[0])], dtype=object)


def verify(path) -> tuple[np.ndarray, list[dict]]:
    """(done, damaged): chunks whose flag is set and whose data read back with the recorded
    digests; ``damaged`` lists flagged chunks that do not, as ``{"chunk", "files", "problem"}``
    with the chunk's files that are missing or corrupt."""
    zarr = _zarr()
    group = zarr.open_group(str(path), mode="r")
    record = read_record(path)
    chunk, n_points = int(record["chunk_size"]), int(record["n_points"])
    flags = group["chunk_done"]
    legacy = "chunk_digest" not in group  # stores written before digests existed: readability only
    digests = None if legacy else group["chunk_digest"]
    n_chunks = flags.shape[0]
    names = _point_arrays(group)
    done = np.zeros(n_chunks, dtype=bool)
    damaged = []
    flag_values = _elements(flags, False)
    digest_values = None if legacy else _elements(digests, "")
    readers = {}
    for c in range(n_chunks):
        if not bool(flag_values[c]):
            continue
        recorded = "" if legacy else str(digest_values[c])
        try:
            expected = json.loads(recorded) if recorded else {}
        except json.JSONDecodeError:
            expected = {}
        bad = []
        for name in sorted(set(names) | set(expected)):
            file = chunk_file(path, group, name, c)
            try:
                if name not in readers:
                    readers[name] = _ChunkReader(group[name], chunk, n_points)
                block = readers[name](c)
                ok = legacy or (name in expected and _digest(block) == expected[name])
            except Exception:
                ok = False
            if not ok:
                bad.append((name, file))
        if not expected and not legacy:
            bad.append(("chunk_digest", chunk_file(path, group, "chunk_digest", c)))
        if bad:
            files = [f"{file} ({'missing' if not file.exists() else 'corrupt'})" for _, file in bad]
            damaged.append({"chunk": c, "files": files,
                            "problem": "missing" if all(not f.exists() for _, f in bad) else "corrupt"})
        else:
            done[c] = True
    return done, damaged


def done_chunks(path) -> np.ndarray:
    """Verified done flags (see :func:`verify`)."""
    return verify(path)[0]


def describe_damage(damaged: list[dict]) -> str:
    return "; ".join(f"chunk {d['chunk']}: {', '.join(d['files'])}" for d in damaged)


def write_chunk(path, index: int, start: int, data: dict) -> None:
    """Write one chunk's arrays at ``point`` offset ``start``, read them back, record their digests,
    then mark chunk ``index`` done.  An interrupted write leaves the chunk "not done"."""
    group = _zarr().open_group(str(path), mode="r+")
    if "chunk_digest" not in group:  # a store from before digests: add the (empty) digest array
        n_chunks = group["chunk_done"].shape[0]
        done, _ = verify(path)  # readable legacy chunks keep counting as done: record their digests
        group.create_array("chunk_digest", shape=(n_chunks,), chunks=(1,), dtype=str, fill_value="",
                           dimension_names=["chunk"])
        record = read_record(path)
        size, n_points = int(record["chunk_size"]), int(record["n_points"])
        for c in np.flatnonzero(done):
            lo, hi = c * size, min((c + 1) * size, n_points)
            group["chunk_digest"][c] = json.dumps({n: _digest(group[n][lo:hi]) for n in _point_arrays(group)},
                                                  sort_keys=True)
    group["chunk_done"][index] = False  # a recomputed chunk is not done until verified again
    digests = {}
    for name, values in data.items():
        arr = group[name]
        values = np.asarray(values)
        if arr.dtype.kind not in "OTU" and "String" not in type(arr.dtype).__name__:
            values = values.astype(arr.dtype)
        arr[start:start + values.shape[0]] = values
        digests[name] = _digest(values)
    for name, expected in digests.items():
        got = _digest(group[name][start:start + np.asarray(data[name]).shape[0]])
        if got != expected:
            raise OSError(f"chunk {index} of {name} in the store {path} did not read back as written "
                          f"({chunk_file(path, group, name, index)}): check the disk")
    group["chunk_digest"][index] = json.dumps(digests, sort_keys=True)
    group["chunk_done"][index] = True  # last


def read_flat(path) -> tuple[dict, dict, np.ndarray, list[dict]]:
    """All arrays of a store as NumPy, chunk by chunk: (arrays, attrs per array, done, damaged).

    Chunks that are not done (or damaged) hold fill values in the computed arrays; an
    unreadable chunk never raises here, it is listed in ``damaged``.
    """
    group = _zarr().open_group(str(path), mode="r")
    record = read_record(path)
    chunk, n_points = int(record["chunk_size"]), int(record["n_points"])
    done, damaged = verify(path)
    arrays, attrs = {}, {}
    for name, arr in group.arrays():
        if name in ("chunk_done", "chunk_digest"):
            continue
        attrs[name] = (tuple(arr.metadata.dimension_names or ()), dict(arr.attrs))
        if name in ("time", "band"):
            arrays[name] = np.asarray(arr[:])
            continue
        is_str = arr.dtype.kind in "OTU" or "String" in type(arr.dtype).__name__
        out = np.full(arr.shape, "" if is_str else _fill(arr.dtype), dtype=object if is_str else arr.dtype)
        reader = _ChunkReader(arr, chunk, n_points)
        for c in range(done.size):
            lo, hi = c * chunk, min((c + 1) * chunk, n_points)
            try:
                block = np.asarray(reader(c))
            except Exception:
                continue
            if done[c] or name in record["names"] or name.endswith("_index"):
                out[lo:hi] = block.astype(object) if is_str else block
        arrays[name] = out.astype(str) if is_str else out
    return arrays, attrs, done, damaged


def open_flat(path):
    """The store as a flat ``xarray.Dataset`` over ``point`` (loaded into memory, unverified)."""
    import xarray as xr

    return xr.open_zarr(str(path), consolidated=False).load()
