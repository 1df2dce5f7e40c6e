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

The probe current along y at q₀ (Krull's j_{q_pr}, :meth:`FiniteMomentum.current`, observable ``current``)
and the pump–probe conductivity σ(δt, ω) of their eq. 9 (:func:`pump_probe_conductivity`) use a probe with
q_pr = q₀ in the same drive as the pump.  With ``probe_steps`` = r the probe has its own wave vector
q_pr = r·dk: drive components marked as :class:`ProbePulse` travel at q_pr, the state keeps the offsets
n q₀ + m q_pr (|n| ≤ n_max, |m| ≤ 1: linear in the probe; :func:`offset_labels`), the field's blocks are
h_q = π_q 𝟙 and h_{q+q'} ∋ s e² A_q A_{q'}/2m τ₃ over the components q, q' ∈ {±q₀, ±q_pr}, and the current at
q_pr is the observable ``probe_current``.  In general ρ_p(k) = ρ(k + p·dk, k) over the static offsets p.

Momentum grid (:class:`MomentumShell`): rows along x at fixed k_y with spacing dk, q₀ = q0_steps·dk,
so k + n q₀ is an index shift along a row.  With q0_steps = 0 the two photon components merge into
a homogeneous A(t) = a + a* and the model is exactly the clean pseudospin model on the same grid.
Internal units: meV, ħ/meV; momenta in nm⁻¹; A in V·s/m.
"""

from __future__ import annotations

from collections.abc import Sequence

import dataclasses
import math
import warnings
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
from .base import Model, user_stacklevel, warn_unused_impurity_rate
from .occupation import bin_states, binned, check_edges, check_edges_reach, occupation_from_density

#: e/ħ times 1 V·s/m, in nm⁻¹ (the wave number of eA/ħ per unit A).
_EA_OVER_HBAR_PER_NM = units.PEIERLS_PER_M * 1e-9


class MomentumShell(eqx.Module):
    """The k points of every band on the shell |ξ_k| < ω_c, stored as rows along x.

    A row is a fixed k_y and consecutive k_x = (j + ½) dk; a row holds one connected piece of the
    shell (k_x > 0 or k_x < 0) padded by ``margin`` masked cells at each end, so that k → k + p dk is a
    shift of the flattened index by p that never carries a real cell into another row for every
    |p| ≤ margin = max|offset| + the largest block shift 2·max(q0_steps, probe_steps): the state's
    offsets plus one field block (:func:`offset_labels`).  Without a probe that is (n_max + 2)·q0_steps.
    Rows are the k_y = (i + ½) dk_y with
    |k_y| < k_lo sin θ_max (k_lo the inner shell radius): the near-tangent arcs around ±ŷ, where
    rows would be long, are left out (θ_max = ``max_angle`` in degrees).

    Attributes (arrays of shape (n_bands, N_k), N_k = rows × row length, common to all bands):
        kx, ky: momenta (nm⁻¹).
        xi: ξ_k = s(ħ²k²/2m − ε_F) in meV (0 on masked cells).
        mask: the cell is on the shell (and is a real k point).
        weights: W_k = N_i · 2ω_c / (number of shell cells of band i): Σ_k W F(ξ_k) → N_i ∫dξ F(ξ).
        dk: spacing along x (nm⁻¹); q0_steps: q₀ in units of dk; q0 = q0_steps·dk (nm⁻¹).
        probe_steps: q_pr in units of dk (None: no probe wave vector).
        labels: the kept components (n, m), ρ(k + (n q₀ + m q_pr), k), sorted by their offset;
            offsets: n·q0_steps + m·probe_steps in units of dk (static tuples, :func:`offset_labels`);
            origin: the index of (0, 0).
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
    probe_steps: int | None = eqx.field(static=True)
    labels: tuple = eqx.field(static=True)
    offsets: tuple = eqx.field(static=True)
    origin: int = eqx.field(static=True)
    margin: int = eqx.field(static=True)

    def __init__(self, material: Superconductor, dk: float, n_lines: int, q0_steps: int = 1, n_max: int = 4,
                 max_angle: float = 60.0, probe_steps: int | None = None):
        check(lambda x: x > 0, "dk", dk, "a finite k-grid spacing > 0 nm⁻¹", unit="nm⁻¹")
        if not isinstance(n_lines, (int, np.integer)) or n_lines < 2:
            raise InputError(f"n_lines = {show(n_lines)} is not allowed: an integer ≥ 2 (k_y lines per band)")
        if not isinstance(q0_steps, (int, np.integer)) or q0_steps < 0:
            raise InputError(f"q0_steps = {show(q0_steps)} is not allowed: an integer ≥ 0 (q₀ = q0_steps·dk)")
        check(lambda x: 0 < x <= 80, "max_angle", max_angle, "0 < θ_max ≤ 80 degrees")
        labels, offsets = offset_labels(int(q0_steps), int(n_max), probe_steps)
        wc = float(material.omega_D)
        signs, masses = np.asarray(material.signs), np.asarray(material.masses)
        ef, dos = np.asarray(material._stack("fermi_energy")), np.asarray(material.dos)
        if np.any(ef <= wc):
            raise InputError(f"fermi_energies = {show(ef)} meV are not allowed here: the shell |ξ| < ω_c needs "
                             f"ε_F > ω_c = {wc:g} meV in every band")
        reach = 2 * max(int(q0_steps), probe_steps or 0)  # the largest |offset| of a field block
        margin = max(1, max(abs(o) for o in offsets) + reach)
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
        _check_memory(nb * len(offsets) * n_rows * length, dk, n_lines)
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
        self.probe_steps = None if probe_steps is None else int(probe_steps)
        self.labels, self.offsets, self.origin, self.margin = labels, offsets, labels.index((0, 0)), margin

    @property
    def q0(self) -> float:
        """Photon momentum q₀ = q0_steps·dk in nm⁻¹."""
        return self.q0_steps * self.dk

    @property
    def q_pr(self) -> float | None:
        """Probe wave vector q_pr = probe_steps·dk in nm⁻¹ (None without a probe axis)."""
        return None if self.probe_steps is None else self.probe_steps * self.dk

    @property
    def n_k(self) -> int:
        """Number of stored cells per band (shell cells plus masked padding)."""
        return self.n_rows * self.row_length

    def n_shell(self) -> np.ndarray:
        """Number of shell k points of each band."""
        return np.asarray(self.mask).sum(axis=-1)

    @property
    def index(self) -> dict:
        """Offset (units of dk) → its index along the state's offset axis."""
        return {o: i for i, o in enumerate(self.offsets)}

    def roll(self, x, cells: int, axis: int = -1):
        """x(k) → x(k + cells·dk) along the flattened k axis (cells shifted in from outside are padding)."""
        return x if cells == 0 else jnp.roll(x, -cells, axis=axis)


def offset_labels(q0_steps: int, n_max: int, probe_steps: int | None = None) -> tuple[tuple, tuple]:
    """The kept components of ρ: labels (n, m) and offsets n·q0_steps + m·probe_steps (units of dk).

    Without a probe m = 0 and n = −n_max … n_max (with q0_steps = 0 these 2n_max + 1 rows all sit at
    offset 0: the homogeneous limit keeps the layout, and each row couples only to itself).  With
    ``probe_steps`` = r: |n| ≤ n_max and m ∈ {−1, 0, 1} (ρ linear in the probe), sorted by offset.
    These 3(2n_max + 1) offsets are distinct iff neither r nor 2r is one of s, 2s, …, 2n_max·s (s = q0_steps):
    two labels at one offset would need (m − m')r = (n' − n)s with m − m' ∈ {1, 2}, 1 ≤ |n' − n| ≤ 2n_max.
    (E.g. s = 3, r = 1 or 2 are allowed; s = 2, r = 1 is not: q₀ − q_pr = q_pr.)
    Raises InputError (naming ``probe_steps``) otherwise, or unless r ≥ 1, r ≠ s and s ≥ 1.
    """
    if probe_steps is None:
        labels = tuple((n, 0) for n in range(-n_max, n_max + 1))
        return labels, tuple(n * q0_steps for n, _ in labels)
    rule = (f"an integer r ≥ 1, r ≠ q0_steps = {q0_steps}, with neither r nor 2r a multiple j·q0_steps, "
            f"1 ≤ j ≤ 2n_max = {2 * n_max} (so that the offsets n·q0_steps + m·r, |n| ≤ n_max, |m| ≤ 1, are "
            "distinct; e.g. r = 1 with q0_steps = 3), or None (no probe wave vector)")
    if isinstance(probe_steps, (bool, np.bool_)) or not isinstance(probe_steps, (int, np.integer)) or probe_steps < 1:
        raise InputError(f"probe_steps = {show(probe_steps)} is not allowed: {rule}")
    if q0_steps < 1:
        raise InputError(f"probe_steps = {show(probe_steps)} is not allowed with q0_steps = 0: the probe axis needs a "
                         "travelling pump, q0_steps ≥ 1")
    r = int(probe_steps)
    labels = sorted(((n, m) for m in (-1, 0, 1) for n in range(-n_max, n_max + 1)),
                    key=lambda nm: nm[0] * q0_steps + nm[1] * r)
    offsets = tuple(n * q0_steps + m * r for n, m in labels)
    if r == q0_steps or len(set(offsets)) != len(offsets):
        raise InputError(f"probe_steps = {show(probe_steps)} is not allowed: {rule}")
    return tuple(labels), offsets


def _check_memory(n_elements: int, dk, n_lines) -> None:
    """Refuse a grid whose state (4 complex numbers per element, ~20 solver copies) exceeds the RAM."""
    from .._validate import _ram_bytes

    need, ram = n_elements * 4 * 16 * 20.0, _ram_bytes()
    if need > ram:
        raise InputError(f"dk = {show(dk)} nm⁻¹ with n_lines = {show(n_lines)} is not allowed: the state would need about "
                         f"{need / 1e9:.3g} GB (estimate), more than this machine's {ram / 1e9:.3g} GB; use a larger dk "
                         "or fewer lines")


class ProbePulse(GaussianPulse):
    """A :class:`~jaxhiggs.GaussianPulse` that travels at the model's probe wave vector q_pr (not q₀).

    Everywhere else it is the same pulse (A(t) at x = 0, support, field end, validation); only
    :class:`FiniteMomentum` built with ``probe_steps`` reads the marker: its travelling wave is
    b e^{iq_pr x} + c.c. with b(t) from :func:`travelling_amplitude` (``probe=True``).  Make one with
    ``ProbePulse.from_vector_potential(...)`` or mark an existing pulse with :meth:`of`.
    """

    @classmethod
    def of(cls, pulse: GaussianPulse) -> "ProbePulse":
        """The same pulse (same arrays) marked as travelling at q_pr."""
        check_type("pulse", pulse, GaussianPulse, "one jaxhiggs.GaussianPulse")
        if isinstance(pulse, cls):
            return pulse
        out = object.__new__(cls)
        for f in dataclasses.fields(GaussianPulse):
            object.__setattr__(out, f.name, getattr(pulse, f.name))
        return out


def travelling_amplitude(drive: Drive, t, probe: bool = False) -> Complex[Array, ""]:
    """Complex amplitude a(t) = A_{q₀}(t) (V·s/m) of the travelling wave a e^{iq₀x} + c.c.

    Every :class:`~jaxhiggs.GaussianPulse` A₀ e^{−s²/2τ²} cos(Ωs + φ), s = t − t₀, becomes the wave
    with a = (A₀/2) e^{−s²/2τ²} e^{−i(Ωs + φ)}, so that at x = 0 the field equals the pulse's A(t).
    Krull's eq. 5 pulse with amplitude |A₀| is a GaussianPulse of peak 2|A₀|.  ``probe=False`` sums the
    components travelling at q₀ (all but :class:`ProbePulse`), ``probe=True`` the :class:`ProbePulse`
    ones: b(t) = A_{q_pr}(t).
    """
    total = jnp.asarray(0.0 + 0.0j)
    for c in drive.components():
        if isinstance(c, GaussianPulse) and isinstance(c, ProbePulse) == probe:
            s = t - c.t0
            total = total + 0.5 * c.amplitude * jnp.exp(-(s**2) / (2 * c.tau**2) - 1j * (c.omega * s + c.phase))
    return total


def check_drive(drive: Drive, probe_axis: bool = True) -> None:
    """Only Gaussian pulses (and NoDrive) have a travelling-wave form here; :class:`ProbePulse`
    components need a model with a probe axis (``probe_axis``: the model has ``probe_steps``)."""
    check_type("drive", drive, Drive, "a GaussianPulse, a sum of them, or NoDrive()")
    for c in drive.components():
        if not isinstance(c, (GaussianPulse, NoDrive, DriveSum)):
            raise InputError(f"drive component {type(c).__name__} is not allowed for FiniteMomentum: it takes "
                             "GaussianPulse components (travelling waves with the model's q₀) and NoDrive()")
        if isinstance(c, ProbePulse) and not probe_axis:
            raise InputError("drive component ProbePulse is not allowed for this FiniteMomentum: it travels at q_pr, "
                             "and the model has probe_steps = None (no probe wave vector); build the model with "
                             "probe_steps = q_pr/dk, or use a GaussianPulse (travelling at q₀)")


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


@partial(jax.jit, static_argnums=(4, 5))
def _initial_density(xi, mask, gaps, temperature, n_shifts, origin):
    """The equilibrium in the model's layout: ρ_0(k) on the shell, every other offset 0."""
    rho0 = equilibrium_density(xi, gaps, temperature) * mask[..., None, None]
    rho = jnp.zeros((xi.shape[0], n_shifts) + rho0.shape[1:], complex)
    return rho.at[:, origin].set(rho0)


def _as_index(ix: list[int]):
    """A static index list as a slice where it is a run of consecutive indices (no gather), else an array."""
    if ix == list(range(ix[0], ix[0] + len(ix))):
        return slice(ix[0], ix[0] + len(ix))
    return np.asarray(ix)


def _pairing_commutator(delta, rho):
    """[g, ρ] for g = [[0, −Δ], [−Δ*, 0]] in every (2 × 2) block of ``rho``; ``delta`` broadcasts against
    rho[..., 0, 0]."""
    r00, r01, r10, r11 = rho[..., 0, 0], rho[..., 0, 1], rho[..., 1, 0], rho[..., 1, 1]
    dc = jnp.conj(delta)
    return jnp.stack([jnp.stack([dc * r01 - delta * r10, delta * (r00 - r11)], -1),
                      jnp.stack([dc * (r11 - r00), delta * r10 - dc * r01], -1)], -2)


@eqx.filter_custom_jvp
def _computed_once(t, drive, *, fn):
    """``fn(t, drive)`` (a few numbers), on the CPU evaluated inside a loop XLA cannot see through, so that it is
    computed once per call and read from memory by the loops over the state that use it.

    Why: left as plain arithmetic, the pulses' exp, cos and sin were fused into every loop over the state that reads
    the amplitudes and recomputed for each element: 0.96 ms per call of each such loop against 0.085 ms for the same
    loop without them, and a whole Tsit5 solve 2.3–3.9× slower (q₀-only model, N_k = 252 and 1040, n_max = 4, CPU).
    ``lax.optimization_barrier`` does not stop this on the CPU, and a reduction over a few elements is rewritten as
    additions and fused as well.  Other platforms get the plain arithmetic: there a loop costs a round trip to the
    host, and a few more operations per GPU thread cost nothing measurable.  Derivatives go through the plain
    arithmetic (the loop is not reverse-differentiable).
    """

    def looped(t):
        start = jnp.where(jnp.isnan(t), 1, 0)  # 0 for every real time: one pass, a trip count XLA cannot know
        zero = jax.tree.map(lambda x: jnp.zeros(x.shape, x.dtype), jax.eval_shape(fn, t, drive))
        # the body depends on the counter, so that XLA cannot hoist fn out of the loop either
        body = lambda c: (c[0] + 1, fn(t + 0.0 * c[0], drive))  # noqa: E731
        return jax.lax.while_loop(lambda c: c[0] < 1, body, (start, zero))[1]

    return jax.lax.platform_dependent(t, cpu=looped, default=lambda t: fn(t, drive))


@_computed_once.def_jvp
def _computed_once_jvp(primals, tangents, *, fn):
    return eqx.filter_jvp(fn, primals, tangents)


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
        probe_steps: None (default) or the probe's wave vector q_pr = probe_steps·dk ∥ x, for
            :class:`ProbePulse` drive components: the state then keeps ρ(k + nq₀ + mq_pr, k) for |n| ≤ n_max
            and m ∈ {−1, 0, 1} (linear in the probe); the rule on its value is in :func:`offset_labels`.
        occupation_edges: bin edges in |ξ| (meV) of the optional observable ``occupation`` (n_bands, n_bins):
            the Bogoliubov quasiparticles of the instantaneous gap from the uniform densities ρ(k, k), Σ_k W_k n_k
            per bin (:mod:`jaxhiggs.models.occupation`); None (default) leaves it out.

    State: ``{"rho": complex (n_bands, n_offsets, N_k, 2, 2)}``, axis 1 over ``shell.offsets`` (units of
    dk, sorted; ``shell.origin`` is offset 0).  Without a probe: n_offsets = 2 n_max + 1, index n + n_max.
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
    occupation_edges: tuple[float, ...] | None = eqx.field(static=True)

    def __init__(self, material: Superconductor, dk: float = 2e-3, n_lines: int = 8, q0_steps: int = 1,
                 n_max: int = 4, paramagnetic: bool = True, max_angle: float = 60.0, probe_steps: int | None = None,
                 occupation_edges: Sequence[float] | None = None):
        check_type("material", material, Superconductor, "a jaxhiggs Superconductor, e.g. jaxhiggs.materials.mgb2()")
        warn_unused_impurity_rate("FiniteMomentum", material, "it is a clean model (MattisBardeen takes γ)")
        if not isinstance(n_max, (int, np.integer)) or not 0 <= n_max <= 16:
            raise InputError(f"n_max = {show(n_max)} is not allowed: an integer 0 ≤ n_max ≤ 16 (Krull: 4)")
        if not isinstance(paramagnetic, (bool, np.bool_)):
            raise InputError(f"paramagnetic = {show(paramagnetic)} is not allowed: True or False")
        self.material = material
        self.shell = MomentumShell(material, dk, n_lines, q0_steps, n_max, max_angle, probe_steps)
        self.n_max, self.paramagnetic = int(n_max), bool(paramagnetic)
        self.max_angle, self.n_lines = float(max_angle), int(n_lines)
        self.occupation_edges = check_edges(occupation_edges)
        check_edges_reach(self.occupation_edges, np.asarray(self.shell.xi)[np.asarray(self.shell.mask)])
        self.equilibrium = bcs_equilibrium(material.gaps, material.v, self.shell.xi, self.shell.weights,
                                           material.temperature_mev)
        # static structure in NumPy (eager JAX would dispatch one small kernel per shift)
        mask, xi = np.asarray(self.shell.mask), np.asarray(self.shell.xi)
        roll = lambda x, p: x if p == 0 else np.roll(x, -p, axis=-1)  # noqa: E731
        self.kept = jnp.asarray(np.stack([mask & roll(mask, p) for p in self.shell.offsets], axis=1))
        self.shifted_energies = jnp.asarray(np.stack([roll(xi, p) for p in self.shell.offsets], axis=1))

    # -- static structure ----------------------------------------------------------------
    @property
    def offsets(self) -> tuple[int, ...]:
        """The kept offsets p of ρ(k + p·dk, k) in units of dk, in the state's order."""
        return self.shell.offsets

    def valid(self) -> Bool[Array, "n_bands n_shifts n_k"]:
        """ρ_p(k) is kept where both k and k + p·dk lie on the shell."""
        return self.kept

    def _pairs(self, p: int):
        """Static (source, target) indices of the offsets o → o + p that are both kept (None if none).

        With q0_steps = 0 every row sits at offset 0 and each couples only to itself (the layout of the
        homogeneous limit)."""
        offs = self.shell.offsets
        where = self.shell.index
        if self.shell.q0_steps == 0:
            pairs = [(i, i) for i in range(len(offs))] if p == 0 else []
        else:
            pairs = [(i, where[o + p]) for i, o in enumerate(offs) if o + p in where]
        if not pairs:
            return None
        src, dst = (list(x) for x in zip(*pairs))
        return [offs[i] for i in src], _as_index(src), _as_index(dst)

    def _coefficients(self):
        """(paramagnetic coefficient s eħk_y/m per band and k in meV per V·s/m, diamagnetic s e²/2m)."""
        mat = self.material
        para = (mat.signs / mat.masses)[:, None] * (2 * _HBAR2_OVER_2ME_MEV_NM2) * self.shell.ky * _EA_OVER_HBAR_PER_NM
        para = para if self.paramagnetic else jnp.zeros_like(para)
        return para, mat.signs * units.DIAMAGNETIC_MEV_PER_A2 / mat.masses

    # -- the model contract -------------------------------------------------------------
    def initial_state(self):
        return {"rho": _initial_density(self.shell.xi, self.shell.mask, self.equilibrium.gaps,
                                        self.equilibrium.temperature, len(self.shell.offsets), self.shell.origin)}

    def arguments(self, drive: Drive):
        check_drive(drive, probe_axis=self.shell.probe_steps is not None)
        if drive.quench() is not None:
            raise InputError("a Quench is not allowed for FiniteMomentum: drive it with GaussianPulse components")
        para, dia = self._coefficients()
        return {"drive": drive, "para": para, "dia": dia, "xi": self.shifted_energies, "valid": self.kept,
                "couplings": self.equilibrium.couplings, "purity": _purity(self.initial_state()["rho"])}

    def pair_amplitude(self, rho) -> Complex[Array, " n_bands"]:
        """P_i = Σ_k W_ik ⟨c_{−k↓}c_{k↑}⟩ = Σ_k W_ik ρ_0(k)_{12}."""
        return jnp.sum(self.shell.weights * rho[:, self.shell.origin, :, 0, 1], axis=-1)

    def gap(self, rho, args) -> Complex[Array, " n_bands"]:
        return args["couplings"] @ self.pair_amplitude(rho)

    def _amplitudes(self, t, args):
        """(a, b): the travelling-wave amplitudes A_{q₀}(t), A_{q_pr}(t) of the drive (b = 0 without probe axis)."""
        has_probe = self.shell.probe_steps is not None

        def amplitudes(t, drive):
            b = travelling_amplitude(drive, t, probe=True) if has_probe else jnp.zeros((), complex)
            return travelling_amplitude(drive, t), b

        a, b = _computed_once(t, args["drive"], fn=amplitudes)
        return a, (b if has_probe else 0.0)

    def _sources(self, t, args):
        """Diagonals (n_bands, N_k, 2) of the field's blocks h_p without ξ (dict offset p → array)."""
        a, b = self._amplitudes(t, args)
        return self.drive_blocks(a, args, b)

    def field_components(self, a, b=0.0) -> dict:
        """The drive's travelling components A_q (V·s/m) by wave vector q in units of dk: A_{±q₀} = a, a*,
        and with a probe axis A_{±q_pr} = b, b*."""
        s, r = self.shell.q0_steps, self.shell.probe_steps
        out = {s: a, -s: jnp.conj(a)}
        if r is not None:
            out.update({r: b, -r: jnp.conj(b)})
        return out

    def drive_blocks(self, a, args, b=0.0):
        """Diagonals (n_bands, N_k, 2) of the field's blocks h_p(k) = h(k + p·dk, k) (dict offset p in units of dk
        → array) for the travelling-wave amplitudes ``a`` = A_{q₀} and ``b`` = A_{q_pr} (V·s/m; b only with a
        probe axis); pure in (a, b) (differentiable).

        Paramagnetic h_q = s eħk_y/m · A_q 𝟙 for each component q; diamagnetic h_{q+q'} += s e²/2m · A_q A_{q'} τ₃
        over ordered pairs (q, q'), so h_0 = s e²/2m · 2Σ_{q>0}|A_q|² τ₃, h_{2q} = s e²/2m · A_q² τ₃ and, for q ≠ ±q',
        h_{q+q'} = s e²/2m · 2A_q A_{q'} τ₃.  Without a probe: h_0, h_{±q₀} = π 𝟙, h_{±2q₀} (Krull eq. 4)."""
        para, dia = args["para"], args["dia"][:, None]
        tau3 = jnp.asarray([1.0, -1.0])
        if self.shell.q0_steps == 0:  # both photon components at q = 0: homogeneous A = a + a*
            field = 2 * a.real
            d0 = para * field + 0 * 1j
            return {0: d0[..., None] + (dia * field**2)[..., None] * tau3}
        comps = self.field_components(a, b)
        zero = jnp.zeros_like(para)
        power = sum(jnp.abs(x) ** 2 for q, x in comps.items() if q > 0)
        out = {0: (zero + dia * 2 * power)[..., None] * tau3 + 0j}

        def add(p, value):
            out[p] = out[p] + value if p in out else value

        positive = [q for q in comps if q > 0]
        for q in positive:
            for p, ap in ((q, comps[q]), (-q, comps[-q])):
                add(p, jnp.broadcast_to((para * ap)[..., None], para.shape + (2,)))
                add(2 * p, jnp.broadcast_to((dia * ap**2)[..., None] * tau3, para.shape + (2,)))
        for i, q in enumerate(positive):  # cross terms of different components, both orders at once
            for q2 in positive[i + 1:]:
                for p, p2 in ((q, q2), (q, -q2), (-q, q2), (-q, -q2)):
                    add(p + p2, jnp.broadcast_to((dia * 2 * comps[p] * comps[p2])[..., None] * tau3, para.shape + (2,)))
        return out

    def _commutator(self, t, y, args, include_xi: bool):
        """−i Π[h, ρ] for every kept (p, k); ξ's rotation left out unless ``include_xi``."""
        rho = y["rho"]
        sh, origin = self.shell, self.shell.origin
        delta = self.gap(rho, args)
        diags = self._sources(t, args)
        tau3 = jnp.asarray([1.0, -1.0])
        out = jnp.zeros_like(rho)
        for p, d in diags.items():
            pairs = self._pairs(p)
            if pairs is None:
                continue
            src_offsets, src, dst = pairs  # ρ at offset o feeds offset o + p
            # h_p(k + o) ρ_o(k): h_p diagonal → row scaling
            if sh.probe_steps is None:  # the rolls of the q₀-only model (its results stay bit-for-bit as before)
                dl = jnp.stack([sh.roll(d, o, axis=1) for o in src_offsets], axis=1)
            else:  # one gather with static indices: 15 offsets as rolls took 10 s to compile, this 1.8 s
                dl = d[:, (np.arange(sh.n_k)[None, :] + np.asarray(src_offsets)[:, None]) % sh.n_k]
            left = dl[..., :, None] * rho[:, src]
            # ρ_o(k + p) h_p(k) (ρ(k + o + p, k + p)): column scaling
            right = sh.roll(rho[:, src], p, axis=2) * d[:, None, :, None, :]
            out = out.at[:, dst].add(left - right)
        if include_xi:
            xi = args["xi"]  # ξ(k + p), (n_bands, n_offsets, N_k)
            out = out + (xi[..., None, None] * tau3[:, None] - xi[:, origin][:, None, :, None, None] * tau3) * rho
        # the pairing part of h_0, off-diagonal and uniform in k: g = [[0, −Δ], [−Δ*, 0]]; [g, ρ] entry by entry
        # (as 2 × 2 matrix products XLA's CPU backend made two batched dot calls of them; written out, the op time of
        # a profiled Tsit5 solve fell 13–25 %, q₀-only model, N_k = 252)
        out = out + _pairing_commutator(delta[:, None, None], rho)
        return {"rho": -1j * out * args["valid"][..., None, None]}

    def vector_field(self, t, y, args):
        return self._commutator(t, y, args, include_xi=True)

    def linear_part(self, args):
        """ω_p(k)_{ab} = σ_a ξ(k + p) − σ_b ξ(k), σ = (+1, −1): the free rotation."""
        xi = args["xi"]
        tau3 = jnp.asarray([1.0, -1.0])
        return {"rho": xi[..., None, None] * tau3[:, None] - xi[:, self.shell.origin][:, None, :, None, None] * tau3}

    def nonlinear_part(self, t, y, args):
        return self._commutator(t, y, args, include_xi=False)

    def default_tolerances(self):
        return 1e-8, 1e-11

    def current(self, rho, a, args, b=0.0, at: int | None = None) -> Complex[Array, " n_bands"]:
        """Probe-direction current j_y at wave vector Q (A/m²) of each band, for the state ``rho`` and the
        travelling-wave amplitudes ``a`` = A_{q₀}(t), ``b`` = A_{q_pr}(t) (V·s/m; b only with a probe axis) of the
        whole drive.  ``at``: Q in units of dk (default q₀ = q0_steps; q_pr = probe_steps gives the probe current).

        j(x, t) = j_Q e^{iQx} + c.c. + (other harmonics); j_Q = −∂⟨H⟩/∂A_{−Q} (Krull's Methods), i.e. with
        ⟨c†_kσ c_{k+q,σ}⟩ summed over spins written through the Nambu blocks,

            j_Q = −Σ_k W_k [ s eħk_y/m · tr ρ_Q(k)                                 (paramagnetic)
                           + s e²/m · Σ_{q'} A_{q'} n_{Q−q'}(k) ]                 (diamagnetic),

        q' over the drive's components (±q₀, ±q_pr), n_0 = tr τ₃ρ_0 + 1 (the occupation of k), n_x = tr τ₃ρ_x
        (0 where x is not kept).  At Q = q₀ without probe: para·tr ρ₁ + s e²/m (a(tr τ₃ρ₀ + 1) + a* tr τ₃ρ₂).
        Σ_k W_k are the model's shell weights (per nm³), so only shell electrons are counted.  With
        ``q0_steps = 0`` (homogeneous field A = a + a*) it is the uniform j = −∂⟨H⟩/∂A.
        """
        para, dia = args["para"], args["dia"][:, None]
        w, sh = self.shell.weights, self.shell
        tr3 = lambda r: r[..., 0, 0] - r[..., 1, 1]  # noqa: E731
        origin = sh.origin
        if sh.q0_steps == 0:
            rho0 = rho[:, origin]
            field = 2 * jnp.real(a)
            j = para * jnp.trace(rho0, axis1=-2, axis2=-1) + 2 * dia * field * (tr3(rho0) + 1.0)
        else:
            q = sh.q0_steps if at is None else int(at)
            where = sh.index
            j = para * jnp.trace(rho[:, where[q]], axis1=-2, axis2=-1) if q in where else 0.0 * para
            density = 0.0
            for q2, amp in self.field_components(a, b).items():
                x = q - q2
                if x in where:
                    n_x = tr3(rho[:, where[x]]) + (1.0 if x == 0 else 0.0)
                    density = density + amp * n_x
            j = j + 2 * dia * density
        return -units.CURRENT_A_PER_M2 * jnp.sum(w * self.shell.mask * j, axis=-1)

    def observables(self, t, y, args):
        rho = y["rho"]
        w = self.shell.weights
        diag = rho[:, self.shell.origin]
        number = jnp.sum(w * jnp.real(diag[..., 0, 0] - diag[..., 1, 1] + 1.0))
        purity = _purity(rho)
        a, b = self._amplitudes(t, args)
        out = {
            "gap": self.gap(rho, args),
            "number": number,
            "current": jnp.sum(self.current(rho, a, args, b)),
            "vector_potential": 2 * jnp.real(a) + 0j if self.shell.q0_steps == 0 else a,
            "norm_drift": jnp.max(jnp.abs(purity - args["purity"]) / args["purity"]),
            "harmonics": jnp.sum(jnp.abs(rho) ** 2, axis=(0, 2, 3, 4)),
        }
        if self.shell.probe_steps is not None:
            out["probe_current"] = jnp.sum(self.current(rho, a, args, b, at=self.shell.probe_steps))
            out["probe_vector_potential"] = b
        if self.occupation_edges is not None:
            out["occupation"] = binned(self.quasiparticle_occupation(t, y, args), w * self.shell.mask,
                                       self.shell.xi, self.occupation_edges)
        return out

    def quasiparticle_occupation(self, t, y, args) -> Float[Array, "n_bands n_k"]:
        """n_k = ½ + Tr ρ(k, k) h_k/(2E_k): the uniform density's quasiparticle occupation in the field h_k of the
        instantaneous gap (0 in the ground state, f(E_k) in thermal equilibrium; :mod:`jaxhiggs.models.occupation`).
        ξ_k is the undriven energy: the pump's diamagnetic shift of it is left out, so read it after the pump."""
        rho = y["rho"]
        return occupation_from_density(rho[:, self.shell.origin], self.gap(rho, args), self.shell.xi)

    def occupation_states(self) -> Float[Array, "n_bands n_bins"]:
        """Σ_k W_k per bin of ``occupation_edges`` (shell points only): ``occupation`` divided by it is the mean
        occupation per state."""
        return bin_states(self.shell.weights * self.shell.mask, self.shell.xi, self.occupation_edges)

    def bogoliubov_densities(self, y) -> Complex[Array, "n_bands n_shifts n_k 2 2"]:
        """ρ̃_p(k) = V_{k+p} ρ_p(k) V_kᵀ in the fixed equilibrium BdG basis (a_k, b†_k):
        [[⟨a†_k a_{k'}⟩, ⟨b_k a_{k'}⟩], [⟨a†_k b†_{k'}⟩, ⟨b_k b†_{k'}⟩]] with k' = k + p (p over ``offsets``)."""
        basis = bdg_basis(self.shell.xi, self.equilibrium.gaps)
        left = jnp.stack([self.shell.roll(basis, p, axis=1) for p in self.shell.offsets], axis=1)
        return left @ y["rho"] @ jnp.swapaxes(basis, -1, -2)[:, None]

    def recurrence_time(self) -> float:
        """The rows' recurrence time πħ/δε in ps.

        Along a row the shell energies are spaced by δε = |∂ξ/∂k_x| dk = 2(ħ²/2m) k_x dk at the Fermi
        crossing, so the pair coherences, which oscillate at 2E_k, rephase after 2πħ/(2δε): the gap and the
        currents revive, on a grid that real k-space does not have.  δε is largest — the revival earliest —
        on the row nearest k_y = 0 of the band with the largest Fermi velocity.  Measured (mgb2 preset,
        dk = 5 × 10⁻⁴ nm⁻¹, 2 lines, πħ/δε = 6.35 ps, pump centred at 1 ps): |Δ₂(t)| follows a grid twice
        as fine to 10⁻⁵ meV until 7.0 ps, by 1.1 × 10⁻³ meV over 7.5–8 ps and by 4.4–4.8 × 10⁻³ meV — more
        than its own oscillation — from 9 ps on.  Halving dk doubles the time."""
        masses, fermi = np.asarray(self.material.masses), np.asarray(self.material._stack("fermi_energy"))
        ky, mask = np.asarray(self.shell.ky), np.asarray(self.shell.mask)
        spacing = 0.0
        for i in range(self.material.n_bands):
            c = _HBAR2_OVER_2ME_MEV_NM2 / masses[i]
            ky_min = float(np.abs(ky[i][mask[i]]).min())
            spacing = max(spacing, 2 * c * math.sqrt(max(fermi[i] / c - ky_min**2, 0.0)) * self.shell.dk)
        return float(units.internal_to_ps(math.pi / spacing))

    def check_window(self, times_ps, drive=None) -> None:
        """Warn when the saved times reach past the rows' recurrence time (:meth:`recurrence_time`), counted
        from the first saved time at which ``drive`` is at half its peak envelope (its excitation; the
        first saved time without a drive).  No warning for a drive that never switches on (``NoDrive``):
        the equilibrium does not revive.  ``times_ps`` in ps; called by ``simulate`` and ``sweep``."""
        t = np.asarray(times_ps, dtype=float)
        start = float(t[0])
        if drive is not None:
            on = next((x for x in t if drive.switched_on(float(units.ps_to_internal(x))) >= 0.5), None)
            if on is None:
                return
            start = float(on)
        recurrence = self.recurrence_time()
        if t[-1] - start > recurrence:
            dk = self.shell.dk * recurrence / (t[-1] - start)
            warnings.warn(
                f"the time window reaches {t[-1] - start:.4g} ps past the drive's half maximum at {start:.4g} ps, beyond "
                f"the recurrence time πħ/δε = {recurrence:.4g} ps of the k_x rows (dk = {self.shell.dk:g} nm⁻¹): the "
                f"grid's discrete energies revive the pair coherences, so results after {start + recurrence:.4g} ps "
                f"are grid artefacts; use dk ≤ {dk:.3g} nm⁻¹ (q0_steps raised in proportion to keep q₀) or a shorter "
                "window", stacklevel=user_stacklevel())

    def options(self):
        extra = {} if self.shell.probe_steps is None else {"probe_steps": self.shell.probe_steps}
        if self.occupation_edges is not None:
            extra["occupation_edges"] = self.occupation_edges
        return {"dk": self.shell.dk, "n_lines": self.n_lines, "q0_steps": self.shell.q0_steps, "n_max": self.n_max,
                "paramagnetic": self.paramagnetic, "max_angle": self.max_angle, **extra}

    def metadata(self):
        extra = {} if self.shell.probe_steps is None else {"q_pr_per_nm": self.shell.q_pr}
        return {"model": "FiniteMomentum", "n_bands": int(self.material.n_bands), "n_k": int(self.shell.n_k),
                "n_shell": [int(x) for x in self.shell.n_shell()], "q0_per_nm": self.shell.q0, **extra,
                **self.options()}


STORE_PARTS = ("pump_only", "phase_0", "phase_1", "phase_2", "phase_3")


def check_store(store) -> "Path":
    """The ``store`` folder of :func:`pump_probe_conductivity` as a Path, or InputError (nothing is touched): it
    must be a new folder, or a folder holding only the pump–probe stores ``STORE_PARTS`` of an earlier call."""
    from pathlib import Path

    try:
        root = Path(store)
    except TypeError:
        raise InputError(f"store = {show(store)} is not allowed: a folder path (str or os.PathLike)") from None
    if root.exists() and not root.is_dir():
        raise InputError(f"store = {str(root)!r} is not allowed: it is a file; give a new or empty directory, or "
                         "the folder of an earlier call")
    foreign = sorted(p.name for p in root.iterdir() if p.name not in STORE_PARTS) if root.exists() else []
    if foreign:
        raise InputError(f"store = {str(root)!r} is not allowed: it holds {', '.join(foreign[:5])}, which are not "
                         f"pump–probe stores (allowed: {', '.join(STORE_PARTS)}); nothing was changed. Give a new or "
                         "empty directory")
    return root


def _stored_runs(model, drives, delays, times, keys, store, chunk_size, progress, options) -> dict:
    """The pump–probe runs of :func:`pump_probe_conductivity` (``drives``: phase-major, the pump-only run last)
    through resumable :func:`jaxhiggs.sweep` stores, one per probe phase and one for the pump-only run."""
    from ..sweep.run import sweep

    root = check_store(store)
    pump = drives[-1].components()[0]
    if len(drives[-1].components()) != 2 or not isinstance(pump, GaussianPulse):
        raise InputError(f"pump = {type(pump).__name__} is not allowed with store: the stored runs sweep the probe's "
                         "delay from the pump's centre, so the pump must be one jaxhiggs.GaussianPulse")
    root.mkdir(parents=True, exist_ok=True)
    offset = np.asarray(delays) - float(units.internal_to_ps(pump.t0))  # the sweep's delay: probe minus pump centre
    n_phases = (len(drives) - 1) // delays.size
    # the pump-only run: the pump alone as a one-point sweep (fluence 1: unchanged; the probe adds exactly 0)
    parts = [("pump_only", pump, {"fluence": np.ones(1)})] + [
        (f"phase_{m}", drives[m * delays.size], {"delay": offset}) for m in range(n_phases)]
    ys = {}
    for name, drive, grid in parts:
        ds = sweep(model, drive, times, grid, store=root / name, chunk_size=chunk_size, progress=progress, **options)
        failed = np.asarray(ds["failed"])
        if failed.any():
            i = int(np.argmax(failed))
            which = "the pump-only run" if name == "pump_only" else f"{name}, probe at {delays[i]:g} ps"
            raise RuntimeError(f"{which} (stored in {str(root / name)!r}): {np.asarray(ds['reason'])[i]}")
        ys[name] = {k: np.asarray(ds[k]) for k in keys}
    order = [f"phase_{m}" for m in range(n_phases)] + ["pump_only"]
    return {k: jnp.concatenate([jnp.asarray(ys[n][k]) for n in order]) for k in keys}


def pump_probe_conductivity(model: FiniteMomentum, pump: Drive, probe_at, delays, times, phases: int = 4,
                            broadening: float = 0.0, batch_size: int | None = None, store=None, progress: bool = False,
                            **options) -> dict:
    """Krull's pump–probe conductivity σ(δt, ω) = j(δt, ω)/(iω A(δt, ω)) (their eq. 9) of a FiniteMomentum model.

    **Probe at its own wave vector** (the model built with ``probe_steps``): the probe is marked as a
    :class:`ProbePulse`, travelling at q_pr = probe_steps·dk ∥ x, and the response is the current at q_pr
    (observable ``probe_current``).  At linear order nothing else lands on q_pr (the pump's harmonics nq₀ and
    the phase-conjugate −q_pr + nq₀ differ from q_pr by the rule on ``probe_steps``), so M = 0 and ``phases=1``
    (no cycling) is allowed; with 2 or 4 phases ``sigma_conjugate`` ≈ 0 is a check, not a correction.

    **Probe at q₀** (no ``probe_steps``, the default): the probe is a weak travelling wave polarised along y
    with the pump's wave vector, q_pr = q₀ ∥ x (the state holds ρ(k + nq₀, k) only), added to the pump in the
    same drive:
    ``pump + probe_at(δt)``, δt the probe's centre time in ps.  Its linear response is taken by differences
    against one pump-only run, with the probe's carrier phase cycled: probes with complex amplitude
    i^m a_pr at +q₀ (``phase − mπ/2``, m = 0 … phases − 1).  In a pumped state the current at +q₀ that is
    linear in the probe is j = L[a_pr] + M[a_pr*] — the second (phase-conjugate) part mixes the probe with
    the pump's 2q₀ grating and would be emitted along 2q₀ − q_pr, i.e. also along q₀ when q_pr = q₀ — and a
    term a_pr^p a_pr*^r of higher order picks up i^{m(p − r)}.  So L = (1/P) Σ_m i^{−m} Δj_m and
    M = (1/P) Σ_m i^{m} Δj_m (Δ: minus the pump-only run).  With ``phases = 4`` (default) the second order
    (p − r = 0, ±2, e.g. a_pr² a_pump*, relative size ~ A_pr/A_pump) cancels exactly and the first error is
    third order; ``phases = 2`` halves the cost but keeps that second-order leak (measured 0.9 % at
    A_pr/A_pump = 1/150).  ``sigma`` is L/(iω A_pr): the conductivity at wave vector q₀ of the pumped state;
    without a pump M = 0 (translation invariance).

    Fourier convention as in :func:`jaxhiggs.spectra.conductivity`: X(ν) = ∫dt e^{+iωt} X(t), ω = 2πν
    (physics e^{−iωt} time dependence), so E(ν) = iω A(ν) and Re σ ≥ 0 for an absorbing medium; the
    window moves with the probe (:func:`jaxhiggs.spectra.moving_window_conductivity`): it starts 5 r.m.s.
    widths of the first probe before its centre and keeps a fixed length, the record's end minus the last
    delay plus that lead.

    Args:
        model: the model (``q0_steps`` ≥ 1; with ``probe_steps`` the probe travels at q_pr).
        pump: its drive (``NoDrive()`` for the equilibrium σ).
        probe_at: ``probe_at(delay_ps)`` → the probe, one :class:`~jaxhiggs.GaussianPulse` (weak: the
            response must be linear in it, check with two amplitudes); marked as :class:`ProbePulse` here when
            the model has ``probe_steps`` (a ProbePulse is refused without).
        delays: probe centre times in ps (uniform, multiples of the time step of ``times``).
        times: uniform saved times in ps.
        phases: probe phases per delay, 4 or 2 (see above); 1 (no cycling) only with ``probe_steps``.
        broadening: η in meV ≥ 0: Δj and A_pr of delay δt are both multiplied by e^{−η(t − δt)/ħ} before the
            transform.  Since j(t) = ∫dt' K(t, t') a(t') this gives exactly the response with kernel
            K(t, t') e^{−η(t − t')}, i.e. every line of the discrete grid broadened into a Lorentzian of
            half-width η (and the cut at the window's end suppressed by e^{−ηL}); 0: none.
        batch_size: number of drives per compiled solve (None: all phases·n_delays at once; vmapped on accelerators,
            one run after another on the CPU, where a vmapped batch runs at the pace of its slowest run); with
            ``store``, the runs per chunk of the stores (None: the sweep's choice from memory).
        store: a directory for long runs (None: memory only).  Each probe phase's delay runs and the pump-only
            run are kept as resumable :func:`jaxhiggs.sweep` stores in its sub-folders ``phase_<m>`` and
            ``pump_only`` (a ``delay`` axis: the probe's centre minus the pump's), written chunk by chunk and
            verified; calling again with the same arguments resumes, recomputing only missing or damaged chunks.
            The folder may hold only those sub-folders; another call's stores are refused (fingerprint), and
            nothing there is deleted or overwritten.  Needs a :class:`~jaxhiggs.GaussianPulse` pump.  The runs
            go to every JAX device (on a CPU, :func:`jaxhiggs.use_cpu_cores` makes one per core).  A run that
            fails is recorded in its store and raised here as a RuntimeError with the sweep's report.
        progress: with ``store``, the sweeps' progress bars on stderr.
        **options: solver options (:class:`~jaxhiggs.solve.SolverOptions`).

    Returns dict: ``frequency`` (THz, > 0), ``sigma`` (n_delays, n_freq) in S/m, ``sigma_conjugate``
    (M/(iω A_pr), S/m), ``probe_weight`` |A_pr(ν)|, ``delta_current`` (L part, (n_delays, n_times), A/m²),
    ``delta_current_conjugate``, ``probe_vector_potential`` a_pr(t) (V·s/m) — these three with the
    ``broadening`` factor applied — and ``pump_gap`` (pump-only Δ_i(t), meV).  With ``phases=1`` the two
    conjugate entries are None (not measured).
    """
    from ..spectra import _batched_solve, _check_probes, _delay_shifts, _moving_window

    check_type("model", model, FiniteMomentum, "a jaxhiggs.models.FiniteMomentum")
    if model.shell.q0_steps == 0:
        raise InputError("model.q0_steps = 0 is not allowed for the pump–probe σ: the probe is a travelling wave "
                         "at q₀ = q0_steps·dk, so q0_steps ≥ 1")
    probe_axis = model.shell.probe_steps is not None
    check_drive(pump, probe_axis)
    delays = np.asarray(delays, dtype=float)
    if delays.ndim != 1 or delays.size < 1 or not np.all(np.isfinite(delays)):
        raise InputError(f"delays = {show(delays)} is not allowed: a 1-D array of finite probe times (ps)")
    _delay_shifts(np.asarray(times, dtype=float), delays)  # uniform, increasing, on the grid: before any solve
    probes = [probe_at(float(d)) for d in delays]
    for p in probes:
        check_type("probe_at(delay)", p, GaussianPulse, "one jaxhiggs.GaussianPulse")
        check_drive(p, probe_axis)
    _check_probes(probes, delays, times)
    probes = [ProbePulse.of(p) for p in probes] if probe_axis else probes
    check(lambda x: x >= 0, "broadening", broadening, "a finite line half-width η ≥ 0 meV", unit="meV")
    allowed = (1, 2, 4) if probe_axis else (2, 4)
    if isinstance(phases, bool) or phases not in allowed:
        raise InputError(f"phases = {show(phases)} is not allowed: 4 (first order exact to third order) or 2"
                         + (", or 1 (no cycling: the model's probe travels at its own q_pr)" if probe_axis else
                            " (1 only for a model with probe_steps)"))
    turned = [eqx.tree_at(lambda p: p.phase, p, p.phase - 0.5 * math.pi * m) for m in range(phases) for p in probes]
    # the pump-only reference is pump + a zero-amplitude probe: same pytree structure, so it joins the batch
    silent = eqx.tree_at(lambda p: p.amplitude, probes[0], jnp.zeros_like(probes[0].amplitude))
    drives = [pump + p for p in turned] + [pump + silent]  # a_pr → i^m a_pr, m-major; reference last
    size = len(drives) if batch_size is None else batch_size
    if not isinstance(size, (int, np.integer)) or size < 1:
        raise InputError(f"batch_size = {show(batch_size)} is not allowed: an integer ≥ 1 or None")
    keys = ("probe_current", "probe_vector_potential") if probe_axis else ("current", "vector_potential")
    if store is None:  # (the stored runs go through jaxhiggs.sweep, which checks the window itself)
        model.check_window(np.asarray(times, dtype=float), drives[0])  # pump and the first probe
        parts = [_batched_solve(model, drives[i:i + size], times, **options) for i in range(0, len(drives), size)]
        ys = {k: jnp.concatenate([p[k] for p in parts]) for k in keys + ("gap",)}
    else:
        ys = _stored_runs(model, drives, delays, times, keys + ("gap",), store, batch_size, progress, options)
    j = ys[keys[0]][:-1] - ys[keys[0]][-1]
    a = ys[keys[1]][:-1] - ys[keys[1]][-1]
    n = delays.size
    j, a = j.reshape((phases, n) + j.shape[1:]), a.reshape((phases, n) + a.shape[1:])
    turns = (1j) ** np.arange(phases)
    j_lin = jnp.tensordot(jnp.asarray(np.conj(turns)), j, axes=1) / phases
    j_conj = jnp.tensordot(jnp.asarray(turns), j, axes=1) / phases
    a_pr = a[0]
    # the window of the first delay starts 5 r.m.s. widths before that probe's centre (Δj = 0 before it)
    t = np.asarray(times, dtype=float)
    i0 = int(np.searchsorted(t, delays[0] - 5 * float(units.internal_to_ps(probes[0].tau))))
    damp = jnp.asarray(np.exp(-broadening * (t[None, :] - delays[:, None]) / units.HBAR_MEV_PS))
    j_lin, j_conj, a_pr = j_lin * damp, j_conj * damp, a_pr * damp
    cut = lambda x: x[:, i0:]
    freq, sigma, weight = _moving_window(t[i0:], delays, cut(j_lin), cut(a_pr))
    if phases == 1:
        sigma_conj = j_conj = None
    else:
        _, sigma_conj, _ = _moving_window(t[i0:], delays, cut(j_conj), cut(a_pr))
    return dict(frequency=freq, sigma=sigma, sigma_conjugate=sigma_conj, probe_weight=weight, delta_current=j_lin,
                delta_current_conjugate=j_conj, probe_vector_potential=a_pr, pump_gap=ys["gap"][-1])
