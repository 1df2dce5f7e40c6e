"""Krull et al. Fig. 3 with the finite-momentum density matrix: the non-equilibrium Leggett frequency ω_L vs v.

Model and pump as in krull_finite_q_fig2.py (FiniteMomentum, n_max = 4, ħω0 = 8 meV, FWHM 0.4 ps,
|A0| = 5 × 10⁻⁹ V·s/m by default, --a0= to change).  For each v: ω_L = the strongest line of the φ1 − φ2 spectrum
below 2|Δ2|∞ + 1 meV, the lower Higgs line ω_H2 = 2|Δ2|∞, and the equilibrium Leggett frequency of Krull's eq. 2 on
the same grid.  Krull: ω_L follows eq. 2 at small v and is pushed below ω_H2 (the continuum edge) at larger v.

--quick: the Fig. 2 quick grid (dk = 8e-3 nm⁻¹, 2 lines), 7 ps, v = 0.02, 0.05, 0.1, 0.2 (minutes on 2 cores; the
frequency resolution of the 5 ps after the pump is ≈ 0.8 meV before peak refinement).
Full: dk = 2e-3 nm⁻¹, 8 lines, 25 ps, 12 values of v in [0.005, 0.3] (a GPU run).
"""

import sys

import matplotlib.pyplot as plt
import numpy as np

sys.argv, _a0 = [a for a in sys.argv if not a.startswith("--a0=")], [a for a in sys.argv if a.startswith("--a0=")]
from _common import parse  # noqa: E402
from _krull import SIGMA_PS  # noqa: E402

import jaxhiggs as jh  # noqa: E402
from jaxhiggs import units  # noqa: E402

args = parse(__doc__)
A0 = float(_a0[0].split("=", 1)[1]) if _a0 else 5e-9
grid = dict(dk=8e-3, n_lines=2) if args.quick else dict(dk=2e-3, n_lines=8)
vs = [0.02, 0.05, 0.1, 0.2] if args.quick else list(np.geomspace(0.005, 0.3, 12))
t_end, center = (7.0, 1.0) if args.quick else (25.0, 1.5)
times = np.linspace(0.0, t_end, int(100 * t_end) + 1)
pump = jh.GaussianPulse.from_vector_potential(2 * A0, units.mev_to_thz(8.0), SIGMA_PS, center)
after = times > center + 1.0

rows = []
for v in vs:
    model = jh.models.FiniteMomentum(jh.materials.mgb2(v=v), n_max=4, **grid)
    res = jh.simulate(model, pump, times, solver=jh.solvers.ExponentialRK4(), rtol=1e-6, atol=1e-9)
    gaps = np.asarray(res.gap)
    phi = np.unwrap(np.angle(gaps[:, 0] * np.conj(gaps[:, 1])))
    d2 = float(np.abs(gaps[after, 1]).mean())
    f_l = jh.spectra.dominant_frequency(times[after], phi[after], fmax=units.mev_to_thz(2 * d2 + 1.0))
    u, dos = np.asarray(model.equilibrium.couplings), np.asarray(model.material.dos)
    eq2 = 2 * np.sqrt(7.0 * 3.0 * u[0, 1] / np.linalg.det(u) * (1 / dos[0] + 1 / dos[1]))
    rows.append((v, float(units.thz_to_mev(f_l)), 2 * d2, eq2))
    print(f"v = {v:.4g}: ω_L = {rows[-1][1]:.3f} meV, ω_H2 = 2|Δ2|∞ = {2 * d2:.3f} meV, eq. 2: {eq2:.3f} meV, "
          f"{int(res.num_steps)} steps")
v, w_l, w_h2, w_eq = np.asarray(rows).T
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(v, w_l, "o", mfc="none", label="ω_L (φ1 − φ2 spectrum)")
ax.plot(v, w_h2, "--", color="grey", label="ω_H2 = 2|Δ2|∞")
ax.plot(v, w_eq, "-", label="eq. 2 (equilibrium)")
ax.set(xlabel="v", ylabel="ħω (meV)", ylim=(0, 10), title=f"Krull Fig. 3, finite q₀ (|A0| = {A0:g} V·s/m)")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(args.out / "krull_finite_q_fig3.png", dpi=120)
