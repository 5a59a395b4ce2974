# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bastionhost 2019-12-09: bastion hosts and what multi-account management needs of them."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.alicloud.bastionhost.plugins.module_utils.paging import (
    paginate_pages,
    paginate_pages_concurrently,
    paginate_tokens,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.planning import (
    database_type,
    ownership_record,
    read_ownership,
    sort_assets,
)

# The plan codes the DescribeInstances model documents: cloudbastion is Basic, cloudbastion_ha
# Enterprise. SM Edition's code is not documented, so any other code is reported as it is
# (edition "unknown") and only a documented Basic is refused: the API has the last word.
EDITIONS = {"cloudbastion": "basic", "cloudbastion_ha": "enterprise"}
UNSUPPORTED_EDITIONS = ("basic",)
MULTI_ACCOUNT_MIN_VERSION = "3.2.48"


def version_tuple(version):
    """'3.2.52' -> (3, 2, 52); non-numeric parts are ignored."""
    return tuple(int(part) for part in str(version or "").split(".") if part.isdigit())


def list_instances(client, region, instance_id=None):
    """Raw DescribeInstances items of the caller's bastion hosts in ``region``."""
    def fetch(number, size):
        request = client.models.DescribeInstancesRequest(
            region_id=region, instance_id=[instance_id] if instance_id else None,
            page_number=number, page_size=size)
        return client.call("describe_instances", request, retry=True)
    return paginate_pages(fetch, ("Instances",), page_size=100)


def edition_problem(instance):
    if instance["edition"] in UNSUPPORTED_EDITIONS:
        return ("the bastion host is %s Edition (plan code %s); multi-account management needs "
                "Enterprise or SM Edition" % (instance["edition"].capitalize(), instance["plan_code"]))
    return None


def version_problem(instance):
    if instance["legacy"]:
        return "the bastion host is a legacy (V3.1) instance; multi-account management needs V3.2"
    if version_tuple(instance["version"]) < version_tuple(MULTI_ACCOUNT_MIN_VERSION):
        return "the bastion host runs %s; multi-account management needs %s or later" % (
            instance["version"], MULTI_ACCOUNT_MIN_VERSION)
    return None


def find_instance(client, region, instance_id):
    """The bastion host's facts, or None when the caller has no such instance in ``region``."""
    found = list_instances(client, region, instance_id)
    return instance_facts(found[0]) if found else None


def instance_facts(raw):
    """One bastion host as the modules return it (snake_case)."""
    plan_code = raw.get("PlanCode") or ""
    instance = {
        "instance_id": raw.get("InstanceId"),
        "region": raw.get("RegionId"),
        "description": raw.get("Description"),
        "status": raw.get("InstanceStatus"),
        "plan_code": plan_code,
        "edition": EDITIONS.get(plan_code, "unknown"),
        "version": raw.get("ImageVersion"),
        "legacy": bool(raw.get("Legacy")),
    }
    problems = [p for p in (edition_problem(instance), version_problem(instance)) if p]
    instance["multi_account_supported"] = not problems
    instance["multi_account_unsupported_reasons"] = problems
    return instance


def list_rd_members(client, region, instance_id):
    """UIDs of the Resource Directory members added to a bastion host."""
    def fetch(token, size):
        request = client.models.ListInstanceRdMembersRequest(
            region_id=region, instance_id=instance_id, next_token=token, max_results=size)
        return client.call("list_instance_rd_members", request, retry=True)
    return [str(m.get("MemberId")) for m in paginate_tokens(fetch, ("Members",), max_results=100)]


def add_rd_member(client, region, instance_id, member_id):
    request = client.models.AddInstanceRdMemberRequest(region_id=region, instance_id=instance_id, member_id=member_id)
    client.write("add_instance_rd_member", request,
                 read_back=lambda: True if member_id in list_rd_members(client, region, instance_id) else None)


def remove_rd_member(client, region, instance_id, member_id):
    request = client.models.RemoveInstanceRdMemberRequest(region_id=region, instance_id=instance_id, member_id=member_id)
    client.write("remove_instance_rd_member", request,
                 read_back=lambda: True if member_id not in list_rd_members(client, region, instance_id) else None)


def delete_imported_asset(client, region, instance_id, asset):
    """Delete an imported host or database (an ``imported_assets`` item)."""
    if asset["type"] == "ecs":
        method, request = "delete_host", client.models.DeleteHostRequest(
            region_id=region, instance_id=instance_id, host_id=asset["asset_id"])
    else:
        method, request = "delete_database", client.models.DeleteDatabaseRequest(
            region_id=region, instance_id=instance_id, database_id=asset["asset_id"])
    client.write(method, request,
                 read_back=lambda: True if find_imported(client, region, instance_id, asset) is None else None)


def network_domain_ids(client, region, instance_id):
    """IDs of the network domains of a bastion host."""
    def fetch(number, size):
        request = client.models.ListNetworkDomainsRequest(
            region_id=region, instance_id=instance_id, page_number=str(number), page_size=str(size))
        return client.call("list_network_domains", request, retry=True)
    return [d.get("NetworkDomainId") for d in paginate_pages(fetch, ("NetworkDomains",), page_size=100)]


DATABASE_SOURCES = {"rds": "Rds", "polardb": "PolarDB"}
# ListHosts / ListDatabases Source -> asset type; other sources (Local) are never touched.
IMPORTED_HOST_SOURCES = {"Ecs": "ecs"}
IMPORTED_DATABASE_SOURCES = dict((source, kind) for kind, source in DATABASE_SOURCES.items())
PAGE_SIZE = 100


def import_asset(client, region, instance_id, asset, address_type="Private", network_domain_id=None):
    """Import a member's ECS instance as a host, or its RDS/PolarDB instance as a database, with
    the ownership record (member and region) in its Comment. ``planning.import_blocker`` has
    already made sure the asset can be imported.

    Returns the new host or database ID. A create that may have been applied although it failed
    is read back (``find_imported``) before it is tried again, so it never makes a duplicate."""
    common = dict(region_id=region, instance_id=instance_id, source_instance_id=asset["instance_id"],
                  instance_member_id=int(asset["member_id"]), active_address_type=address_type,
                  network_domain_id=network_domain_id, comment=ownership_record(asset["member_id"], asset["region"]))
    if asset["type"] == "ecs":
        method, id_key = "create_host", "HostId"
        request = client.models.CreateHostRequest(
            source="Ecs", instance_region_id=asset["region"], host_name=asset["name"], ostype=asset["os"] or "Linux",
            host_private_address=asset.get("address"), host_public_address=asset.get("public_address"), **common)
    else:
        method, id_key = "create_database", "DatabaseId"
        kind, port = database_type(asset["engine"])
        request = client.models.CreateDatabaseRequest(
            source=DATABASE_SOURCES[asset["type"]], source_instance_region_id=asset["region"],
            database_name=asset["name"], database_type=kind, database_port=asset.get("port") or port,
            database_private_address=asset.get("address"), database_public_address=asset.get("public_address"),
            polar_dbendpoint_type=asset.get("endpoint_type") if asset["type"] == "polardb" else None, **common)
    created = client.write(method, request, read_back=lambda: _created(find_imported(
        client, region, instance_id, asset), id_key))
    return created.get(id_key)


def _created(asset_id, id_key):
    return {id_key: asset_id} if asset_id is not None else None


def find_imported(client, region, instance_id, asset):
    """The host or database ID of an imported source instance, or None (a read-back after a write)."""
    if asset["type"] == "ecs":
        def fetch(number, size):
            return client.call("list_hosts", client.models.ListHostsRequest(
                instance_id=instance_id, region_id=region, source="Ecs", source_instance_id=asset["instance_id"],
                page_number=str(number), page_size=str(size)), retry=True)
        items, id_key = paginate_pages(fetch, ("Hosts",), page_size=PAGE_SIZE), "HostId"
    else:
        def fetch(number, size):
            return client.call("list_databases", client.models.ListDatabasesRequest(
                instance_id=instance_id, region_id=region, source=DATABASE_SOURCES[asset["type"]],
                page_number=str(number), page_size=str(size)), retry=True)
        items, id_key = paginate_pages(fetch, ("Databases",), page_size=PAGE_SIZE), "DatabaseId"
    return next((str(i.get(id_key)) for i in items if i.get("SourceInstanceId") == asset["instance_id"]), None)


def imported_assets(client, region, instance_id, max_workers=4):
    """The ECS, RDS and PolarDB assets imported into a bastion host (Local ones are left out).

    Each is ``{type, instance_id, asset_id, name, address_type, network_domain_id, source_state,
    member_id, region}``: ``member_id`` and ``region`` come from the ownership record in the
    Comment (None without one; a database's region is also in ListDatabases).

    ListHosts and ListDatabases are read at the same time, and the pages of each after the first
    too, at most ``max_workers`` calls of each at once."""
    def listing(method, request_class, items_key):
        def fetch(number, size):
            request = getattr(client.models, request_class)(
                instance_id=instance_id, region_id=region, page_number=str(number), page_size=str(size))
            return client.call(method, request, retry=True)
        return paginate_pages_concurrently(fetch, (items_key,), page_size=PAGE_SIZE, max_workers=max_workers)

    with ThreadPoolExecutor(max_workers=2) as pool:
        hosts = pool.submit(listing, "list_hosts", "ListHostsRequest", "Hosts")
        databases = pool.submit(listing, "list_databases", "ListDatabasesRequest", "Databases")
        hosts, databases = hosts.result(), databases.result()
    imported = []
    for raw in hosts:
        if raw.get("Source") in IMPORTED_HOST_SOURCES:
            imported.append(_imported(IMPORTED_HOST_SOURCES[raw["Source"]], raw, raw.get("HostId"),
                                      raw.get("HostName"), None))
    for raw in databases:
        if raw.get("Source") in IMPORTED_DATABASE_SOURCES:
            imported.append(_imported(IMPORTED_DATABASE_SOURCES[raw["Source"]], raw, raw.get("DatabaseId"),
                                      raw.get("DatabaseName"), raw.get("SourceInstanceRegionId")))
    return sort_assets(imported)


def _imported(asset_type, raw, asset_id, name, listed_region):
    member_id, region = read_ownership(raw.get("Comment")) or (None, listed_region or None)
    host = asset_type == "ecs"
    return {
        "type": asset_type,
        "instance_id": raw.get("SourceInstanceId"),
        "asset_id": str(asset_id) if asset_id is not None else None,
        "name": name,
        "address": raw.get("HostPrivateAddress" if host else "DatabasePrivateAddress") or None,
        "public_address": raw.get("HostPublicAddress" if host else "DatabasePublicAddress") or None,
        "os": raw.get("OSType") if host else None,
        "address_type": raw.get("ActiveAddressType"),
        # ListHosts does not report it (GetHost does); ListDatabases does.
        "network_domain_id": raw.get("NetworkDomainId") or None,
        "source_state": raw.get("SourceInstanceState"),
        "member_id": member_id,
        "region": region,
    }


# --- keeping imported assets in step -------------------------------------------------------

BATCH_SIZE = 100  # ids per ModifyHostsActiveAddressType, Move*ToNetworkDomain and Add*ToGroup call


def batches(ids, size=BATCH_SIZE):
    ids = list(ids)
    return [ids[start:start + size] for start in range(0, len(ids), size)]


def host_network_domain(client, region, instance_id, host_id):
    """The network domain of an imported host (GetHost: ListHosts does not report it)."""
    body = client.call("get_host", client.models.GetHostRequest(region_id=region, instance_id=instance_id,
                                                                host_id=host_id), retry=True)
    return (body.get("Host") or {}).get("NetworkDomainId") or None


def modify_imported_asset(client, region, instance_id, asset, changes):
    """ModifyHost / ModifyDatabase with the changed name, addresses and OS (setting the same values
    twice is harmless, so the call is retried)."""
    wanted = dict((field, change["after"]) for field, change in changes.items())
    if asset["type"] == "ecs":
        request = client.models.ModifyHostRequest(
            region_id=region, instance_id=instance_id, host_id=asset["asset_id"], host_name=wanted.get("name"),
            host_private_address=wanted.get("address"), host_public_address=wanted.get("public_address"),
            ostype=wanted.get("os"))
        client.call("modify_host", request, retry=True)
    else:
        request = client.models.ModifyDatabaseRequest(
            region_id=region, instance_id=instance_id, database_id=asset["asset_id"],
            source_instance_id=asset["instance_id"], database_name=wanted.get("name"),
            database_private_address=wanted.get("address"), database_public_address=wanted.get("public_address"),
            active_address_type=wanted.get("address_type"))
        client.call("modify_database", request, retry=True)


def set_hosts_address_type(client, region, instance_id, host_ids, address_type):
    for ids in batches(host_ids):
        body = client.call("modify_hosts_active_address_type", client.models.ModifyHostsActiveAddressTypeRequest(
            region_id=region, instance_id=instance_id, host_ids=json.dumps(ids), active_address_type=address_type),
            retry=True)
        require_ok_results(body, "ModifyHostsActiveAddressType")


def move_to_network_domain(client, region, instance_id, kind, asset_ids, domain_id):
    """MoveHostsToNetworkDomain (``kind`` ecs) or MoveDatabasesToNetworkDomain."""
    for ids in batches(asset_ids):
        if kind == "ecs":
            body = client.call("move_hosts_to_network_domain", client.models.MoveHostsToNetworkDomainRequest(
                region_id=region, instance_id=instance_id, host_ids=ids, network_domain_id=domain_id), retry=True)
        else:
            body = client.call("move_databases_to_network_domain",
                               client.models.MoveDatabasesToNetworkDomainRequest(
                                   region_id=region, instance_id=instance_id, database_ids=ids,
                                   network_domain_id=domain_id), retry=True)
        require_ok_results(body, "Move to network domain %s" % domain_id)


def require_ok_results(body, action):
    """A batch call answers 200 with one result per id: any result whose Code is not OK fails."""
    failed = [r for r in body.get("Results") or [] if r.get("Code") not in ("OK", None)]
    if failed:
        raise BatchError("%s refused %d of its ids: %s" % (action, len(failed), "; ".join(
            "%s %s (%s)" % (r.get("HostId") or r.get("DatabaseId"), r.get("Code"), r.get("Message")) for r in failed)))


class BatchError(Exception):
    """Some ids of a batch call were refused."""


def host_groups(client, region, instance_id):
    """``{group name: group id}`` of a bastion host's asset groups."""
    def fetch(number, size):
        return client.call("list_host_groups", client.models.ListHostGroupsRequest(
            region_id=region, instance_id=instance_id, page_number=str(number), page_size=str(size)), retry=True)
    return dict((g.get("HostGroupName"), str(g.get("HostGroupId"))) for g in paginate_pages(
        fetch, ("HostGroups",), page_size=PAGE_SIZE))


def group_members(client, region, instance_id, group_id):
    """``{("ecs", host id), ("db", database id)}`` of one asset group."""
    def listing(method, request_class, items_key, id_key, kind):
        def fetch(number, size):
            return client.call(method, getattr(client.models, request_class)(
                region_id=region, instance_id=instance_id, host_group_id=group_id, page_number=str(number),
                page_size=str(size)), retry=True)
        return set((kind, str(i.get(id_key))) for i in paginate_pages(fetch, (items_key,), page_size=PAGE_SIZE))
    return (listing("list_hosts", "ListHostsRequest", "Hosts", "HostId", "ecs")
            | listing("list_databases", "ListDatabasesRequest", "Databases", "DatabaseId", "db"))


def create_host_group(client, region, instance_id, name):
    """The new group's id; read back by name after an answer that may have been lost."""
    body = client.write("create_host_group", client.models.CreateHostGroupRequest(
        region_id=region, instance_id=instance_id, host_group_name=name),
        read_back=lambda: _created(host_groups(client, region, instance_id).get(name), "HostGroupId"))
    return str(body.get("HostGroupId"))


def add_to_group(client, region, instance_id, group_id, kind, asset_ids):
    """AddHostsToGroup (``kind`` ecs) or AddDatabasesToGroup, read back after a lost answer."""
    for ids in batches(asset_ids):
        if kind == "ecs":
            method, request = "add_hosts_to_group", client.models.AddHostsToGroupRequest(
                region_id=region, instance_id=instance_id, host_group_id=group_id, host_ids=json.dumps(ids))
        else:
            method, request = "add_databases_to_group", client.models.AddDatabasesToGroupRequest(
                region_id=region, instance_id=instance_id, host_group_id=group_id, database_ids=ids)
        wanted = set(("ecs" if kind == "ecs" else "db", i) for i in ids)
        body = client.write(method, request, read_back=lambda wanted=wanted: (
            {} if wanted <= group_members(client, region, instance_id, group_id) else None))
        require_ok_results(body, method)
