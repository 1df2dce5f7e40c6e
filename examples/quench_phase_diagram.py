"""Quench phase diagram of the BCS model (C3): phases I, II, III vs r = Δ0i/Δ0f.

Δ0f = 1 meV, ω_D = 30 meV (60 for r > 3), N_e = 3000.  Left: |Δ(t)| for one r per phase; right:
the late-time mean of |Δ| vs r against the exact Lax-root Δ∞ of phase II.
"""

import diffrax
import matplotlib.pyplot as plt
import numpy as np
from _common import parse, steps
from scipy.optimize import brentq

import jaxhiggs as jh
from jaxhiggs import units

args = parse(__doc__)
hbar = units.HBAR_MEV_PS


def run(r, t_max=90.0):
    wd = 60.0 if r > 3 else 30.0
    model = jh.models.CleanPseudospin(jh.materials.single_band(r, wd), 3000)
    times = np.linspace(0, t_max, int(20 * t_max) + 1) * hbar
    res = jh.simulate(model, jh.Quench(final_gap=1.0), times, solver=diffrax.Dopri8(), rtol=1e-7, atol=1e-10)
    return np.asarray(res.times) / hbar, np.abs(np.asarray(res.gap[:, 0]))


def delta_inf_exact(r):
    def f_minus(y):
        return -np.sqrt((1 - y) / (1 + y)) * np.arccos(y) if y < 1 else np.sqrt((y - 1) / (y + 1)) * np.arccosh(y)

    return r * brentq(lambda y: f_minus(y) - np.log(1 / r), 1e-12, 1e3)


ratios = [0.25, 0.5, 2.0, 3.0] if args.quick else [0.25, 0.4, 0.5, 0.8, 1.25, 2.0, 3.0, 4.0]
fig, (a, b) = plt.subplots(1, 2, figsize=(11, 3.8))
for r, label in steps([(8.0, "I: r = 8"), (2.0, "II: r = 2"), (0.1, "III: r = 0.1")], "three phases", args):
    t, g = run(r, 40.0 if r > 3 else 90.0)
    a.plot(t, g, lw=0.8, label=label)
a.set(xlabel="t Δ0f/ħ (dimensionless; Δ0f = 1 meV)", ylabel="|Δ| (meV)", title="three asymptotic phases")
a.legend()
means = []
bar = steps(ratios, "Δ∞ vs r", args)
for r in bar:
    t, g = run(r)
    means.append(g[t > 60].mean())
    bar.write(f"r = {r}: late mean |Δ| = {means[-1]:.5f}, exact Δ∞ = {delta_inf_exact(r):.5f}")
rr = np.linspace(0.22, 4.7, 200)
b.plot(rr, [delta_inf_exact(x) for x in rr], "k-", lw=1, label="exact Δ∞ (Lax roots)")
b.plot(ratios, means, "o", label="jaxhiggs")
for x in (np.exp(-np.pi / 2), np.exp(np.pi / 2)):
    b.axvline(x, color="grey", ls=":")
b.set(xlabel="r = Δ0i/Δ0f (dimensionless)", ylabel="Δ∞ (meV)", xscale="log", title="phase II")
b.xaxis.set_minor_formatter(plt.NullFormatter())  # minor log labels overlap
b.legend()
fig.suptitle("BCS interaction quench (clean pseudospins, N_e = 3000, Dopri8, rtol 1e-7), Δ0f = 1 meV"
             + (" — quick" if args.quick else ""))
fig.tight_layout()
fig.savefig(args.out / "quench_phase_diagram.png", dpi=120)
