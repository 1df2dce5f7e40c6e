"""Plain NumPy/SciPy reference for the Schmid–Higgs χ⁻¹(ω) with pair breaking (spec §S.2–S.4).

Independent of the JAX code path: numpy.roots for the quartic, brentq for the in-gap
branch, scipy.integrate.quad over the *whole* real ε axis (no evenness assumed) with
the kinks passed as break points.  Slow (≈0.1–1 s per ω); used only in tests/benchmarks.
Units: ω, Δ, Γ in meV; result dimensionless.  T = 0 only.
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, optimize


def _s(u):
    u = complex(u.real, max(u.imag, 0.0))  # retarded: upper lip of the cut
    return np.sqrt(u - 1) * np.sqrt(u + 1)


def green_functions_np(eps: float, gap: float, gam: float) -> tuple[complex, complex]:
    """Retarded (G, F) of §S.2 at one real ε (meV)."""
    x, z = abs(eps) / gap, gam / gap
    if z < 1 and x < (1 - z ** (2 / 3)) ** 1.5:
        us = np.sqrt(1 - z ** (2 / 3))
        if x == 0:
            u = 0.0
        else:
            u = optimize.brentq(lambda v: v * (1 - z / np.sqrt(1 - v * v)) - x, 0.0, us, xtol=1e-15, rtol=1e-15)
        u = complex(min(u, us), 0.0)
    else:
        r = np.roots([1, -2 * x, x * x - 1 + z * z, 2 * x, -x * x])
        u = r[np.argmax(r.imag)]
        for _ in range(4):
            s = _s(u)
            u = u - (u - 1j * z * u / s - x) / (1 + 1j * z / s**3)
    s = _s(u)
    g, f = u / s, 1 / s
    if eps < 0:
        g, f = np.conj(g), -np.conj(f)
    return g, f


def _integrand(eps, omega, gap, gam):
    gp, fp = green_functions_np(eps + omega / 2, gap, gam)
    gm, fm = green_functions_np(eps - omega / 2, gap, gam)
    g0, f0 = green_functions_np(eps, gap, gam)

    def d(gx, fx, gy, fy):
        c = -(fx - fy) / omega
        return (gx + gy + 2 * (gap - 0.5j * gam * (fx + fy)) * c) / (2 * (eps + 0.5j * gam * (gx + gy)))

    drr = d(gp, fp, gm, fm)
    daa = d(-np.conj(gp), -np.conj(fp), -np.conj(gm), -np.conj(fm))
    dra = d(gp, fp, -np.conj(gm), -np.conj(fm))
    tp, tm, t0 = np.sign(eps + omega / 2), np.sign(eps - omega / 2), np.sign(eps)
    return f0.real * t0 / (2 * gap) - 0.25 * (drr * tm - tp * daa + dra * (tp - tm))


def schmid_higgs_inverse_reference(omega: float, gap: float, gam: float, cutoff: float = 4000.0) -> complex:
    """χ⁻¹(ω) of the boxed §S.4 equation (T = 0, Γ > 0, ω > 0), by adaptive quadrature.

    ``cutoff`` (units of Δ): ∫ is over |ε| < cutoff·Δ plus the analytic ε⁻³ tail
    estimate from the last point; the integrand decays as ε⁻³ (§S.4).
    """
    eg = gap * (1 - (gam / gap) ** (2 / 3)) ** 1.5 if gam < gap else 0.0
    h = omega / 2
    pts = sorted({p for p in (0.0, eg, gap, abs(h - eg), abs(h - gap), h, h + eg, h + gap) if p >= 0})
    pts = [p for p in pts]
    far = [h + gap * k for k in (2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048)]
    edges = sorted(set(pts + [p for p in far if p < cutoff * gap])) + [cutoff * gap]
    total = 0.0 + 0.0j
    for sign in (1.0, -1.0):  # both half-axes, evenness not assumed
        for a, b in zip(edges[:-1], edges[1:]):
            if b <= a:
                continue
            for part in (np.real, np.imag):
                val, _ = integrate.quad(lambda e: part(_integrand(sign * e, omega, gap, gam)), a, b,
                                        limit=200, epsabs=1e-12, epsrel=1e-10)
                total += val if part is np.real else 1j * val
    # tail: integrand ≈ A ε⁻³ ⇒ ∫_E^∞ = A/(2E²) = I(E)·E/2 on each side
    e = cutoff * gap
    total += 0.5 * e * (_integrand(e, omega, gap, gam) + _integrand(-e, omega, gap, gam))
    return complex(total)


def _matsubara_angle(w: float, gap: float, gam: float) -> float:
    """θ(ω) ∈ (0, π/2) of the static Usadel equation on the Matsubara axis, ω sinθ − Δ cosθ + Γ sinθ cosθ = 0.

    The same equilibrium as §S.2 continued to ε = iω (G = cos θ, F = −i sin θ there).
    """
    return optimize.brentq(lambda t: w * np.sin(t) - gap * np.cos(t) + gam * np.sin(t) * np.cos(t),
                           0.0, 0.5 * np.pi, xtol=1e-15)


def static_inverse_susceptibility_matsubara(gap: float, gam: float, diffusion_energy: float = 0.0) -> float:
    """χ⁻¹(ω = 0, q) at T = 0 from the static Usadel equation on the Matsubara axis (an independent route).

    Linearising (ħD/2)∂²θ − ω sinθ + Δ(x) cosθ − Γ sinθ cosθ = 0 about the homogeneous state for
    Δ(x) = Δ + δΔ cos qx gives δθ = δΔ cosθ/(ħDq²/2 + ω cosθ + Δ sinθ + Γ cos 2θ); the gap equation
    Δ = λ∫₀^{ω_D} dω sinθ then gives, per unit DOS and with 1/λ eliminated,

        χ⁻¹(0, q) = ∫₀^∞ dω [sinθ/Δ − cos²θ/(ħDq²/2 + ω cosθ + Δ sinθ + Γ cos 2θ)].

    The integrand falls as ħDq²/(2ω²) (taken analytically beyond 3·10⁵ Δ).  Units: meV; result
    dimensionless.  At Γ = 0: 1 + πħDq²/(8Δ) + O(q⁴).
    """
    def integrand(w):
        t = _matsubara_angle(w, gap, gam)
        s, c = np.sin(t), np.cos(t)
        return s / gap - c * c / (0.5 * diffusion_energy + w * c + gap * s + gam * np.cos(2 * t))

    edges = [0.0] + [gap * k for k in (0.1, 1.0, 4.0, 30.0, 300.0, 3e3, 3e4, 3e5)]
    total = sum(integrate.quad(integrand, a, b, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
                for a, b in zip(edges[:-1], edges[1:]))
    return total + 0.5 * diffusion_energy / edges[-1]
