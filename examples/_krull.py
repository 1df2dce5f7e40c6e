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


def pump(a0=A0_DEFAULT, center=CENTER_PS):
    """Krull's pump with amplitude |A0| in V·s/m (peak A = 2|A0|), centred at ``center`` ps."""
    return jh.GaussianPulse.from_vector_potential(2 * a0, units.mev_to_thz(8.0), SIGMA_PS, center)


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


def equation_2(m):
    """Krull eq. 2 for a model ``m``: ω_L = 2 sqrt(Δ1Δ2 U12/det U (1/N1 + 1/N2)) in meV (equilibrium, small ω_L)."""
    u = np.asarray(m.equilibrium.couplings)
    n1, n2 = np.asarray(m.material.dos)
    return 2 * np.sqrt(7.0 * 3.0 * u[0, 1] / np.linalg.det(u) * (1 / n1 + 1 / n2))


def leggett_equation_2(v, n=3000):
    """Krull eq. 2 (:func:`equation_2`) for the clean pseudospin model at coupling ratio ``v``."""
    return equation_2(model(v, n))


def leggett_phase(gaps):
    """φ1 − φ2 (rad, unwrapped along time) of gaps (..., n_times, 2)."""
    return np.unwrap(np.angle(gaps[..., 0] * np.conj(gaps[..., 1])), axis=-1)


#: FiniteMomentum grids of the finite-q examples, both at q₀ = q0_steps·dk = 8e-3 nm⁻¹.  The pump's pair creation
#: is set by q₀ (docs/models/finite_momentum.md), the resolution of the quasiparticle continuum by the row spacing dk:
#: refining dk at fixed q₀ converges the dynamics (measured, v = 0.02, |A0| = 1e-9: |Δ|∞ equal to 1e-4 from
#: dk = 2e-3 on; the φ1 − φ2 spectrum free of discrete pair lines only from dk = 5e-4 on).  quick: 3172 + 1228 shell
#: points, ~100 s per 8 ps run on one CPU core; full: not run.
FINITE_Q_GRID = {True: dict(dk=5e-4, n_lines=2, q0_steps=16), False: dict(dk=2.5e-4, n_lines=4, q0_steps=32)}

#: |A0| (V·s/m) of the finite-q Fig. 2/3 scripts: a few per cent suppression of |Δ2| on these grids (5 % at v = 0.02).
A0_FINITE_Q = 1e-9


def finite_q_solve(model, a0, center, times):
    """The finite-q scripts' run: ``model`` (FiniteMomentum) under :func:`pump` (|A0| V·s/m, centre ps), saved at
    ``times`` (ps), the model's default solver (Tsit5) at rtol 1e-6, atol 1e-9."""
    return jh.simulate(model, pump(a0, center), times, rtol=1e-6, atol=1e-9)


def a0_option(parser, default=A0_FINITE_Q):
    """The finite-q scripts' ``--a0`` option (|A0| in V·s/m), for :func:`_common.parse`."""
    parser.add_argument("--a0", type=float, default=default,
                        help=f"pump amplitude |A0| in V·s/m (peak A = 2|A0|; default {default:g})")


def plot_fig2(ax, times, after, gaps, label):
    """One run's row of the Fig. 2 panels: φ1 − φ2, |Δ1|, |Δ2| (top) and their spectra after ``after`` (bottom).

    ``ax`` (2, 3) axes, ``times`` ps, ``after`` the boolean mask of the analysed tail, ``gaps`` (n_times, 2) complex meV.
    Returns φ1 − φ2 (rad).
    """
    phi = leggett_phase(gaps)
    for j, y in enumerate([phi, np.abs(gaps[:, 0]), np.abs(gaps[:, 1])]):
        ax[0, j].plot(times, y, lw=0.8, label=label)
        f, s = jh.spectra.fourier_transform(times[after], y[after])
        ax[1, j].plot(units.thz_to_mev(np.asarray(f)), np.abs(np.asarray(s)), lw=0.8, label=label)
    return phi


def label_fig2(ax, tail_start):
    """Axis labels (with units) of the Fig. 2 panels; spectra on a log scale over the visible lines."""
    for j, name in enumerate(["φ1 − φ2 (rad)", "|Δ1| (meV)", "|Δ2| (meV)"]):
        unit = name.split(" (")[1].rstrip(")")
        ax[0, j].set(xlabel="t (ps)", ylabel=name, title=f"{name.split(' (')[0]} after the pump")
        ax[1, j].set(xlabel="ħω (meV)", ylabel=f"|FT {name.split(' (')[0]}| ({unit}·ps)", xlim=(0, 18), yscale="log",
                     title=f"spectrum of t > {tail_start:g} ps")
        top = max(float(np.max(line.get_ydata()[line.get_xdata() <= 18])) for line in ax[1, j].get_lines())
        ax[1, j].set_ylim(top * 1e-6, top * 3)  # six decades below the strongest line: the noise floor is off-panel
    ax[0, 0].legend(fontsize=8)
