"""Shared setup of the seed-000 (Haenel et al. 2021) examples: NbN parameters, pump, CLI."""

import _common  # the examples' shared command line (run from examples/ or with it on sys.path)

import matplotlib

matplotlib.use("Agg")

import jaxhiggs as jh  # noqa: E402
from jaxhiggs import units  # noqa: E402

#: NbN (spec Table A): Δ0 = 1.3 meV, ω_D = 20 meV, 4 K, m = 0.78, ε_F = 1 eV.
NBN = dict(gap=1.3, omega_D=20.0, temperature=4.0, sign=1.0, mass=0.78, fermi_energy=1000.0)


def parse(description):
    """The examples' common command line (--out, --quick, --no-cache, --no-progress): examples/_common.py."""
    return _common.parse(description)


def nbn(gamma, omega_D=None):
    p = dict(NBN)
    if omega_D is not None:
        p["omega_D"] = omega_D
    return jh.material.single_band(p.pop("gap"), p.pop("omega_D"), p.pop("temperature"), gamma=gamma, **p)


def pump(amplitude=0.5e-8, center=-2.63):
    """Seed-000 pump A ∝ e^{-(t-te)²/2τ²} cos(ωt): τ = 0.354 ps, ħω = 0.4 meV, t_e = −2.63 ps.

    ``amplitude`` is max|A(t)| in V·s/m, as the authors normalise it (0.5e-8 in the paper); the envelope
    prefactor is 6.83× larger because the slow carrier cos(ωt) is near a zero at t_e.
    """
    return jh.GaussianPulse.from_vector_potential(amplitude, units.mev_to_thz(0.4), 0.354, center,
                                                  phase=0.4 * units.ps_to_internal(center), amplitude_is="peak")
