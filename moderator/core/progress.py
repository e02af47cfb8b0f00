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
