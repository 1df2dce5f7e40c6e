"""The ``jaxhiggs`` command: every model runs from a configuration, ``config MODEL`` round-trips
through ``run``, help on every argument, ``--version``, strict configuration errors that name the
file, and ``sweep`` resuming automatically (with ``--resume`` still accepted)."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
import zarr

from jaxhiggs import __version__, cli, config, sweep_store

# The default run shrinks the two costly examples (Mattis–Bardeen compiles N_e² blocks, the disordered
# model integrates 40 ps); test_every_example_runs_as_written runs all four unchanged (--runslow).
QUICK = {
    "mattis-bardeen": [("n_energies = 140 ", "n_energies = 48 "), ("omega_D = 10.0 ", "omega_D = 5.0 "),
                       ("stop = 9.0\n", "stop = 4.0\n"), ("gamma = 5.0 ", "gamma = 2.5 "), ("count = 1401", "count = 901"),
                       ("orders = 3 ", "orders = 1 ")],  # third order (and j3) runs in the --runslow test
    "schmid-higgs": [("count = 64", "count = 24"),  # and no χ(t) (its spectral quadrature dominates the cost)
                     ("[times]                         # χ(t), ps (optional)\nstart = 0.0\nstop = 40.0\ncount = 801\n", "")],
    "disordered-pseudospin": [("n_energies = 2000", "n_energies = 400"), ("stop = 40.0", "stop = 10.0"),
                              ("count = 801", "count = 201")],
}
EXPECTED = {  # arrays every model's .npz must hold
    "clean-pseudospin": {"times", "gap", "metadata"},
    "mattis-bardeen": {"times", "gap", "delta_gap", "current_1", "current_3", "vector_potential", "metadata"},
    "disordered-pseudospin": {"times", "gap", "metadata"},
    "schmid-higgs": {"omega_meV", "chi_inverse", "metadata"},  # + times, chi_t when [times] is given
}


@pytest.fixture(autouse=True)
def no_cache(monkeypatch):
    """In-process CLI calls must not touch the user's cache (tests/test_public_api.py tests the cache)."""
    monkeypatch.setenv("JAXHIGGS_CACHE_DIR", "")


def _run_example(model, tmp_path, replacements=()):
    path = tmp_path / f"{model}.toml"
    assert cli.main(["config", model, "--out", str(path)]) == 0
    text = path.read_text()
    for old, new in replacements:
        assert old in text, (model, old)
        text = text.replace(old, new)
    path.write_text(text)
    out = tmp_path / model
    assert cli.main(["run", str(path), "--out", str(out), "--no-progress"]) == 0
    data = np.load(out.with_suffix(".npz"), allow_pickle=False)
    assert EXPECTED[model] <= set(data.files), (model, data.files)
    assert out.with_suffix(".png").stat().st_size > 10_000
    meta = json.loads(str(data["metadata"]))
    return data, meta


# the disordered and Schmid–Higgs round trips compile programs of their own (~9 s each): slow; the clean-pseudospin
# and Mattis–Bardeen ones stay default (test_every_example_runs_as_written runs all four at full size, slow)
@pytest.mark.parametrize("model", [m if m in ("clean-pseudospin", "mattis-bardeen") else pytest.param(m, marks=pytest.mark.slow)
                                   for m in config.MODELS])
def test_config_example_round_trips_through_run(model, tmp_path, capsys, recwarn):
    data, meta = _run_example(model, tmp_path, QUICK.get(model, ()))
    if model == "mattis-bardeen":
        assert meta["parameters"]["model"]["orders"] == 1
    printed = capsys.readouterr().out
    assert f"jaxhiggs run {tmp_path / model}.toml" in printed and "wrote" in printed
    # no validity warning of the package (recurrence, grid resolution, ...) from its own examples
    ours = [str(w.message) for w in recwarn if issubclass(w.category, UserWarning)
            and "Complex dtype support in Diffrax" not in str(w.message)]  # silenced by the package itself
    assert not ours, ours
    if model == "schmid-higgs":
        assert meta["gap_meV"] < meta["clean_gap_meV"]  # AG suppression
        assert 2 * meta["threshold_meV"] < meta["resonance_meV"] < 2 * meta["gap_meV"]  # peak between 2ε_g and 2Δ
        # QUICK drops [times], and χ(t) (with its times) is written only when [times] is given (cli._run_response);
        # test_every_example_runs_as_written requires both at full size (--runslow)
        assert "chi_t" not in data.files and "times" not in data.files
        # the written gap and threshold against Abrikosov–Gor'kov's closed form (spec C7): ln(Δ00/Δ) = πζ/4 with
        # ζ = Γ/Δ ≤ 1, and ε_g = Δ(1 − ζ^{2/3})^{3/2}; SciPy's root to 1e-14, the module's to its solver (1e-9 rel)
        from scipy.optimize import brentq
        d00, gam = meta["clean_gap_meV"], meta["pair_breaking_meV"]
        gap = brentq(lambda d: np.log(d00 / d) - np.pi * gam / (4 * d), np.pi * gam / 4 + 1e-12, d00, xtol=1e-14)
        assert meta["gap_meV"] == pytest.approx(gap, rel=1e-9)
        assert meta["threshold_meV"] == pytest.approx(gap * (1 - (gam / gap) ** (2 / 3)) ** 1.5, rel=1e-9)
        return
    gap = np.abs(data["gap"][:, 0])
    assert np.all(np.isfinite(gap))
    assert np.ptp(gap) > 1e-4 or model == "mattis-bardeen"  # something happened (MB at orders = 1: δΔ = 0)
    if model == "mattis-bardeen":
        assert np.max(np.abs(data["current_1"])) > 0


@pytest.mark.slow
@pytest.mark.parametrize("model", config.MODELS)
def test_every_example_runs_as_written(model, tmp_path):
    data, _ = _run_example(model, tmp_path)
    if model == "schmid-higgs":
        assert {"times", "chi_t"} <= set(data.files) and np.all(np.isfinite(data["chi_t"]))
    if model == "mattis-bardeen":  # all three orders: gap correction and cubic current
        assert np.max(np.abs(data["current_3"])) > 0 and np.max(np.abs(data["delta_gap"])) > 0


def test_help_lists_every_subcommand_and_documents_every_argument(capsys):
    parser = cli._parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == {"demo", "run", "config", "sweep", "show", "fit"}
    for name, p in sub.choices.items():
        assert f"  {name} " in parser.description, f"the description does not list {name}"
        for action in p._actions:
            if not isinstance(action, argparse._HelpAction):
                assert action.help, f"jaxhiggs {name} {action.dest}: no help text"
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0 and __version__ in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["config", "no-such-model"])


def test_config_prints_a_commented_example(capsys):
    assert cli.main(["config", "clean-pseudospin"]) == 0
    text = capsys.readouterr().out
    assert text == config.EXAMPLES["clean-pseudospin"]
    assert text.count("#") > 10 and "[model]" in text and 'name = "clean-pseudospin"' in text


MINIMAL = ('[material]\ngap = 1.3\nomega_D = 20.0\n[model]\nname = "clean-pseudospin"\nn_energies = 64\n'
           '[[drive]]\ntype = "quench"\nfinal_gap = 1.2\n[times]\nstop = 2.0\ncount = 41\n[solver]\ndt = 0.005\n')


@pytest.mark.parametrize("text, words", [
    ("[material\ngap = 1.3", ["invalid TOML"]),
    (MINIMAL.replace("count = 41", "count = 2.7"), ["times.count = 2.7", "integer"]),
    (MINIMAL.replace("count = 41", 'count = "many"'), ["times.count = 'many'", "integer"]),
    (MINIMAL.replace("count = 41", "count = 41.0"), ["times.count = 41.0", "write 41"]),
    # a [times] range without count is an error, not a silent default number of saved times
    (MINIMAL.replace("count = 41\n", ""), ["times: missing count", "start defaults to 0"]),
    (MINIMAL.replace("stop = 2.0\ncount = 41\n", "start = 0.0\n"), ["times: missing stop and count"]),
    (MINIMAL + "[grid]\nfinal_gap = {start = 1.1, stop = 1.2}\n", ["grid.final_gap", "missing count"]),
    (MINIMAL + "[grid]\nfinal_gap = {start = 1.1, stop = 1.2, count = 2.5}\n", ["grid.final_gap.count = 2.5"]),
    (MINIMAL + '[grid]\nfinal_gap = [1.1, "x"]\n', ["grid.final_gap[1]"]),
    (MINIMAL.replace("n_energies = 64", "n_energies = 64.5"), ["model.n_energies = 64.5"]),
    (MINIMAL.replace("n_energies = 64", "n_energis = 64"), ["unknown key", "n_energis"]),
    (MINIMAL.replace('name = "clean-pseudospin"', 'name = "clean"'), ["model.name = 'clean'", "mattis-bardeen"]),
    (MINIMAL.replace("dt = 0.005", "max_steps = 1e5"), ["solver.max_steps"]),
    ('[model]\nname = "schmid-higgs"\nclean_gap = 2.0\npair_breaking = 0.1\n[frequencies]\nstart = 0.1\n'
     'stop = 6.0\ncount = 8\n[times]\nstart = -1.0\nstop = 10.0\ncount = 11\n', ["times.start = -1.0", "retarded"]),
    # a non-positive clean gap is named itself (it was reported as a bad pair_breaking with "0 ≤ Γ < -0.5 meV")
    ('[model]\nname = "schmid-higgs"\nclean_gap = -1.0\npair_breaking = 0.1\n[frequencies]\nstart = 0.1\n'
     'stop = 6.0\ncount = 8\n', ["model.clean_gap = -1.0 meV", "Δ00 > 0 meV"]),
    ('[model]\nname = "schmid-higgs"\nclean_gap = 0.0\npair_breaking = 0.1\n[frequencies]\nstart = 0.1\n'
     'stop = 6.0\ncount = 8\n', ["model.clean_gap = 0.0 meV", "Δ00 > 0 meV"]),
    ('[model]\nname = "schmid-higgs"\nclean_gap = 1.0\npair_breaking = 0.5\n[frequencies]\nstart = 0.1\n'
     'stop = 6.0\ncount = 8\n', ["model.pair_breaking = 0.5 meV", "clean_gap/2 = 0.5 meV"]),
    # a waveform file name that is not a string was a Python type error not naming the key
    (MINIMAL.replace('type = "quench"\nfinal_gap = 1.2', 'type = "waveform"\nfile = 5'),
     ["drive.file = 5", "a file name (a string"]),
    # strings and booleans are not read by their truthiness, nor true as 1
    (MINIMAL + '[grid]\nfinal_gap = [1.1, 1.2]\nzip = "false"\n', ["grid.zip = 'false'", "true or false"]),
    (MINIMAL.replace("omega_D = 20.0", "omega_D = 20.0\ngamma = true"), ["gamma = True", "not True/False"]),
    (MINIMAL.replace('name = "clean-pseudospin"\nn_energies = 64', 'name = "mattis-bardeen"\nn_energies = 64\n'
                     'higgs_feedback = "false"'), ["model.higgs_feedback = 'false'", "true or false"]),
])
def test_bad_configuration_is_an_error_naming_the_file(text, words, tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ValueError) as err:
        config.load(path)
    message = str(err.value)
    assert message.startswith(str(path)), message
    for word in words:
        assert word in message, (word, message)
    assert cli.main(["run", str(path), "--no-progress"]) == 2  # the command says it and exits 2
    assert str(path) in capsys.readouterr().err


def test_outputs_keep_every_dot_and_are_never_overwritten(tmp_path, capsys):
    """``--out res_T1.5`` writes res_T1.5.npz (``Path.with_suffix`` once gave res_T1.npz, so runs at T = 1.5 and
    1.7 K shared a file); an existing output — result, figure or an edited configuration — is refused before any work,
    naming it, and is left as it was; ``--overwrite`` replaces it.  The Schmid–Higgs configuration: the cheapest
    run (no solve)."""
    cfg = tmp_path / "sh.toml"
    assert cli.main(["config", "schmid-higgs", "--out", str(cfg)]) == 0
    text = cfg.read_text()
    for old, new in QUICK["schmid-higgs"] + [("count = 24", "count = 4")]:  # what is written matters, not χ
        text = text.replace(old, new)
    cfg.write_text(text)
    assert cli.main(["run", str(cfg), "--out", str(tmp_path / "res_T1.5"), "--no-progress"]) == 0
    assert sorted(p.name for p in tmp_path.glob("res_T*")) == ["res_T1.5.npz", "res_T1.5.png"]  # not res_T1.npz
    assert cli.main(["run", str(cfg), "--out", str(tmp_path / "res_T1.5.npz"), "--no-progress"]) == 2
    assert f"{tmp_path / 'res_T1.5.npz'} exists" in capsys.readouterr().err
    before = (tmp_path / "res_T1.5.npz").stat().st_mtime_ns
    assert cli.main(["run", str(cfg), "--out", str(tmp_path / "res_T1.5"), "--overwrite", "--no-progress"]) == 0
    assert (tmp_path / "res_T1.5.npz").stat().st_mtime_ns > before
    # an edited configuration is not replaced by `config --out`; a folder is refused with a message, not a traceback
    cfg.write_text("# my edits\n" + text)
    assert cli.main(["config", "clean-pseudospin", "--out", str(cfg)]) == 2
    assert f"{cfg} exists" in capsys.readouterr().err and cfg.read_text().startswith("# my edits")
    assert cli.main(["config", "clean-pseudospin", "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert cli.main(["config", "clean-pseudospin", "--out", str(cfg), "--overwrite"]) == 0
    assert cfg.read_text() == config.EXAMPLES["clean-pseudospin"]


def test_save_result_appends_npz_and_refuses_an_existing_file(tmp_path):
    from types import SimpleNamespace

    from jaxhiggs import io

    # what save_result reads of a Result (a solve here would only add its compilation)
    result = SimpleNamespace(times=np.linspace(0.0, 0.5, 11), observables={"gap": np.ones((11, 1))}, metadata={},
                             num_steps=10, success=True)
    path = io.save_result(tmp_path / "nbn_T1.5K", result)
    assert path == tmp_path / "nbn_T1.5K.npz" and path.exists()
    with pytest.raises(FileExistsError, match="nbn_T1.5K.npz exists"):
        io.save_result(tmp_path / "nbn_T1.5K", result)
    assert io.save_result(path, result, overwrite=True) == path
    assert io.output_path(tmp_path / "run.npz", ".png") == tmp_path / "run.png"


def test_every_observable_of_every_model_has_a_unit():
    """A saved result and a sweep store take each array's unit from io.UNITS; 9 of the 11 Mattis–Bardeen arrays once
    carried only the placeholder.  Every observable of every model (optional ones switched on), from jax.eval_shape
    (no solve), has a real unit; the npz metadata records it."""
    from types import SimpleNamespace

    import jaxhiggs as jh
    from jaxhiggs import io, units
    from jaxhiggs.models.finite_momentum import FiniteMomentum, ProbePulse
    from jaxhiggs.sweep.plan import observable_layout

    pulse = jh.GaussianPulse(peak_field=1.0, frequency=0.5, duration=0.3, center=1.0)
    nbn = jh.materials.nbn()
    models = {
        "clean": (jh.models.CleanPseudospin(nbn, 32, occupation_edges=[0.0, 5.0, 20.0]), pulse),
        "disordered": (jh.models.DisorderedPseudospin(jh.materials.single_band(gap=1.0, omega_D=20.0), 32,
                                                      magnetic_rate=0.1), jh.Quench(final_gap=0.98)),
        "mattis-bardeen": (jh.models.MattisBardeen(jh.materials.nbn(gamma=2.5, omega_D=5.0), 16), pulse),
        "finite-momentum": (FiniteMomentum(jh.materials.mgb2(v=0.05), dk=1.6e-2, n_lines=2, q0_steps=3, n_max=1, probe_steps=1,
                                           occupation_edges=[0.0, 20.0, 40.0]),
                            pulse + ProbePulse.from_vector_potential(1e-8, units.mev_to_thz(5.5), 0.1, 1.0)),
    }
    seen = set()
    for label, (model, drive) in models.items():
        layout = observable_layout(model, drive, 3)
        for name, (_, _, _, unit) in layout.items():
            assert unit != io.UNKNOWN_UNIT and unit == io.UNITS[name], (label, name, unit)
        seen |= set(layout)
    assert {"current_1", "current_d3", "electric_field", "probe_current", "occupation", "spin_norm2"} <= seen
    assert io.UNITS["current_1"].startswith("A/m²") and io.UNITS["vector_potential"].startswith("V·s/m")
    assert io.UNITS["electric_field"].startswith("V/m") and io.UNITS["delta_gap"].startswith("meV")
    # the .npz records them (the Mattis–Bardeen arrays of the audit)
    names = ["delta_gap", "current_1", "current_3", "current_p1", "current_d1", "current_p3", "current_d3",
             "vector_potential", "electric_field"]
    result = SimpleNamespace(times=np.linspace(0.0, 1.0, 3), observables={k: np.zeros(3) for k in ["gap"] + names},
                             metadata={}, num_steps=1, success=True)
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        _, meta = io.load_result(io.save_result(Path(folder) / "mb", result))
    assert {k: meta["units"][k] for k in names} == {k: io.UNITS[k] for k in names}


def test_gap_dynamics_refuses_an_existing_figure_before_drawing(tmp_path):
    from types import SimpleNamespace

    from jaxhiggs import plot

    plt = plot._pyplot()  # Agg
    # what gap_dynamics reads of a Result (a solve here would only add its compilation)
    result = SimpleNamespace(times=np.linspace(0.0, 1.0, 5), gap=np.full((5, 1), 1.3 + 0j), leggett_phase=None)
    figure = tmp_path / "figure_from_paper.png"
    figure.write_bytes(b"irreplaceable")
    open_before = plt.get_fignums()
    with pytest.raises(FileExistsError) as info:
        plot.gap_dynamics(result, path=figure)
    assert f"{figure} exists" in str(info.value) and figure.read_bytes() == b"irreplaceable"
    assert plt.get_fignums() == open_before  # refused before anything was drawn
    with pytest.raises(FileExistsError, match="is a folder"):  # even with overwrite
        plot.gap_dynamics(result, path=tmp_path, overwrite=True)
    fig = plot.gap_dynamics(result, path=figure, overwrite=True)
    plt.close(fig)
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_run_refuses_a_grid_before_any_work(tmp_path, capsys):
    """`run` ran only the base point of a [grid] configuration and recorded the grid in the file's metadata as if
    it had run: it is refused (naming the file and `jaxhiggs sweep`) and nothing is written."""
    cfg = tmp_path / "grid.toml"
    cfg.write_text(MINIMAL + "[grid]\nfinal_gap = [1.1, 1.2]\n")
    assert cli.main(["run", str(cfg), "--out", str(tmp_path / "res"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert f"{cfg}: has a [grid] table" in err and f"jaxhiggs sweep {cfg}" in err, err
    assert "Traceback" not in err and not list(tmp_path.glob("res*"))


def test_missing_configuration_file(tmp_path, capsys):
    assert cli.main(["run", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml" in capsys.readouterr().err


def test_sweep_resumes_automatically_and_refuses_another_sweep(tmp_path, capsys):
    cfg = tmp_path / "sweep.toml"
    cfg.write_text(MINIMAL + "[grid]\nfinal_gap = [1.1, 1.2]\n")
    store = tmp_path / "s.zarr"
    assert cli.main(["sweep", str(cfg), "--store", str(store), "--chunk-size", "1", "--no-progress"]) == 0
    assert sweep_store.done_chunks(store).tolist() == [True, True]
    first = np.asarray(zarr.open_group(str(store), mode="r")["gap"][:])
    # an interrupted run: the second chunk never finished
    zarr.open_group(str(store), mode="r+")["chunk_done"][1] = False
    capsys.readouterr()
    assert cli.main(["sweep", str(cfg), "--store", str(store)]) == 0  # no --resume needed
    captured = capsys.readouterr()
    assert "resuming" in captured.out and "1/2 chunk(s) already done" in captured.err  # sweep progress: stderr
    assert sweep_store.done_chunks(store).tolist() == [True, True]
    np.testing.assert_array_equal(np.asarray(zarr.open_group(str(store), mode="r")["gap"][:]), first)
    # --resume is still accepted (compatibility): nothing left to do
    assert cli.main(["sweep", str(cfg), "--store", str(store), "--resume", "--no-progress"]) == 0
    # a different sweep in the same store is refused, naming what differs
    other = tmp_path / "other.toml"
    other.write_text(MINIMAL + "[grid]\nfinal_gap = [1.1, 1.15]\n")
    capsys.readouterr()
    assert cli.main(["sweep", str(other), "--store", str(store), "--no-progress"]) == 2
    assert "different sweep" in capsys.readouterr().err
    # and so is a folder that is not a jaxhiggs store
    foreign = tmp_path / "foreign.zarr"
    zarr.open_group(str(foreign), mode="w").attrs["something"] = 1
    assert cli.main(["sweep", str(cfg), "--store", str(foreign), "--no-progress"]) == 2
    # show works on the store
    assert cli.main(["show", str(store), "--out", str(tmp_path / "show.png")]) == 0
    assert (tmp_path / "show.png").exists()
    # run again (to watch a sweep progress): the summary again, the figure kept unless --overwrite
    figure = (tmp_path / "show.png").read_bytes()
    capsys.readouterr()
    assert cli.main(["show", str(store), "--out", str(tmp_path / "show.png")]) == 0
    out = capsys.readouterr().out
    assert "chunks done" in out and "kept the existing" in out and (tmp_path / "show.png").read_bytes() == figure
    assert "drawn by an earlier `jaxhiggs show` (--overwrite redraws it)" in out
    # the default figure is not the s.png that `jaxhiggs run` writes for the same output stem: that file is untouched
    (tmp_path / "s.png").write_bytes(b"the run's figure")
    assert cli.main(["show", str(store)]) == 0
    assert "wrote " + str(tmp_path / "s-sweep.png") in capsys.readouterr().out
    assert (tmp_path / "s-sweep.png").read_bytes()[:4] == b"\x89PNG" and (tmp_path / "s.png").read_bytes() == b"the run's figure"
    # a file show did not write is left alone, and replacing it is not suggested
    assert cli.main(["show", str(store), "--out", str(tmp_path / "s.png")]) == 0
    out = capsys.readouterr().out
    assert "was not written by `jaxhiggs show`" in out and "--overwrite" not in out, out
    assert (tmp_path / "s.png").read_bytes() == b"the run's figure"


def test_show_checks_the_figure_suffix_before_anything_else(tmp_path, capsys):
    """`show --out fig.txt` failed in matplotlib after the whole summary was printed; the suffix is checked first
    (here before the store, which does not even exist, is opened)."""
    assert cli.main(["show", str(tmp_path / "none.zarr"), "--out", str(tmp_path / "fig.txt")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--out" in captured.err and ".png, .pdf, .svg" in captured.err
    assert "'.txt'" in captured.err
    assert cli.show_figure_path(tmp_path / "sw.v1.zarr") == tmp_path / "sw.v1-sweep.png"  # every dot kept
