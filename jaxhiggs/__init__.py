"""jaxhiggs: differentiable solvers for Higgs and Leggett modes in THz-driven superconductors.

Units at the API edge: energies meV, times ps, frequencies THz, temperatures K,
fields kV/cm, vector potentials V·s/m.  See :mod:`jaxhiggs.units`.
"""

import jax as _jax

# Physics runs in float64 by default; float32 is an explicit, measured option.
_jax.config.update("jax_enable_x64", True)

__version__ = "0.1.0"

from . import bands, drive, equilibrium, grid, io, material, models, plot, solve, solvers, spectra, units  # noqa: E402
from . import material as materials  # noqa: E402  (the documented name: jaxhiggs.materials.single_band)
from .bands import EnergyGrid, TightBinding  # noqa: E402
from .drive import DriveSum, GaussianPulse, NoDrive, Quench, SingleCyclePulse, Waveform  # noqa: E402
from .material import Band, Superconductor  # noqa: E402
from .solve import Result, SolverOptions, simulate, solve as solve_raw  # noqa: E402
from . import sweep_params, sweep_store  # noqa: E402
from .sweep import open_sweep, sweep  # noqa: E402  (jaxhiggs.sweep is the function; the module stays importable)

__all__ = [
    "Band", "DriveSum", "EnergyGrid", "GaussianPulse", "NoDrive", "Quench", "Result", "SingleCyclePulse",
    "SolverOptions", "Superconductor", "TightBinding", "Waveform", "bands", "drive", "equilibrium", "grid",
    "material", "materials", "models", "open_sweep", "simulate", "solve", "solve_raw", "solvers", "spectra", "sweep", "units",
]
