"""Models: pure vector fields over pytree states, one module each."""

from .base import Model
from .disordered import DisorderedPseudospin
from .finite_momentum import FiniteMomentum
from .mattis_bardeen import MattisBardeen
from .pseudospin import CleanPseudospin

__all__ = ["CleanPseudospin", "DisorderedPseudospin", "FiniteMomentum", "MattisBardeen", "Model"]
