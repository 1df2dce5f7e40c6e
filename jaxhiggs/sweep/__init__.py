"""Parameter sweeps at scale: ``jaxhiggs.sweep(model, drive, times, grid, …) -> xarray.Dataset``.

How a sweep runs
----------------
1. ``grid`` maps parameter names (:mod:`jaxhiggs.sweep.params`: ``gamma``/``gamma_i``,
   ``gap``/``gap_i``, ``v``, ``temperature``, ``peak_field``, ``fluence``, ``frequency``,
   ``delay``, ``final_gap``, and a model's own ``sweep_parameters()``) to 1-D arrays; the points are their Cartesian product (in
   the order of the keys, last fastest) or, with ``zip=True``, the zipped axes.
2. A point is applied by editing the material with ``eqx.tree_at`` and rebuilding the
   model with ``model.with_material`` (every model implements ``options()``), and by
   editing the drive's components.  This is a pure function of the point, so
   ``jax.vmap`` over a pytree of point arrays gives the batch axis.
3. Points are cut into chunks sized to device memory (estimated from the model's state
   and observable sizes; ``chunk_size`` overrides), each chunk padded to a multiple of
   the device count and sharded over a 1-D device mesh ``("points",)`` with ``jax.shard_map``: every device
   integrates its slice of the chunk.  One compilation serves all chunks.
4. With ``store=path`` each finished chunk is written to a Zarr store
   (:mod:`jaxhiggs.sweep.store`), read back, and marked done with a digest of its data.
   Re-running the same call **resumes automatically**: it verifies every done chunk,
   skips the intact ones and recomputes interrupted, missing or corrupt ones (naming
   them).  A store from a different model, drive, times, grid or solver setting is
   refused (fingerprint).  A path that is a file, a folder with anything in it that is
   not a jaxhiggs store, or another Zarr store is refused and left untouched: a sweep
   never deletes or overwrites anything it did not create.

Lockstep
--------
Under ``vmap`` an adaptive solve's while-loop runs until its slowest member finishes:
a chunk costs (points) × (max steps in the chunk).  Two remedies: ``dt=`` (fixed
step in ps, every member takes the same steps; check accuracy against an adaptive run)
and ``sort_by=`` (a parameter name, ``"-name"`` for descending, or a function of the
point arrays returning a stiffness key), which groups points of similar cost into the
same chunks.  ``benchmarks/bench_sweep.py`` measures both.  A failing point (NaN,
``max_steps``) is recorded (``failed``, ``reason``) and the sweep goes on; note that
a point that fails by exhausting ``max_steps`` holds its whole chunk for that long.

Several GPUs, several hosts
---------------------------
One host, several GPUs: nothing to do; all visible devices are used (``devices=2``
or a list of devices restricts them), e.g. ``CUDA_VISIBLE_DEVICES=0,1,2,3``.

Several hosts (e.g. SLURM, one process per GPU or per node): call
``jax.distributed.initialize()`` before anything else, then run the *same* script in
every process with the same arguments.  ``jax.devices()`` then lists the devices of
all processes, the mesh spans them, each process feeds its own shards, results are
gathered, and only process 0 writes the store (which must be on a shared file
system; the store is opened by all processes after process 0 created it)::

    #!/bin/bash
    #SBATCH --nodes=2 --ntasks-per-node=4 --gpus-per-task=1
    srun python my_sweep.py        # my_sweep.py: jax.distributed.initialize(); jaxhiggs.sweep(..., store=...)

Re-submitting the same job resumes from the store.  (The multi-host path follows the
JAX multi-process API but has only been tested with several devices in one process.)

Modules (one job each)
----------------------
``jaxhiggs.sweep`` (the attribute of the package ``jaxhiggs``) is the function :func:`~jaxhiggs.sweep.run.sweep`;
its parts are importable with ``from jaxhiggs.sweep import …``:

* :mod:`~jaxhiggs.sweep.run` — ``sweep()``: validate, plan, prepare the store, compute, return;
* :mod:`~jaxhiggs.sweep.params` — parameter names and units, validation, applying a point to (model, drive);
* :mod:`~jaxhiggs.sweep.plan` — points and their order, observable layout, memory per point, chunk size;
* :mod:`~jaxhiggs.sweep.batch` — one chunk: sharded over the devices, one compiled program, failure reports;
* :mod:`~jaxhiggs.sweep.precision` — the float32 wrapper of a model;
* :mod:`~jaxhiggs.sweep.record` — the parameter record and the fingerprint of a sweep;
* :mod:`~jaxhiggs.sweep.store` — the Zarr store: created atomically, written chunk by chunk, verified;
* :mod:`~jaxhiggs.sweep.read` — flat results to one dimension per grid axis (``open_sweep``);
* :mod:`~jaxhiggs.sweep.progress` — progress bar with ETA, messages and log.

``jaxhiggs.sweep_params`` and ``jaxhiggs.sweep_store`` (the former module paths) remain importable: they
are the same module objects as ``jaxhiggs.sweep.params`` and ``jaxhiggs.sweep.store``.
"""

from . import params, store
from .plan import choose_chunk_size, estimate_point_bytes, grid_points, observable_layout, point_order
from .read import open_sweep, to_grid
from .run import sweep

__all__ = ["choose_chunk_size", "estimate_point_bytes", "grid_points", "observable_layout", "open_sweep", "params",
           "point_order", "store", "sweep", "to_grid"]
