"""Band representations: how the pairs (k↑, −k↓) of each band are sampled.

A representation provides, for every band i and sample n,

* ``energies`` ξ_in (meV): the equilibrium single-particle energy,
* ``weights`` W_in: the weight in Σ_k → Σ_n W_in (density of states × quadrature
  weight on an energy grid, 1/N_k on a lattice),
* ``pair_energy(A)``: half the pseudospin field's z component, b_z/2 =
  [ε(k − eA) + ε(−k − eA)]/2 in meV, at vector potential A (V·s/m), split as
  ``band_shift(A)`` (n_bands,), the part common to all samples of a band, plus
  ``relative_pair_energy(A)``, the rest.  The common part is a pure gauge rotation
  of that band, which the pseudospin model integrates exactly in a co-rotating frame.

Two representations exist: :class:`EnergyGrid` (constant DOS on [−ω_D, ω_D], the
seeds' model; the A² coupling shifts each band uniformly) and :class:`TightBinding`
(an explicit lattice with minimal coupling, where the band's non-parabolicity lets
light excite the Higgs mode in the clean limit).
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from . import units
from ._validate import _ram_bytes, check, check_int, fail, is_concrete
from .grid import check_n_energies, midpoint_grid
from .material import Superconductor

#: Bytes per k point and band of a solve on a lattice: the state and the solver's copies of it, as for
#: a point of the energy grid (CleanPseudospin's memory guard), plus the d cosines cos(k_a) kept per k point.
_BYTES_PER_K_POINT = 8 * (3 * 24 + 8)


def check_lattice_memory(dimension: int, n_k: int, n_bands: int) -> None:
    """Refuse a lattice of n_k^d points whose solve would need more than this machine's RAM, before allocating."""
    points = n_k**dimension
    need = float(points) * (n_bands * _BYTES_PER_K_POINT + 8 * dimension)
    ram = _ram_bytes()
    if need > ram:
        largest = int((ram / (n_bands * _BYTES_PER_K_POINT + 8 * dimension)) ** (1.0 / dimension))
        raise fail("n_k", n_k, f"a {dimension}-D lattice of {n_k}^{dimension} = {points:.3g} k points would need about "
                   f"{need / 1e9:.3g} GB of memory (estimate), more than this machine's {ram / 1e9:.3g} GB: use "
                   f"n_k ≤ {largest} in {dimension} D")


class EnergyGrid(eqx.Module):
    """Constant-DOS energy grid, same midpoint grid for all bands.

    ``diamagnetic`` = κ s_i e²/(2 m_i) in meV per (V·s/m)², so that b_z/2 = ξ + δ_i(t)
    with δ_i = s_i e²A²/2m_i (pseudospin-clean.md §4.2; κ = 1 is physical, κ = ½
    reproduces the reference script pseudospin.py).
    """

    energies: Float[Array, "n_bands n"]
    weights: Float[Array, "n_bands n"]
    diamagnetic: Float[Array, " n_bands"]

    def __init__(self, material: Superconductor, n_energies: int, diamagnetic_factor: float = 1.0):
        xi, w = midpoint_grid(material.omega_D, check_n_energies(n_energies))
        nb = material.n_bands
        self.energies = jnp.broadcast_to(xi, (nb, xi.shape[0]))
        self.weights = material.dos[:, None] * w[None, :]
        self.diamagnetic = diamagnetic_factor * material.signs * units.DIAMAGNETIC_MEV_PER_A2 / material.masses

    def band_shift(self, vector_potential) -> Float[Array, " n_bands"]:
        """δ_i = κ s_i e²A²/2m_i (meV): uniform in ξ, hence a gauge rotation of band i."""
        return self.diamagnetic * vector_potential**2

    def relative_pair_energy(self, vector_potential) -> Float[Array, "n_bands n"]:
        return self.energies

    def pair_energy(self, vector_potential) -> Float[Array, "n_bands n"]:
        return self.energies + self.band_shift(vector_potential)[:, None]


class TightBinding(eqx.Module):
    """Nearest-neighbour tight binding ε(k) = −2J Σ_a cos(k_a a) − μ on a d-cubic lattice.

    Args:
        dimension: 1, 2 or 3 (an integer).
        hopping: J in meV, one finite number > 0 (−J is the same band with k shifted by π).
        n_k: k points per direction, an integer ≥ 4 (the full Brillouin zone, n_k^d samples; refused
            when the solve would not fit in this machine's memory).
        chemical_potential: μ in meV (0 = half filling), one finite number.
        lattice_constant: a in nm (sets the Peierls phase eAa/ħ), one finite number > 0.
        polarization: direction of A, a finite non-zero real vector of length ``dimension``
            (normalised; default along x).
        n_bands: bands sharing the dispersion, an integer ≥ 1 (CleanPseudospin sets it to the
            material's).

    Every field is checked by name (:class:`~jaxhiggs._validate.InputError`) before anything is
    allocated; traced values (jit, vmap, grad) skip the value checks.

    All bands of the material share this dispersion.  With minimal coupling the pair
    field is b_z/2 = [ε(k − eA) + ε(k + eA)]/2 = −2J Σ_a cos(k_a) cos(eA_a a/ħ) − μ.
    """

    dimension: int = eqx.field(static=True)
    hopping: Float[Array, ""]
    chemical_potential: Float[Array, ""]
    lattice_constant: Float[Array, ""]
    polarization: Float[Array, " d"]
    cos_k: Float[Array, "d nk"]
    n_bands: int = eqx.field(static=True)

    def __init__(self, dimension=2, hopping=100.0, n_k=128, chemical_potential=0.0, lattice_constant=0.4,
                 polarization=None, n_bands=1):
        dimension = check_int("dimension", dimension, 1, 3, "lattice dimension")
        n_k = check_int("n_k", n_k, 4, what="k points per direction")
        n_bands = check_int("n_bands", n_bands, 1, what="bands sharing this dispersion")
        check(lambda x: x > 0, "hopping", hopping, "a finite hopping J > 0 meV (−J is the same band shifted by π)",
              unit="meV", scalar=True)
        check(np.isfinite, "chemical_potential", chemical_potential, "a finite chemical potential μ (meV)", unit="meV",
              scalar=True)
        check(lambda x: x > 0, "lattice_constant", lattice_constant, "a finite lattice constant a > 0 nm", unit="nm",
              scalar=True)
        check_lattice_memory(dimension, n_k, n_bands)
        if polarization is None:
            pol = jnp.zeros(dimension).at[0].set(1.0)
        else:
            allowed = f"a finite, non-zero real vector of length {dimension} (the direction of A)"
            check(np.isfinite, "polarization", polarization, allowed)
            pol = jnp.asarray(polarization, dtype=float)
            if pol.shape != (dimension,) or (is_concrete(pol) and not np.any(np.asarray(pol) != 0)):
                raise fail("polarization", polarization, allowed)
        self.dimension = dimension
        self.hopping = jnp.asarray(hopping, dtype=float)
        self.chemical_potential = jnp.asarray(chemical_potential, dtype=float)
        self.lattice_constant = jnp.asarray(lattice_constant, dtype=float)
        self.polarization = pol / jnp.linalg.norm(pol)
        # midpoints of the Brillouin zone avoid the symmetric points where ξ may vanish
        k1 = -np.pi + (np.arange(n_k) + 0.5) * 2 * np.pi / n_k
        grids = np.meshgrid(*([k1] * dimension), indexing="ij")
        self.cos_k = jnp.asarray(np.stack([np.cos(g).ravel() for g in grids]))
        self.n_bands = n_bands

    @property
    def energies(self):
        xi = -2.0 * self.hopping * jnp.sum(self.cos_k, axis=0) - self.chemical_potential
        return jnp.broadcast_to(xi, (self.n_bands, xi.shape[0]))

    @property
    def weights(self):
        n = self.cos_k.shape[1]
        return jnp.full((self.n_bands, n), 1.0 / n)

    def peierls_phase(self, vector_potential):
        """eAa/ħ per direction (dimensionless) for A in V·s/m."""
        return units.PEIERLS_PER_M * vector_potential * self.lattice_constant * 1e-9 * self.polarization

    def band_shift(self, vector_potential):
        return jnp.zeros((self.n_bands,))

    def relative_pair_energy(self, vector_potential):
        return self.pair_energy(vector_potential)

    def pair_energy(self, vector_potential):
        phase = self.peierls_phase(vector_potential)
        xi = -2.0 * self.hopping * jnp.sum(self.cos_k * jnp.cos(phase)[:, None], axis=0) - self.chemical_potential
        return jnp.broadcast_to(xi, (self.n_bands, xi.shape[0]))
