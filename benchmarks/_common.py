"""Shared helpers of the benchmark scripts: timing, environment record, JSON output."""

from __future__ import annotations

import datetime
import json
import os
import platform
import resource
import time
from pathlib import Path

import jax

RESULTS = Path(__file__).parent / "results"


def cpu_model() -> str:
    """The host CPU's model name and cache sizes (Linux: /proc/cpuinfo), '' where unknown: timings from two
    machines of the same 'kind' differ by up to ~1.6× here, so results files name the processor."""
    try:
        info = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return ""
    fields = {}
    for line in info:
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    try:
        l2 = Path("/sys/devices/system/cpu/cpu0/cache/index2/size").read_text().strip()
    except OSError:
        l2 = "?"
    return (f"{fields.get('model name', '?')} (family {fields.get('cpu family', '?')}, model {fields.get('model', '?')}; "
            f"L2 {l2} per core, last level {fields.get('cache size', '?')})")


def environment() -> dict:
    """Device, versions and date, stored with every results file."""
    import diffrax
    import equinox
    import numpy
    import scipy

    dev = jax.devices()[0]
    return {
        "device": f"{dev.platform}: {getattr(dev, 'device_kind', str(dev))}",
        "n_devices": jax.device_count(),
        "cpu": platform.processor() or platform.machine(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "jax": jax.__version__,
        "diffrax": diffrax.__version__,
        "equinox": equinox.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        # other jobs on the machine make wall times upper bounds: record how busy it was
        "load_average_1_5_15min": list(os.getloadavg()),
    }


def first_and_runs(fn, repeats=3):
    """(first call's seconds, [seconds of ``repeats`` further calls], last result) with JAX results blocked on:
    the first call includes compilation, the others time the compiled program."""
    t0 = time.perf_counter()
    out = jax.block_until_ready(fn())
    first = time.perf_counter() - t0
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = jax.block_until_ready(fn())
        runs.append(time.perf_counter() - t0)
    return first, runs, out


def timed(fn, *args):
    """(result, seconds) with JAX results blocked on."""
    start = time.perf_counter()
    out = jax.block_until_ready(fn(*args))
    return out, time.perf_counter() - start


def cpu_timed(fn, *args, repeats: int = 3):
    """(result, wall s, CPU s of this process), the best of ``repeats`` runs.

    On a machine shared with other jobs the wall time is inflated by waiting for a core; the
    process CPU time is not (run single-threaded, e.g. ``taskset -c 0`` and OMP_NUM_THREADS=1, so
    that idle worker threads do not count), which makes ratios between codes meaningful there.
    """
    best_wall = best_cpu = float("inf")
    out = None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        out = jax.block_until_ready(fn(*args))
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return out, best_wall, best_cpu


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def add_arguments(parser):
    """The options every benchmark takes: ``--quick`` (a smoke-test size) and ``--write`` (results
    files are written only when asked; without it the results are printed)."""
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test of the script (never written)")
    parser.add_argument("--write", action="store_true", help="write results/<name>_<platform>.json")
    parse = parser.parse_args

    def parse_args(*args, **kwargs):  # refused before any work: a smoke test would replace the stored results
        out = parse(*args, **kwargs)
        if out.quick and out.write:
            parser.error("--quick with --write is not allowed: the smoke test would replace the stored full-size "
                         "results; a --quick run only prints")
        return out

    parser.parse_args = parse_args
    return parser


def write(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    tag = jax.devices()[0].platform
    path = RESULTS / f"{name}_{tag}.json"
    path.write_text(json.dumps({"environment": environment(), **payload}, indent=2))
    print(f"wrote {path}")
    return path
