"""The least-squares core: residuals cached by structure, the optimiser run, the Jacobian covariance.

See :mod:`jaxhiggs.fit` for the conventions (bounds, residuals, uncertainties, adjoints).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import InputError, check, check_bool, check_int, fail
from . import models as fit_models
from .data import _components, _make_dataset
from .models import FitModel
from .optimizers import _OPTIMIZERS, _lm_message, _lm_solve, _start_grid
from .parameters import Parameters, _base, names_of
from .result import _UNITS, FitResult

__all__ = ["fit_global"]

#: residual and compiled fit programs by fit structure (see _residual_functions)
_RESIDUALS: dict = {}


def _per_set(fm: FitModel, local, full: dict, i: int) -> dict:
    return {name: full[f"{name}[{i}]"] if name in local else full[name] for name in fm.parameters}


def _residual_functions(fm: FitModel, params: Parameters, sets, local, jacobian: str = "fwd"):
    """(residual_u(u, args), evaluate(u, args), lm_program(max_steps, tol)), cached by structure.

    ``evaluate`` is everything needed at the optimum, (χ², p_free, all parameters, Jacobian of the
    residuals in the physical variables, model curves), compiled; ``lm_program(max_steps, tol)`` is
    one compiled program that runs Levenberg–Marquardt from ``u0`` and then ``evaluate``s at its
    solution: ``(u, converged, steps, evaluate(u, args))``.  Compilation dominates a fit's cost, and
    one program compiles faster than three (solve, χ², final evaluation; measured 3–4 s less CPU per
    fit structure).  ``args`` = (held parameter values, [(x, temperature, data, err) per data set]);
    only shapes, components, masks, bounds and the model enter the cache key, so refits of new data
    (other noise seeds, other temperatures) reuse the compiled programs.
    """
    key = (fm.name, fm.function, fm.parameters, params.key(), tuple(local), jacobian,
           tuple((ds.component, ds.x.shape, ds.keep.tobytes(), ds.err_model is None) for ds in sets))
    if key in _RESIDUALS:
        return _RESIDUALS[key]
    comps = [(ds.component, np.flatnonzero(ds.keep), np.flatnonzero(ds.keep[:ds.x.size])) for ds in sets]
    # Data sets on one grid (a temperature series): the model is vmapped over them, so the compiled
    # graph holds one copy of the model instead of one per data set (compile time ∝ graph size).
    stacked = len(sets) > 1 and len({(ds.component, ds.x.shape, ds.keep.tobytes()) for ds in sets}) == 1

    def curves_of(full, data):
        if stacked:
            per = {name: jnp.stack([jnp.asarray(_per_set(fm, local, full, i)[name], dtype=float)
                                    for i in range(len(data))]) for name in fm.parameters}
            xs = jnp.stack([item[0] for item in data])
            temps = jnp.stack([item[1] for item in data])
            out = jax.vmap(lambda p, x, t: fm(p, x, t))(per, xs, temps)
            return [out[i] for i in range(len(data))]
        return [fm(_per_set(fm, local, full, i), item[0], item[1]) for i, item in enumerate(data)]

    def residual_physical(p_free, args):
        held, data = args
        curves = curves_of(params.full(p_free, held), data)
        parts = []
        for curve, (comp, idx, idx_x), (_, _, d, e, ab) in zip(curves, comps, data):
            if ab is not None:  # errors from a noise model evaluated at the model (errors in variables)
                half = jnp.sqrt(0.5 * (ab[0] + ab[1] * jnp.abs(curve[idx_x]) ** 2))
                e = jnp.concatenate([half, half])
            parts.append((_components(curve, comp)[idx] - d) / e)
        return jnp.concatenate(parts)

    def residual_raw(u, args):
        return residual_physical(params.to_physical(u), args)

    jacobian_of = jax.jacrev if jacobian == "rev" else jax.jacfwd

    # The optimiser sees the residual through a custom JVP that materialises the (n_data × n_free)
    # Jacobian once per step: linearising/transposing the quadrature-heavy model graph inside
    # optimistix instead roughly doubles compile time, and reverse mode of the closed forms is
    # NaN-prone (see _forward_mode_loss).  jacobian="rev" is for models that only support reverse
    # mode (simulations with diffrax's RecursiveCheckpointAdjoint).
    @jax.custom_jvp
    def residual_u(u, args):
        return residual_raw(u, args)

    @residual_u.defjvp
    def _residual_jvp(primals, tangents):
        u, args = primals
        return residual_raw(u, args), jacobian_of(residual_raw)(u, args) @ tangents[0]

    def at_optimum(u, args):
        p = params.to_physical(u)
        full = params.full(p, args[0])
        chi2 = jnp.sum(residual_raw(u, args) ** 2)
        return chi2, p, full, jacobian_of(residual_physical)(p, args), curves_of(full, args[1])

    programs = {}

    def lm_program(max_steps: int, tol: float):
        if (max_steps, tol) not in programs:
            @jax.jit
            def solve_and_evaluate(u0, args):
                u, ok, steps, jac_u = _lm_solve(residual_u, args, u0, max_steps, tol, with_jacobian=True)
                p = params.to_physical(u)
                full = params.full(p, args[0])
                chi2 = jnp.sum(residual_raw(u, args) ** 2)
                # ∂r/∂p = ∂r/∂u / (dp/du): the solver's own last Jacobian, so the compiled program holds one
                # copy of the model's derivative (a fresh jacobian_of(residual_physical) was ~40 % of the
                # compile).  dp/du = 0 (a transform saturated in float64) cannot be divided out: flagged, and
                # fit_global then evaluates the Jacobian directly.
                dp_du = jnp.diagonal(jax.jacfwd(params.to_physical)(u))
                usable = jnp.all(jnp.isfinite(dp_du) & (dp_du != 0))
                jac = jac_u / jnp.where(dp_du != 0, dp_du, 1.0)[None, :]
                return u, ok, steps, (chi2, p, full, jac, curves_of(full, args[1])), usable

            programs[max_steps, tol] = solve_and_evaluate
        return programs[max_steps, tol]

    _RESIDUALS[key] = (residual_u, jax.jit(at_optimum), lm_program)
    return _RESIDUALS[key]


def fit_global(datasets: Sequence[Mapping], model, initial: Mapping, bounds: Mapping | None = None,
               fixed: Sequence[str] = (), ties: Mapping | None = None, local: Sequence[str] = (),
               optimizer: str = "lm", n_starts: int = 1, max_steps: int = 400, tol: float = 1e-10,
               scale_covar: bool = True, jacobian: str = "fwd", drive_frequency: float | None = None, model_options: Mapping | None = None,
               progress: bool | None = None) -> FitResult:
    """Fit one model to several data sets at once, sharing all parameters except ``local`` ones.

    Args:
        datasets: dicts with ``x`` (frequency THz, or temperature K for vs-T models), ``data``
            (complex σ or a real curve), and optionally ``temperature`` (K), ``uncertainty`` (in the
            units of the data, finite and > 0 at every point; complex for complex data: real part → σ₁,
            imaginary part → σ₂, both > 0), ``weights`` (finite, > 0: (w₁, w₂) for complex data, one
            number for a real curve; per-point weights go in ``uncertainty``), ``mask`` (a boolean array of the
            data's shape, True = fitted), ``window`` (x-range (low, high) in the units of x, finite with low < high; None for
            an open side), ``component``.  They are checked before anything is compiled.
        model: a name (see :func:`jaxhiggs.fit.models.resolve`), a :class:`FitModel`, or a
            callable ``f(params, x, temperature)``.
        initial: start values; for a ``local`` parameter either one value (used for every data
            set) or per-set values under ``name[i]``.
        bounds, fixed, ties: see the module docstring; ``name`` of a local parameter applies to
            all its copies.
        local: parameter names fitted separately per data set (e.g. ``("gap",)`` for Δ(T)).
        optimizer: ``"lm"``, ``"adam"`` or ``"lbfgs"``; n_starts: multi-start grid size per
            bounded parameter; max_steps, tol: optimiser limits.
        scale_covar: multiply the covariance by χ²_red (default, see the module docstring).
        jacobian: ``"fwd"`` (``jax.jacfwd``, default) or ``"rev"`` (``jax.jacrev``) for the
            Jacobian of the residuals; use ``"rev"`` for simulation models integrated with
            diffrax's ``RecursiveCheckpointAdjoint`` (it supports reverse mode only).
        progress: show a tqdm bar over the starts (default: when there is more than one start).

    Returns:
        :class:`FitResult`.
    """
    if jacobian not in ("fwd", "rev"):
        raise ValueError(f"jacobian = {jacobian!r} is not allowed: 'fwd' or 'rev'")
    check_int("n_starts", n_starts, 1, 64, "multi-start grid size per bounded parameter")
    check_int("max_steps", max_steps, 1, what="optimiser iterations")
    check(lambda v: v > 0, "tol", tol, "a finite tolerance > 0", scalar=True)
    scale_covar = check_bool("scale_covar", scale_covar)
    if progress is not None:
        progress = check_bool("progress", progress)
    fixed, local = names_of("fixed", fixed), names_of("local", local)
    if isinstance(datasets, Mapping):
        raise InputError("datasets = {...} is not allowed: give a list of data-set dicts, e.g. [{'x': ..., 'data': ...}]")
    if optimizer not in _OPTIMIZERS:
        raise ValueError(f"optimizer = {optimizer!r} is not allowed: one of {sorted(_OPTIMIZERS)}")
    model_options = dict(model_options or {})
    if model == "higgs-thg-temperature" and "gap_2" in initial:
        model_options.setdefault("two_band", True)  # π-band resonance of a two-band superconductor
    fm = fit_models.resolve(model, drive_frequency=drive_frequency, **model_options)
    if fm.kind == "auto" or not fm.required:
        names = tuple(fm.required) or tuple(_base(k) for k in initial)
        names = tuple(dict.fromkeys(names + tuple(_base(k) for k in initial)))
        fm = dataclasses.replace(fm, required=names)
    nset = len(datasets)
    if nset == 0:
        raise ValueError("datasets is empty: give at least one data set")
    for name in local:
        if name not in fm.parameters:
            raise ValueError(f"unknown parameter {name!r} in local: the model has parameters {sorted(fm.parameters)}")
    expanded = []
    for name in fm.parameters:
        expanded += [f"{name}[{i}]" for i in range(nset)] if name in local else [name]

    def expand_map(mapping):
        out = {}
        for key, val in dict(mapping or {}).items():
            if _base(key) in local and key == _base(key):
                out.update({f"{key}[{i}]": val for i in range(nset)})
            else:
                out[key] = val
        return out

    defaults = expand_map(fm.defaults)
    required = [n for n in expanded if _base(n) in fm.required]
    init = expand_map(initial)
    params = Parameters.build(expanded, required, defaults, init, expand_map(bounds),
                              [k for f in fixed for k in expand_map({f: 0}).keys()], expand_map(ties))
    # physically possible start values (gaps, γ, η > 0, weights in [0, 1]) of a named model: outside them its curve
    # is NaN or degenerate, which would otherwise show only after compiling, as a non-finite χ²
    tied = {n: factor * params.values[src] for n, (src, factor) in params.ties.items()}
    labels = {n: f"initial[{n!r}]" for n in init}
    labels.update({n: f"{n} (tied: {factor:g} × {src})" for n, (src, factor) in params.ties.items()})
    fit_models.check_values(fm, {**params.values, **tied}, labels)

    # model kind (complex σ or real curve) from one evaluation when unknown
    kind = fm.kind
    sets = []
    for i, d in enumerate(datasets):
        allowed = {"x", "data", "temperature", "uncertainty", "weights", "mask", "window", "component"}
        unknown = set(d) - allowed
        if unknown:
            raise ValueError(f"unknown key(s) {sorted(unknown)} in data set {i}: allowed are {sorted(allowed)}")
        if "x" not in d or "data" not in d:
            raise InputError(f"data set {i} = {{{', '.join(map(repr, d))}}} is not allowed: give at least 'x' and 'data'")
        try:
            x_values = np.atleast_1d(np.asarray(d["x"], dtype=float))
        except (TypeError, ValueError):
            x_values = np.zeros(0)  # reported by _make_dataset
        for label, low_ok, allowed in (("temperature", lambda v: v >= 0, "temperatures ≥ 0 K"),
                                       ("frequency", lambda v: v > 0, "frequencies > 0 THz")):
            if fm.x_label.startswith(label):
                bad = np.flatnonzero(np.isfinite(x_values) & ~low_ok(x_values))
                if bad.size:
                    raise fail(f"data set {i}: x[{int(bad[0])}] ({label})", x_values[bad[0]], allowed)
        if kind == "auto":
            kind = "complex" if np.iscomplexobj(np.asarray(d["data"])) else "real"
        sets.append(_make_dataset(d["x"], d["data"], d.get("temperature", 0.0), kind, d.get("component"),
                                  d.get("uncertainty"), d.get("weights"), d.get("mask"), d.get("window"),
                                  i if nset > 1 else None))
    fm = dataclasses.replace(fm, kind=kind)

    residual_u, evaluate, lm_program = _residual_functions(fm, params, sets, local, jacobian)
    args = ([jnp.asarray(params.values[n], dtype=float) for n in params.held],
            [(jnp.asarray(ds.x), jnp.asarray(ds.temperature, dtype=float), jnp.asarray(ds.data[ds.keep]),
              jnp.asarray(ds.err[ds.keep]),
              None if ds.err_model is None else tuple(jnp.asarray(v[ds.keep[:ds.x.size]]) for v in ds.err_model))
             for ds in sets])
    u0 = params.to_internal(params.values)
    run = _OPTIMIZERS[optimizer]
    best = None
    starts = _start_grid(params, u0, n_starts)
    from tqdm.auto import tqdm

    show_bar = len(starts) > 1 if progress is None else bool(progress)
    for start in tqdm(starts, desc="fit starts", disable=not show_bar, leave=False):
        if optimizer == "lm":  # the solve and the evaluation at its optimum: one compiled program
            u, ok, steps, at_opt, usable = lm_program(max_steps, tol)(start, args)
            ok, msg = bool(ok), _lm_message(ok, steps)
            if not bool(usable):
                at_opt = evaluate(u, args)
        else:
            u, ok, msg = run(residual_u, args, start, max_steps, tol)
            at_opt = evaluate(u, args)
        chi2 = float(at_opt[0])
        if not math.isfinite(chi2):
            continue
        if best is None or chi2 < best[0]:
            best = (chi2, u, ok, msg, at_opt)
    if best is None:
        raise RuntimeError("every start gave a non-finite χ²: check the initial values, bounds and data units")
    chi2, u, ok, msg, (_, p_best, full, jac, curves) = best
    jac = np.asarray(jac)
    n_data = int(sum(ds.keep.sum() for ds in sets))
    n_free = len(params.free)
    dof = max(n_data - n_free, 1)
    redchi = chi2 / dof
    jtj = jac.T @ jac
    cov, unconstrained = _covariance(jtj)
    if unconstrained:
        msg += f"; JᵀJ singular: {', '.join(params.free[i] for i in unconstrained)} not identifiable"
    if scale_covar:
        cov = cov * redchi
    err = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    err[list(unconstrained)] = np.inf
    denom = np.outer(err, err)
    corr = np.divide(cov, denom, out=np.zeros_like(cov), where=np.isfinite(denom) & (denom > 0))
    full = {k: float(v) for k, v in full.items()}
    values = {n: full[n] for n in params.names}
    stderr = {n: 0.0 for n in params.names}
    stderr.update({n: float(e) for n, e in zip(params.free, err)})
    for n, (src, factor) in params.ties.items():
        stderr[n] = abs(factor) * stderr[src]
    at_bounds = tuple(n for n in params.free if _at_bound(values[n], params.lower[n], params.upper[n]))
    curves = [np.asarray(c) for c in curves]
    units_map = {n: _UNITS.get(n, "") for n in fm.parameters}
    # information criteria (lmfit's convention, Gaussian likelihood with the noise scale profiled out)
    aic = n_data * math.log(max(chi2, 1e-300) / n_data) + 2 * n_free
    bic = n_data * math.log(max(chi2, 1e-300) / n_data) + math.log(n_data) * n_free
    notes = _warnings(params, values, stderr, corr, at_bounds, [params.free[i] for i in unconstrained], ok, msg)
    problem = _Problem(residual_u, params, args, np.asarray(u), scale_covar, redchi, chi2)
    return FitResult(values, stderr, corr, cov, params.free, chi2, redchi, n_data, n_free, ok, msg, fm, optimizer,
                     len(starts), at_bounds, sets, curves, units_map, aic, bic, notes, problem)


def _at_bound(value: float, lower: float, upper: float) -> bool:
    """Within 10⁻⁴ of the bounded interval's width (the sigmoid transform approaches a bound only
    asymptotically), or 10⁻⁶ relative for a one-sided bound."""
    tol = 1e-4 * (upper - lower) if math.isfinite(upper - lower) else 1e-6 * max(1.0, abs(value))
    return min(abs(value - lower), abs(value - upper)) < tol


def _covariance(jtj: np.ndarray) -> tuple[np.ndarray, tuple]:
    """(JᵀJ)⁻¹ by an eigen-decomposition of the column-scaled JᵀJ, and the free parameters it cannot fix.

    Directions with eigenvalue < 10⁻¹² × the largest (after scaling each parameter to unit sensitivity) are
    not constrained by the data: they are left out of the (pseudo-)inverse, and every parameter with a
    weight > 0.1 in such a direction is reported (its standard error is then ∞).
    """
    scale = np.sqrt(np.clip(np.diag(jtj), 1e-300, None))
    w, v = np.linalg.eigh(jtj / np.outer(scale, scale))
    null = w < 1e-12 * max(float(w.max()), 1e-300)
    keep = ~null
    inv = (v[:, keep] / w[keep]) @ v[:, keep].T
    involved = tuple(int(i) for i in np.flatnonzero(np.any(np.abs(v[:, null]) > 0.1, axis=1))) if null.any() else ()
    return inv / np.outer(scale, scale), involved


@dataclasses.dataclass(frozen=True)
class _Problem:
    """What a profile likelihood needs to re-optimise: the compiled residual, parameters, data, optimum."""

    residual_u: object
    params: Parameters
    args: tuple
    u_best: np.ndarray
    scale_covar: bool
    redchi: float
    chi2: float


def _warnings(params, values, stderr, corr, at_bounds, degenerate, ok, msg) -> tuple:
    """Plain-language warnings: not converged, at a bound, unconstrained, degenerate pairs."""
    out = []
    if not ok:
        out.append(f"the optimiser did not converge ({msg}): values and errors are not at an optimum")
    for name in at_bounds:
        out.append(f"{name} = {values[name]:.6g} ended on a bound ({params.lower[name]:g}, {params.upper[name]:g}): "
                   "its error is not meaningful; widen the bound or fix the parameter")
    if degenerate:
        out.append(f"JᵀJ is singular: the data constrain only a combination of {', '.join(degenerate)} "
                   "(their errors are infinite); fix all but one of them or add data that separate them")
    for name in params.free:
        err, val = stderr[name], values[name]
        if name in degenerate:
            continue
        if not math.isfinite(err) or (val != 0 and err >= abs(val)) or (val == 0 and err > 0 and err > 1e6):
            out.append(f"{name} is unconstrained by the data: {name} = {val:.6g} ± {err:.3g} (relative error ≥ 100 %); "
                       "fix it or add data that depend on it")
    free = params.free
    for i in range(len(free)):
        for j in range(i + 1, len(free)):
            if abs(corr[i, j]) > 0.98:
                out.append(f"C({free[i]}, {free[j]}) = {corr[i, j]:+.3f}: the data constrain (nearly) only a combination "
                           "of the two; fix one of them or add data that separate them")
    return tuple(out)

