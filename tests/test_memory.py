"""The trim of the compiler's freed heap after large compilations (jaxhiggs.memory)."""

import os
import subprocess
import sys

import jax
import jax.numpy as jnp
import pytest

import jaxhiggs as jh

glibc = pytest.mark.skipif(jh.memory._malloc_trim() is None, reason="no malloc_trim in this C library")


@glibc
def test_on_at_import():
    if os.environ.get(jh.memory.ENV, "1") in ("0", "false", "off", "no"):
        pytest.skip("switched off in this environment")
    assert len(jh.memory._listener) == 1
    assert jh.memory._listener[0].min_compile_time == 0.5


@glibc
def test_trims_after_a_compilation_only_above_the_threshold():
    try:
        listener = jh.memory.trim_after_compile(True, min_compile_time=0.0)
        jax.jit(lambda x: jnp.sin(x) * 3.0 + 1.25)(jnp.arange(7.0)).block_until_ready()  # a new program
        assert listener.trims >= 1
        slow = jh.memory.trim_after_compile(True, min_compile_time=1e6)
        jax.jit(lambda x: jnp.cos(x) - 0.75)(jnp.arange(5.0)).block_until_ready()
        assert slow.trims == 0
        assert len(jh.memory._listener) == 1  # switching again replaces, never stacks
        assert jh.memory.trim_after_compile(False) is None and jh.memory._listener == []
    finally:
        jh.memory.trim_after_compile(True)


def test_environment_switches_it_off():
    code = "import jaxhiggs as jh; print(len(jh.memory._listener))"
    env = dict(os.environ, **{jh.memory.ENV: "0"})
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_bad_threshold_is_refused_and_leaves_the_listener():
    before = list(jh.memory._listener)
    for bad in (-1.0, float("nan")):
        with pytest.raises(jh._validate.InputError, match="min_compile_time"):
            jh.memory.trim_after_compile(True, min_compile_time=bad)
    assert jh.memory._listener == before

