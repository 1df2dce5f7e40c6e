"""Fitting measured σ(ω) and THG spectra: bounded parameters, least squares, uncertainties.

Entry points
------------
* :func:`fit_conductivity` — complex σ(ω) (σ₁ and σ₂ jointly) with a closed-form model
  (``"mattis-bardeen"``, ``"zimmermann"``, ``"two-band-zimmermann"``) or any differentiable
  callable / :class:`jaxhiggs.fit.models.FitModel` (e.g. a full simulation).
* :func:`fit_thg` — THG intensity |j(3Ω)|² vs drive frequency Ω (``"higgs-thg"``) or vs
  temperature at fixed Ω (``"higgs-thg-temperature"``), free overall amplitude ``scale``.
* :func:`fit_global` — several data sets (e.g. temperatures) sharing parameters; parameters
  listed in ``local`` get one copy per data set, named ``name[i]``.
* :func:`fit_transmission` — the measured complex THz transmission t(ω) of a thin film on a
  substrate (:mod:`jaxhiggs.thz`), fitted directly with a σ model (no inversion); ``sigma_n`` in S/m.
* :func:`fit_temperature_series` — t(ω) at several temperatures with shared Δ(0), γ, σ_n (film
  thickness, ΔL on request), Δ(T) from the package's BCS gap equation (one or two bands).
* :func:`fit_pump_probe` — a pump–probe map σ(δt, ν) (or Δσ) fitted with the Mattis–Bardeen *simulation*,
  differentiating through the solves (:mod:`~jaxhiggs.fit.simulated`, grid in :mod:`~jaxhiggs.fit.simulation`).
* :func:`fit_thg_simulated` — THG intensity vs drive frequency, temperature or fluence with the same
  simulation (line shape from the dirty-limit dynamics instead of :func:`fit_thg`'s analytic χ_H).
* :func:`fit_leggett_pump_probe` — a two-band pump–probe trace (Higgs and Leggett modes) with the clean
  pseudospin simulation: gaps and interband coupling v.
* :func:`profile_likelihood` — profile-likelihood intervals, the profile grid optimised with ``vmap``.
* :func:`sample_posterior` — NUTS posterior samples, R-hat/ESS and a corner plot (optional extra ``bayes``:
  blackjax).

Module layout: :mod:`~jaxhiggs.fit.parameters` (bounds and transforms), :mod:`~jaxhiggs.fit.data`
(data sets), :mod:`~jaxhiggs.fit.optimizers`, :mod:`~jaxhiggs.fit.least_squares` (residuals,
covariance), :mod:`~jaxhiggs.fit.result` (report, plots), :mod:`~jaxhiggs.fit.entry` (σ and THG fits),
:mod:`~jaxhiggs.fit.transmission` (THz transmission fits), :mod:`~jaxhiggs.fit.profile`,
:mod:`~jaxhiggs.fit.models`, :mod:`~jaxhiggs.fit.config` (``jaxhiggs.fit_models`` and ``jaxhiggs.fit_config``,
the former flat modules, are deprecated aliases of these two).

Parameters
----------
``initial`` gives a start value for every free parameter (physical units: gaps, γ, η in meV,
``shift`` in THz, ``v`` dimensionless, ``sigma_n``/``scale`` in data units).  ``bounds`` maps a
name to ``(lower, upper)`` (``None`` or ±inf for open sides); ``fixed`` lists names held at their
initial value; ``ties`` maps a name to another name (or ``(name, factor)``) it equals.  Optional
model parameters that are not mentioned stay fixed at the model's defaults (``sigma_n = 1``,
``shift = 0``, ``background = 0``).  The optimisers work on unbounded internal variables u:
``p = lo + (hi − lo)·sigmoid(u)`` for two finite bounds, ``p = lo + softplus(u)`` (or
``hi − softplus(u)``) for one, ``p = u`` for none — so every iterate respects the bounds and no
optimiser needs a constrained method.  The initial value must lie strictly inside its bounds.
Values, bounds and tie factors are real numbers (``True`` or ``"1.3"`` is refused, not converted); ``fixed`` and
``local`` are lists of names.  The named models also refuse, before anything is compiled, start values where
they are NaN or degenerate (:data:`jaxhiggs.fit.models.LIMITS`: gaps, γ, η > 0 meV, ``weight_1`` in [0, 1]).

Residuals and losses
--------------------
For complex data the residual vector is ``[w₁(σ₁ᵐ − σ₁)/e₁, w₂(σ₂ᵐ − σ₂)/e₂]`` over the points
kept by ``mask`` and the frequency ``window`` (THz); ``component`` = ``"sigma1"``, ``"sigma2"`` or
``"abs"`` fits one real curve instead.  ``uncertainty`` (e, complex for σ: real part → σ₁, imag
part → σ₂) and ``weights`` (w₁, w₂) default to 1.  χ² = Σ r², reduced χ² = χ²/(n_data − n_free).

Optimisers
----------
``"lm"`` (default) Levenberg–Marquardt (:class:`optimistix.LevenbergMarquardt`) on the residual
vector; ``"adam"`` (:func:`optax.adam`) and ``"lbfgs"`` (:func:`optax.lbfgs`) on ½χ².
``n_starts`` > 1 runs a small multi-start grid (``n_starts`` values per bounded free parameter,
evenly spaced in the internal variable around the initial point, at most 64 starts) and keeps the
lowest χ².

Uncertainties (convention)
--------------------------
At the optimum the Jacobian J = ∂r/∂p of the residuals with respect to the free *physical*
parameters is computed with ``jax.jacfwd`` (not in the internal variables, so bounds do not
distort the errors).  The covariance is ``C = s (JᵀJ)⁻¹`` with ``s`` = reduced χ² (as lmfit's
default ``scale_covar=True``): the standard errors ``√C_ii`` are then meaningful when the data
carry no (or only relative) uncertainties, and equal the classical ones when the given
uncertainties are right (χ²_red ≈ 1).  Pass ``scale_covar=False`` to use ``(JᵀJ)⁻¹`` as is.  The
correlation matrix is C_ij/√(C_ii C_jj).  Errors of parameters that end on a bound are not
meaningful (the report flags them).

Gradients through simulations (which adjoint, and why)
------------------------------------------------------
A simulation model calls :func:`jaxhiggs.simulate`, which integrates with diffrax's default
``RecursiveCheckpointAdjoint``: reverse-mode gradients of the *discretised* solve, exact to
round-off (so they agree with finite differences of the same discretisation), with memory
O(state × √n_steps) checkpoints instead of O(state × n_steps), at the price of recomputing parts
of the forward pass (≈ 2–3× the cost of one solve per reverse sweep).  That is the right trade
for long THz simulations (10⁴–10⁶ steps of a large pseudospin/density-matrix state: storing every
step does not fit in GPU memory).  ``BacksolveAdjoint`` (memory O(state)) is not used: its
gradients are only as accurate as the backwards adjoint ODE solve, and the non-dissipative
pseudospin dynamics makes that drift, which would break the 1e-5 agreement with finite
differences that the covariance relies on.  ``RecursiveCheckpointAdjoint`` supports reverse
mode only, so fits through simulations pass ``jacobian="rev"`` (one reverse sweep per residual
component is batched by ``jax.jacrev``; cheap when the curve is short) — or build the simulation
with ``adjoint=diffrax.ForwardMode()`` and keep ``jacobian="fwd"`` (n_free tangent solves, no
tape; better when n_data ≫ n_free).  Use fixed steps (``dt``) in fits through simulations so the
discretised model is a smooth function of the parameters (adaptive step selection is piecewise
constant in them and makes finite differences and LM steps noisy).
"""

from __future__ import annotations

from . import config, models
from .entry import fit_conductivity, fit_thg
from .least_squares import fit_global
from .parameters import Parameters
from .posterior import Posterior, sample_posterior
from .profile import Profile, profile_likelihood
from .result import FitResult
from .simulated import fit_leggett_pump_probe, fit_pump_probe, fit_thg_simulated
from .transmission import fit_temperature_series, fit_transmission, plot_conductivity, transmission_model

__all__ = ["FitResult", "Parameters", "Posterior", "Profile", "config", "fit_conductivity", "fit_global", "fit_leggett_pump_probe", "fit_pump_probe",
           "fit_temperature_series", "fit_thg", "fit_thg_simulated", "fit_transmission", "models", "plot_conductivity", "profile_likelihood", "sample_posterior", "transmission_model"]
