"""Time χ⁻¹(ω) (spec §S.4): JAX (compile vs after-compile) against the SciPy reference.

Writes benchmarks/results/schmid_higgs_cpu.json.  Usage:
    PYTHONPATH=. python benchmarks/bench_schmid_higgs.py [--n-omega 500] [--n-ref 8]
"""

import argparse
import datetime
import json
import pathlib
import platform
import time

import jax

from _common import add_arguments
import jax.numpy as jnp
import numpy as np
import scipy

import jaxhiggs
from jaxhiggs.reference.schmid_higgs import schmid_higgs_inverse_reference
from jaxhiggs.response.schmid_higgs import schmid_higgs_susceptibility


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-omega", type=int, default=500)
    ap.add_argument("--n-ref", type=int, default=8)
    ap.add_argument("--out", default=None, help="results file (default results/schmid_higgs_<platform>.json)")
    add_arguments(ap)
    args = ap.parse_args()
    if args.quick:
        args.n_omega, args.n_ref = 50, 2
    gap, zetas = 1.0, (0.1, 0.3, 1.3)
    w = jnp.linspace(0.01, 4.0, args.n_omega)
    t0 = time.perf_counter()
    schmid_higgs_susceptibility(w, gap, zetas[0]).block_until_ready()
    first = time.perf_counter() - t0
    runs = {}
    for z in zetas:
        t0 = time.perf_counter()
        schmid_higgs_susceptibility(w, gap, z).block_until_ready()
        runs[str(z)] = time.perf_counter() - t0
    after = float(np.mean(list(runs.values())))
    compile_s = first - runs[str(zetas[0])]
    wr = np.linspace(0.3, 3.5, args.n_ref)
    t0 = time.perf_counter()
    ref = np.array([schmid_higgs_inverse_reference(x, gap, 0.3) for x in wr])
    ref_s = time.perf_counter() - t0
    jx = np.asarray(schmid_higgs_susceptibility(jnp.asarray(wr), gap, 0.3))
    res = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "device": str(jax.devices()[0]), "platform": platform.platform(), "cpu_count": __import__("os").cpu_count(),
        "versions": {"jaxhiggs": jaxhiggs.__version__, "jax": jax.__version__, "numpy": np.__version__,
                     "scipy": scipy.__version__, "python": platform.python_version()},
        "gap_meV": gap, "zetas": list(zetas), "n_omega": args.n_omega,
        "jax_compile_s": compile_s, "jax_after_compile_s_per_call": runs,
        "jax_after_compile_ms_per_omega": 1e3 * after / args.n_omega,
        "reference_n_omega": args.n_ref, "reference_s": ref_s,
        "reference_ms_per_omega": 1e3 * ref_s / args.n_ref,
        "speedup_per_omega": (ref_s / args.n_ref) / (after / args.n_omega),
        "max_abs_diff_jax_vs_reference": float(np.max(np.abs(jx - ref))),
    }
    print(json.dumps(res, indent=2))
    if args.write:
        out = pathlib.Path(args.out or pathlib.Path(__file__).parent / "results" / f"schmid_higgs_{jax.devices()[0].platform}.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
