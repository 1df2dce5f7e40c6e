"""Closed-form BCS optical conductivities (spec §7.1): Mattis–Bardeen and Zimmermann (finite γ).

All energies (ω, Δ, γ, k_B T) in meV.  Returned σ are complex, σ = σ′ + iσ″ with the physics
convention e^{−iωt} (Re σ ≥ 0, Im σ > 0 inductive), normalised to the normal state:
Mattis–Bardeen to σ_n, Zimmermann to the Drude σ₀ = ne²/(mγ).  Integrals are done in JAX with
fixed Gauss–Legendre rules after substitutions that remove the inverse-square-root edges
(E = centre − half·cos θ on finite intervals, E = Δ cosh u on [Δ, ∞)), so the functions are
jit/vmap/grad-able in ω, Δ, γ, T.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Complex, Float

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(400)


def _gl(fn, lo, hi):
    """∫_lo^hi fn(x) dx with 400-point Gauss–Legendre."""
    x = 0.5 * (hi - lo) * _NODES + 0.5 * (hi + lo)
    return 0.5 * (hi - lo) * jnp.sum(_WEIGHTS * fn(x))


def _finite(fn, a, b):
    """∫_a^b fn(E) dE with E = (a+b)/2 − (b−a)/2 cos θ (removes 1/√ edges at a and b)."""
    half, mid = 0.5 * (b - a), 0.5 * (b + a)
    return _gl(lambda th: fn(mid - half * jnp.cos(th)) * half * jnp.sin(th), 0.0, jnp.pi)


def _semi_infinite(fn, gap, scale):
    """∫_Δ^∞ fn(E) dE with E = Δ cosh u, u ≤ arccosh(1 + 10⁶ scale/Δ) (integrands decay ≥ 1/E²)."""
    umax = jnp.arccosh(1.0 + 1e6 * scale / gap)
    # two panels: the structure sits at E ≲ Δ + few·scale, the rest is a smooth tail
    u1 = jnp.arccosh(1.0 + 20.0 * scale / gap)
    g = lambda u: fn(gap * jnp.cosh(u)) * gap * jnp.sinh(u)
    return _gl(g, 0.0, u1) + _gl(g, u1, umax)


def _sqrt_pos(x):
    """sqrt(max(x, 0)) whose reverse-mode derivative is 0 (not NaN) where x ≤ 0 ("double where")."""
    positive = x > 0
    return jnp.where(positive, jnp.sqrt(jnp.where(positive, x, 1.0)), 0.0)


def _thermal(x, temperature):
    """tanh(x/2T) (→ sign(x) at T = 0) and the Fermi function f(x)."""
    safe = jnp.where(temperature > 0, temperature, 1.0)
    th = jnp.where(temperature > 0, jnp.tanh(x / (2 * safe)), jnp.sign(x))
    return th, 0.5 * (1.0 - th)


@jax.jit  # one compiled quadrature instead of ~100 op-by-op dispatches at the first call
def mattis_bardeen(omega, gap, temperature=0.0) -> Complex[Array, ""]:
    """σ(ω)/σ_n of Mattis & Bardeen, Phys. Rev. 111, 412 (1958), spec §7.1(b) (sign-unambiguous form).

    ``omega`` > 0, ``gap`` Δ > 0, ``temperature`` k_B T ≥ 0, all meV.  Scalar in, complex scalar out
    (use ``jax.vmap`` over ω).
    """
    w, d, t = omega, gap, temperature
    fermi = lambda e: _thermal(e, t)[1]

    def gplus(e):
        return (e * (e + w) + d**2) / (jnp.sqrt(e**2 - d**2) * jnp.sqrt((e + w) ** 2 - d**2))

    qp = _semi_infinite(lambda e: (fermi(e) - fermi(e + w)) * gplus(e), d, jnp.maximum(w, jnp.maximum(t, d)))
    above = w > 2 * d
    hi = jnp.where(above, w - d, d + 1e-3 * d)  # dummy interval below the edge (masked)

    def gminus(e):
        return (1 - fermi(e) - fermi(w - e)) * (e * (w - e) - d**2) / (
            jnp.sqrt(jnp.abs(e**2 - d**2)) * jnp.sqrt(jnp.abs((w - e) ** 2 - d**2)))

    pb = jnp.where(above, _finite(gminus, d, hi), 0.0)
    s1 = 2.0 / w * qp + pb / w
    lo = jnp.maximum(d - w, -d)

    def s2_integrand(e):
        return (1 - 2 * fermi(e + w)) * (e * (e + w) + d**2) / (
            jnp.sqrt(jnp.abs(d**2 - e**2)) * jnp.sqrt(jnp.abs((e + w) ** 2 - d**2)))

    s2 = _finite(s2_integrand, lo, d) / w
    return s1 + 1j * s2


def mattis_bardeen_t0(omega, gap):
    """T = 0 closed form of σ/σ_n with complete elliptic integrals (NumPy/SciPy, spec §7.1(b))."""
    from scipy.special import ellipe, ellipk

    x = np.asarray(omega, dtype=float) / (2.0 * gap)
    k = np.where(x > 1, (x - 1) / (x + 1), 0.0)
    s1 = np.where(x > 1, (1 + 1 / x) * ellipe(k**2) - 2 / x * ellipk(k**2), 0.0)
    kp = 2 * np.sqrt(x) / (1 + x)
    s2 = 0.5 * (1 + 1 / x) * ellipe(kp**2) - 0.5 * (1 - 1 / x) * ellipk(kp**2)
    return s1 + 1j * s2


@jax.jit  # one compiled quadrature instead of ~100 op-by-op dispatches at the first call
def zimmermann(omega, gap, gamma, temperature=0.0) -> Complex[Array, ""]:
    """σ(ω)/σ₀ of Zimmermann et al., Physica C 183, 99 (1991), arbitrary purity, 1/τ = γ (spec §7.1(a)).

    σ₀ = ne²/(mγ).  ``omega`` > 0, ``gap``, ``gamma`` > 0, ``temperature`` (k_B T), all meV.  The
    normal-state limit is Drude, σ/σ₀ = γ/(γ − iω).
    """
    w, d, g, t = omega, gap, gamma, temperature
    th = lambda e: _thermal(e, t)[0]
    ig = 1j * g

    def gm(p, q, e):
        return (d**2 + e * (e - w)) / (p * q)

    def p2(e):
        return _sqrt_pos(e**2 - d**2)

    def i1(e):
        p4 = 1j * _sqrt_pos(d**2 - (e - w) ** 2)
        q = p2(e)
        gg = gm(p4, q, e)
        return th(e) * ((1 - gg) / (p4 + q + ig) - (1 + gg) / (p4 - q + ig))

    def i3(e):
        p3 = _sqrt_pos((e - w) ** 2 - d**2)
        q = p2(e)
        gg = gm(p3, q, e)
        return th(e) * ((1 - gg) / (p3 + q + ig) - (1 + gg) / (p3 - q + ig))

    def i2(e):
        p1 = jnp.sqrt((e + w) ** 2 - d**2)
        q = p2(e)
        gp = (d**2 + e * (e + w)) / (p1 * q)
        return th(e + w) * ((1 + gp) / (p1 - q + ig) - (1 - gp) / (-p1 - q + ig)) + th(e) * (
            (1 - gp) / (p1 + q + ig) - (1 + gp) / (p1 - q + ig))

    above = w > 2 * d
    # Each piece is integrated only over an interval where its square roots are positive, in
    # both branches: a masked branch evaluated where p·q = 0 would give inf, and its zero
    # cotangent times inf makes reverse-mode gradients NaN.
    # ω < 2Δ: ∫_Δ^{Δ+ω} i1;  ω > 2Δ: ∫_{ω−Δ}^{ω+Δ} i1 + ∫_Δ^{ω−Δ} i3.
    part1 = _finite(i1, jnp.where(above, w - d, d), jnp.where(above, w + d, d + w))
    part3 = _finite(i3, jnp.where(above, d, w + d), jnp.where(above, w - d, w + 2 * d))
    j = part1 + jnp.where(above, part3, 0.0)
    tail = _semi_infinite(i2, d, jnp.maximum(jnp.maximum(w, g), jnp.maximum(t, d)))
    return 1j * g / (2 * w) * (j + tail)


def superfluid_fraction_t0(gap, gamma):
    """n_s/n at T = 0 for any γ (spec §7.1(c)), α = γ/2Δ; NumPy."""
    a = gamma / (2.0 * gap)
    if np.isclose(a, 1.0):
        return np.pi / 2 - 1
    if a > 1:
        return (np.pi / 2 - np.arccosh(a) / np.sqrt(a**2 - 1)) / a
    return (np.pi / 2 - np.arccos(a) / np.sqrt(1 - a**2)) / a


def drude(omega, gamma) -> Complex[Array, "..."]:
    """Normal-state σ/σ₀ = γ/(γ − iω) (e^{−iωt} convention)."""
    return gamma / (gamma - 1j * omega)


__all__ = ["drude", "mattis_bardeen", "mattis_bardeen_t0", "superfluid_fraction_t0", "zimmermann"]
