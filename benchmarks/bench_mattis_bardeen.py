"""Benchmark: the Mattis–Bardeen solve on the seed-000 authors' case, jaxhiggs vs the NumPy reference.

Case (Haenel et al. 2021, their Table A): NbN single band, Δ0 = 1.3 meV, ω_D = 20 meV, 4 K,
m = 0.78 m_e, ε_F = 1 eV, γ = 2Δ(4 K), the paper's pump (τ = 0.354 ps, ħω = 0.4 meV, t_e = −2.63 ps,
A0 = 0.5e-8 V·s/m), window [−75, 450] code units = [−4.937, 29.62] ps with 3000 saved times.
``--bands 2``: the MgB2-like two-band case (Δ = 3, 7 meV, ω_D = 50 meV, v = 0.02, γ = 2Δ_1 each).

For each N_e (one subprocess per N_e, so the peak RSS is that configuration's):

* ``tight``: jaxhiggs at rtol 1e-9 integrating the whole window (``free_evolution=False``, for
  N_e ≤ ``--tight-whole-max``, by default ``--ref-max``; above, with the closed-form free evolution after the pulse, which the tests
  check against integrating to 1e-8): the accuracy reference (same grid; its own error is ~1e-7 of
  max|δΔ|, far below the errors compared);
* ``default``: ``jh.simulate`` with the package's default options (what a user gets: the driven part of
  the window stepped and the rest in closed form), with ``compiled_memory``: the buffers XLA allocates
  for that solve (temporaries + arguments + outputs, from the compiled program's memory analysis; the
  per-run memory estimate, apart from the process's runtime and what the compiler leaves behind), also
  in units of the state's size;
* ``alternative`` (unless ``--no-alternative``): the default options with the other ``free_evolution`` setting, for the ratio of
  the two paths in the same run (each record says which path it took);
* a work-precision sweep: ExponentialRK4, Tsit5 and Dopri8 at several tolerances;
* ``reference``: the in-package NumPy/SciPy code (same equations) with ``solve_ivp`` RK45 at rtol
  1e-3, the authors' default (``--ref-rtol``: e.g. 1e-6 for two bands, where 1e-3 leaves numerical
  noise at ω_max in band 2 — issue 13's comparison tolerance), atol = rtol/1000, for N_e ≤ ``--ref-max``; above, one right-hand side is timed and
  multiplied by the evaluation count measured at the largest N_e run in full (independent of N_e:
  the step is pinned by ω_max), and the JSON says so.

Error = max |Re X − Re X_tight| / max |Re X_tight| for X = δΔ(t) and j₁(t).  Run time: the second call
(the default: the best of three calls after the first); compile time is the first call minus that.  Results are printed; ``--write`` writes
``results/mattis_bardeen_<platform>.json``.  Usage:

    python benchmarks/bench_mattis_bardeen.py [--sizes 100 200 400 600] [--ref-max 200] [--ref-nfev N] [--quick] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

CODE_TIME_PS = 0.0658212  # ħ/(10 meV): the authors' time unit


def _case(bands, n):
    import jaxhiggs as jh
    from jaxhiggs import units
    from jaxhiggs.models.mattis_bardeen import MattisBardeen

    if bands == 1:
        probe = jh.material.single_band(1.3, 20.0, 4.0, mass=0.78, fermi_energy=1000.0, gamma=1.0)
        gap = float(MattisBardeen(probe, 16, check_grid=False).gaps[0])
        mat = jh.material.single_band(1.3, 20.0, 4.0, mass=0.78, fermi_energy=1000.0, gamma=2 * gap)
    else:
        mat = jh.material.two_band((3.0, 7.0), 0.02, 50.0, 4.0, signs=(1.0, -1.0), masses=(0.85, 1.38),
                                   fermi_energies=(2900.0, 700.0), gammas=(6.0, 6.0))
    te = -2.63
    pulse = jh.GaussianPulse.from_vector_potential(0.5e-8, units.mev_to_thz(0.4), 0.354, te,
                                                  phase=0.4 * units.ps_to_internal(te))
    times = np.linspace(-75 * CODE_TIME_PS, 450 * CODE_TIME_PS, 3000)
    return MattisBardeen(mat, n, check_grid=False), pulse, times


def _relerr(a, b):
    a, b = np.real(np.asarray(a)), np.real(np.asarray(b))
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def _errors(res, tight):
    return dict(err_delta_gap=_relerr(res["delta_gap"], tight["delta_gap"]),
                err_current_1=_relerr(res["current_1"], tight["current_1"]))


def _timed_simulate(model, pulse, times, repeats=1, **opts):
    """(result, timings): wall = the best of ``repeats`` runs after the first call (the shared machine's noise
    is one-sided), compile = the first call minus that."""
    import jaxhiggs as jh
    from _common import first_and_runs

    first, runs, res = first_and_runs(lambda: jh.simulate(model, pulse, times, **opts), repeats)
    wall = min(runs)
    return res, dict(wall_s=wall, compile_s=max(first - wall, 0.0), steps=int(res.num_steps),
                     runs_s=[round(r, 3) for r in runs])


def _compiled_memory(model, pulse, times) -> dict:
    """Bytes of the buffers of the default solve's compiled program (the path ``jh.simulate`` takes)."""
    import equinox as eqx
    import jax

    from jaxhiggs import units
    from jaxhiggs.solve import SolverOptions, driven_saves, solve_status

    t = units.ps_to_internal(np.asarray(times))
    driven = driven_saves(model, pulse, t, SolverOptions())
    compiled = eqx.filter_jit(lambda m, d, x: solve_status(m, d, x, SolverOptions(), driven)).lower(model, pulse, t)
    analysis = compiled.compile().compiled.memory_analysis()
    state = sum(x.size * x.dtype.itemsize for x in jax.tree.leaves(model.initial_state()))
    total = analysis.temp_size_in_bytes + analysis.argument_size_in_bytes + analysis.output_size_in_bytes
    return dict(temp_mb=analysis.temp_size_in_bytes / 1e6, total_mb=total / 1e6, state_mb=state / 1e6,
                in_states=total / state)


def _per_evaluation(model, pulse, repeats=20):
    """Time one right-hand side (split form) and estimate the bytes it moves."""
    import jax
    import jax.numpy as jnp

    args = model.arguments(pulse)
    y = jax.tree.map(lambda x: x + 1e-3, model.initial_state())
    fn = jax.jit(lambda yy: model.nonlinear_part(jnp.asarray(-3.0), yy, args))
    jax.block_until_ready(fn(y))
    t0 = time.perf_counter()
    for _ in range(repeats):
        out = fn(y)
    jax.block_until_ready(out)
    seconds = (time.perf_counter() - t0) / repeats
    state_bytes = sum(x.size * x.dtype.itemsize for x in jax.tree.leaves(y))
    read = sum(y[k].size * y[k].dtype.itemsize for k in ("f11", "f21", "r11", "r21o", "r21e") if k in y)
    moved = read + state_bytes  # reads f and r (R is never read), writes N for every block
    return dict(ms_per_evaluation=seconds * 1e3, state_bytes=state_bytes, bytes_per_evaluation=moved,
                achieved_GBps=moved / seconds / 1e9)


def run_one(bands, n, ref_max, sweep_tolerances, quick, ref_rtol=1e-3, alternative=True, tight_whole_max=None):
    import diffrax
    import jax

    from _common import environment, peak_rss_mb
    from jaxhiggs.reference.mattis_bardeen import inputs_from_model, simulate_reference
    from jaxhiggs import units

    model, pulse, times = _case(bands, n)
    if quick:
        times = times[times < 2.0]
    rec = dict(bands=bands, n_energies=n, n_times=int(times.size), window_ps=[float(times[0]), float(times[-1])])
    whole = n <= (ref_max if tight_whole_max is None else tight_whole_max)
    tight, t_tight = _timed_simulate(model, pulse, times, rtol=1e-9, atol=1e-13, free_evolution=not whole)
    rec["tight"] = t_tight | dict(free_evolution=not whole)
    res, rec["default"] = _timed_simulate(model, pulse, times, repeats=3)
    rec["default"].update(_errors(res, tight), options=dict(solver=res.metadata["solver"], rtol=res.metadata["rtol"],
                                                            atol=res.metadata["atol"]))
    print(bands, n, "default", rec["default"], flush=True)
    rec["default"]["compiled_memory"] = _compiled_memory(model, pulse, times)
    default_free = model.default_free_evolution()
    rec["default"]["free_evolution"] = default_free
    if alternative:
        res, rec["alternative"] = _timed_simulate(model, pulse, times, free_evolution=not default_free)
        rec["alternative"].update(_errors(res, tight), free_evolution=not default_free)
        print(bands, n, "alternative", rec["alternative"], flush=True)
    rec["evaluation"] = _per_evaluation(model, pulse)
    print(bands, n, "evaluation", rec["evaluation"], flush=True)
    rec["work_precision"] = []
    from jaxhiggs.solvers import ExponentialRK4

    # "default": the model's default solver on this platform at the sweep's tolerances (atol = rtol × 1e-4, as
    # the default's), i.e. where the defaults sit on the work-precision curve
    solvers = dict(default=None, ExponentialRK4=ExponentialRK4(), Tsit5=diffrax.Tsit5(), Dopri8=diffrax.Dopri8())
    for name, rtols in sweep_tolerances.items():
        solver = solvers[name]
        for rtol in rtols:
            r, t = _timed_simulate(model, pulse, times, solver=solver, rtol=rtol, atol=rtol * 1e-4)
            t.update(_errors(r, tight), solver=name, solver_used=r.metadata["solver"], rtol=rtol)
            rec["work_precision"].append(t)
            print(bands, n, t, flush=True)
    inputs = inputs_from_model(model, pulse)
    t_int = units.ps_to_internal(times)
    if n <= ref_max:
        ref = simulate_reference(inputs, t_int, rtol=ref_rtol, atol=ref_rtol * 1e-3, method="RK45")
        rec["reference"] = dict(wall_s=ref["wall_s"], nfev=int(ref["nfev"]), method="RK45", rtol=ref_rtol,
                                err_delta_gap=_relerr(ref["delta_gap"], tight["delta_gap"]),
                                err_current_1=_relerr(ref["current_p1"] + ref["current_d1"], tight["current_1"]))
    else:
        from jaxhiggs.reference.mattis_bardeen import time_rhs

        rec["reference"] = dict(ms_per_evaluation=time_rhs(inputs) * 1e3, measured="one RHS only (see module doc)")
    print(bands, n, "reference", rec["reference"], flush=True)
    rec["peak_rss_mb"] = peak_rss_mb()
    rec["device"] = environment()["device"]
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 400, 600], help="energy grid sizes N_e")
    ap.add_argument("--bands", type=int, default=1, choices=(1, 2), help="one band (NbN) or two (MgB2-like)")
    ap.add_argument("--ref-max", type=int, default=200, help="largest N_e for which the NumPy reference runs fully")
    from _common import add_arguments

    add_arguments(ap)  # --quick: N_e = 40, 60 and a window of 7 ps
    ap.add_argument("--solvers", nargs="+", default=["ExponentialRK4", "Tsit5", "Dopri8"],
                    help="solvers of the work-precision sweep: ExponentialRK4, Tsit5, Dopri8 and 'default' (the "
                         "model's default solver; 'none': no sweep)")
    ap.add_argument("--tolerances", type=float, nargs="+", default=None,
                    help="rtols of the work-precision sweep for every solver named (default: per solver, below)")
    ap.add_argument("--ref-nfev", type=int, default=None,
                    help="the reference's evaluation count to extrapolate with when no N_e runs it in full "
                         "(e.g. 7502, measured at N_e = 100 in results/mattis_bardeen_cpu.json)")
    ap.add_argument("--ref-rtol", type=float, default=1e-3,
                    help="rtol of the reference's RK45 (1e-3: the authors' default; atol = rtol/1000)")
    ap.add_argument("--tight-whole-max", type=int, default=None,
                    help="largest N_e whose tight run integrates the whole window (default: --ref-max; above, the "
                         "tight run takes the free evolution after the pulse, checked against integrating by the tests)")
    ap.add_argument("--alternative", action=argparse.BooleanOptionalAction, default=True,
                    help="also time the other free_evolution setting (integrating a large N_e's window takes long)")
    ap.add_argument("--name", default=None,
                    help="stem of the results file (default mattis_bardeen[_two_band]; '_<platform>.json' is added)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    tolerances = dict(default=[1e-4, 1e-6], ExponentialRK4=[1e-4, 1e-6, 1e-7], Tsit5=[1e-4, 1e-6], Dopri8=[1e-4, 1e-6])
    if a.quick:
        a.sizes, a.ref_max = [40, 60], 60
        tolerances = {k: [1e-5] for k in tolerances}
    if a.tolerances:
        tolerances = {k: list(a.tolerances) for k in tolerances}
    tolerances = {k: v for k, v in tolerances.items() if k in a.solvers}
    if a.one is not None:
        print("RECORD " + json.dumps(run_one(a.bands, a.one, a.ref_max, tolerances, a.quick, a.ref_rtol, a.alternative,
                                              a.tight_whole_max)), flush=True)
        return
    records = []
    for n in a.sizes:
        cmd = [sys.executable, __file__, "--one", str(n), "--bands", str(a.bands), "--ref-max", str(a.ref_max)]
        cmd += ["--quick"] if a.quick else []
        cmd += ["--solvers", *a.solvers, "--ref-rtol", str(a.ref_rtol)]
        cmd += ["--tolerances", *map(str, a.tolerances)] if a.tolerances else []
        cmd += [] if a.alternative else ["--no-alternative"]
        cmd += [] if a.tight_whole_max is None else ["--tight-whole-max", str(a.tight_whole_max)]
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=os.environ.copy()) as proc:
            for line in proc.stdout:  # stream: a run cut short still shows what it measured
                print(line, end="", flush=True)
                if line.startswith("RECORD "):
                    records.append(json.loads(line[7:]))
    # the reference's evaluation count does not depend on N_e: extrapolate the big grids with it
    full = [r for r in records if "nfev" in r["reference"]]
    for r in records:
        if "nfev" not in r["reference"] and (full or a.ref_nfev):
            nfev = full[-1]["reference"]["nfev"] if full else a.ref_nfev
            r["reference"]["estimated_wall_s"] = nfev * r["reference"]["ms_per_evaluation"] / 1e3
            r["reference"]["nfev_from"] = (f"the run at N_e = {full[-1]['n_energies']}" if full
                                           else f"--ref-nfev {a.ref_nfev} (given on the command line)")
        ref_wall = r["reference"].get("wall_s", r["reference"].get("estimated_wall_s"))
        if ref_wall:
            r["speedup_default_vs_reference"] = ref_wall / r["default"]["wall_s"]
            if "alternative" in r:
                r["speedup_alternative_vs_reference"] = ref_wall / r["alternative"]["wall_s"]
        print(r["n_energies"], f"speed-up (default vs reference RK45 {a.ref_rtol:g}):", r.get("speedup_default_vs_reference"))
    if a.write:
        from _common import write

        write(a.name or f"mattis_bardeen{'_two_band' if a.bands == 2 else ''}", dict(case=__doc__.split("\n\n")[1], records=records))


if __name__ == "__main__":
    main()
