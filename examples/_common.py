"""Shared command-line handling of the example scripts (output folder, quick mode, progress bars)."""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")


def parse(description: str, add_arguments=None):
    """The examples' command line; ``add_arguments(parser)`` adds a script's own options."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "output", help="folder for PNGs")
    parser.add_argument("--quick", action="store_true", help="small grids and windows (smoke test)")
    parser.add_argument("--no-cache", action="store_true",
                        help="do not use the persistent compilation cache (~/.cache/jaxhiggs/jax, $JAXHIGGS_CACHE_DIR)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars (they go to stderr)")
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args()
    args.progress = not args.no_progress
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.no_cache:
        import jaxhiggs

        jaxhiggs.enable_compilation_cache()  # a second run of the script skips most of the compilation
    return args


def steps(items, description: str, args):
    """``items`` with a progress bar (count, elapsed time and ETA on stderr) unless ``--no-progress``."""
    from tqdm import tqdm

    return tqdm(items, desc=description, unit="run", disable=not args.progress, dynamic_ncols=True)
