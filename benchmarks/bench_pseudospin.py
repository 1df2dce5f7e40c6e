"""Clean pseudospins: jaxhiggs with its default options vs the NumPy/SciPy reference (solve_ivp, DOP853).

Case: one band, Δ0i = 1.05 meV quenched to the couplings of Δ0f = 1 meV, ω_D = 20 meV, window
0..40 ħ/meV, 201 saved times.  jaxhiggs runs with its defaults (Dopri8, rtol 1e-9: on CPU diffrax's loop below
N_e = 4000, the lean stage loop of ``UnrolledDopri8(stage_loop=True)`` from there on) and, for comparison, with
diffrax's looped Dopri8 at the default tolerances and with the stage loop at rtol 1e-8; the reference runs at
rtol 1e-8.  "first call" = compilation + one run, what a user
waits for in a fresh process without the persistent compilation cache.  Accuracy of each is its max |ΔΔ(t)| (meV) against a tight jaxhiggs run
(diffrax Dopri8, rtol 1e-12).  Times are the best of three runs after compilation (compile reported
separately), as wall and as process CPU time: run under ``taskset -c 0`` with OMP_NUM_THREADS=1 on a
shared machine and compare CPU times.  Batches: 16 quench strengths in one compiled call for
jaxhiggs (vmapped on accelerators, lax.map on CPU as in jaxhiggs.sweep), a loop of solve_ivp calls
for the reference (measured for N_e = 1000, estimated as 16 × single for larger N_e and marked so).

Usage: python benchmarks/bench_pseudospin.py [--sizes 1000 4000 15024] [--batch] [--quick] [--write]
"""

from __future__ import annotations

import argparse
import time

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
from _common import add_arguments, cpu_timed, peak_rss_mb, write

import jaxhiggs as jh
from jaxhiggs.reference import pseudospin as reference
from jaxhiggs.solvers import UnrolledDopri8

T_MAX = 40.0
TIMES = np.linspace(0.0, T_MAX, 201)  # ħ/meV

VARIANTS = {  # name → SolverOptions
    "default": dict(),
    "diffrax Dopri8": dict(solver=diffrax.Dopri8()),
    "stage-loop Dopri8 rtol 1e-8": dict(solver=UnrolledDopri8(stage_loop=True), rtol=1e-8, atol=1e-11),
}


def jax_batch(n, options):
    opts = jh.SolverOptions(**options)
    model = jh.models.CleanPseudospin(jh.materials.single_band(1.05, 20.0), n)
    t = jnp.asarray(TIMES)

    @jax.jit
    def run(gaps):
        def one(g):
            obs, steps, ok = jh.solve_raw(model, jh.Quench(final_gap=g), t, opts)
            return obs["gap"][:, 0], steps

        # as jaxhiggs.sweep does: vectorise on accelerators, a sequential compiled loop on CPU
        return jax.vmap(one)(gaps) if jax.devices()[0].platform != "cpu" else jax.lax.map(one, gaps)

    return run


def reference_run(n, gaps, n_ref):
    """Reference CPU seconds for ``n_ref`` of the quench strengths, and their results."""
    results, cpu, wall = [], 0.0, 0.0
    for k in range(n_ref):
        start, start_wall = time.process_time(), time.perf_counter()
        ref, _ = reference.simulate((1.05,), 0.0, 20.0, n, TIMES, final_gaps=(float(gaps[k]),), rtol=1e-8, atol=1e-11)
        cpu += time.process_time() - start
        wall += time.perf_counter() - start_wall
        results.append(ref[:, 0])
    return cpu, wall, results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 15024])
    parser.add_argument("--batch", action="store_true", help="also time batches of 16 quench strengths")
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS),
                        help="jaxhiggs configurations to time (on a GPU 'default' is diffrax's Dopri8)")
    add_arguments(parser)
    args = parser.parse_args()
    sizes = [1000] if args.quick else args.sizes
    rows = []
    for n in sizes:
        for batch in (1, 16) if args.batch else (1,):
            gaps = jnp.asarray(np.linspace(0.95, 1.0, batch) if batch > 1 else np.array([0.97]))
            gap_tight, _ = jax_batch(n, dict(solver=diffrax.Dopri8(), rtol=1e-12, atol=1e-15))(gaps)
            n_ref = batch if (n <= 1000 or batch == 1) else 1
            ref_cpu, ref_wall, refs = reference_run(n, np.asarray(gaps), n_ref)
            ref_cpu, ref_wall = ref_cpu * batch / n_ref, ref_wall * batch / n_ref
            err_ref = max(float(np.max(np.abs(r - np.asarray(gap_tight[k])))) for k, r in enumerate(refs))
            for name in args.variants:
                options = VARIANTS[name]
                run = jax_batch(n, options)
                start = time.process_time()
                jax.block_until_ready(run(gaps))
                first = time.process_time() - start
                (gap, steps), wall, cpu = cpu_timed(run, gaps)
                row = {
                    "n_energies": n, "batch": batch, "jaxhiggs": name, "compile_cpu_s": first - cpu, "first_call_cpu_s": first,
                    "jax_run_wall_s": wall, "jax_run_cpu_s": cpu, "reference_cpu_s": ref_cpu,
                    "reference_wall_s": ref_wall, "reference_estimated": n_ref != batch, "speedup_cpu": ref_cpu / cpu,
                    # on an accelerator the process CPU time of jaxhiggs means little: compare wall times there
                    "speedup_wall": ref_wall / wall,
                    "jax_max_error_meV": float(jnp.max(jnp.abs(gap - gap_tight))),
                    "reference_max_error_meV": err_ref, "jax_steps_max": int(np.max(steps)),
                    "peak_rss_mb": peak_rss_mb(),
                }
                rows.append(row)
                print({k: (float(f"{v:.4g}") if isinstance(v, float) else v) for k, v in row.items()}, flush=True)
    if args.write:
        write("pseudospin", {"description": __doc__.split("\n\n")[1], "rows": rows})


if __name__ == "__main__":
    main()
