"""Shared command-line handling of the example scripts (output folder, quick mode)."""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")


def parse(description: str):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "output", help="folder for PNGs")
    parser.add_argument("--quick", action="store_true", help="small grids and windows (smoke test)")
    parser.add_argument("--no-cache", action="store_true",
                        help="do not use the persistent compilation cache (~/.cache/jaxhiggs/jax, $JAXHIGGS_CACHE_DIR)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.no_cache:
        import jaxhiggs

        jaxhiggs.enable_compilation_cache()  # a second run of the script skips most of the compilation
    return args
