"""What sets the size of the Leggett oscillation in the finite-momentum model, and when does it show in |Δ_i|?

The study behind "What excites the Leggett mode on these rows" in docs/models/finite_momentum.md.  Grid: the
resolved rows of the Fig. 2/3/5 examples (dk = 5e-4 nm⁻¹, q₀ = 16 dk = 8e-3 nm⁻¹, 2 k_y lines, n_max = 2), Krull's
pump (8 meV, FWHM 0.4 ps, centre 1 ps), |A₀| = 1e-9 V·s/m, 0–7 ps, rtol 1e-6.  Each run is analysed over 2–7 ps:
r.m.s. of φ₁ − φ₂, the line amplitudes (two-sided least-squares fits, ``analyse_fig6.line_amplitudes``) of φ₁ − φ₂
at ω_L and of |Δ₂|, |Δ₁| at ω_L, ω_H2 = 2|Δ₂|∞ and 2ω_L.  Four scans:

* ``fermi``: every ε_F and band mass × λ (Fermi velocities, hence the paramagnetic coupling, the shell and the pair
  creation, fixed; band curvature and diamagnetic shift × 1/λ), with the diamagnetic term on and off;
* ``kick``: the diamagnetic coupling s e²/2m × K — a numerical experiment (not an option of the model): a stronger
  band-dependent A² shift, i.e. a stronger phase kick, at the same pair creation;
* ``q0a``: q₀ and |A₀| changed at fixed q₀|A₀| with the diamagnetic term off — whether the pair creation depends on
  q₀|A₀| alone (it does not on these grids: v_F q₀ is not small against ħω₀);
* ``smallq``: towards Krull's regime — q₀ = 5e-4 and 1.6e-4 nm⁻¹ (v_F q₀ small against Δ; 4× a THz photon's
  momentum) with |A₀| up to 5e-8 V·s/m, n_max = 4, and the same q₀ on rows twice as fine;
* ``fig5``: Krull's Fig. 5 on the q₀ = 5e-4 grid, |A₀| = 0.8 … 4 × 10⁻⁸ at v = 0.05 and 0.015 (~2 min per run).

About 70–85 s per run on one core for the first three scans (13 runs); ``smallq`` takes ~45 min.  Usage:

    python benchmarks/leggett_excitation.py [--quick] [--scan fermi|kick|q0a|smallq|fig5 ...] [--write]

``--quick``: the first two runs of the ``fermi`` scan (λ = 1, 1/4).  ``--write`` stores the table in
results/leggett_excitation_cpu.json (all scans) or results/leggett_excitation_<scans>_cpu.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import jaxhiggs as jh  # noqa: E402
from _common import environment  # noqa: E402
from analyse_fig6 import line_amplitudes  # noqa: E402
from jaxhiggs import units  # noqa: E402
from jaxhiggs.models.finite_momentum import FiniteMomentum  # noqa: E402

TIMES = np.linspace(0.0, 7.0, 701)
SCANS = {
    # (λ, K, v, q0_steps, |A0|[, dk, n_max])
    "fermi": [(1.0, 1.0, 0.05, 16, 1e-9), (0.25, 1.0, 0.05, 16, 1e-9), (0.1, 1.0, 0.05, 16, 1e-9),
              (1.0, 0.0, 0.05, 16, 1e-9), (0.25, 0.0, 0.05, 16, 1e-9)],
    "kick": [(1.0, k, 0.05, 16, 1e-9) for k in (30.0, 300.0, 1000.0, 3000.0, 10000.0)] + [(1.0, 3000.0, 0.02, 16, 1e-9)],
    "q0a": [(1.0, 0.0, 0.05, 8, 2e-9), (1.0, 0.0, 0.05, 32, 0.5e-9)],
    # towards Krull's regime: q₀ = dk (5e-4, then 1.6e-4 nm⁻¹, 4× a THz photon's) with a larger |A₀|, n_max = 4;
    # the q0_steps = 2 rows halve dk at the same q₀ (grid convergence; the last one ~15 min)
    "smallq": [(1.0, 1.0, 0.05, 1, 8e-9, 5e-4, 4), (1.0, 1.0, 0.05, 1, 1.6e-8, 5e-4, 4),
               (1.0, 1.0, 0.05, 2, 1.6e-8, 2.5e-4, 4), (1.0, 1.0, 0.05, 1, 3.5e-8, 1.6e-4, 4),
               (1.0, 1.0, 0.05, 1, 5e-8, 1.6e-4, 4), (1.0, 1.0, 0.05, 2, 5e-8, 8e-5, 4)],
    # Krull's Fig. 5 on the q₀ = 5e-4 grid: the fluence tunes ω_H2 towards ω_L (v = 0.05) and across 2ω_L (v = 0.015)
    "fig5": [(1.0, 1.0, 0.05, 1, a0, 5e-4, 4) for a0 in (2.2e-8, 2.8e-8, 3.2e-8, 3.6e-8, 4.0e-8)]
            + [(1.0, 1.0, 0.015, 1, a0, 5e-4, 4) for a0 in (0.8e-8, 1.2e-8, 1.6e-8, 2.0e-8, 2.4e-8)],
}


def scaled_diamagnetic(k: float):
    """FiniteMomentum with its diamagnetic coefficient × ``k`` (the experiment of the ``kick`` scan)."""

    class ScaledDiamagnetic(FiniteMomentum):
        def _coefficients(self):
            para, dia = super()._coefficients()
            return para, k * dia

    return FiniteMomentum if k == 1.0 else ScaledDiamagnetic


def run(lam, k, v, q0_steps, a0, dk=5e-4, n_max=2):
    bands = jh.materials.mgb2(v=v).bands  # the preset, with every ε_F and mass × λ
    mat = jh.material.two_band(tuple(float(b.gap) for b in bands), v, 50.0,
                               signs=tuple(float(b.sign) for b in bands),
                               masses=tuple(lam * float(b.mass) for b in bands),
                               fermi_energies=tuple(lam * float(b.fermi_energy) for b in bands))
    model = scaled_diamagnetic(k)(mat, dk=dk, n_lines=2, q0_steps=q0_steps, n_max=n_max)
    pump = jh.GaussianPulse.from_vector_potential(2 * a0, units.mev_to_thz(8.0), 0.4 / 2.3548, 1.0)
    start = time.perf_counter()
    res = jh.simulate(model, pump, TIMES, rtol=1e-6, atol=1e-9)
    gap = np.asarray(res.gap)
    wall = time.perf_counter() - start
    harmonics = np.asarray(res["harmonics"])  # Σ‖ρ_n‖² per saved time, n = −n_max … n_max
    top_over_first = float((harmonics[:, -1] / np.maximum(harmonics[:, n_max + 1], 1e-300)).max())
    after = TIMES > 2.0
    t, gap = TIMES[after], gap[after]
    phi = np.unwrap(np.angle(gap[:, 0] * np.conj(gap[:, 1])))
    mod = np.abs(gap)
    trial = np.linspace(1.0, 9.0, 801)
    w_l = float(trial[np.argmax([line_amplitudes(t, phi, (f,))[0] for f in trial])])
    w_h = 2 * float(mod[:, 1].mean())
    d2 = line_amplitudes(t, mod[:, 1], (w_l, w_h, 2 * w_l))
    d1 = line_amplitudes(t, mod[:, 0], (w_l, 2 * w_l))
    return dict(lam=lam, K=k, v=v, q0=q0_steps * dk, dk=dk, n_max=n_max, a0=a0, wall_s=round(wall, 1),
                harmonics_top_over_first=top_over_first,
                gap_inf=[float(x) for x in mod.mean(axis=0)], rms_gap2=float(mod[:, 1].std()),
                rms_phi=float(phi.std()), omega_L=w_l, omega_H2=w_h,
                phi_line_omega_L=line_amplitudes(t, phi, (w_l,))[0],
                gap2_lines=dict(omega_L=d2[0], omega_H2=d2[1], two_omega_L=d2[2]),
                gap1_lines=dict(omega_L=d1[0], two_omega_L=d1[1]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scan", nargs="+", choices=sorted(SCANS), default=sorted(SCANS))
    parser.add_argument("--quick", action="store_true", help="only λ = 1 and 1/4 of the fermi scan")
    parser.add_argument("--write", action="store_true", help="store the table in results/ (name in the module docstring)")
    args = parser.parse_args()
    scans = {"fermi": SCANS["fermi"][:2]} if args.quick else {name: SCANS[name] for name in args.scan}
    rows = []
    print("λ     K       v     q0 (nm⁻¹) |A0|     |Δ1|∞  |Δ2|∞   ω_H2  ω_L   φ line (rad)  |Δ2|: ω_L  ω_H2     2ω_L"
          "     |Δ1|: ω_L  2ω_L     2ω_L/φ²: |Δ2| |Δ1| (meV)")
    for name, cases in scans.items():
        for case in cases:
            r = run(*case)
            r["scan"] = name
            rows.append(r)
            phi2 = r["phi_line_omega_L"] ** 2
            print(f"{r['lam']:<5.3g} {r['K']:<7.5g} {r['v']:<5.3g} {r['q0']:<9.3g} {r['a0']:<8.2g} "
                  f"{r['gap_inf'][0]:.3f}  {r['gap_inf'][1]:.4f}  {r['omega_H2']:.2f}  {r['omega_L']:.2f}  "
                  f"{r['phi_line_omega_L']:<12.3g}  {r['gap2_lines']['omega_L']:.2e}  {r['gap2_lines']['omega_H2']:.2e} "
                  f"{r['gap2_lines']['two_omega_L']:.2e}  {r['gap1_lines']['omega_L']:.2e}  "
                  f"{r['gap1_lines']['two_omega_L']:.2e}  {r['gap2_lines']['two_omega_L'] / phi2:.3g} "
                  f"{r['gap1_lines']['two_omega_L'] / phi2:.3g}   (dk {r['dk']:g}, n_max {r['n_max']}: ‖ρ_nmax‖²/‖ρ_1‖² ≤ "
                  f"{r['harmonics_top_over_first']:.1e}; {r['wall_s']} s)", flush=True)
    if args.write:
        tag = "_quick" if args.quick else "" if set(scans) == set(SCANS) else "_" + "-".join(scans)
        out = HERE / "results" / f"leggett_excitation{tag}_cpu.json"
        meta = {**environment(), "grid": "dk 5e-4 nm^-1, q0_steps as listed, 2 lines, n_max 2, 0-7 ps, rtol 1e-6"}
        out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
