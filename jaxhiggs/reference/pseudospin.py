"""Clean multiband pseudospins in NumPy + ``scipy.integrate.solve_ivp`` (pseudospin-clean.md §3–4).

Energy-grid representation only: midpoint grid on [−ω_D, ω_D], constant DOS N_i,
b = (−2 Re Δ_i, 2 Im Δ_i, 2ξ + 2κ s_i e²A²/2m_i), Δ_i = Σ_j U_ij N_j h Σ_n (s^x − i s^y).
Units: meV, ħ/meV; ``vector_potential`` is a callable of internal time returning V·s/m.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from .. import units


def midpoint_grid(omega_d: float, n: int):
    h = 2.0 * omega_d / n
    return -omega_d + (np.arange(n) + 0.5) * h, h


def couplings(target_gaps, v, dos, xi, h):
    """U from T = 0 targets with U_ij = v U_11 (i ≠ j), as in §3.3 (explicit)."""
    gaps = np.asarray(target_gaps, float)
    k = np.array([dos[j] * h * np.sum(1.0 / (2.0 * np.sqrt(xi**2 + gaps[j] ** 2))) for j in range(gaps.size)])
    kd = k * gaps
    nb = gaps.size
    u = np.zeros((nb, nb))
    u11 = gaps[0] / (kd[0] + v * (kd.sum() - kd[0]))
    for i in range(nb):
        for j in range(nb):
            if i != j:
                u[i, j] = v * u11
    u[0, 0] = u11
    for i in range(1, nb):
        u[i, i] = (gaps[i] - v * u11 * (kd.sum() - kd[i])) / kd[i]
    return u


def simulate(target_gaps, v, omega_d, n, t_eval, dos=None, signs=None, masses=None, vector_potential=None,
             final_gaps=None, diamagnetic_factor=1.0, rtol=1e-10, atol=1e-12, method="DOP853"):
    """Integrate the T = 0 pseudospins; return Δ_i(t) (complex, meV) at ``t_eval`` (ħ/meV).

    ``final_gaps``: quench at t = t_eval[0] to the couplings whose ground state has these gaps.
    """
    gaps = np.asarray(target_gaps, float)
    nb = gaps.size
    dos = np.ones(nb) if dos is None else np.asarray(dos, float)
    signs = np.ones(nb) if signs is None else np.asarray(signs, float)
    masses = np.ones(nb) if masses is None else np.asarray(masses, float)
    xi, h = midpoint_grid(omega_d, n)
    u = couplings(gaps, v, dos, xi, h)
    u_run = u if final_gaps is None else couplings(final_gaps, v, dos, xi, h)
    energy = np.sqrt(xi[None, :] ** 2 + gaps[:, None] ** 2)
    s0 = np.stack([gaps[:, None] / (2 * energy), np.zeros_like(energy), -xi[None, :] / (2 * energy)])
    dia = diamagnetic_factor * signs * units.DIAMAGNETIC_MEV_PER_A2 / masses
    weight = dos * h

    def gap_of(s):
        p = weight * np.sum(s[0] - 1j * s[1], axis=1)
        return u_run @ p

    def rhs(t, y):
        s = y.reshape(3, nb, n)
        delta = gap_of(s)
        a = 0.0 if vector_potential is None else vector_potential(t)
        bx = -2.0 * delta.real[:, None]
        by = 2.0 * delta.imag[:, None]
        bz = 2.0 * (xi[None, :] + dia[:, None] * a**2)
        ds = np.empty_like(s)
        ds[0] = by * s[2] - bz * s[1]
        ds[1] = bz * s[0] - bx * s[2]
        ds[2] = bx * s[1] - by * s[0]
        return ds.ravel()

    sol = solve_ivp(rhs, (t_eval[0], t_eval[-1]), s0.ravel(), t_eval=t_eval, method=method, rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    return np.array([gap_of(sol.y[:, k].reshape(3, nb, n)) for k in range(sol.t.size)]), sol.nfev
