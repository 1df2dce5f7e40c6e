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

from .._validate import check
from .traces import check_field, check_times

__all__ = ["apply_transmission", "add_noise", "single_cycle_pulse"]


def single_cycle_pulse(times: Float[np.ndarray, " n"], center: float = 10.0, width: float = 0.25,
                       amplitude: float = 1.0) -> Float[np.ndarray, " n"]:
    """A single-cycle THz field E(t) ∝ −(t − t₀)/τ · exp(½ − (t − t₀)²/(2τ²)) (peak ``amplitude`` at t₀ − τ).

    ``center`` t₀ and ``width`` τ in ps; the spectrum peaks at ν = 1/(2πτ) (0.64 THz for τ = 0.25 ps) and has
    no DC component.
    """
    check(lambda w: w > 0, "width", width, "a pulse width > 0 ps", unit="ps")
    x = (np.asarray(times, float) - center) / width
    return -amplitude * x * np.exp(0.5 - 0.5 * x**2)


def apply_transmission(times, reference_field, transmission: Callable, max_frequency: float | None = None
                       ) -> Float[np.ndarray, " n"]:
    """Sample trace E_s = F⁻¹[t(ω) F[E_r]] for a model ``transmission(ν_THz) → complex t`` (ν > 0).

    t is evaluated at the positive DFT frequencies up to ``max_frequency`` (THz; default: all) and set to 0
    above it (the reference must carry no power there); t(0) is taken real (a real field has a real DC
    response).  With E(ω) = Δt e^{iωt₀} conj(FFT(E)) (the physics convention) the product t·E_r(ω) is
    conj(t)·FFT(E_r) in NumPy's convention.
    """
    t = check_times("times", times)
    e = check_field("reference_field", reference_field, t.size)
    dt = (t[-1] - t[0]) / (t.size - 1)
    freq = np.fft.rfftfreq(t.size, dt)
    top = freq[-1] if max_frequency is None else max_frequency
    use = (freq > 0) & (freq <= top)
    tr = np.zeros(freq.shape, complex)
    tr[use] = np.asarray(transmission(freq[use]))
    first = int(np.flatnonzero(use)[0])
    tr[0] = tr[first].real
    return np.fft.irfft(np.conj(tr) * np.fft.rfft(e, axis=-1), n=t.size, axis=-1)


def add_noise(field, rms: float, seed: int, n_scans: int | None = None) -> np.ndarray:
    """``field`` plus white Gaussian noise of ``rms`` per sample (NumPy generator ``seed``); with ``n_scans``
    returns that many independent noisy scans (rows)."""
    check(lambda r: r >= 0, "rms", rms, "a noise rms ≥ 0 (field units)")
    rng = np.random.default_rng(seed)
    field = np.asarray(field, float)
    shape = field.shape if n_scans is None else (n_scans,) + field.shape
    return field + rms * rng.standard_normal(shape)

