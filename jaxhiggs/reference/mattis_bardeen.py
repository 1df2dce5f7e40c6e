"""Plain NumPy + SciPy (``RK45`` etc., stepped as ``solve_ivp`` does) version of the Mattis–Bardeen model
(CPU baseline).

Same equations as :mod:`jaxhiggs.models.mattis_bardeen` (spec §3.2–3.4, §4.2), written
independently with NumPy arrays and a flat complex state vector, lab frame.  Parameters come in
the same internal units (meV, ħ/meV); :func:`inputs_from_model` extracts them from a JAX model so
both codes can be compared on one case.  Only scalars (δΔ, currents) are kept at the output times, taken
from each step's dense output as the step passes them (no state is stored per output time).
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass

import numpy as np


@dataclass
class ReferenceInputs:
    """Everything the reference needs (internal units).

    xi, weights: grid (meV) and quadrature weights (meV), shape (N,).
    gaps: Δ_i (meV); coupling: λ_ij = U_ij N_j; temperature: k_B T (meV); gammas: γ_i (meV).
    c2: (e v_F A_ref/√3)² (meV²); dia: s e² A_ref²/2m (meV); pn: e² n/m (SI); pdos: e² N/m (SI);
    signs: s_i; a_ref: A_ref (V·s/m); a_peak: A_peak (V·s/m); vector_potential: callable t → A(t) (V·s/m).
    """

    xi: np.ndarray
    weights: np.ndarray
    gaps: np.ndarray
    coupling: np.ndarray
    temperature: float
    gammas: np.ndarray
    c2: np.ndarray
    dia: np.ndarray
    pn: np.ndarray
    pdos: np.ndarray
    signs: np.ndarray
    a_ref: float
    a_peak: float
    vector_potential: object
    higgs_feedback: bool = True


def inputs_from_model(model, drive) -> ReferenceInputs:
    """Take the parameters (not the kernels) of a :class:`~jaxhiggs.models.MattisBardeen` model."""
    from ..drive import GaussianPulse

    args = model.arguments(drive)
    a_fn = lambda t: float(np.asarray(drive.vector_potential(t)))
    parts = drive.components()
    if all(isinstance(c, GaussianPulse) for c in parts):
        # plain NumPy A(t) so the baseline is not slowed by JAX dispatch per RHS call
        pars = [tuple(float(x) for x in (c.amplitude, c.omega, c.tau, c.t0, c.phase)) for c in parts]
        a_fn = lambda t: sum(a0 * np.exp(-((t - t0) ** 2) / (2 * tau**2)) * np.cos(om * (t - t0) + ph)
                             for a0, om, tau, t0, ph in pars)
    b = {k: np.asarray(v) for k, v in args["b"].items()}
    a_peak = float(args["a_peak"])
    return ReferenceInputs(
        xi=np.asarray(model.xi), weights=np.asarray(model.weights), gaps=np.asarray(model.gaps),
        coupling=np.asarray(model.coupling), temperature=float(model.temperature),
        gammas=np.asarray(model.material.gammas), c2=b["c2"], dia=b["dia"], pn=b["pn"], pdos=b["pdos"],
        signs=b["sign"], a_ref=model.reference_amplitude, a_peak=a_peak,
        vector_potential=a_fn, higgs_feedback=model.higgs_feedback,
    )


class _Band:
    """Precomputed per-band arrays (spec §6: precompute once per band)."""

    def __init__(self, inp: ReferenceInputs, i: int):
        xi, w = inp.xi, inp.weights
        d = inp.gaps[i]
        T = inp.temperature
        self.E = E = np.sqrt(xi**2 + d**2)
        self.F = F = 1.0 / (np.exp(E / T) + 1.0) if T > 0 else np.zeros_like(E)
        u = np.sqrt(0.5 * (1 + xi / E))
        v = np.sqrt(0.5 * (1 - xi / E))
        self.u2, self.v2 = u**2, v**2
        self.l = np.outer(u, u) + np.outer(v, v)
        self.p = np.outer(v, u) - np.outer(u, v)
        g = inp.gammas[i]
        W = g / np.pi / ((xi[:, None] - xi[None, :]) ** 2 + g**2)
        wW = W * w[None, :]
        self.wWl2, self.wWp2, self.wWlp = wW * self.l**2, wW * self.p**2, wW * self.l * self.p
        ww = wW * w[:, None]
        self.wwl2, self.wwp2, self.wwl, self.wwp = ww * self.l**2, ww * self.p**2, ww * self.l, ww * self.p
        self.om_m = E[None, :] - E[:, None]
        self.om_p = E[None, :] + E[:, None]
        self.dF = F[None, :] - F[:, None]
        self.oF = 1 - F[:, None] - F[None, :]
        self.th = 1 - 2 * F
        self.de = d / E
        self.ee = xi / E
        self.de_m = self.de[None, :] - self.de[:, None]
        self.de_p = self.de[None, :] + self.de[:, None]
        fn = 1.0 / (np.exp(xi / T) + 1.0) if T > 0 else (xi < 0).astype(float)
        dx = xi[:, None] - xi[None, :]
        np.fill_diagonal(dx, 1.0)
        ratio = (fn[:, None] - fn[None, :]) / dx
        np.fill_diagonal(ratio, 0.0)
        self.kd1 = float(np.sum(ww * ratio))


def _system(inp: ReferenceInputs):
    """(rhs(t, y), unpack(y, band), delta_gap(states), bands, state size) of the flat complex state."""
    n = inp.xi.size
    nb = inp.gaps.size
    bands = [_Band(inp, i) for i in range(nb)]
    w = inp.weights
    size_b = 3 * n + 4 * n * n
    sl = {}
    off = 0
    for name, shape in (("r11", (n,)), ("r21o", (n,)), ("r21e", (n,)), ("R11", (n, n)), ("R21", (n, n)),
                        ("f11", (n, n)), ("f21", (n, n))):
        size = int(np.prod(shape))
        sl[name] = (slice(off, off + size), shape)
        off += size

    def unpack(y, i):
        base = i * size_b
        return {k: y[base + s.start: base + s.stop].reshape(shape) for k, (s, shape) in sl.items()}

    def delta_gap(states):
        per = np.array([np.sum(w * (-bd.de * st["r11"] + bd.u2 * (st["r21o"] + st["r21e"])
                                    - bd.v2 * np.conj(st["r21o"] + st["r21e"])))
                        for bd, st in zip(bands, states)])
        return inp.coupling @ per

    def rhs(t, y):
        a = inp.vector_potential(t) / inp.a_peak
        states = [unpack(y, i) for i in range(nb)]
        dd = delta_gap(states)
        out = np.empty_like(y)
        for i, (bd, st) in enumerate(zip(bands, states)):
            red = dd[i].real if inp.higgs_feedback else 0.0
            imd = dd[i].imag
            f11, f21, r11, r21o, r21e = st["f11"], st["f21"], st["r11"], st["r21o"], st["r21e"]
            c2 = inp.c2[i]
            d = {}
            d["f11"] = -1j * bd.om_m * f11 - 1j * bd.dF * a
            d["f21"] = -1j * bd.om_p * f21 + 1j * bd.oF * a
            d["r11"] = -2 * c2 * a * np.sum(bd.wWl2 * f11.imag - bd.wWp2 * f21.imag, axis=1)
            d["r21o"] = (-2j * bd.E * r21o + 1j * bd.th * bd.ee * red
                         + 2j * c2 * a * np.sum(bd.wWlp * (f21 - np.conj(f11)), axis=1))
            d["r21e"] = -2j * bd.E * r21e - 1j * bd.th * bd.de * inp.dia[i] * a * a - bd.th * imd
            pba = bd.p.T  # = −p
            d["R11"] = (-1j * bd.om_m * st["R11"]
                        - 1j * bd.l * (a * (r11[None, :] - r11[:, None]) + red * bd.de_m * f11)
                        - 1j * pba * (a * (r21o[None, :] + np.conj(r21o)[:, None])
                                      - red * (bd.ee[None, :] * np.conj(f21) + bd.ee[:, None] * f21)))
            d["R21"] = (-1j * bd.om_p * st["R21"]
                        + 1j * pba * (a * (r11[None, :] + r11[:, None]) + red * bd.de_p * f21)
                        - 1j * bd.l * (a * (r21o[None, :] - r21o[:, None])
                                       + red * (bd.ee[:, None] * f11 - bd.ee[None, :] * np.conj(f11))))
            base = i * size_b
            for k, (s, _) in sl.items():
                out[base + s.start: base + s.stop] = d[k].ravel()
        return out

    return rhs, unpack, delta_gap, bands, nb * size_b


def time_rhs(inp: ReferenceInputs, repeats: int = 5) -> float:
    """Seconds per right-hand-side evaluation (for estimating runs too long to make)."""
    rhs, _, _, _, size = _system(inp)
    y = np.full(size, 1e-3 + 0j)
    rhs(-1.0, y)
    start = _time.perf_counter()
    for _ in range(repeats):
        rhs(-1.0, y)
    return (_time.perf_counter() - start) / repeats


def simulate_reference(inp: ReferenceInputs, times, rtol=1e-8, atol=1e-12, method="RK45") -> dict:
    """Integrate the MB equations with SciPy's ``method`` (as ``solve_ivp`` does) on [times[0], times[-1]]
    (internal units).

    The solver is stepped by hand so that each saved time's observables are taken from the step's dense
    output as soon as the step passes it and the state is not kept: memory stays at a few states instead
    of one state per saved time (N_e = 600: 23 MB each, 3000 saved times would be 69 GB).  Steps,
    evaluations and values are those of ``solve_ivp(..., t_eval=times)``.

    Returns dict with ``delta_gap`` (n_t, n_bands) complex meV, ``current_p1``, ``current_d1``,
    ``current_p3``, ``current_d3`` (A/m²) at the physical amplitude, plus ``nfev`` and ``wall_s`` (the
    integration and its dense output, without the observables' own cost).
    """
    import scipy.integrate

    times = np.asarray(times, dtype=float)
    rhs, unpack, delta_gap, bands, size = _system(inp)
    nb = len(bands)
    w = inp.weights
    lam = inp.a_peak / inp.a_ref
    out = {k: np.zeros(times.size) for k in ("current_p1", "current_d1", "current_p3", "current_d3")}
    dgap = np.zeros((times.size, nb), dtype=complex)

    def record(it, y):
        t = times[it]
        a_phys = inp.vector_potential(t)
        states = [unpack(y, i) for i in range(nb)]
        dgap[it] = delta_gap(states) * lam**2
        for i, (bd, st) in enumerate(zip(bands, states)):
            out["current_p1"][it] += inp.pn[i] * lam * inp.a_ref * np.sum(bd.wwl2 * st["f11"].real + bd.wwp2 * st["f21"].real)
            out["current_d1"][it] += inp.pn[i] * a_phys * bd.kd1
            out["current_p3"][it] += inp.pn[i] * lam**3 * inp.a_ref * np.sum(bd.wwl * st["R11"].real + bd.wwp * st["R21"].real)
            r21 = st["r21o"] + st["r21e"]
            out["current_d3"][it] += (-2.0 * a_phys * lam**2 * inp.signs[i] * inp.pdos[i]
                                      * np.sum(w * (bd.ee * st["r11"].real + bd.de * r21.real)))

    start = _time.perf_counter()
    observing = 0.0
    solver = getattr(scipy.integrate, method)(rhs, times[0], np.zeros(size, dtype=complex), times[-1], rtol=rtol,
                                              atol=atol)
    done = 0  # saved times recorded so far (times[0] = t0 comes with the first step, as in solve_ivp)
    while solver.status == "running":
        message = solver.step()
        if solver.status == "failed":
            raise RuntimeError(f"{method} failed: {message}")
        stop = np.searchsorted(times, solver.t, side="right")
        if stop > done:
            dense = solver.dense_output()
            for it in range(done, stop):
                y = dense(times[it])
                t0 = _time.perf_counter()
                record(it, y)
                observing += _time.perf_counter() - t0
            done = stop
    wall = _time.perf_counter() - start - observing
    out["delta_gap"] = dgap
    out["nfev"] = int(solver.nfev)
    out["wall_s"] = wall
    return out


__all__ = ["ReferenceInputs", "inputs_from_model", "simulate_reference", "time_rhs"]
