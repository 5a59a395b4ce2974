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
author:
  - Alicloud Bastionhost Collection Maintainers (@alicloud-ansible)
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
"""

RETURN = r"""
members:
  description: The members on the bastion host, sorted by account ID.
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

ABSENT_FIELDS = dict(display_name=None, folder_id=None, status=None, join_method=None, type=None, tags={})


def member_facts(uid, directory, folders):
    account = directory.accounts.get(uid)
    if account is None:
        return dict(ABSENT_FIELDS, member_id=uid, folder_name=None, in_resource_directory=False)
    return dict(account, folder_name=folders.get(account["folder_id"]), in_resource_directory=True)


def main():
    module = AlicloudModule(argument_spec=dict(instance_id=dict(type="str", required=True)), supports_check_mode=True)
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
    members = [member_facts(uid, directory, folders) for uid in sorted(uids)]
    module.exit_json(changed=False, members=members)


if __name__ == "__main__":
    main()
