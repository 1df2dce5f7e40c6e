"""The former flat modules jaxhiggs.fit_models / jaxhiggs.fit_config: still importable, the same module objects as
jaxhiggs.fit.models / jaxhiggs.fit.config, and a DeprecationWarning naming the new path."""

import importlib
import sys

import pytest

import jaxhiggs
import jaxhiggs.fit


@pytest.mark.parametrize("old, new", [("fit_models", "jaxhiggs.fit.models"), ("fit_config", "jaxhiggs.fit.config")])
@pytest.mark.parametrize("how", ["import", "attribute"])
def test_flat_fit_modules_warn_and_alias(monkeypatch, old, new, how):
    # a fresh first import (another test may have imported the alias already): restored afterwards
    monkeypatch.delitem(sys.modules, f"jaxhiggs.{old}", raising=False)
    monkeypatch.delitem(vars(jaxhiggs), old, raising=False)  # not delattr: hasattr would run the lazy import
    with pytest.warns(DeprecationWarning, match=rf"jaxhiggs\.{old} is deprecated: use {new.replace('.', '[.]')}"):
        module = importlib.import_module(f"jaxhiggs.{old}") if how == "import" else getattr(jaxhiggs, old)
    assert module is importlib.import_module(new)
    assert sys.modules[f"jaxhiggs.{old}"] is module  # later imports find the new module without warning again
