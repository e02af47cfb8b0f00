"""Long work reports progress and checks for cancel through two plain callables, never a Qt object.

``progress(fraction)`` takes 0..1; ``cancelled()`` says whether the user asked to stop, and the work
then raises its own "cancelled" error at the next safe point (nothing half-written is kept).
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[float], None]
Cancelled = Callable[[], bool]


def scaled(progress: Progress | None, index: int, count: int) -> Progress:
    """Progress of part ``index`` of ``count`` equal parts, reported as a fraction of the whole."""

    def report(fraction: float) -> None:
        if progress is not None:
            progress((index + min(max(fraction, 0.0), 1.0)) / count)

    return report


class Stepped:
    """``progress(start + share * done / total)``, called about ``steps`` times over the whole count rather
    than once per item (a million rows): ``report(done)`` after each item."""

    def __init__(self, progress: Progress | None, total: int, start: float = 0.0, share: float = 1.0, steps: int = 50):
        self.progress, self.total, self.start, self.share = progress, max(1, total), start, share
        self.step = max(1, self.total // steps)
        self.next = self.step

    def __call__(self, done: int) -> None:
        if self.progress is not None and done >= self.next:
            self.progress(self.start + self.share * min(1.0, done / self.total))
            self.next = done + self.step
