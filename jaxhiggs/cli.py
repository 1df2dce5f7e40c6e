"""The ``jaxhiggs`` command.

Subcommands:
  demo     NbN Higgs oscillations after an interaction quench (CPU, 10–15 s); writes .npz and .png
  run      run a TOML configuration of one of the four configurable models (clean-pseudospin,
           mattis-bardeen, disordered-pseudospin, schmid-higgs); writes .npz and .png.  The
           finite-momentum model has no configuration format: use it from Python
  config   print a commented example configuration of a model (``jaxhiggs config mattis-bardeen``)
  sweep    run the [grid] of a configuration into a resumable Zarr store (resumes automatically)
  show     summarise a sweep store and plot Δ∞ and the Higgs amplitude
  fit      fit measured σ(ω), THG data or raw THz time traces from a TOML fit configuration

Compiled programs are kept in JAX's persistent cache (~/.cache/jaxhiggs/jax; set
JAXHIGGS_CACHE_DIR to move it, JAXHIGGS_CACHE_DIR="" or --no-cache to switch it off), so a second
run of the same configuration skips most of the compilation.  ``jaxhiggs sweep`` and ``jaxhiggs fit`` give JAX
one CPU device per core (:func:`jaxhiggs.use_cpu_cores`), so on a CPU a sweep's points and the independent
simulations of a fit (the delays of a pump–probe map, the frequencies of a THG spectrum) run side by side.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np


def _summarise(result, fit_start_ps: float, origin_ps: float, band: int = 0) -> dict:
    from . import spectra, units

    gap = np.abs(np.asarray(result.gap[:, band]))
    t = np.asarray(result.times)
    fit = spectra.fit_damped_cosine(t, gap, fit_start_ps, float(t[-1]), origin=origin_ps)
    return {
        "gap_initial_meV": float(gap[0]),
        "gap_infinity_meV": fit.offset,
        "higgs_frequency_THz": fit.frequency,
        "two_gap_infinity_THz": float(units.mev_to_thz(2 * fit.offset)),
        "decay_exponent": fit.exponent,
        "fit": fit,
    }


def demo(out: Path, n_energies: int = 4000, final_gap: float = 1.17, progress: bool = False,
         overwrite: bool = False) -> dict:
    """NbN (Δ = 1.3 meV, ω_D = 20 meV) after an interaction quench to the couplings of Δ_f.

    An idealised ultrafast pump: the pairing interaction drops suddenly at t = 0 and
    the gap rings at 2Δ∞ with a t^{-1/2} envelope (Volkov-Kogan).  Writes
    ``out``.npz and ``out``.png (refused before any work if either exists, unless ``overwrite``); returns the
    summary.
    """
    import jaxhiggs as jh

    from . import io, plot

    npz, png = io.output_path(out, ".npz"), io.output_path(out, ".png")
    io.refuse_existing(npz, png, overwrite=overwrite)
    material = jh.materials.nbn()
    model = jh.models.CleanPseudospin(material, n_energies)
    times = np.linspace(0.0, 30.0, 3001)  # ps
    quench = jh.Quench(final_gap=final_gap)
    start = time.perf_counter()
    result = jh.simulate(model, quench, times, rtol=1e-8, atol=1e-11, progress=progress)  # the model's default solver
    elapsed = time.perf_counter() - start
    summary = _summarise(result, fit_start_ps=5.0, origin_ps=0.0)
    params = {"material": "NbN (seed 000)", "gap_meV": 1.3, "omega_D_meV": 20.0, "temperature_K": 0.0,
              "n_energies": n_energies, "drive": f"quench to final_gap = {final_gap} meV at t = 0",
              "times_ps": [0.0, 30.0, 3001]}
    path = io.save_result(npz, result, params, overwrite=overwrite)
    plot.gap_dynamics(result, title=f"NbN, quench 1.3 → {final_gap} meV (clean pseudospins, N_e = {n_energies})",
                      path=png, fit=summary["fit"], overwrite=overwrite)
    print(f"jaxhiggs demo: NbN, clean pseudospins, N_e = {n_energies}, quench Δ0 = 1.3 → Δ_f = {final_gap} meV")
    print(f"  solve: {elapsed:.1f} s (compilation included), {int(result.num_steps)} steps")
    print(f"  Δ∞ = {summary['gap_infinity_meV']:.4f} meV")
    print(f"  Higgs oscillation: {summary['higgs_frequency_THz']:.4f} THz "
          f"(2Δ∞/h = {summary['two_gap_infinity_THz']:.4f} THz), envelope t^-{summary['decay_exponent']:.2f}")
    print(f"  wrote {path} and {png}")
    return summary


def _describe_material(material) -> str:
    gaps = ", ".join(f"{float(g):.4g}" for g in np.ravel(np.asarray(material.gaps)))
    text = f"Δ(T→0) = {gaps} meV, T = {float(material.temperature):.3g} K"
    gammas = np.ravel(np.asarray(material.gammas))
    if np.any(gammas > 0):
        text += ", γ = " + ", ".join(f"{g:.3g}" for g in gammas) + " meV"
    return text


def _describe_drive(drive) -> str:
    parts = []
    for c in drive.components():
        name = type(c).__name__
        if name == "GaussianPulse":
            from . import units

            parts.append(f"pulse {float(c.peak_field):.3g} kV/cm, {float(units.mev_to_thz(c.omega)):.3g} THz")
        elif name == "Quench":
            final = getattr(c, "final_gap", None)
            parts.append("quench" + ("" if final is None else
                                     " → " + ", ".join(f"{g:.4g}" for g in np.ravel(np.asarray(final))) + " meV"))
        else:
            parts.append(name)
    return " + ".join(parts) or "no drive"


def _title(cfg, config_path) -> str:
    meta = cfg["model"].metadata()
    size = meta.get("n_points") or meta.get("n_energies") or ""
    return (f"{cfg['name']} (N_e = {size}), {_describe_material(cfg['material'])}\n"
            f"{_describe_drive(cfg['drive'])}  [{Path(config_path).name}]")


def run(config_path: Path, out: Path | None = None, progress: bool = True, overwrite: bool = False) -> Path:
    """Run a TOML configuration of one of the configurable models (:data:`jaxhiggs.config.MODELS`); writes
    ``out``.npz and ``out``.png (``out``: the configuration's ``output`` by default), refused before any work if
    either exists, unless ``overwrite``.  A configuration with a ``[grid]`` table is refused before any work
    (``jaxhiggs sweep`` runs grids)."""
    from . import config, io

    cfg = config.load(config_path)
    if "grid" in cfg["raw"]:  # one run would be recorded with a grid it never ran (false provenance)
        raise ValueError(f"{config_path}: has a [grid] table, which `jaxhiggs run` does not run (it would run only the "
                         f"base point): use `jaxhiggs sweep {config_path}` to run the grid, or remove the [grid] table "
                         "to run the base point")
    out = Path(out or cfg["output"])
    npz, png = io.output_path(out, ".npz"), io.output_path(out, ".png")
    io.refuse_existing(npz, png, overwrite=overwrite)
    if cfg["kind"] == "response":
        return _run_response(cfg, config_path, npz, png, overwrite)
    import jaxhiggs as jh

    from . import plot

    start = time.perf_counter()
    result = jh.simulate(cfg["model"], cfg["drive"], cfg["times"], progress=progress, **cfg["options"])
    elapsed = time.perf_counter() - start
    path = io.save_result(npz, result, cfg["raw"], overwrite=overwrite)
    plot.gap_dynamics(result, title=_title(cfg, config_path), path=png, overwrite=overwrite)
    gap = np.abs(np.asarray(result.gap))
    print(f"jaxhiggs run {config_path}: {cfg['name']}, {elapsed:.1f} s (compilation included), "
          f"{int(np.max(result.num_steps))} steps")
    for i in range(gap.shape[-1]):
        print(f"  band {i + 1}: |Δ| from {gap[0, i]:.6g} to {gap[-1, i]:.6g} meV (min {gap[:, i].min():.6g}, "
              f"max {gap[:, i].max():.6g})")
    if "current_1" in result.observables:
        j1 = np.asarray(result["current_1"])
        j3 = np.asarray(result["current_3"])
        print(f"  currents: max |j1| = {np.max(np.abs(j1)):.4g} A/m², max |j3| = {np.max(np.abs(j3)):.4g} A/m²")
    print(f"  wrote {path} and {png}")
    return path


def _run_response(cfg, config_path, path: Path, png: Path, overwrite: bool = False) -> Path:
    """The Schmid–Higgs configuration: χ⁻¹(ω), the resonance, and χ(t) if [times] is given."""
    import json

    from . import pair_breaking, units
    from .plot import _pyplot, save_figure
    from .response import schmid_higgs as sh

    start = time.perf_counter()
    ag = pair_breaking.abrikosov_gorkov(cfg["clean_gap"], cfg["pair_breaking"])
    gap, gamma = float(ag.gap), cfg["pair_breaking"]
    omega = cfg["omega"]
    chi_inv = np.asarray(sh.schmid_higgs_susceptibility(omega, gap, gamma, 0.0, n_nodes=cfg["n_nodes"]))
    w_res = sh.resonance_frequency(gap, gamma, n_nodes=cfg["n_nodes"])[0] if gamma > 0 else 2 * gap
    arrays = {"omega_meV": omega, "chi_inverse": chi_inv}
    if cfg["times"] is not None:
        arrays["times"] = cfg["times"]
        arrays["chi_t"] = sh.susceptibility_time_domain(cfg["times"], gap, gamma)
    elapsed = time.perf_counter() - start
    meta = {"model": "schmid-higgs", "clean_gap_meV": cfg["clean_gap"], "pair_breaking_meV": gamma, "gap_meV": gap,
            "threshold_meV": float(ag.threshold), "resonance_meV": w_res, "parameters": cfg["raw"],
            "units": {"omega_meV": "meV", "chi_inverse": "dimensionless", "times": "ps", "chi_t": "meV/ħ"}}
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, metadata=json.dumps(meta), **arrays)
    plt = _pyplot()
    n = 2 if "chi_t" in arrays else 1
    fig, axes = plt.subplots(1, n, figsize=(5.2 * n, 3.8), squeeze=False)
    ax = axes[0, 0]
    ax.plot(omega / gap, chi_inv.real, label="Re χ⁻¹")
    ax.plot(omega / gap, chi_inv.imag, label="Im χ⁻¹")
    ax.axvline(2 * float(ag.threshold) / gap, color="k", lw=0.6, ls=":", label="2ε_g")
    ax.axvline(w_res / gap, color="C3", lw=0.6, ls="--", label="ω_res")
    ax.set_xlabel("ħω / Δ")
    ax.set_ylabel("χ⁻¹(ω) (dimensionless)")
    ax.legend(fontsize=8)
    if n == 2:
        axes[0, 1].plot(arrays["times"], arrays["chi_t"], lw=1.0)
        axes[0, 1].set_xlabel("time (ps)")
        axes[0, 1].set_ylabel("χ(t) (meV/ħ)")
    fig.suptitle(f"Schmid–Higgs susceptibility: Δ00 = {cfg['clean_gap']:g} meV, Γ = {gamma:g} meV "
                 f"(ζ = {float(ag.zeta):.3g}, Δ = {gap:.4g} meV)  [{Path(config_path).name}]", fontsize=9)
    fig.tight_layout()
    save_figure(fig, png, overwrite)
    print(f"jaxhiggs run {config_path}: schmid-higgs, {elapsed:.1f} s")
    print(f"  Δ = {gap:.6g} meV (Δ00 = {cfg['clean_gap']:g} meV, Γ = {gamma:g} meV, ζ = {float(ag.zeta):.4g})")
    print(f"  2ε_g = {2 * float(ag.threshold):.6g} meV, resonance ω_res = {w_res:.6g} meV = {w_res / gap:.5g} Δ "
          f"({float(units.mev_to_thz(w_res)):.4g} THz)")
    print(f"  wrote {path} and {png}")
    return path


def sweep(config_path: Path, store: Path | None = None, resume: bool = False, devices: int | None = None,
          chunk_size: int | None = None, progress: bool = True) -> Path:
    """Run the ``[grid]`` of a TOML configuration into a Zarr store (``output``.zarr by default).

    An existing store of the same sweep (same fingerprint: model, drive, times, grid, solver)
    is resumed automatically: finished chunks are skipped.  A store of a different sweep, or
    a folder that is not a jaxhiggs store, is refused.  ``resume`` is accepted for
    compatibility and changes nothing.
    """
    import jaxhiggs as jh

    from . import config
    from .sweep import store as sweep_store

    cfg = config.load(config_path)
    if cfg["kind"] != "dynamics":
        raise ValueError(f"{config_path}: model {cfg['name']!r} cannot be swept (only time-stepped models)")
    if not cfg["grid"]:
        raise ValueError(f"{config_path} has no [grid] table: add parameter axes to sweep (see jaxhiggs/config.py)")
    store = Path(store or f"{cfg['output']}.zarr")
    if sweep_store.exists(store):
        print(f"jaxhiggs sweep: {store} exists: resuming it if it holds this sweep (finished chunks are skipped)")
    jh.sweep(cfg["model"], cfg["drive"], cfg["times"], cfg["grid"], store=store, chunk_size=chunk_size,
             devices=devices, progress=progress, **cfg["sweep"], **cfg["options"])
    print(f"jaxhiggs sweep {config_path}: wrote {store}  (inspect with: jaxhiggs show {store})")
    return store


def sweep_summary(ds, band: int = 0) -> dict:
    """Δ∞ (mean |Δ| over the last quarter of the window, meV) and the Higgs amplitude
    (half the peak-to-peak of |Δ| over the second half, meV) for every point of a sweep."""
    gap = np.abs(ds.gap.isel(band=band))
    n = ds.sizes["time"]
    return {"gap_infinity": gap.isel(time=slice(3 * n // 4, None)).mean("time"),
            "higgs_amplitude": 0.5 * (gap.isel(time=slice(n // 2, None)).max("time")
                                      - gap.isel(time=slice(n // 2, None)).min("time"))}


#: The figure formats ``jaxhiggs show`` writes (each records :data:`SHOW_MARK` in its title metadata).
SHOW_SUFFIXES = (".png", ".pdf", ".svg")
#: The title ``jaxhiggs show`` stores in its figures: how it tells its own figure from any other file.
SHOW_MARK = "jaxhiggs show: sweep summary"


def show_figure_path(store) -> Path:
    """The default figure of ``jaxhiggs show``: the store's path without ``.zarr``, plus ``-sweep.png``
    (``sw.zarr`` → ``sw-sweep.png``), so it never is the ``sw.png`` that ``jaxhiggs run`` writes for the same
    configuration."""
    name = Path(str(store).rstrip("/"))
    base = name.with_suffix("") if name.suffix == ".zarr" else name
    return base.with_name(base.name + "-sweep.png")


def _written_by_show(path: Path) -> bool:
    """True when ``path`` is a figure ``jaxhiggs show`` wrote (its title metadata holds :data:`SHOW_MARK`)."""
    try:
        if not path.is_file() or path.stat().st_size > 50_000_000:
            return False
        return SHOW_MARK.encode() in path.read_bytes()
    except OSError:
        return False


def show(store: Path, out: Path | None = None, overwrite: bool = False) -> Path:
    """Print dimensions, completion and parameters of a sweep store; plot Δ∞ and the Higgs
    amplitude (meV) against the first swept parameter (one line per value of the second) into ``out`` (.png, .pdf
    or .svg; default :func:`show_figure_path`: ``sw.zarr`` → ``sw-sweep.png``, never ``run``'s ``sw.png``).

    The summary, what one runs ``show`` again for while a sweep progresses, is printed either way.  An existing
    figure is never replaced unless ``overwrite``: one that an earlier ``show`` drew is kept (``--overwrite``
    redraws it); any other file is left alone with a note to choose another ``--out``."""
    import json

    from .plot import _pyplot, save_figure
    from .sweep import open_sweep

    out = Path(out) if out else show_figure_path(store)
    if out.suffix.lower() not in SHOW_SUFFIXES:  # before the summary: matplotlib would refuse it only at the end
        raise ValueError(f"--out {out}: a figure file ending in {', '.join(SHOW_SUFFIXES)} is required "
                         f"(got {out.suffix or 'no suffix'!r})")
    if out.is_dir():
        raise FileExistsError(f"{out} is a folder: give a file name for the figure (--out)")

    ds = open_sweep(store)
    record = json.loads(ds.attrs["parameters"])
    names = record["names"]
    print(f"sweep store {store}")
    print("  dimensions: " + ", ".join(f"{k}={v}" for k, v in ds.sizes.items()))
    print(f"  chunks done: {ds.attrs['chunks_done']}/{ds.attrs['chunks_total']}; points computed: "
          f"{int(ds.computed.sum())}/{ds.computed.size}; failed: {int(ds.failed.sum())}")
    for name in names:
        values = np.asarray(record["axes"][name])
        print(f"  {name} ({record['axis_units'][name]}): {len(values)} values in [{values.min():.6g}, {values.max():.6g}]")
    print(f"  model: {record['model'].get('model')} {json.dumps({k: v for k, v in record['model'].items() if k not in ('material', 'options')})}")
    print(f"  solver: {json.dumps(record['solver'])}; times {json.dumps(record['times_ps'])} ps")
    print(f"  fingerprint {record['fingerprint']}, created {record['created']}")
    if ds.failed.any():
        reasons = sorted({str(r) for r in np.asarray(ds.reason.values).ravel() if str(r)})
        print("  failure reasons: " + "; ".join(reasons))
    if out.exists() and not overwrite:
        if _written_by_show(out):
            print(f"  kept the existing {out}, drawn by an earlier `jaxhiggs show` (--overwrite redraws it)")
        else:  # someone else's file (a run's figure, a paper's): never suggest replacing it
            print(f"  no figure drawn: {out} exists and was not written by `jaxhiggs show`; it is left as it is "
                  "(give another file with --out)")
        return out
    summary = sweep_summary(ds[["gap"]].where(ds.computed & ~ds.failed))
    plt = _pyplot()
    first = "point" if record["zip"] else names[0]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, (key, label) in zip(axes, [("gap_infinity", "Δ∞ (meV)"), ("higgs_amplitude", "Higgs amplitude (meV)")]):
        data = summary[key]
        others = [d for d in data.dims if d != first]
        if others:
            data = data.isel({d: 0 for d in others[1:]})
            for i in range(min(data.sizes[others[0]], 8)):
                sel = data.isel({others[0]: i})
                ax.plot(sel[first].values, sel.values, "o-", ms=3,
                        label=f"{others[0]} = {float(ds[others[0]].values[i]):.4g}")
            ax.legend(fontsize=7)
        else:
            ax.plot(data[first].values, data.values, "o-", ms=3)
        unit = record["axis_units"].get(first, "")
        ax.set_xlabel(f"{first} ({unit})" if unit else first)
        ax.set_ylabel(label)
    fig.suptitle(f"{store} (band 1)")
    fig.tight_layout()
    save_figure(fig, out, overwrite, metadata={"Title": SHOW_MARK})  # an existing file was kept above unless overwrite
    print(f"  wrote {out}")
    return out


def fit(config_path: Path, out: Path | None = None, overwrite: bool = False):
    """Fit a TOML fit configuration (see :mod:`jaxhiggs.fit.config`): report, .png and .json.

    σ(ω)/THG configurations (``data = ...``) and raw THz time-trace configurations (``[traces]`` and
    ``[film]``: the measured t(ω) is fitted, and a σ(ω) figure with the model is written too) are accepted.
    Existing output files are refused before the fit, unless ``overwrite``.
    """
    from . import fit as fitting
    from . import io
    from .fit import config as fit_config

    cfg = fit_config.load(config_path)
    stem = Path(out or cfg.pop("output"))
    cfg.pop("output", None)
    cfg.pop("raw")
    cfg.pop("spectrum", None)
    json_path, png = io.output_path(stem, ".json"), io.output_path(stem, ".png")
    sigma_png = io.output_path(stem, "-sigma.png")
    io.refuse_existing(json_path, png, sigma_png, overwrite=overwrite)
    start = time.perf_counter()
    result = fitting.fit_global(**cfg)
    elapsed = time.perf_counter() - start
    print(f"jaxhiggs fit {config_path}: {elapsed:.1f} s")
    if "sigma_model" in result.model.meta:  # raw THz traces: t(ω) was fitted; σ_n in S/m
        result.units.update(sigma_n="S/m", thickness="nm", mismatch="µm")
    print(result.report())
    stem.parent.mkdir(parents=True, exist_ok=True)
    result.plot(png, title=str(config_path), overwrite=overwrite)
    result.save(json_path, overwrite=overwrite)
    written = [json_path, png]
    if "sigma_model" in result.model.meta:  # σ(ω) from the measured t with the fitted model overlaid
        fitting.plot_conductivity(result, sigma_png, title=str(config_path), overwrite=overwrite)
        written.append(sigma_png)
    print(f"  wrote {', '.join(map(str, written))}")
    return result


def print_config(model: str, out: Path | None = None, overwrite: bool = False) -> str:
    """Print (or write to ``out``) the commented example configuration of ``model``; an existing ``out`` (an edited
    configuration, perhaps) is refused unless ``overwrite``."""
    from . import config, io

    text = config.example(model)
    if out is None:
        print(text, end="")
    else:
        io.refuse_existing(out, overwrite=overwrite)
        Path(out).write_text(text)
        print(f"wrote {out}  (run it with: jaxhiggs run {out})")
    return text


def _parser() -> argparse.ArgumentParser:
    from . import __version__
    from .config import MODELS

    parser = argparse.ArgumentParser(prog="jaxhiggs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"jaxhiggs {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--no-cache", action="store_true",
                        help="do not use the persistent compilation cache (also: JAXHIGGS_CACHE_DIR=\"\")")
    progress = argparse.ArgumentParser(add_help=False)
    progress.add_argument("--no-progress", action="store_true", help="no progress bar")
    replace = argparse.ArgumentParser(add_help=False)
    replace.add_argument("--overwrite", action="store_true",
                         help="replace existing output files (refused by default: nothing is overwritten silently)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("demo", parents=[common, progress, replace], help="NbN Higgs oscillations after a quench (CPU, 10–15 s)",
                       description="NbN (Δ = 1.3 meV, ω_D = 20 meV) after an interaction quench to Δ_f = 1.17 meV: "
                                   "clean pseudospins, 30 ps; prints Δ∞ and the Higgs frequency.")
    p.add_argument("--out", type=Path, default=Path("jaxhiggs-demo"), help="output stem: writes STEM.npz and STEM.png")
    p.add_argument("--n-energies", type=int, default=4000, help="energy grid points (default 4000)")
    p = sub.add_parser("run", parents=[common, progress, replace], help="run a TOML configuration (" + ", ".join(MODELS) + ")",
                       description="Run a TOML configuration (models: " + ", ".join(MODELS) + "); writes .npz and .png. "
                                   "Start from `jaxhiggs config MODEL`.  The finite-momentum model has no "
                                   "configuration format: use jaxhiggs.models.FiniteMomentum from Python.")
    p.add_argument("config", type=Path, help="TOML configuration file")
    p.add_argument("--out", type=Path, default=None, help="output stem (default: the configuration's `output`)")
    p = sub.add_parser("config", parents=[replace], help="print a commented example configuration of a model",
                       description="Print a commented, runnable example configuration: "
                                   "jaxhiggs config mattis-bardeen > mb.toml && jaxhiggs run mb.toml")
    p.add_argument("model", choices=MODELS, help="model name")
    p.add_argument("--out", type=Path, default=None, help="write to this file instead of printing")
    p = sub.add_parser("sweep", parents=[common, progress], help="run the [grid] of a configuration into a Zarr store",
                       description="Run the [grid] table of a configuration point by point into a Zarr store. "
                                   "An existing store of the same sweep is resumed automatically (finished chunks "
                                   "are skipped); a store of another sweep is refused.")
    p.add_argument("config", type=Path, help="TOML configuration file with a [grid] table")
    p.add_argument("--store", type=Path, default=None, help="Zarr directory (default: <output>.zarr)")
    p.add_argument("--resume", action="store_true",
                   help="accepted for compatibility: an existing store of the same sweep is always resumed")
    p.add_argument("--devices", type=int, default=None, help="number of devices (default: all)")
    p.add_argument("--cpu-devices", type=int, default=None,
                   help="JAX CPU devices, the points a CPU integrates at once (default: one per core; 1: one "
                        "device whose operations use every core, as in a plain JAX program)")
    p.add_argument("--chunk-size", type=int, default=None, help="points per chunk (default: from memory)")
    p = sub.add_parser("show", parents=[replace], help="summarise a sweep store and plot Δ∞ and the Higgs amplitude",
                       description="Print dimensions, completion and parameters of a sweep store; plot Δ∞ and the "
                                   "Higgs amplitude against the first swept parameter.")
    p.add_argument("store", type=Path, help="Zarr store written by `jaxhiggs sweep`")
    p.add_argument("--out", type=Path, default=None,
                   help="figure file, .png, .pdf or .svg (default: the store's path without .zarr, plus -sweep.png: "
                        "run.zarr → run-sweep.png, so `jaxhiggs run`'s run.png is never touched)")
    p = sub.add_parser("fit", parents=[common, replace],
                       help="fit measured σ(ω), THG data or raw THz time traces (TOML fit configuration)",
                       description="Fit σ(ω) or THG data, or raw THz time traces (sample and reference at one or "
                                   "several temperatures: [traces] and [film] tables), from a TOML fit "
                                   "configuration (see fitting/README.md); writes the report, .json and .png "
                                   "(and a σ(ω) figure for traces).")
    p.add_argument("config", type=Path, help="TOML fit configuration")
    p.add_argument("--out", type=Path, default=None, help="output stem (.json, .png)")
    p.add_argument("--cpu-devices", type=int, default=None,
                   help="JAX CPU devices, the simulations a CPU runs at once (default: one per core; 1: one device)")
    return parser


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command in ("sweep", "fit"):
        from ._validate import InputError
        from .cpu import use_cpu_cores

        try:  # one CPU device per core: a sweep's points, a fit's independent simulations run side by side
            use_cpu_cores(args.cpu_devices)
        except InputError as err:
            print(f"jaxhiggs: error: --cpu-devices: {err}", file=sys.stderr)
            return 2
    if args.command in ("demo", "run", "sweep", "fit") and not args.no_cache:
        from .cache import enable_compilation_cache

        enable_compilation_cache()
    show_progress = not getattr(args, "no_progress", True)
    try:
        if args.command == "demo":
            demo(args.out, args.n_energies, progress=show_progress, overwrite=args.overwrite)
        elif args.command == "run":
            run(args.config, args.out, progress=show_progress, overwrite=args.overwrite)
        elif args.command == "config":
            print_config(args.model, args.out, overwrite=args.overwrite)
        elif args.command == "sweep":
            sweep(args.config, args.store, args.resume, args.devices, args.chunk_size, progress=show_progress)
        elif args.command == "show":
            show(args.store, args.out, overwrite=args.overwrite)
        elif args.command == "fit":
            fit(args.config, args.out, overwrite=args.overwrite)
    except (ValueError, RuntimeError, OSError) as err:  # OSError: an existing output, a folder, no permission
        print(f"jaxhiggs: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
