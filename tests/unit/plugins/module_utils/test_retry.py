# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import random

import pytest
import requests

from ansible_collections.alicloud.bastionhost.plugins.module_utils.retry import (
    Backoff,
    call_with_retry,
    is_retryable_error,
    retry_after_seconds,
    write_with_read_back,
)


def upper_bound(low, high):
    return high


class Flaky:
    """Raises the given errors in turn, then returns "ok"."""

    def __init__(self, *errors):
        self.errors = list(errors)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


@pytest.mark.parametrize("code,status", [
    ("Throttling", 400),
    ("Throttling.User", 400),
    ("Throttling.Api", 400),
    ("ServiceUnavailable", 503),
    ("InternalError", 500),
    ("SomethingNew", 502),
])
def test_throttling_and_server_errors_are_retryable(api_error, code, status):
    assert is_retryable_error(api_error(code, status)) is True


@pytest.mark.parametrize("code,status", [
    ("Forbidden.RAM", 403),
    ("InvalidAccessKeyId.NotFound", 404),
    ("SignatureDoesNotMatch", 400),
    ("InvalidParameter", 400),
    ("OBJECT_NOT_FOUND", 404),
    ("OperationDenied.EditionNotSupported", 400),
])
def test_other_client_errors_are_not_retryable(api_error, code, status):
    assert is_retryable_error(api_error(code, status)) is False


def test_connection_errors_are_retryable(connection_error):
    assert is_retryable_error(connection_error("Connection refused")) is True
    assert is_retryable_error(requests.exceptions.ConnectionError("reset")) is True
    assert is_retryable_error(ValueError("bad input")) is False


def test_delays_grow_exponentially_up_to_the_cap():
    backoff = Backoff(tries=7, delay=1.0, max_delay=10.0, uniform=upper_bound)
    assert [backoff.delay_before(retry) for retry in range(backoff.tries - 1)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_full_jitter_stays_between_zero_and_the_ceiling():
    backoff = Backoff(tries=8, delay=0.5, max_delay=4.0, uniform=random.Random(7).uniform)
    ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]
    for _round in range(50):
        delays = [backoff.delay_before(retry) for retry in range(backoff.tries - 1)]
        assert len(delays) == len(ceilings)
        assert all(0.0 <= delay <= ceiling for delay, ceiling in zip(delays, ceilings))
    assert len(set(backoff.delay_before(retry) for retry in range(backoff.tries - 1))) > 1, "delays must be randomised"


def test_retries_transient_errors_then_returns(api_error, sleep):
    func = Flaky(api_error("Throttling.User"), api_error("ServiceUnavailable", 503))
    result = call_with_retry(func, Backoff(tries=5, delay=1.0, sleep=sleep, uniform=upper_bound))
    assert result == "ok"
    assert func.calls == 3
    assert sleep.calls == [1.0, 2.0]


def test_gives_up_after_the_last_try(api_error, sleep):
    func = Flaky(*[api_error("ServiceUnavailable", 503) for _i in range(10)])
    with pytest.raises(Exception) as raised:
        call_with_retry(func, Backoff(tries=4, sleep=sleep))
    assert raised.value.code == "ServiceUnavailable"
    assert func.calls == 4
    assert len(sleep.calls) == 3


def test_throttling_is_retried_until_its_time_budget_is_spent(api_error, sleep):
    func = Flaky(*[api_error("Throttling.User") for _i in range(100)])
    backoff = Backoff(tries=2, delay=1.0, max_delay=4.0, throttle_budget=20.0, sleep=sleep, uniform=upper_bound)
    with pytest.raises(Exception) as raised:
        call_with_retry(func, backoff)
    assert raised.value.code == "Throttling.User"
    # 1 + 2 + 4 + 4 + 4 + 4 + 4 = 23 seconds: the budget of 20 is spent after 7 waits.
    assert sleep.calls == [1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    assert func.calls == 8


def test_throttling_does_not_use_up_the_tries_of_other_errors(api_error, sleep):
    errors = [api_error("Throttling.User")] * 8 + [api_error("ServiceUnavailable", 503)]
    func = Flaky(*errors)
    assert call_with_retry(func, Backoff(tries=2, sleep=sleep)) == "ok"
    assert func.calls == 10


def test_non_retryable_error_is_raised_at_once(api_error, sleep):
    func = Flaky(api_error("Forbidden.RAM", 403))
    with pytest.raises(Exception) as raised:
        call_with_retry(func, Backoff(tries=5, sleep=sleep))
    assert raised.value.code == "Forbidden.RAM"
    assert func.calls == 1
    assert sleep.calls == []


def test_server_retry_after_raises_the_wait_within_the_cap(api_error, sleep):
    func = Flaky(api_error("Throttling.Api", retry_after=3000), api_error("Throttling.Api", retry_after=90000))
    call_with_retry(func, Backoff(tries=3, delay=0.1, max_delay=20.0, sleep=sleep, uniform=upper_bound))
    assert sleep.calls == [3.0, 20.0]


def test_retry_after_is_read_in_milliseconds(api_error):
    assert retry_after_seconds(api_error("Throttling", retry_after=1500)) == 1.5
    assert retry_after_seconds(api_error("Throttling")) is None


def test_single_try_never_sleeps(api_error, sleep):
    func = Flaky(api_error("ServiceUnavailable", 503))
    with pytest.raises(Exception):
        call_with_retry(func, Backoff(tries=1, sleep=sleep))
    assert func.calls == 1
    assert sleep.calls == []


# --- writes that must not be repeated blindly ---------------------------------------------

class ReadBack:
    """Answers the read-backs in turn."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_a_write_that_was_applied_before_its_answer_was_lost_is_not_repeated(api_error, sleep):
    write, read_back = Flaky(api_error("ServiceUnavailable", 503)), ReadBack({"HostId": "7"})
    assert write_with_read_back(write, read_back, Backoff(sleep=sleep, uniform=upper_bound)) == {"HostId": "7"}
    assert (write.calls, read_back.calls) == (1, 1)


def test_a_write_that_was_not_applied_is_tried_again(connection_error, sleep):
    write, read_back = Flaky(connection_error("Connection reset by peer")), ReadBack(None)
    assert write_with_read_back(write, read_back, Backoff(sleep=sleep, uniform=upper_bound)) == "ok"
    assert (write.calls, read_back.calls) == (2, 1)


def test_a_write_whose_read_back_fails_is_never_repeated(api_error, connection_error, sleep):
    gone = connection_error("Connection refused")
    write = Flaky(api_error("ServiceUnavailable", 503))
    read_back = ReadBack(gone)
    with pytest.raises(Exception) as raised:
        write_with_read_back(write, read_back, Backoff(tries=6, sleep=sleep, uniform=upper_bound))
    assert raised.value is gone and (write.calls, read_back.calls) == (1, 1)


def test_a_throttled_or_refused_write_is_never_read_back(api_error, sleep):
    write, read_back = Flaky(api_error("Rejected.Throttling", 400)), ReadBack()
    assert write_with_read_back(write, read_back, Backoff(sleep=sleep, uniform=upper_bound)) == "ok"
    refused = Flaky(api_error("InvalidParameter", 400))
    with pytest.raises(Exception):
        write_with_read_back(refused, read_back, Backoff(sleep=sleep, uniform=upper_bound))
    assert (write.calls, refused.calls, read_back.calls) == (2, 1, 0)


# --- an endpoint that never answers -------------------------------------------------------

def test_a_read_timeout_is_retried_only_until_the_circuit_breaker_gives_up(connection_error):
    """Each call to an endpoint that accepts the connection and never answers costs the read timeout (10 s):
    the breaker's silence (30 s) ends the retries after three calls, not after six tries (60 s and more)."""
    from ansible_collections.alicloud.bastionhost.plugins.module_utils.pacing import EndpointUnavailable, Pacing

    now = [0.0]
    pacing = Pacing(clock=lambda: now[0])
    calls = []

    def silent():
        pacing.before("bastionhost", "describe_instances")
        sent = pacing.clock()
        now[0] += 10.0
        calls.append(sent)
        error = connection_error("HTTPConnectionPool(host='127.0.0.1', port=9): Read timed out. (read timeout=10.0)")
        pacing.after("bastionhost", "describe_instances", sent, error)
        raise error

    with pytest.raises(EndpointUnavailable) as raised:
        call_with_retry(silent, Backoff(tries=6, delay=0.001), pacing)
    assert calls == [0.0, 10.0, 20.0] and now[0] == 30.0
    assert (raised.value.failures, raised.value.seconds) == (3, 30.0)
    assert is_retryable_error(connection_error("Read timed out. (read timeout=10.0)")), 'one timeout is worth a retry'
