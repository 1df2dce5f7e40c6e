"""Plain NumPy/SciPy implementations of the same equations: the CPU baseline for agreement tests and benchmarks.

They share no code with the JAX models beyond the units module, so an agreement
between the two checks both.
"""
