"""Explicit Runge–Kutta steps with the stages written out (unrolled) instead of looped.

Why: diffrax's Runge–Kutta solvers run their stages in a loop over a (stages × state) buffer.
That keeps the compiled program small when one evaluation of the vector field is large (the
Mattis–Bardeen N_e² blocks), but on a CPU each loop iteration costs a fixed few tens of µs of
dispatch and buffer traffic.  For models whose state is small (pseudospins: 3 numbers per energy)
that fixed cost is most of the step: measured on the 2-core machine at N_e = 1000, one Tsit5
step in diffrax's stage loop took 210 µs against 18 µs for a hand-written classical RK4 step.
With the stages unrolled, XLA fuses each stage's linear combination with the next evaluation and
the per-step cost follows the arithmetic.

The tableaus (coefficients) and the dense-output interpolations are diffrax's own
(:class:`diffrax.Tsit5`, :class:`diffrax.Dopri8`), so the solutions equal diffrax's to round-off;
only the way the step is executed differs.  The solvers are ordinary diffrax solvers: adaptive
step-size control, saving, events and adjoints work unchanged.  Cost: the compiled program holds
one copy of the vector field per stage (7 for Tsit5, 14 for Dopri8), so it is meant for models
with a cheap vector field; :meth:`jaxhiggs.models.base.Model.default_solver` picks per model.
"""

from __future__ import annotations

from typing import ClassVar

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

_tree_map = jax.tree_util.tree_map


def _combine(y0, ks, coefficients):
    """y0 + Σ_j coefficients[j] k_j, leaving out zero coefficients (known at trace time)."""
    terms = [(float(c), k) for c, k in zip(coefficients, ks) if c != 0.0]

    def one(y, *k):
        out = y
        for (c, _), kj in zip(terms, k):
            out = out + c * kj
        return out

    return _tree_map(one, y0, *[k for _, k in terms])


def _weighted_sum(ks, coefficients, like):
    """Σ_j coefficients[j] k_j (zero where every coefficient is zero)."""
    zero = _tree_map(jnp.zeros_like, like)
    return _combine(zero, ks, coefficients)


class _LazyStages(diffrax.AbstractLocalInterpolation):
    """The tableau's own dense output, evaluated as a weighted sum of y₀, y₁ and the stages.

    diffrax's interpolations read the stages from a stacked (stages, …) buffer; building it costs a
    copy of every stage.  Every explicit Runge–Kutta dense output is linear in (y₀, y₁, k_j) with
    weights that depend only on the position θ in the step, so the weights are found by evaluating
    the tableau's own interpolation on a probe whose "state" is a vector of unit entries (one per
    input), and the state is then combined directly: each stage is read once per saved time, and
    XLA fuses the sum into the consumer (the observables).  The same holds for any linear functionals
    of the state (the solver's ``functionals``): then y₀, y₁ and ``k`` are those functionals.  ``k`` is a
    tuple of stage pytrees (stages written out) or one pytree whose leaves are stacked along a leading
    stage axis (the stage loop's buffer, kept as it is so that the step's dense output holds no second
    copy of the stages).
    """

    t0: jax.Array
    t1: jax.Array
    y0: object
    y1: object
    k: tuple

    def _stages(self) -> int:
        if isinstance(self.k, tuple):
            return len(self.k)
        return jax.tree_util.tree_leaves(self.k)[0].shape[0]

    def _weights(self, t):
        n = self._stages() + 2
        unit = jnp.eye(n, dtype=jnp.result_type(t, float))
        probe = self.dense_cls(t0=self.t0, t1=self.t1, y0=unit[0], y1=unit[1], k=unit[2:])
        return probe.evaluate(t)  # (n,): weights of y0, y1, k_1, …, k_s

    def _at(self, t):
        w = self._weights(t)
        if not isinstance(self.k, tuple):  # stacked stages: one contraction over the stage axis
            return _tree_map(lambda y0, y1, k: w[0] * y0 + w[1] * y1 + jnp.tensordot(w[2:], k, axes=1),
                             self.y0, self.y1, self.k)
        inputs = (self.y0, self.y1) + self.k

        def one(*leaves):
            return sum(w[i] * leaf for i, leaf in enumerate(leaves))

        return _tree_map(one, *inputs)

    def evaluate(self, t0, t1=None, left: bool = True):
        if t1 is not None:
            return _tree_map(lambda a, b: a - b, self._at(t1), self._at(t0))
        return self._at(t0)


class AbstractUnrolledRungeKutta(diffrax.AbstractAdaptiveSolver):
    """An explicit, first-same-as-last Runge–Kutta step with Python-unrolled stages.

    Subclasses set ``tableau`` (a :class:`diffrax.ButcherTableau` whose last stage is at
    (t₁, y₁)), ``interpolation_cls`` (the matching diffrax dense output, fed the stage
    increments k_j = h f_j as diffrax's own solver does) and the orders.
    """

    tableau: ClassVar[diffrax.ButcherTableau]
    term_structure: ClassVar = diffrax.AbstractTerm
    method_order: ClassVar[int]
    #: evaluate the vector field in a loop over the stages (compiled once), with each stage's
    #: input still a written-out sum of only the increments it needs (a ``lax.switch`` over the
    #: stages).  For large vector fields (Mattis–Bardeen): with all stages written out, XLA fuses
    #: chains of stages, vector field included, into single loops that recompute them for every
    #: consumer (measured 33 ms per Tsit5 step at N_e = 100 against 6.6 ms with the loop; an
    #: ``optimization_barrier`` does not stop it on CPU, control flow does), and diffrax's own
    #: stage loop reads the whole (stages × state) buffer in every stage.  Small states
    #: (pseudospins) run fastest fully written out (the default, ``False``).
    stage_loop: bool = eqx.field(default=False, static=True)
    #: optional ``functionals(y, args)``: linear functionals of the state (a small pytree) that are all
    #: the saved observables need.  The dense output then interpolates these instead of the state: they
    #: are taken of each stage as it is computed (and of y₀, y₁), so a saved time costs nothing of the
    #: state's size, where interpolating the state reads y₀, y₁ and every stage.  The ``fn`` of
    #: ``SaveAt`` then receives the interpolated functionals (and must accept them as well as a
    #: state); ``SaveAt(dense=True)`` would return functionals.  Only for linear maps: the dense
    #: output is a weighted sum, and L(Σ w y) = Σ w L(y) is what makes this exact.
    functionals: object = eqx.field(default=None, static=True)

    def __check_init__(self):
        if self.functionals is not None and not callable(self.functionals):
            raise TypeError(f"functionals = {self.functionals!r} is not allowed: give a function (y, args) -> "
                            "pytree of linear functionals of the state, or None (interpolate the state)")

    def order(self, terms):
        return self.method_order

    def error_order(self, terms):
        return self.method_order

    def init(self, terms, t0, t1, y0, args):
        return terms.vf(t0, y0, args)  # first same as last: f at the start of the next step

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        tab = self.tableau
        control = terms.contr(t0, t1)
        h = t1 - t0
        f0 = jax.lax.cond(made_jump, lambda: terms.vf(t0, y0, args), lambda: solver_state)
        k0 = terms.prod(f0, control)
        if self.stage_loop:
            buffer, f, measured = self._looped_stages(terms, t0, h, y0, args, control, f0, k0)
            ks = [_tree_map(lambda x: x[j], buffer) for j in range(tab.num_stages)]  # read in place by the sums
        else:
            ks, f = [k0], f0
            for i in range(1, tab.num_stages):
                yi = _combine(y0, ks, np.asarray(tab.a_lower[i - 1]))
                f = terms.vf(t0 + float(tab.c[i - 1]) * h, yi, args)
                ks.append(terms.prod(f, control))
            measured = None if self.functionals is None else tuple(self.functionals(k, args) for k in ks)
        y1 = _combine(y0, ks, np.asarray(tab.b_sol))
        y_error = _weighted_sum(ks, np.asarray(tab.b_error), y0)
        if self.functionals is None:
            dense_info = dict(y0=y0, y1=y1, k=buffer if self.stage_loop else tuple(ks))
        else:
            dense_info = dict(y0=self.functionals(y0, args), y1=self.functionals(y1, args), k=measured)
        # the last stage sits at (t₁, y₁) (tableau.fsal): its f starts the next step
        return y1, y_error, dense_info, f, diffrax.RESULTS.successful

    def _looped_stages(self, terms, t0, h, y0, args, control, f0, k0):
        """Stages 2…s in a ``fori_loop`` over a (stages × state) buffer; stage i reads k_1…k_{i−1}.
        Returns the buffer (leaves stacked along a leading stage axis), f at the last stage and the
        ``functionals`` of every stage stacked likewise (None without functionals)."""
        tab = self.tableau
        n = tab.num_stages
        stacked = lambda k: _tree_map(lambda x: jnp.zeros((n,) + x.shape, x.dtype).at[0].set(x), k)  # noqa: E731
        buffer = stacked(k0)
        measure = (lambda k: None) if self.functionals is None else (lambda k: self.functionals(k, args))
        measured = measure(k0)
        measured = None if measured is None else stacked(measured)

        def stage_input(i):
            a = np.asarray(tab.a_lower[i - 1])
            return lambda b: _combine(y0, [_tree_map(lambda x: x[j], b) for j in range(i)], a)

        inputs = [stage_input(i) for i in range(1, n)]
        nodes = jnp.asarray(np.asarray(tab.c, dtype=float))

        def put(i, stack, value):
            return None if stack is None else _tree_map(lambda s, v: s.at[i].set(v), stack, value)

        def body(i, carry):
            b, _, m = carry
            f = terms.vf(t0 + nodes[i - 1] * h, jax.lax.switch(i - 1, inputs, b), args)
            k = terms.prod(f, control)
            return put(i, b, k), f, put(i, m, measure(k))

        return jax.lax.fori_loop(1, n, body, (buffer, f0, measured))

    def func(self, terms, t0, y0, args):
        return terms.vf(t0, y0, args)


class UnrolledTsit5(AbstractUnrolledRungeKutta):
    """Tsitouras' 5(4) method (diffrax's :class:`~diffrax.Tsit5` tableau), stages unrolled."""

    tableau: ClassVar = diffrax.Tsit5.tableau
    interpolation_cls: ClassVar = type("_Tsit5Lazy", (_LazyStages,), {"dense_cls": diffrax.Tsit5.interpolation_cls})
    method_order: ClassVar[int] = 5


class UnrolledDopri8(AbstractUnrolledRungeKutta):
    """Dormand–Prince 8(7) (diffrax's :class:`~diffrax.Dopri8` tableau), stages unrolled."""

    tableau: ClassVar = diffrax.Dopri8.tableau
    interpolation_cls: ClassVar = type("_Dopri8Lazy", (_LazyStages,), {"dense_cls": diffrax.Dopri8.interpolation_cls})
    method_order: ClassVar[int] = 8


__all__ = ["AbstractUnrolledRungeKutta", "UnrolledDopri8", "UnrolledTsit5"]
