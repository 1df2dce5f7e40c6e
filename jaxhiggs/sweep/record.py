"""The parameter record of a sweep and its fingerprint: what a store holds, and whether a store
belongs to the same sweep (model, drive, times, grid, point order, solver settings).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .. import __version__
from .params import unit_of


def _hash_tree(tree) -> str:
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    h = hashlib.sha256(re.sub(r"0x[0-9a-f]+", "", str(treedef)).encode())
    for leaf in leaves:
        if eqx.is_array(leaf) or isinstance(leaf, np.ndarray):
            arr = np.asarray(leaf)
            h.update(f"{arr.dtype}{arr.shape}".encode())
            h.update(np.ascontiguousarray(arr).tobytes())
        else:
            h.update(repr(leaf).encode())
    return h.hexdigest()[:16]


def _describe(tree):
    """JSON-able description of a module: class name and its fields (arrays as numbers/lists)."""
    if isinstance(tree, eqx.Module):
        out = {"type": type(tree).__name__}
        for name in tree.__dataclass_fields__:
            out[name] = _describe(getattr(tree, name, None))
        return out
    if isinstance(tree, (tuple, list)):
        return [_describe(x) for x in tree]
    if isinstance(tree, dict):
        return {str(k): _describe(v) for k, v in tree.items()}
    if eqx.is_array(tree) or isinstance(tree, (np.ndarray, np.generic)):
        arr = np.asarray(tree)
        if arr.size > 16:
            return {"shape": list(arr.shape), "dtype": str(arr.dtype), "min": float(np.min(np.real(arr))),
                    "max": float(np.max(np.real(arr)))}
        return arr.item() if arr.size == 1 and np.isrealobj(arr) else np.real(arr).tolist()
    if isinstance(tree, (int, float, str, bool)) or tree is None:
        return tree
    return repr(tree)


def make_record(model, drive, times_ps, axes, zip, order, options, dtype, sort_by) -> dict:
    """The JSON-able record of a sweep: its fingerprint (hashes of model, drive, times, grid, order and
    solver settings, each part kept so a refusal can name what differs) and a readable description."""
    solver = {"solver": type(options.solver).__name__, "rtol": options.rtol, "atol": options.atol,
              "dt_ps": options.dt, "max_steps": options.max_steps, "dtype": str(jnp.dtype(dtype or jnp.float64))}
    parts = {
        "model": _hash_tree(model), "drive": _hash_tree(drive), "times": _hash_tree(np.asarray(times_ps)),
        "grid": _hash_tree(({k: v for k, v in axes.items()}, bool(zip), list(axes))),
        "order": _hash_tree(order), "solver": hashlib.sha256(json.dumps(solver, sort_keys=True).encode()).hexdigest()[:16],
    }
    return {
        "fingerprint": hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24],
        "fingerprint_parts": parts,
        "names": list(axes), "axes": {k: v.tolist() for k, v in axes.items()},
        "axis_units": {k: unit_of(k, model) for k in axes}, "zip": bool(zip),
        "sort_by": None if sort_by is None else (sort_by if isinstance(sort_by, str) else repr(sort_by)),
        "times_ps": {"start": float(times_ps[0]), "stop": float(times_ps[-1]), "count": int(len(times_ps))},
        "model": {**model.metadata(), "options": _describe(model.options()), "material": _describe(model.material)},
        "drive": _describe(drive), "drive_units": "internal: energies/frequencies meV, times ħ/meV, A in V·s/m",
        "solver": solver, "jaxhiggs_version": __version__, "jax_version": jax.__version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def refuse(path, stored: dict, new: dict):
    """Raise: the store at ``path`` holds another sweep (names the fingerprint parts that differ)."""
    differ = [k for k in new["fingerprint_parts"] if stored.get("fingerprint_parts", {}).get(k) != new["fingerprint_parts"][k]]
    raise ValueError(
        f"the store {path} belongs to a different sweep (fingerprint {stored.get('fingerprint')} ≠ {new['fingerprint']}; "
        f"differs in: {', '.join(differ) or 'unknown'}): refusing to resume. Use another store path or delete it."
    )


__all__ = ["make_record", "refuse"]
