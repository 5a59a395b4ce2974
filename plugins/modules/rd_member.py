#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: rd_member
short_description: Add Resource Directory member accounts to a bastion host, or remove them
version_added: 0.1.0
description:
  - Manages which Resource Directory member accounts are added to a bastion host (Bastionhost console
    Configuration > Multi-account Management > Add Member Account), so that their assets can be imported.
  - Members are given by account ID or display name in O(members), and/or selected by folder or tag with O(select).
  - Everything is resolved and validated before the first change; an unknown name, an account outside the resource
    directory (but a member that left it while on the bastion host), the caller itself, the management account, a
    delegated administrator, a caller that is a member (wrong direction) or a bastion host whose edition or version
    does not support it fails the task with no change.
  - A member that left the resource directory while on the bastion host can be named by its account ID (its display
    name is no longer known, so results, messages and the diff show the ID) to be removed, with its assets as any
    other member's. It cannot be added back while outside the directory; named with O(state=present) it stays, with
    a warning.
  - The safety rule. The task removes only the members it names or selects with O(state=absent) or, with
    O(purge_members=true), the members on the bastion host beyond those it names or selects; never when the
    selection is empty (an empty O(members) list, a O(select) without criteria, an unknown folder, a selection that
    matches nobody), never more than O(max_removals) members and assets, and every removal is planned before the
    first write. Check mode and the diff show exactly those removals.
  - Removing a member that still has imported assets is refused, naming the assets, unless O(remove_assets=true);
    then every asset imported from that member, in every region, is removed first, or nothing is done. An asset
    imported by M(alicloud.bastionhost.member_asset) carries its member and region in its Comment (the ownership
    record C(imported by alicloud.bastionhost from member <UID> in <region>)); an asset without one (imported by
    hand) is attributed by discovering the members' ECS, RDS and PolarDB instances through O(member_role_name) in
    O(asset_regions), and else by looking its instance up in the caller's own account (the bastion host's; no role
    is needed, but the caller needs C(AliyunECSReadOnlyAccess), C(AliyunRDSReadOnlyAccess) and
    C(AliyunPolardbReadOnlyAccess) there); an asset of the bastion host's own account is never removed and never
    blocks. While any imported asset cannot be attributed, no member is removed.
  - The ownership records of the assets of the members to remove are checked against discovery. An asset whose
    record names a member to remove while discovery finds it in another member, or in the caller's own account (a
    Comment pasted by a person), is neither removed nor updated, and a warning names it (RV(disputed_assets)); one
    that discovery finds in a member to remove while its record names another member fails the task before any
    write (the member could not be removed while it remains). A member whose role cannot be assumed is named in a
    warning; the records of the others are checked all the same.
author:
  - Alicloud Bastionhost Collection Maintainers (@alicloud-ansible)
options:
  members:
    description:
      - Member accounts, as 16-digit account IDs or Resource Directory display names.
      - Omitted, the members are not managed by name (only O(select) applies). An empty list, or an empty name,
        is an error.
    type: list
    elements: str
  select:
    description:
      - Selects member accounts from the resource directory, in addition to O(members).
      - The management account, delegated administrators and the caller are never selected.
      - It must name at least one folder or tag, or O(select.all=true); an unknown folder ID is an error. A selection
        that matches no member is a warning, and an error with O(purge_members=true).
    type: dict
    suboptions:
      folder_ids:
        description: Members directly in one of these folders.
        type: list
        elements: str
      tags:
        description:
          - Members that carry every one of these tags. Values match as text, so YAML V(true) matches C("true").
        type: dict
      all:
        description: Every member account of the resource directory.
        type: bool
        default: false
  state:
    description:
      - V(present) adds the members; V(absent) removes them.
    type: str
    choices: [present, absent]
    default: present
  purge_members:
    description:
      - With O(state=present), also remove every member on the bastion host that O(members) and O(select) do not
        name, so the bastion host has exactly those members.
    type: bool
    default: false
  remove_assets:
    description:
      - Remove a member's imported hosts and databases before removing the member. Without it, removing a member
        that still has imported assets fails, naming them.
    type: bool
    default: false
  full_results:
    description:
      - Return RV(removed_assets) as records rather than C(<member_id> <type> <instance_id>) lines, and
        RV(failed_members) and RV(failed_assets) on a partial failure.
    type: bool
    default: false
    version_added: 0.2.0
  asset_regions:
    description:
      - Regions where the members' instances are discovered, to attribute imported assets that have no ownership
        record and to check the records of the members to remove, when members are removed; the caller's own ECS
        instances are looked up in them too.
      - Defaults to O(region) and the regions of the bastion host's imported assets that are known.
    type: list
    elements: str
extends_documentation_fragment:
  - alicloud.bastionhost.common
  - alicloud.bastionhost.multi_account
  - alicloud.bastionhost.multi_account.MEMBER_ROLE
  - alicloud.bastionhost.multi_account.CONCURRENCY
  - alicloud.bastionhost.multi_account.REMOVALS
attributes:
  check_mode:
    support: full
    description: Computes and reports the changes, with the diff, without calling any write API.
  diff_mode:
    support: full
    description: The members before and after, as sorted C(ID (display name)) lists, and the assets removed with
      them, as C(member type instance_id) lines.
notes:
  - O(region) is required (or E(ALIBABA_CLOUD_REGION_ID)).
  - When another run (a scheduled sync) imports some of the assets this task removes back while it runs, the member's
    removal is refused; the task then deletes those assets again and retries, at most three times. It never deletes
    an asset it did not plan to remove.
  - "Calls Bastionhost C(DescribeInstances), C(ListInstanceRdMembers), C(AddInstanceRdMember) and
    C(RemoveInstanceRdMember); ResourceManager C(GetResourceDirectory), C(ListDelegatedAdministrators) and
    C(ListAccounts) (and C(ListFoldersForParent) with O(select.folder_ids)); STS C(GetCallerIdentity); and, when
    removing members, C(ListHosts), C(ListDatabases), C(DeleteHost), C(DeleteDatabase) and, for imported assets
    without an ownership record or whose record names a member to remove, STS C(AssumeRole) and the ECS, RDS and
    PolarDB list APIs in the members, then in the caller's own account ECS C(DescribeInstances) with C(InstanceIds)
    (100 a call, in each of O(asset_regions); a C(DryRun) when some are not found, since ECS answers a caller
    without permission an empty list), RDS C(DescribeDBInstances) with C(DBInstanceId) and PolarDB
    C(DescribeDBClusters) with C(DBClusterIds), in the database's region."
"""

EXAMPLES = r"""
- name: Add two member accounts, one by ID and one by display name
  alicloud.bastionhost.rd_member:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    members:
      - "1000000000000011"
      - data-prod

- name: Exactly the members of the prod folder
  alicloud.bastionhost.rd_member:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    select:
      folder_ids: [fd-prod]
    purge_members: true

- name: Every member tagged env=dev
  alicloud.bastionhost.rd_member:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    select:
      tags:
        env: dev

- name: Offboard a member and the assets imported from it
  alicloud.bastionhost.rd_member:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    members: [shop-dev]
    state: absent
    remove_assets: true
    max_removals: 50
"""

RETURN = r"""
members:
  description: The members on the bastion host after the task (predicted in check mode), sorted by ID.
  returned: always
  type: list
  elements: dict
  contains:
    member_id:
      description: The member's account ID.
      type: str
      sample: "1000000000000011"
    display_name:
      description: The member's display name in the resource directory; null when it left the directory.
      type: str
      sample: shop-prod
added:
  description: IDs of the members added (or that would be added in check mode).
  returned: always
  type: list
  elements: str
  sample: ["1000000000000011"]
removed:
  description: IDs of the members removed (or that would be removed in check mode).
  returned: always
  type: list
  elements: str
  sample: []
removed_assets:
  description:
    - Imported hosts and databases removed with their member (O(remove_assets=true)), each as one
      C(<member_id> <type> <instance_id>) line.
    - With O(full_results=true), records with C(member_id), C(type), C(instance_id), C(region) and C(asset_id).
  returned: always
  type: list
  elements: raw
  sample: ["1000000000000021 ecs i-bp1abc"]
disputed_assets:
  description:
    - Imported assets of the members to remove whose ownership record and discovery disagree on the member, left
      as they are. RV(disputed_assets[].member_id) is the member the record names.
  returned: always
  type: list
  elements: dict
  version_added: 0.2.0
  contains:
    member_id:
      description: The member the asset's ownership record names.
      type: str
    type:
      description: C(ecs), C(rds) or C(polardb).
      type: str
    instance_id:
      description: The source instance.
      type: str
    region:
      description: The region of the ownership record.
      type: str
    asset_id:
      description: The host or database ID on the bastion host.
      type: str
    discovered_member_id:
      description: The member discovery finds the instance in; null when it is the bastion host's own account's.
      type: str
  sample: [{"member_id": "1000000000000012", "type": "ecs", "instance_id": "i-bp1abc", "region": "cn-hangzhou",
            "asset_id": "12", "discovered_member_id": "1000000000000011"}]
failures:
  description: On a partial failure, each distinct failure once, the writes that failed the same way together.
  returned: failure
  type: list
  elements: dict
  version_added: 0.2.0
  contains:
    action:
      description: The write that failed, C(add), C(remove) (a member) or C(remove asset).
      type: str
      sample: remove
    code:
      description: The API error code, null when there was no answer.
      type: str
    message:
      description: What failed, why, and what to do.
      type: str
    request_id:
      description: The request ID of the first call that failed this way.
      type: str
    count:
      description: How many writes failed this way.
      type: int
    lines:
      description: The members (IDs) or assets (C(<member_id> <type> <instance_id>)) whose writes failed this way.
      type: list
      elements: str
failed_members:
  description: With O(full_results=true), on a partial failure, each member addition or removal that failed.
  returned: failure, with O(full_results=true)
  type: list
  elements: dict
  version_added: 0.2.0
  sample: [{"member_id": "1000000000000021", "action": "remove", "msg": "...",
            "error": {"code": "ServiceUnavailable", "request_id": "..."}}]
failed_assets:
  description: With O(full_results=true), on a partial failure, each asset removal that failed.
  returned: failure, with O(full_results=true)
  type: list
  elements: dict
  version_added: 0.2.0
  sample: [{"member_id": "1000000000000021", "type": "ecs", "instance_id": "i-bp1abc", "region": "cn-hangzhou",
            "asset_id": "12", "action": "remove", "msg": "...", "error": {"code": "ServiceUnavailable"}}]
"""

from functools import partial

from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import BastionHost, DoneElsewhere
from ansible_collections.alicloud.bastionhost.plugins.module_utils.concurrency import run_concurrently
from ansible_collections.alicloud.bastionhost.plugins.module_utils.directory import own_instances
from ansible_collections.alicloud.bastionhost.plugins.module_utils.discovery import (
    MemberAccess,
    discover_assets,
    known_regions,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.errors import describe_error
from ansible_collections.alicloud.bastionhost.plugins.module_utils.model import asset_key, asset_label, sort_assets
from ansible_collections.alicloud.bastionhost.plugins.module_utils.module import AlicloudModule
from ansible_collections.alicloud.bastionhost.plugins.module_utils.multi_account import (
    multi_account_argument_spec,
    multi_account_option_problems,
    read_directory,
    read_selection,
    require_multi_account_instance,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.planning import (
    attribute_assets,
    membership_changes,
    plan_members,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.report import Failures, diff_if_asked

ASSET_RESULT_FIELDS = ("member_id", "type", "instance_id", "region", "asset_id")


def argument_spec():
    spec = multi_account_argument_spec()
    spec.update(
        members=dict(type="list", elements="str"),
        select=dict(type="dict", options=dict(
            folder_ids=dict(type="list", elements="str"),
            tags=dict(type="dict"),
            all=dict(type="bool", default=False),
        )),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        purge_members=dict(type="bool", default=False),
        remove_assets=dict(type="bool", default=False),
        asset_regions=dict(type="list", elements="str"),
        full_results=dict(type="bool", default=False),
    )
    return spec


class AssetOwners:
    """Whose the bastion host's imported assets are: ``owned`` ``{member: [assets]}`` and ``unattributed``
    (planning.attribute_assets), what discovery found in the members (``discovered``) and could not read
    (``unread``: ``{member: exception}``), and which instances are the caller's own (``own_keys``, with
    ``notes`` saying why some could not be looked up)."""

    def __init__(self, imported=(), discovered=(), unread=None, own_keys=(), notes=()):
        self.owned, self.unattributed = attribute_assets(list(imported), list(discovered))
        self.discovered = list(discovered)
        self.unread = unread or {}
        self.own_keys = set(own_keys)
        self.notes = list(notes)


def read_asset_owners(module, directory, bastion, members_on_host, leaving):
    """The AssetOwners of the bastion host's imported assets, when members are removed. Assets without an
    ownership record, and those whose record names a member to remove (to check the record), are looked for
    by discovering every member on the bastion host (a member that cannot be read is named in a warning) and
    then, those still not found, among the caller's own instances (no role: the bastion host's own account)."""
    params, region = module.params, module.region
    imported = module.api_read("list the assets imported into %s" % bastion.instance_id, bastion.imported_assets)
    concerned = [a for a in imported if not a["member_id"] or a["member_id"] in leaving]
    if not concerned or not members_on_host:
        return AssetOwners(imported)
    regions = params["asset_regions"] or sorted(set([region]) | set(a["region"] for a in imported if a["region"]))
    access = MemberAccess(module.clients, params["member_role_name"], directory.caller["account_id"],
                          module.secret_values())
    check_regions(module, access, members_on_host, regions)
    discovered, unread = discover_assets(access.factory_for, members_on_host, regions,
                                         types=sorted(set(a["type"] for a in concerned)),
                                         max_workers=params["max_concurrency"])
    for member, exc in sorted(unread.items()):
        module.warn("could not read member %s, so its assets are not known by discovery: %s" % (
            directory.label(member), access.describe(member, exc, directory.label)[0]))
    owners = AssetOwners(imported, discovered, unread)
    found = set(asset_key(a) for a in discovered)
    lookup = owners.unattributed + [a for a in imported if a["member_id"] in leaving and asset_key(a) not in found
                                    and a.get("source_state") != "Release"]
    if lookup:
        owners.own_keys, owners.notes = own_instances(module.clients, lookup, regions, params["max_concurrency"],
                                                      module.secret_values())
    return owners


def check_regions(module, access, members, regions):
    """Fails unless every region of ``regions`` is one ECS has (DescribeRegions), read in the first member
    whose role works, else in the caller's own account: a misspelled region would find nothing."""
    errors = []
    for factory in [partial(access.factory_for, m) for m in members] + [lambda: module.clients]:
        try:
            known = known_regions(factory())
            break
        except Exception as exc:
            errors.append(exc)
    else:
        module.fail_json(msg="nothing was changed: cannot list the regions (ECS DescribeRegions) to check "
                             "asset_regions: %s" % describe_error(errors[-1], "ECS DescribeRegions",
                                                                  module.secret_values())[0])
    unknown = [r for r in regions if r not in known]
    if unknown:
        module.fail_json(msg="nothing was changed: unknown region IDs in asset_regions: %s (known regions: %s)" % (
            ", ".join(unknown), ", ".join(known)))


# How many times a member removal refused because another run imported some of its planned assets back
# (a sync overlapping the offboarding) deletes those assets again and retries.
REIMPORT_ROUNDS = 3


def apply(module, bastion, plan):
    """The writes, at most max_concurrency at a time, in a safe order: every asset of the members
    removed, then those members (only the ones whose assets are all gone) and the new members.
    A write another run already made (an overlapping offboarding) is read back and not a failure, nor
    counted as this run's. A member removal that is refused is read back: when another run (a sync) imported
    some of the assets the plan removes back meanwhile, they are deleted again and the removal retried, a few
    times; no asset outside the plan is ever deleted. Returns ``(added, removed, removed_assets, failures)``."""
    workers = module.params["max_concurrency"]
    failures = Failures(module.secret_values())
    removed_assets, blocked = delete_assets(workers, bastion, plan.removed_assets, failures)
    jobs = [("remove", m) for m in plan.to_remove if m not in blocked] + [("add", m) for m in plan.to_add]
    done, refused = change_members(workers, bastion, jobs)
    for _round in range(REIMPORT_ROUNDS):
        retried = retry_after_reimports(module, bastion, plan, refused, done, removed_assets, failures)
        if retried is None:
            break
        refused = retried
    for (action, member), exc in sorted(refused.items()):
        failures.add("failed_members", dict(member_id=member), action, "failed to %s member %s" % (
            action, member), exc, member)
    added = sorted(m for action, m in done if action == "add")
    removed = sorted(m for action, m in done if action == "remove")
    return added, removed, sort_assets(removed_assets), failures


def retry_after_reimports(module, bastion, plan, refused, done, removed_assets, failures):
    """One round for the refused member removals whose planned assets another run imported back: delete those
    records again and retry the removal. Adds to ``done``, ``removed_assets`` and ``failures``; returns the
    jobs still refused, or None when none of their planned assets is back (a retry would change nothing)."""
    workers = module.params["max_concurrency"]
    back = refused and reimported(module, bastion, plan.removed_assets, [m for action, m in refused if action == "remove"])
    if not back:
        return None
    deleted, blocked = delete_assets(workers, bastion, back, failures)
    listed = set((a["member_id"], asset_key(a)) for a in removed_assets)
    removed_assets.extend(a for a in deleted if (a["member_id"], asset_key(a)) not in listed)
    owners = set(a["member_id"] for a in back) - blocked
    retry = [job for job in refused if job[0] == "remove" and job[1] in owners]
    more_done, still_refused = change_members(workers, bastion, retry)
    done.extend(more_done)
    still_refused.update((job, exc) for job, exc in refused.items() if job not in retry)
    return still_refused


def delete_assets(workers, bastion, assets, failures):
    """Delete ``assets``; ``(deleted, members whose assets could not all be deleted)``."""
    deleted, blocked = [], set()
    for asset, _value, exc in run_concurrently(workers, assets, bastion.delete_asset):
        if exc is None:
            deleted.append(asset)
        elif not isinstance(exc, DoneElsewhere):
            blocked.add(asset["member_id"])
            failures.add("failed_assets", asset_view(asset), "remove asset", "failed to remove %s %s" % (
                asset["type"], asset["instance_id"]), exc, asset_label(asset))
    return deleted, blocked


def change_members(workers, bastion, jobs):
    """Run the ``(action, member)`` jobs; ``(done jobs, {refused job: exception})``."""
    done, refused = [], {}
    for job, _value, exc in run_concurrently(workers, jobs, partial(change_member, bastion)):
        if exc is None:
            done.append(job)
        elif not isinstance(exc, DoneElsewhere):
            refused[job] = exc
    return done, refused


def reimported(module, bastion, planned, members):
    """The records on the bastion host, now, of the planned removals of ``members``: what another run imported
    back after this one deleted it (a new record of the same asset, same member)."""
    if not members:
        return []
    wanted = set((a["member_id"], asset_key(a)) for a in planned if a["member_id"] in members)
    try:
        now = bastion.imported_assets()
    except Exception as exc:
        module.warn("could not read back the assets of members whose removal was refused: %s" % describe_error(
            exc, "list the imported assets", module.secret_values())[0])
        return []
    return [a for a in now if (a["member_id"], asset_key(a)) in wanted]


def change_member(bastion, job):
    action, member = job
    return bastion.remove_member(member) if action == "remove" else bastion.add_member(member)


def asset_view(asset):
    return dict((field, asset.get(field)) for field in ASSET_RESULT_FIELDS)


def member_results(directory, uids):
    return [dict(member_id=u, display_name=(directory.accounts.get(u) or {}).get("display_name")) for u in sorted(uids)]


def diff_of(directory, before, after, removed_assets):
    def view(members, assets):
        return dict(members=sorted(map(directory.label, members)),
                    assets=sorted(asset_label(a, directory.label) for a in assets))
    return dict(before=view(before, removed_assets), after=view(after, []))


def read_plan(module, bastion):
    """``(directory, current members, plan)``: every write, and every refusal, before the first write."""
    params = module.params
    require_multi_account_instance(module, bastion)
    directory = read_directory(module, "cannot manage the members of bastion host %s" % bastion.instance_id)
    current = module.api_read("list the members of %s" % bastion.instance_id, bastion.members)
    desired = read_selection(module, directory, current)
    owners = AssetOwners()
    leaving = membership_changes(current, desired, params["state"], params["purge_members"])[1]
    if leaving:
        owners = read_asset_owners(module, directory, bastion, sorted(current), set(leaving))
    plan = plan_members(current, desired, params["state"], params["purge_members"], params["remove_assets"],
                        owners.owned, owners.unattributed, params["max_removals"], directory.label,
                        discovered=owners.discovered, own_keys=owners.own_keys, unread=sorted(owners.unread),
                        notes=owners.notes)
    for warning in plan.warnings:
        module.warn(warning)
    if plan.problems:
        module.fail_json(msg=plan.problems.message("nothing was changed"))
    return directory, current, plan


def report(module, directory, current, after, added, removed, removed_assets, disputed, failures=None):
    result = dict(changed=bool(added or removed or removed_assets),
                  **diff_if_asked(module, partial(diff_of, directory, current, after, removed_assets)))
    full = module.params["full_results"]
    result.update(members=member_results(directory, after), added=added, removed=removed,
                  removed_assets=[asset_view(a) if full else asset_label(a) for a in removed_assets],
                  disputed_assets=[dict(asset_view(a), discovered_member_id=a["discovered_member"])
                                   for a in disputed])
    if failures:
        failures.fail(module, "bastion host %s" % bastion_id(module), "added %s, removed %s, removed %d assets" % (
            ", ".join(added) or "no member", ", ".join(removed) or "no member", len(removed_assets)), full,
            **result)
    module.exit_json(**result)


def bastion_id(module):
    return module.params["instance_id"]


def main():
    module = AlicloudModule(argument_spec=argument_spec(), supports_check_mode=True)
    problems = multi_account_option_problems(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))
    bastion = BastionHost(module.client("bastionhost"), module.region, bastion_id(module),
                          module.params["max_concurrency"])
    directory, current, plan = read_plan(module, bastion)
    if module.check_mode or not (plan.to_add or plan.to_remove):
        after = sorted((set(current) | set(plan.to_add)) - set(plan.to_remove))
        report(module, directory, current, after, plan.to_add, plan.to_remove, plan.removed_assets, plan.disputed)
    added, removed, removed_assets, failures = apply(module, bastion, plan)
    final = module.api_read("list the members of %s" % bastion_id(module), bastion.members)
    report(module, directory, current, final, added, removed, removed_assets, plan.disputed, failures)


if __name__ == "__main__":
    main()
