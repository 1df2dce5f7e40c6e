"""Fits of the measured complex THz transmission t(ω) of a thin film: one temperature or a series.

The model σ(ω) (S/m) of a film is turned into t(ω) relative to the bare substrate by the thin-film formula of
:func:`jaxhiggs.thz.thin_film_transmission`, and the residuals are Re t and Im t — no inversion t → σ, so the
noise of t stays as measured (an inversion amplifies it where |t| ≪ 1, deep in the superconducting state).

Parameters added to the σ model's: ``sigma_n`` (S/m, required for the named σ models: the normal-state
conductivity, for ``"zimmermann"`` the Drude value ne²/(mγ)), ``thickness`` (nm) and ``mismatch`` (ΔL, µm),
both held at the given values unless they appear in ``initial``.  Note that in the thin-film limit σ and d enter
only as the sheet conductance σd: ``sigma_n`` and ``thickness`` cannot both be free (the report then warns).
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

import numpy as np
from jaxtyping import ArrayLike, Complex, Float

from .._validate import InputError, check
from ..thz.thin_film import thin_film_conductivity, thin_film_transmission
from . import models as fit_models
from .least_squares import fit_global
from .models import FitModel
from .result import FitResult

__all__ = ["fit_temperature_series", "fit_transmission", "plot_conductivity", "transmission_model"]

_WRAPPED: dict = {}


def transmission_model(model, substrate_index, thickness: float, mismatch: float = 0.0, **model_options) -> FitModel:
    """The :class:`FitModel` of t(ω) for a σ model (name, FitModel or callable returning σ in S/m).

    Cached by (σ model, n_s) so refits of new data reuse the compiled residuals; ``thickness`` and
    ``mismatch`` are parameter defaults (values, not structure).
    """
    check(lambda n: np.real(n) >= 1.0, "substrate_index", substrate_index,
          "one finite refractive index with real part ≥ 1 (complex n + iκ allowed)", complex_ok=True)
    if np.ndim(substrate_index) != 0:
        raise InputError("substrate_index has shape "
                         f"{np.shape(substrate_index)}: fits take one (possibly complex) index for the band fitted")
    check(lambda d: d > 0, "thickness", thickness, "a finite film thickness > 0 nm", unit="nm")
    check(lambda x: abs(x) < 1e4, "mismatch", mismatch, "a finite thickness mismatch |ΔL| < 10⁴ µm", unit="µm")
    sigma_model = fit_models.resolve(model, **model_options)
    n_s = complex(substrate_index)
    key = (sigma_model.name, sigma_model.function, sigma_model.required, n_s)
    if key not in _WRAPPED:
        def fn(params, frequency_thz, temperature=0.0):
            sigma = sigma_model(params, frequency_thz, temperature)
            return thin_film_transmission(frequency_thz, sigma, params["thickness"], n_s, params["mismatch"])

        auto = sigma_model.kind == "auto" or not sigma_model.required
        required = tuple(sigma_model.required) + (() if auto or "sigma_n" in sigma_model.required else ("sigma_n",))
        defaults = {k: v for k, v in sigma_model.defaults.items() if k != "sigma_n"}
        _WRAPPED[key] = FitModel(f"thin-film transmission ({sigma_model.name})", fn, required, defaults,
                                 "complex", "frequency (THz)", ("Re t", "Im t"),
                                 {"sigma_model": sigma_model, "substrate_index": n_s, "auto": auto},
                                 limited=sigma_model.limited)
    fm = _WRAPPED[key]
    return dataclasses.replace(fm, defaults={**fm.defaults, "thickness": float(thickness), "mismatch": float(mismatch)})


def _prepare(fm: FitModel, initial: Mapping) -> FitModel:
    if fm.meta.get("auto"):  # a callable σ model: its parameters are the user's names
        names = tuple(k for k in dict.fromkeys(k.split("[")[0] for k in initial) if k not in ("thickness", "mismatch"))
        fm = dataclasses.replace(fm, required=names)
    return fm


def fit_transmission(frequency: Float[ArrayLike, " n"], transmission: Complex[ArrayLike, " n"], model,
                     initial: Mapping, bounds: Mapping | None = None, thickness: float = ..., substrate_index=...,
                     temperature: float = 0.0, mismatch: float = 0.0, fixed: Sequence[str] = (),
                     uncertainty=None, **options) -> FitResult:
    """Fit the measured complex transmission t(ω) (relative to the bare substrate) of a thin film.

    Args:
        frequency: ν in THz (1-D).
        transmission: complex t = E_s/E_r (physics convention e^{−iωt}), e.g. from
            :func:`jaxhiggs.thz.transmission`.
        model: a σ model as in :func:`jaxhiggs.fit.fit_conductivity` (``"zimmermann"``,
            ``"mattis-bardeen"``, ``"two-band-zimmermann"``, ``"zimmermann-bcs"``, a FitModel, or a callable
            ``f(params, ν_THz, T_K)`` returning σ in S/m).
        initial: start values; the named σ models need ``sigma_n`` (S/m).  Add ``thickness`` (nm) or
            ``mismatch`` (µm) to fit them.
        bounds, fixed: as in :func:`jaxhiggs.fit.fit_global`.
        thickness: film thickness d in nm; substrate_index: n_s (one number, complex allowed);
        temperature: K; mismatch: substrate thickness mismatch ΔL in µm (start value if fitted).
        uncertainty: δ(Re t) + iδ(Im t) (e.g. from :func:`jaxhiggs.thz.transmission_uncertainty`).
        **options: ``window`` (THz), ``mask``, ``weights`` and the :func:`fit_global` options.

    Returns:
        :class:`~jaxhiggs.fit.FitResult` (values in the units of the module docstring; ``sigma_n`` in S/m).
    """
    if thickness is ... or substrate_index is ...:
        raise InputError("fit_transmission needs thickness (nm) and substrate_index: the thin-film formula "
                         "depends on them")
    data_keys = ("weights", "mask", "window")
    ds = {"x": frequency, "data": transmission, "temperature": temperature}
    if uncertainty is not None:
        ds["uncertainty"] = uncertainty
    ds.update({k: options.pop(k) for k in data_keys if k in options})
    if not np.iscomplexobj(np.asarray(transmission)):
        raise InputError("transmission is real: give the complex t = E_s(ω)/E_r(ω) (amplitude and phase)")
    fm = _prepare(transmission_model(model, substrate_index, thickness, mismatch,
                                     **dict(options.pop("model_options", None) or {})), initial)
    result = fit_global([ds], fm, initial, bounds, fixed, **options)
    result.units.update(sigma_n="S/m", thickness="nm", mismatch="µm")
    return result


def fit_temperature_series(temperatures: Sequence[float], frequency, transmission, model="zimmermann-bcs",
                           initial: Mapping | None = None, bounds: Mapping | None = None, fixed: Sequence[str] = (),
                           local: Sequence[str] = (), thickness: float = ..., substrate_index=...,
                           mismatch: float = 0.0, uncertainty=None, window=None, **options) -> FitResult:
    """Global fit of t(ω) measured at several temperatures with shared parameters.

    With the default model ``"zimmermann-bcs"`` the shared parameters are Δ(0) (``gap``, meV), ``gamma`` (meV)
    and ``sigma_n`` (S/m) — and ``thickness``/``mismatch`` when put in ``initial`` — and the gap at each
    temperature is Δ(T) from the package's BCS gap equation
    (:func:`jaxhiggs.fit.models.make_bcs_conductivity`); ``"two-band-zimmermann"`` does the same for two
    bands (T → 0 gaps and the interband ratio ``v``).  Parameters named in ``local`` get one free copy per
    temperature, ``name[i]`` (e.g. ``local=("gamma",)`` for a temperature-dependent scattering rate; with a
    plain ``"zimmermann"`` model and ``local=("gap",)`` the gaps are free per temperature).

    Args:
        temperatures: K, one per data set (all below T_c for the BCS models).
        frequency: one ν grid (THz) for all temperatures, or one per temperature.
        transmission: complex t per temperature (a list, or an array n_T × n_ν; for one temperature also a
            single 1-D t(ω)).
        uncertainty: δ(Re t) + iδ(Im t) per temperature (same layout), or None.
        window: (low, high) THz fitted.
        other arguments: as :func:`fit_transmission`.
    """
    if thickness is ... or substrate_index is ...:
        raise InputError("fit_temperature_series needs thickness (nm) and substrate_index")
    check(lambda t: t >= 0, "temperatures", temperatures, "finite temperatures ≥ 0 K, one per data set", unit="K")
    temps = [float(t) for t in np.atleast_1d(np.asarray(temperatures, dtype=float)).ravel()]
    n = len(temps)
    if hasattr(transmission, "ndim"):  # an array: (n_ν,) is one t(ω), (n_T, n_ν) one per row
        data = [transmission] if transmission.ndim == 1 else list(transmission) if transmission.ndim == 2 else None
    else:  # a list of t(ω), or one t(ω) written as a list of numbers
        data = list(transmission)
        data = [transmission] if data and np.ndim(data[0]) == 0 else data
    if data is None or len(data) != n:
        shape = f"an array of shape {np.shape(transmission)}" if data is None else f"{len(data)} data set(s)"
        raise InputError(f"transmission holds {shape} but temperatures has {n}: give one complex t(ω) per "
                         "temperature (a list, or an (n_T, n_ν) array; a single 1-D t(ω) for one temperature)")
    freqs = [frequency] * n if np.ndim(frequency[0]) == 0 else list(frequency)
    if len(freqs) != n:
        raise InputError(f"frequency holds {len(freqs)} grids for {n} temperatures: give one grid or one per temperature")
    errs = [None] * n if uncertainty is None else list(uncertainty)
    if len(errs) != n:
        raise InputError(f"uncertainty holds {len(errs)} arrays for {n} temperatures")
    sets = []
    for f, t, e, temp in zip(freqs, data, errs, temps):
        d = {"x": f, "data": t, "temperature": temp}
        if e is not None:
            d["uncertainty"] = e
        if window is not None:
            d["window"] = window
        sets.append(d)
    fm = _prepare(transmission_model(model, substrate_index, thickness, mismatch,
                                     **dict(options.pop("model_options", None) or {})), dict(initial or {}))
    result = fit_global(sets, fm, dict(initial or {}), bounds, fixed, local=local, **options)
    result.units.update(sigma_n="S/m", thickness="nm", mismatch="µm")
    return result


def plot_conductivity(result: FitResult, path=None, title: str | None = None, overwrite: bool = False):
    """σ₁(ω) and σ₂(ω) in S/m against frequency in THz of a transmission fit: the measured t inverted with the
    fitted d and ΔL (points, with propagated error bars when the fit had uncertainties) and the fitted σ model
    overlaid (lines), per temperature.  Returns the matplotlib figure; saves a PNG when ``path`` is given: an
    existing file there is refused (``FileExistsError``, before drawing) unless ``overwrite``."""
    from ..plot import _pyplot, figure_path, save_figure

    meta = result.model.meta
    if "sigma_model" not in meta:
        raise InputError("plot_conductivity needs a result of fit_transmission or fit_temperature_series")
    figure_path(path, overwrite)
    plt = _pyplot()
    sigma_model, n_s = meta["sigma_model"], meta["substrate_index"]
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.8))
    model_range = [[np.inf, -np.inf], [np.inf, -np.inf]]
    for k, ds in enumerate(result.datasets):
        n = ds.x.size
        keep = ds.keep[:n]
        vals = {name.split("[")[0]: v for name, v in result.values.items()
                if "[" not in name or name.endswith(f"[{k}]")}
        d, dl = vals["thickness"], vals["mismatch"]
        # masked-out points may hold anything (NaN, inf, error bars ≤ 0: fit.data allows it) and are not drawn;
        # stand-ins keep the inversion's input checks to the points that are
        t_data = np.where(keep, ds.data[:n] + 1j * ds.data[n:], 1.0)
        sigma = np.asarray(thin_film_conductivity(ds.x, t_data, d, n_s, dl))
        err = np.where(keep, ds.err[:n] + 1j * ds.err[n:], 0.0)
        from ..thz.thin_film import conductivity_uncertainty

        dsig = np.asarray(conductivity_uncertainty(ds.x, t_data, err, d, n_s, dl))
        model_sigma = np.asarray(sigma_model(vals, ds.x, ds.temperature))
        label = f"{ds.temperature:g} K"
        for j, (part, measured) in enumerate(((model_sigma.real, sigma.real[keep]), (model_sigma.imag, sigma.imag[keep]))):
            low, high = np.quantile(measured, [0.05, 0.95])
            model_range[j] = [min(model_range[j][0], float(part.min()), float(low)),
                              max(model_range[j][1], float(part.max()), float(high))]
        for ax, part, dpart, mpart in ((axes[0], sigma.real, dsig.real, model_sigma.real),
                                       (axes[1], sigma.imag, dsig.imag, model_sigma.imag)):
            line = ax.plot(ds.x, mpart, "-", lw=1.3, label=label)[0]
            if np.allclose(err[keep], 1 + 1j):  # no uncertainties given: no error bars
                ax.plot(ds.x[keep], part[keep], ".", ms=3, color=line.get_color())
            else:
                ax.errorbar(ds.x[keep], part[keep], dpart[keep], fmt=".", ms=3, lw=0.6, color=line.get_color())
    # the axes follow the model and the central 90 % of the points: inverted points where |t| ≪ 1 carry huge
    # errors and would hide everything else
    for ax, lo_hi in zip(axes, model_range):
        lo, hi = lo_hi
        pad = 0.1 * (hi - lo) if hi > lo else 1.0
        ax.set_ylim(lo - pad, hi + pad)
    axes[0].set_ylabel("σ₁ (S/m)")
    axes[1].set_ylabel("σ₂ (S/m)")
    for ax in axes:
        ax.set_xlabel("frequency (THz)")
    axes[1].legend(fontsize=7, title="points: data, lines: fit", title_fontsize=7)
    fig.suptitle(title or f"{sigma_model.name}: σ(ω) from t(ω) with the fitted model", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path, overwrite)
    return fig
