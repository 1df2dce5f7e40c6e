"""Time integrators that exploit the structure of the models' equations.

:class:`ExponentialRK4` integrates dy/dt = L y + N(t, y) with a diagonal L exactly in L; any model
that exposes ``linear_part``/``nonlinear_part`` (see :class:`jaxhiggs.models.base.Model`) can use it.
:class:`UnrolledTsit5` / :class:`UnrolledDopri8` are diffrax's explicit methods with the stages
written out: the same solutions, much less per-step overhead for models with a small state.
"""

from .explicit import AbstractUnrolledRungeKutta, UnrolledDopri8, UnrolledTsit5
from .exponential import DiagonalLinearTerm, ExponentialInterpolation, ExponentialRK4
from .linear import OuterSum, phi_functions

__all__ = ["AbstractUnrolledRungeKutta", "UnrolledDopri8", "UnrolledTsit5", "DiagonalLinearTerm", "ExponentialInterpolation", "ExponentialRK4", "OuterSum", "phi_functions"]
