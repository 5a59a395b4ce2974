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
  - A member that cannot be read (its role deleted, or no longer trusting the caller) never stops the others - the
    task keeps every readable member in step, makes no write of any kind in that member, and then fails naming it
    (RV(unread_members)).
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
          - RDS cannot be selected by a key-only tag (DescribeDBInstances filters on key and value only and returns
            no tags), so with C(rds) in O(discover.types) it is an error before anything is read, as are more tags than
            a type's list takes (ECS and PolarDB 20, RDS 5).
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
      - A group the module creates carries its mark in its Comment (C(created by alicloud.bastionhost for <name>)).
        When the template gives an asset another group (a member renamed), the asset leaves the collection's other
        groups; it never leaves a group people made. A group people made of the wanted name is refused before any
        write unless O(adopt=true); a group of the collection's that a person renamed keeps its assets.
      - A rendered name longer than 128 characters (CreateHostGroup's limit) refuses the task before any write.
    type: str
    version_added: 0.2.0
  planned_members:
    description:
      - Check mode only. Members that a preceding M(alicloud.bastionhost.rd_member) task in the same check-mode run
        would add; they count as added, so a preview shows their assets too. An error without check mode.
    type: list
    version_added: 0.2.0
    elements: str
  network_domain_id:
    description:
      - The network domain through which the bastion host reaches the imported assets, when it cannot reach them
        on the internal network.
    type: str
  address_type:
    description:
      - The address the bastion host uses to reach imported assets. V(Public) needs a public address on each asset.
      - Unset, new assets are imported on V(Private) and an imported asset keeps the address type it has (a person
        may have set it on purpose).
    type: str
    choices: [Private, Public]
  adopt:
    description:
      - Take over the assets of the task that a person imported by hand (no ownership record in their Comment), so
        write the ownership record at the start of their Comment, keeping the person's text after it, then keep
        them in step, group and remove them like the assets the collection imported.
      - Unset, such assets are left exactly as they are and counted in RV(counts) and RV(foreign).
    type: bool
    default: false
    version_added: 0.2.0
  sync_fields:
    description:
      - The fields of an imported asset's record the task keeps in step with the instance and the task's options;
        leave out a field people set on purpose (a NAT address, a name).
      - Unset, every one of them.
    type: list
    elements: str
    choices: [name, address, public_address, os, address_type, network_domain_id, host_group, port]
    version_added: 0.2.0
  polardb_endpoint_type:
    description:
      - The endpoint of a PolarDB cluster the bastion host connects to, sent as C(PolarDBEndpointType) to
        CreateDatabase. The default cluster endpoint or the primary endpoint, with its private or public address
        (O(address_type)) and its port, as DescribeDBClusterEndpoints reports them. A cluster without that endpoint is
        skipped, or refused when listed.
      - The endpoint type of an imported cluster cannot be changed in place (ModifyDatabase has no
        C(PolarDBEndpointType)), so a task asking another type for a cluster imported through one refuses before any
        write; remove the cluster and import it again, which drops its database accounts and grants.
    type: str
    version_added: 0.2.0
    choices: [Cluster, Primary]
    default: Cluster
  full_results:
    description:
      - Return every asset of RV(imported), RV(updated), RV(removed), RV(unchanged) and RV(skipped_assets) as a full
        record rather than a C(<member_id> <type> <instance_id>) line, and RV(failed_assets) on a partial failure.
      - At 10,000 assets such a result is over 1 MB, which AWX and AAP do not keep (their event data limit).
    type: bool
    version_added: 0.2.0
    default: false
extends_documentation_fragment:
  - alicloud.bastionhost.common
  - alicloud.bastionhost.multi_account
  - alicloud.bastionhost.multi_account.MEMBER_ROLE
  - alicloud.bastionhost.multi_account.CONCURRENCY
  - alicloud.bastionhost.multi_account.REMOVALS
attributes:
  check_mode:
    support: full
    description: Discovers and plans, and reports the changes with the diff, without calling any write API.
  diff_mode:
    support: full
    description: The changes only, never the assets that stay as they are - each asset imported or removed as
      C(member type id) lines, and each update's fields with their values before and after; the first 100 changes,
      then how many more the result lists. Returned in diff mode only.
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
  description:
    - Assets imported (or that would be in check mode), sorted by member, type and ID, each as one
      C(<member_id> <type> <instance_id>) line.
    - With O(full_results=true), records instead, with C(member_id), C(type), C(instance_id), C(region), C(name)
      (the host or database name on the bastion host) and C(asset_id) (the host or database ID; null in check mode).
    - A result stays readable in AWX at 10,000 assets (ansible-runner drops a task result over 700,000 characters), at
      about 45 characters an asset.
  returned: always
  type: list
  elements: raw
  sample: ["1000000000000011 ecs i-bp1abcdefg", "1000000000000011 rds rm-bp1abcdefg"]
updated:
  description:
    - Imported assets updated in place (or that would be), each as a C(<member_id> <type> <instance_id> - <fields>) line (a colon after the ID),
      the fields it changes; the diff (in diff mode) shows their values before and after.
    - With O(full_results=true), records with the fields of RV(imported) and C(changes), each changed field with its
      C(before) and C(after) value.
  returned: always
  type: list
  elements: raw
  sample: ["1000000000000011 ecs i-bp1abc: address, name"]
removed:
  description: Imported assets removed (or that would be), as RV(imported) lists them.
  returned: always
  type: list
  elements: raw
  sample: ["1000000000000021 ecs i-bp1old"]
unchanged:
  description:
    - Wanted assets that were already imported (with O(state=absent), wanted assets that were not), sorted, as
      RV(imported) lists them.
  returned: always
  type: list
  elements: raw
  sample: ["1000000000000011 ecs i-bp1abcdefg", "1000000000000011 rds rm-bp1abcdefg"]
skipped_assets:
  description:
    - Discovered assets that cannot be imported (or updated), each as a C(<member_id> <type> <instance_id> - <reason>) line (a colon after the ID)
      (for example an engine Bastionhost does not take, or no address of O(address_type)); with
      O(full_results=true), records with the fields of RV(imported) and C(reason).
    - Named so because a result key C(skipped) would make Ansible report the whole task as skipped.
  returned: always
  type: list
  elements: raw
  sample: ["1000000000000011 rds rm-bp1abc: engine MongoDB is not one Bastionhost takes"]
counts:
  description:
    - How many assets were imported, updated, removed, left unchanged, skipped, and left as a person imported them
      (C(foreign), see RV(foreign)).
  returned: always
  type: dict
  sample: {"imported": 40, "updated": 0, "removed": 0, "unchanged": 0, "skipped": 0, "foreign": 0}
foreign:
  description:
    - Assets of the task that a person imported by hand (no ownership record in their Comment), or whose ownership
      record names another member than the one they are found in, as RV(imported) lists them. The task leaves them
      exactly as they are (no update, group change or removal) unless O(adopt=true); a warning names them.
  returned: always
  type: list
  elements: raw
  version_added: 0.2.0
  sample: ["1000000000000011 ecs i-bp1byhand"]
member_counts:
  description: The same counts by member and asset type, leaving out zeros.
  returned: always
  type: dict
  version_added: 0.2.0
  sample: {"1000000000000011": {"ecs": {"imported": 12, "unchanged": 3}, "rds": {"skipped": 1}}}
failures:
  description:
    - On a partial failure, each distinct failure once, the writes that failed the same way together.
  returned: failure
  type: list
  elements: dict
  version_added: 0.2.0
  contains:
    action:
      description: The write that failed, C(import), C(update) or C(remove).
      type: str
      sample: import
    code:
      description: The API error code, null when there was no answer.
      type: str
      sample: QuotaExceeded
    message:
      description: What failed, why, and what to do.
      type: str
    request_id:
      description: The request ID of the first call that failed this way.
      type: str
    count:
      description: How many writes failed this way.
      type: int
      sample: 3
    lines:
      description: The assets whose writes failed this way, as RV(imported) lists them.
      type: list
      elements: str
      sample: ["1000000000000011 ecs i-bp1abc"]
unread_members:
  description:
    - The members of the task that could not be read (their role could not be assumed, or may not list their
      assets). Nothing is written in them, the other members are kept in step, and the task then fails naming each
      with its reason and what to do.
  returned: when a member could not be read
  type: list
  elements: str
  version_added: 0.2.0
  sample: ["1000000000000021"]
failed_assets:
  description: With O(full_results=true), on a partial failure, each write that failed with its error.
  returned: failure, with O(full_results=true)
  type: list
  elements: dict
  sample: [{"member_id": "1000000000000011", "type": "ecs", "instance_id": "i-bp1abc", "action": "import",
            "msg": "...", "error": {"code": "ServiceUnavailable", "request_id": "..."}}]
"""

from functools import partial

from ansible_collections.alicloud.bastionhost.plugins.module_utils.asset_types import (
    POLARDB_ENDPOINT_TYPES,
    TYPE_NAMES,
    addressed,
    asset_type,
    is_host,
    tag_filter_problems,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import (
    BastionHost,
    DoneElsewhere,
    Vanished,
    imported_from,
    local_addresses,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.concurrency import run_concurrently
from ansible_collections.alicloud.bastionhost.plugins.module_utils.discovery import MemberAccess, discover_assets
from ansible_collections.alicloud.bastionhost.plugins.module_utils.model import asset_key, asset_label, sort_assets
from ansible_collections.alicloud.bastionhost.plugins.module_utils.module import AlicloudModule
from ansible_collections.alicloud.bastionhost.plugins.module_utils.multi_account import (
    multi_account_argument_spec,
    multi_account_option_problems,
    read_directory,
    require_known_regions,
    require_multi_account_instance,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.planning import (
    GROUP_PLACEHOLDERS,
    NAME_PLACEHOLDERS,
    SYNC_FIELDS,
    AssetRequest,
    Scope,
    plan_assets,
    select_discovered,
    template_problem,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.problems import Problems
from ansible_collections.alicloud.bastionhost.plugins.module_utils.report import (
    Failures,
    change_diff,
    diff_if_asked,
    member_counts,
    warn_if_too_large,
)

RESULT_FIELDS = ("member_id", "type", "instance_id", "region", "name", "asset_id")


def argument_spec():
    spec = multi_account_argument_spec()
    spec.update(
        assets=dict(type="list", elements="dict", options=dict(
            member=dict(type="str", required=True),
            type=dict(type="str", required=True, choices=list(TYPE_NAMES)),
            instance_id=dict(type="str", required=True),
            region=dict(type="str"),
        )),
        discover=dict(type="dict", options=dict(
            members=dict(type="list", elements="str"),
            regions=dict(type="list", elements="str"),
            types=dict(type="list", elements="str", choices=list(TYPE_NAMES), default=list(TYPE_NAMES)),
            tags=dict(type="dict"),
            name_pattern=dict(type="str"),
        )),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        purge=dict(type="bool", default=False),
        remove_released=dict(type="bool", default=False),
        name_template=dict(type="str", default="{name}"),
        host_group=dict(type="str"),
        planned_members=dict(type="list", elements="str"),
        network_domain_id=dict(type="str"),
        address_type=dict(type="str", choices=["Private", "Public"]),
        adopt=dict(type="bool", default=False),
        sync_fields=dict(type="list", elements="str", choices=list(SYNC_FIELDS)),
        polardb_endpoint_type=dict(type="str", choices=list(POLARDB_ENDPOINT_TYPES), default="Cluster"),
        full_results=dict(type="bool", default=False),
    )
    return spec


def result_view(asset, *extra):
    return dict((field, asset.get(field)) for field in RESULT_FIELDS + extra)


def fail_on_problems(module, problems, entries=None):
    if problems:
        module.fail_json(msg=problems.message("nothing was changed", entries))


def option_problems(params, check_mode):
    """Inputs that can select nothing, or contradict each other: refused before anything is read."""
    problems = Problems()
    discover = params["discover"]
    if params["assets"] is not None and not params["assets"] and not discover:
        problems.add("assets is an empty list: list at least one asset, or use discover")
    for option in ("members", "regions", "types"):
        if discover and discover.get(option) is not None and not discover[option]:
            problems.add("discover.%s is an empty list, so discover selects nothing" % option)
    if discover and discover.get("tags"):
        for problem in tag_filter_problems(discover["tags"], discover["types"] or []):
            problems.add("discover.tags that the list APIs cannot take", problem)
    if params["state"] == "absent" and discover and not discover.get("members"):
        problems.add("with state=absent, discover must name its members (discover.members)")
    if params["state"] == "absent" and params["purge"]:
        problems.add("purge applies to state=present only")
    for problem in multi_account_option_problems(params):
        problems.add(problem)
    for option, placeholders in (("name_template", NAME_PLACEHOLDERS), ("host_group", GROUP_PLACEHOLDERS)):
        problem = params[option] and template_problem(option, params[option], placeholders)
        if problem:
            problems.add("templates that cannot be rendered", problem)
    if params["planned_members"] is not None and not check_mode:
        problems.add("planned_members previews members a preceding check-mode task would add: it is for check mode "
                     "only")
    return problems


# --- resolving the task's input (pure: it reads no API) ---------------------------------------

class TaskInput:
    """The task's members, listed assets and scope, resolved against the directory and the members
    on the bastion host; ``problems`` holds every entry that cannot be resolved."""

    def __init__(self, params, region, directory, added_members, network_domains=None):
        self.params = params
        self.region = region
        self.directory = directory
        self.added_members = added_members
        self.problems = Problems()
        self._check_network_domain(network_domains)
        self.listed = self._listed()
        self.scope = Scope((a["member_id"], a["region"], a["type"]) for a in self.listed) | self._discover_scope()

    def _members(self, names):
        uids, problems = self.directory.resolve(names)
        self.problems.extend(problems)
        for uid in uids:
            if uid not in self.added_members:
                self.problems.add("members not added to bastion host %s (add them with alicloud.bastionhost.rd_member "
                                  "first)" % self.params["instance_id"], self.directory.label(uid))
        return [u for u in uids if u in self.added_members]

    def _listed(self):
        """The explicit ``assets`` with member UIDs and regions filled in, duplicates dropped."""
        uids = {}
        listed = {}
        for entry in self.params["assets"] or []:
            if entry["member"] not in uids:
                found = self._members([entry["member"]])
                uids[entry["member"]] = found[0] if found else None
            if uids[entry["member"]] is None:
                continue
            wanted = dict(member_id=uids[entry["member"]], type=entry["type"], instance_id=entry["instance_id"],
                          region=entry["region"] or self.region)
            key = asset_key(wanted)
            if key in listed and listed[key]["member_id"] != wanted["member_id"]:
                self.problems.add("assets listed under two members", "%s %s" % key)
            listed[key] = wanted
        return list(listed.values())

    def leave_out(self, members):
        """Take the members that could not be read out of the task: no write of any kind in them."""
        if members:
            self.listed = [a for a in self.listed if a["member_id"] not in members]
            self.scope = self.scope.without(members)

    def _discover_scope(self):
        discover = self.params["discover"]
        if not discover:
            return Scope()
        members = (self._members(discover["members"]) if discover.get("members") is not None
                   else sorted(self.added_members))
        return Scope.of(members, discover.get("regions") or [self.region], discover["types"])

    def _check_network_domain(self, domains):
        domain, instance_id = self.params["network_domain_id"], self.params["instance_id"]
        if domain and domain not in domains:
            self.problems.add("network domain %s does not exist on bastion host %s (it has: %s)" % (
                domain, instance_id, ", ".join(domains) or "none"))

    def request(self, selected, local_addresses=(), groups=None):
        params = self.params
        return AssetRequest(state=params["state"], purge=params["purge"], listed=self.listed, selected=selected,
                            scope=self.scope, address_type=params["address_type"],
                            max_removals=params["max_removals"], remove_released=params["remove_released"],
                            name_template=params["name_template"], host_group=params["host_group"],
                            network_domain_id=params["network_domain_id"], adopt=params["adopt"],
                            sync_fields=params["sync_fields"], local_addresses=local_addresses, groups=groups)


# --- reading the state --------------------------------------------------------------------

class State:
    """What the task read: the directory, the assets discovered in its scope and those imported, and the
    members that could not be read (``[(member, message)]``: left out of the scope, so nothing is written in
    them)."""

    def __init__(self, directory, discovered, imported, unread=()):
        self.directory = directory
        self.discovered = discovered
        self.imported = imported
        self.unread = list(unread)


def read_state(module, bastion):
    """``(AssetRequest, State)``: the bastion host, the members, the task's scope inside them, and
    what is imported; fails before any write on anything that cannot be read or resolved."""
    params = module.params
    require_multi_account_instance(module, bastion)
    directory = read_directory(module, "cannot manage the members of bastion host %s" % bastion.instance_id)
    added = set(module.api_read("list the members of %s" % bastion.instance_id, bastion.members))
    added |= planned_members(module, directory)
    domains = (module.api_read("list the network domains of %s" % bastion.instance_id, bastion.network_domain_ids)
               if params["network_domain_id"] else None)
    task = TaskInput(params, module.region, directory, added, domains)
    fail_on_problems(module, task.problems, len(params["assets"] or []))
    access = MemberAccess(module.clients, params["member_role_name"], directory.caller["account_id"],
                          module.secret_values())
    if task.scope.members:
        require_known_regions(module, access, task.scope.members, task.scope.regions,
                              "discover.regions and the regions of assets", directory.label)
    found, unread = discover(module, access, task.scope)
    discovered = [dict(addressed(a, params["polardb_endpoint_type"]), member_name=member_name(directory, a))
                  for a in found]
    selected, unread_tags = selected_keys(module, access, discovered, task.scope)
    unread.update(unread_tags)
    task.leave_out(unread)
    hosts, databases = module.api_read("list the assets imported into %s" % bastion.instance_id, bastion.records)
    imported = imported_from(hosts, databases)
    records = read_records(module, bastion, imported, discovered, task.scope)
    imported = [dict(a, **records.get(asset_key(a), {})) for a in imported]
    groups = (module.api_read("list the asset groups of %s" % bastion.instance_id, bastion.group_makers)
              if params["host_group"] else None)
    return task.request(selected, local_addresses(hosts), groups), State(directory, discovered, imported,
                                                                         unread_members(access, directory, unread))


def member_name(directory, asset):
    return (directory.accounts.get(asset["member_id"]) or {}).get("display_name")


def planned_members(module, directory):
    """The members a preceding check-mode task would add (planned_members): treated as added."""
    names = module.params["planned_members"]
    if names is None:
        return set()
    uids, problems = directory.resolve(names)
    if problems:
        module.fail_json(msg=problems.message("invalid planned_members, nothing was changed", len(names)))
    return set(uids)


def discover(module, access, scope, tags=None, types=None):
    """``(assets, {member: error})``: every asset in the scope's members, regions and types, and the
    members that could not be read (one broken member never stops the others)."""
    return discover_assets(access.factory_for, scope.members, scope.regions, types=types or scope.types,
                           tags=tags, max_workers=module.params["max_concurrency"])


def selected_keys(module, access, discovered, scope):
    """``(keys, {member: error})``: the keys the ``discover`` filter selects (None without one). The types
    whose lists carry no tags (RDS) are asked for again with the API's tag filter."""
    filters = module.params["discover"]
    if not filters:
        return None, {}
    tagged, unread = None, {}
    untagged_types = [t for t in scope.types if not asset_type(t).list_has_tags]
    if filters.get("tags") and untagged_types:
        found, unread = discover(module, access, scope, tags=filters["tags"], types=untagged_types)
        tagged = set(asset_key(a) for a in found)
    return select_discovered(discovered, scope, filters.get("tags"), filters.get("name_pattern"), tagged), unread


def unread_members(access, directory, unread):
    """``[(member, message)]`` of the members that could not be read, each with its reason and remedy."""
    return [(member, access.describe(member, exc, directory.label)[0]) for member, exc in sorted(unread.items())]


def read_records(module, bastion, imported, discovered, scope):
    """``{asset key: fields}`` that drift needs and the lists do not carry: a host's network domain
    (GetHost, only with network_domain_id) and the groups of every asset (only with host_group)."""
    params = module.params
    fields = {}
    if params["network_domain_id"]:
        found = set(asset_key(a) for a in discovered if scope.holds(a))
        hosts = [a for a in imported if is_host(a) and asset_key(a) in found]
        for host, domain, exc in run_concurrently(params["max_concurrency"], hosts, bastion.host_network_domain):
            if exc is not None:
                module.fail_json_api(exc, "failed to read host %s" % host["asset_id"])
            fields.setdefault(asset_key(host), {})["network_domain_id"] = domain
    if params["host_group"]:
        groups = module.api_read("list the asset groups of %s and their members" % bastion.instance_id,
                                 bastion.groups_of_assets)
        for asset in imported:
            member = (asset_type(asset).kind, asset["asset_id"])
            fields.setdefault(asset_key(asset), {})["host_groups"] = groups.get(member, set())
    return fields


# --- planning -----------------------------------------------------------------------------

def plan_task(module, request, state):
    """The plan: every write, and every refusal, before the first write."""
    plan = plan_assets(request, state.discovered, state.imported, state.directory.label)
    fail_on_problems(module, plan.problems, len(module.params["assets"] or []))
    for warning in plan.warnings:
        module.warn(warning)
    return plan


# --- applying the plan --------------------------------------------------------------------

class Outcome:
    """What a run did (in check mode: what it would do). ``elsewhere``: writes another run had already
    done when this one tried (their assets are in the wanted state: counted unchanged)."""

    def __init__(self, imported, updated, removed, changed, failures, elsewhere=()):
        self.imported, self.updated, self.removed = imported, updated, removed
        self.changed = changed
        self.failures = failures
        self.elsewhere = list(elsewhere)

    @classmethod
    def predicted(cls, plan):
        return cls(plan.to_import, plan.to_update, plan.to_remove,
                   bool(plan.to_import or plan.to_update or plan.to_remove), Failures())


def apply_plan(module, bastion, plan):
    """The writes: removals, imports and record updates (at most max_concurrency at a time), then the
    batch writes (address types, network domains, groups). Nothing in check mode. A write that another
    run had already done (read back after its refusal) is not a failure."""
    predicted = Outcome.predicted(plan)
    if module.check_mode or not predicted.changed:
        return predicted
    failures = Failures(module.secret_values())
    done, elsewhere = [], []
    writes = per_asset_writes(module.params, bastion, plan)
    for (action, asset, _write), value, exc in run_concurrently(module.params["max_concurrency"], writes, run_write):
        if exc is None:
            done.append((action, dict(asset, asset_id=value or asset.get("asset_id"))))
        elif isinstance(exc, (DoneElsewhere, Vanished)):
            elsewhere.append((action, asset, exc))
        else:
            failures.add("failed_assets", result_view(asset), action, "failed to %s %s %s" % (
                action, asset["type"], asset["instance_id"]), exc, asset_line(asset))
    imported = [a for action, a in done if action == "import"]
    for assets, write in bastion.batch_writes(plan.to_update, imported, module.params["network_domain_id"]):
        try:
            write()
        except Exception as exc:
            ids = ", ".join(a["asset_id"] for a in assets[:10])
            for asset in assets:
                failures.add("failed_assets", result_view(asset), "update", "failed to update %s" % ids, exc,
                             asset_line(asset))
    not_updated = set(entry["instance_id"] for entry in failures.entries.get("failed_assets", []))
    not_updated |= set(asset["instance_id"] for _action, asset, _exc in elsewhere)
    updated = [a for a in plan.to_update if a["instance_id"] not in not_updated]
    removed = [a for action, a in done if action == "remove"]
    return Outcome(imported, updated, removed, bool(done or updated), failures, elsewhere)


def per_asset_writes(params, bastion, plan):
    """``(action, asset, write)`` for each removal, import and record update of the plan."""
    writes = [("remove", a, partial(bastion.delete_asset, a)) for a in plan.to_remove]
    writes += [("import", a, partial(bastion.import_asset, a, params["address_type"] or "Private",
                                     params["network_domain_id"])) for a in plan.to_import]
    writes += [("update", a, partial(bastion.update_record, a, a["changes"]))
               for a in plan.to_update if bastion.has_record_changes(a)]
    return writes


def run_write(write):
    return write[2]()


# --- reporting ----------------------------------------------------------------------------

def report(module, request, state, plan, outcome):
    full = module.params["full_results"]
    if outcome.elsewhere:
        module.warn("%d writes had already been done by another run overlapping this one (counted unchanged), or "
                    "their asset or member was removed by it meanwhile (left out): %s" % (
                        len(outcome.elsewhere), ", ".join("%s %s (%s)" % (action, asset_line(asset), exc)
                                                          for action, asset, exc in outcome.elsewhere[:10])))
    result = dict(changed=outcome.changed, **diff_if_asked(module, partial(diff_of, state, outcome)))
    result.update(results(plan, outcome, full))
    if full:
        warn_if_too_large(module, result, "leave full_results unset (one short line an asset)")
    done = "imported %d, updated %d, removed %d" % (len(outcome.imported), len(outcome.updated), len(outcome.removed))
    unread = unread_message(state)
    if state.unread:
        result["unread_members"] = [member for member, _message in state.unread]
    if outcome.failures:
        outcome.failures.fail(module, "bastion host %s" % module.params["instance_id"], done, full, also=unread,
                              **result)
    if unread:
        module.fail_json(msg="%s; the others were kept in step (%s)" % (unread, done), **result)
    module.exit_json(**result)


def unread_message(state):
    """The members that could not be read, each once with its reason and remedy, or None."""
    if not state.unread:
        return None
    return "%d members could not be read, so nothing was changed in them: %s" % (
        len(state.unread), " | ".join(message for _member, message in state.unread))


def asset_line(asset):
    """'<member_id> <type> <instance_id>', an asset as the results list it."""
    return asset_label(asset)


def update_line(asset):
    return "%s: %s" % (asset_label(asset), ", ".join(sorted(asset["changes"])))


def skip_line(asset):
    return "%s: %s" % (asset_label(asset), asset["reason"])


def results(plan, outcome, full=False):
    """Each changed, unchanged or skipped asset as one short line (a full record with ``full``), the counts,
    and the counts by member and type."""
    def listed(assets, line, *extra):
        return [result_view(a, *extra) if full else line(a) for a in sort_assets(assets)]
    unchanged = plan.unchanged + [asset for _action, asset, exc in outcome.elsewhere
                                  if isinstance(exc, DoneElsewhere)]
    groups = dict(imported=outcome.imported, updated=outcome.updated, removed=outcome.removed,
                  unchanged=unchanged, skipped=plan.skipped, foreign=plan.foreign)
    return dict(imported=listed(outcome.imported, asset_line),
                updated=listed(outcome.updated, update_line, "changes"),
                removed=listed(outcome.removed, asset_line),
                unchanged=listed(unchanged, asset_line),
                skipped_assets=listed(plan.skipped, skip_line, "reason"),
                foreign=listed(plan.foreign, asset_line),
                counts=dict((name, len(assets)) for name, assets in groups.items()),
                member_counts=member_counts(groups))


def diff_of(state, outcome):
    """The changes only: each asset imported or removed, and the fields each update changes."""
    def label(asset):
        return asset_label(asset, state.directory.label)
    return change_diff(imported=map(label, outcome.imported), removed=map(label, outcome.removed),
                       updated=[(label(a), a["changes"]) for a in outcome.updated])


def main():
    module = AlicloudModule(argument_spec=argument_spec(), required_one_of=[["assets", "discover"]],
                            supports_check_mode=True)
    fail_on_problems(module, option_problems(module.params, module.check_mode))
    bastion = BastionHost(module.client("bastionhost"), module.region, module.params["instance_id"],
                          module.params["max_concurrency"])
    request, state = read_state(module, bastion)
    plan = plan_task(module, request, state)
    outcome = apply_plan(module, bastion, plan)
    report(module, request, state, plan, outcome)


if __name__ == "__main__":
    main()
