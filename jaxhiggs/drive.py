"""Drives: THz pulses given by their electric field, measured waveforms, and coupling quenches.

Every drive provides the homogeneous vector potential A(t) in V·s/m and the field
E(t) = −∂A/∂t, as functions of the internal time t (ħ/meV).  Users construct them
in lab units (kV/cm, THz, ps); conversions go through :mod:`jaxhiggs.units`.
Drives add with ``+`` (pump + probe, pulse + quench).
"""

from __future__ import annotations

from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import erf
from jaxtyping import Array, Float

from . import units
from ._validate import InputError, check, fail, is_concrete, show


#: Default of :meth:`Drive.field_end`: the field counts as ended where A(t) < 1e-16 of its amplitude
#: (a Gaussian pulse: 8.58 τ after its centre).
FIELD_END_THRESHOLD = 1e-16


def _one_number(name, value, unit="", allowed="a finite number"):
    """One concrete drive parameter must be a single, real, finite number (traced values pass: sweeps and fits
    vmap and differentiate drives; a batch of pulses is a sweep's axis, not an array inside one pulse)."""
    check(np.isfinite, name, value, f"{allowed}{f' ({unit})' if unit else ''}", unit=unit, scalar=True)


def _check_derived(derived, internal, inputs, what):
    """Refuse finite inputs whose internal value ``internal`` overflows to ±inf/NaN, or underflows to 0 while
    the first input is non-zero (a pulse of 1e-300 ps, a field of 1e308 kV/cm): the drive would silently be
    NaN, infinite or absent.  ``inputs``: (name, value, unit) of the parameters it is made from, the one it
    scales with first (its value is shown, the others' too); ``derived``: its name.  Concrete values only."""
    if not is_concrete(internal, [v for _, v, _ in inputs]):
        return
    value = np.asarray(internal)
    nonzero = bool(np.all(np.asarray(inputs[0][1]) != 0))
    if np.all(np.isfinite(value)) and not (nonzero and np.any(value == 0)):
        return
    name, first, unit = inputs[0]
    others = ", ".join(f"{n} = {show(v)}{f' {u}' if u else ''}" for n, v, u in inputs[1:])
    problem = "underflows to 0" if np.all(np.isfinite(value)) else f"is {show(value)}"
    raise fail(name, first, f"{what}: {derived}{f' (with {others})' if others else ''} {problem} in double "
               "precision", unit=unit)


class Drive(eqx.Module):
    """Base class of all drives (internal units: t in ħ/meV, A in V·s/m)."""

    def vector_potential(self, t) -> Float[Array, "..."]:
        """A(t) in V·s/m at internal time ``t`` (ħ/meV)."""
        raise NotImplementedError

    def electric_field(self, t) -> Float[Array, "..."]:
        """E(t) = −∂A/∂t in internal units (V·s/m per ħ/meV); ``units.internal_to_field`` → kV/cm."""
        t = jnp.asarray(t, dtype=float)
        _, dadt = jax.jvp(jnp.vectorize(self.vector_potential), (t,), (jnp.ones_like(t),))
        return -dadt

    def components(self) -> tuple["Drive", ...]:
        return (self,)

    def quench(self) -> "Quench | None":
        """The quench among the components, if any (at most one)."""
        quenches = [c for c in self.components() if isinstance(c, Quench)]
        if len(quenches) > 1:
            raise ValueError(f"a drive may contain at most one Quench, got {len(quenches)}")
        return quenches[0] if quenches else None

    def support(self) -> tuple[float, float] | None:
        """(start, end) internal times outside which A is constant (None: no field)."""
        spans = [c._own_support() for c in self.components()]
        spans = [s for s in spans if s is not None]
        if not spans:
            return None
        return min(s[0] for s in spans), max(s[1] for s in spans)

    def field_end(self, threshold=FIELD_END_THRESHOLD):
        """Internal time (ħ/meV) from which A(t) stays below ``threshold`` × its amplitude (array; traceable;
        the default: A has vanished to double precision), or None when the drive has no such end: a quench
        or coupling pulse, no field, or a waveform whose A(t) stays at a static value.  Models with a
        closed-form free evolution take over from there (``solve`` sets the threshold from the solve's
        rtol: :func:`jaxhiggs.solve.field_end_threshold`).  A waveform ends at its last sample whatever the
        threshold."""
        ends = [c._own_field_end(threshold) for c in self.components()]
        if not ends or any(e is None for e in ends):
            return None
        end = ends[0]
        for e in ends[1:]:
            end = jnp.maximum(end, e)
        return end

    def max_frequency(self) -> float:
        """Highest significant angular frequency of E(t), meV (i.e. rad per ħ/meV)."""
        return max([c._own_max_frequency() for c in self.components()] + [0.0])

    def switched_on(self, t) -> float:
        """How far the drive is already on at internal time ``t``: its envelope there (or the largest
        field before ``t``) as a fraction of its peak, max over components (0: not yet on)."""
        return max([float(c._own_switched_on(t)) for c in self.components()] + [0.0])

    def _own_support(self):
        return None

    def _own_max_frequency(self):
        return 0.0

    def _own_field_end(self, threshold):
        return None

    def _own_switched_on(self, t):
        return 0.0

    def fluence(self, n_per_period: int = 40) -> float:
        """Fluence c ε₀ ∫E² dt of the whole drive in µJ/cm² (trapezoid rule)."""
        span = self.support()
        if span is None:
            return 0.0
        wmax = max(self.max_frequency(), 1e-3)
        n = int(max(2000, n_per_period * (span[1] - span[0]) * wmax / (2 * np.pi)))
        t = jnp.linspace(span[0], span[1], n)
        e_si = self.electric_field(t) / units.TIME_UNIT_S  # V/m
        integral = jnp.trapezoid(e_si**2, t * units.TIME_UNIT_S)
        return float(units.j_per_m2_to_uj_per_cm2(units.fluence_j_per_m2(integral)))

    def __add__(self, other: "Drive") -> "DriveSum":
        if not isinstance(other, Drive):
            return NotImplemented
        return DriveSum(self.components() + other.components())


class DriveSum(Drive):
    """A sum of drives, e.g. pump + probe; A(t) is the sum of the components' A(t)."""

    drives: tuple[Drive, ...]

    def __init__(self, drives):
        if isinstance(drives, Drive):
            drives = (drives,)
        if not isinstance(drives, (tuple, list)) or not drives or not all(isinstance(d, Drive) for d in drives):
            raise InputError(f"drives = {show(drives) if isinstance(drives, (tuple, list, str)) else type(drives).__name__}"
                             " is not allowed: give a non-empty tuple of jaxhiggs drives (GaussianPulse, Waveform, "
                             "Quench, …), or add drives with +")
        self.drives = tuple(drives)

    def vector_potential(self, t):
        return sum(d.vector_potential(t) for d in self.drives)

    def components(self):
        return tuple(c for d in self.drives for c in d.components())


def _unit_pulse(s, tau, omega, phase):
    """Envelope-times-carrier shape with unit amplitude, s = t − t0 (internal)."""
    return jnp.exp(-(s**2) / (2.0 * tau**2)) * jnp.cos(omega * s + phase)


def _refined_max(values):
    """Largest of the samples ``values`` (≥ 0, on a uniform grid), refined by a parabola through the best point."""
    i = jnp.clip(jnp.argmax(values), 1, values.shape[0] - 2)
    y0, y1, y2 = values[i - 1], values[i], values[i + 1]
    denom = y0 - 2 * y1 + y2
    shift = jnp.where(denom != 0, 0.5 * (y0 - y2) / denom, 0.0)
    return y1 - 0.25 * (y0 - y2) * shift


# jitted: op by op, the grid evaluation and its gradient dispatched ~2 s of small compilations at the first pulse
@jax.jit
def _peak_of_unit_field(tau, omega, phase):
    """max_t |∂_t shape|, from a dense grid refined by a parabola through the best point."""
    s = jnp.linspace(-6.0, 6.0, 12001) * tau
    return _refined_max(jnp.abs(jax.vmap(jax.grad(lambda x: _unit_pulse(x, tau, omega, phase)))(s)))


@jax.jit
def _peak_of_unit_potential(tau, omega, phase):
    """max_t |shape| (the peak of |A(t)| for A₀ = 1), dense grid refined by a parabola; ≤ 1."""
    s = jnp.linspace(-6.0, 6.0, 12001) * tau
    return jnp.minimum(_refined_max(jnp.abs(_unit_pulse(s, tau, omega, phase))), 1.0)


#: Meanings of a vector-potential amplitude (:meth:`GaussianPulse.from_vector_potential`).
AMPLITUDE_CONVENTIONS = ("peak", "envelope")


class GaussianPulse(Drive):
    """Gaussian-envelope THz pulse A(t) = A₀ exp(−(t−t₀)²/2τ²) cos(Ω(t−t₀) + φ).

    Args (lab units):
        peak_field: maximum of |E(t)| in kV/cm; A₀ follows exactly from it.
        frequency: carrier frequency Ω/2π in THz (0 gives the single-cycle pulse
            whose E = −∂A/∂t is one cycle of a derivative of a Gaussian).
        duration: τ, the r.m.s. width of the amplitude envelope of A in ps
            (seed 000 convention; FWHM of the envelope = 2.3548 τ).
        center: t₀ in ps.
        phase: carrier phase φ at t₀, in rad.

    Internally: ``amplitude`` A₀ (V·s/m), ``omega`` (meV), ``tau``, ``t0`` (ħ/meV).
    The seed-000 reference pulse A₀ e^{−(t−t₀)²/2τ²} cos(Ωt) is ``phase = Ω t₀``.
    """

    amplitude: Float[Array, ""]
    omega: Float[Array, ""]
    tau: Float[Array, ""]
    t0: Float[Array, ""]
    phase: Float[Array, ""]

    def __init__(self, peak_field, frequency, duration, center, phase=0.0):
        # one pulse: single numbers (a batch of pulses is a sweep's axis, not an array inside one pulse)
        check(lambda x: x >= 0, "peak_field", peak_field, "a finite peak field ≥ 0 kV/cm", unit="kV/cm", scalar=True)
        check(lambda x: x >= 0, "frequency", frequency, "a finite carrier frequency ≥ 0 THz", unit="THz", scalar=True)
        check(lambda x: x > 0, "duration", duration, "a finite pulse duration > 0 ps", unit="ps", scalar=True)
        _one_number("center", center, "ps")
        _one_number("phase", phase, "rad")
        self.omega = jnp.asarray(units.thz_to_mev(frequency), dtype=float)
        self.tau = jnp.asarray(units.ps_to_internal(duration), dtype=float)
        self.t0 = jnp.asarray(units.ps_to_internal(center), dtype=float)
        self.phase = jnp.asarray(phase, dtype=float)
        _check_derived("τ", self.tau, [("duration", duration, "ps")], "a pulse duration of a physical size")
        _check_derived("t₀", self.t0, [("center", center, "ps")], "a pulse centre of a physical size")
        _check_derived("Ω", self.omega, [("frequency", frequency, "THz")], "a carrier frequency of a physical size")
        unit_peak = _peak_of_unit_field(self.tau, self.omega, self.phase)
        self.amplitude = units.field_to_internal(jnp.asarray(peak_field, dtype=float)) / unit_peak
        _check_derived("the vector-potential amplitude A₀", self.amplitude,
                       [("peak_field", peak_field, "kV/cm"), ("frequency", frequency, "THz"),
                        ("duration", duration, "ps")], "a peak field, frequency and duration of a physical size")

    @classmethod
    def from_vector_potential(cls, amplitude, frequency, duration, center, phase=0.0,
                              amplitude_is: str = "peak") -> "GaussianPulse":
        """Same pulse given by a vector-potential amplitude in V·s/m (as in seeds 000/004).

        ``amplitude_is`` says what ``amplitude`` is:

        * ``"peak"`` (default): the maximum of |A(t)| over time.  This is how the seed-000
          authors (Haenel et al.) normalise their pulses — their 0.5e-8 V·s/m is max|A(t)| — and,
          for a carrier in phase with the envelope (``phase = 0``, Krull et al.'s eq. 5), it is the
          same number as the envelope amplitude.
        * ``"envelope"``: the prefactor A₀ of A(t) = A₀ exp(−(t−t₀)²/2τ²) cos(Ω(t−t₀) + φ).

        The two differ when the carrier is not at its maximum at the envelope's centre: for the
        seed-000 pump (Ω τ ≈ 0.2, φ = Ω t₀ ≈ −1.6 rad) max|A| is 0.146 A₀ (0.1464), so reading 0.5e-8
        V·s/m as A₀ gives a pulse 6.8× weaker (a gap drop, ∝ A², 46.7× smaller) than the paper's.
        """
        _one_number("amplitude", amplitude, "V·s/m")
        if amplitude_is not in AMPLITUDE_CONVENTIONS:
            raise InputError(f"amplitude_is = {amplitude_is!r} is not allowed: one of {AMPLITUDE_CONVENTIONS} "
                             "(the peak of |A(t)| or the prefactor A₀ of the Gaussian envelope)")
        pulse = cls(1.0, frequency, duration, center, phase)
        a0 = jnp.asarray(amplitude, dtype=float)
        if amplitude_is == "peak":
            a0 = a0 / _peak_of_unit_potential(pulse.tau, pulse.omega, pulse.phase)
        _check_derived("the envelope amplitude A₀", a0, [("amplitude", amplitude, "V·s/m"),
                       ("frequency", frequency, "THz"), ("duration", duration, "ps")],
                       "an amplitude, frequency and duration of a physical size")
        return eqx.tree_at(lambda p: p.amplitude, pulse, a0)

    @property
    def peak_vector_potential(self):
        """max_t |A(t)| in V·s/m (≤ the envelope amplitude ``amplitude`` = A₀)."""
        return jnp.abs(self.amplitude) * _peak_of_unit_potential(self.tau, self.omega, self.phase)

    @property
    def peak_field(self):
        """max |E(t)| in kV/cm."""
        return units.internal_to_field(self.amplitude * _peak_of_unit_field(self.tau, self.omega, self.phase))

    def vector_potential(self, t):
        return self.amplitude * _unit_pulse(t - self.t0, self.tau, self.omega, self.phase)

    def _own_support(self):
        # The envelope is below 1e-8 of its peak beyond 6.07 τ.
        t0, tau = float(self.t0), float(self.tau)
        return t0 - 6.5 * tau, t0 + 6.5 * tau

    def _own_max_frequency(self):
        return float(self.omega) + 4.0 / float(self.tau)

    def _own_field_end(self, threshold):
        # the envelope exp(−s²/2τ²) is below the threshold from s = √(2 ln(1/threshold)) τ on
        return self.t0 + jnp.sqrt(-2.0 * jnp.log(threshold)) * self.tau

    def _own_switched_on(self, t):
        # the envelope, not A(t) (which may vanish by its carrier phase); past the centre: fully on
        s = (float(t) - float(self.t0)) / float(self.tau)
        return 1.0 if s >= 0 or float(self.amplitude) == 0 else float(np.exp(-0.5 * s * s))


def SingleCyclePulse(peak_field, duration, center) -> GaussianPulse:
    """Single-cycle pulse A = A₀ e^{−(t−t₀)²/2τ²}: E(t) is exactly one cycle (kV/cm, ps, ps)."""
    return GaussianPulse(peak_field, 0.0, duration, center)


class Waveform(Drive):
    """A measured field E(t), interpolated by a cubic spline and integrated exactly to A(t).

    A(t) = −∫_{t_first}^{t} E dt' is zero before the first sample and constant after the
    last (a waveform with ∫E dt ≠ 0 leaves a static A).  ``scale`` multiplies the field
    (fluence sweeps scale it by sqrt of the fluence ratio).

    The highest significant frequency (for the check of the saved-time spacing) is judged by
    the spectral content, not the sample spacing: the frequency below which
    :data:`SPECTRAL_FRACTION` of the power of E lies, so an oversampled trace (1 fs samples
    of a 0.5 THz pulse) does not force fs saved times.

    Internally: ``knots`` (internal time), ``coefficients`` of A in each interval
    (powers 4..0 of t − knot, V·s/m), ``scale``, ``spectral_limit`` (meV, static).
    """

    knots: Float[Array, " m"]
    coefficients: Float[Array, "5 m_minus_1"]
    scale: Float[Array, ""]
    spectral_limit: float = eqx.field(static=True, default=0.0)

    #: fraction of the spectral power of E below :attr:`spectral_limit`
    SPECTRAL_FRACTION = 0.9999

    def __init__(self, times, field, scale=1.0):
        """``times`` in ps (strictly increasing, ≥ 4 samples), ``field`` in kV/cm: real numbers (True/False,
        text and complex samples are refused: a complex trace's imaginary part would be dropped, so pass the
        real part yourself); ``scale`` one number ≥ 0."""
        from scipy.interpolate import CubicSpline

        # real numbers only: True/False or "0.5" would be read as numbers, and a complex field would lose its
        # imaginary part (NumPy only warns); a complex trace is a mistake to fix, not to guess: pass .real
        # (or the quadrature you mean) yourself
        for name, value, unit in (("times", times, "ps"), ("field", field, "kV/cm")):
            _real_samples(name, value, unit)
        times = np.asarray(times, dtype=float)
        field = np.asarray(field, dtype=float)
        if times.ndim != 1 or times.shape != field.shape or times.size < 4:
            raise InputError(
                f"times/field shapes {times.shape}/{field.shape} are not allowed: give two 1-D arrays of equal "
                "length ≥ 4"
            )
        for name, values, unit in (("times", times, "ps"), ("field", field, "kV/cm")):
            if not np.all(np.isfinite(values)):
                i = int(np.argmax(~np.isfinite(values)))
                raise fail(f"{name}[{i}]", values[i], f"finite samples ({unit}), no NaN or inf", unit=unit)
        if np.any(np.diff(times) <= 0):
            i = int(np.argmax(np.diff(times) <= 0))
            raise fail(f"times[{i + 1}]", times[i + 1], "waveform times must be strictly increasing", unit="ps")
        check(lambda x: x >= 0, "scale", scale, "a finite field scale ≥ 0", scalar=True)
        t_int = units.ps_to_internal(times)
        e_int = units.field_to_internal(field)
        spline = CubicSpline(t_int, e_int)
        a_poly = spline.antiderivative()
        # A = −∫E; antiderivative is zero at the first knot.
        self.knots = jnp.asarray(t_int)
        self.coefficients = -jnp.asarray(a_poly.c)
        self.scale = jnp.asarray(scale, dtype=float)
        self.spectral_limit = _spectral_limit(spline, t_int, self.SPECTRAL_FRACTION)

    @classmethod
    def from_file(cls, path, scale=1.0) -> "Waveform":
        """Two columns (time in ps, electric field in kV/cm); '#' comments and commas allowed."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"waveform file {path} does not exist" if not path.exists()
                                    else f"waveform file {path} is not a file")
        rows = []
        for number, line in enumerate(path.read_text().splitlines(), 1):
            text = line.split("#", 1)[0].replace(",", " ").split()
            if not text:
                continue
            try:
                values = [float(x) for x in text]
            except ValueError:
                values = None
            if values is None or len(values) != 2 or not all(np.isfinite(values)):
                raise InputError(
                    f"waveform file {path}, line {number}: {line.strip()!r} is not allowed: two columns of finite "
                    "numbers (time in ps, field in kV/cm; no NaN or inf)"
                )
            rows.append(values)
        if len(rows) < 4:
            raise InputError(f"waveform file {path} has {len(rows)} data line(s): at least 4 are needed (two columns: "
                             "time in ps, field in kV/cm)")
        data = np.asarray(rows)
        return cls(data[:, 0], data[:, 1], scale=scale)

    def vector_potential(self, t):
        t = jnp.asarray(t, dtype=float)
        m = self.knots.shape[0]
        tc = jnp.clip(t, self.knots[0], self.knots[-1])
        i = jnp.clip(jnp.searchsorted(self.knots, tc, side="right") - 1, 0, m - 2)
        x = tc - self.knots[i]
        c = self.coefficients[:, i]
        a = (((c[0] * x + c[1]) * x + c[2]) * x + c[3]) * x + c[4]
        return self.scale * a

    def _own_support(self):
        return float(self.knots[0]), float(self.knots[-1])

    def _own_field_end(self, threshold):
        # A is constant after the last sample: an end only where that constant is zero (checked on concrete
        # coefficients; a traced waveform is a scaled copy of a checked one inside sweeps and fits)
        if is_concrete(self.coefficients):
            c = np.asarray(self.coefficients)
            final = abs(float(np.sum(c[:, -1] * np.diff(np.asarray(self.knots))[-1] ** np.arange(4, -1, -1))))
            if final > 1e-14 * float(np.max(np.abs(c[4]))):
                return None
        return self.knots[-1]

    def _own_max_frequency(self):
        if self.spectral_limit > 0:
            return float(self.spectral_limit)
        return float(np.pi / np.min(np.diff(np.asarray(self.knots))))  # built without __init__

    def _own_switched_on(self, t):
        # the largest field sample before t, relative to the largest overall (E at the knots = −c₃)
        knots = np.asarray(self.knots)
        e = np.abs(np.asarray(self.coefficients)[3])
        peak = float(np.max(e)) if e.size else 0.0
        before = e[knots[:-1] < float(t)]
        return 0.0 if peak == 0 or before.size == 0 else float(np.max(before)) / peak


def _real_samples(name, value, unit):
    """Refuse samples that are not real numbers (strings, True/False, complex, objects), naming their kind."""
    kind = None
    if isinstance(value, (str, bytes, dict, set)) or value is None:
        kind = f"a {type(value).__name__}"
    else:
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError):  # ragged lists and the like
            arr = None
        if arr is None or arr.dtype == object or arr.dtype.kind not in "iufbcUS":
            kind = "samples that are not numbers" if arr is None else f"samples of type {arr.dtype}"
        elif arr.dtype.kind in "US":
            kind = "text, not numbers"
        elif arr.dtype.kind == "b":
            kind = "True/False samples"
        elif arr.dtype.kind == "c":
            kind = "complex samples (pass the real part, .real, yourself if that is what you mean)"
    if kind is not None:
        text = show(value)
        text = text if len(text) <= 60 else f"{type(value).__name__}(…)"
        raise InputError(f"{name} = {text} is not allowed: a 1-D array of real numbers ({unit}); got {kind}")


def _spectral_limit(spline, knots, fraction: float, max_points: int = 1 << 21) -> float:
    """Angular frequency (meV) below which ``fraction`` of the power of the spline's E(t) lies."""
    span = float(knots[-1] - knots[0])
    step = max(float(np.min(np.diff(knots))), span / max_points)
    n = int(span / step) + 1
    t = np.linspace(knots[0], knots[-1], n)
    e = spline(t)
    power = np.abs(np.fft.rfft(e, n=2 * n)) ** 2
    total = float(np.sum(power))
    if not total > 0:
        return 0.0
    omega = 2 * np.pi * np.fft.rfftfreq(2 * n, d=t[1] - t[0])
    cumulative = np.cumsum(power) / total
    k = min(int(np.searchsorted(cumulative, fraction)), omega.size - 1)
    return float(omega[k])


class Quench(Drive):
    """Sudden change of the pairing couplings at ``time`` (ps); no field.

    Args:
        final_gap: the T = 0 gap (meV) whose couplings act after the quench: a scalar
            sets band 1 (other bands keep their targets and v), a sequence sets every band.
        coupling_scale: alternatively, element-wise factors q_ij with U'_ij = q_ij U_ij
            (a scalar scales the whole matrix).
        time: quench time in ps.
    """

    final_gap: Float[Array, "..."] | None
    coupling_scale: Float[Array, "..."] | None
    time: Float[Array, ""]

    def __init__(self, final_gap=None, coupling_scale=None, time=0.0):
        if (final_gap is None) == (coupling_scale is None):
            raise InputError("Quench needs exactly one of final_gap (meV) or coupling_scale")
        if final_gap is not None:
            allowed = "a finite final gap > 0 meV (and < ω_D): one number, or one per band"
            check(lambda x: x > 0, "final_gap", final_gap, allowed, unit="meV")
            _check_ndim("final_gap", final_gap, 1, allowed, "meV")
        else:
            allowed = ("finite factors > 0 (a zero or negative factor makes the pairing vanish or repulsive): one "
                       "number, one per band or a matrix")
            check(lambda x: x > 0, "coupling_scale", coupling_scale, allowed)
            _check_ndim("coupling_scale", coupling_scale, 2, allowed)
        _one_number("time", time, "ps")
        self.final_gap = None if final_gap is None else jnp.asarray(final_gap, dtype=float)
        self.coupling_scale = None if coupling_scale is None else jnp.asarray(coupling_scale, dtype=float)
        self.time = jnp.asarray(units.ps_to_internal(time), dtype=float)
        _check_derived("the internal time", self.time, [("time", time, "ps")], "a quench time of a physical size")

    def vector_potential(self, t):
        return jnp.zeros_like(jnp.asarray(t, dtype=float))

    def final_couplings(self, couplings, target_gaps, v, pair_sum_at):
        """U' after the quench; ``pair_sum_at(gaps)`` gives the grid's T = 0 pair sums."""
        from .equilibrium import check_couplings, couplings_from_gaps

        if self.coupling_scale is not None:
            return self.coupling_scale * couplings
        final = jnp.broadcast_to(self.final_gap, ()) if self.final_gap.ndim == 0 else self.final_gap
        if final.ndim == 0:
            final = target_gaps.at[0].set(final)
        if final.shape != target_gaps.shape:
            raise ValueError(
                f"final_gap has {final.shape[0]} entries: give a scalar or one gap per band ({target_gaps.shape[0]})"
            )
        u = couplings_from_gaps(final, v, pair_sum_at(final))
        check_couplings(u)
        return u


def _check_ndim(name, value, most, allowed, unit=""):
    if is_concrete(value) and np.ndim(value) > most:
        raise fail(name, value, f"{allowed} (got an array of shape {np.shape(value)})", unit=unit)


class NoDrive(Drive):
    """No field and no quench: the equilibrium evolves freely (it must stay stationary)."""

    def vector_potential(self, t):
        return jnp.zeros_like(jnp.asarray(t, dtype=float))


#: Shapes of a :class:`CouplingPulse`.
COUPLING_SHAPES = ("gaussian", "step")


class CouplingPulse(Drive):
    """A smooth time-dependent change of the pairing coupling, λ(t) = λ·[1 + a·g(t)]; no field.

    The coupling of every band is multiplied by 1 + a·g(t) on top of whatever coupling acts at t
    (the equilibrium one, or the final one after a :class:`Quench`), with

    * ``shape="gaussian"``: g(t) = exp(−(t−t₀)²/2τ²), a pulse of the coupling (δλ/λ = a at t₀,
      back to λ afterwards); its spectrum is a·√(2π) τ e^{−ω²τ²/2} e^{iωt₀} in the Fourier
      convention f(ω) = ∫dt f(t) e^{iωt} of :mod:`jaxhiggs.response`;
    * ``shape="step"``: g(t) = [1 + erf((t−t₀)/(√2 τ))]/2, a quench λ → λ(1 + a) spread over a
      Gaussian of r.m.s. width τ (dg/dt is that Gaussian, normalised; τ → 0 is the sudden quench).

    This is the drive under which the linear Schmid–Higgs susceptibility is defined
    (:mod:`jaxhiggs.response.schmid_higgs`): to first order in a, δΔ(ω) = χ(ω)·(Δ/λ)·a·g(ω), i.e.
    the source is δλ(t)·Δ/λ².  Only models whose self-consistency takes a time-dependent coupling
    accept it (:class:`~jaxhiggs.models.DisorderedPseudospin`); others refuse it.

    Args:
        amplitude: a = δλ/λ, dimensionless, finite and > −1 (the coupling stays attractive).
        duration: τ in ps, > 0 (r.m.s. width of g for a pulse, of dg/dt for a step).
        center: t₀ in ps.
        shape: ``"gaussian"`` (default) or ``"step"``.

    Internally: ``amplitude``, ``tau``, ``t0`` (ħ/meV), ``shape`` (static).
    """

    amplitude: Float[Array, ""]
    tau: Float[Array, ""]
    t0: Float[Array, ""]
    shape: str = eqx.field(static=True, default="gaussian")

    def __init__(self, amplitude, duration, center, shape: str = "gaussian"):
        check(lambda x: x > -1, "amplitude", amplitude,
              "a relative coupling change δλ/λ > −1 (finite; at −1 or below the pairing vanishes or turns repulsive)",
              scalar=True)
        check(lambda x: x > 0, "duration", duration, "a finite width τ > 0 ps", unit="ps", scalar=True)
        _one_number("center", center, "ps")
        if shape not in COUPLING_SHAPES:
            raise InputError(f"shape = {shape!r} is not allowed: one of {COUPLING_SHAPES} (a pulse of the coupling "
                             "or a smooth step of it)")
        self.amplitude = jnp.asarray(amplitude, dtype=float)
        self.tau = jnp.asarray(units.ps_to_internal(duration), dtype=float)
        self.t0 = jnp.asarray(units.ps_to_internal(center), dtype=float)
        self.shape = shape
        _check_derived("τ", self.tau, [("duration", duration, "ps")], "a width of a physical size")
        _check_derived("t₀", self.t0, [("center", center, "ps")], "a centre of a physical size")

    def vector_potential(self, t):
        return jnp.zeros_like(jnp.asarray(t, dtype=float))

    def profile(self, t) -> Float[Array, "..."]:
        """g(t) at internal time ``t`` (ħ/meV), dimensionless, between 0 and 1."""
        s = (jnp.asarray(t, dtype=float) - self.t0) / self.tau
        if self.shape == "step":
            return 0.5 * (1.0 + erf(s / np.sqrt(2.0)))
        return jnp.exp(-0.5 * s**2)

    def relative_change(self, t) -> Float[Array, "..."]:
        """δλ(t)/λ = a·g(t) at internal time ``t``."""
        return self.amplitude * self.profile(t)

    def _own_support(self):
        # g (or 1 − g for a step) is below 1e-9 beyond 6.5 τ
        t0, tau = float(self.t0), float(self.tau)
        return t0 - 6.5 * tau, t0 + 6.5 * tau

    def _own_max_frequency(self):
        return 4.0 / float(self.tau)  # |g(ω)| (or |ω g(ω)| for a step) is e^{−8} of its peak there

    def _own_switched_on(self, t):
        if float(self.amplitude) == 0:
            return 0.0
        s = (float(t) - float(self.t0)) / float(self.tau)
        return 1.0 if s >= 0 else float(np.exp(-0.5 * s * s))


def coupling_pulses(drive: Drive) -> tuple[CouplingPulse, ...]:
    """The drive's :class:`CouplingPulse` components."""
    return tuple(c for c in drive.components() if isinstance(c, CouplingPulse))


def relative_coupling(pulses: tuple[CouplingPulse, ...], t) -> Float[Array, "..."]:
    """λ(t)/λ = 1 + Σ_k a_k g_k(t) over coupling pulses (see :func:`coupling_pulses`); 1 for none."""
    return jnp.asarray(1.0 + sum(p.relative_change(t) for p in pulses), dtype=float)


def check_coupling_stays_attractive(drive: Drive) -> None:
    """Several coupling pulses together must keep λ(t)/λ > 0 (each alone does, by its amplitude > −1).

    Checked on concrete values only, on a grid of 0.05 τ over the pulses' common support."""
    pulses = coupling_pulses(drive)
    negative = [p for p in pulses if is_concrete(p.amplitude) and float(p.amplitude) < 0]
    if len(pulses) < 2 or not negative or not is_concrete(pulses):
        return
    lo, hi = drive.support()
    step = 0.05 * min(float(p.tau) for p in pulses)
    t = np.linspace(lo, hi, int(min((hi - lo) / step, 200_000)) + 2)
    ratio = np.asarray(relative_coupling(pulses, t))
    if ratio.min() <= 0:
        when = float(units.internal_to_ps(t[int(np.argmin(ratio))]))
        raise fail("coupling pulses' sum 1 + Σ a g(t)", float(ratio.min()), f"> 0 at all times (reached at "
                   f"t = {when:.4g} ps): together the pulses make the pairing vanish or repulsive")


__all__ = ["CouplingPulse", "Drive", "DriveSum", "GaussianPulse", "NoDrive", "Quench", "SingleCyclePulse", "Waveform"]
