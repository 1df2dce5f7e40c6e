"""The Mattis–Bardeen model after the drive: free evolution in closed form (docs/models/mattis-bardeen.md).

Once A(t) ≡ 0 (from t_e on, τ = t − t_e), the equations of spec §3.2–3.4 lose every source but the
gap feedback, and all N_e² blocks can be written down:

* first order rotates freely: f(t) = e^{−iωτ} f(t_e), ω = E_b ∓ E_a;
* second order: r¹¹ is constant, r²¹ = r²¹ᵒ + r²¹ᵉ obeys the N_e-vector equation
  ṙ²¹ = −2iE r²¹ + i ϑ (ξ/E) Re δΔ − ϑ Im δΔ (ϑ = 1 − 2F), δΔ linear in r (spec §3.3);
* third order R(t) = e^{−iωτ}[R(t_e) + P(t)·(resonant δΔ·f terms) + Φ-weighted (non-resonant) terms], with
  P(t) = ∫_{t_e}^t Re δΔ and Φ_a(t) = ∫_{t_e}^t Re δΔ(s) e^{−2iE_a(s−t_e)} ds: a source Re δΔ(s)·f(s) of
  R¹¹ (rotating at E_b − E_a) with f²¹ (E_b + E_a) leaves the phase e^{−2iE_a(s−t_e)}, which depends on one
  index only, so the double index never enters a time integral.

What remains to integrate is one small linear ODE per band for (r²¹, ψ, P) with ψ_a = e^{2iE_aτ}Φ_a
(ψ̇ = 2iE_a ψ + Re δΔ): O(N_e) per step, integrated by diffrax's 8th-order ``Dopri8`` at the caller's
tolerances / 100 (:data:`FREE_TOLERANCE_FACTOR`).  The currents j_P1 and j_P3 at the saved times are bilinear forms
Σ_ab L_a(t) M_ab R_b(t) of fixed N_e × N_e matrices M (built once from the state at t_e) with vectors of
phases: matrix products (GEMMs) of (batch × N_e) by (N_e × N_e), in place of ~6 vector-field
evaluations of the whole state per time step.  The saved times are taken in batches of :data:`TIME_BATCH`
(a ``lax.scan`` in which the ODE continues from one batch's last time to the next batch), so no array grows
with the number of saved times but the observables themselves.  Units and conventions as in
:mod:`jaxhiggs.models.mattis_bardeen`.
"""

from __future__ import annotations

import diffrax
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .. import units
from ..solvers import DiagonalLinearTerm


#: Saved times per batch: the post-drive ODE's states at the saved times and the temporaries of the bilinear forms
#: are held for one batch at a time, a few (batch × N_e) arrays, instead of (saved times × N_e) each (N_e = 600,
#: 30 000 saves: 949 MB of compiled buffers before, against 350 MB at 300 saves).
TIME_BATCH = 128

#: The post-drive ODE runs at (rtol, atol) × this.  It takes thousands of steps (its step is pinned near the fastest
#: rotation 2E_max, like the driven part's), so its local errors add up over the window: one hundredth of the
#: caller's tolerance keeps it below the driven part's error.  With 8th-order Dopri8 (measured on the seed-000 cases,
#: default rtol 1e-5, benchmarks/README.md) that costs nothing: two bands, N_e = 100, δΔ error 5.5e-8 (the driven
#: part's) in 4369 steps; the 4th-order ExponentialRK4 used before needed 7194 steps for 1.8e-5 at the same
#: tolerance and ~20 000 for 2e-7, at the same wall time within noise.
FREE_TOLERANCE_FACTOR = 1e-2


def _bilinear(left, matrix, right):
    """Σ_ab left_{i,a} M_{i,a,b} right_{i,b} → (i,): a matrix–vector product per band (a GEMM when batched)."""
    return jnp.sum(left * jnp.einsum("ib,iab->ia", right, matrix), axis=-1)


def _gap(model, r11, r21, args):
    """δΔ_i at the reference amplitude from r¹¹ and the combined r²¹ = r²¹ᵒ + r²¹ᵉ (spec §3.3)."""
    return model.delta_gap(dict(r11=r11, r21o=r21, r21e=jnp.zeros_like(r21)), args)


def _second_order(model, r11, y0, t0, times, args, rtol, atol):
    """(r²¹, ψ, P) at ``times`` and at ``times[-1]`` from the post-drive linear ODE (see the module docstring),
    started from ``y0`` at ``t0``; also the steps taken and success."""
    k = args["k"]
    energy, th, ee = k["E"], k["th"], k["ee"]

    def nonlinear(t, y, args_):
        dd = _gap(model, r11, y["r21"], args)
        re_dd = jnp.real(dd) if model.higgs_feedback else jnp.zeros_like(jnp.real(dd))
        return dict(r21=1j * th * ee * re_dd[:, None] - th * jnp.imag(dd)[:, None],
                    psi=jnp.broadcast_to(re_dd[:, None], energy.shape).astype(complex),
                    P=re_dd.astype(complex))

    omega = dict(r21=2 * energy, psi=-2 * energy, P=jnp.zeros(()))
    from ..solve import blockwise_rms_norm

    sol = diffrax.diffeqsolve(
        DiagonalLinearTerm(lambda a: omega, nonlinear), diffrax.Dopri8(), t0=t0, t1=times[-1], dt0=None, y0=y0,
        args=None, saveat=diffrax.SaveAt(subs=[diffrax.SubSaveAt(ts=times), diffrax.SubSaveAt(t1=True)]),
        stepsize_controller=diffrax.PIDController(rtol=rtol * FREE_TOLERANCE_FACTOR, atol=atol * FREE_TOLERANCE_FACTOR,
                                                  norm=blockwise_rms_norm),
        max_steps=1_000_000, throw=False)
    at_times, at_end = sol.ys
    return at_times, jax.tree.map(lambda x: x[0], at_end), sol.stats["num_steps"], sol.result == diffrax.RESULTS.successful


def _batches(times):
    """``times`` padded with its last value to whole batches of :data:`TIME_BATCH`: (n_batches, batch)."""
    n = times.shape[0]
    batch = min(TIME_BATCH, n)
    n_batches = -(-n // batch)
    padded = jnp.concatenate([times, jnp.broadcast_to(times[-1], (n_batches * batch - n,))])
    return padded.reshape(n_batches, batch)


def free_observables(model, t_end, y_end: dict, times: Float[Array, " n"], args, rtol, atol):
    """The model's observables at ``times`` (internal, ≥ ``t_end``) given its state ``y_end`` at
    ``t_end``, when the drive's A(t) vanishes from ``t_end`` on; ``rtol``, ``atol``: the solve's tolerances
    (the post-drive ODE runs at these × :data:`FREE_TOLERANCE_FACTOR`).  Returns (observables, steps, success)."""
    from .mattis_bardeen import _pair_kernels

    k, b = args["k"], args["b"]
    pk = _pair_kernels(k)
    ww, l, p = pk["ww"], pk["l"], pk["p"]
    energy = k["E"]
    lam = args["a_peak"] / model.reference_amplitude
    a_ref = model.reference_amplitude
    f11, f21 = y_end["f11"], y_end["f21"]

    # the fixed matrices of the bilinear forms (built once from the state at t_e)
    mats = dict(p11=ww * l * l * f11, p21=ww * p * p * f21)
    if model.orders == 3:
        ee_a, ee_b = k["ee"][:, :, None], k["ee"][:, None, :]
        de_a, de_b = k["de"][:, :, None], k["de"][:, None, :]
        wl, wp = ww * l, ww * p
        mats.update(R11=wl * y_end["R11"], R11_P=wl * (-1j * l) * (de_b - de_a) * f11,
                    R11_psi=wl * (-1j * p) * ee_a * f21, R11_psi_bar=wl * (-1j * p) * ee_b * jnp.conj(f21),
                    R21=wp * y_end["R21"], R21_P=wp * (-1j * p) * (de_a + de_b) * f21,
                    R21_psi_bar_a=wp * (-1j * l) * ee_a * f11, R21_psi_bar_b=wp * (1j * l) * ee_b * jnp.conj(f11))

    def currents(tau, psi, big_p):
        """(Re Σ_ab ww(l² f¹¹ + p² f²¹), Re Σ_ab ww(l R¹¹ + p R²¹)) per band at one time τ after t_e."""
        ph = jnp.exp(-1j * energy * tau)  # e^{−iE_a τ}, (nb, N)
        phc = jnp.conj(ph)
        first = jnp.real(_bilinear(phc, mats["p11"], ph) + _bilinear(ph, mats["p21"], ph))
        if model.orders < 3:
            return first, jnp.zeros_like(first)
        big_p = big_p[:, None]
        left_psi = ph * psi  # e^{iE_aτ} Φ_a = e^{−iE_aτ} ψ_a
        psi_bar = phc * jnp.conj(psi)  # e^{−iE_aτ} Φ̄_a = e^{iE_aτ} ψ̄_a (also the right vector e^{−iE_bτ} Φ̄_b)
        # R¹¹: left e^{iE_aτ}, right e^{−iE_bτ};  R²¹: left e^{−iE_aτ}, right e^{−iE_bτ}
        third = (_bilinear(phc, mats["R11"], ph) + _bilinear(phc * big_p, mats["R11_P"], ph)
                 + _bilinear(left_psi, mats["R11_psi"], ph) + _bilinear(phc, mats["R11_psi_bar"], psi_bar)
                 + _bilinear(ph, mats["R21"], ph) + _bilinear(ph * big_p, mats["R21_P"], ph)
                 + _bilinear(psi_bar, mats["R21_psi_bar_a"], ph) + _bilinear(ph, mats["R21_psi_bar_b"], psi_bar))
        return first, jnp.real(third)

    def batch_observables(carry, ts):
        """δΔ, the bracket of j_d3 and the two current sums at one batch of saved times; the post-drive ODE
        continues from the previous batch's last time (``carry``)."""
        y, t0, steps, ok = carry
        if model.orders < 2:
            zeros = jnp.zeros(ts.shape + model.gaps.shape)
            first, third = jax.vmap(currents)(ts - t_end, jnp.zeros(ts.shape + energy.shape, complex), zeros)
            return carry, (zeros.astype(complex), zeros, first, third)
        sec, y, n_steps, success = _second_order(model, r11, y, t0, ts, args, rtol, atol)
        dd = jax.vmap(lambda r21: _gap(model, r11, r21, args))(sec["r21"])
        per_band = jnp.sum(model.weights * (k["ee"] * r11.real + k["de"] * sec["r21"].real), axis=-1)
        first, third = jax.vmap(currents)(ts - t_end, sec["psi"], jnp.real(sec["P"]))
        return (y, ts[-1], steps + n_steps, ok & success), (dd, per_band, first, third)

    # the saved times in batches: the ODE's states at the saved times and the temporaries of the bilinear forms
    # exist for one batch at a time, so memory does not grow with the number of saved times
    r11, y0 = None, None  # first order only: no second-order state, no ODE
    if model.orders >= 2:
        r11 = y_end["r11"]
        y0 = dict(r21=y_end["r21o"] + y_end["r21e"], psi=jnp.zeros_like(y_end["r21o"]),
                  P=jnp.zeros(energy.shape[0], dtype=complex))
    start = (y0, jnp.asarray(t_end, dtype=times.dtype), jnp.asarray(0), jnp.asarray(True))
    (_, _, steps, ok), batched = jax.lax.scan(batch_observables, start, _batches(times))
    n = times.shape[0]
    dd, per_band, first, third = jax.tree.map(lambda x: x.reshape((-1,) + x.shape[2:])[:n], batched)
    a_phys = jax.vmap(args["drive"].vector_potential)(times)
    dd = dd * lam**2
    jd3 = -2.0 * a_phys * lam**2 * jnp.sum(b["sign"] * b["pdos"] * per_band, axis=-1)
    jp1 = lam * a_ref * jnp.sum(b["pn"] * first, axis=-1)
    jp3 = lam**3 * a_ref * jnp.sum(b["pn"] * third, axis=-1)
    jd1 = a_phys * jnp.sum(b["pn"] * k["kd1"])
    field = jax.vmap(args["drive"].electric_field)(times) / units.TIME_UNIT_S
    out = dict(gap=model.gaps + dd, delta_gap=dd, current_1=jp1 + jd1, current_3=jp3 + jd3, current_p1=jp1,
               current_d1=jd1, current_p3=jp3, current_d3=jd3, vector_potential=a_phys, electric_field=field)
    return out, steps, ok

