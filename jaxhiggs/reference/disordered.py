"""Plain NumPy/SciPy twin of the disordered pseudospins (Dzero eqs. 9–10; docs/models/disordered-pseudospin.md).

Clean initial state, one band, constant DOS, T = 0, a quench Δ0 → Δ1 at t = 0, written in the S = 2s
convention of the docs page and independent of the JAX code path (direct O(N²) principal values,
``brentq`` for the clean asymptotic gap, ``solve_ivp`` for the dynamics):

    dS^x/dt = −2ε S^y + ε/(τΔ_s) ℓ^y
    dS^y/dt =  2ε S^x + 2Δ S^z + ε/(τ_m E)(𝒲 − cos θ) − (2/τ_s) ℓ^z − ε/(τΔ_s) ℓ^x
    dS^z/dt = −2Δ S^y + (2/τ_s) ℓ^y,            Δ = U h Σ_p S^x_p / 2   (real, eq. 10).

Optionally a coupling pulse on top of the quench: the final coupling is multiplied by 1 + a g(t) with
g = exp(−(t−t₀)²/2τ²) (``shape="gaussian"``) or [1 + erf((t−t₀)/√2τ)]/2 (``"step"``), the sources unchanged.

Units: energies and rates (ħ/τ) in meV, times in ħ/meV.  Slow (O(N²) set-up); tests only.
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, optimize, special


def _principal_value(f):
    """P[f]_p = Σ_{q≠p} f_q/(p − q) on a uniform grid (the spacing cancels)."""
    n = f.size
    d = np.arange(n)[:, None] - np.arange(n)[None, :]
    inv = np.zeros((n, n))
    np.divide(1.0, d, out=inv, where=d != 0)
    return inv @ f


def _asymptotic_gap(d0, d1):
    """Clean phase-II gap Δ_s of the quench Δ0 → Δ1: ln(Δ1/Δ0) = f₋(Δ_s/Δ0) (weak coupling)."""
    def f_minus(y):
        if y < 1.0:
            return -np.sqrt((1 - y) / (1 + y)) * np.arccos(y)
        return np.sqrt((y - 1) / (y + 1)) * np.arccosh(y)
    return d0 * optimize.brentq(lambda y: f_minus(y) - np.log(d1 / d0), 1e-6, 1e3, xtol=1e-15, rtol=1e-15)


def _profile(t, center, width, shape):
    s = (t - center) / width
    return 0.5 * (1.0 + special.erf(s / np.sqrt(2.0))) if shape == "step" else np.exp(-0.5 * s * s)


def simulate(gap_initial, gap_final, omega_d, n, t_eval, magnetic_rate=0.0, potential_rate=0.0,
             rtol=1e-10, atol=1e-12, method="DOP853", pulse=None):
    """Δ(t) (complex pair amplitude U(t) h Σ (S^x − iS^y)/2, meV) at ``t_eval`` (ħ/meV, from 0 = the quench).

    ``pulse`` = (a, t₀, τ, shape) in ħ/meV: U(t) = U_f·(1 + a g(t)) (None: no pulse).
    """
    def coupling(t):
        return u_f if pulse is None else u_f * (1.0 + pulse[0] * _profile(t, *pulse[1:]))

    h = 2.0 * omega_d / n
    eps = -omega_d + (np.arange(n) + 0.5) * h
    e0 = np.sqrt(eps**2 + gap_initial**2)
    u_i = 1.0 / np.sum(h / (2.0 * e0))
    u_f = 1.0 / np.sum(h / (2.0 * np.sqrt(eps**2 + gap_final**2)))
    beta = 1.0 / u_f - 1.0 / u_i                       # 1/λ_f − 1/λ_i (ν = 1)
    gap_s = _asymptotic_gap(gap_initial, gap_final)
    e_s = np.sqrt(eps**2 + gap_s**2)
    # cone angle θ_p (SM eq. 77 completed, docs §4)
    sin0, cos0 = gap_initial / e0, eps / e0
    a0 = 2.0 / u_f + _principal_value(cos0)
    b0 = _principal_value(sin0)
    g0 = np.pi**2 + a0**2 + b0**2
    x = 4.0 * np.pi * beta * sin0
    sin2 = (g0 - np.sqrt(g0**2 - x**2)) / (2.0 * np.pi**2)
    sin_t = np.sign(eps * (gap_initial - gap_s)) * np.sqrt(sin2)
    cos_t = np.sqrt(1.0 - sin2)
    # weight 𝒲_p (docs §5): w(Δ_s) + Δ_s E_p P[(cos θ − 1)/E_s]/(π ε_p)
    w_eq = 2.0 * gap_s / (np.pi * eps) * np.arcsinh(eps / gap_s)
    weight = w_eq + gap_s * e_s * _principal_value((cos_t - 1.0) / e_s) / (np.pi * eps)
    inv_ts, inv_tu = magnetic_rate, potential_rate
    inv_t, inv_tm = inv_ts + inv_tu, inv_ts - inv_tu
    static = eps * inv_tm / e_s * (weight - cos_t)

    def rhs(t, y):
        sx, sy, sz = y.reshape(3, n)
        delta = 0.5 * coupling(t) * h * np.sum(sx)
        phi = 2.0 * e_s * t
        lx = gap_s / e_s * cos_t + eps / e_s * sin_t * np.cos(phi)
        ly = sin_t * np.sin(phi)
        lz = -eps / e_s * cos_t + gap_s / e_s * sin_t * np.cos(phi)
        k = eps * inv_t / gap_s
        return np.concatenate([
            -2.0 * eps * sy + k * ly,
            2.0 * eps * sx + 2.0 * delta * sz + static - 2.0 * inv_ts * lz - k * lx,
            -2.0 * delta * sy + 2.0 * inv_ts * ly,
        ])

    y0 = np.concatenate([gap_initial / e0, np.zeros(n), -eps / e0])
    # a step-limited solve: the pulse's scale τ may be far below the quench's time scales
    max_step = np.inf if pulse is None else 0.5 * pulse[2]
    sol = integrate.solve_ivp(rhs, (t_eval[0], t_eval[-1]), y0, t_eval=t_eval, method=method, rtol=rtol, atol=atol,
                              max_step=max_step)
    if not sol.success:
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    s = sol.y.reshape(3, n, -1)
    return 0.5 * coupling(np.asarray(t_eval)) * h * np.sum(s[0] - 1j * s[1], axis=0)
