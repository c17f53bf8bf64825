"""The sliding-window counter behind every rate limit (posts, edits, flags, removal requests)."""

import pytest

from core import ratelimit


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = 1_000_000 * 60.0  # the start of a minute

    monkeypatch.setattr(ratelimit.time, "time", lambda: Clock.now)
    return Clock


def test_counts_each_action_within_the_period(clock):
    assert ratelimit.count_recent("k") == 1
    clock.now += 10
    assert ratelimit.count_recent("k") == 2


def test_a_minute_boundary_does_not_reset_the_count(clock):
    clock.now += 59.9
    assert ratelimit.count_recent("k") == 1
    clock.now += 0.2  # the next minute has begun, but only 0.2 s have passed

    assert ratelimit.count_recent("k") > 1.99


def test_actions_older_than_the_period_stop_counting(clock):
    ratelimit.count_recent("k")
    clock.now += 30
    assert ratelimit.count_recent("k") == 2
    clock.now += 60  # halfway through the next minute: the first minute weighs half

    assert ratelimit.count_recent("k") == pytest.approx(2.0)
    clock.now += 60

    assert ratelimit.count_recent("k") == pytest.approx(1.5)


def test_keys_and_periods_are_counted_apart(clock):
    ratelimit.count_recent("a")
    ratelimit.count_recent("a", period=3600)

    assert ratelimit.count_recent("b") == 1
    assert ratelimit.count_recent("a", period=3600) == 2


def test_recent_reads_the_count_without_counting(clock):
    assert ratelimit.recent("k") == 0
    ratelimit.count_recent("k")
    clock.now += 90  # halfway through the next minute

    assert ratelimit.recent("k") == pytest.approx(0.5)
    assert ratelimit.recent("k") == pytest.approx(0.5)
    assert ratelimit.count_recent("k") == pytest.approx(1.5)
