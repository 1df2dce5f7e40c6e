"""Independent solves spread over the devices: ``lax.map`` on one device, sharded over several.

Why: a pump–probe map is a handful of independent runs (one per delay, plus the pump alone).  They run one
after another in a ``lax.map`` (on a CPU a ``vmap`` over diffrax's while loop was 3× slower).  With several
devices — GPUs, or one CPU device per core after :func:`jaxhiggs.use_cpu_cores` — each device can take its
share of the runs: the same arithmetic, run side by side.  One device: exactly ``lax.map``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, PartitionSpec as P

_AXIS = "runs"


def batch_mode(platform: str) -> str:
    """How a device runs a batch of independent solves: ``"map"`` (one after another, each with its own adaptive
    steps) on a CPU, ``"vmap"`` (one vectorised solve, in lockstep) on accelerators.  On the CPU a vmapped solve
    runs every member at its slowest member's pace and diffrax's stage sums transpose the whole (members × stages)
    buffer at every stage (measured 2.3–3× slower per run); a GPU needs the batch's width to fill the card."""
    return "map" if platform == "cpu" else "vmap"


def device_map(fn, xs):
    """``jax.lax.map(fn, xs)`` over the leading axis of the pytree ``xs``, its items shared out over the default
    backend's devices (at most one device per item; padded with the last item, which is dropped again).

    ``fn`` may close over traced values (they are replicated to every device); differentiable as ``lax.map``.
    """
    devices = jax.devices()
    n_items = jax.tree_util.tree_leaves(xs)[0].shape[0]
    n_devices = min(len(devices), n_items)
    if n_devices <= 1:
        return jax.lax.map(fn, xs)
    per_device = -(-n_items // n_devices)
    pad = per_device * n_devices - n_items
    padded = jax.tree.map(lambda x: jnp.concatenate([x, jnp.repeat(x[-1:], pad, axis=0)]), xs)
    mesh = Mesh(np.array(devices[:n_devices]), (_AXIS,))
    out = jax.shard_map(lambda block: jax.lax.map(fn, block), mesh=mesh, in_specs=(P(_AXIS),), out_specs=P(_AXIS),
                        check_vma=False)(padded)
    return jax.tree.map(lambda y: y[:n_items], out)


__all__ = ["batch_mode", "device_map"]
