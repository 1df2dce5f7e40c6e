"""Progress of a sweep: a tqdm bar over the points still to compute, with rate and ETA, plus
messages (plan, resume, damaged chunks, summary) on stderr; everything also goes to the
``jaxhiggs.sweep`` logger, so a batch job can log progress without the bar.

The first chunk includes the compilation; the ETA of the log lines leaves it out (mean wall
time of the later chunks), tqdm's bar smooths it away over a few chunks.
"""

from __future__ import annotations

import logging
import sys

import numpy as np

log = logging.getLogger("jaxhiggs.sweep")


class Progress:
    """``progress = Progress(enabled)``: ``progress.say(text)``, then ``start(n_points, n_chunks)``,
    ``chunk(...)`` after every computed chunk and ``close()``.  Disabled: log only, nothing printed."""

    def __init__(self, enabled: bool):
        self.enabled = bool(enabled)
        self.bar = None
        self.walls: list[float] = []
        self.n_chunks = 0

    def say(self, message: str) -> None:
        log.info(message)
        if self.enabled:
            from tqdm import tqdm

            tqdm.write(f"jaxhiggs.sweep: {message}", file=sys.stderr)

    def start(self, n_points: int, n_chunks: int) -> None:
        """``n_points`` in ``n_chunks`` chunks are about to be computed."""
        self.n_chunks, self.walls = n_chunks, []
        if self.enabled and n_chunks:
            from tqdm import tqdm

            self.bar = tqdm(total=n_points, unit="point", desc="jaxhiggs.sweep", file=sys.stderr, dynamic_ncols=True)

    def chunk(self, index: int, total_chunks: int, points: int, wall: float, steps: np.ndarray, failed: int) -> float:
        """Record a computed chunk; returns the ETA in s of the remaining chunks (compilation excluded)."""
        self.walls.append(wall)
        steady = self.walls[1:] or self.walls  # the first chunk includes compilation
        eta = float(np.mean(steady)) * (self.n_chunks - len(self.walls))
        first = " (incl. compilation)" if len(self.walls) == 1 else ""
        log.info(f"chunk {index + 1}/{total_chunks}: {points} points, {wall:.2f} s{first}, steps max {steps.max()} "
                 f"mean {steps.mean():.0f}, {failed} failed | {len(self.walls)} of {self.n_chunks} chunk(s) to compute done, "
                 f"ETA {eta:.0f} s")
        if self.bar is not None:
            self.bar.set_postfix_str(f"chunk {index + 1}/{total_chunks}, steps ≤ {steps.max()}, {failed} failed",
                                     refresh=False)
            self.bar.update(points)
        return eta

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


__all__ = ["Progress"]
