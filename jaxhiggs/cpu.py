"""The CPU's cores as JAX devices, so that a sweep runs several points at once on a CPU.

Why: on a CPU, JAX has one device by default and XLA spreads each operation of a solve over every
core.  The solves here are long chains of small operations (a Runge–Kutta stage is a few passes over
a state of 10⁴–10⁶ numbers), so the cores mostly wait for each other: measured on a 2-core machine
(benchmarks/README.md), a clean-pseudospin run at N_e = 4000 took 1.22 s on both cores and 0.77 s
pinned to one.  :func:`jaxhiggs.sweep` shards its points over all devices, so with one CPU device per
core each core integrates its own points: a sweep of 8 quench strengths at N_e = 4000 took 0.41 s
per point instead of 1.16 s, a Mattis–Bardeen γ sweep at N_e = 100 0.59 instead of 1.16 s and at
N_e = 200 1.75 instead of 2.00 s (the gain fades as the state grows: the N_e² blocks then keep both cores busy
anyway), with results equal to round-off.  Single runs
(:func:`jaxhiggs.simulate`) use one device either way and are not affected.

JAX fixes the number of CPU devices when it first computes anything, so :func:`use_cpu_cores` must
run before that (right after ``import jaxhiggs``); the ``jaxhiggs sweep`` command calls it.  A library
import never does: the process is yours.  Your own setting wins: with ``--xla_force_host_platform_
device_count`` in ``XLA_FLAGS`` or ``jax_num_cpu_devices`` already configured nothing is changed.
"""

from __future__ import annotations

import logging
import os

import jax

from ._validate import check_int

log = logging.getLogger(__name__)

_XLA_FLAG = "xla_force_host_platform_device_count"

#: Most CPU devices :func:`use_cpu_cores` gives per usable core (and at least :data:`MIN_DEVICE_LIMIT` in all):
#: more devices than cores only make the cores take turns, and very many hang JAX's start-up (100000 devices on
#: 2 cores: the next JAX operation had not returned after 30 s; 1000 took 0.9 s).
DEVICES_PER_CORE = 8
MIN_DEVICE_LIMIT = 16


def max_cpu_devices() -> int:
    """The most CPU devices :func:`use_cpu_cores` accepts: ``DEVICES_PER_CORE`` × :func:`usable_cores`, at least 16."""
    return max(MIN_DEVICE_LIMIT, DEVICES_PER_CORE * usable_cores())


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports it, else ``os.cpu_count()``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def use_cpu_cores(n: int | None = None) -> int | None:
    """Give JAX ``n`` CPU devices (default: :func:`usable_cores`); returns ``n``, or None if nothing was changed.

    Nothing changes (and None is returned, with the reason logged) when the number of CPU devices was
    already chosen — ``--xla_force_host_platform_device_count`` in ``XLA_FLAGS`` or the
    ``jax_num_cpu_devices`` option — or when JAX has already computed something in this process (then
    it is too late: call this right after ``import jaxhiggs``).  Accelerators are not affected; on a
    machine with a GPU, sweeps still run on the GPU.

    Raises:
        InputError: ``n`` is not an integer from 1 to :func:`max_cpu_devices` (8 per usable core, at least 16).
    """
    if n is not None:
        cores = usable_cores()
        n = check_int("n", n, 1, max_cpu_devices(), what=f"CPU devices, e.g. the number of cores, {cores} here; more "
                      "devices than that only make the cores take turns, and very many hang JAX's start-up")
    else:
        n = usable_cores()
    current = getattr(jax.config, "jax_num_cpu_devices", None)
    if current is None:  # a JAX without the option
        log.info("use_cpu_cores: this JAX has no jax_num_cpu_devices option; set XLA_FLAGS=--%s=N instead", _XLA_FLAG)
        return None
    if _XLA_FLAG in os.environ.get("XLA_FLAGS", "") or current != -1:
        log.info("use_cpu_cores: the number of CPU devices is already set (XLA_FLAGS or jax_num_cpu_devices)")
        return None
    try:
        jax.config.update("jax_num_cpu_devices", n)
    except RuntimeError:  # JAX's backends exist already
        log.info("use_cpu_cores: too late, JAX has already run in this process; call it right after import")
        return None
    return n


__all__ = ["max_cpu_devices", "use_cpu_cores", "usable_cores"]
