"""The sharded sweep on 4 forced CPU devices equals the single-device sweep (separate process:
XLA_FLAGS must be set before JAX starts)."""

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import json, sys
import jax, numpy as np
import jaxhiggs as jh
assert len(jax.devices()) == 4, jax.devices()
mat = jh.materials.two_band((7.0, 3.0), 0.02, 50.0, signs=(1.0, -1.0), masses=(0.85, 1.38),
                            fermi_energies=(2900.0, 700.0))
model = jh.models.CleanPseudospin(mat, 64)
drive = jh.GaussianPulse(10.0, 1.9, 0.2, 1.0) + jh.GaussianPulse(3.0, 1.9, 0.2, 2.0)  # pump + probe
times = np.linspace(0.0, 3.0, 61)
grid = {"frequency": [1.5, 2.0, 2.5], "delay": [0.5, 1.0], "fluence": [0.5, 2.0]}
kw = dict(chunk_size=5, progress=False, dt=0.005)
four = jh.sweep(model, drive, times, grid, devices=4, **kw)
one = jh.sweep(model, drive, times, grid, devices=1, **kw)
# one point against simulate (frequency 2.5 THz, delay 1.0 ps, fluence 2.0)
pump = jh.GaussianPulse(10.0 * np.sqrt(2.0), 2.5, 0.2, 1.0) + jh.GaussianPulse(3.0, 1.9, 0.2, 2.0)
ref = jh.simulate(model, pump, times, dt=0.005)
print(json.dumps({
    "max_diff": float(np.max(np.abs(four.gap.values - one.gap.values))),
    "spread": float(np.ptp(np.abs(one.gap.values[..., -1, 1]))),
    "computed": bool(four.computed.all()),
    "vs_simulate": float(np.max(np.abs(np.asarray(ref.gap) - one.gap.values[2, 1, 1]))),
    "sharding": str(jax.devices()),
}))
"""


import pytest  # noqa: E402


@pytest.mark.slow  # a separate JAX process (~40 s on 2 cores): CI runs it as its own job (.ci/run)
@pytest.mark.sharded
def test_sharded_sweep_on_four_cpu_devices_equals_single_device():
    env = dict(os.environ)
    env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=4").strip()
    env["JAX_PLATFORMS"] = "cpu"
    root = Path(__file__).resolve().parents[1]
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["computed"]
    assert out["spread"] > 1e-4  # the grid really changes the result
    assert out["max_diff"] < 1e-12, out
    assert out["vs_simulate"] < 1e-12, out
