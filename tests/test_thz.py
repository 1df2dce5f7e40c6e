"""Issue 12: THz time traces → t(ω) → thin-film σ(ω) (jaxhiggs.thz)."""

import numpy as np
import pytest

from jaxhiggs import thz

F = np.linspace(0.1, 3.0, 60)
D, NS = 15.0, 3.1  # nm, MgO-like index


def _drude(nu, sigma_n=5e5, gamma_thz=2.0):
    return sigma_n / (1 - 1j * nu / gamma_thz)


def _superconductor_like(nu):
    # σ₁ small, σ₂ ∝ 1/ω large: the regime where |t| ≪ 1 and an inversion is most sensitive
    return 2e4 + 1j * 3e6 / nu


@pytest.mark.parametrize("sigma_fn", [_drude, _superconductor_like])
@pytest.mark.parametrize("mismatch", [0.0, 3.7, -12.0])
def test_forward_then_inverse_round_trips(sigma_fn, mismatch):
    sig = sigma_fn(F)
    n_s = NS + 0.01j
    t = thz.thin_film_transmission(F, sig, D, n_s, mismatch=mismatch)
    back = np.asarray(thz.thin_film_conductivity(F, t, D, n_s, mismatch=mismatch))
    rel = np.max(np.abs(back - sig) / np.abs(sig))
    print(f"round trip: max relative error {rel:.2e}")
    assert rel < 1e-10


def test_glover_tinkham_limits_and_sign_convention():
    # σ = 0 → t = 1; a mismatch ΔL delays the sample by (n_s − 1)ΔL/c: phase +ω·delay (e^{−iωt} convention)
    t0 = np.asarray(thz.thin_film_transmission(F, np.zeros_like(F), D, NS, mismatch=10.0))
    delay_ps = (NS - 1) * 10e-6 / 299792458.0 * 1e12
    np.testing.assert_allclose(np.abs(t0), 1.0, rtol=1e-14)
    np.testing.assert_allclose(np.unwrap(np.angle(t0)), 2 * np.pi * F * delay_ps, rtol=1e-12)
    # real sheet conductance σd = 1/Z0: t = (1+n)/(2+n)
    t1 = np.asarray(thz.thin_film_transmission(F, np.full(F.shape, 1 / (376.730313 * D * 1e-9)), D, NS))
    np.testing.assert_allclose(t1, (1 + NS) / (2 + NS), rtol=1e-8)
    # inductive σ₂ > 0 gives a phase lead arg t < 0 ... in this convention arg t = −arg(1 + n + Z0σd) < 0
    assert np.all(np.angle(np.asarray(thz.thin_film_transmission(F, 1j * 1e6 / F, D, NS))) < 0)


def test_traces_to_transmission_recover_the_model_and_a_delay():
    times = np.arange(0.0, 40.0, 0.025)
    ref = thz.single_cycle_pulse(times, center=10.0)
    model = lambda nu: np.asarray(thz.thin_film_transmission(nu, _drude(nu), D, NS, mismatch=5.0))
    sample = thz.apply_transmission(times, ref, model)
    nu, t = thz.transmission(times, sample, times, ref, frequency_range=(0.1, 3.0))
    err = np.max(np.abs(t - model(nu)))
    print(f"traces → t: max |Δt| = {err:.2e}")
    assert err < 1e-9
    # a pure 1 ps delay of the sample: t = e^{+iω·1ps}
    nu, t = thz.transmission(times, thz.single_cycle_pulse(times, center=11.0), times, ref, window=None,
                             frequency_range=(0.1, 2.0))
    np.testing.assert_allclose(t, np.exp(2j * np.pi * nu * 1.0), atol=1e-9)
    # σ from the traces, mismatch recovered: the inversion with the right ΔL returns the Drude σ
    sigma = np.asarray(thz.thin_film_conductivity(nu, model(nu), D, NS, mismatch=5.0))
    np.testing.assert_allclose(sigma, _drude(nu), rtol=1e-10)


def test_noise_model_errors_are_calibrated():
    """Pulls (t − t_true)/δt over 100 noise draws have unit spread (1 % field noise)."""
    times = np.arange(0.0, 40.0, 0.025)
    ref = thz.single_cycle_pulse(times)
    model = lambda nu: np.asarray(thz.thin_film_transmission(nu, _drude(nu), D, NS))
    sample = thz.apply_transmission(times, ref, model)
    pulls = []
    for seed in range(100):
        s = thz.add_noise(sample, 0.01, seed)
        r = thz.add_noise(ref, 0.01, 10_000 + seed)
        nu, t, dt = thz.transmission_uncertainty(times, s, times, r, noise=0.01, frequency_range=(0.2, 2.0))
        pulls.append(np.concatenate([(t - model(nu)).real / dt.real, (t - model(nu)).imag / dt.imag]))
    spread = float(np.std(pulls))
    # the same from 8 scans (scatter between scans), and the noise level estimated from the pre-pulse part
    s8, r8 = thz.add_noise(sample, 0.01, 1, n_scans=8), thz.add_noise(ref, 0.01, 2, n_scans=8)
    nu, t8, dt8 = thz.transmission_uncertainty(times, s8, times, r8, frequency_range=(0.2, 2.0))
    _, _, dta = thz.transmission_uncertainty(times, s8, times, r8, noise="auto", frequency_range=(0.2, 2.0))
    ratio = float(np.median(dt8.real / dta.real))
    print(f"pull spread {spread:.3f}; scans/noise-model error ratio {ratio:.3f}")
    assert abs(spread - 1.0) < 0.05
    assert abs(ratio - 1.0) < 0.15
    sig, dsig = thz.thin_film_conductivity(nu, t8, D, NS), thz.conductivity_uncertainty(nu, t8, dt8, D, NS)
    assert np.all(np.asarray(dsig).real > 0) and np.asarray(sig).shape == nu.shape


def _grid(n=64, dt=0.05):
    return np.arange(n) * dt


@pytest.mark.parametrize("case, words", [
    ("unequal-grids", ["sample_times[0]", "same time grid"]),
    ("nan", ["sample_field[20]", "nan", "finite"]),
    ("non-uniform", ["reference_times[31]", "uniform sampling"]),
    ("lengths", ["64 points", "60", "same length"]),
    ("field-length", ["reference_field", "63 samples"]),
    ("decreasing", ["sample_times[10]", "strictly increasing"]),
    ("short", ["at least 16 points"]),
])
def test_malformed_traces_give_clear_errors(case, words):
    t = _grid()
    e = thz.single_cycle_pulse(t, center=1.5)
    st, sf, rt, rf = t, e.copy(), t.copy(), e.copy()
    if case == "unequal-grids":
        st = t + 0.01
    elif case == "nan":
        sf[20] = np.nan
    elif case == "non-uniform":
        rt = t.copy()
        rt[31:] += 0.01
    elif case == "lengths":
        rt, rf = t[:60], e[:60]
    elif case == "field-length":
        rf = e[:63]
    elif case == "decreasing":
        st = t.copy()
        st[10] = st[9]
    elif case == "short":
        st, sf, rt, rf = t[:8], e[:8], t[:8], e[:8]
    with pytest.raises(ValueError) as info:
        thz.transmission(st, sf, rt, rf)
    for w in words:
        assert w in str(info.value), str(info.value)


def test_bad_film_parameters_and_trace_files(tmp_path):
    with pytest.raises(ValueError, match="thickness = -5.0 nm is not allowed"):
        thz.thin_film_transmission(F, _drude(F), -5.0, NS)
    with pytest.raises(ValueError, match="substrate_index"):
        thz.thin_film_conductivity(F, np.ones_like(F), D, 0.5)
    p = tmp_path / "trace.txt"
    t = _grid()
    p.write_text("# time [ps], field\n" + "\n".join(f"{a:.4f}, {b:.6f}" for a, b in zip(t, np.sin(t))))
    times, field = thz.read_trace(p)
    np.testing.assert_allclose(times, t, atol=1e-12)
    p.write_text("# time [ps], field\n0.0, 1\n0.05, x\n")
    with pytest.raises(ValueError, match="line 3"):
        thz.read_trace(p)
