# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Who the caller is and where it stands in the Resource Directory (ResourceManager, STS, RAM), and which
instances are the caller's own (``own_instances``: ECS, RDS and PolarDB of its own account, read with its own
credentials, no role)."""

from __future__ import annotations

import json
import re

from ansible_collections.alicloud.bastionhost.plugins.module_utils.asset_types import ASSET_TYPES
from ansible_collections.alicloud.bastionhost.plugins.module_utils.concurrency import run_concurrently
from ansible_collections.alicloud.bastionhost.plugins.module_utils.errors import describe_error, error_details
from ansible_collections.alicloud.bastionhost.plugins.module_utils.paging import paginate_pages, paginate_tokens
from ansible_collections.alicloud.bastionhost.plugins.module_utils.model import tags_match
from ansible_collections.alicloud.bastionhost.plugins.module_utils.problems import Problems

BASTIONHOST_SERVICE = "bastionhost.aliyuncs.com"
REQUIRED_RAM_POLICIES = ("AliyunYundunBastionHostFullAccess", "AliyunResourceDirectoryFullAccess")
# A policy that grants everything the required ones do.
SUPERSEDING_POLICIES = ("AdministratorAccess",)
RD_NOT_ENABLED = "EntityNotExists.ResourceDirectory"
UID_PATTERN = re.compile(r"^\d{16}$")


def error_code(exc):
    return error_details(exc)["code"]


def caller_identity(sts):
    """``{account_id, type, arn, user_name}``; type is Account, RAMUser or AssumedRoleUser."""
    body = sts.call("get_caller_identity", retry=True)
    arn = body.get("Arn") or ""
    user_name = arn.split(":user/", 1)[1] if body.get("IdentityType") == "RAMUser" and ":user/" in arn else None
    return {"account_id": body.get("AccountId"), "type": body.get("IdentityType"), "arn": arn,
            "user_name": user_name}


def resource_directory(rm):
    """The caller's resource directory, or None when Resource Directory is not enabled."""
    try:
        body = rm.call("get_resource_directory", retry=True)
    except Exception as exc:
        if error_code(exc) == RD_NOT_ENABLED:
            return None
        raise
    return body.get("ResourceDirectory") or {}


def list_accounts(rm, include_tags=False):
    """Every account of the resource directory (management account included)."""
    def fetch(number, size):
        request = rm.models.ListAccountsRequest(page_number=number, page_size=size, include_tags=include_tags)
        return rm.call("list_accounts", request, retry=True)
    return paginate_pages(fetch, ("Accounts", "Account"), page_size=100)


def delegated_administrators(rm, service=BASTIONHOST_SERVICE):
    """Account ids of the delegated administrators of ``service``."""
    def fetch(number, size):
        request = rm.models.ListDelegatedAdministratorsRequest(
            service_principal=service, page_number=number, page_size=size)
        return rm.call("list_delegated_administrators", request, retry=True)
    return [a.get("AccountId") for a in paginate_pages(fetch, ("Accounts", "Account"), page_size=100)]


def ram_user_policies(ram, user_name):
    """``{policy name: where it comes from}`` for a RAM user: 'attached to the user' or
    'through group NAME'."""
    def policy_names(body):
        return [p.get("PolicyName") for p in (body.get("Policies") or {}).get("Policy") or []]

    sources = {}
    body = ram.call("list_policies_for_user", ram.models.ListPoliciesForUserRequest(user_name=user_name), retry=True)
    for name in policy_names(body):
        sources[name] = "attached to the user"
    body = ram.call("list_groups_for_user", ram.models.ListGroupsForUserRequest(user_name=user_name), retry=True)
    for group in [g.get("GroupName") for g in (body.get("Groups") or {}).get("Group") or []]:
        request = ram.models.ListPoliciesForGroupRequest(group_name=group)
        for name in policy_names(ram.call("list_policies_for_group", request, retry=True)):
            sources.setdefault(name, "through group %s" % group)
    return sources


def missing_policies(policy_sources):
    """The required policies a RAM user lacks (none when it has a superseding policy)."""
    if any(p in policy_sources for p in SUPERSEDING_POLICIES):
        return []
    return [p for p in REQUIRED_RAM_POLICIES if p not in policy_sources]


def account_facts(raw):
    """A Resource Directory account as the modules return it (snake_case)."""
    tags = raw.get("Tags") or {}
    tag_list = tags.get("Tag") if isinstance(tags, dict) else tags
    return {
        "member_id": str(raw.get("AccountId")),
        "display_name": raw.get("DisplayName"),
        "folder_id": raw.get("FolderId"),
        "status": raw.get("Status"),
        "join_method": raw.get("JoinMethod"),
        "type": raw.get("Type"),
        "tags": dict((t.get("Key"), t.get("Value")) for t in tag_list or []),
    }


class DirectoryError(Exception):
    """The caller cannot manage member accounts: no resource directory, or the wrong direction."""


class Directory:
    """The caller's resource directory, read once: who the caller is, the management account,
    the delegated administrators of ``service`` and every account with its folder and tags."""

    def __init__(self, rm, sts, service=BASTIONHOST_SERVICE):
        self.caller = caller_identity(sts)
        directory = resource_directory(rm)
        if directory is None:
            raise DirectoryError(
                "Resource Directory is not enabled for account %s: enable it in the management account and add "
                "member accounts" % self.caller["account_id"])
        self.management_account = str(directory.get("MasterAccountId"))
        self.root_folder_id = directory.get("RootFolderId")
        try:
            self.admins = set(delegated_administrators(rm, service))
        except Exception as exc:
            if self.caller["account_id"] == self.management_account:
                raise
            # Which error a member gets here is not documented: any refusal means the caller
            # could not show that it is a delegated administrator.
            raise DirectoryError(
                "the caller account %s is not the management account (%s) and could not list the delegated "
                "administrators of %s (%s): member assets can only be imported into a bastion host of the "
                "management account or of a delegated administrator" % (
                    self.caller["account_id"], self.management_account, service,
                    describe_error(exc, "ListDelegatedAdministrators")[0].rstrip(".")))
        if self.caller["account_id"] != self.management_account and self.caller["account_id"] not in self.admins:
            raise DirectoryError(
                "the caller account %s is neither the management account (%s) nor a delegated administrator of %s: "
                "run as one of them" % (self.caller["account_id"], self.management_account, service))
        self.accounts = dict((a["member_id"], a) for a in map(account_facts, list_accounts(rm, include_tags=True)))

    def why_not_a_member(self, member_id, on_host=None, removing=False):
        """Why this UID cannot be named by the task (a problem kind), or None when it can. Without ``on_host``
        (the UIDs on the bastion host), only an account of the resource directory can be named; with it, a
        member that left the directory while on the bastion host can be named too (to be removed: it cannot
        be added back while outside the directory)."""
        if member_id not in self.accounts:
            if on_host is None:
                return "accounts not in this resource directory"
            if member_id in on_host:
                return None
            if removing:
                return ("accounts neither in this resource directory nor on the bastion host (removed already, or a "
                        "mistyped ID)")
            return ("accounts not in this resource directory, which cannot be added (a member that left the "
                    "directory can be removed from the bastion host, not added back)")
        if member_id == self.caller["account_id"]:
            return "the caller's own account is not a member (only member assets can be imported)"
        if member_id == self.management_account:
            return "the management account is not a member (only member assets can be imported)"
        if member_id in self.admins:
            return "delegated administrators are not members (only member assets can be imported)"
        return None

    def outside(self, uids):
        """The UIDs that are not (or no longer) accounts of the resource directory, sorted."""
        return sorted(u for u in uids if u not in self.accounts)

    def eligible_members(self):
        return [a for a in self.accounts.values() if self.why_not_a_member(a["member_id"]) is None]

    def resolve(self, names_or_ids, on_host=None, removing=False):
        """``(uids, problems)`` for UIDs or display names; ``problems`` (problems.Problems) groups the bad
        entries by what is wrong with them. ``on_host`` and ``removing``: see ``why_not_a_member``."""
        by_name = {}
        for account in self.accounts.values():
            by_name.setdefault(account["display_name"], []).append(account["member_id"])
        uids, problems = [], Problems()
        for raw in names_or_ids:
            entry = str(raw if raw is not None else "").strip()
            if not entry:
                problems.add("empty member names (a blank variable or survey field?)", repr(raw))
                continue
            if UID_PATTERN.match(entry):
                uid = entry
            elif entry.isdigit():
                problems.add("not 16-digit account IDs", repr(entry))
                continue
            elif len(by_name.get(entry, [])) == 1:
                uid = by_name[entry][0]
            elif entry in by_name:
                problems.add("ambiguous display names", "%r (%s)" % (entry, ", ".join(sorted(by_name[entry]))))
                continue
            else:
                problems.add("no account with this display name in the resource directory", repr(entry))
                continue
            reason = self.why_not_a_member(uid, on_host, removing)
            if reason:
                problems.add(reason, uid)
            elif uid not in uids:
                uids.append(uid)
        return uids, problems

    def select(self, folder_ids=None, tags=None, select_all=False):
        """UIDs of the eligible members in ``folder_ids`` (directly) carrying every tag in ``tags``
        (model.tags_match: values as text, YAML ``true`` matches "true"; an empty value needs the key)."""
        chosen = []
        for account in self.eligible_members():
            if folder_ids and account["folder_id"] not in folder_ids:
                continue
            if tags and not tags_match(tags, account["tags"]):
                continue
            if folder_ids or tags or select_all:
                chosen.append(account["member_id"])
        return sorted(chosen)

    def label(self, member_id):
        """'UID (display name)' for diffs and messages; the UID alone for an account outside the directory
        (a member that left it: its display name is no longer known)."""
        account = self.accounts.get(member_id)
        return "%s (%s)" % (member_id, account["display_name"]) if account else member_id


def folder_names(rm, root_folder_id):
    """``{folder id: name}`` for every folder of the resource directory (the root is 'Root')."""
    names = {root_folder_id: "Root"}
    pending = [root_folder_id]
    while pending:
        parent = pending.pop()

        def fetch(number, size, parent=parent):
            request = rm.models.ListFoldersForParentRequest(parent_folder_id=parent, page_number=number, page_size=size)
            return rm.call("list_folders_for_parent", request, retry=True)

        for folder in paginate_pages(fetch, ("Folders", "Folder"), page_size=100):
            names[folder.get("FolderId")] = folder.get("FolderName")
            pending.append(folder.get("FolderId"))
    return names


# --- the caller's own account ---------------------------------------------------------------
# DescribeInstancesRequest.InstanceIds: "a JSON array that consists of up to 100 instance IDs".
ECS_IDS_PER_CALL = 100
# DescribeDBClustersRequest.DBClusterIds: "Separate multiple cluster IDs with commas" (no limit stated): as many
# as one page holds. DescribeDBInstancesRequest.DBInstanceId is "The instance ID.": one a call.
POLARDB_IDS_PER_CALL = 100


def own_instances(factory, assets, regions, max_workers=4, secrets=()):
    """``(keys, notes)``: the keys (type, instance id) of those ``assets`` (imported assets: type, instance_id
    and, for a database, the region ListDatabases gives) that are instances of the caller's own account, and
    why some could not be looked up (empty when every lookup was made).

    ``factory`` is the caller's own ClientFactory: no role is assumed. A host's region is not in ListHosts, so
    ECS is asked in every region of ``regions`` (DescribeInstances with ``InstanceIds``, 100 a call); a database
    in its own region (RDS DescribeDBInstances ``DBInstanceId``, one a call; PolarDB DescribeDBClusters
    ``DBClusterIds``), or in every region when it has none. ECS answers an empty list to a caller without
    permission (its API reference), so when some hosts were not found a ``DryRun`` tells "not ours" from "may
    not look"."""
    wanted = dict(((a["type"], a["instance_id"]), a) for a in assets if a["type"] in ASSET_TYPES)
    units = []
    hosts = sorted(i for t, i in wanted if t == "ecs")
    for region in regions:
        units += [("ecs", region, ids) for ids in _chunks(hosts, ECS_IDS_PER_CALL)]
    for kind in ("rds", "polardb"):
        by_region = {}
        for (asset_type, instance_id), asset in sorted(wanted.items()):
            if asset_type == kind:
                for region in [asset.get("region")] if asset.get("region") else regions:
                    by_region.setdefault(region, []).append(instance_id)
        size = 1 if kind == "rds" else POLARDB_IDS_PER_CALL
        units += [(kind, region, ids) for region, ids in sorted(by_region.items()) for ids in _chunks(ids, size)]

    def lookup(unit):
        kind, region, ids = unit
        return _OWN_LISTERS[kind](factory, region, ids)

    keys, failed = set(), {}
    for (kind, _region, _ids), found, exc in run_concurrently(max_workers, units, lookup):
        if exc is None:
            keys.update((kind, i) for i in found)
        else:
            failed.setdefault(kind, exc)
    notes = [_lookup_note(kind, exc, secrets) for kind, exc in sorted(failed.items())]
    if "ecs" not in failed and hosts and regions and not set(hosts) <= set(i for t, i in keys if t == "ecs"):
        note = _ecs_permission_note(factory, regions[0], secrets)
        if note:
            notes.append(note)
    return keys, notes


def _chunks(ids, size):
    return [ids[start:start + size] for start in range(0, len(ids), size)]


def _own_ecs(factory, region, ids):
    client = factory.client("ecs", region=region)
    return [raw.get("InstanceId") for raw in paginate_tokens(lambda token, size: client.call(
        "describe_instances", client.models.DescribeInstancesRequest(
            region_id=region, instance_ids=json.dumps(ids), next_token=token, max_results=size), retry=True),
        ("Instances", "Instance"), max_results=ECS_IDS_PER_CALL)]


def _own_rds(factory, region, ids):
    client = factory.client("rds", region=region)
    found = []
    for instance_id in ids:
        request = client.models.DescribeDBInstancesRequest(region_id=region, dbinstance_id=instance_id)
        found += [raw.get("DBInstanceId") for raw in paginate_pages(lambda number, size, request=request: client.call(
            "describe_dbinstances", _paged(request, number, size), retry=True), ("Items", "DBInstance"), page_size=100)]
    return [i for i in found if i in ids]


def _own_polardb(factory, region, ids):
    client = factory.client("polardb", region=region)
    request = client.models.DescribeDBClustersRequest(region_id=region, dbcluster_ids=",".join(ids))
    found = [raw.get("DBClusterId") for raw in paginate_pages(lambda number, size: client.call(
        "describe_dbclusters", _paged(request, number, size), retry=True), ("Items", "DBCluster"),
        page_size=POLARDB_IDS_PER_CALL)]
    return [i for i in found if i in ids]


def _paged(request, number, size):
    request.page_number, request.page_size = number, size
    return request


_OWN_LISTERS = {"ecs": _own_ecs, "rds": _own_rds, "polardb": _own_polardb}


def _lookup_note(kind, exc, secrets):
    message = describe_error(exc, "could not look up %s instances in the caller's own account" % kind, secrets,
                             remedy=lambda code: "grant the caller %s" % ASSET_TYPES[kind].read_policy)[0]
    return message


def _ecs_permission_note(factory, region, secrets):
    """Why the caller's own ECS list may be empty: None when the caller may read ECS (a DryRun of
    DescribeInstances answers DryRunOperation), else what to grant."""
    client = factory.client("ecs", region=region)
    try:
        client.call("describe_instances", client.models.DescribeInstancesRequest(region_id=region, dry_run=True))
    except Exception as exc:
        if error_code(exc) == "DryRunOperation":
            return None
        return describe_error(exc, "the caller may not read the ECS instances of its own account (DescribeInstances "
                                   "DryRun), so its hosts imported by hand cannot be told apart", secrets,
                              remedy=lambda code: "grant the caller %s" % ASSET_TYPES["ecs"].read_policy)[0]
    return None
