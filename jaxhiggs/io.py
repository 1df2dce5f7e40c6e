"""Writing results with their parameters and units.

Results go to a NumPy ``.npz`` file: one array per observable plus ``metadata``, a
JSON string with the model, parameters, units of every array, solver settings,
package version and date, so a file is self-describing without this package.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

import numpy as np

from . import __version__
from ._validate import _numeric, check_bool, check_type, fail

_CURRENT = "A/m² (SI current density"
#: Units of the arrays written by :func:`save_result` and of the variables of a sweep store: every observable of
#: every model (tests/test_cli.py checks that none is missing), so that a file is self-describing.
UNITS = {
    "times": "ps",
    "gap": "meV (complex order parameter Δ_i per band; Mattis–Bardeen: Δ_i + δΔ_i)",
    "energy": "meV per unit DOS-weight (energy density, constants dropped)",
    "number": "particles per unit DOS-weight",
    "norm_drift": "relative, dimensionless (largest drift of a conserved norm from its start: pseudospin length "
                  "||s| − |s0||/|s0|, finite momentum: the density matrix's purity)",
    "spin_norm2": "dimensionless (⟨|S|²⟩ over the pseudospins; 1 for clean spins)",
    "occupation": "quasiparticles per unit DOS-weight per |ξ| bin (Σ_k W_k n_k; divided by the model's "
                  "occupation_states(): the mean occupation per state, dimensionless)",
    # Mattis–Bardeen (jaxhiggs.models.MattisBardeen)
    "delta_gap": "meV (complex δΔ_i per band: the gap's change, second order in A)",
    "current_1": _CURRENT + ", j_P1 + j_D1: first order in A)",
    "current_3": _CURRENT + ", j_P3 + j_D3: third order in A)",
    "current_p1": _CURRENT + ", paramagnetic part, first order in A)",
    "current_d1": _CURRENT + ", diamagnetic part, first order in A)",
    "current_p3": _CURRENT + ", paramagnetic part, third order in A)",
    "current_d3": _CURRENT + ", diamagnetic part, third order in A)",
    "vector_potential": "V·s/m (the drive's A(t); finite momentum: the complex amplitude A_q0 of the wave at q0)",
    "electric_field": "V/m (E(t) = −∂A/∂t; 1 kV/cm = 1e5 V/m)",
    # finite momentum (jaxhiggs.models.FiniteMomentum)
    "current": _CURRENT + ", complex amplitude j_q0 along y, summed over bands)",
    "probe_current": _CURRENT + ", complex amplitude j_q_pr at the probe wave vector, summed over bands)",
    "probe_vector_potential": "V·s/m (complex amplitude A_q_pr of the probe wave)",
    "harmonics": "dimensionless (Σ |ρ_p|² over bands, k and matrix elements, per static offset p)",
}
#: What :func:`save_result` records for an array that :data:`UNITS` does not know (none of the models' observables).
UNKNOWN_UNIT = "see the model's documentation"


#: The suffixes of the files the package writes; an output stem given with one of them loses it (``run.npz`` → ``run``).
OUTPUT_SUFFIXES = (".npz", ".png", ".json")


def output_path(stem, suffix: str) -> Path:
    """``stem`` with ``suffix`` (e.g. ``".npz"``) appended, every dot of the stem kept: ``res_T1.5`` →
    ``res_T1.5.npz`` (``Path.with_suffix`` would give ``res_T1.npz``, and two runs would share a file).  A stem that
    already ends in one of :data:`OUTPUT_SUFFIXES` loses it first (``run.npz`` → ``run.png``)."""
    stem = Path(stem)
    if stem.name in ("", ".", ".."):
        raise ValueError(f"output = {str(stem)!r} is not allowed: give a file name (a stem such as 'run')")
    if stem.suffix in OUTPUT_SUFFIXES:
        stem = stem.with_suffix("")
    return stem.with_name(stem.name + suffix)


def refuse_existing(*paths, overwrite: bool = False) -> None:
    """Raise ``FileExistsError`` naming the first of ``paths`` that exists (a folder too), unless ``overwrite``:
    nothing a user has is replaced silently.  ``overwrite`` must be True or False (``"no"`` would otherwise read as
    True and replace the file)."""
    check_bool("overwrite", overwrite)
    for path in paths:
        check_type("path", path, (str, os.PathLike), "a file name (str or pathlib.Path)")
    for path in map(Path, paths):
        if path.is_dir():
            raise FileExistsError(f"{path} is a folder: give a file name (nothing was written)")
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} exists: choose another name, or overwrite it explicitly "
                                  "(--overwrite on the command line, overwrite=True in Python); nothing was written")


def save_result(path, result, parameters: dict | None = None, overwrite: bool = False) -> Path:
    """Save ``result`` (a :class:`jaxhiggs.Result`) to ``path`` with metadata; returns the path written.

    ``.npz`` is appended unless ``path`` ends in it (every other dot is kept: ``res_T1.5`` → ``res_T1.5.npz``).  An
    existing file is refused (``FileExistsError``) unless ``overwrite``."""
    path = output_path(path, ".npz")
    refuse_existing(path, overwrite=overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"times": np.asarray(result.times)}
    for key, value in result.observables.items():
        arrays[key] = np.asarray(value)
    meta = {
        "jaxhiggs_version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "model": dict(result.metadata),
        "parameters": parameters or {},
        "units": {k: UNITS.get(k, UNKNOWN_UNIT) for k in arrays},
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


# --------------------------------------------------------------------------- measured spectra (issue 6)
#: Frequency units accepted in spectrum headers → factor to THz (meV goes through jaxhiggs.units).
SPECTRUM_FREQUENCY_UNITS = ("THz", "cm^-1", "meV")
#: Conductivity units accepted in spectrum headers.
SPECTRUM_SIGMA_UNITS = ("S/cm", "normalized", "arb")


def _frequency_to_thz(values, unit):
    from . import units

    if unit == "THz":
        return values
    if unit == "cm^-1":
        return values * units.SPEED_OF_LIGHT * 1e2 / 1e12  # ν̃ c: 1 cm⁻¹ = 0.0299792458 THz
    return units.mev_to_thz(values)


#: Column names a spectrum file may have; the first column is ``frequency`` or ``temperature``.
SPECTRUM_COLUMNS = ("frequency", "temperature", "sigma1", "sigma2", "abs_sigma", "thg", "sigma1_err", "sigma2_err",
                    "thg_err", "abs_sigma_err")


def _parse_columns(text: str) -> list[tuple[str, str]]:
    """(name, unit) of each ``NAME [UNIT]`` item of a ``# columns:`` header value; names lower-cased."""
    columns = []
    for item in text.split(","):
        item = item.strip()
        if "[" in item and item.endswith("]"):
            name, unit = item[:-1].split("[", 1)
            columns.append((name.strip().lower(), unit.strip()))
        else:
            columns.append((item.lower(), ""))
    return columns


def _columns_problem(columns: list[tuple[str, str]]) -> str | None:
    """What :func:`read_spectrum` refuses in a header's (name, unit) columns, or None.  The one statement of the
    header rules: :func:`write_spectrum` checks them too, so it never writes a file the reader rejects."""
    for name, unit in columns:
        if name not in SPECTRUM_COLUMNS:
            return f"unknown column {name!r}: allowed are {sorted(SPECTRUM_COLUMNS)}"
    names = [c[0] for c in columns]
    if len(set(names)) != len(names):
        return f"a column is listed twice in {names}"
    x_name, x_unit = columns[0]
    if x_name not in ("frequency", "temperature"):
        return f"the first column must be 'frequency' or 'temperature', not {x_name!r}"
    if x_name == "frequency" and x_unit not in SPECTRUM_FREQUENCY_UNITS:
        return f"unknown frequency unit {x_unit!r}: one of {list(SPECTRUM_FREQUENCY_UNITS)}"
    if x_name == "temperature" and x_unit != "K":
        return f"unknown temperature unit {x_unit!r}: use K"
    sigma_units = {u for n, u in columns if n.startswith(("sigma", "abs_sigma"))}
    for unit in sigma_units:
        if unit not in SPECTRUM_SIGMA_UNITS:
            return f"unknown conductivity unit {unit!r}: one of {list(SPECTRUM_SIGMA_UNITS)}"
    if len(sigma_units) > 1:
        return f"mixed conductivity units {sorted(sigma_units)}: use one unit"
    has = set(names)
    if not ({"sigma1", "sigma2"} & has or "abs_sigma" in has or "thg" in has):
        return "missing data columns: need sigma1 and/or sigma2, abs_sigma, or thg"
    for err, base in (("sigma1_err", "sigma1"), ("sigma2_err", "sigma2"), ("thg_err", "thg"),
                      ("abs_sigma_err", "abs_sigma")):
        if err in has and base not in has:
            return f"column {err!r} without its data column {base!r}"
    return None


def _header_quantity(key: str, text: str) -> float:
    """The value of a ``# temperature: 4.2 K`` (K) or ``# drive_frequency: 0.4 THz`` (THz) header line; ValueError
    naming the line otherwise."""
    unit_ok = ("K",) if key == "temperature" else SPECTRUM_FREQUENCY_UNITS
    parts = text.split()
    try:
        value = float(parts[0])
    except (ValueError, IndexError):
        raise ValueError(f"header '{key}: {text}' is not '<number> <unit>'") from None
    unit = parts[1] if len(parts) > 1 else ""
    if unit not in unit_ok:
        raise ValueError(f"header '{key}: {text}' has unknown unit {unit!r}: one of {list(unit_ok)}")
    # a negative drive frequency gives the same THG curve as |Ω|, and T < 0 would pass for T = 0: refused
    ok, allowed = (value >= 0, "a finite temperature ≥ 0 K") if key == "temperature" else (
        value > 0, "a finite drive frequency > 0")
    if not (np.isfinite(value) and ok):
        raise ValueError(f"header '{key}: {text}' is not allowed: {allowed}")
    return value if key == "temperature" else float(_frequency_to_thz(value, unit))


def read_spectrum(path) -> dict:
    """Read a measured spectrum (CSV or whitespace TXT) whose header states columns and units.

    Format: comment lines start with ``#``; one of them is ``# columns: NAME [UNIT], ...``.
    The first column is ``frequency`` (THz, cm^-1 or meV) or ``temperature`` (K); the others are
    ``sigma1``, ``sigma2`` (S/cm, normalized or arb), ``abs_sigma`` (|σ|), ``thg`` (arb) or
    ``uncertainty`` columns ``sigma1_err``, ``sigma2_err``, ``thg_err``.  Optional header lines
    ``# temperature: 4.2 K`` and ``# drive_frequency: 0.4 THz``; other ``# key: value`` lines are
    kept in ``meta``.  Example::

        # columns: frequency [THz], sigma1 [normalized], sigma2 [normalized]
        # temperature: 4.0 K
        0.10, 0.152, 4.37

    Returns a dict: ``x`` (frequency in THz, or temperature in K), ``x_name``, ``sigma``
    (complex σ₁ + iσ₂ when both are present), ``abs_sigma``, ``thg``, ``uncertainty``,
    ``sigma_unit``, ``temperature`` (K or None), ``drive_frequency`` (THz or None), ``meta``.

    Raises:
        ValueError naming the problem, the row (1-based line number in the file) and the value:
        missing header, unknown column or unit, missing columns, wrong column count, text or NaN
        values, unsorted or duplicate abscissae.
    """
    path = Path(path)
    lines = path.read_text().splitlines()
    meta, header, rows = {}, None, []
    meta_lines = {}  # header key → its line number (for errors)
    for lineno, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            body = stripped.lstrip("#").strip()
            if ":" in body:
                key, value = (s.strip() for s in body.split(":", 1))
                if key.lower() == "columns":
                    header = (lineno, value)
                else:
                    meta[key.lower()] = value
                    meta_lines[key.lower()] = lineno
            continue
        rows.append((lineno, stripped))
    if header is None:
        raise ValueError(f"{path}: no '# columns: name [unit], ...' header line: the columns and units must be stated")
    columns = _parse_columns(header[1])
    problem = _columns_problem(columns)
    if problem:
        raise ValueError(f"{path}, line {header[0]}: {problem}")
    names = [c[0] for c in columns]
    x_name, x_unit = columns[0]
    sigma_units = {u for n, u in columns if n.startswith(("sigma", "abs_sigma"))}
    if not rows:
        raise ValueError(f"{path}: no data rows after the header")
    table = np.empty((len(rows), len(columns)))
    for r, (lineno, text) in enumerate(rows):
        fields = [f for f in text.replace(",", " ").split()]
        if len(fields) != len(columns):
            raise ValueError(f"{path}, line {lineno}: {len(fields)} values but {len(columns)} columns "
                             f"({', '.join(names)}): {text!r}")
        for c, field_text in enumerate(fields):
            try:
                value = float(field_text)
            except ValueError:
                raise ValueError(f"{path}, line {lineno}, column {names[c]!r}: {field_text!r} is not a number") from None
            if not np.isfinite(value):
                raise ValueError(f"{path}, line {lineno}, column {names[c]!r}: value {field_text!r} is not finite "
                                 "(NaN/inf): remove or repair the row")
            table[r, c] = value
    x = table[:, 0]
    for r in range(1, len(x)):
        if x[r] == x[r - 1]:
            raise ValueError(f"{path}, line {rows[r][0]}: duplicate {x_name} {float(x[r])!r} (also on line {rows[r - 1][0]})")
        if x[r] < x[r - 1]:
            raise ValueError(f"{path}, line {rows[r][0]}: {x_name} {float(x[r])!r} is smaller than {float(x[r - 1])!r} on line "
                             f"{rows[r - 1][0]}: rows must be sorted by increasing {x_name}")
    if x_name == "frequency" and x[0] <= 0:
        raise ValueError(f"{path}, line {rows[0][0]}: frequency {float(x[0])!r} must be > 0")
    if x_name == "temperature" and x[0] < 0:
        raise ValueError(f"{path}, line {rows[0][0]}: temperature {float(x[0])!r} K must be ≥ 0")
    col = {n: table[:, i] for i, n in enumerate(names)}
    out = {"x": _frequency_to_thz(x, x_unit) if x_name == "frequency" else x, "x_name": x_name,
           "x_unit": "THz" if x_name == "frequency" else "K", "sigma": None, "abs_sigma": col.get("abs_sigma"),
           "thg": col.get("thg"), "uncertainty": None, "sigma_unit": next(iter(sigma_units), None), "meta": meta,
           "temperature": None, "drive_frequency": None, "path": str(path)}
    if "sigma1" in col and "sigma2" in col:
        out["sigma"] = col["sigma1"] + 1j * col["sigma2"]
        if "sigma1_err" in col or "sigma2_err" in col:
            out["uncertainty"] = col.get("sigma1_err", np.ones_like(x)) + 1j * col.get("sigma2_err", np.ones_like(x))
    else:
        for name in ("sigma1", "sigma2", "abs_sigma", "thg"):
            if name in col:
                out["component"] = {"abs_sigma": "abs", "thg": "real"}.get(name, name)
                out["data"] = col[name]
                if f"{name}_err" in col:
                    out["uncertainty"] = col[f"{name}_err"]
                break
    if out["sigma"] is not None:
        out["component"], out["data"] = "complex", out["sigma"]
    for key in ("temperature", "drive_frequency"):
        if key in meta:
            try:
                out[key] = _header_quantity(key, meta[key])
            except ValueError as error:
                raise ValueError(f"{path}, line {meta_lines[key]}: {error}") from None
    return out


def write_spectrum(path, x, columns: dict, x_name: str = "frequency", x_unit: str = "THz",
                   header: dict | None = None, overwrite: bool = False) -> Path:
    """Write a spectrum in the format :func:`read_spectrum` reads; returns the path written.

    ``x`` is the abscissa in ``x_unit`` (``x_name`` ``"frequency"``: THz, cm^-1 or meV, > 0; ``"temperature"``: K),
    strictly increasing at the 10 significant digits written.  ``columns`` maps ``"sigma1 [normalized]"``-style
    labels (names and units as :func:`read_spectrum` lists them) to arrays of ``x``'s length; ``header`` adds
    ``# key: value`` lines (e.g. ``{"temperature": "4.0 K", "provenance": "..."}``).

    Whatever :func:`read_spectrum` would refuse (NaN/inf, unsorted or duplicate ``x``, an unknown column or unit, a
    ``temperature``/``drive_frequency`` header that is not ``<number> <unit>``) raises
    :class:`~jaxhiggs._validate.InputError` naming it, and nothing is written.  An existing ``path`` is refused
    (``FileExistsError``) unless ``overwrite``.
    """
    check_type("columns", columns, dict, "a dict of 'name [unit]' labels → arrays, e.g. {'sigma1 [normalized]': s1}")
    header = {} if header is None else header
    check_type("header", header, dict, "a dict of header lines, e.g. {'temperature': '4.0 K'}")
    for name, label in [("x_name", x_name), ("x_unit", x_unit)] + [("columns", k) for k in columns]:
        check_type(name, label, str, "a string")
        if any(c in label for c in ",\n\r"):  # the reader splits the header at commas and lines
            raise fail(name, label, "a label without ',' or line breaks")
    labels = [f"{x_name} [{x_unit}]", *columns]
    parsed = _parse_columns(", ".join(labels))  # as read_spectrum will see them
    kind = parsed[0][0]
    if kind not in ("frequency", "temperature"):
        raise fail("x_name", x_name, "'frequency' or 'temperature'")
    units_ok = SPECTRUM_FREQUENCY_UNITS if kind == "frequency" else ("K",)
    if parsed[0][1] not in units_ok:
        raise fail("x_unit", x_unit, f"one of {list(units_ok)} for a {kind}")
    problem = _columns_problem(parsed)
    if problem:
        raise fail("columns", list(columns), problem)
    for key, value in header.items():
        read_as = key.strip().lower() if isinstance(key, str) else ""  # the key as read_spectrum sees it
        if read_as in ("", "columns") or ":" in key or any(c in f"{key}{value}" for c in "\n\r"):
            raise fail(f"header[{key!r}]", value, "one line, under a key without ':' other than 'columns'")
        if read_as in ("temperature", "drive_frequency"):
            try:
                _header_quantity(read_as, str(value).strip())
            except ValueError as error:
                raise fail(f"header[{key!r}]", value, str(error)) from None
    names = ["x"] + [f"columns[{k!r}]" for k in columns]
    data = [_numeric(name, v, "a 1-D array of finite values", "") for name, v in zip(names, [x, *columns.values()])]
    for name, values in zip(names, data):
        if values.ndim != 1 or values.shape != data[0].shape or values.size == 0:
            raise fail(f"{name}.shape", values.shape, f"one value per point, the shape of x {data[0].shape}, not empty")
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise fail(f"{name}[{bad[0]}]", values[bad[0]], "a finite number (read_spectrum refuses NaN/inf)")
    rows = [[f"{v:.10g}" for v in row] for row in np.column_stack(data)]
    x_read = np.array([float(row[0]) for row in rows])  # the abscissa read_spectrum will see
    step = np.flatnonzero(np.diff(x_read) <= 0)
    if step.size:
        i = int(step[0]) + 1
        raise fail(f"x[{i}]", data[0][i], f"more than x[{i - 1}] = {rows[i - 1][0]}: {kind} must increase strictly "
                   "(sorted, no duplicates at the 10 significant digits written)", x_unit)
    if kind == "frequency" and x_read[0] <= 0:
        raise fail("x[0]", data[0][0], "> 0 (a frequency)", x_unit)
    refuse_existing(path, overwrite=overwrite)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"# {k}: {v}" for k, v in header.items()]
    lines.append("# columns: " + ", ".join(labels))
    lines += [", ".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path
