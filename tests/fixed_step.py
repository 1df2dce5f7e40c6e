"""A small fixed-step integrator shared by the disordered-model tests: classical RK4 of a model's own
vector field in one jitted ``lax.scan`` (a much smaller compile than a diffrax solve)."""

import equinox as eqx
import jax
import jax.numpy as jnp


@eqx.filter_jit
def rk4_gap_trace(model, drive, h, n_steps, every):
    """(Δ_1 at t = 0, every·h, 2·every·h, …, the coupling at t = 0) with step ``h`` (internal time)."""
    args = model.arguments(drive)
    f = lambda t, y: model.vector_field(t, y, args)  # noqa: E731
    add = lambda y, k, c: jax.tree.map(lambda a, b: a + c * b, y, k)  # noqa: E731

    def step(y, t):
        k1 = f(t, y)
        k2 = f(t + h / 2, add(y, k1, h / 2))
        k3 = f(t + h / 2, add(y, k2, h / 2))
        k4 = f(t + h, add(y, k3, h))
        y = jax.tree.map(lambda a, b1, b2, b3, b4: a + h / 6 * (b1 + 2 * b2 + 2 * b3 + b4), y, k1, k2, k3, k4)
        return y, model.observables(t + h, y, args)["gap"][0]

    y0 = model.initial_state()
    _, gap = jax.lax.scan(step, y0, h * jnp.arange(n_steps))
    first = model.observables(0.0, y0, args)["gap"][0]
    return jnp.concatenate([first[None], gap[every - 1::every]]), model.coupling_at(0.0, args)
