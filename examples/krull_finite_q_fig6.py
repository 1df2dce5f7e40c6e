"""Krull et al. Fig. 6 with the finite-momentum density matrix: the pump–probe conductivity σ(δt, ω) (their eq. 9).

Model: jaxhiggs.models.FiniteMomentum (docs/models/finite_momentum.md), MgB2-like bands of jaxhiggs.materials.mgb2,
v = 0.05.  Pump as in Fig. 2 (ħω0 = 8 meV, FWHM 0.4 ps, centre 1 ps); probe (Krull): FWHM 0.15 ps, ħω_pr = 5.5 meV,
a weak travelling wave polarised along y with the pump's wave vector q₀ ∥ x, |A_pr| = 1e-12 V·s/m (linear: the
tests check Δj ∝ A_pr).  σ(δt, ω) = j(ω)/(iω A_pr(ω)) of the part of the probe current at q₀ linear in A_pr, from
probe-phase cycling minus one pump-only run (jaxhiggs.models.finite_momentum.pump_probe_conductivity), with the
Fourier window moving with the probe and every line broadened by η (a Lorentzian).  δt is the probe's centre time minus the pump's.

Panels: (a) Re σ(ω) at three delays and without pump; (b) Re σ(δt, ω) (colour); (c) |FT over δt| of the
mean-subtracted, per-ω normalised σ (as Krull's Fig. 6c), with the model's own ω_H2 = 2|Δ2|∞ and ω_L (from the
φ1 − φ2 oscillation of the pump-only run) dashed.  The script prints ω_L, ω_H2 and the peak of the δt spectrum.

--quick: dk = 1.6e-2 nm⁻¹, 2 k_y lines (100 + 40 shell points), n_max = 2, |A0| = 1.5e-9 V·s/m (the coarse grid's
large q₀ over-states pair creation, see the docs), 10 delays 1.0 … 2.8 ps, 3 ps window, two probe phases
(second-order leak ~ 0.1 %), rtol 1e-6, lines broadened by η = 1 meV: ~5 min on two shared cores, a smoke test — the
δt record (1.8 ps) resolves only ~2.3 meV in ħω_δt, too coarse to separate ω_L from ω_H2, and the rows revive after
0.2 ps (FiniteMomentum.recurrence_time), so the package warns that the window is past their recurrence time.
Full: dk = 4e-3 nm⁻¹, 4 lines (324 + 832 shell points), n_max = 4, |A0| = 5e-9, 41 delays 1.0 … 9.0 ps, 8 ps window,
four probe phases, rtol 1e-8, η = 0.5 meV (165 runs of 17 ps: a GPU job; 190 s on an NVIDIA H200, the figure and
what it shows are in docs/models/finite_momentum.md).
``--grid DK:LINES[:S]`` overrides the k grid (e.g. 2e-3:8, run on the GPU; S: q₀ = S·dk, default 1) and ``--delays FIRST:LAST:COUNT`` the delays, ``--probe-mev`` the probe's photon energy, ``--probe-fwhm`` its length, ``--a0`` the pump amplitude and ``--v`` the interband coupling.
``--probe-steps R`` gives the probe its own wave vector q_pr = R·dk (FiniteMomentum(probe_steps=R), the probe a
ProbePulse, the response the current at q_pr): with S = 3, R = 1 the probe travels at q₀/3, e.g.
``--grid 1.333e-3:4:3 --probe-steps 1`` keeps the full mode's q₀ = 4e-3 nm⁻¹ (q_pr = 1.33e-3 nm⁻¹).  Then the pump's grating cannot
scatter the probe back onto q_pr at linear order, so no phase cycling is needed (one probe phase per delay).
``--store DIR`` keeps every run in resumable stores under DIR (``pump_probe_conductivity(store=…)``: one
jaxhiggs.sweep store per probe phase and one for the pump-only run) and runs them on all CPU cores; an
interrupted run resumes where it stopped when the same command is given again.  Besides the PNG the script writes krull_finite_q_fig6.npz (σ map, δt spectrum, pump-only gaps, ω_L, ω_H2) to --out.
"""


import argparse

import matplotlib.pyplot as plt
import numpy as np

from _common import parse

import jax  # noqa: E402

import jaxhiggs as jh  # noqa: E402
from jaxhiggs import units  # noqa: E402
from jaxhiggs._validate import InputError  # noqa: E402
from jaxhiggs.models.finite_momentum import check_store, pump_probe_conductivity  # noqa: E402



def _triple(text, kinds, name):
    """'a:b[:c]' → typed values, or argparse's usage error naming the option and the value."""
    parts = text.split(":")
    try:
        if len(parts) != len(kinds):
            raise ValueError
        return [kind(p) for kind, p in zip(kinds, parts)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name} = {text!r} is not allowed: expected "
                                         f"{':'.join(k.__name__ for k in kinds)}") from None


def _grid(text):
    kinds = (float, int, int) if text.count(":") == 2 else (float, int)
    dk, lines, *steps = _triple(text, kinds, "--grid")
    if not (dk > 0 and lines >= 1 and (not steps or steps[0] >= 1)):
        raise argparse.ArgumentTypeError(f"--grid = {text!r} is not allowed: dk > 0 nm⁻¹, at least 1 line and "
                                         "q₀ = S·dk with an integer S ≥ 1")
    return dict(dk=dk, n_lines=lines, q0_steps=steps[0] if steps else 1)


def _steps(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"--probe-steps = {text!r} is not allowed: an integer R ≥ 1 (q_pr = R·dk)")
    return value


def _delays(text):
    first, last, count = _triple(text, (float, float, int), "--delays")
    if not (last > first and count >= 4):
        raise argparse.ArgumentTypeError(f"--delays = {text!r} is not allowed: LAST > FIRST (ps) and COUNT >= 4")
    return np.linspace(first, last, count)


def _store(text):
    """argparse type: a folder for the resumable stores (new, or an earlier run's), checked without touching it."""
    try:
        return check_store(text)
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error).replace("store = ", "--store = ", 1)) from None


def _positive(option, what, unit):
    """argparse type: a finite number > 0, or a usage error naming the option and the value."""
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not (np.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"{option} = {text!r} is not allowed: {what} > 0 {unit}")
        return value
    return parse


def grid_option(parser):
    parser.add_argument("--grid", metavar="DK:LINES[:S]", type=_grid, default=None,
                        help="k grid as dk (nm⁻¹) : k_y lines per band [: S, the pump's q₀ = S·dk, default 1], "
                             "e.g. 2e-3:8 (default: the mode's)")
    parser.add_argument("--probe-steps", metavar="R", type=_steps, default=None,
                        help="the probe's own wave vector q_pr = R·dk (default: none, the probe travels at q₀); needs "
                             "S in --grid with R ≠ S, e.g. --grid 1.333e-3:4:3 --probe-steps 1")
    parser.add_argument("--probe-mev", type=_positive("--probe-mev", "a photon energy", "meV"), default=5.5,
                        help="the probe's centre photon energy ħω_pr in meV (default Krull's 5.5)")
    parser.add_argument("--probe-fwhm", type=_positive("--probe-fwhm", "a duration", "ps"), default=0.15,
                        help="the probe's FWHM in ps (default Krull's 0.15; 0.6 at 8 meV has little weight near zero "
                             "frequency, which suppresses the ν = ħω diagonal, see the docs)")
    parser.add_argument("--a0", type=_positive("--a0", "a pump amplitude", "V·s/m"), default=None,
                        help="pump amplitude |A0| in V·s/m (peak A = 2|A0|; default: the mode's, 1.5e-9 quick, 5e-9 full; "
                             "on a grid with q₀ = 8e-3 nm⁻¹, e.g. --grid 5e-4:2:16, 1e-9 suppresses |Δ2| by ~5 %)")
    parser.add_argument("--v", type=_positive("--v", "an interband coupling ratio", "(U12/U11)"), default=0.05,
                        help="interband coupling v = U12/U11 (default 0.05; at 0.02 ω_L lies ~2 meV below ω_H2)")
    parser.add_argument("--delays", metavar="FIRST:LAST:COUNT", type=_delays, default=None,
                        help="pump–probe delays in ps, e.g. 1:9:11 (default: the mode's, 1:9:41 in full mode)")
    parser.add_argument("--store", metavar="DIR", type=_store, default=None,
                        help="keep every run in resumable stores under DIR (a new or empty folder, or the DIR of an "
                             "interrupted run of the same command, which then resumes) and spread the runs over the "
                             "CPU cores; for long CPU runs")


args = parse(__doc__, grid_option)
if args.store is not None:
    jh.use_cpu_cores()  # one JAX device per core (before anything is computed): the stored runs go to every device
FWHM = 2 * np.sqrt(2 * np.log(2))
if args.quick:
    grid, n_max, a0, delays, window = dict(dk=1.6e-2, n_lines=2), 2, 1.5e-9, np.arange(10) * 0.2 + 1.0, 3.0
    phases, eta, opts = 2, 1.0, dict(rtol=1e-6, atol=1e-12)
else:
    grid, n_max, a0, delays, window = dict(dk=4e-3, n_lines=4), 4, 5e-9, np.arange(41) * 0.2 + 1.0, 8.0
    phases, eta, opts = 4, 0.5, dict(rtol=1e-8, atol=1e-12)
if args.grid:
    grid = args.grid
if args.delays is not None:
    delays = args.delays
if args.a0 is not None:
    a0 = args.a0
V, A_PR, CENTER, DT = args.v, 1e-12, 1.0, 0.01
times = np.arange(int(round((delays[-1] + window) / DT)) + 1) * DT
pump = jh.GaussianPulse.from_vector_potential(2 * a0, units.mev_to_thz(8.0), 0.4 / FWHM, CENTER)


def probe_at(t):
    return jh.GaussianPulse.from_vector_potential(2 * A_PR, units.mev_to_thz(args.probe_mev), args.probe_fwhm / FWHM, t)


model = jh.models.FiniteMomentum(jh.materials.mgb2(v=V), n_max=n_max, probe_steps=args.probe_steps, **grid)
if args.probe_steps is not None:
    phases = 1  # at q_pr ≠ q₀ there is no phase-conjugate part to remove (docs: "A probe at its own wave vector")
    print(f"q₀ = {model.shell.q0:.4g} nm⁻¹, probe at q_pr = {model.shell.q_pr:.4g} nm⁻¹; "
          f"{len(model.shell.offsets)} offsets", flush=True)
print(f"N_k = {model.shell.n_shell().tolist()} shell points, state {model.initial_state()['rho'].size} complex; "
      f"{phases * delays.size + 1} pumped runs of {times[-1]:.1f} ps", flush=True)
out = pump_probe_conductivity(model, pump, probe_at, delays, times, phases=phases, broadening=eta, store=args.store,
                              batch_size=None if args.store is None else jax.device_count(),
                              progress=args.progress, **opts)
eq = pump_probe_conductivity(model, jh.NoDrive(), probe_at, delays[:1], times[: int(round((delays[0] + window) / DT)) + 1],
                             phases=min(phases, 2), broadening=eta, **opts)

nu = np.asarray(out["frequency"])
w = units.thz_to_mev(nu)
sigma = np.asarray(out["sigma"]) / 1e6  # MS/m
sigma_eq = np.interp(w, units.thz_to_mev(np.asarray(eq["frequency"])), np.asarray(eq["sigma"])[0].real) / 1e6
band = (w > 1.0) & (w < 16.0)

# the model's own mode frequencies, from the pump-only run
gap = np.asarray(out["pump_gap"])
after = times > CENTER + 1.0
d_inf = np.abs(gap[after]).mean(axis=0)
phi = np.unwrap(np.angle(gap[:, 0] * np.conj(gap[:, 1])))
w_h2 = 2 * d_inf[1]
w_l = units.thz_to_mev(jh.spectra.dominant_frequency(times[after], phi[after], fmax=units.mev_to_thz(w_h2 + 1.0)))

# Fig. 6c: Fourier transform over δt of the mean-subtracted, per-ω normalised map
_, f_dt, spec = jh.spectra.delay_spectrum(delays, sigma[:, band])
w_dt = units.thz_to_mev(np.asarray(f_dt))
spec = np.asarray(spec)
line = spec.mean(axis=1)
ok = w_dt > 1.0
w_peak = w_dt[ok][np.argmax(line[ok])]
conj = (np.nan if out["sigma_conjugate"] is None else
        np.abs(np.asarray(out["sigma_conjugate"])[:, band]).max() / np.abs(sigma[:, band]).max() / 1e6)
nyquist = units.thz_to_mev(1 / (2 * (delays[1] - delays[0])))  # highest ħω_δt the delay spacing resolves
if nyquist < max(w_l, w_h2):
    print(f"note: the delays are {delays[1] - delays[0]:.2f} ps apart, so ħω_δt stops at {nyquist:.2f} meV, below "
          f"ω_L = {w_l:.2f} and ω_H2 = {w_h2:.2f} meV: panel (c) cannot show them (use ≤ 0.4 ps)")
print(f"|Δ|∞ = {d_inf.round(3)} meV; ω_H2 = 2|Δ2|∞ = {w_h2:.2f} meV, ω_L (φ1 − φ2) = {w_l:.2f} meV; "
      f"peak of the δt spectrum (mean over ħω = 1–16 meV) at {w_peak:.2f} meV (resolution "
      f"{units.thz_to_mev(1 / (delays[-1] - delays[0])):.2f} meV, up to {nyquist:.2f} meV); phase-conjugate part / σ "
      + ("not measured (one probe phase)" if np.isnan(conj) else f"≤ {conj:.2g}"))

# the numbers behind the figure, so a long (GPU) run can be re-plotted and analysed elsewhere
np.savez_compressed(args.out / "krull_finite_q_fig6.npz", frequency_thz=nu, delays_ps=delays, sigma_MS_per_m=sigma,
                    sigma_equilibrium_MS_per_m=sigma_eq, delay_frequency_meV=w_dt, delay_spectrum=spec,
                    pump_gap_meV=gap, times_ps=times, omega_H2_meV=w_h2, omega_L_meV=w_l, band_meV=(1.0, 16.0),
                    n_shell=model.shell.n_shell(), n_max=n_max, pump_A0=a0, probe_A=A_PR, probe_meV=args.probe_mev, probe_fwhm_ps=args.probe_fwhm,
                    broadening_meV=eta, q0_per_nm=model.shell.q0, v=V,
                    q_pr_per_nm=np.nan if args.probe_steps is None else model.shell.q_pr,
                    # the time records behind σ (A/m², V·s/m), both times the broadening factor e^{−η(t − δt)/ħ}:
                    # to see where a part of Δj that does not move with the probe comes from
                    delta_current_damped_A_per_m2=np.asarray(out["delta_current"]),
                    probe_vector_potential_damped=np.asarray(out["probe_vector_potential"]))
fig, ax = plt.subplots(1, 3, figsize=(15, 4.4))
for i in (0, delays.size // 2, delays.size - 1):
    ax[0].plot(w[band], sigma[i, band].real, lw=0.9, label=f"δt = {delays[i] - CENTER:.1f} ps")
ax[0].plot(w[band], sigma_eq[band], "k--", lw=0.9, label="no pump")
for x, name, c, side in ((w_h2, "ω_H2", "gray", "right"), (w_l, "ω_L", "tab:blue", "left")):
    ax[0].axvline(x, color=c, ls=":", lw=0.8)
    ax[0].text(x, ax[0].get_ylim()[1], f" {name} ", color=c, ha=side, va="top", fontsize=8)
ax[0].set(xlabel="ħω (meV)", ylabel="Re σ(δt, ω) (MS/m)", title="(a) Re σ at fixed delays")
ax[0].legend(fontsize=7)
im = ax[1].pcolormesh(w[band], delays - CENTER, sigma[:, band].real, shading="auto", cmap="RdYlBu_r")
fig.colorbar(im, ax=ax[1], label="Re σ (MS/m)")
ax[1].set(xlabel="ħω (meV)", ylabel="pump–probe delay δt (ps)", title="(b) Re σ(δt, ω)")
im = ax[2].pcolormesh(w[band], w_dt, spec, shading="auto", cmap="magma")
fig.colorbar(im, ax=ax[2], label="|FT_δt σ| (normalised per ω, arb. u.)")
for x, name, c in ((w_h2, "ω_H2", "gray"), (w_l, "ω_L", "tab:blue"), (2 * w_l, "2ω_L", "tab:green")):
    ax[2].axhline(x, color=c, ls="--", lw=0.8, label=name)
ax[2].set(xlabel="ħω (meV)", ylabel="ħω_δt (meV)", ylim=(0, min(14.0, w_dt[-1])), title="(c) δt spectrum")
ax[2].legend(fontsize=7, loc="upper right")
probe_text = "" if args.probe_steps is None else f", q_pr = q₀·{args.probe_steps}/{model.shell.q0_steps}"
fig.suptitle(f"Krull et al. Fig. 6, finite-q₀ density matrix{' (--quick)' if args.quick else ''}{probe_text}: v = {V}, "
             f"|A0| = {a0:g} V·s/m, |A_pr| = {A_PR:g} V·s/m, η = {eta} meV, N_k = {model.shell.n_shell().tolist()}, n_max = {n_max}",
             fontsize=10)
fig.tight_layout()
fig.savefig(args.out / "krull_finite_q_fig6.png", dpi=120)
print("wrote", args.out / "krull_finite_q_fig6.png")
