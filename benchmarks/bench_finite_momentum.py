"""Finite-momentum density matrix (Krull et al.): cost per right-hand side, compile time and steps of a pump run.

Case: jaxhiggs.materials.mgb2(v = 0.05), n_max = 4, q0_steps = 1, Krull's 8 meV pump (FWHM 0.4 ps, centre 1 ps) with
|A0| = 5e-9 V·s/m, window 0..3 ps (301 saved times), Tsit5 (the model's default) and ExponentialRK4, both at
rtol 1e-6.  For each grid (dk in nm⁻¹, k_y lines per band) it reports the state size, the compile time and run time
of one jitted vector-field call, and per solver the compile+first-run and the run time of the solve, its steps and
the largest BdG-norm drift.

Usage: python benchmarks/bench_finite_momentum.py [--grids 8e-3:2 4e-3:4 2e-3:8] [--quick] [--write]
"""

from __future__ import annotations

import argparse

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from _common import add_arguments, peak_rss_mb, timed, write

import jaxhiggs as jh
from jaxhiggs import units

TIMES = np.linspace(0.0, 3.0, 301)  # ps


@eqx.filter_jit
def _rhs(model, t, y, args):
    return model.vector_field(t, y, args)


def measure(dk: float, n_lines: int, solve: bool = True) -> dict:
    model = jh.models.FiniteMomentum(jh.materials.mgb2(v=0.05), dk=dk, n_lines=n_lines, n_max=4)
    pump = jh.GaussianPulse.from_vector_potential(2 * 5e-9, units.mev_to_thz(8.0), 0.4 / 2.3548, 1.0)
    y0, args = model.initial_state(), model.arguments(pump)
    t = jnp.asarray(units.ps_to_internal(1.0))
    _, t_compile = timed(_rhs, model, t, y0, args)
    reps = 20
    _, t_many = timed(lambda: [_rhs(model, t, y0, args) for _ in range(reps)][-1])
    row = {"dk_per_nm": dk, "n_lines": n_lines, "n_shell": [int(x) for x in model.shell.n_shell()],
           "n_k_stored": int(model.shell.n_k), "state_complex": int(y0["rho"].size),
           "rhs_compile_plus_first_s": t_compile, "rhs_s": t_many / reps}
    if solve:
        for name, solver in (("Tsit5", None), ("ExponentialRK4", jh.solvers.ExponentialRK4())):
            opts = dict(solver=solver, rtol=1e-6, atol=1e-9)
            res, t_first = timed(lambda: jh.simulate(model, pump, TIMES, **opts))
            res, t_run = timed(lambda: jh.simulate(model, pump, TIMES, **opts))
            row[name] = dict(compile_plus_first_s=t_first, run_s=t_run, steps=int(res.num_steps),
                             run_s_per_step=t_run / int(res.num_steps), max_norm_drift=float(res["norm_drift"].max()),
                             final_gap_meV=np.abs(np.asarray(res.gap[-1])).round(6).tolist())
    row["peak_rss_mb"] = peak_rss_mb()
    return row


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--grids", nargs="+", default=["8e-3:2", "4e-3:4", "2e-3:8"],
                        help="dk:n_lines pairs (nm⁻¹ : k_y lines per band)")
    parser.add_argument("--no-solve", action="store_true", help="time the vector field only")
    add_arguments(parser)
    args = parser.parse_args()
    grids = ["1.6e-2:2"] if args.quick else args.grids
    rows = []
    for g in grids:
        dk, lines = g.split(":")
        row = measure(float(dk), int(lines), solve=not args.no_solve)
        print(row)
        rows.append(row)
    if args.write:
        write("finite_momentum", {"case": __doc__.split("\n\n")[1], "rows": rows})


if __name__ == "__main__":
    main()
