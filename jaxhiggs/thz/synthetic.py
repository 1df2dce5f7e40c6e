"""Synthetic THz time traces from a model transmission: reference pulse, propagation, detector noise.

Used to build the labelled synthetic data sets of ``fitting/data`` and the recovery tests.  The sample
trace is the reference trace filtered by t(ω) on the trace's own DFT grid (a circular convolution: keep the
pulse far enough from the trace ends that the sample's response has decayed before wrapping round).
Physics sign convention e^{−iωt} (see :mod:`jaxhiggs.thz.traces`).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from jaxtyping import Float

from .._validate import InputError, check, check_int, fail, show
from .traces import _array, check_field, check_per_frequency, check_times

__all__ = ["apply_transmission", "add_noise", "single_cycle_pulse"]


def single_cycle_pulse(times: Float[np.ndarray, " n"], center: float = 10.0, width: float = 0.25,
                       amplitude: float = 1.0) -> Float[np.ndarray, " n"]:
    """A single-cycle THz field E(t) ∝ −(t − t₀)/τ · exp(½ − (t − t₀)²/(2τ²)) (peak ``amplitude`` at t₀ − τ).

    ``center`` t₀ and ``width`` τ in ps; the spectrum peaks at ν = 1/(2πτ) (0.64 THz for τ = 0.25 ps) and has
    no DC component.  ``times``: finite, strictly increasing, 1-D (ps); ``center``, ``width`` and ``amplitude``
    single finite numbers.
    """
    t = _array("times", times)
    if t.ndim != 1 or t.size == 0:
        raise InputError(f"times has shape {t.shape}: give a 1-D time grid in ps")
    bad = np.flatnonzero(~np.isfinite(t))
    if bad.size:
        raise fail(f"times[{int(bad[0])}]", t[bad[0]], "finite times in ps (no NaN/inf)", unit="ps")
    if np.any(np.diff(t) <= 0):
        k = int(np.flatnonzero(np.diff(t) <= 0)[0]) + 1
        raise fail(f"times[{k}]", t[k], f"strictly increasing times: it follows times[{k - 1}] = {show(t[k - 1])} ps",
                   unit="ps")
    check(lambda c: True, "center", center, "a finite pulse centre t₀ in ps", unit="ps", scalar=True)
    check(lambda w: w > 0, "width", width, "a pulse width > 0 ps", unit="ps", scalar=True)
    check(lambda a: True, "amplitude", amplitude, "a finite peak field (field units)", scalar=True)
    x = (t - center) / width
    return -amplitude * x * np.exp(0.5 - 0.5 * x**2)


def apply_transmission(times, reference_field, transmission: Callable, max_frequency: float | None = None
                       ) -> Float[np.ndarray, " n"]:
    """Sample trace E_s = F⁻¹[t(ω) F[E_r]] for a model ``transmission(ν_THz) → complex t`` (ν > 0).

    t is evaluated at the positive DFT frequencies up to ``max_frequency`` (THz; default: all) and set to 0
    above it (the reference must carry no power there); t(0) is taken real (a real field has a real DC
    response).  With E(ω) = Δt e^{iωt₀} conj(FFT(E)) (the physics convention) the product t·E_r(ω) is
    conj(t)·FFT(E_r) in NumPy's convention.

    ``max_frequency`` must reach the first positive DFT frequency 1/(N Δt).  ``transmission`` receives the 1-D
    array of those frequencies and must return one finite (complex) value per frequency, the same shape (for a
    constant write e.g. ``lambda nu: 0.5 + 0 * nu``).
    """
    t = check_times("times", times)
    e = check_field("reference_field", reference_field, t.size)
    if not callable(transmission):
        raise fail("transmission", transmission, "a function ν (THz, 1-D array) → complex t, one value per frequency")
    dt = (t[-1] - t[0]) / (t.size - 1)
    freq = np.fft.rfftfreq(t.size, dt)
    if max_frequency is not None:
        check(lambda f: f >= freq[1], "max_frequency", max_frequency,
              f"None or a finite frequency ≥ {freq[1]:.6g} THz (the first positive frequency of this trace's DFT "
              "grid, 1/(N Δt))", unit="THz", scalar=True)
    top = freq[-1] if max_frequency is None else max_frequency
    use = (freq > 0) & (freq <= top)
    tr = np.zeros(freq.shape, complex)
    values = transmission(freq[use])
    check_per_frequency("transmission(ν)", values, freq[use], "the function must return finite (complex) values "
                        "of the shape of its input")
    tr[use] = np.asarray(values)
    first = int(np.flatnonzero(use)[0])
    tr[0] = tr[first].real
    return np.fft.irfft(np.conj(tr) * np.fft.rfft(e, axis=-1), n=t.size, axis=-1)


def add_noise(field, rms: float, seed: int, n_scans: int | None = None) -> np.ndarray:
    """``field`` plus white Gaussian noise of ``rms`` per sample (NumPy generator ``seed``); with ``n_scans``
    returns that many independent noisy scans (rows).

    ``field``: finite values, one scan (n,) or several (scans × n); ``rms`` one number ≥ 0; ``seed`` an
    integer ≥ 0; ``n_scans`` None or an integer ≥ 1.
    """
    field = _array("field", field)
    field = check_field("field", field, field.shape[-1] if field.ndim else 1)
    check(lambda r: r >= 0, "rms", rms, "a noise rms ≥ 0 (field units)", scalar=True)
    seed = check_int("seed", seed, 0, what="the NumPy random generator seed")
    if n_scans is not None:
        n_scans = check_int("n_scans", n_scans, 1, what="number of noisy scans, or None for one")
    rng = np.random.default_rng(seed)
    shape = field.shape if n_scans is None else (n_scans,) + field.shape
    return field + rms * rng.standard_normal(shape)

