"""Free, fixed and tied fit parameters and the transforms that keep every iterate inside its bounds."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .._validate import InputError, check, fail

__all__ = ["Parameters"]


def _number(name: str, value, allowed: str, finite: bool = True) -> float:
    """One real number (not bool, str or a list) as a float, or an InputError naming ``name``."""
    check(lambda v: ~np.isnan(v), name, value, allowed, finite=finite, scalar=True)
    return float(value)


def names_of(name: str, value) -> tuple:
    """``fixed``/``local``: a list or tuple of parameter names.  A bare string would be iterated letter by letter
    ("gamma" → 'g', 'a', ...), so it is refused with its own message."""
    if isinstance(value, str):
        raise InputError(f"{name} = {value!r} is not allowed: give a list or tuple of parameter names, "
                         f"e.g. {name}=({value!r},)")
    try:
        out = tuple(value)
    except TypeError:
        raise fail(name, value, "a list or tuple of parameter names") from None
    for item in out:
        if not isinstance(item, str):
            raise fail(name, value, "a list or tuple of parameter names (strings)")
    return out


def _tie(key, spec) -> tuple:
    """``ties[key]``: a source name, or (source name, finite factor)."""
    allowed = "a parameter name, or a pair (name, factor) with a finite number factor (value = factor × name)"
    if isinstance(spec, str):
        return spec, 1.0
    if not isinstance(spec, (tuple, list)) or len(spec) != 2 or not isinstance(spec[0], str):
        raise fail(f"ties[{key!r}]", spec, allowed)
    return spec[0], _number(f"ties[{key!r}] factor", spec[1], allowed)


def _softplus_inv(y):
    return np.log(np.expm1(y)) if y < 30 else y + np.log1p(-np.exp(-y))


@dataclass(frozen=True)
class Parameters:
    """Free/fixed/tied parameters and their bound-respecting transforms.

    Attributes:
        names: all parameter names the model sees (for global fits: expanded ``name[i]``).
        values: initial (or fixed) physical value of each name.
        lower, upper: bounds (±inf when open).
        free: names optimised, in order.
        ties: name → (source name, factor): value = factor × value of the source.
    """

    names: tuple
    values: dict
    lower: dict
    upper: dict
    free: tuple
    ties: dict

    @classmethod
    def build(cls, model_parameters: Sequence[str], required: Sequence[str], defaults: Mapping, initial: Mapping,
              bounds: Mapping | None, fixed: Sequence[str], ties: Mapping | None) -> "Parameters":
        """Validate the user's dictionaries against the model's parameter names (errors name the key)."""
        bounds = dict(bounds or {})
        ties = {k: _tie(k, v) for k, v in dict(ties or {}).items()}
        fixed = names_of("fixed", fixed)
        known = set(model_parameters)
        for where, keys in (("initial", initial), ("bounds", bounds), ("fixed", fixed), ("ties", ties)):
            for key in keys:
                if key not in known:
                    raise ValueError(f"unknown parameter {key!r} in {where}: the model has parameters "
                                     f"{sorted(known)}")
        for key, (src, _) in ties.items():
            if src not in known:
                raise ValueError(f"ties[{key!r}] = {src!r} is not a parameter of the model: {sorted(known)}")
            if src in ties:
                raise ValueError(f"ties[{key!r}] = {src!r} is itself tied: tie to an untied parameter")
        for name in required:
            if name not in initial and name not in ties:
                raise ValueError(f"missing initial value for parameter {name!r} (required by the model)")
        values, lower, upper = {}, {}, {}
        for name in model_parameters:
            if name in initial:
                values[name] = _number(f"initial[{name!r}]", initial[name], "a finite number (not bool or text)")
            elif name in defaults:
                values[name] = float(defaults[name])
            else:
                values[name] = math.nan  # tied
            lo, hi = bounds.get(name, (None, None)) if name in bounds else (None, None)
            if name in bounds:
                b = bounds[name]
                allowed = "a pair (lower, upper) of numbers, lower < upper (None or ±inf for an open side)"
                if not (isinstance(b, (tuple, list)) and len(b) == 2):
                    raise fail(f"bounds[{name!r}]", b, allowed)
                lo, hi = (None if v is None else _number(f"bounds[{name!r}]", v, allowed, finite=False) for v in b)
            lo = -math.inf if lo is None else lo
            hi = math.inf if hi is None else hi
            if not lo < hi:
                raise ValueError(f"bounds[{name!r}] = ({lo}, {hi}) is not allowed: lower must be < upper")
            lower[name], upper[name] = lo, hi
        free = tuple(n for n in model_parameters
                     if n in initial and n not in fixed and n not in ties)
        for name in free:
            v = values[name]
            if not math.isfinite(v):
                raise ValueError(f"initial[{name!r}] = {v!r} is not allowed: give a finite number")
            if not lower[name] < v < upper[name]:
                raise ValueError(f"initial[{name!r}] = {v!r} is outside its bounds ({lower[name]}, {upper[name]}): "
                                 "the start must lie strictly inside")
        for name in model_parameters:
            if name not in free and name not in ties and not (lower[name] <= values[name] <= upper[name]):
                raise ValueError(f"fixed parameter {name!r} = {values[name]!r} is outside its bounds "
                                 f"({lower[name]}, {upper[name]})")
        if not free:
            raise ValueError("no free parameters: every parameter is fixed or tied")
        return cls(tuple(model_parameters), values, lower, upper, free, ties)

    # -- transforms --------------------------------------------------------------------
    def to_internal(self, physical: Mapping) -> np.ndarray:
        """Physical values of the free parameters → unbounded internal u."""
        out = []
        for n in self.free:
            p, lo, hi = float(physical[n]), self.lower[n], self.upper[n]
            if math.isfinite(lo) and math.isfinite(hi):
                s = (p - lo) / (hi - lo)
                out.append(math.log(s / (1 - s)))
            elif math.isfinite(lo):
                out.append(_softplus_inv(p - lo))
            elif math.isfinite(hi):
                out.append(_softplus_inv(hi - p))
            else:
                out.append(p)
        return np.asarray(out, dtype=float)

    def to_physical(self, u: Float[Array, " n_free"]) -> Float[Array, " n_free"]:
        """Internal u → physical free values (traceable)."""
        out = []
        for i, n in enumerate(self.free):
            lo, hi = self.lower[n], self.upper[n]
            if math.isfinite(lo) and math.isfinite(hi):
                out.append(lo + (hi - lo) * jax.nn.sigmoid(u[i]))
            elif math.isfinite(lo):
                out.append(lo + jax.nn.softplus(u[i]))
            elif math.isfinite(hi):
                out.append(hi - jax.nn.softplus(u[i]))
            else:
                out.append(u[i])
        return jnp.stack(out)

    @property
    def held(self) -> tuple:
        """Names neither free nor tied (fixed at their value)."""
        return tuple(n for n in self.names if n not in self.free and n not in self.ties)

    def key(self) -> tuple:
        """Hashable structure (everything but the values): equal keys reuse compiled residuals."""
        return (self.names, tuple(self.lower[n] for n in self.names), tuple(self.upper[n] for n in self.names),
                self.free, tuple(sorted(self.ties.items())))

    def full(self, free_physical: Float[Array, " n_free"], held_values=None) -> dict:
        """All parameter values (free from the vector, held, tied) as a dict of scalars.

        ``held_values`` (in the order of :attr:`held`) overrides the stored values, so compiled
        residuals can take them as arguments instead of baking them in.
        """
        if held_values is None:
            held_values = [self.values[n] for n in self.held]
        vals = {n: jnp.asarray(v, dtype=float) for n, v in zip(self.held, held_values)}
        for i, n in enumerate(self.free):
            vals[n] = free_physical[i]
        for n, (src, factor) in self.ties.items():
            vals[n] = factor * vals[src]
        return vals



def _base(name):
    """``"gap[3]"`` → ``"gap"`` (the model parameter behind a per-data-set copy)."""
    return name.split("[")[0]
