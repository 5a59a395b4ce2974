# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

import json

from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_polardb20170801 import models as polardb_models
from alibabacloud_rds20140815 import models as rds_models
from alibabacloud_resourcemanager20200331 import models as rm_models

from ansible_collections.alicloud.bastionhost.plugins.module_utils.directory import (
    Directory,
    DirectoryError,
    missing_policies,
    own_instances,
)

MANAGEMENT = "1000000000000001"
ADMIN = "1000000000000002"
ACCOUNTS = [
    {"AccountId": MANAGEMENT, "DisplayName": "management", "FolderId": "r-root"},
    {"AccountId": ADMIN, "DisplayName": "security", "FolderId": "fd-prod"},
    {"AccountId": "1000000000000011", "DisplayName": "shop-prod", "FolderId": "fd-prod",
     "Tags": {"Tag": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "shop"}]}},
    {"AccountId": "1000000000000021", "DisplayName": "shop-dev", "FolderId": "fd-dev",
     "Tags": {"Tag": [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "shop"}]}},
    {"AccountId": "1000000000000031", "DisplayName": "twin", "FolderId": "fd-dev"},
    {"AccountId": "1000000000000032", "DisplayName": "twin", "FolderId": "fd-dev"},
]


class FakeClient:
    """Answers `call(method, request)` from canned bodies; records the calls."""

    def __init__(self, answers, models=None):
        self.answers = answers
        self.models = models
        self.calls = []

    def call(self, method, request=None, retry=False):
        self.calls.append(method)
        answer = self.answers[method]
        if isinstance(answer, Exception):
            raise answer
        return answer(request) if callable(answer) else answer


def rm_client(accounts=tuple(ACCOUNTS), admins=(ADMIN,), directory=True, admin_error=None):
    return FakeClient({
        "get_resource_directory": {"ResourceDirectory": {"MasterAccountId": MANAGEMENT, "RootFolderId": "r-root"}}
        if directory else None,
        "list_delegated_administrators": admin_error or {
            "Accounts": {"Account": [{"AccountId": a} for a in admins]}, "TotalCount": len(admins)},
        "list_accounts": {"Accounts": {"Account": list(accounts)}, "TotalCount": len(accounts)},
    }, rm_models)


def sts_client(account=MANAGEMENT):
    return FakeClient({"get_caller_identity": {"AccountId": account, "IdentityType": "Account",
                                               "Arn": "acs:ram::%s:root" % account}})


@pytest.fixture
def directory():
    return Directory(rm_client(), sts_client())


def test_resolve_takes_ids_and_display_names(directory):
    uids, problems = directory.resolve(["1000000000000011", "shop-dev", "shop-prod"])
    assert uids == ["1000000000000011", "1000000000000021"]
    assert not problems


def test_resolve_names_every_bad_entry(directory):
    uids, problems = directory.resolve(["nobody", "123", "1000000000000099", MANAGEMENT, ADMIN, "twin"])
    assert uids == []
    assert problems.lines() == [
        "no account with this display name in the resource directory: 'nobody'",
        "not 16-digit account IDs: '123'",
        "accounts not in this resource directory: 1000000000000099",
        "the caller's own account is not a member (only member assets can be imported): 1000000000000001",
        "delegated administrators are not members (only member assets can be imported): 1000000000000002",
        "ambiguous display names: 'twin' (1000000000000031, 1000000000000032)",
    ]


def test_select_by_folder_tags_and_all_skips_management_and_admins(directory):
    assert directory.select(folder_ids=["fd-prod"]) == ["1000000000000011"]
    assert directory.select(tags={"team": "shop"}) == ["1000000000000011", "1000000000000021"]
    assert directory.select(folder_ids=["fd-dev"], tags={"env": "dev"}) == ["1000000000000021"]
    assert sorted(directory.select(select_all=True)) == [
        "1000000000000011", "1000000000000021", "1000000000000031", "1000000000000032"]
    assert directory.select() == []


def test_label_shows_the_display_name(directory):
    assert directory.label("1000000000000011") == "1000000000000011 (shop-prod)"
    assert directory.label("1000000000000099") == "1000000000000099"


def test_a_delegated_administrator_caller_may_not_add_the_management_account():
    directory = Directory(rm_client(), sts_client(ADMIN))
    assert directory.resolve([MANAGEMENT])[1].lines() == [
        "the management account is not a member (only member assets can be imported): 1000000000000001"]


def test_no_resource_directory_is_a_directory_error(api_error):
    rm = rm_client()
    rm.answers["get_resource_directory"] = api_error("EntityNotExists.ResourceDirectory", 404)
    with pytest.raises(DirectoryError, match="Resource Directory is not enabled for account 1000000000000001"):
        Directory(rm, sts_client())


def test_a_member_caller_is_the_wrong_direction(api_error):
    rm = rm_client(admin_error=api_error("OperationDenied.NotManagementOrDelegatedAdmin", 403))
    with pytest.raises(DirectoryError, match="1000000000000011 is not the management account"):
        Directory(rm, sts_client("1000000000000011"))
    assert "list_accounts" not in rm.calls


def test_other_errors_are_raised_as_they_are(api_error):
    rm = rm_client(admin_error=api_error("Throttling.User"))
    with pytest.raises(Exception) as raised:
        Directory(rm, sts_client())
    assert raised.value.code == "Throttling.User"


@pytest.mark.parametrize("policies,missing", [
    ({}, ["AliyunYundunBastionHostFullAccess", "AliyunResourceDirectoryFullAccess"]),
    ({"AliyunYundunBastionHostFullAccess": "attached"}, ["AliyunResourceDirectoryFullAccess"]),
    ({"AliyunYundunBastionHostFullAccess": "a", "AliyunResourceDirectoryFullAccess": "through group g"}, []),
    ({"AdministratorAccess": "attached"}, []),
])
def test_missing_policies(policies, missing):
    assert missing_policies(policies) == missing


# --- members that left the resource directory ---------------------------------------------

LEFT = "1000000000000099"


def test_a_member_that_left_can_be_named_by_uid_while_it_is_on_the_bastion_host(directory):
    for removing in (False, True):
        uids, problems = directory.resolve([LEFT], on_host={LEFT}, removing=removing)
        assert uids == [LEFT] and not problems
    assert directory.outside(["1000000000000011", LEFT]) == [LEFT]
    assert directory.label(LEFT) == LEFT


def test_an_account_outside_the_directory_cannot_be_added_and_one_off_the_host_cannot_be_removed(directory):
    assert directory.resolve([LEFT], on_host=set())[1].lines() == [
        "accounts not in this resource directory, which cannot be added (a member that left the directory can be "
        "removed from the bastion host, not added back): %s" % LEFT]
    assert directory.resolve([LEFT], on_host=set(), removing=True)[1].lines() == [
        "accounts neither in this resource directory nor on the bastion host (removed already, or a mistyped ID): "
        "%s" % LEFT]
    # The management account, delegated administrators and the caller stay refused, on the host or not.
    assert directory.resolve([ADMIN], on_host={ADMIN}, removing=True)[0] == []


# --- the caller's own instances -----------------------------------------------------------

class OwnAccount:
    """The caller's own ECS, RDS and PolarDB: ``instances`` {(type, region): [ids]}; records every request."""

    def __init__(self, instances, ecs_permitted=True, errors=None):
        self.instances = instances
        self.ecs_permitted = ecs_permitted
        self.errors = errors or {}
        self.requests = []

    def client(self, product, region=None):
        models = {"ecs": ecs_models, "rds": rds_models, "polardb": polardb_models}[product]
        return FakeClient(dict((method, lambda request, method=method, product=product, region=region: self.answer(
            product, region, method, request)) for method in (
                "describe_instances", "describe_dbinstances", "describe_dbclusters")), models)

    def answer(self, product, region, method, request):
        self.requests.append((product, region, request))
        if product in self.errors:
            raise self.errors[product]
        ids = self.instances.get((product, region), [])
        if product == "ecs":
            if request.dry_run:
                raise self.errors.get("dry_run") or DryRun("DryRunOperation" if self.ecs_permitted else "Forbidden.RAM")
            wanted = json.loads(request.instance_ids)
            found = [i for i in ids if i in wanted] if self.ecs_permitted else []
            return {"Instances": {"Instance": [{"InstanceId": i} for i in found]}, "NextToken": ""}
        if product == "rds":
            found = [i for i in ids if i == request.dbinstance_id]
            return {"Items": {"DBInstance": [{"DBInstanceId": i} for i in found]}, "TotalRecordCount": len(found)}
        found = [i for i in ids if i in request.dbcluster_ids.split(",")]
        return {"Items": {"DBCluster": [{"DBClusterId": i} for i in found]}, "TotalRecordCount": len(found)}


class DryRun(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code
        self.data = {"Code": code, "Message": code}


def host(instance_id):
    return dict(type="ecs", instance_id=instance_id, member_id=None, region=None)


def database(kind, instance_id, region):
    return dict(type=kind, instance_id=instance_id, member_id=None, region=region)


def test_own_hosts_are_looked_up_by_instance_ids_100_a_call_in_every_region():
    hosts = ["i-%03d" % n for n in range(150)]
    account = OwnAccount({("ecs", "cn-hangzhou"): hosts[:120], ("ecs", "cn-shanghai"): ["i-149"]})
    keys, notes = own_instances(account, [host(i) for i in hosts] + [host("i-other")], ["cn-hangzhou", "cn-shanghai"])
    assert keys == set(("ecs", i) for i in hosts[:120] + ["i-149"]) and notes == []
    lookups = [(region, len(json.loads(r.instance_ids))) for product, region, r in account.requests
               if not r.dry_run]
    assert sorted(lookups) == [("cn-hangzhou", 51), ("cn-hangzhou", 100), ("cn-shanghai", 51), ("cn-shanghai", 100)]


def test_own_databases_are_looked_up_in_their_own_region():
    account = OwnAccount({("rds", "cn-shanghai"): ["rm-1"], ("polardb", "cn-hangzhou"): ["pc-1", "pc-2"]})
    keys, notes = own_instances(account, [
        database("rds", "rm-1", "cn-shanghai"), database("rds", "rm-2", "cn-shanghai"),
        database("polardb", "pc-1", "cn-hangzhou"), database("polardb", "pc-3", "cn-hangzhou")], ["cn-hangzhou"])
    assert keys == {("rds", "rm-1"), ("polardb", "pc-1")} and notes == []
    assert sorted((p, region, getattr(r, "dbinstance_id", None) or r.dbcluster_ids)
                  for p, region, r in account.requests) == [
        ("polardb", "cn-hangzhou", "pc-1,pc-3"), ("rds", "cn-shanghai", "rm-1"), ("rds", "cn-shanghai", "rm-2")]


def test_an_empty_ecs_answer_to_a_caller_without_permission_is_told_apart_by_a_dry_run():
    account = OwnAccount({("ecs", "cn-hangzhou"): ["i-jump"]}, ecs_permitted=False)
    keys, notes = own_instances(account, [host("i-jump")], ["cn-hangzhou"])
    assert keys == set() and len(notes) == 1
    assert "may not read the ECS instances of its own account" in notes[0] and "AliyunECSReadOnlyAccess" in notes[0]
    # A permitted caller that simply does not have the instance: no note.
    keys, notes = own_instances(OwnAccount({}), [host("i-jump")], ["cn-hangzhou"])
    assert keys == set() and notes == []


def test_a_lookup_that_fails_is_a_note_and_finds_nothing(api_error):
    account = OwnAccount({("rds", "cn-hangzhou"): ["rm-1"]}, errors={"rds": api_error("Forbidden.RAM", 403)})
    keys, notes = own_instances(account, [database("rds", "rm-1", "cn-hangzhou")], ["cn-hangzhou"])
    assert keys == set() and len(notes) == 1 and "Forbidden.RAM" in notes[0] and "AliyunRDSReadOnlyAccess" in notes[0]
