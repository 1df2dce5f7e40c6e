"""Krull et al. Fig. 2 with the finite-momentum density matrix: φ1 − φ2, |Δ1|, |Δ2| after the pump, and spectra.

Model: jaxhiggs.models.FiniteMomentum (docs/models/finite_momentum.md): ρ(k + nq₀, k), |n| ≤ 4, paramagnetic and
diamagnetic coupling to a travelling pump A_{±q₀} (Krull eq. 4–5; ħω0 = 8 meV, FWHM τ = 0.4 ps).  MgB2-like bands of
jaxhiggs.materials.mgb2 (Δ = 7, 3 meV, ω_c = 50 meV, masses, signs and ε_F of the Haenel scripts, since Krull does not
state them).  With these Fermi momenta the paramagnetic coupling e ħ k_F |A0|/m is ≈ 110 meV at Krull's
|A0| = 10⁻⁷ V·s/m: the gaps collapse and |n| ≤ 4 is not converged (notes/issue11-finite-momentum.md), so the default
amplitude is |A0| = 5 × 10⁻⁹ V·s/m (about 2–4 % gap suppression, the regime of Krull's Fig. 2); --a0 changes it.

--quick: dk = 8e-3 nm⁻¹, 2 k_y lines (80 + 196 shell points), 8 ps, v = 0.05, 0.1 — minutes on 2 cores, but a
coarse continuum (energy steps of several meV along the rows): mode frequencies to ~0.5 meV only.
Full: dk = 2e-3 nm⁻¹, 8 lines (1320 + 3380 shell points, 3.2 × 10⁵ complex numbers), 20 ps, v = 0.02 … 0.2
(a GPU run; not made for this version).
"""

import sys

import matplotlib.pyplot as plt
import numpy as np

sys.argv, _a0 = [a for a in sys.argv if not a.startswith("--a0=")], [a for a in sys.argv if a.startswith("--a0=")]
from _common import parse  # noqa: E402
from _krull import SIGMA_PS  # noqa: E402  (FWHM 0.4 ps as an r.m.s. width)

import jaxhiggs as jh  # noqa: E402
from jaxhiggs import units  # noqa: E402

args = parse(__doc__)
A0 = float(_a0[0].split("=", 1)[1]) if _a0 else 5e-9
grid = dict(dk=8e-3, n_lines=2) if args.quick else dict(dk=2e-3, n_lines=8)
vs = [0.05, 0.1] if args.quick else [0.02, 0.05, 0.1, 0.2]
t_end, center = (8.0, 1.0) if args.quick else (20.0, 1.5)
times = np.linspace(0.0, t_end, int(100 * t_end) + 1)
pump = jh.GaussianPulse.from_vector_potential(2 * A0, units.mev_to_thz(8.0), SIGMA_PS, center)
after = times > center + 1.0

fig, ax = plt.subplots(2, 3, figsize=(13, 6))
for v in vs:
    model = jh.models.FiniteMomentum(jh.materials.mgb2(v=v), n_max=4, **grid)
    res = jh.simulate(model, pump, times, solver=jh.solvers.ExponentialRK4(), rtol=1e-6, atol=1e-9)
    gaps = np.asarray(res.gap)
    phi = np.unwrap(np.angle(gaps[:, 0] * np.conj(gaps[:, 1])))
    series = [phi, np.abs(gaps[:, 0]), np.abs(gaps[:, 1])]
    for j, y in enumerate(series):
        ax[0, j].plot(times, y, lw=0.8, label=f"v = {v}")
        f, s = jh.spectra.fourier_transform(times[after], y[after] - y[after].mean())
        ax[1, j].plot(units.thz_to_mev(np.asarray(f)), np.abs(np.asarray(s)), lw=0.8, label=f"v = {v}")
    f_l = jh.spectra.dominant_frequency(times[after], phi[after], fmax=units.mev_to_thz(5.9))
    u, dos = np.asarray(model.equilibrium.couplings), np.asarray(model.material.dos)
    eq2 = 2 * np.sqrt(7.0 * 3.0 * u[0, 1] / np.linalg.det(u) * (1 / dos[0] + 1 / dos[1]))
    d_inf = np.abs(gaps[after]).mean(axis=0)
    harm = np.asarray(res["harmonics"][-1])
    print(f"v = {v}: N_k = {model.shell.n_shell().tolist()}, {int(res.num_steps)} steps; |Δ|∞ = {d_inf.round(3)} meV, "
          f"ω_H = 2|Δ|∞ = {(2 * d_inf).round(3)} meV, ω_L = {units.thz_to_mev(f_l):.3f} meV (eq. 2: {eq2:.3f}); "
          f"Σ‖ρ_n‖² for n = 0…4: {harm[4:].round(4)}; max BdG-norm drift {float(res['norm_drift'].max()):.1e}")
for j, name in enumerate(["φ1 − φ2 (rad)", "|Δ1| (meV)", "|Δ2| (meV)"]):
    ax[0, j].set(xlabel="t (ps)", ylabel=name)
    ax[1, j].set(xlabel="ħω (meV)", ylabel=f"|FT {name.split(' (')[0]}|", xlim=(0, 18), yscale="log")
ax[0, 0].legend(fontsize=8)
fig.suptitle(f"Krull et al. Fig. 2, finite-q₀ density matrix (|A0| = {A0:g} V·s/m)")
fig.tight_layout()
fig.savefig(args.out / "krull_finite_q_fig2.png", dpi=120)
