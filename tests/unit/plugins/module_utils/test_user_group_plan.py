# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""user_group planning: what is created, changed, added and removed, and the safety rule (only this group's
users, never on an empty list, max_removals)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.alicloud.bastionhost.plugins.module_utils.user_group_plan import (
    GroupRequest,
    after_writes,
    has_changes,
    input_problems,
    plan_user_group,
    write_steps,
)

USERS = dict((name, str(n)) for n, name in enumerate(["alice", "bob", "carol", "dave", "erin"], 1))


def request(members=None, purge=False, state="present", comment=None, max_removals=None, name="team"):
    return GroupRequest(name, comment, members, purge, state, max_removals)


def group(members, comment=""):
    return dict(id="7", name="team", comment=comment, members=list(members))


def test_a_missing_group_is_created_with_its_comment_and_users():
    plan = plan_user_group(request(["bob", "alice"], comment="shop"), None, USERS)
    assert plan.create and plan.add == ["alice", "bob"] and plan.comment == "shop" and not plan.problems
    assert plan.before == {} and plan.after == dict(name="team", comment="shop", members=["alice", "bob"])


def test_a_group_as_asked_has_nothing_to_do():
    plan = plan_user_group(request(["alice"], comment="shop"), group(["alice", "bob"], "shop"), USERS)
    assert not has_changes(plan) and plan.before == plan.after


def test_omitted_members_and_comment_are_left_as_they_are():
    plan = plan_user_group(request(), group(["alice"], "kept"), USERS)
    assert not has_changes(plan) and plan.after["members"] == ["alice"] and plan.after["comment"] == "kept"


def test_purge_removes_only_this_groups_users_beyond_the_list():
    plan = plan_user_group(request(["alice", "carol"], purge=True), group(["alice", "bob"]), USERS)
    assert plan.add == ["carol"] and plan.remove == ["bob"] and plan.after["members"] == ["alice", "carol"]


def test_unknown_users_are_one_problem_naming_them():
    plan = plan_user_group(request(["alice", "zed", "yan"]), None, USERS)
    assert len(plan.problems) == 1 and "yan, zed" in plan.problems[0]


def test_purge_over_max_removals_is_refused():
    plan = plan_user_group(request(["alice"], purge=True, max_removals=1), group(["alice", "bob", "carol"]), USERS)
    assert plan.problems and "max_removals 1" in plan.problems[0] and "bob, carol" in plan.problems[0]


def test_input_refusals():
    assert input_problems(request([], purge=True))
    assert input_problems(request(None, purge=True))
    assert input_problems(request(["alice", " "]))
    assert input_problems(request(["alice"], name=""))
    assert input_problems(request(["alice"], name="x" * 129))
    assert input_problems(request(["alice"], comment="x" * 501))
    assert not input_problems(request(["alice"], purge=True))


def test_a_blank_comment_is_left_as_it_is():
    for blank in ("", "   ", "\t"):
        plan = plan_user_group(request(comment=blank), group(["alice"], "on-call team of shop"), USERS)
        assert not has_changes(plan) and plan.comment is None
        assert plan.after["comment"] == "on-call team of shop"
        created = plan_user_group(request(comment=blank), None, USERS)
        assert created.create and created.comment is None and created.after["comment"] == ""
    assert not input_problems(request(comment=" " * 501))


def test_a_member_name_ansible_made_of_a_yaml_boolean_is_refused():
    problems = input_problems(request(["alice", "True", "False"]))
    assert len(problems) == 1 and "user name False and True" in problems[0]
    assert 'quote the name (members: ["yes"])' in problems[0]
    assert not input_problems(request(["yes", "true", "TRUE"]))


def test_the_group_after_some_writes_shows_only_those():
    plan = plan_user_group(request(["alice", "carol"], purge=True, comment="new"), group(["alice", "bob"], "old"),
                           USERS)
    assert write_steps(plan) == ["comment", "add", "remove"]
    assert after_writes(plan, group(["alice", "bob"], "old"), ["comment"]) == dict(
        name="team", comment="new", members=["alice", "bob"])
    added = after_writes(plan, group(["alice", "bob"], "old"), ["comment", "add"])
    assert added["members"] == ["alice", "bob", "carol"]
    created = plan_user_group(request(["alice"]), None, USERS)
    assert write_steps(created) == ["create", "add"]
    assert after_writes(created, None, []) == {}
    assert after_writes(created, None, ["create"]) == dict(name="team", comment="", members=[])
    deleted = plan_user_group(request(state="absent"), group(["alice"], "old"), USERS)
    assert write_steps(deleted) == ["delete"] and after_writes(deleted, group(["alice"], "old"), ["delete"]) == {}
    assert after_writes(deleted, group(["alice"], "old"), []) == dict(name="team", comment="old", members=["alice"])


def test_absent_deletes_the_named_group_only_when_it_exists():
    assert plan_user_group(request(state="absent"), group(["alice"]), USERS).delete
    assert not has_changes(plan_user_group(request(state="absent"), None, USERS))


@settings(max_examples=200, deadline=None)
@given(has=st.sets(st.sampled_from(sorted(USERS))), wanted=st.one_of(st.none(), st.lists(st.sampled_from(sorted(USERS)))),
       purge=st.booleans())
def test_removals_are_only_ever_users_of_the_group_beyond_a_non_empty_list(has, wanted, purge):
    req = request(wanted, purge=purge)
    if input_problems(req):
        assert purge and not wanted
        return
    plan = plan_user_group(req, group(sorted(has)), USERS)
    assert set(plan.remove) <= has
    assert not set(plan.remove) & set(wanted or ())
    assert plan.remove == [] or (purge and wanted)
    assert set(plan.after["members"]) == (has | set(wanted or ())) - set(plan.remove)
    assert after_writes(plan, group(sorted(has)), write_steps(plan)) == plan.after
