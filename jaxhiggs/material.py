"""Bands and superconductors: the material parameters every model starts from.

Units: energies in meV, masses in electron masses m_e, temperature in K, density
of states in states per meV per nm³ per spin.  Only ratios of densities of
states enter the dynamics (the dimensionless couplings are λ_ij = U_ij N_j).
"""

from __future__ import annotations

import math
from typing import Sequence

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from . import units
from ._validate import InputError, check, check_type, show

# ħ²/(2 m_e) in meV·nm² (for k_F and the free-electron density of states).
_HBAR2_OVER_2ME_MEV_NM2 = (units.HBAR_SI**2 / (2 * units.ELECTRON_MASS)) / units.MEV_IN_J * 1e18


def _check_mass_and_fermi_energy(mass, fermi_energy, scalar=False):
    check(lambda x: x > 0, "mass", mass, "a finite band mass > 0 (in units of m_e)", scalar=scalar)
    check(lambda x: x > 0, "fermi_energy", fermi_energy, "a finite ε_F > 0 meV", unit="meV", scalar=scalar)


def free_electron_dos(mass: float, fermi_energy: float):
    """Density of states per spin at the Fermi level of a 3D parabolic band.

    N(0) = m k_F / (2π² ħ²) with k_F = sqrt(2 m ε_F)/ħ.  ``mass`` in m_e,
    ``fermi_energy`` in meV, both finite and > 0 (checked as in :class:`Band`); returns
    states / (meV nm³) per spin.
    """
    _check_mass_and_fermi_energy(mass, fermi_energy)
    k_f = jnp.sqrt(mass * fermi_energy / _HBAR2_OVER_2ME_MEV_NM2)  # 1/nm
    return mass * k_f / (2 * math.pi**2) / _HBAR2_OVER_2ME_MEV_NM2 / 2.0


class Band(eqx.Module):
    """One superconducting band.

    Attributes:
        gap: target T → 0 gap Δ_i in meV (sign allowed only through the coupling).
        sign: +1 electron-like, -1 hole-like (ξ = s(k²/2m − ε_F)).
        mass: band mass in m_e.
        fermi_energy: ε_F in meV.
        dos: density of states per spin at ε_F, states/(meV nm³), one finite number > 0; defaults
            to the free-electron value from ``mass`` and ``fermi_energy``.
        gamma: impurity scattering rate γ_i in meV (0 = clean).
    """

    gap: Float[Array, ""]
    sign: Float[Array, ""]
    mass: Float[Array, ""]
    fermi_energy: Float[Array, ""]
    dos: Float[Array, ""]
    gamma: Float[Array, ""]

    def __init__(self, gap, sign=1.0, mass=1.0, fermi_energy=1000.0, dos=None, gamma=0.0):
        # one band, one number each (a list would fail later with a broadcasting error far from here)
        check(lambda x: x > 0, "gap", gap, "a finite T → 0 gap > 0 meV (and < ω_D)", unit="meV", scalar=True)
        check(lambda x: np.abs(np.abs(x) - 1) < 1e-12, "sign", sign, "+1 (electron-like) or -1 (hole-like)",
              scalar=True)
        _check_mass_and_fermi_energy(mass, fermi_energy, scalar=True)
        check(lambda x: x >= 0, "gamma", gamma, "a finite impurity rate γ ≥ 0 meV", unit="meV", scalar=True)
        self.gap = jnp.asarray(gap, dtype=float)
        self.sign = jnp.asarray(sign, dtype=float)
        self.mass = jnp.asarray(mass, dtype=float)
        self.fermi_energy = jnp.asarray(fermi_energy, dtype=float)
        if dos is None:
            dos = free_electron_dos(self.mass, self.fermi_energy)
        else:
            check(lambda x: x > 0, "dos", dos, "a finite density of states > 0 (states per meV per nm³ per spin)",
                  scalar=True)
        self.dos = jnp.asarray(dos, dtype=float)
        self.gamma = jnp.asarray(gamma, dtype=float)


class Superconductor(eqx.Module):
    """A superconductor: bands coupled by a pairing matrix with U_ij = v U_11 (i ≠ j).

    Attributes:
        bands: the bands (one or more).
        v: interband coupling ratio (dimensionless), U_12 = v U_11 as in seeds 000/004.
        omega_D: pairing cut-off ω_D in meV (|ξ| ≤ ω_D).
        temperature: temperature in K.
    """

    bands: tuple[Band, ...]
    v: Float[Array, ""]
    omega_D: Float[Array, ""]
    temperature: Float[Array, ""]

    def __init__(self, bands: Sequence[Band], v=0.0, omega_D=50.0, temperature=0.0):
        if isinstance(bands, (Band, str, bytes)) or not hasattr(bands, "__iter__"):
            raise InputError(f"bands = {show(bands)} is not allowed: give a sequence of Band objects")
        bands = tuple(bands)
        if len(bands) == 0:
            raise InputError("bands = () is not allowed: give at least one Band")
        for i, band in enumerate(bands):
            check_type(f"band {i + 1}", band, Band, "a jaxhiggs.material.Band")
        check(lambda x: x > 0, "omega_D", omega_D, "a finite cut-off ω_D > 0 meV", unit="meV", scalar=True)
        check(lambda x: x >= 0, "temperature", temperature, "a finite temperature ≥ 0 K", unit="K", scalar=True)
        check(lambda x: np.abs(x) < 1, "v", v, "the interband ratio must satisfy |v| < 1 (finite)", scalar=True)
        for i, band in enumerate(bands):
            check(
                lambda g: g < np.asarray(omega_D),
                f"gap of band {i + 1}",
                band.gap,
                f"0 < Δ < ω_D = {show(omega_D)} meV (the gap must lie inside the pairing window)",
                unit="meV",
            )
        self.bands = bands
        self.v = jnp.asarray(v, dtype=float)
        self.omega_D = jnp.asarray(omega_D, dtype=float)
        self.temperature = jnp.asarray(temperature, dtype=float)

    @property
    def n_bands(self) -> int:
        return len(self.bands)

    def _stack(self, name):
        return jnp.stack([getattr(b, name) for b in self.bands])

    @property
    def gaps(self) -> Float[Array, " n_bands"]:
        """Target T → 0 gaps in meV."""
        return self._stack("gap")

    @property
    def dos(self) -> Float[Array, " n_bands"]:
        return self._stack("dos")

    @property
    def signs(self) -> Float[Array, " n_bands"]:
        return self._stack("sign")

    @property
    def masses(self) -> Float[Array, " n_bands"]:
        return self._stack("mass")

    @property
    def gammas(self) -> Float[Array, " n_bands"]:
        return self._stack("gamma")

    @property
    def temperature_mev(self) -> Float[Array, ""]:
        """k_B T in meV."""
        return units.kelvin_to_mev(self.temperature)


_BAND_KEYS = ("sign", "mass", "fermi_energy", "dos", "gamma")


def single_band(gap, omega_D, temperature=0.0, **band) -> Superconductor:
    """A one-band superconductor.

    Args:
        gap: T → 0 gap in meV (the gap at ``temperature`` follows from the gap equation).
        omega_D: cut-off in meV.
        temperature: K.
        **band: optional ``sign``, ``mass`` (m_e), ``fermi_energy`` (meV), ``dos``, ``gamma`` (meV).
    """
    unknown = set(band) - set(_BAND_KEYS)
    if unknown:
        raise ValueError(f"unknown band parameter(s) {sorted(unknown)}: allowed are {list(_BAND_KEYS)}")
    return Superconductor((Band(gap, **band),), v=0.0, omega_D=omega_D, temperature=temperature)


def two_band(gaps, v, omega_D, temperature=0.0, **bands) -> Superconductor:
    """A two-band superconductor with U_12 = v U_11.

    Args:
        gaps: the two T → 0 target gaps (meV).
        v: interband coupling ratio.
        omega_D: cut-off (meV), common to both bands.
        temperature: K.
        **bands: per-band tuples, keyed by the plural of a Band field: ``signs``,
            ``masses``, ``fermi_energies``, ``dos``, ``gammas``.
    """
    plural = {"signs": "sign", "masses": "mass", "fermi_energies": "fermi_energy", "dos": "dos", "gammas": "gamma"}
    unknown = set(bands) - set(plural)
    if unknown:
        raise ValueError(f"unknown band parameter(s) {sorted(unknown)}: allowed are {list(plural)}")
    if isinstance(gaps, (str, bytes)) or not hasattr(gaps, "__len__") or len(gaps) != 2:
        raise InputError(f"gaps = {show(gaps)} is not allowed: give exactly two gaps (meV)")
    per_band = [{}, {}]
    for key, values in bands.items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__len__") or len(values) != 2:
            raise InputError(f"{key} = {show(values)} is not allowed: give one value per band (2)")
        for i in range(2):
            per_band[i][plural[key]] = values[i]
    return Superconductor(
        tuple(Band(gaps[i], **per_band[i]) for i in range(2)), v=v, omega_D=omega_D, temperature=temperature
    )


def nbn(temperature=0.0, omega_D=20.0, gamma=0.0) -> Superconductor:
    """NbN as in Haenel et al., PRB 104, 134504 (2021) §III (seed 000).

    Δ(T→0) = 1.3 meV, ε_F = 1 eV, m = 0.78 m_e, electron-like.  The paper's text
    quotes ω_D = 2 meV "for resolvability" while the authors' code uses 20 meV;
    20 meV (ω_D/Δ ≈ 15) is the default here.  ``gamma`` in meV.
    """
    return single_band(1.3, omega_D, temperature, sign=1.0, mass=0.78, fermi_energy=1000.0, gamma=gamma)


#: Band orders of :func:`mgb2` (which band is "band 1", the one whose U_11 the ratio v multiplies).
MGB2_BAND_ORDERS = ("sigma-first", "pi-first")


def mgb2(v=0.02, temperature=0.0, omega_D=50.0, gammas=(0.0, 0.0), band_order="sigma-first",
         dos=None) -> Superconductor:
    """MgB₂-like two-band superconductor of Krull et al., Nat. Commun. 7, 11921 (2016) (seed 004).

    The two bands (T → 0 gaps, band parameters of the Haenel et al. reference scripts, seed 000):

    * σ: Δ = 7 meV, hole-like (sign −1), m = 1.38 m_e, ε_F = 0.7 eV;
    * π: Δ = 3 meV, electron-like (sign +1), m = 0.85 m_e, ε_F = 2.9 eV;

    ω_c = ``omega_D`` = 50 meV.  The interband coupling is U_12 = v U_11, so **which band comes
    first matters**: ``band_order="sigma-first"`` (default) is Krull et al.'s V_12 = v V_1 with band 1
    the 7 meV band; ``"pi-first"`` is the order of the Haenel et al. scripts (3 meV band first,
    v multiplies the π band's U_11).  At v = 0.02 the equilibrium Leggett mode lies at 3.29 meV
    (sigma-first) and 2.88 meV (pi-first).  ``gammas`` follow ``band_order``.

    ``dos``: the densities of states (N_1, N_2) per spin in states/(meV nm³), in ``band_order``.
    Neither seed states them (Krull's eq. 2 needs them: ω_L ∝ √(1/N_1 + 1/N_2)); ``None`` uses the
    free-electron values of the masses and Fermi energies above, N_π/N_σ = 0.9839 — an assumption
    of this preset, not a number from the papers.  Only the ratio enters the dynamics.
    """
    if band_order not in MGB2_BAND_ORDERS:
        raise InputError(f"band_order = {show(band_order)} is not allowed: one of {MGB2_BAND_ORDERS} "
                         "(U_12 = v U_11 of the first band)")
    sigma = dict(gap=7.0, sign=-1.0, mass=1.38, fermi_energy=700.0)
    pi = dict(gap=3.0, sign=1.0, mass=0.85, fermi_energy=2900.0)
    first, second = (sigma, pi) if band_order == "sigma-first" else (pi, sigma)
    kw = dict(signs=(first["sign"], second["sign"]), masses=(first["mass"], second["mass"]),
              fermi_energies=(first["fermi_energy"], second["fermi_energy"]), gammas=gammas)
    if dos is not None:
        kw["dos"] = dos
    return two_band((first["gap"], second["gap"]), v, omega_D, temperature, **kw)
