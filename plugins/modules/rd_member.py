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
    directory, the caller itself, the management account, a delegated administrator, a caller that is a member
    (wrong direction) or a bastion host whose edition or version does not support it fails the task with no change.
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
    O(asset_regions). While any imported asset cannot be attributed, no member is removed.
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
  member_role_name:
    description:
      - The RAM role assumed in a member to find its imported assets when members are removed.
    type: str
    default: ResourceDirectoryAccountAccessRole
  asset_regions:
    description:
      - Regions where the members' instances are discovered, to attribute imported assets that have no ownership
        record, when members are removed.
      - Defaults to O(region) and the regions of the bastion host's imported assets that are known.
    type: list
    elements: str
  max_removals:
    description:
      - The most members and assets the task may remove. A task that would remove more fails before any write,
        listing what it would remove. Unset, there is no limit.
    type: int
    version_added: 0.2.0
  max_concurrency:
    description:
      - How many writes (asset removals, member removals and additions) run at the same time. A member is removed
        only after every one of its assets is; a member whose assets could not all be removed is left in place.
    type: int
    version_added: 0.2.0
    default: 4
extends_documentation_fragment:
  - alicloud.bastionhost.common
  - alicloud.bastionhost.multi_account
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
  - "Calls Bastionhost C(DescribeInstances), C(ListInstanceRdMembers), C(AddInstanceRdMember) and
    C(RemoveInstanceRdMember); ResourceManager C(GetResourceDirectory), C(ListDelegatedAdministrators) and
    C(ListAccounts) (and C(ListFoldersForParent) with O(select.folder_ids)); STS C(GetCallerIdentity); and, when
    removing members, C(ListHosts), C(ListDatabases), C(DeleteHost), C(DeleteDatabase) and, for imported assets
    without an ownership record, STS C(AssumeRole) and the ECS, RDS and PolarDB list APIs in the members."
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
  description: Imported hosts and databases removed with their member (O(remove_assets=true)).
  returned: always
  type: list
  elements: dict
  sample: [{"member_id": "1000000000000021", "type": "ecs", "instance_id": "i-bp1abc", "region": "cn-hangzhou",
            "asset_id": "12"}]
"""


from ansible_collections.alicloud.bastionhost.plugins.module_utils.assets import (
    MemberAccess,
    discover_assets,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import (
    add_rd_member,
    delete_imported_asset,
    imported_assets,
    list_rd_members,
    remove_rd_member,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.directory import folder_names
from ansible_collections.alicloud.bastionhost.plugins.module_utils.module import AlicloudModule
from ansible_collections.alicloud.bastionhost.plugins.module_utils.multi_account import (
    api_read,
    read_directory,
    require_known_regions,
    require_multi_account_instance,
    run_concurrently,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.planning import (
    asset_label,
    attribute_assets,
    membership_changes,
    plan_members,
    select_members,
    sort_assets,
)

ASSET_RESULT_FIELDS = ("member_id", "type", "instance_id", "region", "asset_id")


def read_selection(module, directory):
    """The UIDs the task names or selects; fails on any input that selects nothing."""
    select = module.params["select"]
    known_folders = None
    if select and select.get("folder_ids"):
        rm = module.client("resourcemanager")
        known_folders = api_read(module, "list the folders of the resource directory",
                                 lambda: folder_names(rm, directory.root_folder_id))
    uids, problems, warnings = select_members(directory, module.params["members"], select, known_folders)
    if problems:
        module.fail_json(msg=problems.message("invalid members, nothing was changed",
                                              len(module.params["members"] or [])))
    for warning in warnings:
        module.warn(warning)
    return uids


def read_asset_owners(module, directory, bastion, members_on_host):
    """``(owned, unattributed)``: the bastion host's imported assets by member. Assets without an
    ownership record are attributed by discovering every member on the bastion host."""
    params, region, instance_id = module.params, module.region, module.params["instance_id"]
    imported = api_read(module, "list the assets imported into %s" % instance_id,
                        lambda: imported_assets(bastion, region, instance_id))
    unrecorded = [a for a in imported if not a["member_id"]]
    discovered = []
    if unrecorded and members_on_host:
        regions = params["asset_regions"] or sorted(set([region]) | set(a["region"] for a in imported if a["region"]))
        access = MemberAccess(module.clients, params["member_role_name"], directory.caller["account_id"],
                              module.secret_values())
        require_known_regions(module, access, members_on_host[0], regions, "asset_regions", directory.label)
        discovered, errors = discover_assets(access.factory_for, members_on_host, regions,
                                             types=sorted(set(a["type"] for a in unrecorded)),
                                             max_workers=params["max_concurrency"])
        if errors:
            module.fail_json(msg="nothing was changed: the members' assets must be known before members are removed, "
                                 "and these members could not be read: %s" % " | ".join(
                                     access.describe(m, exc, directory.label)[0] for m, exc in sorted(errors.items())))
    return attribute_assets(imported, discovered)


def apply(module, bastion, plan):
    """The writes, at most max_concurrency at a time, in a safe order: every asset of the members
    removed, then those members (only the ones whose assets are all gone) and the new members."""
    region, instance_id = module.region, module.params["instance_id"]
    workers = module.params["max_concurrency"]
    asset_done, asset_failed = run_all(
        workers, plan.removed_assets, lambda asset: delete_imported_asset(bastion, region, instance_id, asset))
    blocked = set(asset["member_id"] for asset, _exc in asset_failed)
    jobs = [("remove", m) for m in plan.to_remove if m not in blocked] + [("add", m) for m in plan.to_add]
    done, failed = run_all(workers, jobs, lambda job: (remove_rd_member if job[0] == "remove" else add_rd_member)(
        bastion, region, instance_id, job[1]))
    added = [m for kind, m in done if kind == "add"]
    removed = [m for kind, m in done if kind == "remove"]
    removed_assets = sort_assets(asset_done)
    errors = [exc for _item, exc in asset_failed + failed]
    if errors:
        not_done = len(errors) + sum(1 for m in plan.to_remove if m in blocked)
        module.fail_json_api(
            errors[0], "failed to change the members of %s: %d of %d changes were not made (added %s, removed %s, "
                       "removed %d assets); rerun to finish. First error" % (
                           instance_id, not_done, len(plan.removed_assets) + len(plan.to_remove) + len(plan.to_add),
                           sorted(added) or "none", sorted(removed) or "none", len(removed_assets)),
            changed=bool(added or removed or removed_assets), added=sorted(added), removed=sorted(removed),
            removed_assets=asset_results(removed_assets))
    return sorted(added), sorted(removed), removed_assets


def run_all(workers, items, call):
    """``call(item)`` for every item, at most ``workers`` at a time: ``(done, [(item, exc)])`` in item order."""
    outcomes = run_concurrently(workers, items, call)
    return [i for i, _value, exc in outcomes if exc is None], [(i, exc) for i, _value, exc in outcomes if exc is not None]


def asset_results(assets):
    return [dict((field, a.get(field)) for field in ASSET_RESULT_FIELDS) for a in assets]


def member_results(directory, uids):
    return [dict(member_id=u, display_name=(directory.accounts.get(u) or {}).get("display_name")) for u in sorted(uids)]


def diff_of(directory, before, after, removed_assets):
    def view(members, assets):
        return dict(members=sorted(map(directory.label, members)),
                    assets=sorted(asset_label(a, directory.label) for a in assets))
    return dict(before=view(before, removed_assets), after=view(after, []))


def main():
    module = AlicloudModule(
        argument_spec=dict(
            instance_id=dict(type="str", required=True),
            members=dict(type="list", elements="str"),
            select=dict(type="dict", options=dict(
                folder_ids=dict(type="list", elements="str"),
                tags=dict(type="dict"),
                all=dict(type="bool", default=False),
            )),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            purge_members=dict(type="bool", default=False),
            remove_assets=dict(type="bool", default=False),
            member_role_name=dict(type="str", default="ResourceDirectoryAccountAccessRole"),
            asset_regions=dict(type="list", elements="str"),
            max_removals=dict(type="int"),
            max_concurrency=dict(type="int", default=4),
        ),
        supports_check_mode=True,
    )
    params, instance_id = module.params, module.params["instance_id"]
    if params["max_removals"] is not None and params["max_removals"] < 0:
        module.fail_json(msg="max_removals must be 0 or more, got %d" % params["max_removals"])
    if params["max_concurrency"] < 1:
        module.fail_json(msg="max_concurrency must be at least 1, got %d" % params["max_concurrency"])
    bastion = module.client("bastionhost")
    require_multi_account_instance(module, bastion, instance_id)
    directory = read_directory(module, "cannot manage the members of bastion host %s" % instance_id)
    desired = read_selection(module, directory)
    current = api_read(module, "list the members of %s" % instance_id,
                       lambda: list_rd_members(bastion, module.region, instance_id))
    owned, unattributed = {}, []
    if membership_changes(current, desired, params["state"], params["purge_members"])[1]:
        owned, unattributed = read_asset_owners(module, directory, bastion, sorted(current))

    plan = plan_members(current, desired, params["state"], params["purge_members"], params["remove_assets"], owned,
                        unattributed, params["max_removals"], directory.label)
    if plan.problems:
        module.fail_json(msg=plan.problems.message("nothing was changed"))
    after = sorted((set(current) | set(plan.to_add)) - set(plan.to_remove))
    changed = bool(plan.to_add or plan.to_remove)
    if module.check_mode or not changed:
        module.exit_json(changed=changed, diff=diff_of(directory, current, after, plan.removed_assets),
                         members=member_results(directory, after), added=plan.to_add, removed=plan.to_remove,
                         removed_assets=asset_results(plan.removed_assets))

    added, removed, removed_assets = apply(module, bastion, plan)
    final = api_read(module, "list the members of %s" % instance_id,
                     lambda: list_rd_members(bastion, module.region, instance_id))
    module.exit_json(changed=True, diff=diff_of(directory, current, final, removed_assets),
                     members=member_results(directory, final), added=added, removed=removed,
                     removed_assets=asset_results(removed_assets))


if __name__ == "__main__":
    main()
