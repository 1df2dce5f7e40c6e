"""Posterior sampling of a fit's parameters with NUTS (optional: needs ``blackjax``, ``pip install jaxhiggs[bayes]``).

Why blackjax: it is a small, JAX-native library of samplers (NUTS with window adaptation of the step size and a
diagonal mass matrix, plus R-hat/ESS diagnostics) that takes a log-density written in JAX directly, so the
fit's own compiled residual — including fits through diffrax simulations — is reused unchanged; numpyro would
bring a probabilistic-programming layer this package does not need.

The log-posterior of a :class:`~jaxhiggs.fit.FitResult`'s free parameters p is

    log π(p | data) = −χ²(p) / (2 s) + const,   s = χ²_red if the fit scaled its covariance (the default), else 1,

with a flat prior on p inside the fit's bounds: the same convention as the fit's Jacobian standard errors and
its profile likelihoods, so for a well-constrained, nearly linear problem the posterior mean and standard
deviation agree with the Laplace (Jacobian) approximation.  Sampling runs in the fit's unbounded internal
coordinates u (the bounds are exact), adding log |dp/du| so that the prior stays flat in p.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import InputError, check_int
from .result import FitResult

__all__ = ["Posterior", "sample_posterior"]


@dataclasses.dataclass(frozen=True)
class Posterior:
    """Posterior samples of a fit's free parameters.

    Attributes:
        samples: name → array (n_chains, n_samples) in the parameter's physical units.
        rhat: name → split R-hat (≲ 1.01 when the chains agree).
        ess: name → bulk effective sample size (all chains together).
        acceptance: mean acceptance probability; divergences: number of divergent transitions.
        laplace_mean, laplace_std: the fit's values and Jacobian standard errors, for comparison.
    """

    samples: dict
    rhat: dict
    ess: dict
    acceptance: float
    divergences: int
    laplace_mean: dict
    laplace_std: dict

    def mean(self, name: str) -> float:
        return float(np.mean(self.samples[name]))

    def std(self, name: str) -> float:
        return float(np.std(self.samples[name], ddof=1))

    def summary(self) -> str:
        lines = [f"NUTS: {next(iter(self.samples.values())).shape[0]} chains × "
                 f"{next(iter(self.samples.values())).shape[1]} draws, acceptance {self.acceptance:.2f}, "
                 f"{self.divergences} divergent transitions",
                 f"{'parameter':>12} {'mean':>12} {'std':>10} {'Laplace':>12} {'± Jacobian':>10} {'R-hat':>7} {'ESS':>7}"]
        for name in self.samples:
            lines.append(f"{name:>12} {self.mean(name):12.6g} {self.std(name):10.3g} {self.laplace_mean[name]:12.6g} "
                         f"{self.laplace_std[name]:10.3g} {self.rhat[name]:7.3f} {self.ess[name]:7.0f}")
        bad = [n for n in self.samples if self.rhat[n] > 1.01]
        if bad or self.divergences:
            lines.append(f"warning: R-hat > 1.01 for {bad}, {self.divergences} divergences: run longer chains "
                         "or check the fit")
        return "\n".join(lines)

    def corner(self, path=None, overwrite: bool = False):
        """Corner plot (histograms on the diagonal, pairwise scatter below; parameters in their physical units),
        Laplace 1σ marked.  Returns the figure; saves a PNG when ``path`` is given: an existing file there is
        refused (``FileExistsError``, before drawing) unless ``overwrite``."""
        import matplotlib.pyplot as plt

        from ..plot import figure_path, save_figure

        figure_path(path, overwrite)
        names = list(self.samples)
        k = len(names)
        fig, axes = plt.subplots(k, k, figsize=(2.6 * k, 2.6 * k), squeeze=False)
        flat = {n: np.asarray(self.samples[n]).ravel() for n in names}
        for i, yi in enumerate(names):
            for j, xj in enumerate(names):
                ax = axes[i, j]
                if j > i:
                    ax.axis("off")
                elif i == j:
                    ax.hist(flat[xj], bins=40, density=True, color="C0", alpha=0.7)
                    for s in (-1, 1):
                        ax.axvline(self.laplace_mean[xj] + s * self.laplace_std[xj], color="k", ls="--", lw=0.8)
                    ax.set_yticks([])
                else:
                    ax.plot(flat[xj], flat[yi], ",", alpha=0.3, color="C0")
                    ax.errorbar(self.laplace_mean[xj], self.laplace_mean[yi], xerr=self.laplace_std[xj],
                                yerr=self.laplace_std[yi], color="k", capsize=2)
                if i == k - 1:
                    ax.set_xlabel(xj)
                if j == 0 and i > 0:
                    ax.set_ylabel(yi)
        fig.suptitle("posterior (NUTS); black: Laplace ±1σ")
        fig.tight_layout()
        save_figure(fig, path, overwrite)
        return fig


def sample_posterior(result: FitResult, n_samples: int = 1000, n_warmup: int = 500, n_chains: int = 4,
                     seed: int = 0) -> Posterior:
    """Sample the posterior of a fit's free parameters with NUTS (see the module docstring for the model).

    Args:
        result: a :class:`FitResult` of :mod:`jaxhiggs.fit` (it carries the compiled residual and the data).
        n_samples, n_warmup: draws per chain after / for the window adaptation of step size and mass matrix.
        n_chains: independent chains (vmapped), started around the optimum with the Laplace spread.
        seed: PRNG seed.

    Returns:
        :class:`Posterior` with samples in physical units, R-hat, ESS and the Laplace values for comparison.
    """
    try:
        import blackjax
        from blackjax.diagnostics import effective_sample_size, potential_scale_reduction
    except ImportError as err:  # optional extra
        raise ImportError("posterior sampling needs blackjax: pip install 'jaxhiggs[bayes]'") from err
    problem = getattr(result, "problem", None)
    if problem is None:
        raise InputError("this FitResult carries no fit problem (it was not made by jaxhiggs.fit): cannot sample")
    n_samples = check_int("n_samples", n_samples, 10, 10**7, "draws per chain")
    n_warmup = check_int("n_warmup", n_warmup, 10, 10**7, "adaptation steps per chain")
    n_chains = check_int("n_chains", n_chains, 1, 1024, "number of chains")
    params, args = problem.params, problem.args
    scale = float(problem.redchi) if problem.scale_covar else 1.0
    residual_u = problem.residual_u

    def log_density(u):
        chi2 = jnp.sum(residual_u(u, args) ** 2)
        jac = jnp.diag(jax.jacfwd(params.to_physical)(u))  # the transforms act elementwise
        return -0.5 * chi2 / scale + jnp.sum(jnp.log(jnp.abs(jac)))

    u_best = jnp.asarray(problem.u_best)
    # Laplace spread in u: σ_p / |dp/du| at the optimum (finite errors only)
    dp_du = np.abs(np.diag(np.asarray(jax.jacfwd(params.to_physical)(u_best))))
    sigma_p = np.array([result.stderr[n] for n in params.free])
    sigma_u = np.where(np.isfinite(sigma_p) & (dp_du > 0), sigma_p / np.maximum(dp_du, 1e-300), 0.1)
    key = jax.random.PRNGKey(seed)
    k_init, k_adapt, k_run = jax.random.split(key, 3)
    starts = u_best + jnp.asarray(sigma_u) * jax.random.normal(k_init, (n_chains, u_best.size))

    def chain(k_a, k_r, u0):
        adapt = blackjax.window_adaptation(blackjax.nuts, log_density)
        (state, tuned), _ = adapt.run(k_a, u0, num_steps=n_warmup)
        kernel = blackjax.nuts(log_density, **tuned).step

        def one(state, k):
            state, info = kernel(k, state)
            return state, (state.position, info.acceptance_rate, info.is_divergent)

        _, (positions, accept, divergent) = jax.lax.scan(one, state, jax.random.split(k_r, n_samples))
        return positions, accept, divergent

    run = jax.jit(jax.vmap(chain))
    positions, accept, divergent = run(jax.random.split(k_adapt, n_chains), jax.random.split(k_run, n_chains), starts)
    physical = jax.vmap(jax.vmap(params.to_physical))(positions)  # (chains, draws, n_free)
    physical = np.asarray(physical)
    samples = {n: physical[:, :, i] for i, n in enumerate(params.free)}
    rhat = {n: float(potential_scale_reduction(jnp.asarray(s))) for n, s in samples.items()}
    ess = {n: float(effective_sample_size(jnp.asarray(s))) for n, s in samples.items()}
    return Posterior(samples, rhat, ess, float(np.mean(np.asarray(accept))), int(np.sum(np.asarray(divergent))),
                     {n: float(result.values[n]) for n in params.free}, {n: float(result.stderr[n]) for n in params.free})
