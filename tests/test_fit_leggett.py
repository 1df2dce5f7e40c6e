"""Fits through the clean two-band pseudospin simulation: the Leggett mode in a pump–probe trace (issue 12 item 3).

Default suite: input validation (every error raised before anything is compiled) and the grid's checks.
``--runslow``: the Jacobian of the observable against central differences, and recovery of the hidden gaps
and interband coupling v from a synthetic noisy trace made at a finer time step.
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxhiggs._validate import InputError
from jaxhiggs.fit import simulation as sim
from jaxhiggs.fit.simulated import fit_leggett_pump_probe, leggett_model

DELAYS = np.linspace(0.3, 5.0, 10)
INIT = {"gap_1": 7.0, "gap_2": 3.0, "v": 0.02}


@pytest.mark.parametrize("kwargs, match", [
    (dict(signal=np.ones(9)), r"signal has shape \(9,\).*\(10,\)"),
    (dict(signal=np.r_[np.ones(4), np.nan, np.ones(5)]), r"signal\[4\] = nan"),
    (dict(signal=np.ones(10) + 1j), r"signal = .* is not allowed"),
    (dict(delays=DELAYS[::-1]), r"delays\[1\].*strictly increasing"),
    (dict(delays=DELAYS - 1.0), r"delays\[0\] = -0.7 ps is not allowed: delays after the run start"),
    (dict(initial={"gap_1": 7.0, "gap_2": 3.0}), r"initial has no 'v'"),
    (dict(initial={"gap_1": 7.0, "gap_2": -3.0, "v": 0.02}), r"initial\['gap_2'\] = -3.0 meV"),
    (dict(initial={"gap_1": 7.0, "gap_2": 3.0, "v": 0.0}), r"initial\['v'\] = 0.0 is not allowed"),
    (dict(temperature=60.0), r"temperature = 60.0 K is not allowed: temperatures below 0.95 T_c"),
    (dict(uncertainty=-1.0), "uncertainty.*> 0"),
    (dict(grid=sim.SimulationGrid()), r"grid = .* is not allowed: give a jaxhiggs.fit.simulation.PseudospinGrid"),
    (dict(pump=(2.0, 0.0, 0.1, 0.0)), r"pump = \(2.0, 0.0, 0.1, 0.0\) is not allowed"),
])
def test_leggett_bad_inputs_are_named_before_compiling(kwargs, match):
    args = dict(delays=DELAYS, signal=np.ones(10), initial=INIT)
    args.update(kwargs)
    with pytest.raises(InputError, match=match):
        fit_leggett_pump_probe(args.pop("delays"), args.pop("signal"), args.pop("initial"), **args)


def test_pseudospin_grid_is_validated():
    with pytest.raises(InputError, match=r"signs\[1\] = 0.5 is not allowed"):
        sim.PseudospinGrid(signs=(-1.0, 0.5))
    with pytest.raises(InputError, match=r"masses = \(1.0,\) is not allowed: a tuple of two numbers"):
        sim.PseudospinGrid(masses=(1.0,))
    with pytest.raises(InputError, match="n_energies = 161 is not allowed: an even number"):
        sim.PseudospinGrid(n_energies=161)
    # N_e = 160 on ±20 meV: spacing 0.25 meV, πħ/δε = 8.271 ps
    assert sim.PseudospinGrid().recurrence_ps() == pytest.approx(8.271, abs=1e-3)


def test_leggett_model_is_cached_per_setting():
    grid = sim.PseudospinGrid(n_energies=32)
    a = leggett_model(tuple(DELAYS), 0.0, (2.0, 0.0, 0.1, 0.0), grid)
    assert a is leggett_model(tuple(DELAYS), 0.0, (2.0, 0.0, 0.1, 0.0), grid)
    assert a.required == ("gap_1", "gap_2", "v", "scale_1", "scale_2") and a.kind == "real"
