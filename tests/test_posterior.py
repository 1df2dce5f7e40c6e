"""Issue 12 item 4: NUTS posterior of a two-parameter σ(ω) fit vs the Laplace (Jacobian) approximation."""

import numpy as np
import pytest

from jaxhiggs import fit

blackjax = pytest.importorskip("blackjax", reason="optional extra: pip install 'jaxhiggs[bayes]'")


def drude(p, nu, temperature=0.0):
    """Drude σ (S/m), scattering rate in THz: cheap to compile."""
    return p["sigma_n"] / (1 - 1j * nu / p["gamma_thz"])


@pytest.mark.slow  # ~30 s (NUTS compile + 4 × 1400 steps); skipped anyway without the optional extra
def test_nuts_agrees_with_laplace_on_a_two_parameter_fit(tmp_path):
    rng = np.random.default_rng(5)
    nu = np.linspace(0.2, 3.0, 60)
    truth = {"sigma_n": 5e5, "gamma_thz": 1.5}
    clean = drude(truth, nu)
    noise = 0.02 * np.abs(clean).max()
    data = clean + noise * (rng.standard_normal(nu.size) + 1j * rng.standard_normal(nu.size))
    res = fit.fit_conductivity(nu, data, drude, {"sigma_n": 3e5, "gamma_thz": 1.0},
                               bounds={"sigma_n": (1e4, 1e7), "gamma_thz": (0.1, 20.0)}, uncertainty=noise)
    post = fit.sample_posterior(res, n_samples=1000, n_warmup=400, n_chains=4, seed=1)
    print(post.summary())
    for name in ("sigma_n", "gamma_thz"):
        assert post.rhat[name] < 1.02 and post.ess[name] > 400
        # mean within 10 % of the Laplace standard deviation, and the standard deviations within 10 %
        assert abs(post.mean(name) - post.laplace_mean[name]) < 0.1 * post.laplace_std[name], name
        assert abs(post.std(name) / post.laplace_std[name] - 1) < 0.1, name
    assert post.divergences == 0
    post.corner(tmp_path / "corner.png")
    assert (tmp_path / "corner.png").stat().st_size > 1000
