"""Krull et al. Fig. 5: tuning the collective modes with the pump fluence (|A0|² τ).

v = 0.05 (Fig. 5 uses a fixed v; ours is stated here), |A0| from 1 to 8 × 10⁻⁸ J s/(C m), one
vmapped solve.  Shows |Δ_i|∞ and the spectra of |Δ2| and φ_L vs integrated intensity.
"""

import matplotlib.pyplot as plt
import numpy as np
from _common import parse
from _krull import SIGMA_PS, leggett_phase, run_batch

import jaxhiggs as jh
from jaxhiggs import units

args = parse(__doc__)
n = 1500 if args.quick else 3000
a0 = np.linspace(1e-8, 8e-8, 5 if args.quick else 15)
times = np.linspace(0.0, 10.0 if args.quick else 20.0, 4001)
gaps = run_batch(np.full(a0.shape, 0.05), a0, n, times)
after = times > 3.0
intensity = a0**2 * SIGMA_PS * 2.3548 * 1e16  # |A0|² τ in 10⁻¹⁶ (J s/C m)² ps
fig, ax = plt.subplots(1, 3, figsize=(13, 4))
d_inf = np.abs(gaps[:, after, :]).mean(axis=1)
ax[0].plot(intensity, d_inf[:, 0], "o-", label="|Δ1|∞")
ax[0].plot(intensity, d_inf[:, 1], "s-", label="|Δ2|∞")
ax[0].set(xlabel="|A0|²τ (10⁻¹⁶ J²s²/C²m² · ps)", ylabel="asymptotic gap (meV)",
          title="|Δ_i| averaged over t > 3 ps")
ax[0].legend()
for j, (label, series) in enumerate(
    [("|Δ2|", np.abs(gaps[:, :, 1])), ("φ_L", leggett_phase(gaps))]
):
    spec = []
    for k in range(a0.size):
        f, s = jh.spectra.fourier_transform(times[after], series[k, after])
        spec.append(np.abs(np.asarray(s)))
    freq = units.thz_to_mev(np.asarray(f))
    sel = freq < 10
    mesh = ax[j + 1].pcolormesh(intensity, freq[sel], np.log(np.array(spec)[:, sel].T + 1e-12), shading="nearest",
                                cmap="YlOrRd")
    fig.colorbar(mesh, ax=ax[j + 1], label=f"ln |FT {label}| (arb. units)")
    ax[j + 1].plot(intensity, 2 * d_inf[:, 1], "k--", lw=0.8, label="2|Δ2|∞")
    ax[j + 1].set(xlabel="|A0|²τ (10⁻¹⁶ J²s²/C²m² · ps)", ylabel="ħω (meV)",
                  title=f"spectrum of {label} (t > 3 ps)")
    ax[j + 1].legend(fontsize=8)
fig.suptitle(f"Krull et al. Fig. 5 analogue: fluence tuning at v = 0.05 (clean pseudospins, q = 0, N = {n})"
             + (" — quick" if args.quick else ""))
fig.tight_layout()
fig.savefig(args.out / "krull_fig5.png", dpi=120)
for i, d in zip(intensity, d_inf):
    print(f"|A0|²τ = {i:6.2f}: |Δ1|∞ = {d[0]:.3f}, |Δ2|∞ = {d[1]:.3f} meV")
