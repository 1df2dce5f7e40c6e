"""Writing results with their parameters and units.

Results go to a NumPy ``.npz`` file: one array per observable plus ``metadata``, a
JSON string with the model, parameters, units of every array, solver settings,
package version and date, so a file is self-describing without this package.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import numpy as np

from . import __version__

#: Units of the arrays written by :func:`save_result`.
UNITS = {
    "times": "ps",
    "gap": "meV (complex order parameter Δ_i)",
    "energy": "meV per unit DOS-weight (energy density, constants dropped)",
    "number": "particles per unit DOS-weight",
    "norm_drift": "relative (max over pseudospins of ||s| − |s0||/|s0|)",
}


def save_result(path, result, parameters: dict | None = None) -> Path:
    """Save ``result`` (a :class:`jaxhiggs.Result`) to ``path`` (.npz) with metadata; returns the path."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_suffix(".npz")
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"times": np.asarray(result.times)}
    for key, value in result.observables.items():
        arrays[key] = np.asarray(value)
    meta = {
        "jaxhiggs_version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "model": dict(result.metadata),
        "parameters": parameters or {},
        "units": {k: UNITS.get(k, "see the model's documentation") for k in arrays},
        "solver_steps": np.asarray(result.num_steps).tolist(),
        "success": np.asarray(result.success).tolist(),
    }
    np.savez(path, metadata=json.dumps(meta, default=_jsonable), **arrays)
    return path


def load_result(path) -> tuple[dict, dict]:
    """Read a file written by :func:`save_result`: (arrays, metadata)."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files if k != "metadata"}
        meta = json.loads(str(data["metadata"]))
    return arrays, meta


def _jsonable(x):
    arr = np.asarray(x)
    return arr.item() if arr.size == 1 else arr.tolist()
