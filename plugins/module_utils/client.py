# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Credentials, endpoints and one official SDK client per product.

    factory = ClientFactory.from_params(module.params)    # AlicloudModule does this for you
    bastion = factory.client('bastionhost')                # cached AlicloudClient
    body = bastion.call('list_hosts', bastion.models.ListHostsRequest(
        instance_id='bastionhost-cn-x', region_id='cn-hangzhou'), retry=True)
    member = factory.for_assumed_role('acs:ram::1234:role/ResourceDirectoryAccountAccessRole')
    member.client('ecs', region='cn-shanghai').call('describe_instances', ...)

``call`` returns the response body as a plain dict with the API's CamelCase keys.  Pass
``retry=True`` only for calls that are safe to repeat (reads, and writes the caller can tell
apart afterwards): they are retried on throttling, 5xx and connection errors (retry.py).

Every call of every client made from one factory, and from the factories of the roles it
assumes, goes through one ``Pacing`` (pacing.py): a rate limiter per quota, (account, product,
action), that learns the service's limit from its Throttling answers (capped by ``max_calls_per_second``),
and a circuit breaker that stops every pending call once the endpoint stops answering.

Credentials, first match wins: ``access_key_id`` + ``access_key_secret`` (+ ``security_token``),
the ``profile`` of ``~/.aliyun/config.json``, the official default chain.  With ``assume_role``
those credentials call STS AssumeRole and every client uses the temporary keys.  Endpoints:
``endpoints[product]`` over ``endpoint_url`` over what the SDK computes from ``region``.

Every client waits at most ``CONNECT_TIMEOUT_MS`` for a connection and ``READ_TIMEOUT_MS`` for an answer
(the SDK's own defaults, set explicitly), and goes through the proxy ``ProxyPolicy`` picks for its
endpoint. An exception of a call carries ``alicloud_endpoint`` (``scheme://host[:port]``) and
``alicloud_proxy`` (a ``Proxy`` or None), so that errors.py can say where the call went.
"""

from __future__ import annotations

import importlib
import ipaddress
import os
import threading
import traceback
from collections import namedtuple
from urllib.parse import urlsplit

from ansible_collections.alicloud.bastionhost.plugins.module_utils.asset_types import ASSET_TYPES
from ansible_collections.alicloud.bastionhost.plugins.module_utils.pacing import Pacing
from ansible_collections.alicloud.bastionhost.plugins.module_utils.retry import (
    Backoff,
    call_with_retry,
    write_with_read_back,
)

try:
    from alibabacloud_credentials.client import Client as CredentialClient
    from alibabacloud_credentials.models import Config as CredentialConfig
    from alibabacloud_credentials.provider.cli_profile import CLIProfileCredentialsProvider
    from alibabacloud_credentials.provider.default import DefaultCredentialsProvider
    from alibabacloud_credentials_api import ICredentialsProvider
    from alibabacloud_tea_openapi.utils_models import Config
    from darabonba.runtime import RuntimeOptions
    from requests.utils import should_bypass_proxies
except ImportError:
    HAS_SDK = False
    SDK_IMPORT_ERROR = traceback.format_exc()
    ICredentialsProvider = object
else:
    HAS_SDK = True
    SDK_IMPORT_ERROR = None

SDK_CORE_DISTRIBUTIONS = "alibabacloud-tea-openapi and alibabacloud-credentials"
DEFAULT_SESSION_NAME = "ansible-alicloud-bastionhost"
DEFAULT_DURATION = 3600
USER_AGENT = "AnsibleCollection/alicloud.bastionhost"
# darabonba's DEFAULT_CONNECT_TIMEOUT and DEFAULT_READ_TIMEOUT, in milliseconds: set explicitly, so that
# what a timeout message says and what the circuit breaker (pacing.py) allows for do not rest on them.
CONNECT_TIMEOUT_MS = 5000
READ_TIMEOUT_MS = 10000
# The variables darabonba reads a proxy from, by the endpoint's scheme, the first one set wins
# (DaraCore.do_action); and those requests reads NO_PROXY from (requests.utils.should_bypass_proxies).
PROXY_VARIABLES = {"http": ("HTTP_PROXY", "http_proxy"), "https": ("HTTPS_PROXY", "https_proxy")}
NO_PROXY_VARIABLES = ("no_proxy", "NO_PROXY")

# global_endpoint: used when no region is set, for products that do not need one.
Product = namedtuple("Product", "package distribution global_endpoint")
PRODUCTS = {
    "bastionhost": Product("alibabacloud_yundun_bastionhost20191209", "alibabacloud-yundun-bastionhost20191209", None),
    "resourcemanager": Product("alibabacloud_resourcemanager20200331", "alibabacloud-resourcemanager20200331",
                               "resourcemanager.aliyuncs.com"),
    "sts": Product("alibabacloud_sts20150401", "alibabacloud-sts20150401", "sts.aliyuncs.com"),
    "ram": Product("alibabacloud_ram20150501", "alibabacloud-ram20150501", "ram.aliyuncs.com"),
}
# The products that list each asset type inside members (the asset-type registry).
PRODUCTS.update((t.product, Product(t.sdk[0], t.sdk[1], None)) for t in ASSET_TYPES.values())


class MissingSdkError(ImportError):
    """A product SDK is not installed; ``distribution`` is its pip name."""

    def __init__(self, distribution, traceback_text):
        super().__init__("%s is not installed" % distribution)
        self.distribution = distribution
        self.traceback = traceback_text


class ClientConfigError(ValueError):
    """The options cannot build a client (no region, bad endpoint, unknown product)."""


def product_info(product):
    if product not in PRODUCTS:
        raise ClientConfigError("unknown product %r, expected one of %s" % (product, ", ".join(sorted(PRODUCTS))))
    return PRODUCTS[product]


def import_sdk(product):
    """``(client module, models module)`` of a product's official SDK."""
    info = product_info(product)
    try:
        return importlib.import_module(info.package + ".client"), importlib.import_module(info.package + ".models")
    except ImportError:
        raise MissingSdkError(info.distribution, traceback.format_exc())


def parse_endpoint(value):
    """``'http://127.0.0.1:8080'`` -> ``('127.0.0.1:8080', 'http')``; a bare host -> ``(host, None)``."""
    if "://" not in value:
        return value.rstrip("/"), None
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or parts.path not in ("", "/") or parts.query or not parts.netloc:
        raise ClientConfigError("endpoint %r must be http(s)://host[:port] without a path" % value)
    return parts.netloc, parts.scheme.lower()


def validate_endpoints(endpoint_url=None, endpoints=None):
    """Refuse malformed endpoints before any call: ``endpoint_url`` is a URL with an http or https
    scheme (it replaces every product's endpoint), ``endpoints`` values are hosts or such URLs."""
    if endpoint_url:
        try:
            if "://" not in endpoint_url:
                raise ClientConfigError("no scheme")
            parse_endpoint(endpoint_url)
        except ClientConfigError:
            raise ClientConfigError("endpoint_url %r must be http(s)://host[:port] without a path" % endpoint_url)
    for product, value in sorted((endpoints or {}).items()):
        if value:
            try:
                parse_endpoint(value)
            except ClientConfigError:
                raise ClientConfigError("endpoints.%s %r must be a host or http(s)://host[:port] without a path" % (
                    product, value))


def resolve_endpoint(product, endpoint_url=None, endpoints=None):
    """``(endpoint, protocol)`` for ``product``; ``(None, None)`` lets the SDK compute it."""
    value = (endpoints or {}).get(product) or endpoint_url
    return parse_endpoint(value) if value else (None, None)


class Proxy(namedtuple("Proxy", "url variable")):
    """A proxy URL and the environment variable it came from. ``shown`` is the URL without its
    user and password (a proxy URL may carry them), for messages."""

    __slots__ = ()

    @property
    def shown(self):
        parts = urlsplit(self.url if "://" in self.url else "http://" + self.url)
        host = parts.hostname or ""
        host = "[%s]" % host if ":" in host else host
        try:
            port = ":%d" % parts.port if parts.port else ""
        except ValueError:   # not a number: the proxy will not work, and is shown without it
            port = ""
        return "%s://%s%s" % (parts.scheme, host, port)


def is_loopback(host):
    """True for ``localhost``, ``*.localhost`` and the loopback addresses (127.0.0.0/8, ::1), with or
    without a port; names are not resolved."""
    host = host.strip().lower()
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ProxyPolicy:
    """Which proxy the calls to an endpoint go through, read once from the environment.

    The SDK's own rules pick the proxy: ``HTTP_PROXY`` (or ``http_proxy``) for an http endpoint,
    ``HTTPS_PROXY`` (or ``https_proxy``) for an https one. ``NO_PROXY`` (or ``no_proxy``) lists the
    hosts called directly, matched as requests matches it (darabonba hands its ``no_proxy`` to
    requests for that, which ignores it on the way darabonba calls it): host names and domain
    suffixes (``example.com`` covers ``api.example.com``), ``host:port``, IPv4 addresses and CIDR
    ranges, ``*`` for every host. Unset (or empty), it stands for the loopback endpoints
    (``localhost``, ``127.0.0.0/8``, ``::1``), which a proxy on another machine cannot reach; a
    ``NO_PROXY`` that is set says it all.

    darabonba reads the proxy variables on each call whenever a client sets no proxy of its own, so
    once an endpoint is to be called directly they are removed from the environment (``environ``);
    the policy keeps what it read, and every client that is to use a proxy is given it explicitly."""

    def __init__(self, environ=None):
        self._environ = os.environ if environ is None else environ
        self._proxies = {}
        for scheme, names in PROXY_VARIABLES.items():
            name = next((n for n in names if self._environ.get(n)), None)
            if name:
                self._proxies[scheme] = Proxy(self._environ[name], name)
        name = next((n for n in NO_PROXY_VARIABLES if self._environ.get(n)), None)
        self.no_proxy = (self._environ[name], name) if name else None
        self._lock = threading.Lock()

    def proxy_for(self, scheme, host):
        """The Proxy the calls to ``scheme://host`` go through, or None when they go directly."""
        proxy = self._proxies.get(scheme)
        if proxy is None or not host:
            return None
        if self.no_proxy is None:
            return None if is_loopback(host) else proxy
        with self._lock:   # should_bypass_proxies sets no_proxy in os.environ for a moment
            bypass = should_bypass_proxies("%s://%s" % (scheme, host), self.no_proxy[0])
        return None if bypass else proxy

    def runtime_options(self, scheme, host):
        """``(RuntimeOptions keyword arguments, Proxy or None)`` for a client of ``scheme://host``."""
        proxy = self.proxy_for(scheme, host)
        if proxy is not None:
            return {"%s_proxy" % scheme: proxy.url}, proxy
        with self._lock:
            for name in PROXY_VARIABLES.get(scheme, ()):
                self._environ.pop(name, None)
        return {}, None


class _SecretRecordingProvider(ICredentialsProvider):
    """Hands out the wrapped provider's credentials, remembering their secret parts so that
    error messages can mask them (errors.scrub)."""

    def __init__(self, provider, secrets):
        self._provider = provider
        self._secrets = secrets

    def get_credentials(self):
        credentials = self._provider.get_credentials()
        self._secrets.update(filter(None, (credentials.get_access_key_secret(), credentials.get_security_token())))
        return credentials

    def get_provider_name(self):
        return self._provider.get_provider_name()


def static_credential(access_key_id, access_key_secret, security_token=None):
    """An alibabacloud_credentials client for fixed keys (type sts when a token is given)."""
    return CredentialClient(CredentialConfig(
        type="sts" if security_token else "access_key",
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
        security_token=security_token,
    ))


def cli_profile_path():
    return os.path.join(os.path.expanduser("~"), ".aliyun", "config.json")


def credential_from_params(params, secrets):
    """The caller's credentials: explicit keys, else the named CLI profile, else the
    official default chain.  Secret values are added to the ``secrets`` set."""
    if params.get("access_key_id") and params.get("access_key_secret"):
        secrets.update(filter(None, (params["access_key_secret"], params.get("security_token"))))
        return static_credential(params["access_key_id"], params["access_key_secret"], params.get("security_token"))
    if params.get("profile"):
        provider = CLIProfileCredentialsProvider(profile_name=params["profile"], profile_file=cli_profile_path())
    else:
        provider = DefaultCredentialsProvider()
    return CredentialClient(provider=_SecretRecordingProvider(provider, secrets))


def role_account(role_arn):
    """The account id of a role ARN (``acs:ram::<account>:role/<name>``), None when it has none."""
    parts = str(role_arn).split(":")
    return parts[3] or None if len(parts) > 4 else None


class AlicloudClient:
    """One product's SDK client (``sdk``) and request models (``models``)."""

    def __init__(self, product, sdk, models, runtime, backoff, pacing=None, account=None, endpoint=None, proxy=None):
        self.product = product
        self.account = account
        self.sdk = sdk
        self.models = models
        self.endpoint = endpoint   # scheme://host[:port], for messages
        self.proxy = proxy         # the Proxy its calls go through, or None
        self._runtime = runtime
        self._backoff = backoff
        self._pacing = pacing

    def call(self, method, request=None, retry=False):
        """Call SDK ``method`` (snake_case, e.g. 'list_hosts') and return the body as a dict.

        ``retry=True`` retries throttling, 5xx and connection errors with backoff."""
        invoke = self._invoker(method, request)
        return call_with_retry(invoke, self._backoff, self._pacing) if retry else invoke()

    def write(self, method, request, read_back):
        """A write that is not safe to repeat blindly: after a failure that may have applied it,
        ``read_back()`` says whether it did (not None: the result) before it is tried again."""
        return write_with_read_back(self._invoker(method, request), read_back, self._backoff, self._pacing)

    def _invoker(self, method, request):
        operation = getattr(self.sdk, method + "_with_options")
        args = (self._runtime,) if request is None else (request, self._runtime)
        pacing, product, account = self._pacing, self.product, self.account

        def send():
            if pacing is None:
                return operation(*args)
            pacing.before(product, method, account)
            sent = pacing.clock()
            try:
                response = operation(*args)
            except Exception as exc:
                pacing.after(product, method, sent, exc, account)
                raise
            pacing.after(product, method, sent, account=account)
            return response

        def invoke():
            try:
                response = send()
            except Exception as exc:
                self._mark(exc)
                raise
            return response.body.to_map() if response.body is not None else {}
        return invoke

    def _mark(self, exc):
        """Where the failed call went: ``alicloud_endpoint`` and ``alicloud_proxy`` (errors.py)."""
        if getattr(exc, "alicloud_endpoint", None) is None:
            try:
                exc.alicloud_endpoint = self.endpoint
                exc.alicloud_proxy = self.proxy
            except AttributeError:   # an exception type that takes no attributes
                pass


class ClientFactory:
    """Builds and caches one AlicloudClient per (product, region) for one set of credentials.
    ``account`` is the account of an assumed role's ARN (None: the caller's own), whose quotas
    its calls count against."""

    def __init__(self, credential, region=None, endpoint_url=None, endpoints=None, validate_certs=True,
                 secrets=None, backoff=None, pacing=None, account=None, proxies=None):
        self.credential = credential
        self.account = account
        self.region = region
        self.endpoint_url = endpoint_url
        self.endpoints = dict(endpoints or {})
        self.validate_certs = validate_certs
        self.secrets = secrets if secrets is not None else set()
        self.backoff = backoff or Backoff()
        self.pacing = pacing or Pacing()
        self.proxies = proxies or ProxyPolicy()
        self._clients = {}
        self._lock = threading.Lock()

    @classmethod
    def from_params(cls, params, backoff=None, secrets=None):
        """A factory for the common module options; performs ``assume_role`` when set.
        Secret values met on the way are added to ``secrets``."""
        secrets = secrets if secrets is not None else set()
        factory = cls(
            credential_from_params(params, secrets),
            region=params.get("region"),
            endpoint_url=params.get("endpoint_url"),
            endpoints=params.get("endpoints"),
            validate_certs=params.get("validate_certs", True),
            secrets=secrets,
            backoff=backoff,
            pacing=Pacing(max_rate=params.get("max_calls_per_second")),
        )
        role = params.get("assume_role")
        if role:
            return factory.for_assumed_role(role["role_arn"], role.get("session_name"), role.get("duration"))
        return factory

    def sdk_config(self, product, region=None):
        """The tea-openapi Config for ``product``; the SDK computes the endpoint from the
        region unless endpoints/endpoint_url override it."""
        region = region or self.region
        global_endpoint = product_info(product).global_endpoint
        # Regional APIs need RegionId in every request, whatever endpoint serves them.
        if not region and not global_endpoint:
            raise ClientConfigError(
                "region is required to call %s: set the region option or ALIBABA_CLOUD_REGION_ID" % product)
        endpoint, protocol = resolve_endpoint(product, self.endpoint_url, self.endpoints)
        if not endpoint and not region:
            endpoint = global_endpoint
        return Config(credential=self.credential, region_id=region, endpoint=endpoint, protocol=protocol,
                      user_agent=USER_AGENT)

    def client(self, product, region=None):
        """The cached AlicloudClient for ``product`` in ``region`` (default: the factory's)."""
        key = (product, region or self.region)
        with self._lock:
            if key not in self._clients:
                client_module, models = import_sdk(product)
                config = self.sdk_config(product, region)
                sdk = client_module.Client(config)
                # The endpoint the SDK computed when none was given; its calls use https unless told.
                host = getattr(sdk, "_endpoint", None) or config.endpoint
                scheme = (config.protocol or "https").lower()
                proxy_options, proxy = self.proxies.runtime_options(scheme, host)
                runtime = RuntimeOptions(ignore_ssl=not self.validate_certs, connect_timeout=CONNECT_TIMEOUT_MS,
                                         read_timeout=READ_TIMEOUT_MS, **proxy_options)
                self._clients[key] = AlicloudClient(product, sdk, models, runtime, self.backoff, self.pacing,
                                                    self.account, endpoint="%s://%s" % (scheme, host) if host else None,
                                                    proxy=proxy)
            return self._clients[key]

    def with_credentials(self, access_key_id, access_key_secret, security_token=None, account=None):
        """A factory with the same region, endpoints, retries and pacing but other keys."""
        self.secrets.update(filter(None, (access_key_secret, security_token)))
        return ClientFactory(
            static_credential(access_key_id, access_key_secret, security_token),
            region=self.region,
            endpoint_url=self.endpoint_url,
            endpoints=self.endpoints,
            validate_certs=self.validate_certs,
            secrets=self.secrets,
            backoff=self.backoff,
            pacing=self.pacing,
            account=account,
            proxies=self.proxies,
        )

    def for_assumed_role(self, role_arn, session_name=None, duration=None):
        """A factory using temporary keys from STS AssumeRole into ``role_arn``.

        STS is called through its SDK client rather than the credentials library's
        RamRoleArn provider, which always uses https and so cannot reach endpoint_url."""
        sts = self.client("sts")
        request = sts.models.AssumeRoleRequest(
            role_arn=role_arn,
            role_session_name=session_name or DEFAULT_SESSION_NAME,
            duration_seconds=duration or DEFAULT_DURATION,
        )
        credentials = sts.call("assume_role", request, retry=True)["Credentials"]
        return self.with_credentials(
            credentials["AccessKeyId"], credentials["AccessKeySecret"], credentials["SecurityToken"],
            account=role_account(role_arn))
