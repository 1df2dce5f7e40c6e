"""Benchmark: the seed-000 Fig. 1 sweep — Higgs oscillations for 25 disorder rates γ at N_e = 600.

NbN single band (as in bench_mattis_bardeen.py), γ = x·2Δ(4 K) for the 25 values of x in the
authors' Table A, full window [−4.937, 29.62] ps, 3000 saved times, the package's default options,
orders = 2 (δΔ only, as Fig. 1 needs) or 3 (``--orders 3``).  The batch is vmapped (members step in
lockstep; the GPU choice) and its wall time, compile time and steps are reported; on a GPU also the
achieved memory bandwidth of one batched right-hand side.  ``--api sweep`` instead times the public
``jh.sweep`` over the first ``--n-gamma`` of those γ (on a CPU it runs the points one after another) against one
``jh.simulate`` of the same model: issue 13's per-point target (a 16-point γ sweep at N_e = 100 costs no more per
point than a single run).  Results are printed; ``--write`` writes ``results/fig1_sweep_<platform>.json``
(``fig1_sweep_api_<platform>.json`` for ``--api sweep``).  Usage:

    python benchmarks/bench_fig1_sweep.py [--n-energies 600] [--orders 2] [--quick] [--write]
    python benchmarks/bench_fig1_sweep.py --api sweep --n-energies 100 --orders 3 --n-gamma 16 [--cpu-devices 0] [--write]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

X = [1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0,
     1.05, 1.1, 1.2, 1.3, 20.0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-energies", type=int, default=600)
    ap.add_argument("--orders", type=int, default=2, choices=(2, 3))
    ap.add_argument("--solver", choices=("default", "ExponentialRK4", "Tsit5"), default="default")
    ap.add_argument("--free-evolution", choices=("default", "on", "off"), default="default",
                    help="the closed-form evolution after the pulse (default: the model's default_free_evolution)")
    ap.add_argument("--api", choices=("vmap", "sweep"), default="vmap",
                    help="vmap: one jitted vmapped solve (lockstep); sweep: jh.sweep vs one jh.simulate")
    ap.add_argument("--n-gamma", type=int, default=None, help="with --api sweep: the first N of the 25 γ values")
    ap.add_argument("--cpu-devices", type=int, default=None,
                    help="with --api sweep: give JAX this many CPU devices first (jh.use_cpu_cores; 0: all cores); "
                         "writes fig1_sweep_api_cpu_devices_<platform>.json")
    from _common import add_arguments

    add_arguments(ap)  # --quick: N_e = 40, 4 γ values, an 8 ps window
    a = ap.parse_args()
    if a.api == "sweep":
        return api_sweep(a)

    import jax
    import jax.numpy as jnp

    import jaxhiggs as jh
    from _common import environment, peak_rss_mb, write
    from bench_mattis_bardeen import CODE_TIME_PS, _case
    from jaxhiggs import units
    from jaxhiggs.models.mattis_bardeen import MattisBardeen
    from jaxhiggs.solve import SolverOptions, driven_saves, solve_status

    n, xs = (40, X[::7]) if a.quick else (a.n_energies, X)
    model, pulse, times = _case(1, n)
    model = model.with_options(orders=a.orders)
    if a.quick:
        times = times[times < 3.0]  # past the field's end (0.41 ps): both parts of a default solve
    gap = float(model.gaps[0])
    gammas = jnp.asarray(xs) * 2 * gap
    t_int = units.ps_to_internal(jnp.asarray(times))
    options = model.options() | {"orders": a.orders}

    import diffrax

    solver = dict(default=None, ExponentialRK4=jh.solvers.ExponentialRK4(), Tsit5=diffrax.Tsit5())[a.solver]
    opts = SolverOptions(solver=solver, free_evolution=dict(default=None, on=True, off=False)[a.free_evolution])
    driven = driven_saves(model, pulse, t_int, opts)  # as jh.sweep does: None integrates the whole window

    def one(gamma):
        mat = jh.material.single_band(1.3, 20.0, 4.0, mass=0.78, fermi_energy=1000.0, gamma=gamma)
        ys, steps, ok, _ = solve_status(MattisBardeen(mat, **options), pulse, t_int, opts, driven)
        return ys["delta_gap"][:, 0], steps, ok

    batched = jax.jit(jax.vmap(one))
    t0 = time.perf_counter()
    out = jax.block_until_ready(batched(gammas))
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = jax.block_until_ready(batched(gammas))
    wall = time.perf_counter() - t0
    gap_t, steps, ok = (np.asarray(x) for x in out)
    late = times > (3.0 if not a.quick else times[len(times) // 2])
    amplitude = np.ptp(gap_t[:, late].real, axis=1)
    rec = dict(solver=a.solver, free_evolution=driven is not None, n_energies=n, orders=a.orders, n_gamma=len(xs), n_times=int(times.size), wall_s=wall,
               compile_s=max(first - wall, 0.0), steps=steps.tolist(), all_succeeded=bool(ok.all()),
               higgs_amplitude_meV=amplitude.tolist(), gamma_over_2delta=list(xs), peak_rss_mb=peak_rss_mb())
    # one batched right-hand side: time and bytes (reads f, r; writes every block)
    args = jax.vmap(lambda g: MattisBardeen(jh.material.single_band(1.3, 20.0, 4.0, mass=0.78, fermi_energy=1000.0,
                                                                    gamma=g), **options).arguments(pulse))(gammas)
    y0 = jax.tree.map(lambda x: jnp.broadcast_to(x + 1e-3, (len(xs),) + x.shape), model.initial_state())
    rhs = jax.jit(jax.vmap(lambda y, ar: model.nonlinear_part(jnp.asarray(-3.0), y, ar)))
    jax.block_until_ready(rhs(y0, args))
    t0 = time.perf_counter()
    for _ in range(20):
        r = rhs(y0, args)
    jax.block_until_ready(r)
    sec = (time.perf_counter() - t0) / 20
    state = sum(x.size * x.dtype.itemsize for x in jax.tree.leaves(y0))
    moved = state + sum(y0[k].size * y0[k].dtype.itemsize for k in ("f11", "f21", "r11", "r21o", "r21e") if k in y0)
    rec["rhs"] = dict(ms=sec * 1e3, bytes=moved, achieved_GBps=moved / sec / 1e9)
    print(rec, flush=True)
    print(f"{len(xs)} gammas, N_e = {n}: {wall:.2f} s (+ {rec['compile_s']:.1f} s compile), max steps {steps.max()}, "
          f"RHS {sec * 1e3:.3f} ms at {moved / sec / 1e9:.0f} GB/s; device {environment()['device']}")
    if a.write:
        suffix = "" if a.free_evolution == "default" else f"_free_{a.free_evolution}"
        write(f"fig1_sweep_{a.solver}{suffix}", dict(case=__doc__.split("\n\n")[1], record=rec))


def api_sweep(a):
    """``jh.sweep`` over γ against single ``jh.simulate`` runs of the same model (best of three; first calls
    reported separately: they include compilation)."""
    import jaxhiggs as jh

    devices = None if a.cpu_devices is None else jh.use_cpu_cores(a.cpu_devices or None)  # before JAX computes
    import jax
    from _common import environment, first_and_runs, peak_rss_mb, write
    from bench_mattis_bardeen import _case

    n = 40 if a.quick else a.n_energies
    model, pulse, times = _case(1, n)
    model = model.with_options(orders=a.orders)
    if a.quick:
        times = times[times < 3.0]
    xs = X[: (4 if a.quick else a.n_gamma or len(X))]
    gammas = np.asarray(xs) * 2 * float(model.gaps[0])

    single_first, single_runs, _ = first_and_runs(lambda: jh.simulate(model, pulse, times).observables)
    sweep_first, sweep_runs, _ = first_and_runs(
        lambda: jh.sweep(model, pulse, times, {"gamma": gammas}, progress=False)["delta_gap"].values)
    rec = dict(n_energies=n, orders=a.orders, n_gamma=len(xs), gamma_over_2delta=list(xs), n_times=int(times.size),
               single=dict(first_s=single_first, runs_s=single_runs),
               sweep=dict(first_s=sweep_first, runs_s=sweep_runs, per_point_s=min(sweep_runs) / len(xs)),
               per_point_over_single=min(sweep_runs) / len(xs) / min(single_runs), peak_rss_mb=peak_rss_mb(),
               cpu_devices_set=devices, devices=len(jax.devices()))
    print(rec, flush=True)
    print(f"jh.sweep of {len(xs)} γ at N_e = {n}: {min(sweep_runs) / len(xs):.3f} s per point against a single run's "
          f"{min(single_runs):.3f} s ({rec['per_point_over_single']:.2f}×); device {environment()['device']}")
    if a.write:
        write("fig1_sweep_api" + ("_cpu_devices" if a.cpu_devices is not None else ""),
              dict(case=__doc__.split("\n\n")[1], record=rec))


if __name__ == "__main__":
    main()
