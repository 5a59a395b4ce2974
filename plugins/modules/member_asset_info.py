#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: member_asset_info
short_description: Discover the ECS, RDS and PolarDB assets of Resource Directory member accounts
version_added: 0.1.0
description:
  - Lists, without changing anything, the ECS instances, RDS instances and PolarDB clusters of Resource Directory
    member accounts, the assets that Bastionhost multi-account management can import.
  - Reads inside each member with temporary credentials from STS C(AssumeRole) into the member's access role
    O(member_role_name), several members at a time (O(max_concurrency)).
  - Run it as the management account or a delegated administrator of C(bastionhost.aliyuncs.com); the member
    role must trust that account and be allowed to read ECS, RDS and PolarDB.
  - Every member is attempted. When the role of one or more members cannot be assumed or cannot read, the task
    fails with one message naming each of those members, the role ARN, the error code and request ID, and what
    to do.
  - With O(instance_id), each asset is flagged RV(assets[].imported) when that bastion host already holds it.
author:
  - Alicloud Bastionhost Collection Maintainers (@alicloud-ansible)
options:
  members:
    description:
      - The member accounts to look into, each a 16-digit account ID (UID) or the display name of an account in
        the resource directory.
      - An unknown name or an ID outside the resource directory fails the task before any member is read, and
        so do the management account, a delegated administrator of Bastionhost and the caller's own account,
        whose assets cannot be imported as member assets.
      - When not set, every member account of the resource directory except the management account, the
        delegated administrators of C(bastionhost.aliyuncs.com) and the caller.
    type: list
    elements: str
  regions:
    description:
      - The regions to look in.
      - When not set, only O(region).
    type: list
    elements: str
  types:
    description:
      - The kinds of assets to list.
    type: list
    elements: str
    choices: [ecs, rds, polardb]
    default: [ecs, rds, polardb]
  tags:
    description:
      - Only assets that have every one of these tags.
      - A tag whose value is empty or null only needs the key to be present. RDS cannot be selected by such a
        key-only tag (DescribeDBInstances filters on key and value only and returns no tags), so with C(rds) in
        O(types) it is an error, as are more tags than a type's list takes (ECS and PolarDB 20, RDS 5).
    type: dict
  name_pattern:
    description:
      - Only assets whose name matches this shell-style pattern, for example V(web-*) or V(db-?[0-9]).
      - The match is case-sensitive. An RDS instance or PolarDB cluster without a description is named by its ID.
    type: str
  instance_id:
    description:
      - A bastion host of the caller in O(region). Each asset gets RV(assets[].imported) true when this bastion
        host has already imported it (same kind and source instance ID), false otherwise.
      - When not set, RV(assets[].imported) is null.
    type: str
extends_documentation_fragment:
  - alicloud.bastionhost.common
  - alicloud.bastionhost.multi_account.MEMBER_ROLE
  - alicloud.bastionhost.multi_account.CONCURRENCY
  - alicloud.bastionhost.attributes.info_module
notes:
  - O(region) or O(regions) is required; O(region) is also the region of O(instance_id).
  - "Calls STS C(GetCallerIdentity) and C(AssumeRole), ResourceManager C(GetResourceDirectory), C(ListAccounts) and
    C(ListDelegatedAdministrators); in each member ECS C(DescribeInstances), RDS C(DescribeDBInstances) and PolarDB
    C(DescribeDBClusters) and C(DescribeDBClusterEndpoints); with O(instance_id) Bastionhost C(ListHosts) and C(ListDatabases)."
  - RDS C(DescribeDBInstances) does not return ports, so an RDS instance's RV(assets[].port) is the default port of
    its engine; a PolarDB cluster's is its Cluster endpoint's.
  - An info module returns records (about 370 characters an asset, measured on the demo organisation), because they are what a task reads them for
    (names, addresses, tags, whether imported). AWX and AAP keep a task result of up to 700,000 characters, so about
    1,900 assets; over that the module warns, and a task over 20,000 assets (7 MB) should be narrowed (O(members),
    O(regions), O(types), O(tags)) or looped over members. M(alicloud.bastionhost.member_asset) discovers by
    itself and returns one short line an asset, so an import never needs this module first.
  - RDS C(DescribeDBInstances) returns no tags, so RV(assets[].tags) is empty for RDS instances; O(tags) still
    selects them, the API doing the matching.
"""

EXAMPLES = r"""
- name: Every asset of every member, in two regions
  alicloud.bastionhost.member_asset_info:
    region: cn-hangzhou
    regions: [cn-hangzhou, cn-shanghai]
  register: discovered

- name: Tagged Linux servers of two members, and whether the bastion host has them already
  alicloud.bastionhost.member_asset_info:
    region: cn-hangzhou
    members: [shop-prod, "1000000000000012"]
    types: [ecs]
    tags:
      bastion: "true"
    instance_id: bastionhost-cn-hangzhou-abc123
  register: servers

- name: Show what is left to import
  ansible.builtin.debug:
    msg: "{{ servers.assets | rejectattr('imported') | map(attribute='instance_id') | list }}"

- name: As a delegated administrator, through a role the members created for it
  alicloud.bastionhost.member_asset_info:
    region: cn-shanghai
    types: [rds, polardb]
    member_role_name: BastionhostImportRole
"""

RETURN = r"""
assets:
  description: The assets found, sorted by member, kind and instance ID.
  returned: always
  type: list
  elements: dict
  contains:
    member_id:
      description: The member account (UID) that owns the asset.
      type: str
      sample: "1000000000000011"
    member_name:
      description: The display name of the member in the resource directory.
      type: str
      sample: shop-prod
    type:
      description: The kind of asset, C(ecs), C(rds) or C(polardb).
      type: str
      sample: ecs
    instance_id:
      description: The ECS instance, RDS instance or PolarDB cluster ID.
      type: str
      sample: i-bp19d3tcy762bo4
    region:
      description: The region of the asset.
      type: str
      sample: cn-hangzhou
    name:
      description: The instance name or description; the ID when it has none.
      type: str
      sample: shop-web-1
    address:
      description:
        - The private IP address of an ECS instance, or the internal connection string of an RDS instance.
        - For a PolarDB cluster, the private address of its default cluster endpoint (DescribeDBClusterEndpoints).
      type: str
      sample: 10.11.1.11
    public_address:
      description:
        - The public or elastic IP address of an ECS instance, or the public address of a PolarDB cluster endpoint;
          null when it has none, and for RDS instances.
      type: str
      sample: 47.96.118.31
    os:
      description: C(Linux) or C(Windows) for an ECS instance; null for databases.
      type: str
      sample: Linux
    engine:
      description: The database engine, for example C(MySQL), C(PostgreSQL) or C(SQLServer); null for ECS.
      type: str
      sample: MySQL
    port:
      description:
        - For a PolarDB cluster, the port of its Cluster endpoint (DescribeDBClusterEndpoints); for an RDS instance,
          the default port of the database engine (3306 MySQL, 5432 PostgreSQL, 1433 SQLServer, 1521 Oracle); null
          for ECS and for an engine this module does not know.
      type: int
      sample: 3306
    status:
      description: The instance status as the product reports it, for example C(Running).
      type: str
      sample: Running
    endpoints:
      description:
        - For a PolarDB cluster, its endpoints by type (C(Cluster), C(Primary), C(Custom)), each with its C(Private)
          and C(Public) address and its C(Port); absent for ECS and RDS.
      type: dict
      returned: for PolarDB clusters
      sample: {"Cluster": {"Private": "pc-bp1abc.rwlb.rds.aliyuncs.com", "Port": 3306}}
    tags:
      description: The tags of the asset; empty for RDS instances (see the notes).
      type: dict
      sample: {"env": "prod", "bastion": "true"}
    imported:
      description:
        - Whether the bastion host O(instance_id) has already imported this asset; null without O(instance_id).
      type: bool
      sample: false
counts:
  description: How many assets were found in each member, by kind (zero for kinds not asked for).
  returned: always
  type: dict
  sample: {"1000000000000011": {"ecs": 12, "rds": 2, "polardb": 1}}
errors:
  description: The members that could not be read; the task fails when there is any.
  returned: when a member could not be read
  type: list
  elements: dict
  contains:
    member_id:
      description: The member account (UID).
      type: str
      sample: "1000000000000011"
    member_name:
      description: The display name of the member.
      type: str
      sample: shop-prod
    role_arn:
      description: The role that was assumed.
      type: str
      sample: acs:ram::1000000000000011:role/ResourceDirectoryAccountAccessRole
    code:
      description: The API error code.
      type: str
      sample: EntityNotExist.Role
    request_id:
      description: The request ID of the failed call.
      type: str
      sample: 2B7A5F4C-0000-4D5E-9A1B-5C3D2E1F0A9B
    message:
      description: What went wrong and what to do.
      type: str
"""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.alicloud.bastionhost.plugins.module_utils.asset_types import TYPE_NAMES, tag_filter_problems
from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import BastionHost
from ansible_collections.alicloud.bastionhost.plugins.module_utils.client import MissingSdkError
from ansible_collections.alicloud.bastionhost.plugins.module_utils.discovery import (
    MemberAccess,
    discover_assets,
    member_role_arn,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.model import asset_key
from ansible_collections.alicloud.bastionhost.plugins.module_utils.module import AlicloudModule
from ansible_collections.alicloud.bastionhost.plugins.module_utils.report import warn_if_too_large
from ansible_collections.alicloud.bastionhost.plugins.module_utils.multi_account import (
    multi_account_argument_spec,
    multi_account_option_problems,
    read_directory,
)


def member_name(directory, member_id):
    return (directory.accounts.get(member_id) or {}).get("display_name")


def member_error(access, directory, member_id, exc):
    message, details = access.describe(member_id, exc, lambda m: "%s (%s)" % (member_name(directory, m), m))
    return dict(member_id=member_id, member_name=member_name(directory, member_id),
                role_arn=member_role_arn(member_id, access.role_name), code=details["code"],
                request_id=details["request_id"], message=message)


def argument_spec():
    spec = multi_account_argument_spec(instance_id=False, removals=False)
    spec.update(
        members=dict(type="list", elements="str"),
        regions=dict(type="list", elements="str"),
        types=dict(type="list", elements="str", choices=list(TYPE_NAMES), default=list(TYPE_NAMES)),
        tags=dict(type="dict"),
        name_pattern=dict(type="str"),
        instance_id=dict(type="str"),
    )
    return spec


def task_regions(module):
    """The regions to discover in; fails on options that cannot work together, before any call."""
    params = module.params
    regions = sorted(set(params["regions"] or ([module.region] if module.region else [])))
    if not regions:
        module.fail_json(msg="regions (or region, or ALIBABA_CLOUD_REGION_ID) is required to discover member assets")
    if params["instance_id"] and not module.region:
        module.fail_json(msg="region is required with instance_id: it is the region of the bastion host")
    problems = multi_account_option_problems(params) + tag_filter_problems(params["tags"], params["types"] or [])
    if problems:
        module.fail_json(msg="; ".join(problems))
    return regions


def task_members(module, directory):
    names = module.params["members"]
    if names is None:
        return sorted(a["member_id"] for a in directory.eligible_members())
    members, problems = directory.resolve(names)
    if problems:
        module.fail_json(msg=problems.message("cannot discover assets in the given members", len(names)))
    return members


def imported_keys(module):
    """The keys of the assets imported into ``instance_id``, or None without one."""
    instance_id = module.params["instance_id"]
    if not instance_id:
        return None
    bastion = BastionHost(module.client("bastionhost"), module.region, instance_id)
    return set(asset_key(a) for a in module.api_read(
        "list the assets imported into bastion host %s in %s" % (instance_id, module.region), bastion.imported_assets))


def fail_on_unread(module, access, directory, errors):
    missing_sdk = next((e for e in errors.values() if isinstance(e, MissingSdkError)), None)
    if missing_sdk:
        module.fail_json(msg=missing_required_lib(missing_sdk.distribution), exception=missing_sdk.traceback)
    if errors:
        module.no_log_values.update(module.secret_values())
        failed = [member_error(access, directory, m, errors[m]) for m in sorted(errors)]
        module.fail_json(
            msg="Could not discover the assets of %d member account(s): %s" % (
                len(failed), " | ".join(f["message"] for f in failed)),
            errors=failed)


def report(module, directory, members, assets, imported):
    counts = dict((m, dict((t, 0) for t in TYPE_NAMES)) for m in members)
    for asset in assets:
        asset["member_name"] = member_name(directory, asset["member_id"])
        asset["imported"] = None if imported is None else asset_key(asset) in imported
        counts[asset["member_id"]][asset["type"]] += 1
    result = dict(changed=False, assets=assets, counts=counts)
    warn_if_too_large(module, result, "narrow the task (members, regions, types, tags, name_pattern), or loop over the "
                                      "members")
    module.exit_json(**result)


def main():
    module = AlicloudModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    regions = task_regions(module)
    directory = read_directory(module, "cannot discover member assets")
    members = task_members(module, directory)
    imported = imported_keys(module)
    access = MemberAccess(module.clients, params["member_role_name"], directory.caller["account_id"],
                          module.secret_values())
    assets, errors = discover_assets(access.factory_for, members, regions, types=params["types"], tags=params["tags"],
                                     name_pattern=params["name_pattern"], max_workers=params["max_concurrency"])
    fail_on_unread(module, access, directory, errors)
    report(module, directory, members, assets, imported)


if __name__ == "__main__":
    main()
