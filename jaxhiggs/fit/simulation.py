"""Pump–probe and THG observables of the Mattis–Bardeen model, traceable in (Δ, γ, T) for fits.

This module computes what a THz experiment measures from :class:`~jaxhiggs.models.mattis_bardeen.MattisBardeen`
solves, as pure JAX functions of the gap and the impurity rate, so that :mod:`jaxhiggs.fit` can differentiate
the residuals through the solves (``jax.jacfwd`` with diffrax's ``ForwardMode`` adjoint: a fit has 2–4 free
parameters and hundreds of data points, so n_free tangent solves beat n_data reverse sweeps).

Conventions: times in ps, frequencies ν in THz, ω = 2πν; X(ν) = Δt Σ_n X(t_n) e^{+2πiν t_n} (physics
e^{−iωt} convention of :func:`jaxhiggs.spectra.conductivity`), evaluated directly at the requested ν (a
DFT at arbitrary frequencies, no interpolation of an FFT grid); σ = j(ν)/(iω A(ν)), normalised to the
model's Drude σ₀ = ne²/(mγ).  ``gap`` is the T → 0 gap Δ(0) (meV); at T > 0 the gap Δ(T) follows from
the gap equation on the model's own energy grid.

* :func:`pump_probe_map` — σ(δt, ν) of a weak probe arriving δt after the pump (seed 000's σ(ν; t_d),
  spec §4.6): the runs with pump + probe(δt) minus the pump-only run, the Fourier window moving with the
  probe.  The probe amplitude is 10⁻³ of the pump's, so the O(A_probe²) terms of the difference are a
  10⁻³ relative correction; the fixed-step solve is exactly homogeneous in the drive, so the
  subtraction costs no accuracy beyond round-off.  The runs are sequential (``jax.lax.map``: on a CPU
  a ``vmap`` over diffrax's while loop was 3× slower than the same solves one after the other), shared out
  over the devices when there are several (:func:`jaxhiggs.parallel.device_map`; on a CPU after
  :func:`jaxhiggs.use_cpu_cores`).
* :func:`thg_amplitude` — |j₃(3Ω)| of the cubic current under a multicycle drive of carrier Ω.

The grid (:class:`SimulationGrid`) is deliberately small: a fit evaluates the model ~50 times.
"""

from __future__ import annotations

import dataclasses

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Complex, Float

from .. import units
from .._validate import check, check_int
from ..drive import GaussianPulse
from ..parallel import device_map

__all__ = ["PseudospinGrid", "SimulationGrid", "default_pulse", "gap_modulation", "pump_probe_map", "thg_amplitude"]


@dataclasses.dataclass(frozen=True)
class _EnergyGridSolve:
    """The numerical settings every simulation grid shares: N_e, ω_D (meV), fixed step dt (ps); validated."""

    n_energies: int = 32
    omega_d: float = 5.0
    dt: float = 0.02

    def __post_init__(self):
        from ..grid import MIN_ENERGIES

        check_int("n_energies", self.n_energies, MIN_ENERGIES, 400,
                  f"even number of energy-grid points, {MIN_ENERGIES} ≤ N_e ≤ 400")
        if self.n_energies % 2:
            from .._validate import fail

            raise fail("n_energies", self.n_energies, "an even number (no grid point at ξ = 0)")
        check(lambda v: v > 0, "omega_d", self.omega_d, "a finite cut-off > 0 meV", unit="meV")
        check(lambda v: 0 < v <= 0.1, "dt", self.dt, "a finite step 0 < dt ≤ 0.1 ps", unit="ps")

    def recurrence_ps(self) -> float:
        """πħ/δε in ps: after this the grid's discrete pair energies revive together (a grid artefact)."""
        spacing = 2.0 * self.omega_d / self.n_energies
        return float(units.internal_to_ps(np.pi / spacing))

    def options(self):
        from ..solve import SolverOptions

        return SolverOptions(solver=diffrax.Tsit5(), dt=self.dt, adjoint=diffrax.ForwardMode(), max_steps=1_000_000)


@dataclasses.dataclass(frozen=True)
class SimulationGrid(_EnergyGridSolve):
    """Numerical settings of the Mattis–Bardeen solves inside a fit (hashable: part of the compile cache key).

    Attributes:
        n_energies: N_e, points of the energy grid on [−ω_D, ω_D] (even).  The grid's recurrence time
            πħN_e/(2ω_D) must exceed the simulated window (checked by the fit entry points).
        omega_d: cut-off ω_D in meV (must exceed the largest probed ħω − Δ for σ₁ above the gap edge).
        dt: fixed time step in ps (Tsit5): fixed steps make the discretised model a smooth function of
            Δ and γ, so Jacobians are exact derivatives of what is fitted.
        mass, fermi_energy: band mass (m_e) and ε_F (meV); they set σ₀ and the ratio of the paramagnetic
            and diamagnetic (Higgs) channels of the cubic current.  Default: NbN of seed 000.
    """

    mass: float = 0.78
    fermi_energy: float = 1000.0

    def __post_init__(self):
        super().__post_init__()
        check(lambda v: v > 0, "mass", self.mass, "a finite band mass > 0 m_e")
        check(lambda v: v > 0, "fermi_energy", self.fermi_energy, "a finite Fermi energy > 0 meV", unit="meV")

    def model(self, gap, gamma, temperature_k):
        """The one-band :class:`MattisBardeen` model (orders 3) at traced Δ(0), γ (meV) and T (K)."""
        from ..material import single_band
        from ..models.mattis_bardeen import MattisBardeen

        mat = single_band(gap, self.omega_d, temperature_k, gamma=gamma, mass=self.mass,
                          fermi_energy=self.fermi_energy)
        return MattisBardeen(mat, self.n_energies, check_grid=False)


@dataclasses.dataclass(frozen=True)
class PseudospinGrid(_EnergyGridSolve):
    """Numerical settings and fixed band parameters of the clean two-band pseudospin solves inside a fit.

    Attributes:
        n_energies, omega_d, dt: as :class:`SimulationGrid` (ω_D is the common cut-off of both bands;
            the fastest precession is 2√(ω_D² + Δ₁²), so dt must resolve it: ≈ 10 steps per period).
        masses, signs, fermi_energies: per band (m_e, ±1 electron/hole-like, meV).  Only the contrast
            s₁/m₁ − s₂/m₂ of the diamagnetic shifts drives the bands (a common shift is a gauge rotation),
            and the densities of states N_i ∝ m_i√ε_F,i set the Leggett frequency.  Default: the MgB₂
            bands of :func:`jaxhiggs.materials.mgb2` (σ first: 1.38/0.85 m_e, −1/+1, 0.7/2.9 eV).
    """

    n_energies: int = 160
    omega_d: float = 20.0
    dt: float = 0.01
    masses: tuple = (1.38, 0.85)
    signs: tuple = (-1.0, 1.0)
    fermi_energies: tuple = (700.0, 2900.0)

    def __post_init__(self):
        super().__post_init__()
        for name in ("masses", "signs", "fermi_energies"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or len(value) != 2:
                from .._validate import fail

                raise fail(name, value, "a tuple of two numbers, one per band")
        for i in range(2):
            check(lambda v: v > 0, f"masses[{i}]", self.masses[i], "a finite band mass > 0 m_e")
            check(lambda v: v in (-1.0, 1.0), f"signs[{i}]", self.signs[i], "+1 (electron-like) or −1 (hole-like)")
            check(lambda v: v > 0, f"fermi_energies[{i}]", self.fermi_energies[i], "a finite Fermi energy > 0 meV",
                  unit="meV")

    def model(self, gaps, v, temperature_k):
        """The two-band :class:`CleanPseudospin` model at traced T → 0 gaps (Δ₁, Δ₂) (meV), U₁₂ = v U₁₁ and T (K)."""
        from ..material import two_band
        from ..models.pseudospin import CleanPseudospin

        mat = two_band(gaps, v, self.omega_d, temperature_k, masses=self.masses, signs=self.signs,
                       fermi_energies=self.fermi_energies)
        return CleanPseudospin(mat, self.n_energies)


def default_pulse(peak_field: float = 1.0, duration: float = 0.35, frequency: float = 0.0) -> GaussianPulse:
    """A near-single-cycle THz pulse (kV/cm, ps, THz) centred at t = 0: the default pump and probe shape."""
    return GaussianPulse(peak_field, frequency, duration, 0.0)


def _centred(pulse: GaussianPulse, center_ps) -> GaussianPulse:
    """``pulse`` moved to ``center_ps`` (traceable; the carrier phase stays relative to the envelope)."""
    return eqx.tree_at(lambda p: p.t0, pulse, jnp.asarray(units.ps_to_internal(center_ps), dtype=float))


def _fourier_at(times_ps: np.ndarray, signal, frequency_thz: np.ndarray):
    """X(ν) = Δt Σ_n X(t_n) e^{+2πiν t_n} on the last axis of ``signal``, at the given ν (THz)."""
    dt = float(times_ps[1] - times_ps[0])
    phase = np.exp(2j * np.pi * np.outer(frequency_thz, times_ps))  # (n_freq, n_times), concrete
    return dt * (signal.astype(complex) @ jnp.asarray(phase).T)


#: probe amplitude relative to the pump's in :func:`pump_probe_map` (the probe must be weak)
PROBE_RATIO = 1e-3


def pump_probe_times(delays_ps, pump_duration_ps: float, probe_duration_ps: float, record_ps: float,
                     grid: SimulationGrid) -> tuple[np.ndarray, np.ndarray]:
    """(simulated times (ps), Fourier windows (n_delays, n_times) bool) in the lab frame, pump centred at 0.

    The run starts 4.5 τ before the earlier of the pump and the first probe and ends ``record_ps``
    after the last probe; the window of delay δt is [δt − 4.5 τ_probe, δt + ``record_ps``] (its
    length is the same for every delay up to one sample).  τ: the pulses' envelope durations (ps).
    Concrete arguments only.
    """
    delays_ps = np.asarray(delays_ps, dtype=float)
    tau_pump, tau_probe = float(pump_duration_ps), float(probe_duration_ps)
    start = min(-4.5 * tau_pump, float(delays_ps.min()) - 4.5 * tau_probe)
    stop = float(delays_ps.max()) + record_ps
    n = int(np.ceil((stop - start) / grid.dt))
    times = start + grid.dt * np.arange(n + 1)
    lo = delays_ps[:, None] - 4.5 * tau_probe
    hi = delays_ps[:, None] + record_ps
    return times, (times[None, :] >= lo - 1e-9) & (times[None, :] <= hi + 1e-9)


def pump_probe_map(gap, gamma, temperature_k, delays_ps, frequency_thz, pump: GaussianPulse, probe: GaussianPulse,
                   times_ps: np.ndarray, windows: np.ndarray, grid: SimulationGrid) -> tuple[
                       Complex[Array, "n_delays n_freq"], Complex[Array, "n_delays n_freq"]]:
    """Probe conductivity (σ_probe(δt, ν), Δσ(δt, ν)), both /σ₀, of the Mattis–Bardeen model after ``pump``.

    σ(δt, ν) = σ_probe + Δσ: σ_probe from the probe's linear current j₁ (the equilibrium σ, the same
    for every delay up to the window's sampling), Δσ from the cubic current j₃ — the pump-induced
    change, ∝ A_pump² in this third-order model.  δt > 0: the probe centre arrives δt after the pump
    centre.  ``pump`` is used as given except for its centre (moved to 0); ``probe`` is moved to δt and
    scaled to :data:`PROBE_RATIO` × the pump's amplitude.  ``delays_ps``, ``frequency_thz`` and the grid
    ``times_ps``, ``windows`` (from :func:`pump_probe_times`, computed before tracing) are concrete;
    gap = Δ(0), gamma (meV) and temperature_k (K) may be traced.
    """
    delays_ps = np.asarray(delays_ps, dtype=float)
    frequency_thz = np.asarray(frequency_thz, dtype=float)
    times = np.asarray(times_ps, dtype=float)
    windows = np.asarray(windows, dtype=float)
    model = grid.model(gap, gamma, temperature_k)
    opts = grid.options()
    t_internal = units.ps_to_internal(jnp.asarray(times))
    pump0 = _centred(pump, 0.0)
    probe = eqx.tree_at(lambda p: p.amplitude, probe, PROBE_RATIO * jnp.abs(pump.amplitude) * jnp.sign(probe.amplitude))
    from ..solve import solve

    def run(args):
        delay, on = args  # on = 0: the pump-only run
        drive = pump0 + eqx.tree_at(lambda p: p.amplitude, _centred(probe, delay), probe.amplitude * on)
        ys = solve(model, drive, t_internal, opts)[0]
        return ys["current_1"], ys["current_3"], ys["vector_potential"]

    d_all = jnp.concatenate([jnp.asarray(delays_ps[:1]), jnp.asarray(delays_ps)])
    on_all = jnp.concatenate([jnp.zeros(1), jnp.ones(delays_ps.size)])
    j1, j3, a = device_map(run, (d_all, on_all))  # lax.map, or shared out over several devices (jaxhiggs.parallel)
    dj1, dj3, da = (x[1:] - x[:1] for x in (j1, j3, a))
    w = jnp.asarray(windows)
    j1_w = _fourier_at(times, dj1 * w, frequency_thz)
    j3_w = _fourier_at(times, dj3 * w, frequency_thz)
    a_w = _fourier_at(times, da * w, frequency_thz)
    omega = 2.0 * np.pi * frequency_thz * 1e12  # rad/s
    norm = 1j * omega * a_w * model.drude_conductivity()
    return j1_w / norm, j3_w / norm


def thg_times(drive_duration_ps: float, grid: SimulationGrid) -> np.ndarray:
    """Simulated times (ps) of a THG run: ±3.5 τ around the drive centre at 0 (A³ < 10⁻⁸ of its peak beyond)."""
    half = 3.5 * drive_duration_ps
    n = int(np.ceil(2 * half / grid.dt))
    return -half + grid.dt * np.arange(n + 1)


def thg_amplitude(gap, gamma, temperature_k, drive_frequency_thz, drive_duration_ps: float, amplitude: float,
                  grid: SimulationGrid) -> Float[Array, "..."]:
    """|j₃(3Ω)|/(σ₀A₀) of the Mattis–Bardeen model under A(t) = A₀ e^{−t²/2τ²} cos(Ωt) (dimensionless).

    The drive has the vector-potential amplitude A₀ = ``amplitude`` (V·s/m) at every Ω — the convention of
    seed 000's THG sweep, in which the third harmonic resonates at Ω = Δ (at a fixed field E₀ = ΩA₀ the
    intensity carries an extra Ω⁻⁶) — carrier Ω/2π = ``drive_frequency_thz`` and envelope τ =
    ``drive_duration_ps``.  j₃ is the cubic current, transformed with a rectangular window over ±3.5τ at
    exactly 3Ω (A/m²·ps); dividing by σ₀ (S/m) and A₀ (V·s/m) leaves 10¹² × a number, removed.  ∝ A₀².
    ``drive_frequency_thz``, ``gap``, ``gamma`` (meV) and ``temperature_k`` (K) may be traced.
    """
    model = grid.model(gap, gamma, temperature_k)
    times = thg_times(drive_duration_ps, grid)
    from ..solve import solve

    drive = GaussianPulse(1.0, 1.0, drive_duration_ps, 0.0)
    omega = units.thz_to_mev(jnp.asarray(drive_frequency_thz, dtype=float))
    drive = eqx.tree_at(lambda p: (p.omega, p.amplitude), drive, (omega, jnp.asarray(amplitude, dtype=float)))
    ys = solve(model, drive, units.ps_to_internal(jnp.asarray(times)), grid.options())[0]
    nu3 = 3.0 * jnp.asarray(drive_frequency_thz, dtype=float)
    dt = float(times[1] - times[0])
    j3 = dt * jnp.sum(ys["current_3"] * jnp.exp(2j * jnp.pi * nu3 * jnp.asarray(times)))
    return jnp.abs(j3) * 1e-12 / (model.drude_conductivity() * amplitude)


def gap_modulation(gaps, v, temperature_k, delays_ps, pump: GaussianPulse, start_ps: float,
                   grid: PseudospinGrid) -> Float[Array, "n_delays 2"]:
    """δ|Δ_i|(δt) = |Δ_i(δt)| − |Δ_i|_eq (meV) of the clean two-band pseudospins after ``pump`` (centred at 0).

    The pump acts through A² only (clean bands, q = 0): the diamagnetic shifts s_i e²A²/2m_i differ
    between the bands, twist the relative phase φ₁ − φ₂ (the Leggett mode, frequency ω_L) and, through
    the interband coupling, modulate the gap moduli — at their Higgs frequencies 2Δ_i and at ω_L, 2ω_L
    (Krull et al. 2016, seed 004).  One pump-only solve from the equilibrium at ``start_ps`` (before the
    pump: e.g. 4.5 τ before its centre), saved at the delays (ps after the pump centre).  ``gaps``
    (Δ₁(0), Δ₂(0) in meV), ``v`` and ``temperature_k`` may be traced; ``delays_ps`` (increasing, after
    ``start_ps``) and ``start_ps`` are concrete.
    """
    delays_ps = np.asarray(delays_ps, dtype=float)
    times = np.concatenate([[float(start_ps)], delays_ps])
    model = grid.model(gaps, v, temperature_k)
    from ..solve import solve

    gap = solve(model, _centred(pump, 0.0), units.ps_to_internal(jnp.asarray(times)), grid.options())[0]["gap"]
    modulus = jnp.abs(gap)
    return modulus[1:] - modulus[:1]
