"""Every fenced code block of the READMEs and docs/ is executed or explicitly accounted for.

* ``python`` blocks run as written, in order, one namespace per file (so a page can build on its
  earlier blocks), in a scratch folder that sees the repository's ``fitting/`` and ``examples/``.
  A line may say how the test shrinks it: ``# quick test: OLD -> NEW`` replaces OLD by NEW on that
  line only.  Each block must print what it computes, and must not trigger jaxhiggs's own
  validity warnings.
* ``toml`` blocks must parse; full run configurations must also build (``jaxhiggs.config.build``).
* Shell blocks (``bash``, ``sh``, ``console``) are not run here: each must carry a
  ``<!-- docs-test: skip (reason) -->`` line right above it, and the reason must be non-empty.
* ``text`` blocks are output samples.  A fence without a language is an error (say what it is).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import tomllib
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC_FILES = [ROOT / "README.md", ROOT / "fitting" / "README.md", ROOT / "benchmarks" / "README.md",
             *sorted((ROOT / "docs").rglob("*.md"))]
SHELL = {"bash", "sh", "shell", "console"}
KNOWN = {"python", "toml", "text"} | SHELL
SKIP = re.compile(r"<!--\s*docs-test:\s*skip\s*\((?P<reason>[^)]*)\)\s*-->")
QUICK = re.compile(r"#\s*quick test:\s*(?P<old>.+?)\s*->\s*(?P<new>.+?)\s*$")



def code_blocks(path: Path) -> list[dict]:
    """Fenced blocks of a Markdown file: language, code, first line number, skip reason (or None)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, i = [], 0
    while i < len(lines):
        m = re.match(r"^(\s*)```(\S*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        indent, lang = m.group(1), m.group(2)
        j = i + 1
        while j < len(lines) and not re.match(rf"^{indent}```\s*$", lines[j]):
            j += 1
        prev = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
        skip = SKIP.search(prev)
        code = "\n".join(line[len(indent):] for line in lines[i + 1: j])
        blocks.append({"lang": lang, "code": code, "line": i + 1, "skip": None if skip is None else skip["reason"].strip()})
        i = j + 1
    return blocks


def _id(path: Path, block: dict) -> str:
    return f"{path.relative_to(ROOT)}:{block['line']}"


ALL = [(p, b) for p in DOC_FILES if p.exists() for b in code_blocks(p)]
PYTHON = [(p, b) for p, b in ALL if b["lang"] == "python" and b["skip"] is None]


def quick(code: str) -> str:
    """Apply the block's own ``# quick test: OLD -> NEW`` instructions, line by line."""
    out = []
    for line in code.splitlines():
        m = QUICK.search(line)
        if m:
            body = line[: m.start()]
            assert m["old"] in body, f"quick-test instruction {m['old']!r} not found in: {line}"
            line = body.replace(m["old"], m["new"]).rstrip()
        out.append(line)
    return "\n".join(out)


_NAMESPACES: dict[Path, dict] = {}
#: third-party warnings that say nothing about the physics (the package silences the first itself)
TOLERATED = ("Complex dtype support in Diffrax",)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A working folder that sees the repository's data folders (blocks write figures here)."""
    folder = tmp_path_factory.mktemp("docs")
    for name in ("fitting", "examples"):
        (folder / name).symlink_to(ROOT / name, target_is_directory=True)
    return folder


@pytest.mark.parametrize("path, block", PYTHON, ids=[_id(p, b) for p, b in PYTHON])
def test_python_block_runs_and_prints(path, block, scratch, monkeypatch):
    monkeypatch.chdir(scratch)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = _NAMESPACES.setdefault(path, {"__name__": "__docs__"})
    stdout = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(stdout):
        warnings.simplefilter("always")
        exec(compile(quick(block["code"]), _id(path, block), "exec"), namespace)
    printed = stdout.getvalue()
    sys.stdout.write(printed)
    assert printed.strip(), f"{_id(path, block)} prints nothing: a snippet should print what it computes"
    ours = [f"{w.category.__name__}: {w.message}" for w in caught
            if issubclass(w.category, UserWarning) and not any(ok in str(w.message) for ok in TOLERATED)]
    assert not ours, f"{_id(path, block)} triggers the package's validity warnings: {ours}"


@pytest.mark.parametrize("path, block", [(p, b) for p, b in ALL if b["lang"] == "toml"],
                         ids=[_id(p, b) for p, b in ALL if b["lang"] == "toml"])
def test_toml_block_parses(path, block):
    from jaxhiggs import config

    raw = tomllib.loads(block["code"])
    if "model" in raw:  # a complete run configuration: it must build as written
        config.build(raw, base=ROOT)


def test_every_block_is_run_or_skipped_with_a_reason():
    problems = []
    for path, block in ALL:
        where = _id(path, block)
        if block["lang"] not in KNOWN:
            problems.append(f"{where}: fence language {block['lang']!r} (use one of {sorted(KNOWN)})")
        elif block["lang"] in SHELL and not block["skip"]:
            problems.append(f"{where}: shell block without '<!-- docs-test: skip (reason) -->' above it")
        elif block["lang"] == "python" and block["skip"] is not None and not block["skip"]:
            problems.append(f"{where}: skipped python block without a reason")
    assert not problems, "\n".join(problems)
    assert len(PYTHON) >= 10  # the docs do contain runnable examples


def test_no_indented_code_blocks_in_readmes():
    """Indented (4-space) code blocks cannot be tested: the READMEs use fences only."""
    for path in DOC_FILES:
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        inside = False
        previous_blank = True
        for n, line in enumerate(text.splitlines(), 1):
            if line.lstrip().startswith("```"):
                inside = not inside
            elif not inside and previous_blank and line.startswith("    ") and line.strip() and not line.lstrip().startswith(("*", "-", "|")):
                pytest.fail(f"{path.relative_to(ROOT)}:{n}: indented code block; use a fenced block with a language")
            previous_blank = not line.strip()


OUTSIDE = re.compile(r"/work/|\.\./shared|shared/physics|shared/reference-data|shared/seeds")


def test_nothing_points_outside_the_repository():
    """Package, tests, examples, READMEs and docs neither read nor link paths outside the repository."""
    files = [*ROOT.glob("jaxhiggs/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("examples/*.py"),
             *ROOT.glob("fitting/*.py"), *DOC_FILES, ROOT / "mkdocs.yml", ROOT / "pyproject.toml"]
    hits = []
    for f in files:
        if f.resolve() == Path(__file__).resolve() or not f.exists():
            continue
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE.search(line):
                hits.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert not hits, "\n".join(hits)


def test_mkdocs_nav_lists_every_page():
    """Every docs page is in mkdocs.yml's nav (the strict build runs in CI, .ci/run)."""
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in (ROOT / "docs").rglob("*.md"):
        assert str(page.relative_to(ROOT / "docs")) in nav, page
    assert os.path.exists(ROOT / "docs" / "api.md")
