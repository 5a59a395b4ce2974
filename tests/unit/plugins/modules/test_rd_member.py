# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.alicloud.bastionhost.plugins.modules import rd_member

A, B = "1000000000000011", "1000000000000012"


class FakeDirectory:
    accounts = {A: {"display_name": "shop-prod"}}

    def label(self, uid):
        return "%s (shop-prod)" % uid if uid == A else uid


class RecordingBastion:
    def __init__(self):
        self.calls = []

    def add_member(self, member):
        self.calls.append(("add", member))

    def remove_member(self, member):
        self.calls.append(("remove", member))


def test_the_diff_shows_members_by_label_and_the_assets_removed_with_them():
    asset = dict(member_id=B, type="ecs", instance_id="i-1")
    diff = rd_member.diff_of(FakeDirectory(), [A, B], [A], [asset])
    assert diff == dict(before=dict(members=["%s (shop-prod)" % A, B], assets=["%s ecs i-1" % B]),
                        after=dict(members=["%s (shop-prod)" % A], assets=[]))


def test_member_results_name_members_that_left_the_directory_null():
    assert rd_member.member_results(FakeDirectory(), [B, A]) == [
        dict(member_id=A, display_name="shop-prod"), dict(member_id=B, display_name=None)]


def test_a_member_job_calls_the_service_it_names():
    bastion = RecordingBastion()
    rd_member.change_member(bastion, ("remove", A))
    rd_member.change_member(bastion, ("add", B))
    assert bastion.calls == [("remove", A), ("add", B)]


def test_the_shared_options_are_in_the_spec():
    spec = rd_member.argument_spec()
    assert spec["instance_id"]["required"] and spec["max_concurrency"]["default"] == 4
    assert spec["member_role_name"]["default"] == "ResourceDirectoryAccountAccessRole" and "max_removals" in spec
