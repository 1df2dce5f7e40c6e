"""Data sets of a fit: validated abscissa, data components, uncertainties, masks."""

from __future__ import annotations

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
    keep = np.ones(x.shape, bool) if mask is None else np.asarray(mask, bool)
    if keep.shape != x.shape:
        raise ValueError(f"{tag}mask has shape {keep.shape}, the data {x.shape}")
    if window is not None:
        lo, hi = window
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
    if component == "complex":
        d = np.concatenate([data.real, data.imag])
        keep = np.concatenate([keep, keep])
        if uncertainty is None:
            e = np.ones_like(d, dtype=float)
        else:
            u = np.broadcast_to(np.asarray(uncertainty), x.shape)
            e = np.concatenate([np.real(u), np.imag(u) if np.iscomplexobj(u) else np.real(u)]).astype(float)
        w1, w2 = (1.0, 1.0) if weights is None else weights
        e = e / np.concatenate([np.full(x.shape, float(w1)), np.full(x.shape, float(w2))])
    else:
        d = np.real(_components(jnp.asarray(data), component)) if component != "real" else np.real(data)
        d = np.asarray(d, float)
        e = np.ones_like(d) if uncertainty is None else np.broadcast_to(np.abs(np.asarray(uncertainty)), x.shape) * 1.0
        if weights is not None:
            e = e / float(np.atleast_1d(weights)[0])
    if np.any(e[keep] <= 0):
        raise ValueError(f"{tag}uncertainties must be > 0 where data are fitted (weights must be > 0)")
    if keep.sum() == 0:
        raise InputError(f"{tag}window = {show(window)} is not allowed: no data points are left after the mask/window; "
                         f"the data cover x in [{show(np.min(x))}, {show(np.max(x))}]")
    return _Dataset(x, np.asarray(d), float(temperature), keep, np.asarray(e, float), component, model_kind, err_model)

