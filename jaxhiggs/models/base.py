"""The contract every model fulfils so that one driver can integrate it.

A model is an equinox Module holding its parameters and equilibrium.  It provides

* ``initial_state()`` — the state pytree at the first saved time (the equilibrium),
* ``arguments(drive)`` — the pytree of time-dependent inputs (drive, couplings after
  a quench, …) passed as ``args`` to the vector field,
* ``vector_field(t, y, args)`` — the pure right-hand side dy/dt (internal units),
* ``observables(t, y, args)`` — a dict of arrays computed inside the solve (only
  these are stored, never the full state history),
* ``jump_times(drive)`` — internal times where the vector field jumps (quenches).

Nothing model-specific lives in :mod:`jaxhiggs.solve`.
"""

from __future__ import annotations

import equinox as eqx


class Model(eqx.Module):
    """Abstract base of jaxhiggs models (see the module docstring)."""

    def initial_state(self):
        raise NotImplementedError

    def arguments(self, drive):
        raise NotImplementedError

    def vector_field(self, t, y, args):
        raise NotImplementedError

    def observables(self, t, y, args) -> dict:
        raise NotImplementedError

    def jump_times(self, drive) -> tuple[float, ...]:
        quench = drive.quench()
        return () if quench is None else (quench.time,)

    def metadata(self) -> dict:
        """Static description stored with results (model name, sizes, options)."""
        return {"model": type(self).__name__}
