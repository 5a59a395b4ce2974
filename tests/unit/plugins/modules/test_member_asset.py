# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""member_asset's own functions: resolving the task's input, the result and the diff."""

from __future__ import annotations

from ansible_collections.alicloud.bastionhost.plugins.module_utils.planning import AssetPlan, Scope
from ansible_collections.alicloud.bastionhost.plugins.module_utils.problems import Problems
from ansible_collections.alicloud.bastionhost.plugins.modules import member_asset

A, B, OUT = "1000000000000011", "1000000000000012", "1000000000000099"
HZ, SH = "cn-hangzhou", "cn-shanghai"


class FakeDirectory:
    """Display names shop-prod (A) and data-prod (B); anything else is unknown."""

    accounts = {A: {"display_name": "shop-prod"}, B: {"display_name": "data-prod"}}
    names = {"shop-prod": A, "data-prod": B}

    def resolve(self, names):
        uids, problems = [], Problems()
        for name in names:
            uid = name if name in self.accounts or name == OUT else self.names.get(name)
            if uid is None:
                problems.add("no account with this display name in the resource directory", repr(name))
            elif uid not in uids:
                uids.append(uid)
        return uids, problems

    def label(self, uid):
        account = self.accounts.get(uid)
        return "%s (%s)" % (uid, account["display_name"]) if account else uid


def params(**overrides):
    base = dict(instance_id="bastionhost-cn-x", assets=None, discover=None, state="present", purge=False,
                max_removals=None, remove_released=False, name_template="{name}", host_group=None,
                planned_members=None, network_domain_id=None, address_type=None, adopt=False, sync_fields=None,
                polardb_endpoint_type="Cluster", member_role_name="Role", max_concurrency=4, full_results=False)
    base.update(overrides)
    return base


def task_input(added=(A, B), domains=None, **overrides):
    return member_asset.TaskInput(params(**overrides), HZ, FakeDirectory(), set(added), domains)


# --- resolving the input ------------------------------------------------------------------

def test_listed_assets_get_member_uids_and_the_module_region():
    task = task_input(assets=[dict(member="shop-prod", type="ecs", instance_id="i-1", region=None),
                              dict(member=B, type="rds", instance_id="rm-1", region=SH)])
    assert not task.problems
    assert task.listed == [dict(member_id=A, type="ecs", instance_id="i-1", region=HZ),
                           dict(member_id=B, type="rds", instance_id="rm-1", region=SH)]
    assert task.scope.cells == frozenset([(A, HZ, "ecs"), (B, SH, "rds")])


def test_members_not_added_and_unknown_names_are_problems_of_their_own():
    task = task_input(added=(A,), assets=[dict(member="data-prod", type="ecs", instance_id="i-1", region=None),
                                          dict(member="shop-pord", type="ecs", instance_id="i-2", region=None)])
    assert task.listed == []
    message = task.problems.message("nothing was changed")
    assert "members not added to bastion host bastionhost-cn-x" in message and "data-prod" in message
    assert "'shop-pord'" in message


def test_an_asset_listed_under_two_members_is_refused():
    task = task_input(assets=[dict(member=A, type="ecs", instance_id="i-1", region=None),
                              dict(member=B, type="ecs", instance_id="i-1", region=None)])
    assert "assets listed under two members" in task.problems.message("x")


def test_discover_without_members_scopes_every_added_member_in_the_module_region():
    task = task_input(discover=dict(members=None, regions=None, types=["ecs", "rds"]))
    assert task.scope.cells == frozenset((m, HZ, t) for m in (A, B) for t in ("ecs", "rds"))


def test_an_unknown_network_domain_is_a_problem_naming_those_that_exist():
    task = task_input(network_domain_id="nd-typo", domains=["nd-1", "nd-2"], discover=dict(
        members=[A], regions=[HZ], types=["ecs"]))
    assert "network domain nd-typo does not exist on bastion host bastionhost-cn-x (it has: nd-1, nd-2)" in (
        task.problems.message("x"))


def test_the_request_carries_the_task_options():
    task = task_input(discover=dict(members=[A], regions=[SH], types=["ecs"]), purge=True, max_removals=3,
                      address_type="Public", host_group="{member_name}")
    request = task.request(selected={("ecs", "i-1")})
    assert (request.purge, request.max_removals, request.address_type, request.host_group) == (
        True, 3, "Public", "{member_name}")
    assert request.selected == {("ecs", "i-1")} and request.scope.members == [A]


def test_option_problems_refuse_what_selects_nothing_before_any_read():
    problems = member_asset.option_problems(params(assets=[], discover=None, max_concurrency=0), check_mode=False)
    message = problems.message("nothing was changed")
    assert "assets is an empty list" in message and "max_concurrency must be at least 1" in message
    problems = member_asset.option_problems(params(discover=dict(members=[], regions=None, types=["ecs"]),
                                                   state="absent"), check_mode=False)
    assert "discover.members is an empty list" in problems.message("x")
    assert member_asset.option_problems(params(planned_members=[A]), check_mode=False)
    assert not member_asset.option_problems(params(planned_members=[A], assets=[{}]), check_mode=True)


# --- results and diff ---------------------------------------------------------------------

def record(member, kind, instance_id, **extra):
    return dict(dict(member_id=member, type=kind, instance_id=instance_id, region=HZ, name=instance_id,
                     asset_id="id-" + instance_id), **extra)


def outcome(imported=(), updated=(), removed=()):
    return member_asset.Outcome(list(imported), list(updated), list(removed), bool(imported or updated or removed),
                                member_asset.Failures())


def test_results_list_every_asset_as_a_short_line_with_counts_by_member():
    plan = AssetPlan()
    plan.unchanged = [record(A, "ecs", "i-3")]
    plan.skipped = [dict(record(B, "rds", "rm-9"), reason="no private address")]
    done = outcome(imported=[record(B, "ecs", "i-2"), record(A, "ecs", "i-1")],
                   updated=[record(A, "rds", "rm-1", changes={"name": {"before": "a", "after": "b"},
                                                              "address": {"before": "x", "after": "y"}})])
    result = member_asset.results(plan, done)
    assert result["imported"] == ["%s ecs i-1" % A, "%s ecs i-2" % B]
    assert result["updated"] == ["%s rds rm-1: address, name" % A]
    assert result["unchanged"] == ["%s ecs i-3" % A]
    assert result["skipped_assets"] == ["%s rds rm-9: no private address" % B]
    assert result["counts"] == dict(imported=2, updated=1, removed=0, unchanged=1, skipped=1, foreign=0)
    assert result["member_counts"] == {A: {"ecs": {"imported": 1, "unchanged": 1}, "rds": {"updated": 1}},
                                       B: {"ecs": {"imported": 1}, "rds": {"skipped": 1}}}
    full = member_asset.results(plan, done, full=True)
    assert full["unchanged"][0]["asset_id"] == "id-i-3" and full["updated"][0]["changes"]["name"]["after"] == "b"
    assert full["skipped_assets"][0]["reason"] == "no private address"


def test_a_result_stays_compact_at_10000_assets():
    plan = AssetPlan()
    done = outcome(imported=[record("10000000%08d" % (n // 100), "ecs", "i-bp1%017d" % n) for n in range(10000)])
    size = len(str(member_asset.results(plan, done)))
    assert size < 700000 * 0.75, size


def test_the_diff_shows_the_changes_only_and_their_fields():
    state = member_asset.State(FakeDirectory(), discovered=[], imported=[])
    done = outcome(imported=[record(A, "ecs", "i-new")], removed=[record(A, "ecs", "i-gone")],
                   updated=[record(A, "ecs", "i-1", changes={"os": {"before": "Windows", "after": "Linux"}})])
    diff = member_asset.diff_of(state, done)
    label = "%s (shop-prod) ecs %%s" % A
    assert diff["before"] == {label % "i-1": {"os": "Windows"}, label % "i-gone": "imported"}
    assert diff["after"] == {label % "i-1": {"os": "Linux"}, label % "i-new": "imported"}


def test_the_diff_lists_the_first_100_changes_and_counts_the_rest():
    state = member_asset.State(FakeDirectory(), discovered=[], imported=[])
    diff = member_asset.diff_of(state, outcome(imported=[record(A, "ecs", "i-%04d" % n) for n in range(250)]))
    assert len(diff["after"]) == 101 and diff["after"]["..."] == "150 more changes, listed in the task's result"
    assert diff["before"] == {"...": "150 more changes, listed in the task's result"}
    assert member_asset.diff_of(state, outcome()) == {"before": {}, "after": {}}


def test_check_mode_predicts_the_plan_as_the_outcome():
    plan = AssetPlan()
    plan.to_remove = [record(A, "ecs", "i-1")]
    predicted = member_asset.Outcome.predicted(plan)
    assert predicted.changed and predicted.removed == plan.to_remove and not predicted.failures


def test_a_scope_without_the_assets_of_another_member():
    assert not Scope.of([A], [HZ], ["ecs"]).holds(record(B, "ecs", "i-1"))
