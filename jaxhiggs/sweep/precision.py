"""Single precision for a sweep: a model wrapper whose state, right-hand side and observables stay in one dtype.

``sweep(..., dtype=jnp.float32)`` integrates every point in float32 (complex64 for complex
leaves); the default (``dtype=None``) leaves the model untouched (float64).
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from ..models.base import Model


def cast(tree, dtype):
    """Float/complex array leaves of ``tree`` cast to ``dtype`` (complex to its complex partner)."""
    if dtype is None:
        return tree
    real = jnp.dtype(dtype)
    cplx = jnp.result_type(real, jnp.complex64)

    def one(x):
        if eqx.is_array(x) and jnp.issubdtype(x.dtype, jnp.complexfloating):
            return x.astype(cplx)
        if eqx.is_array(x) and jnp.issubdtype(x.dtype, jnp.floating):
            return x.astype(real)
        return x

    return jax.tree_util.tree_map(one, tree)


class _Precision(Model):
    """Wraps a model so that its state, right-hand side and observables stay in ``dtype``.

    (:func:`jaxhiggs.divergence.inner_model` unwraps it by its class name.)"""

    inner: Model
    dtype: str = eqx.field(static=True)

    def initial_state(self):
        return cast(self.inner.initial_state(), self.dtype)

    def arguments(self, drive):
        return cast(self.inner.arguments(drive), self.dtype)

    def vector_field(self, t, y, args):
        return cast(self.inner.vector_field(t, y, args), self.dtype)

    def has_linear_part(self) -> bool:
        return self.inner.has_linear_part()

    def linear_part(self, args):
        return cast(self.inner.linear_part(args), self.dtype)

    def nonlinear_part(self, t, y, args):
        return cast(self.inner.nonlinear_part(t, y, args), self.dtype)

    def default_solver(self):
        return self.inner.default_solver()

    def default_tolerances(self):
        return self.inner.default_tolerances()

    def observables(self, t, y, args):
        return cast(self.inner.observables(t, y, args), self.dtype)

    def jump_times(self, drive):
        return self.inner.jump_times(drive)

    def has_free_evolution(self) -> bool:
        return self.inner.has_free_evolution()

    def default_free_evolution(self) -> bool:
        return self.inner.default_free_evolution()

    def free_evolution(self, t_end, y_end, times, args, rtol, atol):
        obs, steps, ok = self.inner.free_evolution(t_end, y_end, times, args, rtol, atol)
        return cast(obs, self.dtype), steps, ok


def in_precision(model: Model, drive, times, dtype):
    """(model, drive, times) integrated in ``dtype`` (unchanged for ``dtype=None``)."""
    if dtype is None:
        return model, drive, times
    return _Precision(cast(model, dtype), str(jnp.dtype(dtype))), cast(drive, dtype), cast(times, dtype)


__all__ = ["cast", "in_precision"]
