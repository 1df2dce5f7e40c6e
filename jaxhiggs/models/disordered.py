"""Disordered Anderson pseudospins: Dzero, PRB 109, L100503 (2024), eqs. (9)–(10).

Spec: the project's disordered-pseudospin spec, docs/models/disordered-pseudospin.md (§ numbers refer to it).  One band,
constant DOS ν on the midpoint grid ε_p ∈ [−ω_D, ω_D], T = 0, ħ = 1.  In the convention of
the clean model (S = 2s, ds/dt = b × s, b = (−2 Re Δ, 2 Im Δ, 2ε)) eq. (9) reads (§3)

    dS^x/dt = (b × S)_x + ε/(τΔ_s) ℓ^y(t)
    dS^y/dt = (b × S)_y + ε/(τ_m E)(𝒲 − cos θ) − (2/τ_s) ℓ^z(t) − ε/(τΔ_s) ℓ^x(t)
    dS^z/dt = (b × S)_z + (2/τ_s) ℓ^y(t),          Δ(t) = U Σ_p W_p s^x_p   (eq. 10),

1/τ = 1/τ_s + 1/τ_u, 1/τ_m = 1/τ_s − 1/τ_u.  The disorder terms are prescribed sources built
from the *clean* post-quench precession ℓ_p(t) (eq. 11, §4) about the field of the clean
asymptotic gap Δ_s (phase-II Lax root, analytic-checks.md C3), with cone angle θ_p from the
exact steady state (SM eq. 77 completed in §4) and 𝒲_p of §5; |S_p| is not conserved.

Inputs are energies: ``magnetic_rate`` = ħ/τ_s and ``potential_rate`` = ħ/τ_u in meV (0 = no
such scattering, i.e. τ = ∞).  The paper's ζ = 1/(τ_s Δ₁) is ``magnetic_rate / final_gap``.
Times are ħ/meV inside (ps at the API edge, via :func:`jaxhiggs.simulate`).

Initial states (§8.1): ``"clean"`` — the clean BCS ground state with the clean couplings (the
state that reproduces the paper's Figs. 2–3, mean gap Δ₁(1 − Aζ), A ≈ 0.39); ``"AG"`` — the
self-consistent Born (Abrikosov–Gor'kov) pseudospins of SM eqs. 59–69 in the form that is an
exact fixed point of eq. (9) (§6, with the factor ½), coupling from the discrete
self-consistency.  After a quench the AG coupling is shifted by the clean β = 1/λ_f − 1/λ_i.

Δ is real (eq. 10: Δ = U Σ_p W_p s^x_p; the field is b = (−2Δ, 0, 2ε)).  This is not a
gauge choice that could be relaxed: the disorder sources are prescribed functions of time built in
the gauge where Δ_s is real, so the equations are not invariant under a global phase rotation of
the spins.  Feeding back Im Δ = −U Σ W s^y (as the clean model does) turns the global-phase mode,
a free zero mode of the clean model, into an unstable one: Im Δ grows from round-off at a rate
(0.8–1.2)√ζ Δ₁ (measured on two grids) and Δ(t) undergoes 2π phase slips from t ≈ 31/(√ζ Δ₁)
(issue 11).  On the particle–hole-symmetric grid Im Δ ≡ 0 is an exact property of the physical solution (S^y is odd in
ε), so keeping Δ real changes nothing physical; the p–h-odd part of the state then just precesses
in the real field and stays at round-off.  The ``gap`` observable is still the full pair amplitude
U Σ W (s^x − i s^y) of the state, so its imaginary part is a diagnostic of that round-off.

The state mirrors :class:`~jaxhiggs.models.CleanPseudospin` ({"spins": (3, 1, n),
"phase": (1,)}, phase ≡ 0); at zero rates both models integrate the same ODE up to the Im Δ
feedback, which is zero on the clean solution (they agree to round-off).

Drives: :class:`~jaxhiggs.Quench`, :class:`~jaxhiggs.CouplingPulse` (a time-dependent coupling,
also on top of a quench) and ``NoDrive``.  A coupling pulse enters only the self-consistency,
Δ(t) = U(t) Σ_p W_p s^x_p with U(t) = U·[1 + a g(t)] (U the coupling before or after the
quench); the disorder sources stay those of the initial state (or of the quench).  This is the
order of the paper's own linear analysis (SM eq. 70: eq. 9 linearised with the ℓ(t) sources
held fixed); the response of the sources to the drive, O(δλ/τ), is not part of the paper's
derivation, which builds them only for the steady state after a sudden quench.  A vector-potential
pulse is refused: in a single band on an energy grid A(t) enters only through the uniform
diamagnetic shift of ε, a rotation of all spins about z that the fixed-frame sources are not
defined for (in the clean one-band model it is a pure phase rotation that leaves |Δ| unchanged).
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.signal import fftconvolve
from jaxtyping import Array, Float

from .._validate import InputError, check, check_bool, check_type, fail, is_concrete, show
from ..grid import check_grid_memory
from ..bands import EnergyGrid
from ..drive import CouplingPulse, Drive, NoDrive, Quench, coupling_pulses, relative_coupling
from ..equilibrium import pair_sum, solve_gap_equation
from ..material import Superconductor
from .base import Model, warn_unused_impurity_rate
from .pseudospin import equilibrium_spins, pair_amplitude

INITIAL_STATES = ("clean", "AG")


# ----------------------------------------------------------------------------- helpers
def hilbert_on_grid(values: Float[Array, " n"]) -> Float[Array, " n"]:
    """Principal value P[f](ε_p) = PV∫ f(ε')dε'/(ε_p − ε') on a uniform grid (§4).

    Discretised as Σ_{q≠p} f_q/(p − q) (the spacing cancels; the singular node is omitted,
    error O(h)); evaluated as one FFT convolution, O(N log N), so N = 15 024 is cheap.
    """
    n = values.shape[-1]
    j = jnp.arange(-(n - 1), n, dtype=float)
    kernel = jnp.where(j == 0, 0.0, 1.0 / jnp.where(j == 0, 1.0, j))
    return fftconvolve(values, kernel, mode="full")[n - 1: 2 * n - 1]


def lax_asymptotic_gap(gap_initial: Float[Array, ""], gap_final: Float[Array, ""]) -> Float[Array, ""]:
    """Clean phase-II asymptotic gap Δ_s (meV) of the quench Δ_0i → Δ_0f (C3, weak coupling).

    Solves ln(Δ_0f/Δ_0i) = f₋(y) for y by bisection (f₋ increasing) and returns Δ_0i·y.
    Valid for e^{−π/2} < Δ_0i/Δ_0f < e^{π/2} (:data:`QUENCH_RATIO_RANGE`; the model refuses quenches outside it,
    :func:`check_quench_ratio`).  Not differentiated (stop_gradient).
    """
    d0 = jax.lax.stop_gradient(jnp.asarray(gap_initial, float))
    d1 = jax.lax.stop_gradient(jnp.asarray(gap_final, float))
    target = jnp.log(d1 / d0)

    def f_minus(y):
        below = jnp.minimum(y, 1.0)
        above = jnp.maximum(y, 1.0)
        lo = -jnp.sqrt((1 - below) / (1 + below)) * jnp.arccos(below)
        hi = jnp.sqrt((above - 1) / (above + 1)) * jnp.arccosh(above)
        return jnp.where(y < 1.0, lo, hi)

    def body(_, lohi):
        lo, hi = lohi
        mid = jnp.sqrt(lo * hi)
        up = f_minus(mid) > target
        return jnp.where(up, lo, mid), jnp.where(up, mid, hi)

    lo, hi = jax.lax.fori_loop(0, 120, body, (jnp.asarray(1e-9), jnp.asarray(1e3)))
    return d0 * jnp.sqrt(lo * hi)


#: the quench range of :func:`lax_asymptotic_gap` (phase II of the clean quench diagram), Δ_0i/Δ_0f
QUENCH_RATIO_RANGE = (float(np.exp(-np.pi / 2)), float(np.exp(np.pi / 2)))


def check_quench_ratio(gap_initial, gap_final, name: str = "final_gap") -> None:
    """Refuse (concrete values) a quench outside e^{−π/2} < Δ_0i/Δ_0f < e^{π/2}, where the clean asymptotic gap
    Δ_s of :func:`lax_asymptotic_gap` does not exist: the bisection then silently returned its bound 1e-9 meV,
    and the solve diverged.  Tracers pass (a traced quench is the caller's to check)."""
    if not is_concrete(gap_initial, gap_final):
        return
    d0 = float(np.ravel(np.asarray(gap_initial, dtype=float))[0])
    lo, hi = d0 / QUENCH_RATIO_RANGE[1], d0 / QUENCH_RATIO_RANGE[0]
    check(lambda g: (g > lo) & (g < hi), name, gap_final,
          f"a final gap with e^(−π/2) < Δ₀/Δ_f < e^(π/2), i.e. {lo:.4g} < Δ_f < {hi:.4g} meV for the initial gap "
          f"Δ₀ = {d0:.4g} meV (phase II of the quench diagram; outside it the clean asymptotic gap that builds "
          "the disorder sources does not exist)", unit="meV")


def equilibrium_weight(energies, gap) -> Float[Array, " n"]:
    """w_p = (2Δ/πε) arsinh(ε/Δ) (SM eq. 40, §5), dimensionless, even in ε (ε ≠ 0)."""
    return 2.0 * gap / (jnp.pi * energies) * jnp.arcsinh(energies / gap)


def cone_angle(energies, gap_initial, gap_asymptotic, beta, inverse_coupling_final):
    """(sin θ_p, cos θ_p) of the clean steady state (SM eq. 77 completed, §4).

    A₀ = 2/λ_f + P[cos θ₀], B₀ = P[sin θ₀], G₀ = π² + A₀² + B₀², X = 4πβ sin θ₀,
    sin²θ = X²/[2π²(G₀ + √(G₀² − X²))] (the spec's form, rearranged to avoid cancellation);
    sign(sin θ) = sign(ε(Δ₀ − Δ_s)) (§4 proposal); cos θ = +√(1 − sin²θ).
    ``beta`` = 1/λ_f − 1/λ_i and ``inverse_coupling_final`` = 1/λ_f are dimensionless.
    """
    e0 = jnp.sqrt(energies**2 + gap_initial**2)
    sin0, cos0 = gap_initial / e0, energies / e0
    a0 = 2.0 * inverse_coupling_final + hilbert_on_grid(cos0)
    b0 = hilbert_on_grid(sin0)
    g0 = jnp.pi**2 + a0**2 + b0**2
    x = 4.0 * jnp.pi * beta * sin0
    sin2 = x**2 / (2.0 * jnp.pi**2 * (g0 + jnp.sqrt(jnp.maximum(g0**2 - x**2, 0.0))))
    sign = jnp.sign(energies * (gap_initial - gap_asymptotic))
    return sign * jnp.sqrt(sin2), jnp.sqrt(1.0 - sin2)


def disorder_weight(energies, gap_asymptotic, cos_theta) -> Float[Array, " n"]:
    """𝒲_p of §5: w_p(Δ_s) + (Δ_s E_p/πε_p) P[(cos θ − 1)/E_s](ε_p) (cos θ = 1 beyond ω_D)."""
    e_s = jnp.sqrt(energies**2 + gap_asymptotic**2)
    correction = hilbert_on_grid((cos_theta - 1.0) / e_s)
    return equilibrium_weight(energies, gap_asymptotic) + gap_asymptotic * e_s * correction / (jnp.pi * energies)


def ag_pseudospin_x(energies, gap, zeta_s, zeta_m, n_panels: int = 48, n_nodes: int = 8) -> Float[Array, " n"]:
    """AG equilibrium S^x_p (SM eqs. 61–63, §6), dimensionless (S = 2s).

    S^x = (2/π)∫₀^∞ du [R−ζ_m][R³−ζ_s]/(R⁴[(R−ζ_m)² + (ε/Δ)²]), R = √(1+u²), with
    u = sinh v (integrand ~ e^{−v}) on Gauss–Legendre panels v ∈ [0, 40]; ζ_s = 1/(τ_sΔ),
    ζ_m = 1/(2τ_mΔ).  Reduces to Δ/E at ζ = 0.
    """
    x, w = np.polynomial.legendre.leggauss(n_nodes)
    edges = np.linspace(0.0, 40.0, n_panels + 1)
    a, b = edges[:-1, None], edges[1:, None]
    v = jnp.asarray((a + 0.5 * (b - a) * (x + 1)).ravel())
    wv = jnp.asarray((0.5 * (b - a) * w).ravel())
    r = jnp.cosh(v)[None, :]
    xe = (energies / gap)[:, None]
    integrand = (r - zeta_m) * (r**3 - zeta_s) / (r**3 * ((r - zeta_m) ** 2 + xe**2))
    return (2.0 / jnp.pi) * integrand @ wv


def real_gap_sum(spins, weights) -> Float[Array, " 1"]:
    """Σ_p W_p s^x_p (eq. 10 without the coupling), real, shape (n_bands,) = (1,)."""
    return jnp.sum(weights * spins[0], axis=-1)


# ----------------------------------------------------------------------------- the model
class DisorderedPseudospin(Model):
    """Single-band pseudospins with Dzero's disorder collision terms (eqs. 9–10).

    Args:
        material: a one-band :class:`~jaxhiggs.material.Superconductor` at T = 0; its gap is
            the initial gap Δ₀ (meV) and ω_D its cut-off.
        n_energies: points of the midpoint grid on [−ω_D, ω_D] (the paper: 15 024).
        magnetic_rate: ħ/τ_s in meV (spin-flip, pair-breaking; AG Γ = ħ/τ_s), ≥ 0.
        potential_rate: ħ/τ_u in meV (non-magnetic), ≥ 0.
        initial_state: ``"clean"`` (paper's figures) or ``"AG"`` (self-consistent, §6).
        precession_phase: use the exact linear-regime phase ψ_p of ℓ_p(t) (§4) instead of
            the paper's ψ = 0.

    Drives: :class:`~jaxhiggs.Quench`, :class:`~jaxhiggs.CouplingPulse` (U(t) = U·[1 + a g(t)] in
    the self-consistency only, sources unchanged; use ``initial_state="AG"``, which is stationary) and
    ``NoDrive``; a vector-potential pulse is refused (module docstring).  To first order in a the
    response is δΔ(ω) = χ(ω)(Δ/λ)a g(ω) with the model's own χ, which equals the BCS χ of
    :mod:`jaxhiggs.response` at zero rates but not the Abrikosov–Gor'kov one with pair breaking
    (docs/models/disordered-pseudospin.md).

    The rates may be traced (``jax.vmap`` over ζ, ``jax.grad``); the grid and the initial
    state choice are static.
    """

    #: this model's self-consistency takes a time-dependent coupling (checked by ``simulate``)
    accepts_coupling_pulse = True

    material: Superconductor
    representation: EnergyGrid
    magnetic_rate: Float[Array, ""]
    potential_rate: Float[Array, ""]
    initial_state_kind: str = eqx.field(static=True)
    precession_phase: bool = eqx.field(static=True)

    def __init__(self, material: Superconductor, n_energies: int, magnetic_rate=0.0, potential_rate=0.0,
                 initial_state: str = "clean", precession_phase: bool = False):
        check_type("material", material, Superconductor, "a one-band jaxhiggs Superconductor, e.g. "
                   "jaxhiggs.materials.single_band(1.3, 20.0)")
        warn_unused_impurity_rate("DisorderedPseudospin", material, "give the scattering as magnetic_rate and "
                                  "potential_rate (meV)")
        check_grid_memory("DisorderedPseudospin", n_energies, 1, 8 * (3 * 24 + 40))
        if material.n_bands != 1:
            raise ValueError(f"material has n_bands = {material.n_bands}: DisorderedPseudospin is single-band")
        check(lambda t: t == 0, "material.temperature", material.temperature, "0 K: the disordered model is T = 0 only",
              unit="K")
        for name, rate in (("magnetic_rate", magnetic_rate), ("potential_rate", potential_rate)):
            check(lambda r: np.isfinite(r) & (r >= 0), name, rate,
                  "a scattering rate ħ/τ ≥ 0 meV, finite (0 = no scattering, τ = ∞; τ ≤ 0 is unphysical)",
                  scalar=True)
        if initial_state not in INITIAL_STATES:
            raise ValueError(f"initial_state = {initial_state!r} is not allowed: one of {INITIAL_STATES}")
        self.material = material
        self.representation = EnergyGrid(material, n_energies)
        self.magnetic_rate = jnp.asarray(magnetic_rate, float)
        self.potential_rate = jnp.asarray(potential_rate, float)
        self.initial_state_kind = initial_state
        self.precession_phase = check_bool("precession_phase", precession_phase)

    # -- equilibrium pieces ---------------------------------------------------------------
    @property
    def energies(self):
        return self.representation.energies[0]

    @property
    def gap_initial(self):
        return self.material.gaps[0]

    def _rates(self):
        gs, gu = self.magnetic_rate, self.potential_rate
        return gs, gs + gu, gs - gu  # 1/τ_s, 1/τ, 1/τ_m (meV)

    def clean_coupling(self, gap):
        """U of the clean T = 0 ground state with gap Δ on this grid (meV × inverse weight)."""
        rep = self.representation
        return 1.0 / pair_sum(jnp.atleast_1d(gap), rep.energies, rep.weights, 0.0)[0]

    def _initial(self):
        """(spins (3, 1, n), coupling U_i) of the chosen initial state."""
        rep = self.representation
        d0 = self.gap_initial
        if self.initial_state_kind == "clean":
            spins = equilibrium_spins(jnp.atleast_1d(d0), rep.energies, 0.0)
            return spins, self.clean_coupling(d0)
        eps = self.energies
        inv_ts, _, inv_tm = self._rates()
        sx = ag_pseudospin_x(eps, d0, inv_ts / d0, 0.5 * inv_tm / d0)
        e0 = jnp.sqrt(eps**2 + d0**2)
        # exact stationarity of eq. (9) at θ = 0 (§6, with the factor ½)
        sz = -(eps / d0) * sx - eps * equilibrium_weight(eps, d0) * inv_tm / (2.0 * d0 * e0)
        spins = 0.5 * jnp.stack([sx, jnp.zeros_like(sx), sz])[:, None, :]
        coupling = d0 / jnp.sum(rep.weights[0] * spins[0, 0])
        return spins, coupling

    def initial_state(self):
        spins, _ = self._initial()
        return {"spins": spins, "phase": jnp.zeros(1)}

    def linear_susceptibility(self, omega, broadening=0.0) -> Array:
        """This model's own amplitude susceptibility χ(ω) about its initial state, no quench (dimensionless).

        Eq. (9) linearised with the sources held fixed (they do not depend on the state, so they drop
        out; the paper's SM eq. 70): a coupling change U → U(1 + a(t)) gives, per level,
        δs^x_p(ω) = −4ε_p s^z_p δΔ(ω)/(4E_p² − ω²), E_p² = ε_p² + Δ₀², hence

            δΔ(ω) = a(ω) Δ₀ / D(ω),   D(ω) = 1 + U Σ_p W_p 4ε_p s^z_p / (4E_p² − ω²),

        returned in the convention of :mod:`jaxhiggs.response` (δΔ = χ (Δ/λ) a): χ = λ/D, λ = U ν.
        At zero rates (s^z = −ε/2E) χ⁻¹ is the BCS one on the band [−ω_D, ω_D]; with pair breaking its
        continuum still starts at 2Δ₀ (the spins precess at the clean 2E_p) and D has a real root
        below 2Δ₀, the undamped Higgs pole of the paper's eq. 13 — unlike the Abrikosov–Gor'kov χ.

        Args:
            omega: ħω in meV (any shape).  On the discrete grid D has poles at every 2E_p ≥ 2Δ₀:
                above 2Δ₀ give a ``broadening`` η > 0 (meV, ω → ω + iη) larger than the level spacing.
            broadening: η ≥ 0 in meV.
        """
        check(lambda x: np.isfinite(x), "omega", omega, "finite frequencies ħω in meV", unit="meV")
        check(lambda x: x >= 0, "broadening", broadening, "a broadening η ≥ 0 meV (ω → ω + iη)", unit="meV")
        spins, coupling = self._initial()
        eps = self.energies
        weights = self.representation.weights[0]
        w = jnp.asarray(omega, dtype=float)[..., None] + 1j * jnp.asarray(broadening, dtype=float)
        four_e2 = 4.0 * (eps**2 + self.gap_initial**2)
        d = 1.0 + coupling * jnp.sum(weights * 4.0 * eps * spins[2, 0] / (four_e2 - w**2), axis=-1)
        return coupling * self.material.dos[0] / d

    # -- sources ---------------------------------------------------------------------------
    def _sources(self, gap_s, sin_t, cos_t, weight):
        """Per-level coefficients of the disorder terms (in ds/dt = ½ dS/dt units)."""
        eps = self.energies
        inv_ts, inv_t, inv_tm = self._rates()
        e = jnp.sqrt(eps**2 + gap_s**2)
        psi = jnp.arctan2(jnp.pi, 2.0 * jnp.arcsinh(jnp.abs(eps) / gap_s)) if self.precession_phase else 0.0 * eps
        return {
            "static_y": 0.5 * eps * inv_tm / e * (weight - cos_t),  # ε/(τ_m E)(𝒲 − cos θ)
            "lx0": gap_s / e * cos_t, "lx1": eps / e * sin_t,        # ℓ^x = lx0 + lx1 cos φ
            "lz0": -eps / e * cos_t, "lz1": gap_s / e * sin_t,       # ℓ^z = lz0 + lz1 cos φ
            "ly1": sin_t,                                            # ℓ^y = ly1 sin φ
            "freq": 2.0 * e, "psi": psi,                              # φ = 2E(t − t_q) − ψ
            "cx": 0.5 * eps * inv_t / gap_s, "cz": inv_ts,           # ε/(τΔ_s)/2, (2/τ_s)/2
        }

    def arguments(self, drive: Drive):
        for part in drive.components():
            if not isinstance(part, (Quench, CouplingPulse, NoDrive)):
                raise ValueError(
                    f"drive component {type(part).__name__} is not allowed: DisorderedPseudospin supports "
                    "Quench, CouplingPulse and NoDrive only (a vector-potential pulse would rotate the spins "
                    "against its disorder sources, which are defined in a fixed frame)"
                )
        quench = drive.quench()
        if quench is not None and quench.final_gap is not None:  # before any work on the grid
            check_quench_ratio(self.gap_initial, quench.final_gap)
        pulses = coupling_pulses(drive)
        rep = self.representation
        eps = self.energies
        d0 = self.gap_initial
        spins, u_i = self._initial()
        norm = jnp.sqrt(jnp.sum(spins**2, axis=0))
        ones = jnp.ones_like(eps)
        pre = self._sources(d0, 0.0 * eps, ones, equilibrium_weight(eps, d0))
        quench = drive.quench()
        if quench is None:
            return {"couplings": (u_i, u_i), "quench_time": jnp.asarray(-jnp.inf), "norm": norm,
                    "pre": pre, "post": pre, "pulses": pulses}
        u_cl_i, u_cl_f, d1 = self._quench_gaps(quench)
        nu = self.material.dos[0]
        inv_lam_i, inv_lam_f = 1.0 / (u_cl_i * nu), 1.0 / (u_cl_f * nu)
        beta = inv_lam_f - inv_lam_i
        gap_s = lax_asymptotic_gap(d0, d1)
        sin_t, cos_t = cone_angle(eps, d0, gap_s, beta, inv_lam_f)
        post = self._sources(gap_s, sin_t, cos_t, disorder_weight(eps, gap_s, cos_t))
        u_f = 1.0 / (1.0 / u_i + (1.0 / u_cl_f - 1.0 / u_cl_i))  # same β shift (= u_cl_f for "clean")
        if self.initial_state_kind == "clean":
            u_f = u_cl_f
        return {"couplings": (u_i, u_f), "quench_time": quench.time, "norm": norm, "pre": pre, "post": post,
                "final_gap": d1, "asymptotic_gap": gap_s, "pulses": pulses}

    def _quench_gaps(self, quench: Quench):
        """(clean coupling before, after, final gap Δ_f) of ``quench``; a concrete quench outside the model's
        range (:func:`check_quench_ratio`) is refused here, naming final_gap (or the coupling_scale's Δ_f)."""
        rep = self.representation
        d0 = self.gap_initial
        if quench.final_gap is not None:  # before the gap equation: far outside, its Newton solve fails
            check_quench_ratio(d0, quench.final_gap)
        u_cl_i = self.clean_coupling(d0)
        u_cl_f = quench.final_couplings(jnp.atleast_2d(u_cl_i), jnp.atleast_1d(d0), self.material.v,
                                        lambda g: pair_sum(g, rep.energies, rep.weights, 0.0))[0, 0]
        if quench.final_gap is not None:
            name = "final_gap"
        elif is_concrete(quench.coupling_scale):  # (a traced quench, e.g. inside jit, is not checked: no value)
            name = f"final gap Δ_f (from coupling_scale = {show(quench.coupling_scale)})"
        else:
            name = "final gap Δ_f (from coupling_scale)"
        try:
            d1 = solve_gap_equation(jnp.atleast_2d(u_cl_f), rep.energies, rep.weights, 0.0, jnp.atleast_1d(d0))[0]
        except InputError:
            # the gap equation's Newton solve, started at Δ₀, found no final gap: the quench is far outside the
            # range (its message would blame the temperature, which is 0 K)
            lo, hi = float(d0) / QUENCH_RATIO_RANGE[1], float(d0) / QUENCH_RATIO_RANGE[0]
            raise fail("coupling_scale" if quench.final_gap is None else "final_gap",
                       quench.coupling_scale if quench.final_gap is None else quench.final_gap,
                       f"a quench with e^(−π/2) < Δ₀/Δ_f < e^(π/2), i.e. {lo:.4g} < Δ_f < {hi:.4g} meV for the initial "
                       f"gap Δ₀ = {float(d0):.4g} meV: the gap equation finds no final gap near Δ₀ for it") from None
        # one band: Δ → −Δ is a symmetry of the gap equation, and Newton from Δ₀ may land on −Δ_f for large
        # quenches (seen at Δ_f/Δ₀ = 4.8); the asymptotic gap needs the positive root
        d1 = jnp.abs(d1)
        check_quench_ratio(d0, d1, name)
        return u_cl_i, u_cl_f, d1

    def check_window(self, times_ps, drive=None) -> None:
        """Before compilation (``simulate``, ``sweep``): a concrete quench must lie in the model's range."""
        quench = None if drive is None else drive.quench()
        if quench is not None and is_concrete(self.material.gaps, quench):
            self._quench_gaps(quench)

    def _after(self, t, args):
        return t >= args["quench_time"]

    def coupling_at(self, t, args):
        """U(t): the coupling before/after the quench times 1 + Σ a g(t) of the coupling pulses."""
        base = jnp.where(self._after(t, args), *args["couplings"][::-1])
        return base * relative_coupling(args["pulses"], t)

    def vector_field(self, t, y, args):
        after = self._after(t, args)
        coupling = self.coupling_at(t, args)
        src = jax.tree_util.tree_map(lambda a, b: jnp.where(after, a, b), args["post"], args["pre"])
        spins = y["spins"]
        # eq. (10): Δ is real.  The sources are fixed in the gauge of the real Δ_s, so a
        # complex Δ would turn the global-phase mode unstable (see the module docstring).
        delta = coupling * real_gap_sum(spins, self.representation.weights)  # (1,) real
        bx = -2.0 * delta[:, None]
        bz = 2.0 * self.representation.energies
        sx, sy, sz = spins
        clean = jnp.stack([-bz * sy, bz * sx - bx * sz, bx * sy])
        # without a quench (quench_time = −∞) the sources are static: elapsed 0, not ∞ (cos ∞ is NaN)
        elapsed = jnp.where(after & jnp.isfinite(args["quench_time"]), t - args["quench_time"], 0.0)
        phi = src["freq"] * elapsed - src["psi"]
        c, s = jnp.cos(phi), jnp.sin(phi)
        lx = src["lx0"] + src["lx1"] * c
        ly = src["ly1"] * s
        lz = src["lz0"] + src["lz1"] * c
        source = jnp.stack([
            src["cx"] * ly,
            src["static_y"] - src["cz"] * lz - src["cx"] * lx,
            src["cz"] * ly,
        ])[:, None, :]
        return {"spins": clean + source, "phase": jnp.zeros_like(y["phase"])}

    def observables(self, t, y, args):
        coupling = self.coupling_at(t, args)
        spins = y["spins"]
        gap = coupling * pair_amplitude(spins, self.representation.weights)
        norm = jnp.sqrt(jnp.sum(spins**2, axis=0))
        return {
            "gap": gap,
            "spin_norm2": jnp.mean(4.0 * jnp.sum(spins**2, axis=0)),  # ⟨|S|²⟩ (= 1 if clean)
            "norm_drift": jnp.max(jnp.abs(norm - args["norm"]) / args["norm"]),
        }

    def sweep_parameters(self) -> dict[str, str]:
        """A sweep may vary the scattering rates ħ/τ_s and ħ/τ_u (meV), e.g. ``{"magnetic_rate": ζ·Δ₀ values}``."""
        return {"magnetic_rate": "meV", "potential_rate": "meV"}

    def options(self) -> dict:
        """Constructor keywords that rebuild this model for another material (used by sweeps: a sweep over the
        gap or ω_D, and the record that identifies a sweep's store).  The rates must be concrete numbers here."""
        if not is_concrete(self.magnetic_rate, self.potential_rate):
            raise NotImplementedError("a DisorderedPseudospin with traced scattering rates cannot be rebuilt for "
                                      "another material: sweep it with concrete rates (or jax.vmap over them)")
        return {"n_energies": int(self.representation.energies.shape[-1]),
                "magnetic_rate": float(self.magnetic_rate), "potential_rate": float(self.potential_rate),
                "initial_state": self.initial_state_kind, "precession_phase": self.precession_phase}

    def metadata(self):
        meta = {
            "model": "DisorderedPseudospin",
            "n_points": int(self.representation.energies.shape[-1]),
            "n_bands": 1,
            "initial_state": self.initial_state_kind,
            "precession_phase": self.precession_phase,
        }
        if is_concrete(self.magnetic_rate, self.potential_rate) and self.magnetic_rate.ndim == 0:
            meta.update(magnetic_rate_mev=float(self.magnetic_rate), potential_rate_mev=float(self.potential_rate))
        return meta
