"""Abrikosov–Gor'kov equilibrium (spec C7, §S.2)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxhiggs  # noqa: F401  (float64)
from jaxhiggs import pair_breaking as pb


def _closed_form_log(zeta):
    # C7 written out independently of the module
    if zeta <= 1:
        return np.pi * zeta / 4
    return (np.log(zeta + np.sqrt(zeta**2 - 1)) + 0.5 * zeta * np.arcsin(1 / zeta)
            - np.sqrt(zeta**2 - 1) / (2 * zeta))


@pytest.mark.parametrize("gamma", [0.01, 0.1, 0.2, 0.3, 0.4, 0.45, 0.49])
def test_ag_gap_satisfies_closed_form(gamma):
    d00 = 1.7
    ag = pb.abrikosov_gorkov(d00, gamma * d00)
    zeta = float(ag.zeta)
    assert abs(np.log(d00 / float(ag.gap)) - _closed_form_log(zeta)) < 1e-6
    assert abs(float(ag.pair_breaking) / float(ag.gap) - zeta) < 1e-12
    # both branches are exercised
    assert (zeta > 1) == (gamma > 0.4559381)


def test_gapless_onset_and_critical_value():
    d00 = 2.0
    onset = d00 * np.exp(-np.pi / 4)  # Γ = Δ at ζ = 1
    ag = pb.abrikosov_gorkov(d00, onset)
    assert abs(float(ag.gap) - onset) < 1e-9 * d00
    assert abs(float(ag.gap) / d00 - 0.4559381) < 1e-6
    assert float(pb.critical_pair_breaking(d00)) == 1.0
    near = pb.abrikosov_gorkov(d00, 0.5 * d00 * (1 - 1e-6))
    assert float(near.gap) < 0.01 * d00  # Δ → 0 as Γ → Γ_c


@pytest.mark.parametrize("zeta", [0.0, 0.05, 0.3, 0.7, 0.99, 1.3])
def test_threshold_astroid(zeta):
    gap = 1.3
    eg = float(pb.quasiparticle_threshold(gap, zeta * gap))
    if zeta >= 1:
        assert eg == 0.0
    else:
        assert abs(eg ** (2 / 3) + (zeta * gap) ** (2 / 3) - gap ** (2 / 3)) < 1e-9
        # DOS vanishes below ε_g and is positive above
        dos = np.asarray(pb.density_of_states(jnp.array([0.99 * eg, eg + 1e-3 * gap]), gap, zeta * gap))
        assert abs(dos[0]) < 1e-10 and dos[1] > 1e-3


def test_green_functions_normalisation_and_equation():
    eps = jnp.linspace(-5.0, 5.0, 301)
    for zeta in (0.1, 0.5, 1.3, 2.0):
        g, f = pb.green_functions(eps, 1.0, zeta)
        g, f = np.asarray(g), np.asarray(f)
        assert np.max(np.abs(g**2 - f**2 - 1)) < 1e-10
        assert np.max(np.abs(np.asarray(eps) * f - g + 1j * zeta * g * f)) < 1e-10  # S.2
        assert np.min(g.real) > -1e-12  # DOS ≥ 0
        assert np.max(np.abs(g - np.conj(g[::-1]))) < 1e-12  # G(−ε) = G(ε)*


def test_gapless_dos_at_zero_energy():
    # u = i√(ζ²−1) at ε = 0 ⇒ G = √(ζ²−1)/ζ
    for zeta in (1.3, 2.0):
        g, _ = pb.green_functions(jnp.array([0.0]), 1.0, zeta)
        assert abs(complex(g[0]) - np.sqrt(zeta**2 - 1) / zeta) < 1e-12


def test_gap_gradient_matches_finite_difference():
    f = lambda g: pb.abrikosov_gorkov(1.0, g).gap  # noqa: E731
    # compiled once (eagerly every call re-traced the solve: 8.5 s against 1.2 s measured); the differences
    # take their values from the same program (a separately jitted f was a second compile)
    value_and_grad = jax.jit(jax.value_and_grad(f))
    f_j = lambda g: value_and_grad(g)[0]  # noqa: E731
    unbatched = []
    for gamma in (0.0, 0.1, 0.4):
        value, ad = (float(x) for x in value_and_grad(gamma))
        unbatched.append(value)
        h = 1e-5
        fd = (float(f_j(gamma + h)) - float(f_j(max(gamma - h, 0.0)))) / (h + min(h, gamma))
        if gamma == 0.0:
            assert abs(ad + np.pi / 4) < 1e-12  # dΔ/dΓ = −π/4 at Γ = 0
        else:
            assert abs(ad - fd) < 1e-7 * abs(fd) + 1e-9
    # vmap works (no concrete checks on tracers) and gives the unbatched values at the same Γ: the same root
    # finder per element, so they agree to its convergence (tolerance 1e-12 relative)
    gaps = jax.jit(jax.vmap(f))(jnp.array([0.0, 0.1, 0.4]))  # jitted: one compile, not op by op
    assert gaps.shape == (3,)
    np.testing.assert_allclose(np.asarray(gaps), unbatched, rtol=1e-12, atol=0)


def test_green_function_gradient():
    # one compiled value_and_grad for the gradient and the differences (eager dispatch: ~3 s)
    value_and_grad = jax.jit(jax.value_and_grad(lambda z: pb.green_functions(1.2, 1.0, z)[0].real))
    h = 1e-6
    fd = (float(value_and_grad(0.3 + h)[0]) - float(value_and_grad(0.3 - h)[0])) / (2 * h)
    assert abs(float(value_and_grad(0.3)[1]) - fd) < 1e-7


@pytest.mark.parametrize("gamma", [-0.1, 0.5, 0.7])
def test_bad_pair_breaking_raises(gamma):
    with pytest.raises(ValueError, match=r"pair_breaking = .*(Γ_c|0 <= Γ)"):
        pb.abrikosov_gorkov(1.0, gamma)


def test_finite_temperature_gap_equation_reproduces_ag():
    # T → 0 self-consistency with ω_D ≫ Δ reproduces C7 (spec §S.2)
    lam, wd = 0.3, 100.0  # ω_D ≈ 14 Δ00
    d00 = float(pb.solve_gap_finite_temperature(0.0, 0.0, wd, lam))
    assert abs(d00 - wd / np.cosh(1 / lam)) < 1e-6 * d00  # ∫_Δ^{ω_D} dε/√(ε²−Δ²) = arccosh(ω_D/Δ)
    gam = 0.2 * d00
    d = float(pb.solve_gap_finite_temperature(gam, 0.0, wd, lam))
    # finite ω_D = 14Δ: O(Γ/ω_D) corrections to the ω_D → ∞ closed form (measured 6e-4)
    assert abs(d - float(pb.abrikosov_gorkov(d00, gam).gap)) < 1e-3 * d00


def _unsquared_residual(u, x, zeta):
    s = np.sqrt(u - 1 + 0j) * np.sqrt(u + 1 + 0j)  # principal roots: √(u−1)√(u+1), Im u ≥ 0 here
    return u - 1j * zeta * u / s - x, 1 + 1j * zeta / s**3


def _reference_root(x, zeta):
    """Independent reference for u(x, ζ): brentq inside the gap, numpy.roots + Im-max outside."""
    from scipy.optimize import brentq

    u_star = np.sqrt(1 - min(zeta, 1) ** (2 / 3))
    if zeta < 1 and x < u_star**3:
        if x == 0:
            return 0j
        return complex(brentq(lambda u: u * (1 - zeta / np.sqrt(1 - u * u)) - x, 0.0, u_star, xtol=1e-300, rtol=1e-15))
    roots = np.roots([1, -2 * x, x * x - 1 + zeta**2, 2 * x, -x * x])
    u = roots[np.argmax(roots.imag)]
    for _ in range(4):  # Newton polish of the companion-matrix root (guarded)
        f, df = _unsquared_residual(u, x, zeta)
        if df == 0:  # ζ = 1, x = 0: u = 0 is exact
            break
        trial = u - f / df
        if trial.imag >= 0 and abs(_unsquared_residual(trial, x, zeta)[0]) <= abs(f):
            u = trial
    return u


@pytest.mark.parametrize("zeta", [1e-3, 0.1, 0.5, 0.9, 0.99, 1.0, 1.01, 1.5, 5.0])
def test_root_matches_independent_reference(zeta):
    # the real-arithmetic root finder (two real roots deflated to the complex pair; safeguarded
    # Newton in the gap) against numpy.roots/brentq, on a grid with the threshold neighbourhood
    # and the quadrature tail (x up to 3.5e4).  A wrongly selected root (the conjugate, a real
    # root, the in-gap partner beyond u*) is off by ≥ 2 Im u or O(√(x_g − x)) ≫ the tolerances.
    x_g = (1 - zeta ** (2 / 3)) ** 1.5 if zeta < 1 else 0.0
    near = np.array([x_g * (1 + sg * 10.0**-k) for k in range(1, 13) for sg in (-1, 1)] + [x_g])
    away = np.concatenate([np.linspace(0, 10, 201), [1e-9, 1e-4, 0.999, 1.0, 1.001],
                           70 / np.geomspace(0.002, 1, 40)])
    xs = np.concatenate([away, near])
    u = np.asarray(jax.jit(pb._u_retarded)(jnp.asarray(xs), zeta))
    assert np.all(np.isfinite(u)) and np.all(u.imag >= 0)
    ref = np.array([_reference_root(x, zeta) for x in xs])
    err = np.abs(u - ref) / np.maximum(1, np.abs(ref))
    res = np.abs(_unsquared_residual(u, xs, zeta)[0]) / np.maximum(1, xs)
    dist = np.abs(xs - x_g) / max(x_g, 1e-300)
    far = (dist > 1e-6) & ~((zeta == 1.0) & (xs < 1e-6))  # ζ = 1: threshold at x = 0
    assert np.max(err[far]) < 1e-11, (xs[far][np.argmax(err[far])], np.max(err[far]))
    # next to the threshold double root u is conditioned like √(x − x_g): judge by the residual
    # of the unsquared equation, and keep the distance to the reference at that scale
    assert np.max(res) < 1e-13
    # (at x = x_g itself the pair is a real double root and numpy.roots' Im-max pick is arbitrary)
    assert np.max(err[~far & (xs != x_g)], initial=0.0) < 1e-6
    if zeta < 1:  # in the gap: the real root on [x, u*], not its partner beyond u*
        u_star = np.sqrt(1 - zeta ** (2 / 3))
        gap = xs < x_g
        assert np.all(np.abs(u[gap].imag) == 0) and np.all(u[gap].real <= u_star * (1 + 1e-12))
