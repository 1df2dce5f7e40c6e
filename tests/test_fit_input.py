"""Input checks of the measured data of a fit: ``uncertainty``, ``window`` and ``weights`` (jaxhiggs.fit).

Bad values are refused with a ValueError naming the parameter, the first bad index and its value, the same way
for real and complex data, before anything is compiled: the residual builder is replaced by a tripwire, so a
case that gets past the checks fails at once instead of running (and compiling) a fit.
"""

import re

import numpy as np
import pytest

from jaxhiggs import fit
from jaxhiggs.fit import least_squares

NAN, INF = float("nan"), float("inf")
X = np.linspace(0.2, 2.0, 12)
SIGMA = np.ones(12) + 1j  # complex σ₁ + iσ₂
CURVE = np.linspace(1.0, 2.0, 12)  # a real curve
MB = ("mattis-bardeen", {"gap": 1.0, "sigma_n": 1.0})


class Reached(Exception):
    """The inputs passed every check and the fit went on to build (compile) its residuals."""


@pytest.fixture(autouse=True)
def tripwire(monkeypatch):
    def reached(*args, **kwargs):
        raise Reached

    monkeypatch.setattr(least_squares, "_residual_functions", reached)


def _with(index, value, base=0.01, n=12):
    out = np.full(n, base, dtype=np.result_type(base, value))
    out[index] = value
    return out


def _sigma(**options):
    return lambda: fit.fit_conductivity(X, SIGMA, *MB, **options)


def _sigma1(**options):
    return lambda: fit.fit_conductivity(X, CURVE, *MB, component="sigma1", **options)


CASES = [
    # audit: one NaN ended in "RuntimeError: every start gave a non-finite χ²" (never naming the parameter)
    ("complex-nan-uncertainty", _sigma(uncertainty=_with(3, NAN)), r"uncertainty\[3\] = nan is not allowed"),
    ("real-nan-uncertainty", _sigma1(uncertainty=_with(4, NAN)), r"uncertainty\[4\] = nan is not allowed"),
    # audit: inf on half the points was accepted (they dropped out of χ² but still counted in n_data/dof)
    ("complex-inf-uncertainty", _sigma(uncertainty=np.r_[np.full(6, INF), np.full(6, 0.01)]),
     r"uncertainty\[0\] = inf is not allowed"),
    ("real-inf-uncertainty", _sigma1(uncertainty=np.r_[np.full(6, 0.01), np.full(6, INF)]),
     r"uncertainty\[6\] = inf is not allowed"),
    # audit: a negative uncertainty was silently abs()'d for real data, refused (without index) for complex data
    ("real-negative-uncertainty", _sigma1(uncertainty=_with(2, -0.01)), r"uncertainty\[2\] = -0\.01 is not allowed"),
    ("complex-negative-uncertainty", _sigma(uncertainty=_with(2, -0.01)),
     r"uncertainty\[2\] = -0\.01 is not allowed"),
    ("thg-negative-uncertainty", lambda: fit.fit_thg(X, CURVE, initial={"gap": 1.0, "eta": 0.1, "scale": 1.0},
                                                     uncertainty=-1.0), r"uncertainty = -1\.0 is not allowed"),
    ("zero-uncertainty", _sigma(uncertainty=0.0), r"uncertainty = 0\.0 is not allowed"),
    ("complex-zero-imaginary-part", _sigma(uncertainty=_with(1, 0.01 + 0j, base=0.01 + 0.01j)),
     r"uncertainty\[1\] = \(0\.01\+0j\) is not allowed"),
    ("uncertainty-shape", _sigma(uncertainty=np.ones(5)),
     r"uncertainty has shape \(5,\) is not allowed: it must broadcast to the data's shape \(12,\)"),
    ("uncertainty-second-data-set", lambda: fit.fit_global([{"x": X, "data": SIGMA},
                                                            {"x": X, "data": SIGMA, "uncertainty": _with(5, NAN)}], *MB),
     r"data set 1: uncertainty\[5\] = nan is not allowed"),
    ("transmission-nan-uncertainty",
     lambda: fit.fit_transmission(X, SIGMA, "zimmermann", {"gap": 1.0, "gamma": 5.0, "sigma_n": 1e6}, thickness=15.0,
                                  substrate_index=3.1, uncertainty=_with(7, NAN + 0.01j, base=0.01 + 0.01j)),
     r"uncertainty\[7\] = \(nan\+0\.01j\) is not allowed"),
    # audit: window=(0.15,) gave "ValueError: not enough values to unpack (expected 2, got 1)"
    ("window-one-value", _sigma(window=(0.15,)), r"window = \(0\.15,\) is not allowed: a pair \(low, high\)"),
    ("window-reversed", _sigma(window=(2.0, 0.5)), r"window = \(2\.0, 0\.5\) is not allowed: a pair \(low, high\)"),
    ("window-empty-interval", _sigma1(window=(1.0, 1.0)), r"window = \(1\.0, 1\.0\) is not allowed: .*low < high"),
    ("window-nan", _sigma(window=(0.1, NAN)), r"window = \(0\.1, nan\) is not allowed: a pair \(low, high\) of finite"),
    ("window-inf", _sigma1(window=(0.1, INF)), r"window = \(0\.1, inf\) is not allowed: .*None for an open side"),
    ("window-text", _sigma(window="0.1-2"), r"window = '0\.1-2' is not allowed"),
    ("window-series", lambda: fit.fit_temperature_series([4.0, 6.0], X, [SIGMA, SIGMA], "zimmermann",
                                                         {"gap": 1.0, "gamma": 5.0, "sigma_n": 1e6}, thickness=15.0,
                                                         substrate_index=3.1, window=(0.3, 0.2)),
     r"data set 0: window = \(0\.3, 0\.2\) is not allowed: a pair"),
    # weights: a NaN weight made every residual NaN; a single number for complex data failed to unpack
    ("weights-nan", _sigma(weights=(1.0, NAN)), r"weights = \(1\.0, nan\) is not allowed: finite weights > 0"),
    ("weights-one-number-for-complex", _sigma(weights=2.0), r"weights = 2\.0 is not allowed: .*a pair \(w₁, w₂\)"),
    ("weights-negative-real", _sigma1(weights=-1.0), r"weights = -1\.0 is not allowed"),
    # audit: per-point weights of a real curve were reduced to weights[0]; mask ["no", ...] was coerced with bool()
    ("weights-per-point-real", _sigma1(weights=np.r_[1.0, np.full(11, 10.0)]),
     r"weights = \[1\.0, 10\.0, .*\] is not allowed: one number for a real curve .*uncertainty="),
    ("weights-pair-thg", lambda: fit.fit_thg(X, CURVE, initial=THG, weights=(2, 1e6)),
     r"weights = \(2, 1000000\.0\) is not allowed: one number for a real curve"),
    ("mask-strings", _sigma(mask=["no"] * 12), r"mask of dtype <U2 is not allowed: a boolean array .* shape \(12,\)"),
    ("mask-numbers", _sigma1(mask=np.ones(12)), r"mask of dtype float64 is not allowed: a boolean array"),
    ("mask-shape", _sigma(mask=np.ones(5, bool)), r"mask has shape \(5,\) is not allowed: .* shape \(12,\)"),
]

THG = {"gap": 1.0, "eta": 0.1, "scale": 1.0}
TWO_BAND = {"gap_1": 7.0, "gap_2": 3.0, "v": 0.1, "gamma_1": 5.0, "gamma_2": 5.0, "weight_1": 0.5}
T_CURVE = np.linspace(2.0, 10.0, 12)  # temperatures (K) of a THG-vs-T curve
SERIES = {"initial": {"gap": 1.3, "gamma": 5.0, "sigma_n": 1e6}, "thickness": 15.0, "substrate_index": 3.1}


def _zimmermann(initial, **options):
    return lambda: fit.fit_conductivity(X, SIGMA, "zimmermann", initial, **options)


def _thg_vs_t(drive, **initial):
    return lambda: fit.fit_thg(T_CURVE, CURVE, "higgs-thg-temperature", dict(THG, **initial), drive_frequency=drive)


ZG = {"gap": 1.3, "gamma": 5.0}
CASES += [
    # audit: bool and str parameter values were converted (True → 1 meV, "1.3" → 1.3); lists gave a bare TypeError
    ("initial-bool", _zimmermann({"gap": True, "gamma": 5.0}), r"initial\['gap'\] = True is not allowed: give a number"),
    ("initial-text", _zimmermann({"gap": "1.3", "gamma": 5.0}), r"initial\['gap'\] = '1\.3' is not allowed"),
    ("initial-list", _zimmermann({"gap": [1.3], "gamma": 5.0}), r"initial\['gap'\] = \[1\.3\] is not allowed: a single"),
    ("tie-factor-nan", _zimmermann(ZG, ties={"sigma_n": ("gap", NAN)}), r"ties\['sigma_n'\] factor = nan is not allowed"),
    ("tie-factor-bool", _zimmermann(ZG, ties={"sigma_n": ("gap", True)}),
     r"ties\['sigma_n'\] factor = True is not allowed: give a number"),
    ("tie-one-element", _zimmermann(ZG, ties={"sigma_n": ("gap",)}),
     r"ties\['sigma_n'\] = \('gap',\) is not allowed: a parameter name, or a pair"),
    ("bounds-bool", _zimmermann(ZG, bounds={"gap": (True, 3.0)}), r"bounds\['gap'\] = True is not allowed"),
    ("bounds-nan", _zimmermann(ZG, bounds={"gap": (NAN, 3.0)}), r"bounds\['gap'\] = nan is not allowed"),
    ("fixed-bare-string", _zimmermann(ZG, fixed="gamma"),
     r"fixed = 'gamma' is not allowed: give a list or tuple of parameter names, e\.g\. fixed=\('gamma',\)"),
    ("local-bare-string", lambda: fit.fit_global([{"x": X, "data": SIGMA}], "zimmermann", ZG, local="gap"),
     r"local = 'gap' is not allowed: give a list or tuple"),
    ("scale-covar-text", _zimmermann(ZG, scale_covar="false"), r"scale_covar = 'false' is not allowed: give True or False"),
    ("progress-text", _zimmermann(ZG, progress="no"), r"progress = 'no' is not allowed: give True or False"),
    # audit: physically impossible starts of the closed-form models (NaN curves, a curve even in η) reached compilation
    ("zimmermann-negative-gap", _zimmermann({"gap": -1.3, "gamma": 5.0}),
     r"initial\['gap'\] = -1\.3 meV is not allowed: a finite gap > 0 meV"),
    ("zimmermann-negative-gamma", _zimmermann({"gap": 1.3, "gamma": -5.0}),
     r"initial\['gamma'\] = -5\.0 meV is not allowed: a finite scattering rate γ > 0 meV"),
    ("mattis-bardeen-negative-gap", lambda: fit.fit_conductivity(X, SIGMA, "mattis-bardeen", {"gap": -1.3}),
     r"initial\['gap'\] = -1\.3 meV is not allowed"),
    ("local-gap-copy", lambda: fit.fit_global([{"x": X, "data": SIGMA}] * 2, "zimmermann",
                                              {"gap[0]": 1.3, "gap[1]": -1.0, "gamma": 5.0}, local=("gap",)),
     r"initial\['gap\[1\]'\] = -1\.0 meV is not allowed"),
    ("tied-negative-gap", lambda: fit.fit_conductivity(X, SIGMA, "two-band-zimmermann", TWO_BAND,
                                                       ties={"gap_2": ("gap_1", -0.5)}),
     r"gap_2 \(tied: -0\.5 × gap_1\) = -3\.5 meV is not allowed: a finite gap > 0"),
    ("thg-negative-eta", lambda: fit.fit_thg(X, CURVE, "higgs-thg", dict(THG, eta=-0.05)),
     r"initial\['eta'\] = -0\.05 meV is not allowed: a finite broadening η > 0 meV"),
    ("two-band-weight", lambda: fit.fit_conductivity(X, SIGMA, "two-band-zimmermann", dict(TWO_BAND, weight_1=1.7)),
     r"initial\['weight_1'\] = 1\.7 is not allowed: a finite weight in \[0, 1\]"),
    ("two-band-zero-gamma", lambda: fit.fit_conductivity(X, SIGMA, "two-band-zimmermann", dict(TWO_BAND, gamma_2=0)),
     r"initial\['gamma_2'\] = 0\.0 meV is not allowed"),
    ("two-band-dos", lambda: fit.fit_conductivity(X, SIGMA, "two-band-zimmermann", TWO_BAND,
                                                  model_options={"dos": (1.0, -1.0)}),
     r"dos = \(1\.0, -1\.0\) is not allowed: 2 densities of states > 0, one per band"),
    ("two-band-dos-one-entry", lambda: fit.fit_conductivity(X, SIGMA, "two-band-zimmermann", TWO_BAND,
                                                            model_options={"dos": (1.0,)}),
     r"dos = \(1\.0,\) is not allowed: 2 densities .* not broadcast"),
    ("omega-d", lambda: fit.fit_conductivity(X, SIGMA, "two-band-zimmermann", TWO_BAND, model_options={"omega_d": -50.0}),
     r"omega_d = -50\.0 meV is not allowed: a finite cut-off ω_D > 0 meV"),
    ("bcs-omega-d", lambda: fit.fit_temperature_series([4.0], X, SIGMA, model_options={"omega_d": 0.0}, **SERIES),
     r"omega_d = 0\.0 meV is not allowed"),
    # audit: drive_frequency was never checked (−Ω gives the curve of +Ω; NaN and text reached compilation)
    ("drive-negative", _thg_vs_t(-0.4), r"drive_frequency = -0\.4 THz is not allowed: a finite drive frequency > 0 THz"),
    ("drive-zero", _thg_vs_t(0.0), r"drive_frequency = 0\.0 THz is not allowed"),
    ("drive-nan", _thg_vs_t(NAN), r"drive_frequency = nan THz is not allowed"),
    ("drive-text", _thg_vs_t("0.4"), r"drive_frequency = '0\.4' THz is not allowed: give a number"),
    ("drive-thg-vs-t-negative-gap", _thg_vs_t(0.4, gap=-1.0), r"initial\['gap'\] = -1\.0 meV is not allowed"),
    ("drive-thg-vs-t-dos", lambda: fit.fit_thg(T_CURVE, CURVE, "higgs-thg-temperature", THG, drive_frequency=0.4,
                                               model_options={"dos": (1.0, 1.0)}),
     r"dos = \(1\.0, 1\.0\) is not allowed: 1 densities of states > 0, one per band"),
    # audit: temperatures=True was read as 1 K, [3, "x"] gave a bare conversion error
    ("series-temperatures-bool", lambda: fit.fit_temperature_series(True, X, [SIGMA], **SERIES),
     r"temperatures = True K is not allowed: give a number, not True/False"),
    ("series-temperatures-text", lambda: fit.fit_temperature_series([3, "x"], X, [SIGMA, SIGMA], **SERIES),
     r"temperatures = \[3, 'x'\] K is not allowed"),
    ("series-temperatures-negative", lambda: fit.fit_temperature_series([3, -1], X, [SIGMA, SIGMA], **SERIES),
     r"temperatures = \[3, -1\] K is not allowed: finite temperatures ≥ 0 K"),
    ("series-one-t-two-temperatures", lambda: fit.fit_temperature_series([3.0, 4.0], X, SIGMA, **SERIES),
     r"transmission holds 1 data set\(s\) but temperatures has 2"),
]


@pytest.mark.parametrize("call, pattern", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_data_input_is_refused_before_compiling(call, pattern):
    with pytest.raises(ValueError) as info:
        call()
    assert re.search(pattern, str(info.value)), str(info.value)


LEGITIMATE = [
    ("no-uncertainty", _sigma()),
    ("scalar-uncertainty", _sigma(uncertainty=0.02)),
    ("complex-uncertainty", _sigma(uncertainty=np.full(12, 0.01 + 0.02j))),
    ("real-uncertainty-for-complex-data", _sigma(uncertainty=np.linspace(0.01, 0.02, 12))),
    ("real-curve-uncertainty", _sigma1(uncertainty=np.linspace(0.01, 0.02, 12), weights=2.0)),
    ("window-open-side", _sigma(window=(0.5, None))),
    ("window-list-and-numpy", _sigma1(window=[np.float64(0.3), 1]),),
    ("weights-pair", _sigma(weights=(1.0, 0.5))),
    # a point the fit does not use may carry any uncertainty: masked out, or outside the window
    ("bad-uncertainty-masked-out", _sigma(uncertainty=_with(0, 0.0), mask=np.arange(12) > 0)),
    ("nan-uncertainty-outside-window", _sigma1(uncertainty=_with(0, NAN), window=(0.3, None))),
    ("thg", lambda: fit.fit_thg(X, CURVE, initial={"gap": 1.0, "eta": 0.1, "scale": 1.0}, uncertainty=0.1 * CURVE,
                                window=(0.3, 1.8))),
    ("thg-one-weight", lambda: fit.fit_thg(X, CURVE, initial=THG, weights=[2.0])),
    ("mask-numpy-bool", _sigma1(mask=np.arange(12) % 3 > 0)),
    ("tie-factor", _zimmermann(ZG, ties={"sigma_n": ("gap", 2)})),
    ("bounds-open-side", _zimmermann(ZG, bounds={"gap": (None, 3), "gamma": (0.5, np.inf)})),
    ("fixed-list-and-flags", _zimmermann(ZG, fixed=["gamma"], scale_covar=np.bool_(False), progress=False)),
    ("two-band-dos-list", lambda: fit.fit_conductivity(X, SIGMA, "two-band-zimmermann", dict(TWO_BAND, weight_1=1.0),
                                                       model_options={"dos": [1, 2], "omega_d": 40})),
    ("thg-vs-t", _thg_vs_t(np.float64(0.4))),
    # audit: one 1-D t(ω) for one temperature gave "holds 1 data set(s) but temperatures has 1"
    ("series-one-1d-transmission", lambda: fit.fit_temperature_series([4.0], X, SIGMA, **SERIES)),
    ("series-scalar-temperature", lambda: fit.fit_temperature_series(4.0, X, list(SIGMA), **SERIES)),
    ("series-array", lambda: fit.fit_temperature_series(np.array([3.0, 4.0]), X, np.stack([SIGMA, SIGMA]), **SERIES)),
]


@pytest.mark.parametrize("call", [c[1] for c in LEGITIMATE], ids=[c[0] for c in LEGITIMATE])
def test_legitimate_data_input_reaches_the_fit(call):
    with pytest.raises(Reached):
        call()


# --------------------------------------------------------------------------- fit configurations (TOML tables)
@pytest.mark.parametrize("spec, pattern", [
    # audit: `gamma = { value = true, vary = "false" }` gave γ = 1 meV and kept it free ("false" is truthy)
    ({"value": True}, r"parameters\.gamma\.value = True is not allowed: give a number, not True/False"),
    ({"value": "1.0"}, r"parameters\.gamma\.value = '1\.0' is not allowed: give a number"),
    ({"value": 1.0, "vary": "false"}, r"parameters\.gamma\.vary = 'false' is not allowed: give True or False"),
    ({"value": 1.0, "vary": 0}, r"parameters\.gamma\.vary = 0 is not allowed: give True or False"),
    ({"value": 1.0, "lower": False}, r"parameters\.gamma\.lower = False is not allowed"),
    ({"value": 1.0, "upper": "9"}, r"parameters\.gamma\.upper = '9' is not allowed"),
])
def test_config_parameter_tables_are_checked(spec, pattern):
    from jaxhiggs.fit import config

    with pytest.raises(ValueError, match=pattern):
        config._parameters({"parameters": {"gamma": spec}})


def test_config_parameter_tables_accept_numbers_and_booleans():
    from jaxhiggs.fit import config

    initial, bounds, fixed = config._parameters({"parameters": {"gamma": {"value": 5, "vary": False, "lower": 0.5},
                                                                "gap": 1.3}})
    assert initial == {"gamma": 5.0, "gap": 1.3} and bounds == {"gamma": (0.5, None)} and fixed == ("gamma",)


# --------------------------------------------------------------------------- gap equation helpers of fit.models
@pytest.mark.parametrize("call, pattern", [
    # audit: T = −5 K was clipped to 0 (the T = 0 gap came back); NaN T likewise
    (lambda m: m.band_gaps([1.3], 0.0, -5.0), r"temperature_k = -5\.0 K is not allowed: a finite temperature ≥ 0 K"),
    (lambda m: m.band_gaps([1.3], 0.0, NAN), r"temperature_k = nan K is not allowed"),
    # audit: a one-entry dos for two bands was broadcast (= equal densities of states)
    (lambda m: m.band_gaps([7.0, 3.0], 0.02, 20.0, dos=(0.5,)), r"dos = \(0\.5,\) is not allowed: 2 densities"),
    (lambda m: m.band_gaps([1.3], 0.0, 2.0, omega_d=-50.0), r"omega_d = -50\.0 meV is not allowed"),
    # audit: T_c(NaN) = 1e-5 K; negative gaps or ω_D gave the T_c of their absolute values
    (lambda m: m.critical_temperature_k(NAN), r"zero_gaps = nan meV is not allowed: finite T → 0 gaps > 0 meV"),
    (lambda m: m.critical_temperature_k(-1.3), r"zero_gaps = -1\.3 meV is not allowed"),
    (lambda m: m.critical_temperature_k(1.3, omega_d=-50), r"omega_d = -50 meV is not allowed"),
    (lambda m: m.critical_temperature_k([7.0, 3.0], 0.02, dos=(2.0,)), r"dos = \(2\.0,\) is not allowed: 2 densities"),
    (lambda m: m.critical_temperature_k([7.0, 3.0], 0.02, dos=(1.0, 0.0)), r"dos = \(1\.0, 0\.0\) is not allowed"),
])
def test_gap_equation_helpers_refuse_bad_input(call, pattern):
    from jaxhiggs.fit import models

    with pytest.raises(ValueError, match=pattern):
        call(models)


# --------------------------------------------------------------------------- profile likelihood
def _profile_problem():
    """A two-parameter problem a·exp(−b x) with its optimum at (1, 2), cheap to compile."""
    import jax.numpy as jnp

    from jaxhiggs.fit.models import HIGGS_THG
    from jaxhiggs.fit.result import FitResult

    params = fit.Parameters.build(("a", "b"), ("a", "b"), {}, {"a": 1.0, "b": 2.0}, None, (), None)
    x = jnp.linspace(0.0, 1.0, 20)

    def residual_u(u, args):
        p = params.to_physical(u)
        return (p[0] * jnp.exp(-p[1] * x) - jnp.exp(-2.0 * x)) / 0.01

    problem = least_squares._Problem(residual_u, params, None, np.array([1.0, 2.0]), True, 1.0, 0.0)
    return FitResult({"a": 1.0, "b": 2.0}, {"a": 0.01, "b": 0.02}, np.eye(2), np.eye(2), ("a", "b"), 0.0, 1.0, 20, 2,
                     True, "ok", HIGGS_THG, "lm", 1, problem=problem)


@pytest.mark.parametrize("options, pattern", [
    # audit: tol = −1 and max_steps = 0 silently gave a 1σ interval ~1/3 too narrow; 2.5 gave optimistix's message
    ({"tol": -1.0}, r"tol = -1\.0 is not allowed: a finite tolerance > 0"),
    ({"tol": NAN}, r"tol = nan is not allowed"),
    ({"max_steps": 0}, r"max_steps = 0 is not allowed: an integer ≥ 1"),
    ({"max_steps": 2.5}, r"max_steps = 2\.5 is not allowed: an integer ≥ 1"),
    ({"max_steps": True}, r"max_steps = True is not allowed"),
])
def test_profile_likelihood_options_are_checked_before_compiling(monkeypatch, options, pattern):
    from jaxhiggs.fit import profile

    def reached(*args, **kwargs):
        raise Reached

    monkeypatch.setattr(profile, "_solver", reached)
    result = _profile_problem()
    with pytest.raises(ValueError, match=pattern):
        fit.profile_likelihood(result, "a", **options)
    with pytest.raises(Reached):  # the same call with good options goes on to build the solver
        fit.profile_likelihood(result, "a")


def test_profile_points_that_did_not_converge_are_flagged_and_left_out(monkeypatch):
    """The re-optimisation at a = 1.015 did not converge (its χ² = 50 is not the profile's 2.25): it is named in a
    warning, flagged in Profile.converged and skipped, so the upper crossing comes from its converged neighbours.
    The solver is a stand-in (a compiled LM takes > 1 s); the real one reports convergence in test_fit_thz."""
    import jax.numpy as jnp

    from jaxhiggs.fit import profile

    def run(u_k, u_other0, args):
        return jnp.array([9.0, 2.25, 0.0, 50.0, 9.0]), jnp.array([True, True, True, False, True])

    monkeypatch.setattr(profile, "_solver", lambda *args: (run, [1]))
    with pytest.warns(RuntimeWarning, match=r"profile of a: the re-optimisation at a = 1\.015 did not converge "
                                            r"within max_steps = 7 \(tol = 1e-08\)"):
        prof = fit.profile_likelihood(_profile_problem(), "a", n_points=5, span=3.0, max_steps=7, tol=1e-8)
    assert prof.converged.tolist() == [True, True, True, False, True]
    low, high = prof.interval
    assert low == pytest.approx(1 - 0.015 / 2.25) and high == pytest.approx(1 + 0.03 / 9)  # not 1 + 0.015/50
    assert "1 point(s) not converged (left out)" in str(prof)
