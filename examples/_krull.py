"""Krull et al., Nat. Commun. 7, 11921 (2016) (seed 004): the MgB2-like set-up shared by the Fig. 2/3/5 scripts.

Δ = (7, 3) meV at T → 0, ω_c = 50 meV, V12 = v V1 with band 1 the 7 meV band (Krull's order,
``band_order="sigma-first"``).  Band masses, signs and Fermi energies are those the Haenel et al. scripts give
the same bands (7 meV: hole-like, 1.38 m_e, 0.7 eV; 3 meV: electron-like, 0.85 m_e, 2.9 eV); Krull does not
state them.  Krull does not state the densities of states either, and ω_L depends on them (eq. 2:
ω_L ∝ √(1/N1 + 1/N2) at small v): ``DOS`` below is an explicit assumption — the free-electron values of those
masses and Fermi energies, N2/N1 = 0.984 — change it to test the sensitivity.
Pump (Krull eq. 5, homogeneous q → 0 limit, pseudospin-clean.md §5.2): ħω0 = 8 meV, FWHM of the
amplitude envelope τ = 0.4 ps (r.m.s. σ = τ/2.3548), peak vector potential 2|A0|.  Krull's
|A0| = 10 × 10⁻⁸ J s/(C m) acts on these q = 0 pseudospins only through the diamagnetic shifts
δ1 − δ2 ≈ 6.6 meV, far into the non-linear regime; the q = 0 model reproduces mode frequencies,
not amplitudes (pseudospin-clean.md §7), so the figures use |A0| = 4 × 10⁻⁸ (``A0_DEFAULT``).
"""

A0_DEFAULT = 4e-8

import jax
import jax.numpy as jnp
import numpy as np

import jaxhiggs as jh
from jaxhiggs import units

SIGMA_PS = 0.4 / (2 * np.sqrt(2 * np.log(2)))
CENTER_PS = 1.5


def pump(a0=A0_DEFAULT):
    """Krull's pump with amplitude |A0| in V·s/m (peak A = 2|A0|)."""
    return jh.GaussianPulse.from_vector_potential(2 * a0, units.mev_to_thz(8.0), SIGMA_PS, CENTER_PS)


#: (N1, N2) per spin in states/(meV nm³) — an assumption (see the module docstring), not Krull's numbers.
DOS = (float(jh.material.free_electron_dos(1.38, 700.0)), float(jh.material.free_electron_dos(0.85, 2900.0)))


def model(v, n):
    return jh.models.CleanPseudospin(jh.materials.mgb2(v=v, band_order="sigma-first", dos=DOS), n)


def run_batch(vs, a0s, n, times):
    """Δ_i(t) for every (v, |A0|) pair, vmapped: one compiled solve for the whole batch."""
    t_int = units.ps_to_internal(jnp.asarray(times))
    opts = jh.SolverOptions(rtol=1e-8, atol=1e-11)

    def one(v, a0):
        obs, _, ok = jh.solve_raw(model(v, n), pump(a0), t_int, opts)
        return obs["gap"], ok

    gaps, ok = jax.jit(jax.vmap(one))(jnp.asarray(vs, dtype=float), jnp.asarray(a0s, dtype=float))
    if not bool(jnp.all(ok)):
        raise RuntimeError("a solve in the batch failed")
    return np.asarray(gaps)


def leggett_equation_2(v, n=3000):
    """Krull eq. 2: ω_L = 2 sqrt(Δ1Δ2 U12/det U (1/N1 + 1/N2)) in meV (equilibrium, small ω_L)."""
    m = model(v, n)
    u = np.asarray(m.equilibrium.couplings)
    n1, n2 = np.asarray(m.material.dos)
    return 2 * np.sqrt(7.0 * 3.0 * u[0, 1] / np.linalg.det(u) * (1 / n1 + 1 / n2))
