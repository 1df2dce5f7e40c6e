"""Fits of non-equilibrium THz data with the Mattis–Bardeen simulation: pump–probe maps and THG.

Entry points (both return the usual :class:`~jaxhiggs.fit.FitResult`, with the least-squares machinery,
covariance and warnings of :func:`jaxhiggs.fit.fit_global`):

* :func:`fit_pump_probe` — a measured pump–probe map σ(δt, ν) (δt in ps, ν in THz, complex), either the
  pump-induced change Δσ (``signal="delta"``, parameters ``gap``, ``gamma``, ``scale``) or the full probe
  conductivity σ = σ_eq + Δσ (``signal="sigma"``, parameters ``gap``, ``gamma``, ``sigma_n``, ``fluence``).
* :func:`fit_thg_simulated` — THG intensity |j(3Ω)|² vs drive frequency (``axis="frequency"``), vs
  temperature at a fixed drive frequency (``axis="temperature"``) or vs pump fluence
  (``axis="fluence"``); parameters ``gap``, ``gamma``, ``scale``.
* :func:`fit_leggett_pump_probe` — a pump–probe trace S(δt) of a clean two-band superconductor through the
  clean pseudospin simulation (Higgs and Leggett modes): S = ``scale_1`` δ|Δ₁| + ``scale_2`` δ|Δ₂|, parameters
  ``gap_1``, ``gap_2``, ``v``, ``scale_1``, ``scale_2``.

The model curves come from :mod:`jaxhiggs.fit.simulation` (one-band Mattis–Bardeen, third order in A,
small grid: :class:`~jaxhiggs.fit.simulation.SimulationGrid`; clean two-band pseudospins:
:class:`~jaxhiggs.fit.simulation.PseudospinGrid`), and the Jacobian of the residuals is
``jax.jacfwd`` through the fixed-step diffrax solves (``ForwardMode`` adjoint): with 3–4 parameters and
10²–10³ residuals, 3–4 tangent solves per Jacobian are far cheaper than one reverse sweep per residual.

``gap`` is Δ(0) in meV (at T > 0 the model uses Δ(T) from the gap equation on its own energy grid),
``gamma`` the impurity rate ħ/τ in meV.  Amplitudes: the absolute THz field at the sample and σ_n are
rarely known, so every data set has a free amplitude: Δσ = ``scale`` · Δσ_MB/σ₀ (``scale`` = σ_n (E/E_nom)²
in data units, E_nom the peak field of ``pump``), σ = ``sigma_n`` · [σ_eq + ``fluence`` · Δσ_MB]/σ₀, and
I_THG = ``scale`` · |j₃(3Ω)/(σ₀A₀)|² (A₀ the drive's vector-potential amplitude).  When ``initial`` omits the amplitude it is set to its
least-squares value at the initial Δ, γ (one extra model evaluation).
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import ArrayLike, Complex, Float

from .. import units
from .._validate import InputError, check, check_type, fail
from ..drive import GaussianPulse
from ..parallel import device_map
from .least_squares import fit_global
from . import models as fit_models
from .data import _mask
from .models import FitModel
from .result import FitResult
from .simulation import PseudospinGrid, SimulationGrid, gap_modulation, pump_probe_map, pump_probe_times, thg_amplitude

__all__ = ["fit_leggett_pump_probe", "fit_pump_probe", "fit_thg_simulated", "leggett_model", "pump_probe_model",
           "thg_model"]

#: default grid of pump–probe fits: N_e = 32 on ±5 meV (recurrence time 6.6 ps), 0.04 ps steps
PUMP_PROBE_GRID = SimulationGrid(n_energies=32, omega_d=5.0, dt=0.04)
#: default grid of THG fits: N_e = 32 on ±3 meV (recurrence time 11 ps ≥ the ±3.5τ record of a 1.5 ps drive)
THG_GRID = SimulationGrid(n_energies=32, omega_d=3.0, dt=0.04)

#: default pump and probe: (peak field kV/cm, carrier THz, envelope τ ps, phase rad), near-single-cycle pulses
DEFAULT_PUMP = (0.1, 0.0, 0.35, 0.0)
DEFAULT_PROBE = (1.0, 0.0, 0.35, 0.0)

_SIGNALS = ("delta", "sigma")
_AXES = ("frequency", "temperature", "fluence")


# ----------------------------------------------------------------------------- validation helpers
def _vector(name: str, value, unit: str, positive: bool = False, increasing: bool = True) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise fail(name, value, f"a 1-D array of finite numbers in {unit}") from None
    if arr.ndim != 1 or arr.size < 1:
        raise InputError(f"{name} has shape {arr.shape} is not allowed: give a 1-D array of numbers in {unit}")
    bad = np.flatnonzero(~np.isfinite(arr) | ((arr <= 0) if positive else False))
    if bad.size:
        i = int(bad[0])
        raise fail(f"{name}[{i}]", arr[i], f"finite values{' > 0' if positive else ''} in {unit} (no NaN or inf)",
                   unit=unit)
    if increasing and arr.size > 1 and np.any(np.diff(arr) <= 0):
        i = int(np.argmax(np.diff(arr) <= 0)) + 1
        raise fail(f"{name}[{i}]", arr[i], f"strictly increasing values in {unit} (sorted, no repeats)", unit=unit)
    return arr


def _array_like(name: str, value, shape: tuple, complex_ok: bool = True) -> np.ndarray:
    try:
        arr = np.asarray(value)
        if arr.dtype.kind not in ("biufc" if complex_ok else "biuf"):
            raise TypeError
    except (TypeError, ValueError):
        raise fail(name, value, f"an array of numbers of shape {shape}") from None
    if arr.shape != shape:
        raise InputError(f"{name} has shape {arr.shape} is not allowed: it must have shape {shape} "
                         "(one row per delay, one column per frequency)" if len(shape) == 2 else
                         f"{name} has shape {arr.shape} is not allowed: it must have shape {shape}")
    flat = arr.reshape(-1)
    bad = np.flatnonzero(~np.isfinite(flat))
    if bad.size:
        idx = np.unravel_index(int(bad[0]), shape)
        where = ", ".join(str(int(i)) for i in idx)
        raise fail(f"{name}[{where}]", flat[bad[0]], "finite values (no NaN or inf)")
    return arr


def _uncertainty(value, shape: tuple):
    if value is None:
        return None
    try:
        arr = np.broadcast_to(np.asarray(value), shape)
    except ValueError:
        raise InputError(f"uncertainty has shape {np.shape(value)} is not allowed: it must broadcast to {shape}") from None
    parts = [arr.real, arr.imag] if np.iscomplexobj(arr) else [arr]
    for part in parts:
        bad = np.flatnonzero(~(np.isfinite(part) & (part > 0)).reshape(-1))
        if bad.size:
            raise fail("uncertainty (flat index " + str(int(bad[0])) + ")", arr.reshape(-1)[bad[0]],
                       "finite uncertainties > 0 (real part → σ₁/Re, imaginary part → σ₂/Im)")
    return arr


def _check_initial(initial, needed: Sequence[str], gaps: Sequence[str] = ("gap", "gamma")):
    if not isinstance(initial, Mapping):
        raise fail("initial", initial, "a dict of start values, e.g. {'gap': 1.3, 'gamma': 5.0} (meV)")
    for name in needed:
        if name not in initial:
            raise InputError(f"initial has no {name!r}: give a start value for it"
                             f"{' (meV)' if name.startswith(('gap', 'gamma')) else ''}")
    for name in gaps:  # the ranges of jaxhiggs.fit.models.LIMITS, as for the closed-form models
        fit_models.check_value(f"initial[{name!r}]", name, initial[name])


def _check_temperature(name, temperature_k, gap_mev):
    check(lambda t: t >= 0, name, temperature_k, "a finite temperature ≥ 0 K", unit="K")
    # weak-coupling BCS: k_B T_c = Δ(0)/1.764; the model's grid gap equation gives a T_c close to this
    t_c = float(units.mev_to_kelvin(gap_mev / 1.764))
    if float(np.max(temperature_k)) >= 0.95 * t_c:
        raise fail(name, float(np.max(temperature_k)),
                   f"temperatures below 0.95 T_c = {0.95 * t_c:.3g} K of the initial gap Δ(0) = {gap_mev:g} meV "
                   "(BCS T_c = Δ(0)/1.764 k_B); raise initial['gap'] or drop the data at and above T_c", unit="K")


def _pulse_key(name: str, pulse) -> tuple:
    """(peak field kV/cm, carrier THz, duration ps, phase rad) of a GaussianPulse: hashable (compile cache)."""
    check_type(name, pulse, GaussianPulse, "a jaxhiggs.GaussianPulse (its centre is ignored: the fit places it)")
    return (float(pulse.peak_field), float(units.mev_to_thz(pulse.omega)), float(units.internal_to_ps(pulse.tau)),
            float(pulse.phase))


def _pulse(key: tuple) -> GaussianPulse:
    peak, freq, duration, phase = key
    return GaussianPulse(peak, freq, duration, 0.0, phase)


def _amplitude_guess(fm: FitModel, initial: Mapping, x, temperature, data, err, *names: str) -> dict:
    """Least-squares amplitudes at the initial values of the other parameters: the model is linear in them
    jointly (one model evaluation per amplitude, each with that amplitude 1 and the others 0)."""
    base = dict(fm.defaults, **initial)
    cols = []
    for name in names:
        params = {k: jnp.asarray(v, dtype=float) for k, v in dict(base, **{n: float(n == name) for n in names}).items()}
        curve = np.asarray(jax.jit(lambda p: fm(p, x, temperature))(params))
        cols.append(np.concatenate([curve.real, curve.imag]) if fm.kind == "complex" else np.real(curve))
    a = np.stack(cols, axis=1)
    if fm.kind == "complex":
        data = np.concatenate([data.real, data.imag])
        err = None if err is None else np.concatenate([np.real(err), np.imag(err) if np.iscomplexobj(err) else np.real(err)])
    w = 1.0 if err is None else 1.0 / np.asarray(err, float)
    aw = a * np.reshape(w, (-1, 1)) if err is not None else a
    scale = np.linalg.norm(aw, axis=0)
    if not np.all(np.isfinite(aw)) or np.any(scale == 0) or np.linalg.matrix_rank(aw / scale) < len(names):
        raise InputError(f"the model is zero or degenerate in {names} at the initial values {dict(initial)}: cannot "
                         f"guess {', '.join(map(repr, names))}; give {'it' if len(names) == 1 else 'them'} in initial")
    coef = np.linalg.lstsq(aw, np.real(data) * w, rcond=None)[0]
    return {name: float(c) for name, c in zip(names, coef)}


# ----------------------------------------------------------------------------- pump–probe
@functools.lru_cache(maxsize=16)
def pump_probe_model(delays: tuple, frequency: tuple, signal: str = "delta", temperature: float = 0.0,
                     pump: tuple = None, probe: tuple = None, record: float = 2.5,
                     grid: SimulationGrid = PUMP_PROBE_GRID) -> FitModel:
    """The :class:`FitModel` of a pump–probe map (hashable arguments; one object per setting, so refits of
    new data reuse the compiled residuals).  ``x`` is the flattened map index (delay-major); the curve is
    the complex map, flattened.  ``pump``/``probe``: (peak field kV/cm, carrier THz, duration ps, phase).
    """
    pump = pump or DEFAULT_PUMP
    probe = probe or DEFAULT_PROBE
    d = np.asarray(delays, float)
    f = np.asarray(frequency, float)
    times, windows = pump_probe_times(d, pump[2], probe[2], record, grid)

    def fn(params, x, _temperature=0.0):
        pump_p, probe_p = _pulse(pump), _pulse(probe)  # built at trace time (eager pulse set-up is slow)
        s_eq, ds = pump_probe_map(params["gap"], params["gamma"], temperature, d, f, pump_p, probe_p, times, windows,
                                  grid)
        if signal == "delta":
            out = params["scale"] * ds
        else:
            out = params["sigma_n"] * (s_eq + params["fluence"] * ds)
        return out.reshape(-1)

    required = ("gap", "gamma", "scale") if signal == "delta" else ("gap", "gamma", "sigma_n", "fluence")
    return FitModel(f"mattis-bardeen pump-probe ({'Δσ' if signal == 'delta' else 'σ'})", fn, required, {},
                    kind="complex", x_label="map index (delay-major)",
                    y_labels=("Re Δσ", "Im Δσ") if signal == "delta" else ("σ₁", "σ₂"),
                    meta={"delays": d, "frequency": f, "grid": grid, "times": times,
                          "map": {"axes": (d, f), "labels": ("pump–probe delay δt (ps)", "probe frequency ν (THz)")}})


def fit_pump_probe(delays: Float[ArrayLike, " n_delays"], frequency: Float[ArrayLike, " n_freq"],
                   sigma: Complex[ArrayLike, "n_delays n_freq"], initial: Mapping, bounds: Mapping | None = None,
                   fixed: Sequence[str] = (), signal: str = "delta", temperature: float = 0.0,
                   pump: GaussianPulse | None = None, probe: GaussianPulse | None = None, record: float = 2.5,
                   grid: SimulationGrid = PUMP_PROBE_GRID, uncertainty=None, mask=None, **options) -> FitResult:
    """Fit a pump–probe conductivity map σ(δt, ν) with the Mattis–Bardeen model, through the solves.

    Physics: a weak probe arrives δt after the pump; its conductivity σ(δt, ν) = j(ν)/(iωA(ν)) (Fourier
    window moving with the probe, e^{−iωt} convention, Re σ ≥ 0 absorbing) is the equilibrium σ plus a
    pump-induced Δσ that oscillates in δt at the Higgs frequency 2Δ/h and decays — the oscillation fixes
    Δ, its damping and the spectral shape γ.  Model: one band, Mattis–Bardeen density matrices to third
    order in A (:mod:`jaxhiggs.fit.simulation`); Δσ ∝ A_pump² exactly, so the unknown pump strength is a
    free amplitude.

    Args:
        delays: pump–probe delays δt in ps (1-D, increasing; δt > 0: probe after pump).
        frequency: probe frequencies ν in THz (1-D, increasing, > 0).
        sigma: complex map, shape (n_delays, n_freq): Δσ (``signal="delta"``) or σ (``signal="sigma"``),
            any units (the amplitude is free).
        initial: start values: ``gap`` Δ(0) and ``gamma`` (meV) are required; ``scale`` (delta) or
            ``sigma_n`` (and ``fluence``, default 1) are guessed when absent.
        bounds, fixed: as :func:`jaxhiggs.fit.fit_conductivity`; default bounds Δ ∈ (0.5, 2)×initial,
            γ ∈ (0.2, 5)×initial, amplitudes (``scale``, ``sigma_n``, ``fluence``) within (0, 10)×initial.
        signal: ``"delta"`` (Δσ = scale·Δσ_MB/σ₀) or ``"sigma"`` (σ = sigma_n·(σ_eq + fluence·Δσ_MB)/σ₀).
        temperature: sample temperature in K (below T_c; Δ(T) from the gap equation).
        pump, probe: :class:`jaxhiggs.GaussianPulse` shapes (centres ignored); default: near-single-cycle
            pulses τ = 0.35 ps, the pump with peak field E_nom = 0.1 kV/cm (sets the unit of ``fluence``;
            the probe amplitude is 10⁻³ of the pump's whatever is given).
        record: ps of each delay's Fourier window after the probe centre (window starts 4.5 τ_probe
            before it); the frequency resolution is ≈ 1/(record + 4.5 τ_probe).
        grid: :class:`~jaxhiggs.fit.simulation.SimulationGrid`; default N_e = 32, ω_D = 5 meV, dt = 0.04 ps
            (one map of 8 delays ≈ 1 s on a CPU core).  Keep max δt + record below its recurrence time.
        uncertainty: σ errors broadcastable to the map (complex: real part for Re, imaginary for Im).
        mask: bool map of the points fitted.
        **options: :func:`jaxhiggs.fit.fit_global` options (``optimizer``, ``max_steps``, ``n_starts``...);
            ``jacobian`` is ``"fwd"`` (ForwardMode adjoint).

    Returns:
        :class:`FitResult`; ``datasets[0].x`` is the flattened map index, ``result.curves[0]`` the model
        map flattened (reshape to (n_delays, n_freq)).  Check ``result.warnings``: parameters the map
        does not constrain (e.g. γ when the map covers too few delays) are named there.
    """
    if signal not in _SIGNALS:
        raise fail("signal", signal, f"one of {_SIGNALS} (Δσ, or the full probe σ)")
    d = _vector("delays", delays, "ps")
    f = _vector("frequency", frequency, "THz", positive=True)
    shape = (d.size, f.size)
    data = _array_like("sigma", sigma, shape)
    if not np.iscomplexobj(data):
        raise InputError("sigma is real: give the complex map σ₁ + iσ₂ (both parts constrain Δ and γ)")
    err = _uncertainty(uncertainty, shape)
    keep = None
    if mask is not None:
        keep = _mask(mask, shape, "")  # a boolean map of the points fitted (no truthiness of "no" or 2)
    check_type("grid", grid, SimulationGrid, "a jaxhiggs.fit.simulation.SimulationGrid")
    check(lambda r: r > 0, "record", record, "a finite window length > 0 ps after the probe", unit="ps")
    needed = ("gap", "gamma")
    _check_initial(initial, needed)
    _check_temperature("temperature", temperature, float(initial["gap"]))
    pump_k = DEFAULT_PUMP if pump is None else _pulse_key("pump", pump)
    probe_k = DEFAULT_PROBE if probe is None else _pulse_key("probe", probe)
    span = float(d.max()) + record - min(0.0, float(d.min()))
    if span > grid.recurrence_ps():
        warnings.warn(f"max δt + record = {span:.3g} ps exceeds the energy grid's recurrence time "
                      f"{grid.recurrence_ps():.3g} ps: later windows see grid revivals; raise grid.n_energies "
                      f"or shorten record", UserWarning, stacklevel=2)
    fm = pump_probe_model(tuple(d), tuple(f), signal, float(temperature), pump_k, probe_k, float(record), grid)
    x = np.arange(d.size * f.size, dtype=float)
    init = dict(initial)
    amp = "scale" if signal == "delta" else "sigma_n"
    if signal == "sigma":
        init.setdefault("fluence", 1.0)
    if amp not in init:
        init.update(_amplitude_guess(fm, init, x, temperature, data.reshape(-1),
                                     None if err is None else err.reshape(-1), amp))
    bounds = _default_bounds(bounds, init, (amp,) if signal == "delta" else (amp, "fluence"))
    ds = {"x": x, "data": data.reshape(-1), "temperature": float(temperature)}
    if err is not None:
        ds["uncertainty"] = err.reshape(-1)
    if keep is not None:
        ds["mask"] = keep.reshape(-1)
    return fit_global([ds], fm, init, bounds, fixed, **options)


def _default_bounds(bounds, init, amplitudes=(), gaps=("gap",), ratios=("gamma",)):
    """``gaps`` within (0.5, 2)×, ``ratios`` (γ, v) within (0.2, 5)× their start values; amplitudes within
    (0, 10)× theirs (sign kept).

    Two finite bounds make the internal variable a logistic one (:mod:`jaxhiggs.fit.parameters`), so an
    amplitude of 10⁻⁸ or 10⁸ data units is as well scaled for Levenberg–Marquardt as Δ in meV.
    """
    out = {name: (0.5 * init[name], 2.0 * init[name]) for name in gaps}
    out.update({name: tuple(sorted((0.2 * init[name], 5.0 * init[name]))) for name in ratios})
    for name in amplitudes:
        v = float(init[name])
        if v != 0.0 and math.isfinite(v):
            out[name] = (min(0.0, 10.0 * v), max(0.0, 10.0 * v))
    out.update(dict(bounds or {}))
    return out


# ----------------------------------------------------------------------------- THG
@functools.lru_cache(maxsize=16)
def thg_model(axis: str = "frequency", drive_frequency: float | None = None, drive_duration: float = 1.5,
              amplitude: float = 2e-9, temperature: float = 0.0, grid: SimulationGrid = THG_GRID) -> FitModel:
    """The :class:`FitModel` of a THG data set along ``axis`` (see :func:`fit_thg_simulated`)."""

    def amp(gap, gamma, temp, nu):
        return thg_amplitude(gap, gamma, temp, nu, drive_duration, amplitude, grid)

    if axis == "frequency":
        def fn(params, x, _temperature=0.0):
            a = device_map(lambda nu: amp(params["gap"], params["gamma"], temperature, nu), jnp.asarray(x))
            return params["scale"] * a**2
        label = "drive frequency (THz)"
    elif axis == "temperature":
        def fn(params, x, _temperature=0.0):
            a = device_map(lambda t: amp(params["gap"], params["gamma"], t, drive_frequency), jnp.asarray(x))
            return params["scale"] * a**2
        label = "temperature (K)"
    else:
        def fn(params, x, _temperature=0.0):
            # j₃ ∝ E³ exactly in this third-order model: one solve, the fluence dependence is F³
            a = amp(params["gap"], params["gamma"], temperature, drive_frequency)
            return params["scale"] * a**2 * jnp.asarray(x) ** 3
        label = "relative fluence"
    return FitModel(f"mattis-bardeen THG vs {axis}", fn, ("gap", "gamma", "scale"), {}, kind="real",
                    x_label=label if axis != "frequency" else "frequency (THz) of the drive",
                    meta={"grid": grid, "axis": axis})


def fit_thg_simulated(x: Float[ArrayLike, " n"], intensity: Float[ArrayLike, " n"], initial: Mapping,
                      axis: str = "frequency", bounds: Mapping | None = None, fixed: Sequence[str] = (),
                      drive_frequency: float | None = None, drive_duration: float = 1.5, amplitude: float = 2e-9,
                      temperature: float = 0.0, grid: SimulationGrid = THG_GRID, uncertainty=None,
                      **options) -> FitResult:
    """Fit a THG data set with the Mattis–Bardeen simulation: I = scale · |j₃(3Ω)/(σ₀A₀)|².

    Physics: a multicycle drive A(t) = A₀ e^{−t²/2τ²} cos(Ωt) drives the cubic current j₃; its third
    harmonic resonates where 2ħΩ = 2Δ(T) (Higgs and charge-density channels, both in the model).  The
    drive has the same vector-potential amplitude A₀ at every Ω (seed 000's convention); data taken at a
    fixed peak field E₀ = ΩA₀ are brought to it by multiplying the intensity by (Ω/Ω_ref)⁶.
    Unlike :func:`jaxhiggs.fit.fit_thg` (analytic clean-limit χ_H with a phenomenological width η), the
    line shape and width here come from the dirty-limit dynamics with impurity rate γ and the drive's
    finite duration.

    Args:
        x: the abscissa of ``axis``: drive frequencies Ω/2π in THz (``"frequency"``), temperatures in K
            (``"temperature"``, at ``drive_frequency``), or the fluence relative to the one of ``amplitude``
            (``"fluence"``, at ``drive_frequency``; F ∝ E²).
        intensity: THG intensity (any units; ``scale`` is free), same length as ``x``.
        initial: ``gap`` Δ(0) and ``gamma`` (meV) required; ``scale`` guessed when absent.
        axis: ``"frequency"``, ``"temperature"`` or ``"fluence"``.
        bounds, fixed: as :func:`fit_pump_probe` (default bounds Δ ∈ (0.5, 2)×, γ ∈ (0.2, 5)×, ``scale`` ∈
            (0, 10)× the start values).  A THG line vs Ω fixes Δ well but γ only together with ``scale``
            (measured C(γ, scale) = −0.996 on synthetic data): hold γ at its σ(ω) value with
            ``fixed=("gamma",)`` unless the amplitude is known.  The same holds vs temperature (measured on six
            temperatures: Δ(0) to 0.4 % either way, but C(γ, scale) = −0.9996 with γ free).
        drive_frequency: Ω/2π in THz (temperature and fluence axes).
        drive_duration: envelope τ of A(t) in ps (the record is ±3.5τ); amplitude: A₀ in V·s/m (default
            2 × 10⁻⁹, well inside the third-order regime; it only sets the unit of ``scale``).
        temperature: K (frequency and fluence axes).
        grid: :class:`~jaxhiggs.fit.simulation.SimulationGrid`; default N_e = 32, ω_D = 3 meV, dt = 0.04 ps
            (≈ 0.2 s per data point on a CPU core).
        uncertainty: errors of ``intensity`` (> 0).
        **options: :func:`jaxhiggs.fit.fit_global` options.

    Returns:
        :class:`FitResult`.  Vs fluence the model is exactly scale·F³·I₀(Δ, γ): such data constrain only the
        product, and the result says so (singular JᵀJ warning naming gap, gamma and scale).
    """
    if axis not in _AXES:
        raise fail("axis", axis, f"one of {_AXES} (what the THG intensity was measured against)")
    unit = {"frequency": "THz", "temperature": "K", "fluence": "(relative)"}[axis]
    xs = _vector("x", x, unit, positive=True)  # T = 0 exactly would need the untraced gap-equation branch
    y = _array_like("intensity", intensity, xs.shape, complex_ok=False).astype(float)
    err = _uncertainty(uncertainty, xs.shape)
    check_type("grid", grid, SimulationGrid, "a jaxhiggs.fit.simulation.SimulationGrid")
    check(lambda v: v > 0, "drive_duration", drive_duration, "a finite envelope duration > 0 ps", unit="ps")
    check(lambda v: v > 0, "amplitude", amplitude, "a finite vector-potential amplitude > 0 V·s/m", unit="V·s/m")
    if axis != "frequency":
        if drive_frequency is None:
            raise InputError(f"axis = {axis!r} needs drive_frequency (THz) of the fixed drive")
        fit_models.check_drive_frequency(drive_frequency)
    _check_initial(initial, ("gap", "gamma"))
    _check_temperature("x (temperatures)" if axis == "temperature" else "temperature",
                       xs if axis == "temperature" else temperature, float(initial["gap"]))
    if 7.0 * drive_duration > grid.recurrence_ps():
        warnings.warn(f"the ±3.5τ record ({7 * drive_duration:.3g} ps) exceeds the energy grid's recurrence time "
                      f"{grid.recurrence_ps():.3g} ps: raise grid.n_energies or shorten drive_duration",
                      UserWarning, stacklevel=2)
    fm = thg_model(axis, None if drive_frequency is None else float(drive_frequency), float(drive_duration),
                   float(amplitude), float(temperature), grid)
    init = dict(initial)
    if "scale" not in init:
        init.update(_amplitude_guess(fm, init, xs, temperature, y, err, "scale"))
    bounds = _default_bounds(bounds, init, ("scale",))
    ds = {"x": xs, "data": y, "temperature": float(temperature) if axis != "temperature" else 0.0}
    if err is not None:
        ds["uncertainty"] = err
    return fit_global([ds], fm, init, bounds, fixed, **options)


# ----------------------------------------------------------------------------- Leggett mode (clean two bands)
#: default pump of the two-band fits: a near-single-cycle pulse, 2 kV/cm, τ = 0.1 ps (its A² spectrum covers ω_L
#: and 2Δ₂ of the MgB₂-like default bands; weak enough that δ|Δ| stays a small, near-perturbative modulation)
DEFAULT_LEGGETT_PUMP = (2.0, 0.0, 0.1, 0.0)
#: default grid of the two-band fits: N_e = 160 on ±20 meV (recurrence 8.3 ps), 0.01 ps steps
LEGGETT_GRID = PseudospinGrid()
LEGGETT_PARAMETERS = ("gap_1", "gap_2", "v", "scale_1", "scale_2")


@functools.lru_cache(maxsize=16)
def leggett_model(delays: tuple, temperature: float = 0.0, pump: tuple = DEFAULT_LEGGETT_PUMP,
                  grid: PseudospinGrid = LEGGETT_GRID) -> FitModel:
    """The :class:`FitModel` of a two-band pump–probe trace S(δt) = scale₁ δ|Δ₁|(δt) + scale₂ δ|Δ₂|(δt)
    (see :func:`fit_leggett_pump_probe`; hashable arguments, one object per setting)."""
    d = np.asarray(delays, float)

    def fn(params, x, _temperature=0.0):
        dgap = gap_modulation(jnp.stack([params["gap_1"], params["gap_2"]]), params["v"], temperature, d,
                              _pulse(pump), -4.5 * pump[2], grid)
        return params["scale_1"] * dgap[:, 0] + params["scale_2"] * dgap[:, 1]

    return FitModel("two-band pseudospins: pump–probe δ|Δ|", fn, LEGGETT_PARAMETERS, {},
                    kind="real", x_label="pump–probe delay δt (ps)", y_labels=("probe signal", "probe signal"),
                    meta={"grid": grid, "delays": d})


def fit_leggett_pump_probe(delays: Float[ArrayLike, " n"], signal: Float[ArrayLike, " n"], initial: Mapping,
                           bounds: Mapping | None = None, fixed: Sequence[str] = (), temperature: float = 0.0,
                           pump: GaussianPulse | None = None, grid: PseudospinGrid = LEGGETT_GRID,
                           uncertainty=None, **options) -> FitResult:
    """Fit a pump–probe trace of a clean two-band superconductor with the pseudospin simulation (Leggett mode).

    Observable — what the data are assumed to be: the pump-induced change of a weak, short probe's
    transmitted field at a fixed gate time (or at a fixed probe frequency), recorded against the pump–probe
    delay δt, as in Matsunaga et al.'s Higgs experiments.  For small changes that signal is linear in the
    changes of the gap moduli, S(δt) = scale₁ δ|Δ₁|(δt) + scale₂ δ|Δ₂|(δt), with per-band sensitivities
    scale_i that depend on the probe and the optics (unknown: free, linear parameters).  In the clean q = 0
    pseudospin model this is the only probe-visible quantity: the model has no paramagnetic current, so a
    probe conductivity σ(δt, ω) cannot be computed from it (that is the Mattis–Bardeen route,
    :func:`fit_pump_probe`).  The trace carries both collective modes: the pump's A² acts on the two bands
    with different diamagnetic shifts s_i e²A²/2m_i, which twists the relative phase (Leggett mode, ω_L) and,
    through the interband coupling v, modulates |Δ_i| at 2Δ_i (Higgs) and at ω_L, 2ω_L (Krull et al.
    2016).  So the oscillation frequencies fix the gaps and ω_L(Δ₁, Δ₂, v, N₁/N₂) fixes v.  The probe is
    taken as short compared with the oscillation periods (its time resolution is not modelled).

    Args:
        delays: δt in ps (1-D, increasing; probe after the pump centre, δt > −4.5 τ_pump).
        signal: the pump-induced probe change at each delay (any units; real).
        initial: ``gap_1``, ``gap_2`` (T → 0 gaps, meV) and ``v`` (U₁₂ = v U₁₁, dimensionless, ≠ 0)
            required; ``scale_1``, ``scale_2`` are set to their least-squares values when absent.
        bounds, fixed: as :func:`jaxhiggs.fit.fit_conductivity`; default bounds: gaps within (0.5, 2)×,
            v within (0.2, 5)×, scales within (0, 10)× the start values.
        temperature: K, below T_c (the equilibrium gaps follow from the two-band gap equation on the grid).
        pump: a :class:`jaxhiggs.GaussianPulse` (its centre is ignored: the pump is centred at δt = 0); the
            field enters through A², so the shape of S(δt) depends on it only beyond the weak-pump limit.
            Default: 2 kV/cm, no carrier, τ = 0.1 ps.
        grid: :class:`~jaxhiggs.fit.simulation.PseudospinGrid` (numerics and the fixed band masses, signs and
            Fermi energies); default N_e = 160, ω_D = 20 meV, dt = 0.01 ps, the MgB₂-like bands of
            :func:`jaxhiggs.materials.mgb2`.  Keep max δt below its recurrence time.
        uncertainty: errors of ``signal`` (> 0).
        **options: :func:`jaxhiggs.fit.fit_global` options.

    Returns:
        :class:`FitResult` (parameters ``gap_1``, ``gap_2``, ``v``, ``scale_1``, ``scale_2``); the report's
        correlations and warnings say which of them the trace constrains.
    """
    d = _vector("delays", delays, "ps")
    y = _array_like("signal", signal, d.shape, complex_ok=False).astype(float)
    err = _uncertainty(uncertainty, d.shape)
    check_type("grid", grid, PseudospinGrid, "a jaxhiggs.fit.simulation.PseudospinGrid")
    _check_initial(initial, ("gap_1", "gap_2", "v"), gaps=("gap_1", "gap_2"))
    check(lambda v: v != 0, "initial['v']", initial["v"], "a finite interband coupling ≠ 0 (U₁₂ = v U₁₁)")
    _check_temperature("temperature", temperature, max(float(initial["gap_1"]), float(initial["gap_2"])))
    pump_k = DEFAULT_LEGGETT_PUMP if pump is None else _pulse_key("pump", pump)
    if float(d[0]) <= -4.5 * pump_k[2]:
        raise fail("delays[0]", float(d[0]), f"delays after the run start −4.5 τ_pump = {-4.5 * pump_k[2]:g} ps",
                   unit="ps")
    if float(d[-1]) + 4.5 * pump_k[2] > grid.recurrence_ps():
        warnings.warn(f"the run ({float(d[-1]) + 4.5 * pump_k[2]:.3g} ps) exceeds the energy grid's recurrence time "
                      f"{grid.recurrence_ps():.3g} ps: raise grid.n_energies", UserWarning, stacklevel=2)
    fm = leggett_model(tuple(d), float(temperature), pump_k, grid)
    init = dict(initial)
    missing = tuple(n for n in ("scale_1", "scale_2") if n not in init)
    if missing:
        init.update(_amplitude_guess(fm, init, d, temperature, y, err, *missing))
    bounds = _default_bounds(bounds, init, ("scale_1", "scale_2"), gaps=("gap_1", "gap_2"), ratios=("v",))
    ds = {"x": d, "data": y, "temperature": float(temperature)}
    if err is not None:
        ds["uncertainty"] = err
    return fit_global([ds], fm, init, bounds, fixed, **options)
