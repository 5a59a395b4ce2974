# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Client-side pacing of API calls, and the circuit breaker of a dead endpoint.

``Pacing`` is shared by every client and every thread of a module (the ClientFactory holds it
and hands it to the factories of assumed roles). Alibaba Cloud's rate limits are quotas per
operation and per account: the calls of an account's RAM users and roles count together (OpenAPI
"Throttling and quota management"; the STS AssumeRole notice ram20220829). So there is one
``AdaptiveRateLimiter`` per (account, product, action), the account being the member whose role
was assumed, or None for the caller's own account.

    pacing = Pacing(max_rate=None)
    pacing.before("bastionhost", "create_host")          # waits for a slot, or raises EndpointUnavailable
    sent = pacing.clock()
    ... the call ...
    pacing.after("bastionhost", "create_host", sent, exc_or_None)
    pacing.before("ecs", "describe_instances", account="1234567890123456")   # a member's own quota

``AdaptiveRateLimiter`` is the adaptive retry mode of the AWS SDKs, shaped for per-second quotas:
no limit until the service first throttles the action; then at most ``rate`` calls in any
one-second window (a sliding window, so the service's own windows never see more), the rate cut
to ``BETA`` times what got through in the second before the refusal, and grown back along a
cubic curve that flattens at that level (CUBIC congestion control), probing above it slowly.
``x-acs-retry-after`` holds the action's calls for as long as it asks.

``CircuitBreaker`` opens once ``threshold`` calls in a row (across threads) found no endpoint
(connection refused, timed out, name not resolved), or once such calls in a row have gone unanswered
for ``silence`` seconds since the first of them was sent (an endpoint that accepts connections and
never answers costs a read timeout a call): from then on every call fails at once with
``EndpointUnavailable``, so pending writes stop instead of each retrying on its own, and a task
gives up on a dead or silent endpoint within a minute.
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections import deque

from ansible_collections.alicloud.bastionhost.plugins.module_utils.retry import (
    is_connection_error,
    is_throttling_error,
    retry_after_seconds,
)

# Texts and type names of a request that found nobody answering at the endpoint; a connection
# reset or an answer lost after the request arrived means the endpoint is there.
_GONE_TEXTS = ("refused", "timed out", "timeout", "name or service not known", "nodename nor servname",
               "temporary failure in name resolution", "no route to host", "network is unreachable",
               "failed to establish a new connection")
_GONE_TYPES = frozenset(("ConnectTimeout", "ReadTimeout", "Timeout", "TimeoutError", "ConnectionRefusedError",
                         "socket.timeout"))


def is_endpoint_gone(exc):
    """True when a call found no endpoint answering: refused, timed out, or a name that does not resolve."""
    while exc is not None:
        if type(exc).__name__ in _GONE_TYPES:
            return True
        text = getattr(exc, "message", None) or (exc.args[0] if getattr(exc, "args", None) else "")
        if isinstance(text, dict):
            text = text.get("message", "")
        if any(marker in str(text).lower() for marker in _GONE_TEXTS) and is_connection_error(exc):
            return True
        exc = getattr(exc, "inner_exception", None)
    return False


class EndpointUnavailable(Exception):
    """Raised instead of a call once the circuit breaker is open. ``inner_exception`` is the last
    connection error, so errors.describe_error names the endpoint and the cause; ``failures`` calls
    in a row found no endpoint over ``seconds`` (None when unknown). It was never sent, so it is
    neither retried nor read back."""

    never_sent = True

    def __init__(self, last_error, failures, seconds=None):
        super().__init__("the endpoint stopped answering (%d calls in a row failed)" % failures)
        self.inner_exception = last_error
        self.failures = failures
        self.seconds = seconds


class CircuitBreaker:
    """Opens after ``threshold`` calls in a row found no endpoint, or when calls in a row have found
    none for ``silence`` seconds since the first of them was sent; stays open for the module's run."""

    def __init__(self, threshold=5, silence=30.0, clock=time.monotonic):
        self.threshold = threshold
        self.silence = silence
        self.clock = clock
        self.failures = 0
        self.last_error = None
        self.first_sent = None      # when the first call of the current run of failures was sent
        self.seconds = None         # how long the run of failures lasted when the breaker opened
        self._opened = threading.Event()
        self._lock = threading.Lock()

    @property
    def is_open(self):
        return self._opened.is_set()

    def check(self):
        if self._opened.is_set():
            raise EndpointUnavailable(self.last_error, self.failures, self.seconds)

    def record(self, exc, sent=None):
        """Count a call's outcome: ``exc`` None for an answer (any HTTP status); ``sent`` is when the
        call was sent (the breaker's clock), None when unknown."""
        with self._lock:
            if exc is not None and is_endpoint_gone(exc):
                self.failures += 1
                self.last_error = exc
                now = self.clock()
                if self.first_sent is None:
                    self.first_sent = now if sent is None else sent
                silent_for = now - self.first_sent
                if self.failures >= self.threshold or silent_for >= self.silence:
                    self.seconds = silent_for
                    self._opened.set()
            elif exc is None or not is_connection_error(exc):
                self.failures = 0
                self.first_sent = None

    def sleep(self, seconds):
        """Sleep, waking at once when the breaker opens."""
        if seconds > 0:
            self._opened.wait(seconds)


class AdaptiveRateLimiter:
    """The pace of one (product, action). Not thread-safe on its own: ``Pacing`` locks around it.

    ``reserve(now)`` takes the next slot and returns how long to wait for it; ``on_success`` and
    ``on_throttle`` feed the answers back. Times are seconds of a monotonic clock."""

    BETA = 0.9          # on throttling the rate drops to BETA times what got through
    SCALE = 0.002       # cubic growth, relative to that level: rate = w_max * (1 + SCALE * (t - K) ** 3)
    MIN_RATE = 0.5      # never slower than one call every two seconds
    WINDOW = 1.0        # the service counts calls per second

    def __init__(self, max_rate=None):
        self.max_rate = max_rate
        self.w_max = None           # the rate that got through when last throttled; None: never throttled
        self.last_cut = None
        self.hold_until = 0.0
        self._sent = []             # reserved send times, sorted, pruned to the window
        self._succeeded = deque()   # send times of calls that were answered, pruned to the window
        self._k = ((1.0 - self.BETA) / self.SCALE) ** (1.0 / 3)   # seconds back to w_max after a cut

    def rate(self, now):
        """Calls per second allowed at ``now``; None for no limit."""
        if self.w_max is None:
            return self.max_rate
        elapsed = now - self.last_cut
        rate = self.w_max * (1.0 + self.SCALE * (elapsed - self._k) ** 3)
        if self.max_rate:
            rate = min(rate, self.max_rate)
        return max(rate, self.MIN_RATE)

    def reserve(self, now):
        """Seconds to wait before sending; the slot is taken."""
        start = max(now, self.hold_until, self._sent[-1] if self._sent else now)
        rate = self.rate(start)
        window = max(self.WINDOW, 1.0 / rate) if rate else self.WINDOW
        del self._sent[:bisect.bisect_right(self._sent, start - window)]
        if rate:
            allowed = max(1, int(math.floor(rate * window + 1e-9)))
            # the earliest time at which fewer than ``allowed`` sends lie in the window before it
            if len(self._sent) >= allowed:
                start = max(start, self._sent[len(self._sent) - allowed] + window)
        self._sent.append(start)
        return start - now

    def on_success(self, sent):
        self._succeeded.append(sent)
        while self._succeeded and self._succeeded[0] < sent - 2 * self.WINDOW:
            self._succeeded.popleft()

    def on_throttle(self, sent, now, retry_after=None):
        """A call sent at ``sent`` was throttled. Calls sent before the last cut say nothing new."""
        if retry_after:
            self.hold_until = max(self.hold_until, now + retry_after)
        if self.last_cut is not None and sent < self.last_cut:
            return
        through = sum(1 for t in self._succeeded if sent - self.WINDOW < t <= sent)
        current = self.rate(now)
        level = float(through) if through else (current * self.BETA if current else 1.0)
        if current:
            level = min(level, current)
        self.w_max = max(level, self.MIN_RATE)
        self.last_cut = now


class Pacing:
    """The rate limiters of every (account, product, action) and the circuit breaker, shared by every
    client of a module. ``max_rate`` caps each of them (``max_calls_per_second``)."""

    def __init__(self, max_rate=None, clock=time.monotonic, breaker=None):
        self.max_rate = max_rate
        self.clock = clock
        self.breaker = breaker or CircuitBreaker(clock=clock)
        self._limiters = {}
        self._lock = threading.Lock()

    def limiter(self, product, action, account=None):
        with self._lock:
            key = (account, product, action)
            if key not in self._limiters:
                self._limiters[key] = AdaptiveRateLimiter(self.max_rate)
            return self._limiters[key]

    def before(self, product, action, account=None):
        """Wait for the action's next slot; raises EndpointUnavailable once the breaker is open."""
        self.breaker.check()
        limiter = self.limiter(product, action, account)
        with self._lock:
            wait = limiter.reserve(self.clock())
        self.breaker.sleep(wait)
        self.breaker.check()

    def after(self, product, action, sent, exc=None, account=None):
        self.breaker.record(exc, sent)
        limiter = self.limiter(product, action, account)
        with self._lock:
            if exc is None:
                limiter.on_success(sent)
            elif is_throttling_error(exc):
                limiter.on_throttle(sent, self.clock(), retry_after_seconds(exc))
            elif not is_connection_error(exc):
                limiter.on_success(sent)   # answered, and counted by the service

    def sleep(self, seconds):
        self.breaker.sleep(seconds)
