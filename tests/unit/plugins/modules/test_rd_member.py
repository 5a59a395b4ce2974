# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.alicloud.bastionhost.plugins.module_utils.planning import MemberPlan
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


# --- whose the imported assets are, when members are removed -------------------------------

LEFT = "1000000000000099"
OWN = "1000000000000001"


class Failed(Exception):
    pass


class FakeModule:
    def __init__(self, asset_regions=None):
        self.params = dict(asset_regions=asset_regions, member_role_name="ResourceDirectoryAccountAccessRole",
                           max_concurrency=4, full_results=True)
        self.region = "cn-hangzhou"
        self.clients = "own factory"
        self.warnings = []

    def api_read(self, _what, call):
        return call()

    def warn(self, text):
        self.warnings.append(text)

    def fail_json(self, msg, **_kwargs):
        raise Failed(msg)

    def secret_values(self):
        return set()


class FakeBastion:
    instance_id = "bastionhost-cn-hz-ent01"

    def __init__(self, imported):
        self._imported = imported

    def imported_assets(self):
        return list(self._imported)


class Caller(FakeDirectory):
    caller = {"account_id": OWN}


def record(member, instance_id, kind="ecs", state="Normal"):
    return dict(member_id=member, type=kind, instance_id=instance_id, region="cn-hangzhou" if member else None,
                asset_id=instance_id, source_state=state)


def found(member, instance_id, kind="ecs"):
    return dict(member_id=member, type=kind, instance_id=instance_id, region="cn-hangzhou")


def test_no_discovery_when_no_asset_is_the_leaving_members_or_unrecorded(monkeypatch):
    monkeypatch.setattr(rd_member, "discover_assets", lambda *a, **k: pytest.fail("discovered"))
    owners = rd_member.read_asset_owners(FakeModule(), Caller(), FakeBastion([record(A, "i-1")]), [A, B], {B})
    assert owners.owned == {A: [record(A, "i-1")]} and owners.unattributed == [] and owners.discovered == []


def test_the_leaving_members_records_are_checked_and_the_rest_looked_up_in_the_own_account(monkeypatch):
    imported = [record(B, "i-pasted"), record(B, "i-gone", state="Release"), record(B, "i-mine"),
                record(None, "i-jump"), record(None, "i-hand"), record(A, "i-a")]
    calls = {}

    def discover(factory_for, members, regions, types, max_workers):
        calls["discover"] = (members, regions, types)
        return [found(A, "i-pasted"), found(B, "i-mine"), found(B, "i-hand")], {LEFT: Exception("gone")}

    def own(factory, assets, regions, max_workers, secrets):
        calls["own"] = (factory, sorted(a["instance_id"] for a in assets), regions)
        return {("ecs", "i-jump")}, []

    monkeypatch.setattr(rd_member, "known_regions", lambda factory: ["cn-hangzhou", "cn-shanghai"])
    monkeypatch.setattr(rd_member, "discover_assets", discover)
    monkeypatch.setattr(rd_member, "own_instances", own)
    monkeypatch.setattr(rd_member.MemberAccess, "factory_for", lambda self, member: "factory of %s" % member)
    monkeypatch.setattr(rd_member.MemberAccess, "describe", lambda self, member, exc, label: ("%s: %s" % (
        member, exc), {}))
    module = FakeModule()
    owners = rd_member.read_asset_owners(module, Caller(), FakeBastion(imported), [A, B, LEFT], {B})
    assert calls["discover"] == ([A, B, LEFT], ["cn-hangzhou"], ["ecs"])
    # Looked up in the own account: the unattributed i-jump, and B's records discovery did not find (not the
    # released one).
    assert calls["own"] == ("own factory", ["i-jump"], ["cn-hangzhou"])
    assert owners.own_keys == {("ecs", "i-jump")} and sorted(owners.unread) == [LEFT]
    assert sorted(a["instance_id"] for a in owners.owned[B]) == ["i-gone", "i-hand", "i-mine", "i-pasted"]
    assert len(module.warnings) == 1 and LEFT in module.warnings[0]


def test_regions_are_checked_in_the_first_member_whose_role_works_else_in_the_own_account(monkeypatch):
    class Access:
        def factory_for(self, member):
            if member != B:
                raise Failed("no role in %s" % member)
            return "factory of %s" % member

    asked = []
    monkeypatch.setattr(rd_member, "known_regions", lambda factory: asked.append(factory) or ["cn-hangzhou"])
    rd_member.check_regions(FakeModule(), Access(), [A, B], ["cn-hangzhou"])
    assert asked == ["factory of %s" % B]
    asked[:] = []
    rd_member.check_regions(FakeModule(), Access(), [A], ["cn-hangzhou"])
    assert asked == ["own factory"]
    with pytest.raises(Failed, match="unknown region IDs in asset_regions: cn-hangzou"):
        rd_member.check_regions(FakeModule(), Access(), [B], ["cn-hangzou"])


def test_disputed_assets_are_reported_with_the_member_discovery_found():
    module = FakeModule()
    module._diff, results = False, {}
    module.exit_json = lambda **result: results.update(result)
    disputed = dict(found(B, "i-pasted"), asset_id="7", discovered_member=A)
    rd_member.report(module, FakeDirectory(), [A, B], [A], [], [B], [], [disputed])
    assert results["disputed_assets"] == [dict(member_id=B, type="ecs", instance_id="i-pasted",
                                               region="cn-hangzhou", asset_id="7", discovered_member_id=A)]


# --- an offboarding while another run imports the member's assets back ------------------------

class Refused(Exception):
    code = "OperationDenied.MemberHasAssets"


class SyncingBastion:
    """A bastion host on which another run (a sync) imports ``back`` anew, once, right after this run deletes
    it: the first removal of the member is refused, as the service refuses a member that still has assets."""

    def __init__(self, imported, back=(), foreign=()):
        self.imported = list(imported) + list(foreign)
        self.back = set(back)
        self.calls = []

    def imported_assets(self):
        return list(self.imported)

    def delete_asset(self, asset):
        self.calls.append(("delete", asset["instance_id"], asset["asset_id"]))
        self.imported = [a for a in self.imported if a["asset_id"] != asset["asset_id"]]
        if asset["instance_id"] in self.back:
            self.back.discard(asset["instance_id"])
            self.imported.append(dict(asset, asset_id=asset["asset_id"] + "-again"))

    def remove_member(self, member):
        self.calls.append(("remove", member))
        if [a for a in self.imported if a["member_id"] == member]:
            raise Refused("The member still has imported assets")

    def add_member(self, member):
        self.calls.append(("add", member))


def offboarding_plan(assets):
    plan = MemberPlan()
    plan.to_remove, plan.removed_assets = [A], list(assets)
    return plan


def test_assets_a_sync_imported_back_are_deleted_again_and_the_removal_retried():
    planned = [record(A, "i-1"), record(A, "i-2")]
    bastion = SyncingBastion(planned, back=["i-2"])
    added, removed, removed_assets, failures = rd_member.apply(FakeModule(), bastion, offboarding_plan(planned))
    assert (added, removed, len(failures)) == ([], [A], 0)
    assert [a["instance_id"] for a in removed_assets] == ["i-1", "i-2"]      # each asset once
    assert ("delete", "i-2", "i-2-again") in bastion.calls and bastion.calls[-1] == ("remove", A)
    assert bastion.calls.count(("remove", A)) == 2


def test_an_asset_outside_the_plan_is_never_deleted_and_the_refusal_stands():
    planned = [record(A, "i-1")]
    person = dict(record(A, "i-made-by-hand"), asset_id="h-9")     # not in the plan: someone's own
    bastion = SyncingBastion(planned, foreign=[person])
    added, removed, removed_assets, failures = rd_member.apply(FakeModule(), bastion, offboarding_plan(planned))
    assert removed == [] and [a["instance_id"] for a in removed_assets] == ["i-1"]
    assert not [c for c in bastion.calls if c[0] == "delete" and c[1] == "i-made-by-hand"]
    assert bastion.calls.count(("remove", A)) == 1 and len(failures) == 1
    assert failures.entries["failed_members"][0]["member_id"] == A
