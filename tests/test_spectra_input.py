"""Bad inputs to jaxhiggs.spectra are refused before any transform compiles, naming the parameter and value.

One test per defect of the input audit (delays of the moving window, harmonic_amplitude, fourier_transform,
conductivity, frequency_resolution), and one that valid calls give the numbers they gave before the checks.
"""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxhiggs import spectra

T = np.linspace(0.0, 20.0, 401)  # ps, Δt = 0.05 ps: Nyquist 10 THz
DT = T[1] - T[0]
DELAYS = np.arange(5) * 10 * DT  # 0, 0.5, …, 2 ps
ROWS = np.ones((5, T.size))
SIGNAL = np.cos(2 * np.pi * 1.0 * T) ** 3  # lines at 1 and 3 THz


def pulse(center, width=0.3, sigma0=5e6):
    """A(t) (V·s/m) and the current j = σ₀E = −σ₀ dA/dt (t in ps) of a medium with real σ = σ₀ (S/m)."""
    a = 1e-9 * np.exp(-((T - center) ** 2) / (2 * width**2))
    return a, sigma0 * 1e12 * (T - center) / width**2 * a


@pytest.fixture
def no_transform(monkeypatch):
    """The refusals come before the (jitted) transform is reached."""
    def reached(*args, **kwargs):
        raise AssertionError("the transform ran before the input was refused")

    monkeypatch.setattr(spectra, "_padded_transform", reached)


def refused(call, pattern):
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    assert re.search(pattern, message), message
    assert "is not allowed" in message and "np.float" not in message, message


@pytest.mark.parametrize("delays, rows, pattern", [
    (DELAYS[::-1], ROWS, r"delays\[1\] = 1\.5 ps is not allowed: strictly increasing"),
    ([0.0, 0.5, np.nan, 1.5, 2.0], ROWS, r"delays\[2\] = nan ps is not allowed: finite"),
    (DELAYS[:3], ROWS, r"len\(delays\) = 3 is not allowed: one delay per row of delta_current \(shape \(5, 401\)\)"),
    (DELAYS + [0, 0.01, 0, 0, 0], ROWS, r"delays\[1\] = 0\.51 ps is not allowed: .*multiple of the time step 0\.05 ps"),
    (np.arange(5) * 99 * DT, ROWS, r"delays\[-1\] − delays\[0\] = 19\.8\d* ps is not allowed: ≤ 19\.25 ps"),
    (DELAYS, ROWS[:, :300], r"delta_current\.shape = \(5, 300\) is not allowed: .* = \(5, 401\)"),
], ids=["descending", "nan", "count", "off-grid", "window-too-short", "row-length"])
def test_moving_window_refuses_bad_delays(no_transform, delays, rows, pattern):
    refused(lambda: spectra.moving_window_conductivity(T, delays, rows, ROWS), pattern)
    # pump_probe checks its delays before any solve (the model, pump and probe are not even looked at)
    if rows is ROWS and len(delays) == 5:
        refused(lambda: spectra.pump_probe(None, None, None, delays, T), pattern)


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(tolerance=-1), r"tolerance = -1 is not allowed: a fraction in \(0, 1\)"),
    (dict(tolerance=1e-4), r"tolerance = 0\.0001 is not allowed: ≥ 0\.00499 .*no sample of the frequency grid"),
    (dict(frequency=0.0), r"frequency = 0\.0 THz is not allowed: a finite frequency in \(0, 3\.333\) THz"),
    (dict(frequency=np.nan), r"frequency = nan THz is not allowed"),
    (dict(frequency=100.0), r"frequency = 100\.0 THz is not allowed: .*Nyquist frequency 1/\(2Δt\) = 10 THz"),
    (dict(harmonic=-3), r"harmonic = -3 is not allowed: an integer ≥ 1"),
    (dict(harmonic=3.0), r"harmonic = 3\.0 is not allowed: an integer ≥ 1"),
], ids=["tolerance-negative", "tolerance-empty-band", "frequency-zero", "frequency-nan", "above-nyquist",
        "harmonic-negative", "harmonic-float"])
def test_harmonic_amplitude_refuses_bad_arguments(no_transform, kwargs, pattern):
    args = dict(frequency=1.0) | kwargs
    refused(lambda: spectra.harmonic_amplitude(T, SIGNAL, **args), pattern)


@pytest.mark.parametrize("signal, pad_factor, pattern", [
    (np.where(T == T[20], np.nan, SIGNAL), 4, r"signal \(flat index 20\) = nan is not allowed: finite"),
    (SIGNAL[:300], 4, r"signal has shape \(300,\) is not allowed: .*times \(401 samples\)"),
    (SIGNAL, 2.7, r"pad_factor = 2\.7 is not allowed: an integer ≥ 1"),
    (SIGNAL, 0, r"pad_factor = 0 is not allowed: an integer ≥ 1"),
], ids=["nan", "length", "pad-float", "pad-zero"])
def test_fourier_transform_refuses_bad_signal_and_padding(no_transform, signal, pad_factor, pattern):
    refused(lambda: spectra.fourier_transform(T, signal, pad_factor=pad_factor), pattern)


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(sigma0=0.0), r"sigma0 = 0\.0 S/m is not allowed: a finite normalisation σ₀ > 0 S/m"),
    (dict(sigma0=-5.0), r"sigma0 = -5\.0 S/m is not allowed"),
    (dict(sigma0=1.0, resolution=np.nan), r"resolution = nan THz is not allowed: a finite frequency resolution > 0"),
    (dict(sigma0=1.0, resolution=-1), r"resolution = -1 THz is not allowed: a finite frequency resolution > 0"),
    (dict(sigma0=1.0, resolution=0.01), r"resolution = 0\.01 THz is not allowed: ≥ 0\.05 THz"),
    (dict(unit="mS"), r"unit = 'mS' is not allowed: 'drude', 'S/cm' or 'S/m'"),
], ids=["sigma0-zero", "sigma0-negative", "resolution-nan", "resolution-negative", "resolution-too-fine", "unit"])
def test_conductivity_refuses_bad_normalisation_resolution_and_unit(no_transform, kwargs, pattern):
    a, j = pulse(5.0)
    refused(lambda: spectra.conductivity(None, times=T, current=j, vector_potential=a, **kwargs), pattern)


def test_frequency_resolution_refuses_decreasing_times():
    refused(lambda: spectra.frequency_resolution(T[::-1]),
            r"times\[1\] = 19\.95\d* ps is not allowed: strictly increasing")


def test_valid_calls_give_the_numbers_they_gave_before():
    """Values computed with the package before the checks were added (same inputs)."""
    close = dict(rtol=1e-9, atol=1e-9)
    a, j = pulse(5.0)
    f, s = spectra.conductivity(None, sigma0=5e6, times=T, current=j, vector_potential=a, resolution=0.1)
    assert f.shape == (802,)
    np.testing.assert_allclose(np.asarray(f)[[3, 10, 40]], [0.04987531172069825, 0.13715710723192018,
                                                            0.511221945137157], **close)
    np.testing.assert_allclose(np.asarray(s)[[3, 10, 40]], [1.0, 1.0, 1.0], **close)  # σ/σ₀ = 1 by construction

    pulses = [pulse(3.0 + d) for d in DELAYS]
    f, s = spectra.moving_window_conductivity(T, DELAYS, np.stack([p[1] for p in pulses]),
                                              np.stack([p[0] for p in pulses]))
    assert f.shape == (722,) and s.shape == (5, 722)
    np.testing.assert_allclose(np.asarray(f)[[3, 10, 40]], [0.055401662049861494, 0.1523545706371191,
                                                            0.5678670360110804], **close)
    np.testing.assert_allclose(np.asarray(s)[[0, 4], 10] / 5e6, [1.0, 1.0], **close)

    assert float(spectra.harmonic_amplitude(T, SIGNAL, 1.0)) == pytest.approx(1.2419926276349371, rel=1e-9)
    assert float(spectra.harmonic_amplitude(T, SIGNAL, 1.0, harmonic=1, tolerance=0.3)) == pytest.approx(
        3.7439896492103832, rel=1e-9)
    f, ft = spectra.fourier_transform(T, SIGNAL)
    assert f.shape == (803,)
    np.testing.assert_allclose(np.asarray(ft)[[40, 80, 240]], [-9.069637573036165e-05 + 7.120086038806586e-06j,
                                                               3.698124066092049 - 0.5842404343977723j,
                                                               1.0984349005258016 - 0.5580555507146627j],
                               rtol=1e-9, atol=1e-12)
    assert spectra.frequency_resolution(T) == pytest.approx(0.05, rel=1e-12)
    # traced signals (grad, vmap) skip the value checks and give the same numbers
    g = jax.grad(lambda x: jnp.abs(spectra.fourier_transform(T, x * SIGNAL)[1][80]))(1.0)
    assert float(g) == pytest.approx(abs(3.698124066092049 - 0.5842404343977723j), rel=1e-9)
    v = jax.vmap(lambda x: spectra.harmonic_amplitude(T, x * SIGNAL, 1.0))(jnp.array([1.0, 2.0]))
    np.testing.assert_allclose(np.asarray(v), [1.2419926276349371, 2 * 1.2419926276349371], rtol=1e-9)


def test_uneven_delays_on_the_grid_give_the_windows_of_the_even_scan():
    """Increasing delays need not be evenly spaced (each window is its own shift of one fixed length): σ at delays
    0, 0.5, 1.5, 2 ps equals the rows of the even scan 0 … 2 ps at those delays."""
    rng = np.random.default_rng(4)
    j, a = rng.normal(size=(5, T.size)), rng.normal(size=(5, T.size))
    _, even = spectra.moving_window_conductivity(T, DELAYS, j, a)
    keep = [0, 1, 3, 4]
    _, uneven = spectra.moving_window_conductivity(T, DELAYS[keep], j[keep], a[keep])
    np.testing.assert_allclose(np.asarray(uneven), np.asarray(even)[keep], rtol=1e-12, atol=0)



def test_sigma_is_nan_where_the_field_transform_is_exactly_zero_and_a_missing_field_is_refused(monkeypatch):
    """σ = j/(iωA) is undefined where A(ν) = 0.  A 0.3 ps Gaussian sampled every 0.05 ps has exactly A(ν) = 0 at one
    frequency of the 4× padded grid with JAX 0.10's CPU FFT (8.07 THz; the plain quotient gave ±inf there; numpy's
    FFT gives 1e-28 instead): σ is NaN exactly where the package's transform of A is 0, every other sample is the
    plain quotient (σ = σ₀ by construction, checked at 1 THz), and derivatives elsewhere are finite.  A vector
    potential (or a moving-window row, or a probe drive) that is 0 throughout is refused, naming it, before any
    transform or solve."""
    import jaxhiggs as jh

    a, j = pulse(5.0)
    f, s = spectra.conductivity(None, unit="S/m", times=T, current=j, vector_potential=a)
    _, a_w = spectra.fourier_transform(T, a, window="none", subtract_mean=False, pad_factor=4)
    s, zero_field = np.asarray(s), np.asarray(a_w)[1:] == 0
    nan = np.isnan(s)
    assert not np.isinf(s).any() and np.all(np.isfinite(s[~nan])) and np.array_equal(nan, zero_field)
    i = int(np.argmin(np.abs(np.asarray(f) - 1.0)))
    assert s[i] == pytest.approx(5e6, rel=1e-9)
    two = spectra._over_field(jnp.asarray([1.0 + 0j, 1.0]), jnp.asarray([2.0 + 0j, 0j]), jnp.asarray([1.0, 2.0]))
    assert np.isnan(complex(two[1])) and complex(two[0]) == pytest.approx(1 / (2j * np.pi * 1e12 * 2.0), rel=1e-14)
    g = jax.grad(lambda c: jnp.real(spectra._over_field(jnp.asarray([1.0 + 0j, 1.0]), jnp.asarray([c + 0j, 0j]),
                                                         jnp.asarray([1.0, 2.0]))[0].imag))(2.0)
    assert np.isfinite(float(g)) and float(g) == pytest.approx(1 / (2 * np.pi * 1e12 * 4.0), rel=1e-12)

    no_transform.__wrapped__(monkeypatch)  # from here on nothing may reach the transform
    refused(lambda: spectra.conductivity(None, unit="S/m", times=T, current=j, vector_potential=0 * a),
            r"^vector_potential = 0 throughout is not allowed")
    rows = np.stack([a, 0 * a])
    refused(lambda: spectra.moving_window_conductivity(T, DELAYS[:2], np.stack([j, j]), rows),
            r"^delta_vector_potential\[1\] \(delay 0\.5 ps, in its window\) = 0 throughout is not allowed")
    far = lambda d: jh.GaussianPulse.from_vector_potential(1e-9, 1.0, 0.3, d + 1e4)  # 10 ns away: A = 0 exactly
    refused(lambda: spectra.pump_probe(None, None, far, DELAYS, T),
            r"^probe_at\(0\) = GaussianPulse with A\(t\) = 0 throughout the record is not allowed")
