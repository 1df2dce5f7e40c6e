"""Standard figures.  Matplotlib is imported lazily so the solvers never need a display.

A figure function given ``path`` writes a PNG there and refuses an existing file (``FileExistsError``, checked
before drawing) unless ``overwrite=True``: :func:`figure_path` and :func:`save_figure` are that rule, for every
figure the package writes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .io import refuse_existing


def _pyplot():
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo"):
        try:
            matplotlib.use("Agg")
        except Exception:  # pragma: no cover - an interactive backend already running
            pass
    import matplotlib.pyplot as plt

    return plt


def figure_path(path, overwrite: bool = False) -> Path | None:
    """``path`` as a ``Path`` (None: no file), refusing an existing file or a folder (``FileExistsError``) unless
    ``overwrite``.  Figure functions call it before drawing, so a refused figure costs no drawing."""
    if path is None:
        return None
    refuse_existing(path, overwrite=overwrite)
    return Path(path)


def save_figure(fig, path, overwrite: bool = False, metadata: dict | None = None) -> Path | None:
    """Save ``fig`` as a 120-dpi PNG to ``path`` (nothing for None), refusing an existing file unless ``overwrite``:
    checked again here, since a file may have appeared while the figure was drawn.  ``metadata``: Matplotlib's
    ``savefig`` metadata (e.g. ``{"Title": ...}``)."""
    path = figure_path(path, overwrite)
    if path is not None:
        fig.savefig(path, dpi=120, metadata=metadata)
    return path


def gap_dynamics(result, title: str = "", path=None, fit=None, overwrite: bool = False):
    """|Δ_i(t)| in meV (and, for two bands, φ_L = φ_1 − φ_2 in rad in a second panel) against time in ps.

    ``fit`` is an optional :class:`jaxhiggs.spectra.DampedCosine` drawn over band 1.
    Returns the figure; saves it as PNG when ``path`` is given: an existing file there is refused
    (``FileExistsError``, before drawing) unless ``overwrite``.
    """
    figure_path(path, overwrite)
    plt = _pyplot()
    t = np.asarray(result.times)
    gap = np.abs(np.asarray(result.gap))
    two = gap.shape[-1] > 1
    fig, axes = plt.subplots(2 if two else 1, 1, figsize=(7, 5.5 if two else 3.6), sharex=True, squeeze=False)
    ax = axes[0, 0]
    for i in range(gap.shape[-1]):
        ax.plot(t, gap[:, i], lw=1.0, label=f"|Δ_{i + 1}|")
    if fit is not None:
        sel = (t >= fit.start) & (t <= fit.stop)
        ax.plot(t[sel], fit(t[sel]), "k--", lw=0.8, label=f"fit: {fit.frequency:.3f} THz, t^-{fit.exponent:.2f}")
    ax.set_ylabel("gap (meV)")
    ax.legend(loc="best", fontsize=8)
    ax.set_title(title)
    if two:
        axes[1, 0].plot(t, np.asarray(result.leggett_phase), lw=1.0, color="C3")
        axes[1, 0].set_ylabel("φ_L = φ_1 − φ_2 (rad)")
    axes[-1, 0].set_xlabel("time (ps)")
    fig.tight_layout()
    save_figure(fig, path, overwrite)
    return fig
