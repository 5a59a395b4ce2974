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
    and the assets of members that are not listed are never touched. Each asset the module imports carries its
    member and region in its Comment (C(imported by alicloud.bastionhost from member <UID> in <region>)), so that
    M(alicloud.bastionhost.rd_member) can find every asset of a member it removes.
  - The safety rule. The task removes only the assets it lists with O(state=absent) (and, with O(discover.members)
    named, those its filter selects) or, with O(purge=true), the imported assets its scope holds beyond what it
    selects; never when the selection is empty, never when part of the scope could not be read, never more than
    O(max_removals). The scope is the members, regions and types of the listed assets plus those the O(discover)
    filter looks in. Inputs that select nothing (an empty list, an unknown region) are errors; a filter that matches
    nothing is a warning, and an error with O(purge=true).
  - Drift. An imported asset the task selects whose record differs from what the task wants (the name by
    O(name_template), the private and public address, the OS, the address type, the network domain when
    O(network_domain_id) is given, the group when O(host_group) is given) is updated in place with C(ModifyHost),
    C(ModifyHostsActiveAddressType), C(MoveHostsToNetworkDomain), C(ModifyDatabase),
    C(MoveDatabasesToNetworkDomain), C(CreateHostGroup), C(AddHostsToGroup) and C(AddDatabasesToGroup).
  - Whatever an import needs (database type, address) is settled before the first write. A listed asset that
    cannot be imported fails the task; a discovered one is reported in RV(skipped_assets) with the reason.
  - When some writes fail after others succeeded, the task fails listing exactly which succeeded and which failed
    with their errors; a rerun converges.
  - When the endpoint stops answering (several calls in a row refused or timed out), the writes not yet made are not
    tried and the task fails at once with one message saying what was done; a rerun finishes the rest.
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
          - Defaults to every member added to the bastion host; an empty list is an error. Required with
            O(state=absent).
        type: list
        elements: str
      regions:
        description:
          - Regions to look in. Defaults to O(region). An empty list, or a region ECS does not have, is an error.
        type: list
        elements: str
      types:
        description: Kinds of assets. An empty list is an error.
        type: list
        elements: str
        choices: [ecs, rds, polardb]
        default: [ecs, rds, polardb]
      tags:
        description:
          - Tags every asset must carry; an empty value only needs the key. Values match as text, so YAML V(true)
            matches C("true") and V(1) matches C("1").
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
      - With O(state=present), also remove the imported assets the scope holds (the listed assets' members, regions
        and types, and the members, regions and types O(discover) looks in) that are not selected. Only source
        instances that discovery still finds are removed; other members' assets and local hosts never are.
      - Refused when the selection is empty.
    type: bool
    default: false
  remove_released:
    description:
      - Also remove the imported assets of the scope whose source instance is released (ListHosts and ListDatabases
        report C(SourceInstanceState=Release)), within O(max_removals). Only assets whose ownership record names
        their member are attributed to the scope (a released instance can no longer be discovered).
    type: bool
    version_added: 0.2.0
    default: false
  name_template:
    description:
      - The name of each host or database on the bastion host. Placeholders C({name}) (the instance's name),
        C({instance_id}), C({member_id}), C({member_name}) and C({region}).
      - A name over 128 characters is refused (listed) or skipped (discovered) in planning. An imported asset whose
        name differs is renamed.
    type: str
    version_added: 0.2.0
    default: "{name}"
  host_group:
    description:
      - An asset group every asset the task selects joins, created when missing. A template with the placeholders
        C({member_id}), C({member_name}), C({region}) and C({type}), for example C(member-{member_name}).
      - Membership is added, never taken away.
    type: str
    version_added: 0.2.0
  planned_members:
    description:
      - Check mode only. Members that a preceding M(alicloud.bastionhost.rd_member) task in the same check-mode run
        would add; they count as added, so a preview shows their assets too. An error without check mode.
    type: list
    version_added: 0.2.0
    elements: str
  max_removals:
    description:
      - The most assets the task may remove. A task that would remove more fails before any write, listing what it
        would remove. Unset, there is no limit.
    type: int
    version_added: 0.2.0
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
  polardb_endpoint_type:
    description:
      - The endpoint of a PolarDB cluster the bastion host connects to, sent as C(PolarDBEndpointType) to
        CreateDatabase. The default cluster endpoint or the primary endpoint, with its private or public address
        (O(address_type)), as DescribeDBClusterEndpoints reports them. A cluster without that endpoint is skipped, or
        refused when listed.
    type: str
    version_added: 0.2.0
    choices: [Cluster, Primary]
    default: Cluster
  member_role_name:
    description:
      - The RAM role assumed in each member to discover its assets.
    type: str
    default: ResourceDirectoryAccountAccessRole
  max_concurrency:
    description:
      - How many discovery reads (one member, region and type each), pages of the bastion host's lists, and writes
        run at the same time.
      - Whatever it is, each API action is paced to the rate the service accepts (see O(max_calls_per_second)).
    type: int
    default: 4
  full_results:
    description:
      - Return RV(unchanged) as full records rather than C(<member_id> <type> <instance_id>) lines.
    type: bool
    version_added: 0.2.0
    default: false
extends_documentation_fragment:
  - alicloud.bastionhost.common
  - alicloud.bastionhost.multi_account
attributes:
  check_mode:
    support: full
    description: Discovers and plans, and reports the changes with the diff, without calling any write API.
  diff_mode:
    support: full
    description: The imported assets of the task's scope before and after, as sorted C(member type id) lines, and
      the fields each update changes. Returned in diff mode only.
notes:
  - O(region) is required (or E(ALIBABA_CLOUD_REGION_ID)).
  - Add the members to the bastion host first, with M(alicloud.bastionhost.rd_member).
  - "Calls Bastionhost C(DescribeInstances), C(ListInstanceRdMembers), C(ListNetworkDomains), C(ListHosts),
    C(ListDatabases), C(CreateHost), C(CreateDatabase), C(DeleteHost) and C(DeleteDatabase); ResourceManager and STS
    to resolve members; and in each member, through STS C(AssumeRole), ECS C(DescribeRegions) and
    C(DescribeInstances), RDS C(DescribeDBInstances) and PolarDB C(DescribeDBClusters) and
    C(DescribeDBClusterEndpoints)."
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
    max_removals: 10

- name: Remove one asset
  alicloud.bastionhost.member_asset:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    assets:
      - {member: shop-prod, type: ecs, instance_id: i-bp1abcdefg}
    state: absent
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
updated:
  description:
    - Imported assets updated in place (or that would be), with the fields of RV(imported) and C(changes), each
      changed field with its C(before) and C(after) value.
  returned: always
  type: list
  elements: dict
  sample: [{"member_id": "1000000000000011", "type": "ecs", "instance_id": "i-bp1abc", "region": "cn-hangzhou",
            "name": "web-1b", "asset_id": "12", "changes": {"name": {"before": "web-1", "after": "web-1b"}}}]
removed:
  description: Imported assets removed (or that would be), with the same fields as RV(imported).
  returned: always
  type: list
  elements: dict
unchanged:
  description:
    - Wanted assets that were already imported (with O(state=absent), wanted assets that were not), sorted, each as
      one C(<member_id> <type> <instance_id>) string; how many there are is in RV(counts).
    - With O(full_results=true), a list of dicts with the fields of RV(imported) instead.
    - A rerun over 10,000 assets that has nothing to do returns these 10,000 short lines, not 10,000 records.
  returned: always
  type: list
  elements: raw
  sample: ["1000000000000011 ecs i-bp1abcdefg", "1000000000000011 rds rm-bp1abcdefg"]
skipped_assets:
  description:
    - Discovered assets that cannot be imported (or updated), each with the fields of RV(imported) and a C(reason)
      (for example an engine Bastionhost does not take, or no address of O(address_type)).
    - Named so because a result key C(skipped) would make Ansible report the whole task as skipped.
  returned: always
  type: list
  elements: dict
  sample: [{"member_id": "1000000000000011", "type": "rds", "instance_id": "rm-bp1abc", "region": "cn-hangzhou",
            "name": "legacy", "asset_id": null, "reason": "engine MongoDB is not one Bastionhost takes"}]
counts:
  description: How many assets were imported, updated, removed, left unchanged and skipped.
  returned: always
  type: dict
  sample: {"imported": 40, "updated": 0, "removed": 0, "unchanged": 0, "skipped": 0}
failed_assets:
  description: On a partial failure, each write that failed with its error.
  returned: failure
  type: list
  elements: dict
  sample: [{"member_id": "1000000000000011", "type": "ecs", "instance_id": "i-bp1abc", "action": "import",
            "msg": "...", "error": {"code": "ServiceUnavailable", "request_id": "..."}}]
"""


from ansible_collections.alicloud.bastionhost.plugins.module_utils.assets import (
    DEFAULT_MEMBER_ROLE,
    MemberAccess,
    discover_assets,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import (
    add_to_group,
    create_host_group,
    delete_imported_asset,
    group_members,
    host_groups,
    host_network_domain,
    import_asset,
    imported_assets,
    list_rd_members,
    modify_imported_asset,
    move_to_network_domain,
    network_domain_ids,
    set_hosts_address_type,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.errors import describe_error
from ansible_collections.alicloud.bastionhost.plugins.module_utils.module import AlicloudModule
from ansible_collections.alicloud.bastionhost.plugins.module_utils.pacing import EndpointUnavailable
from ansible_collections.alicloud.bastionhost.plugins.module_utils.multi_account import (
    api_read,
    read_directory,
    require_known_regions,
    require_multi_account_instance,
    run_concurrently,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.planning import (
    ASSET_TYPES,
    GROUP_PLACEHOLDERS,
    NAME_PLACEHOLDERS,
    POLARDB_ENDPOINT_TYPES,
    AssetRequest,
    Problems,
    Scope,
    asset_key,
    asset_label,
    attribute_assets,
    plan_assets,
    select_discovered,
    sort_assets,
    template_problem,
    use_polardb_endpoint,
)

RESULT_FIELDS = ("member_id", "type", "instance_id", "region", "name", "asset_id")
# Changed through ModifyHost / ModifyDatabase; the address type of hosts, network domains and
# groups change through batch calls (apply_batches), a database's address type through ModifyDatabase.
MODIFIED_FIELDS = frozenset(("name", "address", "public_address", "os"))


def modified_fields(asset):
    return MODIFIED_FIELDS | (frozenset() if asset["type"] == "ecs" else frozenset(("address_type",)))


def result_view(asset, *extra):
    return dict((field, asset.get(field)) for field in RESULT_FIELDS + extra)


def option_problems(params, check_mode):
    """Inputs that can select nothing, or contradict each other: refused before anything is read."""
    problems = Problems()
    discover = params["discover"]
    if params["assets"] is not None and not params["assets"] and not discover:
        problems.add("assets is an empty list: list at least one asset, or use discover")
    for option in ("members", "regions", "types"):
        if discover and discover.get(option) is not None and not discover[option]:
            problems.add("discover.%s is an empty list, so discover selects nothing" % option)
    if params["state"] == "absent" and discover and not discover.get("members"):
        problems.add("with state=absent, discover must name its members (discover.members)")
    if params["state"] == "absent" and params["purge"]:
        problems.add("purge applies to state=present only")
    if params["max_concurrency"] < 1:
        problems.add("max_concurrency must be at least 1")
    if params["max_removals"] is not None and params["max_removals"] < 0:
        problems.add("max_removals must be 0 or more")
    for option, placeholders in (("name_template", NAME_PLACEHOLDERS), ("host_group", GROUP_PLACEHOLDERS)):
        problem = params[option] and template_problem(option, params[option], placeholders)
        if problem:
            problems.add("templates that cannot be rendered", problem)
    if params["planned_members"] is not None and not check_mode:
        problems.add("planned_members previews members a preceding check-mode task would add: it is for check mode "
                     "only")
    return problems


class Reader:
    """Resolves the task's members and reads what planning needs, collecting every problem."""

    def __init__(self, module, directory, added_members):
        self.module = module
        self.params = module.params
        self.directory = directory
        self.added_members = added_members
        self.problems = Problems()

    def members(self, names):
        uids, problems = self.directory.resolve(names)
        self.problems.extend(problems)
        for uid in uids:
            if uid not in self.added_members:
                self.problems.add("members not added to bastion host %s (add them with alicloud.bastionhost.rd_member "
                                  "first)" % self.params["instance_id"], self.directory.label(uid))
        return [u for u in uids if u in self.added_members]

    def listed(self):
        """The explicit ``assets`` with member UIDs and regions filled in, duplicates dropped."""
        uids = {}
        listed = {}
        for entry in self.params["assets"] or []:
            if entry["member"] not in uids:
                found = self.members([entry["member"]])
                uids[entry["member"]] = found[0] if found else None
            if uids[entry["member"]] is None:
                continue
            wanted = dict(member_id=uids[entry["member"]], type=entry["type"], instance_id=entry["instance_id"],
                          region=entry["region"] or self.module.region)
            key = asset_key(wanted)
            if key in listed and listed[key]["member_id"] != wanted["member_id"]:
                self.problems.add("assets listed under two members", "%s %s" % key)
            listed[key] = wanted
        return list(listed.values())

    def discover_scope(self):
        discover = self.params["discover"]
        if not discover:
            return Scope()
        members = (self.members(discover["members"]) if discover.get("members") is not None
                   else sorted(self.added_members))
        return Scope.of(members, discover.get("regions") or [self.module.region], discover["types"])

    def network_domain(self, bastion):
        domain, instance_id = self.params["network_domain_id"], self.params["instance_id"]
        if not domain:
            return
        domains = api_read(self.module, "list the network domains of %s" % instance_id,
                           lambda: network_domain_ids(bastion, self.module.region, instance_id))
        if domain not in domains:
            self.problems.add("network domain %s does not exist on bastion host %s (it has: %s)" % (
                domain, instance_id, ", ".join(domains) or "none"))

    def fail_on_problems(self):
        if self.problems:
            self.module.fail_json(msg=self.problems.message("nothing was changed", len(self.params["assets"] or [])))


def discover(module, access, directory, scope):
    """Every asset in the scope's members, regions and types; fails naming each member that could not be read."""
    found, errors = discover_assets(access.factory_for, scope.members, scope.regions, types=scope.types,
                                    max_workers=module.params["max_concurrency"])
    fail_on_unread(module, access, directory, errors)
    return found


def fail_on_unread(module, access, directory, errors):
    if errors:
        module.fail_json(msg="nothing was changed: part of the scope could not be read: %s" % " | ".join(
            access.describe(m, exc, directory.label)[0] for m, exc in sorted(errors.items())))


def selected_keys(module, access, directory, discovered, scope):
    """The keys the ``discover`` filter selects (None without one). RDS lists carry no tags, so with
    tags the RDS instances are asked for again with the API's tag filter."""
    discover = module.params["discover"]
    if not discover:
        return None
    tagged_rds = None
    if discover.get("tags") and "rds" in scope.types:
        found, errors = discover_assets(access.factory_for, scope.members, scope.regions, types=["rds"],
                                        tags=discover["tags"], max_workers=module.params["max_concurrency"])
        fail_on_unread(module, access, directory, errors)
        tagged_rds = set(asset_key(a) for a in found)
    return select_discovered(discovered, scope, discover.get("tags"), discover.get("name_pattern"), tagged_rds)


def run_writes(module, jobs):
    """Run ``(kind, asset, call)`` jobs, at most max_concurrency at a time; returns (done, failed)."""
    done, failed = [], []
    outcomes = run_concurrently(module.params["max_concurrency"], jobs, lambda job: job[2]())
    for (kind, asset, _call), value, exc in outcomes:
        if exc is None:
            done.append((kind, dict(asset, asset_id=value or asset.get("asset_id"))))
        else:
            message, details = describe_error(exc, "failed to %s %s %s" % (kind, asset["type"], asset["instance_id"]),
                                              module.secret_values())
            failed.append(dict(result_view(asset), action=kind, msg=message, error=details,
                               endpoint_gone=isinstance(exc, EndpointUnavailable)))
    return done, failed


def diff_of(directory, in_scope, imported, updated, removed):
    """The scope's imported assets before and after, and the fields each update changes."""
    def label(asset):
        return asset_label(asset, directory.label)
    labels = set(map(label, in_scope))
    after = (labels - set(map(label, removed))) | set(map(label, imported))

    def fields(side):
        return dict((label(a), dict((f, c[side]) for f, c in a["changes"].items())) for a in updated)
    return dict(before=dict(assets=sorted(labels), updated=fields("before")),
                after=dict(assets=sorted(after), updated=fields("after")))


def diff_result(module, directory, in_scope, imported, updated, removed):
    """``{"diff": ...}`` in diff mode only: the diff lists every asset of the scope twice, which is most
    of a large result."""
    return dict(diff=diff_of(directory, in_scope, imported, updated, removed)) if module._diff else {}


def results(plan, imported, updated, removed, full=False):
    return dict(imported=[result_view(a) for a in sort_assets(imported)],
                updated=[result_view(a, "changes") for a in sort_assets(updated)],
                removed=[result_view(a) for a in sort_assets(removed)],
                unchanged=[result_view(a) if full else asset_label(a) for a in plan.unchanged],
                skipped_assets=[result_view(a, "reason") for a in plan.skipped],
                counts=dict(imported=len(imported), updated=len(updated), removed=len(removed),
                            unchanged=len(plan.unchanged), skipped=len(plan.skipped)))


def planned_members(module, directory):
    """The members a preceding check-mode task would add (planned_members): treated as added."""
    names = module.params["planned_members"]
    if names is None:
        return set()
    uids, problems = directory.resolve(names)
    if problems:
        module.fail_json(msg=problems.message("invalid planned_members, nothing was changed", len(names)))
    return set(uids)


def read_records(module, bastion, imported, discovered, scope):
    """Fill in what the imported assets' records need for drift and that the lists do not carry:
    a host's network domain (GetHost, only with network_domain_id) and group membership (only with
    host_group). Returns ``{group name: group id}``."""
    params, region, instance_id = module.params, module.region, module.params["instance_id"]
    found = set(asset_key(a) for a in discovered if scope.holds(a))
    if params["network_domain_id"]:
        hosts = [a for a in imported if a["type"] == "ecs" and asset_key(a) in found]
        for asset, domain, exc in run_concurrently(params["max_concurrency"], hosts, lambda host: (
                host_network_domain(bastion, region, instance_id, host["asset_id"]))):
            if exc is not None:
                module.fail_json_api(exc, "failed to read host %s" % asset["asset_id"])
            asset["network_domain_id"] = domain
    if not params["host_group"]:
        return {}
    groups = api_read(module, "list the asset groups of %s" % instance_id,
                      lambda: host_groups(bastion, region, instance_id))
    members = {}
    for name, group_id in groups.items():
        for kind, asset_id in api_read(module, "list the members of asset group %s" % name,
                                       lambda: group_members(bastion, region, instance_id, group_id)):
            members.setdefault((kind, asset_id), set()).add(name)
    for asset in imported:
        asset["host_groups"] = members.get(("ecs" if asset["type"] == "ecs" else "db", asset["asset_id"]), set())
    return groups


def apply_batches(module, bastion, updated, imported_now, groups):
    """The batch writes: address types, network domains, and group membership (created groups
    included) for updated and newly imported assets. Returns the failures."""
    region, instance_id = module.region, module.params["instance_id"]
    calls = []
    for address_type in ("Private", "Public"):
        hosts = [a for a in updated if a["type"] == "ecs"
                 and (a["changes"].get("address_type") or {}).get("after") == address_type]
        if hosts:
            calls.append((hosts, lambda ids, t=address_type: set_hosts_address_type(
                bastion, region, instance_id, ids, t)))
    for kind in ("ecs", "db"):
        moving = [a for a in updated if (a["type"] == "ecs") == (kind == "ecs") and "network_domain_id" in a["changes"]]
        if moving:
            calls.append((moving, lambda ids, k=kind: move_to_network_domain(
                bastion, region, instance_id, k, ids, module.params["network_domain_id"])))
    joining = [a for a in updated if "host_group" in a["changes"]] + [
        a for a in imported_now if a.get("host_group")]
    for name in sorted(set(a["host_group"] for a in joining)):
        for kind in ("ecs", "db"):
            members = [a for a in joining if a["host_group"] == name and (a["type"] == "ecs") == (kind == "ecs")]
            if members:
                calls.append((members, lambda ids, n=name, k=kind: add_to_group(
                    bastion, region, instance_id, group_id(bastion, region, instance_id, groups, n), k, ids)))
    failed = []
    for assets, call in calls:
        ids = [a["asset_id"] for a in assets]
        try:
            call(ids)
        except Exception as exc:
            # The assets of this call only: a host and a database may have the same id.
            message, details = describe_error(exc, "failed to update %s" % ", ".join(ids[:10]), module.secret_values())
            failed += [dict(instance_id=a["instance_id"], asset_id=a["asset_id"], action="update", msg=message,
                            error=details, endpoint_gone=isinstance(exc, EndpointUnavailable)) for a in assets]
    return failed


def group_id(bastion, region, instance_id, groups, name):
    """The id of asset group ``name``, created when missing (once)."""
    if name not in groups:
        groups[name] = create_host_group(bastion, region, instance_id, name)
    return groups[name]


def main():
    module = AlicloudModule(
        argument_spec=dict(
            instance_id=dict(type="str", required=True),
            assets=dict(type="list", elements="dict", options=dict(
                member=dict(type="str", required=True),
                type=dict(type="str", required=True, choices=list(ASSET_TYPES)),
                instance_id=dict(type="str", required=True),
                region=dict(type="str"),
            )),
            discover=dict(type="dict", options=dict(
                members=dict(type="list", elements="str"),
                regions=dict(type="list", elements="str"),
                types=dict(type="list", elements="str", choices=list(ASSET_TYPES), default=list(ASSET_TYPES)),
                tags=dict(type="dict"),
                name_pattern=dict(type="str"),
            )),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            purge=dict(type="bool", default=False),
            max_removals=dict(type="int"),
            remove_released=dict(type="bool", default=False),
            name_template=dict(type="str", default="{name}"),
            host_group=dict(type="str"),
            planned_members=dict(type="list", elements="str"),
            network_domain_id=dict(type="str"),
            address_type=dict(type="str", choices=["Private", "Public"], default="Private"),
            polardb_endpoint_type=dict(type="str", choices=list(POLARDB_ENDPOINT_TYPES), default="Cluster"),
            member_role_name=dict(type="str", default=DEFAULT_MEMBER_ROLE),
            max_concurrency=dict(type="int", default=4),
            full_results=dict(type="bool", default=False),
        ),
        required_one_of=[["assets", "discover"]],
        supports_check_mode=True,
    )
    params = module.params
    instance_id, region = params["instance_id"], module.region
    problems = option_problems(params, module.check_mode)
    if problems:
        module.fail_json(msg=problems.message("nothing was changed"))

    # Read: the bastion host, the members, the scope of the task inside them, what is imported.
    bastion = module.client("bastionhost")
    require_multi_account_instance(module, bastion, instance_id)
    directory = read_directory(module, "cannot manage the members of bastion host %s" % instance_id)
    added = set(api_read(module, "list the members of %s" % instance_id,
                         lambda: list_rd_members(bastion, region, instance_id)))
    added |= planned_members(module, directory)
    reader = Reader(module, directory, added)
    reader.network_domain(bastion)
    listed = reader.listed()
    scope = Scope((a["member_id"], a["region"], a["type"]) for a in listed) | reader.discover_scope()
    reader.fail_on_problems()
    access = MemberAccess(module.clients, params["member_role_name"], directory.caller["account_id"],
                          module.secret_values())
    if scope.members:
        require_known_regions(module, access, scope.members[0], scope.regions,
                              "discover.regions and the regions of assets", directory.label)
    discovered = [dict(use_polardb_endpoint(a, params["polardb_endpoint_type"]),
                       member_name=(directory.accounts.get(a["member_id"]) or {}).get("display_name"))
                  for a in discover(module, access, directory, scope)]
    selected = selected_keys(module, access, directory, discovered, scope)
    imported = api_read(module, "list the assets imported into %s" % instance_id,
                        lambda: imported_assets(bastion, region, instance_id, params["max_concurrency"]))
    groups = read_records(module, bastion, imported, discovered, scope)

    # Plan: every write, and every refusal, before the first write.
    plan = plan_assets(AssetRequest(state=params["state"], purge=params["purge"], listed=listed, selected=selected,
                                    scope=scope, address_type=params["address_type"],
                                    max_removals=params["max_removals"], remove_released=params["remove_released"],
                                    name_template=params["name_template"], host_group=params["host_group"],
                                    network_domain_id=params["network_domain_id"]),
                       discovered, imported, directory.label)
    if plan.problems:
        module.fail_json(msg=plan.problems.message("nothing was changed", len(params["assets"] or [])))
    for warning in plan.warnings:
        module.warn(warning)
    owned = attribute_assets(imported, discovered)[0]
    in_scope = [a for assets in owned.values() for a in assets if scope.holds(a)]
    changed = bool(plan.to_import or plan.to_update or plan.to_remove)
    if module.check_mode or not changed:
        module.exit_json(changed=changed, **diff_result(module, directory, in_scope, plan.to_import, plan.to_update,
                                                        plan.to_remove),
                         **results(plan, plan.to_import, plan.to_update, plan.to_remove, params["full_results"]))

    # Apply: removals, imports, updates, then group membership.
    jobs = [("remove", a, lambda a=a: delete_imported_asset(bastion, region, instance_id, a)) for a in plan.to_remove]
    jobs += [("import", a, lambda a=a: import_asset(bastion, region, instance_id, a, params["address_type"],
                                                    params["network_domain_id"])) for a in plan.to_import]
    jobs += [("update", a, lambda a=a: modify_imported_asset(bastion, region, instance_id, a, a["changes"]))
             for a in plan.to_update if set(a["changes"]) & modified_fields(a)]
    done, failed = run_writes(module, jobs)
    imported_now = [a for kind, a in done if kind == "import"]
    removed_now = [a for kind, a in done if kind == "remove"]
    failed += apply_batches(module, bastion, plan.to_update, imported_now, groups)
    failed_ids = set(f["instance_id"] for f in failed)
    updated_now = [a for a in plan.to_update if a["instance_id"] not in failed_ids]
    result = dict(changed=bool(done or updated_now),
                  **diff_result(module, directory, in_scope, imported_now, updated_now, removed_now),
                  **results(plan, imported_now, updated_now, removed_now, params["full_results"]))
    gone = next((f["msg"] for f in failed if f["endpoint_gone"]), failed[0]["msg"] if failed else None)
    for entry in failed:
        entry.pop("endpoint_gone", None)
    if failed and module.clients.pacing.breaker.is_open:
        module.fail_json(msg="bastion host %s: the API endpoint stopped answering, so %d writes were not made "
                             "(imported %d, updated %d, removed %d before it did); rerun to finish: %s" % (
                                 instance_id, len(failed), len(imported_now), len(updated_now), len(removed_now),
                                 gone), failed_assets=failed, **result)
    if failed:
        module.fail_json(msg="%d writes failed on bastion host %s (imported %d, updated %d, removed %d); rerun to "
                             "finish: %s" % (len(failed), instance_id, len(imported_now), len(updated_now),
                                             len(removed_now), " | ".join(f["msg"] for f in failed[:10])),
                         failed_assets=failed, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
