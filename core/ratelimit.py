"""Counting a member's (or an address's) recent actions, shared by every rate limit.

A sliding window: the current period's count plus the previous period's, weighted by how much of
it still lies within one period of now. Fixed windows would let twice the limit through across a
boundary, and would refuse or allow the same two actions depending on where the clock stands.
The counters live in the Django cache, so with a shared cache (Redis) a limit holds across
workers: `add` creates a period's counter atomically and `incr` increments it atomically.
"""

import time

from django.core.cache import cache


def count_recent(key: str, period: int = 60) -> float:
    """Count one more action under `key` and return the actions within the last `period` seconds."""
    window, elapsed = divmod(time.time(), period)
    current_key = f"{key}:{period}:{int(window)}"
    cache.add(current_key, 0, timeout=2 * period)
    try:
        current = cache.incr(current_key)
    except ValueError:  # expired between add and incr
        cache.add(current_key, 1, timeout=2 * period)
        current = 1
    return current + _previous(key, period, window, elapsed)


def recent(key: str, period: int = 60) -> float:
    """The actions within the last `period` seconds under `key`, counting none: for a check made
    before several actions at once (each then counted with `count_recent` as it happens)."""
    window, elapsed = divmod(time.time(), period)
    current = cache.get(f"{key}:{period}:{int(window)}", 0)
    return current + _previous(key, period, window, elapsed)


def _previous(key: str, period: int, window: float, elapsed: float) -> float:
    """The previous period's count, weighted by how much of it lies within one period of now."""
    previous = cache.get(f"{key}:{period}:{int(window) - 1}", 0)
    return previous * (1 - elapsed / period)
