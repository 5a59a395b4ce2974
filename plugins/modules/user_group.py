#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: user_group
short_description: Manage a user group of a bastion host and its users
version_added: 0.2.0
description:
  - Creates, updates or deletes a user group of a bastion host (Bastionhost console Users > User Groups) and manages
    which of the bastion host's users are in it, so that a team can be granted assets
    (M(alicloud.bastionhost.user_group_grant)).
  - Users are named by their logon name (C(UserName) of ListUsers). Every name is checked before the first write; an
    unknown user fails the task with no change.
  - The safety rule. The task removes users only from this group, only with O(purge_members=true) (those in it
    beyond O(members)), never when O(members) is empty or missing, and never more than O(max_removals). O(state=absent)
    deletes the named group (its users stay on the bastion host; what the group was granted goes with it).
author:
  - Alicloud Bastionhost Collection Maintainers (@alicloud-ansible)
options:
  name:
    description:
      - The user group's name (at most 128 characters), unique on the bastion host.
    type: str
    required: true
  comment:
    description:
      - The group's description (at most 500 characters). Omitted, it is left as it is (empty for a new group).
      - An empty or blank value (an empty AWX survey field) counts as omitted, so this module never clears a comment.
    type: str
  members:
    description:
      - Users the group has, by logon name. Omitted, the group's users are not managed.
      - Users not listed are left in the group unless O(purge_members=true).
      - Quote a name YAML reads as a boolean (write C("yes"), not C(yes)); unquoted, Ansible passes it as C(True) or
        C(False), which is refused.
    type: list
    elements: str
  purge_members:
    description:
      - Remove from the group the users beyond O(members). Refused when O(members) is empty or missing.
    type: bool
    default: false
  state:
    description:
      - C(present) creates or updates the group, C(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - alicloud.bastionhost.common
  - alicloud.bastionhost.multi_account
  - alicloud.bastionhost.multi_account.REMOVALS
attributes:
  check_mode:
    support: full
    description: Computes and reports the changes, with the diff, without calling any write API.
  diff_mode:
    support: full
    description: The group before and after, as C(name), C(comment) and the sorted C(members).
notes:
  - O(region) is required (or E(ALIBABA_CLOUD_REGION_ID)).
  - O(max_removals) counts the users O(purge_members=true) removes.
  - "Calls Bastionhost C(ListUserGroups), C(ListUsers), C(CreateUserGroup), C(ModifyUserGroup), C(AddUsersToGroup),
    C(RemoveUsersFromGroup) (100 users a call) and C(DeleteUserGroup)."
seealso:
  - module: alicloud.bastionhost.user_group_grant
  - module: alicloud.bastionhost.host_account
"""

EXAMPLES = r"""
- name: The shop team
  alicloud.bastionhost.user_group:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    name: shop-prod-team
    comment: O&M of the shop-prod member account
    members: [alice, bob]

- name: Exactly these users in the group (the others in it are removed from it)
  alicloud.bastionhost.user_group:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    name: shop-prod-team
    members: [alice]
    purge_members: true
    max_removals: 5

- name: Delete the group
  alicloud.bastionhost.user_group:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    name: shop-prod-team
    state: absent
"""

RETURN = r"""
user_group:
  description: The group after the task (predicted in check mode); null when it does not exist.
  returned: always
  type: dict
  contains:
    id:
      description: The group's ID; null in check mode for a group the task would create.
      type: str
      sample: "3"
    name:
      description: The group's name.
      type: str
      sample: shop-prod-team
    comment:
      description: The group's description.
      type: str
      sample: O&M of the shop-prod member account
    members:
      description: The logon names of its users, sorted.
      type: list
      elements: str
      sample: [alice, bob]
added:
  description: The users added to the group.
  returned: always
  type: list
  elements: str
  sample: [bob]
removed:
  description: The users removed from the group (O(purge_members=true)).
  returned: always
  type: list
  elements: str
  sample: [carol]
failures:
  description:
    - When a write failed, the failure (action, code, message, request ID). The writes after it are not made; the
      others of the result (RV(user_group), RV(added), RV(removed)) say what was done before it, and the task reports
      changed, as a failed write may have been applied in part.
  returned: when a write failed
  type: list
  elements: dict
"""

from ansible_collections.alicloud.bastionhost.plugins.module_utils.access import Access
from ansible_collections.alicloud.bastionhost.plugins.module_utils.module import AlicloudModule
from ansible_collections.alicloud.bastionhost.plugins.module_utils.multi_account import (
    multi_account_argument_spec,
    multi_account_option_problems,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.report import Failures, diff_if_asked
from ansible_collections.alicloud.bastionhost.plugins.module_utils.user_group_plan import (
    GroupRequest,
    after_writes,
    has_changes,
    input_problems,
    plan_user_group,
    write_steps,
)


def argument_spec():
    spec = multi_account_argument_spec(member_role=False, concurrency=False)
    spec.update(
        name=dict(type="str", required=True),
        comment=dict(type="str"),
        members=dict(type="list", elements="str"),
        purge_members=dict(type="bool", default=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


def group_request(module):
    """The task's GroupRequest, or a failure naming every problem of its input (nothing is read yet)."""
    params = module.params
    request = GroupRequest(params["name"], params["comment"], params["members"], params["purge_members"],
                           params["state"], params["max_removals"])
    problems = multi_account_option_problems(params) + input_problems(request)
    if problems:
        module.fail_json(msg="nothing was changed: %s" % "; ".join(problems))
    return request


def read_group(module, access, name):
    """``{id, name, comment, members}`` of the group ``name``, or None."""
    raw = module.api_read("list the user groups of %s" % access.instance_id, lambda: access.user_group(name))
    if raw is None:
        return None
    group_id = str(raw.get("UserGroupId"))
    members = module.api_read("list the users of user group %s" % name, lambda: access.users(group_id))
    return dict(id=group_id, name=name, comment=raw.get("Comment") or "", members=[u["name"] for u in members])


def read_users(module, access, request):
    """``{logon name: user id}`` of the bastion host's users (read only when the task names users)."""
    if request.state == "absent" or request.members is None:
        return {}
    users = module.api_read("list the users of %s" % access.instance_id, access.users)
    return dict((u["name"], u["id"]) for u in users)


def action_of(step, plan, name):
    """What a step of ``write_steps`` does, as a failure names it."""
    return dict(delete="delete user group %s" % name, create="create user group %s" % name,
                comment="change the comment of user group %s" % name,
                add="add %s to user group %s" % (", ".join(plan.add), name),
                remove="remove %s from user group %s" % (", ".join(plan.remove), name))[step]


def write_step(access, step, group_id, plan, users, name):
    """Make one step of ``write_steps``; the group's id after it."""
    if step == "create":
        return access.create_user_group(name, plan.comment)
    if step == "delete":
        access.delete_user_group(group_id, name)
    elif step == "comment":
        access.modify_user_group(group_id, comment=plan.comment)
    elif step == "add":
        access.add_users(group_id, [users[u] for u in plan.add])
    else:
        access.remove_users(group_id, [users[u] for u in plan.remove])
    return group_id


def apply(module, access, plan, current, users, request):
    """The plan's writes in order, up to the first that fails: ``(group id, steps done, Failures)``."""
    group_id = current["id"] if current else None
    done, failures = [], Failures(module.secret_values())
    for step in write_steps(plan):
        try:
            group_id = write_step(access, step, group_id, plan, users, request.name)
        except Exception as exc:  # pylint: disable=broad-except
            action = action_of(step, plan, request.name)
            failures.add("failed_writes", dict(step=step), action, "failed to %s" % action, exc)
            break
        done.append(step)
    return group_id, done, failures


DONE = dict(delete="deleted the group", create="created the group", comment="changed its comment",
            add="added %(added)d users", remove="removed %(removed)d users")


def done_text(done, plan):
    if not done:
        return "nothing was changed before it"
    return ", ".join(DONE[step] % dict(added=len(plan.add), removed=len(plan.remove)) for step in done)


def main():
    module = AlicloudModule(argument_spec=argument_spec(), supports_check_mode=True)
    request = group_request(module)
    access = Access(module.client("bastionhost"), module.region, module.params["instance_id"])
    current = read_group(module, access, request.name)
    users = read_users(module, access, request)
    plan = plan_user_group(request, current, users)
    if plan.problems:
        module.fail_json(msg="nothing was changed: %s" % "; ".join(plan.problems))
    changed = has_changes(plan)
    group_id, done, failures = current["id"] if current else None, write_steps(plan), Failures()
    if changed and not module.check_mode:
        group_id, done, failures = apply(module, access, plan, current, users, request)
    after = after_writes(plan, current, done)
    result = dict(user_group=dict(after, id=group_id) if after else None,
                  added=plan.add if "add" in done else [], removed=plan.remove if "remove" in done else [])
    result.update(diff_if_asked(module, lambda: dict(before=plan.before, after=after)))
    if failures:
        # A failed write may have been applied in part (a refused batch applies its other users; more than 100
        # users take several calls), so the task reports changed, as host_account does.
        failures.fail(module, "user group %s" % request.name, done_text(done, plan), changed=True, **result)
    module.exit_json(changed=changed, **result)


if __name__ == "__main__":
    main()
