"""Thin film on a substrate: σ(ω) ↔ complex transmission relative to the bare substrate (Glover–Tinkham).

Geometry.  A film of thickness d ≪ λ (and ≪ the skin depth) on a substrate of refractive index n_s, at
normal incidence; the reference is a bare substrate.  Both pulses are windowed so that the substrate's
internal echoes are excluded.  The transmission of the film-covered substrate divided by that of the bare
substrate is

    t(ω) = E_s(ω)/E_r(ω) = (1 + n_s) / (1 + n_s + Z₀ σ(ω) d) · exp(i ω (n_s − 1) ΔL / c),

Z₀ = 1/(ε₀c) ≈ 376.73 Ω the impedance of free space, σ d the sheet conductance (S).  ΔL = L_sample − L_ref is
the substrate thickness mismatch: a thicker sample substrate delays the sample pulse by (n_s − 1)ΔL/c
relative to the reference, which with the physics convention below is the factor exp(+iω(n_s − 1)ΔL/c).
The film's own optical path (d of film instead of d of vacuum) is neglected (it is O(ωd/c) ~ 10⁻⁴).

Sign convention (the physics one, as in :mod:`jaxhiggs.conductivity`): fields go as e^{−iωt}; a delay τ
multiplies the spectrum by e^{+iωτ}; σ = σ₁ + iσ₂ with σ₂ > 0 inductive (superconductor); a lossy
substrate has n_s = n + iκ with κ > 0.

Units: frequency ν in THz (ω = 2πν), σ in S/m, d in nm, ΔL in µm.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Complex, Float

from .. import units
from .._validate import check
from .traces import check_per_frequency as _check_per_frequency

__all__ = ["FREE_SPACE_IMPEDANCE", "conductivity_uncertainty", "mismatch_phase", "thin_film_conductivity",
           "thin_film_transmission"]

#: Z₀ = 1/(ε₀ c) in Ω.
FREE_SPACE_IMPEDANCE = 1.0 / (units.VACUUM_PERMITTIVITY * units.SPEED_OF_LIGHT)
# SI prefixes of the edge units (nm, µm, THz); the physical constants come from jaxhiggs.units
_NM, _UM, _THZ = 1e-9, 1e-6, 1e12


def _check(frequency, thickness, substrate_index, mismatch):
    check(lambda f: f > 0, "frequency", frequency, "finite frequencies > 0 THz", unit="THz")
    check(lambda d: d > 0, "thickness", thickness, "a finite film thickness > 0 nm", unit="nm")
    check(lambda n: np.real(n) >= 1.0, "substrate_index", substrate_index,
          "a finite refractive index with real part ≥ 1 (complex n + iκ allowed)", complex_ok=True)
    check(lambda x: np.abs(x) < 1e4, "mismatch", mismatch, "a finite thickness mismatch |ΔL| < 10⁴ µm", unit="µm")


_T_ALLOWED = "finite, non-zero complex values, one per frequency"


def _xp(*values):
    """NumPy for plain inputs (no compilation: fast for data handling), jax.numpy as soon as any input is a JAX
    array or tracer (inside jit/vmap/grad and fits)."""
    leaves = jax.tree_util.tree_leaves(values)
    return jnp if any(isinstance(v, (jax.Array, jax.core.Tracer)) for v in leaves) else np


def mismatch_phase(frequency, substrate_index, mismatch) -> Complex[Array, "..."]:
    """exp(iω(n_s − 1)ΔL/c): the transmission factor of a substrate thicker by ΔL (µm) than the reference."""
    xp = _xp(frequency, substrate_index, mismatch)
    omega = 2.0 * math.pi * xp.asarray(frequency, dtype=float) * _THZ
    return xp.exp(1j * omega * (xp.asarray(substrate_index) - 1.0) * mismatch * _UM / units.SPEED_OF_LIGHT)


def thin_film_transmission(frequency: Float[ArrayLike, " n"], sigma: Complex[ArrayLike, " n"], thickness,
                           substrate_index, mismatch=0.0) -> Complex[Array, " n"]:
    """Complex transmission t(ω) of a thin film on a substrate relative to the bare substrate.

    t = (1 + n_s)/(1 + n_s + Z₀σd) · exp(iω(n_s − 1)ΔL/c), e^{−iωt} convention (module docstring).

    Args:
        frequency: ν in THz (> 0).
        sigma: complex conductivity σ₁ + iσ₂ of the film in S/m: finite, same shape as ``frequency`` (or one
            number for all frequencies).
        thickness: film thickness d in nm.
        substrate_index: n_s (scalar or per frequency; complex n + iκ for an absorbing substrate).
        mismatch: ΔL = L_sample − L_reference of the substrates in µm.

    Returns:
        Complex t(ω), shape of ``frequency``: a NumPy array for NumPy/Python inputs, a JAX array (differentiable
        in every argument, jit/vmap/grad) as soon as one input is a JAX array or tracer.
    """
    _check(frequency, thickness, substrate_index, mismatch)
    _check_per_frequency("sigma", sigma, frequency, "a finite complex conductivity in S/m per frequency",
                         single_ok=True)
    xp = _xp(frequency, sigma, thickness, substrate_index, mismatch)
    n_s = xp.asarray(substrate_index)
    sheet = FREE_SPACE_IMPEDANCE * xp.asarray(sigma) * thickness * _NM
    return (1.0 + n_s) / (1.0 + n_s + sheet) * mismatch_phase(frequency, n_s, mismatch)


def thin_film_conductivity(frequency: Float[ArrayLike, " n"], transmission: Complex[ArrayLike, " n"], thickness,
                           substrate_index, mismatch=0.0) -> Complex[Array, " n"]:
    """σ(ω) in S/m from the transmission relative to the bare substrate: the exact inverse of
    :func:`thin_film_transmission`,

        σ = (1 + n_s) (e^{iω(n_s−1)ΔL/c}/t − 1) / (Z₀ d).

    Same arguments and units (frequency THz, thickness nm, mismatch µm; e^{−iωt} convention); ``transmission``
    holds finite, non-zero values, one per frequency (same shape as ``frequency``).  A wrong ΔL
    shows up as a spurious σ₂ ∝ ω (a phase error grows linearly with frequency); fit ΔL with
    :func:`jaxhiggs.fit.fit_transmission` (free parameter ``mismatch``) when it is not known.
    """
    _check(frequency, thickness, substrate_index, mismatch)
    _check_per_frequency("transmission", transmission, frequency, _T_ALLOWED, lambda x: np.abs(x) > 0)
    xp = _xp(frequency, transmission, thickness, substrate_index, mismatch)
    t = xp.asarray(transmission)
    n_s = xp.asarray(substrate_index)
    return (1.0 + n_s) * (mismatch_phase(frequency, n_s, mismatch) / t - 1.0) / (
        FREE_SPACE_IMPEDANCE * thickness * _NM)


def conductivity_uncertainty(frequency, transmission, transmission_uncertainty, thickness, substrate_index,
                             mismatch=0.0) -> Complex[Array, " n"]:
    """Standard errors of σ₁ and σ₂ (S/m, returned as δσ₁ + iδσ₂) propagated from those of t.

    ``transmission_uncertainty`` = δ(Re t) + iδ(Im t) as returned by :func:`jaxhiggs.thz.transmission`
    with ``uncertainty=True``.  Linear propagation with dσ/dt = −(1 + n_s)e^{iφ}/(Z₀ d t²): the noise of t is
    treated as circular (equal in Re and Im, uncorrelated), so the modulus |dσ/dt| maps the rms noise of t
    onto σ₁ and σ₂ equally.  Inversion amplifies noise where |t| is small (deep in the superconducting
    state at low frequency); fitting t directly (:func:`jaxhiggs.fit.fit_transmission`) avoids that.

    ``transmission`` (finite, non-zero, as in :func:`thin_film_conductivity`) and ``transmission_uncertainty``
    have the shape of ``frequency``.  Both parts of δt are standard errors, so finite and ≥ 0: a negative part
    is refused rather than squared into a positive error bar, and 0 (noise-free, e.g. synthetic data) is
    allowed and propagates to δσ = 0.
    """
    _check(frequency, thickness, substrate_index, mismatch)
    _check_per_frequency("transmission", transmission, frequency, _T_ALLOWED, lambda x: np.abs(x) > 0)
    _check_per_frequency("transmission_uncertainty", transmission_uncertainty, frequency,
                         "finite standard errors δ(Re t) + iδ(Im t) with both parts ≥ 0, one per frequency",
                         lambda x: (np.real(x) >= 0) & (np.imag(x) >= 0))
    xp = _xp(frequency, transmission, transmission_uncertainty, thickness, substrate_index, mismatch)
    dt = xp.asarray(transmission_uncertainty)
    rms = xp.sqrt(0.5 * (xp.real(dt) ** 2 + xp.imag(dt) ** 2))
    n_s = xp.asarray(substrate_index)
    gain = xp.abs((1.0 + n_s) / (FREE_SPACE_IMPEDANCE * thickness * _NM * xp.asarray(transmission) ** 2))
    return gain * rms * (1.0 + 1j)

