"""Energy grids and quadrature weights on the pairing window [-ω_D, ω_D].

A band is represented by single-particle energies ξ_n (meV) and weights W_n such
that Σ_k F(ξ_k) → Σ_n W_n F(ξ_n).  For a constant density of states N,
W_n = N w_n with w_n the quadrature weights of the energy integral.  The same
weights must be used in the gap equation and in the dynamics, otherwise the
equilibrium is not an exact fixed point (pseudospin-clean.md §2.2).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

MIN_ENERGIES = 16


def check_n_energies(n_energies) -> int:
    from ._validate import show

    if not isinstance(n_energies, (int, np.integer)) or n_energies < MIN_ENERGIES:
        raise ValueError(
            f"n_energies = {show(n_energies)} is not allowed: the energy grid needs an integer "
            f"number of points ≥ {MIN_ENERGIES}"
        )
    return int(n_energies)


def check_omega_D(omega_D) -> None:
    """ω_D must be one finite number > 0 meV (a negative one would reverse the grid, 0 give zero weights); a traced
    value passes (grids are rebuilt inside sweeps over the material)."""
    from ._validate import check

    check(lambda x: x > 0, "omega_D", omega_D, "a finite cutoff ω_D > 0 meV (the window is [−ω_D, ω_D])", unit="meV",
          scalar=True)


def midpoint_grid(omega_D, n_energies: int) -> tuple[Float[Array, " n"], Float[Array, " n"]]:
    """Symmetric midpoint grid ξ_n = −ω_D + (n − ½)h, h = 2ω_D/N, weights w_n = h.

    No point at ξ = 0; mirror symmetric.  ``omega_D`` in meV; returns (ξ, w) in meV.
    """
    n = check_n_energies(n_energies)
    check_omega_D(omega_D)
    h = 2.0 * omega_D / n
    xi = -omega_D + (jnp.arange(n) + 0.5) * h
    return xi, jnp.full((n,), 1.0) * h


def recurrence_time(omega_D, n_energies: int):
    """Time π/h (ħ/meV) after which a uniform grid of spacing h = 2ω_D/N shows revivals."""
    from ._validate import check_int

    check_int("n_energies", n_energies, 1, what="grid points")
    check_omega_D(omega_D)
    return jnp.pi * n_energies / (2.0 * omega_D)


def simpson_avg_weights(n_energies: int, spacing) -> Float[Array, " n"]:
    """Quadrature weights of legacy ``scipy.integrate.simps(..., even='avg')`` (MB spec §1.4).

    Odd ``n_energies``: composite Simpson h/3 (1, 4, 2, …, 4, 1).  Even: the average of
    (Simpson on the first N−1 points + trapezoid on the last interval) and (trapezoid on
    the first interval + Simpson on the last N−1 points).  Mirror symmetric, w_a = w_{N+1−a}.
    ``spacing`` h in meV; returns weights in meV.
    """
    from ._validate import check, check_int

    n = check_int("n_energies", n_energies, 3, what="grid points, the window's edges included")
    check(lambda x: x > 0, "spacing", spacing, "a finite grid spacing h > 0 meV", unit="meV", scalar=True)

    def simpson(m):
        w = np.ones(m)
        w[1:-1:2] = 4.0
        w[2:-1:2] = 2.0
        return w / 3.0

    if n % 2 == 1:
        w = simpson(n)
    else:
        first = np.zeros(n)
        first[: n - 1] += simpson(n - 1)
        first[n - 2 :] += 0.5
        second = np.zeros(n)
        second[1:] += simpson(n - 1)
        second[:2] += 0.5
        w = 0.5 * (first + second)
    return jnp.asarray(w) * spacing


def endpoint_grid(omega_D, n_energies: int) -> tuple[Float[Array, " n"], Float[Array, " n"]]:
    """Uniform grid ξ_a = −ω_D + (a−1)h, h = 2ω_D/(N−1), with Simpson-'avg' weights (MB spec §1.4).

    Includes both window edges; for even N there is no point at ξ = 0.  meV in, meV out.
    """
    n = check_n_energies(n_energies)
    check_omega_D(omega_D)
    h = 2.0 * omega_D / (n - 1)
    xi = -omega_D + jnp.arange(n) * h
    return xi, simpson_avg_weights(n, h)


def check_grid_memory(model: str, n_energies, n_bands: int, bytes_per_energy: float, quadratic: bool = False) -> None:
    """Refuse a grid whose estimated memory exceeds this machine's RAM, before allocating anything.

    ``bytes_per_energy``: bytes per energy point per band (per N² element with ``quadratic``),
    including the solver's copies of the state.
    """
    from ._validate import _ram_bytes, check, check_int, fail

    n = check_n_energies(n_energies)
    check_int("n_bands", n_bands, 1, what="bands")
    check(lambda x: x > 0, "bytes_per_energy", bytes_per_energy, "a finite number of bytes > 0", scalar=True)
    need = float(n) ** (2 if quadratic else 1) * n_bands * bytes_per_energy
    ram = _ram_bytes()
    if need > ram:
        largest = int((ram / (n_bands * bytes_per_energy)) ** (0.5 if quadratic else 1.0))
        raise fail("n_energies", n, f"{model} would need about {need / 1e9:.3g} GB of memory (estimate), more than "
                   f"this machine's {ram / 1e9:.3g} GB: use n_energies ≤ {largest}")
