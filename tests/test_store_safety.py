"""Issue 9, data safety of sweep stores: nothing a user owns is deleted or overwritten, completion is
verifiable (deleted/corrupt chunks are named and recomputed), and a SIGKILL during store creation or
during a chunk write leaves a store that resumes to exactly the uninterrupted result.

Tiny sweep: one band, 16 energies, 1 ps, fixed steps, 6 points in 3 chunks of 2.
"""

import hashlib
import json
import os
import re
import shutil
import socket
import signal
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
import zarr

import jaxhiggs as jh
from jaxhiggs import cli, sweep_store

ROOT = Path(__file__).resolve().parents[1]
TIMES = np.linspace(0.0, 1.0, 21)  # ps
GRID = {"final_gap": [1.1, 1.15, 1.2, 1.25, 1.3, 1.35]}  # meV
KW = dict(chunk_size=2, progress=False, dt=0.01)
SETUP = """
import numpy as np, jaxhiggs as jh
MODEL = jh.models.CleanPseudospin(jh.materials.single_band(1.3, 20.0), 16)
DRIVE = jh.Quench(final_gap=1.2, time=0.0)
TIMES = np.linspace(0.0, 1.0, 21)
GRID = {"final_gap": [1.1, 1.15, 1.2, 1.25, 1.3, 1.35]}
KW = dict(chunk_size=2, progress=False, dt=0.01)
"""
_SETUP: dict = {}


def run(store=None, **kw):
    # the same definitions here and in the killed subprocesses; executed on first use, not at import (every
    # pytest-xdist worker imports every test file, and the model's equilibrium compiles: ~2 s)
    if not _SETUP:
        exec(SETUP, _SETUP)
    ns = _SETUP
    return jh.sweep(ns["MODEL"], ns["DRIVE"], ns["TIMES"], ns["GRID"], store=store, **{**ns["KW"], **kw})


def tree_digest(path: Path) -> dict:
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(path.rglob("*"))}


def arrays(path) -> dict:
    """Every array of a store as bytes (bit-for-bit comparison; attributes hold creation dates)."""
    group = zarr.open_group(str(path), mode="r")
    out = {}
    members = list(group.arrays())
    for name, arr in members:
        values = arr[:]
        out[name] = "\x00".join(map(str, values.ravel())).encode() if values.dtype.kind not in "biufc" else (
            values.tobytes())
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "ref.zarr"
    run(path)
    return path


def test_folder_with_user_files_is_left_intact(tmp_path):
    folder = tmp_path / "results"
    (folder / "sub").mkdir(parents=True)
    (folder / "thesis.tex").write_bytes(os.urandom(1000))
    (folder / "sub" / "data.npz").write_bytes(os.urandom(5000))
    (folder / ".hidden").write_text("x")
    before = tree_digest(folder)
    with pytest.raises(ValueError, match=r"results' is not allowed: the directory exists and is not a jaxhiggs sweep "
                                         r"store \(it holds \.hidden, sub/, thesis\.tex\); nothing was changed"):
        run(folder)
    # the CLI refuses it too (its own message, exit status 2)
    toml = tmp_path / "c.toml"
    toml.write_text('[material]\ngap = 1.3\nomega_D = 20.0\n[model]\nname = "clean-pseudospin"\nn_energies = 16\n'
                    '[[drive]]\ntype = "quench"\nfinal_gap = 1.2\n[times]\nstop = 1.0\ncount = 21\n'
                    '[grid]\nfinal_gap = [1.1, 1.2]\n')
    assert cli.main(["sweep", str(toml), "--store", str(folder)]) == 2
    assert cli.main(["sweep", str(toml), "--store", str(folder), "--resume"]) == 2
    # a file, and a Zarr store of another kind
    file = tmp_path / "notes.zarr"
    file.write_bytes(b"my notes")
    with pytest.raises(ValueError, match="it is an existing file"):
        run(file)
    other = tmp_path / "other.zarr"
    zarr.open_group(str(other), mode="w").attrs["mine"] = 1
    other_before = tree_digest(other)
    with pytest.raises(ValueError, match="not a jaxhiggs sweep store"):
        run(other)
    assert tree_digest(folder) == before and file.read_bytes() == b"my notes" and tree_digest(other) == other_before
    # an empty folder is fine (and becomes the store)
    empty = tmp_path / "empty.zarr"
    empty.mkdir()
    run(empty)
    assert sweep_store.exists(empty)


def test_damaged_chunks_named_and_exactly_those_recomputed(tmp_path, reference):
    store = tmp_path / "s.zarr"
    run(store)
    assert arrays(store) == arrays(reference)
    deleted = store / "gap" / "c" / "1" / "0" / "0"
    corrupt = store / "num_steps" / "c" / "2"
    deleted.unlink()
    corrupt.write_bytes(corrupt.read_bytes()[:5])  # truncated
    with pytest.warns(UserWarning, match=r"2 chunk\(s\) missing or corrupt") as caught:
        ds = jh.open_sweep(store)
    text = str(caught[0].message)
    assert f"chunk 1: {deleted} (missing)" in text and f"chunk 2: {corrupt} (corrupt)" in text, text
    assert ds.computed.values.tolist() == [True, True, False, False, False, False]
    assert np.all(np.isnan(ds.gap.values[2:4])) and np.all(np.isfinite(ds.gap.values[:2]))
    assert str(deleted) in ds.attrs["damaged_chunks"] and str(corrupt) in ds.attrs["damaged_chunks"]
    # `jaxhiggs show` names both (through the same warning) and counts 2 points computed of 6
    with pytest.warns(UserWarning, match=r"chunk 1: .*gap/c/1/0/0 \(missing\); chunk 2: .*num_steps/c/2 \(corrupt\)"):
        assert cli.main(["show", str(store), "--out", str(tmp_path / "show.png")]) == 0
    # resume: exactly the two damaged chunks are recomputed, the result equals the uninterrupted run bit for bit
    computed = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean store opens without warnings
        ds = run(store, on_chunk=lambda info: computed.append(info["index"]))
    assert computed == [1, 2]
    assert bool(ds.computed.all())
    assert arrays(store) == arrays(reference)
    # a third run has nothing to do
    run(store, on_chunk=lambda info: computed.append(info["index"]))
    assert computed == [1, 2]


CHILD = SETUP + """
import os, signal, sys
from jaxhiggs import sweep_store
where, after = sys.argv[2], int(sys.argv[3])
calls = [0]
def killer(original):
    def wrapped(*args, **kwargs):
        calls[0] += 1
        if calls[0] == after:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)
    return wrapped
if where == "create":      # _fill runs once per array while the store is being built
    sweep_store._fill = killer(sweep_store._fill)
else:                      # _digest runs twice per array of a chunk write (write, then read back)
    sweep_store._digest = killer(sweep_store._digest)
jh.sweep(MODEL, DRIVE, TIMES, GRID, store=sys.argv[1], **KW)
"""


def _killed_run(store, where, after):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JAX_PLATFORMS": "cpu"}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(store), where, str(after)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]


def test_sigkill_during_creation_and_chunk_write_then_resume(tmp_path, reference):
    # killed while the store is being created: no half-made store at the path, the rerun completes
    store = tmp_path / "k.zarr"
    _killed_run(store, "create", 6)
    assert not store.exists()
    assert any(p.name.startswith(".k.zarr.jaxhiggs-creating-") for p in tmp_path.iterdir())
    # killed in the middle of writing chunk 1: chunk 0 complete (9 arrays: gap, energy, number, norm_drift,
    # num_steps, failed, reason, final_gap, final_gap_index; 2 digests each), 5 of chunk 1's arrays written
    _killed_run(store, "write", 2 * 9 + 5)
    assert store.exists()
    assert not any(p.name.startswith(".k.zarr.jaxhiggs-creating-") for p in tmp_path.iterdir())  # stale temp removed
    assert sweep_store.done_chunks(store).tolist() == [True, False, False]
    computed = []
    ds = run(store, on_chunk=lambda info: computed.append(info["index"]))
    assert computed == [1, 2] and bool(ds.computed.all())
    assert arrays(store) == arrays(reference)


def test_damaged_metadata_restored_from_the_stores_copy(tmp_path, reference):
    """Issues 2–4 of the CLI audit: a deleted digest array never turns verification off, a deleted array
    metadata file or root zarr.json is restored (named) and keeps the finished work."""
    store = tmp_path / "m.zarr"
    shutil.copytree(reference, store)
    # the digests' metadata gone, chunk 1's gap replaced by chunk 2's (a valid, wrong file), chunk 0 to redo
    (store / "chunk_digest" / "zarr.json").unlink()
    shutil.copy(store / "gap" / "c" / "2" / "0" / "0", store / "gap" / "c" / "1" / "0" / "0")
    (store / "chunk_done" / "c" / "0").unlink()
    # observable and flag metadata gone, root metadata truncated
    (store / "energy" / "zarr.json").unlink()
    (store / "chunk_done" / "zarr.json").unlink()
    root = store / "zarr.json"
    root.write_bytes(root.read_bytes()[:200])
    with pytest.warns(UserWarning) as caught:
        ds = jh.open_sweep(store)  # (also what `jaxhiggs show` does)
    text = " ".join(str(w.message) for w in caught)
    for name in ("chunk_digest/zarr.json", "energy/zarr.json", "chunk_done/zarr.json"):
        assert f"{store / name} was missing: restored from {store / 'jaxhiggs_copy' / 'zarr.json'}" in text, text
    assert f"{root} was damaged: restored" in text
    assert f"chunk 1: {store / 'gap/c/1/0/0'} (corrupt)" in text, text  # caught by the restored digests
    assert ds.computed.values.tolist() == [False, False, False, False, True, True]
    computed = []
    ds = run(store, on_chunk=lambda info: computed.append(info["index"]))
    assert computed == [0, 1] and bool(ds.computed.all())
    assert arrays(store) == arrays(reference)
    # the root metadata deleted: still recognised as this sweep's store and resumed with nothing to do
    root.unlink()
    assert sweep_store.check_target(store) and sweep_store.read_record(store)["n_points"] == 6
    ds = run(store, on_chunk=lambda info: computed.append(info["index"]))
    assert computed == [0, 1] and root.is_file() and arrays(store) == arrays(reference)


def test_store_without_copy_never_trusts_missing_digests(tmp_path, reference):
    store = tmp_path / "old.zarr"
    shutil.copytree(reference, store)
    (store / "jaxhiggs_copy" / "zarr.json").unlink()  # as made before the copy existed
    shutil.rmtree(store / "chunk_digest")
    notes = sweep_store.repair(store)
    assert any("chunk_digest/zarr.json was missing: recreated" in n for n in notes), notes
    assert (store / "jaxhiggs_copy" / "zarr.json").is_file()
    done, damaged = sweep_store.verify(store)
    assert done.tolist() == [False] * 3 and [d["chunk"] for d in damaged] == [0, 1, 2]
    # an observable's metadata gone with no copy to restore it from: refused, the file named, nothing changed
    (store / "jaxhiggs_copy" / "zarr.json").unlink()
    (store / "num_steps" / "zarr.json").unlink()
    before = tree_digest(store)
    with pytest.raises(ValueError, match=r"num_steps/zarr.json missing or damaged, and the store has no copy"):
        sweep_store.repair(store)
    assert tree_digest(store) == before


def test_lock_refuses_a_live_writer_and_takes_over_a_stale_one(tmp_path, reference):
    store = tmp_path / "l.zarr"
    shutil.copytree(reference, store)
    lock = store / "jaxhiggs_sweep.lock"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock.write_text(json.dumps({"pid": sleeper.pid, "host": socket.gethostname()}))
        with pytest.raises(ValueError, match=rf"is in use: {re.escape(str(lock))} is held by process {sleeper.pid}"):
            run(store)
        assert json.loads(lock.read_text())["pid"] == sleeper.pid  # left alone
    finally:
        sleeper.kill()
        sleeper.wait()
    # the holder is gone: the lock is taken over (and said so), released at the end
    notes = []
    file = sweep_store.acquire_lock(store, note=notes.append)
    assert json.loads(file.read_text())["pid"] == os.getpid()
    assert notes and f"took over the stale lock {lock} of process {sleeper.pid}" in notes[0]
    sweep_store.release_lock(file)
    assert not lock.exists()
    # released also when the sweep ends in an exception
    lock.write_text(json.dumps({"pid": sleeper.pid, "host": socket.gethostname()}))
    (store / "chunk_done" / "c" / "2").unlink()

    def boom(info):
        assert lock.is_file() and json.loads(lock.read_text())["pid"] == os.getpid()
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        run(store, on_chunk=boom)
    assert not lock.exists()
