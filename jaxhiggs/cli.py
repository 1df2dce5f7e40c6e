"""The ``jaxhiggs`` command: ``demo`` and ``run CONFIG.toml``."""

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
    p_fit = sub.add_parser("fit", help="fit measured σ(ω) or THG data (TOML fit configuration)")
    p_fit.add_argument("config", type=Path)
    p_fit.add_argument("--out", type=Path, default=None, help="output stem (.json, .png)")
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            demo(args.out, args.n_energies)
        elif args.command == "run":
            run(args.config, args.out)
        elif args.command == "fit":
            fit(args.config, args.out)
    except (ValueError, RuntimeError, FileNotFoundError) as err:
        print(f"jaxhiggs: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
