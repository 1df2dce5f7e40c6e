"""The Fig. 6 analysis helpers of benchmarks/analyse_fig6.py on synthetic σ(δt, ω) with known content."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from analyse_fig6 import (  # noqa: E402
    HBAR, diagonal_share, dominant_delay_frequency, line_amplitudes, line_coefficients)

DELAYS = np.arange(17) * 0.25 + 1.0  # ps, as the GPU runs
W = np.linspace(4.0, 10.0, 61)  # meV
SEL = np.ones(W.size, dtype=bool)


def test_a_current_fixed_in_absolute_time_is_all_on_the_diagonal():
    # σ = mean + b(ω) e^{−iωδt/ħ}: the δt variation is all ∝ e^{−iωδt}
    sigma = 2.0 + (0.3 + 0.1j) * np.exp(-1j * np.outer(DELAYS, W) / HBAR)
    # (< 1 only because the δt mean of e^{−iωδt} over 13 delays is not exactly zero and is subtracted)
    assert 0.99 < diagonal_share(W, sigma, DELAYS, SEL) <= 1.0


def test_a_horizontal_line_is_not_on_the_diagonal():
    # σ modulated at a fixed ν = 5 meV (a collective mode): small share except where ħω ≈ ν
    sigma = 2.0 + 0.3 * np.exp(-1j * 5.0 * DELAYS / HBAR)[:, None] * np.ones(W.size)
    far = np.abs(W - 5.0) > 2.5
    share = diagonal_share(W, sigma, DELAYS, far)
    assert share < 0.2, share
    nu = np.linspace(-8.0, 8.0, 1601)
    assert abs(dominant_delay_frequency(DELAYS, sigma[:, 40], nu) - 5.0) < 0.02


def test_noise_has_a_small_share():
    rng = np.random.default_rng(1)
    sigma = rng.normal(size=(DELAYS.size, W.size)) + 1j * rng.normal(size=(DELAYS.size, W.size))
    share = diagonal_share(W, sigma, DELAYS, SEL, after=0.0)
    assert 0.1 < share < 0.4, share  # ~ √(π/4)/√n for n = 17 delays: 0.21


def test_line_amplitudes_recover_two_lines_and_give_little_at_a_frequency_without_one():
    # Re σ(δt) = 3 + 0.2 cos(ω_L δt + 0.3) + 1.0 cos(ω_H δt − 1) + noise, 21 delays 2…7 ps (the CPU run's)
    delays = np.linspace(2.0, 7.0, 21)
    rng = np.random.default_rng(0)
    x = 3 + 0.2 * np.cos(4.74 * delays / HBAR + 0.3) + np.cos(5.74 * delays / HBAR - 1.0)
    a_l, a_h = line_amplitudes(delays, x + 0.01 * rng.normal(size=delays.size), (4.74, 5.74))
    assert abs(a_l - 0.2) < 0.02 and abs(a_h - 1.0) < 0.02, (a_l, a_h)
    a_trial, a_h = line_amplitudes(delays, x - 0.2 * np.cos(4.74 * delays / HBAR + 0.3), (2.2, 5.74))
    assert a_trial < 0.01 and abs(a_h - 1.0) < 0.01, (a_trial, a_h)


def test_line_coefficients_give_each_line_its_phase():
    # x = 3 + Re(c e^{−iωt/ħ}) with c = 0.2 e^{−0.3i} (= 0.2 cos(ωt + 0.3)) and 1.0 e^{+i}: c₀ and both c to 1e-12
    delays = np.linspace(2.0, 7.0, 21)
    x = 3 + 0.2 * np.cos(4.74 * delays / HBAR + 0.3) + np.cos(5.74 * delays / HBAR - 1.0)
    c0, (c_l, c_h) = line_coefficients(delays, x, (4.74, 5.74))
    assert abs(c0 - 3) < 1e-12 and abs(c_l - 0.2 * np.exp(-0.3j)) < 1e-12 and abs(c_h - np.exp(1j)) < 1e-12


def test_peak_contrast_tells_a_line_from_the_skirt_of_a_decaying_one():
    # the CPU run's delays (2…8.3 ps, 22): a decaying ω_H line whose least-squares skirt at ω_L = ω_H − 1 meV is
    # 0.14 of it (0.16 in the v = 0.05 run), with and without a true ω_L line of that size
    from analyse_fig6 import peak_contrast

    delays = np.linspace(2.0, 8.3, 22)
    w_l, w_h = 4.76, 5.77
    skirt = 3 + np.cos(w_h * delays / HBAR - 1.0) * 2.0 / delays
    a_l, a_h = line_amplitudes(delays, skirt, (w_l, w_h))
    assert a_l / a_h > 0.1, (a_l, a_h)  # the plain fit alone would call this a weak ω_L line (measured 0.14)
    assert peak_contrast(delays, skirt, w_l, w_h) < 0.95  # measured 0.85
    for phase in (0.3, 1.5, 2.7):  # measured 1.22, 1.63, 1.96
        line = skirt + 0.15 * np.cos(w_l * delays / HBAR + phase)
        assert peak_contrast(delays, line, w_l, w_h) > 1.15, phase


def test_the_line_near_a_frequency_is_a_local_maximum_not_a_neighbours_flank():
    from leggett_excitation import _peak_within

    freq = np.linspace(0.0, 12.0, 1201)  # meV
    strong = np.exp(-(((freq - 4.0) / 0.3) ** 2))  # a strong line at 4 meV
    # inside 5.0 ± 0.6 only its falling flank: no line there
    assert _peak_within(freq, strong, 5.0, 0.6) is None
    weak = strong + 0.05 * np.exp(-(((freq - 5.2) / 0.1) ** 2))  # add a weak line at 5.2 meV
    found = _peak_within(freq, weak, 5.0, 0.6)
    assert found is not None and abs(freq[found] - 5.2) < 0.02, found
    assert abs(freq[_peak_within(freq, weak, 4.2, 0.6)] - 4.0) < 0.02  # the strongest local maximum wins


def test_runs_of_a_shared_scan_merge_without_losing_or_repeating_a_run():
    from leggett_excitation import merge_rows

    def row(a0, omega_l):
        return dict(K=1.0, v=0.01, q0=1.6e-4, dk=1.6e-4, n_max=4, a0=a0, t_end=10.0, omega_L=omega_l)

    stored = [row(7e-8, 1.91), row(5.5e-8, 2.16)]
    merged = merge_rows(stored, [row(6.25e-8, 2.07), row(7e-8, 1.90)])  # one new run, one rerun
    assert [r["a0"] for r in merged] == [5.5e-8, 6.25e-8, 7e-8]
    assert merged[2]["omega_L"] == 1.90  # the rerun replaces the stored row


C2, FREE = 0.25 * np.exp(0.7j), 0.02 * np.exp(1j)  # meV/rad², meV


def _locked_and_free(detuning, c2=C2, free=FREE, noise=0.0):
    """A phase record φ (a decaying, slightly chirped line at ω_L on a drift) and x = a drift + Re(c₂ z²) + a free
    line at 2ω_L + ``detuning`` (meV) + noise, over 2–12 ps (the finite-q Fig. 5b,d,f records' window)."""
    t = np.arange(2.0, 12.0, 0.01)
    w_l = 2.85
    psi = w_l * t / HBAR + 0.4 + 0.002 * t**2
    amp = 0.25 * np.exp(-t / 30.0)
    phi = 0.3 + 0.02 * t + amp * np.cos(psi)
    x = (2.9 - 1e-3 * t + (c2 * np.exp(2j * psi)).real * amp**2
         + (free * np.exp(-1j * (2 * w_l + detuning) * t / HBAR)).real)
    x = x + noise * np.random.default_rng(3).normal(size=t.size)
    return t, x, phi, w_l


def test_phase_locked_split_separates_a_locked_part_from_a_free_line_below_the_resolution():
    # lines 0.3 meV apart over 10 ps (resolution 2πħ/T = 0.41 meV): c₂, h and f recovered; measured errors 6e-7
    # (c₂) and 3e-8 meV (h) — the envelope and chirp are only approximated by the cubic of the phase fit — f exact on
    # the 1e-3 meV grid; canonical correlation 0.47 (0.37 for unchirped lines, ~sinc(ΔωT/2ħ))
    from analyse_fig6 import phase_locked_split

    t, x, phi, w_l = _locked_and_free(0.3)
    s = phase_locked_split(t, x, phi, w_l, np.linspace(5.0, 6.5, 1501))
    assert abs(s["c2"] - C2) < 1e-5 and abs(s["free"] - FREE) < 1e-6, s
    assert abs(s["free_meV"] - (2 * w_l + 0.3)) < 1.5e-3 and 0.4 < s["correlation"] < 0.55, s
    # with noise 1e-3 meV (5 % of the free line): c₂ within 3 %, the free line within 5 % (measured 0.9 %, 0.3 %)
    s = phase_locked_split(t, *_locked_and_free(0.3, noise=1e-3)[1:], np.linspace(5.0, 6.5, 1501))
    assert abs(s["c2"] / C2 - 1) < 0.03 and abs(abs(s["free"]) / abs(FREE) - 1) < 0.05, s


def test_phase_locked_split_says_when_the_two_cannot_be_told_apart():
    # 0.03 meV apart over 10 ps: the canonical correlation is near 1 (measured 0.98), the warning of the docstring;
    # with the same noise c₂ is then 22 % off (0.9 % at 0.3 meV apart)
    from analyse_fig6 import phase_locked_split

    t, x, phi, w_l = _locked_and_free(0.03, noise=1e-3)
    s = phase_locked_split(t, x, phi, w_l, np.linspace(5.0, 6.5, 1501))
    assert s["correlation"] > 0.95, s
