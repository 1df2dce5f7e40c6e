"""Peak resident memory of a whole process that runs one default Mattis–Bardeen solve (issue 13, target 3).

Case: the seed-000 one-band case of ``bench_mattis_bardeen.py`` (full window, 3000 saved times), solved
once with ``jh.simulate`` and the package's default options in a fresh Python process, with and without
the trim of the compiler's freed heap after compilation (``jaxhiggs.memory``, on by default; switched
off with ``JAXHIGGS_TRIM_AFTER_COMPILE=0``).  Reported per N_e: the process's peak RSS after imports and
set-up, after the first call (compile + run) and the first-call seconds.  The two processes run one
after the other so that their timings are comparable.  With ``--saves``: the bytes of the compiled default
solve's buffers (XLA's memory analysis, nothing run) for the same case resampled to each number of saved
times, at the largest N_e — it should not grow with the saved times beyond their observables.

Usage: python benchmarks/bench_peak_memory.py [--sizes 200 600] [--saves 300 3000 30000] [--quick] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from _common import add_arguments, write

HERE = Path(__file__).resolve().parent

CHILD = """
import json, resource, sys, time
sys.path[:0] = [{root!r}, {here!r}]
import jax
import jaxhiggs as jh
from bench_mattis_bardeen import _case

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

model, pulse, times = _case(1, {n})
setup = peak()
start = time.perf_counter()
res = jh.simulate(model, pulse, times)
jax.block_until_ready(res.observables)
print(json.dumps(dict(setup_peak_rss_mb=setup, peak_rss_mb=peak(), first_call_s=time.perf_counter() - start,
                      steps=int(res.num_steps))))
"""


def measure(n: int, trim: bool) -> dict:
    env = dict(os.environ, JAXHIGGS_TRIM_AFTER_COMPILE="1" if trim else "0")
    code = CHILD.format(root=str(HERE.parent), here=str(HERE), n=n)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 600])
    parser.add_argument("--saves", type=int, nargs="*", default=[],
                        help="also report the compiled buffers at these numbers of saved times (largest N_e)")
    add_arguments(parser)
    args = parser.parse_args()
    sizes = [50] if args.quick else args.sizes
    rows = []
    for n in sizes:
        for trim in (False, True):
            row = {"n_energies": n, "trim_after_compile": trim, **measure(n, trim)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    by_saves = [compiled_by_saves(max(sizes), saves) for saves in args.saves]
    for row in by_saves:
        print(json.dumps(row), flush=True)
    if args.write:
        write("peak_memory", {"description": __doc__.split("\n\n")[1], "rows": rows,
                              "compiled_by_saved_times": by_saves})


def compiled_by_saves(n: int, saves: int) -> dict:
    """The compiled default solve's buffers for the case at ``n`` energies resampled to ``saves`` saved times."""
    import numpy as np
    from bench_mattis_bardeen import _case, _compiled_memory

    model, pulse, times = _case(1, n)
    return {"n_energies": n, "saved_times": saves,
            **_compiled_memory(model, pulse, np.linspace(times[0], times[-1], saves))}


if __name__ == "__main__":
    main()
