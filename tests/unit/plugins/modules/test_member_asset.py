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
                planned_members=None, network_domain_id=None, address_type="Private",
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


def test_results_list_changes_as_records_and_unchanged_as_short_lines():
    plan = AssetPlan()
    plan.unchanged = [record(A, "ecs", "i-3")]
    plan.skipped = [dict(record(B, "rds", "rm-9"), reason="no private address")]
    done = outcome(imported=[record(B, "ecs", "i-2"), record(A, "ecs", "i-1")],
                   updated=[record(A, "rds", "rm-1", changes={"name": {"before": "a", "after": "b"}})])
    result = member_asset.results(plan, done)
    assert [a["instance_id"] for a in result["imported"]] == ["i-1", "i-2"]
    assert result["updated"][0]["changes"] == {"name": {"before": "a", "after": "b"}}
    assert result["unchanged"] == ["%s ecs i-3" % A]
    assert result["skipped_assets"][0]["reason"] == "no private address"
    assert result["counts"] == dict(imported=2, updated=1, removed=0, unchanged=1, skipped=1)
    assert member_asset.results(plan, done, full=True)["unchanged"][0]["asset_id"] == "id-i-3"


def test_the_diff_shows_the_scope_before_and_after_and_the_updated_fields():
    imported = [record(A, "ecs", "i-1"), record(A, "ecs", "i-gone"), record(B, "ecs", "i-other-scope")]
    state = member_asset.State(FakeDirectory(), discovered=[], imported=imported)
    request = task_input(discover=dict(members=[A], regions=[HZ], types=["ecs"])).request(selected=set())
    done = outcome(imported=[record(A, "ecs", "i-new")], removed=[record(A, "ecs", "i-gone")],
                   updated=[record(A, "ecs", "i-1", changes={"os": {"before": "Windows", "after": "Linux"}})])
    diff = member_asset.diff_of(request, state, done)
    label = "%s (shop-prod) ecs %%s" % A
    assert diff["before"]["assets"] == [label % "i-1", label % "i-gone"]
    assert diff["after"]["assets"] == [label % "i-1", label % "i-new"]
    assert diff["before"]["updated"] == {label % "i-1": {"os": "Windows"}}
    assert diff["after"]["updated"] == {label % "i-1": {"os": "Linux"}}


def test_check_mode_predicts_the_plan_as_the_outcome():
    plan = AssetPlan()
    plan.to_remove = [record(A, "ecs", "i-1")]
    predicted = member_asset.Outcome.predicted(plan)
    assert predicted.changed and predicted.removed == plan.to_remove and not predicted.failures


def test_a_scope_without_the_assets_of_another_member():
    assert not Scope.of([A], [HZ], ["ecs"]).holds(record(B, "ecs", "i-1"))
