"""Divergence detection and failure reports shared by every model (used by :mod:`jaxhiggs.solve`).

A solve is stopped early, by the common driver, when

* the state stops being finite or its norm exceeds a model-dependent bound (a diffrax
  ``Event`` evaluated once per accepted step: one norm of the state, nothing else), or
* the adaptive step size collapses: a rejected step whose next proposal is below
  ``span / (1000 · max_steps)`` (a :class:`CollapseGuard` around the step-size controller).
  At that size even 0.1 % of the window would exhaust ``max_steps``; in practice it means
  the right-hand side produced NaN/inf and every step is rejected.

The bounds and "likely cause" texts are model knowledge kept in one table here (keyed by
the model class name), so models need no extra methods:

* pseudospin models: the spin length |s| is conserved by the clean precession, so the
  norm of the spins may not exceed 10× (clean) or 1000× (disordered, sources change |S|)
  its initial value;
* Mattis–Bardeen: the state starts at zero and is linear per order in the normalised
  drive, so only non-finite values count as divergence (watched on the O(N) second-order
  vectors, which every N×N block feeds within one step); its validity range is the
  perturbative regime |δΔ|/Δ ≪ 1, i.e. e v_F A/√3 ≪ Δ (a finished solve beyond
  |δΔ|/Δ = 0.1 or |j₃|/|j₁| = 0.1 warns, see ``MattisBardeen.check_result``).
"""

from __future__ import annotations

from typing import Any

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

#: status codes returned by :func:`jaxhiggs.solve.solve_status`
OK, MAX_STEPS, DIVERGED, COLLAPSED, FAILED = 0, 1, 2, 3, 4

# model class name → (which state leaves the norm covers, bound factor × initial norm or None)
_SPIN_MODELS = {"CleanPseudospin": 10.0, "DisorderedPseudospin": 1000.0}


def inner_model(model):
    """The user's model inside wrappers (the sweep's precision wrapper has ``inner``)."""
    while type(model).__name__ == "_Precision":
        model = model.inner
    return model


def model_name(model) -> str:
    return "the model" if model is None else type(inner_model(model)).__name__


def state_norm(model, y) -> jax.Array:
    """The norm watched for divergence: the pseudospins for spin models, else the whole state."""
    name = model_name(model)
    leaves = jax.tree_util.tree_leaves(y)
    if name in _SPIN_MODELS and isinstance(y, dict) and "spins" in y:
        leaves = [y["spins"]]
    elif name == "MattisBardeen":
        # the (band, N) second-order vectors are fed by sums over the N×N blocks within a step, so a
        # NaN anywhere reaches them: watching them avoids a norm over the N² state every step
        small = [x for x in leaves if x.ndim <= 2]
        leaves = small or leaves
    total = sum(jnp.sum(jnp.abs(x).astype(float) ** 2) for x in leaves)
    return jnp.sqrt(total)


def state_bound(model, y0) -> jax.Array:
    """Largest allowed :func:`state_norm` (inf: only non-finite values count)."""
    factor = _SPIN_MODELS.get(model_name(model))
    if factor is None:
        return jnp.asarray(jnp.inf)
    scale = state_norm(model, y0)
    return jnp.where(scale > 0, factor * scale, jnp.inf)


def event(model, y0) -> diffrax.Event:
    """The divergence event: True when the state is non-finite or beyond :func:`state_bound`."""
    bound = state_bound(model, y0)

    def cond_fn(t, y, args, **kwargs):
        return ~(state_norm(model, y) <= bound)  # NaN compares False: caught

    return diffrax.Event(cond_fn)


class CollapseGuard(diffrax.AbstractAdaptiveStepSizeController):
    """Wraps an adaptive controller; fails with ``dt_min_reached`` when a step is rejected and
    the next proposed step is below ``dtmin`` (the step size collapsed)."""

    controller: Any
    dtmin: Any

    @property
    def rtol(self):
        return self.controller.rtol

    @property
    def atol(self):
        return self.controller.atol

    @property
    def norm(self):
        return self.controller.norm

    def wrap(self, direction):
        return eqx.tree_at(lambda s: s.controller, self, self.controller.wrap(direction))

    def init(self, terms, t0, t1, y0, dt0, args, func, error_order):
        return self.controller.init(terms, t0, t1, y0, dt0, args, func, error_order)

    def adapt_step_size(self, t0, t1, y0, y1_candidate, args, y_error, error_order, controller_state):
        keep, next_t0, next_t1, made_jump, state, result = self.controller.adapt_step_size(
            t0, t1, y0, y1_candidate, args, y_error, error_order, controller_state)
        collapsed = (~keep) & (next_t1 - next_t0 < self.dtmin)
        result = diffrax.RESULTS.where(collapsed, diffrax.RESULTS.dt_min_reached, result)
        return keep, next_t0, next_t1, made_jump, state, result


def status_code(result) -> jax.Array:
    """diffrax RESULTS → OK, MAX_STEPS, DIVERGED, COLLAPSED or FAILED (int32)."""
    R = diffrax.RESULTS
    return jnp.select(
        [result == R.successful, result == R.max_steps_reached, result == R.event_occurred,
         result == R.dt_min_reached],
        [jnp.int32(OK), jnp.int32(MAX_STEPS), jnp.int32(DIVERGED), jnp.int32(COLLAPSED)], jnp.int32(FAILED))


# -- reports (host side, concrete values) ---------------------------------------------------------
def _last_good(times_ps: np.ndarray, observables: dict) -> int:
    """Index of the last saved time at which every observable is finite (−1: none)."""
    ok = np.ones(times_ps.shape[0], dtype=bool)
    for value in observables.values():
        v = np.asarray(value)
        ok &= np.all(np.isfinite(v.reshape(v.shape[0], -1)), axis=1)
    bad = np.flatnonzero(~ok)
    return (times_ps.shape[0] - 1) if bad.size == 0 else int(bad[0]) - 1


def _values(model, observables: dict, i: int) -> str:
    parts = []
    gap = observables.get("gap")
    if gap is not None:
        g = np.abs(np.asarray(gap)[i]).ravel()
        parts.append("|Δ| = " + ", ".join(f"{x:.4g}" for x in g) + " meV")
    for key, label, unit in (("delta_gap", "|δΔ|", "meV"), ("norm_drift", "spin-norm drift", ""),
                             ("current_1", "j₁", "A/m²")):
        if key in observables:
            v = np.abs(np.asarray(observables[key])[i]).ravel()
            parts.append(f"{label} = " + ", ".join(f"{x:.3g}" for x in v) + (f" {unit}" if unit else ""))
    return "; ".join(parts)


def _mb_amplitude(model, observables) -> str:
    """The drive's coupling energy e·v_F·|A|/√3 (meV) at its largest |A|, next to Δ (meV)."""
    from . import units
    from .models.mattis_bardeen import fermi_velocity

    if observables is None or "vector_potential" not in observables:
        return ""
    a = np.abs(np.asarray(observables["vector_potential"]))
    a = a[np.isfinite(a)]
    if not a.size:
        return ""
    try:
        m = inner_model(model)
        mat = m.material
        vf = np.asarray(fermi_velocity(np.asarray(mat.masses), np.asarray([float(b.fermi_energy) for b in mat.bands])))
        c = units.ELEMENTARY_CHARGE * vf * float(np.max(a)) / np.sqrt(3.0) / units.MEV_IN_J
        gaps = np.abs(np.asarray(m.gaps))
    except Exception:  # pragma: no cover - a model without band data
        return ""
    return ("; this drive reaches e·v_F·|A|/√3 = " + ", ".join(f"{x:.3g}" for x in c) + " meV against Δ = "
            + ", ".join(f"{x:.3g}" for x in gaps) + " meV")


def _drive_kind(drive) -> str:
    """What acts on the system: "field" (a vector potential A(t), or unknown: ``drive`` None), "quench",
    "coupling" (a coupling pulse, no field) or "none" (NoDrive): so a report never blames a field a drive
    does not have."""
    if drive is None:
        return "field"
    from .drive import CouplingPulse, NoDrive, Quench

    parts = drive.components()
    if any(not isinstance(c, (Quench, CouplingPulse, NoDrive)) for c in parts):
        return "field"
    if any(isinstance(c, Quench) for c in parts):
        return "quench"
    return "coupling" if any(isinstance(c, CouplingPulse) for c in parts) else "none"


def cause(model, status: int, observables: dict | None = None, i: int = -1, rtol=None, atol=None, dt=None,
          drive=None) -> str:
    """The likely cause of a failed solve, in words (``drive``: the drive of the solve, so the cause names
    only what it has: a field, a quench, a coupling change or nothing; None: taken as a field)."""
    name = model_name(model)
    m = inner_model(model)
    if name == "MattisBardeen":
        text = ("the Mattis–Bardeen model is perturbative (third order in A): it is valid only while "
                "|δΔ|/Δ ≪ 1, i.e. e·v_F·A/√3 ≪ Δ")
        if observables is not None and i >= 0 and "delta_gap" in observables:
            ratio = float(np.max(np.abs(np.asarray(observables["delta_gap"])[i]) / np.abs(np.asarray(m.gaps))))
            text += f" (here |δΔ|/Δ = {ratio:.3g} at the last good time)"
        return text + _mb_amplitude(model, observables) + ": lower the field"
    tol = f"rtol/atol (now {rtol:g}/{atol:g})" if dt is None and rtol is not None else "rtol/atol"
    if dt is not None:
        return (f"the fixed step dt = {dt:g} ps is too large for the fastest frequency of the model (≈ 2ω_D for an "
                f"energy grid): use a smaller dt or adaptive steps (dt=None)")
    kind = _drive_kind(drive)
    if kind == "field":
        if name in _SPIN_MODELS:
            return ("the drive is probably too strong for the model's validity or the energy grid (|A|² shifts of "
                    f"order ω_D, a field far beyond the gap scale), or {tol} too loose: lower the field, refine the "
                    "grid, or tighten rtol/atol")
        return f"the field may be too strong for the model, the energy grid too coarse, or {tol} too loose"
    what = {"quench": ("the quench may lie outside the model's validity (a final gap far from the initial one) or "
                       "beyond what the energy grid resolves"),
            "coupling": "the coupling change may be too large for the model or the energy grid",
            "none": "the model's parameters or its energy grid may be out of range (the drive has no field)"}[kind]
    return f"{what}, or {tol} too loose: check the drive and the grid, or tighten rtol/atol"


def report(model, status: int, times_ps, observables: dict, num_steps: int, max_steps: int,
           rtol=None, atol=None, dt=None, drive=None) -> str:
    """One message: which model, when (ps), the last good values and the likely cause (``drive``: see
    :func:`cause`)."""
    name = model_name(model)
    if dt is None and (rtol is None or atol is None):  # the solve used the model's defaults (a sweep passes None)
        default_rtol, default_atol = model.default_tolerances()
        rtol = default_rtol if rtol is None else rtol
        atol = default_atol if atol is None else atol
    t = np.asarray(times_ps, dtype=float)
    i = _last_good(t, observables) if observables is not None else -1
    if i >= t.size - 1 and status == OK:
        return ""
    if i < 0:
        when = f"before the first saved time {t[0]:.6g} ps"
    elif i >= t.size - 1:
        when = f"at the end of the window, t = {t[-1]:.6g} ps"
    else:
        when = f"at t ≈ {t[i + 1]:.6g} ps (between the saved times {t[i]:.6g} and {t[i + 1]:.6g} ps)"
    last = f"; last good values at t = {t[i]:.6g} ps: {_values(model, observables, i)}" if i >= 0 else ""
    what = {
        DIVERGED: "diverged (the state became non-finite or grew beyond its physical bound)",
        COLLAPSED: "diverged (the step size collapsed: every step was rejected)",
        MAX_STEPS: f"stopped after max_steps = {max_steps} steps",
        FAILED: "failed",
        OK: "produced non-finite observables",
    }[int(status)]
    if status == MAX_STEPS:
        when = f"before reaching t = {t[-1]:.6g} ps (last saved time reached: {t[max(i, 0)]:.6g} ps)"
        now = f" (now {rtol:g}/{atol:g})" if rtol is not None and atol is not None else ""
        return (f"{name}: the solver {what} {when}{last}. Raise max_steps, loosen rtol/atol{now}, "
                f"or shorten the time window; if the steps are tiny, {cause(model, status, observables, i, rtol, atol, dt, drive)}")
    return (f"{name}: the solve {what} {when}, after {num_steps} steps{last}. Likely cause: "
            f"{cause(model, status, observables, i, rtol, atol, dt, drive)}")


def validity_note(model, times_ps, observables: dict, limit: float = 0.25) -> str:
    """A warning text when a finished solve left the model's range of validity ("" if fine).

    Mattis–Bardeen: max |δΔ|/Δ > ``limit`` (the expansion in A needs |δΔ|/Δ ≪ 1)."""
    if model_name(model) != "MattisBardeen" or "delta_gap" not in observables:
        return ""
    m = inner_model(model)
    ratio = np.abs(np.asarray(observables["delta_gap"])) / np.abs(np.asarray(m.gaps))
    worst = float(np.max(ratio)) if ratio.size else 0.0
    if not worst > limit:
        return ""
    i = int(np.unravel_index(np.argmax(ratio), ratio.shape)[0])
    return (f"MattisBardeen: |δΔ|/Δ reaches {worst:.3g} at t = {float(np.asarray(times_ps)[i]):.6g} ps, outside the "
            f"perturbative range of the model (valid for |δΔ|/Δ ≪ 1; results above {limit:g} are unreliable"
            f"{_mb_amplitude(model, observables)}): lower the field")
