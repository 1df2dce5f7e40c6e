"""Give the compiler's freed heap back to the operating system after each large XLA compilation.

Why: compiling a solve allocates hundreds of MB of compiler data structures on the host (measured
420–530 MB for the Mattis–Bardeen solve at N_e = 600).  XLA frees them when the compilation ends,
but glibc's allocator keeps freed memory inside the process (its arenas are only trimmed from the
top), so the solve's own buffers are then allocated *on top* of it and the process's peak resident
memory is the compiler's heap plus the solve.  ``malloc_trim(0)`` returns every free page of every
arena.  jaxhiggs calls it once after each XLA compilation that took at least ``min_compile_time``
seconds, through JAX's public monitoring hook (``jax.monitoring``: the backend-compile event is
recorded after the compilation and before the program runs).  Measured
(``benchmarks/bench_peak_memory.py``, one fresh process each): the seed-000 case at N_e = 600, default options,
peak RSS 1159 → 803 MB (2026-11-26, late evening; 1261 → 869 MB before the free part ran in batches of saved
times); the trim itself takes milliseconds.

It is switched on when jaxhiggs is imported, on Linux with glibc; elsewhere (macOS, musl) it does
nothing.  Set ``JAXHIGGS_TRIM_AFTER_COMPILE=0`` before the import, or call
``jaxhiggs.memory.trim_after_compile(False)``, to turn it off.  Only free memory is returned: no
result, cache or compiled program is touched.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

import jax.monitoring

ENV = "JAXHIGGS_TRIM_AFTER_COMPILE"
#: JAX's event recorded when a backend compilation has finished (jax._src.dispatch.BACKEND_COMPILE_EVENT).
COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"


def _malloc_trim():
    """glibc's ``malloc_trim`` or None where the C library has none."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


class _Trimmer:
    """The listener: trims after compilations of at least ``min_compile_time`` seconds, counts its trims."""

    def __init__(self, trim, min_compile_time: float):
        self.trim = trim
        self.min_compile_time = float(min_compile_time)
        self.trims = 0

    def __call__(self, event: str, duration: float, **kwargs) -> None:
        if event == COMPILE_EVENT and duration >= self.min_compile_time:
            self.trim(0)
            self.trims += 1


_listener: list[_Trimmer] = []  # the registered listener, at most one (so the switch is idempotent)


def trim_after_compile(enabled: bool = True, min_compile_time: float = 0.5) -> _Trimmer | None:
    """Switch the trim after large compilations on (the default at import) or off.

    Args:
        enabled: register (True) or remove (False) the listener.
        min_compile_time: seconds; shorter compilations (eager array operations, small helpers)
            are not followed by a trim, which costs a few ms.

    Returns the active listener (its ``trims`` counts the trims so far), or None when switched off or
    when the C library has no ``malloc_trim``.
    """
    from ._validate import check

    check(lambda x: x >= 0, "min_compile_time", min_compile_time, "a duration ≥ 0 s", unit="s")
    for old in _listener:
        jax.monitoring.unregister_event_duration_listener(old)
    _listener.clear()
    trim = _malloc_trim() if enabled else None
    if trim is None:
        return None
    listener = _Trimmer(trim, min_compile_time)
    jax.monitoring.register_event_duration_secs_listener(listener)
    _listener.append(listener)
    return listener


def _enable_from_environment() -> None:
    """At import: on unless ``JAXHIGGS_TRIM_AFTER_COMPILE`` is 0/false/off/no."""
    if os.environ.get(ENV, "1").strip().lower() not in ("0", "false", "off", "no"):
        trim_after_compile(True)
