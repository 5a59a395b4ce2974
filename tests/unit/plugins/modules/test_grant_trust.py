# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""user_group_grant and user_group as a task sees them: input refused before anything is read, and a write that
fails after others were made reported as a change, with what was done and the error's code and request id."""

from __future__ import annotations

import json

import pytest

from ansible_collections.alicloud.bastionhost.tests.unit.plugins.module_args import patch_module_args

from ansible_collections.alicloud.bastionhost.plugins.modules import user_group, user_group_grant

SECRET = "sk-never-shown"
COMMON = dict(access_key_id="LTAItest", access_key_secret=SECRET, region="cn-hangzhou", instance_id="bh-1")
MEMBER = "1000000000000003"


class Failed(Exception):
    pass


class FakeModule:
    """Only what the input checks use: a read here fails the test."""

    def __init__(self, **params):
        self.params = dict(max_removals=None, state="present", purge=False, host_groups=None, databases=None)
        self.params.update(params)

    def fail_json(self, msg, **kwargs):
        raise Failed(msg)

    def api_read(self, what, call):
        raise AssertionError("read before the input was checked: %s" % what)


def refusal(check, **params):
    with pytest.raises(Failed) as refused:
        check(FakeModule(**params))
    return str(refused.value)


def test_grant_input_with_purge_and_an_empty_account_list_is_refused():
    message = refusal(user_group_grant.check_input, purge=True, host_groups=[dict(name="g", accounts=[])])
    assert message.startswith("nothing was changed") and "accounts is an empty list with purge" in message
    assert "omit accounts to grant the whole asset group" in message


def test_grant_input_with_a_yaml_boolean_account_name_is_refused_for_host_groups_and_databases():
    message = refusal(user_group_grant.check_input, host_groups=[dict(name="g", accounts=["ops", "True"])],
                      databases=[dict(member=MEMBER, instance_id="rm-1", accounts=["False"])])
    assert "host_groups has the account name True" in message and "databases has the account name False" in message
    assert 'accounts: ["yes"]' in message


def test_grant_input_listing_an_asset_group_or_a_database_twice_is_refused_naming_them():
    message = refusal(user_group_grant.check_input, purge=True,
                      host_groups=[dict(name="g", accounts=["ops"]), dict(name="g", accounts=["root"]),
                                   dict(name="h", accounts=None)],
                      databases=[dict(member=MEMBER, instance_id="rm-1", accounts=None),
                                 dict(member=" %s" % MEMBER, instance_id="rm-1", accounts=["app"])])
    assert "host_groups lists g more than once" in message and "h" not in message.split("lists")[1].split(" more")[0]
    assert "databases lists %s rm-1 more than once" % MEMBER in message


def test_a_database_given_by_member_id_and_by_display_name_is_refused(monkeypatch):
    monkeypatch.setattr(user_group_grant, "member_uids", lambda module, names, option: dict(
        (name.strip(), MEMBER) for name in names))
    module = FakeModule(databases=[dict(member=MEMBER, instance_id="rm-1", accounts=None),
                                   dict(member="shop-prod", instance_id="rm-1", accounts=None)])
    problems = user_group_grant.Problems()
    imported = [dict(member_id=MEMBER, instance_id="rm-1", asset_id="41")]
    wanted = user_group_grant.resolve_databases(module, None, imported, problems)
    assert [w.id for w in wanted] == ["41"]
    assert "database listed more than once" in problems.message("nothing was changed")


class NoReads:
    instance_id = "bh-1"

    def __getattr__(self, name):
        raise AssertionError("read before the input was checked: %s" % name)


def test_an_unquoted_yes_in_a_task_is_refused_before_anything_is_read(monkeypatch, capsys):
    monkeypatch.setattr(user_group_grant, "Access", lambda *args: NoReads())
    monkeypatch.setattr(user_group_grant, "BastionHost", lambda *args: NoReads())
    # accounts: [yes] in YAML: Ansible turns the boolean into the string "True" (a list of str).
    result = run_failing(capsys, user_group_grant, dict(user_group="ops", purge=True,
                                                        host_groups=[dict(name="g", accounts=[True])]))
    assert result["msg"].startswith("nothing was changed") and "account name True" in result["msg"]
    assert "changed" not in result or result["changed"] is False


def test_user_group_input_with_a_yaml_boolean_member_name_is_refused():
    message = refusal(user_group.group_request, name="team", comment=None, members=["alice", "True"],
                      purge_members=False)
    assert "members has the user name True" in message and 'members: ["yes"]' in message


class GrantAccess:
    """A user group granted asset group g with ops and root; revoking works, granting is throttled."""

    instance_id = "bh-1"

    def __init__(self, api_error):
        self.api_error = api_error
        self.writes = []

    def user_group(self, name):
        return {"UserGroupId": 5, "UserGroupName": name}

    def granted_host_groups(self, user_group_id):
        return {"g1": dict(name="g", accounts=["ops", "root"])}

    def granted_databases(self, user_group_id):
        return {}

    def detach_host_groups(self, user_group_id, grants):
        self.writes.append(("detach_host_groups", grants))

    def attach_host_groups(self, user_group_id, grants):
        raise self.api_error("Throttling.User", 400, message="Request was denied due to user flow control.",
                             request_id="REQ-GRANT-9")

    def detach_databases(self, user_group_id, grants):
        self.writes.append(("detach_databases", grants))

    def attach_databases(self, user_group_id, grants):
        self.writes.append(("attach_databases", grants))


class Bastion:
    instance_id = "bh-1"

    def imported_databases(self):
        return []

    def groups(self):
        return {"g": "g1"}


def run_failing(capsys, module, args):
    with patch_module_args(dict(COMMON, **args)):
        with pytest.raises(SystemExit):
            module.main()
    out = capsys.readouterr().out
    assert SECRET not in out
    return json.loads(out)


def test_a_grant_failing_after_a_revoke_reports_changed_what_was_revoked_and_the_error(monkeypatch, capsys, api_error):
    access = GrantAccess(api_error)
    monkeypatch.setattr(user_group_grant, "Access", lambda *args: access)
    monkeypatch.setattr(user_group_grant, "BastionHost", lambda *args: Bastion())
    result = run_failing(capsys, user_group_grant, dict(user_group="ops", purge=True,
                                                        host_groups=[dict(name="g", accounts=["ops", "app"])]))
    assert result["failed"] is True and result["changed"] is True
    assert access.writes == [("detach_host_groups", [("g1", ["root"])])]
    assert result["revoked"] == ["host_group g account root"] and result["granted"] == []
    assert result["grants"]["host_groups"] == [dict(name="g", accounts=["ops"])]
    assert "revoked 1: host_group g account root" in result["msg"]
    assert "grant asset groups to user group ops" in result["msg"]
    assert "Throttling.User" in result["msg"] and "REQ-GRANT-9" in result["msg"]
    assert result["failures"][0]["code"] == "Throttling.User" and result["failures"][0]["request_id"] == "REQ-GRANT-9"


class GroupAccess:
    """No user group yet; creating it works, adding its users is refused."""

    instance_id = "bh-1"

    def __init__(self, api_error):
        self.api_error = api_error
        self.writes = []

    def user_group(self, name):
        return None

    def users(self, user_group_id=None):
        return [dict(id="1", name="alice"), dict(id="2", name="bob")]

    def create_user_group(self, name, comment=None):
        self.writes.append(("create_user_group", name, comment))
        return "77"

    def add_users(self, group_id, user_ids):
        raise self.api_error("Forbidden.RAM", 403, message="You are not authorized.", request_id="REQ-GROUP-3")


def test_adding_users_failing_after_the_group_was_created_reports_changed_and_the_new_group(
        monkeypatch, capsys, api_error):
    access = GroupAccess(api_error)
    monkeypatch.setattr(user_group, "Access", lambda *args: access)
    result = run_failing(capsys, user_group, dict(name="team", comment="shop", members=["alice", "bob"]))
    assert result["failed"] is True and result["changed"] is True
    assert access.writes == [("create_user_group", "team", "shop")]
    assert result["user_group"] == dict(id="77", name="team", comment="shop", members=[])
    assert result["added"] == [] and result["removed"] == []
    assert "created the group" in result["msg"] and "add alice, bob to user group team" in result["msg"]
    assert "Forbidden.RAM" in result["msg"] and "REQ-GROUP-3" in result["msg"]
    assert result["failures"][0]["request_id"] == "REQ-GROUP-3"


def test_a_blank_comment_creates_the_group_without_one(monkeypatch, capsys, api_error):
    access = GroupAccess(api_error)
    monkeypatch.setattr(user_group, "Access", lambda *args: access)
    result = run_failing(capsys, user_group, dict(name="team", comment="  ", members=["alice"]))
    assert access.writes == [("create_user_group", "team", None)]
    assert result["user_group"]["comment"] == ""
