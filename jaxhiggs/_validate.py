"""Input validation that names the parameter, its value and the allowed range.

Every public entry point checks its inputs here, before anything is compiled, and every
message has one form: ``"<name> = <value> [unit] is not allowed: <allowed range>"``, the
value written as plain Python (``9.99``, not ``np.float64(9.99)``).

Checks run only on concrete values: inside ``jax.jit``/``vmap``/``grad`` the arguments
are tracers and the checks are skipped (the caller validated the concrete inputs before
tracing, or the solve reports failures in its result).
"""

from __future__ import annotations

import numbers

import jax
import numpy as np


class InputError(ValueError, TypeError):
    """A bad input: both a ``ValueError`` and a ``TypeError`` (wrong kind of object)."""


def is_concrete(*values) -> bool:
    """True when no leaf of ``values`` is a JAX tracer."""
    leaves = jax.tree_util.tree_leaves(values)
    return not any(isinstance(x, jax.core.Tracer) for x in leaves)


def show(value) -> str:
    """``value`` as plain Python: NumPy/JAX scalars and arrays become floats, ints and lists."""
    if isinstance(value, (str, bytes, bool)) or value is None:
        return repr(value)
    if isinstance(value, (np.ndarray, np.generic, jax.Array)):
        arr = np.asarray(value)
        return repr(arr.item() if arr.size == 1 else arr.tolist())
    if isinstance(value, (tuple, list)) and all(isinstance(x, (numbers.Number, np.generic)) for x in value):
        return repr(type(value)(np.asarray(x).item() for x in value))
    return repr(value)


def fail(name: str, value, allowed: str, unit: str = "") -> InputError:
    """The one message form; ``raise fail(...)``."""
    unit = f" {unit}" if unit else ""
    return InputError(f"{name} = {show(value)}{unit} is not allowed: {allowed}")


def _numeric(name, value, allowed, unit, complex_ok=False):
    """``value`` as a real NumPy array, or an InputError naming it (strings, None, objects, complex)."""
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, (dict, set)):
        raise fail(name, value, f"give a number: {allowed}", unit)
    try:
        arr = np.asarray(value)
    except Exception:
        raise fail(name, value, f"give a number: {allowed}", unit) from None
    if arr.dtype.kind == "b":  # True would silently be 1 (e.g. `gamma = true` in a configuration: 1 meV)
        raise fail(name, value, f"give a number, not True/False: {allowed}", unit)
    if arr.dtype == object or arr.dtype.kind not in ("iufc" if complex_ok else "iuf"):
        raise fail(name, value, f"give a real number: {allowed}", unit)
    return arr


def check(condition_fn, name: str, value, allowed: str, unit: str = "", finite: bool = True,
          complex_ok: bool = False, scalar: bool = False) -> None:
    """Raise :class:`InputError` unless ``value`` is a real number (array) with ``condition_fn`` true.

    ``condition_fn`` receives a NumPy array.  NaN and ±inf are refused unless ``finite=False``; arrays
    with ``scalar``.  The message reads ``"<name> = <value> [unit] is not allowed: <allowed>"``.  Tracers pass.
    """
    if not is_concrete(value):
        return
    arr = _numeric(name, value, allowed, unit, complex_ok)
    if scalar and arr.ndim != 0:
        raise fail(name, value, f"a single number (got an array of shape {arr.shape}): {allowed}", unit)
    if finite and not np.all(np.isfinite(arr)):
        raise fail(name, value, allowed if "finite" in allowed else f"{allowed} (finite)", unit)
    if not bool(np.all(condition_fn(arr))):
        raise fail(name, value, allowed, unit)


def check_finite(name: str, value, unit: str = "") -> None:
    """Any finite real number (array)."""
    check(lambda x: np.isfinite(x), name, value, f"a finite number{f' ({unit})' if unit else ''}", unit=unit,
          complex_ok=True)


def check_int(name: str, value, low: int | None = None, high: int | None = None, what: str = "") -> int:
    """An integer (Python or NumPy, not bool or float) in [low, high]; returns ``int(value)``."""
    bounds = []
    if low is not None:
        bounds.append(f"≥ {low}")
    if high is not None:
        bounds.append(f"≤ {high}")
    allowed = "an integer" + (f" {' and '.join(bounds)}" if bounds else "") + (f" ({what})" if what else "")
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise fail(name, value, allowed)
    if (low is not None and value < low) or (high is not None and value > high):
        raise fail(name, value, allowed)
    return int(value)


def check_type(name: str, value, kinds, what: str) -> None:
    """``value`` must be an instance of ``kinds``; the message names what was given."""
    if not isinstance(value, kinds):
        raise InputError(f"{name} = {_short(value)} is not allowed: give {what} (got a {type(value).__name__})")


def check_bool(name: str, value) -> bool:
    """``value`` must be True or False: a string ("false") or a number would otherwise be read by its truthiness."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.ndarray, jax.Array)) and value.shape == () and value.dtype == bool and is_concrete(value):
        return bool(value)
    raise InputError(f"{name} = {_short(value)} is not allowed: give True or False (got a {type(value).__name__})")


def _short(value) -> str:
    text = show(value)
    if "\n" in text or len(text) > 80:
        return f"{type(value).__name__}(…)"
    return text


def strip_prefix(message: str) -> str:
    """The allowed-range part of a message of the form ``"... is not allowed: <range>"``."""
    head, sep, tail = message.partition(" is not allowed: ")
    return tail if sep else message


def _ram_bytes() -> float:
    import os

    try:
        return float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 16e9
