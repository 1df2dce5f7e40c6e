"""Seed 000 Fig. 2: linear σ′, σ″ of the MB model vs γ at 4 K and vs T, with Zimmermann curves.

Uses the model's own frequency-domain linear response (spec §3.2 + §4.2, η = 0.02Δ) on the NbN
window (ω_D = 20 meV, N_e = 800; quick: 200) and :func:`jaxhiggs.conductivity.zimmermann`.
"""

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

from _seed000_common import nbn, parse
import jaxhiggs as jh
from jaxhiggs import units
from jaxhiggs.conductivity import zimmermann
from jaxhiggs.models.mattis_bardeen import MattisBardeen

a = parse(__doc__)
n = 200 if a.quick else 800
gap4 = float(MattisBardeen(nbn(1.0), n, orders=1, check_grid=False).gaps[0])
w = jnp.linspace(0.2, 4.0, 40 if a.quick else 120) * gap4
fig, ax = plt.subplots(2, 2, figsize=(10, 7))
for x in (0.5, 1.0, 2.0, 20.0):
    m = MattisBardeen(nbn(2 * gap4 * x), n, orders=1, check_grid=False)
    s = np.asarray(m.linear_conductivity(w, 0.02 * gap4))
    z = np.asarray(jax.vmap(lambda v: zimmermann(v, gap4, 2 * gap4 * x, m.temperature))(w))
    l, = ax[0, 0].plot(units.mev_to_thz(w), s.real, label=f"γ/2Δ={x:g}")
    ax[0, 0].plot(units.mev_to_thz(w), z.real, "--", c=l.get_color())
    ax[0, 1].semilogy(units.mev_to_thz(w), s.imag, c=l.get_color())
    ax[0, 1].semilogy(units.mev_to_thz(w), z.imag, "--", c=l.get_color())
ax[0, 0].set(xlabel="ν (THz)", ylabel="σ′/σ₀ (dimensionless)",
             title="σ′ at 4 K vs γ (solid: model, dashed: Zimmermann)")
ax[0, 0].legend()
ax[0, 1].set(xlabel="ν (THz)", ylabel="σ″/σ₀ (dimensionless)", title="σ″ at 4 K vs γ (same colours)")
for tk in (2.0, 4.0, 6.0, 8.0):
    mat = jh.material.single_band(1.3, 20.0, tk, sign=1.0, mass=0.78, fermi_energy=1000.0, gamma=2 * gap4)
    m = MattisBardeen(mat, n, orders=1, check_grid=False)
    s = np.asarray(m.linear_conductivity(w, 0.02 * gap4))
    ax[1, 0].plot(units.mev_to_thz(w), s.real, label=f"T={tk:g} K (Δ={float(m.gaps[0]):.3f} meV)")
    ax[1, 1].semilogy(units.mev_to_thz(w), s.imag)
ax[1, 0].legend(fontsize=7)
ax[1, 0].set(xlabel="ν (THz)", ylabel="σ′/σ₀ (dimensionless)",
             title=f"σ′ vs temperature, γ = 2Δ(4 K) = {2 * gap4:.3f} meV")
ax[1, 1].set(xlabel="ν (THz)", ylabel="σ″/σ₀ (dimensionless)", title="σ″ vs temperature (same colours)")
fig.suptitle(f"Seed 000 Fig. 2: linear σ(ν) of the NbN Mattis–Bardeen model (σ₀: normal-state Drude σ(0)),\n"
             f"N_e = {n}, ω_D = 20 meV, η = 0.02Δ" + (" — quick" if a.quick else ""))
fig.tight_layout()
fig.savefig(f"{a.out}/seed000_fig2_conductivity.png", dpi=120)
