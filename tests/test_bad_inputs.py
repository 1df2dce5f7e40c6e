"""Issue 9: every bad input through the Python API is rejected before any compilation, in well under a
second, with one message naming the parameter, the value (plain Python, not ``np.float64(…)``) and the
allowed range.  Each row: (id, call, regex the message must match).  The regexes name the parameter and
the value; the allowed range is checked by the words after "is not allowed:" (or the equivalent).
"""

import functools
import math
import re
import time

import diffrax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxhiggs as jh
from jaxhiggs import fit, spectra
from jaxhiggs._validate import InputError

from conftest import ReachedCompiledSolve

T = np.linspace(0.0, 3.0, 61)  # ps
PULSE = jh.GaussianPulse(5.0, 1.0, 0.2, 1.0)
WT = np.linspace(0.0, 2.0, 41)
WF = np.exp(-((WT - 1.0) / 0.2) ** 2)


@functools.cache
def NBN():  # noqa: N802 — built on first use, not at import: every pytest-xdist worker imports every test file
    return jh.materials.nbn()


@functools.cache
def MODEL():  # noqa: N802 — the model of the simulate/sweep cases (~2 s to build: compiles the equilibrium)
    return jh.models.CleanPseudospin(NBN(), 16)


def sim(**opts):
    return lambda: jh.simulate(MODEL(), PULSE, T, **opts)


_X, _W = np.polynomial.legendre.leggauss(200)
EQ_XI, EQ_W = 25.0 * (_X + 1)[None, :], 50.0 * _W[None, :]  # one band, ξ ∈ (0, 50) meV


def eq_couplings(scale=1.0):
    """U of a 1.3 meV gap on the EQ grid, times ``scale``."""
    from jaxhiggs import equilibrium as eq

    gaps = np.array([1.3])
    return scale * np.asarray(eq.couplings_from_gaps(gaps, 0.0, eq.pair_sum(gaps, EQ_XI, EQ_W, 0.0)))


def waveform_file(tmp, text):
    path = tmp / "trace.txt"
    path.write_text(text)
    return lambda: jh.Waveform.from_file(path)


CASES = [
    # materials and bands
    ("gap-string", lambda: jh.materials.single_band("1.3", 20.0), r"gap = '1\.3' meV is not allowed: give a number"),
    ("gap-nan", lambda: jh.materials.single_band(float("nan"), 20.0), r"gap = nan meV is not allowed: .*> 0 meV"),
    ("gap-negative", lambda: jh.materials.single_band(-1.0, 20.0), r"gap = -1\.0 meV is not allowed: .*> 0"),
    ("gap-above-omegaD", lambda: jh.materials.single_band(np.float64(25.0), 20.0),
     r"gap of band 1 = 25\.0 meV is not allowed: 0 < Δ < ω_D = 20\.0 meV"),
    ("omegaD-inf", lambda: jh.materials.single_band(1.3, math.inf), r"omega_D = inf meV is not allowed: a finite"),
    ("omegaD-zero", lambda: jh.materials.single_band(1.3, 0.0), r"omega_D = 0\.0 meV is not allowed: .*> 0"),
    ("temperature-negative", lambda: jh.materials.single_band(1.3, 20.0, -1.0), r"temperature = -1\.0 K is not allowed: .*≥ 0"),
    ("temperature-inf", lambda: jh.materials.single_band(1.3, 20.0, math.inf), r"temperature = inf K is not allowed"),
    ("disordered-temperature", lambda: jh.models.DisorderedPseudospin(jh.materials.single_band(1.3, 20.0, 4.0), 100,
                                                                      magnetic_rate=0.01),
     r"material\.temperature = 4\.0 K is not allowed: 0 K: the disordered model is T = 0 only"),
    ("gamma-negative", lambda: jh.materials.single_band(1.3, 20.0, gamma=-1.0), r"gamma = -1\.0 meV is not allowed: .*≥ 0"),
    ("mass-zero", lambda: jh.materials.single_band(1.3, 20.0, mass=0.0), r"mass = 0\.0 is not allowed: .*> 0"),
    ("fermi-nan", lambda: jh.materials.single_band(1.3, 20.0, fermi_energy=math.nan), r"fermi_energy = nan meV"),
    ("sign-half", lambda: jh.materials.single_band(1.3, 20.0, sign=0.5), r"sign = 0\.5 is not allowed: \+1 .* or -1"),
    ("dos-negative", lambda: jh.materials.single_band(1.3, 20.0, dos=-1.0), r"dos = -1\.0 is not allowed: .*> 0"),
    ("v-too-large", lambda: jh.materials.two_band((7.0, 3.0), 1.5, 50.0), r"v = 1\.5 is not allowed: .*\|v\| < 1"),
    ("v-nan", lambda: jh.materials.two_band((7.0, 3.0), math.nan, 50.0), r"v = nan is not allowed"),
    ("gaps-scalar", lambda: jh.materials.two_band(7.0, 0.02, 50.0), r"gaps = 7\.0 is not allowed: give exactly two"),
    ("bands-empty", lambda: jh.Superconductor([]), r"bands = \(\) is not allowed: give at least one Band"),
    ("bands-number", lambda: jh.Superconductor([1.3]), r"band 1 = 1\.3 is not allowed: give a jaxhiggs.material.Band"),
    ("T-above-Tc", lambda: jh.models.CleanPseudospin(jh.materials.nbn(temperature=50.0), 16),
     r"temperature = 50 K is not allowed: T must be below T_c = \d+\.\d+ K for this material"),
    ("v-unstable", lambda: jh.models.CleanPseudospin(jh.materials.two_band((7.0, 1.0), 0.9, 50.0), 16),
     r"v = 0\.9 is not allowed: .*the largest \|v\| allowed for these gaps is 0\.14"),
    # models
    ("n-energies-small", lambda: jh.models.CleanPseudospin(NBN(), 8), r"n_energies = 8 is not allowed: .*≥ 16"),
    ("n-energies-float", lambda: jh.models.CleanPseudospin(NBN(), 16.5), r"n_energies = 16\.5 is not allowed: .*integer"),
    ("n-energies-huge", lambda: jh.models.CleanPseudospin(NBN(), 10**9),
     r"n_energies = 1000000000 is not allowed: CleanPseudospin would need about [\d.]+ GB .*n_energies ≤ \d+"),
    ("n-energies-missing", lambda: jh.models.CleanPseudospin(NBN()), r"n_energies = None is not allowed"),
    ("model-drive-as-material", lambda: jh.models.CleanPseudospin(PULSE, 16),
     r"material = GaussianPulse.* is not allowed: give a jaxhiggs Superconductor"),
    ("mb-huge", lambda: jh.models.MattisBardeen(jh.materials.nbn(gamma=0.5), 10**6),
     r"n_energies = 1000000 is not allowed: MattisBardeen would need about .* GB"),
    ("mb-gamma-zero", lambda: jh.models.MattisBardeen(NBN(), 16), r"gamma = \[0\.0\] meV is not allowed: .*gamma > 0"),
    ("mb-quadrature", lambda: jh.models.MattisBardeen(jh.materials.nbn(gamma=0.5), 16, quadrature="x"), r"quadrature = .x. is not allowed"),
    ("mb-reference-amplitude", lambda: jh.models.MattisBardeen(jh.materials.nbn(gamma=0.5), 16, reference_amplitude=-1.0),
     r"reference_amplitude = -1\.0 is not allowed: a finite amplitude > 0"),
    ("disordered-rate", lambda: jh.models.DisorderedPseudospin(NBN(), 16, magnetic_rate=-1.0),
     r"magnetic_rate = -1\.0 is not allowed: a scattering rate"),
    ("disordered-rate-nan", lambda: jh.models.DisorderedPseudospin(NBN(), 16, potential_rate=math.nan),
     r"potential_rate = nan is not allowed"),
    ("disordered-two-band", lambda: jh.models.DisorderedPseudospin(jh.materials.mgb2(), 16), r"n_bands = 2"),
    # drives
    ("peak-nan", lambda: jh.GaussianPulse(math.nan, 1.0, 0.2, 1.0), r"peak_field = nan kV/cm is not allowed: .*≥ 0"),
    ("peak-inf", lambda: jh.GaussianPulse(math.inf, 1.0, 0.2, 1.0), r"peak_field = inf kV/cm is not allowed"),
    ("peak-string", lambda: jh.GaussianPulse("5", 1.0, 0.2, 1.0), r"peak_field = '5' kV/cm is not allowed: give a number"),
    ("frequency-negative", lambda: jh.GaussianPulse(5.0, -1.0, 0.2, 1.0), r"frequency = -1\.0 THz is not allowed: .*≥ 0"),
    ("duration-zero", lambda: jh.GaussianPulse(5.0, 1.0, 0.0, 1.0), r"duration = 0\.0 ps is not allowed: .*> 0"),
    ("center-nan", lambda: jh.GaussianPulse(5.0, 1.0, 0.2, math.nan), r"center = nan ps is not allowed: a finite number"),
    ("center-inf", lambda: jh.GaussianPulse(5.0, 1.0, 0.2, math.inf), r"center = inf ps is not allowed: a finite number"),
    ("phase-nan", lambda: jh.GaussianPulse(5.0, 1.0, 0.2, 1.0, phase=math.nan), r"phase = nan rad is not allowed"),
    ("quench-none", lambda: jh.Quench(), r"exactly one of final_gap"),
    ("quench-gap-negative", lambda: jh.Quench(final_gap=-1.0), r"final_gap = -1\.0 meV is not allowed: .*> 0"),
    ("quench-gap-nan", lambda: jh.Quench(final_gap=math.nan), r"final_gap = nan meV is not allowed"),
    ("quench-scale-negative", lambda: jh.Quench(coupling_scale=-0.5), r"coupling_scale = -0\.5 is not allowed: .*> 0"),
    ("quench-scale-nan", lambda: jh.Quench(coupling_scale=math.nan), r"coupling_scale = nan is not allowed"),
    ("quench-time-nan", lambda: jh.Quench(final_gap=1.2, time=math.nan), r"time = nan ps is not allowed: a finite"),
    ("waveform-short", lambda: jh.Waveform([0.0, 1.0, 2.0], [1.0, 2.0, 3.0]), r"shapes \(3,\)/\(3,\) are not allowed"),
    ("waveform-nan", lambda: jh.Waveform(WT, np.where(WT == WT[5], np.nan, WF)), r"field\[5\] = nan kV/cm is not allowed"),
    ("waveform-order", lambda: jh.Waveform(WT[::-1], WF), r"times\[1\] = 1\.95\d* ps is not allowed: .*increasing"),
    ("waveform-scale", lambda: jh.Waveform(WT, WF, scale=-1.0), r"scale = -1\.0 is not allowed: .*≥ 0"),
    ("waveform-empty-file", "empty", r"waveform file .*trace\.txt has 0 data line\(s\): at least 4"),
    ("waveform-nan-file", "nan-line", r"waveform file .*trace\.txt, line 3: '0\.2 nan' is not allowed: two columns of finite"),
    # simulate: options
    ("rtol-negative", sim(rtol=-1.0), r"rtol = -1\.0 is not allowed: a relative tolerance 0 < rtol < 1"),
    ("rtol-nan", sim(rtol=math.nan), r"rtol = nan is not allowed"),
    ("atol-zero", sim(atol=0.0), r"atol = 0\.0 is not allowed: an absolute tolerance > 0"),
    ("dt-zero", sim(dt=0.0), r"dt = 0\.0 ps is not allowed: a fixed step > 0 ps"),
    ("dt-negative", sim(dt=-0.01), r"dt = -0\.01 ps is not allowed"),
    ("dt-nan", sim(dt=math.nan), r"dt = nan ps is not allowed"),
    ("dt-above-window", sim(dt=5.0), r"dt = 5\.0 ps is not allowed: 0 < dt ≤ the time window 3 ps"),
    ("max-steps-zero", sim(max_steps=0), r"max_steps = 0 is not allowed: an integer ≥ 1"),
    ("max-steps-fraction", sim(max_steps=2.5), r"max_steps = 2\.5 is not allowed: an integer ≥ 1"),
    ("solver-string", sim(solver="dopri8"), r"solver = 'dopri8' is not allowed: give a diffrax solver instance"),
    ("solver-class", sim(solver=diffrax.Dopri8), r"solver = .*Dopri8.* is not allowed: give a diffrax solver instance"),
    ("adjoint-string", sim(adjoint="backsolve"), r"adjoint = 'backsolve' is not allowed: give a diffrax adjoint"),
    ("progress-string", sim(progress="yes"), r"progress = 'yes' is not allowed: True or False"),
    ("unknown-option", sim(tolerance=1e-9), r"unknown option\(s\) \['tolerance'\]"),
    # simulate: times, model, drive
    ("times-short", lambda: jh.simulate(MODEL(), PULSE, [0.0]), r"times has shape \(1,\)"),
    ("times-nan", lambda: jh.simulate(MODEL(), PULSE, np.where(T == T[7], np.nan, T)), r"times\[7\] = nan ps is not allowed"),
    ("times-decreasing", lambda: jh.simulate(MODEL(), PULSE, T[::-1]), r"times\[1\] = 2\.95 ps is not allowed: .*increasing"),
    ("times-string", lambda: jh.simulate(MODEL(), PULSE, "0 to 3"), r"times = '0 to 3' is not allowed"),
    ("times-coarse", lambda: jh.simulate(MODEL(), PULSE, np.linspace(0, 3, 7)), r"times spacing = 0\.5 ps is not allowed: .*≤"),
    ("model-is-material", lambda: jh.simulate(NBN(), PULSE, T), r"model = Superconductor.* is not allowed: give a model"),
    ("drive-is-number", lambda: jh.simulate(MODEL(), 5.0, T), r"drive = 5\.0 is not allowed: give a drive"),
    ("drive-is-material", lambda: jh.simulate(MODEL(), NBN(), T), r"drive = Superconductor.* is not allowed: give a drive"),
    ("quench-above-omegaD", lambda: jh.simulate(MODEL(), jh.Quench(final_gap=25.0), T),
     r"final_gap = 25\.0 meV is not allowed: 0 < Δ_f < ω_D = 20 meV"),
    ("quench-outside-window", lambda: jh.simulate(MODEL(), jh.Quench(final_gap=1.2, time=10.0), T),
     r"Quench time = 10\.0 ps is not allowed: the quench must happen inside the time window \[0, 3\) ps"),
    ("pulse-outside-window", lambda: jh.simulate(MODEL(), jh.GaussianPulse(5.0, 1.0, 0.2, 10.0), T),
     r"the drive acts during \[8\.7, 11\.3\] ps, outside the time window"),
    ("pulse-on-at-start-phase", lambda: jh.simulate(MODEL(), jh.GaussianPulse(5.0, 1.0, 0.5, 0.0, phase=math.pi / 2), T),
     r"times\[0\] = 0 ps is too late: the drive is already on there"),
    # sweeps
    ("sweep-string-axis", lambda: jh.sweep(MODEL(), jh.Quench(final_gap=1.2), T, {"final_gap": "many"}, progress=False),
     r"grid axis 'final_gap' = 'many' is not allowed: a non-empty 1-D array of numbers \(meV\)"),
    ("sweep-nan-axis", lambda: jh.sweep(MODEL(), jh.Quench(final_gap=1.2), T, {"final_gap": [1.1, math.nan]}, progress=False),
     r"grid axis 'final_gap' value = nan is not allowed: finite values \(meV\)"),
    ("sweep-gamma-negative", lambda: jh.sweep(MODEL(), PULSE, T, {"gamma": [0.1, -1.0]}, progress=False),
     r"^grid value gamma = -1\.0 meV is not allowed: a finite impurity rate γ ≥ 0 meV$"),
    ("sweep-final-gap-above-omegaD", lambda: jh.sweep(MODEL(), jh.Quench(final_gap=1.2), T, {"final_gap": [1.1, 30.0]},
                                                      progress=False), r"final_gap = 30\.0 meV is not allowed: .*ω_D = 20"),
    ("sweep-band-3", lambda: jh.sweep(MODEL(), PULSE, T, {"gap_3": [1.0]}, progress=False),
     r"grid parameter 'gap_3' is not allowed: the material has 1 band\(s\), numbered from 1"),
    ("sweep-chunk-size", lambda: jh.sweep(MODEL(), PULSE, T, {"peak_field": [1.0]}, chunk_size=0, progress=False),
     r"chunk_size = 0 is not allowed: an integer ≥ 1"),
    ("sweep-memory-fraction", lambda: jh.sweep(MODEL(), PULSE, T, {"peak_field": [1.0]}, memory_fraction=2.0, progress=False),
     r"memory_fraction = 2\.0 is not allowed: a fraction in \(0, 1\]"),
    ("sweep-sort-by", lambda: jh.sweep(MODEL(), PULSE, T, {"peak_field": [1.0]}, sort_by="mass", progress=False),
     r"sort_by = 'mass' is not allowed: sort by one of the grid axes"),
    ("sweep-rtol", lambda: jh.sweep(MODEL(), PULSE, T, {"peak_field": [1.0]}, rtol=-1.0, progress=False),
     r"rtol = -1\.0 is not allowed"),
    ("sweep-store-file", "store-file", r"store = '.*not-a-dir' is not allowed: it is an existing file"),
    # fits and spectra
    ("fit-temperature-negative", lambda: fit.fit_conductivity(np.linspace(0.2, 2, 10), np.ones(10) + 1j, "mattis-bardeen",
                                                              {"gap": 1.0, "sigma_n": 1.0}, temperature=-5.0),
     r"temperature = -5\.0 K is not allowed: a finite temperature ≥ 0 K"),
    ("fit-n-starts-zero", lambda: fit.fit_conductivity(np.linspace(0.2, 2, 10), np.ones(10) + 1j, "mattis-bardeen",
                                                       {"gap": 1.0, "sigma_n": 1.0}, n_starts=0),
     r"n_starts = 0 is not allowed: an integer ≥ 1"),
    ("fit-duplicate-frequency", lambda: fit.fit_conductivity([0.2, 0.5, 0.5, 1.0], np.ones(4) + 1j, "mattis-bardeen",
                                                             {"gap": 1.0, "sigma_n": 1.0}),
     r"x\[2\] = 0\.5 is not allowed: it repeats x\[1\]"),
    ("fit-nan-frequency", lambda: fit.fit_conductivity([0.2, math.nan, 1.0, 1.5], np.ones(4) + 1j, "mattis-bardeen",
                                                       {"gap": 1.0, "sigma_n": 1.0}),
     r"row 1: x = nan, data = \(1\+1j\) is not allowed: finite values"),
    ("fit-negative-frequency", lambda: fit.fit_conductivity([-0.2, 0.5, 1.0, 1.5], np.ones(4) + 1j, "mattis-bardeen",
                                                            {"gap": 1.0, "sigma_n": 1.0}),
     r"data set 0: x\[0\] \(frequency\) = -0\.2 is not allowed: frequencies > 0 THz"),
    ("fit-empty-window", lambda: fit.fit_global([{"x": np.linspace(0.2, 2, 10), "data": np.ones(10) + 1j,
                                                  "window": (5.0, 6.0)}], "mattis-bardeen", {"gap": 1.0, "sigma_n": 1.0}),
     r"window = \(5\.0, 6\.0\) is not allowed: no data points .* the data cover x in \[0\.2, 2\.0\]"),
    ("chi-nan-frequency", lambda: jh.fit.models.higgs_inverse_susceptibility(np.array([1.0, math.nan]) + 0.1j, 1.0, 0.0),
     r"omega = \[\(1\+0\.1j\), \(nan\+0\.1j\)\] meV is not allowed: a finite number"),
    ("dominant-constant", lambda: spectra.dominant_frequency(T, np.ones_like(T)),
     r"signal = constant 1\.0 is not allowed: a constant signal has no spectral peak"),
    ("dominant-nan", lambda: spectra.dominant_frequency(T, np.where(T == T[3], np.nan, np.sin(T))),
     r"signal \(flat index 3\) = nan is not allowed: finite samples"),
    ("damped-cosine-window", lambda: spectra.fit_damped_cosine(T, np.sin(9 * T), 5.0, 6.0),
     r"fit window \[5\.0, 6\.0\] ps is not allowed: it must lie inside \[0\.0, 3\.0\] ps"),
    # one band, one pulse, one number each; complex times; a tolerance ≥ 1; a quench matrix of the wrong size
    ("band-gap-list", lambda: jh.Band(gap=[1.0, 2.0]), r"gap = \[1\.0, 2\.0\] meV is not allowed: a single number"),
    ("temperature-list", lambda: jh.material.single_band(1.3, 20.0, temperature=[1, 2]),
     r"temperature = \[1, 2\] K is not allowed: a single number"),
    ("masses-float", lambda: jh.material.two_band((7.0, 3.0), 0.02, 50.0, masses=1.0),
     r"masses = 1\.0 is not allowed: give one value per band"),
    ("lattice-string", lambda: jh.models.CleanPseudospin(NBN(), lattice="x"),
     r"lattice = 'x' is not allowed: give a jaxhiggs\.TightBinding"),
    ("pulse-field-list", lambda: jh.GaussianPulse([5.0, 6.0], 1.0, 0.2, 1.0),
     r"peak_field = \[5\.0, 6\.0\] kV/cm is not allowed: a single number"),
    ("complex-times", lambda: jh.simulate(MODEL(), PULSE, T + 0j), r"times = .* is not allowed: .*real times"),
    ("rtol-two", sim(rtol=2.0), r"rtol = 2\.0 is not allowed: a relative tolerance 0 < rtol < 1"),
    ("coupling-scale-shape", lambda: jh.simulate(MODEL(), jh.Quench(coupling_scale=np.ones((3, 3))), T),
     r"coupling_scale = .* is not allowed: a scalar, one factor per band \(1\) or a 1 × 1 matrix"),
    # booleans and strings are not read as numbers or by their truthiness
    ("band-gap-bool", lambda: jh.Band(True), r"gap = True meV is not allowed: give a number, not True/False"),
    ("gamma-bool", lambda: jh.material.single_band(1.3, 20.0, gamma=True),
     r"gamma = True meV is not allowed: give a number, not True/False"),
    ("mb-feedback-string", lambda: jh.models.MattisBardeen(jh.materials.nbn(gamma=2.0), 32, higgs_feedback="false"),
     r"higgs_feedback = 'false' is not allowed: give True or False"),
    # temperatures (k_B T in meV) and couplings of the equilibrium; material densities of states
    ("bcs-temperature-negative", lambda: jh.equilibrium.bcs_equilibrium([1.3], 0.0, EQ_XI, EQ_W, -0.5),
     r"temperature = -0\.5 meV is not allowed: a finite temperature k_B T ≥ 0 meV"),
    ("bcs-temperature-nan", lambda: jh.equilibrium.bcs_equilibrium([1.3], 0.0, EQ_XI, EQ_W, math.nan),
     r"temperature = nan meV is not allowed: a finite temperature k_B T ≥ 0 meV"),
    ("gap-equation-temperature-negative",
     lambda: jh.equilibrium.solve_gap_equation(eq_couplings(), EQ_XI, EQ_W, -0.5, np.array([1.3])),
     r"temperature = -0\.5 meV is not allowed: a finite temperature k_B T ≥ 0"),
    ("pair-sum-temperature-negative", lambda: jh.equilibrium.pair_sum(np.array([1.3]), EQ_XI, EQ_W, -1.0),
     r"temperature = -1\.0 meV is not allowed: a finite temperature k_B T ≥ 0"),
    ("tc-couplings-nan", lambda: jh.equilibrium.critical_temperature(eq_couplings(math.nan), EQ_XI, EQ_W),
     r"couplings = nan is not allowed: finite couplings"),
    ("tc-couplings-repulsive", lambda: jh.equilibrium.critical_temperature(eq_couplings(-1.0), EQ_XI, EQ_W),
     r"couplings = -0\.23\d* is not allowed: they give no superconducting solution on this grid .*attractive"),
    ("band-dos-list", lambda: jh.material.single_band(1.3, 20.0, dos=[1e-2, 2e-2]),
     r"dos = \[0\.01, 0\.02\] is not allowed: a single number .*density of states > 0"),
    ("free-electron-dos-mass", lambda: jh.material.free_electron_dos(-1.0, 1000.0),
     r"mass = -1\.0 is not allowed: a finite band mass > 0"),
    ("free-electron-dos-fermi", lambda: jh.material.free_electron_dos(1.0, math.nan),
     r"fermi_energy = nan meV is not allowed: a finite ε_F > 0 meV"),
    ("sweep-zip-string", lambda: jh.sweep(MODEL(), PULSE, T, {"peak_field": [1.0, 2.0]}, zip="false", progress=False),
     r"zip = 'false' is not allowed: give True or False"),
    # the lattice (TightBinding): every field by name, and a memory guard like the energy grid's
    *[(f"lattice-{key}-{label}", functools.partial(jh.TightBinding, **{key: value}), pattern) for key, value, label, pattern in [
        ("hopping", math.nan, "nan", r"hopping = nan meV is not allowed: a finite hopping J > 0 meV"),
        ("hopping", "100", "string", r"hopping = '100' meV is not allowed: give a number"),
        ("hopping", True, "bool", r"hopping = True meV is not allowed: give a number, not True/False"),
        ("hopping", -5.0, "negative", r"hopping = -5\.0 meV is not allowed: a finite hopping J > 0"),
        ("chemical_potential", math.inf, "inf", r"chemical_potential = inf meV is not allowed: a finite"),
        ("lattice_constant", -1.0, "negative", r"lattice_constant = -1\.0 nm is not allowed: .*a > 0 nm"),
        ("lattice_constant", [1.0, 2.0], "list", r"lattice_constant = \[1\.0, 2\.0\] nm is not allowed: a single"),
        ("polarization", [math.nan, 1.0], "nan", r"polarization = \[nan, 1\.0\] is not allowed: a finite, non-zero"),
        ("polarization", [True, False], "bool", r"polarization = \[True, False\] is not allowed: give a number, not"),
        ("polarization", [0.0, 0.0], "zero", r"polarization = \[0\.0, 0\.0\] is not allowed: .*non-zero .* length 2"),
        ("n_bands", -3, "negative", r"n_bands = -3 is not allowed: an integer ≥ 1"),
        ("dimension", True, "bool", r"dimension = True is not allowed: an integer ≥ 1 and ≤ 3"),
        ("dimension", 2.0, "float", r"dimension = 2\.0 is not allowed: an integer ≥ 1 and ≤ 3"),
        ("n_k", 3, "small", r"n_k = 3 is not allowed: an integer ≥ 4"),
    ]],
    ("lattice-n_k-huge", lambda: jh.TightBinding(dimension=3, n_k=10**4),
     (r"n_k = 10000 is not allowed: a 3-D lattice of 10000\^3 = 1e\+12 k points would need about .* GB of memory .*"
      r"use n_k ≤ \d+ in 3 D")),
    ("lattice-nan-hopping-named", lambda: jh.models.CleanPseudospin(NBN(), lattice=jh.TightBinding(n_k=8, hopping=math.nan)),
     r"hopping = nan meV is not allowed"),  # was reported as a bad v (the pairing matrix of a NaN band)
    # drives: one real, finite number each; a derived amplitude that overflows or underflows is refused
    ("pulse-center-complex", lambda: jh.GaussianPulse(1.0, 0.5, 0.3, 2 + 1j),
     r"center = \(2\+1j\) ps is not allowed: give a real number"),
    ("pulse-phase-complex", lambda: jh.GaussianPulse(1.0, 0.5, 0.3, 2.0, phase=1j), r"phase = 1j rad is not allowed: give a real"),
    ("pulse-center-list", lambda: jh.GaussianPulse(1.0, 0.5, 0.3, [1.0, 2.0]),
     r"center = \[1\.0, 2\.0\] ps is not allowed: a single number"),
    ("pulse-phase-list", lambda: jh.GaussianPulse(1.0, 0.5, 0.3, 2.0, phase=[0.0, 1.0]),
     r"phase = \[0\.0, 1\.0\] rad is not allowed: a single number"),
    ("pulse-A-complex", lambda: jh.GaussianPulse.from_vector_potential(1e-8 + 1e-8j, 0.5, 0.3, 2.0),
     r"amplitude = \(1e-08\+1e-08j\) V·s/m is not allowed: give a real number"),
    ("pulse-A-list", lambda: jh.GaussianPulse.from_vector_potential([1e-8, 2e-8], 0.5, 0.3, 2.0),
     r"amplitude = \[1e-08, 2e-08\] V·s/m is not allowed: a single number"),
    ("pulse-duration-tiny", lambda: jh.GaussianPulse(1.0, 0.5, 1e-300, 2.0),
     r"peak_field = 1\.0 kV/cm is not allowed: .*A₀ \(with frequency = 0\.5 THz, duration = 1e-300 ps\) is nan"),
    ("pulse-frequency-huge", lambda: jh.GaussianPulse(1.0, 1e300, 0.3, 2.0),
     r"peak_field = 1\.0 kV/cm is not allowed: .*A₀ .* underflows to 0"),
    ("pulse-field-huge", lambda: jh.GaussianPulse(1e308, 0.5, 0.3, 2.0), r"peak_field = 1e\+308 kV/cm is not allowed: .* is inf"),
    ("quench-time-complex", lambda: jh.Quench(final_gap=1.0, time=1j), r"time = 1j ps is not allowed: give a real number"),
    ("quench-time-list", lambda: jh.Quench(final_gap=1.0, time=[0.0, 1.0]), r"time = \[0\.0, 1\.0\] ps is not allowed: a single"),
    ("quench-gap-matrix", lambda: jh.Quench(final_gap=[[1.0]]),
     r"final_gap = \[\[1\.0\]\] meV is not allowed: .*one number, or one per band \(got an array of shape \(1, 1\)\)"),
    ("coupling-pulse-center-complex", lambda: jh.CouplingPulse(0.1, 0.3, 2j), r"center = 2j ps is not allowed: give a real"),
    ("coupling-pulse-duration-list", lambda: jh.CouplingPulse(0.1, [0.3, 0.4], 2.0),
     r"duration = \[0\.3, 0\.4\] ps is not allowed: a single number"),
    ("coupling-pulse-amplitude-list", lambda: jh.CouplingPulse([0.1, 0.2], 0.3, 2.0),
     r"amplitude = \[0\.1, 0\.2\] is not allowed: a single number"),
    ("drive-sum-numbers", lambda: jh.DriveSum((1, 2)), r"drives = \(1, 2\) is not allowed: give a non-empty tuple of jaxhiggs"),
    ("drive-sum-string", lambda: jh.DriveSum("ab"), r"drives = 'ab' is not allowed: give a non-empty tuple"),
    ("drive-sum-empty", lambda: jh.DriveSum(()), r"drives = \(\) is not allowed: give a non-empty tuple"),
    # waveforms: real numbers only, one scale
    ("waveform-bool-field", lambda: jh.Waveform(WT[:4], [True, False, True, False]),
     r"field = \[True, False, True, False\] is not allowed: a 1-D array of real numbers \(kV/cm\); got True/False"),
    ("waveform-string-times", lambda: jh.Waveform([str(x) for x in WT], WF),
     r"times = list\(…\) is not allowed: a 1-D array of real numbers \(ps\); got text"),
    ("waveform-complex-field", lambda: jh.Waveform(WT, WF * (1 + 1j)),
     r"field = ndarray\(…\) is not allowed: .*got complex samples \(pass the real part"),
    ("waveform-scale-list", lambda: jh.Waveform(WT, WF, scale=[1.0, 2.0]),
     r"scale = \[1\.0, 2\.0\] is not allowed: a single number"),
    # public grid helpers and unit conversions: no truncation, no reversed grid, no True taken as 1
    ("simpson-weights-float", lambda: jh.grid.simpson_avg_weights(5.9, 1.0), r"n_energies = 5\.9 is not allowed: an integer ≥ 3"),
    ("simpson-weights-string", lambda: jh.grid.simpson_avg_weights("7", 1.0), r"n_energies = '7' is not allowed: an integer"),
    ("simpson-weights-zero", lambda: jh.grid.simpson_avg_weights(0, 1.0), r"n_energies = 0 is not allowed: an integer ≥ 3"),
    ("simpson-spacing-negative", lambda: jh.grid.simpson_avg_weights(5, -1.0), r"spacing = -1\.0 meV is not allowed: .*h > 0"),
    ("midpoint-grid-negative", lambda: jh.grid.midpoint_grid(-5.0, 16), r"omega_D = -5\.0 meV is not allowed: a finite cutoff ω_D > 0"),
    ("midpoint-grid-nan", lambda: jh.grid.midpoint_grid(math.nan, 16), r"omega_D = nan meV is not allowed"),
    ("endpoint-grid-zero", lambda: jh.grid.endpoint_grid(0.0, 16), r"omega_D = 0\.0 meV is not allowed"),
    ("recurrence-bool", lambda: jh.grid.recurrence_time(5.0, True), r"n_energies = True is not allowed: an integer"),
    ("recurrence-negative", lambda: jh.grid.recurrence_time(-5.0, 16), r"omega_D = -5\.0 meV is not allowed"),
    ("grid-memory-bands", lambda: jh.grid.check_grid_memory("X", 10**9, -1, 8.0), r"n_bands = -1 is not allowed: an integer ≥ 1"),
    *[(f"units-{fn}-{label}", functools.partial(getattr(jh.units, fn), value), pattern) for fn, value, label, pattern in [
        ("thz_to_mev", True, "bool", r"frequency_thz = True THz is not allowed: a number or a NumPy/JAX array .* not True/False"),
        ("ps_to_internal", True, "bool", r"time_ps = True ps is not allowed: .*not True/False"),
        ("kelvin_to_mev", np.True_, "npbool", r"temperature_k = True K is not allowed: .*not True/False"),
        ("mev_to_thz", "1", "string", r"energy_mev = '1' meV is not allowed: .*not a str"),
        ("ps_to_internal", [1, 2], "list", r"time_ps = \[1, 2\] ps is not allowed: .*not a list"),
        ("field_to_internal", np.array([True]), "boolarray", r"field_kv_cm = True kV/cm is not allowed: .*not True/False"),
    ]],
    ("units-diamagnetic-sign", lambda: jh.units.diamagnetic_shift(1e-8, 1.0, sign=3),
     r"sign = 3 is not allowed: \+1 \(electron-like band\) or -1"),
    ("units-diamagnetic-mass", lambda: jh.units.diamagnetic_shift(1e-8, 0.0), r"mass_ratio = 0\.0 is not allowed: a band mass"),
]


@pytest.fixture(scope="module", autouse=True)
def warm_up():
    """JAX's one-time backend start-up and the models the cases use are not part of a rejection's cost: the
    cases' own model (its equilibrium compiles) and a two-band one (the v-stability bound's first call);
    measured without this, every other rejection took < 0.5 s."""
    MODEL()
    jh.models.CleanPseudospin(jh.materials.two_band((7.0, 3.0), 0.02, 50.0), 16)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_rejected_fast_and_clearly(case, tmp_path):
    name, call, pattern = case
    if call == "empty":
        call = waveform_file(tmp_path, "# time (ps), field (kV/cm)\n\n")
    elif call == "nan-line":
        call = waveform_file(tmp_path, "0.0 0.0\n0.1 1.0\n0.2 nan\n0.3 0.0\n0.4 0.0\n")
    elif call == "store-file":
        path = tmp_path / "not-a-dir"
        path.write_bytes(b"precious")
        call = lambda: jh.sweep(MODEL(), PULSE, T, {"peak_field": [1.0]}, store=path, progress=False)  # noqa: E731
    start = time.perf_counter()
    with pytest.raises((ValueError, TypeError, FileNotFoundError)) as info:
        call()
    wall = time.perf_counter() - start
    message = str(info.value)
    assert re.search(pattern, message), message
    assert "np.float" not in message and "Array(" not in message, message  # plain Python values
    assert message.count("is not allowed") <= 1, message  # one phrase, not doubled
    assert wall < 1.0, f"{name}: {wall:.2f} s"
    if call is not None and name == "sweep-store-file":
        assert (tmp_path / "not-a-dir").read_bytes() == b"precious"


def test_at_least_sixty_cases_and_all_are_input_errors():
    assert len(CASES) >= 60
    # every rejection raised by our validation is an InputError (a ValueError and a TypeError)
    with pytest.raises(InputError):
        jh.GaussianPulse(math.nan, 1.0, 0.2, 1.0)


def test_valid_edge_inputs_still_accepted():
    """The checks do not refuse what is allowed: quench at the first saved time, T = 0, dt = window."""
    from jaxhiggs.solve import check_times, validate_options, SolverOptions

    check_times(T, jh.Quench(final_gap=1.2, time=0.0))
    check_times(T, jh.GaussianPulse(5.0, 1.0, 0.2, 1.5))
    validate_options(SolverOptions(dt=3.0, max_steps=1e6, solver=None))
    assert SolverOptions(max_steps=1e6).max_steps == 1_000_000




# audit items 1, 2 and 4: NumPy/JAX option values (only tracers skip checks), max_steps beyond JAX's integers,
# free_evolution read by truthiness, times of booleans/strings/objects; each reached the compiled solve before
EARLY_OPTIONS = [
    ("rtol-np-negative", dict(rtol=np.float64(-1.0)), r"^rtol = -1\.0 is not allowed: a relative tolerance 0 < rtol < 1"),
    ("rtol-np-nan", dict(rtol=np.array(np.nan)), r"^rtol = nan is not allowed: a relative tolerance"),
    ("rtol-jax-zero", dict(rtol=jnp.array(0.0)), r"^rtol = 0\.0 is not allowed"),
    ("rtol-vector", dict(rtol=np.array([1e-6, 1e-3])), r"^rtol = \[1e-06, 0\.001\] is not allowed: a single number"),
    ("atol-jax-negative", dict(atol=jnp.array(-1.0)), r"^atol = -1\.0 is not allowed: an absolute tolerance > 0"),
    ("atol-np32-nan", dict(atol=np.float32(np.nan)), r"^atol = nan is not allowed"),
    ("dt-np-negative", dict(dt=np.float64(-0.01)), r"^dt = -0\.01 ps is not allowed: a fixed step > 0 ps"),
    ("dt-jax-zero", dict(dt=jnp.array(0.0)), r"^dt = 0\.0 ps is not allowed: a fixed step > 0 ps"),
    ("max-steps-huge", dict(max_steps=10**30), r"^max_steps = 1" + "0" * 30 + r" is not allowed: an integer ≥ 1 and ≤ 2147483647"),
    ("free-evolution-string", dict(free_evolution="False"), r"^free_evolution = 'False' is not allowed: give True or False"),
    ("free-evolution-no", dict(free_evolution="no"), r"^free_evolution = 'no' is not allowed: give True or False"),
    ("free-evolution-number", dict(free_evolution=np.array(3.0)), r"^free_evolution = 3\.0 is not allowed: give True"),
    ("free-evolution-zero", dict(free_evolution=0), r"^free_evolution = 0 is not allowed: give True or False"),
    ("times-bool", dict(times=np.array([False, True])), r"^times = \[False, True\] is not allowed: .*\(got booleans\)"),
    ("times-strings", dict(times=["0", "0.5", "1"]), r"^times = \['0', '0\.5', '1'\] is not allowed: .*\(got strings\)"),
    ("times-bytes", dict(times=[b"0", b"1"]), r"^times = \[b'0', b'1'\] is not allowed: .*\(got bytes\)"),
    ("times-objects", dict(times=np.array([0, 1], dtype=object)), r"^times = \[0, 1\] is not allowed: .*\(got Python objects\)"),
]


@pytest.mark.parametrize("options, pattern", [c[1:] for c in EARLY_OPTIONS], ids=[c[0] for c in EARLY_OPTIONS])
def test_solver_options_and_times_refused_before_compilation(no_compiled_solve, options, pattern):
    options = dict(options)
    times = options.pop("times", np.linspace(0.0, 1.0, 11))
    with pytest.raises(InputError) as info:
        jh.simulate(MODEL(), jh.NoDrive(), times, **options)
    assert re.search(pattern, str(info.value)), str(info.value)


@pytest.mark.parametrize("options", [dict(rtol=np.float64(1e-6), atol=jnp.array(1e-9)), dict(dt=np.float32(0.01)),
                                     dict(free_evolution=np.bool_(False)), dict(max_steps=2**31 - 1)],
                         ids=["np-tolerances", "np32-dt", "np-bool", "max-steps-bound"])
def test_valid_numpy_options_reach_the_solve(no_compiled_solve, options):
    """The checks refuse by value, not by type: valid NumPy/JAX scalars pass (the stub then raises)."""
    with pytest.raises(ReachedCompiledSolve):
        jh.simulate(MODEL(), jh.NoDrive(), np.linspace(0.0, 1.0, 11), **options)


def test_lattice_valid_values_unchanged():
    """The new checks change no number: the values below were printed by the code before them."""
    lat = jh.TightBinding(dimension=2, n_k=8, hopping=50.0, chemical_potential=-3.0, polarization=[1.0, 2.0])
    np.testing.assert_allclose(lat.polarization, [0.4472135954999579, 0.8944271909999159], rtol=1e-15)
    assert float(lat.cos_k[0, 1]) == pytest.approx(-0.9238795325112867, rel=1e-15)
    assert (float(lat.hopping), float(lat.chemical_potential), lat.n_bands, lat.cos_k.shape) == (50.0, -3.0, 1, (2, 64))


def test_drive_valid_values_unchanged():
    pulse = jh.GaussianPulse(5.0, 1.0, 0.2, 1.0, phase=0.3)
    assert (float(pulse.amplitude), float(pulse.t0), float(pulse.tau)) == pytest.approx(
        (8.595949521484562e-08, 1.5192674479961275, 0.3038534895992255), rel=1e-12)
    seed = jh.GaussianPulse.from_vector_potential(1e-8, 0.5, 0.3, 2.0, phase=-1.6)
    assert float(seed.amplitude) == pytest.approx(1.9441919393393957e-08, rel=1e-12)
    coupling = jh.CouplingPulse(0.1, 0.3, 2.0)
    assert (float(coupling.tau), float(coupling.t0)) == pytest.approx((0.4557802343988382, 3.038534895992255), rel=1e-14)
    assert float(jh.GaussianPulse(0.0, 1.0, 0.2, 1.0).amplitude) == 0.0  # a zero field is no underflow
    assert float(jh.Quench(final_gap=[1.0, 2.0], time=0.0).final_gap[1]) == 2.0  # one gap per band is still fine
    assert jh.Quench(coupling_scale=np.ones((2, 2))).coupling_scale.shape == (2, 2)  # and a matrix of factors
    assert len(jh.DriveSum([pulse, jh.Quench(final_gap=1.0)]).components()) == 2


def test_waveform_valid_values_unchanged():
    wave = jh.Waveform(WT, WF, scale=np.float64(0.5))
    assert float(np.sum(np.asarray(wave.coefficients))) == pytest.approx(-1.1579171262132592e-06, rel=1e-12)
    assert float(wave.coefficients[4, 30]) == pytest.approx(-3.544187941269369e-08, rel=1e-12)
    assert (wave.spectral_limit, float(wave.scale)) == pytest.approx((13.113092696549277, 0.5), rel=1e-12)


def test_grid_and_units_valid_values_unchanged():
    np.testing.assert_allclose(jh.grid.simpson_avg_weights(5, 0.5), [1 / 6, 2 / 3, 1 / 3, 2 / 3, 1 / 6], rtol=1e-15)
    assert float(jh.grid.simpson_avg_weights(np.int64(6), 0.5).sum()) == pytest.approx(2.5, rel=1e-15)
    assert float(jh.grid.midpoint_grid(5.0, 16)[0][0]) == -4.6875
    assert float(jh.grid.recurrence_time(5.0, 100)) == pytest.approx(10 * np.pi, rel=1e-15)
    assert jh.units.thz_to_mev(1.0) == pytest.approx(4.135667696604003, rel=1e-15)
    np.testing.assert_allclose(jh.units.ps_to_internal(np.array([1.0, 2.0])), [1.5192674479961275, 3.038534895992255])
    assert jh.units.diamagnetic_shift(1e-7, 1.0) == pytest.approx(0.8794100053860814, rel=1e-12)
    assert jh.units.mev_to_thz(1 + 0.1j) == pytest.approx(0.24179892422719274 + 0.024179892422719274j)  # complex ω passes


def test_drives_and_lattices_still_build_under_jit_vmap_and_grad():
    """Traced values skip the value checks: sweeps and fits vmap and differentiate drive construction."""
    import jax
    import jax.numpy as jnp

    centers = jnp.array([1.0, 2.0])
    np.testing.assert_allclose(jax.vmap(lambda c: jh.Quench(final_gap=1.0, time=c).time)(centers),
                               np.asarray(centers) / jh.units.TIME_UNIT_PS, rtol=1e-15)
    assert float(jax.jit(lambda c: jh.GaussianPulse(1.0, 1.0, 0.2, c, phase=0.3).t0)(1.0)) == pytest.approx(1.5192674479961275)
    assert float(jax.jit(lambda c: jh.CouplingPulse(0.1, 0.3, c).t0)(1.0)) == pytest.approx(1.5192674479961275)
    amp = jax.jit(lambda a: jh.GaussianPulse.from_vector_potential(a, 0.5, 0.3, 2.0, phase=-1.6).amplitude)(1e-8)
    assert float(amp) == pytest.approx(1.9441919393393957e-08, rel=1e-12)
    # Σ_k ξ_k² with ξ_k = −2J cos k (μ = 0) on the 8 midpoints k = −π + (i + ½)2π/8: Σ cos²k = n_k/2 (n_k ≥ 3), so
    # Σ ξ² = 2 n_k J² and d/dJ = 4 n_k J = 48 at J = 1.5.  (The former energies.sum()**2 has Σ cos k = 0: its
    # gradient is 0 for any J, a value that cannot tell a right derivative from a dropped one.)
    grad = jax.jit(jax.grad(lambda j: (jh.TightBinding(dimension=1, n_k=8, hopping=j).energies ** 2).sum()))(1.5)
    assert float(grad) == pytest.approx(4 * 8 * 1.5, rel=1e-12)
    assert float(jax.jit(jh.units.ps_to_internal)(1.0)) == pytest.approx(1.5192674479961275, rel=1e-15)


def test_equilibrium_and_dos_valid_values_unchanged():
    """T = 0 and T > 0 still give the numbers they gave before the temperature/coupling checks."""
    eq = jh.equilibrium
    u = eq_couplings()
    t_c = eq.critical_temperature(u, EQ_XI, EQ_W)
    assert t_c == pytest.approx(0.7368883331630747, rel=1e-12)  # ≈ Δ/1.764, the BCS ratio
    assert t_c == pytest.approx(1.3 / 1.764, rel=2e-3)
    k0 = np.asarray(eq.pair_sum(np.array([1.3]), EQ_XI, EQ_W, 0.0))
    np.testing.assert_allclose(k0, [np.sum(EQ_W / (2 * np.hypot(EQ_XI, 1.3)))], rtol=1e-12)
    assert float(np.asarray(u)[0, 0] * k0[0]) == pytest.approx(1.0, rel=1e-12)  # the gap equation at T = 0
    np.testing.assert_allclose(eq.bcs_equilibrium([1.3], 0.0, EQ_XI, EQ_W, 0.0).gaps, [1.3])
    e = np.hypot(EQ_XI, 1.3)  # T > 0: the tanh factor (a Newton solve would compile for ~1.5 s)
    np.testing.assert_allclose(eq.pair_sum(np.array([1.3]), EQ_XI, EQ_W, 0.5),
                               [np.sum(EQ_W * np.tanh(e / 1.0) / (2 * e))], rtol=1e-12)
    hbar2_2m = 38.09982  # ħ²/2m_e in meV nm²
    k_f = np.sqrt(0.78 * 1000.0 / hbar2_2m)
    assert float(jh.material.free_electron_dos(0.78, 1000.0)) == pytest.approx(
        0.78 * k_f / (2 * np.pi**2) / hbar2_2m / 2, rel=1e-5)
    assert float(jh.material.single_band(1.3, 20.0, dos=1e-2).dos[0]) == 1e-2


def test_clean_models_say_they_ignore_an_impurity_rate():
    import warnings

    for make in (lambda m: jh.models.CleanPseudospin(m, 64), lambda m: jh.models.DisorderedPseudospin(m, 64)):
        with pytest.warns(UserWarning, match=r"ignores the material's impurity rate gamma = 5.0 meV"):
            make(jh.materials.nbn(gamma=5.0))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            make(jh.materials.nbn())  # γ = 0: nothing to say


@pytest.mark.parametrize("xi_shape, w_shape, pattern", [
    ((1, 50), (1, 50), r"xi has shape \(1, 50\) is not allowed: give \(n_bands, n\) = \(2, n\)"),
    ((2, 50), (2, 40), r"weights has shape \(2, 40\) is not allowed: it must match xi \(2, 50\)"),
    ((100,), (100,), r"xi has shape \(100,\) is not allowed"),
])
def test_bcs_equilibrium_names_a_grid_of_the_wrong_shape(xi_shape, w_shape, pattern):
    """Two target gaps on grids of the wrong shape: named before any computation (it was JAX's broadcasting
    error)."""
    from jaxhiggs.equilibrium import bcs_equilibrium

    xi = np.ones(xi_shape) * np.linspace(-20.0, 20.0, xi_shape[-1])
    with pytest.raises(ValueError, match=pattern):
        bcs_equilibrium(np.array([7.0, 3.0]), 0.02, xi, np.full(w_shape, 0.8), 0.0)
