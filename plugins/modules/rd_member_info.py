#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: rd_member_info
short_description: List the Resource Directory member accounts added to a bastion host
version_added: 0.1.0
description:
  - Lists the member accounts added to a bastion host for multi-account management, joined with what the
    resource directory knows of each one (display name, folder, status, join method, type, tags).
  - A member that has left the resource directory is still listed, with RV(members[].in_resource_directory=false).
  - With O(members) or O(select), only the members on the bastion host that they name or select are listed, selected
    as M(alicloud.bastionhost.rd_member) selects them (the same code); without either, every member on the bastion
    host is.
  - Input that selects nothing fails the task - an empty O(members) list without O(select), an unknown or ambiguous
    name, a named account that is not on the bastion host, a O(select) without criteria, an unknown folder ID.
author:
  - Alicloud Bastionhost Collection Maintainers (@alicloud-ansible)
options:
  members:
    description:
      - Member accounts on the bastion host, as 16-digit account IDs or Resource Directory display names; a member that
        left the resource directory while on the bastion host can be named by its account ID.
      - Omitted, the members are not chosen by name (only O(select) applies). An empty list, or an empty name, is an
        error, and so is an account that is not on the bastion host.
    type: list
    elements: str
    version_added: 0.2.0
  select:
    description:
      - Selects member accounts from the resource directory, in addition to O(members); only those on the bastion host
        are listed.
      - Every criterion given must hold, so O(select.folder_ids) with O(select.tags) selects the members in one of
        those folders that carry every one of those tags, and O(select.all=true) with a folder selects that folder's
        members.
      - The management account, delegated administrators and the caller are never selected.
      - It must name at least one folder or tag, or O(select.all=true); an unknown folder ID is an error. A selection
        that matches no member on the bastion host is a warning, and lists no member.
    type: dict
    version_added: 0.2.0
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
extends_documentation_fragment:
  - alicloud.bastionhost.common
  - alicloud.bastionhost.multi_account
  - alicloud.bastionhost.attributes.info_module
notes:
  - O(region) is required (or E(ALIBABA_CLOUD_REGION_ID)).
  - "Calls Bastionhost C(ListInstanceRdMembers), STS C(GetCallerIdentity) and ResourceManager
    C(GetResourceDirectory), C(ListDelegatedAdministrators), C(ListAccounts) and C(ListFoldersForParent)."
"""

EXAMPLES = r"""
- name: Members of a bastion host
  alicloud.bastionhost.rd_member_info:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
  register: bastion_members

- name: Their names
  ansible.builtin.debug:
    msg: "{{ bastion_members.members | map(attribute='display_name') | list }}"

- name: The member data-prod (on the bastion host, else the task fails) and those there of fd-prod tagged team=shop
  alicloud.bastionhost.rd_member_info:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    members: [data-prod]
    select:
      folder_ids: [fd-prod]
      tags:
        team: shop
  register: chosen_members
"""

RETURN = r"""
members:
  description:
    - The members on the bastion host, sorted by account ID; with O(members) or O(select), those they name or select.
  returned: always
  type: list
  elements: dict
  contains:
    member_id:
      description: The member's account ID.
      type: str
      sample: "1000000000000011"
    display_name:
      description: The display name in the resource directory.
      type: str
      sample: shop-prod
    folder_id:
      description: The folder the member is directly in.
      type: str
      sample: fd-prod
    folder_name:
      description: The name of that folder (C(Root) for the root folder).
      type: str
      sample: prod
    status:
      description: The account status in the resource directory, for example C(CreateSuccess).
      type: str
      sample: CreateSuccess
    join_method:
      description: How the account joined the resource directory, C(invited) or C(created).
      type: str
      sample: invited
    type:
      description: C(CloudAccount) (an invited account) or C(ResourceAccount).
      type: str
      sample: CloudAccount
    tags:
      description: The member's tags in the resource directory.
      type: dict
      sample: {"env": "prod"}
    in_resource_directory:
      description: Whether the account is still in the resource directory.
      type: bool
      sample: true
"""

from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import BastionHost
from ansible_collections.alicloud.bastionhost.plugins.module_utils.directory import (
    Directory,
    DirectoryError,
    folder_names,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.module import AlicloudModule
from ansible_collections.alicloud.bastionhost.plugins.module_utils.multi_account import (
    multi_account_argument_spec,
    read_selection,
)

ABSENT_FIELDS = dict(display_name=None, folder_id=None, status=None, join_method=None, type=None, tags={})
# Naming members to read them is as naming them to remove them: a member that left the resource directory may be
# named while it is on the bastion host, with no warning that it cannot be added back.
READING = "absent"


def argument_spec():
    spec = multi_account_argument_spec(member_role=False, concurrency=False, removals=False)
    spec.update(
        members=dict(type="list", elements="str"),
        select=dict(type="dict", options=dict(
            folder_ids=dict(type="list", elements="str"),
            tags=dict(type="dict"),
            all=dict(type="bool", default=False),
        )),
    )
    return spec


def member_facts(uid, directory, folders):
    account = directory.accounts.get(uid)
    if account is None:
        return dict(ABSENT_FIELDS, member_id=uid, folder_name=None, in_resource_directory=False)
    return dict(account, folder_name=folders.get(account["folder_id"]), in_resource_directory=True)


def chosen_members(module, directory, on_host, folders=None):
    """The UIDs on the bastion host (``on_host``) that ``members`` and ``select`` name or select (rd_member's
    selection), sorted; every one without either. Fails on input that selects nothing, a named account that is not
    on the bastion host included."""
    params = module.params
    if params["members"] is None and params["select"] is None:
        return sorted(on_host)
    uids = read_selection(module, directory, on_host, state=READING, known_folders=folders)
    named = directory.resolve(params["members"] or [], on_host=set(on_host), removing=True)[0]
    off_host = [directory.label(uid) for uid in named if uid not in on_host]
    if off_host:
        module.fail_json(msg="not members of bastion host %s: %s (add them with rd_member or the member_accounts "
                             "role first)" % (params["instance_id"], ", ".join(off_host)))
    chosen = sorted(uid for uid in uids if uid in on_host)
    if uids and not chosen:
        module.warn("select matched no member on bastion host %s, only members of the resource directory that are "
                    "not on it: %s" % (params["instance_id"], ", ".join(map(directory.label, uids))))
    return chosen


def main():
    module = AlicloudModule(argument_spec=argument_spec(), supports_check_mode=True)
    instance_id = module.params["instance_id"]
    bastion = BastionHost(module.client("bastionhost"), module.region, instance_id)
    rm = module.client("resourcemanager")
    try:
        uids = bastion.members()
        directory = Directory(rm, module.client("sts"))
        folders = folder_names(rm, directory.root_folder_id)
    except DirectoryError as exc:
        module.fail_json(msg="cannot list the members of bastion host %s: %s" % (instance_id, exc))
    except Exception as exc:
        module.fail_json_api(exc, "failed to list the members of bastion host %s" % instance_id)
    members = [member_facts(uid, directory, folders) for uid in chosen_members(module, directory, uids, folders)]
    module.exit_json(changed=False, members=members)


if __name__ == "__main__":
    main()
