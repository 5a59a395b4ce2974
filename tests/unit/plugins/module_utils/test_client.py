# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import http.server
import json
import socket
import threading

import pytest

from alibabacloud_credentials.exceptions import CredentialException
from alibabacloud_credentials.utils import auth_util
from alibabacloud_sts20150401 import models as sts_models

from ansible_collections.alicloud.bastionhost.plugins.module_utils import client as client_utils
from ansible_collections.alicloud.bastionhost.plugins.module_utils.client import (
    CONNECT_TIMEOUT_MS,
    READ_TIMEOUT_MS,
    AlicloudClient,
    ClientConfigError,
    ClientFactory,
    MissingSdkError,
    Proxy,
    ProxyPolicy,
    credential_from_params,
    is_loopback,
    parse_endpoint,
    resolve_endpoint,
    role_account,
    static_credential,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.retry import Backoff


# --- endpoints -------------------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    ("http://127.0.0.1:8080", ("127.0.0.1:8080", "http")),
    ("http://127.0.0.1:8080/", ("127.0.0.1:8080", "http")),
    ("HTTPS://proxy.example.com", ("proxy.example.com", "https")),
    ("yundun-bastionhost.aliyuncs.com", ("yundun-bastionhost.aliyuncs.com", None)),
])
def test_parse_endpoint_splits_host_and_protocol(value, expected):
    assert parse_endpoint(value) == expected


@pytest.mark.parametrize("value", ["http://127.0.0.1:8080/prefix", "http://h/?x=1", "http://"])
def test_parse_endpoint_rejects_paths_and_missing_hosts(value):
    with pytest.raises(ClientConfigError, match=r"http\(s\)://host"):
        parse_endpoint(value)


def test_per_product_endpoint_overrides_endpoint_url():
    endpoints = {"sts": "sts-vpc.cn-hangzhou.aliyuncs.com", "ecs": "http://10.0.0.5:9000", "ram": None}
    url = "http://127.0.0.1:8080"
    assert resolve_endpoint("sts", url, endpoints) == ("sts-vpc.cn-hangzhou.aliyuncs.com", None)
    assert resolve_endpoint("ecs", url, endpoints) == ("10.0.0.5:9000", "http")
    assert resolve_endpoint("ram", url, endpoints) == ("127.0.0.1:8080", "http")
    assert resolve_endpoint("bastionhost", None, endpoints) == (None, None)


def test_sdk_config_points_every_product_at_endpoint_url():
    factory = ClientFactory(static_credential("AK", "SK"), region="cn-hangzhou", endpoint_url="http://127.0.0.1:8080")
    for product in client_utils.PRODUCTS:
        config = factory.sdk_config(product)
        assert (config.endpoint, config.protocol) == ("127.0.0.1:8080", "http")
        assert config.credential is factory.credential


def test_regional_products_need_a_region_even_with_endpoint_url():
    factory = ClientFactory(static_credential("AK", "SK"), endpoint_url="http://127.0.0.1:8080")
    with pytest.raises(ClientConfigError, match="region is required to call bastionhost"):
        factory.sdk_config("bastionhost")
    assert factory.sdk_config("sts").endpoint == "127.0.0.1:8080"


def test_sdk_config_without_override_leaves_the_endpoint_to_the_sdk():
    config = ClientFactory(static_credential("AK", "SK"), region="cn-hangzhou").sdk_config("bastionhost")
    assert config.endpoint is None and config.protocol is None
    assert config.region_id == "cn-hangzhou"


@pytest.mark.parametrize("product,endpoint", [
    ("sts", "sts.aliyuncs.com"),
    ("ram", "ram.aliyuncs.com"),
    ("resourcemanager", "resourcemanager.aliyuncs.com"),
])
def test_region_less_products_work_without_region(product, endpoint):
    client = ClientFactory(static_credential("AK", "SK")).client(product)
    assert client.sdk._endpoint == endpoint


@pytest.mark.parametrize("product", ["bastionhost", "ecs", "rds", "polardb"])
def test_regional_products_need_a_region(product):
    with pytest.raises(ClientConfigError, match="region is required to call %s" % product):
        ClientFactory(static_credential("AK", "SK")).client(product)


def test_sdk_computes_the_documented_bastionhost_endpoint_from_the_region():
    factory = ClientFactory(static_credential("AK", "SK"), region="cn-hangzhou")
    assert factory.client("bastionhost").sdk._endpoint == "yundun-bastionhost.aliyuncs.com"
    assert factory.client("ecs", region="cn-shanghai").sdk._endpoint == "ecs.cn-shanghai.aliyuncs.com"


# --- clients ---------------------------------------------------------------------------

def test_clients_are_cached_per_product_and_region():
    factory = ClientFactory(static_credential("AK", "SK"), region="cn-hangzhou", endpoint_url="http://127.0.0.1:1")
    bastion = factory.client("bastionhost")
    assert factory.client("bastionhost") is bastion
    assert factory.client("bastionhost", region="cn-hangzhou") is bastion
    assert factory.client("bastionhost", region="cn-beijing") is not bastion
    assert (bastion.sdk._endpoint, bastion.sdk._protocol) == ("127.0.0.1:1", "http")
    assert bastion.models.ListHostsRequest is not None


def test_validate_certs_false_turns_off_tls_verification():
    assert ClientFactory(static_credential("AK", "SK")).client("sts")._runtime.ignore_ssl is False
    assert ClientFactory(static_credential("AK", "SK"), validate_certs=False).client("sts")._runtime.ignore_ssl is True


def test_unknown_product_is_a_config_error():
    with pytest.raises(ClientConfigError, match="unknown product 'oss'"):
        ClientFactory(static_credential("AK", "SK")).client("oss")


def test_missing_product_sdk_names_the_distribution(monkeypatch):
    monkeypatch.setitem(client_utils.PRODUCTS, "ecs", client_utils.Product("no_such_sdk_pkg", "alibabacloud-ecs20140526", None))
    with pytest.raises(MissingSdkError) as raised:
        ClientFactory(static_credential("AK", "SK"), region="cn-hangzhou").client("ecs")
    assert raised.value.distribution == "alibabacloud-ecs20140526"
    assert "no_such_sdk_pkg" in raised.value.traceback


class FakeResponse:
    def __init__(self, body):
        self.body = body


class FakeBody:
    def __init__(self, data):
        self.data = data

    def to_map(self):
        return self.data


class FakeSdk:
    """Stands in for a product SDK client: records the calls, replays outcomes."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = []

    def _next(self, name, args):
        self.calls.append((name, args))
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return FakeResponse(FakeBody(outcome))

    def list_hosts_with_options(self, request, runtime):
        return self._next("list_hosts", (request, runtime))

    def get_caller_identity_with_options(self, runtime):
        return self._next("get_caller_identity", (runtime,))

    def assume_role_with_options(self, request, runtime):
        return self._next("assume_role", (request, runtime))


def fake_client(sdk, sleep, product="bastionhost", models=None):
    return AlicloudClient(product, sdk, models, runtime="RUNTIME", backoff=Backoff(tries=3, sleep=sleep))


def test_call_passes_request_and_runtime_and_returns_the_body_dict(sleep):
    sdk = FakeSdk({"Hosts": [{"HostId": "1"}], "TotalCount": 1})
    assert fake_client(sdk, sleep).call("list_hosts", "REQUEST") == {"Hosts": [{"HostId": "1"}], "TotalCount": 1}
    assert sdk.calls == [("list_hosts", ("REQUEST", "RUNTIME"))]


def test_call_without_request_passes_only_runtime(sleep):
    sdk = FakeSdk({"AccountId": "1000000000000001"})
    assert fake_client(sdk, sleep).call("get_caller_identity") == {"AccountId": "1000000000000001"}
    assert sdk.calls == [("get_caller_identity", ("RUNTIME",))]


def test_call_does_not_retry_unless_asked(api_error, sleep):
    sdk = FakeSdk(api_error("Throttling.User"), {"Hosts": []})
    with pytest.raises(Exception) as raised:
        fake_client(sdk, sleep).call("list_hosts", "REQUEST")
    assert raised.value.code == "Throttling.User"
    assert len(sdk.calls) == 1
    assert sleep.calls == []


def test_call_with_retry_retries_throttling(api_error, sleep):
    sdk = FakeSdk(api_error("Throttling.User"), api_error("ServiceUnavailable", 503), {"Hosts": []})
    assert fake_client(sdk, sleep).call("list_hosts", "REQUEST", retry=True) == {"Hosts": []}
    assert len(sdk.calls) == 3
    assert len(sleep.calls) == 2


# --- credentials -----------------------------------------------------------------------

def test_explicit_keys_give_access_key_credentials():
    secrets = set()
    credential = credential_from_params({"access_key_id": "LTAIops", "access_key_secret": "ops-secret"}, secrets)
    model = credential.get_credential()
    assert (model.type, model.access_key_id, model.access_key_secret, model.security_token) == (
        "access_key", "LTAIops", "ops-secret", None)
    assert secrets == {"ops-secret"}


def test_explicit_keys_with_token_give_sts_credentials():
    secrets = set()
    params = {"access_key_id": "STS.x", "access_key_secret": "tmp-secret", "security_token": "tmp-token",
              "profile": "ignored-when-keys-are-set"}
    model = credential_from_params(params, secrets).get_credential()
    assert (model.type, model.access_key_id, model.access_key_secret, model.security_token) == (
        "sts", "STS.x", "tmp-secret", "tmp-token")
    assert secrets == {"tmp-secret", "tmp-token"}


@pytest.fixture
def cli_config(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    config = {
        "current": "default",
        "profiles": [
            {"name": "default", "mode": "AK", "access_key_id": "LTAIdefault", "access_key_secret": "default-secret"},
            {"name": "ops", "mode": "StsToken", "access_key_id": "STS.ops", "access_key_secret": "ops-secret",
             "sts_token": "ops-token"},
        ],
    }
    (tmp_path / ".aliyun").mkdir()
    (tmp_path / ".aliyun" / "config.json").write_text(json.dumps(config))
    return config


def test_profile_is_read_from_the_cli_config_in_home(cli_config):
    secrets = set()
    model = credential_from_params({"profile": "ops"}, secrets).get_credential()
    assert (model.access_key_id, model.access_key_secret, model.security_token) == ("STS.ops", "ops-secret", "ops-token")
    assert secrets == {"ops-secret", "ops-token"}


def test_unknown_profile_fails_when_credentials_are_needed(cli_config):
    credential = credential_from_params({"profile": "nope"}, set())
    with pytest.raises(CredentialException, match="nope"):
        credential.get_credential()


def test_without_keys_or_profile_the_default_chain_is_used(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    # The SDK reads these environment variables once, at import time.
    monkeypatch.setattr(auth_util, "environment_access_key_id", "LTAIenv")
    monkeypatch.setattr(auth_util, "environment_access_key_secret", "env-secret")
    secrets = set()
    model = credential_from_params({}, secrets).get_credential()
    assert (model.access_key_id, model.access_key_secret) == ("LTAIenv", "env-secret")
    assert model.provider_name.startswith("default/")
    assert secrets == {"env-secret"}


# --- assume role -----------------------------------------------------------------------

def sts_answer():
    return {"RequestId": "r", "Credentials": {"AccessKeyId": "STS.member", "AccessKeySecret": "member-secret",
                                              "SecurityToken": "member-token", "Expiration": "2030-01-01T00:00:00Z"}}


def factory_with_fake_sts(monkeypatch, sdk, sleep, **kwargs):
    factory = ClientFactory(static_credential("LTAImgmt", "mgmt-secret"), backoff=Backoff(tries=3, sleep=sleep), **kwargs)
    sts = AlicloudClient("sts", sdk, sts_models, "RUNTIME", factory.backoff)
    monkeypatch.setattr(factory, "client", lambda product, region=None: sts)
    return factory


def test_assume_role_gives_a_factory_with_the_temporary_keys(monkeypatch, sleep):
    sdk = FakeSdk(sts_answer())
    factory = factory_with_fake_sts(monkeypatch, sdk, sleep, region="cn-hangzhou",
                                    endpoint_url="http://127.0.0.1:9", endpoints={"ecs": "ecs.example"})
    member = factory.for_assumed_role("acs:ram::1000000000000003:role/ResourceDirectoryAccountAccessRole")

    request = sdk.calls[0][1][0]
    assert (request.role_arn, request.role_session_name, request.duration_seconds) == (
        "acs:ram::1000000000000003:role/ResourceDirectoryAccountAccessRole", "ansible-alicloud-bastionhost", 3600)
    model = member.credential.get_credential()
    assert (model.type, model.access_key_id, model.access_key_secret, model.security_token) == (
        "sts", "STS.member", "member-secret", "member-token")
    assert (member.region, member.endpoint_url, member.endpoints) == ("cn-hangzhou", "http://127.0.0.1:9", {"ecs": "ecs.example"})
    assert {"member-secret", "member-token"} <= factory.secrets
    assert member.secrets is factory.secrets
    assert (factory.account, member.account, member.pacing) == (None, "1000000000000003", factory.pacing)


@pytest.mark.parametrize("arn,account", [
    ("acs:ram::1000000000000003:role/x", "1000000000000003"),
    ("acs:ram:::role/x", None),
    ("not-an-arn", None),
])
def test_role_account_is_the_account_of_the_arn(arn, account):
    assert role_account(arn) == account


def test_assume_role_is_retried_on_throttling(monkeypatch, api_error, sleep):
    sdk = FakeSdk(api_error("Throttling.User"), sts_answer())
    member = factory_with_fake_sts(monkeypatch, sdk, sleep).for_assumed_role("acs:ram::1:role/r", "mine", 900)
    assert len(sdk.calls) == 2
    assert (sdk.calls[1][1][0].role_session_name, sdk.calls[1][1][0].duration_seconds) == ("mine", 900)
    assert member.credential.get_credential().access_key_id == "STS.member"


def test_from_params_performs_assume_role(monkeypatch):
    calls = []

    def fake_assume(self, role_arn, session_name=None, duration=None):
        calls.append((self.credential.get_credential().access_key_id, role_arn, session_name, duration))
        return "MEMBER FACTORY"

    monkeypatch.setattr(ClientFactory, "for_assumed_role", fake_assume)
    params = {"access_key_id": "LTAImgmt", "access_key_secret": "mgmt-secret", "region": "cn-hangzhou",
              "assume_role": {"role_arn": "acs:ram::1:role/ops", "session_name": "s", "duration": 1200}}
    assert ClientFactory.from_params(params) == "MEMBER FACTORY"
    assert calls == [("LTAImgmt", "acs:ram::1:role/ops", "s", 1200)]


def test_from_params_keeps_region_endpoints_and_shares_the_secret_set():
    secrets = set()
    params = {"access_key_id": "LTAImgmt", "access_key_secret": "mgmt-secret", "region": "cn-beijing",
              "endpoint_url": "http://127.0.0.1:8080", "endpoints": {"sts": None}, "validate_certs": False}
    factory = ClientFactory.from_params(params, secrets=secrets)
    assert (factory.region, factory.endpoint_url, factory.validate_certs) == ("cn-beijing", "http://127.0.0.1:8080", False)
    assert factory.secrets is secrets and secrets == {"mgmt-secret"}


# --- timeouts and proxies --------------------------------------------------------------------

PROXY_ENV = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch):
    for name in PROXY_ENV:
        monkeypatch.delenv(name, raising=False)


def test_every_client_sets_the_connect_and_read_timeouts():
    runtime = ClientFactory(static_credential("AK", "SK"), region="cn-hangzhou").client("bastionhost")._runtime
    assert (runtime.connect_timeout, runtime.read_timeout) == (CONNECT_TIMEOUT_MS, READ_TIMEOUT_MS) == (5000, 10000)


@pytest.mark.parametrize("host,loopback", [
    ("127.0.0.1", True), ("127.0.0.1:8080", True), ("127.3.2.1", True), ("localhost:9000", True),
    ("LOCALHOST", True), ("emulator.localhost", True), ("[::1]:8080", True), ("::1", True),
    ("10.0.0.1", False), ("yundun-bastionhost.aliyuncs.com", False), ("localhost.example.com", False),
    ("[2001:db8::1]", False),
])
def test_loopback_hosts(host, loopback):
    assert is_loopback(host) is loopback


def test_a_proxy_is_shown_without_its_user_and_password():
    assert Proxy("http://ops:s3cret@proxy.example:3128", "HTTPS_PROXY").shown == "http://proxy.example:3128"
    assert Proxy("proxy.example:3128", "HTTP_PROXY").shown == "http://proxy.example:3128"
    assert Proxy("http://[fd00::1]:3128/", "HTTP_PROXY").shown == "http://[fd00::1]:3128"


def test_the_proxy_is_picked_by_the_endpoints_scheme_as_the_sdk_does():
    policy = ProxyPolicy({"HTTP_PROXY": "http://plain:3128", "http_proxy": "http://lower:3128",
                          "https_proxy": "http://secure:3128"})
    assert policy.proxy_for("http", "api.example.com") == Proxy("http://plain:3128", "HTTP_PROXY")
    assert policy.proxy_for("https", "api.example.com") == Proxy("http://secure:3128", "https_proxy")
    assert ProxyPolicy({"HTTPS_PROXY": "http://secure:3128"}).proxy_for("http", "api.example.com") is None
    assert ProxyPolicy({"HTTP_PROXY": ""}).proxy_for("http", "api.example.com") is None


@pytest.mark.parametrize("no_proxy,host,direct", [
    (None, "127.0.0.1:8080", True),                  # unset: loopback endpoints are called directly
    ("", "localhost:8080", True),                    # empty is unset
    (None, "api.example.com", False),
    ("example.com", "api.example.com", True),        # a domain covers its subdomains
    (".example.com", "api.example.com", True),
    ("example.com", "badexample.com", False),
    ("api.example.com:8080", "api.example.com:8080", True),
    ("api.example.com:8080", "api.example.com:9090", False),
    ("10.0.0.0/8", "10.1.2.3:80", True),
    ("10.0.0.0/8", "192.168.0.1", False),
    ("*", "api.example.com", True),
    ("example.com", "127.0.0.1:8080", False),        # a NO_PROXY that is set says it all
    ("localhost,127.0.0.1", "127.0.0.1:8080", True),
    (" example.com , 127.0.0.0/8 ", "127.0.0.1:8080", True),
])
def test_no_proxy_is_matched_as_requests_matches_it(no_proxy, host, direct):
    environ = {"HTTP_PROXY": "http://proxy.example:3128"}
    if no_proxy is not None:
        environ["NO_PROXY"] = no_proxy
    assert (ProxyPolicy(environ).proxy_for("http", host) is None) is direct


def test_lowercase_no_proxy_comes_first_as_in_requests():
    policy = ProxyPolicy({"HTTP_PROXY": "http://p:1", "no_proxy": "a.example", "NO_PROXY": "b.example"})
    assert policy.no_proxy == ("a.example", "no_proxy")
    assert policy.proxy_for("http", "a.example") is None and policy.proxy_for("http", "b.example") is not None


def test_a_direct_endpoint_takes_the_proxy_variables_of_its_scheme_out_of_the_sdks_sight():
    """darabonba reads HTTP_PROXY on every call whenever a client sets no proxy of its own: once an endpoint is to
    be called directly, the variables go; the proxied clients are given their proxy explicitly."""
    environ = {"HTTP_PROXY": "http://proxy.example:3128", "http_proxy": "http://proxy.example:3128",
               "HTTPS_PROXY": "http://secure.example:3128"}
    policy = ProxyPolicy(environ)
    assert policy.runtime_options("http", "api.example.com") == (
        {"http_proxy": "http://proxy.example:3128"}, Proxy("http://proxy.example:3128", "HTTP_PROXY"))
    assert "HTTP_PROXY" in environ
    assert policy.runtime_options("http", "127.0.0.1:8080") == ({}, None)
    assert environ == {"HTTPS_PROXY": "http://secure.example:3128"}
    assert policy.runtime_options("http", "api.example.com")[0] == {"http_proxy": "http://proxy.example:3128"}
    assert policy.runtime_options("https", "ecs.aliyuncs.com")[0] == {"https_proxy": "http://secure.example:3128"}


def test_clients_get_the_proxy_of_their_endpoint_and_share_the_policy():
    policy = ProxyPolicy({"HTTPS_PROXY": "http://secure.example:3128"})
    factory = ClientFactory(static_credential("AK", "SK"), region="cn-hangzhou", endpoints={"ecs": "http://127.0.0.1:9"},
                            proxies=policy)
    bastion = factory.client("bastionhost")
    assert (bastion.endpoint, bastion.proxy) == ("https://yundun-bastionhost.aliyuncs.com",
                                                 Proxy("http://secure.example:3128", "HTTPS_PROXY"))
    assert bastion._runtime.https_proxy == "http://secure.example:3128" and bastion._runtime.http_proxy is None
    ecs = factory.client("ecs")
    assert (ecs.endpoint, ecs.proxy, ecs._runtime.http_proxy) == ("http://127.0.0.1:9", None, None)
    assert factory.with_credentials("AK2", "SK2").proxies is policy


class _Identity(http.server.BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"RequestId": "R-1", "AccountId": "1000000000000001", "Arn": "acs:ram::1:root",
                           "IdentityType": "Account", "UserId": "1"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST


def test_http_proxy_is_not_used_for_a_loopback_endpoint_by_the_real_sdk(monkeypatch):
    """Before, darabonba sent every call through HTTP_PROXY, 127.0.0.1 included, whatever NO_PROXY said."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = "http://127.0.0.1:%d" % probe.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", dead)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Identity)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        factory = ClientFactory(static_credential("AK", "SK"), endpoint_url="http://127.0.0.1:%d" % server.server_address[1])
        assert factory.client("sts").call("get_caller_identity")["AccountId"] == "1000000000000001"
    finally:
        server.shutdown()
        server.server_close()


def test_a_failed_call_carries_its_endpoint_and_proxy(connection_error, sleep):
    proxy = Proxy("http://proxy.example:3128", "HTTPS_PROXY")
    client = AlicloudClient("bastionhost", FakeSdk(connection_error("Connection refused")), None, "RUNTIME",
                            Backoff(tries=1, sleep=sleep), endpoint="https://yundun-bastionhost.aliyuncs.com",
                            proxy=proxy)
    with pytest.raises(Exception) as raised:
        client.call("list_hosts", "REQUEST")
    assert (raised.value.alicloud_endpoint, raised.value.alicloud_proxy) == (
        "https://yundun-bastionhost.aliyuncs.com", proxy)
