"""The ``jaxhiggs`` command: ``demo``, ``run CONFIG.toml``, ``sweep CONFIG.toml`` and ``show STORE``."""

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


def demo(out: Path, n_energies: int = 4000, final_gap: float = 1.17) -> dict:
    """NbN (Δ = 1.3 meV, ω_D = 20 meV) after an interaction quench to the couplings of Δ_f.

    An idealised ultrafast pump: the pairing interaction drops suddenly at t = 0 and
    the gap rings at 2Δ∞ with a t^{-1/2} envelope (Volkov-Kogan).  Writes
    ``out``.npz and ``out``.png; returns the summary.
    """
    import diffrax

    import jaxhiggs as jh

    from . import io, plot

    material = jh.materials.nbn()
    model = jh.models.CleanPseudospin(material, n_energies)
    times = np.linspace(0.0, 30.0, 3001)  # ps
    quench = jh.Quench(final_gap=final_gap)
    start = time.perf_counter()
    result = jh.simulate(model, quench, times, solver=diffrax.Dopri8(), rtol=1e-8, atol=1e-11)
    elapsed = time.perf_counter() - start
    summary = _summarise(result, fit_start_ps=5.0, origin_ps=0.0)
    params = {"material": "NbN (seed 000)", "gap_meV": 1.3, "omega_D_meV": 20.0, "temperature_K": 0.0,
              "n_energies": n_energies, "drive": f"quench to final_gap = {final_gap} meV at t = 0",
              "times_ps": [0.0, 30.0, 3001]}
    path = io.save_result(out.with_suffix(".npz"), result, params)
    plot.gap_dynamics(result, title=f"NbN, quench 1.3 → {final_gap} meV (clean pseudospins, N_e = {n_energies})",
                      path=out.with_suffix(".png"), fit=summary["fit"])
    print(f"jaxhiggs demo: NbN, clean pseudospins, N_e = {n_energies}, quench Δ0 = 1.3 → Δ_f = {final_gap} meV")
    print(f"  solve: {elapsed:.1f} s (compilation included), {int(result.num_steps)} steps")
    print(f"  Δ∞ = {summary['gap_infinity_meV']:.4f} meV")
    print(f"  Higgs oscillation: {summary['higgs_frequency_THz']:.4f} THz "
          f"(2Δ∞/h = {summary['two_gap_infinity_THz']:.4f} THz), envelope t^-{summary['decay_exponent']:.2f}")
    print(f"  wrote {path} and {out.with_suffix('.png')}")
    return summary


def run(config_path: Path, out: Path | None = None) -> Path:
    """Run a TOML configuration (see :mod:`jaxhiggs.config`); writes .npz and .png."""
    import jaxhiggs as jh

    from . import config, io, plot

    cfg = config.load(config_path)
    out = Path(out or cfg["output"])
    start = time.perf_counter()
    result = jh.simulate(cfg["model"], cfg["drive"], cfg["times"], **cfg["options"])
    elapsed = time.perf_counter() - start
    path = io.save_result(out.with_suffix(".npz"), result, cfg["raw"])
    plot.gap_dynamics(result, title=str(config_path), path=out.with_suffix(".png"))
    gap = np.abs(np.asarray(result.gap))
    print(f"jaxhiggs run {config_path}: {elapsed:.1f} s, {int(np.max(result.num_steps))} steps")
    for i in range(gap.shape[-1]):
        print(f"  band {i + 1}: |Δ| from {gap[0, i]:.4f} to {gap[-1, i]:.4f} meV (min {gap[:, i].min():.4f}, "
              f"max {gap[:, i].max():.4f})")
    print(f"  wrote {path} and {out.with_suffix('.png')}")
    return path


def sweep(config_path: Path, store: Path | None = None, resume: bool = False, devices: int | None = None,
          chunk_size: int | None = None) -> Path:
    """Run the ``[grid]`` of a TOML configuration into a Zarr store (``output``.zarr by default)."""
    import jaxhiggs as jh

    from . import config, sweep_store

    cfg = config.load(config_path)
    if not cfg["grid"]:
        raise ValueError(f"{config_path} has no [grid] table: add parameter axes to sweep (see jaxhiggs/config.py)")
    store = Path(store or f"{cfg['output']}.zarr")
    if sweep_store.exists(store) and not resume:
        raise ValueError(f"the store {store} exists: pass --resume to continue it, or remove it")
    jh.sweep(cfg["model"], cfg["drive"], cfg["times"], cfg["grid"], store=store, chunk_size=chunk_size,
             devices=devices, **cfg["sweep"], **cfg["options"])
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


def show(store: Path, out: Path | None = None) -> Path:
    """Print dimensions, completion and parameters of a sweep store; plot Δ∞ and the Higgs
    amplitude against the first swept parameter (one line per value of the second)."""
    import json

    from .plot import _pyplot
    from .sweep import open_sweep

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
    out = Path(out or Path(str(store).rstrip("/")).with_suffix(".png"))
    fig.savefig(out, dpi=120)
    print(f"  wrote {out}")
    return out


def fit(config_path: Path, out: Path | None = None):
    """Fit a TOML fit configuration (see :mod:`jaxhiggs.fit_config`): report, .png and .json."""
    from . import fit as fitting
    from . import fit_config

    cfg = fit_config.load(config_path)
    stem = Path(out or cfg.pop("output"))
    cfg.pop("output", None)
    cfg.pop("raw")
    cfg.pop("spectrum")
    start = time.perf_counter()
    result = fitting.fit_global(**cfg)
    elapsed = time.perf_counter() - start
    print(f"jaxhiggs fit {config_path}: {elapsed:.1f} s")
    print(result.report())
    stem.parent.mkdir(parents=True, exist_ok=True)
    result.plot(stem.with_suffix(".png"), title=str(config_path))
    result.save(stem.with_suffix(".json"))
    print(f"  wrote {stem.with_suffix('.json')} and {stem.with_suffix('.png')}")
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="jaxhiggs", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_demo = sub.add_parser("demo", help="NbN Higgs oscillations after a quench (CPU, < 1 min)")
    p_demo.add_argument("--out", type=Path, default=Path("jaxhiggs-demo"), help="output stem (.npz, .png)")
    p_demo.add_argument("--n-energies", type=int, default=4000)
    p_run = sub.add_parser("run", help="run a TOML configuration")
    p_run.add_argument("config", type=Path)
    p_run.add_argument("--out", type=Path, default=None)
    p_sweep = sub.add_parser("sweep", help="run the [grid] of a TOML configuration into a Zarr store")
    p_sweep.add_argument("config", type=Path)
    p_sweep.add_argument("--store", type=Path, default=None, help="Zarr directory (default: <output>.zarr)")
    p_sweep.add_argument("--resume", action="store_true", help="continue an existing store")
    p_sweep.add_argument("--devices", type=int, default=None, help="number of devices (default: all)")
    p_sweep.add_argument("--chunk-size", type=int, default=None, help="points per chunk (default: from memory)")
    p_show = sub.add_parser("show", help="summarise a sweep store and plot Δ∞ and the Higgs amplitude")
    p_show.add_argument("store", type=Path)
    p_show.add_argument("--out", type=Path, default=None, help="PNG path (default: <store>.png)")
    p_fit = sub.add_parser("fit", help="fit measured σ(ω) or THG data (TOML fit configuration)")
    p_fit.add_argument("config", type=Path)
    p_fit.add_argument("--out", type=Path, default=None, help="output stem (.json, .png)")
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            demo(args.out, args.n_energies)
        elif args.command == "run":
            run(args.config, args.out)
        elif args.command == "sweep":
            sweep(args.config, args.store, args.resume, args.devices, args.chunk_size)
        elif args.command == "show":
            show(args.store, args.out)
        elif args.command == "fit":
            fit(args.config, args.out)
    except (ValueError, RuntimeError, FileNotFoundError) as err:
        print(f"jaxhiggs: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
