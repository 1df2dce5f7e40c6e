"""Benchmark: jaxhiggs MattisBardeen (lab and rotating frame, diffrax Tsit5) vs the NumPy/solve_ivp reference.

Case: NbN-like single band (Δ0 = 1.3 meV, ω_D = 5 meV, 4 K, γ = 2Δ) or the MgB2-like two-band model,
seed-000 pump, orders 1–3, window [−5, T_END] ps.  Accuracy is measured against a tight jaxhiggs
run (rtol 1e-11, lab frame) as the max relative error of δΔ(t) and j₃(t).  Each timed run is done
twice: the first includes compilation (reported separately).  Peak RSS is the process maximum
(ru_maxrss) after the configuration.  Usage:

    python benchmarks/bench_mattis_bardeen.py [--sizes 50 100 200] [--ref-max 100] [--t-end 10] [--quick]
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import resource
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import scipy

import jaxhiggs as jh
from jaxhiggs import units
from jaxhiggs.models.mattis_bardeen import MattisBardeen
from jaxhiggs.reference.mattis_bardeen import inputs_from_model, simulate_reference
from jaxhiggs.solve import SolverOptions, solve


def material(bands, gamma=2.6):
    if bands == 1:
        return jh.material.single_band(1.3, 5.0, 4.0, sign=1.0, mass=0.78, fermi_energy=1000.0, gamma=gamma)
    return jh.material.two_band((3.0, 7.0), 0.02, 25.0, 1.0, signs=(1.0, -1.0), masses=(0.85, 1.38),
                                fermi_energies=(2900.0, 700.0), gammas=(gamma * 4, gamma * 4))


def pulse():
    te = -2.63
    return jh.GaussianPulse.from_vector_potential(0.5e-8, units.mev_to_thz(0.4), 0.354, te,
                                                  phase=0.4 * units.ps_to_internal(te))


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    jax.block_until_ready(out)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = fn()
    jax.block_until_ready(out)
    return out, first, time.perf_counter() - t0


def relerr(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200, 400, 600])
    ap.add_argument("--ref-max", type=int, default=200)
    ap.add_argument("--bands", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--t-end", type=float, default=10.0)
    ap.add_argument("--rtol", type=float, default=1e-8)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default="benchmarks/results/mattis_bardeen_cpu.json")
    a = ap.parse_args()
    if a.quick:
        a.sizes, a.ref_max, a.bands, a.t_end, a.batch = [20, 40], 20, [1], 2.0, 4
    times = np.arange(-5.0, a.t_end, 0.02)
    t_int = units.ps_to_internal(jnp.asarray(times))
    records = []
    for nb in a.bands:
        for n in a.sizes:
            rec = dict(bands=nb, n_energies=n, t_window_ps=[float(times[0]), float(times[-1])], rtol=a.rtol)
            mat = material(nb)
            base = MattisBardeen(mat, n, frame="lab", check_grid=False)
            solve_j = jax.jit(lambda m, d, o: solve(m, d, t_int, o), static_argnums=2)
            tight, _, t_tight = timed(lambda: solve_j(base, pulse(), SolverOptions(rtol=1e-11, atol=1e-15)))
            rec["tight_wall_s"] = t_tight
            for frame in ("lab", "rotating"):
                m = base.with_options(frame=frame)
                opts = SolverOptions(rtol=a.rtol, atol=a.rtol * 1e-4)
                (ys, steps, ok), first, wall = timed(lambda: solve_j(m, pulse(), opts))
                rec[frame] = dict(wall_s=wall, compile_s=first - wall, steps=int(steps),
                                  err_gap=relerr(ys["delta_gap"], tight[0]["delta_gap"]),
                                  err_j3=relerr(ys["current_3"], tight[0]["current_3"]),
                                  err_j1=relerr(ys["current_1"], tight[0]["current_1"]), peak_rss_mb=rss_mb())
                print(nb, n, frame, rec[frame], flush=True)
            if n <= a.ref_max:
                ref = simulate_reference(inputs_from_model(base, pulse()), np.asarray(t_int), rtol=a.rtol, atol=a.rtol * 1e-4)
                rec["reference"] = dict(wall_s=ref["wall_s"], nfev=ref["nfev"],
                                        err_gap=relerr(ref["delta_gap"], tight[0]["delta_gap"]),
                                        err_j3=relerr(ref["current_p3"] + ref["current_d3"], tight[0]["current_3"]),
                                        peak_rss_mb=rss_mb())
                best = min(rec["lab"]["wall_s"], rec["rotating"]["wall_s"])
                rec["speedup_vs_reference"] = ref["wall_s"] / best
                print(nb, n, "reference", rec["reference"], "speedup", rec["speedup_vs_reference"], flush=True)
            records.append(rec)
    # vmapped batch over γ (single band, smallest size)
    n = a.sizes[0]
    gammas = jnp.linspace(0.2, 5.0, a.batch)

    def one(g):
        m = MattisBardeen(material(1, g), n, frame="lab", check_grid=False)
        return solve(m, pulse(), t_int, SolverOptions(rtol=a.rtol, atol=a.rtol * 1e-4))[0]["delta_gap"]

    batched = jax.jit(jax.vmap(one))
    _, first, wall = timed(lambda: batched(gammas))
    singles = jax.jit(one)
    _, _, wall_single = timed(lambda: singles(gammas[0]))
    batch = dict(n_energies=n, batch=a.batch, wall_s=wall, compile_s=first - wall, single_wall_s=wall_single,
                 per_run_s=wall / a.batch, peak_rss_mb=rss_mb())
    print("batch", batch, flush=True)
    out = dict(device=str(jax.devices()[0]), platform=platform.platform(), cpu_count=__import__("os").cpu_count(),
               load_average=list(__import__("os").getloadavg()),
               versions=dict(jax=jax.__version__, numpy=np.__version__, scipy=scipy.__version__,
                             python=platform.python_version()),
               date=datetime.datetime.now().isoformat(timespec="seconds"), records=records, vmap_gamma=batch,
               note="shared 2-core machine: other jobs were running (see load_average); timings are upper bounds")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1))
    print("wrote", a.out)


if __name__ == "__main__":
    main()
