"""Benchmark: DisorderedPseudospin at the paper's N = 15 024 levels (single run and vmapped over ζ).

Writes benchmarks/results/disordered_cpu.json (device, versions, date).  Compile time is
measured separately (first call minus a second call with the same shapes).
Run: PYTHONPATH=. python benchmarks/bench_disordered.py [--t-max 40]
"""

from __future__ import annotations

import argparse
import datetime
import json
import pathlib
import platform
import time

import diffrax
import equinox as eqx
import jax

from _common import add_arguments
import jax.numpy as jnp

import jaxhiggs as jh
from jaxhiggs import units
from jaxhiggs.solve import SolverOptions, solve


def timed(fn, *args):
    t0 = time.perf_counter()
    out = jax.block_until_ready(fn(*args))
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = jax.block_until_ready(fn(*args))
    second = time.perf_counter() - t0
    return out, first - second, second


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=15024)
    parser.add_argument("--t-max", type=float, default=40.0, help="in 1/Δ1 (ħ/meV with Δ1 = 1 meV)")
    parser.add_argument("--dt", type=float, default=0.02, help="fixed step in 1/Δ1")
    add_arguments(parser)
    args = parser.parse_args()
    if args.quick:
        args.n, args.t_max = 500, 4.0
    mat = jh.materials.single_band(1.0025, 20.0)  # spec §8 proposal: ω_D = 20Δ1, Δ0/Δ1 = 1.0025
    times = jnp.linspace(0.0, args.t_max, int(10 * args.t_max) + 1)
    opts = SolverOptions(dt=args.dt * units.HBAR_MEV_PS, solver=diffrax.Tsit5())
    drive = jh.Quench(final_gap=1.0)

    def run(rate):
        model = jh.models.DisorderedPseudospin(mat, args.n, magnetic_rate=rate)
        ys, steps, ok = solve(model, drive, times, opts)
        return ys["gap"][:, 0].real, steps

    single = eqx.filter_jit(run)
    batched = eqx.filter_jit(jax.vmap(run))
    zetas = jnp.asarray([0.02, 0.05, 0.1, 0.2])
    (gap1, steps), c1, r1 = timed(single, jnp.asarray(0.05))
    (gapb, _), cb, rb = timed(batched, zetas)
    result = {
        "benchmark": "DisorderedPseudospin quench (Dzero Fig. 2 protocol)",
        "n_levels": args.n, "omega_D_meV": 20.0, "t_max_hbar_per_meV": args.t_max, "dt_hbar_per_meV": args.dt,
        "solver": "Tsit5 fixed step", "steps": int(steps),
        "single": {"zeta": 0.05, "compile_s": round(c1, 3), "run_s": round(r1, 3)},
        "vmap": {"zetas": zetas.tolist(), "compile_s": round(cb, 3), "run_s": round(rb, 3)},
        "mean_gap_second_half_meV": [float(g[g.shape[0] // 2:].mean()) for g in gapb],
        "device": str(jax.devices()[0]), "platform": platform.platform(), "processor": platform.processor(),
        "cpu_count": __import__("os").cpu_count(),
        "versions": {"python": platform.python_version(), "jax": jax.__version__, "diffrax": diffrax.__version__,
                     "equinox": eqx.__version__, "jaxhiggs": jh.__version__},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "note": "machine shared with other jobs during the run (load ~6 on 2 cores): timings are upper bounds",
    }
    print(json.dumps(result, indent=2))
    if args.write:
        out = pathlib.Path(__file__).parent / "results" / f"disordered_{jax.devices()[0].platform}.json"
        out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
