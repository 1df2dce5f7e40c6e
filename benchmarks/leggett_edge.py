"""How the phase oscillation drives |Δ₂| at 2ω_L: band 2's amplitude response at its edge 2Δ₂, resolved.

The study behind "The 2ω_L drive at band 2's edge" in docs/models/clean-pseudospin.md and the Fig. 5b,d,f split
in docs/models/finite_momentum.md.  An interband phase oscillation φ₀ cos ω_L t modulates the interband pairing as
cos φ ≈ 1 − φ²/2, a drive of the gap amplitudes at 2ω_L.  Band 2 answers with its amplitude (Higgs) response,
which is singular at its pair-breaking edge 2Δ₂ = ω_H2: tuning 2ω_L onto ω_H2 (Krull et al.'s Fig. 5b,d,f) tunes
the drive onto that edge.  ``analyse_fig6.phase_locked_split`` separates, below the Fourier resolution, the part of
|Δ₂|(t) locked to the measured φ(t) — Re(c₂ z²), z the phase oscillation's complex envelope, c₂ in meV/rad² —
from one free line (the Higgs ringing near 2|Δ₂|).  What it runs:

* the clean model (``CleanPseudospin``, MgB₂ preset, Krull's pump at |A₀| = 2e-8 V·s/m, N energies per band,
  0–100 ps, rtol 1e-8, analysed over 5–100 ps; ~20 s per run on one core) at v = 0.012 … 0.025, which takes 2ω_L
  from 0.8 meV below 2Δ₂ to 1.3 meV above.  Per run: δ = 2ω_L − 2|Δ₂|, c₂ (modulus and phase), |c₂|·√|δ|, the free
  line and the split's canonical correlation; then a fit |c₂| = b |δ|^(−p) on each side of the edge;
* ``--finite-q``: the split of the stored finite-momentum records of the Fig. 5b,d,f scans (``leggett_excitation.py``
  scans ``fig5b015``, 12 ps, and ``fig5b015long``, 22 ps; v = 0.015, 2 ps to the end of each record), with the free
  line scanned and held at 2|Δ₂|, and the clean edge law's c₂ at the same δ beside it.

Usage: ``python benchmarks/leggett_edge.py [--n 8000] [--t-end 100] [--finite-q] [--write]``; ``--write`` stores
results/leggett_edge_cpu.json (the clean scan) or results/leggett_edge_finite_q_cpu.json (``--finite-q``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jax
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
jax.config.update("jax_enable_x64", True)

import jaxhiggs as jh  # noqa: E402
from _common import environment  # noqa: E402
from analyse_fig6 import phase_locked_split, strongest_line  # noqa: E402
from jaxhiggs import units  # noqa: E402
from leggett_damping import write  # noqa: E402

CLEAN_V = (0.012, 0.014, 0.0155, 0.016, 0.017, 0.0175, 0.018, 0.02, 0.025)
SERIES = HERE / "results" / "leggett_excitation_series"
FINITE_Q_SCANS = ("fig5b015", "fig5b015long")


def split_record(t, gap_abs, phi, start, free_at_higgs=False):
    """The split of |Δ₂| (``gap_abs[:, 1]``, meV) of one record from ``start`` ps on: a dict of plain numbers.
    The free line's frequency is scanned over 2|Δ₂| ± 1.5 meV, or with ``free_at_higgs`` held at 2|Δ₂| (the Higgs
    ringing's frequency; the clean runs find it 0.005–0.010 meV above)."""
    after = t >= start
    t, mod, phi = t[after], gap_abs[after, 1], phi[after]
    omega_l, phi0 = strongest_line(t, phi, np.linspace(1.0, 5.0, 4001))
    higgs = 2 * float(mod.mean())
    trial = [higgs] if free_at_higgs else np.linspace(higgs - 1.5, higgs + 1.5, 1201)
    s = phase_locked_split(t, mod, phi, omega_l, trial)
    delta = 2 * omega_l - higgs
    return dict(omega_L=omega_l, phi0=phi0, two_gap2=higgs, delta=delta, c2_abs=abs(s["c2"]),
                c2_arg=float(np.angle(s["c2"])), c2_sqrt_delta=abs(s["c2"]) * np.sqrt(abs(delta)),
                free_line_meV=s["free_meV"], free_line_abs=abs(s["free"]), correlation=s["correlation"],
                residual_over_rms=s["residual_rms"] / s["rms"])


def clean_row(v, a0, n, t_end, start=5.0):
    model = jh.models.CleanPseudospin(jh.materials.mgb2(v=v), n)
    pump = jh.GaussianPulse.from_vector_potential(2 * a0, units.mev_to_thz(8.0), 0.4 / 2.3548, 1.0)
    times = np.linspace(0.0, t_end, round(50 * t_end) + 1)
    clock = time.perf_counter()
    gap = np.asarray(jh.simulate(model, pump, times, rtol=1e-8, atol=1e-11).gap)
    wall = time.perf_counter() - clock
    phi = np.unwrap(np.angle(gap[:, 0] * np.conj(gap[:, 1])))
    return dict(v=v, a0=a0, n=n, t_end=t_end, wall_s=round(wall, 1), **split_record(times, np.abs(gap), phi, start))


def edge_law(rows):
    """|c₂| = b |δ|^(−p) fitted (log–log least squares) below and above the edge: {side: (b, p)}."""
    out = {}
    for side, keep in (("below", lambda r: r["delta"] < 0), ("above", lambda r: r["delta"] > 0)):
        sel = [r for r in rows if keep(r) and r["correlation"] < 0.5]
        if len(sel) >= 2:
            slope, intercept = np.polyfit(np.log([abs(r["delta"]) for r in sel]), np.log([r["c2_abs"] for r in sel]), 1)
            out[side] = (float(np.exp(intercept)), float(-slope))
    return out


def finite_q_rows():
    rows = []
    for scan in FINITE_Q_SCANS:
        for path in sorted(SERIES.glob(f"{scan}_v*.npz"), key=lambda p: float(p.stem.split("_a")[-1])):
            d = np.load(path)
            for at_higgs in (False, True):
                row = split_record(d["time_ps"], d["gap_abs_meV"].astype(float), d["relative_phase_rad"], 2.0,
                                   at_higgs)
                rows.append(dict(scan=scan, record=path.name, t_end=float(d["time_ps"][-1]),
                                 a0=float(path.stem.split("_a")[-1]), free_line="at 2|Δ₂|" if at_higgs else "scanned",
                                 **row))
    return rows


def show(row, label, law=None):
    expected = ""
    if law:
        b, p = law["below" if row["delta"] < 0 else "above"]
        expected = f"; clean edge law at this δ: |c₂| {b * abs(row['delta']) ** -p:.3f}"
    print(f"{label}: 2ω_L {2 * row['omega_L']:.3f}, 2|Δ₂| {row['two_gap2']:.3f}, δ {row['delta']:+.3f} meV, φ₀ "
          f"{row['phi0']:.3f} rad | c₂ {row['c2_abs']:.4f} meV/rad² at {row['c2_arg']:+.3f} rad, |c₂|√|δ| "
          f"{row['c2_sqrt_delta']:.4f} | free line {row['free_line_meV']:.3f} meV: {row['free_line_abs']:.4f} meV | "
          f"correlation {row['correlation']:.2f}, residual/rms {row['residual_over_rms']:.3f}{expected}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8000, help="energies per band of the clean runs")
    parser.add_argument("--t-end", type=float, default=100.0, help="record length of the clean runs (ps)")
    parser.add_argument("--finite-q", action="store_true", help="the split of the stored finite-q Fig. 5b,d,f records")
    parser.add_argument("--write", action="store_true", help="store the rows in results/ (module docstring)")
    args = parser.parse_args()
    stored = HERE / "results" / "leggett_edge_cpu.json"
    if args.finite_q:
        import json

        law = json.loads(stored.read_text())["meta"]["edge_law"] if stored.exists() else None
        rows = finite_q_rows()
        for row in rows:
            show(row, f"{row['scan']} |A₀| {row['a0']:g} (0–{row['t_end']:g} ps; free line {row['free_line']})", law)
        if args.write:
            write(HERE / "results" / "leggett_edge_finite_q_cpu.json",
                  {**environment(), "window": "2 ps to the end of each record", "clean_edge_law": law}, rows)
        return
    rows = []
    for v in CLEAN_V:
        row = clean_row(v, 2e-8, args.n, args.t_end)
        rows.append(row)
        show(row, f"clean v {v:g} ({row['wall_s']} s)")
    law = edge_law(rows)
    for side, (b, p) in law.items():
        print(f"{side} the edge: |c₂| = {b:.4f} |δ|^(−{p:.3f}) meV/rad² (δ in meV)")
    if args.write:
        write(stored, {**environment(), "grid": f"N = {args.n} per band, 0-{args.t_end:g} ps, rtol 1e-8, "
                       "analysed over 5 ps to the end", "edge_law": law}, rows)


if __name__ == "__main__":
    main()
