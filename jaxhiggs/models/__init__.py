"""Models: pure vector fields over pytree states, one module each."""

from .base import Model
from .disordered import DisorderedPseudospin
from .mattis_bardeen import MattisBardeen
from .pseudospin import CleanPseudospin

__all__ = ["CleanPseudospin", "DisorderedPseudospin", "MattisBardeen", "Model"]
