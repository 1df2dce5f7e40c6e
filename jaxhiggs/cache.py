"""JAX's persistent compilation cache for jaxhiggs programs.

Compiling a solve (diffrax loop + model vector field) takes seconds to tens of seconds on a
CPU, often longer than the solve itself.  JAX can keep compiled programs on disk and reuse
them in the next process with the same shapes, options and JAX version;
:func:`enable_compilation_cache` switches that on.  The ``jaxhiggs`` command and the example
scripts call it at start-up; library imports never do (a library should not write to your
home directory behind your back), so call it yourself in scripts::

    import jaxhiggs as jh
    jh.enable_compilation_cache()          # ~/.cache/jaxhiggs/jax, or $JAXHIGGS_CACHE_DIR

Where the cache goes, in order of precedence:

1. the ``path`` argument;
2. the environment variable ``JAXHIGGS_CACHE_DIR`` — set to the empty string to disable;
3. ``$XDG_CACHE_HOME/jaxhiggs/jax``, or ``~/.cache/jaxhiggs/jax``.

If JAX's own ``JAX_COMPILATION_CACHE_DIR`` is set (and no path/``JAXHIGGS_CACHE_DIR`` is
given) that directory is kept.  The cache is safe to delete at any time.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "JAXHIGGS_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/jaxhiggs/jax`` or ``~/.cache/jaxhiggs/jax``."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "jaxhiggs" / "jax"


def enable_compilation_cache(path=None, min_compile_time: float = 0.5) -> Path | None:
    """Turn on JAX's persistent compilation cache; returns the directory, or None if disabled.

    Args:
        path: cache directory (created if missing).  None: ``$JAXHIGGS_CACHE_DIR`` if set
            (the empty string disables the cache), else JAX's ``JAX_COMPILATION_CACHE_DIR``
            if set, else :func:`default_cache_dir`.
        min_compile_time: only programs that took at least this many seconds to compile
            are written (JAX's own default is 1 s).

    Call it before the first computation of the process: JAX initialises the cache with
    the first compilation and ignores later changes of the directory.
    """
    import jax

    if path is None:
        env = os.environ.get(ENV)
        if env is not None:
            if env.strip() == "":
                return None
            path = env
        elif os.environ.get("JAX_COMPILATION_CACHE_DIR"):
            path = os.environ["JAX_COMPILATION_CACHE_DIR"]
        else:
            path = default_cache_dir()
    path = Path(path).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:  # a read-only home, say: run without the cache rather than fail
        import warnings

        warnings.warn(f"jaxhiggs: compilation cache disabled, cannot create {path}: {err}", stacklevel=2)
        return None
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", float(min_compile_time))
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return path
