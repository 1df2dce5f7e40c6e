"""Krull et al. Fig. 5 with the finite-momentum density matrix: tuning ω_H2 to ω_L with the pump fluence.

Model and pump as in krull_finite_q_fig2.py (FiniteMomentum, n_max = 4, ħω0 = 8 meV, FWHM τ = 0.4 ps, q₀ = 8e-3
nm⁻¹), v = 0.05.  For each |A0| (integrated intensity |A0|²τ): |Δ_i|∞, ω_H2 = 2|Δ2|∞, ω_L (φ1 − φ2 spectrum) and the
r.m.s. of the |Δ2| and φ1 − φ2 oscillations after the pump.  Krull: a stronger pump lowers ω_H2 until it meets ω_L,
where the oscillations are enhanced.

--quick: the Fig. 2 quick grid (dk = 5e-4 nm⁻¹, q₀ = 16 dk, 2 lines) with n_max = 4, 7 ps, |A0| = 1.6, 2.4, 3.0,
3.4, 3.8 × 10⁻⁹ V·s/m, around the crossing of ω_H2 and ω_L (about 2.2 min per amplitude on one CPU core).
Full: the Fig. 2 full grid, 13 ps (inside its recurrence time, 11.7 ps after the pump's half maximum),
16 amplitudes from 0.6 to 4 × 10⁻⁹ V·s/m (not run for this version).
"""

import matplotlib.pyplot as plt
import numpy as np
from _common import parse
from _krull import FINITE_Q_GRID, finite_q_solve, leggett_phase

import jaxhiggs as jh
from jaxhiggs import units

args = parse(__doc__)
grid = FINITE_Q_GRID[args.quick]
a0s = [1.6e-9, 2.4e-9, 3.0e-9, 3.4e-9, 3.8e-9] if args.quick else list(np.linspace(0.6e-9, 4e-9, 16))
t_end, center = (7.0, 1.0) if args.quick else (13.0, 1.5)  # inside the rows' recurrence time
times = np.linspace(0.0, t_end, int(100 * t_end) + 1)
after = times > center + 1.0
model = jh.models.FiniteMomentum(jh.materials.mgb2(v=0.05), n_max=4, **grid)

rows = []
for a0 in a0s:
    res = finite_q_solve(model, a0, center, times)
    gaps = np.asarray(res.gap)
    phi = leggett_phase(gaps)
    mod = np.abs(gaps[after])
    f_l = jh.spectra.dominant_frequency(times[after], phi[after], fmax=units.mev_to_thz(2 * mod[:, 1].mean() + 1.0))
    fluence = a0**2 * 0.4  # |A0|² τ in (V·s/m)² ps
    rows.append((fluence, 2 * mod[:, 1].mean(), float(units.thz_to_mev(f_l)), mod[:, 1].std(), phi[after].std()))
    print(f"|A0| = {a0:.3g} V·s/m (|A0|²τ = {fluence:.3g}): |Δ|∞ = {mod.mean(axis=0).round(3)} meV, "
          f"ω_H2 = {rows[-1][1]:.3f}, ω_L = {rows[-1][2]:.3f} meV; rms |Δ2| = {rows[-1][3]:.2e} meV, "
          f"rms φ_L = {rows[-1][4]:.2e} rad; Σ‖ρ_4‖²/Σ‖ρ_1‖² = {float(res['harmonics'][-1][8] / res['harmonics'][-1][5]):.2e}")
f, w_h2, w_l, amp_d2, amp_phi = np.asarray(rows).T
fig, ax = plt.subplots(1, 2, figsize=(10, 4))
ax[0].plot(f, w_h2, "s-", label="ω_H2 = 2|Δ2|∞")
ax[0].plot(f, w_l, "o-", label="ω_L")
ax[0].set(xlabel="|A0|²τ ((V·s/m)² ps)", ylabel="ħω (meV)", title="mode frequencies")
ax[1].plot(f, amp_d2 / amp_d2[0], "s-", label="rms |Δ2| (relative)")
ax[1].plot(f, amp_phi / amp_phi[0], "o-", label="rms φ1 − φ2 (relative)")
ax[1].set(xlabel="|A0|²τ ((V·s/m)² ps)", ylabel="rms / rms at the weakest pump (dimensionless)", yscale="log",
          title=f"oscillation strength after t = {center + 1.0:g} ps")
for a in ax:
    a.legend(fontsize=8)
fig.suptitle(f"Krull Fig. 5, finite q₀ = {model.shell.q0:g} nm⁻¹ (n_max = 4, dk = {grid['dk']:g} nm⁻¹, {grid['n_lines']} k_y lines): fluence "
             "tuning at v = 0.05" + (" — quick" if args.quick else ""))
fig.tight_layout()
fig.savefig(args.out / "krull_finite_q_fig5.png", dpi=120)
