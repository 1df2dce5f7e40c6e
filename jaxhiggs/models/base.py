"""The contract every model fulfils so that one driver can integrate it.

A model is an equinox Module holding its parameters and equilibrium.  It provides

* ``initial_state()`` — the state pytree at the first saved time (the equilibrium),
* ``arguments(drive)`` — the pytree of time-dependent inputs (drive, couplings after
  a quench, …) passed as ``args`` to the vector field,
* ``vector_field(t, y, args)`` — the pure right-hand side dy/dt (internal units); a model whose
  equations read dy/dt = −iω y + N(t, y) with real frequencies ω (one per state element) provides
  ``linear_part(args)`` (ω) and ``nonlinear_part(t, y, args)`` (N) instead, and then the
  exponential integrator :class:`jaxhiggs.solvers.ExponentialRK4` treats the rotation exactly,
* ``default_solver()`` / ``default_tolerances()`` — what ``simulate`` uses when the caller does not
  choose (the fastest measured choice at the accuracy the model needs, see benchmarks/),
* ``observables(t, y, args)`` — a dict of arrays computed inside the solve (only
  these are stored, never the full state history),
* ``jump_times(drive)`` — internal times where the vector field jumps (quenches),
* ``free_evolution(t_end, y_end, times, args, rtol, atol)`` (optional) — the observables at ``times``
  once the drive's A(t) has vanished (from ``t_end`` on, :meth:`jaxhiggs.drive.Drive.field_end`),
  from the state at ``t_end``: models whose undriven dynamics has a closed form (Mattis–Bardeen)
  provide it, and ``simulate`` integrates only the driven part of the window,
* ``options()`` — the constructor's keyword arguments other than the material, so that
  ``with_material(material)`` rebuilds the same model for another material (used by
  :func:`jaxhiggs.sweep`, also under ``jax.vmap`` with traced material parameters).

Nothing model-specific lives in :mod:`jaxhiggs.solve`.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import diffrax
import equinox as eqx
import jax
import numpy as np


def on_accelerator() -> bool:
    """Whether JAX's default backend is a GPU/TPU: models choose their default solver by it (measured per
    platform: what is fastest on a bandwidth-rich accelerator is not on a few CPU cores)."""
    return jax.default_backend() != "cpu"


def warn_unused_impurity_rate(model: str, material, instead: str) -> None:
    """Warn where ``material`` carries an impurity rate γ > 0 that ``model`` does not use (a material made for the
    Mattis–Bardeen model reused in a clean one would otherwise be a clean run that looks dirty)."""
    from .._validate import is_concrete, show

    if is_concrete(material.gammas) and np.any(np.asarray(material.gammas) > 0):
        warnings.warn(f"{model} ignores the material's impurity rate gamma = {show(material.gammas)} meV: {instead}",
                      UserWarning, stacklevel=user_stacklevel())


def user_stacklevel() -> int:
    """The ``stacklevel`` of the first caller outside jaxhiggs and equinox (whose Module __init__ wrappers add
    frames), so that a warning names the user's line."""
    ours = (str(Path(__file__).resolve().parents[1]), str(Path(eqx.__file__).resolve().parent))
    frame, level = sys._getframe(1), 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(ours):
        frame, level = frame.f_back, level + 1
    return level


class Model(eqx.Module):
    """Abstract base of jaxhiggs models (see the module docstring)."""

    def initial_state(self):
        raise NotImplementedError

    def arguments(self, drive):
        raise NotImplementedError

    def vector_field(self, t, y, args):
        if self.has_linear_part():
            return self.ode_term().vf(t, y, args)
        raise NotImplementedError

    def linear_part(self, args):
        """Frequencies ω of the diagonal rotation −iω y (pytree like the state; arrays or
        :class:`~jaxhiggs.solvers.OuterSum`), in 1/(internal time)."""
        raise NotImplementedError

    def nonlinear_part(self, t, y, args):
        """dy/dt + iω y."""
        raise NotImplementedError

    def free_evolution(self, t_end, y_end, times, args, rtol, atol):
        """(observables at ``times`` ≥ ``t_end``, steps, success) once A(t) ≡ 0 from ``t_end`` on; ``rtol`` and
        ``atol`` are the solve's tolerances (the model scales them for what it integrates)."""
        raise NotImplementedError

    def has_free_evolution(self) -> bool:
        return type(self).free_evolution is not Model.free_evolution

    def default_free_evolution(self) -> bool:
        """Whether ``simulate`` uses :meth:`free_evolution` when the caller does not say (measured per platform)."""
        return self.has_free_evolution()

    def has_linear_part(self) -> bool:
        return type(self).linear_part is not Model.linear_part

    def ode_term(self) -> diffrax.AbstractTerm:
        """The diffrax term of this model: split into −iω y + N when the model provides ω."""
        if self.has_linear_part():
            from ..solvers import DiagonalLinearTerm

            return DiagonalLinearTerm(self.linear_part, self.nonlinear_part)
        return diffrax.ODETerm(self.vector_field)

    def default_solver(self) -> diffrax.AbstractSolver:
        return diffrax.Tsit5()

    def default_tolerances(self) -> tuple[float, float]:
        """(rtol, atol) used when the caller gives none."""
        return 1e-9, 1e-12

    def observables(self, t, y, args) -> dict:
        raise NotImplementedError

    def sweep_parameters(self) -> dict[str, str]:
        """The model's own parameters a :func:`jaxhiggs.sweep` grid may vary, {name: unit}: each is a scalar array
        field of that name and a keyword of the constructor (checked there).  Default: none."""
        return {}

    def check_window(self, times_ps, drive=None) -> None:
        """Model-specific checks of the saved time grid (ps), called by ``simulate`` and ``sweep`` on
        concrete times with the (concrete) drive, or None; warn or raise.  Default: nothing (e.g. grid
        recurrence times are model-specific)."""

    def check_result(self, result) -> None:
        """Model-specific checks of a finished concrete run (e.g. validity of a perturbative
        expansion at the drive's amplitude), called by ``simulate``; warn.  Default: nothing."""

    def jump_times(self, drive) -> tuple[float, ...]:
        quench = drive.quench()
        return () if quench is None else (quench.time,)

    def options(self) -> dict:
        """Keyword arguments that rebuild this model as ``type(self)(material, **options())``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement options(); sweeps need it")

    def with_material(self, material) -> "Model":
        """The same model (same grid and options) for another material; re-runs the constructor,
        so derived quantities (couplings, equilibrium) follow the new material parameters."""
        return type(self)(material, **self.options())

    def metadata(self) -> dict:
        """Static description stored with results (model name, sizes, options)."""
        return {"model": type(self).__name__}
