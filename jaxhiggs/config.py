"""Run configurations (TOML) → material, model, drive, times and solver options.

Every table and key is checked: an unknown key is an error that names it and lists
the allowed ones.  Units: meV, K, ps, THz, kV/cm, as in the Python API.

Example::

    output = "nbn-quench"            # results file stem (.npz and .png are written)
    [material]
    preset = "nbn"                   # or gap/omega_D/... ; "mgb2"; two bands: gaps = [7, 3], v = 0.02
    temperature = 0.0
    [model]
    name = "clean-pseudospin"
    n_energies = 4000
    [[drive]]
    type = "quench"                  # "gaussian", "single-cycle", "waveform", "quench"
    final_gap = 1.2
    [times]
    start = 0.0
    stop = 30.0
    count = 3001
    [solver]
    name = "dopri8"
    rtol = 1e-8
"""

from __future__ import annotations

import sys
from pathlib import Path

import diffrax
import numpy as np

from . import drive as drives
from . import material as materials

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SOLVERS = {"tsit5": diffrax.Tsit5, "dopri5": diffrax.Dopri5, "dopri8": diffrax.Dopri8}
MATERIAL_PRESETS = {"nbn": materials.nbn, "mgb2": materials.mgb2}


def _models():
    from .models import CleanPseudospin

    def clean(material, n_energies=2000, diamagnetic_factor=1.0, lattice=None):
        lat = None if lattice is None else _build_lattice(lattice)
        return CleanPseudospin(material, n_energies, lattice=lat, diamagnetic_factor=diamagnetic_factor)

    return {"clean-pseudospin": clean}


def _build_lattice(table):
    from .bands import TightBinding

    _only(table, {"dimension", "hopping", "n_k", "chemical_potential", "lattice_constant", "polarization"}, "model.lattice")
    return TightBinding(**table)


def _only(table: dict, allowed: set, where: str):
    unknown = set(table) - set(allowed)
    if unknown:
        raise ValueError(f"unknown key(s) {sorted(unknown)} in [{where}]: allowed are {sorted(allowed)}")


def load(path) -> dict:
    """Parse and validate a TOML run configuration; returns the built objects and the raw table."""
    path = Path(path)
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    return build(raw, base=path.parent)


def build(raw: dict, base: Path = Path(".")) -> dict:
    _only(raw, {"output", "material", "model", "drive", "times", "solver", "grid"}, "top level")
    for key in ("material", "model", "drive", "times"):
        if key not in raw:
            raise ValueError(f"missing table [{key}] in the configuration")
    material = _material(dict(raw["material"]))
    model = _model(dict(raw["model"]), material)
    drive_tables = raw["drive"] if isinstance(raw["drive"], list) else [raw["drive"]]
    drive = None
    for table in drive_tables:
        d = _drive(dict(table), base)
        drive = d if drive is None else drive + d
    times = _times(dict(raw["times"]))
    options = _solver(dict(raw.get("solver", {})))
    grid, sweep_options = _grid(dict(raw.get("grid", {})))
    return {"material": material, "model": model, "drive": drive, "times": times, "options": options,
            "output": raw.get("output", "jaxhiggs-run"), "raw": raw, "grid": grid, "sweep": sweep_options}


def _grid(table):
    """``[grid]``: parameter = [values] or {start, stop, count}; optional ``zip``, ``sort_by``.

    Example::

        [grid]
        peak_field = {start = 2.0, stop = 20.0, count = 10}   # kV/cm, linspace
        temperature = [0.0, 4.0, 8.0]                           # K
        sort_by = "-peak_field"                                 # optional: lockstep grouping
    """
    options = {k: table.pop(k) for k in ("zip", "sort_by") if k in table}
    grid = {}
    for name, spec in table.items():
        if isinstance(spec, dict):
            _only(spec, {"start", "stop", "count"}, f"grid.{name}")
            if "stop" not in spec or "start" not in spec:
                raise ValueError(f"grid.{name}: give start, stop and count (or a list of values)")
            grid[name] = np.linspace(spec["start"], spec["stop"], int(spec.get("count", 2)))
        elif isinstance(spec, list):
            grid[name] = np.asarray(spec, dtype=float)
        else:
            raise ValueError(f"grid.{name} = {spec!r} is not allowed: a list of values or {{start, stop, count}}")
    return grid, options


def _material(table):
    preset = table.pop("preset", None)
    if preset is not None:
        if preset not in MATERIAL_PRESETS:
            raise ValueError(f"material.preset = {preset!r} is not allowed: one of {sorted(MATERIAL_PRESETS)}")
        fn = MATERIAL_PRESETS[preset]
        allowed = set(fn.__code__.co_varnames[: fn.__code__.co_argcount])
        _only(table, allowed, "material")
        return fn(**table)
    if "gaps" in table:
        _only(table, {"gaps", "v", "omega_D", "temperature", "signs", "masses", "fermi_energies", "dos", "gammas"},
              "material")
        return materials.two_band(**table)
    _only(table, {"gap", "omega_D", "temperature", "sign", "mass", "fermi_energy", "dos", "gamma"}, "material")
    return materials.single_band(**table)


def _model(table, material):
    name = table.pop("name", None)
    registry = _models()
    if name not in registry:
        raise ValueError(f"model.name = {name!r} is not allowed: one of {sorted(registry)}")
    fn = registry[name]
    allowed = set(fn.__code__.co_varnames[1 : fn.__code__.co_argcount])
    _only(table, allowed, "model")
    return fn(material, **table)


def _drive(table, base):
    kind = table.pop("type", None)
    if kind == "gaussian":
        _only(table, {"peak_field", "frequency", "duration", "center", "phase"}, "drive")
        return drives.GaussianPulse(**table)
    if kind == "single-cycle":
        _only(table, {"peak_field", "duration", "center"}, "drive")
        return drives.SingleCyclePulse(**table)
    if kind == "waveform":
        _only(table, {"file", "scale"}, "drive")
        return drives.Waveform.from_file(base / table["file"], scale=table.get("scale", 1.0))
    if kind == "quench":
        _only(table, {"final_gap", "coupling_scale", "time"}, "drive")
        return drives.Quench(**table)
    if kind == "none":
        _only(table, set(), "drive")
        return drives.NoDrive()
    raise ValueError(f"drive.type = {kind!r} is not allowed: one of gaussian, single-cycle, waveform, quench, none")


def _times(table):
    _only(table, {"start", "stop", "count"}, "times")
    start, stop, count = table.get("start", 0.0), table["stop"], int(table.get("count", 2001))
    if stop <= start or count < 2:
        raise ValueError(f"times: need stop > start and count ≥ 2 (got start={start}, stop={stop}, count={count})")
    return np.linspace(start, stop, count)


def _solver(table):
    _only(table, {"name", "rtol", "atol", "dt", "max_steps"}, "solver")
    name = table.pop("name", "dopri8")
    if name not in SOLVERS:
        raise ValueError(f"solver.name = {name!r} is not allowed: one of {sorted(SOLVERS)}")
    return {"solver": SOLVERS[name](), **table}
