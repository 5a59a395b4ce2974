#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: member_asset
short_description: Import the ECS, RDS and PolarDB assets of member accounts into a bastion host, or remove them
version_added: 0.1.0
description:
  - Imports assets of Resource Directory member accounts into a bastion host for centralized O&M, and removes them.
    An ECS instance becomes a host (C(Source=Ecs)); an RDS or PolarDB instance becomes a database.
  - The assets are an explicit O(assets) list and/or everything a O(discover) filter finds inside the members,
    through STS AssumeRole on each member's O(member_role_name).
  - The bastion host's hosts and databases are read once, the whole plan is validated before the first write
    (each member is added to the bastion host, each asset exists in that member and region, the network domain
    exists), then the writes run with at most O(max_concurrency) at a time, retried on throttling.
  - An imported asset is known by its type and source instance ID. Hosts and databases added by hand (C(Local))
    and the assets of members that are not listed are never touched.
  - When some writes fail after others succeeded, the task fails listing exactly which succeeded and which failed
    with their errors; a rerun converges.
author:
  - Alicloud Bastionhost Collection Maintainers (@alicloud-ansible)
options:
  assets:
    description:
      - Assets named one by one.
    type: list
    elements: dict
    suboptions:
      member:
        description: The member account that owns the asset, as a 16-digit account ID or display name.
        type: str
        required: true
      type:
        description: The kind of asset.
        type: str
        required: true
        choices: [ecs, rds, polardb]
      instance_id:
        description: The ECS instance, RDS instance or PolarDB cluster ID.
        type: str
        required: true
      region:
        description: The region of the asset. Defaults to O(region).
        type: str
  discover:
    description:
      - Every asset found inside the members that matches all of these filters.
    type: dict
    suboptions:
      members:
        description:
          - Member accounts to look in, as account IDs or display names.
          - Defaults to every member added to the bastion host; an empty list means no member.
        type: list
        elements: str
      regions:
        description: Regions to look in. Defaults to O(region).
        type: list
        elements: str
      types:
        description: Kinds of assets.
        type: list
        elements: str
        choices: [ecs, rds, polardb]
        default: [ecs, rds, polardb]
      tags:
        description: Tags every asset must carry; an empty value only needs the key.
        type: dict
      name_pattern:
        description: A shell-style pattern the asset name must match, for example V(web-*).
        type: str
  state:
    description:
      - V(present) imports the assets; V(absent) removes them from the bastion host.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), also remove the imported assets of the listed members (in the regions looked in)
        that are no longer wanted. Other members' assets and local hosts are never removed.
    type: bool
    default: false
  network_domain_id:
    description:
      - The network domain through which the bastion host reaches the imported assets, when it cannot reach them
        on the internal network.
    type: str
  address_type:
    description:
      - The address the bastion host uses to reach imported assets. V(Public) needs a public address on each asset.
    type: str
    choices: [Private, Public]
    default: Private
  member_role_name:
    description:
      - The RAM role assumed in each member to discover its assets.
    type: str
    default: ResourceDirectoryAccountAccessRole
  max_concurrency:
    description:
      - How many members are discovered, and how many writes run, at the same time.
    type: int
    default: 4
extends_documentation_fragment:
  - alicloud.bastionhost.common
  - alicloud.bastionhost.multi_account
attributes:
  check_mode:
    support: full
    description: Discovers and plans, and reports the changes with the diff, without calling any write API.
  diff_mode:
    support: full
    description: The listed members' imported assets before and after, as sorted C(member type id) lines.
notes:
  - O(region) is required (or E(ALIBABA_CLOUD_REGION_ID)).
  - Add the members to the bastion host first, with M(alicloud.bastionhost.rd_member).
  - "Calls Bastionhost C(DescribeInstances), C(ListInstanceRdMembers), C(ListNetworkDomains), C(ListHosts),
    C(ListDatabases), C(CreateHost), C(CreateDatabase), C(DeleteHost) and C(DeleteDatabase); ResourceManager and STS
    to resolve members; and in each member, through STS C(AssumeRole), ECS C(DescribeInstances), RDS
    C(DescribeDBInstances) and PolarDB C(DescribeDBClusters)."
"""

EXAMPLES = r"""
- name: Import two named assets of a member
  alicloud.bastionhost.member_asset:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    assets:
      - {member: shop-prod, type: ecs, instance_id: i-bp1abcdefg}
      - {member: shop-prod, type: rds, instance_id: rm-bp1abcdefg}

- name: Import every ECS instance tagged bastion=true of every member, in two regions, through a network domain
  alicloud.bastionhost.member_asset:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    discover:
      regions: [cn-hangzhou, cn-shanghai]
      types: [ecs]
      tags:
        bastion: "true"
    network_domain_id: nd-proxy01

- name: Keep exactly the databases of data-prod imported
  alicloud.bastionhost.member_asset:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    discover:
      members: [data-prod]
      types: [rds, polardb]
    purge: true
"""

RETURN = r"""
imported:
  description: Assets imported (or that would be in check mode), sorted by member, type and ID.
  returned: always
  type: list
  elements: dict
  contains:
    member_id:
      description: The member account ID.
      type: str
      sample: "1000000000000011"
    type:
      description: C(ecs), C(rds) or C(polardb).
      type: str
      sample: ecs
    instance_id:
      description: The source instance ID.
      type: str
      sample: i-bp1abcdefg
    region:
      description: The region of the source instance.
      type: str
      sample: cn-hangzhou
    name:
      description: The host or database name given on the bastion host.
      type: str
      sample: web-1
    asset_id:
      description: The host or database ID on the bastion host; null in check mode.
      type: str
      sample: "12"
removed:
  description: Imported assets removed (or that would be), with the same fields as RV(imported).
  returned: always
  type: list
  elements: dict
unchanged:
  description: Wanted assets that were already imported (with O(state=absent), wanted assets that were not).
  returned: always
  type: list
  elements: dict
counts:
  description: How many assets were imported, removed and left unchanged.
  returned: always
  type: dict
  sample: {"imported": 40, "removed": 0, "unchanged": 0}
failed_assets:
  description: On a partial failure, each write that failed with its error.
  returned: failure
  type: list
  elements: dict
  sample: [{"member_id": "1000000000000011", "type": "ecs", "instance_id": "i-bp1abc", "action": "import",
            "msg": "...", "error": {"code": "ServiceUnavailable", "request_id": "..."}}]
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from fnmatch import fnmatchcase

from ansible_collections.alicloud.bastionhost.plugins.module_utils.assets import (
    asset_key,
    discover_assets,
    imported_assets,
    member_role_arn,
    sort_assets,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import (
    delete_imported_asset,
    import_asset,
    list_rd_members,
    network_domain_ids,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.errors import describe_error
from ansible_collections.alicloud.bastionhost.plugins.module_utils.module import AlicloudModule
from ansible_collections.alicloud.bastionhost.plugins.module_utils.multi_account import (
    api_read,
    read_directory,
    require_multi_account_instance,
)

RESULT_FIELDS = ("member_id", "type", "instance_id", "region", "name", "asset_id")
# AssumeRole refusals: the role is missing or does not trust the caller.
ROLE_ERROR_CODES = ("EntityNotExist.Role", "NoPermission")


def result_view(asset):
    return dict((field, asset.get(field)) for field in RESULT_FIELDS)


class Plan:
    """What the task wants, what the bastion host has, and the difference."""

    def __init__(self, module, directory, added_members):
        self.module = module
        self.params = module.params
        self.directory = directory
        self.added_members = added_members
        self.problems = []
        self._factories = {}
        self._lock = threading.Lock()

    def members(self, names):
        uids, problems = self.directory.resolve(names)
        self.problems.extend(problems)
        not_added = [u for u in uids if u not in self.added_members]
        self.problems.extend("member %s is not added to bastion host %s (add it with alicloud.bastionhost.rd_member "
                             "first)" % (self.directory.label(u), self.params["instance_id"]) for u in not_added)
        return [u for u in uids if u not in not_added]

    def requested_assets(self):
        """The explicit ``assets`` with member UIDs and regions filled in, duplicates dropped."""
        requested = {}
        for entry in self.params["assets"] or []:
            uids = self.members([entry["member"]])
            if not uids:
                continue
            wanted = dict(member_id=uids[0], type=entry["type"], instance_id=entry["instance_id"],
                          region=entry["region"] or self.module.region)
            key = asset_key(wanted)
            if key in requested and requested[key]["member_id"] != wanted["member_id"]:
                self.problems.append("%s %s is listed under two members" % key)
            requested[key] = wanted
        return list(requested.values())

    def factory_for(self, member_id):
        """A client factory in the member's account, one AssumeRole per member (the STS
        calls of different members run at the same time)."""
        with self._lock:
            cached = self._factories.get(member_id)
        if cached is not None:
            return cached
        factory = self.module.clients.for_assumed_role(member_role_arn(member_id, self.params["member_role_name"]))
        with self._lock:
            return self._factories.setdefault(member_id, factory)

    def discover(self, members, regions, **filters):
        found, errors = discover_assets(self.factory_for, members, regions, max_workers=self.params["max_concurrency"],
                                        **filters)
        for member_id, exc in sorted(errors.items()):
            arn = member_role_arn(member_id, self.params["member_role_name"])
            message, details = describe_error(exc, "cannot discover the assets of member %s through role %s" % (
                self.directory.label(member_id), arn), self.module.secret_values())
            if details["code"] in ROLE_ERROR_CODES:
                message += " Create that role in the member, trusting the caller's account, or set member_role_name."
            self.problems.append(message)
        return found

    def fail_on_problems(self):
        if self.problems:
            self.module.fail_json(msg="nothing was changed: %s" % " | ".join(self.problems))


def discover_members(plan, discover):
    """The members the ``discover`` filter looks in: those it names, or every member added."""
    if not discover:
        return []
    if discover.get("members") is not None:
        return plan.members(discover["members"])
    return sorted(plan.added_members)


def owned_assets(plan, requested, discover, discover_members):
    """Every asset of the members in scope, in the regions in scope (for ownership and purge),
    and the assets the ``discover`` filter selects."""
    region = plan.module.region
    discover_regions = (discover or {}).get("regions") or [region]
    scope_members = sorted(set(a["member_id"] for a in requested) | set(discover_members))
    scope_regions = sorted(set(a["region"] for a in requested) | (set(discover_regions) if discover else set()))
    everything = plan.discover(scope_members, scope_regions)
    if not discover:
        return everything, []
    if discover.get("tags"):
        # RDS lists carry no tags: the APIs filter by tag, so ask them again.
        selected = plan.discover(discover_members, discover_regions, types=discover["types"], tags=discover["tags"],
                                 name_pattern=discover.get("name_pattern"))
    else:
        pattern = discover.get("name_pattern")
        selected = [a for a in everything if a["member_id"] in discover_members and a["region"] in discover_regions
                    and a["type"] in discover["types"] and (not pattern or fnmatchcase(a["name"] or "", pattern))]
    return everything, selected


def wanted_assets(plan, requested, everything, selected):
    by_key = dict((asset_key(a), a) for a in everything)
    wanted = dict((asset_key(a), a) for a in selected)
    for entry in requested:
        found = by_key.get(asset_key(entry))
        if found is None or found["member_id"] != entry["member_id"] or found["region"] != entry["region"]:
            plan.problems.append("%s %s not found in member %s in %s" % (
                entry["type"], entry["instance_id"], plan.directory.label(entry["member_id"]), entry["region"]))
        else:
            wanted[asset_key(found)] = found
    return sort_assets(wanted.values())


def diff_label(directory, asset):
    return "%s %s %s" % (directory.label(asset["member_id"]), asset["type"], asset["instance_id"])


def run_writes(module, jobs):
    """Run ``(kind, asset, call)`` jobs, at most max_concurrency at a time; returns (done, failed)."""
    def run(job):
        kind, asset, call = job
        try:
            return kind, asset, call(), None
        except Exception as exc:
            return kind, asset, None, exc

    done, failed = [], []
    with ThreadPoolExecutor(max_workers=max(1, module.params["max_concurrency"])) as pool:
        for kind, asset, value, exc in pool.map(run, jobs):
            if exc is None:
                done.append((kind, dict(asset, asset_id=value or asset.get("asset_id"))))
            else:
                message, details = describe_error(exc, "failed to %s %s %s" % (kind, asset["type"], asset["instance_id"]),
                                                  module.secret_values())
                failed.append(dict(result_view(asset), action=kind, msg=message, error=details))
    return done, failed


def main():
    module = AlicloudModule(
        argument_spec=dict(
            instance_id=dict(type="str", required=True),
            assets=dict(type="list", elements="dict", options=dict(
                member=dict(type="str", required=True),
                type=dict(type="str", required=True, choices=["ecs", "rds", "polardb"]),
                instance_id=dict(type="str", required=True),
                region=dict(type="str"),
            )),
            discover=dict(type="dict", options=dict(
                members=dict(type="list", elements="str"),
                regions=dict(type="list", elements="str"),
                types=dict(type="list", elements="str", choices=["ecs", "rds", "polardb"],
                           default=["ecs", "rds", "polardb"]),
                tags=dict(type="dict"),
                name_pattern=dict(type="str"),
            )),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            purge=dict(type="bool", default=False),
            network_domain_id=dict(type="str"),
            address_type=dict(type="str", choices=["Private", "Public"], default="Private"),
            member_role_name=dict(type="str", default="ResourceDirectoryAccountAccessRole"),
            max_concurrency=dict(type="int", default=4),
        ),
        required_one_of=[["assets", "discover"]],
        supports_check_mode=True,
    )
    params = module.params
    instance_id, region = params["instance_id"], module.region
    if params["max_concurrency"] < 1:
        module.fail_json(msg="max_concurrency must be at least 1")
    bastion = module.client("bastionhost")
    require_multi_account_instance(module, bastion, instance_id)
    directory = read_directory(module, instance_id)
    added = set(api_read(module, "list the members of %s" % instance_id,
                         lambda: list_rd_members(bastion, region, instance_id)))
    plan = Plan(module, directory, added)
    if params["network_domain_id"]:
        domains = api_read(module, "list the network domains of %s" % instance_id,
                           lambda: network_domain_ids(bastion, region, instance_id))
        if params["network_domain_id"] not in domains:
            plan.problems.append("network domain %s does not exist on bastion host %s (it has: %s)" % (
                params["network_domain_id"], instance_id, ", ".join(domains) or "none"))
    requested = plan.requested_assets()
    searched_members = discover_members(plan, params["discover"])
    plan.fail_on_problems()

    everything, selected = owned_assets(plan, requested, params["discover"], searched_members)
    # A member whose discovery failed has no known assets: stop before calling its assets missing.
    plan.fail_on_problems()
    wanted = wanted_assets(plan, requested, everything, selected)
    plan.fail_on_problems()

    owner = dict((asset_key(a), a) for a in everything)
    current = dict((asset_key(a), dict(owner[asset_key(a)], asset_id=a["asset_id"])) for a in api_read(
        module, "list the assets imported into %s" % instance_id, lambda: imported_assets(bastion, region, instance_id))
        if asset_key(a) in owner)
    wanted_keys = set(asset_key(a) for a in wanted)
    if params["state"] == "absent":
        to_import, to_remove = [], [current[k] for k in sorted(wanted_keys & set(current))]
        unchanged = [a for a in wanted if asset_key(a) not in current]
    else:
        to_import = [a for a in wanted if asset_key(a) not in current]
        unchanged = [dict(a, asset_id=current[asset_key(a)]["asset_id"]) for a in wanted if asset_key(a) in current]
        to_remove = [current[k] for k in sorted(set(current) - wanted_keys)] if params["purge"] else []
    if params["address_type"] == "Public":
        private_only = [a for a in to_import if not a.get("public_address")]
        if private_only:
            module.fail_json(msg="nothing was changed: address_type Public needs a public address, and these assets "
                                 "have none: %s" % ", ".join("%s %s" % asset_key(a) for a in private_only))

    before = sorted(diff_label(directory, a) for a in current.values())
    after = sorted(set(before) - set(diff_label(directory, a) for a in to_remove)
                   | set(diff_label(directory, a) for a in to_import))
    diff = dict(before=dict(assets=before), after=dict(assets=after))
    result = dict(diff=diff, unchanged=[result_view(a) for a in unchanged])
    if module.check_mode or not (to_import or to_remove):
        module.exit_json(changed=bool(to_import or to_remove), imported=[result_view(a) for a in to_import],
                         removed=[result_view(a) for a in to_remove],
                         counts=dict(imported=len(to_import), removed=len(to_remove), unchanged=len(unchanged)),
                         **result)

    jobs = [("remove", a, lambda a=a: delete_imported_asset(bastion, region, instance_id, a)) for a in to_remove]
    jobs += [("import", a, lambda a=a: import_asset(bastion, region, instance_id, a, params["address_type"],
                                                    params["network_domain_id"])) for a in to_import]
    done, failed = run_writes(module, jobs)
    imported = sort_assets(a for kind, a in done if kind == "import")
    removed = sort_assets(a for kind, a in done if kind == "remove")
    result.update(changed=bool(done), imported=[result_view(a) for a in imported],
                  removed=[result_view(a) for a in removed],
                  counts=dict(imported=len(imported), removed=len(removed), unchanged=len(unchanged)))
    if failed:
        module.fail_json(msg="%d of %d writes failed on bastion host %s (imported %d, removed %d); rerun to finish: %s" % (
            len(failed), len(jobs), instance_id, len(imported), len(removed), " | ".join(f["msg"] for f in failed)),
            failed_assets=failed, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
