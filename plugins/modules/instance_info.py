#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: instance_info
short_description: List Alibaba Cloud Bastionhost instances and whether they support multi-account management
version_added: 0.1.0
description:
  - Lists the bastion hosts of the calling account in one region, or one bastion host by ID.
  - For each it reports the edition (Basic, Enterprise or SM), the plan code, the version and status, and
    whether the instance can use multi-account management (Enterprise or SM Edition, V3.2.48 or later).
  - Bastion hosts are account-scoped; another account's instances are never listed.
  - O(region) is required (or E(ALIBABA_CLOUD_REGION_ID)).
author:
  - Alicloud Bastionhost Collection Maintainers (@alicloud-ansible)
options:
  instance_id:
    description:
      - Only return this bastion host, for example V(bastionhost-cn-hangzhou-abc123).
      - When it does not exist in O(region), RV(instances) is empty.
    type: str
extends_documentation_fragment:
  - alicloud.bastionhost.common
  - alicloud.bastionhost.attributes.info_module
notes:
  - Calls the Bastionhost API C(DescribeInstances).
"""

EXAMPLES = r"""
- name: List the bastion hosts in cn-hangzhou
  alicloud.bastionhost.instance_info:
    region: cn-hangzhou
  register: bastion_hosts

- name: Fail early when the chosen bastion host cannot manage member accounts
  alicloud.bastionhost.instance_info:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
  register: bastion
  failed_when: not bastion.instances[0].multi_account_supported | default(false)
"""

RETURN = r"""
instances:
  description: The bastion hosts, sorted by ID.
  returned: always
  type: list
  elements: dict
  contains:
    instance_id:
      description: The bastion host ID.
      type: str
      sample: bastionhost-cn-hangzhou-abc123
    region:
      description: The region of the bastion host.
      type: str
      sample: cn-hangzhou
    description:
      description: The name given to the bastion host.
      type: str
      sample: ops-bastion
    status:
      description: The instance status, for example C(RUNNING).
      type: str
      sample: RUNNING
    plan_code:
      description:
        - The plan code as DescribeInstances reports it; C(cloudbastion) (Basic) and C(cloudbastion_ha) (Enterprise) are
          the documented codes.
      type: str
      sample: cloudbastion_ha
    edition:
      description:
        - The edition, C(basic) or C(enterprise), or C(unknown) for a plan code the API documentation does not name
          (SM Edition's code is not documented). Only a documented Basic Edition is reported as unable to use
          multi-account management; for any other code the API has the last word.
      type: str
      sample: enterprise
    version:
      description: The image version of the bastion host.
      type: str
      sample: 3.2.52
    legacy:
      description: Whether this is a legacy (V3.1) instance.
      type: bool
      sample: false
    multi_account_supported:
      description: Whether the edition and version support multi-account management.
      type: bool
      sample: true
    multi_account_unsupported_reasons:
      description: Why multi-account management is not supported; empty when it is.
      type: list
      elements: str
      sample: ["the bastion host is Basic Edition (plan code cloudbastion); multi-account management needs Enterprise or SM Edition"]
"""

from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import instance_facts, list_instances
from ansible_collections.alicloud.bastionhost.plugins.module_utils.module import AlicloudModule


def main():
    module = AlicloudModule(
        argument_spec=dict(instance_id=dict(type="str")),
        supports_check_mode=True,
    )
    bastion = module.client("bastionhost")
    try:
        raw = list_instances(bastion, module.region, module.params["instance_id"])
    except Exception as exc:
        module.fail_json_api(exc, "failed to list the bastion hosts in %s" % module.region)
    instances = sorted((instance_facts(r) for r in raw), key=lambda i: i["instance_id"])
    module.exit_json(changed=False, instances=instances)


if __name__ == "__main__":
    main()
