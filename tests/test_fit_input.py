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
]


@pytest.mark.parametrize("call", [c[1] for c in LEGITIMATE], ids=[c[0] for c in LEGITIMATE])
def test_legitimate_data_input_reaches_the_fit(call):
    with pytest.raises(Reached):
        call()
