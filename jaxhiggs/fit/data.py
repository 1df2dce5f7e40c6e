"""Data sets of a fit: validated abscissa, data components, uncertainties, masks."""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from .._validate import InputError, check, fail, show

@dataclass
class _Dataset:
    x: np.ndarray
    data: np.ndarray
    temperature: float
    keep: np.ndarray
    err: np.ndarray
    component: str
    kind: str
    #: (a, b) per x for a noise model whose variance depends on the model: e² = (a + b|model|²)/2 per part
    err_model: tuple | None = None



def _window(window, tag):
    """``(low, high)`` of a fit window: a pair of finite numbers, low < high (``None`` for an open side)."""
    allowed = ("a pair (low, high) of finite numbers with low < high, in the units of x (THz, or K for vs-T "
               "models); None for an open side")
    if isinstance(window, (str, bytes, dict, set)) or not hasattr(window, "__len__") or len(window) != 2:
        raise fail(f"{tag}window", window, allowed)
    sides = []
    for side in window:
        if side is None:
            sides.append(None)
            continue
        if isinstance(side, (str, bytes, bool, np.bool_)) or np.ndim(side) != 0 or np.iscomplexobj(side):
            raise fail(f"{tag}window", window, allowed)
        try:
            value = float(side)
        except (TypeError, ValueError):
            raise fail(f"{tag}window", window, allowed) from None
        if not math.isfinite(value):
            raise fail(f"{tag}window", window, allowed)
        sides.append(value)
    lo, hi = sides
    if lo is not None and hi is not None and not lo < hi:
        raise fail(f"{tag}window", window, allowed)
    return lo, hi


def _uncertainty(uncertainty, shape, tag, keep):
    """The uncertainties broadcast to ``shape``: finite and > 0 (both parts of a complex e) at every point the fit
    uses (``keep``: the mask and window); a point masked out may carry anything (that is what masks are for)."""
    name = f"{tag}uncertainty"
    allowed = ("finite uncertainties > 0 in the units of the data (complex data: real part → Re/σ₁, imaginary part "
               "→ Im/σ₂, both > 0)")
    if isinstance(uncertainty, (str, bytes, dict, set)):
        raise fail(name, uncertainty, allowed)
    try:
        arr = np.asarray(uncertainty)
    except (TypeError, ValueError):
        raise fail(name, uncertainty, allowed) from None
    if arr.dtype.kind not in "iufc":
        raise fail(name, uncertainty, allowed)
    scalar = arr.ndim == 0
    try:
        arr = np.broadcast_to(arr, shape)
    except ValueError:
        raise InputError(f"{name} has shape {arr.shape} is not allowed: it must broadcast to the data's shape "
                         f"{shape} (one number, or one per data point)") from None
    parts = (arr.real, arr.imag) if np.iscomplexobj(arr) else (arr,)
    good = np.ones(shape, bool)
    for part in parts:
        with np.errstate(invalid="ignore"):
            good &= np.isfinite(part) & (part > 0)
    good |= ~keep
    if not np.all(good):
        k = int(np.argmin(good.reshape(-1)))
        raise fail(name if scalar else f"{name}[{k}]", arr.reshape(-1)[k], allowed)
    return arr


def _weights(weights, complex_data, tag):
    """(w₁, w₂) for complex data, one weight for a real curve: finite numbers > 0."""
    allowed = ("finite weights > 0: a pair (w₁, w₂) for complex data (σ₁, σ₂), one number for a real curve "
               "(per-point weights: uncertainty=)")
    try:
        arr = np.atleast_1d(np.asarray(weights))
    except (TypeError, ValueError):
        raise fail(f"{tag}weights", weights, allowed) from None
    if (isinstance(weights, (str, bytes)) or arr.dtype.kind not in "iuf" or arr.ndim != 1
            or (complex_data and arr.size != 2) or arr.size == 0
            or not np.all(np.isfinite(arr) & (arr > 0))):
        raise fail(f"{tag}weights", weights, allowed)
    if not complex_data and arr.size != 1:  # only w[0] would be used: per-point weights belong in uncertainty=
        raise fail(f"{tag}weights", weights, "one number for a real curve (it scales every point alike); for "
                   "per-point weighting give uncertainty= (e_i = 1/w_i)")
    return arr.astype(float)


def _mask(mask, shape, tag):
    """A boolean array of the data's shape (True = fitted): no truthiness of numbers or strings ("no" is truthy)."""
    name = f"{tag}mask"
    allowed = f"a boolean array (True = fitted) of the data's shape {shape}"
    if isinstance(mask, (str, bytes, dict, set)):
        raise fail(name, mask, allowed)
    try:
        arr = np.asarray(mask)
    except (TypeError, ValueError):
        raise fail(name, mask, allowed) from None
    if arr.dtype.kind != "b":
        raise InputError(f"{name} of dtype {arr.dtype} is not allowed: {allowed} (e.g. np.asarray(m) > 0)")
    if arr.shape != shape:
        raise InputError(f"{name} has shape {arr.shape} is not allowed: {allowed}")
    return arr.copy()


def _components(curve, component):
    if component == "complex":
        return jnp.concatenate([jnp.real(curve), jnp.imag(curve)], axis=-1)
    if component == "sigma1":
        return jnp.real(curve)
    if component == "sigma2":
        return jnp.imag(curve)
    if component == "abs":
        return jnp.abs(curve)
    return jnp.real(curve)  # "real"


def _make_dataset(x, data, temperature, model_kind, component, uncertainty, weights, mask, window, index):
    tag = f"data set {index}: " if index is not None else ""
    try:
        x = np.asarray(x, dtype=float)
        data = np.asarray(data)
        if data.dtype.kind not in "biufc":
            raise TypeError
    except (TypeError, ValueError):
        raise fail(f"{tag}x/data", x if not isinstance(x, np.ndarray) else data, "two 1-D arrays of numbers") from None
    check(lambda t: t >= 0, f"{tag}temperature", temperature, "a finite temperature ≥ 0 K", unit="K")
    if x.ndim != 1 or data.shape != x.shape:
        raise ValueError(f"{tag}frequency/x has shape {x.shape} and the data {data.shape}: give two 1-D arrays "
                         "of equal length")
    if not np.all(np.isfinite(x)) or not np.all(np.isfinite(data)):
        bad = int(np.argmax(~(np.isfinite(x) & np.isfinite(data))))
        raise InputError(f"{tag}row {bad}: x = {show(x[bad])}, data = {show(data[bad])} is not allowed: finite values "
                         "(no NaN/inf)")
    order = np.argsort(x, kind="stable")
    same = np.flatnonzero(np.diff(x[order]) == 0)
    if same.size:
        j, k = sorted((int(order[same[0]]), int(order[same[0] + 1])))
        raise InputError(f"{tag}x[{k}] = {show(x[k])} is not allowed: it repeats x[{j}]; the x values (frequencies or "
                         "temperatures) must be distinct (average repeated measurements first)")
    if component is None:
        component = "complex" if np.iscomplexobj(data) else ("real" if model_kind == "real" else None)
        if component is None:
            raise ValueError(f"{tag}real σ data is ambiguous: pass component='sigma1', 'sigma2' or 'abs' "
                             "(or complex σ₁ + iσ₂)")
    allowed = ("complex", "sigma1", "sigma2", "abs", "real")
    if component not in allowed:
        raise ValueError(f"component = {component!r} is not allowed: one of {allowed}")
    keep = np.ones(x.shape, bool) if mask is None else _mask(mask, x.shape, tag)
    if window is not None:
        lo, hi = _window(window, tag)
        keep &= (x >= (-np.inf if lo is None else lo)) & (x <= (np.inf if hi is None else hi))
    err_model = None
    if hasattr(uncertainty, "sample") and hasattr(uncertainty, "reference"):  # jaxhiggs.thz.TransmissionNoise
        if component != "complex":
            raise InputError(f"{tag}a transmission noise model needs complex data (t = E_s/E_r)")
        a = np.broadcast_to(np.asarray(uncertainty.sample, float), x.shape)
        b = np.broadcast_to(np.asarray(uncertainty.reference, float), x.shape)
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b)) and np.all(a > 0) and np.all(b >= 0)):
            raise InputError(f"{tag}the transmission noise model has non-finite or non-positive variances")
        err_model = (a, b)
        uncertainty = uncertainty.uncertainty(data)  # at the data: for plots and as a placeholder
    # the same rule for real and complex data: every uncertainty the fit uses finite and > 0 (no abs(), no NaN/inf
    # that would drop a point from χ² while it still counts in n_data), checked here, before anything is compiled
    u = None if uncertainty is None else _uncertainty(uncertainty, x.shape, tag, keep)
    w = None if weights is None else _weights(weights, component == "complex", tag)
    if component == "complex":
        d = np.concatenate([data.real, data.imag])
        keep = np.concatenate([keep, keep])
        if u is None:
            e = np.ones_like(d, dtype=float)
        else:
            e = np.concatenate([np.real(u), np.imag(u) if np.iscomplexobj(u) else np.real(u)]).astype(float)
        w1, w2 = (1.0, 1.0) if w is None else w
        e = e / np.concatenate([np.full(x.shape, w1), np.full(x.shape, w2)])
    else:
        d = np.real(_components(jnp.asarray(data), component)) if component != "real" else np.real(data)
        d = np.asarray(d, float)
        # a complex e for a real curve: its modulus (both parts are > 0, checked above)
        e = np.ones_like(d) if u is None else np.abs(u) * 1.0
        if w is not None:
            e = e / w[0]  # one number (checked in _weights)
    with np.errstate(invalid="ignore"):
        usable = (np.isfinite(e) & (e > 0)) | ~keep  # e.g. an uncertainty/weight ratio that over- or underflows
    if not np.all(usable):
        k = int(np.argmin(usable))
        raise InputError(f"{tag}uncertainty/weights = {show(e[k])} at point {k % x.size} is not allowed: the "
                         "effective uncertainties e/w must be finite and > 0")
    if keep.sum() == 0:
        raise InputError(f"{tag}window = {show(window)} is not allowed: no data points are left after the mask/window; "
                         f"the data cover x in [{show(np.min(x))}, {show(np.max(x))}]")
    return _Dataset(x, np.asarray(d), float(temperature), keep, np.asarray(e, float), component, model_kind, err_model)

