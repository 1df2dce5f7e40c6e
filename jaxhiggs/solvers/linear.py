"""Diagonal rotations and the φ-functions of exponential integrators.

A model whose equations read dy/dt = −iω ⊙ y + N(t, y) with real frequencies ω (one per state
element: the free evolution under a Hermitian, diagonal H₀) hands ω to
:class:`~jaxhiggs.solvers.ExponentialRK4` as a pytree shaped like the state.  Each leaf is either

* an array broadcastable to the state leaf (e.g. 2E_a on a vector, or 0), or
* an :class:`OuterSum` ω_ab = left_a + right_b, the structure of every k–k′ block of a density
  matrix (ω_ab = E_b ∓ E_a).  Then e^{−iωh} is the outer product of two vectors of phases: no
  transcendental function per matrix element, nothing of size N² stored.

With z = −iθ, θ = ωh real, the φ-functions (φ₀ = e^z, φ_{k+1} = (φ_k − 1/k!)/z, φ_k(0) = 1/k!) need
only real divisions.  The recurrence is used where |θ| ≥ 0.02 (absolute error ≲ 3e-11 for φ₃, 6e-13
for φ₂, 1e-14 for φ₁; φ₂ and φ₃ only multiply differences of sources), the Taylor series below.
"""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Complex, Float

_SERIES_RADIUS = 0.02
_SERIES_TERMS = 6  # φ₃ to θ⁵: the next term θ⁶/9! ≈ 2e-16 at the radius


class OuterSum(eqx.Module):
    """Frequencies ω_ab = left_a + right_b (1/time), e.g. E_b − E_a on a k–k′ block.

    ``left`` and ``right`` are real arrays already shaped to broadcast against the state leaf, e.g.
    (n_bands, N, 1) and (n_bands, 1, N) for (n_bands, N, N) blocks.
    """

    left: Float[Array, "..."]
    right: Float[Array, "..."]

    def dense(self) -> Float[Array, "..."]:
        return self.left + self.right

    def rotation(self, dt) -> Complex[Array, "..."]:
        """e^{−iω dt}: a product of two vectors of phases."""
        return jnp.exp(-1j * dt * self.left) * jnp.exp(-1j * dt * self.right)


def is_operator_leaf(x) -> bool:
    return isinstance(x, OuterSum)


def dense(op) -> Float[Array, "..."]:
    """The frequencies of one leaf as an array."""
    return op.dense() if isinstance(op, OuterSum) else jnp.asarray(op)


def rotation(op, dt) -> Complex[Array, "..."]:
    """e^{−iω dt} for one leaf."""
    return op.rotation(dt) if isinstance(op, OuterSum) else jnp.exp(-1j * dt * jnp.asarray(op))


def _times_minus_i(x, scale):
    """(−i·scale)·x for complex x and real scale, without a complex multiply."""
    return jax.lax.complex(jnp.imag(x) * scale, -jnp.real(x) * scale)


def phi_functions(theta, ez, order: int = 3) -> tuple:
    """(φ₁(z), …, φ_order(z)) at z = −iθ (θ real), given e^z.  Elementwise; shapes broadcast."""
    small = jnp.abs(theta) < _SERIES_RADIUS
    ts = jnp.where(small, theta, 0.0)
    # series of the highest φ in z = −iθ (Horner), then φ_k = 1/k! + z φ_{k+1}
    top = jnp.zeros_like(ez)
    for j in range(_SERIES_TERMS - 1, -1, -1):
        top = _times_minus_i(top, ts) + 1.0 / math.factorial(j + order)
    series = [top]
    for k in range(order - 1, 0, -1):
        series.insert(0, 1.0 / math.factorial(k) + _times_minus_i(series[0], ts))
    # recurrence φ_{k+1} = (φ_k − 1/k!)/z with 1/z = i/θ
    inv = 1.0 / jnp.where(small, 1.0, theta)
    out, prev = [], ez
    for k in range(order):
        prev = _times_minus_i(prev - 1.0 / math.factorial(k), -inv)
        out.append(prev)
    return tuple(jnp.where(small, s, d) for s, d in zip(series, out))


def tree_rotation_phi(frequencies, y, dt, order: int = 3):
    """For every state leaf: (e^{−iω dt}, φ₁(−iω dt), …, φ_order), broadcastable to the leaf."""

    # leaves that share one frequency object (e.g. the first- and third-order blocks of a density
    # matrix) share one evaluation: half the work and half the compiled code
    cache = {}

    def one(op, leaf):
        if id(op) not in cache:
            ez = rotation(op, dt)
            cache[id(op)] = (op, (ez,) + phi_functions(dt * dense(op), ez, order))
        return cache[id(op)][1]

    return jax.tree_util.tree_map(one, frequencies, y, is_leaf=is_operator_leaf)


__all__ = ["OuterSum", "dense", "phi_functions", "rotation", "tree_rotation_phi"]
