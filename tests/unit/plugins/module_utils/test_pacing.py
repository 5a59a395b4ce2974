# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import heapq
import threading

import pytest

from ansible_collections.alicloud.bastionhost.plugins.module_utils.pacing import (
    AdaptiveRateLimiter,
    CircuitBreaker,
    EndpointUnavailable,
    Pacing,
    is_endpoint_gone,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.retry import (
    Backoff,
    call_with_retry,
    is_retryable_error,
    may_have_been_applied,
    write_with_read_back,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.errors import describe_error


class Clock:
    def __init__(self, now=100.0):
        self.now = now

    def __call__(self):
        return self.now


def sends(limiter, count, now=0.0):
    """The send times of ``count`` calls asked for at ``now`` one after the other."""
    return [now + limiter.reserve(now) for _i in range(count)]


def test_no_limit_until_the_first_throttling():
    limiter = AdaptiveRateLimiter()
    assert sends(limiter, 500) == [0.0] * 500
    assert limiter.rate(0.0) is None


def test_a_cap_allows_that_many_calls_in_any_second():
    limiter = AdaptiveRateLimiter(max_rate=10)
    times = sends(limiter, 35)
    assert times[:10] == [0.0] * 10
    assert times[10:20] == [1.0] * 10 and times[30:] == [3.0] * 5
    for start in times:
        assert sum(1 for t in times if start <= t < start + 1.0) <= 10


def test_a_rate_below_one_spaces_the_calls():
    limiter = AdaptiveRateLimiter(max_rate=0.5)
    assert sends(limiter, 3) == [0.0, 2.0, 4.0]


def test_throttling_cuts_the_rate_to_what_got_through():
    limiter = AdaptiveRateLimiter()
    for t in [i * 0.01 for i in range(50)]:
        limiter.reserve(t)
        limiter.on_success(t)
    limiter.on_throttle(sent=0.5, now=0.52)
    assert limiter.w_max == 50
    assert limiter.rate(0.52) == pytest.approx(50 * AdaptiveRateLimiter.BETA)


def test_the_rate_grows_back_along_a_cubic_that_flattens_at_the_old_level_then_probes_above():
    limiter = AdaptiveRateLimiter()
    for t in [i * 0.02 for i in range(20)]:
        limiter.on_success(t)
    limiter.on_throttle(sent=0.39, now=0.4)
    rates = [limiter.rate(0.4 + s) for s in range(0, 12)]
    assert rates == sorted(rates), "never slower while calls succeed"
    back = ((1 - AdaptiveRateLimiter.BETA) / AdaptiveRateLimiter.SCALE) ** (1.0 / 3)
    assert limiter.rate(0.4 + back) == pytest.approx(20)
    # flat around the old level, then growing faster and faster
    assert limiter.rate(0.4 + back + 1) - 20 < 0.1
    assert limiter.rate(0.4 + back + 8) > 30


def test_calls_sent_before_a_cut_do_not_cut_again():
    limiter = AdaptiveRateLimiter()
    for t in [i * 0.01 for i in range(40)]:
        limiter.on_success(t)
    limiter.on_throttle(sent=0.40, now=0.42)
    first = limiter.rate(0.42)
    for _in_flight in range(8):
        limiter.on_throttle(sent=0.41, now=0.43)
    assert limiter.rate(0.42) == first
    limiter.on_throttle(sent=0.50, now=0.52)   # sent after the cut: the limit is lower than thought
    assert limiter.rate(0.52) < first


def test_retry_after_holds_the_action():
    limiter = AdaptiveRateLimiter()
    limiter.on_throttle(sent=1.0, now=1.0, retry_after=2.5)
    assert limiter.reserve(1.0) == pytest.approx(2.5)


def test_the_cap_bounds_the_learnt_rate():
    limiter = AdaptiveRateLimiter(max_rate=5)
    for t in [i * 0.01 for i in range(30)]:
        limiter.on_success(t)
    limiter.on_throttle(sent=0.3, now=0.3)
    assert limiter.rate(100.0) == 5


class FixedWindowService:
    """A service allowing ``qps`` calls of an action per whole second, as the emulator does."""

    def __init__(self, qps):
        self.qps = qps
        self.windows = {}

    def answer(self, arrival):
        second = int(arrival)
        self.windows[second] = self.windows.get(second, 0) + 1
        return self.windows[second] <= self.qps


def simulate(qps, writes, workers=8, latency=0.02):
    """``writes`` calls by ``workers`` threads through one limiter, on a simulated clock: (seconds, throttled)."""
    limiter, service = AdaptiveRateLimiter(), FixedWindowService(qps)
    events, remaining, throttled, end = [], writes, 0, 0.0
    for worker in range(workers):
        heapq.heappush(events, (0.3, worker, None))
    while events:
        now, worker, sent = heapq.heappop(events)
        if sent is not None:
            if service.answer(now):
                limiter.on_success(sent)
                end = now
            else:
                throttled += 1
                limiter.on_throttle(sent, now)
                send = now + limiter.reserve(now)
                heapq.heappush(events, (send + latency, worker, send))
                continue
        if remaining:
            remaining -= 1
            send = now + limiter.reserve(now)
            heapq.heappush(events, (send + latency, worker, send))
    return end - 0.3, throttled


@pytest.mark.parametrize("qps,writes", [(50, 1000), (10, 400)])
def test_writes_run_close_to_the_limit_with_few_throttled(qps, writes):
    seconds, throttled = simulate(qps, writes)
    assert seconds <= 1.1 * writes / qps
    assert throttled <= 0.05 * writes


def test_pacing_shares_one_limiter_per_account_product_and_action():
    pacing = Pacing()
    assert pacing.limiter("bastionhost", "create_host") is pacing.limiter("bastionhost", "create_host")
    assert pacing.limiter("bastionhost", "create_host") is not pacing.limiter("bastionhost", "create_database")
    assert pacing.limiter("ecs", "describe_instances", "1") is pacing.limiter("ecs", "describe_instances", "1")
    assert pacing.limiter("ecs", "describe_instances", "1") is not pacing.limiter("ecs", "describe_instances", "2")
    assert pacing.limiter("ecs", "describe_instances") is not pacing.limiter("ecs", "describe_instances", "1")


def test_a_members_throttling_slows_only_its_own_quota(api_error):
    clock = Clock(10.0)
    pacing = Pacing(clock=clock)
    for _i in range(10):
        pacing.before("ecs", "describe_instances", "1")
        pacing.after("ecs", "describe_instances", clock.now, account="1")
    pacing.after("ecs", "describe_instances", clock.now, api_error("Throttling.User"), "1")
    assert pacing.limiter("ecs", "describe_instances", "1").rate(clock.now) == pytest.approx(
        10 * AdaptiveRateLimiter.BETA)
    assert pacing.limiter("ecs", "describe_instances", "2").rate(clock.now) is None
    assert pacing.limiter("ecs", "describe_instances").rate(clock.now) is None


def test_pacing_learns_from_throttling_answers(api_error):
    clock = Clock(10.0)
    pacing = Pacing(clock=clock)
    for _i in range(20):
        pacing.before("bastionhost", "create_host")
        pacing.after("bastionhost", "create_host", clock.now)
    pacing.after("bastionhost", "create_host", clock.now, api_error("Throttling.User"))
    assert pacing.limiter("bastionhost", "create_host").rate(clock.now) == pytest.approx(
        20 * AdaptiveRateLimiter.BETA)
    assert pacing.limiter("bastionhost", "create_database").rate(clock.now) is None


# --- circuit breaker ----------------------------------------------------------------------

def test_refused_and_timed_out_calls_are_an_endpoint_gone(connection_error):
    assert is_endpoint_gone(connection_error(
        "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded (Caused by NewConnectionError("
        "'<urllib3.connection.HTTPConnection>: Failed to establish a new connection: [Errno 111] Connection refused'))"))
    assert is_endpoint_gone(connection_error("HTTPConnectionPool(host='h', port=80): Read timed out. (read timeout=10)"))
    assert not is_endpoint_gone(connection_error("('Connection aborted.', RemoteDisconnected('Remote end closed'))"))
    assert not is_endpoint_gone(ValueError("Connection refused"))


def test_the_breaker_opens_after_calls_in_a_row_find_no_endpoint(api_error, connection_error):
    gone = connection_error("[Errno 111] Connection refused")
    breaker = CircuitBreaker(threshold=3)
    breaker.record(gone)
    breaker.record(gone)
    breaker.record(None)                    # an answer: the endpoint is there
    breaker.record(gone)
    breaker.record(api_error("Throttling.User"))
    breaker.record(gone)
    assert not breaker.is_open
    breaker.record(connection_error("Connection reset by peer"))   # neither counts nor resets
    breaker.record(gone)
    breaker.check()
    breaker.record(gone)
    assert breaker.is_open
    with pytest.raises(EndpointUnavailable) as raised:
        breaker.check()
    assert raised.value.inner_exception is gone


def test_an_open_breaker_stops_retries_and_writes_at_once(connection_error):
    gone = connection_error("HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded (Caused by "
                            "NewConnectionError('x: Failed to establish a new connection: [Errno 111] Connection "
                            "refused'))")
    pacing = Pacing(breaker=CircuitBreaker(threshold=2))
    calls = []

    def refused():
        pacing.before("bastionhost", "list_hosts")
        calls.append(1)
        pacing.after("bastionhost", "list_hosts", pacing.clock(), gone)
        raise gone

    with pytest.raises(EndpointUnavailable) as raised:
        call_with_retry(refused, Backoff(delay=0.001), pacing)
    assert len(calls) == 2
    error = raised.value
    assert not is_retryable_error(error) and not may_have_been_applied(error)
    message = describe_error(error, "failed to import ecs i-1")[0]
    assert "cannot connect to 127.0.0.1:9 (Connection refused)" in message
    assert "Check endpoint_url/endpoints and network" in message
    write_calls = []
    with pytest.raises(EndpointUnavailable):
        write_with_read_back(lambda: write_calls.append(1) or pacing.before("bastionhost", "create_host"),
                             lambda: None, Backoff(), pacing)


def test_sleeps_end_when_the_breaker_opens(connection_error):
    breaker = CircuitBreaker(threshold=1)
    opener = threading.Timer(0.05, breaker.record, [connection_error("Connection refused")])
    opener.start()
    clock = __import__("time").monotonic
    started = clock()
    breaker.sleep(30)
    assert clock() - started < 5


READ_TIMEOUT = "HTTPConnectionPool(host='127.0.0.1', port=9): Read timed out. (read timeout=10.0)"


def test_the_breaker_opens_when_calls_in_a_row_went_unanswered_for_its_silence(connection_error):
    """An endpoint that accepts connections and never answers costs a read timeout a call: the breaker opens
    after ``silence`` seconds of that, counted from the first call's send, whatever the count."""
    clock = Clock(0.0)
    breaker = CircuitBreaker(threshold=5, silence=30.0, clock=clock)
    timeout = connection_error(READ_TIMEOUT)
    for sent in (0.0, 10.5, 21.0):
        clock.now = sent + 10.0
        breaker.record(timeout, sent)
    assert breaker.is_open and breaker.failures == 3
    with pytest.raises(EndpointUnavailable) as raised:
        breaker.check()
    assert (raised.value.failures, raised.value.seconds, raised.value.inner_exception) == (3, 31.0, timeout)


def test_an_answer_starts_the_silence_again(connection_error):
    clock = Clock(0.0)
    breaker = CircuitBreaker(threshold=5, silence=30.0, clock=clock)
    timeout = connection_error(READ_TIMEOUT)
    clock.now = 10.0
    breaker.record(timeout, 0.0)
    clock.now = 20.0
    breaker.record(None, 19.0)
    clock.now = 45.0
    breaker.record(timeout, 35.0)
    assert not breaker.is_open, 'the silence runs from the first unanswered call after the answer'
    clock.now = 65.0
    breaker.record(timeout, 55.0)
    assert breaker.is_open and breaker.seconds == 30.0


def test_pacing_hands_the_send_time_to_the_breaker(connection_error):
    clock = Clock(0.0)
    pacing = Pacing(clock=clock)
    assert pacing.breaker.clock is clock
    clock.now = 10.0
    pacing.after("bastionhost", "list_hosts", 0.0, connection_error(READ_TIMEOUT))
    clock.now = 30.0
    pacing.after("bastionhost", "list_hosts", 20.0, connection_error(READ_TIMEOUT))
    assert pacing.breaker.is_open and pacing.breaker.seconds == 30.0
