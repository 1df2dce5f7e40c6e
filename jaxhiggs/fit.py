"""Fitting measured σ(ω) and THG spectra: bounded parameters, least squares, uncertainties.

Entry points
------------
* :func:`fit_conductivity` — complex σ(ω) (σ₁ and σ₂ jointly) with a closed-form model
  (``"mattis-bardeen"``, ``"zimmermann"``, ``"two-band-zimmermann"``) or any differentiable
  callable / :class:`jaxhiggs.fit_models.FitModel` (e.g. a full simulation).
* :func:`fit_thg` — THG intensity |j(3Ω)|² vs drive frequency Ω (``"higgs-thg"``) or vs
  temperature at fixed Ω (``"higgs-thg-temperature"``), free overall amplitude ``scale``.
* :func:`fit_global` — several data sets (e.g. temperatures) sharing parameters; parameters
  listed in ``local`` get one copy per data set, named ``name[i]``.

Parameters
----------
``initial`` gives a start value for every free parameter (physical units: gaps, γ, η in meV,
``shift`` in THz, ``v`` dimensionless, ``sigma_n``/``scale`` in data units).  ``bounds`` maps a
name to ``(lower, upper)`` (``None`` or ±inf for open sides); ``fixed`` lists names held at their
initial value; ``ties`` maps a name to another name (or ``(name, factor)``) it equals.  Optional
model parameters that are not mentioned stay fixed at the model's defaults (``sigma_n = 1``,
``shift = 0``, ``background = 0``).  The optimisers work on unbounded internal variables u:
``p = lo + (hi − lo)·sigmoid(u)`` for two finite bounds, ``p = lo + softplus(u)`` (or
``hi − softplus(u)``) for one, ``p = u`` for none — so every iterate respects the bounds and no
optimiser needs a constrained method.  The initial value must lie strictly inside its bounds.

Residuals and losses
--------------------
For complex data the residual vector is ``[w₁(σ₁ᵐ − σ₁)/e₁, w₂(σ₂ᵐ − σ₂)/e₂]`` over the points
kept by ``mask`` and the frequency ``window`` (THz); ``component`` = ``"sigma1"``, ``"sigma2"`` or
``"abs"`` fits one real curve instead.  ``uncertainty`` (e, complex for σ: real part → σ₁, imag
part → σ₂) and ``weights`` (w₁, w₂) default to 1.  χ² = Σ r², reduced χ² = χ²/(n_data − n_free).

Optimisers
----------
``"lm"`` (default) Levenberg–Marquardt (:class:`optimistix.LevenbergMarquardt`) on the residual
vector; ``"adam"`` (:func:`optax.adam`) and ``"lbfgs"`` (:func:`optax.lbfgs`) on ½χ².
``n_starts`` > 1 runs a small multi-start grid (``n_starts`` values per bounded free parameter,
evenly spaced in the internal variable around the initial point, at most 64 starts) and keeps the
lowest χ².

Uncertainties (convention)
--------------------------
At the optimum the Jacobian J = ∂r/∂p of the residuals with respect to the free *physical*
parameters is computed with ``jax.jacfwd`` (not in the internal variables, so bounds do not
distort the errors).  The covariance is ``C = s (JᵀJ)⁻¹`` with ``s`` = reduced χ² (as lmfit's
default ``scale_covar=True``): the standard errors ``√C_ii`` are then meaningful when the data
carry no (or only relative) uncertainties, and equal the classical ones when the given
uncertainties are right (χ²_red ≈ 1).  Pass ``scale_covar=False`` to use ``(JᵀJ)⁻¹`` as is.  The
correlation matrix is C_ij/√(C_ii C_jj).  Errors of parameters that end on a bound are not
meaningful (the report flags them).

Gradients through simulations (which adjoint, and why)
------------------------------------------------------
A simulation model calls :func:`jaxhiggs.simulate`, which integrates with diffrax's default
``RecursiveCheckpointAdjoint``: reverse-mode gradients of the *discretised* solve, exact to
round-off (so they agree with finite differences of the same discretisation), with memory
O(state × √n_steps) checkpoints instead of O(state × n_steps), at the price of recomputing parts
of the forward pass (≈ 2–3× the cost of one solve per reverse sweep).  That is the right trade
for long THz simulations (10⁴–10⁶ steps of a large pseudospin/density-matrix state: storing every
step does not fit in GPU memory).  ``BacksolveAdjoint`` (memory O(state)) is not used: its
gradients are only as accurate as the backwards adjoint ODE solve, and the non-dissipative
pseudospin dynamics makes that drift, which would break the 1e-5 agreement with finite
differences that the covariance relies on.  ``RecursiveCheckpointAdjoint`` supports reverse
mode only, so fits through simulations pass ``jacobian="rev"`` (one reverse sweep per residual
component is batched by ``jax.jacrev``; cheap when the curve is short) — or build the simulation
with ``adjoint=diffrax.ForwardMode()`` and keep ``jacobian="fwd"`` (n_free tangent solves, no
tape; better when n_data ≫ n_free).  Use fixed steps (``dt``) in fits through simulations so the
discretised model is a smooth function of the parameters (adaptive step selection is piecewise
constant in them and makes finite differences and LM steps noisy).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax
import optimistix as optx
from jaxtyping import Array, ArrayLike, Float

from ._validate import InputError, check, check_int, fail, show
from . import fit_models
from .fit_models import FitModel

__all__ = ["FitResult", "Parameters", "fit_conductivity", "fit_global", "fit_thg"]


# ============================================================================ parameters
def _softplus_inv(y):
    return np.log(np.expm1(y)) if y < 30 else y + np.log1p(-np.exp(-y))


@dataclass(frozen=True)
class Parameters:
    """Free/fixed/tied parameters and their bound-respecting transforms.

    Attributes:
        names: all parameter names the model sees (for global fits: expanded ``name[i]``).
        values: initial (or fixed) physical value of each name.
        lower, upper: bounds (±inf when open).
        free: names optimised, in order.
        ties: name → (source name, factor): value = factor × value of the source.
    """

    names: tuple
    values: dict
    lower: dict
    upper: dict
    free: tuple
    ties: dict

    @classmethod
    def build(cls, model_parameters: Sequence[str], required: Sequence[str], defaults: Mapping, initial: Mapping,
              bounds: Mapping | None, fixed: Sequence[str], ties: Mapping | None) -> "Parameters":
        """Validate the user's dictionaries against the model's parameter names (errors name the key)."""
        bounds = dict(bounds or {})
        ties = {k: (v, 1.0) if isinstance(v, str) else (v[0], float(v[1])) for k, v in dict(ties or {}).items()}
        known = set(model_parameters)
        for where, keys in (("initial", initial), ("bounds", bounds), ("fixed", fixed), ("ties", ties)):
            for key in keys:
                if key not in known:
                    raise ValueError(f"unknown parameter {key!r} in {where}: the model has parameters "
                                     f"{sorted(known)}")
        for key, (src, _) in ties.items():
            if src not in known:
                raise ValueError(f"ties[{key!r}] = {src!r} is not a parameter of the model: {sorted(known)}")
            if src in ties:
                raise ValueError(f"ties[{key!r}] = {src!r} is itself tied: tie to an untied parameter")
        for name in required:
            if name not in initial and name not in ties:
                raise ValueError(f"missing initial value for parameter {name!r} (required by the model)")
        values, lower, upper = {}, {}, {}
        for name in model_parameters:
            if name in initial:
                values[name] = float(initial[name])
            elif name in defaults:
                values[name] = float(defaults[name])
            else:
                values[name] = math.nan  # tied
            lo, hi = bounds.get(name, (None, None)) if name in bounds else (None, None)
            if name in bounds:
                b = bounds[name]
                if not (isinstance(b, (tuple, list)) and len(b) == 2):
                    raise ValueError(f"bounds[{name!r}] = {b!r} is not allowed: give (lower, upper)")
                lo, hi = b
            lo = -math.inf if lo is None else float(lo)
            hi = math.inf if hi is None else float(hi)
            if not lo < hi:
                raise ValueError(f"bounds[{name!r}] = ({lo}, {hi}) is not allowed: lower must be < upper")
            lower[name], upper[name] = lo, hi
        free = tuple(n for n in model_parameters
                     if n in initial and n not in fixed and n not in ties)
        for name in free:
            v = values[name]
            if not math.isfinite(v):
                raise ValueError(f"initial[{name!r}] = {v!r} is not allowed: give a finite number")
            if not lower[name] < v < upper[name]:
                raise ValueError(f"initial[{name!r}] = {v!r} is outside its bounds ({lower[name]}, {upper[name]}): "
                                 "the start must lie strictly inside")
        for name in model_parameters:
            if name not in free and name not in ties and not (lower[name] <= values[name] <= upper[name]):
                raise ValueError(f"fixed parameter {name!r} = {values[name]!r} is outside its bounds "
                                 f"({lower[name]}, {upper[name]})")
        if not free:
            raise ValueError("no free parameters: every parameter is fixed or tied")
        return cls(tuple(model_parameters), values, lower, upper, free, ties)

    # -- transforms --------------------------------------------------------------------
    def to_internal(self, physical: Mapping) -> np.ndarray:
        """Physical values of the free parameters → unbounded internal u."""
        out = []
        for n in self.free:
            p, lo, hi = float(physical[n]), self.lower[n], self.upper[n]
            if math.isfinite(lo) and math.isfinite(hi):
                s = (p - lo) / (hi - lo)
                out.append(math.log(s / (1 - s)))
            elif math.isfinite(lo):
                out.append(_softplus_inv(p - lo))
            elif math.isfinite(hi):
                out.append(_softplus_inv(hi - p))
            else:
                out.append(p)
        return np.asarray(out, dtype=float)

    def to_physical(self, u: Float[Array, " n_free"]) -> Float[Array, " n_free"]:
        """Internal u → physical free values (traceable)."""
        out = []
        for i, n in enumerate(self.free):
            lo, hi = self.lower[n], self.upper[n]
            if math.isfinite(lo) and math.isfinite(hi):
                out.append(lo + (hi - lo) * jax.nn.sigmoid(u[i]))
            elif math.isfinite(lo):
                out.append(lo + jax.nn.softplus(u[i]))
            elif math.isfinite(hi):
                out.append(hi - jax.nn.softplus(u[i]))
            else:
                out.append(u[i])
        return jnp.stack(out)

    @property
    def held(self) -> tuple:
        """Names neither free nor tied (fixed at their value)."""
        return tuple(n for n in self.names if n not in self.free and n not in self.ties)

    def key(self) -> tuple:
        """Hashable structure (everything but the values): equal keys reuse compiled residuals."""
        return (self.names, tuple(self.lower[n] for n in self.names), tuple(self.upper[n] for n in self.names),
                self.free, tuple(sorted(self.ties.items())))

    def full(self, free_physical: Float[Array, " n_free"], held_values=None) -> dict:
        """All parameter values (free from the vector, held, tied) as a dict of scalars.

        ``held_values`` (in the order of :attr:`held`) overrides the stored values, so compiled
        residuals can take them as arguments instead of baking them in.
        """
        if held_values is None:
            held_values = [self.values[n] for n in self.held]
        vals = {n: jnp.asarray(v, dtype=float) for n, v in zip(self.held, held_values)}
        for i, n in enumerate(self.free):
            vals[n] = free_physical[i]
        for n, (src, factor) in self.ties.items():
            vals[n] = factor * vals[src]
        return vals


# ============================================================================ data sets
@dataclass
class _Dataset:
    x: np.ndarray
    data: np.ndarray
    temperature: float
    keep: np.ndarray
    err: np.ndarray
    component: str
    kind: str



def _components(curve, component):
    if component == "complex":
        return jnp.concatenate([jnp.real(curve), jnp.imag(curve)], axis=-1)
    if component == "sigma1":
        return jnp.real(curve)
    if component == "sigma2":
        return jnp.imag(curve)
    if component == "abs":
        return jnp.abs(curve)
    return jnp.real(curve)  # "real"


def _make_dataset(x, data, temperature, model_kind, component, uncertainty, weights, mask, window, index):
    tag = f"data set {index}: " if index is not None else ""
    try:
        x = np.asarray(x, dtype=float)
        data = np.asarray(data)
        if data.dtype.kind not in "biufc":
            raise TypeError
    except (TypeError, ValueError):
        raise fail(f"{tag}x/data", x if not isinstance(x, np.ndarray) else data, "two 1-D arrays of numbers") from None
    check(lambda t: t >= 0, f"{tag}temperature", temperature, "a finite temperature ≥ 0 K", unit="K")
    if x.ndim != 1 or data.shape != x.shape:
        raise ValueError(f"{tag}frequency/x has shape {x.shape} and the data {data.shape}: give two 1-D arrays "
                         "of equal length")
    if not np.all(np.isfinite(x)) or not np.all(np.isfinite(data)):
        bad = int(np.argmax(~(np.isfinite(x) & np.isfinite(data))))
        raise InputError(f"{tag}row {bad}: x = {show(x[bad])}, data = {show(data[bad])} is not allowed: finite values "
                         "(no NaN/inf)")
    order = np.argsort(x, kind="stable")
    same = np.flatnonzero(np.diff(x[order]) == 0)
    if same.size:
        j, k = sorted((int(order[same[0]]), int(order[same[0] + 1])))
        raise InputError(f"{tag}x[{k}] = {show(x[k])} is not allowed: it repeats x[{j}]; the x values (frequencies or "
                         "temperatures) must be distinct (average repeated measurements first)")
    if component is None:
        component = "complex" if np.iscomplexobj(data) else ("real" if model_kind == "real" else None)
        if component is None:
            raise ValueError(f"{tag}real σ data is ambiguous: pass component='sigma1', 'sigma2' or 'abs' "
                             "(or complex σ₁ + iσ₂)")
    allowed = ("complex", "sigma1", "sigma2", "abs", "real")
    if component not in allowed:
        raise ValueError(f"component = {component!r} is not allowed: one of {allowed}")
    keep = np.ones(x.shape, bool) if mask is None else np.asarray(mask, bool)
    if keep.shape != x.shape:
        raise ValueError(f"{tag}mask has shape {keep.shape}, the data {x.shape}")
    if window is not None:
        lo, hi = window
        keep &= (x >= (-np.inf if lo is None else lo)) & (x <= (np.inf if hi is None else hi))
    if component == "complex":
        d = np.concatenate([data.real, data.imag])
        keep = np.concatenate([keep, keep])
        if uncertainty is None:
            e = np.ones_like(d, dtype=float)
        else:
            u = np.broadcast_to(np.asarray(uncertainty), x.shape)
            e = np.concatenate([np.real(u), np.imag(u) if np.iscomplexobj(u) else np.real(u)]).astype(float)
        w1, w2 = (1.0, 1.0) if weights is None else weights
        e = e / np.concatenate([np.full(x.shape, float(w1)), np.full(x.shape, float(w2))])
    else:
        d = np.real(_components(jnp.asarray(data), component)) if component != "real" else np.real(data)
        d = np.asarray(d, float)
        e = np.ones_like(d) if uncertainty is None else np.broadcast_to(np.abs(np.asarray(uncertainty)), x.shape) * 1.0
        if weights is not None:
            e = e / float(np.atleast_1d(weights)[0])
    if np.any(e[keep] <= 0):
        raise ValueError(f"{tag}uncertainties must be > 0 where data are fitted (weights must be > 0)")
    if keep.sum() == 0:
        raise InputError(f"{tag}window = {show(window)} is not allowed: no data points are left after the mask/window; "
                         f"the data cover x in [{show(np.min(x))}, {show(np.max(x))}]")
    return _Dataset(x, np.asarray(d), float(temperature), keep, np.asarray(e, float), component, model_kind)


# ============================================================================ result
@dataclass
class FitResult:
    """Outcome of a fit.

    Attributes:
        values: best-fit physical value of every parameter (free, fixed, tied).
        stderr: standard error of every free (and tied) parameter, 0 for fixed ones (see the
            module docstring for the χ²_red-scaling convention).
        correlation: correlation matrix of the free parameters (order ``free``).
        covariance: covariance matrix of the free parameters.
        free: names of the free parameters.
        chi2, redchi: χ² and reduced χ²; n_data, n_free as counted in χ²_red.
        success: the optimiser converged; message: its verdict.
        model: the :class:`~jaxhiggs.fit_models.FitModel`.
    """

    values: dict
    stderr: dict
    correlation: np.ndarray
    covariance: np.ndarray
    free: tuple
    chi2: float
    redchi: float
    n_data: int
    n_free: int
    success: bool
    message: str
    model: FitModel
    optimizer: str
    n_starts: int
    at_bounds: tuple = ()
    datasets: list = field(default_factory=list, repr=False)
    curves: list = field(default_factory=list, repr=False)
    units: dict = field(default_factory=dict)

    def report(self) -> str:
        """lmfit-style text: statistics, values ± errors (relative), correlations |r| > 0.1."""
        lines = ["[[Fit Statistics]]",
                 f"    model              = {self.model.name}",
                 f"    optimizer          = {self.optimizer} ({self.n_starts} start(s)); {self.message}",
                 f"    # data points      = {self.n_data}",
                 f"    # variables        = {self.n_free}",
                 f"    chi-square         = {self.chi2:.6g}",
                 f"    reduced chi-square = {self.redchi:.6g}",
                 "[[Variables]]"]
        width = max(len(n) for n in self.values)
        for name, val in self.values.items():
            unit = self.units.get(_base(name), "")
            if name in self.free:
                err = self.stderr[name]
                rel = f" ({100 * err / abs(val):.2f}%)" if val != 0 else ""
                flag = "  (at a bound: error not meaningful)" if name in self.at_bounds else ""
                lines.append(f"    {name:<{width}} = {val:.8g} +/- {err:.3g}{rel} {unit}{flag}".rstrip())
            else:
                how = "tied" if self.stderr.get(name, 0.0) else "fixed"
                lines.append(f"    {name:<{width}} = {val:.8g} {unit} ({how})")
        pairs = []
        for i, j in itertools.combinations(range(len(self.free)), 2):
            r = self.correlation[i, j]
            if abs(r) > 0.1:
                pairs.append((abs(r), self.free[i], self.free[j], r))
        if pairs:
            lines.append("[[Correlations]] (unreported correlations are < 0.100)")
            for _, a, b, r in sorted(pairs, reverse=True):
                lines.append(f"    C({a}, {b}) = {r:+.4f}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready summary: values, stderr, covariance (free order), statistics, units."""
        return {
            "model": self.model.name, "optimizer": self.optimizer, "n_starts": self.n_starts,
            "success": bool(self.success), "message": self.message,
            "values": {k: float(v) for k, v in self.values.items()},
            "stderr": {k: float(v) for k, v in self.stderr.items()},
            "free": list(self.free), "covariance": np.asarray(self.covariance).tolist(),
            "correlation": np.asarray(self.correlation).tolist(),
            "chi2": self.chi2, "redchi": self.redchi, "n_data": self.n_data, "n_free": self.n_free,
            "at_bounds": list(self.at_bounds), "units": {k: v for k, v in self.units.items()},
            "covariance_convention": "C = redchi * inv(J^T J), J = d(residual)/d(physical free parameters)",
        }

    def save(self, path) -> Path:
        """Write :meth:`to_dict` as JSON."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2))
        return path

    def plot(self, path=None, title: str | None = None):
        """Data, best-fit model and residuals (per data set; σ₁ and σ₂ panels for complex data).

        Returns the matplotlib figure (Agg backend); saves a PNG when ``path`` is given.
        """
        from .plot import _pyplot

        plt = _pyplot()
        columns = []
        for k, ds in enumerate(self.datasets):
            curve = np.asarray(self.curves[k])
            if ds.component == "complex":
                columns.append((k, "σ₁", curve.real, ds, 0))
                columns.append((k, "σ₂", curve.imag, ds, 1))
            else:
                columns.append((k, {"sigma1": "σ₁", "sigma2": "σ₂", "abs": "|σ|"}.get(ds.component, "signal"),
                                np.real(_components(jnp.asarray(curve), ds.component)), ds, 0))
        ncol = min(len(columns), 4)
        nrow_blocks = math.ceil(len(columns) / ncol)
        fig, axes = plt.subplots(2 * nrow_blocks, ncol, figsize=(4.2 * ncol, 4.2 * nrow_blocks),
                                 gridspec_kw={"height_ratios": [3, 1] * nrow_blocks}, squeeze=False)
        for c, (k, label, model_y, ds, part) in enumerate(columns):
            row, col = 2 * (c // ncol), c % ncol
            n = ds.x.size
            d = ds.data[part * n:(part + 1) * n]
            keep = ds.keep[part * n:(part + 1) * n]
            ax, axr = axes[row, col], axes[row + 1, col]
            ax.plot(ds.x[keep], d[keep], ".", ms=3, label="data")
            if np.any(~keep):
                ax.plot(ds.x[~keep], d[~keep], ".", ms=3, color="0.7", label="excluded")
            ax.plot(ds.x, model_y, "-", lw=1.4, label="model")
            ax.set_ylabel(label)
            ax.set_title(f"T = {ds.temperature:g} K" if len(self.datasets) > 1 else (title or self.model.name),
                         fontsize=9)
            axr.plot(ds.x[keep], (d - model_y)[keep], ".", ms=3)
            axr.axhline(0.0, color="k", lw=0.6)
            axr.set_xlabel(self.model.x_label)
            axr.set_ylabel("data − model")
            if c == 0:
                ax.legend(fontsize=8)
        for c in range(len(columns), nrow_blocks * ncol):
            axes[2 * (c // ncol), c % ncol].axis("off")
            axes[2 * (c // ncol) + 1, c % ncol].axis("off")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120)
        return fig


def _base(name):
    return name.split("[")[0]


_UNITS = {"gap": "meV", "gap_1": "meV", "gap_2": "meV", "gamma": "meV", "gamma_1": "meV", "gamma_2": "meV",
          "eta": "meV", "shift": "THz", "v": "", "weight_1": "", "final_gap": "meV"}


# ============================================================================ optimisers
def _run_lm(residual_u, args, u0, max_steps, tol):
    solver = optx.LevenbergMarquardt(rtol=tol, atol=tol)
    # residual_u is a cached function object and the data travel in ``args``: optimistix's
    # compiled solve is then reused by later fits of the same structure (compilation dominates)
    sol = optx.least_squares(residual_u, solver, jnp.asarray(u0), args=args, max_steps=max_steps, throw=False)
    ok = bool(sol.result == optx.RESULTS.successful)
    steps = int(sol.stats["num_steps"])
    return sol.value, ok, f"LM converged in {steps} steps" if ok else f"LM did not converge ({steps} steps)"


def _forward_mode_loss(residual_u):
    """½χ²(u, args) whose reverse-mode gradient is Jᵀr with J from ``jax.jacfwd``.

    Why: the closed-form conductivities select branches with ``jnp.where`` around square roots;
    their forward-mode derivatives are finite but reverse mode produces 0·∞ = NaN in the
    unselected branch.  With few parameters forward mode is also the cheaper one.
    """

    @jax.custom_vjp
    def loss(u, args):
        return 0.5 * jnp.sum(residual_u(u, args) ** 2)

    def fwd(u, args):
        r = residual_u(u, args)
        jac = jax.jacfwd(residual_u)(u, args)
        return 0.5 * jnp.sum(r**2), (jac.T @ r, args)

    def bwd(saved, ct):
        grad, args = saved
        return ct * grad, jax.tree_util.tree_map(jnp.zeros_like, args)

    loss.defvjp(fwd, bwd)
    return loss


def _run_adam(residual_u, args, u0, max_steps, tol, learning_rate=0.02):
    loss = functools.partial(_forward_mode_loss(residual_u), args=args)
    opt = optax.adam(learning_rate)

    @jax.jit
    def run(u):
        def step(carry, _):
            u, state = carry
            g = jax.grad(loss)(u)
            upd, state = opt.update(g, state, u)
            return (optax.apply_updates(u, upd), state), None

        (u, _), _ = jax.lax.scan(step, (u, opt.init(u)), None, length=max_steps)
        return u

    u = run(jnp.asarray(u0))
    g = jax.grad(loss)(u)
    ok = bool(jnp.max(jnp.abs(g)) < 1e3 * tol * (1 + float(loss(u))))
    return u, ok, f"{max_steps} Adam steps, |∇|_max = {float(jnp.max(jnp.abs(g))):.2e}"


def _run_lbfgs(residual_u, args, u0, max_steps, tol):
    loss = functools.partial(_forward_mode_loss(residual_u), args=args)
    opt = optax.lbfgs()
    value_and_grad = optax.value_and_grad_from_state(loss)

    @jax.jit
    def step(u, state):
        value, grad = value_and_grad(u, state=state)
        upd, state = opt.update(grad, state, u, value=value, grad=grad, value_fn=loss)
        return optax.apply_updates(u, upd), state, grad

    u = jnp.asarray(u0)
    state = opt.init(u)
    for it in range(max_steps):
        u, state, grad = step(u, state)
        if float(jnp.max(jnp.abs(grad))) < tol:
            return u, True, f"L-BFGS converged in {it + 1} iterations"
    return u, False, f"L-BFGS stopped after {max_steps} iterations"


_OPTIMIZERS = {"lm": _run_lm, "adam": _run_adam, "lbfgs": _run_lbfgs}


# ============================================================================ the fit
def _start_grid(params: Parameters, u0: np.ndarray, n_starts: int) -> list:
    if n_starts <= 1:
        return [u0]
    axes = []
    for i, n in enumerate(params.free):
        if math.isfinite(params.lower[n]) and math.isfinite(params.upper[n]):
            # quantiles of the bounded interval (in the logistic variable: evenly spaced in probability)
            q = (np.arange(n_starts) + 0.5) / n_starts
            axes.append(list(np.log(q / (1 - q))))
        else:
            axes.append([u0[i]])
    grid = [np.asarray(p, float) for p in itertools.product(*axes)]
    if len(grid) > 64:
        raise ValueError(f"n_starts = {n_starts} gives {len(grid)} starts over {len(params.free)} bounded free "
                         "parameters: use at most 64 (fewer starts or fix some parameters)")
    return [u0] + grid


_RESIDUALS: dict = {}


def _per_set(fm: FitModel, local, full: dict, i: int) -> dict:
    return {name: full[f"{name}[{i}]"] if name in local else full[name] for name in fm.parameters}


def _residual_functions(fm: FitModel, params: Parameters, sets, local, jacobian: str = "fwd"):
    """(residual(u, args), residual_physical(p_free, args)), cached by structure.

    ``args`` = (held parameter values, [(x, temperature, data, err) per data set]); only shapes,
    components, masks, bounds and the model enter the cache key, so refits of new data (other
    noise seeds, other temperatures) reuse the compiled optimiser.
    """
    key = (fm.name, fm.function, fm.parameters, params.key(), tuple(local), jacobian,
           tuple((ds.component, ds.x.shape, ds.keep.tobytes()) for ds in sets))
    if key in _RESIDUALS:
        return _RESIDUALS[key]
    comps = [(ds.component, np.flatnonzero(ds.keep)) for ds in sets]

    def residual_physical(p_free, args):
        held, data = args
        full = params.full(p_free, held)
        parts = []
        for i, ((comp, idx), (x, temp, d, e)) in enumerate(zip(comps, data)):
            curve = fm(_per_set(fm, local, full, i), x, temp)
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

    chi2 = jax.jit(lambda u, args: jnp.sum(residual_raw(u, args) ** 2))

    @jax.jit
    def final(u, args):
        # one compiled function for everything evaluated at the optimum (compiles dominate)
        p = params.to_physical(u)
        full = params.full(p, args[0])
        curves = [fm(_per_set(fm, local, full, i), x, temp) for i, (x, temp, _, _) in enumerate(args[1])]
        return p, full, jacobian_of(residual_physical)(p, args), curves

    _RESIDUALS[key] = (residual_u, chi2, final)
    return _RESIDUALS[key]


def fit_global(datasets: Sequence[Mapping], model, initial: Mapping, bounds: Mapping | None = None,
               fixed: Sequence[str] = (), ties: Mapping | None = None, local: Sequence[str] = (),
               optimizer: str = "lm", n_starts: int = 1, max_steps: int = 400, tol: float = 1e-10,
               scale_covar: bool = True, jacobian: str = "fwd", drive_frequency: float | None = None, model_options: Mapping | None = None
               ) -> FitResult:
    """Fit one model to several data sets at once, sharing all parameters except ``local`` ones.

    Args:
        datasets: dicts with ``x`` (frequency THz, or temperature K for vs-T models), ``data``
            (complex σ or a real curve), and optionally ``temperature`` (K), ``uncertainty``,
            ``weights``, ``mask``, ``window`` (x-range), ``component``.
        model: a name (see :func:`jaxhiggs.fit_models.resolve`), a :class:`FitModel`, or a
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

    Returns:
        :class:`FitResult`.
    """
    if jacobian not in ("fwd", "rev"):
        raise ValueError(f"jacobian = {jacobian!r} is not allowed: 'fwd' or 'rev'")
    check_int("n_starts", n_starts, 1, 64, "multi-start grid size per bounded parameter")
    check_int("max_steps", max_steps, 1, what="optimiser iterations")
    check(lambda v: v > 0, "tol", tol, "a finite tolerance > 0")
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
        fm = FitModel(fm.name, fm.function, names, fm.defaults, fm.kind, fm.x_label)
    nset = len(datasets)
    if nset == 0:
        raise ValueError("datasets is empty: give at least one data set")
    local = tuple(local)
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
    fm = FitModel(fm.name, fm.function, fm.required, fm.defaults, kind, fm.x_label)

    residual_u, chi2_fn, final_fn = _residual_functions(fm, params, sets, local, jacobian)
    args = ([jnp.asarray(params.values[n], dtype=float) for n in params.held],
            [(jnp.asarray(ds.x), jnp.asarray(ds.temperature, dtype=float), jnp.asarray(ds.data[ds.keep]),
              jnp.asarray(ds.err[ds.keep])) for ds in sets])
    u0 = params.to_internal(params.values)
    run = _OPTIMIZERS[optimizer]
    best = None
    starts = _start_grid(params, u0, n_starts)
    for start in starts:
        u, ok, msg = run(residual_u, args, start, max_steps, tol)
        chi2 = float(chi2_fn(u, args))
        if not math.isfinite(chi2):
            continue
        if best is None or chi2 < best[0]:
            best = (chi2, u, ok, msg)
    if best is None:
        raise RuntimeError("every start gave a non-finite χ²: check the initial values, bounds and data units")
    chi2, u, ok, msg = best
    p_best, full, jac, curves = final_fn(u, args)
    jac = np.asarray(jac)
    n_data = int(sum(ds.keep.sum() for ds in sets))
    n_free = len(params.free)
    dof = max(n_data - n_free, 1)
    redchi = chi2 / dof
    jtj = jac.T @ jac
    try:
        cov = np.linalg.inv(jtj)
    except np.linalg.LinAlgError:
        cov = np.linalg.pinv(jtj)
        msg += "; JᵀJ singular (parameters not identifiable): pseudo-inverse used"
    if scale_covar:
        cov = cov * redchi
    err = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    denom = np.outer(err, err)
    corr = np.divide(cov, denom, out=np.zeros_like(cov), where=denom > 0)
    full = {k: float(v) for k, v in full.items()}
    values = {n: full[n] for n in params.names}
    stderr = {n: 0.0 for n in params.names}
    stderr.update({n: float(e) for n, e in zip(params.free, err)})
    for n, (src, factor) in params.ties.items():
        stderr[n] = abs(factor) * stderr[src]
    at_bounds = tuple(n for n in params.free
                      if min(abs(values[n] - params.lower[n]), abs(values[n] - params.upper[n]))
                      < 1e-6 * max(1.0, abs(values[n])))
    curves = [np.asarray(c) for c in curves]
    units_map = {n: _UNITS.get(n, "") for n in fm.parameters}
    return FitResult(values, stderr, corr, cov, params.free, chi2, redchi, n_data, n_free, ok, msg, fm, optimizer,
                     len(starts), at_bounds, sets, curves, units_map)


def fit_conductivity(frequency: Float[ArrayLike, " n"], sigma: ArrayLike, model, initial: Mapping,
                     bounds: Mapping | None = None, fixed: Sequence[str] = (), temperature: float = 0.0,
                     **options) -> FitResult:
    """Fit σ(ω) — σ₁ and σ₂ jointly for complex ``sigma`` — with a conductivity model.

    Args:
        frequency: ν in THz (1-D).
        sigma: complex σ₁ + iσ₂ normalised to σ_n (Mattis–Bardeen) or to the Drude σ₀ = ne²/(mγ)
            (Zimmermann, finite γ); data in S/cm work too with ``sigma_n`` free (in S/cm).
            Real data need ``component`` (``"sigma1"``, ``"sigma2"`` or ``"abs"``).
        model: ``"mattis-bardeen"``, ``"zimmermann"``, ``"two-band-zimmermann"``, a
            :class:`~jaxhiggs.fit_models.FitModel` or a callable ``f(params, frequency_THz, T_K)``.
        initial: start values by name, e.g. ``{"gap": 1.3, "gamma": 5.0}`` (meV).
        bounds: ``{"gap": (0.5, 3.0), ...}``; fixed: names held at their initial value.
        temperature: measurement temperature in K.
        **options: ``uncertainty``, ``weights`` (w₁, w₂), ``mask``, ``window`` (THz), ``component``,
            and the :func:`fit_global` options (``ties``, ``optimizer``, ``n_starts``, ...).

    Returns:
        :class:`FitResult` (``.values``, ``.stderr``, ``.correlation``, ``.report()``, ``.plot()``).
    """
    data_keys = ("uncertainty", "weights", "mask", "window", "component")
    ds = {"x": frequency, "data": sigma, "temperature": temperature}
    ds.update({k: options.pop(k) for k in data_keys if k in options})
    return fit_global([ds], model, initial, bounds, fixed, **options)


def fit_thg(frequency: Float[ArrayLike, " n"], intensity: Float[ArrayLike, " n"], model="higgs-thg",
            initial: Mapping | None = None, bounds: Mapping | None = None, fixed: Sequence[str] = (),
            temperature: float = 0.0, **options) -> FitResult:
    """Fit a THG curve and locate the 2Ω = 2Δ resonance.

    Args:
        frequency: drive frequency Ω/2π in THz (``"higgs-thg"``), or temperatures in K for
            ``"higgs-thg-temperature"`` (then pass ``drive_frequency`` in THz).
        intensity: |j(3Ω)|² (any units: the amplitude ``scale`` is free).
        model: ``"higgs-thg"`` (default), ``"higgs-thg-temperature"``, a FitModel or a callable.
        initial: start values (``gap`` meV, ``eta`` meV, ``scale``); when None, a start is guessed
            from the data: Δ = h·Ω_peak, η = 0.05Δ, scale from the peak height.
        bounds, fixed, temperature, **options: as :func:`fit_conductivity`.

    The resonance sits at h·Ω = Δ, i.e. 2hΩ = 2Δ; the result's ``values["gap"]`` is that Δ (meV).
    """
    from . import units

    x = np.asarray(frequency, float)
    y = np.asarray(intensity, float)
    if initial is None:
        if model != "higgs-thg":
            raise ValueError(f"initial = None is only supported for model 'higgs-thg', not {model!r}")
        k = int(np.argmax(y))
        gap0 = float(units.thz_to_mev(x[k]))
        # |χ_H(2Δ + iη)|² ≈ (4/π²)(Δ/η) at the peak
        initial = {"gap": gap0, "eta": 0.05 * gap0, "scale": float(y[k]) * math.pi**2 / 4 * 0.05}
        if bounds is None:
            bounds = {"gap": (0.5 * gap0, 2.0 * gap0), "eta": (1e-3 * gap0, gap0), "scale": (0.0, None)}
    data_keys = ("uncertainty", "weights", "mask", "window", "component")
    ds = {"x": x, "data": y, "temperature": temperature}
    ds.update({k: options.pop(k) for k in data_keys if k in options})
    return fit_global([ds], model, initial, bounds, fixed, **options)
