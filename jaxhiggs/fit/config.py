"""``jaxhiggs fit CONFIG.toml``: fit configurations (TOML) → data, model, parameters, options.

Every key is checked; an unknown key is an error that names it.  Paths are relative to the
configuration file.  Units: gaps, γ, η in meV; frequencies in THz; temperatures in K.

Example::

    data = "../data/nbn_sigma_synthetic.csv"   # read with jaxhiggs.io.read_spectrum
    output = "../results/nbn-zimmermann"       # writes .json (values, covariance) and .png
    [model]
    name = "zimmermann"                        # mattis-bardeen, zimmermann, two-band-zimmermann,
                                               # higgs-thg, higgs-thg-temperature
    [parameters]
    gap = { value = 1.5, lower = 0.5, upper = 3.0 }
    gamma = { value = 5.0, lower = 0.1, upper = 100.0 }
    sigma_n = { value = 1.0, vary = false }
    [fit]
    optimizer = "lm"          # lm, adam, lbfgs
    n_starts = 1
    window = [0.15, 2.5]      # x range fitted (THz or K)
    temperature = 4.0         # K (default: the data file's header)

Raw THz time traces instead of σ(ω) (see :func:`build_traces`)::

    output = "../results/nbn-mgo-series"
    [traces]
    sample = ["../data/traces_nbn_mgo/sample_03.0K.txt", "../data/traces_nbn_mgo/sample_11.5K.txt"]
    reference = ["../data/traces_nbn_mgo/reference_03.0K.txt", "../data/traces_nbn_mgo/reference_11.5K.txt"]
    temperatures = [3.0, 11.5]          # K
    frequency_range = [0.2, 2.5]        # THz
    noise = "auto"                      # rms from the pre-pulse part; or a number; or "scans"
    [film]
    thickness = 15.0                    # nm
    substrate_index = 3.1
    mismatch = 0.0                      # µm (add it to [parameters] to fit it)
    [model]
    name = "zimmermann-bcs"             # gap = Δ(0); Δ(T) from the gap equation
    [parameters]
    gap = { value = 1.5, lower = 0.5, upper = 4.0 }
    gamma = { value = 10.0, lower = 0.5, upper = 100.0 }
    sigma_n = { value = 3e5, lower = 1e4, upper = 1e7 }   # S/m
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from .. import io
from .._validate import check_bool
from .parameters import _number



def _only(table: dict, allowed: set, where: str):
    unknown = set(table) - set(allowed)
    if unknown:
        raise ValueError(f"unknown key(s) {sorted(unknown)} in [{where}]: allowed are {sorted(allowed)}")


MODEL_OPTIONS = {"omega_d", "dos"}


def load(path) -> dict:
    """Parse and validate a fit configuration; returns the keyword arguments of :func:`jaxhiggs.fit.fit_global`
    (``datasets``, ``model``, ``initial``, ``bounds``, ``fixed``, ...) plus ``output`` and ``raw``."""
    path = Path(path)
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    return build(raw, base=path.parent)


def _parameters(raw: dict):
    initial, bounds, fixed = {}, {}, []
    for name, spec in dict(raw["parameters"]).items():
        if not isinstance(spec, dict):
            spec = {"value": spec}
        _only(spec, {"value", "lower", "upper", "vary"}, f"parameters.{name}")
        if "value" not in spec:
            raise ValueError(f"missing key 'value' in [parameters.{name}]")
        # TOML true/false and "1.3" are not numbers, and vary = "false" (a truthy string) would keep it free
        initial[name] = _number(f"parameters.{name}.value", spec["value"], "a finite number")
        for side in ("lower", "upper"):
            if side in spec:
                _number(f"parameters.{name}.{side}", spec[side], "a number (a bound; leave it out for an open side)",
                        finite=False)
        if "lower" in spec or "upper" in spec:
            bounds[name] = (spec.get("lower"), spec.get("upper"))
        if not check_bool(f"parameters.{name}.vary", spec.get("vary", True)):
            fixed.append(name)
    return initial, bounds, tuple(fixed)


def build_traces(raw: dict, base: Path = Path(".")) -> dict:
    """A raw-trace configuration (``[traces]`` + ``[film]``): THz time traces at one or several temperatures →
    t(ω) with its noise model (:func:`jaxhiggs.thz.transmission_noise`) → the keyword arguments of
    :func:`jaxhiggs.fit.fit_global` with the thin-film transmission model of the σ model in ``[model]``.

    ``[traces]``: ``sample`` (a file or a list, one per temperature), ``reference`` (one file for all, or one
    per sample), ``temperatures`` (K, one per sample), ``frequency_range`` (THz, default [0.2, 2.5]),
    ``noise`` (``"auto"`` default, an rms per sample, or ``"scans"`` for multi-column files), ``window``
    (``"tukey"``/``"hann"``/``"none"``), ``taper``.  ``[film]``: ``thickness`` (nm), ``substrate_index``,
    ``mismatch`` (µm; fitted when listed in ``[parameters]``).  ``[fit]``: ``local`` (per-temperature
    parameters) and the optimiser options.
    """
    from ..thz import read_trace, transmission_noise
    from .transmission import _prepare, transmission_model

    _only(raw, {"traces", "film", "output", "model", "parameters", "fit"}, "top level")
    for key in ("traces", "film", "model", "parameters"):
        if key not in raw:
            raise ValueError(f"missing table {key!r} in the raw-trace fit configuration")
    traces = dict(raw["traces"])
    _only(traces, {"sample", "reference", "temperatures", "frequency_range", "noise", "window", "taper"}, "traces")
    film = dict(raw["film"])
    _only(film, {"thickness", "substrate_index", "mismatch"}, "film")
    for key in ("thickness", "substrate_index"):
        if key not in film:
            raise ValueError(f"missing key {key!r} in [film]")
    model = dict(raw["model"])
    _only(model, {"name"} | MODEL_OPTIONS, "model")
    if "name" not in model:
        raise ValueError("missing key 'name' in [model]")
    samples = traces.get("sample")
    if samples is None:
        raise ValueError("missing key 'sample' in [traces]")
    samples = [samples] if isinstance(samples, str) else list(samples)
    refs = traces.get("reference")
    if refs is None:
        raise ValueError("missing key 'reference' in [traces]")
    refs = [refs] * len(samples) if isinstance(refs, str) else list(refs)
    temps = traces.get("temperatures", [0.0] * len(samples) if len(samples) == 1 else None)
    if temps is None or len(temps) != len(samples) or len(refs) != len(samples):
        raise ValueError(f"[traces] has {len(samples)} sample file(s), {len(refs)} reference file(s) and "
                         f"{'no' if temps is None else len(temps)} temperature(s): give one temperature per sample and one "
                         "reference file (for all) or one per sample")
    noise = traces.get("noise", "auto")
    noise = None if noise == "scans" else noise
    window = traces.get("window", "tukey")
    window = None if window == "none" else window
    fit = dict(raw.get("fit", {}))
    _only(fit, {"optimizer", "n_starts", "max_steps", "scale_covar", "ties", "local"}, "fit")
    datasets = []
    for sample, ref, temp in zip(samples, refs, temps):
        ts, es = read_trace(base / sample)
        tr, er = read_trace(base / ref)
        nu, t, dt = transmission_noise(ts, es, tr, er, noise=noise, window=window,
                                             taper=traces.get("taper", 0.1),
                                             frequency_range=traces.get("frequency_range", (0.2, 2.5)))
        datasets.append({"x": nu, "data": t, "uncertainty": dt, "temperature": float(temp)})
    initial, bounds, fixed = _parameters(raw)
    name = model.pop("name")
    options = {k: (tuple(v) if isinstance(v, list) else v) for k, v in model.items()}
    fm = _prepare(transmission_model(name, film["substrate_index"], film["thickness"], film.get("mismatch", 0.0),
                                     **options), initial)
    return {"datasets": datasets, "model": fm, "initial": initial, "bounds": bounds, "fixed": fixed,
            "local": tuple(fit.pop("local", ())), "ties": fit.pop("ties", None), **fit,
            "output": base / raw.get("output", "fit-result"), "raw": raw}


def build(raw: dict, base: Path = Path(".")) -> dict:
    if "traces" in raw:
        return build_traces(raw, base)
    _only(raw, {"data", "output", "model", "parameters", "fit"}, "top level")
    for key in ("data", "model", "parameters"):
        if key not in raw:
            raise ValueError(f"missing {'key' if key == 'data' else 'table'} {key!r} in the fit configuration")
    model = dict(raw["model"])
    _only(model, {"name", "drive_frequency"} | MODEL_OPTIONS, "model")
    if "name" not in model:
        raise ValueError("missing key 'name' in [model]")
    spectrum = io.read_spectrum(base / raw["data"])
    fit = dict(raw.get("fit", {}))
    _only(fit, {"optimizer", "n_starts", "window", "temperature", "max_steps", "scale_covar", "weights",
                "component", "ties"}, "fit")
    initial, bounds, fixed = _parameters(raw)
    temperature = fit.pop("temperature", spectrum["temperature"] if spectrum["temperature"] is not None else 0.0)
    dataset = {"x": spectrum["x"], "data": spectrum["data"], "temperature": temperature,
               "component": fit.pop("component", spectrum["component"])}
    if spectrum["uncertainty"] is not None:
        dataset["uncertainty"] = spectrum["uncertainty"]
    for key in ("window", "weights"):
        if key in fit:
            dataset[key] = tuple(fit.pop(key))
    drive = model.pop("drive_frequency", spectrum["drive_frequency"])
    name = model.pop("name")
    options = {k: (tuple(v) if isinstance(v, list) else v) for k, v in model.items()}
    return {"datasets": [dataset], "model": name, "initial": initial, "bounds": bounds, "fixed": fixed,
            "drive_frequency": drive, "model_options": options, "ties": fit.pop("ties", None), **fit,
            "output": base / raw.get("output", "fit-result"), "raw": raw, "spectrum": spectrum}
