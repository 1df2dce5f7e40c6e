"""Every example script's ``--quick`` mode runs, writes its figure and triggers none of the package's warnings
(validity of the expansion, recurrence time, grid resolution, …): a new user's first run must be clean — except
the one smoke test whose docstring says that it warns (``EXPECTED``).

Minutes each on 2 CPU cores (krull_finite_q_fig6 ~7 min), hence ``slow`` (run with --runslow).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))
#: a printed warning: "file:line: SomeWarning: message" (``-W always`` prints each one)
WARNING = re.compile(r"^\S+:\d+: (?P<category>\w*Warning): (?P<message>.*)$", re.MULTILINE)
#: the one exception, which its docstring states: Fig. 6's --quick smoke test runs on rows (dk = 1.6e-2 nm⁻¹) whose
#: recurrence time (0.2 ps) is far shorter than its record, and the package says so
EXPECTED = {"krull_finite_q_fig6": "UserWarning: the time window reaches"}


def test_examples_are_found():
    assert len(EXAMPLES) >= 15 and "seed000_mgb2_leggett" in EXAMPLES


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLES)
def test_example_quick_mode_runs_without_warnings(name, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg", JAXHIGGS_CACHE_DIR="")
    run = subprocess.run([sys.executable, "-W", "always", f"{name}.py", "--quick", "--no-progress", "--no-cache",
                          "--out", str(tmp_path)], cwd=ROOT / "examples", env=env, capture_output=True, text=True,
                         timeout=1200)
    assert run.returncode == 0, run.stderr[-3000:]
    assert list(tmp_path.glob("*.png")), f"{name} wrote no figure"
    warned = [f"{m['category']}: {m['message']}" for m in WARNING.finditer(run.stderr)]
    if name in EXPECTED:
        assert any(w.startswith(EXPECTED[name]) for w in warned), f"{name} --quick no longer warns: {warned}"
        warned = [w for w in warned if not w.startswith(EXPECTED[name])]
    assert not warned, f"{name} --quick warns: {warned}"


@pytest.mark.parametrize("option, value", [("--probe-fwhm", "-1"), ("--probe-fwhm", "inf"), ("--probe-mev", "x"),
                                           ("--a0", "0"), ("--v", "-0.1"), ("--store", "krull_finite_q_fig6.py")])
def test_fig6_example_refuses_bad_probe_options(option, value, monkeypatch, capsys):
    """The script's command line refuses each bad value with argparse's usage error (exit status 2) naming the
    option and the value, before any work.  Run in this process (the script parses its arguments at the top, so
    nothing is computed); the last case also runs as a separate process, as a user would start it."""
    import runpy

    monkeypatch.chdir(ROOT / "examples")
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    monkeypatch.setattr(sys, "argv", ["krull_finite_q_fig6.py", option, value])
    for helper in (ROOT / "examples").glob("_*.py"):  # e.g. benchmarks/_common, imported by an earlier test file
        monkeypatch.delitem(sys.modules, helper.stem, raising=False)  # (put back at teardown)
    try:
        with pytest.raises(SystemExit) as exit_:
            runpy.run_path("krull_finite_q_fig6.py", run_name="__main__")
    finally:  # the examples' helper modules (e.g. _common) must not shadow the benchmarks' ones in later tests
        for name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", "")).startswith(str(ROOT / "examples")):
                del sys.modules[name]
    assert exit_.value.code == 2
    assert f"{option} = {value!r} is not allowed" in capsys.readouterr().err
    if option == "--store":
        run = subprocess.run([sys.executable, "krull_finite_q_fig6.py", option, value], cwd=ROOT / "examples",
                             env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=300)
        assert run.returncode == 2
        assert f"{option} = {value!r} is not allowed" in run.stderr
