"""BCS equilibrium of n bands on a discrete energy (or momentum) grid.

Each band i is given by energies ξ_in (meV) and weights W_in (DOS × quadrature
weight, so Σ_k → Σ_n W_in).  With the pair sums

    K_j(Δ_j, T) = Σ_n W_jn tanh(E_jn / 2T) / (2 E_jn),   E = sqrt(ξ² + Δ²),

the gap equation reads Δ_i = Σ_j U_ij K_j Δ_j (pseudospin-clean.md §3.2).
Couplings are parameterised by what users know: target T → 0 gaps Δ_i and the
interband ratio v (U_ij = v U_11 for i ≠ j), which fix U explicitly (§3.3) so a
fit over Δ_i and v never needs a root find inside the gradient.  The finite-T
gaps then follow from a Newton solve differentiated implicitly.

Energies and temperatures (k_B T) in meV.
"""

from __future__ import annotations

import equinox as eqx

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from ._validate import InputError, check, is_concrete, show


def _check_temperature(temperature) -> None:
    """k_B T in meV: finite and ≥ 0 (a negative or NaN T would silently give the T = 0 answer: tanh → 1)."""
    check(lambda t: t >= 0, "temperature", temperature, "a finite temperature k_B T ≥ 0 meV", unit="meV")


def _check_grid(target_gaps, xi, weights) -> None:
    """The grid's shapes: ``xi`` and ``weights`` both (n_bands, n) with one row per gap (a mismatch otherwise
    surfaced as JAX's broadcasting error, far from its cause)."""
    n_bands = np.shape(target_gaps)[0] if np.ndim(target_gaps) else 1
    for name, x in (("xi", xi), ("weights", weights)):
        if np.ndim(x) != 2 or np.shape(x)[0] != n_bands:
            raise InputError(f"{name} has shape {np.shape(x)} is not allowed: give (n_bands, n) = ({n_bands}, n), "
                             "one row of grid points per band")
    if np.shape(xi) != np.shape(weights):
        raise InputError(f"weights has shape {np.shape(weights)} is not allowed: it must match xi {np.shape(xi)}")


def pair_sum(gaps, xi, weights, temperature) -> Float[Array, " n_bands"]:
    """K_j = Σ_n W_jn tanh(E_jn/2T)/(2E_jn) for each band (meV⁻¹ × weight units).

    ``gaps`` (n_bands,), ``xi``/``weights`` (n_bands, n), ``temperature`` k_B T in meV, finite and ≥ 0
    (0 allowed: tanh → 1; a concrete T < 0 or NaN is refused).
    """
    _check_temperature(temperature)
    return _pair_sum(gaps, xi, weights, temperature)


@jax.jit  # compiled once: op by op, every model construction dispatched these small kernels
def _pair_sum(gaps, xi, weights, temperature):
    energy = jnp.sqrt(xi**2 + gaps[:, None] ** 2)
    return jnp.sum(weights * _thermal_factor(energy, temperature) / (2.0 * energy), axis=-1)


def _thermal_factor(energy, temperature):
    """tanh(E/2T), equal to 1 at T = 0, safe for autodiff at T = 0."""
    safe_t = jnp.where(temperature > 0, temperature, 1.0)
    return jnp.where(temperature > 0, jnp.tanh(energy / (2.0 * safe_t)), 1.0)


@jax.jit  # compiled once: op by op, every model construction dispatched these small kernels
def couplings_from_gaps(target_gaps, v, pair_sums) -> Float[Array, "n_bands n_bands"]:
    """Pairing matrix U (meV × inverse weight units) from target gaps and v.

    U_ij = v U_11 (i ≠ j).  Band 1: Δ_1 = U_11 (K_1Δ_1 + v Σ_{j>1} K_jΔ_j); band i > 1:
    Δ_i = v U_11 Σ_{j≠i} K_jΔ_j + U_ii K_iΔ_i.  Explicit, hence differentiable.
    ``pair_sums`` are the K_j evaluated at the target gaps (normally at T = 0).
    """
    kd = pair_sums * target_gaps
    n = target_gaps.shape[0]
    u11 = target_gaps[0] / (kd[0] + v * (jnp.sum(kd) - kd[0]))
    off = jnp.sum(kd) - kd  # Σ_{j≠i} K_jΔ_j
    diag = (target_gaps - v * u11 * off) / kd
    diag = diag.at[0].set(u11)
    return v * u11 * (jnp.ones((n, n)) - jnp.eye(n)) + jnp.diag(diag)


def _stable(u) -> bool:
    u = np.asarray(u)
    return bool(np.all(np.diag(u) > 0) and np.linalg.det(u) > 0)


def largest_v(target_gaps, v, pair_sums) -> float:
    """Largest |v| (same sign as ``v``) for which the couplings of these target gaps stay attractive and
    stable (bisection on concrete values; 0 if even v = 0 fails)."""
    sign = 1.0 if float(v) >= 0 else -1.0
    gaps, kd = np.asarray(target_gaps, float), np.asarray(pair_sums, float) * np.asarray(target_gaps, float)
    n = gaps.size

    def ok(x):  # couplings_from_gaps in NumPy (no JAX dispatch in the loop)
        vv = sign * x
        u11 = gaps[0] / (kd[0] + vv * (kd.sum() - kd[0]))
        diag = (gaps - vv * u11 * (kd.sum() - kd)) / kd
        diag[0] = u11
        return _stable(vv * u11 * (np.ones((n, n)) - np.eye(n)) + np.diag(diag))

    lo, hi = 0.0, 1.0
    if not ok(lo):
        return 0.0
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo


def check_couplings(couplings, target_gaps=None, v=None, pair_sums=None) -> None:
    """Attractive, stable pairing needs U_ii > 0 and det U > 0 (§3.3); with the target gaps, v and pair
    sums the message states the largest |v| allowed."""
    if not is_concrete(couplings):
        return
    u = np.asarray(couplings)
    if not _stable(u):
        from ._validate import InputError, show

        if v is not None and is_concrete(target_gaps, v, pair_sums):
            vmax = largest_v(target_gaps, v, pair_sums)
            raise InputError(
                f"v = {show(v)} is not allowed: with the target gaps {show(np.asarray(target_gaps))} meV the pairing "
                f"matrix U = {u.tolist()} is not attractive and stable (U_ii > 0, det U > 0); the largest |v| "
                f"allowed for these gaps is {vmax:.4g}"
            )
        raise InputError(
            f"the target gaps and v give the pairing matrix U = {u.tolist()}, which is not attractive and "
            "stable (need U_ii > 0 and det U > 0): lower |v| or make the gaps less unequal"
        )


def solve_gap_equation(couplings, xi, weights, temperature, initial_gaps) -> Float[Array, " n_bands"]:
    """Gaps Δ_i(T) (meV) solving Δ_i = Σ_j U_ij K_j(Δ_j, T) Δ_j by Newton's method.

    Differentiable in U, the grid and T through the implicit function theorem.
    Starts from ``initial_gaps`` (normally the T → 0 gaps).  Raises if the only
    solution is the normal state (T ≥ T_c) for concrete inputs, and for a concrete ``temperature`` (k_B T in
    meV) that is negative or not finite.
    """
    _check_temperature(temperature)

    gaps = _newton_gaps(couplings, xi, weights, temperature, initial_gaps)
    if is_concrete(gaps, temperature):
        g = np.asarray(gaps)
        if not np.all(np.isfinite(g)) or np.max(np.abs(g)) < 1e-6 * np.max(np.abs(np.asarray(initial_gaps))):
            from ._validate import InputError
            from .units import mev_to_kelvin

            t_k = float(mev_to_kelvin(float(temperature)))
            try:
                t_c = float(mev_to_kelvin(critical_temperature(couplings, xi, weights)))
                limit = f"T must be below T_c = {t_c:.4g} K for this material (on this energy grid)"
            except Exception:  # pragma: no cover - degenerate couplings
                limit = "T must be below T_c (see jaxhiggs.equilibrium.critical_temperature)"
            raise InputError(
                f"temperature = {t_k:.6g} K is not allowed: the gap equation has no superconducting solution there; "
                f"{limit}"
            )
    return gaps


@eqx.filter_jit
def _newton_gaps(couplings, xi, weights, temperature, initial_gaps):
    """Newton iterations on the gap equation, differentiated implicitly.

    The iterations run on stop-gradient inputs (a fixed count: Newton converges
    quadratically from the T → 0 gaps in a handful of steps); one last Newton step on
    the live inputs then carries the exact implicit-function derivative
    dΔ/dp = −J⁻¹ ∂r/∂p at the fixed point.  Plain JAX (no optimistix/lineax), so it also
    runs under ``jax.shard_map``.  Jitted at module level so model construction does not
    recompile it.
    """

    def residual(gaps, u, x, w, t):
        return gaps - u @ (pair_sum(gaps, x, w, t) * gaps)

    def newton_step(gaps, u, x, w, t):
        jac = jax.jacfwd(residual)(gaps, u, x, w, t)
        return gaps - jnp.linalg.solve(jac, residual(gaps, u, x, w, t))

    frozen = jax.lax.stop_gradient((couplings, xi, weights, temperature))
    gaps = jax.lax.fori_loop(0, 40, lambda _, g: newton_step(g, *frozen), jax.lax.stop_gradient(initial_gaps))
    return newton_step(jax.lax.stop_gradient(gaps), couplings, xi, weights, temperature)


def critical_temperature(couplings, xi, weights) -> float:
    """T_c (k_B T_c in meV): largest T where det(1 − U diag K_lin(T)) = 0.

    K_lin(T) = Σ_n W_n tanh(ξ_n/2T)/(2ξ_n) is the pair sum at Δ → 0.  Found by
    bisection on concrete inputs (not differentiated).  Raises :class:`InputError` when the couplings or
    the grid are not finite, or when the couplings give no superconducting solution at any T on this
    grid (repulsive or unstable pairing, det(1 − U K_lin) ≥ 0 down to T = 10⁻⁶ meV), instead of returning
    the lower end of the bisection.
    """
    for name, value, allowed in (("couplings", couplings, "finite couplings U_ij"),
                                 ("xi", xi, "finite energies ξ in meV"),
                                 ("weights", weights, "finite weights (DOS × quadrature weight)")):
        check(lambda x: True, name, value, allowed)
    u = np.asarray(couplings)
    xi = np.asarray(xi)
    w = np.asarray(weights)
    n = u.shape[0]

    def det(t):
        # tanh(ξ/2T)/(2ξ) → 1/(4T) at ξ = 0 (grids with a point at the Fermi level)
        safe = np.where(xi == 0, 1.0, xi)
        k = np.sum(w * np.where(xi == 0, 1.0 / (4 * t), np.tanh(xi / (2 * t)) / (2 * safe)), axis=-1)
        return np.linalg.det(np.eye(n) - u * k[None, :])

    lo, hi = 1e-6, float(np.max(np.abs(xi)))
    if not det(lo) < 0:
        raise InputError(
            f"couplings = {show(u)} is not allowed: they give no superconducting solution on this grid "
            f"(det(1 − U K_lin(T)) = {det(lo):.4g} ≥ 0 already at T = 10⁻⁶ meV, so T_c would be 0); the pairing "
            "must be attractive and stable (U_ii > 0, det U > 0) and strong enough for a gap on this grid"
        )
    # det < 0 in the superconducting phase at low T, > 0 in the normal phase.
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if det(mid) < 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


class Equilibrium(eqx.Module):
    """The equilibrium a dynamics starts from.

    Attributes:
        couplings: U_ij (meV × inverse weight units).
        gaps: Δ_i(T) in meV (real; the sign of U_12 fixes relative signs).
        temperature: k_B T in meV.
    """

    couplings: Float[Array, "n_bands n_bands"]
    gaps: Float[Array, " n_bands"]
    temperature: Float[Array, ""]


def bcs_equilibrium(target_gaps, v, xi, weights, temperature) -> Equilibrium:
    """Couplings from the T → 0 targets on this grid, then Δ_i(T) on the same grid.

    This is the grid-consistent convention: the discrete equilibrium is an exact
    fixed point of the dynamics that uses the same (ξ, W).  ``temperature`` is k_B T in meV: finite,
    ≥ 0 and below T_c (refused otherwise when concrete).
    """
    _check_temperature(temperature)
    _check_grid(target_gaps, xi, weights)
    target_gaps = jnp.asarray(target_gaps, dtype=float)
    sums = pair_sum(target_gaps, xi, weights, 0.0)
    u = couplings_from_gaps(target_gaps, v, sums)
    check_couplings(u, target_gaps, v, sums)
    temperature = jnp.asarray(temperature, dtype=float)
    if is_concrete(temperature) and float(temperature) == 0.0:
        gaps = target_gaps
    else:
        if is_concrete(u, xi, weights, temperature):  # refuse T ≥ T_c before compiling the Newton solve
            try:
                t_c = critical_temperature(u, xi, weights)
            except InputError:  # no T_c to compare with on this grid: the Newton solve below reports it
                t_c = float("nan")
            if np.isfinite(t_c) and t_c > 2e-6 and float(temperature) >= t_c:
                from .units import mev_to_kelvin

                raise InputError(
                    f"temperature = {float(mev_to_kelvin(float(temperature))):.6g} K is not allowed: T must be below "
                    f"T_c = {float(mev_to_kelvin(t_c)):.4g} K for this material (on this energy grid)"
                )
        gaps = solve_gap_equation(u, xi, weights, temperature, target_gaps)
    return Equilibrium(couplings=u, gaps=gaps, temperature=temperature)


def coupling_for_gap(target_gaps, v, xi, weights):
    """U whose T = 0 ground state on this grid has the given gaps (used by quenches)."""
    target_gaps = jnp.asarray(target_gaps, dtype=float)
    u = couplings_from_gaps(target_gaps, v, pair_sum(target_gaps, xi, weights, 0.0))
    check_couplings(u)
    return u


__all__ = [
    "Equilibrium",
    "abrikosov_gorkov",
    "bcs_equilibrium",
    "couplings_from_gaps",
    "coupling_for_gap",
    "critical_temperature",
    "pair_sum",
    "solve_gap_equation",
]


def abrikosov_gorkov(gap_clean, pair_breaking):
    """Abrikosov-Gor'kov suppressed gap Δ and threshold ε_g (meV); see :mod:`jaxhiggs.pair_breaking`."""
    from .pair_breaking import abrikosov_gorkov as _ag

    return _ag(gap_clean, pair_breaking)
