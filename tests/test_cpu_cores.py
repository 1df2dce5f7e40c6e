"""jaxhiggs.use_cpu_cores: one JAX CPU device per core, so that a sweep's points run side by side on a CPU."""

import logging
import os
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxhiggs as jh
from jaxhiggs._validate import InputError

_OURS = ("XLA_FLAGS", "JAX_NUM_CPU_DEVICES")  # settings of the device count that would decide the outcome


def _python(code: str, *argv, **env) -> list[str]:
    """Run ``code`` in a fresh CPU-only Python; its stdout split into words (stderr shown on failure)."""
    environ = {k: v for k, v in os.environ.items() if k not in _OURS}
    environ.update(env, JAX_PLATFORMS="cpu")
    out = subprocess.run([sys.executable, "-c", code, *argv], env=environ, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
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


def test_too_late_once_jax_has_run_changes_nothing(caplog, monkeypatch):
    for name in _OURS:
        monkeypatch.delenv(name, raising=False)
    jnp.zeros(1).block_until_ready()  # JAX has run in this process
    before = len(jax.devices())
    with caplog.at_level(logging.INFO, logger="jaxhiggs.cpu"):
        result = jh.use_cpu_cores(2)
    if jax.config.jax_num_cpu_devices != -1:
        pytest.skip("this test process has its CPU device count configured")
    assert result is None and "too late" in caplog.text
    assert len(jax.devices()) == before


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_bad_count_is_refused_naming_it(bad):
    with pytest.raises(InputError, match="n = "):
        jh.use_cpu_cores(bad)


def test_the_sweep_command_calls_it():
    """``jaxhiggs sweep`` (here with a missing configuration: it fails after setting the devices) gives JAX one CPU
    device per core — three on this pretend machine — or the number ``--cpu-devices`` asks for."""
    code = ("import sys, jaxhiggs.cli as cli, jaxhiggs.cpu as cpu\n"
            "cpu.usable_cores = lambda: 3\n"
            "code = cli.main(['sweep', 'no-such-file.toml', *sys.argv[1:]])\n"
            "import jax; print(code, len(jax.devices('cpu')))")
    assert _python(code) == ["2", "3"]  # 2: the CLI's exit code for the missing file
    assert _python(code, "--cpu-devices", "1") == ["2", "1"]
    assert _python(code, "--cpu-devices", "0")[0] == "2"  # refused, named on stderr


def test_two_cpu_devices_give_the_same_sweep(tmp_path):
    """The points of a sweep sharded over two CPU devices equal those of one device (to round-off; identical here)."""
    code = ("import sys, numpy as np, jaxhiggs as jh, jax\n"
            "n = jh.use_cpu_cores(int(sys.argv[1]))\n"
            "model = jh.models.CleanPseudospin(jh.materials.single_band(1.05, 20.0), 64)\n"
            "ds = jh.sweep(model, jh.Quench(final_gap=0.97), np.linspace(0, 5, 51), {'final_gap': [0.95, 0.97, 0.99]},"
            " progress=False)\n"
            "np.save(sys.argv[2], np.asarray(ds['gap'])); print(len(jax.devices()))\n")
    out = {}
    if len(jax.devices()) == 1:  # this process is the one-device run (a process start saved)
        model = jh.models.CleanPseudospin(jh.materials.single_band(1.05, 20.0), 64)
        ds = jh.sweep(model, jh.Quench(final_gap=0.97), np.linspace(0, 5, 51), {"final_gap": [0.95, 0.97, 0.99]},
                      progress=False)
        out[1] = np.asarray(ds["gap"])
    for n in (1, 2):
        if n not in out:
            path = tmp_path / f"gap_{n}.npy"
            assert _python(code, str(n), str(path)) == [str(n)]
            out[n] = np.load(path)
    assert out[1].shape == (3, 51, 1)
    np.testing.assert_allclose(out[2], out[1], rtol=1e-13, atol=0)


def test_one_batch_policy_for_sweeps_and_pump_probe_batches(monkeypatch):
    """jaxhiggs.parallel.batch_mode is the one place that says how a device runs a batch: one after another on a
    CPU, vmapped elsewhere.  The pump–probe batches pass its choice to their compiled solve (checked here by
    stopping there); the sweep's vectorize="auto" calls it too."""
    from jaxhiggs import parallel, spectra

    assert parallel.batch_mode("cpu") == "map"
    assert parallel.batch_mode("gpu") == parallel.batch_mode("tpu") == "vmap"
    seen = []
    monkeypatch.setattr(spectra, "_solve_batch", lambda *args: seen.append(args[-1]) or (_ for _ in ()).throw(
        RuntimeError("stop")))
    model = jh.models.CleanPseudospin(jh.materials.single_band(1.05, 20.0), 16)
    with pytest.raises(RuntimeError, match="stop"):
        spectra._batched_solve(model, [jh.Quench(final_gap=0.97)], np.linspace(0, 1, 11))
    assert seen == [parallel.batch_mode(jax.devices()[0].platform)] == ["map"]


def test_device_map_shares_independent_runs_out_and_keeps_values_and_derivatives():
    """jaxhiggs.parallel.device_map on two CPU devices (5 items: padded to 6) equals lax.map, with a traced closure,
    for the values, jax.jacfwd (what the fits use) and jax.grad."""
    code = ("import jaxhiggs as jh; jh.use_cpu_cores(2)\n"
            "import jax, jax.numpy as jnp\n"
            "from jaxhiggs.parallel import device_map\n"
            "xs = jnp.linspace(0.0, 1.0, 5)\n"
            "run = lambda c: (lambda x: jnp.sin(c * x) + c**2 * x)\n"
            "f = lambda c: device_map(run(c), xs)\n"
            "g = lambda c: jax.lax.map(run(c), xs)\n"
            "c = 1.7\n"
            "err = lambda a, b: float(jnp.max(jnp.abs(a - b)))\n"
            "print(len(jax.devices()), f(c).shape[0], err(jax.jit(f)(c), g(c)),"
            " err(jax.jit(jax.jacfwd(f))(c), jax.jacfwd(g)(c)),"
            " err(jax.grad(lambda c: f(c).sum())(c), jax.grad(lambda c: g(c).sum())(c)))\n")
    devices, items, *errors = _python(code)
    assert (devices, items) == ("2", "5")
    assert all(float(e) <= 1e-14 for e in errors), errors


def test_device_map_on_one_device_is_lax_map():
    from jaxhiggs.parallel import device_map

    xs = jnp.arange(4.0)
    if len(jax.devices()) == 1:
        np.testing.assert_array_equal(device_map(lambda x: x**2 + 1.0, xs), jax.lax.map(lambda x: x**2 + 1.0, xs))
    np.testing.assert_allclose(device_map(jnp.sin, xs), np.sin(np.arange(4.0)), rtol=1e-15)


@pytest.mark.parametrize("bad", [100000, "max+1"])
def test_too_many_devices_are_refused_naming_the_limit(bad):
    """100000 devices on 2 cores hung the next JAX operation; the limit is 8 per usable core, at least 16."""
    limit = jh.cpu.max_cpu_devices()
    assert limit == max(16, 8 * jh.cpu.usable_cores())
    n = limit + 1 if bad == "max+1" else bad
    with pytest.raises(InputError, match=rf"n = {n} is not allowed: an integer ≥ 1 and ≤ {limit} \(CPU devices, e\.g\. "
                                         rf"the number of cores, {jh.cpu.usable_cores()} here"):
        jh.use_cpu_cores(n)
