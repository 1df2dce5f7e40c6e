"""Why the Leggett oscillation decays: it creates small-gap pairs at twice its frequency.

The study behind "Why the phase oscillation decays" in docs/models/finite_momentum.md.  The relative phase
φ = φ₁ − φ₂ rings at ω_L below both pair continua (ω_L < 2Δ₂), so it cannot decay at first order.  At second
order it drives band-2 pseudospins at 2ω_L, which is resonant (2E = 2ω_L) where 2ω_L > 2Δ₂: the oscillation
breaks small-gap pairs at E = ω_L, at a rate ∝ φ₀² (the drive is quadratic), until those pairs have Rabi-flopped
and give energy back.  The measured checks:

* energy balance: the energy in band-2 pairs near E = ω_L (2E per pair) grows at the power the oscillation loses,
  2Γ E_L, with E_L = U₁₂ |P₁| |P₂| φ_P² the interband pair energy −2U₁₂ Re P₁*P₂ at a turning point (P = U⁻¹Δ the
  pair amplitudes, φ_P the line of their relative phase, 16 % above Δ's on the clean runs);
* Fermi's golden rule for one part of the drive, the 2ω_L line δΔ = c₂ φ₀² of |Δ₂| (tests/test_pseudospin.py):
  a pseudospin at ξ sees the transverse field −2δΔ (ξ/E) cos(2ω_L t), Rabi frequency Ω_R = δΔ ξ/E, and the rate
  (π/2)Ω_R² δ(2ω_L − 2E) per spin over band 2 (density of states ν₂, roots ±ξ₀) absorbs

      P = 2ω_L · (π/2) δΔ² ν₂ ξ₀/E₀,    E₀ = ω_L,  ξ₀ = √(ω_L² − Δ₂²)    (in the models' weights).

  It gives 0.6–0.7 of the measured pair power: the other part, Δ₂'s phase swinging at ω_L and acting twice, is of
  the same order and is not computed here.  2.4 ħ/Ω_R is printed as the time scale of the saturation.

What it runs (all numbers printed; ``--write`` stores results/leggett_damping_cpu.json):

* the clean model (``CleanPseudospin``, Krull's pump on the MgB₂ preset, N energies per band, 0–100 ps, rtol 1e-8):
  v = 0.05 (2ω_L ≈ 9.5 meV above 2Δ₂ = 6: the channel open) at |A₀| = 4, 5, 6 × 10⁻⁸ V·s/m, and v = 0.012
  (2ω_L ≈ 4.8 below 2Δ₂: closed).  Per run: the φ line's envelope in 5 ps windows, its decay rate over 3–23 ps,
  the golden rule with δΔ measured there, where the band-2 pairs created after 10 ps sit in energy (a binned
  occupation relative to the instantaneous field, an observable added for this study), the energy balance over
  8–23 ps, the envelope's turning point, and the measured rate over the golden rule's in later 20 ps windows (the
  golden rule then uses that window's |Δ₂| line, which includes what the created pairs radiate back);
* ``--finite-q``: the same analysis of the stored 18 ps finite-momentum records (``leggett_excitation.py`` scans
  ``fig5q18``, ``fig5q18damping``; no new simulation): their decay rate per rad² against the clean model's.

Usage: ``python benchmarks/leggett_damping.py [--n 8000] [--t-end 100] [--write] [--finite-q]``
(about 4 min per clean run at N = 8000 on one core).
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
from analyse_fig6 import line_amplitudes, strongest_line  # noqa: E402
from jaxhiggs import units  # noqa: E402
from jaxhiggs.models.pseudospin import CleanPseudospin  # noqa: E402

HBAR = units.H_MEV_PS / (2 * np.pi)  # ħ in meV·ps
#: the |ξ| bins (meV) of the occupation observable
EDGES = np.linspace(0.0, 16.0, 321)
CLEAN_RUNS = [(0.05, 4e-8), (0.05, 5e-8), (0.05, 6e-8), (0.012, 6e-8)]


class OccupationByEnergy(CleanPseudospin):
    """The clean model with one more observable, ``occupation`` (n_bands, len(EDGES) − 1): Σ_k W_k n_k over the
    k in each bin of |ξ_k| (static bins; the analysis turns them into E = √(ξ² + |Δ_i|²) with the record's gap).
    n_k = ½ − s_k·ŝ_k is the pseudospin's occupation relative to its instantaneous field's ground-state direction,
    the unit vector ŝ_k = (Re Δ̃_i, −Im Δ̃_i, −ξ_k)/E_k: 0 in the ground state, 1 for a broken pair (T = 0)."""

    def observables(self, t, y, args):
        out = super().observables(t, y, args)
        xi = self.representation.energies
        delta = self.rotating_frame_gap(t, y, args)[:, None]
        sx, sy, sz = y["spins"]
        energy = jnp.sqrt(xi**2 + jnp.abs(delta) ** 2)
        occupation = 0.5 - (sx * delta.real - sy * delta.imag - sz * xi) / energy
        bins = jnp.clip(jnp.searchsorted(jnp.asarray(EDGES), jnp.abs(xi)) - 1, 0, len(EDGES) - 2)
        weights = jnp.broadcast_to(self.representation.weights, occupation.shape)
        out["occupation"] = jax.vmap(lambda n, w, b: jax.ops.segment_sum(n * w, b, len(EDGES) - 1))(
            occupation, weights, bins)
        return out


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
    """Fermi's golden rule for a phase oscillation φ₀ cos ω_L t (φ₀ in rad, ω_L in meV) whose 2ω_L modulation of
    |Δ₂| is ``line`` (meV); band 2's gap ``gap2`` (meV), the couplings U (meV), the pair amplitudes |P₁|, |P₂| (U⁻¹Δ)
    and ν₂ (per meV) in the model's normalisation (module docstring for the formulas).  Returns the absorbed power
    (energy per ps, in the weights' normalisation), the stored energy E_L, the amplitude decay rate (1/ps) and the
    Rabi frequency Ω_R (meV) of the resonant pairs; power, rate and Ω_R are 0 where 2ω_L ≤ 2Δ₂ (no resonant pair)."""
    stored = couplings[0, 1] * pair_amplitudes[0] * pair_amplitudes[1] * phi0**2
    if omega_l <= gap2:
        return dict(power=0.0, stored=float(stored), rate=0.0, rabi=0.0)
    xi0 = np.sqrt(omega_l**2 - gap2**2)
    power = 2 * omega_l * (np.pi / 2) * line**2 * dos2 * xi0 / omega_l / HBAR
    return dict(power=float(power), stored=float(stored), rate=float(power / (2 * stored)),
                rabi=float(line * xi0 / omega_l))


def analyse(t, gap, couplings, dos2, early=(3.0, 23.0), width=5.0):
    """The decay of the φ line in a record Δ_i(t) (meV) and the golden rule's prediction for it (``early`` window)."""
    phi = np.unwrap(np.angle(gap[:, 0] * np.conj(gap[:, 1])))
    omega_l, phi0 = leggett_line(t, phi, early)
    w = (t >= early[0]) & (t < early[1])
    gap2 = float(np.abs(gap[w, 1]).mean())
    line = line_amplitudes(t[w], np.abs(gap[w, 1]), (2 * omega_l, 2 * gap2, omega_l))[0]
    pair_amplitudes = np.linalg.solve(couplings, gap.T).T  # P = U⁻¹Δ
    pairs = np.abs(pair_amplitudes[w]).mean(axis=0)
    # E_L is the pair energy's dependence on P's relative phase, whose line exceeds Δ's (by 16 % on the clean runs)
    phi_p0 = line_amplitudes(t[w], np.unwrap(np.angle(pair_amplitudes[w, 0] * np.conj(pair_amplitudes[w, 1]))),
                             (omega_l,))[0]
    rule = golden_rule(omega_l, phi_p0, line, gap2, couplings, pairs, dos2)
    centres, amps = envelope(t, phi, omega_l, width, early[0])
    inside = centres < early[1]
    measured = -np.polyfit(centres[inside], np.log(amps[inside]), 1)[0]
    return dict(omega_L=omega_l, phi0=phi0, pair_phase0=phi_p0, gap2=gap2, two_omega_L_line=line, c2=line / phi0**2,
                measured_rate_per_ps=float(measured), golden_rule_rate_per_ps=rule["rate"],
                golden_rule_power_per_ps=rule["power"], stored_energy=rule["stored"], rabi_meV=rule["rabi"],
                rabi_turn_ps=float(2.405 * HBAR / rule["rabi"]) if rule["rabi"] else None,
                envelope_ps=centres.tolist(), envelope_rad=amps.tolist())


def clean_run(v, a0, n, t_end):
    model = OccupationByEnergy(jh.materials.mgb2(v=v), n)
    pump = jh.GaussianPulse.from_vector_potential(2 * a0, units.mev_to_thz(8.0), 0.4 / 2.3548, 1.0)
    times = np.linspace(0.0, t_end, round(50 * t_end) + 1)
    start = time.perf_counter()
    res = jh.simulate(model, pump, times, rtol=1e-8, atol=1e-11)
    gap, occupation = np.asarray(res.gap), np.asarray(res["occupation"])
    wall = time.perf_counter() - start
    couplings, dos2 = np.asarray(model.equilibrium.couplings), float(model.material.dos[1])
    row = dict(v=v, a0=a0, n=n, t_end=t_end, wall_s=round(wall, 1), **analyse(times, gap, couplings, dos2))
    if row["golden_rule_rate_per_ps"]:  # measured / golden rule in later 20 ps windows: the resonant pairs saturate
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


def finite_q_rows():
    """The golden rule on the stored finite-momentum 18 ps records against their measured decay (4 ps windows)."""
    from leggett_excitation import SERIES, material  # the records and the preset of those scans
    from jaxhiggs.models.finite_momentum import FiniteMomentum

    rows = []
    for scan in ("fig5q18", "fig5q18damping"):
        stored = json.loads((HERE / "results" / f"leggett_excitation_{scan}_cpu.json").read_text())["rows"]
        for r in stored:
            model = FiniteMomentum(material(r["lam"], r["v"]), dk=r["dk"], n_lines=2,
                                   q0_steps=round(r["q0"] / r["dk"]), n_max=r["n_max"])
            d = np.load(SERIES / f"{scan}_v{r['v']:g}_q{r['q0']:g}_a{r['a0']:g}.npz")
            mod = np.asarray(d["gap_abs_meV"], float)
            gap = np.stack([mod[:, 0] * np.exp(1j * d["relative_phase_rad"]), mod[:, 1]], axis=1)
            row = analyse(d["time_ps"], gap, np.asarray(model.equilibrium.couplings), float(model.material.dos[1]),
                          early=(2.0, 18.0), width=4.0)
            rows.append(dict(scan=scan, a0=r["a0"], K=r["K"], **row))
    return rows


def show(row, label):
    pred = row["golden_rule_rate_per_ps"]
    print(f"{label}: ω_L {row['omega_L']:.3f} meV (2ω_L − 2Δ₂ = {2 * (row['omega_L'] - row['gap2']):+.2f}), "
          f"φ₀ {row['phi0']:.3f} rad, |Δ₂| 2ω_L line {row['two_omega_L_line']:.2e} meV (c₂ {row['c2']:.3f}); "
          f"decay {1e3 * row['measured_rate_per_ps']:.2f}e-3/ps measured "
          f"({row['measured_rate_per_ps'] / row['phi0'] ** 2:.4f} per ps per rad²), "
          + (f"golden rule from the |Δ₂| line alone {1e3 * pred:.2f}e-3/ps; 2.4ħ/Ω_R = {row['rabi_turn_ps']:.0f} ps"
             if pred else "channel closed"), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8000, help="energies per band of the clean runs")
    parser.add_argument("--t-end", type=float, default=100.0, help="record length of the clean runs (ps)")
    parser.add_argument("--finite-q", action="store_true", help="only the golden rule on the stored finite-q records")
    parser.add_argument("--write", action="store_true", help="store results/leggett_damping_cpu.json")
    args = parser.parse_args()
    if args.finite_q:
        for row in finite_q_rows():
            show(row, f"{row['scan']} |A₀| {row['a0']:g}")
            print("   envelope (rad) in 4 ps windows: " + ", ".join(f"{a:.3f}" for a in row["envelope_rad"]))
        return
    rows = []
    for v, a0 in CLEAN_RUNS:
        row = clean_run(v, a0, args.n, args.t_end)
        rows.append(row)
        show(row, f"clean v {v:g} |A₀| {a0:g} (N {args.n}, {row['wall_s']} s)")
        print(f"   energy into band-2 pairs within 0.5 meV of ω_L over 8–23 ps "
              f"{row['pair_energy_growth_per_ps']:.3e}/ps; lost by the oscillation 2ΓE_L "
              f"{row['oscillation_power_loss_per_ps']:.3e}/ps (P's phase line {row['pair_phase0']:.3f} rad); "
              f"golden rule from the |Δ₂| line alone {row['golden_rule_power_per_ps']:.3e}/ps")
        print(f"   band-2 pairs created after 10 ps: {row['pairs_created_band2']:.2e} (per the weights), peak bin "
              f"E = {row['pairs_created_band2_peak_meV']:.3f} meV, {row['share_within_0p3_meV_of_omega_L']:.2f} within "
              f"0.3 meV of ω_L; envelope minimum at {row['envelope_minimum_ps']} ps")
        print("   envelope (rad) in 5 ps windows: " + ", ".join(f"{a:.3f}" for a in row["envelope_rad"]))
        if "by_window" in row:
            print("   measured / golden rule over 20 ps windows centred at " + ", ".join(
                f"{w['centre_ps']:g} ps: {w['measured_over_golden_rule']:.2f}" for w in row["by_window"]))
    if args.write:
        out = HERE / "results" / "leggett_damping_cpu.json"
        partial = out.with_suffix(".json.partial")
        partial.write_text(json.dumps({"meta": {**environment(), "grid": f"N = {args.n} per band, 0-{args.t_end:g} ps, "
                                                "rtol 1e-8"}, "rows": rows}, indent=1))
        partial.replace(out)
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
