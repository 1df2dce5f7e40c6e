"""The public face: every name the READMEs and docs use resolves from ``import jaxhiggs`` in a fresh
interpreter, every direct third-party import is a declared dependency, and the persistent
compilation cache is written by one process and reused by the next."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "fitting" / "README.md", ROOT / "benchmarks" / "README.md",
        *sorted((ROOT / "docs").rglob("*.md"))]


def documented_names() -> dict[str, bool]:
    """``jh.a.b`` chains used in the docs → whether they are called (followed by ``(``)."""
    names: dict[str, bool] = {}
    for path in DOCS:
        if path.exists():
            for m in re.finditer(r"\bjh\.([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)(\s*\()?", path.read_text(encoding="utf-8")):
                names[m.group(1)] = names.get(m.group(1), False) or bool(m.group(2))
    return names


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["JAX_PLATFORMS"] = "cpu"
    return env


def test_every_documented_name_resolves_in_a_fresh_interpreter():
    names = documented_names()
    assert {"fit.fit_conductivity", "response.schmid_higgs_susceptibility", "models.CleanPseudospin",
            "simulate", "sweep", "enable_compilation_cache"} <= set(names)
    script = (
        "import json, sys\nimport jaxhiggs as jh\nbad = []\n"
        "for name, called in json.loads(sys.argv[1]).items():\n"
        "    obj = jh\n"
        "    try:\n"
        "        for part in name.split('.'):\n"
        "            obj = getattr(obj, part)\n"
        "    except AttributeError as err:\n"
        "        bad.append(f'jh.{name}: {err}'); continue\n"
        "    if called and not callable(obj):\n"
        "        bad.append(f'jh.{name} is used as a call but is not callable')\n"
        "from jaxhiggs import fit, io  # the fitting README's import\n"
        "print(json.dumps(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, json.dumps(names)], env=_env(), capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_lazy_namespaces_and_all():
    import jaxhiggs as jh

    for name in jh.__all__:
        assert hasattr(jh, name), name
    assert callable(jh.fit.fit_conductivity) and callable(jh.response.schmid_higgs_susceptibility)
    assert callable(jh.pair_breaking.abrikosov_gorkov) and callable(jh.conductivity.zimmermann)
    assert "fit" in dir(jh)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        jh.nope  # noqa: B018


STDLIB = set(sys.stdlib_module_names)
DIST = {"yaml": "pyyaml"}  # import name → distribution name where they differ


def test_every_direct_import_is_declared():
    """Issue 10 item 7: a dependency that arrives only through another package is not declared.  An optional
    extra (pyproject's optional-dependencies) may be imported only inside ``try: … except ImportError``."""
    import tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    name_of = lambda d: re.split(r"[<>=!;\[ ]", d, maxsplit=1)[0].strip().lower().replace("-", "_")
    declared = {name_of(d) for d in project["dependencies"]}
    optional = {name_of(d) for deps in project["optional-dependencies"].values() for d in deps}
    missing = set()
    for path in (ROOT / "jaxhiggs").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded = set()  # imports inside a try whose handlers catch ImportError
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and any(
                    isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
                    for h in node.handlers):
                guarded.update(id(n) for stmt in node.body for n in ast.walk(stmt))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                tops = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops = [node.module.split(".")[0]]
            else:
                continue
            for top in tops:
                if top in STDLIB or top == "jaxhiggs" or top == "tomllib":
                    continue
                dist = DIST.get(top, top).lower()
                if dist in declared or (dist in optional and id(node) in guarded):
                    continue
                missing.add(f"{top} ({path.relative_to(ROOT)})")
    assert not missing, f"imported but not declared in pyproject.toml (or optional but unguarded): {sorted(missing)}"


# ----------------------------------------------------------------------------- compilation cache
CONFIG = ('[material]\ngap = 1.3\nomega_D = 20.0\n[model]\nname = "clean-pseudospin"\nn_energies = 64\n'
          '[[drive]]\ntype = "quench"\nfinal_gap = 1.2\n[times]\nstop = 2.0\ncount = 41\n[solver]\nname = \"tsit5\"\ndt = 0.005\n')
RUN = (
    "import json, sys\nimport jax.monitoring\nevents = {}\n"
    "jax.monitoring.register_event_listener(lambda name, **kw: events.__setitem__(name, events.get(name, 0) + 1))\n"
    "from jaxhiggs import cli\n"
    "rc = cli.main(sys.argv[1:])\n"
    "import jax\n"
    "print(json.dumps({'rc': rc, 'hits': events.get('/jax/compilation_cache/cache_hits', 0),\n"
    "                  'dir': jax.config.jax_compilation_cache_dir}))\n"
)


def _cli(args, env):
    proc = subprocess.run([sys.executable, "-c", RUN, *args], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_second_process_reuses_the_compilation_cache(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(CONFIG)
    cache = tmp_path / "cache"
    env = {**_env(), "JAXHIGGS_CACHE_DIR": str(cache)}
    args = ["run", str(cfg), "--out", str(tmp_path / "r"), "--no-progress"]
    first = _cli(args, env)
    entries = sorted(p.name for p in cache.iterdir())
    assert first["rc"] == 0 and first["dir"] == str(cache)
    assert entries, "the first run wrote nothing to the cache"
    second = _cli([*args[:3], str(tmp_path / "r2"), *args[4:]], env)  # a new output: the first is not overwritten
    assert second["rc"] == 0 and second["hits"] >= 1, second  # compiled programs loaded from disk
    assert set(entries) <= {p.name for p in cache.iterdir()}


def test_no_cache_flag_leaves_the_cache_alone(tmp_path, monkeypatch):
    """The flag is honoured by ``main`` before any work starts; the run itself is stubbed (it is tested in
    tests/test_cli.py and above; running it here cost ~15 s of compilation for a check of one ``if``)."""
    from jaxhiggs import cache, cli

    enabled, runs = [], []
    monkeypatch.setattr(cache, "enable_compilation_cache", lambda *a, **k: enabled.append(True))
    monkeypatch.setattr(cli, "run", lambda config, out, progress, **_: runs.append((config, out, progress)))
    cfg = tmp_path / "c.toml"
    cfg.write_text(CONFIG)
    assert cli.main(["run", str(cfg), "--out", str(tmp_path / "r"), "--no-progress", "--no-cache"]) == 0
    assert runs == [(cfg, tmp_path / "r", False)] and enabled == []  # ran, without touching the cache
    assert cli.main(["run", str(cfg), "--out", str(tmp_path / "r")]) == 0
    assert len(runs) == 2 and runs[1][2] is True and enabled == [True]  # without the flag the cache is enabled


def test_cache_location_rules(tmp_path, monkeypatch):
    from jaxhiggs import cache

    monkeypatch.setenv("JAXHIGGS_CACHE_DIR", "")
    assert cache.enable_compilation_cache() is None  # the empty string disables it
    monkeypatch.delenv("JAXHIGGS_CACHE_DIR")
    monkeypatch.delenv("JAX_COMPILATION_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.default_cache_dir() == tmp_path / "xdg" / "jaxhiggs" / "jax"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.default_cache_dir() == tmp_path / "home" / ".cache" / "jaxhiggs" / "jax"


@pytest.mark.parametrize("bad, pattern", [
    ({"min_compile_time": "abc"}, r"min_compile_time = 'abc' s is not allowed: give a number: a finite time ≥ 0 s"),
    ({"min_compile_time": True}, r"min_compile_time = True s is not allowed: give a number, not True/False"),
    ({"min_compile_time": "2"}, r"min_compile_time = '2' s is not allowed: give a number"),
    ({"min_compile_time": -5}, r"min_compile_time = -5 s is not allowed: a finite time ≥ 0 s"),
    ({"min_compile_time": float("nan")}, r"min_compile_time = nan s is not allowed: a finite time ≥ 0 s"),
    ({"path": 123}, r"path = 123 is not allowed: give a directory as a str or pathlib\.Path"),
    ({"path": True}, r"path = True is not allowed: give a directory as a str or pathlib\.Path"),
])
def test_cache_arguments_checked_before_any_side_effect(bad, pattern, tmp_path, monkeypatch):
    """No directory made, no EQX_ON_ERROR, no JAX setting changed when an argument is refused."""
    import jax

    from jaxhiggs import cache
    from jaxhiggs._validate import InputError

    updates = []
    monkeypatch.setattr(jax.config, "update", lambda *a: updates.append(a))
    monkeypatch.delenv("EQX_ON_ERROR", raising=False)
    target = tmp_path / "cache"
    with pytest.raises(InputError, match=pattern):
        cache.enable_compilation_cache(**{"path": target, **bad})
    assert not target.exists() and updates == [] and "EQX_ON_ERROR" not in os.environ


def test_empty_cache_path_disables_the_cache_like_the_empty_variable(tmp_path, monkeypatch):
    import jax

    from jaxhiggs import cache

    updates = []
    monkeypatch.setattr(jax.config, "update", lambda *a: updates.append(a))
    monkeypatch.setattr(cache, "_cacheable_error_checks", lambda: updates.append("eqx"))
    from jax.experimental.compilation_cache import compilation_cache

    monkeypatch.setattr(compilation_cache, "reset_cache", lambda: None)  # this test process keeps its cache
    monkeypatch.chdir(tmp_path)
    assert cache.enable_compilation_cache("") is None and cache.enable_compilation_cache(" ") is None
    assert updates == [] and list(tmp_path.iterdir()) == []  # nothing written into the working directory
    assert cache.enable_compilation_cache(tmp_path / "c", min_compile_time=2) == tmp_path / "c"  # a valid call works
    assert ("jax_persistent_cache_min_compile_time_secs", 2.0) in updates and ("jax_compilation_cache_dir",
                                                                            str(tmp_path / "c")) in updates
