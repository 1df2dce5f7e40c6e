"""Plain NumPy/SciPy reference implementations used to cross-check the JAX code."""
