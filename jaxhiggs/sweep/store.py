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
  full parameter record;
* group ``jaxhiggs_copy`` (an empty Zarr group; xarray ignores it): its attributes are a second copy of the
  record and of every metadata file (``zarr.json``, ``<array>/zarr.json``), written atomically at creation and
  never changed.  A deleted, truncated or replaced metadata file is restored from it
  (:func:`repair`, the restored file named), so the store is still recognised and resumed;
* ``jaxhiggs_sweep.lock`` while a sweep writes (:func:`locked`): PID and host of the writer.

Nothing is trusted that cannot be checked: a chunk counts as done only if its flag is
set and every array's slice still reads back with the recorded digest (:func:`verify`).
A deleted, truncated or corrupt chunk file is reported by chunk index and file, and a
resumed sweep recomputes exactly those chunks.  Missing digests never count as verified.

Safety: a store is created in a hidden sibling directory and renamed into place when
complete, so a kill during creation leaves no half-made store; every chunk file is
written atomically by Zarr (temporary file + rename).  A path that exists and is not a
jaxhiggs store (a file, a folder with anything in it, another Zarr store) is refused
and never written to or deleted.

``xarray.open_zarr(path)`` gives the raw flat view (unverified);
:func:`jaxhiggs.sweep.open_sweep` verifies and reshapes it to one dimension per grid axis.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import socket
import time as _time
import warnings
from pathlib import Path

import numpy as np

from .._validate import InputError

ATTR = "jaxhiggs_sweep"
#: second copy of the record and of every metadata file, kept as the attributes of a Zarr group node so that
#: Zarr and xarray see a (harmless, empty) subgroup instead of warning about an unknown file
MANIFEST_NODE = "jaxhiggs_copy"
MANIFEST = f"{MANIFEST_NODE}/zarr.json"
LOCK = "jaxhiggs_sweep.lock"  # held (PID, host) while a sweep writes the store
_OWN_FILES = (LOCK,)
log = logging.getLogger("jaxhiggs.sweep")
_CREATING = ".jaxhiggs-creating-"  # infix of the temporary directory a store is built in
_BOOKKEEPING = ("chunk_done", "chunk_digest", "time", "band")


def _zarr():
    import zarr

    return zarr


@contextlib.contextmanager
def _quiet():
    """Zarr warns about every non-Zarr entry of a group it lists; ours (manifest, lock) are expected."""
    with warnings.catch_warnings():
        for name in _OWN_FILES:
            warnings.filterwarnings("ignore", message=f"Object at {name} is not recognized", category=UserWarning)
        yield


def _open_group(path, mode: str):
    return _zarr().open_group(str(path), mode=mode)


def _read_json(file: Path):
    """Parsed JSON of ``file``, or None if it is missing or unreadable."""
    try:
        return json.loads(Path(file).read_text())
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _write_json_atomic(file: Path, content) -> None:
    """Write ``file`` through a temporary file and a rename: a kill leaves the old file or the new one."""
    file = Path(file)
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    with open(tmp, "w") as f:
        json.dump(content, f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, file)


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
    """True if ``path`` is a directory holding a Zarr store (``zarr.json``, jaxhiggs or not) or the copy
    of a jaxhiggs store's metadata (``jaxhiggs_copy/zarr.json``: a store whose root metadata are damaged)."""
    return (Path(path) / "zarr.json").is_file() or (Path(path) / MANIFEST).is_file()


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


def _manifest(path: Path) -> dict | None:
    """The store's copy of its metadata (None if missing or unreadable)."""
    node = _read_json(Path(path) / MANIFEST)
    content = node.get("attributes") if isinstance(node, dict) else None
    if isinstance(content, dict) and isinstance(content.get("record"), dict) and isinstance(
            content.get("metadata"), dict) and "zarr.json" in content["metadata"]:
        return content
    return None


def _root_record(path: Path):
    """(record or None, why not): the record in the root ``zarr.json``."""
    file = Path(path) / "zarr.json"
    if not file.is_file():
        return None, "missing"
    root = _read_json(file)
    if not isinstance(root, dict):
        return None, "cannot be read (not valid JSON: truncated or overwritten?)"
    attrs = root.get("attributes") or {}
    if ATTR not in attrs:
        return None, "foreign"
    try:
        return json.loads(attrs[ATTR]), ""
    except (TypeError, ValueError):
        return None, f"cannot be read (its {ATTR!r} attribute is not valid JSON)"


def read_record(path) -> dict:
    """The ``jaxhiggs_sweep`` record of a store (raises if ``path`` is not a sweep store).

    The root ``zarr.json`` holds it; if that file is missing or damaged, the copy in
    ``jaxhiggs_copy/zarr.json`` is used (nothing is written here: :func:`repair` restores the file).
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"store = {str(p)!r} is not allowed: it is a file, not a sweep store (a directory)")
    if not exists(p):
        raise FileNotFoundError(f"{p} is not a Zarr store (no zarr.json)"
                                + (f"; it holds {_listing(p)}" if p.is_dir() else ""))
    record, why = _root_record(p)
    if record is not None:
        return record
    manifest = _manifest(p)
    if manifest is not None:
        return manifest["record"]
    if why == "foreign" and not (p / MANIFEST).exists():
        raise InputError(f"store = {str(p)!r} is not allowed: it is a Zarr store but not a jaxhiggs sweep store (no "
                         f"{ATTR!r} attribute); nothing was changed")
    root = "zarr.json " + (why if why != "foreign" else f"has no {ATTR!r} attribute")
    raise InputError(f"store = {str(p)!r} cannot be used: its {root}, and its copy {p / MANIFEST} is "
                     f"{'missing' if not (p / MANIFEST).exists() else 'damaged too'}; nothing was changed. Move the "
                     "folder aside (or delete it) and run the sweep again to recompute it")


def _metadata(path: Path) -> dict:
    """Every readable metadata file of the store: {"zarr.json": …, "<array>/zarr.json": …}."""
    out = {}
    for file in [path / "zarr.json"] + sorted(f for f in path.glob("*/zarr.json") if f.parent.name != MANIFEST_NODE):
        content = _read_json(file)
        if isinstance(content, dict):
            out[str(file.relative_to(path))] = content
    return out


def _bookkeeping_metadata(n_chunks: int, dtype, fill) -> dict:
    """The metadata of a (chunk,) bookkeeping array, as :func:`create` makes it."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        _zarr().open_group(tmp, mode="w", zarr_format=3).create_array(
            "a", shape=(n_chunks,), chunks=(1,), dtype=dtype, fill_value=fill, dimension_names=["chunk"])
        return json.loads((Path(tmp) / "a" / "zarr.json").read_text())


def _write_manifest(path: Path, record: dict) -> None:
    (path / MANIFEST_NODE).mkdir(exist_ok=True)
    _write_json_atomic(path / MANIFEST, {"zarr_format": 3, "node_type": "group", "attributes": {
        "jaxhiggs_sweep_manifest": 1, "record": record, "metadata": _metadata(path)}})


def repair(path) -> list[str]:
    """Restore every missing or damaged metadata file of a store from its copy (``jaxhiggs_copy/zarr.json``);
    returns one line per file repaired, naming it.  Chunk files are never touched: a restored array's
    chunks count as done only if they still match their recorded digests (:func:`verify`).

    A store without the copy (made before it existed, or the copy damaged) gets one, written from its
    root metadata (a missing ``chunk_digest`` or ``chunk_done`` array is created empty first: its
    chunks count as not done).  An array (named by the recorded digests, or with chunk files) whose
    metadata are missing and have no copy cannot be restored: refused, naming the file.
    """
    p = Path(path)
    record = read_record(p)  # raises for what is not (or no longer recognisably) a jaxhiggs store
    notes = []
    manifest = _manifest(p)
    if manifest is None:
        if _root_record(p)[0] is None:  # pragma: no cover - read_record raised already
            raise InputError(f"{p}: neither zarr.json nor {MANIFEST} can be read")
        n_chunks = -(-int(record["n_points"]) // int(record["chunk_size"]))
        for name, dtype, fill in (("chunk_digest", str, ""), ("chunk_done", "bool", False)):
            file = p / name / "zarr.json"
            if _read_json(file) is None:  # only the metadata file is written: existing chunk files stay
                file.parent.mkdir(exist_ok=True)
                state = "damaged" if file.exists() else "missing"
                _write_json_atomic(file, _bookkeeping_metadata(n_chunks, dtype, fill))
                notes.append(f"{file} was {state}: recreated (chunks without a recorded digest count as not done)")
        named = set()
        for value in _elements(_open_group(p, "r")["chunk_digest"], ""):
            try:
                named |= set(json.loads(str(value)))
            except ValueError:
                pass
        named |= {d.name for d in p.iterdir() if (d / "c").is_dir()}  # arrays with chunk files
        lost = [p / n / "zarr.json" for n in sorted(named) if _read_json(p / n / "zarr.json") is None]
        if lost:
            raise InputError(f"store {p}: {', '.join(map(str, lost))} missing or damaged, and the store has no copy "
                             f"of its metadata ({p / MANIFEST} missing or damaged); nothing was changed. Move the "
                             "folder aside (or delete it) and run the sweep again to recompute it")
        state = "damaged" if (p / MANIFEST).exists() else "missing"
        _write_manifest(p, record)
        notes.append(f"{p / MANIFEST} (the copy of the store's metadata) was {state}: written from the store's "
                     "metadata")
        return notes
    for rel, content in manifest["metadata"].items():
        file = p / rel
        if _read_json(file) == content:
            continue
        state = "missing" if not file.exists() else "damaged"
        file.parent.mkdir(exist_ok=True)
        _write_json_atomic(file, content)
        notes.append(f"{file} was {state}: restored from {p / MANIFEST}")
    return notes


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
        group.attrs[ATTR] = json.dumps(record)  # a directory without it (or the copy) is not a store
        _write_manifest(tmp, record)  # the copy of every metadata file, last
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


# -- one writer at a time ----------------------------------------------------------------------
def _lock_owner(file: Path) -> dict | None:
    content = _read_json(file)
    return content if isinstance(content, dict) and isinstance(content.get("pid"), int) else None


def _stale(owner: dict | None, file: Path) -> bool:
    """A lock whose writer is gone: its PID is not alive on this host (a lock of another host is never
    stale here), or it holds no PID and is older than a minute (a writer killed between creating and
    filling it)."""
    if owner is None:
        try:
            return _time.time() - file.stat().st_mtime > 60
        except OSError:
            return True
    return owner.get("host") == socket.gethostname() and not _alive(owner["pid"])


def acquire_lock(path, note=log.warning) -> Path:
    """Create ``<store>/jaxhiggs_sweep.lock`` atomically (``O_CREAT | O_EXCL``) with this process's PID and
    host; a lock of a live writer refuses (naming the lock file and its PID), a stale one is taken over
    (``note`` says so).  Returns the lock file."""
    file = Path(path) / LOCK
    me = {"pid": os.getpid(), "host": socket.gethostname(),
          "since": _time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    for _ in range(3):
        try:
            fd = os.open(file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            owner = _lock_owner(file)
            if not _stale(owner, file):
                who = (f"process {owner['pid']} on {owner.get('host', '?')} (since {owner.get('since', '?')})"
                       if owner else "a process that has not written its PID yet")
                raise InputError(
                    f"store = {str(path)!r} is in use: {file} is held by {who}; two sweeps on one store would "
                    "compute every chunk twice. Wait for it to finish, or, if that process is gone (another host, or "
                    f"a reused PID), delete {file} and run again") from None
            # take it over: move it aside (one process wins the rename), check we moved the stale lock
            aside = file.with_name(f"{LOCK}.stale.{os.getpid()}")
            try:
                os.rename(file, aside)
            except FileNotFoundError:
                continue  # another process took it over first: try again
            if _lock_owner(aside) != owner:  # a fresh lock replaced the stale one in between: put it back
                try:
                    os.link(aside, file)
                except FileExistsError:
                    pass
                aside.unlink(missing_ok=True)
                continue
            aside.unlink(missing_ok=True)
            note(f"took over the stale lock {file} of "
                 + (f"process {owner['pid']} on {owner.get('host', '?')} (no longer running)" if owner else
                    "a writer that never wrote its PID"))
            continue
        with os.fdopen(fd, "w") as f:
            json.dump(me, f)
            f.flush()
            os.fsync(f.fileno())
        return file
    raise InputError(f"store = {str(path)!r} is in use: could not take {file} (other processes are taking it)")


def release_lock(file: Path) -> None:
    """Remove our lock file (only if it still holds this process's PID)."""
    owner = _lock_owner(Path(file))
    if owner is not None and owner["pid"] == os.getpid() and owner.get("host") == socket.gethostname():
        Path(file).unlink(missing_ok=True)


@contextlib.contextmanager
def locked(path, note=log.warning):
    """Hold the store's lock for the ``with`` block (``path`` None: nothing); released also on exceptions."""
    if path is None:
        yield None
        return
    file = acquire_lock(path, note)
    try:
        yield file
    finally:
        release_lock(file)


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
    with _quiet():
        return sorted(name for name, arr in group.arrays() if name not in _BOOKKEEPING
                  and arr.metadata.dimension_names and arr.metadata.dimension_names[0] == "point")


def chunk_file(path, group, name: str, index: int) -> Path:
    """The file holding chunk ``index`` of array ``name`` (default Zarr v3 chunk keys); an array whose
    metadata cannot be read: its ``zarr.json``."""
    try:
        ndim = len(group[name].shape)
    except Exception:
        return Path(path) / name / "zarr.json"
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
    with the chunk's files that are missing or corrupt.  A chunk without a recorded digest (its
    ``chunk_digest`` file, or the whole array, gone) is damaged, never verified.  Reads only:
    :func:`repair` first restores damaged metadata files."""
    group = _open_group(path, "r")
    record = read_record(path)
    chunk, n_points = int(record["chunk_size"]), int(record["n_points"])
    n_chunks = -(-n_points // chunk)
    try:
        flag_values = _elements(group["chunk_done"], False)
    except KeyError:  # metadata gone (repair restores them): nothing counts as done
        flag_values = np.zeros(n_chunks, dtype=bool)
    try:
        digest_values = _elements(group["chunk_digest"], "")
    except KeyError:
        digest_values = [""] * n_chunks
    names = _point_arrays(group)
    done = np.zeros(n_chunks, dtype=bool)
    damaged = []
    readers = {}
    for c in range(n_chunks):
        if not bool(flag_values[c]):
            continue
        recorded = str(digest_values[c])
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
                ok = name in expected and _digest(block) == expected[name]
            except Exception:
                ok = False
            if not ok:
                bad.append((name, file))
        if not expected:
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
    group = _open_group(path, "r+")
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
    group = _open_group(path, "r")
    record = read_record(path)
    chunk, n_points = int(record["chunk_size"]), int(record["n_points"])
    done, damaged = verify(path)
    arrays, attrs = {}, {}
    with _quiet():
        members = list(group.arrays())
    for name, arr in members:
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

    with _quiet():
        return xr.open_zarr(str(path), consolidated=False).load()
