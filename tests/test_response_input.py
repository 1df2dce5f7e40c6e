"""Input checks of the Schmid–Higgs response (jaxhiggs.response.schmid_higgs).

Every bad input is refused with a ValueError naming the parameter and its value, before any quadrature is
compiled (the cases replace the numerical parts with a tripwire); legitimate inputs (t = 0, ω < 0, traced
arguments) still pass.
"""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxhiggs.response import schmid_higgs as sh

GAP = 0.918
NAN = float("nan")


@pytest.fixture
def no_compile(monkeypatch):
    """Fail if a case gets as far as the numerical work (the checks must come first)."""

    def tripwire(*args, **kwargs):
        raise AssertionError("reached the numerical part: the input was not checked first")

    for name in ("_spectral_quadrature", "_chi_inv_core", "_clean_chi_inv", "quasiparticle_threshold"):
        monkeypatch.setattr(sh, name, tripwire, raising=False)


def _refused(call, *words):
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    for word in words:
        assert re.search(word, message), f"{word!r} not in {message!r}"
    return message


# --------------------------------------------------------------------------- audit defect 1: non-causal output
CASES = [
    # χ(t) is retarded: it gave [0.136, 0.117, 0, -0.117, -0.136] (nonzero before t = 0)
    ("chi-t-negative-times", lambda: sh.susceptibility_time_domain([-2, -1, 0, 1, 2], GAP, 0.1),
     [r"times\[0\] = -2 ps is not allowed", "retarded", "t = 0"]),
    # a response before the quench: it gave [0.918, 0.248, 0.918]
    ("quench-negative-times", lambda: sh.quench_response([-2, 0, 2], GAP, 0.1),
     [r"times\[0\] = -2 ps is not allowed", "quenched at t = 0"]),
    ("chi-t-nan-time", lambda: sh.susceptibility_time_domain([1.0, NAN], GAP, 0.1),
     [r"times\[1\] = nan ps is not allowed", "finite"]),
    ("chi-t-inf-time", lambda: sh.quench_response([np.inf], GAP, 0.1), [r"times\[0\] = inf ps is not allowed"]),
    # it gave "ValueError: cannot convert float NaN to integer"
    ("chi-t-negative-gap", lambda: sh.susceptibility_time_domain([1.0], -0.918, 0.1),
     [r"gap = -0\.918 meV is not allowed", "> 0 meV"]),
    ("chi-t-nan-gap", lambda: sh.quench_response([1.0], NAN, 0.1), [r"gap = nan meV is not allowed"]),
    ("chi-t-nan-pair-breaking", lambda: sh.susceptibility_time_domain([1.0], GAP, NAN),
     [r"pair_breaking = nan meV is not allowed", ">= 0 meV"]),
    ("chi-t-negative-pair-breaking", lambda: sh.quench_response([1.0], GAP, -0.1),
     [r"pair_breaking = -0\.1 meV is not allowed"]),
    ("chi-t-negative-temperature", lambda: sh.susceptibility_time_domain([1.0], GAP, 0.1, temperature=-1.0),
     [r"temperature = -1\.0 K is not allowed", ">= 0 K"]),
    ("chi-t-nan-temperature", lambda: sh.susceptibility_time_domain([1.0], GAP, 0.1, temperature=NAN),
     [r"temperature = nan K is not allowed"]),
    # the Γ = 0 closed form is T = 0 only: the temperature was silently ignored
    ("chi-t-temperature-without-pair-breaking", lambda: sh.quench_response([1.0], GAP, 0.0, temperature=3.0),
     [r"temperature = 3\.0 K with pair_breaking = 0 meV is not supported"]),
    ("chi-t-negative-diffusion", lambda: sh.quench_response([1.0], GAP, 0.1, diffusion_energy=-1.0),
     [r"diffusion_energy = -1\.0 meV is not allowed"]),
    ("chi-t-cutoff-below-resonance", lambda: sh.susceptibility_time_domain([1.0], GAP, 0.1, omega_max_over_gap=2.0),
     [r"omega_max_over_gap = 2\.0 is not allowed", ">= 4"]),
    ("chi-t-n-dense", lambda: sh.susceptibility_time_domain([1.0], GAP, 0.1, n_dense=1),
     [r"n_dense = 1 is not allowed", "≥ 2"]),
    ("chi-t-no-times", lambda: sh.susceptibility_time_domain([], GAP, 0.1), [r"times = \[\] ps is not allowed"]),
    ("chi-t-array-gap", lambda: sh.susceptibility_time_domain([1.0], [0.9, 1.0], 0.1),
     [r"gap = \[0\.9, 1\.0\] meV is not allowed: one number"]),
    # χ⁻¹(ω): a NaN frequency gave a NaN entry and no error
    ("chi-omega-nan", lambda: sh.schmid_higgs_susceptibility([0.5, NAN, 1.0], GAP, 0.1),
     [r"omega\[1\] = nan meV is not allowed", "finite"]),
    ("chi-omega-inf", lambda: sh.schmid_higgs_susceptibility(jnp.array([np.inf]), GAP, 0.0),
     [r"omega\[0\] = inf meV is not allowed"]),
    ("chi-n-nodes", lambda: sh.schmid_higgs_susceptibility([0.5], GAP, 0.1, n_nodes=2),
     [r"n_nodes = 2 is not allowed", "≥ 4"]),
    ("chi-batch-size", lambda: sh.schmid_higgs_susceptibility([0.5], GAP, 0.1, batch_size=0),
     [r"batch_size = 0 is not allowed", "≥ 1"]),
    ("clean-chi-gap-zero", lambda: sh.clean_susceptibility_inverse([0.5], 0.0),
     [r"gap = 0\.0 meV is not allowed", "> 0 meV"]),
    ("clean-chi-omega-nan", lambda: sh.clean_susceptibility_inverse([0.5, NAN], GAP),
     [r"omega\[1\] = nan meV is not allowed"]),
]


@pytest.mark.parametrize("call, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_response_input_is_refused_before_any_compilation(call, words, no_compile):
    _refused(call, *words)


# --------------------------------------------------------------------------- the extraction helpers
EXTRACTION = [
    # it returned 2ε_g = -2.0 meV for Δ = -1 meV
    ("threshold-negative-gap", lambda: sh.threshold_frequency(-1.0, 0.1), [r"gap = -1\.0 meV is not allowed"]),
    ("threshold-nan-pair-breaking", lambda: sh.threshold_frequency(GAP, NAN),
     [r"pair_breaking = nan meV is not allowed"]),
    # it returned (nan, nan): at Γ = 0 Im χ diverges at 2Δ
    ("resonance-no-pair-breaking", lambda: sh.resonance_frequency(GAP, 0.0),
     [r"pair_breaking = 0\.0 meV is not allowed", "diverges at ω = 2Δ"]),
    ("resonance-negative-gap", lambda: sh.resonance_frequency(-1.0, 0.1), [r"gap = -1\.0 meV is not allowed"]),
    ("resonance-nan-grid", lambda: sh.resonance_frequency(GAP, 0.1, omega=[0.1, NAN, 2.0]),
     [r"omega\[1\] = nan meV is not allowed"]),
    ("envelope-nan-chi", lambda: sh.fit_envelope(np.linspace(0.1, 1, 20), np.r_[np.ones(19), NAN], 0.2, 0.9),
     [r"chi_t\[19\] = nan is not allowed"]),
    ("envelope-unsorted-times", lambda: sh.fit_envelope(np.linspace(1, 0.1, 20), np.ones(20), 0.2, 0.9),
     [r"times\[1\] = 0\.95\d* ps is not allowed", "strictly increasing"]),
    ("envelope-nan-time", lambda: sh.fit_envelope(np.r_[np.linspace(0.1, 1, 19), NAN], np.ones(20), 0.2, 0.9),
     [r"times\[19\] = nan ps is not allowed"]),
    ("envelope-nan-window", lambda: sh.fit_envelope(np.linspace(0.1, 1, 20), np.ones(20), 0.2, NAN),
     [r"t_max = nan ps is not allowed"]),
    ("envelope-window-at-zero", lambda: sh.fit_envelope(np.linspace(0.0, 1, 20), np.ones(20), 0.0, 0.9),
     [r"t_min, t_max = \(0\.0, 0\.9\) ps is not allowed", "0 < t_min < t_max"]),
    ("envelope-window-reversed", lambda: sh.fit_envelope(np.linspace(0.1, 1, 20), np.ones(20), 0.9, 0.2),
     [r"t_min, t_max = \(0\.9, 0\.2\) ps is not allowed", "0 < t_min < t_max"]),
]


@pytest.mark.parametrize("call, words", [c[1:] for c in EXTRACTION], ids=[c[0] for c in EXTRACTION])
def test_bad_extraction_input_is_refused(call, words, no_compile):
    _refused(call, *words)


# --------------------------------------------------------------------------- what stays allowed
def _clean_time_domain_reference(t_ps):
    """χ(t) and ∫₀^t χ at Γ = 0, T = 0 from C8's closed form with SciPy's quad (independent of the module).

    χ⁻¹(ω > 2Δ) = √(a² − 1)[arccosh a − iπ/2]/a with a = ω/2Δ (clean_susceptibility_inverse's docstring), so
    Im χ(ω) = (π/2) a / (√(a² − 1)[arccosh²a + π²/4]).  With ω = 2Δ cosh u: Im χ dω = πΔ cosh u/(u² + π²/4) du
    and Im χ dω/ω = (π/2)/(u² + π²/4) du, whose (2/π)∫₀^∞ is exactly 1 = Re χ(0) (Kramers–Kronig).  Then
    χ(t) = (2/π)∫ Im χ sin ωt dω and ∫₀^t χ = 1 − (2/π)∫ Im χ cos ωt/ω dω, without a cut-off (u up to
    arccosh 5, then ω ≥ 10Δ by QAWF), t in ħ/meV.
    """
    from scipy.integrate import quad

    from jaxhiggs import units

    t = float(units.ps_to_internal(t_ps))
    u_max = np.arccosh(5.0)

    def im_chi(w):
        a = w / (2 * GAP)
        return 0.5 * np.pi * a / (np.sqrt(a * a - 1) * (np.arccosh(a) ** 2 + np.pi**2 / 4))

    sin_part = (quad(lambda u: np.pi * GAP * np.cosh(u) / (u * u + np.pi**2 / 4) * np.sin(2 * GAP * np.cosh(u) * t),
                     0.0, u_max, limit=500)[0]
                + quad(im_chi, 10 * GAP, np.inf, weight="sin", wvar=t, limit=500)[0])
    cos_part = (quad(lambda u: 0.5 * np.pi / (u * u + np.pi**2 / 4) * np.cos(2 * GAP * np.cosh(u) * t),
                     0.0, u_max, limit=500)[0]
                + quad(lambda w: im_chi(w) / w, 10 * GAP, np.inf, weight="cos", wvar=t, limit=500)[0])
    return 2 / np.pi * sin_part, 1 - 2 / np.pi * cos_part


def test_legitimate_inputs_still_pass():
    """t = 0, ω < 0 (complex conjugate), the clean closed form, and traced arguments (checks skipped)."""
    c = sh.susceptibility_time_domain([0.0, 0.5, 1.0], GAP, 0.0)
    assert c.shape == (3,) and abs(c[0]) < 1e-12
    q = sh.quench_response(np.array([0.0, 1.0]), GAP, 0.0)
    chi_ref, q_ref = _clean_time_domain_reference(1.0)
    assert abs(c[2] - chi_ref) < 1e-3  # measured 1e-4: the cos² cut-off at 60Δ (exact only for t ≫ 1/ω_max)
    assert abs(q[1] - q_ref) < 1e-4  # measured 2e-6
    w = jnp.array([-1.0, 0.5, 2.5])
    v = np.asarray(sh.schmid_higgs_susceptibility(w, GAP, 0.0))
    assert np.isclose(v[0], np.conj(np.asarray(sh.clean_susceptibility_inverse(1.0, GAP))))
    jitted = np.asarray(jax.jit(sh.clean_susceptibility_inverse)(w, GAP))
    assert np.allclose(jitted, v)
    assert np.allclose(jax.vmap(lambda g: sh.clean_susceptibility_inverse(w, g))(jnp.array([GAP, 1.0]))[0], v)
    assert float(jax.grad(lambda g: sh.threshold_frequency(g, 0.0))(GAP)) == pytest.approx(2.0)
    assert float(sh.threshold_frequency(GAP, 2.0)) == 0.0  # gapless
