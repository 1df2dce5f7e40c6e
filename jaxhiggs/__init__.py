"""jaxhiggs: differentiable solvers for Higgs and Leggett modes in THz-driven superconductors.

Units at the API edge: energies meV, times ps, frequencies THz, temperatures K,
fields kV/cm, vector potentials V·s/m.  See :mod:`jaxhiggs.units`.

Every documented namespace is reachable from ``import jaxhiggs as jh``: ``jh.models``,
``jh.materials``, ``jh.spectra``, ``jh.equilibrium``, ... are imported at once; the heavier
``jh.fit`` (with ``jh.fit.models`` and ``jh.fit.config``), ``jh.response``, ``jh.pair_breaking``,
``jh.conductivity``, ``jh.config``, ``jh.reference`` and ``jh.cli`` on first use.
"""

import sys as _sys

import jax as _jax

# Physics runs in float64 by default; float32 is an explicit, measured option.
_jax.config.update("jax_enable_x64", True)

__version__ = "0.1.0"

from . import bands, drive, equilibrium, grid, io, material, models, plot, solve, solvers, spectra, units  # noqa: E402
from . import material as materials  # noqa: E402  (the documented name: jaxhiggs.materials.single_band)
from .bands import EnergyGrid, TightBinding  # noqa: E402
from .drive import CouplingPulse, DriveSum, GaussianPulse, NoDrive, Quench, SingleCyclePulse, Waveform  # noqa: E402
from .material import Band, Superconductor  # noqa: E402
from .solve import Result, SolverOptions, simulate, solve as solve_raw  # noqa: E402
from .sweep import open_sweep, params as sweep_params, store as sweep_store, sweep  # noqa: E402
# jaxhiggs.sweep is the function; the package stays importable (from jaxhiggs.sweep import store), and the
# former module paths jaxhiggs.sweep_params / jaxhiggs.sweep_store name the same module objects.
_sys.modules[__name__ + ".sweep_params"], _sys.modules[__name__ + ".sweep_store"] = sweep_params, sweep_store
from .cache import enable_compilation_cache  # noqa: E402
from . import cpu, parallel  # noqa: E402
from .cpu import use_cpu_cores  # noqa: E402
from . import memory  # noqa: E402

memory._enable_from_environment()  # return the compiler's freed heap after large compiles (jaxhiggs.memory)

#: Submodules imported on first attribute access (optimistix/optax and large jit tables load only when used).
_LAZY = ("cli", "conductivity", "config", "fit", "fit_config", "fit_models", "pair_breaking", "reference", "response",
         "thz")


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'jaxhiggs' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "Band", "CouplingPulse", "DriveSum", "EnergyGrid", "GaussianPulse", "NoDrive", "Quench", "Result", "SingleCyclePulse",
    "SolverOptions", "Superconductor", "TightBinding", "Waveform", "bands", "drive", "equilibrium", "grid",
    "material", "materials", "models", "open_sweep", "simulate", "solve", "solve_raw", "solvers", "spectra", "sweep", "units",
    "enable_compilation_cache", "use_cpu_cores", "cpu", "parallel", "io", "memory", "plot", "sweep_params", "sweep_store",
    *(name for name in _LAZY if name not in ("fit_config", "fit_models")),  # deprecated aliases of jh.fit.config/.models
]
