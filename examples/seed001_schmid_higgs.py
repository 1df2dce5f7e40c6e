"""Seed 001 (Dzero & Kamenev) Figs. 2–4 analogues and an Abrikosov–Gor'kov panel.

    PYTHONPATH=. python examples/seed001_schmid_higgs.py --out examples/output/
Energies in units of Δ (Δ = 1 meV), times in 1/Δ.
"""

import argparse
import pathlib

import matplotlib

matplotlib.use("Agg")
import jax.numpy as jnp  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import jaxhiggs  # noqa: E402,F401
from jaxhiggs import pair_breaking as pb  # noqa: E402
from jaxhiggs import units  # noqa: E402
from jaxhiggs.response import schmid_higgs as sh  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="examples/output/")
    ap.add_argument("--quick", action="store_true", help="accepted for uniformity; this script is already quick (~40 s)")
    ap.add_argument("--no-progress", action="store_true", help="no progress bar (stderr)")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    from tqdm import tqdm

    bar = tqdm(total=3, desc="seed001 figures", unit="figure", disable=args.no_progress)  # count and ETA
    out.mkdir(parents=True, exist_ok=True)
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
    ax[0].set_title("Re χ⁻¹(ω)")
    ax[1].set_title("−Im χ⁻¹(ω)")
    ax[2].set_title("Im χ(ω) (dotted: 2ε_g)")
    ax[2].set_ylim(0, 4)
    for a in ax:
        a.set_xlabel("ω/Δ")
        a.legend()
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
            a.plot(tt, 2.5 / np.sqrt(tt), "k--", label="∝ t^{-1/2}")
        elif z < 1:
            fit = sh.fit_envelope(tp, c, units.internal_to_ps(40.0), units.internal_to_ps(120.0))
            a.set_title(f"ζ={z}: ω={fit.frequency:.3f}Δ (2ε_g={float(sh.threshold_frequency(gap, z)):.3f}), p={fit.exponent:.2f}")
        else:
            kap = 2 * (z ** (2 / 3) - 1) ** 1.5
            a.plot(tt, np.abs(c[300]) * np.exp(-kap * (tt - tt[300])), "k--", label="e^{−κt}")
            a.set_yscale("log")
            a.set_xlim(0, 60)
        a.set_xlabel("tΔ")
        a.legend()
    ax[0].set_title("ζ=0: χ(t)")
    fig.tight_layout()
    fig.savefig(out / "seed001_chi_time.png", dpi=110)
    bar.update()

    gam = np.linspace(0.0, 0.499, 120)
    ag = pb.abrikosov_gorkov(1.0, jnp.asarray(gam))
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    ax[0].plot(gam, ag.gap, label="Δ/Δ00")
    ax[0].plot(gam, ag.threshold, label="ε_g/Δ00")
    ax[0].set_xlabel("Γ/Δ00")
    ax[0].legend()
    e = jnp.linspace(0.0, 2.5, 400)
    for z in (0.0, 0.1, 0.5, 1.3):
        ax[1].plot(e, pb.density_of_states(e, 1.0, z), label=f"ζ={z}")
    ax[1].set_ylim(0, 4)
    ax[1].set_xlabel("ε/Δ")
    ax[1].set_title("DOS Re G^R")
    ax[1].legend()
    fig.tight_layout()
    fig.savefig(out / "seed001_ag.png", dpi=110)
    bar.update()
    bar.close()


if __name__ == "__main__":
    main()
