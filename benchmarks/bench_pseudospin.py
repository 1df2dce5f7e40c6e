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

With ``--work-precision``: error against time for both codes over a range of tolerances (the reference's
solve_ivp DOP853 at rtol 1e-6 … 1e-10, jaxhiggs's default solver at rtol 1e-5 … 1e-11, atol = rtol/1000), and
for each reference point the jaxhiggs time at the same error, interpolated log-log between its two nearest points:
the ratio at equal accuracy (written to ``pseudospin_work_precision``).  Both codes are timed as the best of two
runs; the errors are against a jaxhiggs Dopri8 run at rtol 1e-12 (so the tightest points, ~1e-12 meV, are at its
own accuracy).

Usage: python benchmarks/bench_pseudospin.py [--sizes 1000 4000 15024] [--batch] [--work-precision] [--quick] [--write]
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
    parser.add_argument("--work-precision", action="store_true",
                        help="error vs CPU time for both codes over tolerances, and the ratio at equal accuracy")
    add_arguments(parser)
    args = parser.parse_args()
    sizes = [1000] if args.quick else args.sizes
    if args.work_precision:
        return work_precision(sizes, args.write)
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


REFERENCE_RTOLS = (1e-6, 1e-7, 1e-8, 1e-9, 1e-10)
JAX_RTOLS = (1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11)
REPEATS = 2  # timed runs per point, the best counts (after one untimed compile-and-run for jaxhiggs)


def _time_at_error(points, error):
    """CPU time of a (error, time) curve at ``error``, log-log between the two nearest points (None outside)."""
    points = sorted(points)
    for (e0, t0), (e1, t1) in zip(points, points[1:]):
        if e0 <= error <= e1 and e0 > 0:
            x = np.log(error / e0) / np.log(e1 / e0) if e1 > e0 else 0.0
            return float(np.exp(np.log(t0) + x * np.log(t1 / t0)))
    return None


def work_precision(sizes, write_results):
    gaps = jnp.asarray([0.97])
    out = []
    for n in sizes:
        gap_tight, _ = jax_batch(n, dict(solver=diffrax.Dopri8(), rtol=1e-12, atol=1e-15))(gaps)
        tight = np.asarray(gap_tight[0])
        reference_points = []
        for rtol in REFERENCE_RTOLS:
            cpu = float("inf")
            for _ in range(REPEATS):  # best of REPEATS for both codes
                start = time.process_time()
                ref, _ = reference.simulate((1.05,), 0.0, 20.0, n, TIMES, final_gaps=(0.97,), rtol=rtol,
                                            atol=rtol * 1e-3)
                cpu = min(cpu, time.process_time() - start)
            reference_points.append(dict(rtol=rtol, cpu_s=cpu, max_error_meV=float(np.max(np.abs(ref[:, 0] - tight)))))
            print(n, "reference", reference_points[-1], flush=True)
        jax_points = []
        for rtol in JAX_RTOLS:
            run = jax_batch(n, dict(rtol=rtol, atol=rtol * 1e-3))
            jax.block_until_ready(run(gaps))
            (gap, steps), _, cpu = cpu_timed(run, gaps, repeats=REPEATS)
            jax_points.append(dict(rtol=rtol, cpu_s=cpu, steps=int(np.max(steps)),
                                   max_error_meV=float(np.max(np.abs(np.asarray(gap[0]) - tight)))))
            print(n, "jaxhiggs", jax_points[-1], flush=True)
        curve = [(p["max_error_meV"], p["cpu_s"]) for p in jax_points]
        for p in reference_points:
            at = _time_at_error(curve, p["max_error_meV"])
            p["jaxhiggs_cpu_s_at_this_error"] = at
            p["ratio_at_equal_error"] = None if at is None else p["cpu_s"] / at
        out.append(dict(n_energies=n, reference=reference_points, jaxhiggs=jax_points))
        print(n, [(p["rtol"], p["ratio_at_equal_error"]) for p in reference_points], flush=True)
    if write_results:
        write("pseudospin_work_precision", {"description": __doc__.split("\n\n")[1] + " " + __doc__.split("\n\n")[2],
                                            "rows": out})


if __name__ == "__main__":
    main()
