"""Clean multiband Anderson pseudospins (pseudospin-clean.md; Krull et al., seed 004).

Every pair (i k↑, i −k↓) is a classical spin s_in precessing in the self-consistent field

    ds/dt = b × s,   b_in = (−2 Re Δ_i, 2 Im Δ_i, 2 ε̄_in(t)),   Δ_i = Σ_j U_ij P_j,
    P_j = Σ_n W_jn (s^x_jn − i s^y_jn),

with ε̄ = [ε(k − eA) + ε(−k − eA)]/2 supplied by the band representation (energy grid:
ξ + s e²A²/2m; lattice: minimal coupling).  Internal units: meV and ħ/meV.

Structure used by the integrator: the part δ_i(t) of ε̄ common to all samples of a band
(the whole diamagnetic shift on the energy grid) rotates band i about z as a whole, a
gauge transformation (pseudospin-clean.md §4.2, analytic-checks.md C9).  The state is
therefore kept in the frame co-rotating with θ_i(t) = 2∫δ_i dt:

    s̃_in = R_z(θ_i) s_in,   ds̃/dt = b̃ × s̃,   b̃ = (−2 Re Δ̃_i, 2 Im Δ̃_i, 2(ε̄ − δ_i)),
    Δ̃_i = Σ_j U_ij e^{i(θ_i − θ_j)} P̃_j,   dθ_i/dt = 2δ_i,   Δ_i = e^{−iθ_i} Δ̃_i,

so a single band (or bands with equal δ and any U) feels no drive at all and |Δ| is
conserved to round-off however strong A² is, and only the gauge-invariant contrast
θ_i − θ_j enters the dynamics.  State: {"spins": (3, n_bands, n), "phase": θ (n_bands,)}.
"""

from __future__ import annotations

from collections.abc import Sequence

import diffrax
import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from .._validate import check, check_type
from ..grid import check_grid_memory
from ..bands import EnergyGrid, TightBinding
from ..drive import Drive
from ..equilibrium import Equilibrium, bcs_equilibrium, pair_sum
from ..equilibrium import _thermal_factor
from ..material import Superconductor
from ..solvers import UnrolledDopri8
from .base import Model, on_accelerator, warn_unused_impurity_rate
from .occupation import bin_states, binned, check_edges, check_edges_reach, occupation_from_spins

#: Energies per band from which the CPU default runs Dopri8's stages in the lean stage loop (``default_solver``).
STAGE_LOOP_FROM = 4000


def equilibrium_spins(gaps, energies, temperature) -> Float[Array, "3 n_bands n"]:
    """Thermal pseudospins s = tanh(E/2T)/(2E) (Δ, 0, −ξ), anti-parallel to b (§3.1)."""
    energy = jnp.sqrt(energies**2 + gaps[:, None] ** 2)
    scale = _thermal_factor(energy, temperature) / (2.0 * energy)
    return jnp.stack([scale * gaps[:, None], jnp.zeros_like(energies), -scale * energies])


def pair_amplitude(spins, weights) -> Array:
    """P_j = Σ_n W_jn (s^x − i s^y), complex (n_bands,)."""
    return jnp.sum(weights * (spins[0] - 1j * spins[1]), axis=-1)


class CleanPseudospin(Model):
    """Clean n-band pseudospin model on an energy grid or a tight-binding lattice.

    Args:
        material: a :class:`~jaxhiggs.material.Superconductor` (gaps are T → 0 targets;
            the gaps at its temperature follow from the gap equation on the same grid).
        n_energies: points of the midpoint energy grid on [−ω_D, ω_D] (energy-grid
            representation; ≥ 16).
        lattice: a :class:`~jaxhiggs.bands.TightBinding` instead of the energy grid
            (then ``n_energies`` is ignored and ω_D plays no role).
        diamagnetic_factor: κ in b_z = 2ξ + 2κ s e²A²/2m (1 = physical; ½ reproduces
            the reference script pseudospin.py; energy grid only).
        occupation_edges: bin edges in |ξ| (meV) of the optional observable ``occupation``
            (n_bands, n_bins): the Bogoliubov quasiparticles of the instantaneous gap,
            Σ_k W_k n_k per bin (:mod:`jaxhiggs.models.occupation`); None (default) leaves it out.
    """

    material: Superconductor
    representation: EnergyGrid | TightBinding
    equilibrium: Equilibrium
    diamagnetic_factor: float = eqx.field(static=True)
    occupation_edges: tuple[float, ...] | None = eqx.field(static=True)

    def __init__(self, material: Superconductor, n_energies: int | None = None, lattice: TightBinding | None = None,
                 diamagnetic_factor: float = 1.0, occupation_edges: Sequence[float] | None = None):
        check_type("material", material, Superconductor, "a jaxhiggs Superconductor, e.g. jaxhiggs.materials.nbn()")
        warn_unused_impurity_rate("CleanPseudospin", material, "it is the clean model (MattisBardeen takes γ; "
                                  "DisorderedPseudospin takes magnetic_rate and potential_rate)")
        if lattice is not None:
            check_type("lattice", lattice, TightBinding, "a jaxhiggs.TightBinding, or None for the energy grid")
        if lattice is None and n_energies is not None:
            # state (3 floats) × ~24 solver copies + grid arrays, per energy and band
            check_grid_memory("CleanPseudospin", n_energies, material.n_bands, 8 * (3 * 24 + 8))
        if lattice is None:
            if n_energies is None:
                raise ValueError("n_energies = None is not allowed: give the number of energy points (≥ 16)")
            representation = EnergyGrid(material, n_energies, diamagnetic_factor)
        else:
            if lattice.n_bands != material.n_bands:
                lattice = eqx.tree_at(lambda x: x.n_bands, lattice, material.n_bands)
            representation = lattice
        check(lambda d: d != 0, "diamagnetic_factor", diamagnetic_factor, "a non-zero factor (1 is physical)")
        self.occupation_edges = check_edges(occupation_edges)
        check_edges_reach(self.occupation_edges, representation.energies)
        self.material = material
        self.representation = representation
        self.diamagnetic_factor = float(diamagnetic_factor)
        self.equilibrium = bcs_equilibrium(
            material.gaps, material.v, representation.energies, representation.weights, material.temperature_mev
        )

    # -- the model contract -------------------------------------------------------------
    def initial_state(self):
        spins = equilibrium_spins(self.equilibrium.gaps, self.representation.energies, self.equilibrium.temperature)
        return {"spins": spins, "phase": jnp.zeros(spins.shape[1])}

    def arguments(self, drive: Drive):
        quench = drive.quench()
        u0 = self.equilibrium.couplings
        norm = jnp.sqrt(jnp.sum(self.initial_state()["spins"] ** 2, axis=0))
        if quench is None:
            return {"drive": drive, "couplings": (u0, u0), "quench_time": jnp.asarray(-jnp.inf), "norm": norm}
        rep = self.representation
        final = quench.final_couplings(
            u0, self.material.gaps, self.material.v, lambda g: pair_sum(g, rep.energies, rep.weights, 0.0)
        )
        return {"drive": drive, "couplings": (u0, final), "quench_time": quench.time, "norm": norm}

    def couplings_at(self, t, args):
        before, after = args["couplings"]
        return jnp.where(t >= args["quench_time"], after, before)

    def rotating_frame_gap(self, t, y, args):
        """Δ̃_i = Σ_j U_ij e^{i(θ_i − θ_j)} P̃_j (meV), the gap seen in band i's frame."""
        theta = y["phase"]
        twist = jnp.exp(1j * (theta[:, None] - theta[None, :]))
        return (self.couplings_at(t, args) * twist) @ pair_amplitude(y["spins"], self.representation.weights)

    def vector_field(self, t, y, args):
        a = args["drive"].vector_potential(t)
        delta = self.rotating_frame_gap(t, y, args)
        bz = 2.0 * self.representation.relative_pair_energy(a)
        bx = jnp.broadcast_to(-2.0 * delta.real[:, None], bz.shape)
        by = jnp.broadcast_to(2.0 * delta.imag[:, None], bz.shape)
        sx, sy, sz = y["spins"]
        spins = jnp.stack([by * sz - bz * sy, bz * sx - bx * sz, bx * sy - by * sx])
        return {"spins": spins, "phase": 2.0 * self.representation.band_shift(a)}

    def default_solver(self):
        """Dormand–Prince 8(7): diffrax's :class:`diffrax.Dopri8`, or on CPUs from
        :data:`STAGE_LOOP_FROM` energies per band on, the same tableau with a leaner stage loop.

        The step is pinned near the fastest precession 2√(ω_D² + Δ²) for any explicit method, so a
        high order buys accuracy almost for free: on the quench case of benchmarks/README.md (N_e =
        4000, 40 ħ/meV, default tolerances) 2170 steps, max |ΔΔ| 6e-11 meV, where Tsit5 needs 12 457.
        At large N_e a step is memory-bound on the stage sums: diffrax's loop forms each stage's input
        as a product with the whole (13 stages × state) buffer, while
        ``UnrolledDopri8(stage_loop=True)`` sums only the increments each stage needs (same steps and
        solution).  Measured on one CPU core, model passed as an argument as ``simulate`` does: run
        0.51 → 0.36 s (N_e = 1000), 3.42 → 2.04 s (4000), 13.96 → 10.79 s (15 024); first call
        (compile + run) 5.3 → 7.1 s, 8.9 → 8.6 s, 21.2 → 17.4 s — so it is the default from 4000 on,
        where it also wins the first call.  Accelerators keep the looped Dopri8 (not measured there).
        """
        if self.representation.energies.shape[-1] >= STAGE_LOOP_FROM and not on_accelerator():
            return UnrolledDopri8(stage_loop=True)
        return diffrax.Dopri8()

    def observables(self, t, y, args):
        weights = self.representation.weights
        spins, theta = y["spins"], y["phase"]
        couplings = self.couplings_at(t, args)
        p = pair_amplitude(spins, weights) * jnp.exp(-1j * theta)  # lab frame
        pair_energy = self.representation.pair_energy(args["drive"].vector_potential(t))
        energy = jnp.sum(weights * 2.0 * pair_energy * spins[2]) - jnp.real(jnp.conj(p) @ couplings @ p)
        number = jnp.sum(weights * (2.0 * spins[2] + 1.0))
        norm = jnp.sqrt(jnp.sum(spins**2, axis=0))
        norm_drift = jnp.max(jnp.abs(norm - args["norm"]) / args["norm"])
        out = {"gap": couplings @ p, "energy": energy, "number": number, "norm_drift": norm_drift}
        if self.occupation_edges is not None:
            out["occupation"] = binned(self.quasiparticle_occupation(t, y, args), weights,
                                       self.representation.energies, self.occupation_edges)
        return out

    def quasiparticle_occupation(self, t, y, args) -> Float[Array, "n_bands n"]:
        """n_k = ½ − s_k·ŝ_k: each pseudospin's quasiparticle occupation in the field of its band's instantaneous
        gap, ŝ_k ∝ (Re Δ̃_i, −Im Δ̃_i, −ξ_k) (0 in the ground state, f(E_k) in thermal equilibrium;
        :mod:`jaxhiggs.models.occupation`).  ξ_k is the undriven energy: the drive's shift of it (A² on the energy
        grid, the band shift on a lattice) is left out, so read it where A(t) has vanished."""
        return occupation_from_spins(y["spins"], self.rotating_frame_gap(t, y, args), self.representation.energies)

    def occupation_states(self) -> Float[Array, "n_bands n_bins"]:
        """Σ_k W_k per bin of ``occupation_edges``: ``occupation`` divided by it is the mean occupation per state."""
        return bin_states(self.representation.weights, self.representation.energies, self.occupation_edges)

    def options(self):
        rep = self.representation
        extra = {} if self.occupation_edges is None else {"occupation_edges": self.occupation_edges}
        if isinstance(rep, TightBinding):
            return {"lattice": rep, "diamagnetic_factor": self.diamagnetic_factor, **extra}
        return {"n_energies": int(rep.energies.shape[-1]), "diamagnetic_factor": self.diamagnetic_factor, **extra}

    def metadata(self):
        rep = self.representation
        return {
            "model": "CleanPseudospin",
            "representation": type(rep).__name__,
            "n_points": int(rep.energies.shape[-1]),
            "n_bands": int(self.material.n_bands),
        }
