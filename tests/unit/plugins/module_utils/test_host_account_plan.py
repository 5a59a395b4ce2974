# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""host_account planning: accounts created where missing, moved to the shared key asked, secrets sent again only
with update_password=always, only the named accounts on the scoped hosts removed, never a secret in the diff."""

from __future__ import annotations

from ansible_collections.alicloud.bastionhost.plugins.module_utils.host_account_plan import (
    AccountSpec,
    Host,
    capped,
    plan_accounts,
    spec_problems,
)

HOSTS = [Host("1", "web-1"), Host("2", "web-2")]
OPS_KEY = AccountSpec("ops", "SSH", "host_share_key", "ops-key")
ADMIN = AccountSpec("admin", "SSH", "password", None)


def account(host_id, name, protocol="SSH", **fields):
    return dict(dict(id=host_id + name, host_id=host_id, name=name, protocol=protocol, has_password=False,
                     share_key_id=None, share_key_name=None, key_fingerprint=None), **fields)


def existing(*accounts):
    return dict(((a["host_id"], a["name"]), a) for a in accounts)


def test_missing_accounts_are_created_and_the_diff_names_the_credential_not_its_value():
    plan = plan_accounts(HOSTS, [OPS_KEY, ADMIN], existing(account("1", "ops", share_key_name="ops-key")), "present",
                         "on_create")
    assert [(c.host.id, c.spec.name) for c in plan.create] == [("1", "admin"), ("2", "ops"), ("2", "admin")]
    assert plan.unchanged == 1 and plan.update == [] and plan.remove == []
    assert plan.after["web-2 (2)"] == {"ops": {"protocol": "SSH", "credential": "shared key ops-key"},
                                       "admin": {"protocol": "SSH", "credential": "password (set, not shown)"}}


def test_an_account_on_another_key_moves_and_a_password_is_sent_again_only_when_always():
    current = existing(account("1", "ops", share_key_name="old"), account("1", "admin", has_password=True))
    once = plan_accounts(HOSTS[:1], [OPS_KEY, ADMIN], current, "present", "on_create")
    assert [(c.spec.name, c.what) for c in once.update] == [("ops", "attach")]
    always = plan_accounts(HOSTS[:1], [OPS_KEY, ADMIN], current, "present", "always")
    assert [(c.spec.name, c.what) for c in always.update] == [("ops", "attach"), ("admin", "secret")]
    assert always.after["web-1 (1)"]["admin"]["credential"] == "password (changed, not shown)"
    assert always.before["web-1 (1)"]["ops"]["credential"] == "shared key old"


def test_another_protocol_is_refused_naming_the_hosts():
    plan = plan_accounts(HOSTS, [ADMIN], existing(account("2", "admin", "RDP")), "present", "on_create")
    assert len(plan.problems) == 1 and "web-2 (2)" in plan.problems[0] and "RDP" in plan.problems[0]


def test_absent_removes_only_the_named_accounts_of_the_protocol_given_within_max_removals():
    current = existing(account("1", "admin"), account("2", "admin", "RDP"), account("1", "keep"))
    anyone = plan_accounts(HOSTS, [AccountSpec("admin", None, None, None)], current, "absent", "on_create")
    assert [(c.host.id, c.spec.name) for c in anyone.remove] == [("1", "admin"), ("2", "admin")]
    ssh = plan_accounts(HOSTS, [AccountSpec("admin", "SSH", None, None)], current, "absent", "on_create")
    assert [(c.host.id, c.spec.name) for c in ssh.remove] == [("1", "admin")]
    over = plan_accounts(HOSTS, [AccountSpec("admin", None, None, None)], current, "absent", "on_create", 1)
    assert over.problems and "max_removals 1" in over.problems[0]


def test_each_account_has_exactly_one_credential_and_rdp_a_password():
    assert spec_problems(0, dict(name="a"), "present")
    assert spec_problems(0, dict(name="a", password="p", host_share_key="k"), "present")
    assert spec_problems(0, dict(name="a", protocol="RDP", private_key="k"), "present")
    assert spec_problems(0, dict(name="a", password="p", passphrase="x"), "present")
    assert spec_problems(0, dict(name=""), "absent")
    assert not spec_problems(0, dict(name="a"), "absent")
    assert not spec_problems(0, dict(name="a", protocol="RDP", password="p"), "present")
    message = " ".join(spec_problems(0, dict(name="a", password="hunter2-secret", host_share_key="k"), "present"))
    assert "hunter2-secret" not in message


def test_the_diff_shows_at_most_the_hosts_asked_then_a_count():
    hosts = [Host(str(n), "h%03d" % n) for n in range(150)]
    plan = plan_accounts(hosts, [ADMIN], {}, "present", "on_create")
    diff = capped(plan.before, plan.after, 100)
    assert len(diff["after"]) == 101 and diff["after"]["..."].startswith("50 more hosts")
