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

from pathlib import Path

from .. import io
from .._validate import check_bool
from .parameters import _number



def _only(table: dict, allowed: set, where: str):
    unknown = set(table) - set(allowed)
    if unknown:
        raise ValueError(f"unknown key(s) {sorted(unknown)} in [{where}]: allowed are {sorted(allowed)}")


def _table(raw: dict, key: str, where: str | None = None) -> dict:
    """``raw[key]`` as a dict, or an error naming the key: ``model = "zimmermann"`` needs ``[model]`` with a name."""
    value = raw[key]
    where = where or key
    if not isinstance(value, dict):
        raise ValueError(f"{where} = {value!r} is not allowed: a table is required ([{where}] with its keys"
                         + (', e.g. name = "zimmermann"' if where == "model" else "") + ")")
    return dict(value)


def _string(value, where: str, allowed: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where} = {value!r} is not allowed: {allowed}")
    return value


def _strings(value, where: str, allowed: str) -> list:
    """One string or a list of strings (file names) as a list."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        raise ValueError(f"{where} = {value!r} is not allowed: {allowed}")
    return values


def _list(value, where: str, allowed: str, length: int | None = None) -> tuple:
    """A TOML array (of ``length`` items) as a tuple; its items are checked where they are used."""
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise ValueError(f"{where} = {value!r} is not allowed: {allowed}")
    return tuple(value)


def _output(raw: dict, base: Path) -> Path:
    out = _string(raw.get("output", "fit-result"), "output",
                  "a file stem (a string, relative to the configuration file): .json and .png are appended")
    return base / out


MODEL_OPTIONS = {"omega_d", "dos"}


def load(path) -> dict:
    """Parse and validate a fit configuration; returns the keyword arguments of :func:`jaxhiggs.fit.fit_global`
    (``datasets``, ``model``, ``initial``, ``bounds``, ``fixed``, ...) plus ``output`` and ``raw``.

    Every error (missing or unreadable file, invalid TOML, unknown or ill-typed key, unreadable data file) is a
    ValueError or FileNotFoundError whose message starts with the file name.
    """
    from ..config import load_toml

    return load_toml(path, build, "fit configuration", (ValueError, FileNotFoundError))  # InputError is a ValueError


def _parameters(raw: dict):
    initial, bounds, fixed = {}, {}, []
    for name, spec in _table(raw, "parameters").items():
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
    traces = _table(raw, "traces")
    _only(traces, {"sample", "reference", "temperatures", "frequency_range", "noise", "window", "taper"}, "traces")
    film = _table(raw, "film")
    _only(film, {"thickness", "substrate_index", "mismatch"}, "film")
    for key in ("thickness", "substrate_index"):
        if key not in film:
            raise ValueError(f"missing key {key!r} in [film]")
    for key in ("thickness", "substrate_index", "mismatch"):
        if key in film:
            _number(f"film.{key}", film[key], "a finite number (thickness nm, mismatch µm)")
    model = _table(raw, "model")
    _only(model, {"name"} | MODEL_OPTIONS, "model")
    if "name" not in model:
        raise ValueError("missing key 'name' in [model]")
    _string(model["name"], "model.name", "a model name (a string)")
    samples = traces.get("sample")
    if samples is None:
        raise ValueError("missing key 'sample' in [traces]")
    samples = _strings(samples, "traces.sample", "a trace file name or a list of them (strings)")
    refs = traces.get("reference")
    if refs is None:
        raise ValueError("missing key 'reference' in [traces]")
    refs = (_strings(refs, "traces.reference", "a trace file name (for all samples) or a list of them (strings)")
            * (len(samples) if isinstance(refs, str) else 1))
    temps = traces.get("temperatures", [0.0] * len(samples) if len(samples) == 1 else None)
    if temps is not None:
        temps = [_number(f"traces.temperatures[{i}]", t, "a temperature in K (a finite number)")
                 for i, t in enumerate(_list(temps, "traces.temperatures", "a list of temperatures in K, one per sample"))]
    if "frequency_range" in traces:
        traces["frequency_range"] = _list(traces["frequency_range"], "traces.frequency_range",
                                          "a list [low, high] of two frequencies in THz", 2)
    if temps is None or len(temps) != len(samples) or len(refs) != len(samples):
        raise ValueError(f"[traces] has {len(samples)} sample file(s), {len(refs)} reference file(s) and "
                         f"{'no' if temps is None else len(temps)} temperature(s): give one temperature per sample and one "
                         "reference file (for all) or one per sample")
    noise = traces.get("noise", "auto")
    noise = None if noise == "scans" else noise
    window = traces.get("window", "tukey")
    window = None if window == "none" else window
    fit = _table(raw, "fit") if "fit" in raw else {}
    _only(fit, {"optimizer", "n_starts", "max_steps", "scale_covar", "ties", "local"}, "fit")
    if "local" in fit:
        fit["local"] = _list(fit["local"], "fit.local", "a list of parameter names, e.g. [\"gap\"]")
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
            "output": _output(raw, base), "raw": raw}


def build(raw: dict, base: Path = Path(".")) -> dict:
    if "traces" in raw:
        return build_traces(raw, base)
    _only(raw, {"data", "output", "model", "parameters", "fit"}, "top level")
    for key in ("data", "model", "parameters"):
        if key not in raw:
            raise ValueError(f"missing {'key' if key == 'data' else 'table'} {key!r} in the fit configuration")
    model = _table(raw, "model")
    _only(model, {"name", "drive_frequency"} | MODEL_OPTIONS, "model")
    if "name" not in model:
        raise ValueError("missing key 'name' in [model]")
    _string(model["name"], "model.name", "a model name (a string)")
    output = _output(raw, base)
    data = _string(raw["data"], "data", "a data file name (a string, relative to the configuration file)")
    fit = _table(raw, "fit") if "fit" in raw else {}
    for key, allowed in (("window", "a list [low, high] of two numbers (THz, or K for a temperature series)"),
                         ("weights", "a list [w1, w2] of weights > 0 for complex σ (one number for a real curve)")):
        if key in fit and not (key == "weights" and isinstance(fit[key], (int, float))):
            fit[key] = _list(fit[key], f"fit.{key}", allowed, 2 if key == "window" else None)
    spectrum = io.read_spectrum(base / data)
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
            dataset[key] = fit.pop(key)
    drive = model.pop("drive_frequency", spectrum["drive_frequency"])
    name = model.pop("name")
    options = {k: (tuple(v) if isinstance(v, list) else v) for k, v in model.items()}
    return {"datasets": [dataset], "model": name, "initial": initial, "bounds": bounds, "fixed": fixed,
            "drive_frequency": drive, "model_options": options, "ties": fit.pop("ties", None), **fit,
            "output": output, "raw": raw, "spectrum": spectrum}
