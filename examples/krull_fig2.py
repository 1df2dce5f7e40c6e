"""Krull et al. Fig. 2: φ1 − φ2, |Δ1|, |Δ2| after the pump for several v, and their spectra.

Set-up in _krull.py.  Expect ω_L in the φ_L spectrum, ω_H1 = 2Δ1∞ in |Δ1|, ω_H2 = 2Δ2∞ in |Δ2|,
and ω_L (with harmonics) in both amplitudes through the Higgs-Leggett coupling.
"""

import matplotlib.pyplot as plt
import numpy as np
from _common import parse
from _krull import A0_DEFAULT, label_fig2, plot_fig2, run_batch

import jaxhiggs as jh
from jaxhiggs import units

args = parse(__doc__)
n = 1500 if args.quick else 3000
vs = [0.02, 0.05, 0.1] if args.quick else [0.01, 0.02, 0.05, 0.1, 0.2]
times = np.linspace(0.0, 10.0 if args.quick else 20.0, 4001)
gaps = run_batch(vs, [A0_DEFAULT] * len(vs), n, times)
after = times > 3.0
fig, ax = plt.subplots(2, 3, figsize=(13, 6.5))
for k, v in enumerate(vs):
    phi = plot_fig2(ax, times, after, gaps[k], f"v = {v}")
    f_l = jh.spectra.dominant_frequency(times[after], phi[after], fmax=units.mev_to_thz(5.9))
    print(f"v = {v}: ω_L = {units.thz_to_mev(f_l):.3f} meV, |Δ1|∞ = {np.abs(gaps[k, after, 0]).mean():.3f}, "
          f"|Δ2|∞ = {np.abs(gaps[k, after, 1]).mean():.3f} meV")
label_fig2(ax, 3.0)
fig.suptitle(f"Krull et al. Fig. 2 analogue: clean pseudospins (q = 0), MgB₂-like, N = {n}, |A0| = {A0_DEFAULT:g} V·s/m"
             + (" — quick" if args.quick else ""))
fig.tight_layout()
fig.savefig(args.out / "krull_fig2.png", dpi=120)
