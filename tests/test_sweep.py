"""jaxhiggs.sweep: equality with individual simulate calls, resume, failures, bad grids.

Fixed steps (dt) make the comparisons exact up to round-off: with adaptive steps a 1e-16
difference in the equilibrium (e.g. the traced Newton solve at T = 0) can flip one
accept/reject decision and move the result by ~rtol.  Tiny grids (64 energies, 3 ps).
"""

import diffrax
import numpy as np
import pytest
import zarr

import jaxhiggs as jh
from jaxhiggs import sweep_store

TIMES = np.linspace(0.0, 3.0, 61)  # ps
# fixed steps (ps); Tsit5 because this file tests the sweep machinery, not the solver: with fixed steps it
# evaluates the vector field half as often as the pseudospins' default Dopri8
OPTS = {"dt": 0.005, "solver": diffrax.Tsit5()}
GRID = {"v": [0.01, 0.02], "peak_field": [5.0, 10.0, 20.0], "temperature": [0.0, 5.0]}  # –, kV/cm, K
CHUNK = 5  # 12 points → chunks of 5, 5, 2 (the last one padded)


def material(v=0.02, temperature=0.0, gammas=(0.0, 0.0), gaps=(7.0, 3.0)):
    return jh.materials.two_band(gaps, v, 50.0, temperature, signs=(1.0, -1.0), masses=(0.85, 1.38),
                                 fermi_energies=(2900.0, 700.0), gammas=gammas)


def drive(peak=10.0, frequency=1.9, delay=1.0, fluence=1.0, final_gap=6.8):
    pump = jh.GaussianPulse(peak * np.sqrt(fluence), frequency, 0.2, 1.0)
    probe = jh.GaussianPulse(3.0, 1.9, 0.2, 1.0 + delay)
    return pump + probe + jh.Quench(final_gap=final_gap, time=0.5)


def model(**kw):
    return jh.models.CleanPseudospin(material(**kw), 64)


@pytest.fixture(scope="module")
def reference():
    return jh.sweep(model(), drive(), TIMES, GRID, chunk_size=CHUNK, progress=False, **OPTS)


def test_sweep_equals_individual_simulate(reference):
    ds = reference
    assert ds.gap.dims == ("v", "peak_field", "temperature", "time", "band")
    assert ds.gap.shape == (2, 3, 2, 61, 2) and np.iscomplexobj(ds.gap.values)
    assert ds["peak_field"].attrs["units"] == "kV/cm" and ds["time"].attrs["units"] == "ps"
    assert ds.gap.attrs["units"].startswith("meV")
    assert bool(ds.computed.all()) and not bool(ds.failed.any())
    worst = 0.0
    for i, v in enumerate(GRID["v"]):
        for j, peak in enumerate(GRID["peak_field"]):
            for k, temp in enumerate(GRID["temperature"]):
                r = jh.simulate(model(v=v, temperature=temp), drive(peak=peak), TIMES, **OPTS)
                for name in ("gap", "energy", "number"):
                    worst = max(worst, float(np.max(np.abs(np.asarray(r[name]) - ds[name].values[i, j, k]))))
                assert int(ds.num_steps.values[i, j, k]) == int(r.num_steps)
    assert worst < 1e-12, worst
    # the sweep is not trivially constant: the parameters matter
    assert np.ptp(np.abs(ds.gap.values[:, :, :, -1, 1])) > 1e-3


@pytest.mark.slow  # one more compilation (~10 s on 2 cores); delay/frequency are also covered by test_sweep_sharded
def test_other_parameters_zipped_equal_simulate():
    grid = {"gamma_1": [0.0, 0.5, 1.0], "gap_2": [3.0, 2.5, 2.0], "frequency": [1.5, 1.9, 2.3],
            "delay": [0.5, 1.0, 1.5], "fluence": [1.0, 0.5, 2.0], "final_gap": [6.5, 6.8, 7.2]}
    ds = jh.sweep(model(), drive(), TIMES, grid, zip=True, progress=False, **OPTS)
    assert ds.gap.dims == ("point", "time", "band")
    worst = 0.0
    for p in range(3):
        g = {k: v[p] for k, v in grid.items()}
        m = model(gammas=(g["gamma_1"], 0.0), gaps=(7.0, g["gap_2"]))
        d = drive(frequency=g["frequency"], delay=g["delay"], fluence=g["fluence"], final_gap=g["final_gap"])
        r = jh.simulate(m, d, TIMES, **OPTS)
        worst = max(worst, float(np.max(np.abs(np.asarray(r.gap) - ds.gap.values[p]))))
        assert float(ds["delay"].values[p]) == g["delay"]
    assert worst < 1e-12, worst


def test_resume_after_interruption_computes_only_missing_chunks(tmp_path, reference):
    store = tmp_path / "sweep.zarr"

    class Interrupted(Exception):
        pass

    def stop_after_two(info):
        if info["index"] == 1:
            raise Interrupted

    with pytest.raises(Interrupted):
        jh.sweep(model(), drive(), TIMES, GRID, store=store, chunk_size=CHUNK, progress=False,
                 on_chunk=stop_after_two, **OPTS)
    assert sweep_store.done_chunks(store).tolist() == [True, True, False]
    partial = jh.open_sweep(store)
    assert int(partial.computed.sum()) == 10 and partial.attrs["chunks_done"] == 2
    # a chunk killed mid-write: some of its data on disk, its done flag not set
    group = zarr.open_group(str(store), mode="r+")
    group["gap"][10:12] = np.full((2, 61, 2), 1e6 + 0j)
    group["num_steps"][10:12] = 7

    computed = []
    ds = jh.sweep(model(), drive(), TIMES, GRID, store=store, chunk_size=CHUNK, progress=False,
                  on_chunk=lambda info: computed.append(info["index"]), **OPTS)
    assert computed == [2]
    assert bool(ds.computed.all())
    np.testing.assert_allclose(ds.gap.values, reference.gap.values, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ds.num_steps.values, reference.num_steps.values)
    # again: nothing left to do, same data
    jh.sweep(model(), drive(), TIMES, GRID, store=store, progress=False,
             on_chunk=lambda info: computed.append(info["index"]), **OPTS)
    assert computed == [2]
    # the store opens in plain xarray (flat over points)
    import xarray as xr

    flat = xr.open_zarr(str(store), consolidated=False)
    assert flat.sizes["point"] == 12 and "reason" in flat
    # a different model, grid or solver refuses to resume, naming what differs
    with pytest.raises(ValueError, match="different sweep.*model"):  # another gap_2 (N = 72 recompiled the equilibrium)
        jh.sweep(model(gaps=(7.0, 2.9)), drive(), TIMES, GRID, store=store, progress=False, **OPTS)
    with pytest.raises(ValueError, match="different sweep.*grid"):
        jh.sweep(model(), drive(), TIMES, {**GRID, "v": [0.01, 0.03]}, store=store, progress=False, **OPTS)


def test_failure_records_name_max_steps_and_non_finite_points():
    """The host-side failure record of a chunk (what the slow end-to-end test below exercises through a solve):
    a point stopped at max_steps is reported as such, a non-finite one as a divergence, good points stay empty."""
    from jaxhiggs import divergence
    from jaxhiggs.solve import SolverOptions
    from jaxhiggs.sweep.batch import failures

    one_band = jh.models.CleanPseudospin(jh.materials.single_band(1.3, 20.0), 64)  # as below: built once
    gap = np.ones((3, 4, 1), complex)
    gap[2, 2:] = np.nan
    steps = np.array([40, 1500, 30])
    status = np.array([divergence.OK, divergence.FAILED, divergence.DIVERGED])
    opts = SolverOptions(max_steps=1500, rtol=1e-8, atol=1e-10)
    failed, reason = failures({"gap": gap}, steps, np.array([True, False, False]), status, opts, one_band,
                              np.linspace(0.0, 3.0, 4))
    assert failed.tolist() == [False, True, True] and reason[0] == ""
    assert "CleanPseudospin: the solver stopped after max_steps = 1500 steps" in reason[1], reason[1]
    assert "diverged" in reason[2] and "t ≈ 2 ps" in reason[2], reason[2]


# One more compilation (adaptive steps, ~15 s on 2 cores).  In the default suite: the failure record above
# (max_steps branch) and tests/test_divergence.py::test_sweep_records_divergence_per_point_and_continues
# (a point fails inside a sweep, is recorded with its reason, the others complete with the right values).
@pytest.mark.slow
def test_failing_point_is_recorded_and_others_complete(tmp_path):
    # A 400 kV/cm pump makes the interband twist e^{i(θ1−θ2)} rotate fast: far more adaptive steps.
    store = tmp_path / "fail.zarr"
    ds = jh.sweep(model(), jh.GaussianPulse(5.0, 1.9, 0.2, 1.0), TIMES, {"gamma": [0.0, 0.5], "peak_field": [5.0, 400.0]},
                  store=store, chunk_size=3, progress=False, max_steps=1500, rtol=1e-8, atol=1e-10,
                  solver=diffrax.Tsit5())  # the default Dopri8 would finish the strong point within the budget
    assert ds.failed.values.tolist() == [[False, True], [False, True]]
    assert "max_steps = 1500" in str(ds.reason.values[0, 1]) and ds.reason.values[0, 0] == ""
    assert int(ds.num_steps.values[1, 1]) >= 1500
    assert np.all(np.isfinite(ds.gap.values[:, 0]))
    assert bool(ds.computed.all())
    # γ is carried by the material but does not enter the clean model
    np.testing.assert_allclose(ds.gap.values[0, 0], ds.gap.values[1, 0], rtol=0, atol=1e-13)


@pytest.mark.parametrize("grid, message", [
    ({"v": []}, "non-empty"),
    ({"mass": [1.0]}, "unknown grid parameter 'mass'"),
    ({"gamma": [0.1, -0.2]}, "gamma = -0.2.*≥ 0"),
    ({"gap_3": [1.0]}, "has 2 band"),
    ({"temperature": [0.0, 500.0]}, "temperature = 500.0"),
    ({"peak_field": [1.0], "fluence": [1.0]}, "one of them"),
    ({}, "at least one"),
])
def test_bad_grids_rejected(grid, message):
    with pytest.raises(ValueError, match=message):
        jh.sweep(model(), drive(), TIMES, grid, progress=False, **OPTS)


def test_bad_zip_and_single_band_v_rejected():
    with pytest.raises(ValueError, match="equal length"):
        jh.sweep(model(), drive(), TIMES, {"v": [0.01, 0.02], "gap_1": [7.0]}, zip=True, progress=False)
    one = jh.models.CleanPseudospin(jh.materials.single_band(1.3, 20.0), 64)
    with pytest.raises(ValueError, match="one band"):
        jh.sweep(one, jh.Quench(final_gap=1.2), TIMES, {"v": [0.01]}, progress=False)


def test_store_of_another_kind_rejected(tmp_path):
    path = tmp_path / "other.zarr"
    zarr.open_group(str(path), mode="w").attrs["something"] = 1
    with pytest.raises(ValueError, match="not a jaxhiggs sweep store"):
        jh.sweep(model(), drive(), TIMES, {"v": [0.01]}, store=path, progress=False, **OPTS)


def test_config_grid_table_and_cli_refuses_existing_store(tmp_path):
    from jaxhiggs import cli, config

    raw = {"material": {"gap": 1.3, "omega_D": 20.0}, "model": {"name": "clean-pseudospin", "n_energies": 64},
           "drive": [{"type": "quench", "final_gap": 1.2}], "times": {"stop": 3.0, "count": 61},
           "grid": {"final_gap": {"start": 1.1, "stop": 1.25, "count": 4}, "temperature": [0.0, 2.0],
                    "sort_by": "-final_gap"}}
    cfg = config.build(raw)
    np.testing.assert_allclose(cfg["grid"]["final_gap"], [1.1, 1.15, 1.2, 1.25])
    assert cfg["sweep"] == {"sort_by": "-final_gap"} and list(cfg["grid"]) == ["final_gap", "temperature"]
    with pytest.raises(ValueError, match="grid.v"):
        config.build({**raw, "grid": {"v": "a lot"}})
    store = tmp_path / "s.zarr"
    zarr.open_group(str(store), mode="w")
    toml = tmp_path / "c.toml"
    toml.write_text('[material]\ngap = 1.3\nomega_D = 20.0\n[model]\nname = "clean-pseudospin"\nn_energies = 64\n'
                    '[[drive]]\ntype = "quench"\nfinal_gap = 1.2\n[times]\nstop = 3.0\ncount = 61\n'
                    '[grid]\nfinal_gap = [1.1, 1.2]\n')
    assert cli.main(["sweep", str(toml), "--store", str(store)]) == 2  # exists, no --resume


@pytest.mark.slow  # a second compiled batch program (~10 s); vmap is the accelerator default, CI has no accelerator
def test_vmapped_and_sequential_batches_agree(reference):
    """vectorize="vmap" (accelerator default) and "map" (CPU default) give the same numbers."""
    ds = jh.sweep(model(), drive(), TIMES, GRID, chunk_size=CHUNK, progress=False, vectorize="vmap", **OPTS)
    assert np.max(np.abs(ds.gap.values - reference.gap.values)) < 1e-12 * np.max(np.abs(reference.gap.values))
    with pytest.raises(ValueError, match="vectorize"):
        jh.sweep(model(), drive(), TIMES, GRID, progress=False, vectorize="loop", **OPTS)


def test_progress_bar_counts_points_with_eta_and_is_silent_when_off(capsys, caplog):
    """Sweep progress: a tqdm bar over the points (count, rate, ETA) and messages on stderr; a log line per
    chunk whose ETA leaves out the first chunk (compilation); nothing printed with progress=False."""
    import logging

    from jaxhiggs.sweep.progress import Progress

    with caplog.at_level(logging.INFO, logger="jaxhiggs.sweep"):
        bar = Progress(True)
        bar.say("12 points in 3 chunk(s)")
        bar.start(12, 3)
        etas = [bar.chunk(c, 3, n, wall, np.array([10, 20]), 0) for c, n, wall in ((0, 5, 9.0), (1, 5, 1.0), (2, 2, 1.0))]
        bar.close()
    err = capsys.readouterr().err
    assert "jaxhiggs.sweep: 12 points in 3 chunk(s)" in err and "12/12" in err and "point/s" in err, err
    assert etas == [18.0, 1.0, 0.0]  # after chunk 1: 2 chunks × its 9 s; then the later chunks' 1 s each
    assert "chunk 2/3: 5 points, 1.00 s, steps max 20 mean 15, 0 failed | 2 of 3 chunk(s) to compute done, ETA 1 s" in caplog.text
    quiet = Progress(False)
    quiet.say("hidden")
    quiet.start(4, 1)
    quiet.chunk(0, 1, 4, 1.0, np.array([1]), 0)
    quiet.close()
    assert capsys.readouterr().err == ""
