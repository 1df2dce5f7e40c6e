"""Why the Leggett oscillation decays: it creates small-gap pairs at twice its frequency.

The study behind "Why the phase oscillation decays" in docs/models/finite_momentum.md.  The relative phase
φ = φ₁ − φ₂ rings at ω_L below both pair continua (ω_L < 2Δ₂), so it cannot decay at first order.  At second
order it drives band-2 pseudospins at 2ω_L, which is resonant (2E = 2ω_L) where 2ω_L > 2Δ₂: the oscillation
breaks small-gap pairs at E = ω_L, at a rate ∝ φ₀² (the drive is quadratic), until those pairs have Rabi-flopped
and give energy back.  The measured checks:

* energy balance: the energy in band-2 pairs near E = ω_L (2E per pair) grows at the power the oscillation loses,
  2Γ E_L, with E_L = U₁₂ |P₁| |P₂| φ_P² the interband pair energy −2U₁₂ Re P₁*P₂ at a turning point (P = U⁻¹Δ the
  pair amplitudes, φ_P the line of their relative phase, 16 % above Δ's on the clean runs);
* Fermi's golden rule.  The resonant drive is the 2ω_L line δΔ of Re(Δ₂ e^{−iθ̄₂}), the gap's component along its
  mean direction θ̄₂.  With Δ₂ = |Δ₂| e^{iθ₂} that is |Δ₂|'s own 2ω_L line (c₂ φ₀², tests/test_pseudospin.py) plus
  −Δ̄₂θ₂²/2's, i.e. the phase swing θ₂ = θ₂₀ cos ω_L t acting twice (|Δ̄₂| θ₂₀²/4, of the same order); the
  perpendicular part |Δ₂| sin θ₂ rings at ω_L and 3ω_L, off resonance.  A pseudospin at ξ sees the transverse field
  −2δΔ (ξ/E) cos(2ω_L t), Rabi frequency Ω_R = δΔ ξ/E, and the rate (π/2)Ω_R² δ(2ω_L − 2E) per spin over band 2
  (density of states ν₂, roots ±ξ₀) absorbs

      P = 2ω_L · (π/2) δΔ² ν₂ ξ₀/E₀,    E₀ = ω_L,  ξ₀ = √(ω_L² − Δ₂²)    (in the models' weights).

  2.4 ħ/Ω_R is printed as the time scale of the saturation;
* test particles: band-2 pseudospins near E = ω_L, started in the ground state at 3 ps and driven by a prescribed
  Δ₂(t) — the record's own, the 2ω_L line of Re Δ₂ alone, or the 2ω_L line of |Δ₂| alone — take up energy at
  rates that say which part of the drive makes the pairs, and how far the golden rule holds over a finite window.

What it runs (all numbers printed; ``--write`` stores results/leggett_damping_cpu.json):

* the clean model (``CleanPseudospin``, Krull's pump on the MgB₂ preset, N energies per band, 0–100 ps, rtol 1e-8):
  v = 0.05 (2ω_L ≈ 9.5 meV above 2Δ₂ = 6: the channel open) at |A₀| = 4, 5, 6 × 10⁻⁸ V·s/m, and v = 0.012
  (2ω_L ≈ 4.8 below 2Δ₂: closed).  Per run: the φ line's envelope in 5 ps windows, its decay rate over 3–23 ps,
  the golden rule with δΔ measured there, the test particles, where the band-2 pairs created after 10 ps sit in
  energy (the models' ``occupation`` observable, binned in |ξ|), the energy balance over 8–23 ps, the envelope's
  turning point, and the measured rate over the golden rule's in later 20 ps windows (the golden rule then uses that
  window's Re Δ₂ line, which includes what the created pairs radiate back);
* ``--finite-q-run A0``: Krull's pump on the finite-momentum rows of ``leggett_excitation.py``'s 18 ps records
  (v = 0.05, q₀ = dk = 1.6e-4 nm⁻¹, n_max 4) again at |A₀| = A0, with the occupation observable and Δ_i complex,
  stored to results/leggett_damping_series/ (about 35 min on one core; never overwrites a record);
* ``--finite-q``: the analysis of the finite-momentum records — the decay rate per rad² of the stored
  ``fig5q18``/``fig5q18damping`` records (``leggett_excitation.py``; they hold |Δ_i| and φ₁ − φ₂ only), and for the
  ``--finite-q-run`` records also the golden rule, the pump's own band-2 occupation at E = ω_L (which blocks new
  pairs by 1 − 2n̄), the energy balance, and test particles on the shell's band-2 states (with Re Δ₂'s 2ω_H2 line,
  alone and with the 2ω_L line, as further drives); ``--write`` stores results/leggett_damping_finite_q_cpu.json.

Usage: ``python benchmarks/leggett_damping.py [--n 8000] [--t-end 100] [--write] [--finite-q] [--finite-q-run A0]``
(1.5–4 min per clean run at N = 8000 on one core).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
jax.config.update("jax_enable_x64", True)

import jaxhiggs as jh  # noqa: E402
from _common import environment  # noqa: E402
from analyse_fig6 import line_amplitudes, line_coefficients, strongest_line  # noqa: E402
from jaxhiggs import units  # noqa: E402
from jaxhiggs.models.finite_momentum import FiniteMomentum  # noqa: E402
from jaxhiggs.models.pseudospin import CleanPseudospin  # noqa: E402

HBAR = units.H_MEV_PS / (2 * np.pi)  # ħ in meV·ps
#: the |ξ| bins (meV) of the models' ``occupation`` observable (jaxhiggs.models.occupation); the records stored
#: before it joined the package (a copy of it in this script) also counted |ξ| ≥ 16 meV in the last bin, unread here
EDGES = np.linspace(0.0, 16.0, 321)
CLEAN_RUNS = [(0.05, 4e-8), (0.05, 5e-8), (0.05, 6e-8), (0.012, 6e-8)]


def leggett_line(t, phi, window, trial=np.linspace(1.0, 7.0, 1201)):
    """(ω_L, φ₀): the frequency (meV) and amplitude (rad) of the strongest line of φ(t) over ``window`` (ps)."""
    w = (t >= window[0]) & (t < window[1])
    return strongest_line(t[w], phi[w], trial)


def envelope(t, phi, omega_l, width, start):
    """The φ line's amplitude at ω_L (rad) in consecutive windows of ``width`` ps from ``start``: (centres, amps)."""
    starts = np.arange(start, t[-1] - width + 1e-9, width)
    amps = [line_amplitudes(t[(t >= s) & (t < s + width)], phi[(t >= s) & (t < s + width)], (omega_l,))[0]
            for s in starts]
    return starts + width / 2, np.array(amps)


def golden_rule(omega_l, phi0, line, gap2, couplings, pair_amplitudes, dos2):
    """Fermi's golden rule for a phase oscillation φ₀ cos ω_L t (φ₀ in rad, ω_L in meV) whose resonant drive, the
    2ω_L line of Re(Δ₂ e^{−iθ̄₂}), is ``line`` (meV); band 2's gap ``gap2`` (meV), the couplings U (meV), the pair
    amplitudes |P₁|, |P₂| (U⁻¹Δ) and ν₂ (per meV) in the model's normalisation (module docstring for the formulas).
    Returns the absorbed power (energy per ps, in the weights' normalisation), the stored energy E_L, the amplitude
    decay rate (1/ps) and the Rabi frequency Ω_R (meV) of the resonant pairs; power, rate and Ω_R are 0 where
    2ω_L ≤ 2Δ₂ (no resonant pair)."""
    stored = couplings[0, 1] * pair_amplitudes[0] * pair_amplitudes[1] * phi0**2
    if omega_l <= gap2:
        return dict(power=0.0, stored=float(stored), rate=0.0, rabi=0.0)
    xi0 = np.sqrt(omega_l**2 - gap2**2)
    power = 2 * omega_l * (np.pi / 2) * line**2 * dos2 * xi0 / omega_l / HBAR
    return dict(power=float(power), stored=float(stored), rate=float(power / (2 * stored)),
                rabi=float(line * xi0 / omega_l))


def drive_lines(t, gap2, omega_l, second_harmonic=False):
    """Band 2's gap over a window (``t`` in ps, ``gap2`` complex, meV) seen along its mean direction θ̄₂: the
    least-squares fits c₀ + Σ_f Re(c_f e^{−ift/ħ}) (``line_coefficients``) of |Δ₂| and of Re(Δ₂ e^{−iθ̄₂}) at
    f = 2ω_L, ω_H2 = 2|Δ̄₂| (a nuisance line) and, with ``second_harmonic``, 2ω_H2.  Returns ({"modulus" | "along":
    (c₀, {f: c_f})}, θ̄₂, the amplitude θ₂₀ (rad) of Δ₂'s phase swing at ω_L)."""
    theta = np.unwrap(np.angle(gap2))
    along = gap2 * np.exp(-1j * theta.mean())
    higgs = 2 * float(np.abs(gap2).mean())
    freqs = (2 * omega_l, higgs) + ((2 * higgs,) if second_harmonic else ())
    fits = {}
    for name, x in (("modulus", np.abs(gap2)), ("along", along.real)):
        c0, c = line_coefficients(t, x, freqs)
        fits[name] = (c0, {f: cf for f, cf in zip(freqs, c) if f != higgs})
    return fits, theta.mean(), line_amplitudes(t, theta, (omega_l,))[0]


def analyse(t, gap, couplings, dos2, early=(3.0, 23.0), width=5.0, second_harmonic=False):
    """The decay of the φ line in a record Δ_i(t) (meV) and the golden rule's prediction for it (``early`` window;
    ``second_harmonic``: fit the 2ω_L line beside a line at 2ω_H2, as ``drive_lines``)."""
    phi = np.unwrap(np.angle(gap[:, 0] * np.conj(gap[:, 1])))
    omega_l, phi0 = leggett_line(t, phi, early)
    w = (t >= early[0]) & (t < early[1])
    gap2 = float(np.abs(gap[w, 1]).mean())
    lines, _, swing = drive_lines(t[w], gap[w, 1], omega_l, second_harmonic)
    line, modulus_line = (abs(lines[name][1][2 * omega_l]) for name in ("along", "modulus"))
    pair_amplitudes = np.linalg.solve(couplings, gap.T).T  # P = U⁻¹Δ
    pairs = np.abs(pair_amplitudes[w]).mean(axis=0)
    # E_L is the pair energy's dependence on P's relative phase, whose line exceeds Δ's (by 16 % on the clean runs)
    phi_p0 = line_amplitudes(t[w], np.unwrap(np.angle(pair_amplitudes[w, 0] * np.conj(pair_amplitudes[w, 1]))),
                             (omega_l,))[0]
    rule = golden_rule(omega_l, phi_p0, line, gap2, couplings, pairs, dos2)
    modulus_rule = golden_rule(omega_l, phi_p0, modulus_line, gap2, couplings, pairs, dos2)
    centres, amps = envelope(t, phi, omega_l, width, early[0])
    inside = centres < early[1]
    measured = -np.polyfit(centres[inside], np.log(amps[inside]), 1)[0]
    return dict(omega_L=omega_l, phi0=phi0, pair_phase0=phi_p0, gap2=gap2, gap2_phase_swing=swing,
                two_omega_L_line=line, modulus_two_omega_L_line=modulus_line, c2=modulus_line / phi0**2,
                measured_rate_per_ps=float(measured), golden_rule_rate_per_ps=rule["rate"],
                golden_rule_power_per_ps=rule["power"], modulus_golden_rule_power_per_ps=modulus_rule["power"],
                stored_energy=rule["stored"], rabi_meV=rule["rabi"],
                rabi_turn_ps=float(2.405 * HBAR / rule["rabi"]) if rule["rabi"] else None,
                envelope_ps=centres.tolist(), envelope_rad=amps.tolist())


def driven_pair_power(xi, weights, gap_of_t, omega_l, start, fit, dt=0.004, save=0.1):
    """Test particles: band-2 pseudospins at energies ``xi`` (meV, model weights ``weights``) started at ``start``
    (ps) in the ground state of their field and driven by a prescribed gap ``gap_of_t`` (complex meV, a function of
    t in ps) alone, ṡ = b × s with b = (−2 Re Δ, 2 Im Δ, 2ξ)/ħ as in CleanPseudospin (RK4, step ``dt`` ps).  Returns
    the growth rate (per ps) over the window ``fit`` (ps) of the energy 2E n in the pairs within 0.5 meV of ω_L,
    n = ½ − s·ŝ as the ``occupation`` observable — the quantity the energy balance measures on the model itself."""
    def field(t):
        d = gap_of_t(t)
        return -2 * d.real / HBAR + 0 * xi, 2 * d.imag / HBAR + 0 * xi, 2 * xi / HBAR

    def rate(t, s):
        bx, by, bz = field(t)
        return np.stack([by * s[2] - bz * s[1], bz * s[0] - bx * s[2], bx * s[1] - by * s[0]])

    def occupation(t, s):
        d = gap_of_t(t)
        return 0.5 - (s[0] * d.real - s[1] * d.imag - s[2] * xi) / np.sqrt(xi**2 + abs(d) ** 2)

    d = gap_of_t(start)
    s = -0.5 * np.stack(field(start)) / np.sqrt(xi**2 + abs(d) ** 2) * HBAR / 2  # ½ along −b: the ground state
    steps, every = round((fit[1] - start) / dt), round(save / dt)
    times, energy = [], []
    resonant = np.abs(np.sqrt(xi**2 + abs(d) ** 2) - omega_l) < 0.5
    for i in range(steps + 1):
        t = start + i * dt
        if i % every == 0 and t >= fit[0] - 1e-9:
            e = np.sqrt(xi**2 + abs(gap_of_t(t)) ** 2)
            times.append(t)
            energy.append(np.sum((2 * e * occupation(t, s) * weights)[resonant]))
        if i < steps:
            k1 = rate(t, s)
            k2 = rate(t + dt / 2, s + dt / 2 * k1)
            k3 = rate(t + dt / 2, s + dt / 2 * k2)
            k4 = rate(t + dt, s + dt * k3)
            s = s + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return float(np.polyfit(times, energy, 1)[0])


def pair_power_by_drive(t, gap2, xi, weights, omega_l, window=(3.0, 23.0), fit=(8.0, 23.0), second_harmonic=False):
    """``driven_pair_power`` (from ``window[0]``, over ``fit``) under drives built from a record's band-2 gap
    ``gap2`` (complex meV at ``t`` ps), lines fitted over ``window`` (``drive_lines``), each on its fitted mean: the
    record itself (cubic interpolation, "record"), the 2ω_L line of Re(Δ₂ e^{−iθ̄₂}) alone ("along_line") and of |Δ₂|
    alone ("modulus_line"); with ``second_harmonic`` also Re Δ₂'s 2ω_H2 line alone ("two_omega_H2_line") and the
    2ω_L and 2ω_H2 lines together, of Re Δ₂ ("along_lines") and of |Δ₂| ("modulus_lines").  Only spins within
    1.5 meV of E = ω_L run."""
    from scipy.interpolate import CubicSpline

    w = (t >= window[0]) & (t < window[1])
    lines, mean_phase, _ = drive_lines(t[w], gap2[w], omega_l, second_harmonic)
    record = CubicSpline(t, gap2 * np.exp(-1j * mean_phase))
    near = np.abs(np.sqrt(xi**2 + float(np.abs(gap2[w]).mean()) ** 2) - omega_l) < 1.5

    def drive(name, which=None):
        c0, coefficients = lines[name]
        chosen = [(f, c) for f, c in coefficients.items() if which is None or f == which]
        return lambda s: complex(c0 + sum((c * np.exp(-1j * f * s / HBAR)).real for f, c in chosen))

    drives = dict(record=lambda s: complex(record(s)), along_line=drive("along", 2 * omega_l),
                  modulus_line=drive("modulus", 2 * omega_l))
    if second_harmonic:
        (harmonic,) = set(lines["along"][1]) - {2 * omega_l}
        drives.update(two_omega_H2_line=drive("along", harmonic), along_lines=drive("along"),
                      modulus_lines=drive("modulus"))
    return {name: driven_pair_power(xi[near], weights[near], f, omega_l, window[0], fit) for name, f in drives.items()}


def clean_run(v, a0, n, t_end):
    model = CleanPseudospin(jh.materials.mgb2(v=v), n, occupation_edges=EDGES)
    pump = jh.GaussianPulse.from_vector_potential(2 * a0, units.mev_to_thz(8.0), 0.4 / 2.3548, 1.0)
    times = np.linspace(0.0, t_end, round(50 * t_end) + 1)
    start = time.perf_counter()
    res = jh.simulate(model, pump, times, rtol=1e-8, atol=1e-11)
    gap, occupation = np.asarray(res.gap), np.asarray(res["occupation"])
    wall = time.perf_counter() - start
    couplings, dos2 = np.asarray(model.equilibrium.couplings), float(model.material.dos[1])
    row = dict(v=v, a0=a0, n=n, t_end=t_end, wall_s=round(wall, 1), **analyse(times, gap, couplings, dos2))
    if row["golden_rule_rate_per_ps"]:
        rep = model.representation
        xi, weights = (np.asarray(jnp.broadcast_to(x, rep.energies.shape))[1] for x in (rep.energies, rep.weights))
        row["test_particle_pair_power_per_ps"] = pair_power_by_drive(times, gap[:, 1], xi, weights, row["omega_L"])
        # measured / golden rule in later 20 ps windows: the resonant pairs saturate
        later = [analyse(times, gap, couplings, dos2, early=(s, s + 20.0)) for s in np.arange(3.0, t_end - 19.0, 10.0)]
        row["by_window"] = [dict(centre_ps=s + 10.0, phi0=r["phi0"],
                                 measured_over_golden_rule=r["measured_rate_per_ps"] / r["golden_rule_rate_per_ps"])
                            for s, r in zip(np.arange(3.0, t_end - 19.0, 10.0), later)]
    centres = np.sqrt((0.5 * (EDGES[1:] + EDGES[:-1])) ** 2 + row["gap2"] ** 2)  # band 2's pair energies E (meV)
    growth = occupation[-1, 1] - occupation[np.searchsorted(times, 10.0), 1]  # band 2, after the pump's transient
    near = np.abs(centres - row["omega_L"]) < 0.3
    # energy balance: the energy in band-2 pairs within 0.5 meV of ω_L (2E per pair) grows over 8–23 ps at the
    # power the oscillation loses, 2Γ E_L
    resonant = np.abs(centres - row["omega_L"]) < 0.5
    pair_energy = (2 * centres[resonant] * occupation[:, 1, resonant]).sum(axis=1)
    fit = (times >= 8.0) & (times <= 23.0)
    row.update(pair_energy_growth_per_ps=float(np.polyfit(times[fit], pair_energy[fit], 1)[0]),
               oscillation_power_loss_per_ps=2 * row["measured_rate_per_ps"] * row["stored_energy"])
    row.update(pairs_created_band2=float(growth[growth > 0].sum()),
               pairs_created_band2_peak_meV=float(centres[np.argmax(growth)]),
               share_within_0p3_meV_of_omega_L=float(growth[near].sum() / growth[growth > 0].sum()))
    turn = int(np.argmin(row["envelope_rad"]))
    row["envelope_minimum_ps"] = row["envelope_ps"][turn] if 0 < turn < len(row["envelope_rad"]) - 1 else None
    return row


#: the finite-q records with complex gaps and band occupations (``--finite-q-run``)
FQ_SERIES = HERE / "results" / "leggett_damping_series"
#: their grid: the 18 ps records of leggett_excitation.py's fig5q18 scans (v = 0.05, K = 1)
FQ_GRID = dict(v=0.05, dk=1.6e-4, q0_steps=1, n_max=4, t_end=18.0)


def finite_q_model():
    from leggett_excitation import material  # the preset of those scans

    return FiniteMomentum(material(1.0, FQ_GRID["v"]), dk=FQ_GRID["dk"], n_lines=2, q0_steps=FQ_GRID["q0_steps"],
                          n_max=FQ_GRID["n_max"], occupation_edges=EDGES)


def finite_q_run(a0):
    """One fig5q18 record again (Krull's pump at |A₀| = ``a0``, 0–18 ps, rtol 1e-6 as there), now with Δ_i(t)
    complex and the band occupations, stored to ``FQ_SERIES`` (occupations every 0.1 ps).  Never overwrites."""
    out = FQ_SERIES / f"finite_q_a{a0:g}.npz"
    if out.exists():
        raise SystemExit(f"{out} exists: move it away to run |A₀| = {a0:g} again")
    model = finite_q_model()
    pump = jh.GaussianPulse.from_vector_potential(2 * a0, units.mev_to_thz(8.0), 0.4 / 2.3548, 1.0)
    times = np.linspace(0.0, FQ_GRID["t_end"], round(100 * FQ_GRID["t_end"]) + 1)
    start = time.perf_counter()
    res = jh.simulate(model, pump, times, rtol=1e-6, atol=1e-9)
    wall = time.perf_counter() - start
    FQ_SERIES.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial.npz")
    np.savez_compressed(partial, time_ps=times, gap_meV=np.asarray(res.gap), a0=a0, wall_s=wall,
                        occupation_time_ps=times[::10],
                        occupation=np.asarray(res["occupation"])[::10].astype(np.float32))
    partial.replace(out)
    print(f"wrote {out} ({wall:.0f} s)")


def finite_q_rows():
    """The finite-momentum records: the decay per rad² of the stored fig5q18 records (|Δ_i| and φ₁ − φ₂ only), and
    the full analysis — golden rule, band-2 occupation, energy balance — of the ``--finite-q-run`` records."""
    from leggett_excitation import SERIES  # the records of those scans

    model = finite_q_model()
    couplings, dos2 = np.asarray(model.equilibrium.couplings), float(model.material.dos[1])
    rows = []
    for scan in ("fig5q18", "fig5q18damping"):
        stored = json.loads((HERE / "results" / f"leggett_excitation_{scan}_cpu.json").read_text())["rows"]
        for r in stored:
            grid = (FQ_GRID["v"], FQ_GRID["dk"], FQ_GRID["dk"], FQ_GRID["n_max"])
            assert (r["v"], r["dk"], r["q0"], r["n_max"]) == grid, (scan, r)
            d = np.load(SERIES / f"{scan}_v{r['v']:g}_q{r['q0']:g}_a{r['a0']:g}.npz")
            mod = np.asarray(d["gap_abs_meV"], float)
            gap = np.stack([mod[:, 0] * np.exp(1j * d["relative_phase_rad"]), mod[:, 1]], axis=1)
            row = analyse(d["time_ps"], gap, couplings, dos2, early=(2.0, 18.0), width=4.0)
            # without Δ₂'s own phase the golden rule would miss the phase swing: only the decay is reported
            rows.append(dict(scan=scan, a0=r["a0"], phi0=row["phi0"], omega_L=row["omega_L"],
                             measured_rate_per_ps=row["measured_rate_per_ps"], envelope_rad=row["envelope_rad"]))
    weights = np.asarray(model.occupation_states())
    for f in sorted(FQ_SERIES.glob("finite_q_a*.npz")):
        d = np.load(f)
        t, gap = d["time_ps"], d["gap_meV"]
        # at 8e-8 Re Δ₂ carries a 2ω_H2 line 0.5 meV from 2ω_L: the 2ω_L line is fitted beside it
        row = dict(scan="finite_q_run", a0=float(d["a0"]), wall_s=float(d["wall_s"]),
                   **analyse(t, gap, couplings, dos2, early=(2.0, 18.0), width=4.0, second_harmonic=True))
        row |= occupation_balance(d["occupation_time_ps"], d["occupation"][:, 1], weights[1], row, fit=(6.0, 18.0))
        xi, w = (np.asarray(x)[1] for x in (model.shell.xi, model.shell.weights * model.shell.mask))
        row["test_particle_pair_power_per_ps"] = pair_power_by_drive(t, gap[:, 1], xi[w > 0], w[w > 0], row["omega_L"],
                                                                     (2.0, 18.0), (6.0, 18.0), second_harmonic=True)
        rows.append(row)
    return rows


def occupation_balance(t, occupation, weights, row, fit, after_pump=(2.0, 3.0)):
    """From band 2's binned occupation Σ W n (``occupation``, (n_times, n_bins), per-bin weights ``weights``): the
    occupation per state n̄ near E = ω_L (|E − ω_L| < 0.3 meV) just ``after_pump`` (ps, averaged over the Higgs
    ringing) — the pump's own pairs, which block new ones by 1 − 2n̄ — and the growth rate over ``fit`` (ps) of the
    energy in pairs within 0.5 meV of ω_L against the oscillation's loss 2ΓE_L and the golden rule (times that
    blocking factor)."""
    centres = np.sqrt((0.5 * (EDGES[1:] + EDGES[:-1])) ** 2 + row["gap2"] ** 2)
    near, resonant = np.abs(centres - row["omega_L"]) < 0.3, np.abs(centres - row["omega_L"]) < 0.5
    early = (t >= after_pump[0]) & (t <= after_pump[1])
    filled = float(occupation[early][:, near].sum(axis=1).mean() / weights[near].sum())
    energy = (2 * centres[resonant] * occupation[:, resonant]).sum(axis=1)
    w = (t >= fit[0]) & (t <= fit[1])
    growth = float(np.polyfit(t[w], energy[w], 1)[0])
    return dict(occupation_near_omega_L=filled, blocking=1 - 2 * filled, pair_energy_growth_per_ps=growth,
                oscillation_power_loss_per_ps=2 * row["measured_rate_per_ps"] * row["stored_energy"],
                blocked_golden_rule_power_per_ps=(1 - 2 * filled) * row["golden_rule_power_per_ps"])


def show(row, label):
    pred = row["golden_rule_rate_per_ps"]
    print(f"{label}: ω_L {row['omega_L']:.3f} meV (2ω_L − 2Δ₂ = {2 * (row['omega_L'] - row['gap2']):+.2f}), "
          f"φ₀ {row['phi0']:.3f} rad, |Δ₂| 2ω_L line {row['modulus_two_omega_L_line']:.2e} meV (c₂ {row['c2']:.3f}); "
          f"decay {1e3 * row['measured_rate_per_ps']:.2f}e-3/ps measured "
          f"({row['measured_rate_per_ps'] / row['phi0'] ** 2:.4f} per ps per rad²), "
          + (f"golden rule {1e3 * pred:.2f}e-3/ps; 2.4ħ/Ω_R = {row['rabi_turn_ps']:.0f} ps"
             if pred else "channel closed"), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8000, help="energies per band of the clean runs")
    parser.add_argument("--t-end", type=float, default=100.0, help="record length of the clean runs (ps)")
    parser.add_argument("--finite-q", action="store_true", help="only the analysis of the stored finite-q records")
    parser.add_argument("--finite-q-run", type=float, metavar="A0",
                        help="run one finite-q record with occupations at |A₀| = A0 V·s/m (about 35 min, one core)")
    parser.add_argument("--write", action="store_true", help="store results/leggett_damping_cpu.json")
    args = parser.parse_args()
    if args.finite_q_run:
        finite_q_run(args.finite_q_run)
        return
    if args.finite_q:
        rows = finite_q_rows()
        for row in rows:
            rate = row["measured_rate_per_ps"]
            print(f"{row['scan']} |A₀| {row['a0']:g}: ω_L {row['omega_L']:.3f} meV, φ₀ {row['phi0']:.3f} rad, decay "
                  f"{1e3 * rate:.2f}e-3/ps ({rate / row['phi0'] ** 2:.4f} per ps per rad²); envelope (rad) in 4 ps "
                  "windows: "
                  + ", ".join(f"{a:.3f}" for a in row["envelope_rad"]))
            if "blocking" in row:
                print(f"   |Δ₂| {row['gap2']:.3f} meV, phase swing {row['gap2_phase_swing']:.3f} rad, 2ω_L line of "
                      f"Re Δ₂ {row['two_omega_L_line']:.4f} meV (of |Δ₂| {row['modulus_two_omega_L_line']:.4f}); "
                      f"band-2 occupation near ω_L {row['occupation_near_omega_L']:.3f} (blocking 1 − 2n̄ = "
                      f"{row['blocking']:.3f}); energy into pairs within 0.5 meV of ω_L "
                      f"{row['pair_energy_growth_per_ps']:.3e}/ps, oscillation's loss 2ΓE_L "
                      f"{row['oscillation_power_loss_per_ps']:.3e}/ps, golden rule "
                      f"{row['golden_rule_power_per_ps']:.3e} (× blocking {row['blocked_golden_rule_power_per_ps']:.3e}); "
                      f"2.4ħ/Ω_R {row['rabi_turn_ps']:.0f} ps")
                driven = row["test_particle_pair_power_per_ps"]
                print("   test particles (energy per ps into pairs within 0.5 meV of ω_L over 6–18 ps) driven by "
                      + ", ".join(f"{k.replace('_', ' ')} {v:.3e}" for k, v in driven.items()))
        if args.write:
            write(HERE / "results" / "leggett_damping_finite_q_cpu.json", {**environment(), "grid": str(FQ_GRID)}, rows)
        return
    rows = []
    for v, a0 in CLEAN_RUNS:
        row = clean_run(v, a0, args.n, args.t_end)
        rows.append(row)
        show(row, f"clean v {v:g} |A₀| {a0:g} (N {args.n}, {row['wall_s']} s)")
        print(f"   energy into band-2 pairs within 0.5 meV of ω_L over 8–23 ps "
              f"{row['pair_energy_growth_per_ps']:.3e}/ps; lost by the oscillation 2ΓE_L "
              f"{row['oscillation_power_loss_per_ps']:.3e}/ps (P's phase line {row['pair_phase0']:.3f} rad); "
              f"golden rule {row['golden_rule_power_per_ps']:.3e}/ps")
        if "test_particle_pair_power_per_ps" in row:
            tp = row["test_particle_pair_power_per_ps"]
            print(f"   phase swing of Δ₂ {row['gap2_phase_swing']:.3f} rad; 2ω_L line of Re Δ₂ "
                  f"{row['two_omega_L_line']:.4f} meV, of |Δ₂| {row['modulus_two_omega_L_line']:.4f}; golden rule "
                  f"{row['golden_rule_power_per_ps']:.3e}/ps (|Δ₂| line alone "
                  f"{row['modulus_golden_rule_power_per_ps']:.3e}); test particles driven by the record "
                  f"{tp['record']:.3e}/ps, by the Re Δ₂ line {tp['along_line']:.3e}, by the |Δ₂| line "
                  f"{tp['modulus_line']:.3e}")
        print(f"   band-2 pairs created after 10 ps: {row['pairs_created_band2']:.2e} (per the weights), peak bin "
              f"E = {row['pairs_created_band2_peak_meV']:.3f} meV, {row['share_within_0p3_meV_of_omega_L']:.2f} within "
              f"0.3 meV of ω_L; envelope minimum at {row['envelope_minimum_ps']} ps")
        print("   envelope (rad) in 5 ps windows: " + ", ".join(f"{a:.3f}" for a in row["envelope_rad"]))
        if "by_window" in row:
            print("   measured / golden rule over 20 ps windows centred at " + ", ".join(
                f"{w['centre_ps']:g} ps: {w['measured_over_golden_rule']:.2f}" for w in row["by_window"]))
    if args.write:
        write(HERE / "results" / "leggett_damping_cpu.json",
              {**environment(), "grid": f"N = {args.n} per band, 0-{args.t_end:g} ps, rtol 1e-8"}, rows)


def write(out: Path, meta: dict, rows: list) -> None:
    """Store a results JSON whole or not at all (``.partial``, then a rename)."""
    partial = out.with_suffix(".json.partial")
    partial.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    partial.replace(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
