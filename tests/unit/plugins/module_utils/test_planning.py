# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The planning functions, directly: examples first, then properties over generated states
(hypothesis) that hold the safety rule: removals stay inside the named scope, are empty when
the selection is empty, and never exceed max_removals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.alicloud.bastionhost.plugins.module_utils.model import (
    asset_key,
    normalize_tags,
    ownership_record,
    read_ownership,
    tags_match,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.planning import (
    AssetRequest,
    Scope,
    attribute_assets,
    import_blocker,
    membership_changes,
    plan_assets,
    plan_members,
    select_discovered,
    select_members,
    template_problem,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.problems import Problems

A, B, C = "1000000000000011", "1000000000000012", "1000000000000021"
HZ, SH = "cn-hangzhou", "cn-shanghai"


def asset(member, kind, instance_id, region=HZ, **extra):
    base = dict(member_id=member, type=kind, instance_id=instance_id, region=region, name=instance_id,
                address="10.0.0.1", public_address=None, engine="MySQL" if kind != "ecs" else None, tags={})
    base.update(extra)
    return base


def imported(found, asset_id, recorded=True):
    """The bastion host's record of a discovered asset, with or without its ownership record."""
    return dict(type=found["type"], instance_id=found["instance_id"], asset_id=asset_id,
                member_id=found["member_id"] if recorded else None, region=found["region"] if recorded else None)


# --- ownership record and tags ----------------------------------------------------------

def test_ownership_record_round_trips_and_other_comments_are_not_records():
    assert read_ownership(ownership_record(A, SH)) == (A, SH)
    assert read_ownership("web server of the shop team") is None
    assert read_ownership("") is None and read_ownership(None) is None
    assert read_ownership("imported by alicloud.bastionhost from member 123 in cn-hangzhou") is None


@pytest.mark.parametrize("value,text", [(True, "true"), (False, "false"), (1, "1"), (1.5, "1.5"), (None, ""),
                                        ("prod", "prod")])
def test_tag_values_match_as_the_text_alibaba_cloud_stores(value, text):
    assert normalize_tags({"k": value}) == {"k": text}
    assert tags_match({"k": value}, {"k": text})


def test_a_tag_with_an_empty_value_only_needs_the_key():
    assert tags_match({"bastion": ""}, {"bastion": "anything"})
    assert not tags_match({"bastion": ""}, {"other": "x"})
    assert not tags_match({"bastion": True}, {"bastion": "True "})


# --- problems at scale ------------------------------------------------------------------

def test_problems_group_thousands_of_entries_into_a_short_message():
    problems = Problems()
    for n in range(5000):
        problems.add("no account with this display name in the resource directory", "'ghost-%d'" % (n % 10))
    message = problems.message("nothing was changed", 5000)
    assert len(message) < 600
    assert message.startswith("nothing was changed in 5000 entries: no account with this display name")
    assert "(10):" in message and message.count("ghost-3") == 1


def test_more_than_ten_values_are_counted_not_listed():
    problems = Problems()
    for n in range(25):
        problems.add("unknown folder IDs", "fd-%d" % n)
    assert problems.lines() == ["unknown folder IDs (25): %s and 15 more" % ", ".join("fd-%d" % n for n in range(10))]


# --- import blockers --------------------------------------------------------------------

@pytest.mark.parametrize("candidate,address_type,reason", [
    (asset(A, "rds", "rm-1", engine="MongoDB"), "Private", "engine MongoDB"),
    (asset(A, "polardb", "pc-1", address=None), "Private", "no private address"),
    (asset(A, "ecs", "i-1"), "Public", "no public address"),
    (asset(A, "ecs", "i-1", name="x" * 129), "Private", "name longer than 128"),
])
def test_what_an_import_needs_is_settled_in_planning(candidate, address_type, reason):
    assert reason in import_blocker(candidate, address_type)


def test_mariadb_is_imported_as_mysql():
    assert import_blocker(asset(A, "rds", "rm-1", engine="MariaDB"), "Private") is None


def test_a_listed_asset_that_cannot_be_imported_is_refused_and_a_discovered_one_skipped():
    bad = asset(A, "rds", "rm-bad", engine="MongoDB")
    good = asset(A, "ecs", "i-good")
    scope = Scope.of([A], [HZ], ["ecs", "rds"])
    listed = plan_assets(AssetRequest(listed=[dict(bad)], scope=scope), [bad, good], [])
    assert "listed assets that cannot be imported" in listed.problems.message("x")
    discovered = plan_assets(AssetRequest(selected={asset_key(bad), asset_key(good)}, scope=scope), [bad, good], [])
    assert not discovered.problems
    assert [a["instance_id"] for a in discovered.to_import] == ["i-good"]
    assert [(a["instance_id"], a["reason"][:10]) for a in discovered.skipped] == [("rm-bad", "engine Mon")]


# --- member_asset plans -----------------------------------------------------------------

def test_state_absent_removes_the_listed_asset_alone():
    web1, web2 = asset(A, "ecs", "i-1"), asset(A, "ecs", "i-2")
    plan = plan_assets(AssetRequest(state="absent", listed=[dict(web1)], scope=Scope.of([A], [HZ], ["ecs"])),
                       [web1, web2], [imported(web1, "1"), imported(web2, "2")])
    assert [(a["instance_id"], a["asset_id"]) for a in plan.to_remove] == [("i-1", "1")]


def test_state_absent_removes_a_released_listed_asset_by_its_ownership_record():
    gone = asset(A, "ecs", "i-gone")
    plan = plan_assets(AssetRequest(state="absent", listed=[dict(gone)], scope=Scope.of([A], [HZ], ["ecs"])),
                       [], [imported(gone, "9")])
    assert [a["asset_id"] for a in plan.to_remove] == ["9"] and not plan.problems


def test_purge_removes_only_what_the_scope_holds_beyond_the_selection():
    keep, drop = asset(A, "ecs", "i-keep"), asset(A, "ecs", "i-drop")
    other_member, other_region, other_type = asset(B, "ecs", "i-b"), asset(A, "ecs", "i-sh", SH), asset(A, "rds", "rm")
    everything = [keep, drop, other_member, other_region, other_type]
    plan = plan_assets(AssetRequest(purge=True, selected={asset_key(keep)}, scope=Scope.of([A], [HZ], ["ecs"])),
                       everything, [imported(a, str(n)) for n, a in enumerate(everything)])
    assert [a["instance_id"] for a in plan.to_remove] == ["i-drop"]


def test_purge_with_an_empty_selection_is_refused():
    web = asset(A, "ecs", "i-1")
    plan = plan_assets(AssetRequest(purge=True, selected=set(), scope=Scope.of([A], [HZ], ["ecs"])),
                       [web], [imported(web, "1")])
    assert plan.problems and plan.to_remove == []
    assert "empty selection" in plan.problems.message("x")


def test_a_filter_that_matches_nothing_without_purge_is_a_warning():
    plan = plan_assets(AssetRequest(selected=set(), scope=Scope.of([A], [HZ], ["ecs"])), [asset(A, "ecs", "i-1")], [])
    assert not plan.problems and plan.warnings and "matched no asset" in plan.warnings[0]


def test_max_removals_refuses_listing_what_would_go():
    assets = [asset(A, "ecs", "i-%d" % n) for n in range(5)]
    plan = plan_assets(AssetRequest(state="absent", listed=[dict(a) for a in assets], max_removals=3,
                                    scope=Scope.of([A], [HZ], ["ecs"])),
                       assets, [imported(a, str(n)) for n, a in enumerate(assets)])
    message = plan.problems.message("nothing was changed")
    assert "would remove 5 items, more than max_removals 3" in message and "i-4" in message


def test_a_listed_asset_in_the_wrong_member_or_region_is_a_problem():
    web = asset(A, "ecs", "i-1")
    plan = plan_assets(AssetRequest(listed=[dict(web, region=SH)], scope=Scope.of([A], [SH], ["ecs"])), [web], [])
    assert "not found in their member and region" in plan.problems.message("x")


def test_select_discovered_uses_the_server_side_tag_answer_for_rds():
    web = asset(A, "ecs", "i-1", tags={"bastion": "true"})
    db = asset(A, "rds", "rm-1")
    scope = Scope.of([A], [HZ], ["ecs", "rds"])
    assert select_discovered([web, db], scope, {"bastion": True}, tagged_keys={asset_key(db)}) == {
        asset_key(web), asset_key(db)}
    assert select_discovered([web, db], scope, {"bastion": True}, tagged_keys=set()) == {asset_key(web)}
    assert select_discovered([web, db], scope, name_pattern="rm-*") == {asset_key(db)}


# --- keeping imported assets in step ---------------------------------------------------

def record_of(found, asset_id, **fields):
    """The bastion host's record of ``found``, as imported (same name, address, OS), with ``fields`` changed."""
    record = dict(imported(found, asset_id), name=found["name"], address=found["address"],
                  public_address=found.get("public_address"), os=found.get("os"), address_type="Private")
    record.update(fields)
    return record


def test_an_imported_asset_whose_record_drifted_is_updated_field_by_field():
    web = asset(A, "ecs", "i-1", name="web-1b", address="10.0.0.9", os="Linux")
    plan = plan_assets(AssetRequest(selected={asset_key(web)}, scope=Scope.of([A], [HZ], ["ecs"])), [web],
                       [record_of(web, "1", name="web-1", address="10.0.0.1")])
    assert [a["changes"] for a in plan.to_update] == [{
        "address": {"before": "10.0.0.1", "after": "10.0.0.9"}, "name": {"before": "web-1", "after": "web-1b"}}]
    assert plan.unchanged == [] and plan.to_import == []


def test_a_record_in_step_is_unchanged_and_an_empty_wanted_value_never_clears_one():
    web = asset(A, "ecs", "i-1", os="Linux", public_address=None)
    plan = plan_assets(AssetRequest(selected={asset_key(web)}, scope=Scope.of([A], [HZ], ["ecs"])), [web],
                       [record_of(web, "1", public_address="47.0.0.1")])
    assert plan.to_update == [] and len(plan.unchanged) == 1


def test_name_template_group_and_network_domain_are_wanted_only_when_given():
    web = asset(A, "ecs", "i-1", os="Linux", member_name="shop")
    request = AssetRequest(selected={asset_key(web)}, scope=Scope.of([A], [HZ], ["ecs"]),
                           name_template="{member_name}-{name}", host_group="{member_name}-{type}",
                           network_domain_id="nd-1")
    plan = plan_assets(request, [web], [record_of(web, "1", host_groups={"other"})])
    assert plan.to_update[0]["changes"] == {
        "host_group": {"before": ["other"], "after": ["other", "shop-ecs"]}, "name": {"before": "i-1", "after": "shop-i-1"},
        "network_domain_id": {"before": None, "after": "nd-1"}}
    fresh = plan_assets(request, [web], [])
    assert [(a["name"], a["host_group"]) for a in fresh.to_import] == [("shop-i-1", "shop-ecs")]


def test_a_templated_name_over_128_characters_is_skipped_when_discovered():
    web = asset(A, "ecs", "i-1", os="Linux")
    plan = plan_assets(AssetRequest(selected={asset_key(web)}, scope=Scope.of([A], [HZ], ["ecs"]),
                                    name_template="{name}" + "x" * 128), [web], [])
    assert plan.to_import == [] and "longer than 128" in plan.skipped[0]["reason"]


@pytest.mark.parametrize("template,placeholders,ok", [
    ("{member_name}-{name}", ("name", "member_name"), True),
    ("{nmae}", ("name",), False),
    ("{name", ("name",), False),
])
def test_templates_are_checked_before_anything_is_read(template, placeholders, ok):
    assert (template_problem("name_template", template, placeholders) is None) is ok


def test_released_assets_go_only_with_remove_released_and_only_inside_the_scope():
    gone = dict(imported(asset(A, "ecs", "i-gone"), "1"), source_state="Release")
    elsewhere = dict(imported(asset(B, "ecs", "i-b"), "2"), source_state="Release")
    unowned = dict(imported(asset(A, "ecs", "i-x"), "3", recorded=False), source_state="Release")
    web = asset(A, "ecs", "i-1")
    scope = Scope.of([A], [HZ], ["ecs"])
    kept = plan_assets(AssetRequest(selected={asset_key(web)}, scope=scope), [web], [gone, elsewhere, unowned])
    assert kept.to_remove == []
    plan = plan_assets(AssetRequest(selected={asset_key(web)}, scope=scope, remove_released=True), [web],
                       [gone, elsewhere, unowned])
    assert [(a["instance_id"], a["reason"]) for a in plan.to_remove] == [("i-gone", "released")]
    capped = plan_assets(AssetRequest(selected={asset_key(web)}, scope=scope, remove_released=True, max_removals=0),
                         [web], [gone])
    assert "more than max_removals 0" in capped.problems.message("x")


# --- rd_member plans --------------------------------------------------------------------

class FakeDirectory:
    """Accounts A, B and C: A and B in folder fd-prod, C tagged env=dev."""

    def __init__(self):
        self.accounts = {A: {"folder_id": "fd-prod", "tags": {}}, B: {"folder_id": "fd-prod", "tags": {}},
                         C: {"folder_id": "fd-dev", "tags": {"env": "dev", "bastion": "true"}}}

    def resolve(self, names, on_host=None, removing=False):
        problems, uids = Problems(), []
        for name in names:
            if name in self.accounts or name in (on_host or ()):
                uids.append(name)
            elif on_host is not None and removing:
                problems.add("neither in the directory nor on the bastion host", name)
            else:
                problems.add("unknown", name)
        return uids, problems

    def outside(self, uids):
        return sorted(u for u in uids if u not in self.accounts)

    def select(self, folder_ids=None, tags=None, select_all=False):
        tags = normalize_tags(tags)
        return sorted(uid for uid, a in self.accounts.items()
                      if (folder_ids or tags or select_all)
                      and (not folder_ids or a["folder_id"] in folder_ids)
                      and all(a["tags"].get(k) == v for k, v in tags.items()))


@pytest.mark.parametrize("members,select,expected", [
    ([], None, "members is an empty list"),
    (None, {}, "select names no folder"),
    (None, {"folder_ids": []}, "select.folder_ids is an empty list"),
    (None, {"folder_ids": ["fd-prdo"]}, "unknown folder IDs in select.folder_ids: fd-prdo"),
    (None, None, "select: {all: true}"),
    ([""], None, "unknown"),
])
def test_inputs_that_select_no_member_are_errors(members, select, expected):
    uids, problems, _warnings = select_members(FakeDirectory(), members, select, {"fd-prod", "fd-dev"})
    assert expected in problems.message("x")


def test_a_boolean_tag_selects_members_tagged_with_its_text():
    uids, problems, warnings = select_members(FakeDirectory(), None, {"tags": {"bastion": True}}, None)
    assert (uids, bool(problems), warnings) == ([C], False, [])


def test_a_selection_that_matches_nobody_is_a_warning():
    uids, problems, warnings = select_members(FakeDirectory(), None, {"tags": {"env": "qa"}}, None)
    assert uids == [] and not problems and "matched no member" in warnings[0]


def test_purge_members_with_an_empty_selection_is_refused():
    plan = plan_members([A, B], [], purge=True)
    assert plan.problems and plan.to_remove == []


def test_offboarding_removes_every_asset_of_the_member_or_nothing():
    web, db = asset(A, "ecs", "i-1"), asset(A, "rds", "rm-1", SH)
    owned = {A: [web, db]}
    refused = plan_members([A, B], [A], state="absent", owned=owned)
    assert "still have imported assets" in refused.problems.message("x")
    plan = plan_members([A, B], [A], state="absent", remove_assets=True, owned=owned)
    assert not plan.problems and plan.to_remove == [A]
    assert [a["instance_id"] for a in plan.removed_assets] == ["i-1", "rm-1"]


def test_an_asset_of_unknown_member_blocks_removing_members():
    plan = plan_members([A, B], [A], state="absent", remove_assets=True,
                        unattributed=[dict(type="ecs", instance_id="i-lost")])
    assert "member is unknown" in plan.problems.message("x") and "i-lost" in plan.problems.message("x")


def test_member_max_removals_counts_members_and_assets():
    plan = plan_members([A, B], [A], state="absent", remove_assets=True, max_removals=1,
                        owned={A: [asset(A, "ecs", "i-1")]})
    assert "would remove 2 items, more than max_removals 1" in plan.problems.message("x")


def test_attribution_prefers_the_record_and_falls_back_to_discovery():
    recorded, by_hand, lost = asset(A, "ecs", "i-1"), asset(B, "ecs", "i-2"), asset(C, "ecs", "i-3")
    owned, unattributed = attribute_assets(
        [imported(recorded, "1"), imported(by_hand, "2", recorded=False), imported(lost, "3", recorded=False)],
        [by_hand])
    assert sorted(owned) == [A, B] and owned[B][0]["region"] == HZ
    assert [a["instance_id"] for a in unattributed] == ["i-3"]


LEFT = "1000000000000099"   # a member that left the resource directory while on the bastion host


def test_a_member_that_left_can_be_named_by_uid_while_on_the_bastion_host():
    uids, problems, warnings = select_members(FakeDirectory(), [LEFT], None, None, on_host=[A, LEFT], state="absent")
    assert (uids, bool(problems), warnings) == ([LEFT], False, [])
    plan = plan_members([A, LEFT], uids, state="absent", remove_assets=True,
                        owned={LEFT: [asset(LEFT, "ecs", "i-left")]}, max_removals=2)
    assert not plan.problems and plan.to_remove == [LEFT]
    assert [a["instance_id"] for a in plan.removed_assets] == ["i-left"]


def test_a_member_that_left_stays_with_state_present_with_a_warning():
    uids, problems, warnings = select_members(FakeDirectory(), [LEFT], None, None, on_host=[LEFT], state="present")
    assert uids == [LEFT] and not problems and LEFT in warnings[0] and "cannot be added back" in warnings[0]
    plan = plan_members([LEFT], uids)
    assert plan.to_add == [] and plan.to_remove == []


def test_an_account_outside_the_directory_and_off_the_bastion_host_is_a_problem():
    for state in ("present", "absent"):
        uids, problems, _warnings = select_members(FakeDirectory(), [LEFT], None, None, on_host=[A], state=state)
        assert uids == [] and LEFT in problems.message("x")
    # Without on_host (member_asset, member_asset_info), only accounts of the directory can be named.
    uids, problems, _warnings = select_members(FakeDirectory(), [LEFT], None, None)
    assert uids == [] and "unknown" in problems.message("x")


def test_purge_removes_a_member_that_left_only_within_max_removals():
    owned = {LEFT: [asset(LEFT, "ecs", "i-%d" % n) for n in range(3)]}
    plan = plan_members([A, LEFT], [A], purge=True, remove_assets=True, owned=owned, max_removals=3)
    assert "would remove 4 items, more than max_removals 3" in plan.problems.message("x")
    plan = plan_members([A, LEFT], [A], purge=True, remove_assets=True, owned=owned, max_removals=4)
    assert not plan.problems and plan.to_remove == [LEFT] and len(plan.removed_assets) == 3


def test_an_asset_whose_record_names_the_leaving_member_but_discovery_another_is_left_alone():
    pasted = asset(B, "ecs", "i-pasted")            # its record says B; discovery finds it in A
    own = asset(B, "ecs", "i-own")                  # its record says B; it is the bastion host's own account's
    mine = asset(B, "rds", "rm-1")
    plan = plan_members([A, B], [B], state="absent", remove_assets=True, owned={B: [pasted, own, mine]},
                        discovered=[asset(A, "ecs", "i-pasted"), asset(B, "rds", "rm-1")],
                        own_keys=[("ecs", "i-own")], max_removals=2)
    assert not plan.problems, plan.problems.message("x")
    assert [a["instance_id"] for a in plan.removed_assets] == ["rm-1"]
    assert [(a["instance_id"], a["discovered_member"]) for a in plan.disputed] == [("i-own", None), ("i-pasted", A)]
    assert len(plan.warnings) == 1 and "disagree" in plan.warnings[0]
    assert "i-pasted (its ownership record names %s, discovery finds it in %s)" % (B, A) in plan.warnings[0]
    assert "i-own (its ownership record names %s, discovery finds it in the bastion host's own account)" % B \
        in plan.warnings[0]


def test_an_asset_discovery_places_in_a_leaving_member_under_another_members_record_is_refused():
    theirs = asset(A, "ecs", "i-1")                 # record: A (staying); discovery: B (leaving)
    plan = plan_members([A, B], [B], state="absent", remove_assets=True, owned={A: [theirs]},
                        discovered=[asset(B, "ecs", "i-1")])
    message = plan.problems.message("x")
    assert "discovery finds in a member to remove" in message and "i-1" in message
    # Between two members that both stay, a disagreement is not this task's business.
    plan = plan_members([A, B, C], [C], state="absent", remove_assets=True, owned={A: [theirs]},
                        discovered=[asset(B, "ecs", "i-1")])
    assert not plan.problems and plan.disputed == [] and plan.warnings == []


def test_an_unrecorded_asset_of_the_own_account_never_blocks_offboarding():
    jump = dict(type="ecs", instance_id="i-jump", asset_id="9", member_id=None, region=None)
    plan = plan_members([A, B], [A], state="absent", remove_assets=True, owned={A: [asset(A, "ecs", "i-1")]},
                        unattributed=[jump], own_keys=[("ecs", "i-jump")])
    assert not plan.problems and [a["instance_id"] for a in plan.removed_assets] == ["i-1"]


def test_an_unattributed_asset_still_blocks_naming_the_unread_members_and_the_lookup_notes():
    lost = dict(type="ecs", instance_id="i-lost", asset_id="9", member_id=None, region=None)
    plan = plan_members([A, B], [A], state="absent", remove_assets=True, unattributed=[lost], unread=[B],
                        notes=["the caller may not read the ECS instances of its own account"])
    message = plan.problems.message("x")
    assert "i-lost" in message and "could not be read" in message and B in message
    assert "may not read the ECS instances of its own account" in message
    # unread members and notes say nothing when no asset is unattributed
    plan = plan_members([A, B], [A], state="absent", unread=[B], notes=["n"])
    assert not plan.problems


# --- properties -------------------------------------------------------------------------

MEMBERS = [A, B, C]
REGIONS = [HZ, SH]
TYPES = ["ecs", "rds", "polardb"]

cells = st.tuples(st.sampled_from(MEMBERS), st.sampled_from(REGIONS), st.sampled_from(TYPES))


@st.composite
def worlds(draw):
    """Discovered assets, which of them are imported (with or without a record), and a task."""
    found = []
    for n, (member, region, kind) in enumerate(draw(st.lists(cells, max_size=25))):
        found.append(asset(member, kind, "%s-%d" % (kind, n), region))
    imported_flags = draw(st.lists(st.sampled_from(["no", "recorded", "by hand"]), min_size=len(found),
                                   max_size=len(found)))
    bastion = [imported(a, str(n), recorded=flag == "recorded")
               for n, (a, flag) in enumerate(zip(found, imported_flags)) if flag != "no"]
    scope = Scope(draw(st.sets(cells, max_size=8)))
    selected = set(asset_key(a) for a in found if scope.holds(a) and draw(st.booleans()))
    listed = [dict(a) for a in found if draw(st.integers(0, 9)) == 0]
    scope = scope | Scope((a["member_id"], a["region"], a["type"]) for a in listed)
    request = AssetRequest(state=draw(st.sampled_from(["present", "absent"])), purge=draw(st.booleans()),
                           listed=listed, selected=draw(st.sampled_from([None, selected])), scope=scope,
                           max_removals=draw(st.sampled_from([None, 0, 2, 100])))
    return request, found, bastion


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_removals_stay_inside_the_scope_and_the_selection_rules(world):
    request, found, bastion = world
    plan = plan_assets(request, found, bastion)
    imported_keys = set(asset_key(a) for a in bastion)
    listed_keys = set(asset_key(a) for a in request.listed)
    selection = listed_keys | set(request.selected or ())
    for removed in plan.to_remove:
        assert asset_key(removed) in imported_keys
        if request.state == "absent":
            assert asset_key(removed) in selection, "absent removes only what the task names or selects"
        else:
            assert request.purge, "present removes only with purge"
            assert request.scope.holds(removed), "purge removes only inside the scope"
            assert asset_key(removed) not in selection, "purge never removes what the task selects"
    if not selection:
        assert plan.to_remove == [], "an empty selection never removes anything"
    if request.max_removals is not None and len(plan.to_remove) > request.max_removals:
        assert plan.problems, "more than max_removals is refused"
    for candidate in plan.to_import:
        assert asset_key(candidate) not in imported_keys and asset_key(candidate) in selection


@settings(max_examples=300, deadline=None)
@given(current=st.sets(st.sampled_from(MEMBERS)), desired=st.sets(st.sampled_from(MEMBERS)),
       state=st.sampled_from(["present", "absent"]), purge=st.booleans())
def test_members_removed_are_named_or_outside_a_non_empty_selection(current, desired, state, purge):
    to_add, to_remove = membership_changes(sorted(current), sorted(desired), state, purge)
    plan = plan_members(sorted(current), sorted(desired), state, purge)
    assert set(to_remove) <= current
    if state == "absent":
        assert set(to_remove) <= desired and to_add == []
    else:
        assert set(to_remove).isdisjoint(desired)
        assert not to_remove or purge
    if not desired:
        assert plan.to_remove == []


def test_a_polardb_port_that_drifted_is_updated_in_place():
    found = asset(A, "polardb", "pc-1", endpoint_type="Cluster", port=3307,
                  endpoints={"Cluster": {"Private": "10.0.0.1", "Port": 3307}})
    current = dict(imported(found, "9"), name="pc-1", address="10.0.0.1", address_type="Private", port=3306)
    plan = plan_assets(AssetRequest(listed=[dict(member_id=A, type="polardb", instance_id="pc-1", region=HZ)]),
                       [found], [current])
    assert [a["changes"] for a in plan.to_update] == [{"port": {"before": 3306, "after": 3307}}]


def polardb(endpoint_type, **extra):
    endpoints = {"Cluster": {"Private": "pc-1.rwlb", "Port": 3306}, "Primary": {"Private": "pc-1.primary", "Port": 3306}}
    return asset(A, "polardb", "pc-1", endpoints=endpoints, endpoint_type=endpoint_type, port=3306,
                 address=endpoints.get(endpoint_type, {}).get("Private"), **extra)


def test_a_polardb_endpoint_type_change_is_refused_before_any_write():
    current = dict(imported(polardb("Cluster"), "9"), name="pc-1", address="pc-1.rwlb", address_type="Private",
                   port=3306)
    listed = [dict(member_id=A, type="polardb", instance_id="pc-1", region=HZ)]
    plan = plan_assets(AssetRequest(listed=listed), [polardb("Primary")], [current])
    message = plan.problems.message("nothing was changed")
    assert "PolarDB clusters imported through another endpoint type" in message, message
    assert "imported through Cluster, asked Primary" in message and "drops their database accounts" in message
    assert not plan.to_update and not plan.to_import
    assert not plan_assets(AssetRequest(listed=listed), [polardb("Cluster")], [current]).problems


def test_a_cluster_without_the_asked_endpoint_is_skipped_with_that_reason():
    found = asset(A, "polardb", "pc-2", endpoints={"Cluster": {"Private": "pc-2.rwlb"}}, endpoint_type="Primary",
                  address=None)
    plan = plan_assets(AssetRequest(selected={("polardb", "pc-2")}, scope=Scope.of([A], [HZ], ["polardb"])), [found], [])
    assert [a["reason"] for a in plan.skipped] == ["no Primary endpoint (polardb_endpoint_type Primary)"]


def test_a_group_name_too_long_to_create_refuses_the_task_before_any_write():
    found = [asset(A, "ecs", "i-%d" % n) for n in range(3)]
    plan = plan_assets(AssetRequest(selected=set(asset_key(a) for a in found), scope=Scope.of([A], [HZ], ["ecs"]),
                                    host_group="x" * 120 + "-{member_id}"), found, [])
    assert "asset group names longer than 128 characters" in plan.problems.message("x")


# --- issue 21: only what it imported, people's hands, names, what it leaves --------------------------

def hz_ecs(member, instance_id, **extra):
    return asset(member, "ecs", instance_id, os="Linux", **extra)


def record_of(found, asset_id, recorded=True, **fields):
    base = dict(imported(found, asset_id, recorded), name=found["name"], address=found["address"], os="Linux",
                address_type="Private", comment=None)
    if recorded:
        base["comment"] = ownership_record(found["member_id"], found["region"])
    base.update(fields)
    return base


def discover_all(found, **options):
    return AssetRequest(selected=set(asset_key(a) for a in found), scope=Scope.of([A, B], [HZ], ["ecs"]), **options)


def test_an_asset_a_person_imported_is_neither_updated_nor_removed_but_counted_and_named():
    mine, theirs = hz_ecs(A, "i-mine", name="web-1"), hz_ecs(A, "i-theirs", name="db-box")
    current = [record_of(mine, "1"), record_of(theirs, "2", recorded=False, name="Bob's box", comment="bob's")]
    plan = plan_assets(discover_all([mine, theirs], name_template="{member_id}-{name}"), [mine, theirs], current)
    assert [a["instance_id"] for a in plan.to_update] == ["i-mine"]
    assert [a["instance_id"] for a in plan.foreign] == ["i-theirs"]
    assert any("imported by hand" in w and "adopt: true" in w for w in plan.warnings), plan.warnings
    purge = plan_assets(AssetRequest(selected={("ecs", "i-mine")}, scope=Scope.of([A], [HZ], ["ecs"]), purge=True),
                        [mine, theirs], current)
    assert purge.to_remove == []
    listed = [dict(member_id=A, type="ecs", instance_id="i-theirs", region=HZ)]
    absent = plan_assets(AssetRequest(state="absent", listed=listed), [mine, theirs], current)
    assert absent.to_remove == [] and [a["instance_id"] for a in absent.foreign] == ["i-theirs"]


def test_adopt_writes_the_ownership_record_before_the_persons_comment():
    theirs = hz_ecs(A, "i-theirs", name="db-box")
    current = [record_of(theirs, "2", recorded=False, comment="bob's box, do not touch")]
    plan = plan_assets(discover_all([theirs], adopt=True), [theirs], current)
    [update] = plan.to_update
    assert update["changes"]["comment"] == {"before": "bob's box, do not touch",
                                            "after": ownership_record(A, HZ) + "; bob's box, do not touch"}
    assert read_ownership(update["changes"]["comment"]["after"]) == (A, HZ)


def test_an_ownership_record_naming_another_member_is_left_with_a_warning():
    found = hz_ecs(B, "i-1")
    current = [record_of(found, "1", member_id=A, comment=ownership_record(A, HZ))]
    plan = plan_assets(discover_all([found], name_template="x-{name}"), [found], current)
    assert plan.to_update == [] and plan.to_remove == [] and [a["instance_id"] for a in plan.foreign] == ["i-1"]
    assert any("ownership record names member %s" % A in w for w in plan.warnings), plan.warnings


def test_an_unset_address_type_keeps_the_one_a_person_chose_and_sync_fields_leave_fields_alone():
    found = hz_ecs(A, "i-1", public_address="47.0.0.1", address="10.0.0.2")
    current = [record_of(found, "1", address_type="Public", address="192.168.0.9", public_address="47.0.0.1")]
    plan = plan_assets(discover_all([found]), [found], current)
    assert [a["changes"] for a in plan.to_update] == [{"address": {"before": "192.168.0.9", "after": "10.0.0.2"}}]
    plan = plan_assets(discover_all([found], sync_fields=["name", "os"]), [found], current)
    assert plan.to_update == [] and len(plan.unchanged) == 1
    plan = plan_assets(discover_all([found], address_type="Private"), [found], current)
    assert plan.to_update[0]["changes"]["address_type"] == {"before": "Public", "after": "Private"}


def test_a_name_template_without_a_placeholder_is_refused_and_shared_names_are_named():
    found = [hz_ecs(A, "i-1", name="web"), hz_ecs(B, "i-2", name="web"), hz_ecs(A, "i-3", name="api")]
    plan = plan_assets(discover_all(found, name_template="name"), found, [])
    assert "name_template 'name' has no placeholder, so it would give 3 assets the one name" in plan.problems.message(
        "x")
    plan = plan_assets(discover_all(found), found, [])
    assert not plan.problems and any("'web'" in w and "{member_name}-{name}" in w for w in plan.warnings)


def test_a_member_without_a_display_name_keeps_its_names():
    found = hz_ecs(A, "i-1", name="etl-2", member_name=None)
    current = [record_of(found, "1", name="data-dev-etl-2")]
    plan = plan_assets(discover_all([found], name_template="{member_name}-{name}"), [found], current)
    assert plan.to_update == [] and any("keeps its name 'data-dev-etl-2'" in w for w in plan.warnings)


def test_what_the_task_leaves_is_said():
    kept, dropped = hz_ecs(A, "i-kept"), hz_ecs(A, "i-untagged")
    released = dict(type="ecs", instance_id="i-gone", asset_id="9", source_state="Release", member_id=None,
                    region=None)
    current = [record_of(kept, "1"), record_of(dropped, "2"), released]
    plan = plan_assets(AssetRequest(selected={("ecs", "i-kept")}, scope=Scope.of([A], [HZ], ["ecs"])),
                       [kept, dropped], current)
    warnings = " | ".join(plan.warnings)
    assert "1 imported assets no longer match the discover filter, and purge: true would remove them" in warnings
    assert "i-untagged" in warnings and "1 released assets have no ownership record" in warnings
    assert "ecs i-gone" in warnings


def test_a_new_host_at_a_local_hosts_address_is_named():
    found = hz_ecs(A, "i-1", address="10.9.9.9")
    plan = plan_assets(discover_all([found], local_addresses=["10.9.9.9"]), [found], [])
    assert any("address of a host added by hand" in w and "10.9.9.9" in w for w in plan.warnings)


def test_groups_follow_the_template_within_the_collections_own_groups():
    found = hz_ecs(A, "i-1", member_name="shop-prod-2")
    current = [record_of(found, "1", host_groups={"shop-prod", "people"})]
    groups = {"shop-prod": "shop-prod", "people": None}
    plan = plan_assets(discover_all([found], host_group="{member_name}", groups=groups), [found], current)
    assert plan.to_update[0]["changes"]["host_group"] == {"before": ["people", "shop-prod"],
                                                          "after": ["people", "shop-prod-2"]}
    taken = plan_assets(discover_all([found], host_group="people", groups=groups), [found], current)
    assert "asset groups of these names were made by people" in taken.problems.message("x")
    assert not plan_assets(discover_all([found], host_group="people", groups=groups, adopt=True), [found],
                           current).problems
    renamed = plan_assets(discover_all([found], host_group="shop-prod", groups={"shop (renamed)": "shop-prod"}),
                          [found], [record_of(found, "1", host_groups={"shop (renamed)"})])
    assert renamed.to_update == [], "a group of the collection's that a person renamed gets no twin"


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_offboarding_removes_only_assets_record_and_discovery_agree_on(data):
    """Every asset removed with a member is owned by a member that leaves, and no discovery (or the bastion
    host's own account) places it anywhere else; nothing is removed beyond max_removals."""
    current = sorted(data.draw(st.sets(st.sampled_from(MEMBERS), min_size=1)))
    desired = sorted(data.draw(st.sets(st.sampled_from(current), min_size=1)))
    owned, discovered, own = {}, [], set()
    for n, (record, place) in enumerate(data.draw(st.lists(st.tuples(
            st.sampled_from(MEMBERS), st.sampled_from(MEMBERS + ["own", None])), max_size=12))):
        owned.setdefault(record, []).append(asset(record, "ecs", "i-%d" % n))
        if place == "own":
            own.add(("ecs", "i-%d" % n))
        elif place is not None:
            discovered.append(asset(place, "ecs", "i-%d" % n))
    max_removals = data.draw(st.sampled_from([None, 0, 3, 100]))
    plan = plan_members(current, desired, state="absent", remove_assets=True, owned=owned, discovered=discovered,
                        own_keys=own, max_removals=max_removals)
    placed = dict((asset_key(a), a["member_id"]) for a in discovered)
    for removed in plan.removed_assets:
        assert removed["member_id"] in plan.to_remove
        assert asset_key(removed) not in own
        assert placed.get(asset_key(removed), removed["member_id"]) == removed["member_id"]
    removed_keys = set(asset_key(a) for a in plan.removed_assets)
    assert removed_keys.isdisjoint(asset_key(a) for a in plan.disputed)
    if max_removals is not None and len(plan.to_remove) + len(plan.removed_assets) > max_removals:
        assert plan.problems
