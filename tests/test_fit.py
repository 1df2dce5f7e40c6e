"""Issue 6: fitting σ(ω) and THG spectra (jaxhiggs.fit, fit_models, io.read_spectrum, `jaxhiggs fit`)."""

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxhiggs import fit, io, units
from jaxhiggs._validate import InputError
from jaxhiggs.fit import models as fit_models

ROOT = Path(__file__).resolve().parents[1]
NBN_CONFIG = ROOT / "fitting" / "configs" / "nbn_sigma_zimmermann.toml"
NBN_DATA = ROOT / "fitting" / "data" / "nbn_sigma_synthetic.csv"
# same window and bounds as NBN_CONFIG, so the CLI test below reuses the compiled fit
WINDOW = (0.15, 2.4)
BOUNDS = {"gap": (0.5, 4.0), "gamma": (0.1, 100.0)}


def _noisy_sigma(frequency, truth, temperature, seed, level=0.01):
    s = np.asarray(fit_models.zimmermann_sigma(truth, frequency, temperature))
    rng = np.random.default_rng(seed)
    return s + level * np.abs(s) * (rng.standard_normal(s.size) + 1j * rng.standard_normal(s.size))


@pytest.mark.slow  # ~20 s of compilation; README.md's fitting block runs the same fit in the default suite
def test_zimmermann_recovers_gap_and_gamma_with_covering_errors():
    """1 % noise on σ₁, σ₂: γ within 5 %, Δ within 1 %, truth within 3σ (χ²_red-scaled) for 5 seeds."""
    freq = io.read_spectrum(NBN_DATA)["x"]
    truth = {"gap": 1.6, "gamma": 4.0}
    rows = []
    for seed in range(5):
        data = _noisy_sigma(freq, truth, 4.0, seed)
        res = fit.fit_conductivity(freq, data, "zimmermann", {"gap": 1.2, "gamma": 8.0}, bounds=BOUNDS,
                                   temperature=4.0, window=WINDOW)
        assert res.success, res.message
        rows.append([(res.values[k] - truth[k]) / truth[k] for k in ("gap", "gamma")]
                    + [abs(res.values[k] - truth[k]) / res.stderr[k] for k in ("gap", "gamma")])
    rows = np.asarray(rows)
    print("relative errors (gap, gamma) and |error|/stderr per seed:\n", np.array2string(rows, precision=4))
    assert np.all(np.abs(rows[:, 0]) < 0.01)
    assert np.all(np.abs(rows[:, 1]) < 0.05)
    assert np.all(rows[:, 2:] < 3.0)


def test_cli_fit_runs_on_example_config(tmp_path, capsys):
    from jaxhiggs import cli

    assert cli.main(["fit", str(NBN_CONFIG), "--out", str(tmp_path / "nbn")]) == 0
    out = capsys.readouterr().out
    assert "[[Variables]]" in out and "reduced chi-square" in out
    import json

    saved = json.loads((tmp_path / "nbn.json").read_text())
    assert set(saved["free"]) == {"gap", "gamma"} and len(saved["covariance"]) == 2
    assert (tmp_path / "nbn.png").stat().st_size > 0
    gap_true = float(units.thz_to_mev(30.0 * units.SPEED_OF_LIGHT * 1e-10)) / 2  # header truth, 2Δ = 30 cm⁻¹
    assert abs(saved["values"]["gap"] - gap_true) / gap_true < 0.01
    # a second fit to the same stem stops before fitting and leaves the first result as it was
    before = (tmp_path / "nbn.json").read_bytes()
    assert cli.main(["fit", str(NBN_CONFIG), "--out", str(tmp_path / "nbn")]) == 2
    assert "nbn.json exists" in capsys.readouterr().err and (tmp_path / "nbn.json").read_bytes() == before


def test_thg_fit_locates_two_gap_resonance():
    truth = {"gap": 1.3, "eta": 0.05, "scale": 2.0}
    f = np.linspace(0.18, 0.5, 70)
    y = np.asarray(fit_models.higgs_thg_frequency(truth, f, 2.0))
    y = y * (1 + 0.02 * np.random.default_rng(7).standard_normal(f.size))
    res = fit.fit_thg(f, y, temperature=2.0)  # start guessed from the peak
    err = abs(res.values["gap"] - truth["gap"]) / truth["gap"]
    print(f"THG: gap {res.values['gap']:.5f} ± {res.stderr['gap']:.2g} meV (truth 1.3), rel. error {err:.2e}")
    assert err < 0.02
    assert "gap" in res.report() and res.plot() is not None


def test_loss_gradient_through_simulation_matches_finite_differences():
    """χ² of |Δ(t)| after a quench, computed with jaxhiggs.simulate (CleanPseudospin), vs central FD."""
    model = fit_models.quench_trace_model(n_energies=24, omega_d=8.0, dt_ps=0.05)
    times = np.linspace(0.0, 2.0, 21)

    def loss(p, data):
        return jnp.sum((model({"gap": p[0], "final_gap": p[1]}, times) - data) ** 2)

    # one compiled program gives the gradient and the losses of the differences (a separately jitted loss
    # was a second compilation, ~2.5 s CPU)
    value_and_grad = jax.jit(jax.value_and_grad(loss))
    data = jnp.full(times.shape, 1.2)  # a flat "measured" |Δ| = 1.2 meV (no extra solve needed)
    p0 = jnp.array([1.25, 1.15])
    grad = np.asarray(value_and_grad(p0, data)[1])
    h = 1e-5
    fd = np.array([(value_and_grad(p0 + h * e, data)[0] - value_and_grad(p0 - h * e, data)[0]) / (2 * h)
                   for e in np.eye(2)])
    print("grad", grad, "fd", fd)
    np.testing.assert_allclose(grad, fd, rtol=1e-5)


@pytest.mark.slow
def test_simulation_model_fit_hook():
    """A callable simulation model fitted with reverse-mode Jacobians recovers the quench parameters."""
    model = fit_models.quench_trace_model(n_energies=32, omega_d=8.0, dt_ps=0.05)
    times = np.linspace(0.0, 3.0, 31)
    data = np.asarray(model({"gap": 1.3, "final_gap": 1.1}, times))
    res = fit.fit_global([{"x": times, "data": data}], model, {"gap": 1.25, "final_gap": 1.15},
                         bounds={"gap": (0.8, 2.0), "final_gap": (0.5, 2.0)}, jacobian="rev")
    assert abs(res.values["gap"] - 1.3) < 1e-4 and abs(res.values["final_gap"] - 1.1) < 1e-4


@pytest.mark.slow
def test_two_band_global_fit_recovers_gaps_and_v():
    """σ(ω; T) of two bands at four temperatures, gaps from the two-band gap equation.

    v only enters through Δ_i(T) (at T = 0 the gaps are the inputs whatever v is), so the fit is
    global over temperatures; fitted: Δ_1(0), Δ_2(0), v (γ_i and the weight fixed).
    """
    truth = {"gap_1": 7.0, "gap_2": 2.5, "v": 0.1, "gamma_1": 20.0, "gamma_2": 10.0, "weight_1": 0.5}
    model = fit_models.make_two_band_zimmermann(omega_d=50.0)
    f = np.linspace(0.2, 5.0, 48)
    sets = []
    for k, temp in enumerate([5.0, 20.0, 30.0, 36.0]):
        s = np.asarray(model(truth, f, temp))
        rng = np.random.default_rng(10 + k)
        sets.append({"x": f, "temperature": temp,
                     "data": s + 0.01 * np.abs(s) * (rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size))})
    init = dict(truth, gap_1=6.5, gap_2=2.8, v=0.05)
    res = fit.fit_global(sets, model, init, bounds={"gap_1": (3, 12), "gap_2": (0.5, 5), "v": (0.001, 0.5)},
                         fixed=("gamma_1", "gamma_2", "weight_1"))
    print(res.report())
    assert abs(res.values["gap_1"] - 7.0) / 7.0 < 0.01
    assert abs(res.values["gap_2"] - 2.5) / 2.5 < 0.01
    assert abs(res.values["v"] - 0.1) / 0.1 < 0.1
    assert all(abs(res.values[k] - truth[k]) < 3 * res.stderr[k] for k in ("gap_1", "gap_2", "v"))


# ----------------------------------------------------------------------------- bad inputs
def _write(tmp_path, text):
    p = tmp_path / "s.csv"
    p.write_text(text)
    return p


@pytest.mark.parametrize("text, words", [
    ("# columns: frequency [THz], sigma1 [normalized], sigma2 [normalized]\n0.1, 1, 2\n0.2, nan, 1\n",
     ["line 3", "sigma1", "nan"]),
    ("# columns: frequency [THz], sigma1 [normalized], sigma2 [normalized]\n0.2, 1, 2\n0.1, 1, 1\n",
     ["line 3", "0.1", "sorted"]),
    ("# columns: frequency [THz], sigma1 [normalized], sigma2 [normalized]\n0.1, 1, 2\n0.1, 1, 1\n",
     ["line 3", "duplicate", "0.1"]),
    ("# columns: frequency [GHz], sigma1 [normalized]\n0.1, 1\n", ["unknown frequency unit", "GHz"]),
    ("# columns: frequency [THz], sigma1 [mS]\n0.1, 1\n", ["unknown conductivity unit", "mS"]),
    ("# columns: frequency [THz]\n0.1\n", ["missing data columns"]),
    ("0.1, 1, 2\n", ["no '# columns"]),
    ("# columns: frequency [THz], sigma1 [normalized], sigma2 [normalized]\n0.1, 1\n", ["line 2", "2 values"]),
    ("# columns: frequency [THz], sigma1 [normalized]\n0.1, abc\n", ["line 2", "'abc'"]),
    ("# columns: frequency [THz], sigmax [normalized]\n0.1, 1\n", ["unknown column", "sigmax"]),
    # audit: a negative drive frequency or temperature in the header, or T < 0 in the first column, was accepted
    ("# columns: temperature [K], thg [arb]\n# drive_frequency: -0.4 THz\n2, 1\n5, 2\n",
     ["line 2", "header 'drive_frequency: -0.4 THz' is not allowed: a finite drive frequency > 0"]),
    ("# columns: temperature [K], thg [arb]\n# drive_frequency: 0 THz\n2, 1\n5, 2\n", ["line 2", "drive_frequency: 0 THz"]),
    ("# temperature: 4 K\n# drive_frequency: nan THz\n# columns: temperature [K], thg [arb]\n2, 1\n",
     ["line 2", "drive_frequency: nan THz", "finite"]),
    ("# columns: frequency [THz], sigma1 [normalized]\n# temperature: -4 K\n0.1, 1\n",
     ["line 2", "header 'temperature: -4 K' is not allowed: a finite temperature ≥ 0 K"]),
    ("# columns: temperature [K], thg [arb]\n-3, 1\n2, 2\n", ["line 2", "temperature -3.0 K must be ≥ 0"]),
])
def test_malformed_spectrum_files_are_rejected_clearly(tmp_path, text, words):
    with pytest.raises(ValueError) as info:
        io.read_spectrum(_write(tmp_path, text))
    for w in words:
        assert w in str(info.value), str(info.value)


def test_spectrum_units_are_converted(tmp_path):
    p = _write(tmp_path, "# temperature: 4.2 K\n# columns: frequency [cm^-1], sigma1 [S/cm], sigma2 [S/cm]\n"
                         "10, 1, 2\n20, 3, 4\n")
    s = io.read_spectrum(p)
    np.testing.assert_allclose(s["x"], [0.299792458, 0.599584916])
    assert s["sigma"][1] == 3 + 4j and s["temperature"] == 4.2 and s["sigma_unit"] == "S/cm"
    p = _write(tmp_path, "# columns: frequency [meV], abs_sigma [normalized]\n4.135667696, 1\n")
    s = io.read_spectrum(p)
    assert abs(s["x"][0] - 1.0) < 1e-8 and s["component"] == "abs"


def test_write_spectrum_round_trips_and_never_replaces_a_file(tmp_path):
    """An existing file keeps its bytes unless overwrite=True; what is written reads back as written."""
    p = tmp_path / "measured.csv"
    p.write_bytes(b"# my precious measurement\n1, 2\n")
    x, s1 = [10.0, 20.0, 30.5], [0.5, 1.25, 2.0]
    with pytest.raises(FileExistsError) as info:
        io.write_spectrum(p, x, {"sigma1 [S/cm]": s1}, x_unit="cm^-1")
    assert f"{p} exists" in str(info.value) and "overwrite=True" in str(info.value)
    with pytest.raises(ValueError, match="overwrite = 'no' is not allowed"):  # "no" is truthy: it would replace
        io.write_spectrum(p, x, {"sigma1 [S/cm]": s1}, x_unit="cm^-1", overwrite="no")
    assert p.read_bytes() == b"# my precious measurement\n1, 2\n"
    assert io.write_spectrum(p, x, {"sigma1 [S/cm]": s1}, x_unit="cm^-1", header={"temperature": "4.2 K"},
                             overwrite=True) == p
    back = io.read_spectrum(p)
    np.testing.assert_allclose(back["x"], np.array(x) * 0.0299792458)  # cm⁻¹ → THz
    assert back["data"].tolist() == s1 and back["component"] == "sigma1" and back["temperature"] == 4.2


@pytest.mark.parametrize("change, words", [
    ({"columns": {"sigma1 [normalized]": [1.0, np.nan, 3.0]}}, ["columns['sigma1 [normalized]'][1] = nan", "finite"]),
    ({"x": [0.1, 0.3, 0.2]}, ["x[2] = 0.2 THz", "x[1] = 0.3", "increase strictly"]),
    ({"x": [0.1, 0.1 + 1e-13, 0.2]}, ["x[1] = 0.1", "no duplicates"]),  # equal at the 10 digits written
    ({"x": [0.0, 0.1, 0.2]}, ["x[0] = 0.0 THz", "> 0"]),
    ({"columns": {"sigma_one": [1.0, 2.0, 3.0]}}, ["columns = ['sigma_one']", "unknown column 'sigma_one'"]),
    ({"columns": {"sigma1 [mS]": [1.0, 2.0, 3.0]}}, ["unknown conductivity unit 'mS'"]),
    ({"columns": {"sigma1, sigma2": [1.0, 2.0, 3.0]}}, ["columns = 'sigma1, sigma2'", "without ','"]),
    ({"columns": {"sigma1 [normalized]": [1.0, 2.0]}}, ["columns['sigma1 [normalized]'].shape = (2,)", "(3,)"]),
    ({"x_unit": "GHz"}, ["x_unit = 'GHz'", "['THz', 'cm^-1', 'meV']"]),
    ({"x_name": "energy"}, ["x_name = 'energy'", "'frequency' or 'temperature'"]),
    ({"header": {"temperature": "4 C"}}, ["header['temperature'] = '4 C'", "unknown unit 'C'"]),
    ({"header": {"columns": "x"}}, ["header['columns']"]),
])
def test_write_spectrum_refuses_what_read_spectrum_rejects_and_writes_nothing(tmp_path, change, words):
    args = {"x": [0.1, 0.2, 0.3], "columns": {"sigma1 [normalized]": [1.0, 2.0, 3.0]}, **change}
    target = tmp_path / "new" / "s.csv"
    with pytest.raises(InputError) as info:
        io.write_spectrum(target, **args)
    for w in words:
        assert w in str(info.value), str(info.value)
    assert not any(tmp_path.iterdir())  # neither the file nor its folder


@pytest.mark.parametrize("kwargs, words", [
    ({"bounds": {"gap": (2.0, 1.0)}}, ["bounds['gap']", "lower must be < upper"]),
    ({"bounds": {"gap": (1.0, 1.0)}}, ["bounds['gap']"]),
    ({"bounds": {"gap": (2.0, 3.0)}}, ["initial['gap']", "outside its bounds"]),
    ({"initial": {"gap": 1.0, "gamma": 3.0, "delta": 1.0}}, ["unknown parameter 'delta'", "initial"]),
    ({"bounds": {"tau": (0, 1)}}, ["unknown parameter 'tau'", "bounds"]),
    ({"fixed": ("gap", "gamma")}, ["no free parameters"]),
    ({"initial": {"gamma": 3.0}}, ["missing initial value", "'gap'"]),
    ({"optimizer": "newton"}, ["optimizer = 'newton'"]),
])
def test_impossible_parameters_give_clear_errors(kwargs, words):
    args = {"initial": {"gap": 1.0, "gamma": 3.0}, **kwargs}
    f = np.linspace(0.1, 1.0, 5)
    with pytest.raises(ValueError) as info:
        fit.fit_conductivity(f, np.ones(5) + 1j, "zimmermann", **args)
    for w in words:
        assert w in str(info.value), str(info.value)


def test_config_unknown_key_is_named(tmp_path):
    from jaxhiggs.fit import config as fit_config

    text = NBN_CONFIG.read_text().replace("[fit]", "[fit]\nlearning_rate = 0.1")
    cfg = tmp_path / "c.toml"
    cfg.write_text(text.replace("../data/", str(NBN_DATA.parent) + "/"))
    with pytest.raises(ValueError, match="learning_rate"):
        fit_config.load(cfg)


_SIGMA = NBN_CONFIG.read_text().replace("../data/", str(NBN_DATA.parent) + "/")
_TRACES = (ROOT / "fitting" / "configs" / "nbn_mgo_traces.toml").read_text().replace(
    "../data/", str(NBN_DATA.parent) + "/")


@pytest.mark.parametrize("text, words", [
    # wrong types gave tracebacks (TypeError) or messages that named neither the key nor the file
    (_SIGMA.replace('output = "../results/nbn_sigma_zimmermann"', "output = 5"), ["output = 5", "a file stem"]),
    (_SIGMA.replace("window = [0.15, 2.4]", "window = 5"), ["fit.window = 5", "[low, high]"]),
    (_SIGMA.replace("window = [0.15, 2.4]", "window = [0.15]"), ["fit.window = [0.15]", "two numbers"]),
    ("parameters = 5\n" + _SIGMA.split("[parameters]")[0] + "[fit" + _SIGMA.split("[fit")[1],
     ["parameters = 5", "a table is required"]),
    (_SIGMA.replace('[model]\nname = "zimmermann"\n', ""), ["missing table 'model'"]),
    ('model = "zimmermann"\n' + _SIGMA.replace('[model]\nname = "zimmermann"\n', ""),
     ["model = 'zimmermann'", "a table is required", 'name = "zimmermann"']),
    (_SIGMA.replace('name = "zimmermann"', "name = 3"), ["model.name = 3", "a string"]),
    (_SIGMA.replace("data = ", "data = 7 #"), ["data = 7", "a data file name"]),
    ("data = \n", ["invalid TOML"]),
    (_TRACES.replace('sample = ["', 'sample = [5, "'), ["traces.sample = [5,", "list of them (strings)"]),
    (_TRACES.replace("temperatures = [3.0,", 'temperatures = ["3",'), ["traces.temperatures[0]", "'3'"]),
    (_TRACES.replace("frequency_range = [0.2, 2.5]", "frequency_range = 2.5"), ["traces.frequency_range = 2.5"]),
    (_TRACES.replace("thickness = 15.0", 'thickness = "15"'), ["film.thickness", "'15'"]),
])
def test_config_type_errors_name_the_file_and_key(text, words, tmp_path, capsys):
    from jaxhiggs import cli
    from jaxhiggs.fit import config as fit_config

    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    with pytest.raises(ValueError) as info:
        fit_config.load(cfg)
    message = str(info.value)
    assert message.startswith(f"{cfg}: "), message
    for word in words:
        assert word in message, (word, message)
    assert cli.main(["fit", str(cfg), "--out", str(tmp_path / "res")]) == 2  # a message, not a traceback
    assert capsys.readouterr().err.startswith(f"jaxhiggs: error: {cfg}: ")
    assert not list(tmp_path.glob("res*"))


def test_config_missing_file_is_named(tmp_path):
    from jaxhiggs.fit import config as fit_config

    with pytest.raises(FileNotFoundError, match="nope.toml: no such fit configuration file"):
        fit_config.load(tmp_path / "nope.toml")


def test_transforms_round_trip_and_respect_bounds():
    p = fit.Parameters.build(("a", "b", "c", "d"), ("a", "b", "c", "d"), {},
                             {"a": 0.3, "b": 5.0, "c": -2.0, "d": 1.5},
                             {"a": (0.0, 1.0), "b": (1.0, None), "c": (None, 0.0)}, (), None)
    u = p.to_internal(p.values)
    np.testing.assert_allclose(np.asarray(p.to_physical(jnp.asarray(u))), [0.3, 5.0, -2.0, 1.5], rtol=1e-12)
    far = np.asarray(p.to_physical(jnp.asarray([50.0, -50.0, -50.0, 3.0])))
    assert 0 <= far[0] <= 1 and far[1] >= 1 and far[2] <= 0
