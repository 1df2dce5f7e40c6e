"""Linear-response functions (Schmid–Higgs susceptibility with pair breaking, §S of the spec)."""

from jaxhiggs.response.schmid_higgs import (  # noqa: F401
    EnvelopeFit,
    clean_susceptibility_inverse,
    fit_envelope,
    quench_response,
    resonance_frequency,
    schmid_higgs_susceptibility,
    susceptibility_time_domain,
    threshold_frequency,
)
