"""One driver for every model: ``simulate(model, drive, times) -> Result`` over diffrax.

Only observables are saved (``SaveAt(fn=model.observables)``), never the full state
history, so memory is independent of the model size times the number of saved times.
``solve`` is the pure, jit/vmap/grad-able core; ``simulate`` adds input checks, the
progress meter and friendly errors.
"""

from __future__ import annotations

from dataclasses import field, replace

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Complex, Float

from . import divergence, units
from ._validate import InputError, check, check_bool, check_int, check_type, fail, is_concrete
from .drive import Drive, check_coupling_stays_attractive, coupling_pulses
from .models.base import Model


class SolverOptions(eqx.Module):
    """How to integrate.

    Attributes:
        solver: a diffrax solver; None (default) takes the model's ``default_solver()``: Tsit5 (5th
            order adaptive), except the clean pseudospins (Dopri8; on CPUs from 4000 energies per band in
            the lean stage loop of :class:`~jaxhiggs.solvers.UnrolledDopri8`) and
            Mattis–Bardeen on a GPU (:class:`~jaxhiggs.solvers.ExponentialRK4`) — the fastest measured per
            model and platform, benchmarks/README.md.
        rtol, atol: tolerances of the PID step-size controller (ignored with ``dt``); None takes
            the model's ``default_tolerances()``.
        dt: fixed step in ps instead of adaptive stepping (None: adaptive).
        max_steps: step budget of one solve.
        progress: show diffrax's text progress meter.
        adjoint: diffrax adjoint for gradients (default: recursive checkpointing,
            exact gradients of the discretised solve, memory O(√steps)).
        free_evolution: once the drive's A(t) has ended (below ``rtol`` × 1e-3 of its amplitude:
            :func:`field_end_threshold`, :meth:`~jaxhiggs.drive.Drive.field_end`),
            let a model with a closed-form free evolution (Mattis–Bardeen) take over from the state
            there instead of integrating on (True), or integrate the whole window (False, e.g. to
            cross-check); None takes the model's ``default_free_evolution()`` (Mattis–Bardeen: on,
            measured faster on CPUs and GPUs, benchmarks/README.md).  The
            model sets the tolerance of what it still integrates from ``rtol`` and ``atol``.
    """

    solver: diffrax.AbstractSolver | None = None
    rtol: float | None = None
    atol: float | None = None
    dt: float | None = None
    max_steps: int = 2_000_000
    progress: bool = False
    free_evolution: bool | None = None
    adjoint: diffrax.AbstractAdjoint = field(default_factory=diffrax.RecursiveCheckpointAdjoint)

    def resolved(self, model: Model) -> "SolverOptions":
        """These options with every None replaced by the model's default."""
        rtol, atol = model.default_tolerances()
        return replace(self, solver=model.default_solver() if self.solver is None else self.solver,
                       rtol=rtol if self.rtol is None else self.rtol, atol=atol if self.atol is None else self.atol)

    def traced(self) -> "SolverOptions":
        """Tolerances and step as arrays: one compiled solve serves every value of them."""
        return replace(self, rtol=jnp.asarray(self.rtol, dtype=float), atol=jnp.asarray(self.atol, dtype=float),
                       dt=None if self.dt is None else jnp.asarray(self.dt, dtype=float))

    def __post_init__(self):
        validate_options(self)


#: largest ``max_steps``: diffrax counts steps in JAX integers, and a budget beyond their range raised an
#: OverflowError inside the jitted call.  The int32 bound holds with or without x64, and 2³¹ steps are far
#: beyond any solve this package makes.
MAX_STEPS_LIMIT = int(np.iinfo(np.int32).max)


def validate_options(opts) -> None:
    """Check every solver option up front (before any compilation); tracers pass."""
    if opts.solver is not None and not isinstance(opts.solver, diffrax.AbstractSolver):
        raise InputError(f"solver = {opts.solver!r} is not allowed: give a diffrax solver instance, e.g. "
                         "diffrax.Tsit5() or diffrax.Dopri8() (None: the model's default)")
    # concrete values are checked whatever their type (float, NumPy scalar or array, JAX array): only tracers
    # (options traced under jit/vmap/grad) skip the checks; ``traced()`` re-checks its own arrays, which pass
    if opts.rtol is not None:
        check(lambda x: (x > 0) & (x < 1), "rtol", opts.rtol, "a relative tolerance 0 < rtol < 1, e.g. 1e-9",
              scalar=True)
    if opts.atol is not None:
        check(lambda x: x > 0, "atol", opts.atol, "an absolute tolerance > 0 (finite), e.g. 1e-12", scalar=True)
    if opts.dt is not None:
        check(lambda x: x > 0, "dt", opts.dt, "a fixed step > 0 ps (finite), or None for adaptive steps", unit="ps",
              scalar=True)
    steps = opts.max_steps
    if isinstance(steps, (float, np.floating)) and np.isfinite(steps) and float(steps).is_integer():
        steps = int(steps)
    # the budget enters the jitted solve as a JAX integer: 10**30 overflowed there (MAX_STEPS_LIMIT)
    steps = check_int("max_steps", steps, 1, MAX_STEPS_LIMIT, what="the step budget of one solve")
    object.__setattr__(opts, "max_steps", steps)
    if opts.free_evolution is not None:
        object.__setattr__(opts, "free_evolution", check_bool("free_evolution", opts.free_evolution))
    if not isinstance(opts.progress, (bool, np.bool_)):
        raise fail("progress", opts.progress, "True or False")
    check_type("adjoint", opts.adjoint, diffrax.AbstractAdjoint, "a diffrax adjoint, e.g. "
               "diffrax.RecursiveCheckpointAdjoint()")


class Result(eqx.Module):
    """Observables of one (or a batch of) simulation(s).

    Attributes:
        times: saved times in ps, shape (n_times,).
        observables: dict of arrays with leading batch axes then ``n_times``; energies
            in meV (``gap`` complex (…, n_times, n_bands)).
        num_steps: accepted + rejected solver steps.
        success: True where diffrax finished without error.
        metadata: model name, sizes, solver settings (static).
    """

    times: Float[Array, " n_times"]
    observables: dict
    num_steps: Array
    success: Array
    metadata: dict = eqx.field(static=True)

    @property
    def gap(self) -> Complex[Array, "... n_times n_bands"]:
        """Complex order parameter Δ_i(t) in meV."""
        return self.observables["gap"]

    @property
    def gap_modulus(self) -> Float[Array, "... n_times n_bands"]:
        """|Δ_i(t)| in meV (the Higgs amplitude)."""
        return jnp.abs(self.gap)

    @property
    def phase(self) -> Float[Array, "... n_times n_bands"]:
        """arg Δ_i(t) in rad, unwrapped in time."""
        return jnp.unwrap(jnp.angle(self.gap), axis=-2)

    @property
    def leggett_phase(self) -> Float[Array, "... n_times"]:
        """Relative phase φ_1 − φ_2 (rad), unwrapped in time (two or more bands)."""
        if self.gap.shape[-1] < 2:
            raise ValueError("leggett_phase needs at least two bands; this result has one")
        return jnp.unwrap(jnp.angle(self.gap[..., 0] * jnp.conj(self.gap[..., 1])), axis=-1)

    def current(self, order: int = 1):
        """Current of the given order in A (models that compute currents; see the model's docs for units)."""
        key = f"current_{order}"
        if key not in self.observables:
            have = sorted(k for k in self.observables if k.startswith("current_"))
            raise ValueError(f"order = {order!r} is not available: this result has currents {have}")
        return self.observables[key]

    def __getitem__(self, name):
        return self.observables[name]


def blockwise_rms_norm(tree) -> Array:
    """max over state leaves of each leaf's RMS: the error control used by ``simulate``.

    With diffrax's plain RMS over all elements, a small block (the N_e-vectors r of the
    Mattis–Bardeen model, which carry δΔ, or a weak band) is diluted by the N_e² elements of the
    large blocks, and its error is not controlled.
    """
    leaves = [jnp.sqrt(jnp.mean(jnp.abs(x) ** 2)) for x in jax.tree_util.tree_leaves(tree) if jnp.size(x)]
    return jnp.max(jnp.stack(leaves)) if leaves else jnp.asarray(0.0)


def _controller(options: SolverOptions, jump_ts, span=None):
    if options.dt is not None:
        return diffrax.ConstantStepSize(), units.ps_to_internal(options.dt)
    pid = diffrax.PIDController(rtol=options.rtol, atol=options.atol, norm=blockwise_rms_norm)
    if jump_ts:
        pid = diffrax.ClipStepSizeController(pid, jump_ts=jnp.stack([jnp.asarray(t) for t in jump_ts]))
    if span is None:
        return pid, None
    # a rejected step proposing less than span/(1000 max_steps): the step size collapsed (divergence.py)
    return divergence.CollapseGuard(pid, span / (1000.0 * options.max_steps)), None


def _fast_stage_loop(solver):
    """Runge-Kutta stages in a "bounded" loop rather than diffrax's default checkpointed one.

    Same arithmetic; on CPU the per-stage overhead of the checkpointed loop dominated the
    pseudospin solves (measured 256 → 103 µs per Tsit5 step at N_e = 1000).  Reverse-mode
    gradients still work (bounded loops are differentiable).
    """
    if isinstance(solver, diffrax.AbstractRungeKutta) and getattr(solver, "scan_kind", "x") is None:
        return eqx.tree_at(lambda s: s.scan_kind, solver, "bounded", is_leaf=lambda x: x is None)
    return solver


def _opaque(model: Model) -> Model:
    """The model with its arrays behind ``lax.optimization_barrier`` (values and gradients unchanged).

    A model closed over by a caller's ``jax.jit`` reaches XLA as constants, which it then folds and
    duplicates into the solver's loops: a clean-pseudospin solve with the stage loop ran 3.7× slower
    that way than with the same model passed as an argument (1.37 vs 0.37 s CPU, N_e = 1000), and
    large folded constants set off XLA's "constant folding is taking > 1 s" alarm.  The barrier makes
    every call path compile the same program as the argument path.
    """
    return jax.tree.map(lambda x: jax.lax.optimization_barrier(x) if eqx.is_array(x) else x, model)


def solve(model: Model, drive: Drive, times: Float[Array, " n_times"], options: SolverOptions = SolverOptions()):
    """Pure core of :func:`simulate`: integrate and return (observables, num_steps, success).

    ``times`` in internal units (ħ/meV); the initial state sits at ``times[0]``.  Safe
    under ``jax.jit``, ``jax.vmap`` and ``jax.grad``; no input checks.  A diverging solve
    stops early (see :mod:`jaxhiggs.divergence`); :func:`solve_status` also says why.
    """
    return solve_status(model, drive, times, options)[:3]


def solve_status(model: Model, drive: Drive, times: Float[Array, " n_times"], options: SolverOptions = SolverOptions(),
                 driven: int | None = None):
    """As :func:`solve`, returning (observables, num_steps, success, status) with ``status`` one of
    the codes of :mod:`jaxhiggs.divergence` (OK, MAX_STEPS, DIVERGED, COLLAPSED, FAILED).

    ``driven`` (static, from :func:`driven_saves`): integrate only until the drive's field has ended,
    saving ``times[:driven]``, and take ``times[driven:]`` from the model's free evolution.
    """
    options = options.resolved(model)
    model = _opaque(model)
    args = model.arguments(drive)
    controller, dt0 = _controller(options, model.jump_times(drive), times[-1] - times[0])
    solver = _fast_stage_loop(options.solver)
    meter = diffrax.TqdmProgressMeter() if options.progress else diffrax.NoProgressMeter()  # tqdm: bar with ETA
    y0 = model.initial_state()
    backsolve = isinstance(options.adjoint, diffrax.BacksolveAdjoint)  # no events with backsolve
    if driven is None:
        t1, saveat = times[-1], diffrax.SaveAt(ts=times, fn=model.observables)
    else:
        # the field has ended by t1 (≥ the last driven save); t1 ≤ the first free save, where the free part starts
        t1 = jnp.minimum(jnp.maximum(drive.field_end(field_end_threshold(options.rtol)), times[driven - 1]),
                         times[driven])
        saveat = diffrax.SaveAt(subs=[diffrax.SubSaveAt(ts=times[:driven], fn=model.observables),
                                      diffrax.SubSaveAt(t1=True)])
    sol = diffrax.diffeqsolve(
        model.ode_term(),
        solver,
        t0=times[0],
        t1=t1,
        dt0=dt0,
        y0=y0,
        args=args,
        saveat=saveat,
        stepsize_controller=controller,
        adjoint=options.adjoint,
        event=None if backsolve else divergence.event(model, y0),
        max_steps=options.max_steps,
        throw=False,
        progress_meter=meter,
    )
    ok = sol.result == diffrax.RESULTS.successful
    steps, ys = sol.stats["num_steps"], sol.ys
    if driven is not None:
        driven_obs, y_end = sol.ys
        # a driven part that stopped early leaves no state to continue from: the free part is unreached too
        # (inf, as diffrax marks unreached saves, so failure reports name the driven time), and it starts from
        # zeros rather than from the broken state (whose step control would run to max_steps)
        y_end = jax.tree.map(lambda x: jnp.where(ok, x[0], 0), y_end)
        free_obs, free_steps, free_ok = model.free_evolution(t1, y_end, times[driven:], args, options.rtol,
                                                             options.atol)
        free_obs = jax.tree.map(lambda b: jnp.where(ok, b, jnp.inf), free_obs)
        ys = jax.tree.map(lambda a, b: jnp.concatenate([a, b.astype(a.dtype)]), driven_obs, free_obs)
        steps, ok = steps + free_steps, ok & free_ok
    return ys, steps, ok, divergence.status_code(sol.result)


def field_end_threshold(rtol):
    """Where a field counts as ended for a solve at ``rtol``: A(t) below ``rtol`` × 1e-3 of its amplitude,
    at most 1e-6 and at least 1e-16 (array under tracing).

    Why: after that time the model's free evolution (A ≡ 0) takes over, and what the rest of the field would
    still do is of the order of the threshold relative to the response (f ∝ ∫A, the diamagnetic current ∝ A),
    so a threshold far below ``rtol`` costs no accuracy while every step it saves is a step of the expensive
    driven integration.  Measured on the seed-000 case (benchmarks/README.md, two bands, N_e = 100, rtol 1e-5):
    thresholds 1e-16 / 1e-10 / 1e-8 gave the same errors against a tight run (δΔ 5.5e-8 / 5.3e-8 / 5.3e-8, j₁
    9.0e-7 / 8.8e-7 / 8.8e-7) in 5.17 / 4.64 / 4.49 s; at 1e-7 and 1e-6 j₁'s error grew (1.1e-6, 3.2e-6).
    """
    return jnp.clip(jnp.asarray(rtol, dtype=float) * 1e-3, 1e-16, 1e-6)


def driven_saves(model: Model, drive: Drive, times_internal, options: SolverOptions) -> int | None:
    """How many of the (concrete) saved times fall before the drive's field ends, when the model's
    free evolution can take the rest (``solve_status(..., driven=...)``); None: integrate throughout."""
    inner = divergence.inner_model(model)
    use = inner.default_free_evolution() if options.free_evolution is None else options.free_evolution
    if not use or not inner.has_free_evolution():
        return None
    if not (is_concrete(drive) and is_concrete(times_internal)):
        return None
    rtol = options.resolved(inner).rtol
    if not is_concrete(rtol):
        return None
    end = drive.field_end(field_end_threshold(rtol))
    if end is None:
        return None
    n = int(np.searchsorted(np.asarray(times_internal), float(end), side="right"))
    return n if 1 <= n < len(times_internal) else None


_solve_jit = eqx.filter_jit(solve_status)


def check_times(times_ps, drive: Drive) -> np.ndarray:
    """Validate the saved time grid (ps) against the drive and return it as NumPy."""
    check_type("drive", drive, Drive, "a drive: GaussianPulse, Waveform, Quench, a sum of them (+), or NoDrive()")
    allowed = "a 1-D array of at least 2 increasing real times in ps"
    try:
        raw = np.asarray(times_ps)
    except (TypeError, ValueError):  # ragged nested lists
        raise fail("times", times_ps, allowed) from None
    # only integer and real dtypes: NumPy would turn booleans into 0/1, parse strings and bytes, cast objects
    # and drop an imaginary part (with only a warning)
    if raw.dtype.kind not in "iuf":
        kind = {"b": "booleans", "c": "complex numbers", "U": "strings", "S": "bytes", "O": "Python objects"}.get(
            raw.dtype.kind, f"dtype {raw.dtype}")
        raise fail("times", times_ps, f"{allowed} (got {kind})")
    t = raw.astype(float)
    if t.ndim != 1 or t.size < 2:
        raise InputError(f"times has shape {t.shape}: give a 1-D array of at least 2 times in ps")
    if not np.all(np.isfinite(t)):
        i = int(np.argmax(~np.isfinite(t)))
        raise fail(f"times[{i}]", t[i], "finite times in ps (no NaN or inf)", unit="ps")
    if np.any(np.diff(t) <= 0):
        i = int(np.argmax(np.diff(t) <= 0))
        raise fail(f"times[{i + 1}]", t[i + 1], "times must be strictly increasing", unit="ps")
    if not is_concrete(drive):
        return t  # traced drive parameters (grad/vmap): checked by the caller on concrete values
    wmax = drive.max_frequency()
    if wmax > 0:
        dt_max = units.internal_to_ps(np.pi / wmax)
        spacing = float(np.max(np.diff(t)))
        if spacing > dt_max:
            raise InputError(
                f"times spacing = {spacing:.4g} ps is not allowed: it must be ≤ {dt_max:.4g} ps, else it does not resolve the drive "
                f"(Nyquist for its highest frequency {units.mev_to_thz(wmax) / 1:.3g} THz); use more time points"
            )
    quench = drive.quench()
    if quench is not None:
        tq = float(units.internal_to_ps(quench.time))
        if not t[0] <= tq < t[-1]:
            raise fail("Quench time", tq, f"the quench must happen inside the time window [{t[0]:.6g}, {t[-1]:.6g}) ps "
                       "(outside it, it would silently do nothing or act from the start)", unit="ps")
    span = drive.support()
    if span is not None:
        start, end = units.internal_to_ps(span[0]), units.internal_to_ps(span[1])
        if end <= t[0] or start >= t[-1]:
            raise InputError(
                f"the drive acts during [{start:.4g}, {end:.4g}] ps, outside the time window "
                f"[{t[0]:.4g}, {t[-1]:.4g}] ps: move the pulse centre or the window"
            )
        on = drive.switched_on(units.ps_to_internal(t[0]))
        if on > 1e-3:  # the envelope above 0.1 % of its peak (a pulse 4τ before its centre is still off)
            raise InputError(
                f"times[0] = {t[0]:.4g} ps is too late: the drive is already on there (its envelope is {on:.2e} of "
                f"its peak); start at or before {start:.4g} ps so the system begins in equilibrium"
            )
    return t


def check_model_and_drive(model, drive: Drive) -> None:
    """Types, and the drive's parameters that depend on the model's material (before compilation)."""
    check_type("model", model, Model, "a model, e.g. jaxhiggs.models.CleanPseudospin(material, n_energies)")
    check_type("drive", drive, Drive, "a drive: GaussianPulse, Waveform, Quench, a sum of them (+), or NoDrive()")
    if coupling_pulses(drive) and not getattr(divergence.inner_model(model), "accepts_coupling_pulse", False):
        raise InputError(f"drive component CouplingPulse is not allowed for {type(divergence.inner_model(model)).__name__}: "
                         "a time-dependent coupling is implemented for DisorderedPseudospin only")
    check_coupling_stays_attractive(drive)
    quench = drive.quench()
    material = getattr(divergence.inner_model(model), "material", None)
    if quench is None or material is None:
        return
    scale = quench.coupling_scale
    if scale is not None and is_concrete(scale) and np.ndim(scale) and np.shape(scale) not in (
            (material.n_bands,), (material.n_bands, material.n_bands)):
        raise fail("coupling_scale", scale, f"a scalar, one factor per band ({material.n_bands}) or a "
                   f"{material.n_bands} × {material.n_bands} matrix of factors q_ij (U'_ij = q_ij U_ij)")
    if quench.final_gap is None or not is_concrete(quench.final_gap):
        return
    final = np.atleast_1d(np.asarray(quench.final_gap, dtype=float))
    if final.size not in (1, material.n_bands):
        raise fail("final_gap", quench.final_gap, f"a scalar (band 1) or one gap per band ({material.n_bands}) in meV")
    if is_concrete(material.omega_D):
        wd = float(material.omega_D)
        check(lambda g: g < wd, "final_gap", quench.final_gap,
              f"0 < Δ_f < ω_D = {wd:g} meV (the gap must lie inside the pairing window)", unit="meV")


def simulate(model: Model, drive: Drive, times, **options) -> Result:
    """Integrate ``model`` under ``drive`` and return the observables at ``times``.

    Args:
        model: e.g. :class:`jaxhiggs.models.CleanPseudospin`.
        drive: a pulse, waveform, quench or a sum of them (``NoDrive()`` for none).
        times: saved times in ps (the state at ``times[0]`` is the equilibrium).
        **options: fields of :class:`SolverOptions` (``solver``, ``rtol``, ``atol``,
            ``dt`` in ps, ``max_steps``, ``progress``, ``adjoint``).

    Returns:
        :class:`Result` with ``.times`` (ps) and ``.gap`` (complex meV, (n_times, n_bands)).

    Raises:
        ValueError: bad times; RuntimeError: the solver hit ``max_steps`` or produced NaN.
    """
    unknown = set(options) - set(SolverOptions.__dataclass_fields__)
    if unknown:
        raise TypeError(f"unknown option(s) {sorted(unknown)}: allowed are {sorted(SolverOptions.__dataclass_fields__)}")
    opts = SolverOptions(**options)
    check_model_and_drive(model, drive)
    opts = opts.resolved(model)
    concrete = is_concrete(times)
    if concrete:
        times = check_times(times, drive)
        check_step(opts, times)
        model.check_window(times, drive if is_concrete(drive) else None)
    t_internal = units.ps_to_internal(jnp.asarray(times, dtype=float))
    driven = driven_saves(model, drive, t_internal, opts)
    ys, num_steps, success, status = _solve_jit(model, drive, t_internal, opts.traced(), driven)
    meta = dict(model.metadata())
    meta.update(solver=type(opts.solver).__name__, rtol=opts.rtol, atol=opts.atol, dt=opts.dt)
    result = Result(times=jnp.asarray(times, dtype=float), observables=ys, num_steps=num_steps, success=success,
                    metadata=meta)
    if concrete and is_concrete(ys):
        _raise_on_failure(result, opts, model, status, drive)
        model.check_result(result)  # validity of the model at this drive (e.g. Mattis–Bardeen's expansion in A)
    return result


def check_step(opts: SolverOptions, times_ps) -> None:
    """A fixed step must fit the window (concrete times in ps)."""
    if opts.dt is not None and is_concrete(opts.dt):
        window = float(times_ps[-1] - times_ps[0])
        check(lambda d: d <= window, "dt", opts.dt, f"0 < dt ≤ the time window {window:.6g} ps", unit="ps")


def _raise_on_failure(result: Result, opts: SolverOptions, model=None, status=None, drive=None) -> None:
    """Raise a RuntimeError naming the model, the time (ps), the last good values and the likely cause."""
    obs = {k: np.asarray(v) for k, v in result.observables.items()}
    times = np.asarray(result.times)
    if obs and next(iter(obs.values())).shape[0] != times.shape[0]:  # batched results: report the first failure
        ok = np.asarray(result.success).reshape(-1)
        first = int(np.argmin(ok)) if not ok.all() else 0
        obs = {k: v.reshape((-1,) + v.shape[-(v.ndim - np.asarray(result.success).ndim):])[first]
               for k, v in obs.items()}
    finite = all(bool(np.all(np.isfinite(v))) for v in obs.values())
    code = int(np.max(np.asarray(status))) if status is not None else (
        divergence.OK if bool(np.all(np.asarray(result.success))) else divergence.FAILED)
    steps = int(np.max(np.asarray(result.num_steps)))
    if code == divergence.FAILED and steps >= opts.max_steps:
        code = divergence.MAX_STEPS
    if code != divergence.OK or not finite:
        raise RuntimeError(divergence.report(model, code, times, obs, steps, opts.max_steps, opts.rtol, opts.atol,
                                             opts.dt, drive))
