#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: user_group_grant
short_description: Manage what a user group of a bastion host is granted, asset groups and databases
version_added: 0.2.0
description:
  - Grants a user group of a bastion host asset groups (with host account names) and imported databases (with
    database accounts), or revokes them, so that every user of the group can log on to those hosts and databases
    through the bastion host (Bastionhost console Users > User Groups > Authorize).
  - A grant of an asset group follows the group, so a host added to the group later is granted too; give the group's
    hosts their accounts with M(alicloud.bastionhost.host_account).
  - Databases are those imported from member accounts (M(alicloud.bastionhost.member_asset)), named by member and
    instance ID; grants on databases are per database (the API has no group-level database grant).
  - Everything is resolved before the first write; an unknown user group, asset group, database or database account
    fails the task with no change. This module never creates a user group (M(alicloud.bastionhost.user_group) does).
  - The safety rule. O(state=absent) revokes only what the task lists. O(purge=true) revokes what the group is
    granted beyond the lists, of the kinds the task gives (O(host_groups) and/or O(databases)), never on an empty list,
    never more than O(max_removals), all planned before the first write.
author:
  - Alicloud Bastionhost Collection Maintainers (@alicloud-ansible)
options:
  user_group:
    description:
      - The user group's name.
    type: str
    required: true
  host_groups:
    description:
      - Asset groups (by name) to grant, each with the host account names the group's users may log on as. Each
        asset group is listed once.
      - Omitted, the group's asset-group grants are left as they are.
    type: list
    elements: dict
    suboptions:
      name:
        description: The asset group's name.
        type: str
        required: true
      accounts:
        description:
          - Host account names (at most 10 are sent a call). Omitted, only the asset group is granted (with
            O(state=absent), the asset group and all its names are revoked).
          - With O(purge=true), the names granted on the group beyond these are revoked. An empty list is refused with
            O(purge=true) or O(state=absent).
          - Quote a name YAML reads as a boolean (write C("yes"), not C(yes)); unquoted, Ansible passes it as C(True) or
            C(False), which is refused.
        type: list
        elements: str
  databases:
    description:
      - Imported databases to grant, each with database accounts. Each database is listed once.
      - Omitted, the group's database grants are left as they are.
    type: list
    elements: dict
    suboptions:
      member:
        description: The member account the database was imported from, as an account ID or display name.
        type: str
        required: true
      instance_id:
        description: The RDS instance or PolarDB cluster ID.
        type: str
        required: true
      accounts:
        description:
          - Database account names of that database. Omitted, the database itself is granted (with O(state=absent),
            the database and all its accounts are revoked).
          - With O(purge=true), the accounts granted on the database beyond these are revoked. An empty list is refused
            with O(purge=true) or O(state=absent); quote a name YAML reads as a boolean, as for
            O(host_groups[].accounts).
        type: list
        elements: str
  state:
    description:
      - C(present) grants what is listed, C(absent) revokes it.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), also revoke what the group is granted beyond the lists, of the kinds the task gives.
    type: bool
    default: false
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
    description: What the user group is granted before and after, as in RV(grants).
notes:
  - O(region) is required (or E(ALIBABA_CLOUD_REGION_ID)).
  - O(max_removals) counts each asset group, database, name and account revoked.
  - "Calls Bastionhost C(ListUserGroups), C(ListHostGroups), C(ListHostGroupsForUserGroup),
    C(ListHostGroupAccountNamesForUserGroup), C(AttachHostGroupAccountsToUserGroup) and
    C(DetachHostGroupAccountsFromUserGroup) (10 asset groups a call), and with databases C(ListDatabases),
    C(ListDatabaseAccounts), C(ListDatabasesForUserGroup), C(ListDatabaseAccountsForUserGroup),
    C(AttachDatabaseAccountsToUserGroup) and C(DetachDatabaseAccountsFromUserGroup); ResourceManager C(ListAccounts)
    when a member is given by display name."
seealso:
  - module: alicloud.bastionhost.user_group
  - module: alicloud.bastionhost.host_account
"""

EXAMPLES = r"""
- name: The shop team may log on to shop-prod's hosts as ops
  alicloud.bastionhost.user_group_grant:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    user_group: shop-prod-team
    host_groups:
      - name: shop-prod-ecs
        accounts: [ops]

- name: And to its order database, as the readonly account
  alicloud.bastionhost.user_group_grant:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    user_group: shop-prod-team
    databases:
      - member: shop-prod
        instance_id: rm-bp1orders01
        accounts: [readonly]

- name: Exactly this asset group, nothing else (the other asset groups granted are revoked)
  alicloud.bastionhost.user_group_grant:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    user_group: shop-prod-team
    host_groups:
      - name: shop-prod-ecs
        accounts: [ops]
    purge: true
    max_removals: 5

- name: Revoke the asset group
  alicloud.bastionhost.user_group_grant:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    user_group: shop-prod-team
    host_groups:
      - name: shop-prod-ecs
    state: absent
"""

RETURN = r"""
grants:
  description: What the user group is granted after the task (predicted in check mode).
  returned: always
  type: dict
  contains:
    host_groups:
      description: The asset groups granted, by name, with the host account names granted on each.
      type: list
      elements: dict
      sample: [{"name": "shop-prod-ecs", "accounts": ["ops"]}]
    databases:
      description:
        - The databases granted, as C(<member ID> <instance ID>) (the database's name for one not imported from a
          member), with the database account names granted on each.
      type: list
      elements: dict
      sample: [{"name": "1000000000000011 rm-bp1orders01", "accounts": ["readonly"]}]
granted:
  description:
    - What the task granted, one line each, C(host_group <name>), C(host_group <name> account <account>),
      C(database <member ID> <instance ID>) or C(database <member ID> <instance ID> account <account>).
  returned: always
  type: list
  elements: str
  sample: ["host_group shop-prod-ecs", "host_group shop-prod-ecs account ops"]
revoked:
  description: What the task revoked, in the same lines.
  returned: always
  type: list
  elements: str
  sample: ["host_group old-ecs"]
failures:
  description:
    - When a write failed, the failure (action, code, message, request ID). The writes after it are not made; the
      others of the result (RV(grants), RV(granted), RV(revoked)) say what was done before it, and the task reports
      changed, as a failed write may have been applied in part.
  returned: when a write failed
  type: list
  elements: dict
"""

from ansible_collections.alicloud.bastionhost.plugins.module_utils.access import Access
from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import BastionHost
from ansible_collections.alicloud.bastionhost.plugins.module_utils.grant_plan import (
    Granted,
    KindPlan,
    Wanted,
    apply_to,
    entry_problems,
    plan_kind,
    removals_problem,
    view,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.module import AlicloudModule
from ansible_collections.alicloud.bastionhost.plugins.module_utils.multi_account import (
    member_uids,
    multi_account_argument_spec,
    multi_account_option_problems,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.problems import Problems
from ansible_collections.alicloud.bastionhost.plugins.module_utils.report import Failures, diff_if_asked

HOST_GROUP = "host_group"
DATABASE = "database"


def argument_spec():
    spec = multi_account_argument_spec(member_role=False, concurrency=False)
    spec.update(
        user_group=dict(type="str", required=True),
        host_groups=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True), accounts=dict(type="list", elements="str"))),
        databases=dict(type="list", elements="dict", options=dict(
            member=dict(type="str", required=True), instance_id=dict(type="str", required=True),
            accounts=dict(type="list", elements="str"))),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        purge=dict(type="bool", default=False),
    )
    return spec


def check_input(module):
    params = module.params
    problems = multi_account_option_problems(params)
    if params["host_groups"] is None and params["databases"] is None:
        problems.append("give host_groups and/or databases: what to grant or revoke")
    if params["purge"] and params["state"] == "absent":
        problems.append("purge goes with state=present (state=absent revokes only what is listed)")
    for kind, entries in ((HOST_GROUP, params["host_groups"]), (DATABASE, params["databases"])):
        problems += entry_problems(kind + "s", entries, params["state"], params["purge"])
    if problems:
        module.fail_json(msg="nothing was changed: %s" % "; ".join(problems))


def read_user_group(module, access):
    name = module.params["user_group"]
    group = module.api_read("list the user groups of %s" % access.instance_id, lambda: access.user_group(name))
    if group is None:
        module.fail_json(msg="nothing was changed: no user group %s on %s (create it with alicloud.bastionhost."
                             "user_group first)" % (name, access.instance_id))
    return str(group.get("UserGroupId"))


def resolve_host_groups(module, bastion, problems):
    """The task's asset groups as Wanted entries (None when it gives none)."""
    entries = module.params["host_groups"]
    if entries is None:
        return None
    groups = module.api_read("list the asset groups of %s" % bastion.instance_id, bastion.groups)
    wanted = []
    for entry in entries:
        if entry["name"] not in groups:
            problems.add("no such asset group on the bastion host", entry["name"])
            continue
        accounts = entry["accounts"]
        wanted.append(Wanted(groups[entry["name"]], entry["name"],
                             None if accounts is None else dict((a, a) for a in accounts)))
    return wanted


def database_labels(databases):
    """``{database id: "<member ID> <instance ID>"}`` of the imported databases."""
    return dict((d["asset_id"], "%s %s" % (d["member_id"], d["instance_id"])) for d in databases if d["member_id"])


def resolve_databases(module, access, imported, problems):
    """The task's databases as Wanted entries, their accounts' ids read (None when it gives none)."""
    entries = module.params["databases"]
    if entries is None:
        return None
    uids = member_uids(module, [e["member"] for e in entries], "databases[].member")
    by_key = dict(((d["member_id"], d["instance_id"]), d["asset_id"]) for d in imported)
    wanted = []
    for entry in entries:
        member = uids[entry["member"].strip()]
        database_id = by_key.get((member, entry["instance_id"]))
        if database_id is None:
            problems.add("no database imported from that member", "%s %s" % (member, entry["instance_id"]))
            continue
        if any(w.id == database_id for w in wanted):
            problems.add("database listed more than once (by member ID and by display name?): give each once",
                         "%s %s" % (member, entry["instance_id"]))
            continue
        accounts = None
        if entry["accounts"] is not None:
            known = module.api_read("list the accounts of database %s" % entry["instance_id"],
                                    lambda: access.database_accounts(database_id))
            for name in entry["accounts"]:
                if name not in known:
                    problems.add("no such database account (create it on the database's Accounts page first)",
                                 "%s on %s" % (name, entry["instance_id"]))
            accounts = dict((name, known[name]) for name in entry["accounts"] if name in known)
        wanted.append(Wanted(database_id, "%s %s" % (member, entry["instance_id"]), accounts))
    return wanted


def read_granted(module, access, user_group_id, labels):
    name = module.params["user_group"]
    hosts = module.api_read("read what user group %s is granted" % name, lambda: access.granted_host_groups(
        user_group_id))
    host_grants = dict((group_id, Granted(g["name"], dict((a, a) for a in g["accounts"])))
                       for group_id, g in hosts.items())
    databases = module.api_read("read the databases user group %s is granted" % name,
                                lambda: access.granted_databases(user_group_id))
    database_grants = dict((database_id, Granted(labels.get(database_id, d["name"]), dict(
        (account_name, account_id) for account_id, account_name in d["accounts"].items())))
        for database_id, d in databases.items())
    return host_grants, database_grants


def plan(module, wanted, granted):
    """``{kind: KindPlan}``, or a failure over max_removals."""
    params = module.params
    plans = dict((kind, plan_kind(kind, wanted[kind], granted[kind], params["state"], params["purge"]))
                 for kind in (HOST_GROUP, DATABASE))
    revoked = plans[HOST_GROUP].revoked + plans[DATABASE].revoked
    problem = removals_problem(plans[HOST_GROUP].removals + plans[DATABASE].removals, params["max_removals"], revoked)
    if problem:
        module.fail_json(msg="nothing was changed: %s" % problem)
    return plans


# The writes in the order they are made: (kind, KindPlan field, Access method, action).
WRITES = ((HOST_GROUP, "revoke", "detach_host_groups", "revoke asset groups from"),
          (DATABASE, "revoke", "detach_databases", "revoke databases from"),
          (HOST_GROUP, "attach", "attach_host_groups", "grant asset groups to"),
          (DATABASE, "attach", "attach_databases", "grant databases to"))
NOTHING = KindPlan([], [], [], [], 0)


def apply(module, access, user_group_id, plans):
    """The plans' writes in order, up to the first that fails: ``(applied, Failures)``, ``applied`` the plans of
    the writes made (``{kind: KindPlan}``)."""
    name = module.params["user_group"]
    applied, failures = dict((kind, NOTHING) for kind in plans), Failures(module.secret_values())
    for kind, field, method, action in WRITES:
        grants = getattr(plans[kind], field)
        if not grants:
            continue
        what = "%s user group %s" % (action, name)
        try:
            getattr(access, method)(user_group_id, grants)
        except Exception as exc:  # pylint: disable=broad-except
            failures.add("failed_grants", dict(kind=kind), what, "failed to %s" % what, exc)
            break
        applied[kind] = with_write(applied[kind], plans[kind], field)
    return applied, failures


def with_write(done, plan, field):
    """``done`` with the write ``field`` (revoke or attach) of ``plan`` made."""
    if field == "revoke":
        return done._replace(revoke=plan.revoke, revoked=plan.revoked, removals=plan.removals)
    return done._replace(attach=plan.attach, granted=plan.granted)


def done_text(granted, revoked):
    if not granted and not revoked:
        return "nothing was changed before it"
    return "; ".join("%s %d: %s" % (verb, len(lines), shown(lines)) for verb, lines in (
        ("revoked", revoked), ("granted", granted)) if lines)


def shown(lines, count=10):
    return ", ".join(lines[:count]) + (" and %d more" % (len(lines) - count) if len(lines) > count else "")


def grants_view(granted):
    return dict(host_groups=[dict(name=g["label"], accounts=g["accounts"]) for g in view(granted[HOST_GROUP])],
                databases=[dict(name=g["label"], accounts=g["accounts"]) for g in view(granted[DATABASE])])


def main():
    module = AlicloudModule(argument_spec=argument_spec(), supports_check_mode=True)
    check_input(module)
    params = module.params
    client = module.client("bastionhost")
    access = Access(client, module.region, params["instance_id"])
    bastion = BastionHost(client, module.region, params["instance_id"])
    user_group_id = read_user_group(module, access)
    problems = Problems()
    imported = module.api_read("list the imported databases", bastion.imported_databases)
    wanted = {HOST_GROUP: resolve_host_groups(module, bastion, problems),
              DATABASE: resolve_databases(module, access, imported, problems)}
    if problems:
        module.fail_json(msg=problems.message("nothing was changed"))
    host_grants, database_grants = read_granted(module, access, user_group_id, database_labels(imported))
    granted = {HOST_GROUP: host_grants, DATABASE: database_grants}
    plans = plan(module, wanted, granted)
    changed = any(p.attach or p.revoke for p in plans.values())
    applied, failures = plans, Failures()
    if changed and not module.check_mode:
        applied, failures = apply(module, access, user_group_id, plans)
    after = dict((kind, apply_to(granted[kind], applied[kind], wanted[kind])) for kind in granted)
    result = dict(grants=grants_view(after), granted=applied[HOST_GROUP].granted + applied[DATABASE].granted,
                  revoked=applied[HOST_GROUP].revoked + applied[DATABASE].revoked)
    result.update(diff_if_asked(module, lambda: dict(before=grants_view(granted), after=grants_view(after))))
    if failures:
        # A failed write may have been applied in part (a refused batch applies its other grants; more than 10
        # grants take several calls), so the task reports changed, as host_account does.
        failures.fail(module, "user group %s" % params["user_group"], done_text(result["granted"], result["revoked"]),
                      changed=True, **result)
    module.exit_json(changed=changed, **result)


if __name__ == "__main__":
    main()
