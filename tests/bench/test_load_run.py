"""The load run's helpers: CPU accounting over changing processes, member cookies, ratios."""

import importlib.util
import os
import time
from pathlib import Path

import pytest

from tests.factories import UserFactory

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "load_run.py"
spec = importlib.util.spec_from_file_location("load_run", SCRIPT)
load_run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load_run)


def test_cpu_of_processes_alive_throughout_is_their_difference():
    assert load_run.cpu_used({1: 2.0, 2: 5.0}, {1: 2.5, 2: 6.0}, {1: 3.0, 2: 6.5}) == 2.5


def test_a_process_born_during_the_run_counts_from_zero():
    assert load_run.cpu_used({1: 2.0, 3: 0.0}, {1: 2.0, 3: 0.4}, {1: 2.0, 3: 0.5}) == 0.5


def test_a_recycled_worker_counts_whole_through_the_masters_reaped_total():
    # Worker 1 had 2.0 s at the start and exited with 2.7 s (0.1 s after its last sample);
    # the master reaped it, so its reaped-children CPU grew by 2.7 s.
    first, last, final = {1: 2.0, 2: 0.0}, {1: 2.6, 2: 0.3}, {2: 0.3}
    assert load_run.cpu_used(first, last, final, reaped=2.7) == pytest.approx(0.7 + 0.3)
    # Without the parent's total (database backends) it counts up to its last sample.
    assert load_run.cpu_used(first, last, final) == pytest.approx(0.6 + 0.3)


def test_cpu_meter_rereads_the_process_list_while_it_runs():
    listed = []

    def list_pids():
        listed.append(time.monotonic())
        return [os.getpid()]

    with load_run.CpuMeter(list_pids, every=0.05) as meter:
        end = time.process_time() + 0.2
        while time.process_time() < end:
            pass
    assert len(listed) >= 3  # first sample, samples during the run, final sample
    assert meter.seconds >= 0.15


def test_ratios_compare_with_the_trivial_view_of_the_same_visitor_and_cache_state():
    def result(name, visitor, state, rps):
        return load_run.Result(name=name, path="/", visitor=visitor, page_cache=state, rps=rps)

    results = [
        result("trivial view", "anonymous", "off", 1000.0),
        result("home", "anonymous", "off", 500.0),
        result("trivial view", "member", "off", 800.0),
        result("home", "member", "off", 80.0),
        result("home", "member", "on", 80.0),  # no trivial view measured in that state
        result("board page", "member", "off", None),
    ]
    assert load_run.ratios(results) == {0: 1.0, 1: 0.5, 2: 1.0, 3: 0.1, 4: None, 5: None}


@pytest.mark.django_db(transaction=True)
def test_the_member_cookie_is_a_real_session_that_signs_in(live_server):
    member = UserFactory()
    cookie = load_run.session_cookie(member)
    assert load_run.signed_in(live_server.url, cookie)
    assert not load_run.signed_in(live_server.url, "sessionid=forged")
