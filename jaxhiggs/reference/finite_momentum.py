"""NumPy twin of :mod:`jaxhiggs.models.finite_momentum` for tiny grids (tests only).

Written differently on purpose: the one-body Nambu Hamiltonian of each band is assembled as a
dense (2N × 2N) matrix over the N shell points, the density matrix is dense too, and the
truncation |n| ≤ n_max is a mask Π applied to the commutator,

    dρ/dt = −i Π [H(t, Δ), ρ],   Δ_i = Σ_j U_ij Σ_k W_jk ρ(k, k)_{12},

so no index shifting is shared with the JAX model.  Only the grid (k points, ξ, weights) and the
couplings U are taken from it.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

TAU3 = np.array([1.0, -1.0])


class FiniteMomentumReference:
    """Dense twin built from plain arrays.

    Args:
        kx, ky, xi, weights: (n_bands, N_k) grid arrays (nm⁻¹, meV); mask: (n_bands, N_k) shell points.
        couplings: U (n_bands, n_bands).
        para_per_ky: s e ħ/m per band (meV per V·s/m per nm⁻¹); dia: s e²/2m per band (meV per (V·s/m)²).
        q0: photon momentum (nm⁻¹; 0 = homogeneous); n_max: largest |n| kept.
        probe_steps: None, or the probe's wave vector q_pr in units of dk: then ρ(k', k) is kept for
            k' − k = nq₀ + m q_pr, |n| ≤ n_max, |m| ≤ 1, and H takes the probe amplitude b = A_{q_pr} too.
    """

    def __init__(self, kx, ky, xi, mask, weights, couplings, para_per_ky, dia, q0, dk, n_max, probe_steps=None):
        self.n_bands = kx.shape[0]
        self.idx = [np.flatnonzero(mask[i]) for i in range(self.n_bands)]
        self.kx = [kx[i, j] for i, j in enumerate(self.idx)]
        self.ky = [ky[i, j] for i, j in enumerate(self.idx)]
        self.xi = [xi[i, j] for i, j in enumerate(self.idx)]
        self.w = [weights[i, j] for i, j in enumerate(self.idx)]
        self.u = np.asarray(couplings)
        self.para, self.dia = np.asarray(para_per_ky), np.asarray(dia)
        self.q0, self.n_max = float(q0), int(n_max)
        tol = 1e-6 * dk
        # offset[i][a, b] = n if k_a = k_b + n q₀ (same k_y), else None (encoded as a large number)
        self.offset = []
        for i in range(self.n_bands):
            dx = self.kx[i][:, None] - self.kx[i][None, :]
            same_row = np.abs(self.ky[i][:, None] - self.ky[i][None, :]) < tol
            if self.q0 > 0:
                n = np.rint(dx / self.q0)
                ok = same_row & (np.abs(dx - n * self.q0) < tol)
            else:
                n = np.zeros_like(dx)
                ok = same_row & (np.abs(dx) < tol)
            self.offset.append(np.where(ok, n, 10**6).astype(int))
        self.probe_steps = probe_steps
        if probe_steps is None:
            self._keep = [np.kron((np.abs(o) <= self.n_max).astype(float), np.ones((2, 2))) for o in self.offset]
            return
        # with a probe: k' − k in cells of dk (same row), kept if it is one of nq₀ + m q_pr
        self.steps = int(round(self.q0 / dk))
        allowed = {n * self.steps + m * probe_steps for n in range(-self.n_max, self.n_max + 1) for m in (-1, 0, 1)}
        self.cells = []
        for i in range(self.n_bands):
            dx = self.kx[i][:, None] - self.kx[i][None, :]
            same_row = np.abs(self.ky[i][:, None] - self.ky[i][None, :]) < tol
            self.cells.append(np.where(same_row, np.rint(dx / dk), 10**6).astype(int))
        self._keep = [np.kron(np.isin(c, list(allowed)).astype(float), np.ones((2, 2))) for c in self.cells]

    def keep(self, i):
        """Π of band i as a (2N, 2N) 0/1 mask: ρ(k', k) kept for k' = k + nq₀, |n| ≤ n_max."""
        return self._keep[i]

    def hamiltonian(self, i, a, gap, b=0.0):
        """Dense Nambu H of band i for photon amplitude a = A_{q₀} (complex), probe amplitude b = A_{q_pr}
        (with ``probe_steps``) and gap Δ_i."""
        n = self.idx[i].size
        off = self.offset[i]
        h = np.zeros((2 * n, 2 * n), complex)
        para = self.para[i] * self.ky[i]
        if self.probe_steps is not None:
            # the field A(x) = Σ_q A_q e^{iqx} over q = ±q₀, ±q_pr (cells); its square by the double sum
            field = {self.steps: a, -self.steps: np.conj(a), self.probe_steps: b, -self.probe_steps: np.conj(b)}
            square = {}
            for q, x in field.items():
                for q2, y in field.items():
                    square[q + q2] = square.get(q + q2, 0.0) + x * y
            off = self.cells[i]
            blocks = {p: (para * field.get(p, 0.0), self.dia[i] * square.get(p, 0.0) + 0 * para + (self.xi[i] if p == 0 else 0))
                      for p in set(field) | set(square)}
        elif self.q0 == 0:
            field = 2 * a.real
            diag = self.xi[i] + self.dia[i] * field**2
            blocks = {0: (para * field, diag)}
        else:
            blocks = {0: (0 * para, self.xi[i] + self.dia[i] * 2 * abs(a) ** 2),
                      1: (para * a, self.dia[i] * 0 * para), -1: (para * np.conj(a), self.dia[i] * 0 * para),
                      2: (0 * para, self.dia[i] * a**2 + 0 * para), -2: (0 * para, self.dia[i] * np.conj(a) ** 2 + 0 * para)}
        for p, (tau0, tau3) in blocks.items():
            rows, cols = np.nonzero(off == p)  # H(k_r, k_c) with k_r = k_c + p q₀: coefficient at k_c
            for s in range(2):
                h[2 * rows + s, 2 * cols + s] += tau0[cols] + TAU3[s] * tau3[cols]
        d = np.arange(n)
        h[2 * d, 2 * d + 1] += -gap
        h[2 * d + 1, 2 * d] += -np.conj(gap)
        return h

    def initial_density(self, gaps):
        """T = 0 equilibrium ρ = ½ − h_eq/(2E) on the diagonal k' = k, per band."""
        out = []
        for i in range(self.n_bands):
            xi, e = self.xi[i], np.sqrt(self.xi[i] ** 2 + gaps[i] ** 2)
            rho = np.zeros((2 * xi.size,) * 2, complex)
            d = np.arange(xi.size)
            rho[2 * d, 2 * d] = 0.5 - xi / (2 * e)
            rho[2 * d + 1, 2 * d + 1] = 0.5 + xi / (2 * e)
            rho[2 * d, 2 * d + 1] = rho[2 * d + 1, 2 * d] = gaps[i] / (2 * e)
            out.append(rho)
        return out

    def gaps(self, rho):
        p = np.array([np.sum(self.w[i] * rho[i][0::2, 1::2].diagonal()) for i in range(self.n_bands)])
        return self.u @ p

    def rhs(self, a, rho, b=0.0):
        """−i Π[H, ρ] for every band at photon amplitude a (and probe amplitude b)."""
        gaps = self.gaps(rho)
        out = []
        for i in range(self.n_bands):
            # H is sparse (a few momentum offsets): sparse products, and (ρH) = (H†ρ†)† for the right one
            h = sparse.csr_matrix(self.hamiltonian(i, a, gaps[i], b))
            hr = h @ rho[i]
            rh = (h.conj().T @ rho[i].conj().T).conj().T
            out.append(-1j * self.keep(i) * (hr - rh))
        return out

    def evolve(self, amplitude, rho, t0, t1, steps, probe_amplitude=None):
        """Classical RK4 with ``steps`` fixed steps; ``amplitude(t)`` gives a(t), ``probe_amplitude(t)`` b(t)."""
        h = (t1 - t0) / steps
        t = t0
        f = (lambda t, r: self.rhs(amplitude(t), r)) if probe_amplitude is None else (
            lambda t, r: self.rhs(amplitude(t), r, probe_amplitude(t)))
        for _ in range(steps):
            k1 = f(t, rho)
            k2 = f(t + h / 2, [r + h / 2 * k for r, k in zip(rho, k1)])
            k3 = f(t + h / 2, [r + h / 2 * k for r, k in zip(rho, k2)])
            k4 = f(t + h, [r + h * k for r, k in zip(rho, k3)])
            rho = [r + h / 6 * (a + 2 * b + 2 * c + d) for r, a, b, c, d in zip(rho, k1, k2, k3, k4)]
            t += h
        return rho

    def to_shifts(self, rho, n_k, shifts_of, offsets=None):
        """Dense ρ → the model's layout (n_bands, n_offsets, N_k, 2, 2); ``shifts_of(i, n)`` gives the
        model's flat index of k + n (n·q₀, or n cells of dk with ``offsets``) for each shell point of band i
        (−1 where off the grid); ``offsets``: the model's offsets in cells (None: n = −n_max … n_max)."""
        labels = range(-self.n_max, self.n_max + 1) if offsets is None else offsets
        out = np.zeros((self.n_bands, len(labels), n_k, 2, 2), complex)
        for i in range(self.n_bands):
            pos = {int(j): a for a, j in enumerate(self.idx[i])}
            for axis, n in enumerate(labels):
                if offsets is None and self.q0 == 0 and n != 0:
                    continue  # a homogeneous field keeps only ρ(k, k)
                target = shifts_of(i, n)
                for a, j in enumerate(self.idx[i]):
                    b = pos.get(int(target[a]))
                    if b is not None:  # ρ_n(k) = ρ(k + n, k)
                        out[i, axis, j] = rho[i][2 * b:2 * b + 2, 2 * a:2 * a + 2]
        return out
