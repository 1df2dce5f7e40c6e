"""The optional ``occupation`` observable (jaxhiggs/models/occupation.py) of CleanPseudospin and FiniteMomentum."""

import diffrax
import equinox as eqx
import jax.numpy as jnp
import numpy as np
import pytest

import jaxhiggs as jh
from jaxhiggs import units
from jaxhiggs.models.finite_momentum import FiniteMomentum

EDGES = np.linspace(0.0, 16.0, 33)  # 0.5 meV bins in |ξ|


def grid_of(model):
    """(ξ, W) per band and k of either model (meV, the gap equation's weights)."""
    if isinstance(model, FiniteMomentum):
        return np.asarray(model.shell.xi), np.asarray(model.shell.weights * model.shell.mask)
    xi = np.asarray(model.representation.energies)
    return xi, np.broadcast_to(np.asarray(model.representation.weights), xi.shape)


def by_bin(xi, values):
    """Σ_k x_k over |ξ| ∈ [EDGES[j], EDGES[j+1]) per band, in NumPy (independent of the package's binning)."""
    j = np.digitize(np.abs(xi), EDGES) - 1
    return np.array([[values[b][j[b] == i].sum() for i in range(len(EDGES) - 1)] for b in range(xi.shape[0])])


@pytest.mark.parametrize("kind", ["clean", "finite_momentum"])
def test_thermal_equilibrium_occupation_is_the_fermi_function(kind):
    """At 15 K (T = 1.29 meV) the equilibrium's n_k = ½(1 − tanh(E_k/2T)) = f(E_k), E_k = √(ξ_k² + Δ_i²) with the
    model's own gaps: the binned Σ W n equals Σ W f per bin to 1e-14 relative (measured 4e-19 / 1e-18 absolute on
    a largest bin of 5e-4 / 1e-3), and the per-state mean reaches f ≈ 0.12 at the small gap's edge."""
    mat = jh.materials.mgb2(v=0.05, temperature=15.0)
    model = (jh.models.CleanPseudospin(mat, 4000, occupation_edges=EDGES) if kind == "clean"
             else FiniteMomentum(mat, dk=2e-3, n_lines=2, n_max=1, occupation_edges=EDGES))
    obs = model.observables(0.0, model.initial_state(), model.arguments(jh.NoDrive()))
    occupation = np.asarray(obs["occupation"])
    xi, w = grid_of(model)
    energy = np.sqrt(xi**2 + np.asarray(model.equilibrium.gaps)[:, None] ** 2)
    fermi = 1.0 / (np.exp(energy / mat.temperature_mev) + 1.0)
    want = by_bin(xi, w * fermi)
    assert np.max(np.abs(occupation - want)) < 1e-14 * np.max(want)
    states = np.asarray(model.occupation_states())
    assert np.allclose(states, by_bin(xi, w), rtol=1e-14, atol=0)
    mean = occupation[1] / np.where(states[1] > 0, states[1], 1.0)
    assert 0.1 < mean.max() < 0.13, mean.max()


@pytest.mark.filterwarnings("ignore:the time window reaches")  # twin against twin on the same coarse rows
def test_finite_momentum_occupation_at_q0_zero_is_the_clean_models():
    """q₀ = 0, Krull's pump at |A₀| = 1.5e-7 (a strong diamagnetic kick): the finite-momentum model's occupation
    from ρ(k, k) equals CleanPseudospin's from its pseudospins on the same (ξ, W) at every saved time to 1e-9 of
    the largest bin — through the pulse (each in its own frame) and after it (measured 1.9e-12 against 8.1e-3); the
    pulse breaks pairs (largest bin 6.4e-3 at 1.4 ps, 5e-18 before)."""
    mat = jh.materials.mgb2(v=0.1)
    model = FiniteMomentum(mat, dk=1.6e-2, n_lines=2, q0_steps=0, n_max=1, occupation_edges=EDGES)
    clean = jh.models.CleanPseudospin(mat, 16, occupation_edges=EDGES)
    rep = eqx.tree_at(lambda r: (r.energies, r.weights), clean.representation, (model.shell.xi, model.shell.weights))
    clean = eqx.tree_at(lambda m: (m.representation, m.equilibrium), clean, (rep, model.equilibrium))
    drive = jh.GaussianPulse.from_vector_potential(3e-7, units.mev_to_thz(8.0), 0.4 / 2.3548, 0.7)
    times = np.linspace(0.0, 1.4, 71)
    opts = dict(solver=diffrax.Dopri8(), rtol=1e-11, atol=1e-13)
    ours = np.asarray(jh.simulate(model, drive, times, **opts)["occupation"])
    theirs = np.asarray(jh.simulate(clean, drive, times, **opts)["occupation"])
    assert np.max(np.abs(ours[0])) < 1e-15 and np.max(theirs[-1]) > 1e-3, (np.max(np.abs(ours[0])), theirs[-1].max())
    assert np.max(np.abs(ours - theirs)) < 1e-9 * np.max(theirs)


@pytest.mark.parametrize("edges, name", [
    ([1.0], "occupation_edges"), ([[0.0, 1.0]], "occupation_edges"), ("0 1", "occupation_edges"),
    (["0", "1"], "occupation_edges"), ([False, True], "occupation_edges"), ([0.0, 1 + 1j], "occupation_edges"),
    ([0.0, 2.0, 1.0], r"occupation_edges\[2\]"), ([-1.0, 1.0], r"occupation_edges\[0\]"),
    ([0.0, np.nan], r"occupation_edges\[1\]"), ([100.0, 200.0], r"occupation_edges\[0\]")])
def test_bad_occupation_edges_are_refused_before_anything_is_compiled(edges, name):
    """Not real, not increasing, negative, not finite, or beyond the grid's cut-off (ω_D = 50 meV here: all bins
    empty): an error naming the entry, its value and the allowed range; nothing is clipped."""
    mat = jh.materials.mgb2()
    for build in (lambda: jh.models.CleanPseudospin(mat, 100, occupation_edges=edges),
                  lambda: FiniteMomentum(mat, occupation_edges=edges)):
        with pytest.raises(ValueError, match=name + " = .* is not allowed: "):
            build()


def test_without_edges_there_is_no_occupation_and_the_options_are_unchanged():
    """The default leaves the observable out and the model's options (stored with sweeps) as before; with edges,
    ``with_material`` (what sweeps use) keeps them."""
    model = jh.models.CleanPseudospin(jh.materials.mgb2(), 100)
    assert "occupation" not in model.observables(0.0, model.initial_state(), model.arguments(jh.NoDrive()))
    assert model.options() == {"n_energies": 100, "diamagnetic_factor": 1.0}
    binned = jh.models.CleanPseudospin(jh.materials.mgb2(), 100, occupation_edges=(0.0, 1.0))
    assert binned.with_material(jh.materials.mgb2(v=0.1)).occupation_edges == (0.0, 1.0)
    assert jnp.shape(binned.occupation_states()) == (2, 1)
    with pytest.raises(ValueError, match="occupation_edges = None is not allowed: bin edges"):
        model.occupation_states()
