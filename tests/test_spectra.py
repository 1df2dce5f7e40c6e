"""Spectral tools on signals with known answers."""

import numpy as np
import pytest

import jaxhiggs as jh


def test_fourier_transform_convention_and_normalisation():
    """f(t) = e^{-t²/2s²} cos(2πν0 t): FT at ν0 is s sqrt(2π)/2 (e^{+2πiνt} convention), real."""
    t = np.linspace(-20, 20, 4001)
    s, nu0 = 1.5, 2.0
    f = np.exp(-(t**2) / (2 * s**2)) * np.cos(2 * np.pi * nu0 * t)
    freq, spec = jh.spectra.fourier_transform(t, f, window="none", subtract_mean=False, pad_factor=8)
    k = np.argmin(np.abs(np.asarray(freq) - nu0))
    nu = float(np.asarray(freq)[k])
    expected = s * np.sqrt(2 * np.pi) / 2 * (np.exp(-2 * (np.pi * s * (nu - nu0)) ** 2)
                                             + np.exp(-2 * (np.pi * s * (nu + nu0)) ** 2))
    assert abs(float(np.asarray(freq)[k]) - nu0) < 1e-3
    assert complex(spec[k]).real == pytest.approx(expected, rel=1e-6)
    assert abs(complex(spec[k]).imag) < 1e-8
    # sign of the convention: a delayed pulse f(t − τ) picks up e^{+2πiντ}
    _, delayed = jh.spectra.fourier_transform(t, np.roll(f, 100), window="none", subtract_mean=False, pad_factor=8)
    tau = 100 * (t[1] - t[0])
    assert np.angle(complex(delayed[k]) / complex(spec[k])) == pytest.approx(
        np.angle(np.exp(2j * np.pi * float(np.asarray(freq)[k]) * tau)), abs=1e-6)


def test_dominant_frequency_beats_the_grid_resolution():
    t = np.linspace(0, 30, 3001)
    y = 0.3 + np.cos(2 * np.pi * 0.6137 * t + 0.3) / np.sqrt(1 + t) + 0.2 * np.cos(2 * np.pi * 1.7 * t) / (1 + t)
    assert jh.spectra.dominant_frequency(t, y) == pytest.approx(0.6137, rel=2e-3)
    assert jh.spectra.dominant_frequency(t, y, fmin=1.0) == pytest.approx(1.7, rel=5e-3)


def test_damped_cosine_fit_recovers_parameters():
    t = np.linspace(0.0, 60.0, 6001)
    truth = dict(offset=1.2, amplitude=0.05, frequency=0.58, phase=0.7, exponent=0.5)
    s = t - 0.0
    y = truth["offset"] + truth["amplitude"] * np.cos(2 * np.pi * truth["frequency"] * s + truth["phase"]) * np.power(
        np.maximum(s, 1e-9), -truth["exponent"])
    fit = jh.spectra.fit_damped_cosine(t, y, 5.0, 60.0)
    for key, value in truth.items():
        assert getattr(fit, key) == pytest.approx(value, rel=1e-6, abs=1e-8), key


def test_bad_windows_are_rejected():
    t = np.linspace(0.0, 10.0, 101)
    with pytest.raises(ValueError, match="fit window"):
        jh.spectra.fit_damped_cosine(t, np.cos(t), 8.0, 12.0)
    with pytest.raises(ValueError, match="uniform"):
        jh.spectra.fourier_transform(np.r_[0.0, 1.0, 3.0, 4.0, 5.0], np.ones(5))
