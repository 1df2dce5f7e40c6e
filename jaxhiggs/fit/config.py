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
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import io

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


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


def build(raw: dict, base: Path = Path(".")) -> dict:
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
    initial, bounds, fixed = {}, {}, []
    for name, spec in dict(raw["parameters"]).items():
        if not isinstance(spec, dict):
            spec = {"value": spec}
        _only(spec, {"value", "lower", "upper", "vary"}, f"parameters.{name}")
        if "value" not in spec:
            raise ValueError(f"missing key 'value' in [parameters.{name}]")
        initial[name] = float(spec["value"])
        if "lower" in spec or "upper" in spec:
            bounds[name] = (spec.get("lower"), spec.get("upper"))
        if not spec.get("vary", True):
            fixed.append(name)
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
    return {"datasets": [dataset], "model": name, "initial": initial, "bounds": bounds, "fixed": tuple(fixed),
            "drive_frequency": drive, "model_options": options, "ties": fit.pop("ties", None), **fit,
            "output": base / raw.get("output", "fit-result"), "raw": raw, "spectrum": spectrum}
