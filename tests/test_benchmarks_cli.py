"""Every benchmark script takes --quick and --write, and writes results files only when asked."""

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "benchmarks").glob("bench_*.py"))


def _results_digest():
    files = sorted(f for f in (ROOT / "benchmarks" / "results").rglob("*") if f.is_file())
    return {str(f.relative_to(ROOT)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


HELP = """
import contextlib, io, runpy, sys
for path in sys.argv[1:]:
    sys.argv = [path, "--help"]
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        try:
            runpy.run_path(path, run_name="__main__")
        except SystemExit:
            pass
    text = buf.getvalue()
    print(path, "--quick" in text and "--write" in text)
"""


def test_every_benchmark_documents_quick_and_write():
    out = subprocess.run([sys.executable, "-c", HELP, *map(str, SCRIPTS)], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": f"{ROOT}:{ROOT / 'benchmarks'}", "JAX_PLATFORMS": "cpu", "PATH": ""}, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    assert len(lines) == len(SCRIPTS) >= 6
    assert all(line.endswith("True") for line in lines), lines


@pytest.mark.slow
def test_quick_run_leaves_the_results_untouched():
    before = _results_digest()
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_schmid_higgs.py"), "--quick"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300,
                         env={"PYTHONPATH": str(ROOT), "JAX_PLATFORMS": "cpu", "PATH": ""})
    assert out.returncode == 0, out.stderr[-2000:]
    assert '"speedup_per_omega"' in out.stdout
    assert _results_digest() == before


def test_quick_with_write_is_refused_before_any_work():
    """A --quick smoke test once replaced the committed full-size results (bench_schmid_higgs.py --quick --write)."""
    before = _results_digest()
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_schmid_higgs.py"), "--quick", "--write"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300,
                         env={"PYTHONPATH": str(ROOT), "JAX_PLATFORMS": "cpu", "PATH": ""})
    assert out.returncode == 2 and "--quick with --write is not allowed" in out.stderr, out.stderr[-2000:]
    assert _results_digest() == before

