"""Quick start: an MgB2-like two-band superconductor pumped by a THz pulse (clean pseudospins).

Parameters: Δ = (7, 3) meV, ω_c = 50 meV, v = 0.02, signs (−, +), masses (1.38, 0.85) m_e
(Krull et al. gaps, Haenel et al. band masses); Gaussian pump 1.93 THz (8 meV), 12 kV/cm,
σ = 0.17 ps.  Prints the Leggett frequency and the Higgs frequencies 2Δ_i∞/h; writes quickstart.png.
"""

import numpy as np
from _common import parse

import jaxhiggs as jh

args = parse(__doc__)
n = 1500 if args.quick else 3000
material = jh.materials.mgb2(v=0.02)
model = jh.models.CleanPseudospin(material, n)
pump = jh.GaussianPulse(peak_field=12.0, frequency=1.93, duration=0.17, center=1.5)
times = np.linspace(0.0, 12.0 if args.quick else 25.0, 4001)
result = jh.simulate(model, pump, times, progress=args.progress)  # diffrax's tqdm bar: % of the window, ETA
after = np.asarray(result.times) > 3.0
t = np.asarray(result.times)[after]
f_l = jh.spectra.dominant_frequency(t, np.asarray(result.leggett_phase)[after], fmax=1.4)
print(f"Leggett mode: {f_l:.3f} THz = {jh.units.thz_to_mev(f_l):.3f} meV")
d2_inf = float(np.abs(np.asarray(result.gap[after, 1])).mean())
print(f"Δ1∞ = {np.abs(np.asarray(result.gap[after, 0])).mean():.4f} meV, Δ2∞ = {d2_inf:.4f} meV: Higgs modes at "
      f"{jh.units.mev_to_thz(2 * np.abs(np.asarray(result.gap[after, 0])).mean()):.3f} and "
      f"{jh.units.mev_to_thz(2 * d2_inf):.3f} THz")
jh.plot.gap_dynamics(result, title=f"Clean pseudospins, MgB₂-like (v = 0.02), N = {n}:\n12 kV/cm pulse at 1.93 THz"
                     + (" — quick" if args.quick else ""), path=args.out / "quickstart.png",
                     overwrite=True)  # the script's own figure in its --out folder: a rerun redraws it
