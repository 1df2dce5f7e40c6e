"""Spectral analysis of time traces: windowed Fourier transform, peaks, damped-cosine fits.

Conventions: times in ps, frequencies ν in THz (ordinary frequency, ω = 2πν),
Fourier transform f(ν) = ∫ dt e^{+2πiνt} f(t) (pseudospin-clean.md §0), evaluated
as Δt Σ_n f(t_n) e^{+2πiν t_n} on a uniform grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Complex, Float

from . import units
from ._validate import InputError, check, check_int, fail, is_concrete, show

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
    try:
        t = np.asarray(times, dtype=float)
    except (TypeError, ValueError):
        raise fail("times", times, "a uniform, increasing 1-D grid of at least 4 times in ps") from None
    if t.ndim == 1 and not np.all(np.isfinite(t)):
        i = int(np.argmax(~np.isfinite(t)))
        raise fail(f"times[{i}]", t[i], "finite times in ps (no NaN or inf)", unit="ps")
    dt = np.diff(t)
    if t.ndim != 1 or t.size < 4 or np.any(dt <= 0) or np.ptp(dt) > 1e-6 * np.mean(dt):
        raise InputError(f"times (shape {t.shape}) is not allowed: a uniform, increasing 1-D grid of at least 4 points "
                         "(ps)")
    return float(np.mean(dt))


def _increasing(name: str, values, min_size: int, unit: str = "ps") -> np.ndarray:
    """``values`` as a 1-D float array of ≥ ``min_size`` finite, strictly increasing numbers (``unit``).

    The error names the first bad element, not the whole (long) array.
    """
    allowed = f"a 1-D array of at least {min_size} finite, strictly increasing values in {unit}"
    try:
        v = np.asarray(values)
        numeric = v.dtype.kind in "biuf"
    except (TypeError, ValueError):  # ragged lists, tracers
        numeric = False
    if not numeric:
        raise fail(name, values, allowed)
    if v.ndim != 1 or v.size < min_size:
        raise fail(f"{name}.shape", v.shape, allowed)
    v = v.astype(float)
    if not np.all(np.isfinite(v)):
        i = int(np.argmax(~np.isfinite(v)))
        raise fail(f"{name}[{i}]", v[i], f"finite values in {unit} (no NaN or inf)", unit)
    if np.any(np.diff(v) <= 0):
        i = int(np.argmax(np.diff(v) <= 0)) + 1
        raise fail(f"{name}[{i}]", v[i], f"strictly increasing values: > {name}[{i - 1}] = {show(v[i - 1])} {unit}",
                   unit)
    return v


def _check_transform(window, pad_factor) -> int:
    """``pad_factor`` as an int ≥ 1, after checking it and the ``window`` name (before anything compiles)."""
    if not (isinstance(window, str) and window in _WINDOWS):
        raise fail("window", window, f"one of {_WINDOWS}")
    return check_int("pad_factor", pad_factor, low=1, what="the transform is zero padded to pad_factor × the record")


def _check_signal(times, signal, constant_ok: bool = True, name: str = "signal"):
    """A finite signal whose last axis matches ``times``; with ``constant_ok=False`` also not constant.

    A traced ``signal`` (jit/vmap/grad) has only its shape checked.
    """
    traced = not is_concrete(signal)
    try:
        y = signal if traced else np.asarray(signal)
        if y.dtype.kind not in "biufc":
            raise TypeError
    except (TypeError, ValueError, AttributeError):
        raise fail(name, signal, "an array of numbers sampled at times") from None
    n = np.asarray(times).shape[-1] if np.ndim(times) else 0
    if y.ndim == 0 or y.shape[-1] != n:
        raise InputError(f"{name} has shape {y.shape} is not allowed: its last axis must match times ({n} samples)")
    if traced:
        return y
    if not np.all(np.isfinite(y)):
        i = int(np.argmax(~np.isfinite(y.reshape(-1))))
        raise fail(f"{name} (flat index {i})", y.reshape(-1)[i], "finite samples (no NaN or inf)")
    if not constant_ok and float(np.max(np.ptp(np.real(y), axis=-1)) + np.max(np.ptp(np.imag(y), axis=-1))) == 0.0:
        raise InputError(f"signal = constant {show(y.reshape(-1)[0])} is not allowed: a constant signal has no "
                         "spectral peak")
    return y


def fourier_transform(times, signal, window: str = "hann", subtract_mean: bool = True, pad_factor: int = 4,
                      ) -> tuple[Float[Array, " n_freq"], Complex[Array, "... n_freq"]]:
    """Windowed Fourier transform of ``signal`` (last axis = time) on a uniform ``times`` grid (ps).

    Returns (ν in THz ≥ 0, f(ν) in signal units × ps).  The mean is removed first
    (``subtract_mean``) so a static offset does not hide peaks; zero padding by the integer
    ``pad_factor`` ≥ 1 interpolates the spectrum (it does not improve the resolution 1/T).
    ``signal`` must be finite, its last axis as long as ``times``.
    """
    dt = _uniform_step(times)
    pad_factor = _check_transform(window, pad_factor)
    _check_signal(times, signal)
    signal = jnp.asarray(signal)
    n = signal.shape[-1]
    return _padded_transform(signal, _window(window, n), dt, float(np.asarray(times)[0]),
                             n_fft=pad_factor * n, subtract_mean=bool(subtract_mean))


@partial(jax.jit, static_argnames=("n_fft", "subtract_mean"))  # one compiled program, not one per operation
def _padded_transform(signal, window, dt, t0, n_fft: int, subtract_mean: bool):
    if subtract_mean:
        signal = signal - jnp.mean(signal, axis=-1, keepdims=True)
    signal = signal * window
    # Σ f e^{+2πiνt}: inverse FFT times n_fft, and the phase of the first sample time.
    spec = jnp.fft.ifft(signal, n=n_fft, axis=-1)[..., : n_fft // 2 + 1] * n_fft * dt
    freq = jnp.arange(n_fft // 2 + 1) / (n_fft * dt)
    return freq, spec * jnp.exp(2j * jnp.pi * freq * t0)


def frequency_resolution(times) -> float:
    """Resolution 1/T (THz) of a record of duration T (ps); ``times`` finite and increasing."""
    t = _increasing("times", times, 2)
    return 1.0 / float(t[-1] - t[0])


def dominant_frequency(times, signal, fmin: float = 0.0, fmax: float | None = None, window: str = "hann") -> float:
    """Frequency (THz) of the largest spectral peak of ``signal`` in [fmin, fmax].

    The peak of |f(ν)| on the 4× padded grid is refined by a parabola through its
    three highest samples in log |f|.
    """
    _uniform_step(times)
    _check_signal(times, signal, constant_ok=False)
    check(lambda f: f >= 0, "fmin", fmin, "a finite frequency ≥ 0 THz", unit="THz")
    if fmax is not None:
        check(lambda f: f > fmin, "fmax", fmax, f"a finite frequency > fmin = {show(fmin)} THz", unit="THz")
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

    _uniform_step(times)
    t = np.asarray(times, dtype=float)
    y = np.asarray(_check_signal(times, signal), dtype=float)
    for name, value in (("start", start), ("stop", stop), ("origin", origin)):
        check(lambda v: np.isfinite(v), name, value, "a finite time in ps", unit="ps")
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


# --------------------------------------------------------------------------- optical conductivity
def _over_field(j_w, a_w, freq):
    """σ(ν) = j(ν)/(iω A(ν)) in S/m (ω = 2πν, ``freq`` ν in THz); NaN where A(ν) is exactly 0.

    There σ is undefined (no field at that frequency): NaN marks it, where the plain quotient gave ±inf (or NaN),
    which breaks colour scales and sums; derivatives elsewhere are those of the plain quotient.
    """
    zero = a_w == 0
    omega = 2.0 * jnp.pi * freq * 1e12  # rad/s
    return jnp.where(zero, jnp.nan, j_w / (1j * omega * jnp.where(zero, 1.0, a_w)))


def _check_field(vector_potential, name: str, rows=None) -> None:
    """Refuse a (row of a) concrete vector potential that is 0 throughout: σ = j/(iωA) needs a field.

    ``rows``: what to call row i in the message (e.g. its delay), for 2-D input.
    """
    if not is_concrete(vector_potential):
        return
    a = np.asarray(vector_potential)
    dead = ~np.any(a != 0, axis=-1)
    if np.any(dead):
        i = np.unravel_index(int(np.argmax(dead)), dead.shape) if dead.ndim else ()
        which = f"{name}[{', '.join(map(str, i))}]" if i else name
        if rows is not None and i:
            which += f" ({rows(i[-1])})"
        raise InputError(f"{which} = 0 throughout is not allowed: σ = j/(iωA) needs a field in the window "
                         "(a probe that reaches the record)")


def conductivity(result, order: int = 1, sigma0=None, unit: str = "drude", window: str = "none",
                 pad_factor: int = 4, resolution: float | None = None, times=None, current=None,
                 vector_potential=None) -> tuple[Float[Array, " n_freq"], Complex[Array, "... n_freq"]]:
    """Optical conductivity σ(ν) = j(ν) / (iω A(ν)) from a simulated current (MB spec §4.4).

    Fourier convention X(ν) = ∫dt e^{+iωt} X(t), ω = 2πν (physics e^{−iωt} time dependence), so
    E(ν) = iω A(ν) and Re σ ≥ 0 for an absorbing medium, Im σ > 0 (inductive) at low ω.  The
    same ``window`` multiplies j and A (default none: a single pulse as broadband probe, with
    the whole record as window); zero padding by ``pad_factor`` only interpolates.

    Args:
        result: a :class:`~jaxhiggs.solve.Result` with ``current_{order}`` (A/m²) and
            ``vector_potential`` (V·s/m); or pass ``times`` (ps), ``current``, ``vector_potential``.
        order: 1 (linear σ₁) or 3 (third-order contribution σ₃ = j₃/(iωA)).
        sigma0: normalisation in S/m, finite > 0 (e.g. ``MattisBardeen.drude_conductivity()`` = ne²/mγ);
            defaults to ``result.metadata['drude_conductivity']``; used only with ``unit="drude"``.
        unit: ``"drude"`` (σ/σ₀), ``"S/cm"`` or ``"S/m"``.
        resolution: requested frequency resolution in THz (finite > 0); raises if the record is too short.

    Returns:
        (ν in THz, σ) for ν > 0 (the ν = 0 sample is dropped).  σ is NaN (not ±inf) at a frequency where the
        transform of A is exactly 0 (there σ is undefined); a vector potential that is 0 throughout is refused.
    """
    if result is not None:
        times = result.times
        current = result.current(order)
        vector_potential = result["vector_potential"]
    # every input is checked before the transforms compile
    if not (isinstance(unit, str) and unit in ("drude", "S/cm", "S/m")):
        raise fail("unit", unit, "'drude', 'S/cm' or 'S/m'")
    _uniform_step(times)
    t = np.asarray(times, dtype=float)
    if resolution is not None:
        check(lambda r: r > 0, "resolution", resolution, "a finite frequency resolution > 0 THz", unit="THz")
        if 1.0 / (t[-1] - t[0]) > resolution:
            raise fail("resolution", resolution, f"≥ {1.0 / (t[-1] - t[0]):.4g} THz, the resolution 1/T of the "
                       f"{t[-1] - t[0]:.4g} ps record (or use a record ≥ {1.0 / resolution:.4g} ps)", unit="THz")
    if unit == "drude":
        if sigma0 is None:
            sigma0 = None if result is None else result.metadata.get("drude_conductivity")
        if sigma0 is None:
            raise ValueError("unit = 'drude' needs sigma0 (S/m), e.g. model.drude_conductivity()")
        check(lambda s: s > 0, "sigma0", sigma0, "a finite normalisation σ₀ > 0 S/m", unit="S/m")
    _check_transform(window, pad_factor)
    _check_signal(t, current, name="current")
    _check_field(_check_signal(t, vector_potential, name="vector_potential"), "vector_potential")
    freq, j_w = fourier_transform(t, current, window=window, subtract_mean=False, pad_factor=pad_factor)
    _, a_w = fourier_transform(t, vector_potential, window=window, subtract_mean=False, pad_factor=pad_factor)
    sigma = _over_field(j_w[..., 1:], a_w[..., 1:], freq[1:])  # S/m
    if order == 1:  # σ₃ alone is a correction and may be negative; the linear σ must absorb
        check_absorption(freq[1:], sigma, jnp.abs(a_w[..., 1:]), "σ₁")
    if unit == "drude":
        sigma = sigma / sigma0
    elif unit == "S/cm":
        sigma = sigma / 100.0
    return freq[1:], sigma


#: A spectrum "absorbs negatively" where Re σ < −NEGATIVE_ABSORPTION_TOLERANCE · max|σ| at frequencies
#: where the probe carries at least PROBE_WEIGHT_FRACTION of its peak spectral weight |A(ν)|.
NEGATIVE_ABSORPTION_TOLERANCE = 0.02
PROBE_WEIGHT_FRACTION = 0.05


def check_absorption(freq, sigma, probe_weight, what: str = "σ") -> None:
    """Warn (:class:`~jaxhiggs.models.mattis_bardeen.PerturbativeValidityWarning`) if Re σ < 0.

    A passive medium absorbs: Re σ(ν) ≥ 0.  Checked only where the probe has spectral weight
    (|A(ν)| ≥ ``PROBE_WEIGHT_FRACTION`` of its maximum, per row); elsewhere σ = j/(iωA) is noise.
    Concrete arrays only (skipped under tracing).  ``freq`` (THz), ``sigma`` (..., n_freq),
    ``probe_weight`` = |A(ν)| broadcastable to ``sigma``.
    """
    import warnings

    from ._validate import is_concrete
    from .models.mattis_bardeen import PerturbativeValidityWarning

    if not is_concrete(freq, sigma, probe_weight):
        return
    f = np.asarray(freq)
    s = np.asarray(sigma)
    w = np.broadcast_to(np.asarray(probe_weight), s.shape)
    band = w >= PROBE_WEIGHT_FRACTION * np.max(w, axis=-1, keepdims=True)
    scale = np.max(np.where(band, np.abs(s), 0.0))
    negative = band & (s.real < -NEGATIVE_ABSORPTION_TOLERANCE * scale)
    if scale > 0 and negative.any():
        nu = np.broadcast_to(f, s.shape)[negative]
        warnings.warn(
            f"{what} absorbs negatively: Re σ reaches {s.real[negative].min() / scale:.3g} × max|σ| at "
            f"{nu.min():.3g}–{nu.max():.3g} THz, where the probe has spectral weight.  A passive medium has Re σ ≥ 0: "
            "with a perturbative model (Mattis–Bardeen, third order in A) the pump is too strong for the expansion "
            "— lower it (the results scale as A², A³) — otherwise lengthen the record or refine the grid",
            PerturbativeValidityWarning, stacklevel=3)


def moving_window_conductivity(times, delays, delta_current, delta_vector_potential, pad_factor: int = 4,
                               window: str = "none"):
    """σ(ν; t_d) of a pump–probe scan with the FFT window moving with the probe (MB spec §4.6).

    ``times`` (ps, uniform), ``delays`` (ps, strictly increasing, multiples of the time step apart), and
    the differences Δj = j^{pp} − j^{p}, ΔA = A^{pp} − A^{p} of shape (n_delays, n_times).  For delay
    t_d the window is [t₀ + t_d − t_d,0, t_end − (t_d,max − t_d)] (fixed length, at least
    ``MIN_WINDOW_SAMPLES`` samples).  Returns (ν THz, σ (n_delays, n_freq)) in S/m (ν = 0 dropped); σ is NaN
    where the window's ΔA(ν) is exactly 0, and a row of ΔA that is 0 throughout its window is refused.
    """
    freq, sigma, _ = _moving_window(times, delays, delta_current, delta_vector_potential, pad_factor, window)
    return freq, sigma


#: Fewest samples the moving window of :func:`moving_window_conductivity` may hold.
MIN_WINDOW_SAMPLES = 16


def _delay_shifts(times, delays, arrays=None) -> np.ndarray:
    """Window shifts (samples of ``times``) of the probe ``delays`` (ps), after checking them.

    ``delays``: finite, strictly increasing, delays[0] plus multiples of the time step (to 1e-6 of it; uneven
    spacing is fine for the windows, only :func:`delay_spectrum` needs it uniform),
    one per row of each of ``arrays`` (name → array of shape (n_delays, n_times)), and spanning
    less than the record minus ``MIN_WINDOW_SAMPLES`` samples, so every window lies in the record.
    """
    dt = _uniform_step(times)
    n = np.asarray(times).size
    d = _increasing("delays", delays, 1)
    for name, x in (arrays or {}).items():
        shape = tuple(np.shape(x))
        if len(shape) == 2 and shape[1] == n and shape[0] != d.size:
            raise fail("len(delays)", d.size, f"one delay per row of {name} (shape {shape})")
        if shape != (d.size, n):
            raise fail(f"{name}.shape", shape, f"(len(delays), len(times)) = {(d.size, n)}: one row per delay, "
                       "sampled at times")
    steps = (d - d[0]) / dt
    shift = np.rint(steps).astype(int)
    off = np.abs(steps - shift) > 1e-6
    if off.any():
        i = int(np.argmax(off))
        raise fail(f"delays[{i}]", d[i], f"delays[0] plus a multiple of the time step {dt:.6g} ps of times", "ps")
    if n - shift[-1] < MIN_WINDOW_SAMPLES:  # the window is the record less the delay span
        raise fail("delays[-1] − delays[0]", d[-1] - d[0], f"≤ {(n - MIN_WINDOW_SAMPLES) * dt:.6g} ps, so that the "
                   f"moving window (the {n}-sample record less the delay span) holds ≥ {MIN_WINDOW_SAMPLES} samples",
                   "ps")
    return shift


def _check_probes(probes, delays, times) -> None:
    """Before any solve: each probe drive (one per delay) has a vector potential that is not 0 throughout the
    record ``times`` (ps), else its σ row would be undefined (0/0)."""
    t = units.ps_to_internal(jnp.asarray(times, dtype=float))
    for d, p in zip(np.ravel(delays), probes):
        a = np.asarray(jnp.vectorize(p.vector_potential)(t))
        if not np.any(a != 0):
            raise InputError(f"probe_at({float(d):g}) = {type(p).__name__} with A(t) = 0 throughout the record is not "
                             "allowed: the probe must reach the saved times (σ = j/(iωA) needs its field)")


def _moving_window(times, delays, delta_current, delta_vector_potential, pad_factor: int = 4, window: str = "none"):
    """:func:`moving_window_conductivity` plus the probe's spectral weight |ΔA(ν)| (n_delays, n_freq)."""
    shift = _delay_shifts(times, delays, {"delta_current": delta_current,
                                          "delta_vector_potential": delta_vector_potential})
    _check_transform(window, pad_factor)
    t = np.asarray(times, dtype=float)
    _check_signal(t, delta_current, name="delta_current")
    _check_signal(t, delta_vector_potential, name="delta_vector_potential")
    length = t.size - int(shift[-1])
    idx = shift[:, None] + np.arange(length)[None, :]
    rows = np.arange(shift.size)[:, None]
    j = jnp.asarray(delta_current)[rows, idx]
    a = jnp.asarray(delta_vector_potential)[rows, idx]
    _check_field(a, "delta_vector_potential", rows=lambda i: f"delay {float(np.ravel(delays)[i]):g} ps, in its window")
    tw = t[:length]
    freq, j_w = fourier_transform(tw, j, window=window, subtract_mean=False, pad_factor=pad_factor)
    _, a_w = fourier_transform(tw, a, window=window, subtract_mean=False, pad_factor=pad_factor)
    # the window's own start time only adds a common phase to j(ν) and A(ν), which cancels in σ
    return freq[1:], _over_field(j_w[..., 1:], a_w[..., 1:], freq[1:]), jnp.abs(a_w[..., 1:])


def delay_spectrum(delays, sigma, pad_factor: int = 4):
    """Mean-subtracted, per-ν normalised σ(ν; t_d) and its Fourier transform along t_d (spec §4.6).

    Returns (map (n_delays, n_freq), f_delay THz, |FT| (n_f_delay, n_freq)).
    """
    s = jnp.asarray(sigma)
    s = s - jnp.mean(s, axis=0, keepdims=True)
    s = s / jnp.maximum(jnp.max(jnp.abs(s), axis=0, keepdims=True), 1e-300)
    f, spec = fourier_transform(delays, s.T, window="hann", subtract_mean=True, pad_factor=pad_factor)
    return s, f, jnp.abs(spec).T


def harmonic_amplitude(times, signal, frequency, harmonic: int = 3, tolerance: float = 0.2, window: str = "hann"):
    """max |signal(ν)| over |ν/f − harmonic| ≤ tolerance (THG strength, MB spec §4.7); ``frequency`` f in THz.

    ``frequency`` > 0 with harmonic × frequency below the Nyquist frequency 1/(2Δt) of ``times`` (ps);
    ``harmonic`` an integer ≥ 1; ``tolerance`` in (0, 1), so the band stops short of the neighbouring
    harmonics (and of ν = 0), and wide enough to hold a sample of the 4× padded frequency grid.
    """
    dt = _uniform_step(times)
    harmonic = check_int("harmonic", harmonic, low=1, what="the order n of the line at n × frequency")
    nyquist = 0.5 / dt
    check(lambda f: (f > 0) & (harmonic * f < nyquist), "frequency", frequency,
          f"a finite frequency in (0, {nyquist / harmonic:.4g}) THz: harmonic × frequency below the Nyquist "
          f"frequency 1/(2Δt) = {nyquist:.4g} THz of times", unit="THz")
    check(lambda x: (x > 0) & (x < 1), "tolerance", tolerance,
          "a fraction in (0, 1): the band |ν/frequency − harmonic| ≤ tolerance stops short of the next harmonics")
    if is_concrete(frequency, tolerance):  # an empty band would give 0 silently
        n_fft = 4 * np.asarray(times).size
        grid = np.arange(n_fft // 2 + 1) / (n_fft * dt)
        needed = float(np.max(np.min(np.abs(grid[:, None] / np.ravel(frequency)[None, :] - harmonic), axis=0)))
        if np.any(np.asarray(tolerance) < needed):
            raise fail("tolerance", tolerance, f"≥ {needed:.3g} for this record: a narrower band around "
                       f"harmonic × frequency holds no sample of the frequency grid (spacing {grid[1]:.3g} THz); "
                       "widen it or use a longer record")
    freq, spec = fourier_transform(times, signal, window=window, subtract_mean=True, pad_factor=4)
    mask = jnp.abs(freq / frequency - harmonic) <= tolerance
    return jnp.max(jnp.where(mask, jnp.abs(spec), 0.0), axis=-1)


# --------------------------------------------------------------------------- batched experiments
@eqx.filter_jit
def _solve_batch(model, drives, t, options, driven, mode: str):
    """The solves of :func:`_batched_solve` (``drives`` stacked along a leading axis), compiled once per model
    structure, options and shapes: a second call with other delays or amplitudes reuses the program.
    ``mode``: :func:`jaxhiggs.parallel.batch_mode` of the platform."""
    from .parallel import device_map
    from .solve import solve_status

    def solve_one(d):
        return solve_status(model, d, t, options, driven)

    return device_map(solve_one, drives) if mode == "map" else jax.vmap(solve_one)(drives)


def _batched_solve(model, drives, times_ps, **options):
    """Observables of ``model`` under each drive of the list (same structure), in one compiled program, run as
    :func:`jaxhiggs.parallel.batch_mode` says, as :func:`jaxhiggs.sweep` does: vmapped on accelerators, one after
    the other on the CPU (``lax.map``, shared out over the CPU devices of :func:`jaxhiggs.use_cpu_cores`).
    Vmapped on the CPU, three finite-momentum runs that take 1.8 s each alone took 7.7 s (probe test grid)."""
    from . import divergence
    from .parallel import batch_mode
    from .solve import SolverOptions, check_model_and_drive, check_times, driven_saves

    opts = SolverOptions(**options)
    times_ps = check_times(times_ps, drives[0])
    for d in drives:
        check_model_and_drive(model, d)
    stacked = jax.tree.map(lambda *x: jnp.stack(x), *drives)
    t = units.ps_to_internal(jnp.asarray(times_ps, dtype=float))
    # the free evolution takes over once the last drive of the batch has ended
    counts = [driven_saves(model, d, np.asarray(t), opts) for d in drives]
    driven = None if None in counts else max(counts)
    ys, steps, ok, status = _solve_batch(model, stacked, t, opts, driven, batch_mode(jax.devices()[0].platform))
    ok = np.asarray(ok)
    if not ok.all():
        i = int(np.argmin(ok))
        one = {k: np.asarray(v)[i] for k, v in ys.items()}
        raise RuntimeError(f"drive {i} of the batch: " + divergence.report(
            model, int(np.asarray(status)[i]), times_ps, one, int(np.asarray(steps)[i]), opts.max_steps, opts.rtol,
            opts.atol, opts.dt, drives[i]))
    return ys


def pump_probe(model, pump, probe_at, delays, times, **options):
    """Pump–probe conductivity map (MB spec §4.6): vmapped (pump + probe(t_d)) runs minus pump only.

    Args:
        model: e.g. :class:`~jaxhiggs.models.mattis_bardeen.MattisBardeen` (orders = 3).
        pump: the pump drive; ``probe_at(delay_ps)`` returns the probe drive for one delay.
        delays: probe delays in ps (strictly increasing, multiples of the time step apart; checked before
            any solve, as in :func:`moving_window_conductivity`; :func:`delay_spectrum` needs them uniform).
        times: uniform saved times in ps.
        **options: solver options.

    Returns dict with ``frequency`` (THz), ``sigma`` (n_delays, n_freq) in S/m of
    Δj₁ + Δj₃ over the probe ΔA, ``sigma1``/``sigma3`` the two parts, and the raw differences.  σ is NaN at a
    frequency where ΔA(ν) is exactly 0 (undefined there); a probe whose A(t) is 0 throughout ``times`` is refused
    before any solve.
    """
    _delay_shifts(times, delays)  # before any solve
    delays = np.asarray(delays, dtype=float)
    probes = [probe_at(float(d)) for d in delays]
    _check_probes(probes, delays, times)
    pump_only = _batched_solve(model, [pump], times, **options)
    pp = _batched_solve(model, [pump + p for p in probes], times, **options)
    dj1 = pp["current_1"] - pump_only["current_1"]
    dj3 = pp["current_3"] - pump_only["current_3"]
    da = pp["vector_potential"] - pump_only["vector_potential"]
    freq, s1, weight = _moving_window(times, delays, dj1, da)
    _, s3, _ = _moving_window(times, delays, dj3, da)
    check_absorption(freq, s1 + s3, weight, "the pump–probe σ")
    return dict(frequency=freq, sigma=s1 + s3, sigma1=s1, sigma3=s3, delta_current_1=dj1, delta_current_3=dj3,
                delta_vector_potential=da, delta_gap=pp["delta_gap"])


def thg_sweep(model, frequencies, drive_at, times, higgs_decomposition: bool = True, **options):
    """Third-harmonic strength |j₃(3Ω)| over drive frequencies Ω (THz), vmapped (MB spec §4.7).

    ``drive_at(frequency_thz)`` returns the multicycle drive.  With ``higgs_decomposition`` a second
    batch runs with Re δΔ switched off inside the equations ("QP"); "Higgs" = j₃ − j₃^QP.
    Returns dict of arrays over ``frequencies``: ``total``, and ``qp``, ``higgs`` if requested.
    """
    frequencies = np.asarray(frequencies, dtype=float)
    drives = [drive_at(float(f)) for f in frequencies]
    full = _batched_solve(model, drives, times, **options)["current_3"]
    out = dict(frequency=frequencies, total=jnp.array(
        [harmonic_amplitude(times, full[i], f) for i, f in enumerate(frequencies)]))
    if higgs_decomposition:
        qp_model = model.with_options(higgs_feedback=False)
        qp = _batched_solve(qp_model, drives, times, **options)["current_3"]
        out["qp"] = jnp.array([harmonic_amplitude(times, qp[i], f) for i, f in enumerate(frequencies)])
        out["higgs"] = jnp.array([harmonic_amplitude(times, full[i] - qp[i], f) for i, f in enumerate(frequencies)])
    return out
