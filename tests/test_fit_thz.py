"""Issue 12: fitting the measured THz transmission t(ω) directly (fit_transmission, fit_temperature_series,
profile likelihood, report warnings)."""

import numpy as np
import pytest

from jaxhiggs import fit, thz
from jaxhiggs.fit import models as fit_models

D, NS = 15.0, 3.1  # nm, MgO-like substrate index
TIMES = np.arange(0.0, 40.0, 0.025)  # ps
REF = thz.single_cycle_pulse(TIMES, center=10.0, width=0.15)


def drude(p, nu, temperature=0.0):
    """Drude σ (S/m) with the scattering rate in THz: a cheap callable model (fast to compile)."""
    return p["sigma_n"] / (1 - 1j * nu / p["gamma_thz"])


def _measure(transmission_fn, seed, noise=0.01):
    sample = thz.apply_transmission(TIMES, REF, transmission_fn, max_frequency=8.0)
    s = thz.add_noise(sample, noise, seed)
    r = thz.add_noise(REF, noise, seed + 7919)
    return thz.transmission_noise(TIMES, s, TIMES, r, noise=noise, frequency_range=(0.2, 2.5))


DRUDE_TRUTH = {"sigma_n": 5e5, "gamma_thz": 2.0, "mismatch": 4.0}


def _drude_fit():
    model = lambda nu: np.asarray(thz.thin_film_transmission(nu, drude(DRUDE_TRUTH, nu), D, NS, mismatch=4.0))
    nu, t, noise = _measure(model, seed=3)
    return fit.fit_transmission(nu, t, drude, {"sigma_n": 3e5, "gamma_thz": 1.0, "mismatch": 0.0},
                                bounds={"sigma_n": (1e4, 1e7), "gamma_thz": (0.1, 20), "mismatch": (-50, 50)},
                                thickness=D, substrate_index=NS, uncertainty=noise)


def test_fit_transmission_recovers_drude_and_mismatch():
    """1 % field noise on both traces; σ_n, γ and ΔL = 4 µm recovered within 3σ, χ²_red ≈ 1."""
    res = _drude_fit()
    print(res.report())
    assert res.success and 0.7 < res.redchi < 1.3
    for k, v in DRUDE_TRUTH.items():
        assert abs(res.values[k] - v) < 3 * res.stderr[k], (k, res.values[k], res.stderr[k])
    assert abs(res.values["mismatch"] - 4.0) < 1.0 and res.stderr["mismatch"] < 0.5
    assert np.isfinite(res.aic) and res.bic > res.aic  # k ln n > 2k for n > e²


@pytest.mark.slow
def test_profile_likelihood_interval_matches_the_jacobian_error():
    """The vmapped profile of ΔL rises by χ²_red at ≈ ± the standard error (a nearly linear problem)."""
    res = _drude_fit()
    prof = fit.profile_likelihood(res, "mismatch", n_points=9, span=2.5)
    print(prof)
    assert prof.converged.all()  # every re-optimisation converged (optimistix's own result, not assumed)
    lo, hi = prof.interval
    err = res.stderr["mismatch"]
    assert abs((res.values["mismatch"] - lo) / err - 1) < 0.2 and abs((hi - res.values["mismatch"]) / err - 1) < 0.2


def test_covariance_flags_unidentifiable_combinations_and_bounds():
    """The checks behind the report's warnings, on a Jacobian with two proportional columns (σ_n and d enter a
    thin film only as σ_n·d)."""
    from jaxhiggs.fit import least_squares as ls

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(50), rng.standard_normal(50)
    jac = np.stack([a, 3e5 * b, 2e-3 * b], axis=1)  # columns 1 and 2 proportional
    cov, involved = ls._covariance(jac.T @ jac)
    assert involved == (1, 2)
    np.testing.assert_allclose(cov[0, 0], 1 / (a @ a - (a @ b) ** 2 / (b @ b)), rtol=1e-8)
    assert ls._at_bound(1.4999979, 0.1, 1.5) and not ls._at_bound(1.4, 0.1, 1.5)
    assert ls._at_bound(1e-9, 0.0, np.inf) and not ls._at_bound(0.5, 0.0, np.inf)


@pytest.mark.slow
def test_report_warns_about_degenerate_and_bound_parameters():
    """σ_n and d enter only as σ_n·d (thin film): both free → an 'only a combination' warning; a bound hit is flagged."""
    truth = {"sigma_n": 5e5, "gamma_thz": 2.0}
    model = lambda nu: np.asarray(thz.thin_film_transmission(nu, drude(truth, nu), D, NS))
    nu, t, dt = _measure(model, seed=4)
    res = fit.fit_transmission(nu, t, drude, {"sigma_n": 3e5, "gamma_thz": 1.0, "thickness": 12.0},
                               bounds={"sigma_n": (1e4, 1e7), "gamma_thz": (0.1, 1.5), "thickness": (1.0, 100.0)},
                               thickness=D, substrate_index=NS, uncertainty=dt)
    text = res.report()
    print(text)
    assert "[[Warnings]]" in text
    assert any("sigma_n" in w and "thickness" in w and "combination" in w for w in res.warnings)
    assert any(w.startswith("gamma_thz") and "bound" in w for w in res.warnings)


def test_fit_transmission_bad_inputs():
    nu = np.linspace(0.2, 2.0, 10)
    with pytest.raises(ValueError, match="thickness"):
        fit.fit_transmission(nu, np.ones(10) + 0j, "zimmermann", {"gap": 1.0, "gamma": 5.0, "sigma_n": 1e5},
                             substrate_index=3.1)
    with pytest.raises(ValueError, match="missing initial value for parameter 'sigma_n'"):
        fit.fit_transmission(nu, np.ones(10) + 0j, "zimmermann", {"gap": 1.0, "gamma": 5.0}, thickness=10.0,
                             substrate_index=3.1)
    with pytest.raises(ValueError, match="complex"):
        fit.fit_transmission(nu, np.ones(10), "zimmermann", {"gap": 1.0, "gamma": 5.0, "sigma_n": 1e5},
                             thickness=10.0, substrate_index=3.1)


# ----------------------------------------------------------------------------- temperature series (slow)
SERIES_TRUTH = {"gap": 1.8598, "gamma": 6.0, "sigma_n": 5e5}  # Δ(0) meV (2Δ = 30 cm⁻¹), γ meV, σ_n S/m
SERIES_T = [2.0, 4.0, 6.0, 8.0, 10.0, 11.0]  # K; T_c = 12.23 K for this Δ(0)


@pytest.fixture(scope="module")
def clean_series():
    fm = fit.transmission_model("zimmermann-bcs", NS, D)
    p = {**SERIES_TRUTH, "thickness": D, "mismatch": 0.0, "shift": 0.0}
    return [thz.apply_transmission(TIMES, REF, lambda nu, T=T: np.asarray(fm(p, nu, T)), max_frequency=8.0)
            for T in SERIES_T]


def _series_fit(clean, seed):
    nus, ts, errs = [], [], []
    for k, sample in enumerate(clean):  # a fresh reference scan at every temperature
        s = thz.add_noise(sample, 0.01, 100 * seed + k)
        r = thz.add_noise(REF, 0.01, 100 * seed + 50 + k)
        nu, t, dt = thz.transmission_noise(TIMES, s, TIMES, r, noise="auto", frequency_range=(0.2, 2.5))
        nus.append(nu), ts.append(t), errs.append(dt)
    return fit.fit_temperature_series(SERIES_T, nus[0], ts, "zimmermann-bcs",
                                      {"gap": 1.5, "gamma": 10.0, "sigma_n": 3e5},
                                      bounds={"gap": (0.5, 4.0), "gamma": (0.5, 100.0), "sigma_n": (1e4, 1e7)},
                                      thickness=D, substrate_index=NS, uncertainty=errs)


@pytest.mark.slow
def test_temperature_series_recovers_gap_gamma_sigma_n(clean_series):
    """Six temperatures from time traces with 1 % field noise: Δ(0) within 1 %, γ within 5 %, σ_n within 2 %."""
    res = _series_fit(clean_series, seed=0)
    print(res.report())
    rel = {k: abs(res.values[k] - v) / v for k, v in SERIES_TRUTH.items()}
    print("relative errors", rel, "T_c", fit_models.critical_temperature_k([res.values["gap"]]))
    assert rel["gap"] < 0.01 and rel["gamma"] < 0.05 and rel["sigma_n"] < 0.02
    fig = fit.plot_conductivity(res)
    assert fig is not None


@pytest.mark.slow
def test_temperature_series_intervals_cover_the_truth(clean_series):
    """Over 20 noise seeds the reported 1σ intervals cover Δ(0), γ, σ_n in ≥ 60 % of the fits (68 % nominal)."""
    from tqdm.auto import tqdm

    hits = {k: 0 for k in SERIES_TRUTH}
    worst = {k: 0.0 for k in SERIES_TRUTH}
    for seed in tqdm(range(1, 21), desc="noise seeds"):
        res = _series_fit(clean_series, seed)
        assert res.success, res.message
        for k, v in SERIES_TRUTH.items():
            hits[k] += abs(res.values[k] - v) <= res.stderr[k]
            worst[k] = max(worst[k], abs(res.values[k] - v) / v)
    print("1σ coverage over 20 seeds:", hits, "largest relative errors:", worst)
    assert all(h >= 12 for h in hits.values())
    assert worst["gap"] < 0.01 and worst["gamma"] < 0.05 and worst["sigma_n"] < 0.02


# ----------------------------------------------------------------------------- configurations, walkthrough
ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def test_raw_trace_configuration_builds_transmission_data_sets(tmp_path):
    from jaxhiggs.fit import config as fit_config

    cfg = fit_config.load(ROOT / "fitting" / "configs" / "nbn_mgo_traces.toml")
    sets = cfg["datasets"]
    assert [d["temperature"] for d in sets] == [3.0, 5.0, 7.0, 9.0, 10.5, 11.5]
    nu = sets[0]["x"]
    assert nu[0] >= 0.2 and nu[-1] <= 2.5 and np.allclose(np.diff(nu), 1 / 30.0)  # 30 ps traces
    assert isinstance(sets[0]["uncertainty"], thz.TransmissionNoise)
    assert cfg["model"].y_labels == ("Re t", "Im t") and "mismatch" in cfg["initial"]
    text = (ROOT / "fitting" / "configs" / "nbn_mgo_traces.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("../data/", str(ROOT / "fitting" / "data") + "/").replace("[film]", "[film]\ndepth = 3"))
    with pytest.raises(ValueError, match="depth"):
        fit_config.load(bad)
    bad.write_text(text.replace("../data/", str(ROOT / "fitting" / "data") + "/")
                   .replace("temperatures = [3.0, 5.0, 7.0, 9.0, 10.5, 11.5]", "temperatures = [3.0]"))
    with pytest.raises(ValueError, match="one temperature per sample"):
        fit_config.load(bad)


@pytest.mark.slow
def test_fitting_readme_walkthrough_runs(tmp_path, monkeypatch):
    """Every python block of fitting/README.md, including the slow ones test_docs skips, in order."""
    import contextlib
    import io
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from test_docs import code_blocks

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    (tmp_path / "fitting").symlink_to(ROOT / "fitting", target_is_directory=True)
    namespace = {"__name__": "__walkthrough__"}
    out = io.StringIO()
    walkthrough = {}  # the transmission fit and its profile: later sections of the README rebind `res`
    with contextlib.redirect_stdout(out):
        for block in code_blocks(ROOT / "fitting" / "README.md"):
            if block["lang"] == "python":
                exec(compile(block["code"], f"fitting/README.md:{block['line']}", "exec"), namespace)
                if "profile" in namespace and not walkthrough:
                    walkthrough = dict(res=namespace["res"], profile=namespace["profile"])
    text = out.getvalue()
    print(text)
    res = walkthrough["res"]
    assert abs(res.values["gap"] / 1.85976 - 1) < 0.01 and abs(res.values["gamma"] / 6.0 - 1) < 0.05
    assert abs(res.values["sigma_n"] / 5e5 - 1) < 0.02 and abs(res.values["mismatch"] - 2.0) < 0.2
    lo, hi = walkthrough["profile"].interval
    assert lo < 1.85976 + 3 * res.stderr["gap"] and hi > 1.85976 - 3 * res.stderr["gap"]
    assert (tmp_path / "nbn_sigma.png").stat().st_size > 0


@pytest.mark.slow
def test_temperature_series_with_a_per_temperature_parameter():
    """local=("gamma_thz",): one scattering rate per temperature, σ_n shared (Drude toy, 1 % field noise)."""
    rates = [1.5, 3.0]
    nus, ts, noises = [], [], []
    for k, g in enumerate(rates):
        truth = {"sigma_n": 5e5, "gamma_thz": g}
        model = lambda nu, truth=truth: np.asarray(thz.thin_film_transmission(nu, drude(truth, nu), D, NS))
        nu, t, noise = _measure(model, seed=20 + k)
        nus.append(nu), ts.append(t), noises.append(noise)
    res = fit.fit_temperature_series([4.0, 8.0], nus[0], ts, drude, {"sigma_n": 3e5, "gamma_thz": 2.0},
                                     bounds={"sigma_n": (1e4, 1e7), "gamma_thz": (0.1, 20)}, local=("gamma_thz",),
                                     thickness=D, substrate_index=NS, uncertainty=noises)
    print(res.report())
    assert set(res.free) == {"sigma_n", "gamma_thz[0]", "gamma_thz[1]"}
    for k, g in enumerate(rates):
        assert abs(res.values[f"gamma_thz[{k}]"] - g) < 3 * res.stderr[f"gamma_thz[{k}]"]
    assert abs(res.values["sigma_n"] - 5e5) < 3 * res.stderr["sigma_n"]
