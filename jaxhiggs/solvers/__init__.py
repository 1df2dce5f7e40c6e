"""Time integrators that exploit the structure of the models' equations.

:class:`ExponentialRK4` integrates dy/dt = L y + N(t, y) with a diagonal L exactly in L; any model
that exposes ``linear_part``/``nonlinear_part`` (see :class:`jaxhiggs.models.base.Model`) can use it.
"""

from .exponential import DiagonalLinearTerm, ExponentialInterpolation, ExponentialRK4
from .linear import OuterSum, phi_functions

__all__ = ["DiagonalLinearTerm", "ExponentialInterpolation", "ExponentialRK4", "OuterSum", "phi_functions"]
