# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import contextlib
import email.utils
import http.server
import json
import threading
import time

import pytest

from alibabacloud_credentials.exceptions import CredentialException
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions

from ansible_collections.alicloud.bastionhost.plugins.module_utils.client import Proxy
from ansible_collections.alicloud.bastionhost.plugins.module_utils.errors import (
    MASK,
    answer_bodies,
    clock_offset,
    describe_error,
    http_answer,
    remediation_for,
    scrub,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.pacing import EndpointUnavailable

KNOWN_CODES = [
    ("Forbidden.RAM", 403, "AliyunYundunBastionHostFullAccess"),
    ("InvalidAccessKeyId.NotFound", 404, "check access_key_id/access_key_secret"),
    ("EntityNotExists.ResourceDirectory", 404, "enable Resource Directory in the management account"),
    ("OperationDenied.EditionNotSupported", 400, "upgrade the bastion host to Enterprise or SM Edition"),
    ("OperationDenied.VersionNotSupported", 400, "upgrade the bastion host to V3.2.48 or later"),
    ("OperationDenied.NotManagementOrDelegatedAdmin", 403,
     "run as the management account or a delegated administrator of bastionhost.aliyuncs.com"),
    ("InvalidSecurityToken.Expired", 400, "refresh the STS token"),
    ("Throttling", 400, "lower max_concurrency or retry later"),
    ("Throttling.User", 400, "lower max_concurrency or retry later"),
    ("Throttling.Api", 400, "lower max_concurrency or retry later"),
]


@pytest.mark.parametrize("code,status,remedy", KNOWN_CODES)
def test_known_codes_get_message_code_request_id_and_remediation(api_error, code, status, remedy):
    exc = api_error(code, status, message="The server explains what went wrong.", request_id="5B2E-REQ")
    message, details = describe_error(exc, "failed to add members")
    prefix = "failed to add members: The server explains what went wrong (code: %s, request id: 5B2E-REQ). " % code
    assert message.startswith(prefix)
    assert remedy.lower() in message[len(prefix):].lower()
    assert message.endswith(".")
    assert details == {"code": code, "request_id": "5B2E-REQ", "http_status": status}


def test_remediation_is_capitalised_as_a_sentence(api_error):
    message, _details = describe_error(api_error("Forbidden.RAM", 403), "failed to list hosts")
    assert ". Grant the caller a RAM policy that allows this action: AliyunYundunBastionHostFullAccess for Bastionhost" in message


def test_unknown_code_keeps_server_message_without_remediation(api_error):
    message, details = describe_error(api_error("InvalidParameter", message="PageSize must be <= 100."), "failed to list hosts")
    assert message == "failed to list hosts: PageSize must be <= 100 (code: InvalidParameter, request id: REQ-1)."
    assert details["code"] == "InvalidParameter"


def test_remediation_matches_whole_dotted_segments_only():
    assert remediation_for("ThrottlingX") is None
    assert remediation_for("Throttling.User.Burst") == remediation_for("Throttling")
    assert remediation_for(None) is None


def test_message_is_taken_from_the_sdk_text_when_data_is_missing():
    exc = ClientException(status_code=404, code="OBJECT_NOT_FOUND", request_id="R-9",
                          message="code: 404, Instance bastionhost-x not found. request id: R-9")
    message, details = describe_error(exc, "failed to describe bastion host")
    assert message == "failed to describe bastion host: Instance bastionhost-x not found (code: OBJECT_NOT_FOUND, request id: R-9)."
    assert details == {"code": "OBJECT_NOT_FOUND", "request_id": "R-9", "http_status": 404}


def test_absent_request_id_is_left_out(api_error):
    exc = api_error("InternalError", 500, request_id=None)
    exc.request_id = "None"  # what the SDK's f-string makes of a missing RequestId
    message, details = describe_error(exc, "failed to list hosts")
    assert "request id" not in message
    assert "(code: InternalError)" in message
    assert details["request_id"] is None


def test_message_is_one_line(api_error):
    message, _details = describe_error(api_error("InvalidParameter", message="line one\n  line two"), "failed")
    assert "\n" not in message
    assert "line one line two" in message


def test_connection_error_points_at_endpoints_and_drops_the_query(connection_error):
    exc = connection_error(
        "HTTPConnectionPool(host='127.0.0.1', port=1): Max retries exceeded with url: "
        "/?Action=ListHosts&AccessKeyId=LTAIops&SecurityToken=tok-123456&Signature=abc "
        "(Caused by NewConnectionError('Connection refused'))")
    message, details = describe_error(exc, "failed to list hosts")
    assert message.startswith("failed to list hosts: cannot connect to 127.0.0.1:1 (Connection refused)")
    assert "tok-123456" not in message and "SecurityToken" not in message and "Signature=" not in message
    assert message.endswith("Check endpoint_url/endpoints and network.")
    assert details == {"code": None, "request_id": None, "http_status": None}


def test_registered_secrets_are_masked(api_error):
    exc = api_error("InvalidParameter", message="Specified value is not matched with key s3cr3t-KEY and token T0KEN-xyz.")
    message, _details = describe_error(exc, "failed to list hosts", secrets={"s3cr3t-KEY", "T0KEN-xyz", ""})
    assert "s3cr3t-KEY" not in message and "T0KEN-xyz" not in message
    assert message.count(MASK) == 2


def test_secrets_in_the_action_description_are_masked_too(api_error):
    message, _details = describe_error(api_error("Forbidden.RAM", 403), "failed with key s3cr3t", secrets=["s3cr3t"])
    assert "s3cr3t" not in message


def test_scrub_keeps_ordinary_question_marks():
    assert scrub("Is the instance running? yes") == "Is the instance running? yes"
    assert scrub("url: https://h/path?a=1&b=2 done") == "url: https://h/path?%s done" % MASK


def test_missing_credentials_suggest_how_to_provide_them():
    exc = CredentialException("unable to load credentials from any of the providers in the chain: []")
    message, details = describe_error(exc, "failed to list bastion hosts")
    assert message.startswith("failed to list bastion hosts: unable to load credentials")
    assert "Set access_key_id and access_key_secret, a profile, or the ALIBABA_CLOUD_ACCESS_KEY_ID" in message
    assert details["code"] is None


def test_plain_exceptions_are_described_without_details():
    message, details = describe_error(RuntimeError("RegionId is empty"), "failed to create client")
    assert message == "failed to create client: RegionId is empty."
    assert details == {"code": None, "request_id": None, "http_status": None}


# --- the service's refusals in our words ------------------------------------------------------

ACS3_STRING_TO_SIGN = "ACS3-HMAC-SHA256\n6f0c5b7e0d9c3a1e2b4d6f8a0c2e4f6a8b0d2f4a6c8e0a2c4e6a8c0e2a4c6e8a"
RPC_STRING_TO_SIGN = "GET&%2F&AccessKeyId%3DLTAIops%26Action%3DDescribeInstances%26SignatureNonce%3Dabc"


@pytest.mark.parametrize("string_to_sign", [ACS3_STRING_TO_SIGN, RPC_STRING_TO_SIGN])
def test_a_wrong_secret_is_said_without_the_servers_string_to_sign(api_error, string_to_sign):
    exc = api_error("SignatureDoesNotMatch", message="Specified signature is not matched with our calculation. "
                    "server string to sign is:" + string_to_sign, request_id="REQ-S")
    message, details = describe_error(exc, "failed to list hosts")
    assert message == (
        "failed to list hosts: the signature does not match the one the service computed: access_key_secret is not "
        "the secret of access_key_id (code: SignatureDoesNotMatch, request id: REQ-S). Check "
        "access_key_id/access_key_secret (or the profile / environment variables).")
    assert details == {"code": "SignatureDoesNotMatch", "request_id": "REQ-S", "http_status": 400}


@pytest.mark.parametrize("text", [
    "Specified signature is not matched with our calculation. server string to sign is:%s request id: R" % RPC_STRING_TO_SIGN,
    "Specified signature is not matched. server string to sign is:%s request id: R" % ACS3_STRING_TO_SIGN,
    "{'Message': 'server string to sign is:%s'}" % ACS3_STRING_TO_SIGN.replace("\n", "\\n"),
])
def test_scrub_hides_the_string_to_sign_in_tracebacks_too(text):
    scrubbed = scrub(text)
    assert "string to sign is:" not in scrubbed and "6f0c5b7e" not in scrubbed and "AccessKeyId" not in scrubbed
    assert "(the server's string to sign is not shown)" in scrubbed


def test_a_refused_time_stamp_is_called_the_clock(api_error):
    message, details = describe_error(
        api_error("InvalidTimeStamp.Expired", message="Specified time stamp or date value is expired.",
                  request_id="REQ-T"), "failed to list hosts")
    assert message == (
        "failed to list hosts: the service refused the request's time stamp: this machine's clock is off, by more "
        "than the 15 minutes the service allows (code: InvalidTimeStamp.Expired, request id: REQ-T). Set this "
        "machine's clock right (NTP): the service accepts a request whose time stamp is within 15 minutes of its own "
        "clock.")
    assert details["code"] == "InvalidTimeStamp.Expired"


# --- answers of a local HTTP server, through the real SDK -----------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, content_type, body, headers = self.server.answer
        self.send_response_only(status)
        for name, value in dict({"Content-Type": content_type, "Content-Length": str(len(body))}, **headers).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST


@contextlib.contextmanager
def answering(status, content_type, body, headers=None):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.answer = (status, content_type, body, headers or {})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1:%d" % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def sdk_error(endpoint):
    """What the real STS SDK raises for the answer of ``endpoint``, marked as client.py marks it."""
    client = StsClient(Config(access_key_id="LTAIops", access_key_secret="ops-secret", endpoint=endpoint,
                              protocol="http"))
    with pytest.raises(Exception) as raised:
        client.get_caller_identity_with_options(RuntimeOptions())
    raised.value.alicloud_endpoint = "http://" + endpoint
    raised.value.alicloud_proxy = None
    return raised.value


PAGE = b"<html><head><title>Welcome</title></head><body><h1>Welcome to nginx!</h1></body></html>"
GATEWAY = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


@pytest.mark.parametrize("status,content_type,body,said", [
    (200, "text/html", PAGE, "HTTP 200 OK (text/html)"),
    (502, "text/html; charset=utf-8", GATEWAY, "HTTP 502 Bad Gateway (text/html)"),
    (200, "text/plain", b"it works", "HTTP 200 OK (text/plain)"),
    (503, "application/json", b'{"error": "upstream unavailable"}', "HTTP 503 Service Unavailable (application/json)"),
])
def test_an_answer_that_is_not_the_apis_gives_its_status_and_type_not_its_body(status, content_type, body, said):
    with answering(status, content_type, body) as endpoint:
        exc = sdk_error(endpoint)
    message, details = describe_error(exc, "failed to list hosts")
    assert message == (
        "failed to list hosts: the answer of http://%s was %s, not an Alibaba Cloud API answer: the endpoint, or a "
        "proxy in between, is not the API. Check endpoint_url/endpoints and the proxy variables (HTTP_PROXY, "
        "HTTPS_PROXY, NO_PROXY)." % (endpoint, said))
    assert details == {"code": None, "request_id": None, "http_status": status}
    assert body.decode() not in message and "json format" not in message


def test_the_body_of_an_answer_that_is_not_the_apis_is_masked_in_the_traceback():
    with answering(502, "text/html", GATEWAY) as endpoint:
        exc = sdk_error(endpoint)
    bodies = answer_bodies(exc)
    assert GATEWAY.decode() in bodies
    import traceback
    trace = scrub("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)), bodies)
    assert "Bad Gateway</title>" not in trace and "<html>" not in trace


def test_an_answer_through_a_proxy_names_the_proxy():
    with answering(502, "text/html", GATEWAY) as endpoint:
        exc = sdk_error(endpoint)
    exc.alicloud_endpoint = "https://yundun-bastionhost.aliyuncs.com"
    exc.alicloud_proxy = Proxy("http://user:pass@proxy.example:3128", "HTTPS_PROXY")
    message = describe_error(exc, "failed to list hosts")[0]
    assert ("the answer through the proxy http://proxy.example:3128 (HTTPS_PROXY) to "
            "https://yundun-bastionhost.aliyuncs.com was HTTP 502 Bad Gateway (text/html), not an Alibaba Cloud API answer: the "
            "proxy, or the endpoint behind it, is not the API") in message
    assert "pass" not in message


def clock_refusal(offset):
    body = json.dumps({"RequestId": "REQ-C", "HostId": "sts.aliyuncs.com", "Code": "InvalidTimeStamp.Expired",
                       "Message": "Specified time stamp or date value is expired."}).encode()
    return (400, "application/json", body, {"Date": email.utils.formatdate(time.time() + offset, usegmt=True)})


@pytest.mark.parametrize("offset,said", [
    (3720, "this machine's clock is about 62 minutes behind the service's"),
    (-7 * 3600, "this machine's clock is about 7.0 hours ahead of the service's"),
    (-1000, "this machine's clock is about 17 minutes ahead of the service's"),
])
def test_the_date_header_says_by_how_much_the_clock_is_off(offset, said):
    with answering(*clock_refusal(offset)) as endpoint:
        exc = sdk_error(endpoint)
    assert http_answer(exc)["status"] == 400 and clock_offset(exc) == pytest.approx(offset, abs=2)
    message = describe_error(exc, "failed to call STS")[0]
    assert message.startswith("failed to call STS: the service refused the request's time stamp: " + said +
                              ", whose answer is dated ")
    assert "(code: InvalidTimeStamp.Expired, request id: REQ-C). Set this machine's clock right (NTP)" in message


def test_a_date_header_that_agrees_with_our_clock_says_nothing_of_the_offset():
    """The emulator's Date header is the machine's own clock (it moves only its window): no offset is claimed."""
    with answering(*clock_refusal(1)) as endpoint:
        exc = sdk_error(endpoint)
    message = describe_error(exc, "failed")[0]
    assert "this machine's clock is off, by more than the 15 minutes the service allows" in message
    assert "dated" not in message


# --- calls that got no answer ---------------------------------------------------------------

PROXY_REFUSED = (
    "HTTPConnectionPool(host='127.0.0.1', port=1): Max retries exceeded with url: http://api.example.test/"
    "?Action=DescribeInstances&Signature=abc (Caused by ProxyError('Unable to connect to proxy', "
    "NewConnectionError(\"HTTPConnection(host='127.0.0.1', port=1): Failed to establish a new connection: [Errno 111] "
    "Connection refused\")))")


def marked(exc, endpoint, proxy=None):
    exc.alicloud_endpoint, exc.alicloud_proxy = endpoint, proxy
    return exc


def test_an_unreachable_proxy_is_named_as_the_proxy(connection_error):
    exc = marked(connection_error(PROXY_REFUSED), "http://api.example.test",
                 Proxy("http://ops:proxy-pass@127.0.0.1:1", "HTTP_PROXY"))
    message, _details = describe_error(exc, "failed to list hosts")
    assert message == (
        "failed to list hosts: cannot connect to the proxy http://127.0.0.1:1 (HTTP_PROXY) on the way to "
        "http://api.example.test (Connection refused). Check HTTP_PROXY, or name the endpoint's host in NO_PROXY to "
        "call it directly.")


def test_an_unreachable_proxy_without_a_mark_is_named_by_its_address(connection_error):
    message = describe_error(connection_error(PROXY_REFUSED), "failed")[0]
    assert message.startswith("failed: cannot connect to the proxy 127.0.0.1:1 (Connection refused). Check "
                              "HTTP_PROXY/HTTPS_PROXY, or name the endpoint's host in NO_PROXY")


READ_TIMEOUT = "HTTPConnectionPool(host='127.0.0.1', port=5): Read timed out. (read timeout=10.0)"


def test_a_read_timeout_is_a_timeout_naming_the_endpoint_and_the_seconds(connection_error):
    message = describe_error(marked(connection_error(READ_TIMEOUT), "http://127.0.0.1:5"), "failed to list hosts")[0]
    assert message == (
        "failed to list hosts: timed out: no answer from http://127.0.0.1:5 within 10 s (read timeout: it accepted the "
        "connection but sent nothing back). Check endpoint_url/endpoints and network.")


def test_a_read_timeout_that_opened_the_breaker_says_how_long_it_waited(connection_error):
    last = marked(connection_error(READ_TIMEOUT), "http://127.0.0.1:5")
    gave_up = marked(EndpointUnavailable(last, 3, 31.6), "http://127.0.0.1:5")
    message = describe_error(gave_up, "failed to list hosts")[0]
    assert ("timed out: no answer from http://127.0.0.1:5 within 10 s (read timeout: it accepted the connection but "
            "sent nothing back; 3 calls in a row over 32 s)") in message
    assert "cannot connect" not in message


def test_a_read_timeout_through_a_proxy_says_so(connection_error):
    exc = marked(connection_error(READ_TIMEOUT), "https://ecs.cn-hangzhou.aliyuncs.com",
                 Proxy("http://proxy.example:3128", "HTTPS_PROXY"))
    assert ("no answer from https://ecs.cn-hangzhou.aliyuncs.com through the proxy http://proxy.example:3128 "
            "(HTTPS_PROXY) within 10 s") in describe_error(exc, "failed")[0]


def test_a_connect_timeout_says_how_long_it_tried(connection_error):
    exc = connection_error(
        "HTTPConnectionPool(host='10.0.0.1', port=80): Max retries exceeded with url: / (Caused by "
        "ConnectTimeoutError(<urllib3.connection.HTTPConnection object at 0x7f>, 'Connection to 10.0.0.1 timed out. "
        "(connect timeout=5.0)'))")
    message = describe_error(exc, "failed")[0]
    assert message.startswith("failed: cannot connect to 10.0.0.1:80 (timed out: no connection within 5 s, connect "
                              "timeout). Check endpoint_url/endpoints and network.")
