# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import contextlib
import json

import pytest
import yaml

from ansible_collections.alicloud.bastionhost.tests.unit.plugins.module_args import patch_module_args

from ansible_collections.alicloud.bastionhost.plugins.doc_fragments.common import ModuleDocFragment
from ansible_collections.alicloud.bastionhost.plugins.module_utils import module as module_utils
from ansible_collections.alicloud.bastionhost.plugins.module_utils.client import AlicloudClient
from ansible_collections.alicloud.bastionhost.plugins.module_utils.module import (
    COMMON_ARGUMENT_SPEC,
    AlicloudModule,
    credential_whitespace,
)

ENV_VARS = [
    "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY",
    "ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION",
    "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE", "ALIBABA_CLOUD_ENDPOINT_URL",
]
MODULE_SPEC = dict(instance_id=dict(type="str", required=True))


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def make_module():
    """Builds an AlicloudModule; the module args stay in place for the whole test because
    exit_json/fail_json need them too."""
    with contextlib.ExitStack() as stack:
        def make(args, argument_spec=None, **kwargs):
            stack.enter_context(patch_module_args(args))
            return AlicloudModule(argument_spec=argument_spec or dict(MODULE_SPEC), supports_check_mode=True, **kwargs)
        yield make


def failure(capsys, run):
    """The JSON a module prints when ``run()`` makes it fail."""
    with pytest.raises(SystemExit) as exited:
        run()
    assert exited.value.code == 1
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True
    return result


def test_common_options_are_merged_with_module_options(make_module):
    module = make_module({"instance_id": "bastionhost-cn-demo01", "region": "cn-hangzhou"})
    assert module.params["instance_id"] == "bastionhost-cn-demo01"
    assert module.region == "cn-hangzhou"
    assert module.params["validate_certs"] is True
    assert module.params["assume_role"] is None and module.params["endpoints"] is None


def test_environment_fallbacks_fill_the_common_options(monkeypatch, make_module):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv")
    monkeypatch.setenv("ALICLOUD_SECRET_KEY", "legacy-secret")
    monkeypatch.setenv("ALICLOUD_REGION", "cn-shanghai")
    monkeypatch.setenv("ALIBABA_CLOUD_PROFILE", "ops")
    monkeypatch.setenv("ALIBABA_CLOUD_ENDPOINT_URL", "http://127.0.0.1:8080")
    params = make_module({"instance_id": "x"}).params
    assert (params["access_key_id"], params["access_key_secret"], params["region"]) == ("LTAIenv", "legacy-secret", "cn-shanghai")
    assert (params["profile"], params["endpoint_url"]) == ("ops", "http://127.0.0.1:8080")


def test_explicit_options_win_over_the_environment(monkeypatch, make_module):
    monkeypatch.setenv("ALIBABA_CLOUD_REGION_ID", "cn-shanghai")
    assert make_module({"instance_id": "x", "region": "cn-beijing"}).region == "cn-beijing"


def test_assume_role_suboptions_have_defaults(make_module):
    module = make_module({"instance_id": "x", "assume_role": {"role_arn": "acs:ram::1:role/ops"}})
    assert module.params["assume_role"] == {
        "role_arn": "acs:ram::1:role/ops", "session_name": "ansible-alicloud-bastionhost", "duration": 3600}


def test_keys_must_come_in_pairs(capsys, make_module):
    result = failure(capsys, lambda: make_module({"instance_id": "x", "access_key_id": "LTAIops"}))
    assert "access_key_id" in result["msg"] and "access_key_secret" in result["msg"]


def test_unknown_endpoint_product_is_rejected(capsys, make_module):
    result = failure(capsys, lambda: make_module({"instance_id": "x", "endpoints": {"oss": "oss.example"}}))
    assert "oss" in result["msg"]


def test_module_specific_requirements_are_kept_alongside_the_common_ones(capsys, make_module):
    spec = dict(MODULE_SPEC, a=dict(type="str"), b=dict(type="str"))
    result = failure(capsys, lambda: make_module({"instance_id": "x", "a": "1"}, spec, required_together=[["a", "b"]]))
    assert "a, b" in result["msg"]


def test_client_is_built_from_the_options(make_module):
    module = make_module({"instance_id": "x", "access_key_id": "LTAIops", "access_key_secret": "ops-secret",
                          "region": "cn-hangzhou", "endpoint_url": "http://127.0.0.1:8080"})
    bastion = module.client("bastionhost")
    assert isinstance(bastion, AlicloudClient)
    assert (bastion.sdk._endpoint, bastion.sdk._protocol) == ("127.0.0.1:8080", "http")
    assert module.client("bastionhost") is bastion
    assert module.client("ecs", region="cn-beijing") is not module.client("ecs")


def test_client_without_region_fails_with_a_clear_message(capsys, make_module):
    module = make_module({"instance_id": "x", "access_key_id": "LTAIops", "access_key_secret": "ops-secret"})
    result = failure(capsys, lambda: module.client("bastionhost"))
    assert result["msg"] == "region is required to call bastionhost: set the region option or ALIBABA_CLOUD_REGION_ID"


def test_missing_core_sdk_fails_with_missing_required_lib(capsys, monkeypatch, make_module):
    monkeypatch.setattr(module_utils, "HAS_SDK", False)
    monkeypatch.setattr(module_utils, "SDK_IMPORT_ERROR", "Traceback: No module named alibabacloud_tea_openapi")
    result = failure(capsys, lambda: make_module({"instance_id": "x"}))
    assert "alibabacloud-tea-openapi" in result["msg"]


def test_fail_json_api_reports_message_details_and_masks_secrets(capsys, api_error, make_module):
    module = make_module({"instance_id": "x", "access_key_id": "LTAIops", "access_key_secret": "ops-secret",
                          "region": "cn-hangzhou"})
    module._secret_values.add("member-token")  # as if learned from AssumeRole
    exc = api_error("Forbidden.RAM", 403, message="Denied for member-token and ops-secret.", request_id="REQ-7")
    result = failure(capsys, lambda: module.fail_json_api(exc, "failed to add members"))
    assert result["msg"].startswith("failed to add members: Denied for ")
    assert "(code: Forbidden.RAM, request id: REQ-7)" in result["msg"]
    assert "AliyunYundunBastionHostFullAccess" in result["msg"]
    assert result["error"] == {"code": "Forbidden.RAM", "request_id": "REQ-7", "http_status": 403}
    output = json.dumps(result)
    assert "member-token" not in output and "ops-secret" not in output


def test_assume_role_failure_is_reported_through_fail_json_api(capsys, monkeypatch, api_error, make_module):
    def refuse(self, role_arn, session_name=None, duration=None):
        raise api_error("NoPermission", 403, message="You are not authorized to do this action.", request_id="REQ-8")

    monkeypatch.setattr(module_utils.ClientFactory, "for_assumed_role", refuse)
    module = make_module({"instance_id": "x", "access_key_id": "LTAIops", "access_key_secret": "ops-secret",
                          "assume_role": {"role_arn": "acs:ram::1:role/ops"}})
    result = failure(capsys, lambda: module.client("sts"))
    assert result["msg"] == ("failed to assume role acs:ram::1:role/ops: You are not authorized to do this action "
                             "(code: NoPermission, request id: REQ-8).")
    assert result["error"]["code"] == "NoPermission"


def _documented(options):
    return {
        name: (doc.get("type", "str"), doc.get("default"), _documented(doc.get("suboptions", {})))
        for name, doc in options.items()
    }


def _specified(spec):
    return {
        name: (option.get("type", "str"), option.get("default"), _specified(option.get("options") or {}))
        for name, option in spec.items()
    }


def test_doc_fragment_documents_exactly_the_common_argument_spec():
    documentation = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)
    assert _documented(documentation["options"]) == _specified(COMMON_ARGUMENT_SPEC)
    env_vars = " ".join(" ".join(option["description"]) for option in documentation["options"].values())
    assert all("E(%s)" % name in env_vars for name in ENV_VARS)


# --- credentials with whitespace around them -------------------------------------------------

def test_a_secret_from_the_environment_with_a_trailing_newline_is_refused_naming_the_variable(
        capsys, monkeypatch, make_module):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "pasted-secret\n")
    built = []
    monkeypatch.setattr(module_utils.ClientFactory, "from_params", lambda *a, **k: built.append(1))
    result = failure(capsys, lambda: make_module({"instance_id": "x", "access_key_id": "LTAIops", "region": "cn-hangzhou"}))
    assert result["msg"] == (
        "access_key_secret (from the environment variable ALIBABA_CLOUD_ACCESS_KEY_SECRET) has a trailing newline: "
        "remove the whitespace around the value (a key id, secret or token never has any); its value is not shown, "
        "and nothing was called")
    assert "pasted-secret" not in json.dumps(result) and built == []


def test_every_credential_with_whitespace_is_named_in_one_error(capsys, monkeypatch, make_module):
    monkeypatch.setenv("ALICLOUD_ACCESS_KEY", " LTAIops")
    result = failure(capsys, lambda: make_module({"instance_id": "x", "access_key_secret": "ops-secret ",
                                                  "security_token": "\ttoken-value\r\n"}))
    assert result["msg"].startswith(
        "access_key_id (from the environment variable ALICLOUD_ACCESS_KEY) has a leading space; access_key_secret "
        "(from the access_key_secret option) has a trailing space; security_token (from the security_token option) "
        "has leading and trailing whitespace: remove the whitespace")
    assert "LTAIops" not in result["msg"]   # a key id is no secret (the invocation shows it), but the message never has it
    output = json.dumps(result)
    assert "ops-secret" not in output and "token-value" not in output


@pytest.mark.parametrize("value,said", [
    ("secret\n", "a trailing newline"),
    ("secret\r\n", "a trailing newline"),
    ("\nsecret", "a leading newline"),
    ("secret\t", "trailing whitespace"),
    ("  secret  ", "leading and trailing whitespace"),
])
def test_the_kind_of_whitespace_is_said(value, said):
    message = credential_whitespace({"access_key_secret": value}, environ={})
    assert message.startswith("access_key_secret (from the access_key_secret option) has %s:" % said)


def test_credentials_without_whitespace_pass():
    params = {"access_key_id": "LTAIops", "access_key_secret": "ops-secret", "security_token": None}
    assert credential_whitespace(params, environ={}) is None
    assert credential_whitespace({"access_key_id": "", "access_key_secret": None}, environ={}) is None


def test_fail_json_api_masks_the_body_of_an_answer_that_is_not_the_apis(capsys, make_module):
    module = make_module({"instance_id": "x", "access_key_id": "LTAIops", "access_key_secret": "ops-secret",
                          "region": "cn-hangzhou"})
    page = '<html><body><h1>Welcome to nginx!</h1></body></html>'

    class DaraResponse:
        status_code, status_message, headers, body = 200, "OK", {"content-type": "text/html"}, page.encode()

    def parse():
        _response = DaraResponse()  # noqa: F841  (what the SDK's frame holds when it raises)
        raise RuntimeError('Failed to parse the value as json format, Value: "%s".' % page)

    with pytest.raises(RuntimeError) as raised:
        parse()
    result = failure(capsys, lambda: module.fail_json_api(raised.value, "failed to list hosts"))
    assert result["msg"] == (
        "failed to list hosts: the answer of the endpoint was HTTP 200 OK (text/html), not an Alibaba Cloud API "
        "answer: the endpoint, or a proxy in between, is not the API. Check endpoint_url/endpoints and the proxy "
        "variables (HTTP_PROXY, HTTPS_PROXY, NO_PROXY).")
    assert result["error"]["http_status"] == 200
    assert "nginx" not in json.dumps(result)
