"""Mattis–Bardeen k–k′ density-matrix model to third order in A (Haenel et al. 2021, seed 000).

Implements the model of Haenel, Froese, Manske and Schwarz, Phys. Rev. B 104, 134504 (2021), as restated
in the project's Mattis–Bardeen page ("the spec", docs/models/mattis-bardeen.md).  Disorder enters only
through the angle-averaged current matrix element, a unit-area Lorentzian W(ε−ε′) of width γ_i (§1.1).
Per band i the state holds (spec §3.1)

* first order  f¹¹_ab, f²¹_ab            (N_e × N_e, ∝ A),
* second order r¹¹_a, r²¹ᵒ_a, r²¹ᵉ_a     (N_e,       ∝ A²), feeding the gap correction δΔ_i (§3.3),
* third order  R¹¹_ab, R²¹_ab            (N_e × N_e, ∝ A³), feeding the cubic current j_P3 (§3.4, §4.2).

Units (internal, see :mod:`jaxhiggs.units`): energies meV, time ħ/meV, A in V·s/m.  The spec's
κ_i A² = e²v_F,i²A²/3 becomes the energy c_i² with c_i = e v_F,i A/√3 (meV), and the diamagnetic
energy s_i e²A²/2m_i comes from :func:`jaxhiggs.units.diamagnetic_shift`.  Currents are returned
in A/m² (SI current density), conductivities are built from them in :mod:`jaxhiggs.spectra`.

Exact homogeneity (§3.5) is used to keep the integration amplitude-independent: the ODE is solved
for the normalised drive ã(t) = A(t)/A_peak at a fixed reference amplitude ``A_ref``; the
observables are rescaled by λ = A_peak/A_ref (f ∝ λ, r, δΔ ∝ λ², R ∝ λ³).  A_peak is max|A| on
the saved time grid (fixed before the solve, differentiable in the drive parameters).

Time stepping: dy/dt = −iω y + N(t, y) with the frequencies ω = E_b ∓ E_a (k–k′ blocks) and 2E_a
(r²¹) exposed by :meth:`MattisBardeen.linear_part`; the default solver
:class:`~jaxhiggs.solvers.ExponentialRK4` integrates the rotation exactly (the default on GPUs; on
CPUs Tsit5 on the full vector field is faster: see :meth:`MattisBardeen.default_solver`).  The N_e² kernels (coherence factors l, p, Lorentzian
W, occupations) are outer products of N_e-vectors built inside each evaluation, so one evaluation
streams only the state.
"""

from __future__ import annotations

import math
import warnings

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Complex, Float

from .. import units
from ..equilibrium import Equilibrium, bcs_equilibrium
from .._validate import check, check_bool, check_int, check_type, fail
from ..grid import check_grid_memory, check_n_energies, endpoint_grid, midpoint_grid
from ..material import Superconductor
from ..solvers import ExponentialRK4, OuterSum, UnrolledTsit5
from .base import Model, on_accelerator, user_stacklevel

# Diffrax flags complex states as experimental; the MB state is intrinsically complex and the
# solver only uses elementwise arithmetic and an RMS norm of |y|, checked against closed forms
# and the NumPy reference in tests/test_mattis_bardeen.py.
warnings.filterwarnings("ignore", message="Complex dtype support in Diffrax", category=UserWarning)

#: Grid size from which the CPU default writes the Tsit5 stages out (see ``default_solver``).
UNROLLED_FROM = 128

#: Default reference amplitude of the internal solve (V·s/m); e v_F A_ref/√3 is O(meV) for metals.
DEFAULT_REFERENCE_A = 1e-8

_ORDER_KEYS = {1: ("f11", "f21"), 2: ("f11", "f21", "r11", "r21o", "r21e"),
               3: ("f11", "f21", "r11", "r21o", "r21e", "R11", "R21")}
_EQUILIBRIA = ("grid", "reference")
_QUADRATURES = ("simpson", "midpoint")


class PerturbativeValidityWarning(UserWarning):
    """The drive is too strong for the third-order expansion in A of the Mattis–Bardeen model.

    Raised (as a warning) when the model's own expansion parameters — max|δΔ_i|/Δ_i (the O(A²) gap
    change) or max|j₃|/max|j₁| (the O(A³) current against the linear one) — exceed
    :data:`VALIDITY_LIMIT`, or when a conductivity spectrum absorbs negatively (Re σ < 0).  The
    results are then not the physical response at that amplitude: the neglected orders are of the
    size of the parameter.  What to do: lower the amplitude (the model's results scale exactly as A,
    A², A³, so one run rescales to any weak amplitude) or use a non-perturbative model
    (:class:`~jaxhiggs.models.CleanPseudospin`).  Silence it with ``warnings.filterwarnings("ignore",
    category=PerturbativeValidityWarning)`` when the perturbative numbers are wanted on purpose.
    """


#: Largest accepted expansion parameter (max|δΔ|/Δ or max|j₃|/max|j₁|): beyond it the next,
#: neglected order is more than 10 % of the last kept one.
VALIDITY_LIMIT = 0.1


def _checked_options(**options) -> dict:
    """The static options ``orders`` and ``higgs_feedback`` (those given), checked and normalised to int/bool:
    one place for the constructor and :meth:`MattisBardeen.with_options` (an unchecked ``orders=5`` ended in a
    bare KeyError inside the compiled solve, and ``higgs_feedback="False"`` was read as True)."""
    out = {}
    if "orders" in options:
        out["orders"] = check_int("orders", options["orders"], 1, 3, what="1 (linear), 2 (+ δΔ) or 3 (+ cubic current)")
    if "higgs_feedback" in options:
        out["higgs_feedback"] = check_bool("higgs_feedback", options["higgs_feedback"])
    return out


def _checked_equilibrium(eq: Equilibrium, n_bands: int) -> Equilibrium:
    """An explicit equilibrium: couplings (n_bands, n_bands), gaps (n_bands,) finite and nonzero, temperature a
    finite k_B T ≥ 0 meV (values checked when concrete; shapes always)."""
    for name, value, shape in (("couplings", eq.couplings, (n_bands, n_bands)), ("gaps", eq.gaps, (n_bands,)),
                               ("temperature", eq.temperature, ())):
        if np.shape(value) != shape:
            raise fail(f"equilibrium.{name}", value, f"shape {shape} for this {n_bands}-band material "
                       f"(got shape {np.shape(value)})")
    check(lambda u: np.isfinite(u), "equilibrium.couplings", eq.couplings, "finite couplings λ_ij = U_ij N_j")
    check(lambda g: g != 0, "equilibrium.gaps", eq.gaps, "finite, nonzero gaps Δ_i(T) in meV", unit="meV")
    check(lambda t: t >= 0, "equilibrium.temperature", eq.temperature, "a finite temperature k_B T ≥ 0 meV",
          unit="meV")
    return eq


def fermi_velocity(mass, fermi_energy):
    """v_F = sqrt(2 ε_F / m) in m/s (``mass`` in m_e, ``fermi_energy`` in meV)."""
    return jnp.sqrt(2.0 * fermi_energy * units.MEV_IN_J / (mass * units.ELECTRON_MASS))


def carrier_density(dos, fermi_energy):
    """n = (4/3) N(0) ε_F (both spins) in nm⁻³; equals k_F³/3π² for a parabolic band (spec §1.3)."""
    return 4.0 / 3.0 * dos * fermi_energy


def continuum_equilibrium(target_gaps, v, omega_D, dos, temperature_mev, n_fine: int = 20001) -> Equilibrium:
    """The reference scripts' equilibrium (spec §2.1, variant b): U and Δ(T) from the continuum gap
    equation, here by composite Simpson on a very fine grid (≈ ``scipy.integrate.quad``).

    Couplings are returned as λ_ij = U_ij N_j (dimensionless), i.e. for unit weights.
    """
    nb = target_gaps.shape[0]
    xi, w = endpoint_grid(omega_D, n_fine)
    xi = jnp.broadcast_to(xi, (nb, n_fine))
    w = jnp.broadcast_to(w, (nb, n_fine))
    # the reference fixes U at T = 1e-6 code units; the difference to T = 0 is exp(−Δ/T) ≈ 0
    return bcs_equilibrium(target_gaps, v, xi, w, temperature_mev)


def drive_scale(drive) -> Float[Array, ""]:
    """A drive's amplitude scale A_peak (V·s/m), proportional to its amplitude and traceable.

    Sum over components of |A₀| (Gaussian pulses) or |scale|·max|A(knots)| (waveforms).  Any scale
    ∝ the amplitude works: it only fixes the normalised drive ã = A/A_peak of the internal solve.
    """
    from ..drive import GaussianPulse, NoDrive, Waveform

    total = jnp.asarray(0.0)
    for c in drive.components():
        if isinstance(c, GaussianPulse):
            total = total + jnp.abs(c.amplitude)
        elif isinstance(c, Waveform):
            total = total + jnp.abs(c.scale) * jnp.max(jnp.abs(c.coefficients[4]))
        elif isinstance(c, NoDrive):
            continue
        else:
            raise ValueError(f"drive component {type(c).__name__} is not supported by the Mattis–Bardeen model")
    return jnp.where(total > 0, total, 1.0)


def _pair_kernels(k) -> dict:
    """N_e × N_e kernels of spec §1.5 as outer products of the energy vectors in ``k``.

    Built inside the jitted evaluation so XLA fuses them into their consumers: per evaluation only
    the state is streamed from memory, not ~20 dense kernel arrays.  Leading axis: band.
    """
    u_a, u_b = k["u"][:, :, None], k["u"][:, None, :]
    v_a, v_b = k["v"][:, :, None], k["v"][:, None, :]
    f_a, f_b = k["F"][:, :, None], k["F"][:, None, :]
    xi, w = k["xi"], k["w"]
    gam = k["gamma"][:, None, None]
    lorentz = gam / jnp.pi / ((xi[:, None] - xi[None, :]) ** 2 + gam**2)  # W_ab (1/meV)
    w_row = lorentz * w[None, None, :]  # w_b W_ab: row sums over b
    return dict(l=u_a * u_b + v_a * v_b, p=v_a * u_b - u_a * v_b, dF=f_b - f_a, oF=1.0 - f_a - f_b,
                wW=w_row, ww=w_row * w[None, :, None])


def saved_functionals(y, args) -> dict:
    """The linear functionals of a state that :meth:`MattisBardeen.observables` needs (internal units).

    ``p1`` = Σ_ab w_a w_b W_ab (l_ab² Re f¹¹ + p_ab² Re f²¹) and ``p3`` = Σ_ab w_a w_b W_ab (l_ab Re R¹¹ +
    p_ab Re R²¹) per band (the paramagnetic currents j_P1, j_P3 up to constants, spec §4), and the
    N_e-vectors r (δΔ and j_D3).  All are linear in the state, so an interpolation of the state and of
    these commute; the CPU default solver interpolates these (a few numbers per band) at the saved
    times instead of the N_e² blocks (``functionals`` of :class:`~jaxhiggs.solvers.UnrolledTsit5`).
    """
    pk = _pair_kernels(args["k"])
    ww, l, p = pk["ww"], pk["l"], pk["p"]
    out = {key: y[key] for key in ("r11", "r21o", "r21e") if key in y}
    out["p1"] = jnp.sum(ww * (l * l * y["f11"].real + p * p * y["f21"].real), axis=(1, 2))
    if "R11" in y:
        out["p3"] = jnp.sum(ww * (l * y["R11"].real + p * y["R21"].real), axis=(1, 2))
    return out


class MattisBardeen(Model):
    """The MB density-matrix model (spec §3) for one or more bands on a common energy grid.

    Args:
        material: a :class:`~jaxhiggs.material.Superconductor`; every band needs γ_i > 0 (meV).
        n_energies: N_e, points of the energy grid on [−ω_D, ω_D] (even N_e: no point at ξ = 0).
        equilibrium: ``"grid"`` (default: U and Δ(T) from the gap equation with the same weights
            as δΔ, so the equilibrium is an exact fixed point, spec §2.1 recommendation),
            ``"reference"`` (continuum gap equation as in the authors' scripts), or an explicit
            :class:`~jaxhiggs.equilibrium.Equilibrium` whose ``couplings`` are λ_ij = U_ij N_j.
        quadrature: ``"simpson"`` (legacy Simpson-'avg' on the endpoint grid, spec §1.4, default)
            or ``"midpoint"``.
        higgs_feedback: False forces Re δΔ = 0 inside the equations (the "QP" run of the THG
            decomposition, spec §4.7); the stored δΔ is still the one the state implies.
        reference_amplitude: A_ref (V·s/m) of the internal normalised solve (numerics only).
        check_grid: emit the γ-resolution warning.
        orders: highest order in A integrated (1: f only, for linear response; 2: + r, δΔ;
            3: + R, j₃).  Orders above are reported as zero.  The equations are strictly
            triangular in order (spec §6), so lower orders are exact whatever this is.

    Observables (per saved time): ``gap`` Δ_i + δΔ_i (complex meV, (n_bands,)), ``delta_gap``
    δΔ_i, ``current_1`` = j_P1 + j_D1 and ``current_3`` = j_P3 + j_D3 (A/m²), their parts
    ``current_p1``, ``current_d1``, ``current_p3``, ``current_d3``, ``vector_potential`` (V·s/m),
    ``electric_field`` (V/m).
    """

    material: Superconductor
    xi: Float[Array, " n"]
    weights: Float[Array, " n"]
    gaps: Float[Array, " n_bands"]
    coupling: Float[Array, "n_bands n_bands"]  # λ_ij = U_ij N_j
    temperature: Float[Array, ""]
    reference_amplitude: float = eqx.field(static=True)
    higgs_feedback: bool = eqx.field(static=True)
    n_energies: int = eqx.field(static=True)
    equilibrium_kind: str = eqx.field(static=True)
    orders: int = eqx.field(static=True)
    quadrature: str = eqx.field(static=True)

    def __init__(self, material: Superconductor, n_energies: int,
                 equilibrium="grid", quadrature: str = "simpson", higgs_feedback: bool = True,
                 reference_amplitude: float = DEFAULT_REFERENCE_A, check_grid: bool = True, orders: int = 3):
        check_type("material", material, Superconductor, "a jaxhiggs Superconductor, e.g. jaxhiggs.materials.nbn()")
        # N×N blocks: 4 complex state blocks × ~12 solver copies + ~15 real kernels, per band
        check_grid_memory("MattisBardeen", n_energies, material.n_bands, 16 * 4 * 12 + 8 * 15, quadratic=True)
        check(lambda a: a > 0, "reference_amplitude", reference_amplitude, "a finite amplitude > 0 V·s/m",
              scalar=True)
        n = check_n_energies(n_energies)
        options = _checked_options(orders=orders, higgs_feedback=higgs_feedback)
        orders, higgs_feedback = options["orders"], options["higgs_feedback"]
        if not (isinstance(quadrature, str) and quadrature in _QUADRATURES):
            raise fail("quadrature", quadrature, f"one of {_QUADRATURES}")
        check_grid = check_bool("check_grid", check_grid)
        gammas = material.gammas
        if not isinstance(gammas, jax.core.Tracer) and np.any(np.asarray(gammas) <= 0):
            raise ValueError(
                f"gamma = {np.asarray(gammas).tolist()} meV is not allowed: the Mattis–Bardeen model needs an "
                "impurity rate gamma > 0 in every band (the paramagnetic channel is proportional to gamma; "
                "use the clean pseudospin model for gamma = 0)"
            )
        if quadrature == "simpson":
            xi, w = endpoint_grid(material.omega_D, n)
        else:
            xi, w = midpoint_grid(material.omega_D, n)
        nb = material.n_bands
        t_mev = material.temperature_mev
        if isinstance(equilibrium, Equilibrium):
            eq = _checked_equilibrium(equilibrium, nb)
            kind = "explicit"
        elif isinstance(equilibrium, str) and equilibrium == "grid":
            # weights of band j in the gap equation: w_a (couplings then come out as λ = U N)
            eq = bcs_equilibrium(material.gaps, material.v, jnp.broadcast_to(xi, (nb, n)),
                                 jnp.broadcast_to(w, (nb, n)), t_mev)
            kind = "grid"
        elif isinstance(equilibrium, str) and equilibrium == "reference":
            eq = continuum_equilibrium(material.gaps, material.v, material.omega_D, material.dos, t_mev)
            kind = "reference"
        else:
            raise fail("equilibrium", equilibrium, f"one of {_EQUILIBRIA} or a jaxhiggs.equilibrium.Equilibrium")
        self.material = material
        self.xi = xi
        self.weights = w
        self.gaps = jnp.asarray(eq.gaps, dtype=float)
        self.coupling = jnp.asarray(eq.couplings, dtype=float)
        self.temperature = jnp.asarray(t_mev, dtype=float)
        self.reference_amplitude = float(reference_amplitude)
        self.higgs_feedback = higgs_feedback
        self.n_energies = n
        self.equilibrium_kind = kind
        self.orders = orders
        self.quadrature = quadrature
        if check_grid and not isinstance(gammas, jax.core.Tracer):
            spacing = float(xi[1] - xi[0])
            g_min = float(np.min(np.asarray(gammas)))
            if spacing > 0.5 * g_min:
                need = int(math.ceil(4.0 * float(material.omega_D) / g_min)) + 1
                warnings.warn(
                    f"the energy grid spacing {spacing:.4g} meV does not resolve gamma = {g_min:.4g} meV "
                    f"(need spacing ≤ gamma/2): use n_energies ≥ {need + need % 2}", stacklevel=user_stacklevel())

    # ------------------------------------------------------------------ kernels
    def kernels(self) -> dict:
        """Band-resolved energy vectors of spec §1.5 (leading axis: band); N_e² kernels are built
        from them inside each evaluation (:func:`_pair_kernels`), never stored."""
        xi, w = self.xi, self.weights
        gap = self.gaps[:, None]  # (nb, 1)
        energy = jnp.sqrt(xi[None, :] ** 2 + gap**2)  # (nb, N)
        t = self.temperature
        safe_t = jnp.where(t > 0, t, 1.0)
        occ = jnp.where(t > 0, 1.0 / (jnp.exp(energy / safe_t) + 1.0), 0.0)  # F_a
        u = jnp.sqrt(0.5 * (1.0 + xi / energy))
        vv = jnp.sqrt(0.5 * (1.0 - xi / energy))
        gam = self.material.gammas[:, None, None]
        # normal-state kernel of j_D1 with the diagonal dropped (spec §4.2): a one-off N² sum
        fn = jnp.where(t > 0, 1.0 / (jnp.exp(xi / safe_t) + 1.0), (xi < 0).astype(float))
        dxi = xi[:, None] - xi[None, :]
        offdiag = ~jnp.eye(xi.shape[0], dtype=bool)
        ratio = jnp.where(offdiag, (fn[:, None] - fn[None, :]) / jnp.where(offdiag, dxi, 1.0), 0.0)
        lor = gam / jnp.pi / (dxi[None] ** 2 + gam**2)
        kd1 = jnp.sum(lor * (w[:, None] * w[None, :] * ratio)[None], axis=(1, 2))  # (nb,)
        return dict(E=energy, F=occ, th=1.0 - 2.0 * occ, de=gap / energy, ee=xi[None, :] / energy,
                    u=u, v=vv, u2=u**2, v2=vv**2, xi=xi, w=w, gamma=self.material.gammas, kd1=kd1)

    # ------------------------------------------------------------------ band constants
    def _band_constants(self):
        m = self.material
        fe = jnp.stack([b.fermi_energy for b in m.bands])
        vf = fermi_velocity(m.masses, fe)
        a_ref = self.reference_amplitude
        c = units.ELEMENTARY_CHARGE * vf * a_ref / math.sqrt(3.0) / units.MEV_IN_J  # e v_F A_ref/√3, meV
        dia = units.diamagnetic_shift(a_ref, m.masses, m.signs)  # s e² A_ref²/2m, meV
        density = carrier_density(m.dos, fe) * 1e27  # m⁻³
        # e² n/m (SI, C²/(kg m³)) and e² N/m for j_D3 (N per meV per m³)
        e2_over_m = units.ELEMENTARY_CHARGE**2 / (units.ELECTRON_MASS * m.masses)
        return dict(c2=c**2, dia=dia, pn=e2_over_m * density, pdos=e2_over_m * m.dos * 1e27, sign=m.signs)

    # ------------------------------------------------------------------ Model contract
    def initial_state(self) -> dict:
        nb, n = self.material.n_bands, self.n_energies
        z1 = jnp.zeros((nb, n), dtype=complex)
        z2 = jnp.zeros((nb, n, n), dtype=complex)
        state = dict(f11=z2, f21=z2, r11=z1, r21o=z1, r21e=z1, R11=z2, R21=z2)
        return {key: state[key] for key in _ORDER_KEYS[self.orders]}

    def arguments(self, drive) -> dict:
        """Energy vectors, band constants and the drive normalisation A_peak (see :func:`drive_scale`)."""
        if drive.quench() is not None:
            raise ValueError("the Mattis–Bardeen model does not support Quench drives (field drives only)")
        return dict(drive=drive, a_peak=drive_scale(drive), k=self.kernels(), b=self._band_constants())

    def _drive_unit(self, t, args):
        return args["drive"].vector_potential(t) / args["a_peak"]

    def delta_gap(self, y, args) -> Complex[Array, " n_bands"]:
        """δΔ_i at the reference amplitude, spec §3.3 (meV; 0 for orders = 1)."""
        if "r11" not in y:
            return jnp.zeros(self.gaps.shape, dtype=complex)
        k = args["k"]
        r21 = y["r21o"] + y["r21e"]
        per_band = jnp.sum(self.weights * (-k["de"] * y["r11"] + k["u2"] * r21 - k["v2"] * jnp.conj(r21)), axis=-1)
        return self.coupling @ per_band

    def linear_part(self, args) -> dict:
        """Frequencies ω of dy/dt = −iω y + N (spec §3.2–3.4): E_b ∓ E_a on the k–k′ blocks
        (as :class:`~jaxhiggs.solvers.OuterSum`), 2E_a on r²¹, 0 on r¹¹ (meV)."""
        energy = args["k"]["E"]
        a, b = energy[:, :, None], energy[:, None, :]
        minus, plus = OuterSum(-a, b), OuterSum(a, b)  # E_b − E_a, E_b + E_a
        pair = 2 * energy
        # shared objects: the solver evaluates each distinct frequency set once
        omega = dict(f11=minus, f21=plus, r11=jnp.zeros(()), r21o=pair, r21e=pair, R11=minus, R21=plus)
        return {key: omega[key] for key in _ORDER_KEYS[self.orders]}

    def nonlinear_part(self, t, y, args) -> dict:
        """dy/dt + iω y: the drive and δΔ source terms (spec §3.2–3.4), internal units."""
        k, b = args["k"], args["b"]
        a = self._drive_unit(t, args)
        pk = _pair_kernels(k)
        out = {}
        # first order, §3.2
        out["f11"] = -1j * pk["dF"] * a
        out["f21"] = 1j * pk["oF"] * a
        if self.orders == 1:
            return out
        c2 = b["c2"][:, None]
        f11, f21 = y["f11"], y["f21"]
        dd = self.delta_gap(y, args)
        re_dd = jnp.real(dd)[:, None] if self.higgs_feedback else jnp.zeros_like(jnp.real(dd))[:, None]
        im_dd = jnp.imag(dd)[:, None]
        # second order, §3.3 (row sums over b with the Lorentzian w_b W_ab)
        wW, l, p = pk["wW"], pk["l"], pk["p"]
        out["r11"] = (-2.0 * a) * c2 * jnp.sum(wW * (l * l * f11.imag - p * p * f21.imag), axis=-1)
        out["r21o"] = 1j * k["th"] * k["ee"] * re_dd + (2j * a) * c2 * jnp.sum(wW * l * p * (f21 - jnp.conj(f11)), axis=-1)
        out["r21e"] = -1j * k["th"] * k["de"] * (b["dia"][:, None] * a * a) - k["th"] * im_dd
        if self.orders == 2:
            return out
        # third order, §3.4 (p_ba = −p_ab)
        r11, r21o = y["r11"], y["r21o"]
        ree = re_dd[:, :, None]
        ee_a, ee_b = k["ee"][:, :, None], k["ee"][:, None, :]
        de_a, de_b = k["de"][:, :, None], k["de"][:, None, :]
        out["R11"] = (-1j * l) * (a * (r11[:, None, :] - r11[:, :, None]) + ree * (de_b - de_a) * f11) + (1j * p) * (
            a * (r21o[:, None, :] + jnp.conj(r21o)[:, :, None]) - ree * (ee_b * jnp.conj(f21) + ee_a * f21))
        out["R21"] = (-1j * p) * (a * (r11[:, None, :] + r11[:, :, None]) + ree * (de_b + de_a) * f21) - (1j * l) * (
            a * (r21o[:, None, :] - r21o[:, :, None]) + ree * (ee_a * f11 - ee_b * jnp.conj(f11)))
        return out

    def free_evolution(self, t_end, y_end, times, args, rtol, atol):
        """Observables at ``times`` ≥ ``t_end`` once A(t) ≡ 0, in closed form from the state at ``t_end``
        (:mod:`jaxhiggs.models.mattis_bardeen_free`): the N_e² blocks rotate freely and only an N_e-vector
        ODE for the gap feedback is integrated, at the solve's (``rtol``, ``atol``) × 1e-2.  Returns
        (observables, steps, success)."""
        from .mattis_bardeen_free import free_observables

        return free_observables(self, t_end, y_end, times, args, rtol, atol)

    def default_free_evolution(self) -> bool:
        """On every platform (measured on the seed-000 case, benchmarks/README.md: one CPU core at N_e = 200
        8.9 s instead of 45.4 s; an H100 at N_e = 200 / 600 0.35 / 0.53 s instead of 0.50 / 1.48 s, at a
        smaller error) — pass ``free_evolution=False`` to integrate the whole window."""
        return True

    def default_solver(self):
        """The fastest measured solver on the platform that runs (benchmarks/README.md).

        * GPU: :class:`~jaxhiggs.solvers.ExponentialRK4` — the rotation integrated exactly; on the
          seed-000 Fig. 1 sweep (25 γ, N_e = 600, H100) 26 s against Tsit5's 60 s (1114 vs 1549
          lockstep steps; the extra φ-function arithmetic is free on a bandwidth-bound card).
        * CPU: Tsit5 on the full vector field (same tableau and steps either way), 4× faster than
          ExponentialRK4 at N_e = 60 on 2 cores: the δΔ dynamics excited by the broadband pump
          keeps the exponential step near the explicit stability limit at ω_D = 20 meV, and its
          steps cost more.  From N_e = :data:`UNROLLED_FROM` on,
          :class:`~jaxhiggs.solvers.UnrolledTsit5` with ``stage_loop``: each stage's input is a
          written-out sum of only the increments it needs, instead of diffrax's product with the
          whole (stages × state) buffer, and the third-order blocks R, which no stage reads, are
          combined only at the end — 1.4–1.6× less run time at N_e = 200 for ~3 s more
          compilation, which a full seed-000 window earns back from N_e ≈ 120; its dense output
          interpolates only :func:`saved_functionals` (22 % less run time with the seed-000 case's
          3000 saved times at N_e = 200, same values to round-off).  Below, diffrax's
          looped Tsit5 with its "bounded" stage loop, which compiles ~1–2 s faster (N_e = 24–60).
          (Its plain ``lax.scan`` loop ran faster on the full window but cannot be differentiated in
          reverse mode, and jax.grad through the default options must work; since the closed-form
          free evolution, only the driven part of the window is stepped, so run time matters less.)

        Both CPU solvers integrate only the part of the window during which the drive's field is on
        (:meth:`free_evolution` takes the rest; ``free_evolution=False`` integrates throughout).
        """
        if on_accelerator():
            return ExponentialRK4()
        if self.n_energies >= UNROLLED_FROM:
            return UnrolledTsit5(stage_loop=True, functionals=saved_functionals)
        return diffrax.Tsit5(scan_kind="bounded")

    def default_tolerances(self) -> tuple[float, float]:
        """rtol 1e-5, atol 1e-9 on every platform (the state is at the reference amplitude).

        Measured on the seed-000 case (full window, errors relative to the maximum of a tight run of the
        same grid, benchmarks/README.md): GPU (ExponentialRK4) δΔ(t) ≈ 2e-4, below the authors' default
        runs (4.6e-4); CPU (N_e = 200, one band) δΔ 9.1e-7 and j₁ 4.6e-7 with the current defaults
        (benchmarks/results/mattis_bardeen_2cores_cpu.json), j₃ 4.8e-7 when last measured (notes/issue13-speed.md;
        the results file does not record j₃).  When the CPU default moved from rtol 1e-6 (until 2026-11-26) to
        1e-5, with the driven part still run to 1e-16 of the field and the free part not yet on Dopri8, the
        driven steps went from 258 to 185 for ~15 % less run time, the errors from 6.1e-7 / 3.4e-8 / 7.3e-8 to
        3.2e-6 / 4.6e-7 / 5.1e-7: an accuracy no THz measurement needs.  Pass ``rtol``/``atol`` for tighter
        runs."""
        return (1e-5, 1e-9)

    def observables(self, t, y, args) -> dict:
        """Gap, currents (A/m²), A (V·s/m) and E (V/m) at the drive's physical amplitude (spec §4).

        ``y`` is a state or its :func:`saved_functionals` (what the CPU default solver's dense output
        interpolates): every observable is a function of those few numbers and of t."""
        q = saved_functionals(y, args) if "f11" in y else y
        k, b = args["k"], args["b"]
        lam = args["a_peak"] / self.reference_amplitude
        a_phys = args["drive"].vector_potential(t)
        dd = self.delta_gap(q, args) * lam**2
        a_ref = self.reference_amplitude
        jp1 = lam * a_ref * jnp.sum(b["pn"] * q["p1"])
        jd1 = a_phys * jnp.sum(b["pn"] * k["kd1"])
        zero = jnp.zeros_like(jp1)
        jp3 = lam**3 * a_ref * jnp.sum(b["pn"] * q["p3"]) if "p3" in q else zero
        jd3 = zero
        if "r11" in q:
            r21 = q["r21o"] + q["r21e"]
            per_band = jnp.sum(self.weights * (k["ee"] * q["r11"].real + k["de"] * r21.real), axis=-1)
            jd3 = -2.0 * a_phys * lam**2 * jnp.sum(b["sign"] * b["pdos"] * per_band)
        field = args["drive"].electric_field(t) / units.TIME_UNIT_S
        return dict(gap=self.gaps + dd, delta_gap=dd, current_1=jp1 + jd1, current_3=jp3 + jd3,
                    current_p1=jp1, current_d1=jd1, current_p3=jp3, current_d3=jd3,
                    vector_potential=a_phys, electric_field=field)

    def check_window(self, times_ps, drive=None) -> None:
        """Warn when the window is longer than the grid's recurrence time πħ/δε (``drive`` unused).

        The pair coherences r²¹ oscillate at 2E_a, and on the grid of spacing δε the 2E_a are spaced by
        2δε far from the gap, so they revive together after 2π/(2δε) = π/δε (ħ = 1) — half the
        2π/δε of the k–k′ blocks (measured: a revival of δΔ 8.2 ps after the pulse at N_e = 80,
        ω_D = 10 meV, π/δε = 8.3 ps).  Results after that are grid artefacts.  The warning names the
        N_e that pushes the recurrence past the window.  ``times_ps`` in ps; called by ``simulate``
        for every concrete time grid.
        """
        t = np.asarray(times_ps, dtype=float)
        spacing = float(self.xi[1] - self.xi[0])
        recurrence = units.internal_to_ps(np.pi / spacing)
        window = float(t[-1] - t[0])
        if window > recurrence:
            need = int(math.ceil(2 * float(self.material.omega_D) * units.ps_to_internal(window) / np.pi)) + 2
            warnings.warn(
                f"the time window {window:.4g} ps exceeds the recurrence time πħ/δε = {recurrence:.4g} ps of the "
                f"energy grid: use n_energies ≥ {need + need % 2} or a shorter window", stacklevel=user_stacklevel())

    def expansion_parameters(self, result) -> dict:
        """The model's own measure of how perturbative a run was (dimensionless, from ``result``).

        ``gap``: max_t max_i |δΔ_i(t)|/Δ_i (orders ≥ 2), the O(A²) gap change; ``current``:
        max_t |j₃(t)| / max_t |j₁(t)| (orders = 3), the O(A³) current against the linear one.  Both
        scale as A²; the truncation is sound while both are ≪ 1 (see :class:`PerturbativeValidityWarning`).
        Absent entries: the order was not computed.
        """
        out = {}
        if self.orders >= 2:
            dd = np.abs(np.asarray(result["delta_gap"]))
            out["gap"] = float(np.max(dd / np.abs(np.asarray(self.gaps))))
        if self.orders == 3:
            j1 = float(np.max(np.abs(np.asarray(result["current_1"]))))
            j3 = float(np.max(np.abs(np.asarray(result["current_3"]))))
            out["current"] = j3 / j1 if j1 > 0 else 0.0
        return out

    def check_result(self, result) -> None:
        """Warn (:class:`PerturbativeValidityWarning`) when an expansion parameter exceeds
        :data:`VALIDITY_LIMIT`; called by ``simulate`` on concrete results."""
        from ..divergence import validity_note

        params = self.expansion_parameters(result)
        bad = {k: v for k, v in params.items() if v > VALIDITY_LIMIT}
        if not bad:
            return
        obs = result.observables
        detail = ""
        if "gap" in bad and np.ndim(obs["delta_gap"]) == 2:  # one run: say when and how strong the drive is
            detail = validity_note(self, np.asarray(result.times), obs, limit=VALIDITY_LIMIT) + ". "
        what = {"gap": "max|δΔ|/Δ", "current": "max|j₃|/max|j₁|"}
        text = ", ".join(f"{what[k]} = {v:.3g}" for k, v in bad.items())
        scale = float(np.sqrt(VALIDITY_LIMIT / max(bad.values())))
        warnings.warn(
            f"{detail}The Mattis–Bardeen expansion in A is not valid at this drive amplitude: {text} > "
            f"{VALIDITY_LIMIT} (the neglected orders are of that size; spectra may show Re σ < 0).  Lower the "
            f"amplitude by a factor ≤ {scale:.2g} (the results scale exactly as A, A², A³) or use a non-perturbative "
            "model (jh.models.CleanPseudospin)", PerturbativeValidityWarning, stacklevel=user_stacklevel())

    def linear_conductivity(self, omega, eta) -> Complex[Array, " n_omega"]:
        """σ(ω)/σ₀ of this discrete model in closed form: spec §3.2 + §4.2 in the frequency domain.

        With X(ω) = ∫dt e^{+iωt}X(t): f¹¹(ω) = ΔF A(ω)/(ω − (E_b−E_a) + iη), f²¹(ω) = −(1−F_a−F_b)
        A(ω)/(ω − (E_a+E_b) + iη); Re f contributes [f(ω) + conj f(−ω)]/2.  ``omega`` (meV, > 0) and
        the broadening ``eta`` (meV) replace the finite time window.  O(N_e²) per frequency.
        """
        return _linear_conductivity(self, jnp.asarray(omega, dtype=float), eta)

    def options(self) -> dict:
        """Constructor keywords that rebuild this model for another material (used by sweeps)."""
        if self.equilibrium_kind == "explicit":
            raise NotImplementedError("a MattisBardeen built from an explicit Equilibrium cannot be rebuilt for "
                                      "another material: use equilibrium='grid' or 'reference'")
        return {"n_energies": self.n_energies, "equilibrium": self.equilibrium_kind,
                "quadrature": self.quadrature, "higgs_feedback": self.higgs_feedback,
                "reference_amplitude": self.reference_amplitude, "check_grid": False, "orders": self.orders}

    def with_options(self, **changes) -> "MattisBardeen":
        """A copy with static options changed (``higgs_feedback``, ``orders``)."""
        import copy

        allowed = {"higgs_feedback", "orders"}
        if set(changes) - allowed:
            raise ValueError(f"with_options accepts only {sorted(allowed)}")
        new = copy.copy(self)
        for key, value in _checked_options(**changes).items():  # the constructor's checks, values normalised
            object.__setattr__(new, key, value)
        return new

    def drude_conductivity(self) -> Float[Array, ""]:
        """σ₀ = Σ_i n_i e²/(m_i γ_i) in S/m (γ_i/ħ as the rate), the normalisation of spec §7.1."""
        b = self._band_constants()
        rate = self.material.gammas * units.MEV_IN_J / units.HBAR_SI
        return jnp.sum(b["pn"] / rate)

    def metadata(self) -> dict:
        from .._validate import is_concrete

        sigma0 = self.drude_conductivity()
        extra = {"drude_conductivity": float(sigma0)} if is_concrete(sigma0) else {}
        return extra | {"model": "MattisBardeen", "n_bands": self.material.n_bands, "n_energies": self.n_energies,
                "orders": self.orders, "equilibrium": self.equilibrium_kind, "higgs_feedback": self.higgs_feedback}


@eqx.filter_jit  # one compiled program; op by op the kernels' construction dispatched ~3 s at the first call
def _linear_conductivity(model: MattisBardeen, omega, eta):
    """Body of :meth:`MattisBardeen.linear_conductivity` (same units and conventions)."""
    k, b = model.kernels(), model._band_constants()
    pk = _pair_kernels(k)
    energy = k["E"]
    om_m = energy[:, None, :] - energy[:, :, None]  # E_b − E_a
    om_p = energy[:, None, :] + energy[:, :, None]

    def one(w):
        def re_part(num, om):
            return 0.5 * (num / (w - om + 1j * eta) + jnp.conj(num / (-w - om + 1j * eta)))

        chi = jnp.sum(pk["ww"] * (pk["l"] ** 2 * re_part(pk["dF"], om_m) + pk["p"] ** 2 * re_part(-pk["oF"], om_p)),
                      axis=(1, 2)) + k["kd1"]
        # j(ω) = e²n/m · χ(ω) A(ω)  →  σ = j/(iωA), ω in rad/s
        return jnp.sum(b["pn"] * chi) / (1j * w * units.MEV_IN_J / units.HBAR_SI)

    return jax.lax.map(one, omega) / model.drude_conductivity()


__all__ = ["MattisBardeen", "carrier_density", "continuum_equilibrium", "fermi_velocity"]

