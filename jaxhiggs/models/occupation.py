"""Bogoliubov quasiparticle occupations binned in energy: an optional observable of the pseudospin-type models.

A pair state k (pseudospin s_k, or the 2×2 Nambu density ρ(k, k)) sits in the field
h_k = [[ξ_k, −Δ], [−Δ*, −ξ_k]] of its band (meV), whose quasiparticle energy is E_k = √(ξ_k² + |Δ|²).  Its occupation
relative to that field is

    n_k = ½ + Tr ρ h_k/(2E_k) = ½ − s_k·ŝ_k,

0 in the field's ground state (T = 0), 1 for a broken pair, and the Fermi function f(E_k) = ½(1 − tanh(E_k/2T)) in
thermal equilibrium (ŝ_k is the unit vector of the ground-state pseudospin).  Because Δ(t) is the instantaneous gap,
n_k counts quasiparticles of the present gap: an adiabatic change of |Δ| alone leaves it 0, pair breaking raises it.

The observable ``occupation`` (n_bands, len(edges) − 1) is Σ_k W_k n_k over the k of each bin
edges[j] ≤ |ξ_k| < edges[j + 1] (meV; static bins in ξ, so that the E of a bin follows the record's gap), in the
model's weights W_k (the gap equation's).  k outside all bins are not counted.  The same sum of W_k alone,
:func:`bin_states`, turns it into the mean occupation per state of each bin.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .._validate import fail


def check_edges(edges) -> tuple[float, ...] | None:
    """``occupation_edges``: None (no occupation observable) or ≥ 2 strictly increasing finite |ξ| ≥ 0 in meV;
    returned as a tuple of floats (a static model field).  Raises :class:`InputError` naming the offending entry."""
    if edges is None:
        return None
    allowed = "None, or at least two strictly increasing, finite bin edges |ξ| ≥ 0 in meV, e.g. np.linspace(0, 16, 321)"
    try:
        arr = np.asarray(edges)
    except (TypeError, ValueError):
        raise fail("occupation_edges", edges, allowed) from None
    if arr.dtype.kind not in "iuf" or arr.ndim != 1 or arr.size < 2:  # no bools, strings, complex or nesting
        raise fail("occupation_edges", edges, allowed)
    arr = arr.astype(float)
    for i, x in enumerate(arr):
        if not np.isfinite(x) or (i == 0 and x < 0) or (i > 0 and not x > arr[i - 1]):
            raise fail(f"occupation_edges[{i}]", float(x), allowed + (f" (the entry before is {arr[i - 1]:g})"
                                                                      if i else ""), unit="meV")
    return tuple(float(x) for x in arr)


def check_edges_reach(edges: tuple[float, ...] | None, xi) -> None:
    """At least one bin must hold a point of the grid (|ξ| values ``xi``, meV): edges beyond the grid's cut-off
    would make an observable that is zero by construction."""
    if edges is None:
        return
    top = float(np.max(np.abs(np.asarray(xi))))
    if edges[0] >= top:
        raise fail("occupation_edges[0]", edges[0], f"below the grid's largest |ξ| = {top:.6g} meV (the cut-off ω_D), so "
                   "that some bin holds a grid point", unit="meV")


def bin_index(xi: Float[Array, "n_bands n_k"], edges: tuple[float, ...]):
    """The bin of each |ξ_k| (meV), len(edges) − 1 for k outside all bins (dropped by the segment sums)."""
    n_bins = len(edges) - 1
    j = jnp.searchsorted(jnp.asarray(edges), jnp.abs(xi), side="right") - 1
    return jnp.where((j < 0) | (j >= n_bins), n_bins, j)


def binned(values: Float[Array, "n_bands n_k"], weights, xi: Float[Array, "n_bands n_k"],
           edges: tuple[float, ...]) -> Float[Array, "n_bands n_bins"]:
    """Σ_k W_k x_k over the k of each |ξ| bin, per band (``weights`` broadcast to ``values``)."""
    n_bins = len(edges) - 1
    weights = jnp.broadcast_to(weights, values.shape)
    return jax.vmap(lambda x, w, j: jax.ops.segment_sum(x * w, j, n_bins + 1)[:n_bins])(
        values, weights, bin_index(xi, edges))


def bin_states(weights, xi: Float[Array, "n_bands n_k"], edges: tuple[float, ...] | None) -> Float[Array, "n_bands n_bins"]:
    """Σ_k W_k per |ξ| bin and band: the states the ``occupation`` observable sums over (0 for an empty bin, e.g.
    a bin narrower than the grid's spacing in ξ; divide with care)."""
    if edges is None:
        raise fail("occupation_edges", None, "bin edges in |ξ| (meV) given when the model is built, for the "
                   "occupation observable and its bin states")
    return binned(jnp.ones_like(xi), weights, xi, edges)


def occupation_from_density(rho: Array, gaps: Array, xi: Float[Array, "n_bands n_k"]) -> Float[Array, "n_bands n_k"]:
    """n_k = ½ + Tr ρ h/(2E) from Nambu densities ``rho`` (n_bands, n_k, 2, 2) = [[⟨c†c⟩-like, ⟨cc⟩], …] in the
    convention ρ_eq = ½ − tanh(E/2T) h/(2E), band gaps ``gaps`` (n_bands,) complex and energies ``xi`` (meV)."""
    gap = gaps[:, None]
    trace = xi * jnp.real(rho[..., 0, 0] - rho[..., 1, 1]) - 2 * jnp.real(rho[..., 0, 1] * jnp.conj(gap))
    return 0.5 + trace / (2 * jnp.sqrt(xi**2 + jnp.abs(gap) ** 2))


def occupation_from_spins(spins: Array, gaps: Array, xi: Float[Array, "n_bands n_k"]) -> Float[Array, "n_bands n_k"]:
    """n_k = ½ − s_k·ŝ_k from pseudospins ``spins`` (3, n_bands, n_k) whose ground state is ½ŝ_k =
    ½(Re Δ, −Im Δ, −ξ_k)/E_k, with the gaps ``gaps`` (n_bands,) complex in the spins' frame and energies ``xi``."""
    gap = gaps[:, None]
    sx, sy, sz = spins
    return 0.5 - (sx * gap.real - sy * gap.imag - sz * xi) / jnp.sqrt(xi**2 + jnp.abs(gap) ** 2)
