# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from alibabacloud_credentials.exceptions import CredentialException
from alibabacloud_tea_openapi.exceptions import ClientException

from ansible_collections.alicloud.bastionhost.plugins.module_utils.errors import (
    MASK,
    describe_error,
    remediation_for,
    scrub,
)

KNOWN_CODES = [
    ("Forbidden.RAM", 403, "AliyunYundunBastionHostFullAccess"),
    ("InvalidAccessKeyId.NotFound", 404, "check access_key_id/access_key_secret"),
    ("SignatureDoesNotMatch", 400, "check access_key_id/access_key_secret"),
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
    exc = api_error("SignatureDoesNotMatch", message="Specified signature is not matched with key s3cr3t-KEY and token T0KEN-xyz.")
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
