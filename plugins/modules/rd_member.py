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
  - Removing a member that still has imported assets is refused, naming the assets, unless O(remove_assets=true).
    Which imported assets belong to a member is learned by discovering the member's ECS, RDS and PolarDB instances
    in O(asset_regions) through O(member_role_name).
author:
  - Alicloud Bastionhost Collection Maintainers (@alicloud-ansible)
options:
  members:
    description:
      - Member accounts, as 16-digit account IDs or Resource Directory display names.
      - Omitted, the members are not managed by name (only O(select) applies).
    type: list
    elements: str
  select:
    description:
      - Selects member accounts from the resource directory, in addition to O(members).
      - The management account, delegated administrators and the caller are never selected.
    type: dict
    suboptions:
      folder_ids:
        description: Members directly in one of these folders.
        type: list
        elements: str
      tags:
        description: Members that carry every one of these tags.
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
      - Regions where a removed member's assets are looked for. Defaults to O(region).
    type: list
    elements: str
extends_documentation_fragment:
  - alicloud.bastionhost.common
  - alicloud.bastionhost.multi_account
attributes:
  check_mode:
    support: full
    description: Computes and reports the changes, with the diff, without calling any write API.
  diff_mode:
    support: full
    description: The members before and after, as sorted C(ID (display name)) lists.
notes:
  - O(region) is required (or E(ALIBABA_CLOUD_REGION_ID)).
  - "Calls Bastionhost C(DescribeInstances), C(ListInstanceRdMembers), C(AddInstanceRdMember) and
    C(RemoveInstanceRdMember); ResourceManager C(GetResourceDirectory), C(ListDelegatedAdministrators) and
    C(ListAccounts); STS C(GetCallerIdentity); and, when removing members, C(ListHosts), C(ListDatabases),
    STS C(AssumeRole) and the ECS, RDS and PolarDB list APIs in the member."
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
    asset_regions: [cn-hangzhou, cn-shanghai]
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
  sample: [{"member_id": "1000000000000021", "type": "ecs", "instance_id": "i-bp1abc", "asset_id": "12"}]
"""

from ansible_collections.alicloud.bastionhost.plugins.module_utils.assets import (
    discover_member_assets,
    imported_assets,
    member_role_arn,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import (
    add_rd_member,
    delete_imported_asset,
    list_rd_members,
    remove_rd_member,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.module import AlicloudModule
from ansible_collections.alicloud.bastionhost.plugins.module_utils.multi_account import (
    api_read,
    read_directory,
    require_multi_account_instance,
)


class RdMembers:
    """Reads the bastion host and the resource directory, plans the change, applies it."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.region = module.region
        self.instance_id = module.params["instance_id"]
        self.bastion = module.client("bastionhost")
        self.added, self.removed, self.removed_assets = [], [], []

    def desired_members(self, directory):
        uids, problems = directory.resolve(self.params["members"] or [])
        select = self.params["select"]
        if select:
            for uid in directory.select(select.get("folder_ids"), select.get("tags"), select.get("all")):
                if uid not in uids:
                    uids.append(uid)
        if problems:
            self.module.fail_json(msg="invalid members, nothing was changed: %s" % "; ".join(problems))
        return uids

    def plan(self, current, desired):
        if self.params["state"] == "absent":
            return [], sorted(set(desired) & set(current))
        to_add = sorted(set(desired) - set(current))
        to_remove = sorted(set(current) - set(desired)) if self.params["purge_members"] else []
        return to_add, to_remove

    def assets_of(self, members):
        """``{member: [imported asset]}`` for members leaving the bastion host, learned by discovery."""
        if not members:
            return {}
        imported = api_read(self.module, "list the assets imported into %s" % self.instance_id,
                            lambda: imported_assets(self.bastion, self.region, self.instance_id))
        if not imported:
            return {}
        by_key = dict(((a["type"], a["instance_id"]), a) for a in imported)
        regions = self.params["asset_regions"] or [self.region]
        owned = {}
        for member in members:
            arn = member_role_arn(member, self.params["member_role_name"])
            found = api_read(self.module, "find the assets of member %s through role %s (set member_role_name to a role "
                             "the caller may assume in that member)" % (member, arn),
                             lambda: discover_member_assets(self.module.clients.for_assumed_role(arn), member, regions))
            mine = [dict(by_key[(f["type"], f["instance_id"])], member_id=member)
                    for f in found if (f["type"], f["instance_id"]) in by_key]
            if mine:
                owned[member] = sorted(mine, key=lambda a: (a["type"], a["instance_id"]))
        return owned

    def refuse_members_with_assets(self, owned, directory):
        named = ["%s: %s" % (directory.label(m), ", ".join("%s %s" % (a["type"], a["instance_id"]) for a in assets))
                 for m, assets in sorted(owned.items())]
        self.module.fail_json(msg="cannot remove members that still have imported assets, nothing was changed (set "
                                  "remove_assets: true to remove those assets too): %s" % "; ".join(named))

    def apply(self, to_add, to_remove, owned):
        """Writes in a safe order: a member's assets, then the member, then new members."""
        try:
            for member in to_remove:
                for asset in owned.get(member, []):
                    delete_imported_asset(self.bastion, self.region, self.instance_id, asset)
                    self.removed_assets.append(asset)
                remove_rd_member(self.bastion, self.region, self.instance_id, member)
                self.removed.append(member)
            for member in to_add:
                add_rd_member(self.bastion, self.region, self.instance_id, member)
                self.added.append(member)
        except Exception as exc:
            self.module.fail_json_api(
                exc, "failed to change the members of %s after adding %s and removing %s; rerun to finish" % (
                    self.instance_id, self.added or "none", self.removed or "none"),
                added=self.added, removed=self.removed, removed_assets=asset_results(self.removed_assets))


def asset_results(assets):
    return [dict(member_id=a["member_id"], type=a["type"], instance_id=a["instance_id"], asset_id=a["asset_id"])
            for a in assets]


def member_results(directory, uids):
    return [dict(member_id=u, display_name=(directory.accounts.get(u) or {}).get("display_name")) for u in sorted(uids)]


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
        ),
        required_one_of=[["members", "select"]],
        supports_check_mode=True,
    )
    rd = RdMembers(module)
    require_multi_account_instance(module, rd.bastion, rd.instance_id)
    directory = read_directory(module, rd.instance_id)
    desired = rd.desired_members(directory)
    current = api_read(module, "list the members of %s" % rd.instance_id,
                       lambda: list_rd_members(rd.bastion, module.region, rd.instance_id))
    to_add, to_remove = rd.plan(current, desired)
    owned = rd.assets_of(to_remove)
    if owned and not module.params["remove_assets"]:
        rd.refuse_members_with_assets(owned, directory)

    after = sorted((set(current) | set(to_add)) - set(to_remove))
    diff = dict(before=dict(members=sorted(map(directory.label, current))),
                after=dict(members=sorted(map(directory.label, after))))
    changed = bool(to_add or to_remove)
    if module.check_mode or not changed:
        module.exit_json(changed=changed, diff=diff, members=member_results(directory, after), added=to_add,
                         removed=to_remove, removed_assets=asset_results(a for m in to_remove for a in owned.get(m, [])))
    rd.apply(to_add, to_remove, owned)
    final = api_read(module, "list the members of %s" % rd.instance_id,
                     lambda: list_rd_members(rd.bastion, module.region, rd.instance_id))
    diff["after"] = dict(members=sorted(map(directory.label, final)))
    module.exit_json(changed=True, diff=diff, members=member_results(directory, final), added=rd.added,
                     removed=rd.removed, removed_assets=asset_results(rd.removed_assets))


if __name__ == "__main__":
    main()
