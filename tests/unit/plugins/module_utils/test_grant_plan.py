# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""user_group_grant planning: attaches only what is missing, revokes only what is listed (absent) or beyond
the list of a kind given (purge), never on an empty list, never a revoke holding an empty list."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.alicloud.bastionhost.plugins.module_utils.grant_plan import (
    Granted,
    Wanted,
    apply_to,
    entry_problems,
    plan_kind,
    removals_problem,
    view,
)


def wanted(group_id, *names, accounts=True):
    return Wanted(group_id, "g" + group_id, dict((n, n) for n in names) if accounts else None)


def granted(**groups):
    return dict((group_id[1:], Granted(group_id, dict((n, n) for n in names))) for group_id, names in groups.items())


def test_a_new_grant_attaches_the_group_with_its_names_and_one_granted_attaches_only_the_missing_names():
    plan = plan_kind("host_group", [wanted("1", "ops"), wanted("2", "ops", "root")], granted(g2=["ops"]), "present",
                     False)
    assert plan.attach == [("1", ["ops"]), ("2", ["root"])] and plan.revoke == []
    assert plan.granted == ["host_group g1", "host_group g1 account ops", "host_group g2 account root"]


def test_a_group_without_names_is_attached_without_any_and_nothing_is_done_twice():
    assert plan_kind("host_group", [wanted("1", accounts=False)], {}, "present", False).attach == [("1", None)]
    again = plan_kind("host_group", [wanted("1", "ops")], granted(g1=["ops", "root"]), "present", False)
    assert again.attach == [] and again.revoke == []


def test_purge_revokes_other_groups_and_names_beyond_the_list():
    plan = plan_kind("host_group", [wanted("1", "ops")], granted(g1=["ops", "root"], g3=["x"]), "present", True)
    assert plan.revoke == [("1", ["root"]), ("3", None)]
    assert plan.removals == 3
    after = apply_to(granted(g1=["ops", "root"], g3=["x"]), plan, [wanted("1", "ops")])
    assert view(after) == [dict(label="g1", accounts=["ops"])]


def test_absent_revokes_what_is_listed_and_granted_only():
    current = granted(g1=["ops", "root"], g2=["ops"])
    plan = plan_kind("host_group", [wanted("1", "root", "nope"), wanted("2", accounts=False), wanted("9", accounts=False)],
                     current, "absent", False)
    assert plan.revoke == [("1", ["root"]), ("2", None)] and plan.attach == []
    assert plan.revoked == ["host_group g1 account root", "host_group g2", "host_group g2 account ops"]


def test_a_kind_not_given_is_left_as_it_is():
    plan = plan_kind("database", None, granted(g1=["a"]), "present", True)
    assert plan.attach == [] and plan.revoke == []


def test_input_refusals_and_max_removals():
    assert entry_problems("host_groups", [], "present", True)
    assert entry_problems("host_groups", [], "absent", False)
    assert entry_problems("host_groups", [{"name": "a", "accounts": []}], "absent", False)
    assert entry_problems("host_groups", [{"name": "a", "accounts": ["", "ops"]}], "present", False)
    assert not entry_problems("host_groups", [{"name": "a", "accounts": []}], "present", False)
    assert removals_problem(3, 2, ["a", "b", "c"]) and removals_problem(2, 2, ["a", "b"]) is None


def test_purge_never_acts_on_an_empty_account_list():
    database = {"member": "1", "instance_id": "rm-1", "accounts": []}
    for kind, entry, whole in (("host_groups", {"name": "a", "accounts": []}, "the whole asset group"),
                               ("databases", database, "the whole database")):
        problems = entry_problems(kind, [entry], "present", True)
        assert len(problems) == 1 and "accounts is an empty list with purge" in problems[0]
        assert "omit accounts to grant %s, or name the accounts" % whole in problems[0]
    assert not entry_problems("host_groups", [{"name": "a", "accounts": None}], "present", True)


def test_an_account_name_ansible_made_of_a_yaml_boolean_is_refused():
    problems = entry_problems("host_groups", [{"name": "a", "accounts": ["ops", "True"]},
                                              {"name": "b", "accounts": ["False"]}], "present", False)
    assert len(problems) == 2 and "account name True," in problems[0] and "account name False," in problems[1]
    assert all('quote the name (accounts: ["yes"])' in p for p in problems)
    assert entry_problems("databases", [{"member": "1", "instance_id": "rm-1", "accounts": ["True"]}], "absent", False)
    assert not entry_problems("host_groups", [{"name": "a", "accounts": ["yes", "true", "TRUE"]}], "present", True)


def test_an_asset_group_or_a_database_listed_twice_is_one_problem_naming_them():
    groups = [{"name": "g", "accounts": ["ops"]}, {"name": "h", "accounts": None}, {"name": "g", "accounts": ["root"]},
              {"name": "k", "accounts": None}, {"name": "k", "accounts": None}]
    problems = entry_problems("host_groups", groups, "present", False)
    assert problems == ["host_groups lists g, k more than once: give each once, with all its accounts"]
    databases = [{"member": "1", "instance_id": "rm-1", "accounts": None},
                 {"member": "1 ", "instance_id": "rm-1", "accounts": ["app"]},
                 {"member": "1", "instance_id": "rm-2", "accounts": None}]
    assert entry_problems("databases", databases, "present", True) == [
        "databases lists 1 rm-1 more than once: give each once, with all its accounts"]


NAMES = st.sets(st.sampled_from(["ops", "root", "app", "dba"]))


@settings(max_examples=300, deadline=None)
@given(current=st.dictionaries(st.sampled_from("12345"), NAMES),
       entries=st.lists(st.tuples(st.sampled_from("12345"), st.one_of(st.none(), NAMES)), unique_by=lambda e: e[0]),
       state=st.sampled_from(["present", "absent"]), purge=st.booleans())
def test_the_safety_rule_holds_for_any_grants(current, entries, state, purge):
    has = dict((gid, Granted("g" + gid, dict((n, n) for n in names))) for gid, names in current.items())
    asked = [Wanted(gid, "g" + gid, None if names is None else dict((n, n) for n in names)) for gid, names in entries]
    plan = plan_kind("host_group", asked, has, state, purge and state == "present")
    listed = dict((w.id, w) for w in asked)
    for grant_id, values in plan.revoke:
        assert grant_id in has, "only what is granted is revoked"
        assert values is None or values, "never an empty list in a revoke"
        if state == "absent":
            assert grant_id in listed, "absent revokes only what is listed"
            assert values is None or set(values) <= set(listed[grant_id].accounts or ())
        elif grant_id in listed:
            assert values and not set(values) & set(listed[grant_id].accounts or ())
        else:
            assert purge, "a group not listed is revoked by purge only"
    if not asked:
        assert plan.revoke == [] or state == "present", "an empty list never revokes"
    for grant_id, values in plan.attach:
        assert state == "present" and grant_id in listed
    after = apply_to(has, plan, asked)
    if state == "present":
        for entry in asked:
            assert entry.id in after and set(entry.accounts or ()) <= set(after[entry.id].accounts)
