"""Seed 001 (Dzero & Kamenev) Figs. 2–4 analogues, an Abrikosov–Gor'kov panel and χ(ω, q) with diffusion.

    PYTHONPATH=. python examples/seed001_schmid_higgs.py --out examples/output/
Energies in units of Δ (Δ = 1 meV), times in 1/Δ.
"""

import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
from _common import parse
from tqdm import tqdm

from jaxhiggs import pair_breaking as pb
from jaxhiggs import units
from jaxhiggs.response import schmid_higgs as sh


def main():
    args = parse(__doc__)  # --quick is accepted for uniformity: this script is already quick (~40 s)
    out = args.out
    bar = tqdm(total=4, desc="seed001 figures", unit="figure", disable=not args.progress)  # count and ETA
    gap = 1.0
    zetas = (0.0, 0.1, 0.3, 0.6)
    w = jnp.linspace(0.005, 3.0, 240)
    fig, ax = plt.subplots(1, 3, figsize=(14, 4))
    for z in zetas:
        ci = np.asarray(sh.schmid_higgs_susceptibility(w, gap, z * gap))
        ax[0].plot(w, ci.real, label=f"ζ={z}")
        ax[1].plot(w, -ci.imag, label=f"ζ={z}")
        ax[2].plot(w, -ci.imag / np.abs(ci) ** 2, label=f"ζ={z}")
        if z > 0:
            ax[2].axvline(float(sh.threshold_frequency(gap, z)), ls=":", lw=0.8)
    ax[0].set(title="Re χ⁻¹(ω)", ylabel="Re χ⁻¹ (dimensionless, per unit DOS)")
    ax[1].set(title="−Im χ⁻¹(ω)", ylabel="−Im χ⁻¹ (dimensionless, per unit DOS)")
    ax[2].set(title="Im χ(ω) (dotted: 2ε_g)", ylabel="Im χ (dimensionless)", ylim=(0, 4))
    for a in ax:
        a.set_xlabel("ħω/Δ")
        a.legend()
    fig.suptitle("Seed 001: Schmid–Higgs susceptibility with pair breaking ζ = Γ/Δ (T = 0, Δ = 1 meV)")
    fig.tight_layout()
    fig.savefig(out / "seed001_chi_omega.png", dpi=110)
    bar.update()

    tt = np.linspace(1.0, 120.0, 2400)
    tp = units.internal_to_ps(tt)
    fig, ax = plt.subplots(1, 3, figsize=(14, 4))
    for a, z in zip(ax, (0.0, 0.3, 1.3)):
        c = sh.susceptibility_time_domain(tp, gap, z * gap)
        a.plot(tt, c, lw=0.8)
        if z == 0:
            a.plot(tt, 2.5 / np.sqrt(tt), "k--", label=r"∝ $t^{-1/2}$ (guide)")
        elif z < 1:
            fit = sh.fit_envelope(tp, c, units.internal_to_ps(40.0), units.internal_to_ps(120.0))
            a.set_title(f"ζ={z}: ω={fit.frequency:.3f}Δ (2ε_g={float(sh.threshold_frequency(gap, z)):.3f}), p={fit.exponent:.2f}")
        else:
            kap = 2 * (z ** (2 / 3) - 1) ** 1.5
            a.plot(tt, np.abs(c[300]) * np.exp(-kap * (tt - tt[300])), "k--", label=r"$e^{-\kappa t}$")
            a.set_yscale("log")
            a.set_xlim(0, 60)
        a.set(xlabel="tΔ/ħ", ylabel="χ(t) (Δ/ħ)")
        if a.get_legend_handles_labels()[0]:
            a.legend()
    ax[0].set_title(r"ζ=0: χ(t), envelope ∝ $t^{-1/2}$")
    ax[2].set_title("ζ=1.3 (gapless): exponential decay")
    fig.suptitle("Seed 001: Higgs response in time, χ(t) = (2/π)∫dω Im χ(ω) sin ωt (T = 0, Δ = 1 meV)")
    fig.tight_layout()
    fig.savefig(out / "seed001_chi_time.png", dpi=110)
    bar.update()

    gam = np.linspace(0.0, 0.499, 120)
    ag = pb.abrikosov_gorkov(1.0, jnp.asarray(gam))
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    ax[0].plot(gam, ag.gap, label="Δ/Δ00")
    ax[0].plot(gam, ag.threshold, label="ε_g/Δ00")
    ax[0].set(xlabel="Γ/Δ00", ylabel="energy / Δ00 (dimensionless)", title="Abrikosov–Gor'kov gap and spectral gap")
    ax[0].legend()
    e = jnp.linspace(0.0, 2.5, 400)
    for z in (0.0, 0.1, 0.5, 1.3):
        ax[1].plot(e, pb.density_of_states(e, 1.0, z), label=f"ζ={z}")
    ax[1].set_ylim(0, 4)
    ax[1].set(xlabel="ε/Δ", ylabel="ν(ε)/ν₀ (dimensionless)", title="quasiparticle DOS Re G^R(ε) vs ζ = Γ/Δ")
    fig.suptitle("Seed 001: pair breaking at T = 0")
    ax[1].legend()
    fig.tight_layout()
    fig.savefig(out / "seed001_ag.png", dpi=110)
    bar.update()

    # finite wave vector: the dirty-limit diffusion energy ħDq² (docs/models/schmid-higgs.md)
    z = 0.1
    wq = jnp.linspace(float(sh.threshold_frequency(gap, z)), 6.0, 160)
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for dq2 in (0.0, 0.1, 0.3, 1.0, 3.0):
        ci = np.asarray(sh.schmid_higgs_susceptibility(wq, gap, z * gap, diffusion_energy=dq2 * gap))
        ax[0].plot(wq, -ci.imag / np.abs(ci) ** 2, label=f"ħDq² = {dq2}Δ")
    dq2s = np.linspace(0.0, 3.0, 13)
    static = [float(sh.schmid_higgs_susceptibility(jnp.zeros(1), gap, z * gap, diffusion_energy=d)[0].real) for d in dq2s]
    ax[1].plot(dq2s, static, "o-", label=f"ζ = {z}")
    ax[1].plot(dq2s, 1 - np.pi * z / 4 + np.pi * dq2s / 8, "k--", lw=0.8, label="1 − πζ/4 + πħDq²/(8Δ) (small q, Γ → 0 slope)")
    ax[0].set(xlabel="ħω/Δ", ylabel="Im χ (dimensionless)", title=f"Im χ(ω, q), ζ = {z}: the peak moves up and broadens")
    ax[1].set(xlabel="ħDq²/Δ", ylabel="χ⁻¹(0, q) (dimensionless)", title="static stiffness of the amplitude")
    for a in ax:
        a.legend(fontsize=8)
    fig.suptitle("Seed 001 beyond q = 0: diffusion at wave vector q (T = 0, Δ = 1 meV)")
    fig.tight_layout()
    fig.savefig(out / "seed001_chi_q.png", dpi=110)
    bar.update()
    bar.close()


if __name__ == "__main__":
    main()
