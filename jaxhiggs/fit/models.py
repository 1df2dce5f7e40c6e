"""Models for :mod:`jaxhiggs.fit`: closed-form σ(ω), a two-band σ(ω; T), Higgs THG curves, and a
hook that turns any differentiable callable (for example a full simulation) into a fit model.

A fit model maps a dict of *physical* parameters, the abscissa ``x`` of the data (frequency in THz
or temperature in K) and the measurement temperature (K) to a model curve: complex σ (``kind =
"complex"``) or a real curve (``kind = "real"``, e.g. a THG intensity).  Every model must be
differentiable in its parameters with ``jax.jacfwd`` (the covariance of :mod:`jaxhiggs.fit` is
built from the Jacobian of the residuals).

Units: gaps, scattering rates, broadenings in meV; frequencies in THz (converted once with
:func:`jaxhiggs.units.thz_to_mev`); temperatures in K (:func:`jaxhiggs.units.kelvin_to_mev`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Complex, Float

from .._validate import check, check_bool, check_finite, fail
from .. import units
from ..conductivity import mattis_bardeen, zimmermann
from ..equilibrium import couplings_from_gaps, pair_sum, solve_gap_equation


@dataclass(frozen=True)
class FitModel:
    """A model curve with named parameters.

    Attributes:
        name: shown in reports.
        function: ``function(params: dict, x, temperature_K) -> curve``.
        required: parameters the user must give an initial value for.
        defaults: optional parameters and the values they are *fixed* at when not given.
        kind: ``"complex"`` (σ = σ₁ + iσ₂) or ``"real"``.
        x_label: axis label of ``x`` for plots/reports (``"frequency (THz)"``, ``"temperature (K)"``).
        y_labels: labels of the real and imaginary parts in plots (``("σ₁", "σ₂")``, ``("Re t", "Im t")``).
        meta: extra information for plots and reports (e.g. the σ model behind a transmission model).
        limited: the parameters whose physical range (:data:`LIMITS`) is checked before a fit compiles.
    """

    name: str
    function: Callable
    required: tuple[str, ...]
    defaults: dict = field(default_factory=dict)
    kind: str = "complex"
    x_label: str = "frequency (THz)"
    y_labels: tuple = ("σ₁", "σ₂")
    meta: dict = field(default_factory=dict, compare=False)
    #: parameters with a physical range (names of :data:`LIMITS`), checked by :func:`check_values` before a fit
    #: compiles: outside it the model is NaN (a gap ≤ 0) or degenerate (a curve even in η)
    limited: tuple = ()

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(self.required) + tuple(k for k in self.defaults if k not in self.required)

    def __call__(self, params: dict, x, temperature=0.0):
        return self.function(params, x, temperature)


# --------------------------------------------------------------------------- physical ranges of parameters
def _positive(v):
    return v > 0


#: base name → (condition, allowed range, unit): the range outside which a named model is NaN or meaningless
LIMITS = {
    "gap": (_positive, "a finite gap > 0 meV (the model is NaN for Δ ≤ 0)", "meV"),
    "gamma": (_positive, "a finite scattering rate γ > 0 meV (the model is NaN for γ ≤ 0)", "meV"),
    "eta": (_positive, "a finite broadening η > 0 meV (the THG curve is even in η: a negative η fits as |η|)", "meV"),
    "weight_1": (lambda v: (v >= 0) & (v <= 1), "a finite weight in [0, 1] (band 2 carries 1 − weight_1)", ""),
}


def _limit_of(name: str):
    """(condition, allowed, unit) of a parameter name: ``gap``, ``gap_2``, ``gamma_1``, ``eta``, ``gap[3]``, ..."""
    base = name.split("[")[0]
    if base in LIMITS:
        return LIMITS[base]
    stem, sep, index = base.rpartition("_")
    return LIMITS.get(stem) if sep and index.isdigit() else None


def check_value(label: str, name: str, value) -> None:
    """``value`` of parameter ``name`` inside its physical range (:data:`LIMITS`); ``label`` names it in the error."""
    limit = _limit_of(name)
    if limit is not None:
        condition, allowed, unit = limit
        check(condition, label, value, allowed, unit=unit)


def check_values(fm: "FitModel", values: dict, labels: dict | None = None) -> None:
    """Every value of ``fm.limited`` parameters (and their per-data-set copies ``name[i]``) inside its range,
    before a fit compiles; ``labels`` names a value in the error (default: its parameter name)."""
    labels = labels or {}
    for name, value in values.items():
        if name.split("[")[0] in fm.limited:
            check_value(labels.get(name, name), name, value)


def _check_options(omega_d, dos, n_bands: int) -> tuple:
    """Model options of the gap equation: ``omega_d`` > 0 meV and ``dos``, one number > 0 per band (``None``:
    equal densities of states; only the ratios matter).  Returns ``(float(omega_d), tuple(dos))``."""
    check(lambda w: w > 0, "omega_d", omega_d, "a finite cut-off ω_D > 0 meV", unit="meV", scalar=True)
    if dos is None:
        return float(omega_d), (1.0,) * n_bands
    allowed = f"{n_bands} densities of states > 0, one per band (only the ratios matter; a shorter dos is not broadcast)"
    check(lambda d: d > 0, "dos", dos, allowed)
    arr = np.atleast_1d(np.asarray(dos, dtype=float))
    if arr.shape != (n_bands,):
        raise fail("dos", dos, allowed)
    return float(omega_d), tuple(float(d) for d in arr)


# --------------------------------------------------------------------------- single band σ(ω)
def _omega_mev(params, frequency_thz):
    # a rigid frequency-axis shift (THz) absorbs a calibration offset of the spectrometer
    return units.thz_to_mev(jnp.asarray(frequency_thz, dtype=float) + params.get("shift", 0.0))


def mattis_bardeen_sigma(params: dict, frequency_thz: Float[Array, " n"], temperature=0.0) -> Complex[Array, " n"]:
    """σ(ω) = σ_n · σ_MB(ω; Δ, T)/σ_n, Mattis–Bardeen (dirty limit γ ≫ Δ, ω).

    Parameters: ``gap`` Δ(T) in meV at the measurement temperature, ``sigma_n`` (the normal-state
    conductivity in the units of the data; 1 for normalised data), ``shift`` (THz).
    """
    w = _omega_mev(params, frequency_thz)
    t = units.kelvin_to_mev(temperature)
    return params.get("sigma_n", 1.0) * jax.vmap(lambda wi: mattis_bardeen(wi, params["gap"], t))(w)


def zimmermann_sigma(params: dict, frequency_thz: Float[Array, " n"], temperature=0.0) -> Complex[Array, " n"]:
    """σ(ω) = σ₀ · σ_Z(ω; Δ, γ, T)/σ₀, Zimmermann et al. (any purity), σ₀ = ne²/(mγ) the Drude DC value.

    Parameters: ``gap`` Δ(T) (meV), ``gamma`` = ħ/τ (meV), ``sigma_n`` (σ₀ in data units), ``shift`` (THz).
    """
    w = _omega_mev(params, frequency_thz)
    t = units.kelvin_to_mev(temperature)
    return params.get("sigma_n", 1.0) * jax.vmap(lambda wi: zimmermann(wi, params["gap"], params["gamma"], t))(w)


MATTIS_BARDEEN = FitModel("mattis-bardeen", mattis_bardeen_sigma, ("gap",), {"sigma_n": 1.0, "shift": 0.0},
                          limited=("gap",))
ZIMMERMANN = FitModel("zimmermann", zimmermann_sigma, ("gap", "gamma"), {"sigma_n": 1.0, "shift": 0.0},
                      limited=("gap", "gamma"))


# --------------------------------------------------------------------------- two-band gaps Δ_i(T)
def _xi_grid(omega_d, n=200):
    """ξ ∈ [0, ω_D]: two Gauss–Legendre panels (the gap-scale structure sits at small ξ)."""
    x, w = np.polynomial.legendre.leggauss(n)
    cut = omega_d / 8.0
    xi = np.concatenate([0.5 * cut * (x + 1), cut + 0.5 * (omega_d - cut) * (x + 1)])
    wt = np.concatenate([0.5 * cut * w, 0.5 * (omega_d - cut) * w])
    return jnp.asarray(xi), 2.0 * jnp.asarray(wt)  # factor 2: ξ < 0 half by symmetry


def band_gaps(zero_gaps: Float[Array, " n_bands"], v, temperature_k, omega_d: float = 50.0,
              dos: tuple | None = None) -> Float[Array, " n_bands"]:
    """Gaps Δ_i(T) (meV) of the multiband BCS gap equation Δ_i = Σ_j U_ij K_j Δ_j.

    The couplings U follow from the T → 0 gaps ``zero_gaps`` and the interband ratio ``v``
    (U_12 = v U_11, :func:`jaxhiggs.equilibrium.couplings_from_gaps`) with densities of states
    ``dos`` (only ratios matter) and cut-off ``omega_d`` (meV); the finite-T gaps come from a
    Newton solve differentiated implicitly.  This is what makes ``v`` measurable from equilibrium
    data: at T = 0 the gaps are the targets whatever v is, but Δ_i(T) — in particular the weak
    band's gap, kept open up to the common T_c by the interband coupling — depends on v.
    ``temperature_k`` must lie below T_c; it is refused (not clipped) when negative or NaN.  ``dos``: one
    number > 0 per band (default: equal).  Concrete inputs are checked; traced ones (inside a fit) were checked
    before it compiled.
    """
    check(lambda t: t >= 0, "temperature_k", temperature_k, "a finite temperature ≥ 0 K", unit="K")
    check(lambda g: g > 0, "zero_gaps", zero_gaps, "finite T → 0 gaps > 0 meV", unit="meV")
    zero_gaps = jnp.asarray(zero_gaps, dtype=float)
    nb = zero_gaps.shape[0]
    omega_d, dos = _check_options(omega_d, dos, nb)
    xi1, w1 = _xi_grid(omega_d)
    xi = jnp.broadcast_to(xi1, (nb, xi1.shape[0]))
    weights = jnp.asarray(dos, dtype=float)[:, None] * w1[None, :]
    u = couplings_from_gaps(zero_gaps, v, pair_sum(zero_gaps, xi, weights, 0.0))
    t = units.kelvin_to_mev(jnp.asarray(temperature_k, dtype=float))
    # T = 0 exactly is the limit T → 0⁺ of the solver (its thermal factors need T > 0); T < 0 was refused above
    return solve_gap_equation(u, xi, weights, jnp.maximum(t, 1e-9), zero_gaps)


def make_two_band_zimmermann(omega_d: float = 50.0, dos: tuple | None = None) -> FitModel:
    """Two-band σ(ω; T) = σ_ref Σ_i c_i σ_Z(ω; Δ_i(T), γ_i, T)/σ₀,i  (weighted per-band Zimmermann).

    Bands conduct in parallel, so σ = Σ_i ε₀ω²_p,i/γ_i · σ_Z,i/σ₀,i; normalising to the total normal
    DC conductivity σ_ref = Σ_i ε₀ω²_p,i/γ_i gives weights c_1 = ``weight_1`` (the fraction of the
    normal-state DC conductance carried by band 1, from the band plasma frequencies and rates),
    c_2 = 1 − c_1.  Interband (Leggett) and vertex corrections are neglected.  Gaps come from
    :func:`band_gaps` with T → 0 gaps ``gap_1``, ``gap_2`` and interband ratio ``v``.

    Parameters: ``gap_1``, ``gap_2`` (meV, T → 0), ``v``, ``gamma_1``, ``gamma_2`` (meV),
    ``weight_1``, ``sigma_n`` (σ_ref in data units, default 1), ``shift`` (THz).  Options: ``omega_d`` > 0 meV,
    ``dos`` = (N_1, N_2) > 0 (default equal), checked here.
    """
    return _two_band_zimmermann(*_check_options(omega_d, dos, 2))


@functools.lru_cache(maxsize=32)  # one model object per options: refits reuse the compiled residuals
def _two_band_zimmermann(omega_d: float, dos: tuple) -> FitModel:
    def fn(params, frequency_thz, temperature=0.0):
        w = _omega_mev(params, frequency_thz)
        t = units.kelvin_to_mev(temperature)
        gaps = band_gaps(jnp.stack([params["gap_1"], params["gap_2"]]), params["v"], temperature, omega_d, dos)
        s1 = jax.vmap(lambda wi: zimmermann(wi, gaps[0], params["gamma_1"], t))(w)
        s2 = jax.vmap(lambda wi: zimmermann(wi, gaps[1], params["gamma_2"], t))(w)
        c1 = params["weight_1"]
        return params.get("sigma_n", 1.0) * (c1 * s1 + (1.0 - c1) * s2)

    return FitModel("two-band-zimmermann", fn, ("gap_1", "gap_2", "v", "gamma_1", "gamma_2", "weight_1"),
                    {"sigma_n": 1.0, "shift": 0.0}, limited=("gap_1", "gap_2", "gamma_1", "gamma_2", "weight_1"))


def make_bcs_conductivity(base: str = "zimmermann", omega_d: float = 50.0) -> FitModel:
    """σ(ω; T) of one BCS band whose gap Δ(T) follows from the package's gap equation (temperature series).

    The parameter ``gap`` is Δ(0) (meV); at each data set's temperature Δ(T) comes from
    :func:`band_gaps` (one band, cut-off ``omega_d`` meV; weak coupling gives Δ(0) ≈ 1.764 k_B T_c, and
    :func:`critical_temperature_k` returns the T_c of a given Δ(0)), and σ is the ``base`` model
    (``"zimmermann"``: parameters ``gamma`` meV and ``sigma_n``; ``"mattis-bardeen"``: ``sigma_n``) at
    that gap.  Above T_c (e.g. for trial values of Δ(0)) the gap is floored at 10⁻³Δ(0), the normal-state
    limit.  Name: ``"zimmermann-bcs"`` / ``"mattis-bardeen-bcs"``.
    """
    if base not in ("zimmermann", "mattis-bardeen"):
        raise ValueError(f"base = {base!r} is not allowed: 'zimmermann' or 'mattis-bardeen'")
    return _bcs_conductivity(base, _check_options(omega_d, None, 1)[0])


@functools.lru_cache(maxsize=32)
def _bcs_conductivity(base: str, omega_d: float) -> FitModel:
    inner = {"zimmermann": zimmermann_sigma, "mattis-bardeen": mattis_bardeen_sigma}

    def fn(params, frequency_thz, temperature=0.0):
        gap_t = band_gaps(jnp.stack([params["gap"]]), 0.0, temperature, omega_d)[0]
        # above T_c (possible for trial values of Δ(0) during a fit) the Newton solve returns Δ = 0, where the
        # closed forms are singular: a floor of 10⁻³Δ(0) gives the normal-state (Drude) limit instead
        floor = 1e-3 * params["gap"]
        gap_t = jnp.where(gap_t > floor, gap_t, floor)
        return inner[base](dict(params, gap=gap_t), frequency_thz, temperature)

    required = ("gap", "gamma") if base == "zimmermann" else ("gap",)
    return FitModel(f"{base}-bcs", fn, required, {"sigma_n": 1.0, "shift": 0.0},
                    meta={"gap_is": "Δ(0) (meV); Δ(T) from the BCS gap equation"}, limited=required)


def critical_temperature_k(zero_gaps, v: float = 0.0, omega_d: float = 50.0, dos: tuple | None = None) -> float:
    """T_c in K of the (one- or two-band) gap equation of :func:`band_gaps` for T → 0 gaps ``zero_gaps`` (meV):
    finite gaps > 0, ``omega_d`` > 0 meV, ``dos`` one number > 0 per band (default equal)."""
    from ..equilibrium import critical_temperature

    check(lambda g: g > 0, "zero_gaps", zero_gaps, "finite T → 0 gaps > 0 meV", unit="meV")
    check(lambda x: True, "v", v, "a finite interband coupling ratio", scalar=True)
    zero_gaps = jnp.atleast_1d(jnp.asarray(zero_gaps, dtype=float))
    nb = zero_gaps.shape[0]
    omega_d, dos = _check_options(omega_d, dos, nb)
    xi1, w1 = _xi_grid(omega_d)
    xi = jnp.broadcast_to(xi1, (nb, xi1.shape[0]))
    weights = jnp.asarray(dos, dtype=float)[:, None] * w1[None, :]
    u = couplings_from_gaps(zero_gaps, v, pair_sum(zero_gaps, xi, weights, 0.0))
    return float(units.mev_to_kelvin(critical_temperature(u, xi, weights)))


# --------------------------------------------------------------------------- Higgs THG
_U_NODES, _U_WEIGHTS = np.polynomial.legendre.leggauss(800)


def higgs_inverse_susceptibility(omega: Complex[Array, "..."], gap, temperature_mev) -> Complex[Array, "..."]:
    """Clean BCS amplitude-mode χ⁻¹(z) = ½(4Δ² − z²) ∫dε tanh(E/2T) / [E(4E² − z²)], z in the upper half plane.

    Normalised so that χ⁻¹(0) = 1 at T = 0, where it is the closed form √(4Δ²−z²) arcsin(z/2Δ)/z
    (:func:`jaxhiggs.response.schmid_higgs.clean_susceptibility_inverse`, Γ = 0; the principal
    branches continue it correctly into Im z > 0).  The zero of (4Δ² − z²) is the Higgs resonance
    at ω = 2Δ(T) (spec §7.2); ω_D → ∞.  At T > 0, with tanh = 1 − 2f(E) and ε = Δ sinh u, the
    thermal part −2(4Δ² − z²)∫₀^∞ du f(Δ cosh u)/(4Δ² cosh² u − z²) is added by Gauss–Legendre on
    u ∈ [0, 2] (800 nodes: the pole at 2Δ cosh u = Re z has width ~η/(8Δ² sinh u cosh u) in u, so
    keep η ≳ 0.01Δ) ∪ [2, 12].
    """
    check_finite("omega", omega, "meV")
    check(lambda g: g > 0, "gap", gap, "a finite gap > 0 meV", unit="meV")
    check(lambda t: t >= 0, "temperature_mev", temperature_mev, "a finite k_B T ≥ 0 meV", unit="meV")
    z = jnp.asarray(omega)
    zero_t = jnp.sqrt(4 * gap**2 - z**2) * jnp.arcsin(z / (2 * gap)) / z
    safe_t = jnp.where(temperature_mev > 0, temperature_mev, 1.0)

    def panel(lo, hi, nodes, weights):
        u = 0.5 * (hi - lo) * nodes + 0.5 * (hi + lo)
        e = gap * jnp.cosh(u)
        occ = jnp.where(temperature_mev > 0, jax.nn.sigmoid(-e / safe_t), 0.0)  # Fermi function f(E)
        return 0.5 * (hi - lo) * jnp.sum(weights * occ / (4 * e**2 - z[..., None] ** 2), axis=-1)

    thermal = panel(0.0, 2.0, _U_NODES, _U_WEIGHTS) + panel(2.0, 12.0, _COARSE[0], _COARSE[1])
    return zero_t - 2.0 * (4 * gap**2 - z**2) * thermal


_COARSE = tuple(np.polynomial.legendre.leggauss(200))


def higgs_thg_frequency(params: dict, frequency_thz: Float[Array, " n"], temperature=0.0) -> Float[Array, " n"]:
    """|j(3Ω)|² vs drive frequency Ω: ``scale`` · |χ_H(2ħΩ + iη)|² + ``background``.

    Physics: in a clean BCS superconductor the A² term of a drive at Ω sources the amplitude
    (Higgs) mode at 2Ω; the third-harmonic current is j(3Ω) ∝ Δ δΔ(2Ω) A ∝ χ_H(2Ω) A³, so the
    THG intensity resonates when 2ħΩ = 2Δ(T) (Matsunaga et al., Science 345, 1145 (2014)).  The
    quasiparticle (charge-density-fluctuation) channel resonates at the same 2Ω = 2Δ and is not
    separated here.  χ_H is the clean form :func:`higgs_inverse_susceptibility`; η (``eta``,
    meV) is a phenomenological broadening (quasiparticle damping, drive bandwidth) that keeps the
    |χ|² peak finite — the small-pair-breaking Schmid–Higgs χ of :mod:`jaxhiggs.response` would
    instead move the peak below 2Δ (to 2ε_g < ω_res < 2Δ), which is why the fitted quantity here
    is the clean-limit Δ.  Parameters: ``gap`` Δ(T) (meV), ``eta`` (meV), ``scale``,
    ``background`` (default 0), ``shift`` (THz).
    """
    w = 2.0 * _omega_mev(params, frequency_thz)
    t = units.kelvin_to_mev(temperature)
    chi_inv = higgs_inverse_susceptibility(w + 1j * params["eta"], params["gap"], t)
    return params["scale"] * jnp.abs(1.0 / chi_inv) ** 2 + params.get("background", 0.0)


HIGGS_THG = FitModel("higgs-thg", higgs_thg_frequency, ("gap", "eta", "scale"), {"background": 0.0, "shift": 0.0},
                     kind="real", limited=("gap", "eta"))


def make_higgs_thg_temperature(drive_frequency_thz: float, omega_d: float = 50.0,
                               dos: tuple | None = None, two_band: bool = False) -> FitModel:
    """|j(3Ω)|² vs temperature at a fixed drive frequency Ω (THz): resonance where Δ(T) = ħΩ.

    I(T) = ``scale`` · |(Δ(T)/Δ(0))² χ_H(2ħΩ + iη; Δ(T), T)|² + ``background``: the (Δ/Δ₀)² factor
    is the Δ-dependence of the A²→Higgs vertex and of the current vertex (j ∝ Δ δΔ), which
    switches the Higgs THG off at T_c (an assumption of this model, stated in the README).
    Δ(T) from :func:`band_gaps`: one band with ``gap`` = Δ(0), or — when ``gap_2`` and ``v`` are
    given (``two_band=True``) — the *second* band's gap of a two-band superconductor with T → 0 gaps (``gap``,
    ``gap_2``), e.g. the π band of MgB₂.  Checked here: ``drive_frequency_thz`` finite > 0 (the curve is even in
    Ω, so a negative Ω would fit like |Ω|), ``omega_d`` > 0 meV, ``dos`` one number > 0 per band.
    """
    check_drive_frequency(drive_frequency_thz)
    two_band = check_bool("two_band", two_band)
    omega_d, dos = _check_options(omega_d, dos, 2 if two_band else 1)
    drive_frequency_thz = float(drive_frequency_thz)

    def fn(params, temperature_k, _unused=0.0):
        t_k = jnp.asarray(temperature_k, dtype=float)
        if "gap_2" in params:
            zero = jnp.stack([params["gap"], params["gap_2"]])
            gaps = jax.vmap(lambda tk: band_gaps(zero, params["v"], tk, omega_d, dos)[1])(t_k)
            g0 = params["gap_2"]
        else:
            zero = jnp.stack([params["gap"]])
            gaps = jax.vmap(lambda tk: band_gaps(zero, 0.0, tk, omega_d, dos)[0])(t_k)
            g0 = params["gap"]
        w = 2.0 * units.thz_to_mev(drive_frequency_thz + params.get("shift", 0.0))
        chi_inv = jax.vmap(lambda g, tk: higgs_inverse_susceptibility(w + 1j * params["eta"], g,
                                                                        units.kelvin_to_mev(tk)))(gaps, t_k)
        return params["scale"] * jnp.abs((gaps / g0) ** 2 / chi_inv) ** 2 + params.get("background", 0.0)

    required = ("gap", "gap_2", "v", "eta", "scale") if two_band else ("gap", "eta", "scale")
    return FitModel("higgs-thg-temperature" + (" (two-band)" if two_band else ""), fn, required,
                    {"background": 0.0, "shift": 0.0}, kind="real", x_label="temperature (K)",
                    limited=("gap", "gap_2", "eta"))


def check_drive_frequency(drive_frequency, name: str = "drive_frequency") -> None:
    """The fixed drive frequency Ω/2π of a THG-vs-temperature curve: one finite number > 0 THz."""
    check(lambda d: d > 0, name, drive_frequency, "a finite drive frequency > 0 THz", unit="THz", scalar=True)


# --------------------------------------------------------------------------- generic hook
def callable_model(function: Callable, parameters, kind: str | None = None, name: str = "callable",
                   defaults: dict | None = None, x_label: str = "frequency (THz)") -> FitModel:
    """Wrap any differentiable ``function(params: dict, x, temperature_K)`` as a fit model.

    This is the hook for full simulations of this package: build the model (e.g.
    :class:`jaxhiggs.models.CleanPseudospin`) and the drive from ``params`` inside ``function``
    and call :func:`jaxhiggs.simulate`; the fit differentiates through diffrax (see
    :mod:`jaxhiggs.fit`, "Gradients through simulations").  ``kind`` is ``"complex"`` for σ(ω),
    ``"real"`` otherwise (inferred from one evaluation when None).
    """
    return FitModel(name, function, tuple(parameters), dict(defaults or {}), kind or "auto", x_label)


def quench_trace_model(n_energies: int = 48, omega_d: float = 10.0, dt_ps: float = 0.02) -> Callable:
    """Demonstration simulation model: |Δ(t)| (meV) of a clean one-band BCS superconductor after an
    interaction quench, computed with :class:`jaxhiggs.models.CleanPseudospin` and :func:`jaxhiggs.simulate`.

    Parameters: ``gap`` (initial gap Δ_i, meV) and ``final_gap`` (the gap Δ_f whose couplings act
    after the quench, meV); ``x`` are the saved times in ps.  Fixed steps (``dt_ps``, RK4-class Tsit5)
    make the discretised map smooth in the parameters, so gradients match finite differences.
    """
    import diffrax

    from .. import drive, material, models, solve

    def fn(params, times_ps, temperature=0.0):
        mat = material.single_band(params["gap"], omega_d, 0.0)
        mod = models.CleanPseudospin(mat, n_energies)
        res = solve.simulate(mod, drive.Quench(final_gap=params["final_gap"]), times_ps, solver=diffrax.Tsit5(),
                             dt=dt_ps, max_steps=100_000)
        return jnp.abs(res.gap[:, 0])

    return fn


def resolve(model, drive_frequency: float | None = None, **options) -> FitModel:
    """A :class:`FitModel` from a name (``"mattis-bardeen"``, ``"zimmermann"``, ``"two-band-zimmermann"``,
    ``"zimmermann-bcs"``, ``"mattis-bardeen-bcs"`` (Δ(T) from the gap equation, ``gap`` = Δ(0)),
    ``"higgs-thg"``, ``"higgs-thg-temperature"``) or a :class:`FitModel` itself."""
    if drive_frequency is not None:
        check_drive_frequency(drive_frequency)
    if isinstance(model, FitModel):
        return model
    if callable(model) and not isinstance(model, str):
        # the abscissa of a bare callable is unknown (frequencies, times, temperatures): not validated as one
        return callable_model(model, (), name=getattr(model, "__name__", "callable"), x_label="x")
    table = {
        "mattis-bardeen": lambda: MATTIS_BARDEEN,
        "zimmermann": lambda: ZIMMERMANN,
        "two-band-zimmermann": lambda: make_two_band_zimmermann(**options),
        "zimmermann-bcs": lambda: make_bcs_conductivity("zimmermann", **options),
        "mattis-bardeen-bcs": lambda: make_bcs_conductivity("mattis-bardeen", **options),
        "higgs-thg": lambda: HIGGS_THG,
        "higgs-thg-temperature": lambda: make_higgs_thg_temperature(drive_frequency, **options),
    }
    if model not in table:
        raise ValueError(f"model = {model!r} is not allowed: one of {sorted(table)} or a callable/FitModel")
    if model == "higgs-thg-temperature" and drive_frequency is None:
        raise ValueError("model = 'higgs-thg-temperature' needs drive_frequency (THz) of the fixed drive")
    return table[model]()


__all__ = [
    "FitModel", "HIGGS_THG", "LIMITS", "MATTIS_BARDEEN", "ZIMMERMANN", "band_gaps", "callable_model", "critical_temperature_k",
    "make_bcs_conductivity", "higgs_inverse_susceptibility",
    "higgs_thg_frequency", "make_higgs_thg_temperature", "make_two_band_zimmermann", "mattis_bardeen_sigma",
    "quench_trace_model", "resolve", "zimmermann_sigma",
]
