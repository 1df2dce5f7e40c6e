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

1. the ``path`` argument — the empty string disables the cache, as for the variable below;
2. the environment variable ``JAXHIGGS_CACHE_DIR`` — set to the empty string to disable;
3. ``$XDG_CACHE_HOME/jaxhiggs/jax``, or ``~/.cache/jaxhiggs/jax``.

If JAX's own ``JAX_COMPILATION_CACHE_DIR`` is set (and no path/``JAXHIGGS_CACHE_DIR`` is
given) that directory is kept.  The cache is safe to delete at any time.

Runtime error checks: JAX does not write programs that contain host callbacks to the cache,
and equinox's runtime checks (``eqx.error_if``, used inside every diffrax solve) are host
callbacks in their default mode ``EQX_ON_ERROR=raise``.  Unless you set ``EQX_ON_ERROR``
yourself, :func:`enable_compilation_cache` therefore switches them to ``nan``: an invalid solve
then yields NaN, which :func:`jaxhiggs.simulate` reports as a failure, instead of raising
inside the compiled program.  jaxhiggs checks its inputs before solving, so in practice
nothing changes except that the solves become cacheable.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "JAXHIGGS_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/jaxhiggs/jax`` or ``~/.cache/jaxhiggs/jax``."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "jaxhiggs" / "jax"


def _cacheable_error_checks() -> None:
    """equinox runtime checks as NaN instead of host callbacks (see the module docstring)."""
    if "EQX_ON_ERROR" in os.environ:
        return  # the user's choice
    os.environ["EQX_ON_ERROR"] = "nan"  # for equinox imported later (and child processes)
    try:  # equinox is already imported (jaxhiggs imports it): its checks read this at trace time
        from equinox import _errors

        if getattr(_errors, "EQX_ON_ERROR", "raise") == "raise":
            _errors.EQX_ON_ERROR = "nan"
    except ImportError:  # pragma: no cover
        pass


def enable_compilation_cache(path=None, min_compile_time: float = 0.5) -> Path | None:
    """Turn on JAX's persistent compilation cache; returns the directory, or None if disabled.

    Args:
        path: cache directory (created if missing), a ``str`` or ``os.PathLike``; the empty string
            disables the cache (returns None), as ``JAXHIGGS_CACHE_DIR=""`` does — it would otherwise
            mean the current directory, scattering JAX's files among yours.  None:
            ``$JAXHIGGS_CACHE_DIR`` if set, else JAX's ``JAX_COMPILATION_CACHE_DIR`` if set, else
            :func:`default_cache_dir`.
        min_compile_time: only programs that took at least this many seconds to compile
            are written (JAX's own default is 1 s); a finite number ≥ 0.

    Programs compiled before the call are not written; call it early in a script.  The arguments are
    checked before anything changes (no directory is made, no setting touched, on an error).

    Raises:
        InputError: ``path`` is not None, a string or a path, or ``min_compile_time`` is not a finite
            number ≥ 0 (True/False and strings are refused).
    """
    import jax

    from ._validate import InputError, check

    check(lambda x: x >= 0, "min_compile_time", min_compile_time,
          "a finite time ≥ 0 s (programs that took at least this long to compile are cached)", unit="s", scalar=True)
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise InputError(f"path = {path!r} is not allowed: give a directory as a str or pathlib.Path, \"\" to "
                         "disable the cache, or None for the default")
    if isinstance(path, str) and path.strip() == "":
        return None  # as JAXHIGGS_CACHE_DIR="" (not the current directory)
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
    _cacheable_error_checks()
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", float(min_compile_time))
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    try:  # JAX fixes the cache at the first compilation of the process: start over with the new directory
        from jax.experimental.compilation_cache import compilation_cache

        compilation_cache.reset_cache()
    except (ImportError, AttributeError):  # pragma: no cover - older JAX: effective before the first compilation
        pass
    return path
