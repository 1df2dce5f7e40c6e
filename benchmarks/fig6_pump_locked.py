"""What drives the part of the Fig. 6 probe current that does not move with the probe (the ν = ħω diagonal)?

In the GPU run with q_pr = q₀/3 (docs/models/finite_momentum.md) 70–90 % of σ's δt variation at ħω = 4–10 meV
after the pump oscillates as e^{−iωδt}: a current at ω whose phase is fixed in absolute time, not by the probe.
The hypothesis tested here: the pump leaves pair coherences ∝ e^{−2iE_k t} with phases it fixed; the probe's
*low-frequency* spectral weight ã(ω − Ω ≈ 0) turns them into a current at q_pr that radiates at Ω = 2E_k with
those phases.  Then that part grows with ã near zero frequency and does not follow the probe's weight at ω.

Method (the Fig. 6 example's quick grid with q_pr = q₀/3: dk = 5.333e-3 nm⁻¹, 2 k_y lines, q₀ = 3 dk,
n_max = 2, v = 0.05, pump 8 meV, FWHM 0.4 ps, |A₀| = 1.5e-9 V·s/m, centre 1 ps; rtol 1e-6): the probe current
Δj(t) at q_pr for two delays after the pump, δt₁ = 2.5 and δt₂ = 3.13 ps.  A response that only depends on
t − δt cancels in Δj(δt₂, t) − Δj(δt₁, t − (δt₂ − δt₁)); what is left is the part that does not move with the
probe.  Both are Fourier transformed (Hann window) from 1.3 ps after the second probe to the record's end, in
2-meV bands of ħω, for probes of FWHM 0.6 ps at 3, 5.5 and 8 meV (their weight near zero frequency differs by
60×, their weights in the 6–8 meV band by 3×) and Krull's 0.15 ps probe at 5.5 meV.  Ratios are to the 0.6 ps,
5.5 meV probe.  About 2.5 min per probe on one core.

Usage: python benchmarks/fig6_pump_locked.py [--quick] [--write]   (--quick: the 5.5 and 8 meV probes only)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jaxhiggs as jh  # noqa: E402
from jaxhiggs import units  # noqa: E402
from jaxhiggs.models.finite_momentum import pump_probe_conductivity  # noqa: E402

HBAR = 0.6582119569  # meV·ps
FWHM = 2 * np.sqrt(2 * np.log(2))
DT, A_PR, DELAYS = 0.01, 1e-12, np.array([2.5, 3.13])
BANDS = [(0, 2), (2, 4), (4, 6), (6, 8), (8, 10), (10, 12)]
PROBES = {"0.6 ps, 3 meV": (0.6, 3.0), "0.6 ps, 5.5 meV": (0.6, 5.5), "0.6 ps, 8 meV": (0.6, 8.0),
          "0.15 ps, 5.5 meV (Krull)": (0.15, 5.5)}
REFERENCE = "0.6 ps, 5.5 meV"


def probe_currents(fwhm_ps: float, probe_mev: float):
    """(Δj (2, n_times) A/m², a_pr (2, n_times) V·s/m, times ps) of the two delays."""
    times = np.arange(int(round((DELAYS[-1] + 3.4) / DT)) + 1) * DT
    pump = jh.GaussianPulse.from_vector_potential(2 * 1.5e-9, units.mev_to_thz(8.0), 0.4 / FWHM, 1.0)
    model = jh.models.FiniteMomentum(jh.materials.mgb2(v=0.05), n_max=2, probe_steps=1, dk=5.333e-3, n_lines=2,
                                     q0_steps=3)

    def probe_at(t):
        return jh.GaussianPulse.from_vector_potential(2 * A_PR, units.mev_to_thz(probe_mev), fwhm_ps / FWHM, t)

    out = pump_probe_conductivity(model, pump, probe_at, DELAYS, times, phases=1, rtol=1e-6, atol=1e-12)
    return np.asarray(out["delta_current"]), np.asarray(out["probe_vector_potential"]), times


def band_norms(j, a, times) -> dict:
    """Per band: |Δj|, |part not moving with the probe| (spectral norms) and the probe's spectral weight; ã(0)."""
    shift = int(round((DELAYS[1] - DELAYS[0]) / DT))
    later, earlier, t = j[1][shift:], j[0][:-shift], times[shift:]
    window = t >= DELAYS[1] + 1.3
    hann = np.hanning(window.sum())
    # e^{−iωt} convention: a physical frequency ω > 0 is numpy's −ω
    w = -np.fft.fftfreq(window.sum(), DT) * 2 * np.pi * HBAR
    full = np.abs(np.fft.fft(later[window] * hann))
    moved = np.abs(np.fft.fft((later[window] - earlier[window]) * hann))
    wa = -np.fft.fftfreq(a.shape[1], DT) * 2 * np.pi * HBAR
    spectrum = np.abs(np.fft.fft(a[1]))
    out = {"probe_weight_at_zero": float(spectrum[np.argmin(np.abs(wa))])}
    for lo, hi in BANDS:
        m, ma = (w >= lo) & (w < hi), (wa >= lo) & (wa < hi)
        out[f"{lo}-{hi} meV"] = dict(current=float(np.linalg.norm(full[m])), not_moving=float(np.linalg.norm(moved[m])),
                                     probe_weight=float(np.linalg.norm(spectrum[ma])))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the 5.5 and 8 meV probes of 0.6 ps only")
    parser.add_argument("--write", action="store_true", help="write results/fig6/pump_locked_quick_cpu.json")
    args = parser.parse_args()
    names = [REFERENCE, "0.6 ps, 8 meV"] if args.quick else list(PROBES)
    results = {}
    for name in names:
        start = time.time()
        results[name] = band_norms(*probe_currents(*PROBES[name]))
        print(f"{name}: {time.time() - start:.0f} s", flush=True)
    ref = results[REFERENCE]
    print("ratios to the 0.6 ps, 5.5 meV probe: not moving with the probe | probe weight in the band | Δj")
    for name, r in results.items():
        print(f"  {name}: probe weight at zero frequency {r['probe_weight_at_zero'] / ref['probe_weight_at_zero']:.3g}×")
        for lo, hi in BANDS:
            b, rb = r[f"{lo}-{hi} meV"], ref[f"{lo}-{hi} meV"]
            print(f"    {lo:2d}–{hi:2d} meV: {b['not_moving'] / rb['not_moving']:6.3g}× | "
                  f"{b['probe_weight'] / rb['probe_weight']:6.3g}× | {b['current'] / rb['current']:6.3g}×   "
                  f"(not moving / Δj = {b['not_moving'] / b['current']:.3f})")
    if args.write:
        import json

        from _common import environment

        path = Path(__file__).parent / "results" / "fig6" / "pump_locked_quick_cpu.json"
        path.write_text(json.dumps({"description": __doc__.split("\n\n")[2], "environment": environment(),
                                    "delays_ps": DELAYS.tolist(), "probes": {k: list(PROBES[k]) for k in results},
                                    "results": results}, indent=2))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
