"""Models: pure vector fields over pytree states, one module each."""

from .base import Model
from .pseudospin import CleanPseudospin

__all__ = ["CleanPseudospin", "Model"]
