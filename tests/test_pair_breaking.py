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
    for gamma in (0.0, 0.1, 0.4):
        ad = float(value_and_grad(gamma)[1])
        h = 1e-5
        fd = (float(f_j(gamma + h)) - float(f_j(max(gamma - h, 0.0)))) / (h + min(h, gamma))
        if gamma == 0.0:
            assert abs(ad + np.pi / 4) < 1e-12  # dΔ/dΓ = −π/4 at Γ = 0
        else:
            assert abs(ad - fd) < 1e-7 * abs(fd) + 1e-9
    # vmap works (no concrete checks on tracers)
    gaps = jax.jit(jax.vmap(f))(jnp.array([0.0, 0.1, 0.2]))  # jitted: one compile, not op by op
    assert gaps.shape == (3,)


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
