# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Turn an SDK exception into one readable line plus machine-readable details.

``describe_error(exc, what)`` returns ``(message, details)``::

    "failed to list hosts: The user is not authorized (code: Forbidden.RAM, request id: 5B...).
     Grant the RAM user the AliyunYundunBastionHostFullAccess policy (or the policy the
     message names)."
    {"code": "Forbidden.RAM", "request_id": "5B...", "http_status": 403}

The message never contains a secret: query strings are cut from URLs and every secret
value registered by the credentials layer is masked. It never quotes what the service or something in
between computed for itself either: a ``SignatureDoesNotMatch`` says the secret does not match the key
id (not the server's string to sign), and an answer that is not the API's (an HTML page, a proxy's 502)
gives its HTTP status, not its body. A refused time stamp is called the machine's clock, off by what
the answer's ``Date`` header says when it tells; a call that got no answer names the endpoint, and the
proxy when it went through one (client.py marks its exceptions with ``alicloud_endpoint`` and
``alicloud_proxy``); a read timeout is called a timeout, with the seconds waited.
"""

from __future__ import annotations

import email.utils
import re
import time

from ansible_collections.alicloud.bastionhost.plugins.module_utils.retry import is_connection_error, status_code_of

MASK = "********"

_CREDENTIALS_HINT = "check access_key_id/access_key_secret (or the profile / environment variables)"
_NO_CREDENTIALS_HINT = (
    "set access_key_id and access_key_secret, a profile, or the ALIBABA_CLOUD_ACCESS_KEY_ID and "
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET environment variables"
)
_CONNECTION_HINT = "check endpoint_url/endpoints and network"
_NOT_API_HINT = "check endpoint_url/endpoints and the proxy variables (HTTP_PROXY, HTTPS_PROXY, NO_PROXY)"
_CLOCK_HINT = ("set this machine's clock right (NTP): the service accepts a request whose time stamp is within "
               "15 minutes of its own clock")
# The service's window for a request's time stamp (the error center's description of InvalidTimeStamp.Expired);
# an offset the Date header shows below a minute says nothing about it.
_CLOCK_WINDOW_MINUTES = 15
_CLOCK_OFFSET_SHOWN = 60

# (code or dotted code prefix, what to do); the first match wins, so specific codes go first.
REMEDIATIONS = (
    ("Forbidden.RAM", "grant the caller a RAM policy that allows this action: AliyunYundunBastionHostFullAccess "
                      "for Bastionhost, AliyunResourceDirectoryFullAccess for Resource Directory, AliyunRAMReadOnlyAccess "
                      "for RAM reads, the ECS/RDS/PolarDB read-only policies for discovery"),
    ("InvalidAccessKeyId", _CREDENTIALS_HINT),
    ("SignatureDoesNotMatch", _CREDENTIALS_HINT),
    ("InvalidCredentials", _NO_CREDENTIALS_HINT),
    ("InvalidSecurityToken.Expired", "refresh the STS token"),
    ("InvalidSecurityToken", "check security_token: it must be the token issued with access_key_id"),
    ("InvalidTimeStamp.Expired", _CLOCK_HINT),
    ("EntityNotExists.ResourceDirectory", "enable Resource Directory in the management account"),
    ("OperationDenied.EditionNotSupported", "upgrade the bastion host to Enterprise or SM Edition"),
    ("OperationDenied.VersionNotSupported", "upgrade the bastion host to V3.2.48 or later"),
    ("OperationDenied.NotManagementOrDelegatedAdmin",
     "run as the management account or a delegated administrator of bastionhost.aliyuncs.com"),
    ("Throttling", "lower max_concurrency or retry later"),
    ("ServiceUnavailable", "retry later"),
    ("InternalError", "retry later"),
)

# "?Action=...&SecurityToken=..." in a URL quoted by urllib3/requests error texts.
_QUERY_STRING = re.compile(r"\?[^\s'\"()]*=[^\s'\"()]*")
# The server's string to sign in a SignatureDoesNotMatch message: an RPC canonical query, or ACS3's
# "ACS3-HMAC-SHA256" and a digest on the next line (a newline, or an escaped one in a repr).
_STRING_TO_SIGN = re.compile(r"(?:server )?string to sign is:\s*(?:ACS3-HMAC-SHA256(?:\s|\\n)+[0-9a-fA-F]+|[^\s'\"]*)",
                             re.IGNORECASE)
_STRING_TO_SIGN_HIDDEN = "(the server's string to sign is not shown)"
# The SDK wraps the server message as "code: 403, <Message> request id: <id>".
_SDK_MESSAGE = re.compile(r"^code: \d+, (?P<message>.*) request id: \S*$", re.DOTALL)


def scrub(text, secrets=()):
    """``text`` without URL query strings, without the server's string to sign and without any of
    ``secrets``."""
    text = _QUERY_STRING.sub("?" + MASK, text)
    text = _STRING_TO_SIGN.sub(_STRING_TO_SIGN_HIDDEN, text)
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def remediation_for(code):
    """What the user should do about an error code, or None when we do not know."""
    if not code:
        return None
    for known, remedy in REMEDIATIONS:
        if code == known or code.startswith(known + "."):
            return remedy
    return None


def _present(value):
    # The SDK formats missing fields with f-strings, so "None" means absent.
    if value is None or value == "None" or value == "":
        return None
    return value


def error_details(exc):
    """``{code, request_id, http_status}`` of an SDK exception (None where unknown)."""
    data = getattr(exc, "data", None)
    data = data if isinstance(data, dict) else {}
    answer = http_answer(exc) if status_code_of(exc) is None else None
    return {
        "code": _present(getattr(exc, "code", None)) or _present(data.get("Code")),
        "request_id": _present(getattr(exc, "request_id", None)) or _present(data.get("RequestId")),
        "http_status": status_code_of(exc) or (answer or {}).get("status"),
    }


def _innermost(exc):
    while getattr(exc, "inner_exception", None) is not None:
        exc = exc.inner_exception
    return exc


def _chain(exc):
    """``exc`` and the exceptions it wraps (``inner_exception``: darabonba's, the circuit breaker's). Not
    Python's context: an error raised while handling another (a failed read-back) is not that one."""
    seen = []
    while exc is not None and not any(exc is s for s in seen):
        seen.append(exc)
        exc = getattr(exc, "inner_exception", None)
    return seen


def _marked(exc, name):
    """The first ``name`` attribute client.py set on ``exc`` or an exception it wraps."""
    for link in _chain(exc):
        value = getattr(link, name, None)
        if value is not None:
            return value
    return None


def _is_http_answer(value):
    return (type(value).__name__ in ("DaraResponse", "TeaResponse")
            and isinstance(getattr(value, "status_code", None), int) and isinstance(getattr(value, "headers", None), dict))


def http_answer(exc):
    """``{status, reason, content_type, date, body}`` of the HTTP answer the SDK got before it raised
    ``exc``, None when it got none. The SDK's exceptions do not keep the answer (not for a body it
    could not parse, not the headers for an error), so it is read from the SDK's own frames in the
    exception's traceback: the answer it was handling when it raised."""
    for link in _chain(exc):
        tb = link.__traceback__
        while tb is not None:
            try:
                values = list(tb.tb_frame.f_locals.values())
            except Exception:  # pylint: disable=broad-except
                values = []
            for value in values:
                if _is_http_answer(value):
                    return _answer_summary(value)
            tb = tb.tb_next
    return None


def _answer_summary(response):
    headers = dict((str(k).lower(), v) for k, v in (response.headers or {}).items())
    body = response.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return {
        "status": response.status_code,
        "reason": _present(getattr(response, "status_message", None)),
        "content_type": (headers.get("content-type") or "").split(";")[0].strip() or None,
        "date": headers.get("date"),
        "body": body if isinstance(body, str) else None,
    }


_NOT_JSON = "Failed to parse the value as json format"


def is_not_api_answer(exc):
    """True when the endpoint answered something that is not an Alibaba Cloud API answer: a body that
    is not JSON (an HTML page, a proxy's error page), or a JSON error without a Code or a RequestId."""
    inner = _innermost(exc)
    if type(inner).__name__ == "JSONDecodeError" or (isinstance(inner, RuntimeError) and str(inner).startswith(_NOT_JSON)):
        return True
    if status_code_of(exc) is None:
        return False
    details = error_details(exc)
    return details["code"] is None and details["request_id"] is None


def answer_bodies(exc):
    """The body of an answer that is not the API's, in the forms a traceback quotes it, to be masked
    like a secret: it is not ours to print, and an HTML page is no message."""
    if not is_not_api_answer(exc):
        return set()
    answer = http_answer(exc) or {}
    body = answer.get("body")
    if not body or len(body) < 8:
        return set()
    return {body, repr(body)[1:-1]}


_POOL_ADDRESS = re.compile(r"host='(?P<host>[^']+)', port=(?P<port>\d+)")
_SOCKET_REASON = re.compile(r"\[Errno -?\d+\] (?P<reason>[^\"')]+)")
_CAUSE = re.compile(r"Caused by \w+\([\"'](?P<reason>[^\"']+)")


_READ_TIMEOUT = re.compile(r"read timeout=(?P<seconds>[0-9.]+)")
_CONNECT_TIMEOUT = re.compile(r"connect timeout=(?P<seconds>[0-9.]+)")
_TUNNEL = re.compile(r"Tunnel connection failed: (?P<reason>[^\"')]+)")
_PROXY_MARKERS = ("ProxyError", "Unable to connect to proxy", "Tunnel connection failed")


def connection_message(text):
    """urllib3's 'HTTPConnectionPool(host=..., port=...): Max retries exceeded ... [Errno 111]
    Connection refused' as 'cannot connect to HOST:PORT (Connection refused)'."""
    address = _POOL_ADDRESS.search(text)
    if not address:
        return text
    reason = _SOCKET_REASON.search(text) or _CAUSE.search(text)
    return "cannot connect to %s:%s%s" % (address.group("host"), address.group("port"),
                                          " (%s)" % reason.group("reason").strip() if reason else "")


def _seconds(value):
    number = float(value)
    return "%d" % number if number == int(number) else "%g" % number


def _gave_up(exc):
    """', N calls in a row over S s' when the circuit breaker stopped the calls, else ''."""
    for link in _chain(exc):
        failures = getattr(link, "failures", None)
        if getattr(link, "never_sent", False) and isinstance(failures, int) and failures > 1:
            seconds = getattr(link, "seconds", None)
            return "; %d calls in a row%s" % (failures, " over %d s" % round(seconds) if seconds else "")
    return ""


def network_message(exc):
    """Why a call got no HTTP answer: the proxy that could not be reached, a read timeout (the
    seconds waited), a connection that could not be made; naming the endpoint."""
    text = _exception_text(_innermost(exc))
    endpoint = _marked(exc, "alicloud_endpoint")
    proxy = _marked(exc, "alicloud_proxy")
    address = _POOL_ADDRESS.search(text)
    if any(marker in text for marker in _PROXY_MARKERS):
        reason = _TUNNEL.search(text) or _SOCKET_REASON.search(text) or _CAUSE.search(text)
        shown = "%s (%s)" % (proxy.shown, proxy.variable) if proxy else (
            "%s:%s" % (address.group("host"), address.group("port")) if address else "")
        return "cannot connect to the proxy %s%s%s%s" % (
            shown, " on the way to %s" % endpoint if endpoint else "",
            " (%s)" % reason.group("reason").strip() if reason else "", _gave_up(exc))
    through = " through the proxy %s (%s)" % (proxy.shown, proxy.variable) if proxy else ""
    read_timeout = _READ_TIMEOUT.search(text)
    if read_timeout or "Read timed out" in text:
        where = endpoint or ("%s:%s" % (address.group("host"), address.group("port")) if address else "the endpoint")
        within = " within %s s" % _seconds(read_timeout.group("seconds")) if read_timeout else ""
        return "timed out: no answer from %s%s%s (read timeout: it accepted the connection but sent nothing back%s)" % (
            where, through, within, _gave_up(exc))
    connect_timeout = _CONNECT_TIMEOUT.search(text)
    if connect_timeout and address:
        return "cannot connect to %s:%s%s (timed out: no connection within %s s, connect timeout%s)" % (
            address.group("host"), address.group("port"), through, _seconds(connect_timeout.group("seconds")),
            _gave_up(exc))
    return connection_message(text)


def _duration(seconds):
    seconds = abs(seconds)
    if seconds < 120:
        return "%d seconds" % round(seconds)
    if seconds < 2 * 3600:
        return "%d minutes" % round(seconds / 60.0)
    return "%.1f hours" % (seconds / 3600.0)


def clock_offset(exc, now=None):
    """Seconds the service's clock is ahead of this machine's (negative: behind), from the Date
    header of its answer; None when the answer has none."""
    date = (http_answer(exc) or {}).get("date")
    if not date:
        return None
    try:
        served = email.utils.parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return served - (time.time() if now is None else now)


def clock_message(exc, now=None):
    """InvalidTimeStamp.Expired: the machine's clock is off, by how much when the Date header says."""
    offset = clock_offset(exc, now)
    if offset is not None and abs(offset) >= _CLOCK_OFFSET_SHOWN:
        return ("the service refused the request's time stamp: this machine's clock is about %s %s the service's, "
                "whose answer is dated %s" % (_duration(offset), "behind" if offset > 0 else "ahead of",
                                              http_answer(exc)["date"]))
    return ("the service refused the request's time stamp: this machine's clock is off, by more than the %d minutes "
            "the service allows" % _CLOCK_WINDOW_MINUTES)


def not_api_message(exc):
    """An answer that is not the API's: its HTTP status and type, never its body."""
    answer = http_answer(exc) or {}
    status = answer.get("status") or status_code_of(exc)
    endpoint = _marked(exc, "alicloud_endpoint")
    proxy = _marked(exc, "alicloud_proxy")
    what = "HTTP %s%s" % (status, " %s" % answer["reason"] if answer.get("reason") else "") if status else "an answer"
    kind = answer.get("content_type")
    what += " (%s)" % kind if kind else ""
    if proxy:
        return ("the answer through the proxy %s (%s) to %s was %s, not an Alibaba Cloud API answer: the proxy, "
                "or the endpoint behind it, is not the API" % (proxy.shown, proxy.variable, endpoint or "the endpoint",
                                                               what))
    return ("the answer of %s was %s, not an Alibaba Cloud API answer: the endpoint, or a proxy in between, is not "
            "the API" % (endpoint or "the endpoint", what))


def signature_message():
    return ("the signature does not match the one the service computed: access_key_secret is not the secret of "
            "access_key_id")


def _exception_text(exc):
    """An exception's text; darabonba wraps a network error's text in a dict."""
    text = getattr(exc, "message", None) or (exc.args[0] if exc.args else "")
    if isinstance(text, dict):
        text = text.get("message", "")
    return str(text) or type(exc).__name__


def server_message(exc):
    """The human part of an error: the server's Message when there is one, in our words where the
    server's would show what it should not (a string to sign) or say too little (a time stamp)."""
    if is_connection_error(exc):
        return network_message(exc)
    if is_not_api_answer(exc):
        return not_api_message(exc)
    code = error_details(exc)["code"] or ""
    if code == "SignatureDoesNotMatch":
        return signature_message()
    if code == "InvalidTimeStamp.Expired":
        return clock_message(exc)
    data = getattr(exc, "data", None)
    if isinstance(data, dict) and _present(data.get("Message") or data.get("message")):
        return str(data.get("Message") or data.get("message"))
    exc = _innermost(exc)
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        match = _SDK_MESSAGE.match(message)
        return match.group("message") if match else message
    return str(exc) or type(exc).__name__


def remediation_of(exc, code):
    """What to do about ``exc`` (whose code is ``code``), or None."""
    if is_connection_error(exc):
        text = _exception_text(_innermost(exc))
        if any(marker in text for marker in _PROXY_MARKERS):
            proxy = _marked(exc, "alicloud_proxy")
            return ("check %s, or name the endpoint's host in NO_PROXY to call it directly"
                    % (proxy.variable if proxy else "HTTP_PROXY/HTTPS_PROXY"))
        return _CONNECTION_HINT
    if is_not_api_answer(exc):
        return _NOT_API_HINT
    if type(_innermost(exc)).__name__ == "CredentialException":
        return _NO_CREDENTIALS_HINT
    return remediation_for(code)


def error_reason(exc):
    """``(reason, details)``: why the call failed, with its code and request id: "why (code: C, request id: R)"."""
    details = error_details(exc)
    reason = " ".join(server_message(exc).split()).rstrip(".")
    references = [
        "%s: %s" % (label, details[key])
        for label, key in (("code", "code"), ("request id", "request_id"))
        if details[key]
    ]
    if references:
        reason += " (%s)" % ", ".join(references)
    return reason, details


def describe_error(exc, what, secrets=(), remedy=None):
    """``(message, details)`` for ``exc`` raised while doing ``what`` (e.g. "failed to list hosts"): the one
    place an API error becomes "what: why (code: C, request id: R). What to do." ``remedy(code)`` gives
    the advice where the caller knows better than ``remediation_of``."""
    reason, details = error_reason(exc)
    message = "%s: %s." % (what, reason)
    advice = remedy(details["code"]) if remedy else remediation_of(exc, details["code"])
    if advice:
        message += " %s%s." % (advice[0].upper(), advice[1:])
    return scrub(message, secrets), details
