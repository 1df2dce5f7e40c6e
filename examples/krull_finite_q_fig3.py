"""Krull et al. Fig. 3 with the finite-momentum density matrix: the non-equilibrium Leggett frequency ω_L vs v.

Model and pump as in krull_finite_q_fig2.py (FiniteMomentum, ħω0 = 8 meV, FWHM 0.4 ps, q₀ = 8e-3 nm⁻¹,
|A0| = 1e-9 V·s/m by default, --a0= to change).  For each v: ω_L = the strongest line of the φ1 − φ2 spectrum
below 2|Δ2|∞ + 1 meV, the lower Higgs line ω_H2 = 2|Δ2|∞, and the equilibrium Leggett frequency of Krull's eq. 2 on
the same grid.  Krull: ω_L follows eq. 2 at small v and is pushed below ω_H2 (the continuum edge) at larger v.

--quick: the Fig. 2 quick grid (dk = 5e-4 nm⁻¹, q₀ = 16 dk, 2 lines, n_max = 2), 7 ps, v = 0.02, 0.05, 0.1, 0.2
(about 90 s per v on one CPU core; the 5 ps after the pump resolve ≈ 0.8 meV before peak refinement).
Full: the Fig. 2 full grid, 13 ps (inside its recurrence time, 11.7 ps after the pump's half maximum),
12 values of v in [0.005, 0.3] (not run for this version).
"""

import matplotlib.pyplot as plt
import numpy as np
from _common import parse
from _krull import FINITE_Q_GRID, a0_option, equation_2, finite_q_solve, leggett_phase

import jaxhiggs as jh
from jaxhiggs import units

args = parse(__doc__, a0_option)
A0 = args.a0
grid = FINITE_Q_GRID[args.quick]
N_MAX = 2 if args.quick else 4
vs = [0.02, 0.05, 0.1, 0.2] if args.quick else list(np.geomspace(0.005, 0.3, 12))
t_end, center = (7.0, 1.0) if args.quick else (13.0, 1.5)  # inside the rows' recurrence time
times = np.linspace(0.0, t_end, int(100 * t_end) + 1)
after = times > center + 1.0

rows = []
for v in vs:
    model = jh.models.FiniteMomentum(jh.materials.mgb2(v=v), n_max=N_MAX, **grid)
    res = finite_q_solve(model, A0, center, times)
    gaps = np.asarray(res.gap)
    phi = leggett_phase(gaps)
    d2 = float(np.abs(gaps[after, 1]).mean())
    f_l = jh.spectra.dominant_frequency(times[after], phi[after], fmax=units.mev_to_thz(2 * d2 + 1.0))
    eq2 = equation_2(model)
    rows.append((v, float(units.thz_to_mev(f_l)), 2 * d2, eq2))
    print(f"v = {v:.4g}: ω_L = {rows[-1][1]:.3f} meV, ω_H2 = 2|Δ2|∞ = {2 * d2:.3f} meV, eq. 2: {eq2:.3f} meV, "
          f"{int(res.num_steps)} steps")
v, w_l, w_h2, w_eq = np.asarray(rows).T
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(v, w_l, "o", mfc="none", label="ω_L (φ1 − φ2 spectrum)")
ax.plot(v, w_h2, "--", color="grey", label="ω_H2 = 2|Δ2|∞")
ax.plot(v, w_eq, "-", label="eq. 2 (equilibrium)")
ax.set(xlabel="v = V12/V1 (dimensionless)", ylabel="ħω (meV)", ylim=(0, 10),
       title=f"Krull Fig. 3, finite q₀ = {model.shell.q0:g} nm⁻¹, dk = {grid['dk']:g} nm⁻¹,\n"
             f"{grid['n_lines']} k_y lines, n_max = {N_MAX}, "
             f"|A0| = {A0:g} V·s/m" + (" — quick" if args.quick else ""))
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(args.out / "krull_finite_q_fig3.png", dpi=120)
