"""THz time-domain spectroscopy: time traces → complex transmission t(ω) → thin-film σ(ω), and back.

A THz spectroscopist measures the field transmitted through the film on its substrate, E_s(t), and through a
bare substrate, E_r(t).  This package turns the two traces into t(ω) = E_s(ω)/E_r(ω)
(:func:`transmission`, with windowing, zero padding and standard errors propagated from the trace noise:
:func:`transmission_uncertainty`) and relates t to the film's conductivity by the thin-film
(Glover–Tinkham) formula, including the phase of a substrate thickness mismatch ΔL
(:func:`thin_film_transmission` and its exact inverse :func:`thin_film_conductivity`).  Fits are best done on
t(ω) directly with :func:`jaxhiggs.fit.fit_transmission` (no inversion noise amplification).

Conventions: the physics sign convention, fields ∝ e^{−iωt}, E(ω) = ∫ dt E(t) e^{+iωt}; σ = σ₁ + iσ₂ with
σ₂ > 0 inductive; times in ps, frequencies ν = ω/2π in THz, σ in S/m, film thickness in nm, ΔL in µm.
"""

from __future__ import annotations

from .synthetic import add_noise, apply_transmission, single_cycle_pulse
from .thin_film import (FREE_SPACE_IMPEDANCE, conductivity_uncertainty, mismatch_phase, thin_film_conductivity,
                        thin_film_transmission)
from .traces import (TransmissionNoise, check_traces, noise_level, read_trace, spectrum, transmission,
                     transmission_noise, transmission_uncertainty, window_weights)

__all__ = [
    "FREE_SPACE_IMPEDANCE", "TransmissionNoise", "add_noise", "apply_transmission", "check_traces", "conductivity_uncertainty",
    "mismatch_phase", "noise_level", "read_trace", "single_cycle_pulse", "spectrum", "thin_film_conductivity",
    "thin_film_transmission", "transmission", "transmission_noise", "transmission_uncertainty", "window_weights",
]
