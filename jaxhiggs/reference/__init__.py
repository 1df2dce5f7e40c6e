"""Plain NumPy/SciPy reference implementations (CPU baselines, no JAX in the equations)."""
