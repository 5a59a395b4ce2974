# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The O&M access modules' own functions: input checks, how writes are chosen, what results say; secrets never in
them."""

from __future__ import annotations

import pytest

from ansible_collections.alicloud.bastionhost.plugins.module_utils.host_account_plan import (
    AccountSpec,
    Change,
    Host,
    plan_accounts,
)
from ansible_collections.alicloud.bastionhost.plugins.modules import host_account, host_share_key, user_group_grant

KEY = ("-----BEGIN OPENSSH PRIVATE KEY-----\n"
       "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQAAACBvbWl0dGVkb21pdHRlZG9taXR0ZWRv\n"
       "-----END OPENSSH PRIVATE KEY-----\n")


class Failed(Exception):
    pass


class FakeModule:
    def __init__(self, **params):
        self.params = params
        self.no_log_values = set()
        self.check_mode = False

    def fail_json(self, msg, **kwargs):
        raise Failed(msg)


class RecordingAccess:
    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        return lambda *args, **kwargs: self.calls.append((name, args, kwargs))


def share_key_params(**overrides):
    params = dict(name="ops-key", private_key=None, passphrase=None, update_key="on_create", state="present")
    params.update(overrides)
    return params


def test_a_new_shared_key_needs_a_private_key_and_an_existing_one_only_with_always():
    existing = dict(id="1", name="ops-key", fingerprint=None, host_account_count=0)
    assert "required to create" in host_share_key.input_problems(share_key_params(), None)[0]
    assert host_share_key.input_problems(share_key_params(), existing) == []
    assert "update_key=always" in host_share_key.input_problems(share_key_params(update_key="always"), existing)[0]
    assert host_share_key.input_problems(share_key_params(state="absent"), existing) == []


def test_a_shared_key_is_masked_as_given_and_as_sent():
    module = FakeModule(**share_key_params(private_key=KEY, passphrase="pass phrase"))
    host_share_key.mask_secrets(module)
    encoded = host_share_key.ssh_keys.encode_key(KEY)
    assert {KEY, encoded, "pass phrase", host_share_key.ssh_keys.encode("pass phrase")} <= module.no_log_values


def account_params(**overrides):
    params = dict(accounts=[dict(name="ops", protocol=None, password="Secret-Passw0rd", private_key=None,
                                 passphrase=None, host_share_key=None)],
                  host_groups=None, members=["shop-prod"], update_password="on_create", state="present",
                  max_concurrency=4, max_removals=None)
    params.update(overrides)
    return params


def test_host_account_input_is_refused_whole_and_without_the_secret():
    params = account_params(host_groups=[], accounts=[dict(name="ops", protocol="RDP", password="Secret-Passw0rd",
                                                           private_key=KEY, passphrase=None, host_share_key=None)])
    with pytest.raises(Failed) as refused:
        host_account.check_input(FakeModule(**params))
    message = str(refused.value)
    assert message.startswith("nothing was changed") and "host_groups is empty" in message
    assert "exactly one credential" in message
    assert "Secret-Passw0rd" not in message and "b3BlbnNzaC1rZXkt" not in message


def test_host_account_specs_default_to_ssh_only_when_present():
    assert host_account.specs(account_params())[0] == AccountSpec("ops", "SSH", "password", None)
    assert host_account.specs(account_params(state="absent"))[0].protocol is None


def test_each_change_is_written_with_its_own_call_and_the_secret_encoded_only_for_keys():
    access = RecordingAccess()
    params = account_params()
    spec = host_account.specs(params)[0]
    host = Host("7", "web-1")
    host_account.write_change(access, params, {}, Change(host, spec, None, "create"))
    host_account.write_change(access, params, {}, Change(host, spec, dict(id="9"), "secret"))
    host_account.write_change(access, params, {}, Change(host, spec, dict(id="9"), "remove"))
    assert [c[0] for c in access.calls] == ["create_host_account", "modify_host_account", "delete_host_account"]
    assert access.calls[0][2]["password"] == "Secret-Passw0rd" and access.calls[0][2]["private_key"] is None


def test_host_account_results_leave_out_the_failed_writes():
    plan = plan_accounts([Host("1", "a"), Host("2", "b")], [AccountSpec("ops", "SSH", "password", None)], {},
                         "present", "on_create")
    results = host_account.results(plan, [Host("1", "a"), Host("2", "b")], failed={"2 b ops"})
    assert results["created"] == ["1 a ops"]
    assert results["counts"] == dict(created=1, updated=0, removed=0, unchanged=0)


def test_grant_input_needs_something_to_grant_and_purge_goes_with_present():
    with pytest.raises(Failed) as refused:
        user_group_grant.check_input(FakeModule(host_groups=None, databases=None, state="absent", purge=True,
                                                max_removals=None))
    assert "give host_groups and/or databases" in str(refused.value) and "purge goes with" in str(refused.value)


# --- host_account's member scope: the ownership record, confirmed by discovery ---------------------------

SHOP, DATA = "1000000000000011", "1000000000000012"


class ScopeModule(FakeModule):
    clients = "own factory"

    def __init__(self, **params):
        super().__init__(**params)
        self.warnings = []

    def api_read(self, _what, call):
        return call()

    def warn(self, text):
        self.warnings.append(text)

    def secret_values(self):
        return set()


class ScopeBastion:
    instance_id = "bastionhost-cn-hz-ent01"

    def __init__(self, members):
        self._members = members

    def members(self):
        return list(self._members)


def imported_host(asset_id, member, instance_id):
    return dict(asset_id=asset_id, member_id=member, instance_id=instance_id, region="cn-hangzhou", type="ecs")


def scope_of(monkeypatch, members, imported, discovered, unread=None, on_host=(SHOP, DATA)):
    monkeypatch.setattr(host_account, "caller_identity", lambda _sts: {"account_id": "1000000000000001"})
    monkeypatch.setattr(host_account, "discover_assets", lambda *_a, **_k: (discovered, dict(unread or {})))
    module = ScopeModule(members=members, member_role_name="ResourceDirectoryAccountAccessRole", max_concurrency=4)
    module.client = lambda _product: None
    return module, host_account.read_member_hosts(module, ScopeBastion(on_host), imported)


def test_a_pasted_ownership_comment_does_not_put_a_host_in_the_members_scope(monkeypatch):
    imported = [imported_host("1", SHOP, "i-shop"), imported_host("2", SHOP, "i-someone-elses")]
    module, (hosts, unread) = scope_of(monkeypatch, [SHOP], imported,
                                       discovered=[dict(member_id=SHOP, instance_id="i-shop", type="ecs")])
    assert hosts == {"1"} and unread == {}
    assert "i-someone-elses" in module.warnings[0] and "left alone" in module.warnings[0]


def test_the_hosts_of_a_member_that_cannot_be_read_are_left_out_and_named(monkeypatch):
    imported = [imported_host("1", SHOP, "i-shop"), imported_host("2", DATA, "i-data")]
    module, (hosts, unread) = scope_of(monkeypatch, [SHOP, DATA], imported,
                                       discovered=[dict(member_id=SHOP, instance_id="i-shop", type="ecs")],
                                       unread={DATA: Exception("role gone")})
    assert hosts == {"1"} and list(unread) == [DATA]
    assert any(DATA in w and "left out" in w for w in module.warnings)


def test_a_member_not_on_the_bastion_host_is_refused(monkeypatch):
    with pytest.raises(Failed) as refused:
        scope_of(monkeypatch, ["1000000000000099"], [], [], on_host=(SHOP,))
    assert "1000000000000099" in str(refused.value) and str(refused.value).startswith("nothing was changed")


def test_an_account_named_by_a_yaml_boolean_is_refused():
    params = account_params(accounts=[dict(name="True", protocol=None, password="Secret-Passw0rd", private_key=None,
                                           passphrase=None, host_share_key=None)])
    with pytest.raises(Failed) as refused:
        host_account.check_input(FakeModule(**params))
    assert "quote the name" in str(refused.value) and "Secret-Passw0rd" not in str(refused.value)
