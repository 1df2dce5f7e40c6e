"""An adaptive exponential Runge–Kutta solver for dy/dt = L y + N(t, y) with L = −iω diagonal.

Why: in the density-matrix and pseudospin models every state element rotates at a known rate
(L = −iω, ω up to 2ω_D), while the physics (pulse, 2Δ) is slow.  An explicit Runge–Kutta method
must resolve the fastest rotation (its step is pinned at ω_max·h ≈ 3 by stability); an exponential
integrator treats L exactly and lets the step follow the sources N.

Method (:class:`ExponentialRK4`): Krogstad's fourth-order exponential Runge–Kutta scheme
(Krogstad, J. Comput. Phys. 203, 72 (2005)), stages at c = 0, ½, ½, 1,

    a  = e^{hL/2} y + (h/2) φ₁(hL/2) N₀
    b  = e^{hL/2} y + (h/2) φ₁(hL/2) N₀ + h φ₂(hL/2) (N_a − N₀)
    c  = e^{hL} y + h φ₁(hL) N₀ + 2h φ₂(hL) (N_b − N₀)
    y₁ = e^{hL} y + h [(φ₁ − 3φ₂ + 4φ₃) N₀ + (2φ₂ − 4φ₃)(N_a + N_b) + (4φ₃ − φ₂) N_c],

which reduces to the classical RK4 for L → 0.  The error estimate uses the first stage of the
next step (first-same-as-last, so 4 evaluations of N per accepted step) and has two parts:

* the time quadrature of the source.  N at the previous step's start is compared with the
  quadratic source of this step extrapolated there; the residual fixes the cubic term of the source,
  whose integral against the rotation, h (6φ₄ − 3φ₃ + φ₂/2) δ₃, estimates the neglected part
  (O(h⁴)).  It is the only part that sees a source that does not depend on y (the first-order
  blocks driven by A(t)).  On the first step (or after a jump) the cruder second difference
  h (2φ₃ − φ₂)(N₀ − N_a − N_b + N_c) stands in;
* the stages, h (φ₂ − 2φ₃)(N(t₁, y₁) − N_c): in the classical limit the difference to the embedded
  third-order solution with weights (1/6, 1/3, 1/3, 0, 1/6).

Dense output between steps is exponential too: the source is replaced by the quadratic through
N₀, (N_a + N_b)/2 and N_c and the linear ODE solved exactly,
y(t₀ + θh) = e^{θhL} y₀ + h [θφ₁ C₀ + θ²φ₂ C₁ + θ³φ₃ C₂] (φ_k at θhL), which equals y₁ at θ = 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import PyTree

from .linear import dense, is_operator_leaf, tree_rotation_phi

_tree_map = jax.tree_util.tree_map


class DiagonalLinearTerm(diffrax.AbstractTerm):
    """The ODE term dy/dt = −iω ⊙ y + N(t, y, args) with real frequencies ω per state element.

    Args:
        frequencies: ``args → pytree`` of ω shaped like the state (arrays broadcastable to each
            leaf, or :class:`~jaxhiggs.solvers.OuterSum`), in 1/(time unit of t).
        nonlinear: ``(t, y, args) → pytree`` like the state: everything but −iω y.

    Any diffrax solver can integrate it (its vector field is −iω y + N); :class:`ExponentialRK4`
    uses the split.
    """

    frequencies: Callable
    nonlinear: Callable

    def vf(self, t, y, args):
        omega = self.frequencies(args)
        n = self.nonlinear(t, y, args)
        return _tree_map(lambda op, yi, ni: -1j * dense(op) * yi + ni, omega, y, n, is_leaf=is_operator_leaf)

    def contr(self, t0, t1, **kwargs):
        return t1 - t0

    def prod(self, vf, control):
        return _tree_map(lambda v: control * v, vf)


def _unwrap(terms) -> DiagonalLinearTerm:
    """diffrax wraps terms to handle the direction of time; jaxhiggs integrates forward only."""
    while not isinstance(terms, DiagonalLinearTerm):
        inner = getattr(terms, "term", None)
        if inner is None:
            raise TypeError(f"ExponentialRK4 needs a DiagonalLinearTerm (a model with linear_part), got {type(terms).__name__}")
        terms = inner
    return terms


class ExponentialInterpolation(diffrax.AbstractLocalInterpolation):
    """Exponential dense output of :class:`ExponentialRK4` on one step (see the module docstring)."""

    t0: jax.Array
    t1: jax.Array
    y0: PyTree
    c0: PyTree
    c1: PyTree
    c2: PyTree
    frequencies: PyTree

    def _at(self, t):
        h = self.t1 - self.t0
        theta = (t - self.t0) / h
        phis = tree_rotation_phi(self.frequencies, self.y0, theta * h)

        def one(ph, y0, c0, c1, c2):
            e, p1, p2, p3 = ph
            return (e * y0 + h * (theta * p1 * c0 + theta**2 * p2 * c1 + theta**3 * p3 * c2)).astype(y0.dtype)

        return _tree_map(one, phis, self.y0, self.c0, self.c1, self.c2, is_leaf=lambda x: isinstance(x, tuple))

    def evaluate(self, t0, t1=None, left: bool = True):
        del left
        if t1 is None:
            return self._at(t0)
        return _tree_map(lambda a, b: b - a, self._at(t0), self._at(t1))


class ExponentialRK4(diffrax.AbstractAdaptiveSolver):
    """Adaptive 4th-order exponential Runge–Kutta (Krogstad) for :class:`DiagonalLinearTerm`.

    Exact for the linear rotation; steps are limited by how fast the sources N vary.  Use with
    ``diffrax.PIDController`` (adaptive) or ``diffrax.ConstantStepSize``.  Works for any model that
    provides ``linear_part``/``nonlinear_part`` (see :class:`jaxhiggs.models.base.Model`).
    """

    term_structure: ClassVar = DiagonalLinearTerm
    interpolation_cls: ClassVar = ExponentialInterpolation

    def order(self, terms):
        return 4

    def error_order(self, terms):
        return 4

    def init(self, terms, t0, t1, y0, args):
        n0 = _unwrap(terms).nonlinear(t0, y0, args)
        # (N at t0 [first same as last], N at the previous step's start, previous step, have it)
        return n0, n0, jnp.zeros_like(jnp.asarray(t1 - t0, dtype=float)), jnp.asarray(False)

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        terms = _unwrap(terms)
        nonlinear = terms.nonlinear
        omega = terms.frequencies(args)
        h = t1 - t0
        fsal, n_prev, h_prev, have_prev = solver_state
        n0 = jax.lax.cond(made_jump, lambda: nonlinear(t0, y0, args), lambda: fsal)
        have_prev = have_prev & ~made_jump
        half = tree_rotation_phi(omega, y0, 0.5 * h, order=2)
        full = tree_rotation_phi(omega, y0, h, order=4)
        is_tuple = lambda x: isinstance(x, tuple)

        def stage_a(ph, y, n):
            e, p1, _ = ph
            return (e * y + 0.5 * h * p1 * n).astype(y.dtype)

        a = _tree_map(stage_a, half, y0, n0, is_leaf=is_tuple)
        na = nonlinear(t0 + 0.5 * h, a, args)

        def stage_b(ph, y, n, n_a):
            e, p1, p2 = ph
            return (e * y + 0.5 * h * p1 * n + h * p2 * (n_a - n)).astype(y.dtype)

        b = _tree_map(stage_b, half, y0, n0, na, is_leaf=is_tuple)
        nb = nonlinear(t0 + 0.5 * h, b, args)

        def stage_c(ph, y, n, n_b):
            e, p1, p2, _, _ = ph
            return (e * y + h * p1 * n + 2.0 * h * p2 * (n_b - n)).astype(y.dtype)

        c = _tree_map(stage_c, full, y0, n0, nb, is_leaf=is_tuple)
        nc = nonlinear(t1, c, args)
        # the source as a quadratic in x = (t − t0)/h: N₀ + c₁x + (c₂/2)x² (also the dense output)
        c0 = n0
        c1 = _tree_map(lambda n, p, q, r: -3.0 * n + 2.0 * (p + q) - r, n0, na, nb, nc)
        c2 = _tree_map(lambda n, p, q, r: 4.0 * n - 4.0 * (p + q) + 4.0 * r, n0, na, nb, nc)

        def final(ph, y, k0, k1, k2):
            e, p1, p2, p3, _ = ph
            return (e * y + h * (p1 * k0 + p2 * k1 + p3 * k2)).astype(y.dtype)

        y1 = _tree_map(final, full, y0, c0, c1, c2, is_leaf=is_tuple)
        n1 = nonlinear(t1, y1, args)
        r = h_prev / h
        cubic_node = -r * (r + 0.5) * (r + 1.0)  # x(x − ½)(x − 1) at the previous start x = −r

        def error(ph, m0, m_a, m_b, m_c, m1, k1, k2, m_prev, y):
            _, _, p2, p3, p4 = ph
            # quadrature: the cubic term of the source, fitted to N at the previous step's start,
            # integrated against the rotation (∫₀¹ e^{z(1−x)} x(x−½)(x−1) dx = 6φ₄ − 3φ₃ + φ₂/2);
            # without a previous step: quadratic vs linear source (second difference, lower order)
            residual = m_prev - (m0 - r * k1 + 0.5 * r * r * k2)
            cubic = (6.0 * p4 - 3.0 * p3 + 0.5 * p2) * residual / jnp.where(have_prev, cubic_node, 1.0)
            second = (2.0 * p3 - p2) * (m0 - (m_a + m_b) + m_c)
            quadrature = jnp.where(have_prev, cubic, second)
            # stages: N at the new point vs at the third-stage approximation of it
            stages = (p2 - 2.0 * p3) * (m1 - m_c)
            return (h * (quadrature + stages)).astype(y.dtype)

        y_error = _tree_map(error, full, n0, na, nb, nc, n1, c1, c2, n_prev, y0, is_leaf=is_tuple)
        dense_info = dict(y0=y0, c0=c0, c1=c1, c2=c2, frequencies=omega)
        new_state = (n1, n0, jnp.asarray(h, dtype=float), jnp.asarray(True))
        return y1, y_error, dense_info, new_state, diffrax.RESULTS.successful

    def func(self, terms, t0, y0, args):
        return _unwrap(terms).vf(t0, y0, args)


__all__ = ["DiagonalLinearTerm", "ExponentialInterpolation", "ExponentialRK4"]
