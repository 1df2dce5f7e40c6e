"""Physical constants and every unit conversion of jaxhiggs, in one place.

Users speak meV, ps, THz, K, kV/cm and V·s/m.  Inside the solvers

* energies (gaps, ξ, γ, ω_D, k_B T, ħω) are in **meV**,
* times are in **ħ/meV** (= 0.6582119569 ps), so that ħ = 1 and an energy E
  is also an angular frequency E/ħ,
* the vector potential A is kept in **V·s/m** (SI); models turn it into the
  energy scales they need with the constants below.

Nothing else in the package hard-codes a conversion factor.
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import fail

#: What the conversions refuse: Python would take True as 1 and a list or text would fail deep in the arithmetic.
_NOT_QUANTITIES = (bool, np.bool_, str, bytes, list, tuple, dict, set, type(None))


def _quantity(value, name: str, unit: str):
    """``value`` itself, or an InputError when it is True/False, text, None or a list (give a number or an array).

    One ``isinstance`` per call (and a dtype look-up for NumPy arrays): the conversions run inside jitted
    code too, where the value is a tracer, which passes."""
    if isinstance(value, _NOT_QUANTITIES) or (isinstance(value, np.ndarray) and value.dtype.kind in "bOSU"):
        kind = "True/False" if isinstance(value, (bool, np.bool_)) or getattr(value, "dtype", None) == bool else \
            f"a {type(value).__name__}"
        raise fail(name, value, f"a number or a NumPy/JAX array of numbers ({unit}), not {kind}", unit=unit)
    return value

# CODATA 2018 exact / recommended values
HBAR_MEV_PS = 0.6582119569  # ħ in meV·ps
K_B_MEV_PER_K = 0.08617333262  # k_B in meV/K
H_MEV_PS = 2.0 * math.pi * HBAR_MEV_PS  # h in meV·ps (so ν[THz] = E[meV]/h)
ELEMENTARY_CHARGE = 1.602176634e-19  # C
ELECTRON_MASS = 9.1093837015e-31  # kg
HBAR_SI = 1.054571817e-34  # J·s
SPEED_OF_LIGHT = 299792458.0  # m/s
VACUUM_PERMITTIVITY = 8.8541878128e-12  # F/m
MEV_IN_J = 1e-3 * ELEMENTARY_CHARGE

#: Internal time unit ħ/meV expressed in ps.
TIME_UNIT_PS = HBAR_MEV_PS
#: Internal time unit in s.
TIME_UNIT_S = HBAR_MEV_PS * 1e-12

#: e²/(2 m_e) in meV per (V·s/m)²: the diamagnetic shift of a free electron.
DIAMAGNETIC_MEV_PER_A2 = ELEMENTARY_CHARGE**2 / (2.0 * ELECTRON_MASS) / MEV_IN_J
#: e/ħ in 1/(V·s·m)... i.e. e·A/ħ in 1/m for A in V·s/m (Peierls phase per metre).
PEIERLS_PER_M = ELEMENTARY_CHARGE / HBAR_SI
#: meV per (V·s/m) per nm³ (energy derivative ∂⟨H⟩/∂A per volume) in A/m² (a current density).
CURRENT_A_PER_M2 = MEV_IN_J * 1e27


def mev_to_thz(energy_mev):
    """Energy in meV → ordinary frequency ν = E/h in THz (1 meV ↔ 0.2417989 THz)."""
    _quantity(energy_mev, "energy_mev", "meV")
    return energy_mev / H_MEV_PS


def thz_to_mev(frequency_thz):
    """Ordinary frequency ν in THz → photon energy hν in meV."""
    _quantity(frequency_thz, "frequency_thz", "THz")
    return frequency_thz * H_MEV_PS


def ps_to_internal(time_ps):
    """Time in ps → internal time in ħ/meV."""
    _quantity(time_ps, "time_ps", "ps")
    return time_ps / TIME_UNIT_PS


def internal_to_ps(time_internal):
    """Internal time in ħ/meV → ps."""
    _quantity(time_internal, "time_internal", "ħ/meV")
    return time_internal * TIME_UNIT_PS


def kelvin_to_mev(temperature_k):
    """Temperature in K → k_B T in meV."""
    _quantity(temperature_k, "temperature_k", "K")
    return temperature_k * K_B_MEV_PER_K


def mev_to_kelvin(energy_mev):
    """k_B T in meV → temperature in K."""
    _quantity(energy_mev, "energy_mev", "meV")
    return energy_mev / K_B_MEV_PER_K


def kv_per_cm_to_v_per_m(field_kv_cm):
    """Electric field in kV/cm → V/m."""
    _quantity(field_kv_cm, "field_kv_cm", "kV/cm")
    return field_kv_cm * 1e5


def v_per_m_to_kv_per_cm(field_v_m):
    """Electric field in V/m → kV/cm."""
    _quantity(field_v_m, "field_v_m", "V/m")
    return field_v_m * 1e-5


def field_to_internal(field_kv_cm):
    """Electric field in kV/cm → internal field in (V·s/m) per (ħ/meV).

    With A in V·s/m and t in ħ/meV, E = -dA/dt is naturally in these units.
    """
    _quantity(field_kv_cm, "field_kv_cm", "kV/cm")
    return kv_per_cm_to_v_per_m(field_kv_cm) * TIME_UNIT_S


def internal_to_field(field_internal):
    """Internal field (V·s/m per ħ/meV) → kV/cm."""
    _quantity(field_internal, "field_internal", "V·s/m per ħ/meV")
    return v_per_m_to_kv_per_cm(field_internal / TIME_UNIT_S)


def diamagnetic_shift(vector_potential, mass_ratio, sign=1.0):
    """Diamagnetic energy shift δ = s e²A²/(2m) in meV.

    ``vector_potential`` in V·s/m, ``mass_ratio`` = m/m_e, ``sign`` = ±1 for
    electron-/hole-like bands.  Example: A = 1e-7 V·s/m, m = m_e → 0.879 meV.
    """
    _quantity(vector_potential, "vector_potential", "V·s/m")
    _quantity(mass_ratio, "mass_ratio", "m/m_e")
    _quantity(sign, "sign", "±1")
    if isinstance(mass_ratio, (int, float)) and not mass_ratio > 0:  # plain numbers only: cheap, and traced use passes
        raise fail("mass_ratio", mass_ratio, "a band mass m/m_e > 0")
    if isinstance(sign, (int, float)) and sign not in (1, -1):
        raise fail("sign", sign, "+1 (electron-like band) or -1 (hole-like band)")
    return sign * DIAMAGNETIC_MEV_PER_A2 * vector_potential**2 / mass_ratio


def diffusion_energy(diffusion_cm2_per_s, wavevector_per_nm):
    """ħDq² in meV from the diffusion constant D (cm²/s) and the wave vector q (1/nm).

    1 cm²/s × (1 nm⁻¹)² = 10¹⁴ s⁻¹, times ħ: 65.82 meV.  Example: D = 0.5 cm²/s (NbN-like),
    q = 0.2 nm⁻¹ → 1.32 meV; a THz photon's q ≈ 2·10⁻⁵ nm⁻¹ gives ~10⁻⁸ meV (negligible).
    """
    _quantity(diffusion_cm2_per_s, "diffusion_cm2_per_s", "cm²/s")
    _quantity(wavevector_per_nm, "wavevector_per_nm", "1/nm")
    return HBAR_MEV_PS * 1e-12 * 1e14 * diffusion_cm2_per_s * wavevector_per_nm**2


def fluence_j_per_m2(field_v_m_squared_integral_s):
    """Fluence c ε₀ ∫E² dt in J/m² from ∫E² dt given in (V/m)²·s."""
    _quantity(field_v_m_squared_integral_s, "field_v_m_squared_integral_s", "(V/m)²·s")
    return SPEED_OF_LIGHT * VACUUM_PERMITTIVITY * field_v_m_squared_integral_s


def j_per_m2_to_uj_per_cm2(fluence):
    """Fluence J/m² → µJ/cm² (1 J/m² = 100 µJ/cm²)."""
    _quantity(fluence, "fluence", "J/m²")
    return fluence * 100.0
