"""What sets the size of the Leggett oscillation in the finite-momentum model, and when does it show in |Δ_i|?

The study behind "What excites the Leggett mode on these rows" in docs/models/finite_momentum.md.  Grid: the
resolved rows of the Fig. 2/3/5 examples (dk = 5e-4 nm⁻¹, q₀ = 16 dk = 8e-3 nm⁻¹, 2 k_y lines, n_max = 2), Krull's
pump (8 meV, FWHM 0.4 ps, centre 1 ps), |A₀| = 1e-9 V·s/m, 0–7 ps, rtol 1e-6.  Each run is analysed from 2 ps to
the end of its record: r.m.s. of φ₁ − φ₂, the line amplitudes (two-sided least-squares fits,
``analyse_fig6.line_amplitudes``) of φ₁ − φ₂ at ω_L and of |Δ₂|, |Δ₁| at ω_L, ω_H2 = 2|Δ₂|∞ and 2ω_L.  The scans:

* ``fermi``: every ε_F and band mass × λ (Fermi velocities, hence the paramagnetic coupling, the shell and the pair
  creation, fixed; band curvature and diamagnetic shift × 1/λ), with the diamagnetic term on and off;
* ``kick``: the diamagnetic coupling s e²/2m × K — a numerical experiment (not an option of the model): a stronger
  band-dependent A² shift, i.e. a stronger phase kick, at the same pair creation;
* ``q0a``: q₀ and |A₀| changed at fixed q₀|A₀| with the diamagnetic term off — whether the pair creation depends on
  q₀|A₀| alone (it does not on these grids: v_F q₀ is not small against ħω₀);
* ``smallq``: towards Krull's regime — q₀ = 5e-4 and 1.6e-4 nm⁻¹ (v_F q₀ small against Δ; 4× a THz photon's
  momentum) with |A₀| up to 5e-8 V·s/m, n_max = 4, and the same q₀ on rows twice as fine;
* ``fig5``: Krull's Fig. 5 on the q₀ = 5e-4 grid, |A₀| = 0.8 … 4 × 10⁻⁸ at v = 0.05 and 0.015 (~2 min per run);
* ``fig5long``: Fig. 5b,d,f — v = 0.01, |A₀| = 1.6 … 4 × 10⁻⁸ tuning ω_H2 across 2ω_L, on 12 ps records (rows
  dk = 2.5e-4 nm⁻¹, q₀ = 2 dk, so that the record ends before the rows' recurrence time);
* ``fig5smallq``: the v = 0.05 half at q₀ = 1.6e-4 nm⁻¹, |A₀| = 6 … 9 × 10⁻⁸, where the phase kick is ~10× larger
  (Fig. 5a,c,e);
* ``fig5nokick``: ``fig5smallq`` with the diamagnetic term off (K = 0), whose phase kick is 10³× weaker;
* ``fig5q18``, ``fig5q18nokick``: |A₀| = 7e-8 with the kick and 1e-7 without (the same gap drop) on 18 ps records;
  ``fig5q18damping``: the kicked 18 ps record at 6 and 8 × 10⁻⁸;
* ``fig5nmax``, ``fig5dk``: convergence of ``fig5smallq`` at its largest fluences — n_max = 6 at 8 and 9 × 10⁻⁸, and
  rows twice as fine (dk = 8e-5 nm⁻¹, q₀ = 2 dk) at 8 × 10⁻⁸;
* ``fig5bsmallq``: Fig. 5b,d,f (ω_H2 across 2ω_L) at v = 0.01 on the ``fig5smallq`` grid, 10 ps records;
  ``fig5b015``: the same at v = 0.015, |A₀| = 2.5 … 7 × 10⁻⁸, 12 ps records, and ``fig5b015nokick`` without the
  kick (K = 0); ``fig5b015long``: |A₀| = 4 and 7 × 10⁻⁸ on 22 ps records (rows dk = 8e-5, q₀ = 2 dk), long enough
  to split the |Δ₂| ringing into its phase-locked and free parts (``leggett_edge.py --finite-q``);
* ``krullpoint``: Krull's own point — q₀ = dk = 4.05e-5 nm⁻¹ (the 8 meV photon's momentum), |A₀| = 1e-7, v = 0.05
  and 0.1, 8 ps records.

About 70–85 s per run on one core for the first three scans (13 runs); ``smallq`` takes ~45 min.  Usage:

    python benchmarks/leggett_excitation.py [--quick] [--write] [--plot]
        [--scan fermi|kick|q0a|smallq|fig5|fig5long|fig5smallq|fig5nokick|fig5q18|fig5q18nokick|fig5q18damping|fig5nmax|fig5dk|fig5bsmallq|fig5b015|fig5b015nokick|fig5b015long|krullpoint ...]

``--quick``: the first two runs of the ``fermi`` scan (λ = 1, 1/4).  ``--write`` stores the table in
results/leggett_excitation_cpu.json (all scans) or results/leggett_excitation_<scans>_cpu.json, and each run's
|Δ_i(t)| and φ₁ − φ₂ in results/leggett_excitation_series/<scan>_v<v>_q<q₀>_a<|A₀|>.npz.  ``--plot --scan S``
draws Krull's Fig. 5 maps from those records (docs/figures/krull_finite_q_fig5_S.png).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import jaxhiggs as jh  # noqa: E402
from _common import environment  # noqa: E402
from analyse_fig6 import line_amplitudes, strongest_line  # noqa: E402
from jaxhiggs import units  # noqa: E402
from jaxhiggs.models.finite_momentum import FiniteMomentum  # noqa: E402

SCANS = {
    # (λ, K, v, q0_steps, |A0|[, dk, n_max[, t_end (ps)]])
    "fermi": [(1.0, 1.0, 0.05, 16, 1e-9), (0.25, 1.0, 0.05, 16, 1e-9), (0.1, 1.0, 0.05, 16, 1e-9),
              (1.0, 0.0, 0.05, 16, 1e-9), (0.25, 0.0, 0.05, 16, 1e-9)],
    "kick": [(1.0, k, 0.05, 16, 1e-9) for k in (30.0, 300.0, 1000.0, 3000.0, 10000.0)] + [(1.0, 3000.0, 0.02, 16, 1e-9)],
    "q0a": [(1.0, 0.0, 0.05, 8, 2e-9), (1.0, 0.0, 0.05, 32, 0.5e-9)],
    # towards Krull's regime: q₀ = dk (5e-4, then 1.6e-4 nm⁻¹, 4× a THz photon's) with a larger |A₀|, n_max = 4;
    # the q0_steps = 2 rows halve dk at the same q₀ (grid convergence; the last one ~15 min)
    "smallq": [(1.0, 1.0, 0.05, 1, 8e-9, 5e-4, 4), (1.0, 1.0, 0.05, 1, 1.6e-8, 5e-4, 4),
               (1.0, 1.0, 0.05, 2, 1.6e-8, 2.5e-4, 4), (1.0, 1.0, 0.05, 1, 3.5e-8, 1.6e-4, 4),
               (1.0, 1.0, 0.05, 1, 5e-8, 1.6e-4, 4), (1.0, 1.0, 0.05, 2, 5e-8, 8e-5, 4)],
    # Krull's Fig. 5 on the q₀ = 5e-4 grid: the fluence tunes ω_H2 towards ω_L (v = 0.05) and across 2ω_L (v = 0.015)
    "fig5": [(1.0, 1.0, 0.05, 1, a0, 5e-4, 4) for a0 in (2.2e-8, 2.8e-8, 3.2e-8, 3.6e-8, 4.0e-8)]
            + [(1.0, 1.0, 0.015, 1, a0, 5e-4, 4) for a0 in (0.8e-8, 1.2e-8, 1.6e-8, 2.0e-8, 2.4e-8)],
    # Fig. 5b,d,f: v = 0.01, the fluence tuning ω_H2 down across 2ω_L, on 12 ps records (0.41 meV resolution over
    # 2–12 ps) — on rows of dk = 2.5e-4 (q₀ = 2 dk), whose recurrence (12.7 ps after the pump) lies beyond the
    # record; the q₀ = dk = 5e-4 rows revive from 7.15 ps (FiniteMomentum.recurrence_time) (~8 min per run)
    "fig5long": [(1.0, 1.0, 0.01, 2, a0, 2.5e-4, 4, 12.0) for a0 in (1.6e-8, 2.6e-8, 3.2e-8, 3.6e-8, 4.0e-8)],
    # Fig. 5a,c,e: v = 0.05 at q₀ = 1.6e-4, where the phase kick is 10× that at 5e-4 (~8 min per run)
    "fig5smallq": [(1.0, 1.0, 0.05, 1, a0, 1.6e-4, 4) for a0 in (6e-8, 7e-8, 8e-8, 9e-8)],
    # ... and the same without the diamagnetic term (K = 0: φ₀ ~ 10⁻³): is the enhancement the phase mode's?
    "fig5nokick": [(1.0, 0.0, 0.05, 1, a0, 1.6e-4, 4) for a0 in (7e-8, 8e-8, 9e-8, 10e-8)],
    # the same gap drop with and without the kick (|Δ₂|∞ 2.368 / 2.367) on 18 ps records (0.26 meV over 2–18 ps;
    # these rows recur 19.8 ps after the pump): which line carries the enhanced ringing, ω_H2 or ω_L? (~40 min each)
    "fig5q18": [(1.0, 1.0, 0.05, 1, 7e-8, 1.6e-4, 4, 18.0)],
    "fig5q18nokick": [(1.0, 0.0, 0.05, 1, 1e-7, 1.6e-4, 4, 18.0)],
    # does the phase oscillation's slow decay on fig5q18 (amplitude e-folding 60–64 ps) scale with its amplitude?
    # the same 18 ps records at 6 and 8e-8 (φ₁ − φ₂ lines 0.44 and 0.63 rad; 28 and 35 min)
    "fig5q18damping": [(1.0, 1.0, 0.05, 1, a0, 1.6e-4, 4, 18.0) for a0 in (6e-8, 8e-8)],
    # convergence of fig5smallq where its harmonics are largest (‖ρ_4‖²/‖ρ_1‖² 6e-3 and 1.3e-2 with n_max = 4):
    # two more harmonics (~20 min each), and rows twice as fine at the resonance (q₀ = 2 dk; ~30 min)
    "fig5nmax": [(1.0, 1.0, 0.05, 1, a0, 1.6e-4, 6) for a0 in (8e-8, 9e-8)],
    "fig5dk": [(1.0, 1.0, 0.05, 2, 8e-8, 8e-5, 4)],
    # Fig. 5b,d,f where the phase rings by tenths of a radian: v = 0.01 at q₀ = dk = 1.6e-4 (as fig5smallq), the
    # fluence taking ω_H2 across 2ω_L, 10 ps records (0.52 meV over 2–10 ps; recurrence 19.8 ps; ~20 min per run)
    "fig5bsmallq": [(1.0, 1.0, 0.01, 1, a0, 1.6e-4, 4, 10.0) for a0 in (5.5e-8, 6.25e-8, 7e-8, 7.75e-8, 8.5e-8, 9.25e-8)],
    # ... which the fluence cannot reach at v = 0.01 (the phase mode softens with the gaps); at v = 0.015 the
    # equilibrium 2ω_L (≈ 5.76 meV) starts just below ω_H2, so a small gap drop, with φ ringing by ~0.3 rad,
    # crosses them; 12 ps records (0.41 meV over 2–12 ps; ~20 min per run).  The phase mode softens with the gaps
    # (ω_H2 − 2ω_L 0.19 → 0.13 meV over 2.5–4e-8), so the scan goes on to 7e-8; ``fig5b015nokick``: K = 0
    "fig5b015": [(1.0, 1.0, 0.015, 1, a0, 1.6e-4, 4, 12.0)
                 for a0 in (2.5e-8, 3e-8, 3.5e-8, 4e-8, 4.5e-8, 5e-8, 5.5e-8, 6e-8, 6.5e-8, 7e-8)],
    "fig5b015nokick": [(1.0, 0.0, 0.015, 1, a0, 1.6e-4, 4, 12.0) for a0 in (6e-8, 7e-8)],
    # ... whose 10 ps windows cannot split the |Δ₂| ringing into a part locked to the phase (2ω_L) and a free line
    # (ω_H2; ``analyse_fig6.phase_locked_split``, leggett_edge.py --finite-q: canonical correlation 0.61–1.00): 22 ps
    # records on rows twice as fine (dk = 8e-5, q₀ = 2 dk, recurrence ≈ 40 ps) on either side of the crossing
    "fig5b015long": [(1.0, 1.0, 0.015, 2, a0, 8e-5, 4, 22.0) for a0 in (4e-8, 7e-8)],
    # Krull's own point: the photon momentum of the 8 meV pump, q₀ = 8 meV/ħc = 4.05e-5 nm⁻¹ (= dk; recurrence
    # 78 ps), their |A₀| = 1e-7 V·s/m (Fig. 2), at v = 0.05 and 0.1; 8 ps records (0.69 meV over 2–8 ps; ~1 h each)
    "krullpoint": [(1.0, 1.0, v, 1, 1e-7, 4.05e-5, 4, 8.0) for v in (0.05, 0.1)],
}


SERIES = HERE / "results" / "leggett_excitation_series"


def scaled_diamagnetic(k: float):
    """FiniteMomentum with its diamagnetic coefficient × ``k`` (the experiment of the ``kick`` scan)."""

    class ScaledDiamagnetic(FiniteMomentum):
        def _coefficients(self):
            para, dia = super()._coefficients()
            return para, k * dia

    return FiniteMomentum if k == 1.0 else ScaledDiamagnetic


def material(lam: float, v: float):
    """The MgB2 preset at interband ratio ``v`` with every ε_F and band mass × ``lam``."""
    bands = jh.materials.mgb2(v=v).bands
    return jh.material.two_band(tuple(float(b.gap) for b in bands), v, 50.0,
                                signs=tuple(float(b.sign) for b in bands),
                                masses=tuple(lam * float(b.mass) for b in bands),
                                fermi_energies=tuple(lam * float(b.fermi_energy) for b in bands))


def run(lam, k, v, q0_steps, a0, dk=5e-4, n_max=2, t_end=7.0):
    model = scaled_diamagnetic(k)(material(lam, v), dk=dk, n_lines=2, q0_steps=q0_steps, n_max=n_max)
    pump = jh.GaussianPulse.from_vector_potential(2 * a0, units.mev_to_thz(8.0), 0.4 / 2.3548, 1.0)
    times = np.linspace(0.0, t_end, round(100 * t_end) + 1)
    start = time.perf_counter()
    res = jh.simulate(model, pump, times, rtol=1e-6, atol=1e-9)
    gap = np.asarray(res.gap)
    wall = time.perf_counter() - start
    harmonics = np.asarray(res["harmonics"])  # Σ‖ρ_n‖² per saved time, n = −n_max … n_max
    top_over_first = float((harmonics[:, -1] / np.maximum(harmonics[:, n_max + 1], 1e-300)).max())
    series = dict(time_ps=times, gap_abs_meV=np.abs(gap).astype(np.float32),
                  relative_phase_rad=np.unwrap(np.angle(gap[:, 0] * np.conj(gap[:, 1]))))
    after = times > 2.0
    t, phi, mod = times[after], series["relative_phase_rad"][after], np.abs(gap[after])
    trial = np.linspace(1.0, 9.0, 801)
    w_l = strongest_line(t, phi, trial)[0]
    w_h = 2 * float(mod[:, 1].mean())
    d2 = line_amplitudes(t, mod[:, 1], (w_l, w_h, 2 * w_l))
    d1 = line_amplitudes(t, mod[:, 0], (w_l, 2 * w_l))
    return series, dict(lam=lam, K=k, v=v, q0=q0_steps * dk, dk=dk, n_max=n_max, a0=a0, t_end=t_end, wall_s=round(wall, 1),
                harmonics_top_over_first=top_over_first,
                gap_inf=[float(x) for x in mod.mean(axis=0)], rms_gap2=float(mod[:, 1].std()),
                rms_phi=float(phi.std()), omega_L=w_l, omega_H2=w_h,
                phi_line_omega_L=line_amplitudes(t, phi, (w_l,))[0],
                gap2_lines=dict(omega_L=d2[0], omega_H2=d2[1], two_omega_L=d2[2]),
                gap1_lines=dict(omega_L=d1[0], two_omega_L=d1[1]))


def gap_drift(scan: str) -> None:
    """Why the mean gaps drift on a long record with a ringing phase: print, per window of two Leggett periods after
    2 ps, ⟨(φ₁ − φ₂)²⟩ (rad²) and the mean |Δ₁|, |Δ₂| (meV), their straight-line slopes d|Δ_i|/d⟨φ²⟩ (meV/rad²),
    and the slopes the gap equation predicts at a frozen relative phase φ.  That estimate minimises the BCS energy
    at fixed φ, i.e. solves (U⁻¹)_ii Δ_i + (U⁻¹)_ij Δ_j cos φ = K_i(Δ_i) Δ_i on the record's shell at T = 0, and
    takes ⟨cos φ⟩ = 1 − ⟨φ²⟩/2 (a quasi-static, small-φ estimate about the pre-pump gaps)."""
    from jaxhiggs.equilibrium import solve_gap_equation

    rows = json.loads((HERE / "results" / f"leggett_excitation_{scan}_cpu.json").read_text())["rows"]
    for r, f in zip(rows, sorted(SERIES.glob(f"{scan}_*.npz"), key=lambda f: float(f.stem.rsplit("_a", 1)[1]))):
        d = np.load(f)
        t, phi, gap = d["time_ps"], d["relative_phase_rad"], np.asarray(d["gap_abs_meV"], float)
        span = 2 * units.H_MEV_PS / r["omega_L"]

        def windows(first):
            starts = np.arange(first, t[-1] - span + 1e-9, span)
            masks = [(t >= s) & (t < s + span) for s in starts]
            return np.array([(s, np.mean(phi[w] ** 2), *gap[w].mean(axis=0)) for s, w in zip(starts, masks)])

        by_start = [windows(first) for first in (2.0, 3.0, 4.0)]  # from 2, 3, 4 ps: the pump's transient fades
        print(f"{f.stem}: window (ps)  ⟨φ²⟩ (rad²)  |Δ₁|  |Δ₂| (meV)")
        for row in by_start[0]:
            print("  {:6.2f}  {:.4f}  {:.4f}  {:.4f}".format(*row))
        if np.ptp(by_start[0][:, 1]) < 1e-3:
            print("  the phase does not ring on this record: no slope")
            continue
        model = FiniteMomentum(material(r["lam"], r["v"]), dk=r["dk"], n_lines=2,
                               q0_steps=round(r["q0"] / r["dk"]), n_max=r["n_max"])
        u_inv = np.linalg.inv(np.asarray(model.equilibrium.couplings))

        def frozen_phase_gaps(cos_phi):
            m = u_inv * np.where(np.eye(2, dtype=bool), 1.0, cos_phi)
            return np.asarray(solve_gap_equation(np.linalg.inv(m), model.shell.xi, model.shell.weights, 0.0,
                                                 model.equilibrium.gaps))

        predicted = -(frozen_phase_gaps(1.0 + 1e-3) - frozen_phase_gaps(1.0 - 1e-3)) / 2e-3 / 2
        efold = [-1 / np.polyfit(w[:, 0] + span / 2, 0.5 * np.log(w[:, 1]), 1)[0] for w in by_start]
        print(f"  the phase oscillation's amplitude √⟨φ²⟩ e-folds in {', '.join(f'{x:.0f}' for x in efold)} ps "
              "(exponential through the windows from 2, 3, 4 ps)")
        for i in range(2):
            fits = [np.polyfit(w[:, 1], w[:, 2 + i], 1) for w in by_start]
            resid = [np.std(w[:, 2 + i] - np.polyval(p, w[:, 1])) for w, p in zip(by_start, fits)]
            print(f"  band {i + 1}: d|Δ|/d⟨φ²⟩ = {', '.join(f'{p[0]:.3f}' for p in fits)} meV/rad² from 2, 3, 4 ps "
                  f"(r.m.s. residual ≤ {max(resid):.1e} meV); frozen-phase gap equation {predicted[i]:.3f}")


def merge_rows(stored: list[dict], new: list[dict]) -> list[dict]:
    """A scan's stored rows with ``new`` ones added: a new row replaces the stored row of the same run (same K, v,
    q₀, dk, n_max, |A₀|, t_end); sorted by |A₀|.  How ``--runs`` lets processes share one scan's results file."""
    key = ("K", "v", "q0", "dk", "n_max", "a0", "t_end")
    replaced = {tuple(r[k] for k in key) for r in new}
    return sorted([r for r in stored if tuple(r[k] for k in key) not in replaced] + new, key=lambda r: r["a0"])


def _peak_within(freq, spectrum, centre, half_width):
    """Index of the highest local maximum of ``spectrum`` within ``half_width`` of ``centre`` (meV), or None: the
    largest value in the window may be the flank of a stronger line outside it, which is not a line here."""
    inside = np.flatnonzero(np.abs(freq - centre) < half_width)
    inside = inside[(inside > 0) & (inside < freq.size - 1)]
    peaks = inside[(spectrum[inside] >= spectrum[inside - 1]) & (spectrum[inside] >= spectrum[inside + 1])]
    return None if peaks.size == 0 else int(peaks[np.argmax(spectrum[peaks])])


def plot_fig5(scan: str) -> Path | None:
    """Krull's Fig. 5 as maps: the spectra of φ₁ − φ₂, |Δ₁| and |Δ₂| after 2 ps (Hann window) against the pump's
    integrated intensity |A₀|²τ, from the records ``--write`` stored for ``scan``; each spectrum is divided by |A₀|²
    so that a resonant enhancement stands out of the quadratic growth.  Written to docs/figures.  Also prints, per
    record, the |Δ₂| line nearest ω_H2 (the spectrum's highest local maximum within 0.6 meV of 2|Δ₂|∞, as the
    amplitude of a cosine:
    |Σ x w e^{iωt}|·2/Σw) and that per unit of gap drop 3 meV − |Δ₂|∞ (the preset's Δ₂ before the pump), and the
    line nearest 2ω_L (within 0.4 meV) and the spectrum at ω_L.  A scan of one record gets the table only (None)."""
    import matplotlib.pyplot as plt

    files = sorted(SERIES.glob(f"{scan}_*.npz"), key=lambda f: float(f.stem.rsplit("_a", 1)[1]))
    if not files:
        raise SystemExit(f"--plot {scan}: no records in {SERIES} (run --scan {scan} --write first)")
    a0 = np.array([float(f.stem.rsplit("_a", 1)[1]) for f in files])
    fluence = a0**2 * 0.4 * 1e16  # |A₀|²τ in 10⁻¹⁶ (V·s/m)² ps
    spectra, marks = [], []
    for f in files:
        d = np.load(f)
        keep = d["time_ps"] > 2.0
        t = d["time_ps"][keep]
        signals = [d["relative_phase_rad"][keep], *np.asarray(d["gap_abs_meV"], float)[keep].T]
        n_fft = 16 * t.size
        window = np.hanning(t.size)
        spec = [np.abs(np.fft.rfft((x - x.mean()) * window, n_fft)) * 2 / window.sum() for x in signals]
        freq = np.fft.rfftfreq(n_fft, t[1] - t[0]) * units.thz_to_mev(1.0)  # ħω (meV)
        band = (freq > 1.0) & (freq < 9.0)
        w_l = freq[band][np.argmax(spec[0][band])]
        spectra.append(spec)
        w_h2 = 2 * signals[2].mean()
        near_h2 = _peak_within(freq, spec[2], w_h2, 0.6)
        near_2l = _peak_within(freq, spec[2], 2 * w_l, 0.4)
        at_l = np.argmin(np.abs(freq - w_l))
        h2 = ("no peak (only a neighbour's skirt)" if near_h2 is None else
              f"at {freq[near_h2]:.2f}: {spec[2][near_h2]:.3e} meV, per gap drop "
              f"{spec[2][near_h2] / (3.0 - signals[2].mean()):.3f}")
        l2 = "no peak" if near_2l is None else f"at {freq[near_2l]:.2f}: {spec[2][near_2l]:.2e} meV"
        print(f"|A₀| = {float(f.stem.rsplit('_a', 1)[1]):.3g}: |Δ₂|∞ {signals[2].mean():.4f}, ω_H2 {w_h2:.2f}, ω_L "
              f"{w_l:.2f} meV; |Δ₂| line near ω_H2 {h2}; near 2ω_L {l2}; at ω_L {spec[2][at_l]:.2e} meV; "
              f"φ₁ − φ₂ line {spec[0][band].max():.3g} rad")
        marks.append((w_h2, w_l))
    if len(files) < 2:
        return None  # one record: the table above, no map
    spectra = np.asarray(spectra) / a0[:, None, None] ** 2  # (fluence, signal, ν)
    show = freq < 12.0
    fig, ax = plt.subplots(1, 3, figsize=(14, 4.2), sharey=True)
    for i, title in enumerate(("φ₁ − φ₂", "|Δ₁|", "|Δ₂|")):
        ax[i].pcolormesh(freq[show], fluence, spectra[:, i, show], shading="nearest", cmap="magma")
        w_h2, w_l = np.asarray(marks).T
        ax[i].plot(w_h2, fluence, "s", mfc="none", mec="c", label="ω_H2 = 2|Δ₂|∞")
        ax[i].plot(w_l, fluence, "o", mfc="none", mec="w", label="ω_L")
        ax[i].plot(2 * w_l, fluence, "^", mfc="none", mec="lime", label="2ω_L")
        ax[i].set(xlabel="ħω (meV)", title=f"spectrum of {title} after 2 ps / |A₀|²")
    ax[0].set_ylabel("|A₀|²τ (10⁻¹⁶ (V·s/m)² ps)")
    ax[2].legend(fontsize=8, loc="upper right")
    d = json.loads((HERE / "results" / f"leggett_excitation_{scan}_cpu.json").read_text())["rows"][0]
    fig.suptitle(f"Krull Fig. 5, finite q₀ = {d['q0']:g} nm⁻¹ (dk = {d['dk']:g} nm⁻¹, n_max = {d['n_max']}, "
                 f"2 k_y lines), v = {d['v']:g}, 0–{d['t_end']:g} ps: fluence tuning")
    fig.tight_layout()
    out = HERE.parent / "docs" / "figures" / f"krull_finite_q_fig5_{scan}.png"
    fig.savefig(out, dpi=110)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scan", nargs="+", choices=sorted(SCANS), default=sorted(SCANS))
    parser.add_argument("--quick", action="store_true", help="only λ = 1 and 1/4 of the fermi scan")
    parser.add_argument("--write", action="store_true", help="store the table in results/ (name in the module docstring)")
    parser.add_argument("--runs", type=int, nargs="+", metavar="I",
                        help="only these runs (0-based) of the one scan named; with --write their rows join those "
                             "already stored for the scan (so two processes can share a scan)")
    parser.add_argument("--drift", action="store_true",
                        help="the mean gaps against the phase oscillation's ⟨φ²⟩ on the chosen scans' records")
    parser.add_argument("--plot", action="store_true",
                        help="draw the Fig. 5 maps of the chosen scans from their stored records (docs/figures/)")
    args = parser.parse_args()
    if args.drift:
        for name in args.scan:
            gap_drift(name)
        return
    if args.plot:  # the scans that have stored records (an explicitly named scan without them is an error)
        named = args.scan != sorted(SCANS)
        for name in args.scan:
            if named or any(SERIES.glob(f"{name}_*.npz")):
                out = plot_fig5(name)
                print(f"wrote {out}" if out else f"{name}: one record, no map")
        return
    scans = {"fermi": SCANS["fermi"][:2]} if args.quick else {name: SCANS[name] for name in args.scan}
    if args.runs is not None:
        if len(scans) != 1 or args.quick:
            parser.error("--runs needs exactly one --scan (and no --quick)")
        (name, cases), = scans.items()
        bad = [i for i in args.runs if not 0 <= i < len(cases)]
        if bad:
            parser.error(f"--runs {bad}: scan {name} has runs 0 … {len(cases) - 1}")
        scans = {name: [cases[i] for i in args.runs]}
    rows = []
    print("λ     K       v     q0 (nm⁻¹) |A0|     |Δ1|∞  |Δ2|∞   ω_H2  ω_L   φ line (rad)  |Δ2|: ω_L  ω_H2     2ω_L"
          "     |Δ1|: ω_L  2ω_L     2ω_L/φ²: |Δ2| |Δ1| (meV)")
    for name, cases in scans.items():
        for case in cases:
            series, r = run(*case)
            r["scan"] = name
            rows.append(r)
            if args.write:  # the records behind the Fig. 5 maps in the docs (float32 |Δ_i|, 24 kB per 20 ps)
                SERIES.mkdir(exist_ok=True)
                np.savez_compressed(SERIES / f"{name}_v{r['v']:g}_q{r['q0']:g}_a{r['a0']:g}.npz", **series)
            phi2 = r["phi_line_omega_L"] ** 2
            print(f"{r['lam']:<5.3g} {r['K']:<7.5g} {r['v']:<5.3g} {r['q0']:<9.3g} {r['a0']:<8.2g} "
                  f"{r['gap_inf'][0]:.3f}  {r['gap_inf'][1]:.4f}  {r['omega_H2']:.2f}  {r['omega_L']:.2f}  "
                  f"{r['phi_line_omega_L']:<12.3g}  {r['gap2_lines']['omega_L']:.2e}  {r['gap2_lines']['omega_H2']:.2e} "
                  f"{r['gap2_lines']['two_omega_L']:.2e}  {r['gap1_lines']['omega_L']:.2e}  "
                  f"{r['gap1_lines']['two_omega_L']:.2e}  {r['gap2_lines']['two_omega_L'] / phi2:.3g} "
                  f"{r['gap1_lines']['two_omega_L'] / phi2:.3g}   (dk {r['dk']:g}, n_max {r['n_max']}: ‖ρ_nmax‖²/‖ρ_1‖² ≤ "
                  f"{r['harmonics_top_over_first']:.1e}; {r['wall_s']} s)", flush=True)
    if args.write:
        tag = "_quick" if args.quick else "" if set(scans) == set(SCANS) else "_" + "-".join(scans)
        out = HERE / "results" / f"leggett_excitation{tag}_cpu.json"
        if args.runs is not None and out.exists():
            rows = merge_rows(json.loads(out.read_text())["rows"], rows)
        meta = {**environment(), "grid": "dk, q0_steps, n_max and t_end as listed per row (default dk 5e-4 nm^-1, n_max 2, 0-7 ps), 2 lines, rtol 1e-6"}
        partial = out.with_suffix(".json.partial")  # whole or not at all: a killed run leaves the old file
        partial.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
        partial.replace(out)
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
