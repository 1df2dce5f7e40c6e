"""Run configurations (TOML) → material, model, drive, times and solver options.

Every table and key is checked: an unknown key is an error that names it and lists the
allowed ones, and every error names the file.  Units: meV, K, ps, THz, kV/cm, as in the
Python API.  ``jaxhiggs config MODEL`` prints a commented example for each model
(:data:`EXAMPLES`); ``jaxhiggs run FILE`` runs one.

Example (clean pseudospins)::

    output = "nbn-quench"            # results file stem (.npz and .png are written)
    [material]
    preset = "nbn"                   # or gap/omega_D/... ; "mgb2"; two bands: gaps = [7, 3], v = 0.02
    temperature = 0.0                # K
    [model]
    name = "clean-pseudospin"        # or "mattis-bardeen", "disordered-pseudospin", "schmid-higgs"
    n_energies = 4000
    [[drive]]
    type = "quench"                  # "gaussian", "single-cycle", "waveform", "quench", "none"
    final_gap = 1.2                  # meV
    [times]                          # saved times, ps
    start = 0.0
    stop = 30.0
    count = 3001
    [solver]                         # optional; default: the model's own default solver
    name = "dopri8"
    rtol = 1e-8

``[times]`` needs ``stop`` and ``count`` (``start`` defaults to 0 ps).  Grids (``[grid]``,
:func:`jaxhiggs.sweep`) take a list of values or ``{start, stop, count}`` with all three keys; counts must be
integers (``count = 2.7`` is an error, not 2).
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import diffrax
import numpy as np

from . import drive as drives
from . import material as materials

SOLVERS = {"tsit5": diffrax.Tsit5, "dopri5": diffrax.Dopri5, "dopri8": diffrax.Dopri8}
MATERIAL_PRESETS = {"nbn": materials.nbn, "mgb2": materials.mgb2}
MODELS = ("clean-pseudospin", "mattis-bardeen", "disordered-pseudospin", "schmid-higgs")


# ----------------------------------------------------------------------------- value checks
def _integer(value, where: str, minimum: int | None = None) -> int:
    """An integer from TOML: rejects floats (2.7 is not silently 2), strings and booleans."""
    if isinstance(value, bool) or not isinstance(value, int):
        hint = f" (write {int(value)})" if isinstance(value, float) and math.isfinite(value) and value.is_integer() else ""
        raise ValueError(f"{where} = {value!r} is not allowed: an integer{'' if minimum is None else f' ≥ {minimum}'}"
                         f" is required{hint}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{where} = {value!r} is not allowed: an integer ≥ {minimum} is required")
    return value


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{where} = {value!r} is not allowed: a finite number is required")
    return float(value)


def _flag(value, where: str) -> bool:
    """A TOML boolean (true/false): a string "false" would otherwise count as true."""
    if not isinstance(value, bool):
        raise ValueError(f"{where} = {value!r} is not allowed: true or false is required")
    return value


def _table(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"[{where}] must be a table (got {value!r})")
    return dict(value)


def _only(table: dict, allowed: set, where: str):
    unknown = set(table) - set(allowed)
    if unknown:
        raise ValueError(f"unknown key(s) {sorted(unknown)} in [{where}]: allowed are {sorted(allowed)}")


def _linspace(spec: dict, where: str, minimum_count: int = 2) -> np.ndarray:
    """``{start, stop, count}`` → linspace; every key required and checked."""
    _only(spec, {"start", "stop", "count"}, where)
    missing = [k for k in ("start", "stop", "count") if k not in spec]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}: give start, stop and count "
                         "(or a list of values)")
    start, stop = _number(spec["start"], f"{where}.start"), _number(spec["stop"], f"{where}.stop")
    count = _integer(spec["count"], f"{where}.count", minimum_count)
    return np.linspace(start, stop, count)


# ----------------------------------------------------------------------------- models
def _models():
    from .models import CleanPseudospin, DisorderedPseudospin, MattisBardeen

    def clean(material, n_energies=2000, diamagnetic_factor=1.0, lattice=None):
        lat = None if lattice is None else _build_lattice(_table(lattice, "model.lattice"))
        n = None if lat is not None else _integer(n_energies, "model.n_energies", 16)
        return CleanPseudospin(material, n, lattice=lat, diamagnetic_factor=_number(diamagnetic_factor, "model.diamagnetic_factor"))

    def mattis_bardeen(material, n_energies=200, equilibrium="grid", quadrature="simpson", orders=3,
                       higgs_feedback=True):
        return MattisBardeen(material, _integer(n_energies, "model.n_energies", 16), equilibrium=equilibrium,
                             quadrature=quadrature, orders=_integer(orders, "model.orders", 1),
                             higgs_feedback=_flag(higgs_feedback, "model.higgs_feedback"))

    def disordered(material, n_energies=4000, magnetic_rate=0.0, potential_rate=0.0, initial_state="clean",
                   precession_phase=False):
        return DisorderedPseudospin(material, _integer(n_energies, "model.n_energies", 16),
                                    magnetic_rate=_number(magnetic_rate, "model.magnetic_rate"),
                                    potential_rate=_number(potential_rate, "model.potential_rate"),
                                    initial_state=initial_state, precession_phase=_flag(precession_phase, "model.precession_phase"))

    return {"clean-pseudospin": clean, "mattis-bardeen": mattis_bardeen, "disordered-pseudospin": disordered}


def _build_lattice(table):
    from .bands import TightBinding

    _only(table, {"dimension", "hopping", "n_k", "chemical_potential", "lattice_constant", "polarization"}, "model.lattice")
    return TightBinding(**table)


#: Commented example configuration of every model (``jaxhiggs config MODEL``); each runs in
#: seconds to a minute on a laptop CPU — raise the grid sizes for production runs.
EXAMPLES = {
    "clean-pseudospin": '''\
# jaxhiggs run configuration: clean Anderson pseudospins (Krull et al. 2016; docs/models/clean-pseudospin.md)
# NbN after an interaction quench: the gap rings at 2Δ∞ with a t^-1/2 envelope (Volkov-Kogan).
output = "clean-pseudospin"     # writes clean-pseudospin.npz and clean-pseudospin.png

[material]
preset = "nbn"                  # Δ = 1.3 meV, ω_D = 20 meV; or gap = ..., omega_D = ... (meV); two bands: gaps = [7.0, 3.0], v = 0.02
temperature = 0.0               # K

[model]
name = "clean-pseudospin"
n_energies = 2000               # energy grid on [-ω_D, ω_D]; recurrence at t ≈ πħ/h, h = 2ω_D/n_energies

[[drive]]                       # several [[drive]] tables add up (pump + probe + quench)
type = "quench"                 # "gaussian", "single-cycle", "waveform", "quench" or "none"
final_gap = 1.17                # meV: the couplings jump to those of this ground-state gap at t = 0

[times]                         # saved times, ps
start = 0.0
stop = 20.0
count = 2001

[solver]                        # optional: leave out for the model's default solver
name = "dopri8"                 # "tsit5", "dopri5", "dopri8"
rtol = 1e-8
atol = 1e-11
''',
    "mattis-bardeen": '''\
# jaxhiggs run configuration: Mattis-Bardeen k-k' density matrix to third order in A
# (Haenel et al., PRB 104, 134504 (2021); docs/models/mattis-bardeen.md).
# Dirty NbN (γ = 2Δ) hit by the single-cycle THz pulse of the paper: the gap drops and rings at 2Δ.
output = "mattis-bardeen"

[material]
preset = "nbn"                  # Δ(T→0) = 1.3 meV, ε_F = 1 eV, m = 0.78 m_e
omega_D = 10.0                  # meV: energy window [-ω_D, ω_D] (the paper's code: 20 meV)
temperature = 4.0               # K
gamma = 5.0                     # impurity scattering rate γ in meV (> 0 required); here γ ≈ 2Δ

[model]
name = "mattis-bardeen"
n_energies = 140                # N_e; cost and memory grow as N_e², the recurrence time as N_e: the
                                # coherences revive after ≈ πħ/δε, δε = 2ω_D/(N_e-1) (here 15 ps > the window)
orders = 3                      # 1: linear current only; 2: + δΔ; 3: + cubic current j3

[[drive]]
type = "gaussian"
vector_potential = 1e-9         # max|A(t)| in V·s/m (or peak_field = ... kV/cm); perturbative in A: the paper's 5e-9 gives |δΔ|/Δ ≈ 0.4
frequency = 0.0967              # THz (ħω = 0.4 meV: a single-cycle pulse)
duration = 0.354                # ps, r.m.s. width of the envelope
center = -2.63                  # ps
phase = -1.598                  # rad: ω·center, i.e. the carrier cos(ωt) referenced to t = 0 as in the paper

[times]
start = -5.0                    # the pulse must be off at the start (the system begins in equilibrium)
stop = 9.0
count = 1401
''',
    "disordered-pseudospin": '''\
# jaxhiggs run configuration: pseudospins with magnetic / non-magnetic impurities
# (Dzero, PRB 109, L100503 (2024); docs/models/disordered-pseudospin.md).
# A small quench with pair breaking ζ = ħ/(τ_s Δ_f) = 0.1: the oscillation persists instead of decaying.
output = "disordered-pseudospin"

[material]
gap = 1.0                       # initial gap Δ0, meV (one band, T = 0 only)
omega_D = 20.0                  # meV

[model]
name = "disordered-pseudospin"
n_energies = 2000
magnetic_rate = 0.098           # ħ/τ_s in meV (pair breaking); 0 = none
potential_rate = 0.0            # ħ/τ_u in meV (non-magnetic)
initial_state = "clean"         # "clean" (the paper's figures) or "AG" (self-consistent Abrikosov-Gor'kov)

[[drive]]
type = "quench"                 # the model supports quenches only
final_gap = 0.98                # meV

[times]
start = 0.0
stop = 40.0
count = 801

[solver]
name = "dopri8"
rtol = 1e-8
atol = 1e-11
''',
    "schmid-higgs": '''\
# jaxhiggs run configuration: the Schmid-Higgs (amplitude-mode) linear susceptibility with pair breaking
# (Dzero & Kamenev, arXiv:2503.15643; docs/models/schmid-higgs.md).  No time stepping: χ⁻¹(ω) by quadrature,
# χ(t) by a sine transform.
output = "schmid-higgs"

[model]
name = "schmid-higgs"
clean_gap = 1.0                 # Δ00 in meV, the gap without pair breaking; Δ follows from Abrikosov-Gor'kov
pair_breaking = 0.1             # Γ in meV (ζ = Γ/Δ); 0 ≤ Γ < Δ00/2

[frequencies]                   # ħω in meV
start = 0.02
stop = 3.0
count = 64

[times]                         # χ(t), ps (optional)
start = 0.0
stop = 40.0
count = 801
''',
}


def example(name: str) -> str:
    """The commented example configuration of a model (see :data:`EXAMPLES`)."""
    if name not in EXAMPLES:
        raise ValueError(f"model {name!r} is not allowed: one of {sorted(EXAMPLES)}")
    return EXAMPLES[name]


# ----------------------------------------------------------------------------- loading
def load_toml(path, build, what: str = "configuration", errors=(ValueError, TypeError, FileNotFoundError)) -> dict:
    """``build(raw_table, base=folder of the file)`` of a TOML file; every error (missing file, invalid TOML,
    not UTF-8, and the ``errors`` that ``build`` raises) is a ValueError or FileNotFoundError whose message starts
    with the file name.  Shared by run and fit configurations."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such {what} file")
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path}: invalid TOML: {err}") from None
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not a UTF-8 text file ({err})") from None
    try:
        return build(raw, base=path.parent)
    except errors as err:
        raise ValueError(f"{path}: {err}") from err


def load(path) -> dict:
    """Parse and validate a TOML run configuration; returns the built objects and the raw table.

    Every error (unreadable file, invalid TOML, unknown or ill-typed key) is a ValueError or
    FileNotFoundError whose message starts with the file name.
    """
    return load_toml(path, build)


def build(raw: dict, base: Path = Path(".")) -> dict:
    """Build material, model, drive, times, solver options and grid from a parsed configuration.

    Returns a dict with ``kind`` (``"dynamics"`` for time-stepped models, ``"response"`` for the
    Schmid–Higgs susceptibility) and the built objects.
    """
    model_table = _table(raw.get("model", {}), "model")
    name = model_table.get("name")
    if name not in MODELS:
        raise ValueError(f"model.name = {name!r} is not allowed: one of {list(MODELS)}")
    if name == "schmid-higgs":
        return _build_response(raw)
    _only(raw, {"output", "material", "model", "drive", "times", "solver", "grid"}, "top level")
    for key in ("material", "model", "drive", "times"):
        if key not in raw:
            raise ValueError(f"missing table [{key}] in the configuration")
    material = _material(_table(raw["material"], "material"))
    model = _model(dict(model_table), material)
    drive_tables = raw["drive"] if isinstance(raw["drive"], list) else [raw["drive"]]
    drive = None
    for table in drive_tables:
        d = _drive(_table(table, "drive"), base)
        drive = d if drive is None else drive + d
    times = _times(_table(raw["times"], "times"))
    options = _solver(_table(raw.get("solver", {}), "solver"))
    grid, sweep_options = _grid(_table(raw.get("grid", {}), "grid"))
    return {"kind": "dynamics", "name": name, "material": material, "model": model, "drive": drive, "times": times,
            "options": options, "output": _output(raw), "raw": raw, "grid": grid, "sweep": sweep_options}


def _output(raw) -> str:
    out = raw.get("output", "jaxhiggs-run")
    if not isinstance(out, str) or not out:
        raise ValueError(f"output = {out!r} is not allowed: a file stem (string)")
    return out


def _build_response(raw: dict) -> dict:
    _only(raw, {"output", "model", "frequencies", "times"}, "top level (schmid-higgs)")
    table = dict(raw["model"])
    table.pop("name")
    _only(table, {"clean_gap", "pair_breaking", "temperature", "n_nodes"}, "model")
    if "clean_gap" not in table or "pair_breaking" not in table:
        raise ValueError("[model] of schmid-higgs needs clean_gap (meV) and pair_breaking (meV)")
    clean_gap = _number(table["clean_gap"], "model.clean_gap")
    gamma = _number(table["pair_breaking"], "model.pair_breaking")
    temperature = _number(table.get("temperature", 0.0), "model.temperature")
    if temperature != 0.0:
        raise ValueError(f"model.temperature = {temperature!r} is not allowed here: the configuration runs T = 0 "
                         "(call jaxhiggs.response.schmid_higgs_susceptibility with Δ(T) for T > 0)")
    if clean_gap <= 0.0:  # checked first: Γ's allowed range [0, clean_gap/2) is empty then
        raise ValueError(f"model.clean_gap = {clean_gap!r} meV is not allowed: Δ00 > 0 meV is required (the gap "
                         "without pair breaking)")
    if not 0.0 <= gamma < clean_gap / 2:
        raise ValueError(f"model.pair_breaking = {gamma!r} meV is not allowed: 0 ≤ Γ < clean_gap/2 = {clean_gap / 2:g} meV "
                         "(superconductivity disappears at Γ_c = Δ00/2)")
    if "frequencies" not in raw:
        raise ValueError("missing table [frequencies] (ħω in meV: start, stop, count)")
    omega = _linspace(_table(raw["frequencies"], "frequencies"), "frequencies")
    times = _times(_table(raw["times"], "times")) if "times" in raw else None
    if times is not None and times[0] < 0:
        raise ValueError(f"times.start = {float(times[0])!r} ps is not allowed: ≥ 0 (χ(t) is the retarded response "
                         "to a kick at t = 0)")
    return {"kind": "response", "name": "schmid-higgs", "clean_gap": clean_gap, "pair_breaking": gamma,
            "temperature": temperature, "n_nodes": _integer(table.get("n_nodes", 24), "model.n_nodes", 4),
            "omega": omega, "times": times, "output": _output(raw), "raw": raw, "grid": {}}


def _grid(table):
    """``[grid]``: parameter = [values] or {start, stop, count}; optional ``zip``, ``sort_by``.

    Example::

        [grid]
        peak_field = {start = 2.0, stop = 20.0, count = 10}   # kV/cm, linspace
        temperature = [0.0, 4.0, 8.0]                           # K
        sort_by = "-peak_field"                                 # optional: lockstep grouping
    """
    options = {k: table.pop(k) for k in ("zip", "sort_by") if k in table}
    if "zip" in options:
        _flag(options["zip"], "grid.zip")
    grid = {}
    for name, spec in table.items():
        if isinstance(spec, dict):
            grid[name] = _linspace(spec, f"grid.{name}", minimum_count=1)
        elif isinstance(spec, list):
            grid[name] = np.asarray([_number(v, f"grid.{name}[{i}]") for i, v in enumerate(spec)], dtype=float)
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
    fn = registry[name]
    allowed = set(fn.__code__.co_varnames[1: fn.__code__.co_argcount])
    _only(table, allowed, "model")
    return fn(material, **table)


def _drive(table, base):
    kind = table.pop("type", None)
    if kind == "gaussian":
        _only(table, {"peak_field", "vector_potential", "frequency", "duration", "center", "phase"}, "drive")
        if ("peak_field" in table) == ("vector_potential" in table):
            raise ValueError("a gaussian [[drive]] needs exactly one of peak_field (kV/cm) or vector_potential (V·s/m)")
        missing = [k for k in ("frequency", "duration", "center") if k not in table]
        if missing:
            raise ValueError(f"a gaussian [[drive]] needs {', '.join(missing)} (THz, ps, ps)")
        args = {k: _number(v, f"drive.{k}") for k, v in table.items()}
        if "vector_potential" in args:
            return drives.GaussianPulse.from_vector_potential(args.pop("vector_potential"), **args)
        return drives.GaussianPulse(**args)
    if kind == "single-cycle":
        _only(table, {"peak_field", "duration", "center"}, "drive")
        return drives.SingleCyclePulse(**{k: _number(v, f"drive.{k}") for k, v in table.items()})
    if kind == "waveform":
        _only(table, {"file", "scale"}, "drive")
        if "file" not in table:
            raise ValueError("a waveform [[drive]] needs file = \"field.txt\" (two columns: ps, kV/cm)")
        if not isinstance(table["file"], str) or not table["file"]:
            raise ValueError(f"drive.file = {table['file']!r} is not allowed: a file name (a string, relative to the "
                             "configuration file) of a two-column text file: ps, kV/cm")
        return drives.Waveform.from_file(base / table["file"], scale=_number(table.get("scale", 1.0), "drive.scale"))
    if kind == "quench":
        _only(table, {"final_gap", "coupling_scale", "time"}, "drive")
        return drives.Quench(**table)
    if kind == "none":
        _only(table, set(), "drive")
        return drives.NoDrive()
    raise ValueError(f"drive.type = {kind!r} is not allowed: one of gaussian, single-cycle, waveform, quench, none")


def _times(table):
    """``[times]``: ``stop`` and ``count`` are required, ``start`` defaults to 0 ps (the equilibrium at t = 0)."""
    _only(table, {"start", "stop", "count"}, "times")
    missing = [k for k in ("stop", "count") if k not in table]
    if missing:
        raise ValueError(f"times: missing {' and '.join(missing)}: give stop (ps) and count (the number of saved "
                         "times); start defaults to 0")
    start = _number(table.get("start", 0.0), "times.start")
    stop = _number(table["stop"], "times.stop")
    count = _integer(table["count"], "times.count", 2)
    if stop <= start:
        raise ValueError(f"times: need stop > start (got start={start}, stop={stop})")
    return np.linspace(start, stop, count)


def _solver(table):
    """``[solver]``: name (default: the model's own default solver), rtol, atol, dt (ps), max_steps."""
    _only(table, {"name", "rtol", "atol", "dt", "max_steps"}, "solver")
    options = {}
    if "name" in table:
        name = table.pop("name")
        if name not in SOLVERS:
            raise ValueError(f"solver.name = {name!r} is not allowed: one of {sorted(SOLVERS)}")
        options["solver"] = SOLVERS[name]()
    for key in ("rtol", "atol", "dt"):
        if key in table:
            options[key] = _number(table[key], f"solver.{key}")
    if "max_steps" in table:
        options["max_steps"] = _integer(table["max_steps"], "solver.max_steps", 1)
    return options
