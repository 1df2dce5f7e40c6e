"""jaxhiggs: differentiable solvers for Higgs and Leggett modes in THz-driven superconductors."""

import jax as _jax

# Physics runs in float64 by default (see README, "Precision").
_jax.config.update("jax_enable_x64", True)

__version__ = "0.1.0"
