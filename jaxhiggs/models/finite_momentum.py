"""Finite-momentum density matrix of a driven multiband BCS superconductor (Krull et al., seed 004).

The pump is a travelling wave A(x, t) = a(t) e^{i q₀x} + a*(t) e^{−i q₀x}, polarised along y, with
photon momentum q₀ ∥ x (Krull eq. 5: A_{±q₀} = a, a*).  It couples momentum k to k ± q₀ through
the paramagnetic term (2k + q)·A_q/2m = k_y A_q/m and to k, k ± 2q₀ through the diamagnetic term
Σ_{q'} A_{q−q'}A_{q'}/2m (Krull eq. 4).  The one-body Nambu density matrix

    ρ_n(k) = ρ(k + n q₀, k),   ρ(k', k)_{ab} = ⟨Ψ†_{k,b} Ψ_{k',a}⟩,   Ψ_k = (c_{k↑}, c†_{−k↓}),

is kept for |n| ≤ n_max on a momentum shell |ξ_k| < ω_c and obeys (docs/models/finite_momentum.md)

    i dρ_n(k)/dt = Σ_m h_{n−m}(k + m q₀) ρ_m(k) − ρ_{n−m}(k + m q₀) h_m(k),

    h_0(k) = [[ξ_k + δ₀, −Δ], [−Δ*, −ξ_k − δ₀]],   h_{±1}(k) = π_{±1}(k) 1,   h_{±2} = δ_{±2} τ₃,

with π_{±1} = s e ħ k_y A_{±q₀}/m (paramagnetic), δ₀ = s e²(2|a|²)/2m, δ_{±2} = s e² A_{±q₀}²/2m
(diamagnetic), s = ±1 the band's carrier sign, and the self-consistent uniform gaps
Δ_i = Σ_j U_ij Σ_k W_jk ⟨c_{−k↓} c_{k↑}⟩ (from ρ_0).  The Bogoliubov quasiparticle densities of
Krull's Methods, ⟨a†a⟩, ⟨b†b⟩, ⟨a†b†⟩, ⟨ab⟩ in the fixed equilibrium BdG basis, are the constant
unitary transform ρ̃_n(k) = V_{k+nq₀} ρ_n(k) V_k† (:meth:`FiniteMomentum.bogoliubov_densities`).

Momentum grid (:class:`MomentumShell`): rows along x at fixed k_y with spacing dk, q₀ = q0_steps·dk,
so k + n q₀ is an index shift along a row.  With q0_steps = 0 the two photon components merge into
a homogeneous A(t) = a + a* and the model is exactly the clean pseudospin model on the same grid.
Internal units: meV, ħ/meV; momenta in nm⁻¹; A in V·s/m.
"""

from __future__ import annotations

import math
from functools import partial

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Bool, Complex, Float

from .. import units
from .._validate import InputError, check, check_type, show
from ..drive import Drive, DriveSum, GaussianPulse, NoDrive
from ..equilibrium import Equilibrium, _thermal_factor, bcs_equilibrium
from ..material import _HBAR2_OVER_2ME_MEV_NM2, Superconductor
from .base import Model

#: e/ħ times 1 V·s/m, in nm⁻¹ (the wave number of eA/ħ per unit A).
_EA_OVER_HBAR_PER_NM = units.PEIERLS_PER_M * 1e-9


class MomentumShell(eqx.Module):
    """The k points of every band on the shell |ξ_k| < ω_c, stored as rows along x.

    A row is a fixed k_y and consecutive k_x = (j + ½) dk; a row holds one connected piece of the
    shell (k_x > 0 or k_x < 0) padded by ≥ (n_max + 2)·q0_steps masked cells at each end, so that
    k → k + m q₀ (|m| ≤ n_max + 2) is a shift of the flattened index by m·q0_steps that never
    carries a real cell into another row.  Rows are the k_y = (i + ½) dk_y with
    |k_y| < k_lo sin θ_max (k_lo the inner shell radius): the near-tangent arcs around ±ŷ, where
    rows would be long, are left out (θ_max = ``max_angle`` in degrees).

    Attributes (arrays of shape (n_bands, N_k), N_k = rows × row length, common to all bands):
        kx, ky: momenta (nm⁻¹).
        xi: ξ_k = s(ħ²k²/2m − ε_F) in meV (0 on masked cells).
        mask: the cell is on the shell (and is a real k point).
        weights: W_k = N_i · 2ω_c / (number of shell cells of band i): Σ_k W F(ξ_k) → N_i ∫dξ F(ξ).
        dk: spacing along x (nm⁻¹); q0_steps: q₀ in units of dk; q0 = q0_steps·dk (nm⁻¹).
    """

    kx: Float[Array, "n_bands n_k"]
    ky: Float[Array, "n_bands n_k"]
    xi: Float[Array, "n_bands n_k"]
    mask: Bool[Array, "n_bands n_k"]
    weights: Float[Array, "n_bands n_k"]
    dk: float = eqx.field(static=True)
    q0_steps: int = eqx.field(static=True)
    n_rows: int = eqx.field(static=True)
    row_length: int = eqx.field(static=True)

    def __init__(self, material: Superconductor, dk: float, n_lines: int, q0_steps: int = 1, n_max: int = 4,
                 max_angle: float = 60.0):
        check(lambda x: x > 0, "dk", dk, "a finite k-grid spacing > 0 nm⁻¹", unit="nm⁻¹")
        if not isinstance(n_lines, (int, np.integer)) or n_lines < 2:
            raise InputError(f"n_lines = {show(n_lines)} is not allowed: an integer ≥ 2 (k_y lines per band)")
        if not isinstance(q0_steps, (int, np.integer)) or q0_steps < 0:
            raise InputError(f"q0_steps = {show(q0_steps)} is not allowed: an integer ≥ 0 (q₀ = q0_steps·dk)")
        check(lambda x: 0 < x <= 80, "max_angle", max_angle, "0 < θ_max ≤ 80 degrees")
        wc = float(material.omega_D)
        signs, masses = np.asarray(material.signs), np.asarray(material.masses)
        ef, dos = np.asarray(material._stack("fermi_energy")), np.asarray(material.dos)
        if np.any(ef <= wc):
            raise InputError(f"fermi_energies = {show(ef)} meV are not allowed here: the shell |ξ| < ω_c needs "
                             f"ε_F > ω_c = {wc:g} meV in every band")
        margin = max(1, (int(n_max) + 2) * int(q0_steps))
        bands = []
        for i in range(material.n_bands):
            c = _HBAR2_OVER_2ME_MEV_NM2 / masses[i]  # ħ²/2m in meV nm²
            k_lo, k_hi = math.sqrt((ef[i] - wc) / c), math.sqrt((ef[i] + wc) / c)
            ky_max = k_lo * math.sin(math.radians(max_angle))
            dky = 2 * ky_max / n_lines
            rows = []
            for ky in -ky_max + (np.arange(n_lines) + 0.5) * dky:
                x_in, x_out = math.sqrt(k_lo**2 - ky**2), math.sqrt(k_hi**2 - ky**2)
                for side in (1, -1):
                    # cells j with k_x = (j + ½)dk covering [x_in, x_out] on this side, plus the margin
                    lo, hi = (x_in, x_out) if side > 0 else (-x_out, -x_in)
                    j0 = int(math.floor(lo / dk - 0.5)) - margin
                    j1 = int(math.ceil(hi / dk - 0.5)) + margin
                    rows.append((ky, j0, j1))
            bands.append((rows, c, signs[i], ef[i], dos[i]))
        length = max(j1 - j0 + 1 for rows, *_ in bands for _, j0, j1 in rows)
        n_rows = max(len(rows) for rows, *_ in bands)
        nb = material.n_bands
        _check_memory(nb * (2 * int(n_max) + 1) * n_rows * length, dk, n_lines)
        kx = np.zeros((nb, n_rows, length))
        ky = np.zeros((nb, n_rows, length))
        valid_row = np.zeros((nb, n_rows, length), bool)
        for i, (rows, c, s, e_f, _) in enumerate(bands):
            for r, (y, j0, _) in enumerate(rows):
                kx[i, r] = (j0 + np.arange(length) + 0.5) * dk
                ky[i, r] = y
                valid_row[i, r] = True
        xi = np.zeros_like(kx)
        for i, (_, c, s, e_f, _) in enumerate(bands):
            xi[i] = s * (c * (kx[i] ** 2 + ky[i] ** 2) - e_f)
        mask = valid_row & (np.abs(xi) < wc)
        # keep the margins free: a cell within `margin` of a row end is never on the shell by construction
        mask[..., :margin] = False
        mask[..., length - margin:] = False
        xi = np.where(mask, xi, 0.0)
        weights = np.zeros_like(kx)
        for i, (*_, n_i) in enumerate(bands):
            weights[i] = np.where(mask[i], n_i * 2 * wc / mask[i].sum(), 0.0)
        flat = (nb, n_rows * length)
        self.kx, self.ky = jnp.asarray(kx.reshape(flat)), jnp.asarray(ky.reshape(flat))
        self.xi, self.mask = jnp.asarray(xi.reshape(flat)), jnp.asarray(mask.reshape(flat))
        self.weights = jnp.asarray(weights.reshape(flat))
        self.dk, self.q0_steps, self.n_rows, self.row_length = float(dk), int(q0_steps), n_rows, length

    @property
    def q0(self) -> float:
        """Photon momentum q₀ = q0_steps·dk in nm⁻¹."""
        return self.q0_steps * self.dk

    @property
    def n_k(self) -> int:
        """Number of stored cells per band (shell cells plus masked padding)."""
        return self.n_rows * self.row_length

    def n_shell(self) -> np.ndarray:
        """Number of shell k points of each band."""
        return np.asarray(self.mask).sum(axis=-1)

    def shift(self, x, m: int, axis: int = -1):
        """x(k) → x(k + m q₀) along the flattened k axis (cells shifted in from outside are padding)."""
        return x if m == 0 or self.q0_steps == 0 else jnp.roll(x, -m * self.q0_steps, axis=axis)


def _check_memory(n_elements: int, dk, n_lines) -> None:
    """Refuse a grid whose state (4 complex numbers per element, ~20 solver copies) exceeds the RAM."""
    from .._validate import _ram_bytes

    need, ram = n_elements * 4 * 16 * 20.0, _ram_bytes()
    if need > ram:
        raise InputError(f"dk = {show(dk)} nm⁻¹ with n_lines = {show(n_lines)} is not allowed: the state would need about "
                         f"{need / 1e9:.3g} GB (estimate), more than this machine's {ram / 1e9:.3g} GB; use a larger dk "
                         "or fewer lines")


def travelling_amplitude(drive: Drive, t) -> Complex[Array, ""]:
    """Complex amplitude a(t) = A_{q₀}(t) (V·s/m) of the travelling wave a e^{iq₀x} + c.c.

    Every :class:`~jaxhiggs.GaussianPulse` A₀ e^{−s²/2τ²} cos(Ωs + φ), s = t − t₀, becomes the wave
    with a = (A₀/2) e^{−s²/2τ²} e^{−i(Ωs + φ)}, so that at x = 0 the field equals the pulse's A(t).
    Krull's eq. 5 pulse with amplitude |A₀| is a GaussianPulse of peak 2|A₀|.
    """
    total = jnp.asarray(0.0 + 0.0j)
    for c in drive.components():
        if isinstance(c, GaussianPulse):
            s = t - c.t0
            total = total + 0.5 * c.amplitude * jnp.exp(-(s**2) / (2 * c.tau**2) - 1j * (c.omega * s + c.phase))
    return total


def check_drive(drive: Drive) -> None:
    """Only Gaussian pulses (and NoDrive) have a travelling-wave form here."""
    check_type("drive", drive, Drive, "a GaussianPulse, a sum of them, or NoDrive()")
    for c in drive.components():
        if not isinstance(c, (GaussianPulse, NoDrive, DriveSum)):
            raise InputError(f"drive component {type(c).__name__} is not allowed for FiniteMomentum: it takes "
                             "GaussianPulse components (travelling waves with the model's q₀) and NoDrive()")


def equilibrium_density(xi, gaps, temperature) -> Complex[Array, "n_bands n_k 2 2"]:
    """ρ(k, k) = ½ − tanh(E/2T) h_eq/(2E), h_eq = [[ξ, −Δ], [−Δ, −ξ]]: the thermal BdG state."""
    energy = jnp.sqrt(xi**2 + gaps[:, None] ** 2)
    f = _thermal_factor(energy, temperature) / (2 * energy)
    d = gaps[:, None] * f
    return jnp.stack([jnp.stack([0.5 - xi * f, d], -1), jnp.stack([d, 0.5 + xi * f], -1)], -2).astype(complex)


def bdg_basis(xi, gaps) -> Float[Array, "n_bands n_k 2 2"]:
    """V_k with rows the eigenvectors of h_eq(k) for +E and −E: (a_k, b†_k)ᵀ = V_k Ψ_k (real)."""
    energy = jnp.sqrt(xi**2 + gaps[:, None] ** 2)
    u = jnp.sqrt(0.5 * (1 + xi / energy))
    v = jnp.sqrt(0.5 * (1 - xi / energy)) * jnp.sign(gaps)[:, None]
    return jnp.stack([jnp.stack([u, -v], -1), jnp.stack([v, u], -1)], -2)


@partial(jax.jit, static_argnums=4)
def _initial_density(xi, mask, gaps, temperature, n_max):
    """The equilibrium in the model's layout: ρ_0(k) on the shell, ρ_{n≠0} = 0."""
    rho0 = equilibrium_density(xi, gaps, temperature) * mask[..., None, None]
    rho = jnp.zeros((xi.shape[0], 2 * n_max + 1) + rho0.shape[1:], complex)
    return rho.at[:, n_max].set(rho0)


@jax.jit
def _purity(rho):
    """Σ_{n,k} ‖ρ_n(k)‖²_F per band."""
    return jnp.sum(jnp.abs(rho) ** 2, axis=(1, 2, 3, 4))


class FiniteMomentum(Model):
    """Krull et al.'s finite-q₀ density-matrix model (see the module docstring and the docs page).

    Args:
        material: a two- (or n-) band :class:`~jaxhiggs.Superconductor`; its masses, signs, Fermi
            energies and densities of states define the bands; ω_D is the shell cut-off ω_c.
        dk: k_x spacing of the grid (nm⁻¹).
        n_lines: k_y lines per band (uniform in |k_y| < k_lo sin θ_max).
        q0_steps: photon momentum q₀ = q0_steps·dk (0: homogeneous field, the clean limit).
        n_max: largest |n| of ρ(k + nq₀, k) kept (Krull: 4).
        paramagnetic: keep the (2k + q)·A/2m term (False: diamagnetic A² coupling only).
        max_angle: θ_max in degrees (see :class:`MomentumShell`).

    State: ``{"rho": complex (n_bands, 2 n_max + 1, N_k, 2, 2)}``, index n + n_max along axis 1.
    """

    material: Superconductor
    shell: MomentumShell
    equilibrium: Equilibrium
    kept: Bool[Array, "n_bands n_shifts n_k"]
    shifted_energies: Float[Array, "n_bands n_shifts n_k"]
    n_max: int = eqx.field(static=True)
    paramagnetic: bool = eqx.field(static=True)
    max_angle: float = eqx.field(static=True)
    n_lines: int = eqx.field(static=True)

    def __init__(self, material: Superconductor, dk: float = 2e-3, n_lines: int = 8, q0_steps: int = 1,
                 n_max: int = 4, paramagnetic: bool = True, max_angle: float = 60.0):
        check_type("material", material, Superconductor, "a jaxhiggs Superconductor, e.g. jaxhiggs.materials.mgb2()")
        if not isinstance(n_max, (int, np.integer)) or not 0 <= n_max <= 16:
            raise InputError(f"n_max = {show(n_max)} is not allowed: an integer 0 ≤ n_max ≤ 16 (Krull: 4)")
        if not isinstance(paramagnetic, (bool, np.bool_)):
            raise InputError(f"paramagnetic = {show(paramagnetic)} is not allowed: True or False")
        self.material = material
        self.shell = MomentumShell(material, dk, n_lines, q0_steps, n_max, max_angle)
        self.n_max, self.paramagnetic = int(n_max), bool(paramagnetic)
        self.max_angle, self.n_lines = float(max_angle), int(n_lines)
        self.equilibrium = bcs_equilibrium(material.gaps, material.v, self.shell.xi, self.shell.weights,
                                           material.temperature_mev)
        # static structure in NumPy (eager JAX would dispatch one small kernel per shift)
        mask, xi, step = np.asarray(self.shell.mask), np.asarray(self.shell.xi), self.shell.q0_steps
        roll = (lambda x, m: x) if step == 0 else (lambda x, m: np.roll(x, -m * step, axis=-1))
        self.kept = jnp.asarray(np.stack([mask & roll(mask, n) for n in self.shifts], axis=1))
        self.shifted_energies = jnp.asarray(np.stack([roll(xi, n) for n in self.shifts], axis=1))

    # -- static structure ----------------------------------------------------------------
    @property
    def shifts(self) -> range:
        return range(-self.n_max, self.n_max + 1)

    def valid(self) -> Bool[Array, "n_bands n_shifts n_k"]:
        """ρ_n(k) is kept where both k and k + nq₀ lie on the shell."""
        return self.kept

    def _coefficients(self):
        """(paramagnetic coefficient s eħk_y/m per band and k in meV per V·s/m, diamagnetic s e²/2m)."""
        mat = self.material
        para = (mat.signs / mat.masses)[:, None] * (2 * _HBAR2_OVER_2ME_MEV_NM2) * self.shell.ky * _EA_OVER_HBAR_PER_NM
        para = para if self.paramagnetic else jnp.zeros_like(para)
        return para, mat.signs * units.DIAMAGNETIC_MEV_PER_A2 / mat.masses

    # -- the model contract -------------------------------------------------------------
    def initial_state(self):
        return {"rho": _initial_density(self.shell.xi, self.shell.mask, self.equilibrium.gaps,
                                        self.equilibrium.temperature, self.n_max)}

    def arguments(self, drive: Drive):
        check_drive(drive)
        if drive.quench() is not None:
            raise InputError("a Quench is not allowed for FiniteMomentum: drive it with GaussianPulse components")
        para, dia = self._coefficients()
        return {"drive": drive, "para": para, "dia": dia, "xi": self.shifted_energies, "valid": self.kept,
                "couplings": self.equilibrium.couplings, "purity": _purity(self.initial_state()["rho"])}

    def pair_amplitude(self, rho) -> Complex[Array, " n_bands"]:
        """P_i = Σ_k W_ik ⟨c_{−k↓}c_{k↑}⟩ = Σ_k W_ik ρ_0(k)_{12}."""
        return jnp.sum(self.shell.weights * rho[:, self.n_max, :, 0, 1], axis=-1)

    def gap(self, rho, args) -> Complex[Array, " n_bands"]:
        return args["couplings"] @ self.pair_amplitude(rho)

    def _sources(self, t, args):
        """Diagonals (n_bands, N_k, 2) of h_p, p = −2…2, without ξ (dict p → array)."""
        a = travelling_amplitude(args["drive"], t)
        para, dia = args["para"], args["dia"][:, None]
        tau3 = jnp.asarray([1.0, -1.0])
        if self.shell.q0_steps == 0:  # both photon components at q = 0: homogeneous A = a + a*
            field = 2 * a.real
            d0 = para * field + 0 * 1j
            return {0: d0[..., None] + (dia * field**2)[..., None] * tau3}
        zero = jnp.zeros_like(para)
        out = {0: (zero + dia * 2 * jnp.abs(a) ** 2)[..., None] * tau3 + 0j}
        for p, ap in ((1, a), (-1, jnp.conj(a))):
            out[p] = jnp.broadcast_to((para * ap)[..., None], para.shape + (2,))
            out[2 * p] = jnp.broadcast_to((dia * ap**2)[..., None] * tau3, para.shape + (2,))
        return out

    def _commutator(self, t, y, args, include_xi: bool):
        """−i Π[h, ρ] for every kept (n, k); ξ's rotation left out unless ``include_xi``."""
        rho = y["rho"]
        nmax, sh = self.n_max, self.shell
        delta = self.gap(rho, args)
        diags = self._sources(t, args)
        tau3 = jnp.asarray([1.0, -1.0])
        out = jnp.zeros_like(rho)
        for p, d in diags.items():
            lo, hi = max(-nmax, -nmax - p), min(nmax, nmax - p)  # m with |m|, |m + p| ≤ n_max
            if lo > hi:
                continue
            ms = slice(lo + nmax, hi + nmax + 1)
            ns = slice(lo + p + nmax, hi + p + nmax + 1)
            # h_p(k + m q₀) ρ_m(k): h_p diagonal → row scaling
            dl = jnp.stack([sh.shift(d, m, axis=1) for m in range(lo, hi + 1)], axis=1)
            left = dl[..., :, None] * rho[:, ms]
            # ρ_{n−p}(k + p q₀) h_p(k): column scaling
            right = sh.shift(rho[:, ms], p, axis=2) * d[:, None, :, None, :]
            out = out.at[:, ns].add(left - right)
        if include_xi:
            xi = args["xi"]  # ξ(k + m q₀), (n_bands, n_shifts, N_k)
            out = out + (xi[..., None, None] * tau3[:, None] - xi[:, nmax][:, None, :, None, None] * tau3) * rho
        # the pairing part of h_0, off-diagonal and uniform in k: [[0, −Δ], [−Δ*, 0]]
        off = jnp.stack([jnp.stack([jnp.zeros_like(delta), -delta], -1),
                         jnp.stack([-jnp.conj(delta), jnp.zeros_like(delta)], -1)], -2)[:, None, None]
        out = out + off @ rho - rho @ off
        return {"rho": -1j * out * args["valid"][..., None, None]}

    def vector_field(self, t, y, args):
        return self._commutator(t, y, args, include_xi=True)

    def linear_part(self, args):
        """ω_n(k)_{ab} = σ_a ξ(k + nq₀) − σ_b ξ(k), σ = (+1, −1): the free rotation."""
        xi = args["xi"]
        tau3 = jnp.asarray([1.0, -1.0])
        return {"rho": xi[..., None, None] * tau3[:, None] - xi[:, self.n_max][:, None, :, None, None] * tau3}

    def nonlinear_part(self, t, y, args):
        return self._commutator(t, y, args, include_xi=False)

    def default_tolerances(self):
        return 1e-8, 1e-11

    def observables(self, t, y, args):
        rho = y["rho"]
        w = self.shell.weights
        diag = rho[:, self.n_max]
        number = jnp.sum(w * jnp.real(diag[..., 0, 0] - diag[..., 1, 1] + 1.0))
        purity = _purity(rho)
        return {
            "gap": self.gap(rho, args),
            "number": number,
            "norm_drift": jnp.max(jnp.abs(purity - args["purity"]) / args["purity"]),
            "harmonics": jnp.sum(jnp.abs(rho) ** 2, axis=(0, 2, 3, 4)),
        }

    def bogoliubov_densities(self, y) -> Complex[Array, "n_bands n_shifts n_k 2 2"]:
        """ρ̃_n(k) = V_{k+nq₀} ρ_n(k) V_kᵀ in the fixed equilibrium BdG basis (a_k, b†_k):
        [[⟨a†_k a_{k'}⟩, ⟨b_k a_{k'}⟩], [⟨a†_k b†_{k'}⟩, ⟨b_k b†_{k'}⟩]] with k' = k + nq₀."""
        basis = bdg_basis(self.shell.xi, self.equilibrium.gaps)
        left = jnp.stack([self.shell.shift(basis, m, axis=1) for m in self.shifts], axis=1)
        return left @ y["rho"] @ jnp.swapaxes(basis, -1, -2)[:, None]

    def options(self):
        return {"dk": self.shell.dk, "n_lines": self.n_lines, "q0_steps": self.shell.q0_steps, "n_max": self.n_max,
                "paramagnetic": self.paramagnetic, "max_angle": self.max_angle}

    def metadata(self):
        return {"model": "FiniteMomentum", "n_bands": int(self.material.n_bands), "n_k": int(self.shell.n_k),
                "n_shell": [int(x) for x in self.shell.n_shell()], "q0_per_nm": self.shell.q0, **self.options()}
