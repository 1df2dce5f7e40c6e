"""Work-precision figure of the Mattis–Bardeen benchmark: error of δΔ(t) against run time, from the results files.

Reads every ``results/mattis_bardeen*.json`` written by ``bench_mattis_bardeen.py`` (one band and two bands, CPU
and GPU), takes each record's default run, its work-precision runs and the NumPy reference (measured, or estimated
from one timed evaluation × an evaluation count: drawn hollow), and plots max |Re δΔ − Re δΔ_tight| / max |Re δΔ_tight|
against the run time after compilation, one panel per number of bands and device.  Prints the points; ``--write`` saves
``results/work_precision.png``.  Usage:

    python benchmarks/plot_work_precision.py [--write]
"""

from __future__ import annotations

import argparse
import json
import re
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
    # dated and loaded-machine files are older versions of the same measurements
    files = sorted(f for f in RESULTS.glob("mattis_bardeen*.json") if not re.search(r"_20\d\d-|loaded", f.name))
    groups = {}  # one panel per (bands, device): a device's runs may be split over several files
    for f in files:
        data = json.loads(f.read_text())
        device = data.get("environment", {}).get("device", "?")
        for r in data.get("records", []):
            key = (r.get("bands", 1), device)
            panel = groups.setdefault(key, dict(files=[], rows=[], estimates=[]))
            panel["files"].append(f.name.removesuffix(".json")) if f.name.removesuffix(".json") not in panel["files"] else None
            panel["rows"] += [(r["n_energies"], p) for p in points(r)]
            # reference times estimated from one evaluation carry no error: listed in the panel, not drawn
            if "estimated_wall_s" in r.get("reference", {}) and "err_delta_gap" not in r["reference"]:
                panel["estimates"].append((r["n_energies"], r["reference"]["estimated_wall_s"]))
    panels = []
    for (bands, device), g in sorted(groups.items(), key=lambda kv: (kv[0][1] != "cpu: cpu", kv[0])):
        title = f"{'one band' if bands == 1 else 'two bands'}, {device}\n{', '.join(g['files'])}"
        panels.append((title, g["rows"], g["estimates"]))
        for n, p in g["rows"]:
            print(f"{title.splitlines()[0]:34s} N_e={n:4d} {p['solver']:15s} rtol={p['rtol']!s:7s} {p['wall']:9.3f} s "
                  f"err={p['err']:.2e}{' (default)' if p['default'] else ''}{' (estimated)' if p['estimated'] else ''}")
    if not a.write:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 4.6), squeeze=False)
    colours = {}
    for ax, (title, rows, estimates) in zip(axes[0], panels):
        for n, p in rows:
            c = colours.setdefault(n, f"C{len(colours)}")
            ax.loglog(p["wall"], p["err"], MARKERS.get(p["solver"], "x"), color=c,
                      ms=12 if p["solver"] == "reference" else 7 if p["default"] else 5,
                      mfc="none" if p["estimated"] else c, mec="k" if p["default"] else c)
        measured = {n for n, p in rows if p["solver"] == "reference" and not p["estimated"]}
        notes = [f"reference at N_e = {n}: ≈ {w:.0f} s (estimated, no error)" for n, w in estimates
                 if n not in measured]  # a run of the reference in full supersedes the estimate
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set(xlabel="\n".join(["run time after compilation (s)", *notes]), ylabel="δΔ error (relative to a tight run)",
               title=title)
        ax.title.set_fontsize(8)
        ax.grid(True, which="both", lw=0.3)
    handles = [plt.Line2D([], [], ls="", marker=m, color="gray", label=s) for s, m in MARKERS.items()
               if s != "UnrolledTsit5"]
    handles += [plt.Line2D([], [], ls="-", color=c, label=f"N_e = {n}") for n, c in colours.items()]
    handles += [plt.Line2D([], [], ls="", marker="o", mfc="w", mec="k", color="k", label="black edge: default options"),
                plt.Line2D([], [], ls="", marker="*", mfc="none", color="gray", label="hollow: estimated time")]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 6), fontsize=7, frameon=False)
    fig.suptitle("Mattis–Bardeen, seed-000 authors' case (full window, 3000 saved times): work vs precision", fontsize=10)
    fig.tight_layout(rect=(0, 0.1, 1, 0.95))
    path = RESULTS / "work_precision.png"
    fig.savefig(path, dpi=110)
    print("wrote", path)


if __name__ == "__main__":
    main()
