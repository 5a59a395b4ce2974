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
value registered by the credentials layer is masked.
"""

from __future__ import annotations

import re

from ansible_collections.alicloud.bastionhost.plugins.module_utils.retry import is_connection_error, status_code_of

MASK = "********"

_CREDENTIALS_HINT = "check access_key_id/access_key_secret (or the profile / environment variables)"
_NO_CREDENTIALS_HINT = (
    "set access_key_id and access_key_secret, a profile, or the ALIBABA_CLOUD_ACCESS_KEY_ID and "
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET environment variables"
)
_CONNECTION_HINT = "check endpoint_url/endpoints and network"

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
# The SDK wraps the server message as "code: 403, <Message> request id: <id>".
_SDK_MESSAGE = re.compile(r"^code: \d+, (?P<message>.*) request id: \S*$", re.DOTALL)


def scrub(text, secrets=()):
    """``text`` without URL query strings and without any of ``secrets``."""
    text = _QUERY_STRING.sub("?" + MASK, text)
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
    return {
        "code": _present(getattr(exc, "code", None)) or _present(data.get("Code")),
        "request_id": _present(getattr(exc, "request_id", None)) or _present(data.get("RequestId")),
        "http_status": status_code_of(exc),
    }


def _innermost(exc):
    while getattr(exc, "inner_exception", None) is not None:
        exc = exc.inner_exception
    return exc


_POOL_ADDRESS = re.compile(r"host='(?P<host>[^']+)', port=(?P<port>\d+)")
_SOCKET_REASON = re.compile(r"\[Errno -?\d+\] (?P<reason>[^\"')]+)")
_CAUSE = re.compile(r"Caused by \w+\([\"'](?P<reason>[^\"']+)")


def connection_message(text):
    """urllib3's 'HTTPConnectionPool(host=..., port=...): Max retries exceeded ... [Errno 111]
    Connection refused' as 'cannot connect to HOST:PORT (Connection refused)'."""
    address = _POOL_ADDRESS.search(text)
    if not address:
        return text
    reason = _SOCKET_REASON.search(text) or _CAUSE.search(text)
    return "cannot connect to %s:%s%s" % (address.group("host"), address.group("port"),
                                          " (%s)" % reason.group("reason").strip() if reason else "")


def _exception_text(exc):
    """An exception's text; darabonba wraps a network error's text in a dict."""
    text = getattr(exc, "message", None) or (exc.args[0] if exc.args else "")
    if isinstance(text, dict):
        text = text.get("message", "")
    return str(text) or type(exc).__name__


def server_message(exc):
    """The human part of an error: the server's Message when there is one."""
    if is_connection_error(exc):
        return connection_message(_exception_text(_innermost(exc)))
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
        return _CONNECTION_HINT
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
