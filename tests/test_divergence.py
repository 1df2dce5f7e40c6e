"""Issue 9: a diverging solve stops early (far below max_steps) and says which model, when (ps), the last
good values and the likely cause; sweeps record the same reason per failed point and go on."""

import time

import jax.numpy as jnp
import numpy as np
import pytest

import jaxhiggs as jh
from jaxhiggs import divergence
from jaxhiggs.material import Superconductor
from jaxhiggs.models.base import Model


class Blowup(Model):
    """dy/dt = γ y², y(0) = 1: finite-time blow-up at t* = ħ/γ (0.658 ps for γ = 1 meV); γ from the material."""

    material: Superconductor

    def __init__(self, material):
        self.material = material

    def initial_state(self):
        return jnp.ones(1)

    def arguments(self, drive):
        return {"rate": self.material.gammas[0]}

    def vector_field(self, t, y, args):
        return args["rate"] * y**2

    def observables(self, t, y, args):
        return {"gap": (self.material.gaps[0] * y).astype(complex)}

    def options(self):
        return {}


TIMES = np.linspace(0.0, 2.0, 41)  # ps


def test_adaptive_blowup_stops_early_and_names_model_and_time():
    model = Blowup(jh.materials.single_band(1.3, 20.0, gamma=1.0))
    start = time.perf_counter()
    with pytest.raises(RuntimeError) as info:
        jh.simulate(model, jh.NoDrive(), TIMES)
    wall = time.perf_counter() - start
    message = str(info.value)
    # t* = ħ/γ = 0.6582 ps lies between the saved times 0.65 and 0.70 ps
    assert message.startswith("Blowup: the solve diverged"), message
    assert "at t ≈ 0.7 ps (between the saved times 0.65 and 0.7 ps)" in message, message
    assert "last good values at t = 0.65 ps: |Δ| = 104.2 meV" in message, message  # 1.3 / (1 − 0.65/0.6582) meV
    assert "Likely cause" in message
    steps = int(message.split("after ")[1].split(" steps")[0])
    assert steps < 5000, steps  # max_steps is 2,000,000
    assert wall < 30, wall


def test_fixed_step_too_large_diverges_early_with_cause():
    model = jh.models.CleanPseudospin(jh.materials.nbn(), 16)
    with pytest.raises(RuntimeError) as info:
        jh.simulate(model, jh.GaussianPulse(5.0, 1.0, 0.2, 1.0), np.linspace(0.0, 3.0, 61), dt=0.2)
    message = str(info.value)
    assert message.startswith("CleanPseudospin: the solve diverged"), message
    assert " ps (between the saved times " in message and "dt = 0.2 ps is too large" in message, message
    steps = int(message.split("after ")[1].split(" steps")[0])
    assert steps < 15, steps  # 3 ps / 0.2 ps = 15 fixed steps would be the whole window


def test_sweep_records_divergence_per_point_and_continues():
    model = Blowup(jh.materials.single_band(1.3, 20.0))
    ds = jh.sweep(model, jh.NoDrive(), TIMES, {"gamma": [0.0, 1.0, 0.25]}, progress=False)
    assert ds.failed.values.tolist() == [False, True, False]
    reason = str(ds.reason.values[1])
    assert reason.startswith("Blowup: the solve diverged") and "at t ≈ 0.7 ps" in reason, reason
    assert ds.reason.values[0] == "" and ds.reason.values[2] == ""
    np.testing.assert_allclose(np.abs(ds.gap.values[0, :, 0]), 1.3, rtol=1e-12)
    # γ = 0.25 meV: t* = 2.63 ps lies beyond the window; y(2 ps) = 1/(1 − 0.25·2/0.6582)
    np.testing.assert_allclose(np.abs(ds.gap.values[2, -1, 0]), 1.3 / (1 - 0.25 * 2.0 / 0.6582119569), rtol=1e-6)
    assert int(ds.num_steps.values[1]) < 5000


@pytest.mark.slow  # compiles the Mattis–Bardeen model (~10 s on 2 cores)
def test_mattis_bardeen_outside_perturbative_range_warns():
    model = jh.models.MattisBardeen(jh.materials.nbn(gamma=1.0), 40, check_grid=False)
    with pytest.warns(UserWarning, match=r"MattisBardeen: \|δΔ\|/Δ reaches .* outside the perturbative range.*"
                                         r"this drive reaches e·v_F·\|A\|/√3 = [\d.e+-]+ meV against Δ = 1\.3 meV"):
        jh.simulate(model, jh.GaussianPulse(3000.0, 0.5, 0.3, 2.0), np.linspace(0.0, 4.0, 81))


@pytest.mark.parametrize("drive, says", [
    (jh.Quench(final_gap=1.2), "the quench may lie outside the model's validity"),
    (jh.NoDrive(), "the drive has no field"),
    (jh.CouplingPulse(0.05, 0.3, 1.0), "the coupling change may be too large"),
])
def test_report_without_a_field_does_not_blame_the_field(drive, says):
    """Audit: a diverging quench-only solve was said to be 'too strong … |A|² shifts … lower the field'."""
    model = type("DisorderedPseudospin", (), {})()  # the report reads only the model's class name here
    obs = {"gap": np.array([[1.0 + 0j], [np.nan]])}
    text = divergence.report(model, divergence.DIVERGED, np.array([0.0, 1.0]), obs, 7, 100, -1.0, -1.0, None, drive)
    assert text.startswith("DisorderedPseudospin: the solve diverged") and says in text, text
    assert "field far beyond" not in text and "lower the field" not in text and "|A|²" not in text, text
    pulse = jh.GaussianPulse(5.0, 1.0, 0.2, 1.0)
    with_field = divergence.report(model, divergence.DIVERGED, np.array([0.0, 1.0]), obs, 7, 100, 1e-9, 1e-12, None,
                                   pulse)
    assert "lower the field" in with_field, with_field


def test_sweep_records_a_max_steps_failure_at_the_models_default_tolerances():
    """CLI audit: a point that ran out of max_steps in a sweep without rtol/atol (the model's defaults) crashed the
    whole sweep with a TypeError while formatting the report (rtol = None).  Now it is recorded like any failure,
    naming the tolerances that were used."""
    model = Blowup(jh.materials.single_band(1.3, 20.0))
    ds = jh.sweep(model, jh.NoDrive(), TIMES, {"gamma": [0.0, 1.0]}, max_steps=3, progress=False)
    assert ds.failed.values.tolist() == [True, True]
    reason = str(ds.reason.values[1])
    rtol, atol = model.default_tolerances()
    assert "stopped after max_steps = 3 steps" in reason and f"(now {rtol:g}/{atol:g})" in reason, reason
