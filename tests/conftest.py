import os

import pytest

# Hermetic tests: in-process `jaxhiggs` CLI calls must neither write to the user's compilation cache nor
# switch equinox's error checks for the rest of the session (tests/test_public_api.py tests the cache in
# child processes with their own JAXHIGGS_CACHE_DIR).
os.environ["JAXHIGGS_CACHE_DIR"] = ""


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


class ReachedCompiledSolve(Exception):
    """Raised by the ``no_compiled_solve`` stub: the call got past every input check to the compiled solve."""


@pytest.fixture
def no_compiled_solve(monkeypatch):
    """``simulate``'s compiled solve replaced by a stub that raises :class:`ReachedCompiledSolve`: whatever is
    refused with this fixture in place is refused before compiling."""
    import jaxhiggs.solve as solve_module

    def stub(*args, **kwargs):
        raise ReachedCompiledSolve

    monkeypatch.setattr(solve_module, "_solve_jit", stub)
