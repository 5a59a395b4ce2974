# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Retries with capped, fully jittered exponential backoff.

``Backoff`` knows nothing about Alibaba Cloud: it runs a callable and retries it when a
``should_retry(exc)`` predicate says so.  ``is_retryable_error`` and ``retry_after_seconds``
hold the Alibaba Cloud rules: throttling, ``ServiceUnavailable``/``InternalError``, HTTP 5xx
and connection errors are retried; every other error (all other 4xx) is raised at once.

Retries are opted into per call (``AlicloudClient.call(..., retry=True)`` in client.py), so a
non-idempotent write is never retried blindly.
"""

from __future__ import annotations

import random
import time

RETRYABLE_CODE_PREFIXES = ("Throttling", "Rejected.Throttling", "ServiceUnavailable", "InternalError")
# darabonba's RetryError (what it raises for any IOError of requests) and requests' own
# network errors, matched by name so this file needs no third-party import.
CONNECTION_ERROR_NAMES = frozenset(("RetryError", "ConnectionError", "ConnectTimeout", "ReadTimeout", "Timeout"))


class Backoff:
    """Retry policy with full jitter: before retry ``n`` it sleeps a random time in
    ``[0, min(delay * factor ** n, max_delay)]``.

    Errors get ``tries`` attempts in all, except throttling: a throttled request was not
    processed and only needs time, so it is retried until ``throttle_budget`` seconds of
    waiting are spent."""

    def __init__(self, tries=6, delay=1.0, max_delay=30.0, factor=2.0, throttle_budget=300.0,
                 sleep=time.sleep, uniform=random.uniform):
        self.tries = max(1, tries)
        self.delay = delay
        self.max_delay = max_delay
        self.factor = factor
        self.throttle_budget = throttle_budget
        self.sleep = sleep
        self.uniform = uniform

    def delay_before(self, retry):
        """The jittered sleep before retry number ``retry`` (0 for the first retry)."""
        return self.uniform(0.0, min(self.delay * self.factor ** retry, self.max_delay))

    def run(self, func, should_retry, min_wait=None, is_throttled=None, pacing=None):
        """Return ``func()``, retrying while ``should_retry(exc)`` is true and the policy allows.

        ``min_wait(exc)`` may return a number of seconds the server asked us to wait; it
        raises the jittered delay (still capped by ``max_delay``). ``is_throttled(exc)``
        marks the errors retried on ``throttle_budget`` rather than on ``tries``.

        With ``pacing`` (pacing.Pacing, which ``func`` goes through), a throttled call is tried
        again at once: the action's rate limiter spaces it, and the budget is wall-clock time.
        Sleeps end early when its circuit breaker opens."""
        failures = 0
        retries = 0
        throttled_wait = 0.0
        first_throttle = None
        sleep = pacing.sleep if pacing is not None else self.sleep
        while True:
            try:
                return func()
            except Exception as exc:
                if not should_retry(exc):
                    raise
                throttled = bool(is_throttled and is_throttled(exc))
                if throttled and pacing is not None:
                    now = pacing.clock()
                    first_throttle = now if first_throttle is None else first_throttle
                    if now - first_throttle >= self.throttle_budget:
                        raise
                    continue
                if throttled and throttled_wait >= self.throttle_budget:
                    raise
                if not throttled:
                    failures += 1
                    if failures >= self.tries:
                        raise
                wait = self.delay_before(min(retries, 32))
                hint = min_wait(exc) if min_wait else None
                if hint:
                    wait = min(max(wait, hint), self.max_delay)
                retries += 1
                if throttled:
                    throttled_wait += wait
                sleep(wait)


def is_connection_error(exc):
    """True when the request never got an HTTP answer (refused, reset, timed out, DNS)."""
    inner = getattr(exc, "inner_exception", None)  # darabonba UnretryableException
    if inner is not None:
        return is_connection_error(inner)
    return type(exc).__name__ in CONNECTION_ERROR_NAMES or isinstance(exc, (ConnectionError, TimeoutError))


def status_code_of(exc):
    """The HTTP status of an SDK response error, or None."""
    status = getattr(exc, "status_code", None) or getattr(exc, "statusCode", None)
    try:
        return int(status)
    except (TypeError, ValueError):
        return None


def is_retryable_error(exc):
    """True for Alibaba Cloud errors worth retrying: throttling, 5xx, connection errors (but never
    a write whose outcome could not be confirmed, see ``write_with_read_back``)."""
    if getattr(exc, "unconfirmed_write", False) or getattr(exc, "never_sent", False):
        return False
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code.startswith(RETRYABLE_CODE_PREFIXES):
        return True
    status = status_code_of(exc)
    if status is not None and status >= 500:
        return True
    return is_connection_error(exc)


def is_throttling_error(exc):
    """True when the service refused the call for its rate limit (it did not process it):
    ``Throttling*`` and ``Rejected.Throttling``."""
    code = getattr(exc, "code", None)
    return isinstance(code, str) and (code.startswith("Throttling") or code == "Rejected.Throttling")


def may_have_been_applied(exc):
    """True when a failed write may still have been applied: a 5xx answer or no answer at all."""
    if getattr(exc, "never_sent", False):
        return False
    status = status_code_of(exc)
    return (status is not None and status >= 500) or is_connection_error(exc)


def retry_after_seconds(exc):
    """Seconds the server asked us to wait (``x-acs-retry-after`` is in milliseconds)."""
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, (int, float)) and retry_after > 0:
        return retry_after / 1000.0
    return None


def call_with_retry(func, backoff=None, pacing=None):
    """Run ``func()`` retrying Alibaba Cloud throttling, 5xx and connection errors."""
    return (backoff or Backoff()).run(func, is_retryable_error, retry_after_seconds, is_throttling_error, pacing)


def write_with_read_back(write, read_back, backoff=None, pacing=None):
    """Run a write that must not be repeated blindly (a create, a delete).

    Throttled calls were not processed and are retried. After a failure that may have been
    applied (5xx, timeout, reset connection), ``read_back()`` (reads that retry on their own) says
    whether it was: its answer, when not None, is the write's result; otherwise the write is
    tried again. When the read-back fails too, its error is raised and the write never retried:
    correctness rests on what the service reads back, not on an error code of a second try."""
    backoff = backoff or Backoff()

    def attempt():
        try:
            return write()
        except Exception as exc:
            if not may_have_been_applied(exc):
                raise
            try:
                applied = read_back()
            except Exception as read_error:
                read_error.unconfirmed_write = True
                raise
            if applied is not None:
                return applied
            raise

    return backoff.run(attempt, is_retryable_error, retry_after_seconds, is_throttling_error, pacing)
