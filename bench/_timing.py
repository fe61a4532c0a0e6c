"""Timing helpers shared by the benchmark modules."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_time(fn: Callable[[], object], *, repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeat`` runs, after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def row(benchmark: str, ours_s: float, peer: str, peer_s: float, agreement: str = "") -> dict:
    """One line of the benchmark table; ``ratio`` > 1 means mlelib/course is faster."""
    return {
        "benchmark": benchmark,
        "ours_s": ours_s,
        "peer": peer,
        "peer_s": peer_s,
        "ratio": peer_s / ours_s if ours_s > 0 else float("inf"),
        "agreement": agreement,
    }
