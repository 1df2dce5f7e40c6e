"""The exponential integrator (jaxhiggs.solvers): φ-functions, convergence order, agreement with
an explicit Runge–Kutta solve of the Mattis–Bardeen model, gradients."""

import functools
import math

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxhiggs as jh
from jaxhiggs import units
from jaxhiggs.models.mattis_bardeen import MattisBardeen
from jaxhiggs.solve import SolverOptions, solve
from jaxhiggs.solvers import DiagonalLinearTerm, ExponentialRK4, OuterSum, phi_functions


def _phi_reference(theta, k):
    """φ_k(−iθ) from its integral ∫₀¹ e^{−iθ(1−s)} s^{k−1}/(k−1)! ds (Gauss–Legendre, 40 nodes)."""
    x, w = np.polynomial.legendre.leggauss(40)
    s = 0.5 * (x + 1.0)
    vals = np.exp(-1j * np.outer(theta, 1.0 - s)) * s ** (k - 1) / math.factorial(k - 1)
    return 0.5 * vals @ w


def test_phi_functions_match_their_integral_representation():
    theta = np.concatenate([[0.0, 1e-9, -3e-4, 0.0199, 0.0201, -0.5], np.linspace(-12.0, 12.0, 41)])
    phis = phi_functions(jnp.asarray(theta), jnp.exp(-1j * jnp.asarray(theta)), order=3)
    # the recurrence loses ε/|θ|^k near the series radius 0.02 (documented in solvers/linear.py);
    # φ₂ and φ₃ only ever multiply differences of sources
    for k, got, tol in zip((1, 2, 3), phis, (1e-13, 2e-12, 5e-11)):
        err = np.max(np.abs(np.asarray(got) - _phi_reference(theta, k)))
        assert err < tol, (k, err)


def _toy_term():
    """Three rotating modes (ω = 0, 5, 40) driven by a pulse and coupled nonlinearly."""
    omega = jnp.array([0.0, 5.0, 40.0])

    def nonlinear(t, y, args):
        drive = jnp.exp(-((t - 1.0) ** 2)) * jnp.cos(3.0 * t)
        return drive * jnp.array([1.0, 0.5, 2.0]) + 0.4j * jnp.sum(jnp.abs(y) ** 2) * y[::-1]

    return DiagonalLinearTerm(lambda args: omega, nonlinear)


@eqx.filter_jit
def _toy_solve_fixed(solver, dt0):
    sol = diffrax.diffeqsolve(_toy_term(), solver, 0.0, 3.0, dt0, jnp.array([0.1, 0.2j, 0.05 + 0j]),
                              saveat=diffrax.SaveAt(ts=jnp.linspace(0.0, 3.0, 31)), max_steps=100000)
    return sol.ys


@eqx.filter_jit
def _toy_solve_adaptive(solver, rtol, atol):
    sol = diffrax.diffeqsolve(_toy_term(), solver, 0.0, 3.0, None, jnp.array([0.1, 0.2j, 0.05 + 0j]),
                              saveat=diffrax.SaveAt(ts=jnp.linspace(0.0, 3.0, 31)), max_steps=100000,
                              stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol))
    return sol.ys


# step sizes and tolerances are passed as arrays: one compilation per solver serves them all
@functools.lru_cache(maxsize=None)
def _toy_reference():
    return np.asarray(_toy_solve_adaptive(diffrax.Dopri8(), jnp.asarray(1e-13), jnp.asarray(1e-15)))


def test_fourth_order_convergence_with_fixed_steps():
    """Halving h cuts the error by 2⁴ (observed order 3.9–4.1 between h = 0.1 and 0.0125), also at
    the dense-output times between steps."""
    ref = _toy_reference()
    errs = [np.max(np.abs(np.asarray(_toy_solve_fixed(ExponentialRK4(), jnp.asarray(h))) - ref))
            for h in (0.1, 0.05, 0.025, 0.0125)]
    orders = np.log2(np.asarray(errs[:-1]) / np.asarray(errs[1:]))
    print("errors", errs, "orders", orders)
    assert np.all((orders > 3.7) & (orders < 4.4)), orders


def test_adaptive_error_control_tracks_the_tolerance():
    ref = _toy_reference()
    errs = []
    for rtol in (1e-5, 1e-7, 1e-9):
        got = _toy_solve_adaptive(ExponentialRK4(), jnp.asarray(rtol), jnp.asarray(rtol * 1e-2))
        errs.append(np.max(np.abs(np.asarray(got) - ref)))
    print("errors", errs)
    # global error within 10× the local tolerance (measured 1.7, 3.3, 9.5 ×), and it follows rtol
    assert errs[0] < 1e-4 and errs[1] < 1e-6 and errs[2] < 1e-8
    assert errs[0] > 10 * errs[1] > 100 * errs[2]


def test_outer_sum_rotation_is_the_dense_exponential():
    left, right = jnp.array([[0.3], [1.7]]), jnp.array([[-2.0, 0.5, 4.0]])
    op = OuterSum(left, right)
    np.testing.assert_allclose(np.asarray(op.rotation(0.7)), np.exp(-0.7j * (np.asarray(left) + np.asarray(right))),
                               rtol=1e-15, atol=1e-15)


# ----------------------------------------------------------------------------- Mattis–Bardeen
def _mb_case(bands):
    if bands == 1:
        mat = jh.material.single_band(1.3, 8.0, 4.0, mass=0.78, fermi_energy=1000.0, gamma=2.5)
    else:
        mat = jh.material.two_band((3.0, 7.0), 0.05, 25.0, 2.0, signs=(1.0, -1.0), masses=(0.85, 1.38),
                                   fermi_energies=(2900.0, 700.0), gammas=(10.0, 5.0))
    model = MattisBardeen(mat, 16, check_grid=False)
    te = -1.5
    pulse = jh.GaussianPulse.from_vector_potential(1e-8, units.mev_to_thz(0.4), 0.354, te,
                                                  phase=0.4 * units.ps_to_internal(te))
    return model, pulse, np.linspace(-3.2, 2.0, 261)


def _relerr(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


@pytest.mark.slow  # two Mattis–Bardeen compilations (~25 s on 2 cores); the toy tests above cover the method
@pytest.mark.parametrize("bands", [1, 2])
def test_mattis_bardeen_exponential_matches_tsit5(bands):
    """ExponentialRK4 vs Tsit5, both at rtol 1e-11: δΔ, j₁, j₃ to 1e-8."""
    model, pulse, times = _mb_case(bands)
    ref = jh.simulate(model, pulse, times, solver=diffrax.Tsit5(), rtol=1e-11, atol=1e-15)
    got = jh.simulate(model, pulse, times, solver=ExponentialRK4(), rtol=1e-11, atol=1e-15)
    errs = {k: _relerr(got[k], ref[k]) for k in ("delta_gap", "current_1", "current_3")}
    # measured: 1 band δΔ 3.9e-9, j₁ 8e-13, j₃ 1.7e-10; 2 bands 3.7e-9, 5.5e-13, 8e-12
    print(bands, errs, "steps", int(got.num_steps), "vs Tsit5", int(ref.num_steps))
    assert all(e < 1e-8 for e in errs.values()), errs


@pytest.mark.slow
def test_gradient_through_the_exponential_solver_matches_finite_differences():
    """jax.grad of δΔ(t_end) and of a j₁ projection w.r.t. γ through fixed exponential steps."""
    pulse = jh.GaussianPulse.from_vector_potential(2e-9, 1.0, 0.15, 0.0)
    times = units.ps_to_internal(jnp.linspace(-0.8, 1.0, 37))
    opts = SolverOptions(solver=ExponentialRK4(), dt=0.02, max_steps=1000)

    def scalars(gamma):
        mat = jh.material.single_band(2.0, 10.0, 3.0, mass=1.0, fermi_energy=1000.0, gamma=gamma)
        ys, _, _ = solve(MattisBardeen(mat, 16, check_grid=False), pulse, times, opts)
        return jnp.stack([jnp.sum(ys["current_1"] * jnp.sin(times)) / 1e10, jnp.real(ys["delta_gap"][-1, 0]) * 1e3])

    x, h = 4.0, 1e-4
    g = np.asarray(jax.jacrev(scalars)(x))
    fd = (np.asarray(scalars(x + h)) - np.asarray(scalars(x - h))) / (2 * h)
    print(g, fd)
    np.testing.assert_allclose(g, fd, rtol=1e-5)


def test_default_solver_follows_the_platform():
    """Mattis–Bardeen: Tsit5 on CPU (bounded loop, reverse-differentiable, below UNROLLED_FROM energies, stage loop of
    UnrolledTsit5 from there on: measured faster), ExponentialRK4 on accelerators."""
    from jaxhiggs.models.mattis_bardeen import UNROLLED_FROM

    mat = jh.material.single_band(1.3, 20.0, 4.0, gamma=2.0)
    small, large = (MattisBardeen(mat, n, check_grid=False).default_solver() for n in (16, UNROLLED_FROM))
    if jax.default_backend() == "cpu":
        assert type(small).__name__ == "Tsit5" and small.scan_kind == "bounded"
        assert type(large).__name__ == "UnrolledTsit5" and large.stage_loop
    else:
        assert type(small).__name__ == type(large).__name__ == "ExponentialRK4"
    model = MattisBardeen(mat, 16, check_grid=False)
    assert model.default_tolerances() == (1e-5, 1e-9)  # one default on every platform
