"""Issue 10 items 2 and 3: sweep axes never hide observables; a waveform's frequency limit comes from
its spectral content, not from its sample spacing."""

import numpy as np
import pytest

import jaxhiggs as jh
from jaxhiggs import units
from jaxhiggs.solve import check_times
from jaxhiggs.sweep import observable_layout
from jaxhiggs.sweep_params import DRIVE_NAMES, RESERVED, canonical, parse_name

MODELS = {
    "CleanPseudospin": lambda m: jh.models.CleanPseudospin(m, 16),
    "MattisBardeen": lambda m: jh.models.MattisBardeen(m, 16, check_grid=False),
    "DisorderedPseudospin": lambda m: jh.models.DisorderedPseudospin(m, 16),
}


def sweepable(n_bands):
    names = ["gamma", "gap", "target_gap", "v", "temperature", *DRIVE_NAMES]
    names += [f"{k}_{i}" for k in ("gamma", "gap", "target_gap") for i in range(1, n_bands + 1)]
    return {canonical(n) for n in names}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_no_parameter_axis_collides_with_an_observable(name):
    material = jh.materials.nbn(gamma=0.5) if name != "MattisBardeen" else jh.materials.mgb2(gammas=(0.5, 0.5))
    if name == "DisorderedPseudospin":
        material = jh.materials.nbn()
    model = MODELS[name](material)
    drive = jh.Quench(final_gap=1.2) if name == "DisorderedPseudospin" else jh.GaussianPulse(5.0, 1.0, 0.2, 1.0)
    observables = set(observable_layout(model, drive, 4))
    axes = sweepable(material.n_bands)
    assert "gap" in observables and "gap" not in axes and "target_gap" in axes
    assert not axes & observables, axes & observables
    assert not axes & set(RESERVED)
    assert not {f"{a}_index" for a in axes} & (observables | axes)
    for axis in axes:  # every name is understood
        parse_name(axis, material.n_bands)


def test_gap_sweep_keeps_the_gap_observable():
    model = jh.models.CleanPseudospin(jh.materials.nbn(), 16)
    ds = jh.sweep(model, jh.Quench(final_gap=1.2, time=0.5), np.linspace(0.0, 1.0, 21), {"gap": [1.3, 1.5]}, progress=False,
                  dt=0.01)
    assert ds.gap.dims == ("target_gap", "time", "band")  # the observable Δ(t), complex meV
    assert np.iscomplexobj(ds.gap.values) and ds.target_gap.values.tolist() == [1.3, 1.5]
    assert ds.target_gap.attrs["units"] == "meV"
    np.testing.assert_allclose(np.abs(ds.gap.values[:, 0, 0]), [1.3, 1.5], rtol=1e-12)  # Δ(t₀) = the swept gap


def _trace(frequency_thz, spacing_ps):
    t = np.arange(0.0, 10.0 + spacing_ps / 2, spacing_ps)
    return t, 10.0 * np.exp(-(((t - 5.0) / 0.8) ** 2)) * np.cos(2 * np.pi * frequency_thz * (t - 5.0))


def test_oversampled_waveform_judged_by_its_spectrum():
    # 1 fs samples of a 0.5 THz pulse: formerly "spacing must be ≤ 0.001 ps"
    wave = jh.Waveform(*_trace(0.5, 0.001))
    limit_thz = units.mev_to_thz(wave.max_frequency())
    assert 0.5 < limit_thz < 1.5, limit_thz  # 99.99 % of |E(ν)|² lies below it
    check_times(np.linspace(0.0, 10.0, 101), wave)  # 0.1 ps saved times resolve it
    with pytest.raises(ValueError, match=r"times spacing = 1 ps is not allowed: it must be ≤ 0\.\d+ ps"):
        check_times(np.linspace(0.0, 10.0, 11), wave)
    # the same 1 fs sampling of a 5 THz pulse still needs fine saved times
    fast = jh.Waveform(*_trace(5.0, 0.001))
    assert units.mev_to_thz(fast.max_frequency()) > 5.0
    with pytest.raises(ValueError, match="times spacing"):
        check_times(np.linspace(0.0, 10.0, 101), fast)
    # the sampling no longer matters: 1 fs and 20 fs samples give the same limit within the FFT resolution
    coarse = jh.Waveform(*_trace(0.5, 0.02))
    assert abs(coarse.max_frequency() - wave.max_frequency()) < 0.05 * wave.max_frequency()
