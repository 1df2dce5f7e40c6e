"""Optimisers on the unbounded internal variables: Levenberg–Marquardt, Adam, L-BFGS; multi-start grid."""

from __future__ import annotations

import functools
import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
import optimistix as optx

from .parameters import Parameters

def _lm_solve(residual_u, args, u0, max_steps, tol, with_jacobian=False):
    """Traceable Levenberg–Marquardt solve: (u, converged, steps) as arrays (``max_steps``, ``tol`` static).

    With ``with_jacobian``, also the residuals' Jacobian ∂r/∂u at the returned ``u``, as the solver last
    linearised it (its state pairs every accepted point with its linearisation): no second copy of the
    model's derivative in a compiled program.  :func:`jaxhiggs.fit.fit_global` traces this inside one
    compiled program together with everything evaluated at the optimum.
    """
    solver = optx.LevenbergMarquardt(rtol=tol, atol=tol)
    sol = optx.least_squares(residual_u, solver, jnp.asarray(u0), args=args, max_steps=max_steps, throw=False)
    out = (sol.value, sol.result == optx.RESULTS.successful, sol.stats["num_steps"])
    return out + (sol.state.f_info.jac.as_matrix(),) if with_jacobian else out


def _lm_message(ok, steps) -> str:
    return f"LM converged in {int(steps)} steps" if bool(ok) else f"LM did not converge ({int(steps)} steps)"


def _run_lm(residual_u, args, u0, max_steps, tol):
    # residual_u is a cached function object and the data travel in ``args``: optimistix's
    # compiled solve is then reused by later fits of the same structure (compilation dominates)
    u, ok, steps = _lm_solve(residual_u, args, u0, max_steps, tol)
    return u, bool(ok), _lm_message(ok, steps)


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
