"""Work-precision figure of the Mattis–Bardeen benchmark: error of δΔ(t) against run time, from the results files.

Reads every ``results/mattis_bardeen*.json`` written by ``bench_mattis_bardeen.py`` (one band and two bands, CPU
and GPU), takes each record's default run, its work-precision runs and the NumPy reference (measured, or estimated
from one timed evaluation × an evaluation count: drawn hollow), and plots max |Re δΔ − Re δΔ_tight| / max |Re δΔ_tight|
against the run time after compilation, one panel per results file.  Prints the points; ``--write`` saves
``results/work_precision.png``.  Usage:

    python benchmarks/plot_work_precision.py [--write]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
MARKERS = {"ExponentialRK4": "o", "Tsit5": "s", "UnrolledTsit5": "s", "Dopri8": "D", "reference": "*"}


def points(record: dict) -> list[dict]:
    """(solver, rtol, wall s, δΔ error, default?, estimated?) of one N_e record."""
    out = []
    d = record.get("default")
    if d:
        out.append(dict(solver=d["options"]["solver"], rtol=d["options"]["rtol"], wall=d["wall_s"],
                        err=d["err_delta_gap"], default=True, estimated=False))
    for w in record.get("work_precision", []):
        out.append(dict(solver=w["solver"], rtol=w["rtol"], wall=w["wall_s"], err=w["err_delta_gap"],
                        default=False, estimated=False))
    ref = record.get("reference", {})
    wall = ref.get("wall_s", ref.get("estimated_wall_s"))
    if wall and "err_delta_gap" in ref:
        out.append(dict(solver="reference", rtol=ref.get("rtol"), wall=wall, err=ref["err_delta_gap"],
                        default=False, estimated="wall_s" not in ref))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true", help="save results/work_precision.png")
    a = ap.parse_args()
    files = sorted(f for f in RESULTS.glob("mattis_bardeen*.json") if "_20" not in f.name and "loaded" not in f.name)
    panels = []
    for f in files:
        data = json.loads(f.read_text())
        device = data.get("environment", {}).get("device", "?")
        rows = [(r["n_energies"], p) for r in data.get("records", []) for p in points(r)]
        # reference times estimated from one evaluation carry no error: listed in the panel, not drawn
        estimates = [(r["n_energies"], r["reference"]["estimated_wall_s"]) for r in data.get("records", [])
                     if "estimated_wall_s" in r.get("reference", {}) and "err_delta_gap" not in r["reference"]]
        if rows:
            panels.append((f.name, device, rows, estimates))
            for n, p in rows:
                print(f"{f.name:42s} N_e={n:4d} {p['solver']:15s} rtol={p['rtol']!s:7s} {p['wall']:9.3f} s "
                      f"err={p['err']:.2e}{' (default)' if p['default'] else ''}{' (estimated)' if p['estimated'] else ''}")
    if not a.write:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 4.2), squeeze=False)
    colours = {}
    for ax, (name, device, rows, estimates) in zip(axes[0], panels):
        for n, p in rows:
            c = colours.setdefault(n, f"C{len(colours)}")
            ax.loglog(p["wall"], p["err"], MARKERS.get(p["solver"], "x"), color=c,
                      ms=12 if p["solver"] == "reference" else 7 if p["default"] else 5,
                      mfc="none" if p["estimated"] else c, mec="k" if p["default"] else c)
        notes = [f"N_e = {n}: reference ≈ {w:.0f} s (estimated, error not measured)" for n, w in estimates]
        if notes:
            ax.text(0.98, 0.98, "\n".join(notes), transform=ax.transAxes, fontsize=6.5, va="top", ha="right")
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set(xlabel="run time after compilation (s)", ylabel="δΔ error (relative to a tight run)",
               title=f"{name.removesuffix('.json')}\n{device}")
        ax.title.set_fontsize(8)
        ax.grid(True, which="both", lw=0.3)
    handles = [plt.Line2D([], [], ls="", marker=m, color="gray", label=s) for s, m in MARKERS.items()
               if s != "UnrolledTsit5"]
    handles += [plt.Line2D([], [], ls="-", color=c, label=f"N_e = {n}") for n, c in colours.items()]
    handles += [plt.Line2D([], [], ls="", marker="o", mfc="w", mec="k", color="k", label="black edge: default options"),
                plt.Line2D([], [], ls="", marker="*", mfc="none", color="gray", label="hollow: estimated time")]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 6), fontsize=7, frameon=False)
    fig.suptitle("Mattis–Bardeen, seed-000 authors' case (full window, 3000 saved times): work vs precision", fontsize=10)
    fig.tight_layout(rect=(0, 0.12, 1, 0.95))
    path = RESULTS / "work_precision.png"
    fig.savefig(path, dpi=110)
    print("wrote", path)


if __name__ == "__main__":
    main()
