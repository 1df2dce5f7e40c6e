"""THz time traces → spectra → complex transmission, with uncertainties from the trace noise.

Fourier convention (the physics one, e^{−iωt}):

    E(t) = ∫ dω/2π E(ω) e^{−iωt},      E(ω) = ∫ dt E(t) e^{+iωt}  ≈  Δt Σ_n w_n E(t_n) e^{+iω t_n},

with w_n the window.  A pulse delayed by τ has E(ω) multiplied by e^{+iωτ}; the transmission
t(ω) = E_s(ω)/E_r(ω) of a sample that delays the pulse therefore has a phase that *grows* with ω, and a
medium of index n = n' + iκ of thickness L transmits e^{iωnL/c} (κ > 0 absorbs).  Numerically
E(ω_k) = Δt e^{iω_k t₀} conj(FFT(w·E))_k on the grid ω_k = 2πk/(MΔt), M the padded length.

Times in ps, frequencies ν = ω/2π in THz, fields in any (common) unit.

Windowing and padding.  Sample and reference are multiplied by the *same* window (by default a Tukey
window whose cosine tapers cover ``taper``/2 of the trace at each end, which removes the step at the trace
ends without touching a pulse in the middle); window the substrate echoes out by cropping the traces
before calling.  ``pad`` > 1 zero-pads to ``pad`` × the length: a finer (interpolated) frequency grid for
plots — but padded bins are correlated, so fit unpadded spectra (``pad = 1``, the default) when the
uncertainties are used as independent errors.

Noise.  Either several scans (2-D field arrays, one scan per row: the spectra's standard errors of the mean
are taken over scans), or a white-noise model with rms ``noise`` per time sample (field units; per scan,
the mean over K scans then has noise/√K): a windowed DFT bin then has complex variance
Δt² noise² Σ w_n², split equally between its real and imaginary parts.  Linear propagation through
t = E_s/E_r gives Var t = (Var E_s + |t|² Var E_r)/|E_r|² (circular: half in Re t, half in Im t).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from pathlib import Path

import numpy as np
from jaxtyping import Complex, Float

from .._validate import InputError, check, check_int, fail, is_concrete, show

__all__ = ["TransmissionNoise", "check_traces", "noise_level", "read_trace", "spectrum", "transmission",
           "transmission_noise", "transmission_uncertainty", "window_weights"]

#: relative tolerance on the time steps (uniform sampling) and on the agreement of two time grids
GRID_RTOL = 1e-6
MIN_POINTS = 16


def _array(name, value):
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise fail(name, value if np.ndim(value) == 0 else type(value).__name__,
                   "an array of real numbers (times in ps, fields in any unit)") from None
    return arr


def check_times(name: str, times) -> np.ndarray:
    """A 1-D, finite, strictly increasing, uniformly sampled time grid (ps); returns it as float array."""
    t = _array(name, times)
    if t.ndim != 1 or t.size < MIN_POINTS:
        raise InputError(f"{name} has shape {t.shape}: give a 1-D time grid (ps) of at least {MIN_POINTS} points")
    bad = np.flatnonzero(~np.isfinite(t))
    if bad.size:
        raise fail(f"{name}[{int(bad[0])}]", t[bad[0]], "finite times in ps (no NaN/inf)", unit="ps")
    step = np.diff(t)
    if np.any(step <= 0):
        k = int(np.flatnonzero(step <= 0)[0]) + 1
        raise fail(f"{name}[{k}]", t[k], f"strictly increasing times: it follows {name}[{k - 1}] = {show(t[k - 1])} ps",
                   unit="ps")
    dt = (t[-1] - t[0]) / (t.size - 1)
    off = np.abs(step - dt)
    if np.max(off) > GRID_RTOL * dt:
        k = int(np.argmax(off)) + 1
        raise fail(f"{name}[{k}]", t[k], f"uniform sampling: the step {show(step[k - 1])} ps differs from the mean "
                   f"step {dt:.6g} ps (resample the trace onto a uniform grid first)", unit="ps")
    return t


def check_field(name: str, field, n_times: int) -> np.ndarray:
    """Field values: 1-D (one scan) or 2-D (scans × times), finite, ``n_times`` samples per scan."""
    e = _array(name, field)
    if e.ndim not in (1, 2):
        raise InputError(f"{name} has shape {e.shape}: give one scan (n_times,) or several (n_scans, n_times)")
    if e.shape[-1] != n_times:
        raise InputError(f"{name} has {e.shape[-1]} samples per scan but its time grid has {n_times}: "
                         "give one field value per time")
    bad = np.argwhere(~np.isfinite(e))
    if bad.size:
        idx = tuple(int(i) for i in bad[0])
        where = idx[0] if e.ndim == 1 else idx
        raise fail(f"{name}[{', '.join(map(str, np.atleast_1d(where)))}]", e[idx],
                   "finite field values (no NaN/inf: drop or re-measure the bad points)")
    return e


def check_per_frequency(name: str, value, frequency, allowed: str, condition=lambda x: True,
                        single_ok: bool = False) -> None:
    """Values on a frequency grid (σ, t, δt, a model's t(ν)): real or complex numbers with the shape of
    ``frequency`` (or one number, with ``single_ok``), finite and with ``condition`` true; the first bad entry
    is named with its frequency.  Traced values (jit/vmap/grad) are not checked."""
    if not is_concrete(value):
        return
    check(lambda x: True, name, value, allowed, complex_ok=True, finite=False)  # numbers at all (no str/bool)
    shape, want = np.shape(value), np.shape(frequency)
    if shape != want and not (single_ok and shape == ()):
        either = " or a single number" if single_ok else ""
        raise InputError(f"{name} has shape {shape} but the frequencies have shape {want}: give one value per "
                         f"frequency{either} ({allowed})")
    arr = np.asarray(value)
    bad = np.argwhere(~(np.isfinite(arr) & np.asarray(condition(arr), bool)))
    if bad.size:  # name the first bad entry (a spectrum has hundreds)
        idx = tuple(int(i) for i in bad[0])
        label = name
        if idx:
            label = f"{name}[{', '.join(map(str, idx))}]"
            if is_concrete(frequency) and np.shape(frequency) == shape:
                label += f" (at {float(np.asarray(frequency)[idx]):.6g} THz)"
        raise fail(label, arr[idx], allowed)


def check_traces(sample_times, sample_field, reference_times, reference_field):
    """Validate a sample/reference pair: each grid uniform and finite, equal lengths, equal time grids.

    Returns (times, sample_field, reference_field) as float arrays (fields 1-D or scans × times).
    """
    ts = check_times("sample_times", sample_times)
    tr = check_times("reference_times", reference_times)
    if ts.size != tr.size:
        raise InputError(f"sample_times has {ts.size} points and reference_times {tr.size}: sample and reference "
                         "traces must have the same length (crop both to a common time range)")
    dt = (ts[-1] - ts[0]) / (ts.size - 1)
    off = np.abs(ts - tr) > GRID_RTOL * dt
    if np.any(off):
        k = int(np.flatnonzero(off)[0])
        raise InputError(f"sample_times[{k}] = {show(ts[k])} ps and reference_times[{k}] = {show(tr[k])} ps differ: "
                         "sample and reference must be sampled on the same time grid (same start and step)")
    es = check_field("sample_field", sample_field, ts.size)
    er = check_field("reference_field", reference_field, tr.size)
    return ts, es, er


def window_weights(n: int, window="tukey", taper: float = 0.1) -> np.ndarray:
    """Window w_n: ``"tukey"`` (cosine tapers over ``taper``/2 of the length at each end), ``"hann"``,
    ``None`` / ``"none"`` (rectangular), or an explicit array of n weights."""
    n = check_int("n", n, 1, what="the number of samples of the trace")
    if window is None or (isinstance(window, str) and window == "none"):
        return np.ones(n)
    if isinstance(window, str):
        from scipy.signal import windows

        if window == "tukey":
            check(lambda a: (a >= 0) & (a <= 1), "taper", taper, "a fraction in [0, 1] of the trace length")
            return windows.tukey(n, taper)
        if window == "hann":
            return windows.hann(n)
        raise fail("window", window, "'tukey', 'hann', None or an array of weights")
    w = _array("window", window)
    if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise InputError(f"window has shape {w.shape}: give {n} finite weights ≥ 0 (one per time sample)")
    return w


def spectrum(times: Float[np.ndarray, " n"], field, window="tukey", taper: float = 0.1, pad: int = 1
             ) -> tuple[Float[np.ndarray, " m"], Complex[np.ndarray, "... m"]]:
    """E(ω) = Δt Σ_n w_n E(t_n) e^{+iωt_n} on ν_k = k/(pad·N·Δt), k = 0 … (physics convention, module docstring).

    ``field`` may hold several scans (rows).  Returns (ν in THz including ν = 0, spectra).
    """
    t = check_times("times", times)
    e = check_field("field", field, t.size)
    pad = check_int("pad", pad, 1, 64, "zero-padding factor")
    dt = (t[-1] - t[0]) / (t.size - 1)
    m = pad * t.size
    w = window_weights(t.size, window, taper)
    freq = np.fft.rfftfreq(m, dt)
    spec = dt * np.exp(2j * math.pi * freq * t[0]) * np.conj(np.fft.rfft(w * e, n=m, axis=-1))
    return freq, spec


def noise_level(times, field, before: float | None = None) -> float:
    """rms field noise per time sample, estimated from the part of the trace before ``before`` ps (default:
    the first 20 % of the trace), which must contain no pulse; the mean is removed first."""
    t = check_times("times", times)
    e = check_field("field", field, t.size)
    if before is not None:
        check(lambda b: True, "before", before, "None or a finite time in ps", unit="ps", scalar=True)
    cut = t[0] + 0.2 * (t[-1] - t[0]) if before is None else before
    sel = t < cut
    if sel.sum() < 8:
        raise fail("before", cut, f"a time with at least 8 samples before it (the trace starts at {t[0]:.6g} ps)",
                   unit="ps")
    quiet = np.atleast_2d(e)[:, sel]
    return float(np.sqrt(np.mean((quiet - quiet.mean(axis=-1, keepdims=True)) ** 2)))


_RANGE = "None or a (low, high) pair of numbers in THz with 0 ≤ low < high (None for an open end)"


def _check_range(frequency_range) -> tuple[float, float]:
    """(low, high) in THz from ``frequency_range`` (None, or a pair whose ends may be None: open)."""
    if frequency_range is None:
        return 0.0, np.inf
    if isinstance(frequency_range, (str, bytes)) or not isinstance(frequency_range, (tuple, list, np.ndarray)) \
            or np.shape(frequency_range) != (2,):
        raise fail("frequency_range", frequency_range, _RANGE, unit="THz")
    lo, hi = frequency_range
    lo = 0.0 if lo is None else lo
    hi = np.inf if hi is None else hi
    real = all(isinstance(x, (numbers.Real, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))
               for x in (lo, hi))  # not str/bool; high may be inf (open)
    if not (real and np.isfinite(lo) and 0 <= lo < hi):
        raise fail("frequency_range", frequency_range, _RANGE, unit="THz")
    return float(lo), float(hi)


def _select(freq, frequency_range):
    lo, hi = _check_range(frequency_range)
    keep = (freq > lo) & (freq <= hi)
    if not keep.any():
        raise fail("frequency_range", frequency_range,
                   f"a range that contains frequencies of the spectrum ({freq[1]:.4g} … {freq[-1]:.4g} THz)", unit="THz")
    return keep


def transmission(sample_times, sample_field, reference_times, reference_field, window="tukey", taper: float = 0.1,
                 pad: int = 1, frequency_range=None) -> tuple[Float[np.ndarray, " m"], Complex[np.ndarray, " m"]]:
    """Complex transmission t(ω) = E_s(ω)/E_r(ω) of a sample relative to a reference trace.

    Args:
        sample_times, reference_times: time grids in ps (1-D, uniform, identical).
        sample_field, reference_field: fields (any common unit), one scan (n_times,) or several
            (n_scans, n_times), averaged over scans before the transform.
        window, taper: window applied to both traces (see :func:`window_weights`).
        pad: zero-padding factor (≥ 1; 1 keeps the frequency bins independent).
        frequency_range: (low, high) in THz kept in the output, low < ν ≤ high, with 0 ≤ low < high (either end
            None: open; default: every ν > 0).

    Returns:
        (ν in THz, complex t), physics convention e^{−iωt}: a delay τ of the sample gives t ∝ e^{+iωτ}.
    """
    t, es, er = check_traces(sample_times, sample_field, reference_times, reference_field)
    freq, s = spectrum(t, np.atleast_2d(es).mean(axis=0), window, taper, pad)
    _, r = spectrum(t, np.atleast_2d(er).mean(axis=0), window, taper, pad)
    keep = _select(freq, frequency_range)
    if np.any(r[keep] == 0):
        k = int(np.flatnonzero(r[keep] == 0)[0])
        raise InputError(f"the reference spectrum is exactly 0 at {freq[keep][k]:.6g} THz: restrict frequency_range "
                         "to the reference's bandwidth")
    return freq[keep], s[keep] / r[keep]


@dataclasses.dataclass(frozen=True)
class TransmissionNoise:
    """The noise of a measured t = E_s/E_r per frequency bin, as two variance ratios.

    ``sample`` = Var E_s/|E_r|² and ``reference`` = Var E_r/|E_r|² (complex variances, half in each
    quadrature), so that at a transmission t the standard error of Re t and of Im t is
    √((sample + reference·|t|²)/2).  A fit given this object (:func:`jaxhiggs.fit.fit_transmission`,
    ``uncertainty=``) evaluates the errors at the *model* t instead of the measured one: the residual
    (t_meas − t_model)/√(sample + reference·|t_model|²) = (E_s − t_model E_r)/√(Var E_s + |t_model|² Var E_r) is
    linear in the trace noise (errors in variables: the reference is noisy too), so the fit is not biased
    by weights that correlate with the noise of each bin.
    """

    sample: np.ndarray
    reference: np.ndarray

    def uncertainty(self, t) -> np.ndarray:
        """δ(Re t) + iδ(Im t) at the transmission ``t``."""
        half = np.sqrt(0.5 * (self.sample + self.reference * np.abs(np.asarray(t)) ** 2))
        return half + 1j * half


def transmission_noise(sample_times, sample_field, reference_times, reference_field, noise=None,
                       window="tukey", taper: float = 0.1, frequency_range=None
                       ) -> tuple[Float[np.ndarray, " m"], Complex[np.ndarray, " m"], TransmissionNoise]:
    """t(ω) and its noise model from the trace noise (unpadded, so the bins are independent).

    Args:
        noise: rms field noise per time sample of *one* scan (field units), a pair (sample, reference),
            ``"auto"`` (estimated by :func:`noise_level` from the first 20 % of each trace), or None to
            take the scatter between scans (needs ≥ 2 scans per trace).
        other arguments: as :func:`transmission`.

    Returns:
        (ν in THz, t, :class:`TransmissionNoise`) (module docstring for the propagation).
    """
    t, es, er = check_traces(sample_times, sample_field, reference_times, reference_field)
    es2, er2 = np.atleast_2d(es), np.atleast_2d(er)
    freq, s_scans = spectrum(t, es2, window, taper)
    _, r_scans = spectrum(t, er2, window, taper)
    s, r = s_scans.mean(axis=0), r_scans.mean(axis=0)
    if noise is None:
        if es2.shape[0] < 2 or er2.shape[0] < 2:
            raise InputError(f"noise = None needs at least 2 scans of each trace to estimate the noise (got "
                             f"{es2.shape[0]} sample and {er2.shape[0]} reference scans): pass several scans as "
                             "rows, or noise = <rms per sample> or 'auto'")
        var_s = np.sum(np.abs(s_scans - s) ** 2, axis=0) / (es2.shape[0] * (es2.shape[0] - 1))
        var_r = np.sum(np.abs(r_scans - r) ** 2, axis=0) / (er2.shape[0] * (er2.shape[0] - 1))
    else:
        if isinstance(noise, str):
            if noise != "auto":
                raise fail("noise", noise, "None, 'auto', an rms noise per sample ≥ 0, or a (sample, reference) pair")
            noise = (noise_level(t, es2), noise_level(t, er2))
        if np.ndim(noise) == 0:
            ns = nr = noise
        elif isinstance(noise, (tuple, list, np.ndarray)) and np.shape(noise) == (2,):
            ns, nr = noise
        else:
            raise InputError(f"noise has shape {np.shape(noise)}: give None, 'auto', one rms noise per sample > 0, "
                             "or a (sample, reference) pair of them (not one value per sample)")
        check(lambda x: x > 0, "noise", (ns, nr), "an rms field noise per sample > 0 (field units)")
        dt = (t[-1] - t[0]) / (t.size - 1)
        w2 = np.sum(window_weights(t.size, window, taper) ** 2)
        var_s = dt**2 * ns**2 * w2 / es2.shape[0]
        var_r = dt**2 * nr**2 * w2 / er2.shape[0]
    keep = _select(freq, frequency_range)
    r2 = np.abs(r[keep]) ** 2
    model = TransmissionNoise(np.broadcast_to(var_s, freq.shape)[keep] / r2, np.broadcast_to(var_r, freq.shape)[keep] / r2)
    return freq[keep], s[keep] / r[keep], model


def transmission_uncertainty(sample_times, sample_field, reference_times, reference_field, noise=None,
                             window="tukey", taper: float = 0.1, frequency_range=None
                             ) -> tuple[Float[np.ndarray, " m"], Complex[np.ndarray, " m"], Complex[np.ndarray, " m"]]:
    """t(ω) and its standard errors δt = δ(Re t) + iδ(Im t) from the trace noise.

    Same arguments as :func:`transmission_noise`; the errors are that noise model evaluated at the measured t
    (for plots and inversions; fits are better given the :class:`TransmissionNoise` itself).
    """
    freq, trans, model = transmission_noise(sample_times, sample_field, reference_times, reference_field, noise,
                                            window, taper, frequency_range)
    return freq, trans, model.uncertainty(trans)


def read_trace(path) -> tuple[Float[np.ndarray, " n"], Float[np.ndarray, " n"]]:
    """A two-column text trace: time in ps, field in any unit (comma or white-space separated, ``#``
    comments).  Extra columns are read as further scans.  Returns (times, field) with field 1-D for one
    scan and (n_scans, n_times) otherwise; the grid and values are validated (:func:`check_times`)."""
    path = Path(path)
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        parts = text.replace(",", " ").split()
        try:
            values = [float(p) for p in parts]
        except ValueError:
            raise InputError(f"{path}: line {number}: {text!r} is not allowed: numbers only (time in ps, field)") from None
        if len(values) < 2 or (rows and len(values) != len(rows[0])):
            raise InputError(f"{path}: line {number} has {len(values)} values: every line needs the same number "
                             "(≥ 2: time in ps, then one field value per scan)")
        rows.append(values)
    if not rows:
        raise InputError(f"{path}: no data lines (expected two columns: time in ps, field)")
    data = np.asarray(rows)
    times = check_times(f"{path.name}: time column", data[:, 0])
    field = check_field(f"{path.name}: field column", data[:, 1:].T, times.size)
    return times, field[0] if field.shape[0] == 1 else field
