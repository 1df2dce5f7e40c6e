"""Input validation that names the parameter, its value and the allowed range.

Checks run only on concrete values: inside ``jax.jit``/``vmap``/``grad`` the
arguments are tracers and the checks are skipped (the caller validated the
concrete inputs before tracing, or the solve reports failures in its result).
"""

from __future__ import annotations

import jax
import numpy as np


def is_concrete(*values) -> bool:
    """True when no leaf of ``values`` is a JAX tracer."""
    leaves = jax.tree_util.tree_leaves(values)
    return not any(isinstance(x, jax.core.Tracer) for x in leaves)


def check(condition_fn, name: str, value, allowed: str) -> None:
    """Raise ``ValueError`` if ``condition_fn(value)`` is false for a concrete value.

    ``condition_fn`` receives a NumPy array; the message reads
    ``"<name> = <value> is not allowed: <allowed>"``.
    """
    if not is_concrete(value):
        return
    arr = np.asarray(value)
    ok = bool(np.all(condition_fn(arr)))
    if not ok:
        shown = arr.item() if arr.size == 1 else arr.tolist()
        raise ValueError(f"{name} = {shown!r} is not allowed: {allowed}")
