"""Closed-form conductivities (spec §7.1) against the spec's table and known limits."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxhiggs  # noqa: F401  (x64)
from jaxhiggs.conductivity import drude, mattis_bardeen, mattis_bardeen_t0, superfluid_fraction_t0, zimmermann

OMEGA = np.array([0.5, 1.0, 1.5, 2.5, 3.0, 4.0, 6.0])
# spec §7.1 table (T = 0, Δ = 1)
MB = [(0, 6.1838), (0, 2.9349), (0, 1.7580), (0.2976, 0.5580), (0.4758, 0.3727), (0.6719, 0.2031), (0.8328, 0.0885)]
Z2 = [(0, 2.2621), (0, 1.0956), (0, 0.6782), (0.2079, 0.3007), (0.2400, 0.3309), (0.1939, 0.3430), (0.1041, 0.2864)]
Z10 = [(0, 4.3470), (0, 2.0696), (0, 1.2418), (0.2924, 0.3788), (0.4571, 0.3028), (0.6090, 0.2965), (0.6454, 0.3832)]


def _table(values):
    return np.array([a + 1j * b for a, b in values])


# One jitted, vmapped program per closed form for the whole file: every call below has the same shape (the
# table's frequencies and the limits' points in one array; Δ, γ, T traced).  Eager dispatch of the
# quadratures compiled every operation anew (MB ~10 s; Zimmermann table + limits 5.7 s measured).
LIMITS = np.array([2.0, 0.01, 400.0])  # MB: σ2/σn = 1 at ω = 2Δ, → πΔ/ω at low ω, σ1 → 1 at high ω
POINTS = np.concatenate([OMEGA, LIMITS])


@jax.jit
def _mattis_bardeen(gap, temperature):
    return jax.vmap(lambda w: mattis_bardeen(w, gap, temperature))(jnp.asarray(POINTS))


@jax.jit
def _zimmermann(omega, gap, gamma):
    return jax.vmap(lambda w: zimmermann(w, gap, gamma, 0.0))(omega)


def _zimmermann_at(omega, gap, gamma):
    """σ_Z at one frequency, evaluated in the file's one compiled (10-point) program."""
    return complex(_zimmermann(jnp.full(POINTS.shape, omega), gap, gamma)[0])


def test_mattis_bardeen_integral_form_matches_elliptic_closed_form_and_table():
    s_all = np.asarray(_mattis_bardeen(1.0, 0.0))
    s = s_all[: OMEGA.size]
    np.testing.assert_allclose(s, mattis_bardeen_t0(OMEGA, 1.0), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(s, _table(MB), atol=6e-5)
    at_2gap, low, high = s_all[OMEGA.size:]
    assert abs(at_2gap.imag - 1.0) < 1e-6
    assert abs(low.imag * 0.01 / np.pi - 1) < 0.01
    assert abs(high.real - 1) < 0.01


def test_mattis_bardeen_finite_temperature_has_subgap_absorption():
    i = int(np.flatnonzero(POINTS == 1.0)[0])  # ω = Δ
    cold = complex(_mattis_bardeen(1.0, 0.0)[i])
    warm = complex(_mattis_bardeen(1.0, 0.3)[i])
    assert cold.real == 0.0 and warm.real > 1e-3 and warm.imag < cold.imag


@pytest.mark.parametrize("gamma,table", [(2.0, Z2), (10.0, Z10)])
def test_zimmermann_table(gamma, table):
    s = np.asarray(_zimmermann(jnp.asarray(POINTS), 1.0, gamma))[: OMEGA.size]
    np.testing.assert_allclose(s, _table(table), atol=6e-5)


def test_zimmermann_limits():
    # Drude for Δ → 0, MB for γ → ∞, superfluid weight at ω → 0 (spec §7.1(c))
    assert abs(_zimmermann_at(1.0, 1e-5, 2.0) - complex(drude(1.0, 2.0))) < 1e-4
    i = int(np.flatnonzero(POINTS == 3.0)[0])
    assert abs(_zimmermann_at(3.0, 1.0, 3000.0).real - complex(_mattis_bardeen(1.0, 0.0)[i]).real) < 2e-3
    for gamma in (1.0, 2.0, 10.0):
        w = 1e-3
        ns = _zimmermann_at(w, 1.0, gamma).imag * w / gamma
        assert abs(ns / superfluid_fraction_t0(1.0, gamma) - 1) < 2e-3


def _zimmermann_projection(p, omega):
    s = zimmermann(omega, p[0], p[1], 0.3)
    return jnp.real(s) + 2.0 * jnp.imag(s)


# module level and jitted: one compiled program for both cases, not op-by-op dispatch (18 s → 3 s); the
# differences take their values from the same program (a separately jitted projection was a second compile)
_zimmermann_projection_value_and_grad = jax.jit(jax.value_and_grad(_zimmermann_projection))


@pytest.mark.parametrize("omega", [1.0, 3.0])
def test_zimmermann_reverse_mode_gradient_is_finite_and_matches_differences(omega):
    """jax.grad (reverse mode, what fits use) of σ_Z w.r.t. (Δ, γ) equals central differences."""
    p0 = jnp.array([1.0, 2.0])
    grad = np.asarray(_zimmermann_projection_value_and_grad(p0, omega)[1])
    assert np.all(np.isfinite(grad))
    value = lambda p: float(_zimmermann_projection_value_and_grad(p, omega)[0])  # noqa: E731
    for i in range(2):
        e = np.zeros(2)
        e[i] = 1e-5
        fd = (value(p0 + e) - value(p0 - e)) / 2e-5
        assert grad[i] == pytest.approx(fd, rel=1e-5)
