"""Fits of one measured curve: σ(ω) (:func:`fit_conductivity`) and THG spectra (:func:`fit_thg`)."""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
from jaxtyping import ArrayLike, Float

from .least_squares import fit_global
from .result import FitResult

__all__ = ["fit_conductivity", "fit_thg"]


def fit_conductivity(frequency: Float[ArrayLike, " n"], sigma: ArrayLike, model, initial: Mapping,
                     bounds: Mapping | None = None, fixed: Sequence[str] = (), temperature: float = 0.0,
                     **options) -> FitResult:
    """Fit σ(ω) — σ₁ and σ₂ jointly for complex ``sigma`` — with a conductivity model.

    Args:
        frequency: ν in THz (1-D).
        sigma: complex σ₁ + iσ₂ normalised to σ_n (Mattis–Bardeen) or to the Drude σ₀ = ne²/(mγ)
            (Zimmermann, finite γ); data in S/cm work too with ``sigma_n`` free (in S/cm).
            Real data need ``component`` (``"sigma1"``, ``"sigma2"`` or ``"abs"``).
        model: ``"mattis-bardeen"``, ``"zimmermann"``, ``"two-band-zimmermann"``, a
            :class:`~jaxhiggs.fit.models.FitModel` or a callable ``f(params, frequency_THz, T_K)``.
        initial: start values by name, e.g. ``{"gap": 1.3, "gamma": 5.0}`` (meV).
        bounds: ``{"gap": (0.5, 3.0), ...}``; fixed: names held at their initial value.
        temperature: measurement temperature in K.
        **options: ``uncertainty`` (in the units of ``sigma``, finite and > 0; complex: real part → σ₁,
            imaginary part → σ₂), ``weights`` ((w₁, w₂) for complex σ, one number for a real
            curve: per-point weighting goes in ``uncertainty``), ``mask`` (boolean array, True = fitted), ``window`` ((low, high) THz, low < high),
            ``component``, and the :func:`fit_global` options (``ties``, ``optimizer``, ``n_starts``, ...).

    Returns:
        :class:`FitResult` (``.values``, ``.stderr``, ``.correlation``, ``.report()``, ``.plot()``).
    """
    data_keys = ("uncertainty", "weights", "mask", "window", "component")
    ds = {"x": frequency, "data": sigma, "temperature": temperature}
    ds.update({k: options.pop(k) for k in data_keys if k in options})
    return fit_global([ds], model, initial, bounds, fixed, **options)


def fit_thg(frequency: Float[ArrayLike, " n"], intensity: Float[ArrayLike, " n"], model="higgs-thg",
            initial: Mapping | None = None, bounds: Mapping | None = None, fixed: Sequence[str] = (),
            temperature: float = 0.0, **options) -> FitResult:
    """Fit a THG curve and locate the 2Ω = 2Δ resonance.

    Args:
        frequency: drive frequency Ω/2π in THz (``"higgs-thg"``), or temperatures in K for
            ``"higgs-thg-temperature"`` (then pass ``drive_frequency`` in THz).
        intensity: |j(3Ω)|² (any units: the amplitude ``scale`` is free).
        model: ``"higgs-thg"`` (default), ``"higgs-thg-temperature"``, a FitModel or a callable.
        initial: start values (``gap`` meV, ``eta`` meV, ``scale``); when None, a start is guessed
            from the data: Δ = h·Ω_peak, η = 0.05Δ, scale from the peak height.
        bounds, fixed, temperature, **options: as :func:`fit_conductivity`.

    The resonance sits at h·Ω = Δ, i.e. 2hΩ = 2Δ; the result's ``values["gap"]`` is that Δ (meV).
    """
    from .. import units

    x = np.asarray(frequency, float)
    y = np.asarray(intensity, float)
    if initial is None:
        if model != "higgs-thg":
            raise ValueError(f"initial = None is only supported for model 'higgs-thg', not {model!r}")
        k = int(np.argmax(y))
        gap0 = float(units.thz_to_mev(x[k]))
        # |χ_H(2Δ + iη)|² ≈ (4/π²)(Δ/η) at the peak
        initial = {"gap": gap0, "eta": 0.05 * gap0, "scale": float(y[k]) * math.pi**2 / 4 * 0.05}
        if bounds is None:
            bounds = {"gap": (0.5 * gap0, 2.0 * gap0), "eta": (1e-3 * gap0, gap0), "scale": (0.0, None)}
    data_keys = ("uncertainty", "weights", "mask", "window", "component")
    ds = {"x": x, "data": y, "temperature": temperature}
    ds.update({k: options.pop(k) for k in data_keys if k in options})
    return fit_global([ds], model, initial, bounds, fixed, **options)
