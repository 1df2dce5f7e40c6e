"""The outcome of a fit: values, errors, covariance, statistics, text report, JSON and figure."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from .data import _components
from .models import FitModel
from .parameters import _base

__all__ = ["FitResult"]


@dataclass
class FitResult:
    """Outcome of a fit.

    Attributes:
        values: best-fit physical value of every parameter (free, fixed, tied).
        stderr: standard error of every free (and tied) parameter, 0 for fixed ones (see the
            module docstring for the χ²_red-scaling convention).
        correlation: correlation matrix of the free parameters (order ``free``).
        covariance: covariance matrix of the free parameters.
        free: names of the free parameters.
        chi2, redchi: χ² and reduced χ²; n_data, n_free as counted in χ²_red.
        success: the optimiser converged; message: its verdict.
        model: the :class:`~jaxhiggs.fit.models.FitModel`.
        aic, bic: Akaike and Bayesian information criteria, n ln(χ²/n) + 2k and n ln(χ²/n) + k ln n
            (lmfit's convention; compare models fitted to the same data: lower is better).
        warnings: plain-language problems (not converged, parameter at a bound, unconstrained
            parameter, |correlation| > 0.98, singular JᵀJ); also printed by :meth:`report`.
        problem: the compiled residual, data and optimum (used by :func:`jaxhiggs.fit.profile_likelihood`).
    """

    values: dict
    stderr: dict
    correlation: np.ndarray
    covariance: np.ndarray
    free: tuple
    chi2: float
    redchi: float
    n_data: int
    n_free: int
    success: bool
    message: str
    model: FitModel
    optimizer: str
    n_starts: int
    at_bounds: tuple = ()
    datasets: list = field(default_factory=list, repr=False)
    curves: list = field(default_factory=list, repr=False)
    units: dict = field(default_factory=dict)
    aic: float = math.nan
    bic: float = math.nan
    warnings: tuple = ()
    problem: object = field(default=None, repr=False)

    def report(self) -> str:
        """lmfit-style text: statistics, values ± errors (relative), correlations |r| > 0.1."""
        lines = ["[[Fit Statistics]]",
                 f"    model              = {self.model.name}",
                 f"    optimizer          = {self.optimizer} ({self.n_starts} start(s)); {self.message}",
                 f"    # data points      = {self.n_data}",
                 f"    # variables        = {self.n_free}",
                 f"    chi-square         = {self.chi2:.6g}",
                 f"    reduced chi-square = {self.redchi:.6g}",
                 f"    Akaike info crit   = {self.aic:.6g}",
                 f"    Bayesian info crit = {self.bic:.6g}",
                 "[[Variables]]"]
        width = max(len(n) for n in self.values)
        for name, val in self.values.items():
            unit = self.units.get(_base(name), "")
            if name in self.free:
                err = self.stderr[name]
                rel = f" ({100 * err / abs(val):.2f}%)" if val != 0 else ""
                flag = "  (at a bound: error not meaningful)" if name in self.at_bounds else ""
                lines.append(f"    {name:<{width}} = {val:.8g} +/- {err:.3g}{rel} {unit}{flag}".rstrip())
            else:
                how = "tied" if self.stderr.get(name, 0.0) else "fixed"
                lines.append(f"    {name:<{width}} = {val:.8g} {unit} ({how})")
        pairs = []
        for i, j in itertools.combinations(range(len(self.free)), 2):
            r = self.correlation[i, j]
            if abs(r) > 0.1:
                pairs.append((abs(r), self.free[i], self.free[j], r))
        if pairs:
            lines.append("[[Correlations]] (unreported correlations are < 0.100)")
            for _, a, b, r in sorted(pairs, reverse=True):
                lines.append(f"    C({a}, {b}) = {r:+.4f}")
        if self.warnings:
            lines.append("[[Warnings]]")
            lines.extend(f"    {w}" for w in self.warnings)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready summary: values, stderr, covariance (free order), statistics, units."""
        return {
            "model": self.model.name, "optimizer": self.optimizer, "n_starts": self.n_starts,
            "success": bool(self.success), "message": self.message,
            "values": {k: float(v) for k, v in self.values.items()},
            "stderr": {k: float(v) for k, v in self.stderr.items()},
            "free": list(self.free), "covariance": np.asarray(self.covariance).tolist(),
            "correlation": np.asarray(self.correlation).tolist(),
            "chi2": self.chi2, "redchi": self.redchi, "n_data": self.n_data, "n_free": self.n_free,
            "at_bounds": list(self.at_bounds), "units": {k: v for k, v in self.units.items()},
            "aic": self.aic, "bic": self.bic, "warnings": list(self.warnings),
            "covariance_convention": "C = redchi * inv(J^T J), J = d(residual)/d(physical free parameters)",
        }

    def save(self, path, overwrite: bool = False) -> Path:
        """Write :meth:`to_dict` as JSON to ``path``; an existing file is refused (``FileExistsError``) unless
        ``overwrite``."""
        from ..io import refuse_existing

        path = Path(path)
        refuse_existing(path, overwrite=overwrite)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2))
        return path

    def plot(self, path=None, title: str | None = None, overwrite: bool = False):
        """Data, best-fit model and residuals (per data set; σ₁ and σ₂ panels for complex data).

        Data on a 2-D grid (the model's ``meta["map"]``, e.g. a pump–probe map σ(δt, ν)) are drawn as maps:
        data, model and residual panels with colour bars, axes labelled with their units.

        Returns the matplotlib figure (Agg backend); saves a PNG when ``path`` is given: an existing file there is
        refused (``FileExistsError``, before drawing) unless ``overwrite``.
        """
        from ..plot import _pyplot, figure_path, save_figure

        figure_path(path, overwrite)
        plt = _pyplot()
        grid = self.model.meta.get("map")
        if grid is not None and all(ds.x.size == len(grid["axes"][0]) * len(grid["axes"][1]) for ds in self.datasets):
            fig = self._plot_maps(plt, grid, title)
            save_figure(fig, path, overwrite)
            return fig
        columns = []
        for k, ds in enumerate(self.datasets):
            curve = np.asarray(self.curves[k])
            if ds.component == "complex":
                columns.append((k, self.model.y_labels[0], curve.real, ds, 0))
                columns.append((k, self.model.y_labels[1], curve.imag, ds, 1))
            else:
                columns.append((k, {"sigma1": "σ₁", "sigma2": "σ₂", "abs": "|σ|"}.get(ds.component, "signal"),
                                np.real(_components(jnp.asarray(curve), ds.component)), ds, 0))
        ncol = min(len(columns), 4)
        nrow_blocks = math.ceil(len(columns) / ncol)
        fig, axes = plt.subplots(2 * nrow_blocks, ncol, figsize=(4.2 * ncol, 4.2 * nrow_blocks),
                                 gridspec_kw={"height_ratios": [3, 1] * nrow_blocks}, squeeze=False)
        for c, (k, label, model_y, ds, part) in enumerate(columns):
            row, col = 2 * (c // ncol), c % ncol
            n = ds.x.size
            d = ds.data[part * n:(part + 1) * n]
            keep = ds.keep[part * n:(part + 1) * n]
            ax, axr = axes[row, col], axes[row + 1, col]
            ax.plot(ds.x[keep], d[keep], ".", ms=3, label="data")
            if np.any(~keep):
                ax.plot(ds.x[~keep], d[~keep], ".", ms=3, color="0.7", label="excluded")
            ax.plot(ds.x, model_y, "-", lw=1.4, label="model")
            ax.set_ylabel(label)
            ax.set_title(f"T = {ds.temperature:g} K" if len(self.datasets) > 1 else (title or self.model.name),
                         fontsize=9)
            axr.plot(ds.x[keep], (d - model_y)[keep], ".", ms=3)
            axr.axhline(0.0, color="k", lw=0.6)
            axr.set_xlabel(self.model.x_label)
            axr.set_ylabel("data − model")
            if c == 0:
                ax.legend(fontsize=8)
        for c in range(len(columns), nrow_blocks * ncol):
            axes[2 * (c // ncol), c % ncol].axis("off")
            axes[2 * (c // ncol) + 1, c % ncol].axis("off")
        fig.tight_layout()
        save_figure(fig, path, overwrite)
        return fig

    def _plot_maps(self, plt, grid: dict, title: str | None):
        """2-D data (e.g. a pump–probe map): one row per data set and part (Re, Im), columns data | model | residual.

        ``grid`` is the model's ``meta["map"]``: ``axes`` (row values, column values), ``labels`` (their axis
        labels with units); the flat index of the data is row-major (``x = i_row · n_col + i_col``).  Data and
        model share one colour scale (diverging, symmetric about 0); masked points are blank.
        """
        rows_v, cols_v = (np.asarray(a, float) for a in grid["axes"])
        shape = (rows_v.size, cols_v.size)
        panels = []
        for k, ds in enumerate(self.datasets):
            curve = np.asarray(self.curves[k])
            parts = [(self.model.y_labels[0], curve.real), (self.model.y_labels[1], curve.imag)] \
                if ds.component == "complex" else [(self.model.y_labels[0], np.real(curve))]
            n = ds.x.size
            for part, (label, model_y) in enumerate(parts):
                d = ds.data[part * n:(part + 1) * n].astype(float)
                d[~ds.keep[part * n:(part + 1) * n]] = np.nan
                panels.append((k, label, d.reshape(shape), np.asarray(model_y, float).reshape(shape)))
        fig, axes = plt.subplots(len(panels), 3, figsize=(13.5, 3.6 * len(panels)), squeeze=False,
                                 layout="constrained")  # laid out when drawn (colour bars included)
        for r, (k, label, d, m) in enumerate(panels):
            lim = float(np.nanmax(np.abs(np.concatenate([d.ravel(), m.ravel()])))) or 1.0
            res = d - m
            rlim = float(np.nanmax(np.abs(res))) if np.any(np.isfinite(res)) else 1.0
            head = f"T = {self.datasets[k].temperature:g} K: " if len(self.datasets) > 1 else ""
            for c, (what, z, zl) in enumerate((("data", d, lim), ("model", m, lim), ("data − model", res, rlim or 1.0))):
                ax = axes[r, c]
                mesh = ax.pcolormesh(cols_v, rows_v, z, shading="nearest", cmap="RdBu_r", vmin=-zl, vmax=zl)
                fig.colorbar(mesh, ax=ax, label=label)
                ax.set_title(f"{head}{what}: {label}" if r or c or not title else f"{title}: {what}, {label}",
                             fontsize=9)
                ax.set_xlabel(grid["labels"][1])
                ax.set_ylabel(grid["labels"][0])
        return fig


_UNITS = {"thickness": "nm", "mismatch": "µm", "gap": "meV", "gap_1": "meV", "gap_2": "meV", "gamma": "meV", "gamma_1": "meV", "gamma_2": "meV",
          "eta": "meV", "shift": "THz", "v": "", "weight_1": "", "final_gap": "meV"}

