"""Clean pseudospins: jaxhiggs (diffrax, Dopri8) vs the NumPy/SciPy reference (solve_ivp, DOP853).

Case: one band, Δ0i = 1.05 meV quenched to the couplings of Δ0f = 1 meV, ω_D = 20 meV, window
0..40 ħ/meV, 201 saved times, both codes at rtol = 1e-8.  Accuracy of each is its max |ΔΔ(t)|
against a tight JAX run (rtol = 1e-12).  Batches: 16 quench strengths in one compiled call for
jaxhiggs (vmapped on accelerators, lax.map on CPU as in jaxhiggs.sweep), a loop of solve_ivp calls for the reference (measured for N_e = 1000, estimated as
16 × single for larger N_e and marked so).  Compile time is reported separately.

Usage: python benchmarks/bench_pseudospin.py [--sizes 1000 4000 15024] [--quick] [--write]
"""

from __future__ import annotations

import argparse

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
from _common import add_arguments, peak_rss_mb, timed, write

import jaxhiggs as jh
from jaxhiggs.reference import pseudospin as reference

T_MAX = 40.0
TIMES = np.linspace(0.0, T_MAX, 201)  # ħ/meV


def jax_batch(n, final_gaps, rtol):
    opts = jh.SolverOptions(solver=diffrax.Dopri8(), rtol=rtol, atol=rtol * 1e-3)
    model = jh.models.CleanPseudospin(jh.materials.single_band(1.05, 20.0), n)
    t = jnp.asarray(TIMES)

    @jax.jit
    def run(gaps):
        def one(g):
            obs, steps, ok = jh.solve_raw(model, jh.Quench(final_gap=g), t, opts)
            return obs["gap"][:, 0], steps

        # as jaxhiggs.sweep does: vectorise on accelerators, a sequential compiled loop on CPU
        return jax.vmap(one)(gaps) if jax.devices()[0].platform != "cpu" else jax.lax.map(one, gaps)

    return run, jnp.asarray(final_gaps)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 15024])
    add_arguments(parser)
    args = parser.parse_args()
    sizes = [1000] if args.quick else args.sizes
    rows = []
    for n in sizes:
        for batch in (1, 16):
            gaps = np.linspace(0.95, 1.0, batch) if batch > 1 else np.array([0.97])
            run, g = jax_batch(n, gaps, 1e-8)
            (_, _), t_first = timed(run, g)
            (gap, steps), t_run = timed(run, g)
            tight, _ = jax_batch(n, gaps, 1e-12)
            gap_tight, _ = tight(g)
            err_jax = float(jnp.max(jnp.abs(gap - gap_tight)))
            # reference: measured single runs (all 16 only for the smallest grid)
            n_ref = batch if (n <= 1000 or batch == 1) else 1
            ref_time = 0.0
            err_ref = 0.0
            for k in range(n_ref):
                (ref, nfev), dt = timed(
                    lambda: reference.simulate((1.05,), 0.0, 20.0, n, TIMES, final_gaps=(float(gaps[k]),),
                                               rtol=1e-8, atol=1e-11)
                )
                ref_time += dt
                err_ref = max(err_ref, float(np.max(np.abs(ref[:, 0] - np.asarray(gap_tight[k])))))
            ref_total = ref_time * batch / n_ref
            row = {
                "n_energies": n, "batch": batch, "compile_plus_first_run_s": t_first, "jax_run_s": t_run,
                "reference_s": ref_total, "reference_estimated": n_ref != batch,
                "speedup": ref_total / t_run, "jax_max_error_meV": err_jax, "reference_max_error_meV": err_ref,
                "jax_steps_max": int(np.max(steps)), "peak_rss_mb": peak_rss_mb(),
            }
            rows.append(row)
            print({k: (float(f"{v:.4g}") if isinstance(v, float) else v) for k, v in row.items()}, flush=True)
    if args.write:
        write("pseudospin", {"description": __doc__.split("\n\n")[1], "rows": rows})


if __name__ == "__main__":
    main()
