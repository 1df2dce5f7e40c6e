"""Schmid–Higgs (amplitude-mode) linear susceptibility with pair breaking (spec §S.3–S.5, C8).

χ⁻¹(ω) is the inverse susceptibility of the order-parameter amplitude per unit DOS
(§S.4, boxed equation), retarded (ω → ω + i0):

    χ⁻¹(ω) = ∫dε { Re F^R(ε) tanh(ε/2T)/(2Δ) − ¼[d^RR t₋ − t₊ d^AA + d^RA (t₊ − t₋)] },

with d^{XY} of §S.3, ε± = ε ± ω/2, t± = tanh(ε±/2T).  At Γ = 0 the closed form of C8 is
used.  At a wave vector q the dirty-limit diffusion term enters d^{XY} through ħDq²
(``diffusion_energy``; docs/models/schmid-higgs.md derives it and checks the static limit against
the Matsubara axis).  χ(t) = (2/π)∫₀^∞dω Im χ(ω) sin ωt (§S.4, paper eq. 24), χ = 1/χ⁻¹.

Units: ω, Δ, Γ in meV; temperature in K; times in ps at the API edge (internally ħ/meV
via :mod:`jaxhiggs.units`).  χ⁻¹ and χ(ω) are dimensionless; χ(t) is a rate and is
returned in meV/ħ (i.e. per internal time unit ħ/meV = 0.658 ps).
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy.interpolate import CubicSpline
from jaxtyping import Array, ArrayLike, Complex, Float

from jaxhiggs import units
from jaxhiggs._validate import check, check_int, fail, is_concrete, show
from jaxhiggs.pair_breaking import green_functions, quasiparticle_threshold

__all__ = [
    "EnvelopeFit",
    "clean_susceptibility_inverse",
    "fit_envelope",
    "quench_response",
    "resonance_frequency",
    "schmid_higgs_susceptibility",
    "susceptibility_time_domain",
    "threshold_frequency",
]


# --------------------------------------------------------------------------- input checks
_OMEGA_ALLOWED = "finite real frequencies ħω in meV (ω < 0 gives the complex conjugate)"


def _anything(a):
    """No condition beyond finiteness (for :func:`_check_each` and :func:`_check_one`)."""
    return np.ones(np.shape(a), bool)


def _check_each(condition_fn, name, value, allowed, unit=""):
    """Every element of ``value`` a finite real number with ``condition_fn`` true.

    The message names the first bad element, e.g. ``"times[0] = -2.0 ps is not allowed: ..."``.  Tracers pass.
    """
    if not is_concrete(value):
        return
    check(_anything, name, value, allowed, unit, finite=False)  # numbers at all
    arr = np.asarray(value)
    with np.errstate(invalid="ignore"):
        good = np.isfinite(arr) & np.asarray(condition_fn(arr), bool)
    if not np.all(good):
        if arr.ndim == 0:
            raise fail(name, arr, allowed, unit)
        idx = np.unravel_index(int(np.argmin(good.reshape(-1))), arr.shape)
        raise fail(f"{name}[{', '.join(str(int(i)) for i in idx)}]", arr[idx], allowed, unit)


def _check_one(condition_fn, name, value, allowed, unit=""):
    """One finite real number with ``condition_fn`` true (``float()`` of it is taken afterwards)."""
    check(condition_fn, name, value, allowed, unit)
    if is_concrete(value) and np.ndim(value) != 0:
        raise fail(name, value, f"one number: {allowed}", unit)


def _needs_pair_breaking(pair_breaking, name, value, unit, why):
    """``name`` > 0 with Γ = 0 is refused (``why`` says what Γ = 0 cannot do)."""
    if is_concrete(pair_breaking, value):
        if float(np.max(np.asarray(value))) > 0 and float(np.min(np.asarray(pair_breaking))) <= 0:
            raise ValueError(f"{name} = {float(np.max(value))!r} {unit} with pair_breaking = 0 meV is not supported: "
                             f"{why}")


def _check_temperature_needs_pair_breaking(pair_breaking, temperature):
    """T > 0 with Γ = 0 is refused: the Γ = 0 closed form of C8 is the T = 0 response."""
    _needs_pair_breaking(pair_breaking, "temperature", temperature, "K",
                         "T > 0 requires Γ > 0 (the Γ = 0 closed form is T = 0 only)")


# --------------------------------------------------------------------------- Γ = 0 closed form
def clean_susceptibility_inverse(
    omega: Float[ArrayLike, "*w"], gap: Float[ArrayLike, ""]
) -> Complex[Array, "*w"]:
    """BCS (Γ = 0, T = 0) χ⁻¹(ω) of C8, retarded; ω and Δ in meV, result dimensionless.

    |ω| < 2Δ: √(4Δ²−ω²) arcsin(ω/2Δ)/ω;  |ω| > 2Δ: √(ω²−4Δ²)[arccosh(ω/2Δ) − iπ/2]/ω,
    and χ⁻¹(−ω) = χ⁻¹(ω)* (real response in time).

    Args:
        omega: real frequency ħω in meV, finite (any shape; negative ω → complex conjugate).
        gap: Δ in meV, finite and > 0.
    """
    _check_each(_anything, "omega", omega, _OMEGA_ALLOWED, "meV")
    check(lambda a: a > 0, "gap", gap, "Δ must be > 0 meV", unit="meV")
    return _clean_chi_inv(omega, gap)


@jax.jit
def _clean_chi_inv(omega, gap):
    """:func:`clean_susceptibility_inverse` without the input checks (compiled; inputs validated by the caller)."""
    omega = jnp.asarray(omega, jnp.float64)
    gap = jnp.asarray(gap, jnp.float64)
    a = jnp.abs(omega) / (2.0 * gap)
    a_in = jnp.where((a <= 1.0) & (a > 1e-6), a, 0.5)
    inside = jnp.sqrt(1.0 - a_in**2) * jnp.arcsin(a_in) / a_in
    inside = jnp.where(a <= 1e-6, 1.0 - 2.0 * a**2 / 3.0, inside)  # series: no 0/0 at ω = 0
    a_out = jnp.where(a > 1.0, a, 2.0)
    outside = jnp.sqrt(a_out**2 - 1.0) * (jnp.arccosh(a_out) - 0.5j * jnp.pi) / a_out
    val = jnp.where(a <= 1.0, inside + 0j, outside)
    return jnp.where(omega < 0, jnp.conj(val), val)


# --------------------------------------------------------------------------- Γ > 0 quadrature
def _gl(n):
    x, w = np.polynomial.legendre.leggauss(n)
    s = 0.5 * (x + 1.0)
    # cosine map: nodes cluster quadratically at both panel ends, where the integrand
    # has √-kinks (ε_g ± ω/2), steps (ω/2) and the coherence-peak region
    smap = 0.5 * (1.0 - np.cos(np.pi * s))
    jac = 0.5 * np.pi * np.sin(np.pi * s) * 0.5 * w
    return jnp.asarray(smap), jnp.asarray(jac), jnp.asarray(s), jnp.asarray(0.5 * w)


def _d_vertex(eps, gx, fx, gy, fy, omega, gap, gam, diffusion=0.0):
    """d^{XY} of §S.3 (dimension 1/meV), at wave vector q through ``diffusion`` = ħDq² (meV).

    The diffusion term of the Usadel equation, linearised about the homogeneous state, adds
    κ(g^X_+ δg − δg g^Y_−) with κ = iħDq²/2 to the left side of §S.3 (the sign and size are fixed by
    the normal-state diffuson, whose pole δg^{RA} ∝ 1/(ω + iDq²) must lie at ω = −iDq²).  With
    P = ω + κ(G_+ − G_−), Q = 2ε + (iΓ + κ)(G_+ + G_−), R = 2Δ − (iΓ − κ)(F_+ + F_−):

        d = [P(G_+ + G_−) − R(F_+ − F_−)] / [PQ − κR(F_+ − F_−)],

    which is §S.3's d^{XY} at q = 0 (docs/models/schmid-higgs.md derives it).
    """
    kappa = 0.5j * diffusion
    dg, df, sg, sf = gx - gy, fx - fy, gx + gy, fx + fy
    p = omega + kappa * dg
    q = 2.0 * eps + (1j * gam + kappa) * sg
    r = 2.0 * gap - (1j * gam - kappa) * sf
    return (p * sg - r * df) / (p * q - kappa * r * df)


def _occupation(e, t_mev):
    # tanh(ε/2T), sign(ε) at T = 0
    tsafe = jnp.where(t_mev > 0, t_mev, 1.0)
    return jnp.where(t_mev > 0, jnp.tanh(e / (2.0 * tsafe)), jnp.sign(e))


def _integrand(eps, omega, gap, gam, t_mev, diffusion=0.0):
    """Integrand of the boxed §S.4 equation for ε > 0 (it is even in ε); diffusion = ħDq² in meV.

    Returned in two parts, (all terms, the anomalous term −¼ d^RA (t₊ − t₋) alone): see :data:`_OMEGA_FLOOR`.
    """
    gp, fp = green_functions(eps + 0.5 * omega, gap, gam)
    gm, fm = green_functions(eps - 0.5 * omega, gap, gam)
    _, f0 = green_functions(eps, gap, gam)
    gpa, fpa, gma, fma = -jnp.conj(gp), -jnp.conj(fp), -jnp.conj(gm), -jnp.conj(fm)
    d_rr = _d_vertex(eps, gp, fp, gm, fm, omega, gap, gam, diffusion)
    d_aa = _d_vertex(eps, gpa, fpa, gma, fma, omega, gap, gam, diffusion)
    d_ra = _d_vertex(eps, gp, fp, gma, fma, omega, gap, gam, diffusion)
    tp = _occupation(eps + 0.5 * omega, t_mev)
    tm = _occupation(eps - 0.5 * omega, t_mev)
    t0 = _occupation(eps, t_mev)
    anomalous = -0.25 * d_ra * (tp - tm)
    return f0.real * t0 / (2.0 * gap) - 0.25 * (d_rr * tm - tp * d_aa) + anomalous, anomalous


#: below this ω/Δ the panels around ε_g ± ω/2 collapse; χ⁻¹ is evaluated at the floor
#: (Re χ⁻¹ is even in ω, so the error is O(floor²) ≈ 1e-7; Im χ⁻¹ is scaled linearly).
#: Except the real part of the anomalous term −¼d^RA(t₊ − t₋) at q > 0, T > 0: through the diffusion pole
#: of d^RA it falls from its ω ≫ ħDq² value to exactly 0 at ω = 0 (t₊ = t₋, d^RA finite) on the scale
#: ω ~ ħDq² × DOS, so below the floor it is scaled by (ω/floor)² (exact at ω = 0, an interpolation in
#: between).  Taken at the floor, it put χ⁻¹(0, q) off the Matsubara static value by 3.4e-5 at
#: ħDq² = 0.3Δ and 0.22 at 1e-3Δ (T = 0.7T_c, Γ = 0.1Δ₀₀); now 1.2e-7.  At q = 0 the ω → 0 limit of that
#: term is finite (the dynamic, not the static, response) and is kept.
_OMEGA_FLOOR = 1e-3
_FAR = (2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
_GSCALE = (0.05, 0.3, 2.0)


def _chi_inv_numeric_single(omega, gap, gam, t_mev, n_nodes, diffusion=0.0):
    """χ⁻¹(ω ≥ 0) from §S.4 by composite Gauss–Legendre panels on ε ∈ (0, ∞)."""
    om = jnp.maximum(omega, _OMEGA_FLOOR * gap)  # c^{XY} is a difference quotient: keep ω > 0
    half = 0.5 * om
    eg = quasiparticle_threshold(gap, gam)
    kinks = jnp.stack([
        eg, gap, jnp.abs(half - eg), jnp.abs(half - gap), half, half + eg, half + gap,
    ])
    # width of the broadened ε ≈ 0 poles of d^RR, d^AA (Γ, and ħDq²/2 at finite q)
    small = (gam + 0.5 * diffusion) * jnp.asarray(_GSCALE)
    far = half + gap * jnp.asarray(_FAR)
    pts = jnp.sort(jnp.concatenate([jnp.zeros(1), kinks, small, far]))
    e_max = pts[-1]
    smap, jac, s_lin, w_lin = _gl(n_nodes)
    a, b = pts[:-1, None], pts[1:, None]
    eps = (a + (b - a) * smap).ravel()
    wts = ((b - a) * jac).ravel()
    # tail ε = E/s, s ∈ (0, 1): integrand ~ ε⁻³ becomes ~ s, smooth
    eps_t = e_max / s_lin
    wts_t = w_lin * e_max / s_lin**2
    eps = jnp.concatenate([eps, eps_t])
    wts = jnp.concatenate([wts, wts_t])
    # coincident break points give zero-width panels whose nodes may sit on the removable
    # 0/0 at ε = 0; they carry zero weight, so drop them before they turn the sum into NaN
    eps = jnp.where(wts > 0, eps, 0.5 * gap)
    vals, anomalous = _integrand(eps, om, gap, gam, t_mev, diffusion)
    return jnp.stack([2.0 * jnp.sum(jnp.where(wts > 0, wts * v, 0.0)) for v in (vals, anomalous)])


def _check_finite_q_needs_pair_breaking(pair_breaking, diffusion_energy):
    """q > 0 with Γ = 0 is refused: the ε ≈ 0 poles of §S.5 would lie on the integration path."""
    _needs_pair_breaking(pair_breaking, "diffusion_energy", diffusion_energy, "meV",
                         "q > 0 needs Γ > 0 (at Γ = 0 the ε ≈ 0 poles lie on the integration path; use a small Γ "
                         "such as 1e-3 Δ)")


def schmid_higgs_susceptibility(
    omega: Float[ArrayLike, "*w"],
    gap: Float[ArrayLike, ""],
    pair_breaking: Float[ArrayLike, ""],
    temperature: Float[ArrayLike, ""] = 0.0,
    n_nodes: int = 24,
    batch_size: int = 8,
    diffusion_energy: Float[ArrayLike, ""] = 0.0,
) -> Complex[Array, "*w"]:
    """Retarded inverse Schmid–Higgs susceptibility χ⁻¹(ω, q) per unit DOS (§S.4; C8).

    A longitudinal gap perturbation δΔ e^{i(qx − ωt)}; q enters only through the diffusion
    energy ħDq² of the dirty (Usadel) limit — see :func:`jaxhiggs.units.diffusion_energy` to
    get it from D and q.  q = 0 (the default) is the homogeneous response of the paper.

    Args:
        omega: real frequency ħω in meV, finite (any shape; negative ω → complex conjugate).
        gap: the actual (AG-suppressed) order parameter Δ in meV — obtain it from
            :func:`jaxhiggs.pair_breaking.abrikosov_gorkov` for a given clean gap.
        pair_breaking: Γ in meV, ≥ 0.  Γ = 0 uses the closed form of C8 (T = 0 only).
        temperature: T in K, ≥ 0; T > 0 requires Γ > 0 and ``gap`` = Δ(T).
        n_nodes: Gauss–Legendre nodes per ε panel, an integer ≥ 4 (24 gives ≲1e-7 against the
            SciPy reference, see tests).
        batch_size: ω values integrated per vectorised batch, an integer ≥ 1 (memory/speed trade-off).
        diffusion_energy: ħDq² in meV, ≥ 0 (0: q = 0).  Needs Γ > 0: at Γ = 0 the ε ≈ 0
            poles of §S.5 sit on the integration path (take a small Γ, e.g. 1e-3 Δ).  It
            is traced, so a scan over q compiles once.

    Returns:
        χ⁻¹(ω + i0), dimensionless complex, shape of ``omega``.  χ⁻¹(0) = 1 − πζ/4 for
        ζ ≤ 1 (C8), Im χ⁻¹ = 0 for |ω| < 2ε_g, Im χ⁻¹ < 0 above (absorption Im χ > 0); at T > 0
        thermal quasiparticles absorb at every ω > 0.
        At q > 0 the static value grows (at Γ → 0 as 1 + πħDq²/(8Δ) for small q, then like
        ln(ħDq²/Δ)) and the threshold stays at 2ε_g.  Differentiable with respect to Δ, Γ and ħDq²;
        vmappable over Γ.
    """
    check(lambda a: a >= 0, "pair_breaking", pair_breaking,
          "Γ (meV) must be >= 0 meV and below Δ00/2 of the clean gap")
    check(lambda a: a > 0, "gap", gap, "Δ must be > 0 meV")
    check(lambda a: a >= 0, "temperature", temperature, "T must be >= 0 K")
    check(lambda a: a >= 0, "diffusion_energy", diffusion_energy, "ħDq² (meV) must be >= 0 meV")
    _check_finite_q_needs_pair_breaking(pair_breaking, diffusion_energy)
    _check_temperature_needs_pair_breaking(pair_breaking, temperature)
    _check_each(_anything, "omega", omega, _OMEGA_ALLOWED, "meV")
    n_nodes = check_int("n_nodes", n_nodes, 4, what="Gauss–Legendre nodes per ε panel")
    batch_size = check_int("batch_size", batch_size, 1, what="ω values per vectorised batch")
    omega = jnp.asarray(omega, jnp.float64)
    gap = jnp.asarray(gap, jnp.float64)
    gam = jnp.asarray(pair_breaking, jnp.float64)
    t_mev = units.kelvin_to_mev(jnp.asarray(temperature, jnp.float64))
    dq2 = jnp.asarray(diffusion_energy, jnp.float64)
    return _chi_inv_core(omega, gap, gam, t_mev, n_nodes, batch_size, dq2)


#: ω values per compiled kernel call.  Every ω array is padded to a multiple of this and
#: evaluated chunk by chunk, so the (expensive, ~6 s) compilation happens once per process
#: for each n_nodes instead of once per new ω-array shape.
_CHUNK = 16


@partial(jax.jit, static_argnums=(4, 5))
def _chi_inv_chunk(w, gap, gam, t_mev, n_nodes, batch_size, diffusion):
    """χ⁻¹ at a fixed-size chunk of ω ≥ 0 (Γ > 0 quadrature; Γ = 0 replaced by a proxy)."""
    gam_safe = jnp.where(gam > 0, gam, 1e-3 * gap)  # the numeric branch is unused at Γ = 0

    def one(wi):
        return _chi_inv_numeric_single(wi, gap, gam_safe, t_mev, n_nodes, diffusion)

    parts = jax.lax.map(one, w, batch_size=batch_size)
    numeric, anomalous = parts[:, 0], parts[:, 1]
    floor = _OMEGA_FLOOR * gap
    r = w / floor
    # q > 0: Re of the anomalous term → 0 as ω → 0 (no ω-floor value for it; see _OMEGA_FLOOR)
    re_low = numeric.real - jnp.where(diffusion > 0, (1.0 - r**2) * anomalous.real, 0.0)
    return jnp.where(w < floor, re_low + 1j * numeric.imag * r, numeric)


def _chi_inv_core(omega, gap, gam, t_mev, n_nodes, batch_size, diffusion=0.0):
    shape = omega.shape
    w = jnp.abs(omega).ravel()
    clean = _clean_chi_inv(w, gap)
    if is_concrete(gam) and float(np.max(np.asarray(gam))) == 0.0:
        val = clean  # closed form of C8: no quadrature (and no compilation) needed
    else:
        n = w.shape[0]
        padded = jnp.concatenate([w, jnp.full(((-n) % _CHUNK,), 1.0) * gap])
        parts = [_chi_inv_chunk(padded[i:i + _CHUNK], gap, gam, t_mev, n_nodes, batch_size, diffusion)
                 for i in range(0, padded.shape[0], _CHUNK)]
        numeric = jnp.concatenate(parts)[:n] if parts else jnp.zeros((0,), jnp.complex128)
        val = jnp.where(gam > 0, numeric, clean)
    val = val.reshape(shape)
    return jnp.where(omega < 0, jnp.conj(val), val)


# --------------------------------------------------------------------------- extraction
def threshold_frequency(gap: Float[ArrayLike, ""], pair_breaking: Float[ArrayLike, ""]) -> Float[Array, ""]:
    """Two-quasiparticle threshold 2ε_g = 2Δ(1 − ζ^{2/3})^{3/2} in meV (C7, C8); 0 if gapless.

    ``gap`` Δ in meV (finite, > 0) and ``pair_breaking`` Γ in meV (finite, ≥ 0); ζ = Γ/Δ.
    """
    check(lambda a: a > 0, "gap", gap, "Δ must be > 0 meV", unit="meV")
    check(lambda a: a >= 0, "pair_breaking", pair_breaking, "Γ must be >= 0 meV", unit="meV")
    return 2.0 * quasiparticle_threshold(gap, pair_breaking)


def resonance_frequency(
    gap: float, pair_breaking: float, omega: Float[ArrayLike, "w"] | None = None, **kwargs
) -> tuple[float, float]:
    """Absorption peak ω_res = argmax Im χ(ω) in meV and the peak value max Im χ (C8).

    ``gap`` Δ in meV (finite, > 0); ``pair_breaking`` Γ in meV (finite, > 0: at Γ = 0 Im χ diverges at
    ω = 2Δ and has no finite peak).  The search runs on ``omega`` (finite ħω in meV; default 48 points
    on (2ε_g, 2Δ]) and then refines twice on local grids with a parabola.  Raises ValueError if the
    grid does not bracket the threshold interval [2ε_g, 2Δ] where the peak lies (C8).  ``kwargs`` go
    to :func:`schmid_higgs_susceptibility` (``temperature`` in K, ``n_nodes``, ...).
    """
    _check_one(lambda a: a > 0, "gap", gap, "Δ must be > 0 meV", "meV")
    _check_one(lambda a: a > 0, "pair_breaking", pair_breaking,
               "Γ must be > 0 meV (at Γ = 0 Im χ diverges at ω = 2Δ: there is no finite peak to locate)", "meV")
    if omega is not None:
        _check_each(_anything, "omega", omega, "finite frequencies ħω in meV", "meV")
        if np.size(omega) == 0:
            raise fail("omega", omega, "a non-empty grid of frequencies (meV) covering [2ε_g, 2Δ]", "meV")
    gap, gam = float(gap), float(pair_breaking)
    w_th = float(threshold_frequency(gap, gam))
    if omega is None:
        omega = np.linspace(w_th, 2.0 * gap, 49)
    omega = np.sort(np.asarray(omega, float).ravel())
    if omega[0] > w_th + 1e-12 * gap or omega[-1] < 2.0 * gap * (1 - 1e-12):
        raise ValueError(
            f"omega = [{omega[0]:.6g}, {omega[-1]:.6g}] meV is not allowed: the grid must cover the "
            f"threshold interval [2ε_g, 2Δ] = [{w_th:.6g}, {2 * gap:.6g}] meV where Im χ peaks"
        )

    def im_chi(ws):
        ci = np.asarray(schmid_higgs_susceptibility(jnp.asarray(ws), gap, gam, **kwargs))
        return (-ci.imag) / np.abs(ci) ** 2

    grid = omega
    for _ in range(3):
        vals = im_chi(grid)
        k = int(np.argmax(vals))
        lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
        grid = np.linspace(lo, hi, 17)
    vals = im_chi(grid)
    k = int(np.clip(np.argmax(vals), 1, len(grid) - 2))
    y0, y1, y2 = vals[k - 1 : k + 2]
    h = grid[1] - grid[0]
    den = y0 - 2 * y1 + y2
    shift = 0.5 * h * (y0 - y2) / den if den != 0 else 0.0
    peak = y1 - 0.25 * (y0 - y2) * shift / h
    return float(grid[k] + shift), float(peak)


# --------------------------------------------------------------------------- time domain
def _omega_nodes(w_th, gap, omega_max, t_max, n_per_panel=24):
    """Quadrature nodes/weights in ω for the Fourier integrals (internal units, meV).

    Near the threshold ω = w_th + y² (removes the 1/√ of the clean case and resolves the
    long-time threshold behaviour); elsewhere uniform panels short enough for sin ωt.
    """
    x, w = np.polynomial.legendre.leggauss(n_per_panel)
    s, ws = 0.5 * (x + 1), 0.5 * w
    width = min(0.5 * gap, 12.0 / max(t_max, 1e-9))
    y_max = np.sqrt(0.5 * gap)
    n_y = int(np.ceil(y_max / min(y_max, np.sqrt(width * 0.5 * gap) / 4))) + 4
    yb = np.linspace(0.0, y_max, n_y + 1)
    ya, yb2 = yb[:-1, None], yb[1:, None]
    y = (ya + (yb2 - ya) * s).ravel()
    wy = ((yb2 - ya) * ws).ravel()
    nodes = [w_th + y**2]
    weights = [2 * y * wy]
    start = w_th + y_max**2
    n_pan = int(np.ceil((omega_max - start) / width))
    edges = np.linspace(start, omega_max, n_pan + 1)
    ea, eb = edges[:-1, None], edges[1:, None]
    nodes.append((ea + (eb - ea) * s).ravel())
    weights.append(((eb - ea) * ws).ravel())
    return np.concatenate(nodes), np.concatenate(weights)


def _sample_grid(w_th, gap, omega_max, n_dense, diffusion=0.0):
    """ω samples (meV) where χ⁻¹ is evaluated numerically for Γ > 0, then interpolated.

    At q > 0 the absorption peak moves up (to ≈ 4.4Δ at ħDq² = 3Δ), so the dense part extends by 2ħDq².
    """
    near = w_th + gap * np.logspace(-5, np.log10(0.5), 60)
    top = max(2.6 * gap, w_th + 0.6 * gap) + 2.0 * diffusion
    dense = np.linspace(w_th, top, n_dense)
    far = np.geomspace(top, max(omega_max, 1.01 * top), 50)
    return np.unique(np.concatenate([[w_th], near, dense, far]))


def _im_chi_on_nodes(nodes, gap, gam, temperature, omega_max, n_dense, w_th, diffusion=0.0):
    if gam == 0.0:
        ci = np.asarray(_clean_chi_inv(jnp.asarray(nodes), gap))
        return -ci.imag / np.abs(ci) ** 2
    samp = _sample_grid(w_th, gap, omega_max, n_dense, diffusion)
    ci = np.asarray(schmid_higgs_susceptibility(jnp.asarray(samp), gap, gam, temperature,
                                                diffusion_energy=diffusion))
    im = -ci.imag / np.abs(ci) ** 2
    # cubic spline, not linear: every slope jump of a piecewise-linear interpolant would add
    # a spurious t⁻² tail that swamps the true t⁻³ threshold tail (C8)
    spline = CubicSpline(samp, im)
    return np.where(nodes < w_th, 0.0, spline(np.clip(nodes, samp[0], samp[-1])))


def _taper(nodes, omega_max):
    # smooth cut-off over the last third: Im χ ~ 1/ln²ω decays too slowly to truncate sharply
    x = np.clip((nodes - 2 * omega_max / 3) / (omega_max / 3), 0.0, 1.0)
    return np.cos(0.5 * np.pi * x) ** 2


#: the ω cut-off must put the cos² taper (its last third) above the resonance region 2ε_g ≤ ω ≲ 2.6Δ
_OMEGA_MAX_OVER_GAP_MIN = 4.0


def _check_time_domain(times, times_allowed, gap, pair_breaking, temperature, omega_max_over_gap, n_dense,
                       diffusion):
    """Input checks shared by :func:`susceptibility_time_domain` and :func:`quench_response` (before any compile)."""
    _check_each(lambda t: t >= 0, "times", times, times_allowed, "ps")
    if np.size(times) == 0:
        raise fail("times", times, "at least one time (ps)", "ps")
    _check_one(lambda a: a > 0, "gap", gap, "Δ must be > 0 meV", "meV")
    _check_one(lambda a: a >= 0, "pair_breaking", pair_breaking, "Γ must be >= 0 meV", "meV")
    _check_one(lambda a: a >= 0, "temperature", temperature, "T must be >= 0 K", "K")
    _check_one(lambda a: a >= 0, "diffusion_energy", diffusion, "ħDq² (meV) must be >= 0 meV", "meV")
    _check_one(lambda a: a >= _OMEGA_MAX_OVER_GAP_MIN, "omega_max_over_gap", omega_max_over_gap,
               f"the ω cut-off in units of Δ must be >= {_OMEGA_MAX_OVER_GAP_MIN:g} (its cos² taper over the last "
               "third must lie above the resonance region 2ε_g ≤ ω ≲ 2.6Δ)")
    check_int("n_dense", n_dense, 2, what="ω samples of Im χ on [2ε_g, 2.6Δ]")
    _check_finite_q_needs_pair_breaking(pair_breaking, diffusion)
    _check_temperature_needs_pair_breaking(pair_breaking, temperature)


def _spectral_quadrature(times, gap, pair_breaking, temperature, omega_max_over_gap, n_dense, diffusion=0.0):
    """(t in ħ/meV, ω nodes, quadrature weights × tapered Im χ) shared by the time-domain transforms.

    The inputs are validated by the caller (:func:`_check_time_domain`)."""
    gap, gam, diffusion = float(gap), float(pair_breaking), float(diffusion)
    t = np.asarray(units.ps_to_internal(np.asarray(times, float)))
    w_th = float(threshold_frequency(gap, gam)) if gam > 0 else 2.0 * gap
    omega_max = omega_max_over_gap * gap
    nodes, wts = _omega_nodes(w_th, gap, omega_max, float(np.max(np.abs(t))))
    im = _im_chi_on_nodes(nodes, gap, gam, temperature, omega_max, n_dense, w_th, diffusion) * _taper(nodes, omega_max)
    return t, nodes, wts * im


def susceptibility_time_domain(
    times: Float[ArrayLike, "t"],
    gap: float,
    pair_breaking: float,
    temperature: float = 0.0,
    omega_max_over_gap: float = 60.0,
    n_dense: int = 360,
    diffusion_energy: float = 0.0,
) -> Float[np.ndarray, "t"]:
    """χ(t) = (2/π)∫₀^∞ dω Im χ(ω) sin ωt (§S.4, paper eq. 24), at wave vector q through ħDq².

    Args:
        times: t in ps, finite and ≥ 0: χ(t) is the retarded response to a kick at t = 0 and vanishes
            for t < 0 (negative times are refused rather than answered with 0).
        gap, pair_breaking: Δ in meV (finite, > 0) and Γ in meV (finite, ≥ 0); temperature: T in K
            (finite, ≥ 0; T > 0 needs Γ > 0, as in :func:`schmid_higgs_susceptibility`).
        omega_max_over_gap: upper ω cut-off in units of Δ, ≥ 4 (cos² taper over its last third,
            which must lie above the resonance region; affects only t ≲ 1/ω_max).
        n_dense: ω samples on [2ε_g, 2.6Δ] for Γ > 0, an integer ≥ 2 (Im χ is interpolated by a cubic
            spline between them and integrated on a fine grid with a √ map at threshold).
        diffusion_energy: ħDq² in meV, ≥ 0 (0: q = 0; q > 0 needs Γ > 0), as in
            :func:`schmid_higgs_susceptibility`.

    Returns:
        χ(t) in meV/ħ (per internal time unit ħ/meV), NumPy array.  Not differentiable
        (NumPy post-processing); χ⁻¹(ω) itself is.
    """
    _check_time_domain(times, "finite times ≥ 0 ps: χ(t) is the retarded response to a kick at t = 0 "
                       "(zero for t < 0)", gap, pair_breaking, temperature, omega_max_over_gap, n_dense,
                       diffusion_energy)
    t, nodes, weighted = _spectral_quadrature(times, gap, pair_breaking, temperature, omega_max_over_gap, n_dense,
                                              diffusion_energy)
    return (2.0 / np.pi) * np.sin(np.outer(t, nodes)) @ weighted


def quench_response(
    times: Float[ArrayLike, "t"],
    gap: float,
    pair_breaking: float,
    temperature: float = 0.0,
    omega_max_over_gap: float = 60.0,
    n_dense: int = 360,
    diffusion_energy: float = 0.0,
) -> Float[np.ndarray, "t"]:
    """∫₀^t χ(t')dt' = (2/π)∫₀^∞ dω Im χ(ω)(1 − cos ωt)/ω, dimensionless (§S.4).

    The order-parameter response to a coupling quench λ → λ + δλ at t = 0 is
    δΔ(t) = (δλ Δ/λ²) × this; its late value is 1/χ⁻¹(0).
    Arguments as in :func:`susceptibility_time_domain` (times in ps, finite and ≥ 0: the quench is
    at t = 0 and there is no response before it; Δ, Γ in meV; T in K; ``diffusion_energy`` = ħDq²
    in meV for a coupling modulated at wave vector q).

    Tail correction: the constant part (2/π)∫dω Im χ/ω equals Re χ(0) = 1/χ⁻¹(0) exactly
    (Kramers–Kronig), so it is taken from χ⁻¹(0) instead of the cut-off integral (Im χ ~
    1/ln²ω converges too slowly: with ω_max = 60Δ the integral gave 1.05 instead of 1.31 at
    ζ = 0.3).  Only the oscillating part −(2/π)∫dω Im χ cos(ωt)/ω is integrated numerically;
    its cut-off error decays like 1/(ω_max t), so the result is accurate for t ≫ 1/ω_max
    (at t → 0 it misses the cut-off tail and does not vanish exactly).
    """
    _check_time_domain(times, "finite times ≥ 0 ps: the coupling is quenched at t = 0 (no response before "
                       "the quench)", gap, pair_breaking, temperature, omega_max_over_gap, n_dense, diffusion_energy)
    t, nodes, weighted = _spectral_quadrature(times, gap, pair_breaking, temperature, omega_max_over_gap, n_dense,
                                              diffusion_energy)
    gap, gam = float(gap), float(pair_breaking)
    static = 1.0 if gam == 0.0 else 1.0 / float(schmid_higgs_susceptibility(
        jnp.zeros(1), gap, gam, temperature, diffusion_energy=diffusion_energy)[0].real)
    kern = np.cos(np.outer(t, nodes)) / np.maximum(nodes, 1e-300)
    return static - (2.0 / np.pi) * kern @ weighted


class EnvelopeFit(NamedTuple):
    """Long-time fit of χ(t); frequencies and rates in meV (ħ = 1), exponent dimensionless."""

    frequency: float  #: oscillation (angular) frequency from zero crossings, meV; nan if none
    exponent: float  #: p in |χ| ~ t^{−p} (fit of the local maxima, log–log)
    rate: float  #: κ in |χ| ~ e^{−κt} (fit of the local maxima or of |χ|, semilog), meV
    n_extrema: int


def fit_envelope(
    times: Float[ArrayLike, "t"], chi_t: Float[ArrayLike, "t"], t_min: float, t_max: float
) -> EnvelopeFit:
    """Frequency and envelope of χ(t) on the window [t_min, t_max] (all times in ps).

    Zero crossings give the frequency; the |χ| maxima between them (parabolic
    refinement) are fitted by a power law and by an exponential.  Without sign
    changes (overdamped, gapless case) both fits use |χ(t)| itself.

    ``times`` (ps) must be finite, 1-D and strictly increasing (evenly spaced, as from
    :func:`susceptibility_time_domain` on a ``linspace``); ``chi_t`` finite, same shape; the window
    0 < t_min < t_max finite (ps: the power law is fitted in ln t).
    Raises ValueError if the window holds fewer than 8 samples.
    """
    _check_each(_anything, "times", times, "finite times in ps", "ps")
    if np.ndim(times) != 1:
        raise fail("times", times, "a 1-D array of times (ps)", "ps")
    _check_each(_anything, "chi_t", chi_t, "finite real values of χ(t) (meV/ħ)")
    if np.shape(chi_t) != np.shape(times):
        raise ValueError(f"chi_t has shape {np.shape(chi_t)} and times {np.shape(times)}: give one χ(t) per time")
    tt = np.asarray(times, float)
    if np.any(np.diff(tt) <= 0):
        k = int(np.argmax(np.diff(tt) <= 0)) + 1
        raise fail(f"times[{k}]", tt[k], f"strictly increasing times (ps): it follows times[{k - 1}] = {show(tt[k - 1])}",
                   "ps")
    for name, value in (("t_min", t_min), ("t_max", t_max)):
        _check_one(_anything, name, value, "a finite time in ps", "ps")
    if not 0 < float(t_min) < float(t_max):
        raise fail("t_min, t_max", (t_min, t_max),
                   "a window 0 < t_min < t_max (ps; the power law is fitted in ln t)", "ps")
    t = np.asarray(units.ps_to_internal(np.asarray(times, float)))
    y = np.asarray(chi_t, float)
    lo, hi = float(units.ps_to_internal(t_min)), float(units.ps_to_internal(t_max))
    sel = (t >= lo) & (t <= hi)
    if sel.sum() < 8:
        raise ValueError(
            f"t_min, t_max = ({t_min!r}, {t_max!r}) ps is not allowed: the window must hold at least "
            f"8 samples of times in [{float(np.min(times)):.4g}, {float(np.max(times)):.4g}] ps"
        )
    t, y = t[sel], y[sel]
    sgn = np.sign(y)
    idx = np.nonzero(sgn[:-1] * sgn[1:] < 0)[0]
    crossings = t[idx] - y[idx] * (t[idx + 1] - t[idx]) / (y[idx + 1] - y[idx])
    if len(crossings) >= 3:
        freq = np.pi / np.mean(np.diff(crossings))
        tp, ap = [], []
        for a, b in zip(idx[:-1], idx[1:]):
            k = a + 1 + int(np.argmax(np.abs(y[a + 1 : b + 1])))
            if 0 < k < len(y) - 1:
                y0, y1, y2 = np.abs(y[k - 1 : k + 2])
                den = y0 - 2 * y1 + y2
                sh = 0.5 * (y0 - y2) / den if den != 0 else 0.0
                tp.append(t[k] + sh * (t[1] - t[0]))
                ap.append(y1 - 0.25 * (y0 - y2) * sh)
        tp, ap = np.asarray(tp), np.asarray(ap)
    else:
        freq = float("nan")
        tp, ap = t, np.abs(y)
    p = -np.polyfit(np.log(tp), np.log(ap), 1)[0]
    k = -np.polyfit(tp, np.log(ap), 1)[0]
    return EnvelopeFit(float(freq), float(p), float(k), int(len(tp)))
