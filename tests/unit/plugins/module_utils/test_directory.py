# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from alibabacloud_resourcemanager20200331 import models as rm_models

from ansible_collections.alicloud.bastionhost.plugins.module_utils.directory import (
    Directory,
    DirectoryError,
    missing_policies,
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
