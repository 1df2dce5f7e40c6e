"""Krull et al. Fig. 3: spectrum of φ1 − φ2 vs v, the non-equilibrium ω_L, and equation (2).

One vmapped solve over all v values.  Also shown: the exact equilibrium condition of
analytic-checks.md C6 on the model's own grid and the continuum edge 2Δ2∞.
"""

import matplotlib.pyplot as plt
import numpy as np
from _common import parse
from _krull import A0_DEFAULT, leggett_equation_2, leggett_phase, model, run_batch
from scipy.optimize import brentq

import jaxhiggs as jh
from jaxhiggs import units

args = parse(__doc__)
n = 1500 if args.quick else 3000
vs = np.linspace(0.005, 0.3, 6 if args.quick else 24)
times = np.linspace(0.0, 10.0 if args.quick else 20.0, 4001)
gaps = run_batch(vs, np.full(vs.shape, A0_DEFAULT), n, times)
after = times > 3.0


def leggett_exact_on_grid(v):
    m = model(v, n)
    u = np.linalg.inv(np.asarray(m.equilibrium.couplings))
    xi, w = np.asarray(m.representation.energies), np.asarray(m.representation.weights)
    e = np.sqrt(xi**2 + np.array([7.0, 3.0])[:, None] ** 2)
    det = lambda om: np.linalg.det(u - np.diag(np.sum(w * 2 * e / (4 * e**2 - om**2), axis=1)))  # noqa: E731
    return brentq(det, 1e-3, 6.0 - 1e-6) if det(1e-3) * det(6.0 - 1e-6) < 0 else np.nan


spectra, w_l, edge = [], [], []
for k in range(vs.size):
    phi = leggett_phase(gaps[k])
    f, s = jh.spectra.fourier_transform(times[after], phi[after])
    spectra.append(np.abs(np.asarray(s)))
    w_l.append(units.thz_to_mev(jh.spectra.dominant_frequency(times[after], phi[after], fmax=units.mev_to_thz(8))))
    edge.append(2 * np.abs(gaps[k, after, 1]).mean())
freq = units.thz_to_mev(np.asarray(f))
fig, ax = plt.subplots(figsize=(7, 4.5))
sel = freq < 9
mesh = ax.pcolormesh(vs, freq[sel], np.log(np.array(spectra)[:, sel].T + 1e-12), shading="nearest", cmap="YlOrRd")
fig.colorbar(mesh, ax=ax, label="ln |FT φ_L| (arb. units)")
ax.plot(vs, w_l, "o", mfc="none", color="C0", label="non-equilibrium ω_L (peak)")
vv = np.linspace(0.002, 0.3, 80)
ax.plot(vv, [leggett_equation_2(x, n) for x in vv], "b-", label="Krull eq. (2)")
ax.plot(vs, [leggett_exact_on_grid(x) for x in vs], "g--", label="exact condition (C6)")
ax.plot(vs, edge, color="grey", ls="--", label="2Δ2∞")
ax.set(xlabel="v = V12/V1 (dimensionless)", ylabel="ħω (meV)", ylim=(0, 9),
       title=f"Krull et al. Fig. 3 analogue: clean pseudospins (q = 0),\nN = {n}, |A0| = {A0_DEFAULT:g} V·s/m, spectra of t > 3 ps"
             + (" — quick" if args.quick else ""))
ax.legend(fontsize=8, loc="lower right")
fig.tight_layout()
fig.savefig(args.out / "krull_fig3.png", dpi=120)
for v, w in zip(vs, w_l):
    print(f"v = {v:.3f}: ω_L = {w:.3f} meV, eq. (2) = {leggett_equation_2(v, n):.3f} meV")
