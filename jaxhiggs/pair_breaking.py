"""Abrikosov–Gor'kov (AG) equilibrium of a superconductor with pair breaking, in JAX.

Physics (docs/models/schmid-higgs.md; analytic checks C7 and §S.2).  A pair-breaking
energy Γ (magnetic impurities in the dirty limit, in-plane field in a thin film)
enters the quasiclassical retarded function g^R = G τ3 + F iτ2, G² − F² = 1, through

    ε F − Δ G + iΓ G F = 0   ⇔   ε = Δ u − iΓ u/√(u²−1),   u = G/F,          (S.2)

with G = u/√(u²−1), F = 1/√(u²−1) and √(u²−1) ≡ √(u−1)√(u+1) (principal roots).
Squaring gives the quartic u⁴ − 2xu³ + (x²−1+ζ²)u² + 2xu − x² = 0, x = ε/Δ, ζ = Γ/Δ.

Units: every energy (ε, Δ, Γ, Δ00, ε_g, k_B T, ω_D) is in meV; temperatures at the
API edge are in K (converted with :func:`jaxhiggs.units.kelvin_to_mev`).

Root finding (real arithmetic, no eigenvalue solver): the quartic has a real root in
(−1, 0) and one in (0, 1) for every x > 0; found by safeguarded Newton iterations and
deflated, they give the complex pair in closed form, whose upper member is the physical
root outside the gap; inside the gap it is the real root on [x, u*].  Differentiability:
that root is taken under ``stop_gradient`` and polished with Newton steps on the
*unsquared* equation, the last one differentiable, which yields the exact
implicit-function derivative du/dp = −∂_p f / ∂_u f.  The AG gap is found the
same way (bracketing bisection, then one differentiable Newton step).
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Complex, Float

from jaxhiggs import units
from jaxhiggs._validate import check, is_concrete

__all__ = [
    "AGEquilibrium",
    "abrikosov_gorkov",
    "ag_log_suppression",
    "critical_pair_breaking",
    "density_of_states",
    "gap_equation_residual",
    "green_functions",
    "quasiparticle_threshold",
    "solve_gap_finite_temperature",
]


# --------------------------------------------------------------------------- Green functions
def _csqrt(z):
    """Principal complex square root from real arithmetic (cut on the negative real axis).

    Same values as ``jnp.sqrt`` on complex input (a −0 imaginary part counts as +0, the
    upper lip); written out because XLA's complex sqrt/pow expand into large kernels that made
    compiling the root finder take seconds.
    """
    a, b = z.real, z.imag
    t = jnp.sqrt(0.5 * (jnp.abs(a) + jnp.hypot(a, b)))
    other = 0.5 * b / jnp.where(t > 0, t, 1.0)
    re = jnp.where(a >= 0, t, jnp.abs(other))
    im = jnp.where(a >= 0, other, jnp.where(b >= 0, t, -t))  # −0 → upper lip, like jnp.sqrt
    return jax.lax.complex(re, jnp.where(t > 0, im, 0.0))


def _sqrt_u2m1(u):
    # √(u−1)√(u+1): branch cut on [−1, 1], ~u at infinity (spec §S.2).  The retarded
    # root has Im u ≥ 0 (ε → ε + i0); clamping Im u at +0 keeps real in-gap roots on the
    # upper lip of the cut even when round-off leaves −0 or −1e−17 there.
    u = jax.lax.complex(u.real, jnp.maximum(u.imag, 0.0))
    return _csqrt(u - 1.0) * _csqrt(u + 1.0)


def _residual(u, x, zeta):
    """Unsquared equation f(u) = u − iζ u/√(u²−1) − x and f'(u) = 1 + iζ/(u²−1)^{3/2}."""
    inv = 1.0 / _sqrt_u2m1(u)
    return u - 1j * zeta * u * inv - x, 1.0 + 1j * zeta * inv * inv * inv


#: safeguarded-Newton iterations for the real roots (converged to ≲1e−12 after 20 on a dense
#: grid of x ∈ [0, 10⁷], ζ ∈ [1e−6, 100], threshold neighbourhood included; 24 for margin)
_ROOT_ITERS = 24
#: guarded Newton steps on the unsquared equation after the deflation (0 measured as accurate)
_POLISH_STEPS = 1
#: lower bound on Im u / ζ of the deflated pair: keeps ∂f/∂u ≠ 0 at the threshold double root
_NU_FLOOR = 1e-7


def _real_root_iter(v, y, zeta2, alpha, beta, lo, hi, n_iter):
    """Real roots u = α + βv of the quartic, v ∈ [lo, hi], by safeguarded Newton.

    With y = x (or y = −x and u → −u, which maps the root in (−1, 0) to (0, 1)) the quartic
    is −(1 + u)(y − u)² F(u) with F = (1 − u) − ζ²u²/((1 + u)(y − u)²): F has the roots of
    the quartic off u = y and is nearly linear in 1 − u where that is small (the tail), so
    Newton lands on it from far away.  The unknown v is either the offset d = 1 − u
    (α = 1, β = −1; it keeps its relative accuracy when the root hugs ±1, d ≈ ζ²/2x² in the
    tail, which the deflation in :func:`_complex_pair` needs) or u itself (α = 0, β = 1;
    relative accuracy for u → 0).  The caller's bracket holds exactly one root, where F
    increases in v.  A step leaving the bracket or longer than the previous one bisects
    instead; a step below 1e−13 v ends the iteration.
    """

    def body(_, state):
        v, lo, hi, dv_old = state
        u = alpha + beta * v
        one_minus_u = (1.0 - alpha) - beta * v  # exact: v or 1 − v
        a = y - u
        c = 1.0 + u
        t = zeta2 * u * u / (c * a * a)
        f = one_minus_u - t
        df = -beta * (1.0 + t * (2.0 / u - 1.0 / c + 2.0 / a))  # β ∂F/∂u
        lo = jnp.where(f < 0, v, lo)
        hi = jnp.where(f < 0, hi, v)
        dv = f / jnp.where(df != 0, df, 1.0)
        step = v - dv
        inside = (step >= lo) & (step <= hi) & (df != 0) & jnp.isfinite(step)
        # converged: freeze (collapse the bracket), so that a step at the round-off level, which
        # need not halve the previous one, cannot trigger a bisection that undoes convergence
        done = inside & (jnp.abs(dv) <= 1e-13 * v)
        newton = inside & ((jnp.abs(dv) <= jnp.abs(dv_old)) | done)
        v_new = jnp.where(newton, step, 0.5 * (lo + hi))
        return v_new, jnp.where(done, v_new, lo), jnp.where(done, v_new, hi), v_new - v

    v, _, _, _ = jax.lax.fori_loop(0, n_iter, body, (jnp.clip(v, lo, hi), lo, hi, hi - lo))
    return v


def _real_roots(x, zeta, x_in, u_star, n_iter):
    """(d₂, d₁, u_in): three real roots of the quartic, in one vectorised loop.

    r₂ = 1 − d₂ ∈ (0, 1) solves u(1 + ζ/√(1−u²)) = x, the branch with no threshold
    (u < x, so d₂ > 1 − x); r₁ = −1 + d₁ ∈ (−1, 0) solves |u|(ζ/√(1−u²) − 1) = x (so
    |u| ≥ √(1−ζ²), d₁ ≤ 1 − √(1−ζ²)); for 0 < x_in < x_g the in-gap root u_in solves
    u(1 − ζ/√(1−u²)) = x_in on [x_in, u*] (monotone there).  Each is the only root of the
    quartic in its bracket.  Guesses: the small-u limits u ≈ x/(1 ± ζ/√(1−x²)), the tail
    d ≈ ζ²/(2(x ∓ 1)²) and, next to the threshold, u ≈ u* − √(2(x_g − x)ζ^{2/3}/(3u*)).
    """
    z2 = zeta * zeta
    one, zero = jnp.ones_like(x), jnp.zeros_like(x)
    # r₂ (as d₂)
    xs = jnp.minimum(x, 0.5)
    small2 = 1.0 - x / (1.0 + zeta / jnp.sqrt(1.0 - xs * xs))
    g2 = jnp.where(x < 0.5, small2, z2 / (2.0 * (x - 1.0) ** 2 + z2))
    # r₁ (as d₁); 1 − √(1−ζ²) without cancellation at small ζ (it is d₁ itself at x = 0)
    hi1 = jnp.minimum(z2 / (1.0 + jnp.sqrt(jnp.maximum(1.0 - z2, 0.0))), 1.0)
    zm1 = jnp.where(zeta > 1.0, zeta - 1.0, 1.0)
    g1 = jnp.where((zeta > 1.0) & (x < 0.5 * zm1), 1.0 - x / zm1, z2 / (2.0 * (x + 1.0) ** 2 + z2))
    # in-gap root (as u); φ(u) = u(1 − ζ/√(1−u²)) has φ(u*) = x_g, φ'' = −3u*/ζ^{2/3} there
    den = 1.0 - zeta / jnp.sqrt(1.0 - jnp.minimum(x_in, 1.0) ** 2)
    u_in0 = jnp.where(den * u_star > x_in, x_in / jnp.where(den > 0, den, 1.0), u_star)
    x_g = u_star**3
    u_thr = u_star - jnp.sqrt(jnp.maximum(x_g - x_in, 0.0) * (1.0 - u_star**2) / (1.5 * u_star))
    u_thr = jnp.clip(u_thr, x_in, u_star)

    def newton_step(u):  # |F/F'| on the in-gap branch, to keep the better of the two guesses
        a = x_in - u
        t = z2 * u * u / ((1.0 + u) * a * a)
        return jnp.abs((1.0 - u - t) / (1.0 + t * (2.0 / u - 1.0 / (1.0 + u) + 2.0 / a)))

    u_in0 = jnp.where(newton_step(u_thr) < newton_step(u_in0), u_thr, u_in0)
    v = _real_root_iter(
        jnp.stack([g2, g1, u_in0]), jnp.stack([x, -x, x_in]), jnp.stack([z2, z2, z2]),
        jnp.stack([one, one, zero]), jnp.stack([-one, -one, one]),
        jnp.stack([jnp.maximum(1.0 - x, 0.0), zero, x_in]), jnp.stack([one, hi1, u_star]), n_iter)
    return v[0], v[1], v[2]


def _complex_pair(x, d2, d1, zeta):
    """Root with Im u ≥ 0 of the complex-conjugate pair of the quartic (x ≥ x_g), real arithmetic.

    Deflating the real roots r₂ = 1 − d₂ and r₁ = −1 + d₁ (:func:`_real_roots`), with
    s = r₁ + r₂ = d₁ − d₂ and r₁r₂ = −1 + d₁ + d₂ − d₁d₂, the u³ and u² coefficients
    give the pair m ± iν, m = x − s/2 and ν² = ζ² − (d₁ + d₂ − d₁d₂) − s x + ¾s², free of
    the x² cancellation of the closed-form quadratic in the tail (x ~ 10⁴).
    """
    # x = 0 (gapless ζ ≥ 1): the two real roots merge at u = 0, a double root the bisection
    # approaches only linearly; it is exact
    d2, d1 = jnp.where(x > 0, d2, 1.0), jnp.where(x > 0, d1, 1.0)
    s = d1 - d2
    nu2 = zeta * zeta - (d1 + d2 - d1 * d2) - s * x + 0.75 * s * s
    # at the threshold the pair is (numerically) a real double root where ∂f/∂u = 0: keep it
    # off the axis so that the Newton steps after this one stay finite (they restore ν → 0)
    return jax.lax.complex(x - 0.5 * s, jnp.maximum(jnp.sqrt(jnp.maximum(nu2, 0.0)), _NU_FLOOR * zeta))


def _select_root(x, zeta, n_polish=_POLISH_STEPS, n_iter=_ROOT_ITERS):
    """Physical retarded root u(x ≥ 0) of §S.2 (no gradient)."""
    zeta = jnp.broadcast_to(zeta, x.shape)
    zc = jnp.clip(zeta, 0.0, 1.0)
    u_star = jnp.sqrt(1.0 - jnp.cbrt(zc) ** 2)
    x_gap = jnp.where(zeta < 1.0, u_star**3, 0.0)  # (1 − ζ^{2/3})^{3/2}
    in_gap = x < x_gap
    # three real roots (safeguarded Newton, real arithmetic): the in-gap one (the real root
    # connected to u = 0, |u| < u*) and the two that are real for every x, which deflate to
    # the complex pair outside the gap; placeholders where a problem is not needed.  (A
    # companion-matrix eigvals path took ~10× longer; next to the threshold double root it
    # is only √eps-accurate, and at ζ ≲ 1e−6 in the tail it lost the pair altogether.)
    ok_in = in_gap & (zeta > 0)
    x_out = jnp.where(in_gap, x_gap, x)
    d2, d1, u_in = _real_roots(x_out, zeta, jnp.where(ok_in, x, 0.5 * x_gap),
                               jnp.where(ok_in, u_star, 1.0), n_iter)
    # Γ = 0 (BCS): u = x inside the gap as outside; x = 0: u = 0 (a double root of the quartic)
    u_in = jnp.where(ok_in & (x > 0), u_in, jnp.where(zeta > 0, 0.0, x)) + 0j
    # outside: exactly one quartic root has Im u > 0 (two are real, one is its conjugate,
    # which solves the sign-flipped equation); it comes from deflating the two real roots
    u_out = _complex_pair(x_out, d2, d1, zeta)
    # Γ = 0: all roots are real ((u²−1)(u−x)²); the BCS root is u = x
    u_out = jnp.where(zeta > 0, u_out, x + 0j)

    def polish(_, u):  # guarded Newton step on the unsquared equation
        f, df = _residual(u, x, zeta)
        trial = u - f / df
        f_new, _ = _residual(trial, x, zeta)
        ok = jnp.isfinite(trial) & (trial.imag >= 0) & (jnp.abs(f_new) <= jnp.abs(f))
        return jnp.where(ok, trial, u)

    # a rolled loop: unrolled, the complex square roots of the residual dominate compile time
    u_out = jax.lax.fori_loop(0, n_polish, polish, u_out)
    return jnp.where(in_gap, u_in, u_out)


def _u_retarded(x, zeta):
    """u(x, ζ) for x ≥ 0 with a differentiable final Newton step (implicit derivative)."""
    u0 = jax.lax.stop_gradient(_select_root(jax.lax.stop_gradient(x), jax.lax.stop_gradient(zeta)))
    f, df = _residual(u0, x, zeta)
    return u0 - f / df


@jax.jit
def green_functions(
    energy: Float[ArrayLike, "*e"], gap: Float[ArrayLike, ""], pair_breaking: Float[ArrayLike, ""]
) -> tuple[Complex[Array, "*e"], Complex[Array, "*e"]]:
    """Retarded AG functions (G^R(ε), F^R(ε)) of §S.2 for real ε.

    Args:
        energy: ε in meV (any shape, any sign).
        gap: the actual (suppressed) order parameter Δ in meV, > 0.
        pair_breaking: Γ in meV, ≥ 0 (any ζ = Γ/Δ, gapless ζ > 1 included).

    Returns:
        (G, F), dimensionless complex arrays of the shape of ``energy``; G → 1 at
        |ε| → ∞, Re G ≥ 0 is the DOS per normal-state DOS.  Negative energies use
        G(−ε) = G(ε)*, F(−ε) = −F(ε)* (§S.2).  At Γ = 0 the BCS functions with
        ε → ε + i0 are returned (purely imaginary G inside the gap).
    """
    energy = jnp.asarray(energy, jnp.float64)
    gap = jnp.asarray(gap, jnp.float64)
    zeta = jnp.asarray(pair_breaking, jnp.float64) / gap
    x = jnp.abs(energy) / gap
    u = _u_retarded(x, zeta)
    s = _sqrt_u2m1(u)
    g, f = u / s, 1.0 / s
    neg = energy < 0
    return jnp.where(neg, jnp.conj(g), g), jnp.where(neg, -jnp.conj(f), f)


def density_of_states(
    energy: Float[ArrayLike, "*e"], gap: Float[ArrayLike, ""], pair_breaking: Float[ArrayLike, ""]
) -> Float[Array, "*e"]:
    """Quasiparticle DOS per spin and normal-state DOS, Re G^R(ε) (§S.2). Energies in meV."""
    return green_functions(energy, gap, pair_breaking)[0].real


# --------------------------------------------------------------------------- AG gap (T = 0)
def ag_log_suppression(zeta: Float[ArrayLike, "*z"]) -> Float[Array, "*z"]:
    """ln(Δ00/Δ) as a function of ζ = Γ/Δ at T = 0 (C7, both branches; dimensionless)."""
    zeta = jnp.asarray(zeta, jnp.float64)
    zg = jnp.where(zeta > 1.0, zeta, 2.0)  # safe argument: no NaN in the unused branch's gradient
    root = jnp.sqrt(zg**2 - 1.0)
    gapless = jnp.arccosh(zg) + 0.5 * zg * jnp.arcsin(1.0 / zg) - root / (2.0 * zg)
    return jnp.where(zeta > 1.0, gapless, 0.25 * jnp.pi * zeta)


def _ag_log_suppression_prime(zeta):
    """d ln(Δ00/Δ)/dζ; for ζ > 1 it is √(ζ²−1)/(2ζ²) + ½ arcsin(1/ζ)."""
    zg = jnp.where(zeta > 1.0, zeta, 2.0)
    gapless = jnp.sqrt(zg**2 - 1.0) / (2.0 * zg**2) + 0.5 * jnp.arcsin(1.0 / zg)
    return jnp.where(zeta > 1.0, gapless, 0.25 * jnp.pi)


def critical_pair_breaking(gap_clean: Float[ArrayLike, "*b"]) -> Float[Array, "*b"]:
    """Γ_c = Δ00/2 (C7), meV in and out."""
    return 0.5 * jnp.asarray(gap_clean, jnp.float64)


def quasiparticle_threshold(
    gap: Float[ArrayLike, "*b"], pair_breaking: Float[ArrayLike, "*b"]
) -> Float[Array, "*b"]:
    """Spectral gap ε_g = Δ(1 − ζ^{2/3})^{3/2} (astroid, C7), 0 for ζ ≥ 1. meV in and out."""
    gap = jnp.asarray(gap, jnp.float64)
    zeta = jnp.asarray(pair_breaking, jnp.float64) / gap
    zs = jnp.where((zeta > 0) & (zeta < 1), zeta, 0.5)  # safe for d ζ^{2/3}/dζ at 0
    eg = gap * (1.0 - zs ** (2.0 / 3.0)) ** 1.5
    return jnp.where(zeta <= 0, gap, jnp.where(zeta >= 1, 0.0, eg))


class AGEquilibrium(NamedTuple):
    """T = 0 Abrikosov–Gor'kov state; all energies in meV, ``zeta`` dimensionless."""

    gap: Array  #: suppressed order parameter Δ
    threshold: Array  #: quasiparticle threshold ε_g (0 when gapless)
    pair_breaking: Array  #: Γ
    gap_clean: Array  #: Δ00 (gap at Γ = 0)
    zeta: Array  #: Γ/Δ


def _zeta_from_ratio(ratio):
    """Solve ln ζ − L(ζ) = ln(Γ/Δ00) for ζ by bisection in ln ζ (monotone, C7)."""
    target = jnp.log(ratio)

    def h(s):
        z = jnp.exp(s)
        return s - ag_log_suppression(z) - target

    def body(_, lohi):
        lo, hi = lohi
        mid = 0.5 * (lo + hi)
        up = h(mid) > 0
        return jnp.where(up, lo, mid), jnp.where(up, mid, hi)

    lo = jnp.full_like(target, -60.0)
    hi = jnp.full_like(target, 30.0)
    lo, hi = jax.lax.fori_loop(0, 110, body, (lo, hi))
    return jnp.exp(0.5 * (lo + hi))


def abrikosov_gorkov(
    gap_clean: Float[ArrayLike, "*b"], pair_breaking: Float[ArrayLike, "*b"]
) -> AGEquilibrium:
    """Gap suppression by pair breaking at T = 0 (C7): solve ln(Δ00/Δ) = L(Γ/Δ) for Δ.

    L(ζ) = πζ/4 for ζ ≤ 1 and arccosh ζ + (ζ/2) arcsin(1/ζ) − √(ζ²−1)/(2ζ) for ζ ≥ 1.

    Args:
        gap_clean: Δ00, the gap at Γ = 0 and T = 0, meV (> 0).
        pair_breaking: Γ in meV, 0 ≤ Γ < Γ_c = Δ00/2.

    Returns:
        :class:`AGEquilibrium` with ``gap`` Δ (meV), ``threshold`` ε_g (meV), ``zeta``.
        Differentiable in both arguments (bisection without gradient, then one
        Newton step on φ(y) = ln Δ00 − y − L(Γe^{−y}), y = ln Δ, that carries the
        implicit-function derivative).

    Raises:
        ValueError: for concrete Δ00 ≤ 0, Γ < 0 or Γ ≥ Γ_c.
    """
    check(lambda a: a > 0, "gap_clean", gap_clean, "Δ00 must be > 0 meV")
    check(lambda a: a >= 0, "pair_breaking", pair_breaking,
          "Γ (meV) must satisfy 0 <= Γ < Γ_c = Δ00/2 (negative pair breaking is unphysical)")
    if is_concrete(gap_clean, pair_breaking):
        gc = np.broadcast_to(0.5 * np.asarray(gap_clean, float), np.shape(pair_breaking))
        check(lambda a: a < gc, "pair_breaking", pair_breaking,
              f"Γ (meV) must satisfy 0 <= Γ < Γ_c = Δ00/2 = {gc.tolist()} meV (superconductivity is destroyed)")
    d00 = jnp.asarray(gap_clean, jnp.float64)
    gam = jnp.asarray(pair_breaking, jnp.float64)
    d00, gam = jnp.broadcast_arrays(d00, gam)
    ratio = jax.lax.stop_gradient(jnp.where(gam > 0, gam / d00, 0.1))
    zeta0 = jnp.where(gam > 0, _zeta_from_ratio(ratio), 0.0)
    y0 = jax.lax.stop_gradient(jnp.log(d00) - ag_log_suppression(zeta0))
    zeta_y0 = gam * jnp.exp(-y0)
    phi = jnp.log(d00) - y0 - ag_log_suppression(zeta_y0)
    dphi = -1.0 + zeta_y0 * _ag_log_suppression_prime(jax.lax.stop_gradient(zeta_y0))
    y = y0 - phi / dphi
    gap = jnp.exp(y)
    return AGEquilibrium(
        gap=gap,
        threshold=quasiparticle_threshold(gap, gam),
        pair_breaking=gam,
        gap_clean=d00,
        zeta=gam / gap,
    )


# --------------------------------------------------------------------------- finite T (§S.2)
def _gl_nodes(n):
    x, w = np.polynomial.legendre.leggauss(n)
    return jnp.asarray(0.5 * (x + 1.0)), jnp.asarray(0.5 * w)


@partial(jax.jit, static_argnames=("n_per_panel",))
def gap_equation_residual(
    gap: Float[ArrayLike, ""],
    pair_breaking: Float[ArrayLike, ""],
    temperature: Float[ArrayLike, ""],
    debye: Float[ArrayLike, ""],
    coupling: Float[ArrayLike, ""],
    n_per_panel: int = 48,
) -> Float[Array, ""]:
    """(1/2Δ)∫_{−ω_D}^{ω_D} dε Re F^R(ε) tanh(ε/2T) − 1/λ (§S.2; zero at self-consistency).

    Args: gap Δ, pair_breaking Γ, debye ω_D in meV; temperature in K; coupling λ
    (dimensionless, per unit DOS).  Quadrature: Gauss–Legendre panels with a
    cosine map (nodes cluster at the √-kinks ε_g and the peak near Δ).
    """
    gap = jnp.asarray(gap, jnp.float64)
    gam = jnp.asarray(pair_breaking, jnp.float64)
    t_mev = units.kelvin_to_mev(jnp.asarray(temperature, jnp.float64))
    eg = quasiparticle_threshold(gap, gam)
    geo = gap * jnp.asarray([1.5, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0])
    pts = jnp.sort(jnp.concatenate([jnp.asarray([0.0]), jnp.stack([eg, gap, 1.2 * gap]), geo]))
    pts = jnp.clip(pts, 0.0, debye)
    pts = jnp.concatenate([pts, jnp.asarray(debye)[None]])
    s, w = _gl_nodes(n_per_panel)
    smap = 0.5 * (1.0 - jnp.cos(jnp.pi * s))
    jac = 0.5 * jnp.pi * jnp.sin(jnp.pi * s)
    a, b = pts[:-1, None], pts[1:, None]
    eps = (a + (b - a) * smap).ravel()
    wts = ((b - a) * w * jac).ravel()
    eps = jnp.where(wts > 0, eps, 0.5 * gap)  # zero-width panels may sit on the ε = Δ pole
    _, f = green_functions(eps, gap, gam)
    th = jnp.where(t_mev > 0, jnp.tanh(eps / (2.0 * jnp.where(t_mev > 0, t_mev, 1.0))), 1.0)
    # ∫_{−ω_D}^{ω_D}: Re F tanh is even, hence the factor 2 against the 1/(2Δ)
    return jnp.sum(jnp.where(wts > 0, wts * f.real * th, 0.0)) / gap - 1.0 / jnp.asarray(coupling, jnp.float64)


def solve_gap_finite_temperature(
    pair_breaking: Float[ArrayLike, ""],
    temperature: Float[ArrayLike, ""],
    debye: Float[ArrayLike, ""],
    coupling: Float[ArrayLike, ""],
    n_iter: int = 60,
) -> Float[Array, ""]:
    """Self-consistent Δ(Γ, T) in meV from the §S.2 gap equation (bisection on Δ).

    Args: pair_breaking Γ and debye ω_D in meV, temperature in K, coupling λ.
    Returns 0 when the normal state is the only solution on (0, 2ω_D e^{−1/λ}].
    Not differentiable (bisection); intended as an equilibrium reference.
    """
    gam = float(pair_breaking)
    hi0 = 2.0 * float(debye) * float(np.exp(-1.0 / float(coupling))) * 1.01

    def resid(d):
        return gap_equation_residual(d, gam, temperature, debye, coupling)

    # residual decreases with Δ; superconducting iff positive as Δ → 0⁺ above Γ-scale
    lo, hi = 1e-6 * hi0, hi0
    if float(resid(lo)) <= 0:
        return jnp.asarray(0.0)
    for _ in range(n_iter):
        mid = 0.5 * (lo + hi)
        if float(resid(mid)) > 0:
            lo = mid
        else:
            hi = mid
    return jnp.asarray(0.5 * (lo + hi))
