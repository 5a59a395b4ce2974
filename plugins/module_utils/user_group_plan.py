# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure planning of a user group and its users (alicloud.bastionhost.user_group): what to create, change,
add, remove or delete, and every refusal, decided before the first write. No API calls.

    plan = plan_user_group(request, current, users)
    if plan.problems: fail before any write
    for step in write_steps(plan): write it; after_writes(plan, current, done) is the group after those done
"""

from __future__ import annotations

from collections import namedtuple

from ansible_collections.alicloud.bastionhost.plugins.module_utils.problems import yaml_boolean_problem

# The limits of CreateUserGroupRequest (UserGroupName up to 128 characters, Comment up to 500).
MAX_NAME = 128
MAX_COMMENT = 500

GroupRequest = namedtuple("GroupRequest", "name comment members purge_members state max_removals")
GroupPlan = namedtuple("GroupPlan", "create delete comment add remove before after problems")


def input_problems(request):
    """What is wrong with the task's own input, before anything is read."""
    problems = []
    if not request.name or not request.name.strip():
        problems.append("name is empty")
    elif len(request.name) > MAX_NAME:
        problems.append("name is %d characters; a user group name has at most %d" % (len(request.name), MAX_NAME))
    comment = given_comment(request)
    if comment is not None and len(comment) > MAX_COMMENT:
        problems.append("comment is %d characters; at most %d" % (len(comment), MAX_COMMENT))
    members = request.members
    if members is not None and any(not str(m).strip() for m in members):
        problems.append("members has an empty user name (an empty survey field?): name every user")
    boolean = yaml_boolean_problem("members", "user name", members, 'members: ["yes"]')
    if boolean:
        problems.append(boolean)
    if request.purge_members and not members:
        problems.append("purge_members needs the users the group keeps in members; it never empties a group on an "
                        "empty or missing list (remove the group with state=absent instead)")
    return problems


def plan_user_group(request, current, users):
    """The plan for ``request`` (a GroupRequest) given the group as it is (``current``: ``{id, name, comment,
    members: [user names]}`` or None) and the bastion host's users (``{user name: user id}``).

    Only this group's users are ever removed: with ``purge_members``, those in it beyond ``members``."""
    problems = []
    before = view(current)
    if request.state == "absent":
        return GroupPlan(False, current is not None, None, [], [], before, {}, problems)
    wanted = sorted(set(request.members)) if request.members is not None else None
    unknown = [name for name in wanted or () if name not in users]
    if unknown:
        problems.append("no such user on the bastion host: %s (users are named by their logon name, as ListUsers "
                        "gives it; create them in the console or through your identity source first)"
                        % ", ".join(unknown))
    has = set(current["members"]) if current else set()
    add = [name for name in wanted or () if name not in has and name in users]
    remove = sorted(has - set(wanted)) if request.purge_members and wanted else []
    if request.max_removals is not None and len(remove) > request.max_removals:
        problems.append("purge_members would remove %d users from %s (%s), more than max_removals %d: check the list, "
                        "then raise max_removals on purpose" % (
                            len(remove), request.name, ", ".join(remove), request.max_removals))
    comment = given_comment(request)
    if current is not None and current["comment"] == comment:
        comment = None
    after = dict(name=request.name, comment=comment if comment is not None else (
        current["comment"] if current else ""), members=sorted((has | set(add)) - set(remove)))
    return GroupPlan(current is None, False, comment, add, remove, before, after, problems)


def given_comment(request):
    """The comment the task sets, None to leave it as it is: a blank one (an empty AWX survey field) is omitted."""
    if request.comment is None or not request.comment.strip():
        return None
    return request.comment


def view(group):
    """The group as the diff shows it: ``{name, comment, members}``, ``{}`` when there is none."""
    if group is None:
        return {}
    return dict(name=group["name"], comment=group["comment"], members=sorted(group["members"]))


def write_steps(plan):
    """The plan's writes in the order they are made: ``delete``, or ``create`` or ``comment``, ``add``, ``remove``."""
    if plan.delete:
        return ["delete"]
    steps = ["create"] if plan.create else (["comment"] if plan.comment is not None else [])
    return steps + (["add"] if plan.add else []) + (["remove"] if plan.remove else [])


def after_writes(plan, current, done):
    """The group as the diff shows it after the writes ``done`` (steps of ``write_steps``), ``{}`` when there is
    none: ``plan.after`` when all were made."""
    if plan.delete:
        return {} if "delete" in done else view(current)
    if current is None and "create" not in done:
        return {}
    members = set(current["members"]) if current else set()
    members |= set(plan.add) if "add" in done else set()
    members -= set(plan.remove) if "remove" in done else set()
    commented = "create" in done or "comment" in done
    return dict(plan.after, comment=plan.after["comment"] if commented else current["comment"],
                members=sorted(members))


def has_changes(plan):
    return bool(plan.create or plan.delete or plan.comment is not None or plan.add or plan.remove)
