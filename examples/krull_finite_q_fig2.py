"""Krull et al. Fig. 2 with the finite-momentum density matrix: φ1 − φ2, |Δ1|, |Δ2| after the pump, and spectra.

Model: jaxhiggs.models.FiniteMomentum (docs/models/finite_momentum.md): ρ(k + nq₀, k), |n| ≤ n_max, paramagnetic and
diamagnetic coupling to a travelling pump A_{±q₀} (Krull eq. 4–5; ħω0 = 8 meV, FWHM τ = 0.4 ps).  MgB2-like bands of
jaxhiggs.materials.mgb2 (Δ = 7, 3 meV, ω_c = 50 meV, masses, signs and ε_F of the Haenel scripts, since Krull does not
state them).  The pump creates pairs at a rate set by the grid's q₀ (docs/models/finite_momentum.md), here
q₀ = 8e-3 nm⁻¹; the default |A0| = 1e-9 V·s/m suppresses |Δ2| by a few per cent (the regime of Krull's Fig. 2;
Krull's own |A0| = 10⁻⁷ would destroy both gaps on this grid); --a0 changes it.

--quick: dk = 5e-4 nm⁻¹ with q₀ = 16 dk, 2 k_y lines (3172 + 1228 shell points), n_max = 2, 7 ps, v = 0.05, 0.1 —
about 100 s per v on one CPU core.  At fixed q₀ this row spacing resolves the continuum well enough for the lines
(v = 0.02: |Δ|∞ as at dk = 1e-3 to 1e-4, the |Δ2| line at 2|Δ2|∞ within 0.05 meV; coarser rows add spurious
pair lines at 6–9 meV); n_max = 2 gives the same |Δ|∞ and ω_L as n_max = 4 to the printed digits.
Full: dk = 2.5e-4 nm⁻¹ with q₀ = 32 dk, 4 lines, n_max = 4, 13 ps, v = 0.02 … 0.2 (not run for this version).
Both windows end before the rows' recurrence time (FiniteMomentum.recurrence_time: 6.35 ps quick, 11.7 ps full,
counted from the pump's half maximum), after which the discrete rows revive the pair coherences.
"""

import matplotlib.pyplot as plt
import numpy as np
from _common import parse
from _krull import FINITE_Q_GRID, a0_option, equation_2, finite_q_solve, label_fig2, plot_fig2

import jaxhiggs as jh
from jaxhiggs import units

args = parse(__doc__, a0_option)
A0 = args.a0
grid = FINITE_Q_GRID[args.quick]
N_MAX = 2 if args.quick else 4
vs = [0.05, 0.1] if args.quick else [0.02, 0.05, 0.1, 0.2]
t_end, center = (7.0, 1.0) if args.quick else (13.0, 1.5)  # inside the rows' recurrence time
times = np.linspace(0.0, t_end, int(100 * t_end) + 1)
after = times > center + 1.0

fig, ax = plt.subplots(2, 3, figsize=(13, 6.5))
for v in vs:
    model = jh.models.FiniteMomentum(jh.materials.mgb2(v=v), n_max=N_MAX, **grid)
    res = finite_q_solve(model, A0, center, times)
    gaps = np.asarray(res.gap)
    phi = plot_fig2(ax, times, after, gaps, f"v = {v}")
    d_inf = np.abs(gaps[after]).mean(axis=0)
    f_l = jh.spectra.dominant_frequency(times[after], phi[after], fmax=units.mev_to_thz(2 * d_inf[1] + 1.0))
    harm = np.asarray(res["harmonics"][-1])
    print(f"v = {v}: N_k = {model.shell.n_shell().tolist()}, {int(res.num_steps)} steps; |Δ|∞ = {d_inf.round(3)} meV, "
          f"ω_H = 2|Δ|∞ = {(2 * d_inf).round(3)} meV, ω_L = {units.thz_to_mev(f_l):.3f} meV "
          f"(eq. 2: {equation_2(model):.3f}); Σ‖ρ_n‖² for n = 0…{N_MAX}: {harm[N_MAX:]}; "
          f"max BdG-norm drift {float(res['norm_drift'].max()):.1e}")
label_fig2(ax, center + 1.0)
fig.suptitle(f"Krull et al. Fig. 2, finite-q₀ density matrix (n_max = {N_MAX}, dk = {grid['dk']:g} nm⁻¹, q₀ = {model.shell.q0:g} nm⁻¹, "
             f"{grid['n_lines']} k_y lines), |A0| = {A0:g} V·s/m" + (" — quick" if args.quick else ""))
fig.tight_layout()
fig.savefig(args.out / "krull_finite_q_fig2.png", dpi=120)
