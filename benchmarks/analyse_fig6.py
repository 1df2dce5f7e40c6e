"""The numbers quoted in docs/models/finite_momentum.md about Krull's Fig. 6, from the example's saved results.

Reads npz files written by ``examples/krull_finite_q_fig6.py`` (default: the two GPU runs kept in
``results/fig6/``) and prints, per run: the pump-only gaps and mode frequencies, the equilibrium Re σ's strongest
line, the pumped low-frequency peak, and for 1-meV bins of ħω the dominant δt frequency of σ(δt, ω) with its sign, and — over the delays after the pump
(δt ≥ 2 ps) — the share of σ's δt variation that oscillates as e^{−iωδt}, i.e. sits on the diagonal ν = ħω: a
current at ω fixed in absolute time, whatever the probe's delay (``fig6_pump_locked.py`` traces it to pair
coherences that the pump left, read out by the probe's low-frequency weight) — and how strong a δt line of Re σ at
ω_L is against one at ω_H2, by a least-squares fit of both lines, next to lines at trial frequencies where the
model has no mode (what the fit gives for nothing).

Sign: the FT over δt is taken as Σ_δt σ(δt, ω) e^{+iν δt/ħ}, so a positive ν means σ ∝ e^{−iν δt/ħ}.  With the
package's e^{−iωt} convention a probe centred at δt has A(ω) ∝ e^{+iωδt/ħ}; a current whose δt phase does not
follow the probe's then shows up at ν = ħω − (what it does follow).  Usage:

    python benchmarks/analyse_fig6.py [--max-delay PS] [run.npz ...]

``--max-delay PS`` keeps only the delays ≤ PS (e.g. those whose record ends before the rows' recurrence time,
``FiniteMomentum.recurrence_time``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HBAR = 0.6582119569  # meV·ps
THZ_TO_MEV = 4.135667696  # h·1 THz in meV
DEFAULT = sorted((Path(__file__).parent / "results" / "fig6").glob("*.npz"))


def dominant_delay_frequency(delays, sigma_column, nu):
    """ν (meV) maximising |Σ_δt (σ − ⟨σ⟩) e^{+iνδt/ħ}| over the trial grid ``nu``."""
    x = sigma_column - sigma_column.mean()
    return nu[np.argmax(np.abs(np.exp(1j * np.outer(nu / HBAR, delays)) @ x))]


def report(path: Path, max_delay: float | None = None):
    d = np.load(path)
    w = d["frequency_thz"] * THZ_TO_MEV
    sigma, sigma_eq, delays = d["sigma_MS_per_m"], d["sigma_equilibrium_MS_per_m"], d["delays_ps"]
    if max_delay is not None:  # e.g. the delays whose window ends before the rows' recurrence time
        keep = delays <= max_delay + 1e-9
        sigma, delays = sigma[keep], delays[keep]
    probe = float(d["probe_meV"]) if "probe_meV" in d else 5.5
    fwhm = float(d["probe_fwhm_ps"]) if "probe_fwhm_ps" in d else 0.15
    band = (w > 1.0) & (w < 16.0)
    step = delays[1] - delays[0]
    nyquist = np.pi * HBAR / step
    print(f"== {path.name}: N_k = {d['n_shell'].tolist()}, {delays.size} delays {delays[0]:.2f}…{delays[-1]:.2f} ps "
          f"(ħω_δt up to {nyquist:.2f} meV, resolution {2 * np.pi * HBAR / (delays[-1] - delays[0]):.2f} meV), "
          f"probe {probe} meV, FWHM {fwhm} ps")
    print(f"   ω_L = {float(d['omega_L_meV']):.2f} meV, ω_H2 = {float(d['omega_H2_meV']):.2f} meV")
    i = np.argmax(sigma_eq[band])
    print(f"   equilibrium Re σ: strongest at {w[band][i]:.2f} meV, {sigma_eq[band][i]:.2f} MS/m")
    mean = sigma.real.mean(axis=0)
    i = np.argmax(mean[band])
    print(f"   pumped Re σ (mean over δt): strongest at {w[band][i]:.2f} meV, {mean[band][i]:.1f} MS/m")
    nu = np.linspace(-nyquist, nyquist, 1441)
    for lo in range(1, 15):
        sel = band & (w >= lo) & (w < lo + 1)
        if not sel.any():
            continue
        peaks = [dominant_delay_frequency(delays, sigma[:, j], nu) for j in np.nonzero(sel)[0]]
        med = float(np.median(peaks))
        print(f"   ħω {lo:2d}–{lo + 1:2d} meV: <Re σ> {mean[sel].mean():7.2f} MS/m, dominant ν = {med:+.2f} meV, "
              f"ħω − ν = {lo + 0.5 - med:+.2f} meV, on the diagonal after the pump {diagonal_share(w, sigma, delays, sel):.2f}")
    # the Leggett line against lines at trial frequencies where the model has no mode (the fit's floor)
    w_l, w_h = float(d["omega_L_meV"]), float(d["omega_H2_meV"])
    bins = [band & (w >= lo) & (w < lo + 1) for lo in range(1, 15)]
    for f, name in [(w_l, "ω_L")] + [(x, "trial") for x in (1.5, 2.2, 7.0, 7.8)
                                      # not near either line, nor past the delays' Nyquist limit (it would alias)
                                      if min(abs(x - w_l), abs(x - w_h)) > 0.8 and x < nyquist - 0.5]:
        ratios = [np.mean([np.divide(*line_amplitudes(delays, sigma[:, j].real, (f, w_h))) for j in np.nonzero(sel)[0]])
                  for sel in bins if sel.any()]
        print(f"   Re σ's δt line at {f:.2f} meV ({name}) / at ω_H2: median over 1-meV bins {np.median(ratios):.3f} "
              f"({min(ratios):.3f}–{max(ratios):.3f})")
    # ... and against its own neighbourhood: the ω_H2 line decays, so its skirt rises towards ω_H2 and a trial
    # frequency farther away understates what the fit gives at ω_L for nothing
    contrast = [np.median([peak_contrast(delays, sigma[:, j].real, w_l, w_h) for j in np.nonzero(sel)[0]])
                for sel in bins if sel.any()]
    print(f"   ω_L as a local peak of the fit (contrast > 1: a line; ≤ 1: the ω_H2 line's skirt): median over 1-meV "
          f"bins {np.median(contrast):.2f} ({min(contrast):.2f}–{max(contrast):.2f})")
    t, gaps = d["times_ps"], np.abs(d["pump_gap_meV"][:, 1])
    after = t > 5.0
    print(f"   pump-only |Δ2|, t > 5 ps: ω_L line / ω_H2 line "
          f"{np.divide(*line_amplitudes(t[after], gaps[after], (w_l, w_h))):.3f}, "
          f"contrast {peak_contrast(t[after], gaps[after], w_l, w_h):.2f}")


def line_coefficients(delays, column, freqs):
    """(c₀, [c_f]): the least-squares fit x(δt) = c₀ + Σ_f Re(c_f e^{−ifδt/ħ}) of a real δt record ``column`` (e.g.
    Re σ at one ħω) at the given line frequencies ``freqs`` (meV); the c_f are complex (amplitude and phase)."""
    cols = [np.ones_like(delays)]
    for f in freqs:
        cols += [np.cos(f * delays / HBAR), np.sin(f * delays / HBAR)]
    c = np.linalg.lstsq(np.stack(cols, axis=1), column, rcond=None)[0]
    return float(c[0]), [complex(c[1 + 2 * i], c[2 + 2 * i]) for i in range(len(freqs))]


def line_amplitudes(delays, column, freqs):
    """Amplitudes |c_f| of the fit of ``line_coefficients``: how strongly ``column`` oscillates at each frequency."""
    return [abs(c) for c in line_coefficients(delays, column, freqs)[1]]


def strongest_line(delays, column, trial):
    """(f, |c_f|): the trial frequency (meV) whose single-line fit (``line_amplitudes``) of ``column`` is largest,
    and that amplitude — e.g. ω_L and φ₀ of a relative-phase record."""
    amps = [line_amplitudes(delays, column, (f,))[0] for f in trial]
    i = int(np.argmax(amps))
    return float(trial[i]), float(amps[i])


def phase_locked_split(t, x, phi, omega_l, trial, degree=3):
    """Split a record x(t) (e.g. |Δ₂|, meV; ``t`` in ps) into what is locked to the relative phase φ(t) (rad) and
    one free line, below the record's Fourier resolution where the two can be told apart.

    A phase oscillation modulates the gap amplitudes at second order with the oscillation's own envelope and phase;
    a free line (the Higgs ringing at ω_H2) keeps its own.  First φ(t) is fitted as a linear trend plus
    Re z(t), z = A(t) e^{iω_L t/ħ} with A(t) a complex polynomial of ``degree`` in t (slow drifts of its amplitude
    and frequency); then

        x ≈ c₀ + c₁ (t − t̄) + Re(d z) + Re(c₂ z²) + Re(h e^{−ift/ħ}),

    least squares, with ``f`` the trial frequency (meV) of smallest residual.  For φ = φ₀ cos ψ (z = φ₀ e^{iψ}) the
    locked 2ω_L part is Re(c₂ e^{2iψ}) φ₀²: c₂ in meV/rad², the c₂ of the amplitude–phase coupling in
    docs/models/clean-pseudospin.md, with arg c₂ = 0 when x is largest where |φ − φ̄| is (c₂ < 0: smallest there).

    ``correlation`` is the largest canonical correlation between the locked pair (Re, Im of c₂) and the free pair at
    ``f``, the other regressors projected out: ~|sinc(Δω T/2ħ)| for lines Δω apart over a record T.  Near 1 the two
    cannot be told apart (the fit trades one for the other) and c₂, h are not separately meaningful.

    Returns dict(c2 (complex, meV/rad²), free_meV, free (complex h, meV), correlation, residual_rms, rms (of x),
    phase_residual_rms (of the fit of φ, rad)).
    """
    t = np.asarray(t, dtype=float)
    x = np.asarray(x, dtype=float)
    phi = np.asarray(phi, dtype=float)
    s = (t - t.mean()) / (np.ptp(t) / 2)  # in [−1, 1] for a well-conditioned polynomial
    carrier = np.exp(1j * omega_l * t / HBAR)
    envelope = np.stack([s**k for k in range(degree + 1)], axis=1)
    a = np.concatenate([np.ones_like(t)[:, None], s[:, None], envelope * carrier.real[:, None],
                        -envelope * carrier.imag[:, None]], axis=1)  # Re(A e^{iψ}) for A = Σ (α_k + iβ_k) s^k
    c = np.linalg.lstsq(a, phi, rcond=None)[0]
    z = envelope @ (c[2:3 + degree] + 1j * c[3 + degree:]) * carrier
    phase_residual = float(np.std(phi - a @ c))

    def pair(w):  # the two real regressors of Re(k w) for a complex coefficient k
        return np.stack([w.real, -w.imag], axis=1)

    base = np.concatenate([np.ones_like(t)[:, None], s[:, None], pair(z)], axis=1)
    locked = pair(z * z)
    best = None
    for f in trial:
        m = np.concatenate([base, locked, pair(np.exp(-1j * f * t / HBAR))], axis=1)
        k = np.linalg.lstsq(m, x, rcond=None)[0]
        r = float(np.std(x - m @ k))
        if best is None or r < best[0]:
            best = (r, float(f), k)
    r, f, k = best
    def residual(m):  # m less its projection on the other regressors (no N × N projector)
        return m - base @ np.linalg.lstsq(base, m, rcond=None)[0]

    q_locked, q_free = (np.linalg.qr(residual(m))[0] for m in (locked, pair(np.exp(-1j * f * t / HBAR))))
    return dict(c2=complex(k[4], k[5]), free_meV=f, free=complex(k[6], k[7]),
                correlation=float(np.linalg.svd(q_locked.T @ q_free, compute_uv=False)[0]),
                residual_rms=r, rms=float(np.std(x)), phase_residual_rms=phase_residual)


def peak_contrast(delays, column, f, f_ref):
    """How far the line fit at ``f`` (meV, fitted together with a line at ``f_ref``) stands above its own
    neighbourhood: |c_f| / max(|c_{f−h}|, |c_{f+h}|) with h half the record's resolution πħ/T.  A line at f makes it
    > 1 (a local maximum of the fit over trial frequencies); a record without one — e.g. only a decaying or drifting
    line at ``f_ref``, whose least-squares skirt rises towards ``f_ref`` — gives ≲ 1."""
    h = np.pi * HBAR / (delays[-1] - delays[0])
    amp = [line_amplitudes(delays, column, (x, f_ref))[0] for x in (f - h, f, f + h)]
    return amp[1] / max(amp[0], amp[2])


def diagonal_share(w, sigma, delays, sel, after: float = 2.0):
    """|⟨(σ − ⟨σ⟩_δt) e^{+iωδt/ħ}⟩_δt| / rms_δt(σ − ⟨σ⟩_δt) over δt ≥ ``after`` ps, averaged over the ħω in ``sel``:
    1 when σ's δt variation is all ∝ e^{−iωδt/ħ} (a current at ω fixed in absolute time), ~1/√n_δt for noise."""
    keep = delays >= after - 1e-9
    x = sigma[keep][:, sel]
    x = x - x.mean(axis=0)
    phase = np.exp(1j * np.outer(delays[keep], w[sel]) / HBAR)
    rms = np.sqrt(np.mean(np.abs(x) ** 2, axis=0))
    return float(np.mean(np.abs(np.mean(x * phase, axis=0)) / np.where(rms > 0, rms, 1.0)))


if __name__ == "__main__":
    args = sys.argv[1:]
    limit = None
    if args[:1] == ["--max-delay"]:
        limit, args = float(args[1]), args[2:]
    for p in (args or DEFAULT):
        report(Path(p), limit)
