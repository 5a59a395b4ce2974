# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AlicloudModule: AnsibleModule plus the common options, SDK clients and API failures.

    module = AlicloudModule(argument_spec=dict(instance_id=dict(required=True)),
                            supports_check_mode=True)
    bastion = module.client('bastionhost')
    try:
        body = bastion.call('describe_instance_attribute', bastion.models.DescribeInstanceAttributeRequest(
            instance_id=module.params['instance_id'], region_id=module.region), retry=True)
    except Exception as e:
        module.fail_json_api(e, msg='failed to describe bastion host')
"""

from __future__ import annotations

import os
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.alicloud.bastionhost.plugins.module_utils.client import (
    DEFAULT_DURATION,
    DEFAULT_SESSION_NAME,
    HAS_SDK,
    PRODUCTS,
    SDK_CORE_DISTRIBUTIONS,
    SDK_IMPORT_ERROR,
    ClientConfigError,
    ClientFactory,
    MissingSdkError,
    validate_endpoints,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.errors import answer_bodies, describe_error, scrub

COMMON_ARGUMENT_SPEC = dict(
    access_key_id=dict(
        type="str", no_log=False,
        fallback=(env_fallback, ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"])),
    access_key_secret=dict(
        type="str", no_log=True,
        fallback=(env_fallback, ["ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"])),
    security_token=dict(
        type="str", no_log=True,
        fallback=(env_fallback, ["ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"])),
    region=dict(type="str", fallback=(env_fallback, ["ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION"])),
    profile=dict(type="str", fallback=(env_fallback, ["ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"])),
    assume_role=dict(
        type="dict",
        options=dict(
            role_arn=dict(type="str", required=True),
            session_name=dict(type="str", default=DEFAULT_SESSION_NAME),
            duration=dict(type="int", default=DEFAULT_DURATION),
        )),
    endpoint_url=dict(type="str", fallback=(env_fallback, ["ALIBABA_CLOUD_ENDPOINT_URL"])),
    endpoints=dict(type="dict", options=dict((product, dict(type="str")) for product in PRODUCTS)),
    validate_certs=dict(type="bool", default=True),
    max_calls_per_second=dict(type="float"),
)
COMMON_REQUIRED_TOGETHER = [["access_key_id", "access_key_secret"]]
COMMON_REQUIRED_BY = {"security_token": ["access_key_id", "access_key_secret"]}
CREDENTIAL_OPTIONS = ("access_key_id", "access_key_secret", "security_token")


def _whitespace_kind(value):
    """'a trailing newline', 'a leading space', 'leading and trailing whitespace', ..."""
    def kind(chars):
        if not chars:
            return None
        if set(chars) <= {"\n", "\r"}:
            return "newline"
        return "space" if set(chars) == {" "} else "whitespace"
    leading = kind(value[:len(value) - len(value.lstrip())])
    trailing = kind(value[len(value.rstrip()):])
    if leading and trailing:
        return "leading and trailing whitespace"
    where, what = ("leading", leading) if leading else ("trailing", trailing)
    return "%s whitespace" % where if what == "whitespace" else "a %s %s" % (where, what)


def credential_whitespace(params, environ=None):
    """The problem of the credentials with whitespace around them (a newline pasted with a key into an
    AWX credential), naming each option and where its value came from, never the value; None when
    there is none. A key id, secret or token never has any, and the service would only answer that
    the signature or the key does not match."""
    environ = os.environ if environ is None else environ
    problems = []
    for name in CREDENTIAL_OPTIONS:
        value = params.get(name)
        if not isinstance(value, str) or not value or value == value.strip():
            continue
        variables = COMMON_ARGUMENT_SPEC[name]["fallback"][1]
        variable = next((v for v in variables if environ.get(v) == value), None)
        source = "the environment variable %s" % variable if variable else "the %s option" % name
        problems.append("%s (from %s) has %s" % (name, source, _whitespace_kind(value)))
    if not problems:
        return None
    return ("%s: remove the whitespace around the value (a key id, secret or token never has any); its value is "
            "not shown, and nothing was called" % "; ".join(problems))


class AlicloudModule(AnsibleModule):
    """An AnsibleModule with the common options, lazily built SDK clients and fail_json_api."""

    def __init__(self, argument_spec=None, required_together=None, required_by=None, **kwargs):
        spec = dict(COMMON_ARGUMENT_SPEC)
        spec.update(argument_spec or {})
        together = COMMON_REQUIRED_TOGETHER + list(required_together or [])
        by = dict(COMMON_REQUIRED_BY)
        by.update(required_by or {})
        super().__init__(argument_spec=spec, required_together=together, required_by=by, **kwargs)
        if not HAS_SDK:
            self.fail_json(msg=missing_required_lib(SDK_CORE_DISTRIBUTIONS), exception=SDK_IMPORT_ERROR)
        self._clients = None
        self._secret_values = set()
        rate = self.params.get("max_calls_per_second")
        if rate is not None and rate <= 0:
            self.fail_json(msg="max_calls_per_second must be more than 0, got %s" % rate)
        whitespace = credential_whitespace(self.params)
        if whitespace:
            self.fail_json(msg=whitespace)
        try:
            validate_endpoints(self.params.get("endpoint_url"), self.params.get("endpoints"))
        except ClientConfigError as exc:
            self.fail_json(msg=str(exc))

    @property
    def region(self):
        return self.params.get("region")

    @property
    def clients(self):
        """The ClientFactory of the caller (after ``assume_role`` when it is set)."""
        if self._clients is None:
            role = self.params.get("assume_role")
            what = "failed to assume role %s" % role["role_arn"] if role else "failed to set up credentials"
            self._clients = self._or_fail(
                lambda: ClientFactory.from_params(self.params, secrets=self._secret_values), what)
        return self._clients

    def client(self, product, region=None):
        """The AlicloudClient for ``product`` (see client.py) with the caller's credentials."""
        return self._or_fail(lambda: self.clients.client(product, region), "failed to create the %s client" % product)

    def api_read(self, what, call):
        """``call()``, or fail the task saying what could not be done ("failed to <what>": why, code,
        request id, remedy)."""
        try:
            return call()
        except Exception as exc:
            self.fail_json_api(exc, "failed to %s" % what)

    def fail_json_api(self, exc, msg, **kwargs):
        """Fail with one readable line for an SDK exception; ``error`` holds code,
        request_id and http_status."""
        secrets = self.secret_values()
        # Ansible masks no_log values in everything it returns, including the traceback.
        self.no_log_values.update(secrets)
        message, details = describe_error(exc, msg, secrets)
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        # An HTML page the endpoint or a proxy answered is masked in the traceback like a secret.
        self.fail_json(msg=message, error=details, exception=scrub(trace, secrets | answer_bodies(exc)), **kwargs)

    def secret_values(self):
        """Every secret this module knows of (keys, tokens, temporary credentials), for masking."""
        secrets = set(self._secret_values)
        secrets.update(filter(None, (self.params.get("access_key_secret"), self.params.get("security_token"))))
        return secrets

    def _or_fail(self, build, what):
        try:
            return build()
        except MissingSdkError as exc:
            self.fail_json(msg=missing_required_lib(exc.distribution), exception=exc.traceback)
        except ClientConfigError as exc:
            self.fail_json(msg=str(exc))
        except Exception as exc:
            self.fail_json_api(exc, what)
