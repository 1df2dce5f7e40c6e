"""Profile-likelihood confidence intervals, with every point of the profile grid optimised at once (vmap).

For a parameter p_k the profile is χ²_prof(a) = min over the other free parameters of χ²(p_k = a).  The
interval is where χ²_prof − χ²_min ≤ Δ, with Δ = 1 for a 68.3 % (1σ) interval of one parameter, multiplied by
χ²_red when the fit scaled its covariance by χ²_red (``scale_covar``, the default), so that profile intervals
and the Jacobian standard errors follow the same convention.  Unlike the Jacobian errors the profile interval
can be asymmetric and sees the curvature of a non-linear model; when it is close to ± the standard error,
the linearised errors can be trusted.

Every grid value is an independent bounded least-squares problem over the other parameters; they are solved
together by ``jax.vmap`` of one optimistix Levenberg–Marquardt solve, each started from the global optimum.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx

from .._validate import InputError, check, check_int
from .result import FitResult

__all__ = ["Profile", "profile_likelihood"]

_PROFILES: dict = {}


@dataclasses.dataclass(frozen=True)
class Profile:
    """A profile likelihood.

    Attributes:
        name: the profiled parameter; values: its grid (physical units); chi2: χ²_prof on the grid.
        delta: the Δχ² that defines the interval; interval: (low, high), ``None`` on a side where the profile
            does not rise by Δ within the grid; best, stderr: the fit's value and Jacobian standard error.
        converged: per grid value, whether the re-optimisation of the other parameters converged within
            ``max_steps``/``tol``.  A point that did not converge has χ² above the true profile (the profile is a
            minimum): it is not used for the interval (the side stays open, or the crossing comes from the
            converged neighbours), and :func:`profile_likelihood` warns naming its values.
    """

    name: str
    values: np.ndarray
    chi2: np.ndarray
    delta: float
    interval: tuple
    best: float
    stderr: float
    converged: np.ndarray | None = None

    def __str__(self) -> str:
        lo, hi = self.interval
        show = lambda x: "open (widen the grid)" if x is None else f"{x:.6g}"
        text = (f"profile of {self.name}: best {self.best:.6g}, 1σ interval [{show(lo)}, {show(hi)}] "
                f"(Δχ² = {self.delta:.4g}); Jacobian ± {self.stderr:.3g}")
        if self.converged is not None and not np.all(self.converged):
            text += f"; {int(np.sum(~self.converged))} point(s) not converged (left out)"
        return text


def _solver(problem, k: int, max_steps: int, tol: float):
    key = (id(problem.residual_u), problem.params.key(), k, max_steps, tol)
    if key in _PROFILES:
        return _PROFILES[key]
    residual_u, params = problem.residual_u, problem.params
    others = [i for i in range(len(params.free)) if i != k]
    solver = optx.LevenbergMarquardt(rtol=tol, atol=tol)

    def insert(u_other, u_k):
        parts = [None] * len(params.free)
        parts[k] = u_k
        for j, i in enumerate(others):
            parts[i] = u_other[j]
        return jnp.stack(parts)

    def one(u_k, u_other0, args):
        if not others:
            return jnp.sum(residual_u(jnp.stack([u_k]), args) ** 2), jnp.asarray(True)
        fn = lambda uo, a: residual_u(insert(uo, u_k), a)
        sol = optx.least_squares(fn, solver, u_other0, args=args, max_steps=max_steps, throw=False)
        return jnp.sum(fn(sol.value, args) ** 2), sol.result == optx.RESULTS.successful

    run = jax.jit(jax.vmap(one, in_axes=(0, None, None)))
    _PROFILES[key] = (run, others)
    return _PROFILES[key]


def profile_likelihood(result: FitResult, name: str, values=None, n_points: int = 21, span: float = 3.0,
                       max_steps: int = 200, tol: float = 1e-10) -> Profile:
    """Profile likelihood of one free parameter of a fit and its 1σ interval.

    Args:
        result: a :class:`FitResult` of :mod:`jaxhiggs.fit`.
        name: a free parameter of the fit.
        values: the grid (physical units); default ``n_points`` values over best ± ``span`` standard errors,
            clipped strictly inside the parameter's bounds.
        max_steps, tol: limits of each Levenberg–Marquardt re-optimisation (an integer ≥ 1 and a finite
            tolerance > 0, checked as in :func:`~jaxhiggs.fit.fit_global`).  A grid value whose re-optimisation
            does not converge within them is left out of the interval, flagged in ``Profile.converged`` and
            named in a ``RuntimeWarning`` (raise ``max_steps`` or loosen ``tol``).

    Returns:
        :class:`Profile` (``str(profile)`` summarises it).
    """
    check_int("max_steps", max_steps, 1, what="iterations of each re-optimisation")
    check(lambda v: v > 0, "tol", tol, "a finite tolerance > 0", scalar=True)
    problem = result.problem
    if problem is None:
        raise InputError("this FitResult carries no fit problem (it was not made by jaxhiggs.fit): cannot profile")
    params = problem.params
    if name not in params.free:
        raise InputError(f"name = {name!r} is not allowed: profile one of the free parameters {list(params.free)}")
    k = params.free.index(name)
    best, err = float(result.values[name]), float(result.stderr[name])
    lo_b, hi_b = params.lower[name], params.upper[name]
    if values is None:
        n_points = check_int("n_points", n_points, 3, 401, "profile grid size")
        check(lambda s: s > 0, "span", span, "a finite number of standard errors > 0")
        width = span * (err if math.isfinite(err) and err > 0 else 0.1 * max(abs(best), 1e-12))
        grid = np.linspace(best - width, best + width, n_points)
        inner = (hi_b - lo_b) * 1e-9 if math.isfinite(hi_b - lo_b) else 0.0
        grid = grid[(grid > lo_b + inner) & (grid < hi_b - inner)]
    else:
        grid = np.asarray(values, dtype=float).ravel()
        bad = np.flatnonzero(~((grid > lo_b) & (grid < hi_b)))
        if bad.size:
            raise InputError(f"values[{int(bad[0])}] = {grid[bad[0]]!r} is not allowed: profile values must lie strictly "
                             f"inside the bounds of {name} ({lo_b}, {hi_b})")
    if grid.size < 3:
        raise InputError(f"the profile grid of {name} has {grid.size} points inside its bounds: give values")
    u_k = np.array([params.to_internal({**result.values, name: v})[k] for v in grid])
    run, others = _solver(problem, k, max_steps, tol)
    u_other0 = jnp.asarray(problem.u_best[others]) if others else jnp.zeros(0)
    chi2, converged = (np.asarray(a) for a in run(jnp.asarray(u_k), u_other0, problem.args))
    converged = converged.astype(bool)
    if not np.all(converged):
        bad = ", ".join(f"{v:.6g}" for v in grid[~converged])
        warnings.warn(f"profile of {name}: the re-optimisation at {name} = {bad} did not converge within "
                      f"max_steps = {max_steps} (tol = {tol:g}); those points are left out of the interval: raise "
                      "max_steps or loosen tol", RuntimeWarning, stacklevel=2)
    used = np.where(converged, chi2, np.nan)
    chi2_min = min(problem.chi2, float(np.nanmin(used))) if np.any(converged) else problem.chi2
    delta = problem.redchi if problem.scale_covar else 1.0
    return Profile(name, grid, chi2, delta, _crossings(grid, used - chi2_min, delta, best), best, err, converged)


def _crossings(grid, dchi2, delta, best):
    """Where the profile rises through Δ on each side of the best value (linear interpolation between
    neighbouring finite points: a point left out (NaN, not converged) is skipped)."""
    ok = np.isfinite(dchi2)
    grid, dchi2 = grid[ok], dchi2[ok]
    if grid.size == 0:
        return (None, None)
    i0 = int(np.argmin(np.abs(grid - best)))
    out = []
    for step in (-1, 1):
        found = None
        i = i0
        while 0 <= i + step < grid.size:
            a, b = dchi2[i], dchi2[i + step]
            if a < delta <= b:
                found = float(grid[i] + (delta - a) / (b - a) * (grid[i + step] - grid[i]))
                break
            i += step
        out.append(found)
    return tuple(out)
