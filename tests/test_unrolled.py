"""The unrolled explicit Runge–Kutta solvers (jaxhiggs.solvers.explicit): the same steps, solutions,
dense output and gradients as diffrax's looped Tsit5/Dopri8 — only the execution differs."""

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxhiggs as jh
from jaxhiggs.solve import SolverOptions, solve
from jaxhiggs.solvers import UnrolledDopri8, UnrolledTsit5


def _toy(y, args):
    """A driven, nonlinear, complex two-mode system (fast 12, slow 1)."""
    omega = jnp.array([1.0, 12.0])
    return -1j * omega * y + 0.3j * jnp.abs(y[::-1]) ** 2 * y + args * jnp.array([1.0, 0.0])


def _solve(solver, **kw):
    sol = diffrax.diffeqsolve(diffrax.ODETerm(lambda t, y, a: _toy(y, a * jnp.cos(t))), solver, 0.0, 2.0, None,
                              jnp.array([0.3 + 0.1j, 0.2 + 0j]), args=0.5,
                              saveat=diffrax.SaveAt(ts=jnp.linspace(0.0, 2.0, 19)),  # most between steps
                              stepsize_controller=diffrax.PIDController(rtol=1e-8, atol=1e-10), **kw)
    return np.asarray(sol.ys), int(sol.stats["num_steps"])


@pytest.mark.parametrize("unrolled, looped", [
    pytest.param(UnrolledTsit5(), diffrax.Tsit5(), marks=pytest.mark.slow),  # not a default anywhere
    (UnrolledDopri8(), diffrax.Dopri8()),
    (UnrolledDopri8(stage_loop=True), diffrax.Dopri8()),  # the clean pseudospins' CPU default from N_e = 4000
    (UnrolledTsit5(stage_loop=True), diffrax.Tsit5()),  # Mattis–Bardeen's CPU default from N_e = 128
])
def test_unrolled_equals_diffrax(unrolled, looped):
    """Same accepted/rejected steps and the same dense output at the saved times, to round-off — the
    stage sums are taken in another order, and Dopri8's large coefficients (|a_ij| up to ~30) amplify
    that: measured up to 6e-11 on |y| ~ 1, two orders below the rtol = 1e-8 the solve is run at."""
    ys, steps = _solve(unrolled)
    ref, ref_steps = _solve(looped)
    assert steps == ref_steps > 20
    assert np.max(np.abs(ys - ref)) < 3e-10


def _functionals(y, args):
    """Linear (real-linear) functionals of the toy state, as a model's observables might need."""
    return dict(mix=y[0] + 2.0 * y[1], real=jnp.real(y[1]))


def _observed(y, args=None):
    q = y if isinstance(y, dict) else _functionals(y, args)  # the interpolated functionals, or a state
    return jnp.stack([jnp.real(q["mix"]), jnp.imag(q["mix"]), q["real"]])


@pytest.mark.parametrize("cls", [UnrolledTsit5, UnrolledDopri8])
@pytest.mark.parametrize("stage_loop", [True, pytest.param(False, marks=pytest.mark.slow)])  # loop: the default
def test_dense_output_of_functionals_equals_functionals_of_dense_output(cls, stage_loop):
    """With ``functionals`` the dense output interpolates L(y₀), L(y₁), L(k_j) instead of the state; for a
    linear L that is the same number (the saved times lie between steps), to round-off, with the same steps."""
    def run(solver):
        sol = diffrax.diffeqsolve(diffrax.ODETerm(lambda t, y, a: _toy(y, a * jnp.cos(t))), solver, 0.0, 2.0, None,
                                  jnp.array([0.3 + 0.1j, 0.2 + 0j]), args=0.5,
                                  saveat=diffrax.SaveAt(ts=jnp.linspace(0.0, 2.0, 19), fn=lambda t, y, a: _observed(y)),
                                  stepsize_controller=diffrax.PIDController(rtol=1e-8, atol=1e-10))
        return np.asarray(sol.ys), int(sol.stats["num_steps"])

    measured, steps = run(cls(stage_loop=stage_loop, functionals=_functionals))
    state, state_steps = run(cls(stage_loop=stage_loop))
    assert steps == state_steps > 10
    assert np.max(np.abs(measured - state)) < 1e-13 * np.max(np.abs(state))
    assert np.ptp(state[:, 2]) > 0.1  # the saves vary: the comparison is not between constants


def test_functionals_must_be_a_function():
    """A non-callable ``functionals`` is refused when the solver is built, before any compilation."""
    with pytest.raises(TypeError, match="functionals = 3 is not allowed"):
        UnrolledTsit5(stage_loop=True, functionals=3)


def test_pseudospin_default_solver_is_dopri8():
    """Dopri8 always; below STAGE_LOOP_FROM energies diffrax's looped one (the stage loop's extra compilation
    is not earned back by a single run), on CPUs from there on the lean stage loop (benchmarks/README.md)."""
    from jaxhiggs.models.pseudospin import STAGE_LOOP_FROM

    small = jh.models.CleanPseudospin(jh.materials.single_band(1.05, 20.0), 64)
    assert type(SolverOptions().resolved(small).solver) is diffrax.Dopri8
    large = jh.models.CleanPseudospin(jh.materials.single_band(1.05, 20.0), STAGE_LOOP_FROM)
    solver = SolverOptions().resolved(large).solver
    assert (type(solver), solver.stage_loop) == (UnrolledDopri8, True) if jax.default_backend() == "cpu" else True


@pytest.mark.slow  # two compiled pseudospin solves; the physics tests of test_pseudospin.py run the default
@pytest.mark.parametrize("n_energies", [200, 4000])  # looped, and stage loop (the CPU default from 4000)
def test_pseudospin_default_solver_is_accurate(n_energies):
    """The clean pseudospin default reproduces a tight diffrax Dopri8 solve of a quench to 1e-9 meV."""
    model = jh.models.CleanPseudospin(jh.materials.single_band(1.05, 20.0), n_energies)
    times = jnp.linspace(0.0, 20.0, 81)
    drive = jh.Quench(final_gap=0.97)
    obs, _, ok = solve(model, drive, times)
    tight, _, _ = solve(model, drive, times, SolverOptions(solver=diffrax.Dopri8(), rtol=1e-12, atol=1e-15))
    assert bool(ok)
    assert float(jnp.max(jnp.abs(obs["gap"] - tight["gap"]))) < 1e-9


@pytest.mark.slow  # one reverse-mode compilation through 14 unrolled stages (~20 s on the loaded 2-core machine)
@pytest.mark.parametrize("solver", [UnrolledDopri8(), UnrolledTsit5(stage_loop=True),
                                    UnrolledTsit5(stage_loop=True, functionals=_functionals)])
def test_gradient_through_unrolled_solver_matches_finite_differences(solver):
    """d(Σ_t |y₀(t) + 2y₁(t)|²)/d(drive amplitude) through the unrolled solvers (fixed steps: the discrete map is
    smooth in the parameter; the stage loop is a fori_loop with a switch; with ``functionals`` the saves are
    interpolated functionals) vs central differences."""

    @jax.jit
    def loss(amplitude):
        sol = diffrax.diffeqsolve(diffrax.ODETerm(lambda t, y, a: _toy(y, a * jnp.cos(t))), solver, 0.0, 1.0,
                                  0.02, jnp.array([0.3 + 0.1j, 0.2 + 0j]), args=amplitude,
                                  saveat=diffrax.SaveAt(ts=jnp.linspace(0.0, 1.0, 6), fn=lambda t, y, a: _observed(y)))
        return jnp.sum(sol.ys[:, 0] ** 2 + sol.ys[:, 1] ** 2)

    g = float(jax.jit(jax.grad(loss))(0.5))
    eps = 1e-5
    fd = (float(loss(0.5 + eps)) - float(loss(0.5 - eps))) / (2 * eps)
    assert abs(g - fd) < 1e-6 * max(1.0, abs(fd)), (g, fd)


@pytest.mark.slow  # two compiled Mattis–Bardeen solves at N_e = 128 (~40 s)
def test_mattis_bardeen_cpu_default_equals_diffrax_tsit5():
    """From N_e = UNROLLED_FROM the Mattis–Bardeen CPU default (UnrolledTsit5 with its stage loop) takes the same
    steps as diffrax's Tsit5 and gives the same δΔ(t) and j₁(t) to round-off (pump window of the
    seed-000 case)."""
    from jaxhiggs.models.mattis_bardeen import UNROLLED_FROM, MattisBardeen

    if jax.default_backend() != "cpu":
        pytest.skip("the CPU default")
    mat = jh.material.single_band(1.3, 20.0, 4.0, mass=0.78, fermi_energy=1000.0, gamma=2.6)
    model = MattisBardeen(mat, UNROLLED_FROM, check_grid=False)
    pulse = jh.GaussianPulse.from_vector_potential(1e-9, 0.0967, 0.354, -2.63)  # |δΔ|/Δ ≈ 0.02
    times = jnp.linspace(-4.9, 0.0, 301)
    default = jh.simulate(model, pulse, times)
    looped = jh.simulate(model, pulse, times, solver=diffrax.Tsit5())
    assert type(SolverOptions().resolved(model).solver) is UnrolledTsit5
    assert int(default.num_steps) == int(looped.num_steps) > 50
    for name in ("delta_gap", "current_1", "current_3"):
        a, b = np.asarray(default[name]), np.asarray(looped[name])
        assert np.max(np.abs(a - b)) < 1e-9 * np.max(np.abs(b)), name
