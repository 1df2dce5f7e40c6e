"""Sweep benchmark: throughput vs batch size and N_e, compile time, forced host devices,
float32 vs float64, fixed-step vs adaptive lockstep (sorted and unsorted).

Run: ``PYTHONPATH=. python benchmarks/bench_sweep.py [--quick] [--write]`` (≈ 5–10 min on 2 CPU
cores); ``--write`` writes ``benchmarks/results/sweep_<platform>.json``.  Model: two-band clean pseudospins
(Δ = 7, 3 meV, ω_D = 50 meV), a 1.9 THz pump, 3 ps window.

``--cpu-devices``: instead, the per-point cost of ``jh.sweep`` with one JAX CPU device and with one per core
(``jh.use_cpu_cores``), each in a fresh process: clean pseudospins (the quench case of bench_pseudospin.py, N_e =
4000, 8 quench strengths) and Mattis–Bardeen (the seed-000 case of bench_mattis_bardeen.py, 4 γ values, N_e = 100
and 200), first call and a second call of the same sweep; and the residuals of a pump–probe fit (8 delays × 12
frequencies, N_e = 24: 9 independent runs through ``jaxhiggs.parallel.device_map``), value and ``jax.jacfwd``, best of
three; ``--write`` writes ``sweep_cpu_devices_<platform>.json``.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import jax  # noqa: E402

import jaxhiggs as jh  # noqa: E402

TIMES = np.linspace(0.0, 3.0, 61)  # ps
ADAPTIVE = {"rtol": 1e-8, "atol": 1e-10}


def model(n_energies=128):
    mat = jh.materials.two_band((7.0, 3.0), 0.02, 50.0, signs=(1.0, -1.0), masses=(0.85, 1.38),
                                fermi_energies=(2900.0, 700.0))
    return jh.models.CleanPseudospin(mat, n_energies)


PUMP = jh.GaussianPulse(10.0, 1.9, 0.2, 1.0)


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def run_twice(grid, chunk, n_energies=128, **kw):
    """First call (compile + run) and second call (run only, same shapes): per-point seconds."""
    m = model(n_energies)
    call = lambda: jh.sweep(m, PUMP, TIMES, grid, chunk_size=chunk, progress=False, **kw)  # noqa: E731
    _, first = timed(call)
    ds, second = timed(call)
    n = int(np.prod([len(v) for v in grid.values()]))
    return ds, {"points": n, "chunk": chunk, "first_call_s": first, "run_s": second,
                "compile_s_estimate": first - second, "per_point_ms": 1e3 * second / n,
                "steps_mean": float(ds.num_steps.mean())}


def batch_sizes():
    out = []
    for b in (1, 4, 16, 64):
        n = max(2 * b, 8)
        grid = {"peak_field": np.linspace(5.0, 15.0, n)}
        _, r = run_twice(grid, b, **ADAPTIVE)
        out.append({"batch": b, **r})
        print("batch", out[-1], flush=True)
    return out


def energies():
    out = []
    for n_e in (64, 256, 1024):
        _, r = run_twice({"peak_field": np.linspace(5.0, 15.0, 16)}, 16, n_energies=n_e, **ADAPTIVE)
        out.append({"n_energies": n_e, **r})
        print("N_e", out[-1], flush=True)
    return out


def precision():
    grid = {"peak_field": np.linspace(5.0, 15.0, 16)}
    ref, r64 = run_twice(grid, 16, **ADAPTIVE)
    f32, r32 = run_twice(grid, 16, dtype=np.float32, rtol=1e-5, atol=1e-7)
    err = float(np.max(np.abs(f32.gap.values.astype(complex) - ref.gap.values)) / np.max(np.abs(ref.gap.values)))
    out = {"float64": r64, "float32": {**r32, "rtol": 1e-5, "atol": 1e-7}, "float32_max_relative_gap_error": err}
    print("precision", out, flush=True)
    return out


def lockstep():
    """Points whose step counts differ ~10×, interleaved (worst case) vs sorted; fixed dt."""
    fields = np.linspace(2.0, 120.0, 32)
    interleaved = np.random.default_rng(0).permutation(fields)  # grid order mixes cheap and costly points
    grid = {"peak_field": interleaved}
    rows = {}
    for label, kw in [("adaptive_grid_order", {}), ("adaptive_sorted", {"sort_by": "peak_field"})]:
        ds, r = run_twice(grid, 8, **ADAPTIVE, **kw)
        steps = ds.num_steps.values
        order = np.argsort(interleaved, kind="stable") if kw else np.arange(32)
        per_chunk = steps[order].reshape(4, 8)
        r["lockstep_efficiency"] = float(steps.sum() / (per_chunk.max(axis=1).sum() * 8))
        rows[label] = r
        rows.setdefault("_reference", ds)
    ref = rows.pop("_reference")
    for dt in (0.002, 0.001):
        ds, r = run_twice(grid, 8, dt=dt)
        r["dt_ps"] = dt
        r["max_abs_gap_error_vs_adaptive_meV"] = float(np.max(np.abs(ds.gap.values - ref.gap.values)))
        r["lockstep_efficiency"] = 1.0
        rows[f"fixed_dt_{dt}"] = r
    print("lockstep", rows, flush=True)
    return rows


DEVICE_SCRIPT = r"""
import json, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
import jaxhiggs as jh
sys.path.insert(0, sys.argv[1] + "/benchmarks")
from bench_sweep import model, PUMP, TIMES, ADAPTIVE
out = []
grid = {"peak_field": np.linspace(5.0, 15.0, 32)}
for d in (1, 2, 4):
    call = lambda: jh.sweep(model(), PUMP, TIMES, grid, chunk_size=16, devices=d, progress=False, **ADAPTIVE)
    t = time.perf_counter(); call(); first = time.perf_counter() - t
    t = time.perf_counter(); ds = call(); second = time.perf_counter() - t
    out.append({"devices": d, "points": 32, "chunk": 16, "first_call_s": first, "run_s": second,
                "per_point_ms": 1e3 * second / 32})
print(json.dumps(out))
"""


def devices():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", JAX_PLATFORMS="cpu")
    proc = subprocess.run([sys.executable, "-c", DEVICE_SCRIPT, str(ROOT)], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:]}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print("devices", out, flush=True)
    return out


CPU_DEVICES_SCRIPT = r"""
import json, sys, time, warnings
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/benchmarks"]
import jaxhiggs as jh
devices = jh.use_cpu_cores(int(sys.argv[2]))
import jax
import numpy as np
warnings.simplefilter("ignore")
case, n = sys.argv[3], int(sys.argv[4])
if case == "pump_probe_fit":  # the residual function of a pump-probe fit: 9 independent runs, value and Jacobian
    import jax.numpy as jnp
    from jaxhiggs.fit import simulation as sim
    from jaxhiggs.fit.simulated import pump_probe_model
    fm = pump_probe_model(tuple(np.linspace(0.4, 2.0, 8)), tuple(np.linspace(0.3, 1.2, 12)), "delta", 0.0, None, None,
                          2.4, sim.SimulationGrid(n_energies=n, omega_d=5.0, dt=0.04))
    fn = jax.jit(lambda p: fm({"gap": p[0], "gamma": p[1], "scale": 1.0}, None))
    jac = jax.jit(jax.jacfwd(fn))
    p0 = jnp.array([1.3, 5.0])
    row = {"case": case, "n_energies": n, "cpu_devices": len(jax.devices())}
    for name, f in (("value", fn), ("jacfwd", jac)):
        t = time.perf_counter(); out = f(p0).block_until_ready(); row[name + "_first_call_s"] = time.perf_counter() - t
        runs = []
        for _ in range(3):
            t = time.perf_counter(); f(p0).block_until_ready(); runs.append(time.perf_counter() - t)
        row[name + "_s"] = min(runs)
        row[name + "_checksum"] = float(jnp.abs(out).sum())
    print(json.dumps(row))
    sys.exit()
if case == "pseudospin":
    from bench_pseudospin import TIMES
    model = jh.models.CleanPseudospin(jh.materials.single_band(1.05, 20.0), n)
    drive, times = jh.Quench(final_gap=0.97), TIMES * jh.units.internal_to_ps(1.0)
    grid = {"final_gap": np.linspace(0.95, 1.0, 8)}
else:
    from bench_mattis_bardeen import _case
    model, drive, times = _case(1, n)
    grid = {"gamma": np.linspace(0.1, 1.3, 4) * 2 * float(model.gaps[0])}
call = lambda: jh.sweep(model, drive, times, grid, progress=False)
t = time.perf_counter(); call(); first = time.perf_counter() - t
t = time.perf_counter(); ds = call(); second = time.perf_counter() - t
points = len(next(iter(grid.values())))
print(json.dumps({"case": case, "n_energies": n, "cpu_devices": len(jax.devices()), "points": points,
                  "first_call_s": first, "run_s": second, "per_point_s": second / points,
                  "checksum": float(np.abs(np.asarray(ds["gap"])).sum())}))
"""


def cpu_devices():
    """Per-point cost of jh.sweep with one CPU device and with one per core (fresh processes)."""
    from jaxhiggs.cpu import usable_cores

    rows = []
    for case, n in (("pseudospin", 4000), ("mattis_bardeen", 100), ("mattis_bardeen", 200), ("pump_probe_fit", 24)):
        for count in sorted({1, usable_cores()}):
            env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
            proc = subprocess.run([sys.executable, "-c", CPU_DEVICES_SCRIPT, str(ROOT), str(count), case, str(n)],
                                  env=dict(env, JAX_PLATFORMS="cpu"), capture_output=True, text=True, check=True)
            rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(json.dumps(rows[-1]), flush=True)
    return rows


def main():
    import argparse

    from _common import add_arguments

    parser = add_arguments(argparse.ArgumentParser(description=__doc__.split("\n")[0]))
    parser.add_argument("--cpu-devices", action="store_true",
                        help="only the per-point cost with one CPU device vs one per core (jh.use_cpu_cores)")
    args = parser.parse_args()
    if args.cpu_devices:
        from _common import write

        rows = cpu_devices()
        if args.write:
            write("sweep_cpu_devices", {"description": __doc__.split("\n\n")[2], "rows": rows})
        return
    if args.quick:
        print("--quick: the forced-host-devices part only (seconds)")
        print(json.dumps(devices(), indent=2))
        return
    start = time.perf_counter()
    result = {
        "benchmark": "jaxhiggs.sweep (two-band clean pseudospins, 3 ps, 61 saved times)",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "device": f"{jax.devices()[0].platform}: {platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "versions": {"jaxhiggs": jh.__version__, "jax": jax.__version__, "python": platform.python_version(),
                     "numpy": np.__version__},
        "note": "wall times on a shared 2-core machine (other jobs were running): compare ratios, not absolutes",
        "throughput_vs_batch": batch_sizes(),
        "throughput_vs_n_energies": energies(),
        "forced_host_devices": devices(),
        "precision": precision(),
        "lockstep": lockstep(),
    }
    result["total_runtime_s"] = time.perf_counter() - start
    print(json.dumps(result, indent=2))
    if args.write:
        path = ROOT / "benchmarks" / "results" / f"sweep_{jax.devices()[0].platform}.json"
        path.write_text(json.dumps(result, indent=2))
        print(f"wrote {path} ({result['total_runtime_s']:.0f} s)")


if __name__ == "__main__":
    main()
