"""Parameter sweeps: ``jaxhiggs.sweep(model, drive, times, grid, …) -> xarray.Dataset``.

``jaxhiggs.sweep`` (the attribute of the package) is the function :func:`jaxhiggs.sweep.run.sweep`;
this package holds its parts, one job per module (import them with ``from jaxhiggs.sweep import …``):

* :mod:`~jaxhiggs.sweep.params` — parameter names and units, validation, applying a point;
* :mod:`~jaxhiggs.sweep.run` — :func:`sweep` itself;
* :mod:`~jaxhiggs.sweep.store` — the Zarr store: created atomically, written chunk by chunk, verified.

(``jaxhiggs.sweep_params`` and ``jaxhiggs.sweep_store`` remain importable: the same modules.)
"""

from . import params, store
from .run import choose_chunk_size, estimate_point_bytes, grid_points, observable_layout, open_sweep, point_order, sweep, to_grid

__all__ = ["choose_chunk_size", "estimate_point_bytes", "grid_points", "observable_layout", "open_sweep", "params",
           "point_order", "store", "sweep", "to_grid"]
