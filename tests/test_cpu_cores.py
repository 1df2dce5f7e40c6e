"""jaxhiggs.use_cpu_cores: one JAX CPU device per core, so that a sweep's points run side by side on a CPU."""

import os
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxhiggs as jh
from jaxhiggs._validate import InputError


def _python(code: str, **env) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "JAX_NUM_CPU_DEVICES")}
    environ.update(env, JAX_PLATFORMS="cpu")
    out = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_gives_jax_that_many_cpu_devices_when_called_first():
    code = "import jaxhiggs as jh; n = jh.use_cpu_cores(3); import jax; print(n, len(jax.devices('cpu')))"
    assert _python(code) == ["3", "3"]
    default = "import jaxhiggs as jh; n = jh.use_cpu_cores(); import jax; print(n, len(jax.devices()), jh.cpu.usable_cores())"
    n, devices, cores = _python(default)
    assert n == devices == cores


def test_leaves_the_users_setting_alone():
    code = "import jaxhiggs as jh; n = jh.use_cpu_cores(2); import jax; print(n, len(jax.devices('cpu')))"
    assert _python(code, XLA_FLAGS="--xla_force_host_platform_device_count=3") == ["None", "3"]


def test_too_late_once_jax_has_run_changes_nothing():
    jnp.zeros(1).block_until_ready()  # JAX has run in this process
    before = len(jax.devices())
    assert jh.use_cpu_cores(2) is None
    assert len(jax.devices()) == before


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_bad_count_is_refused_naming_it(bad):
    with pytest.raises(InputError, match="n = "):
        jh.use_cpu_cores(bad)


def test_the_sweep_command_calls_it():
    code = ("import sys, jaxhiggs.cli as cli\n"
            "try:\n    cli.main(['sweep', 'no-such-file.toml'])\nexcept (SystemExit, Exception):\n    pass\n"
            "import jax; print(len(jax.devices('cpu')))")
    assert _python(code) == [str(jh.cpu.usable_cores())]


def test_two_cpu_devices_give_the_same_sweep(tmp_path):
    """The points of a sweep sharded over two CPU devices equal those of one device, bit for bit."""
    code = ("import sys, numpy as np, jaxhiggs as jh\n"
            "n = jh.use_cpu_cores(int(sys.argv[1]))\n"
            "model = jh.models.CleanPseudospin(jh.materials.single_band(1.05, 20.0), 64)\n"
            "ds = jh.sweep(model, jh.Quench(final_gap=0.97), np.linspace(0, 5, 51), {'final_gap': [0.95, 0.97, 0.99]},"
            " progress=False)\n"
            "np.save(sys.argv[2], np.asarray(ds['gap']))\n")
    out = {}
    for n in (1, 2):
        path = tmp_path / f"gap_{n}.npy"
        environ = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS",)}
        subprocess.run([sys.executable, "-c", code, str(n), str(path)], env=dict(environ, JAX_PLATFORMS="cpu"),
                       check=True, capture_output=True)
        out[n] = np.load(path)
    assert out[1].shape == (3, 51, 1)
    np.testing.assert_array_equal(out[1], out[2])
