"""Models: pure vector fields over pytree states, one module each."""

from .base import Model
from .pseudospin import CleanPseudospin
from .disordered import DisorderedPseudospin

__all__ = ["CleanPseudospin", "DisorderedPseudospin", "Model"]
