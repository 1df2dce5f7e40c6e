"""Plain NumPy/SciPy reference for the Schmid–Higgs χ⁻¹(ω) with pair breaking (spec §S.2–S.4).

Independent of the JAX code path: numpy.roots for the quartic, brentq for the in-gap
branch, scipy.integrate.quad over the *whole* real ε axis (no evenness assumed) with
the kinks passed as break points.  Slow (≈0.1–1 s per ω); used only in tests/benchmarks.
Units: ω, Δ, Γ in meV, temperature in K; result dimensionless.  The real-axis χ⁻¹(ω) is T = 0 only; the
static Matsubara-axis χ⁻¹(0, q, T) and the AG gap/T_c helpers take T > 0.
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, optimize, special

from jaxhiggs import units


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


def _matsubara_integral(f, gap: float, start: float = 0.0) -> float:
    """∫_start^∞ dω f(ω) for an f that falls as ω⁻² (quad on geometric panels to 3·10⁵ Δ, then f(E)·E)."""
    edges = [start] + [gap * k for k in (0.1, 1.0, 4.0, 30.0, 300.0, 3e3, 3e4, 3e5) if gap * k > start]
    total = sum(integrate.quad(f, a, b, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
                for a, b in zip(edges[:-1], edges[1:]))
    return total + f(edges[-1]) * edges[-1]  # f ≈ c/ω² beyond E: ∫_E^∞ = c/E = f(E)·E


def _matsubara_sum(f, gap: float, t_mev: float, e_switch: float = 200.0) -> float:
    """2πT Σ_{n≥0} f(ω_n), ω_n = πT(2n + 1) (the finite-T form of ∫₀^∞ dω f) for an f falling as ω⁻².

    The terms with ω_n < a ≈ ``e_switch``·Δ are summed one by one; the rest is the midpoint rule (nodes ω_n,
    width h = 2πT) on [a, ∞), by Euler–Maclaurin ∫_a^∞ f + (h²/24) f′(a) − (7h⁴/5760) f‴(a) + O(h⁶).
    f′ is a central difference; f‴ is taken from f ≈ c/ω² (−24 f(a)/a³), a term of ~1e-11 at a = 200 Δ,
    h ≲ Δ.  T in meV.
    """
    h = 2.0 * np.pi * t_mev
    n_exp = max(int(np.ceil(e_switch * gap / h)), 1)
    a = h * n_exp
    explicit = h * sum(f(h * (n + 0.5)) for n in range(n_exp))
    da = 1e-3 * a
    f1 = (f(a + da) - f(a - da)) / (2 * da)
    f3 = -24.0 * f(a) / a**3
    return explicit + _matsubara_integral(f, gap, a) + h * h / 24.0 * f1 - 7.0 * h**4 / 5760.0 * f3


def _matsubara_average(f, gap: float, temperature: float) -> float:
    """∫₀^∞ dω f at T = 0 K, its Matsubara sum 2πT Σ_{n≥0} f(ω_n) at T > 0 K."""
    if temperature < 0:
        raise ValueError(f"temperature = {temperature!r} K is not allowed: T must be >= 0 K")
    if temperature == 0:
        return _matsubara_integral(f, gap)
    return _matsubara_sum(f, gap, float(units.kelvin_to_mev(temperature)))


def static_inverse_susceptibility_matsubara(
    gap: float, gam: float, diffusion_energy: float = 0.0, temperature: float = 0.0
) -> float:
    """χ⁻¹(ω = 0, q, T) from the static Usadel equation on the Matsubara axis (an independent route).

    Linearising (ħD/2)∂²θ − ω sinθ + Δ(x) cosθ − Γ sinθ cosθ = 0 about the homogeneous state for
    Δ(x) = Δ + δΔ cos qx gives δθ = δΔ cosθ/(ħDq²/2 + ω cosθ + Δ sinθ + Γ cos 2θ); the gap equation
    Δ = 2πλT Σ_{n≥0} sinθ_n (T → 0: λ∫₀^{ω_D} dω sinθ) then gives, per unit DOS and with 1/λ eliminated by the
    same gap equation at the given (Δ, Γ, T),

        χ⁻¹(0, q, T) = 2πT Σ_{n≥0} k(ω_n),   k(ω) = sinθ/Δ − cos²θ/(ħDq²/2 + ω cosθ + Δ sinθ + Γ cos 2θ),

    with ω_n = πT(2n + 1); at T = 0 the sum is ∫₀^∞ dω k(ω).  k falls as ħDq²/(2ω²): beyond 3·10⁵ Δ it is
    taken analytically, and at T > 0 the sum beyond 200 Δ by Euler–Maclaurin (:func:`_matsubara_sum`).
    ``gap`` is the order parameter at this T; the real-axis formula makes the same elimination, so any
    Δ > 0 is the self-consistent gap of some clean gap Δ₀₀ (:func:`ag_gap_matsubara` gives Δ(Δ₀₀, Γ, T)).
    Units: Δ, Γ, ħDq² in meV, temperature in K; result dimensionless.  At Γ = T = 0: 1 + πħDq²/(8Δ) + O(q⁴).
    """
    def integrand(w):
        t = _matsubara_angle(w, gap, gam)
        s, c = np.sin(t), np.cos(t)
        return s / gap - c * c / (0.5 * diffusion_energy + w * c + gap * s + gam * np.cos(2 * t))

    return _matsubara_average(integrand, gap, temperature)


def ag_critical_temperature(gap_clean: float, gam: float) -> float:
    """T_c (K) of the AG superconductor: ln(T_c0/T_c) = ψ(½ + Γ/2πT_c) − ψ(½), T_c0 = e^γ Δ₀₀/π.

    ``gap_clean`` Δ₀₀ (meV) is the T = 0, Γ = 0 gap of the same coupling; Γ (meV) in the Usadel convention of
    :func:`_matsubara_angle`.  Returns 0 for Γ ≥ Δ₀₀/2 (the T = 0 critical pair breaking).
    """
    t_c0 = np.exp(np.euler_gamma) * gap_clean / np.pi
    if gam >= 0.5 * gap_clean:
        return 0.0
    if gam == 0:
        return float(units.mev_to_kelvin(t_c0))

    def resid(t):
        return np.log(t_c0 / t) - special.digamma(0.5 + gam / (2 * np.pi * t)) + special.digamma(0.5)

    return float(units.mev_to_kelvin(optimize.brentq(resid, 1e-6 * t_c0, t_c0, xtol=1e-15, rtol=1e-14)))


def ag_gap_matsubara(gap_clean: float, gam: float, temperature: float) -> float:
    """Δ(T) in meV of the AG gap equation on the Matsubara axis, weak coupling (ω_D → ∞).

    With ω_D = 2πTN and λ fixed by the clean T = 0 gap Δ₀₀ (1/λ = ln(2ω_D/Δ₀₀)), Δ = 2πλT Σ_{n<N} sinθ_n becomes

        2πT Σ_{n≥0} [sinθ_n/Δ − 1/ω_n] + ln(e^γ Δ₀₀/(πT)) = 0,

    solved for Δ by brentq (the Σ by :func:`_matsubara_sum`).  At Δ → 0 it is the T_c equation of
    :func:`ag_critical_temperature`.  ``gap_clean`` and Γ in meV, temperature in K (> 0); returns 0 at T ≥ T_c.
    """
    if temperature <= 0:
        raise ValueError(f"temperature = {temperature!r} K is not allowed: T must be > 0 K (T = 0: AG closed form)")
    if temperature >= ag_critical_temperature(gap_clean, gam):
        return 0.0
    t_mev = float(units.kelvin_to_mev(temperature))
    log_term = np.log(np.exp(np.euler_gamma) * gap_clean / (np.pi * t_mev))

    def resid(d):
        def f(w):
            return np.sin(_matsubara_angle(w, d, gam)) / d - 1.0 / w
        return _matsubara_sum(f, gap_clean, t_mev) + log_term

    return float(optimize.brentq(resid, 1e-9 * gap_clean, gap_clean, xtol=1e-14, rtol=1e-13))
