"""Sweep parameters: names, validation, and applying one parameter point to (model, drive).

A parameter point is a dict ``{name: scalar}``; inside a sweep its values are tracers
(``jax.vmap`` over the point axis), so applying a point uses only ``eqx.tree_at`` and
constructors that are safe on traced values.

Names and units (band indices count from 1):

=================  =========  ================================================================
``gamma``          meV        impurity rate γ of every band (``gamma_i``: band i only)
``target_gap``     meV        T → 0 target gap of every band (``target_gap_i``: band i only);
                             ``gap``/``gap_i`` are accepted as aliases, but the result names
                             the axis ``target_gap`` so it never hides the observable ``gap`` Δ(t)
``v``              –          interband coupling ratio (two or more bands)
``temperature``    K          temperature (the equilibrium gap follows from the gap equation)
``peak_field``     kV/cm      peak |E| of the pump (the first field component of the drive)
``fluence``        –          fluence scale of the pump: its field is multiplied by √fluence
``frequency``      THz        carrier frequency of the pump at fixed peak field
``delay``          ps         centre of the second pulse (probe) minus the centre of the pump
``final_gap``      meV        band-1 gap whose couplings act after the drive's Quench
=================  =========  ================================================================

A model may add parameters of its own (:meth:`jaxhiggs.models.base.Model.sweep_parameters`), e.g. the
disordered model's scattering rates ``magnetic_rate`` and ``potential_rate`` (meV).

The model is rebuilt for the new material by ``model.with_material(material)`` (see
:mod:`jaxhiggs.models.base`): one mechanism for every model, which re-runs the model's
constructor so derived quantities (couplings, finite-T equilibrium) follow the parameters.
"""

from __future__ import annotations

import re
import warnings

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from .. import units
from ..drive import Drive, DriveSum, GaussianPulse, NoDrive, Quench, Waveform, _peak_of_unit_field
from .._validate import InputError, fail, show, strip_prefix
from ..material import Band, Superconductor

MATERIAL_NAMES = ("gamma", "gap", "v", "temperature")  # internal kinds ("gap" = the material's target gap)
DRIVE_NAMES = ("peak_field", "fluence", "frequency", "delay", "final_gap")

#: Units of each parameter (coordinate attributes of the result).
UNITS = {"gamma": "meV", "gap": "meV", "target_gap": "meV", "v": "1", "temperature": "K", "peak_field": "kV/cm",
         "fluence": "1 (relative fluence)", "frequency": "THz", "delay": "ps", "final_gap": "meV"}

_NAME = re.compile(r"^(gamma|gap|target_gap)_([1-9][0-9]*)$")
#: names of the result that a grid axis may not take (dimensions and bookkeeping variables)
RESERVED = ("time", "band", "point", "chunk", "num_steps", "failed", "reason", "computed", "chunk_done",
            "chunk_digest")


def canonical(name: str) -> str:
    """The result's name of a grid axis: ``gap`` → ``target_gap``, ``gap_2`` → ``target_gap_2``."""
    if isinstance(name, str) and (name == "gap" or re.match(r"^gap_[1-9][0-9]*$", name)):
        return "target_" + name
    return name


def parse_name(name: str, n_bands: int, model_names=()) -> tuple[str, int | None]:
    """``"gap_2"`` → ("gap", 1) (zero-based band); ``"v"`` → ("v", None); a name of ``model_names`` (the model's
    :meth:`~jaxhiggs.models.base.Model.sweep_parameters`) → (name, None).  Raises on unknown names."""
    if not isinstance(name, str):
        raise InputError(f"grid parameter {name!r} is not allowed: parameter names are strings")
    match = _NAME.match(name)
    if match:
        band = int(match.group(2)) - 1
        if band >= n_bands:
            raise InputError(f"grid parameter {name!r} is not allowed: the material has {n_bands} band(s), numbered "
                             f"from 1 (band {band + 1} does not exist)")
        return ("gap" if match.group(1) == "target_gap" else match.group(1)), band
    if name == "target_gap":
        return "gap", None
    if name in MATERIAL_NAMES or name in DRIVE_NAMES or name in model_names:
        return name, None
    raise InputError(
        f"unknown grid parameter {name!r}: allowed are "
        f"{['gamma', 'target_gap', 'v', 'temperature', *DRIVE_NAMES, *model_names]} "
        "and per-band gamma_i, target_gap_i (i = 1, 2, …; 'gap', 'gap_i' are aliases of target_gap)"
    )


def unit_of(name: str, model=None) -> str:
    """The unit of a grid parameter (``model``: for the model's own parameters)."""
    own = {} if model is None else model.sweep_parameters()
    if name in own:
        return own[name]
    match = _NAME.match(name)
    return UNITS[match.group(1) if match else name]


def _names(model) -> tuple[str, ...]:
    return tuple(model.sweep_parameters())


# -- applying a point (traced-safe) -----------------------------------------------------------
def apply_material(material: Superconductor, point: dict) -> Superconductor:
    """The material with the point's material parameters replaced (values may be tracers)."""
    bands = list(material.bands)
    for name, value in point.items():
        kind, band = parse_name(name, material.n_bands)
        if kind not in ("gamma", "gap"):
            continue
        for i in range(len(bands)) if band is None else (band,):
            bands[i] = eqx.tree_at(lambda b: getattr(b, kind), bands[i], jnp.asarray(value, dtype=float))
    material = eqx.tree_at(lambda m: m.bands, material, tuple(bands))
    for key in ("v", "temperature"):
        if key in point:
            material = eqx.tree_at(lambda m: getattr(m, key), material, jnp.asarray(point[key], dtype=float))
    return material


def _field_components(components) -> list[int]:
    return [i for i, c in enumerate(components) if not isinstance(c, (Quench, NoDrive))]


def _need(components, index, kind, name):
    if index is None or not isinstance(components[index], kind):
        what = "a second pulse (probe)" if name == "delay" else "a pump pulse"
        raise ValueError(f"grid parameter {name!r} needs {what} of type {kind.__name__} in the drive")
    return components[index]


def apply_drive(drive: Drive, point: dict) -> Drive:
    """The drive with the point's drive parameters applied (values may be tracers)."""
    comps = list(drive.components())
    fields = _field_components(comps)
    pump = fields[0] if fields else None
    probe = fields[1] if len(fields) > 1 else None
    if "peak_field" in point or "frequency" in point:
        p = _need(comps, pump, GaussianPulse, "peak_field" if "peak_field" in point else "frequency")
        omega = jnp.asarray(units.thz_to_mev(point["frequency"]), dtype=float) if "frequency" in point else p.omega
        peak = jnp.asarray(point["peak_field"], dtype=float) if "peak_field" in point else p.peak_field
        # A₀ from the peak field exactly as GaussianPulse.__init__ does it.
        amplitude = units.field_to_internal(peak) / _peak_of_unit_field(p.tau, omega, p.phase)
        comps[pump] = eqx.tree_at(lambda q: (q.omega, q.amplitude), p, (omega, amplitude))
    if "fluence" in point:
        if pump is None or not isinstance(comps[pump], (GaussianPulse, Waveform)):
            raise ValueError("grid parameter 'fluence' needs a GaussianPulse or Waveform pump in the drive")
        root = jnp.sqrt(jnp.asarray(point["fluence"], dtype=float))  # E ∝ √fluence
        if isinstance(comps[pump], GaussianPulse):
            comps[pump] = eqx.tree_at(lambda q: q.amplitude, comps[pump], comps[pump].amplitude * root)
        else:
            comps[pump] = eqx.tree_at(lambda q: q.scale, comps[pump], comps[pump].scale * root)
    if "delay" in point:
        first = _need(comps, pump, GaussianPulse, "delay")
        second = _need(comps, probe, GaussianPulse, "delay")
        t0 = first.t0 + units.ps_to_internal(jnp.asarray(point["delay"], dtype=float))
        comps[probe] = eqx.tree_at(lambda q: q.t0, second, t0)
    if "final_gap" in point:
        index = next((i for i, c in enumerate(comps) if isinstance(c, Quench)), None)
        quench = _need(comps, index, Quench, "final_gap")
        if quench.final_gap is None:
            raise ValueError("grid parameter 'final_gap' needs a Quench given by final_gap, not coupling_scale")
        value = jnp.asarray(point["final_gap"], dtype=float)
        new = value if quench.final_gap.ndim == 0 else quench.final_gap.at[0].set(value)
        comps[index] = eqx.tree_at(lambda q: q.final_gap, quench, new)
    if isinstance(drive, DriveSum):
        return DriveSum(tuple(comps))
    return comps[0]


def apply_point(model, drive: Drive, point: dict):
    """(model, drive) at one parameter point: material parameters rebuild the model via
    ``model.with_material``; drive parameters edit the drive's components."""
    own = [n for n in point if n in _names(model)]
    names = [n for n in point if n not in own and parse_name(n, model.material.n_bands)[0] in MATERIAL_NAMES]
    if names:
        model = model.with_material(apply_material(model.material, {n: point[n] for n in names}))
    for n in own:  # the model's own parameters are array fields of the same name (traced-safe)
        model = eqx.tree_at(lambda m: getattr(m, n), model, jnp.asarray(point[n], dtype=float))
    names = names + own
    rest = {n: v for n, v in point.items() if n not in names}
    if rest:
        drive = apply_drive(drive, rest)
    return model, drive


# -- validation on concrete values --------------------------------------------------------------
def validate_axes(grid: dict, model, drive: Drive, zip: bool, times_ps=None) -> dict[str, np.ndarray]:
    """Check names, shapes and ranges of ``grid``; returns ``{name: float64 1-D array}`` in order.

    Every value of every axis is applied on its own (other parameters at their base values)
    through the constructors' checks, so an out-of-range value (γ < 0, a gap outside
    (0, ω_D), T ≥ T_c, …) is reported with its name before anything is compiled; with
    ``times_ps`` each drive value is also checked against the time window (Nyquist, support) and every value
    against the model's own ranges (``model.check_window``, e.g. the disordered model's quench ratio).  Values of
    different axes are not checked in combination.
    """
    if not isinstance(grid, dict) or not grid:
        raise InputError(f"grid = {show(grid)} is not allowed: give at least one parameter axis {{name: 1-D array}}")
    n_bands = model.material.n_bands
    axes = {}
    for name, values in grid.items():
        kind, _ = parse_name(name, n_bands, _names(model))
        unit = unit_of(name, model)
        if isinstance(values, (str, bytes)):
            raise fail(f"grid axis {name!r}", values, f"a non-empty 1-D array of numbers ({unit})")
        try:
            arr = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise fail(f"grid axis {name!r}", values, f"a non-empty 1-D array of numbers ({unit})") from None
        if arr.ndim != 1 or arr.size == 0:
            raise InputError(f"grid axis {name!r} has shape {arr.shape}: give a non-empty 1-D array of values")
        if not np.all(np.isfinite(arr)):
            bad = arr[~np.isfinite(arr)][0]
            raise fail(f"grid axis {name!r} value", bad, f"finite values ({unit})")
        if kind == "v" and n_bands < 2:
            raise InputError("grid parameter 'v' is not allowed: the material has one band")
        if canonical(name) in axes:
            raise InputError(f"grid parameter {name!r} is not allowed: it repeats {canonical(name)!r}")
        axes[canonical(name)] = arr
    clash = set(axes) & (set(RESERVED) | set(_observable_names(model, drive)))
    if clash:  # pragma: no cover - no parameter name equals an observable today
        raise InputError(f"grid parameter(s) {sorted(clash)} would hide observables or dimensions of the result")
    kinds = [parse_name(n, n_bands, _names(model))[0] for n in axes]
    if "peak_field" in kinds and "fluence" in kinds:
        raise ValueError("grid has both 'peak_field' and 'fluence': sweep one of them")
    if zip:
        sizes = {n: a.size for n, a in axes.items()}
        if len(set(sizes.values())) != 1:
            raise ValueError(f"zip=True needs axes of equal length, got {sizes}")
    for name, arr in axes.items():
        for value in np.unique(arr):
            _check_value(model, drive, name, float(value), times_ps)
    return axes


def _check_value(model, drive, name, value, times_ps):
    kind, band = parse_name(name, model.material.n_bands, _names(model))
    label = f"{name} = {value!r} {unit_of(name, model)}"
    try:
        if kind in _names(model):  # re-run the constructor: its checks name the parameter
            changed_model, changed = type(model)(model.material, **{**model.options(), name: value}), drive
        elif kind in MATERIAL_NAMES:
            mat = apply_material(model.material, {name: value})
            # Re-run the constructors: their checks name the offending quantity.
            bands = [Band(b.gap, b.sign, b.mass, b.fermi_energy, b.dos, b.gamma) for b in mat.bands]
            mat = Superconductor(bands, v=mat.v, omega_D=mat.omega_D, temperature=mat.temperature)
            changed_model, changed = model.with_material(mat), drive
        else:
            if kind in ("peak_field", "fluence", "frequency") and value < 0:
                raise ValueError(f"{kind} must be ≥ 0")
            if kind == "final_gap" and value <= 0:
                raise ValueError("the final gap must be > 0 meV")
            changed_model, changed = model, apply_drive(drive, {name: value})
            from ..solve import check_model_and_drive

            check_model_and_drive(model, changed)
            if times_ps is not None:
                from ..solve import check_times

                check_times(times_ps, changed)
        if times_ps is not None:  # the model's own range checks (e.g. the disordered model's quench ratio); its
            with warnings.catch_warnings():  # warnings were given once for the base point
                warnings.simplefilter("ignore")
                changed_model.check_window(times_ps, changed)
    except ValueError as err:
        raise InputError(f"grid value {label} is not allowed: {strip_prefix(str(err))}") from None


def _observable_names(model, drive) -> list[str]:
    import jax

    try:
        y0 = jax.eval_shape(model.initial_state)
        args = jax.eval_shape(model.arguments, drive)
        return list(jax.eval_shape(model.observables, jax.ShapeDtypeStruct((), float), y0, args))
    except Exception:  # the drive may not suit the model: reported by the solve
        return []


__all__ = ["DRIVE_NAMES", "MATERIAL_NAMES", "RESERVED", "UNITS", "apply_drive", "canonical", "apply_material", "apply_point", "parse_name",
           "unit_of", "validate_axes"]
