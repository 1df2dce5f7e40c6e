"""Spectral analysis of time traces: windowed Fourier transform, peaks, damped-cosine fits.

Conventions: times in ps, frequencies ν in THz (ordinary frequency, ω = 2πν),
Fourier transform f(ν) = ∫ dt e^{+2πiνt} f(t) (pseudospin-clean.md §0), evaluated
as Δt Σ_n f(t_n) e^{+2πiν t_n} on a uniform grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Complex, Float

from . import units

_WINDOWS = ("none", "hann", "blackman")


def _window(name: str, n: int):
    if name == "none":
        return jnp.ones(n)
    if name == "hann":
        return jnp.asarray(np.hanning(n))
    if name == "blackman":
        return jnp.asarray(np.blackman(n))
    raise ValueError(f"window = {name!r} is not allowed: one of {_WINDOWS}")


def _uniform_step(times) -> float:
    t = np.asarray(times, dtype=float)
    dt = np.diff(t)
    if t.ndim != 1 or t.size < 4 or np.any(dt <= 0) or np.ptp(dt) > 1e-6 * np.mean(dt):
        raise ValueError("times must be a uniform, increasing 1-D grid of at least 4 points (ps)")
    return float(np.mean(dt))


def fourier_transform(times, signal, window: str = "hann", subtract_mean: bool = True, pad_factor: int = 4,
                      ) -> tuple[Float[Array, " n_freq"], Complex[Array, "... n_freq"]]:
    """Windowed Fourier transform of ``signal`` (last axis = time) on a uniform ``times`` grid (ps).

    Returns (ν in THz ≥ 0, f(ν) in signal units × ps).  The mean is removed first
    (``subtract_mean``) so a static offset does not hide peaks; zero padding by
    ``pad_factor`` interpolates the spectrum (it does not improve the resolution 1/T).
    """
    dt = _uniform_step(times)
    signal = jnp.asarray(signal)
    n = signal.shape[-1]
    if subtract_mean:
        signal = signal - jnp.mean(signal, axis=-1, keepdims=True)
    signal = signal * _window(window, n)
    n_fft = int(pad_factor) * n
    # Σ f e^{+2πiνt}: inverse FFT times n_fft, and the phase of the first sample time.
    spec = jnp.fft.ifft(signal, n=n_fft, axis=-1)[..., : n_fft // 2 + 1] * n_fft * dt
    freq = jnp.arange(n_fft // 2 + 1) / (n_fft * dt)
    spec = spec * jnp.exp(2j * jnp.pi * freq * float(np.asarray(times)[0]))
    return freq, spec


def frequency_resolution(times) -> float:
    """Resolution 1/T (THz) of a record of duration T (ps)."""
    t = np.asarray(times, dtype=float)
    return 1.0 / float(t[-1] - t[0])


def dominant_frequency(times, signal, fmin: float = 0.0, fmax: float | None = None, window: str = "hann") -> float:
    """Frequency (THz) of the largest spectral peak of ``signal`` in [fmin, fmax].

    The peak of |f(ν)| on the 4× padded grid is refined by a parabola through its
    three highest samples in log |f|.
    """
    freq, spec = fourier_transform(times, signal, window=window)
    freq = np.asarray(freq)
    mag = np.abs(np.asarray(spec))
    fmax = freq[-1] if fmax is None else fmax
    mask = (freq >= fmin) & (freq <= fmax)
    if mask.sum() < 3:
        raise ValueError(
            f"[fmin, fmax] = [{fmin}, {fmax}] THz holds fewer than 3 frequency samples "
            f"(spacing {freq[1]:.3g} THz): widen it or use a longer record"
        )
    idx = np.flatnonzero(mask)
    i = idx[np.argmax(mag[idx])]
    i = int(np.clip(i, 1, freq.size - 2))
    y0, y1, y2 = np.log(mag[i - 1 : i + 2] + 1e-300)
    denom = y0 - 2 * y1 + y2
    shift = 0.5 * (y0 - y2) / denom if denom != 0 else 0.0
    return float(freq[i] + shift * (freq[1] - freq[0]))


@dataclass(frozen=True)
class DampedCosine:
    """δΔ(t) = offset + amplitude · cos(2πν (t − t₀) + phase) · ((t − t₀)/1 ps)^(−exponent).

    offset and amplitude in the signal's units (meV for gaps), frequency ν in THz,
    phase in rad, exponent dimensionless, origin t₀ in ps; ``rms_residual`` in signal units;
    [start, stop] the fitted window in ps.
    """

    offset: float
    amplitude: float
    frequency: float
    phase: float
    exponent: float
    origin: float
    rms_residual: float
    start: float = 0.0
    stop: float = float("inf")

    @property
    def angular_frequency_mev(self) -> float:
        """ħω = hν in meV (compare with 2Δ∞)."""
        return float(units.thz_to_mev(self.frequency))

    def __call__(self, t):
        s = np.asarray(t) - self.origin
        return self.offset + self.amplitude * np.cos(2 * np.pi * self.frequency * s + self.phase) * s ** (-self.exponent)


def fit_damped_cosine(times, signal, start: float, stop: float, origin: float = 0.0,
                      fixed_exponent: float | None = None) -> DampedCosine:
    """Least-squares fit of a power-law-damped cosine to ``signal`` on [start, stop] ps.

    Used for the Higgs tail after a quench (Volkov-Kogan: exponent ½, phase π/4).
    The frequency guess comes from :func:`dominant_frequency`; the amplitude is kept
    positive by shifting the phase by π.  ``origin`` (ps) is the quench time.
    """
    from scipy.optimize import least_squares

    t = np.asarray(times, dtype=float)
    y = np.asarray(signal, dtype=float)
    if not (t[0] <= start < stop <= t[-1]) or start <= origin:
        raise ValueError(
            f"fit window [{start}, {stop}] ps is not allowed: it must lie inside [{t[0]}, {t[-1]}] ps and after "
            f"the origin {origin} ps"
        )
    sel = (t >= start) & (t <= stop)
    ts, ys = t[sel], y[sel]
    if ts.size < 16:
        raise ValueError(f"fit window [{start}, {stop}] ps holds {ts.size} samples: at least 16 are needed")
    nu0 = dominant_frequency(ts, ys)
    s = ts - origin
    offset0 = float(np.mean(ys))
    amp0 = float(np.std(ys) * np.sqrt(2) * np.mean(s) ** 0.5)

    def model(p):
        off, amp, nu, ph, ex = p if fixed_exponent is None else (*p, fixed_exponent)
        return off + amp * np.cos(2 * np.pi * nu * s + ph) * s ** (-ex)

    best = None
    for ph0 in np.linspace(0, 2 * np.pi, 8, endpoint=False):
        p0 = [offset0, amp0, nu0, ph0] + ([0.5] if fixed_exponent is None else [])
        res = least_squares(lambda p: model(p) - ys, p0, method="lm", xtol=1e-14, ftol=1e-14)
        if best is None or res.cost < best.cost:
            best = res
    p = list(best.x) + ([] if fixed_exponent is None else [fixed_exponent])
    off, amp, nu, ph, ex = p
    if amp < 0:
        amp, ph = -amp, ph + np.pi
    ph = float(np.mod(ph + np.pi, 2 * np.pi) - np.pi)
    rms = float(np.sqrt(np.mean((model(best.x) - ys) ** 2)))
    return DampedCosine(float(off), float(amp), float(nu), ph, float(ex), float(origin), rms, float(start), float(stop))
