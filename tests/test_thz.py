"""Issue 12: THz time traces → t(ω) → thin-film σ(ω) (jaxhiggs.thz)."""

import numpy as np
import pytest

from jaxhiggs import thz
from jaxhiggs._validate import InputError

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


F3 = np.array([0.5, 1.0, 1.5])
T3 = np.array([0.5, 0.4 + 0.1j, 0.3 + 0.2j])
DT3 = np.full(3, 0.01 + 0.01j)


@pytest.mark.parametrize("call, message", [
    (lambda: thz.thin_film_transmission(F3, np.array([np.nan, 1e6, 1e6]), D, NS),
     r"sigma\[0\] \(at 0\.5 THz\) = nan is not allowed: a finite complex conductivity"),
    (lambda: thz.thin_film_transmission(F3, np.full((3, 1), 1e6), D, NS),
     r"sigma has shape \(3, 1\) but the frequencies have shape \(3,\): give one value per frequency or a single"),
    (lambda: thz.thin_film_transmission(F3, np.full(5, 1e6), D, NS), r"sigma has shape \(5,\)"),
    (lambda: thz.thin_film_transmission(F3, "1e6", D, NS), r"sigma = '1e6' is not allowed: give a number"),
    (lambda: thz.thin_film_conductivity(F3, T3[:2], D, NS),
     r"transmission has shape \(2,\) but the frequencies have shape \(3,\)"),
    (lambda: thz.thin_film_conductivity(F3, 0.5, D, NS), r"transmission has shape \(\) .*one value per frequency \("),
    (lambda: thz.conductivity_uncertainty(F3, T3, np.array([0.01, -0.01 - 0.01j, 0.01]), D, NS),
     r"transmission_uncertainty\[1\] \(at 1 THz\) = \(-0\.01-0\.01j\) is not allowed: .*both parts ≥ 0"),
    (lambda: thz.conductivity_uncertainty(F3, T3, np.array([np.nan, 0.01, 0.01]), D, NS),
     r"transmission_uncertainty\[0\] \(at 0\.5 THz\) = nan is not allowed"),
    (lambda: thz.conductivity_uncertainty(F3, T3, DT3[:1], D, NS), r"transmission_uncertainty has shape \(1,\)"),
    (lambda: thz.conductivity_uncertainty(F3, np.array([0, 0.5, 0.5]), DT3, D, NS),
     r"transmission\[0\] \(at 0\.5 THz\) = 0\.0 is not allowed: finite, non-zero"),
    (lambda: thz.conductivity_uncertainty(F3, np.array([0.5, np.inf, 0.5]), DT3, D, NS), r"transmission\[1\] .*= inf"),
])
def test_thin_film_values_are_checked(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_thin_film_valid_calls_unchanged():
    # the formulas by hand: a scalar σ is still broadcast, δt = 0 (noise-free data) gives δσ = 0
    z0d = 376.730313668 * D * 1e-9
    np.testing.assert_allclose(thz.thin_film_transmission(F3, 1e6, D, NS), (1 + NS) / (1 + NS + z0d * 1e6), rtol=1e-9)
    np.testing.assert_allclose(thz.conductivity_uncertainty(F3, T3, DT3, D, NS),
                               (1 + NS) / (z0d * np.abs(T3) ** 2) * 0.01 * (1 + 1j), rtol=1e-9)
    assert np.all(np.asarray(thz.conductivity_uncertainty(F3, T3, np.zeros(3), D, NS)) == 0)


TIMES = np.arange(0.0, 20.0, 0.1)
PULSE = thz.single_cycle_pulse(TIMES)


@pytest.mark.parametrize("call, message", [
    (lambda: thz.single_cycle_pulse(TIMES, center=np.nan), r"center = nan ps is not allowed: a finite pulse centre"),
    (lambda: thz.single_cycle_pulse(TIMES, amplitude=np.nan), r"amplitude = nan is not allowed: a finite peak field"),
    (lambda: thz.single_cycle_pulse(np.array([0.0, np.nan, 2.0])), r"times\[1\] = nan ps is not allowed: finite"),
    (lambda: thz.single_cycle_pulse(np.array([0.0, 2.0, 1.0])), r"times\[2\] = 1\.0 ps is not allowed: strictly incr"),
    (lambda: thz.apply_transmission(TIMES, PULSE, lambda nu: 0.5 + 0 * nu, max_frequency=-1.0),
     r"max_frequency = -1\.0 THz is not allowed: None or a finite frequency ≥ 0\.05 THz"),
    (lambda: thz.apply_transmission(TIMES, PULSE, lambda nu: 0.5 + 0 * nu, max_frequency=np.nan),
     r"max_frequency = nan THz is not allowed"),
    (lambda: thz.apply_transmission(TIMES, PULSE, lambda nu: np.nan * nu),
     r"transmission\(ν\)\[0\] \(at 0\.05 THz\) = nan is not allowed: the function must return finite"),
    (lambda: thz.apply_transmission(TIMES, PULSE, lambda nu: np.ones(3)),
     r"transmission\(ν\) has shape \(3,\) but the frequencies have shape \(100,\)"),
    (lambda: thz.apply_transmission(TIMES, PULSE, lambda nu: "0.5"), r"transmission\(ν\) = '0\.5' is not allowed"),
    (lambda: thz.add_noise(np.array([np.nan, 1.0]), 0.1, 0), r"field\[0\] = nan is not allowed: finite field values"),
    (lambda: thz.add_noise(PULSE, 0.1, 1.5), r"seed = 1\.5 is not allowed: an integer ≥ 0"),
    (lambda: thz.add_noise(PULSE, 0.1, 0, n_scans=-2), r"n_scans = -2 is not allowed: an integer ≥ 1"),
    (lambda: thz.add_noise(PULSE, 0.1, 0, n_scans=True), r"n_scans = True is not allowed: an integer ≥ 1"),
    (lambda: thz.add_noise(PULSE, 0.1, 0, n_scans=0), r"n_scans = 0 is not allowed: an integer ≥ 1"),
    (lambda: thz.transmission(TIMES, PULSE, TIMES, PULSE, frequency_range=2.5),
     r"frequency_range = 2\.5 THz is not allowed: None or a \(low, high\) pair of numbers in THz with 0 ≤ low < high"),
    (lambda: thz.transmission(TIMES, PULSE, TIMES, PULSE, frequency_range=(0.2, "2.5")),
     r"frequency_range = \(0\.2, '2\.5'\) THz is not allowed"),
    (lambda: thz.transmission(TIMES, PULSE, TIMES, PULSE, frequency_range=(-1.0, 2.5)),
     r"frequency_range = \(-1\.0, 2\.5\) THz is not allowed"),
    (lambda: thz.transmission(TIMES, PULSE, TIMES, PULSE, frequency_range=(2.5, 0.2)),
     r"frequency_range = \(2\.5, 0\.2\) THz"),
    (lambda: thz.transmission_noise(TIMES, PULSE, TIMES, PULSE, noise=[1e-3, 1e-3, 1e-3]),
     r"noise has shape \(3,\): give None, 'auto', one rms noise per sample > 0, or a \(sample, reference\) pair"),
    (lambda: thz.noise_level(TIMES, PULSE, before="5"), r"before = '5' ps is not allowed: give a number"),
])
def test_synthetic_traces_and_spectra_inputs_are_checked(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_synthetic_traces_valid_calls_unchanged():
    x = (TIMES - 10.0) / 0.25
    np.testing.assert_allclose(PULSE, -x * np.exp(0.5 - 0.5 * x**2), rtol=0, atol=1e-15)
    np.testing.assert_allclose(thz.add_noise(PULSE, 0.1, 3, n_scans=2),
                               PULSE + 0.1 * np.random.default_rng(3).standard_normal((2, TIMES.size)))
    half = thz.apply_transmission(TIMES, PULSE, lambda nu: 0.5 + 0 * nu, max_frequency=5.0)
    np.testing.assert_allclose(half, 0.5 * PULSE, atol=1e-12)
    nu, t = thz.transmission(TIMES, half, TIMES, PULSE, frequency_range=(None, 2.0))
    assert nu[0] > 0 and nu[-1] <= 2.0 and np.allclose(t, 0.5)
    _, _, dt = thz.transmission_uncertainty(TIMES, half, TIMES, PULSE, noise=(1e-3, 2e-3), frequency_range=[0.2, 2.0])
    assert np.all(np.isfinite(dt)) and np.all(dt.real > 0)
    assert thz.noise_level(TIMES, PULSE, before=2) == pytest.approx(thz.noise_level(TIMES, PULSE, before=2.0))


def test_window_weights_refuses_a_length_that_is_not_a_positive_integer():
    """A negative or fractional length gave SciPy's own error (audit): named here."""
    from jaxhiggs.thz.traces import window_weights

    for n in (-3, 0, 2.5, True):
        with pytest.raises(ValueError, match=r"n = .* is not allowed: an integer ≥ 1 \(the number of samples"):
            window_weights(n)
    np.testing.assert_allclose(window_weights(5, "hann"), [0.0, 0.5, 1.0, 0.5, 0.0], atol=1e-15)
