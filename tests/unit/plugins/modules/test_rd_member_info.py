# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""rd_member_info's selection of members (members, select): rd_member's, through the resource directory's own
Directory, limited to the members on the bastion host."""

from __future__ import annotations

import pytest

from alibabacloud_resourcemanager20200331 import models as rm_models

from ansible_collections.alicloud.bastionhost.plugins.module_utils.directory import Directory
from ansible_collections.alicloud.bastionhost.plugins.modules import rd_member, rd_member_info

MANAGEMENT, ADMIN = "1000000000000001", "1000000000000002"
SHOP_PROD, DATA_PROD, LEGACY, FLAGGED = "1000000000000011", "1000000000000012", "1000000000000013", "1000000000000014"
SHOP_DEV, LEFT = "1000000000000021", "1000000000000099"
FOLDERS = {"r-root": ["fd-prod", "fd-dev", "fd-legacy"]}


def account(uid, name, folder, **tags):
    return {"AccountId": uid, "DisplayName": name, "FolderId": folder,
            "Tags": {"Tag": [{"Key": k, "Value": v} for k, v in tags.items()]}}


ACCOUNTS = [
    account(MANAGEMENT, "management", "r-root"),
    account(ADMIN, "security", "fd-prod", env="prod"),
    account(SHOP_PROD, "shop-prod", "fd-prod", env="prod", team="shop"),
    account(DATA_PROD, "data-prod", "fd-prod", env="staging", team="data"),
    account(LEGACY, "legacy-prod", "fd-legacy", env="prod"),
    account(FLAGGED, "flagged", "fd-prod", managed="true"),
    account(SHOP_DEV, "shop-dev", "fd-dev", env="dev", team="shop"),
]
# LEFT left the resource directory while on the bastion host; SHOP_DEV is not on it.
ON_HOST = [SHOP_PROD, DATA_PROD, LEGACY, FLAGGED, LEFT]


class FakeClient:
    def __init__(self, answers, models=None):
        self.answers, self.models = answers, models

    def call(self, method, request=None, retry=False):
        answer = self.answers[method]
        return answer(request) if callable(answer) else answer


def folders_under(request):
    children = FOLDERS.get(request.parent_folder_id, [])
    return {"Folders": {"Folder": [{"FolderId": f, "FolderName": f[3:]} for f in children]},
            "TotalCount": len(children)}


RM = FakeClient({
    "get_resource_directory": {"ResourceDirectory": {"MasterAccountId": MANAGEMENT, "RootFolderId": "r-root"}},
    "list_delegated_administrators": {"Accounts": {"Account": [{"AccountId": ADMIN}]}, "TotalCount": 1},
    "list_accounts": {"Accounts": {"Account": ACCOUNTS}, "TotalCount": len(ACCOUNTS)},
    "list_folders_for_parent": folders_under,
}, rm_models)
STS = FakeClient({"get_caller_identity": {"AccountId": MANAGEMENT, "IdentityType": "RAMUser",
                                          "Arn": "acs:ram::%s:user/ops" % MANAGEMENT}})


class Failed(Exception):
    pass


class FakeModule:
    def __init__(self, members=None, select=None):
        self.params = dict(instance_id="bastionhost-cn-hz-ent01", members=members, select=select)
        self.warnings = []

    def client(self, product):
        assert product == "resourcemanager"
        return RM

    def api_read(self, _what, call):
        return call()

    def warn(self, text):
        self.warnings.append(text)

    def fail_json(self, msg, **_kwargs):
        raise Failed(msg)


def choose(members=None, select=None):
    module = FakeModule(members, select)
    return rd_member_info.chosen_members(module, Directory(RM, STS), list(ON_HOST)), module.warnings


def refusal(members=None, select=None):
    with pytest.raises(Failed) as failed:
        choose(members, select)
    return str(failed.value)


def test_the_select_option_is_rd_members():
    assert rd_member_info.argument_spec()["select"] == rd_member.argument_spec()["select"]
    assert rd_member_info.argument_spec()["members"] == rd_member.argument_spec()["members"]


def test_without_members_or_select_every_member_on_the_bastion_host_is_listed():
    assert choose() == (sorted(ON_HOST), [])


@pytest.mark.parametrize("select,expected", [
    ({"folder_ids": ["fd-prod"], "tags": {"env": "prod"}}, [SHOP_PROD]),
    ({"all": True, "folder_ids": ["fd-prod"]}, [SHOP_PROD, DATA_PROD, FLAGGED]),
    ({"tags": {"env": "prod", "team": "shop"}}, [SHOP_PROD]),
    ({"folder_ids": ["fd-legacy", "fd-dev"]}, [LEGACY]),
    ({"all": True}, [SHOP_PROD, DATA_PROD, LEGACY, FLAGGED]),
])
def test_every_criterion_of_select_must_hold_and_only_members_on_the_bastion_host_are_listed(select, expected):
    assert choose(select=select) == (expected, [])


def test_tag_values_match_as_text():
    assert choose(select={"tags": {"managed": True}}) == ([FLAGGED], [])


def test_named_members_are_added_to_the_selection():
    assert choose(members=["legacy-prod", LEFT], select={"folder_ids": ["fd-prod"], "tags": {"team": "shop"}}) == (
        [SHOP_PROD, LEGACY, LEFT], [])


def test_a_member_that_left_the_directory_can_be_named_by_its_id_without_a_warning():
    assert choose(members=[LEFT]) == ([LEFT], [])


def test_a_selection_of_no_member_on_the_bastion_host_is_a_warning():
    chosen, warnings = choose(select={"folder_ids": ["fd-dev"]})
    assert chosen == [] and warnings == [
        "select matched no member on bastion host bastionhost-cn-hz-ent01, only members of the resource directory "
        "that are not on it: %s (shop-dev)" % SHOP_DEV]


@pytest.mark.parametrize("members,select,expected", [
    ([], None, "members is an empty list"),
    (["nobody"], None, "no account with this display name in the resource directory: 'nobody'"),
    (["shop-dev"], None, "not members of bastion host bastionhost-cn-hz-ent01: %s (shop-dev)" % SHOP_DEV),
    (["1000000000000098"], None, "neither in this resource directory nor on the bastion host"),
    ([""], {"all": True}, "empty member names"),
    (None, {}, "select names no folder, no tag and not all: true"),
    (None, {"folder_ids": ["fd-prdo"], "tags": {"env": "prod"}}, "unknown folder IDs in select.folder_ids: fd-prdo"),
    ([MANAGEMENT], None, "the caller's own account is not a member"),
])
def test_input_that_selects_nothing_is_an_error(members, select, expected):
    assert expected in refusal(members, select)
