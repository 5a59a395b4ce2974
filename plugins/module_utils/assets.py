# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Member assets: discovery inside member accounts (ECS, RDS, PolarDB) and the assets a
bastion host has already imported.

    member = module.clients.for_assumed_role(member_role_arn("1000000000000011"))
    assets = discover_member_assets(member, "1000000000000011", ["cn-hangzhou"], tags={"bastion": "true"})
    assets, errors = discover_assets(
        lambda member_id: module.clients.for_assumed_role(member_role_arn(member_id)),
        member_ids, regions, max_workers=4)           # errors: {member_id: exception}
    imported = imported_assets(module.client("bastionhost"), region, instance_id)

An asset is a plain dict::

    {member_id, type ('ecs'|'rds'|'polardb'), instance_id, region, name,
     address, public_address, os, engine, port, status, tags}

The key of an asset, on both sides, is ``(type, instance_id)`` (``asset_key``): ListHosts and
ListDatabases do not say which member an imported asset came from.
"""

from __future__ import annotations

import fnmatch
import json
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.alicloud.bastionhost.plugins.module_utils.paging import paginate_pages, paginate_tokens

ASSET_TYPES = ("ecs", "rds", "polardb")
DEFAULT_MEMBER_ROLE = "ResourceDirectoryAccountAccessRole"
DEFAULT_MAX_WORKERS = 4
PAGE_SIZE = 100

# The list APIs do not return database ports: the engine's default port stands in.
DEFAULT_PORTS = {"mysql": 3306, "mariadb": 3306, "postgresql": 5432, "sqlserver": 1433, "oracle": 1521}
# ListHosts / ListDatabases Source -> asset type; other sources (Local) are never touched.
HOST_SOURCES = {"Ecs": "ecs"}
DATABASE_SOURCES = {"Rds": "rds", "PolarDB": "polardb"}


def member_role_arn(member_id, role_name=DEFAULT_MEMBER_ROLE):
    """``acs:ram::<member_id>:role/<role_name>``."""
    return "acs:ram::%s:role/%s" % (member_id, role_name)


def asset_key(asset):
    """What identifies an asset on a bastion host: ``(type, instance_id)``."""
    return asset["type"], asset["instance_id"]


def sort_assets(assets):
    """Assets sorted by member, type and instance id (imported ones have no member)."""
    return sorted(assets, key=lambda a: (a.get("member_id") or "", a["type"], a["instance_id"], a.get("region") or ""))


def default_port(engine):
    return DEFAULT_PORTS.get(str(engine or "").lower())


def tags_match(wanted, actual):
    """True when ``actual`` has every tag of ``wanted``; a wanted value of None or "" only
    needs the key."""
    return all(key in actual and (value in (None, "") or str(actual[key]) == str(value))
               for key, value in (wanted or {}).items())


def _valued_tags(tags):
    """The tags with a value: the ones a server-side filter can express safely."""
    return dict((k, str(v)) for k, v in (tags or {}).items() if v not in (None, ""))


def _first(value):
    """The first address of an ``{"IpAddress": [...]}`` node (or of a plain string)."""
    addresses = (value or {}).get("IpAddress") if isinstance(value, dict) else value
    if isinstance(addresses, list):
        addresses = addresses[0] if addresses else None
    return addresses or None


def _tag_dict(node, key_name, value_name):
    """``{"Tag": [{key_name: k, value_name: v}, ...]}`` (or the bare list) -> ``{k: v}``."""
    rows = node.get("Tag") if isinstance(node, dict) else node
    return dict((row.get(key_name), row.get(value_name) or "") for row in rows or [] if row.get(key_name))


def _asset(member_id, asset_type, instance_id, region, name, address, status, public_address=None, os=None,
           engine=None, tags=None):
    return {
        "member_id": member_id,
        "type": asset_type,
        "instance_id": instance_id,
        "region": region,
        "name": name or instance_id,
        "address": address or None,
        "public_address": public_address or None,
        "os": os,
        "engine": engine or None,
        "port": default_port(engine) if asset_type != "ecs" else None,
        "status": status,
        "tags": tags or {},
    }


def ecs_asset(member_id, raw, region=None):
    """One DescribeInstances item (ECS 2014-05-26) as an asset."""
    os_type = str(raw.get("OSType") or "").lower()
    address = _first((raw.get("VpcAttributes") or {}).get("PrivateIpAddress")) or _first(raw.get("InnerIpAddress"))
    public = _first(raw.get("PublicIpAddress")) or _first(raw.get("EipAddress"))
    return _asset(member_id, "ecs", raw.get("InstanceId"), raw.get("RegionId") or region, raw.get("InstanceName"),
                  address, raw.get("Status"), public_address=public,
                  os={"linux": "Linux", "windows": "Windows"}.get(os_type, raw.get("OSType") or None),
                  tags=_tag_dict(raw.get("Tags"), "TagKey", "TagValue"))


def rds_asset(member_id, raw, region=None):
    """One DescribeDBInstances item (RDS 2014-08-15) as an asset; the list carries neither
    tags nor a public connection string."""
    return _asset(member_id, "rds", raw.get("DBInstanceId"), raw.get("RegionId") or region,
                  raw.get("DBInstanceDescription"), raw.get("ConnectionString"), raw.get("DBInstanceStatus"),
                  engine=raw.get("Engine"), tags=_tag_dict(raw.get("Tags"), "TagKey", "TagValue"))


def polardb_asset(member_id, raw, region=None):
    """One DescribeDBClusters item (PolarDB 2017-08-01) as an asset; the list carries no
    endpoints, so ``address`` is None."""
    return _asset(member_id, "polardb", raw.get("DBClusterId"), raw.get("RegionId") or region,
                  raw.get("DBClusterDescription"), None, raw.get("DBClusterStatus"),
                  engine=raw.get("DBType"), tags=_tag_dict(raw.get("Tags"), "Key", "Value"))


def list_ecs(factory, region, tags=None):
    """Raw ECS instances of the factory's account in ``region`` (server-side tag filter)."""
    client = factory.client("ecs", region=region)
    tag = [client.models.DescribeInstancesRequestTag(key=k, value=v) for k, v in sorted(_valued_tags(tags).items())]

    def fetch(token, size):
        request = client.models.DescribeInstancesRequest(
            region_id=region, next_token=token, max_results=size, tag=tag or None)
        return client.call("describe_instances", request, retry=True)
    return paginate_tokens(fetch, ("Instances", "Instance"), max_results=PAGE_SIZE)


def list_rds(factory, region, tags=None):
    """Raw RDS instances in ``region`` having every tag of ``tags``.

    DescribeDBInstances matches instances having ANY of the given tags and returns no tags,
    so each tag is asked for on its own and the answers are intersected (a key-only tag is
    sent with a null value)."""
    client = factory.client("rds", region=region)

    def listing(tag_filter):
        def fetch(number, size):
            request = client.models.DescribeDBInstancesRequest(
                region_id=region, page_number=number, page_size=size, tags=tag_filter)
            return client.call("describe_dbinstances", request, retry=True)
        return paginate_pages(fetch, ("Items", "DBInstance"), page_size=PAGE_SIZE)

    if not tags:
        return listing(None)
    found = None
    for key, value in sorted(tags.items()):
        items = listing(json.dumps({key: None if value in (None, "") else str(value)}))
        if found is None:
            found = items
        else:
            ids = set(raw.get("DBInstanceId") for raw in items)
            found = [raw for raw in found if raw.get("DBInstanceId") in ids]
    return found


def list_polardb(factory, region, tags=None):
    """Raw PolarDB clusters in ``region`` (server-side tag filter)."""
    client = factory.client("polardb", region=region)
    tag = [client.models.DescribeDBClustersRequestTag(key=k, value=v) for k, v in sorted(_valued_tags(tags).items())]

    def fetch(number, size):
        request = client.models.DescribeDBClustersRequest(
            region_id=region, page_number=number, page_size=size, tag=tag or None)
        return client.call("describe_dbclusters", request, retry=True)
    return paginate_pages(fetch, ("Items", "DBCluster"), page_size=PAGE_SIZE)


# type -> (lister, normaliser, whether the list returns tags to re-check client-side)
_DISCOVERY = {
    "ecs": (list_ecs, ecs_asset, True),
    "rds": (list_rds, rds_asset, False),
    "polardb": (list_polardb, polardb_asset, True),
}


def discover_member_assets(factory, member_id, regions, types=ASSET_TYPES, tags=None, name_pattern=None):
    """Every asset of one member in ``regions``; ``factory`` holds the member's credentials.

    ``tags``: every tag must match (a value of None or "" only needs the key);
    ``name_pattern``: a shell-style glob on the name (case-sensitive)."""
    unknown = [t for t in types if t not in _DISCOVERY]
    if unknown:
        raise ValueError("unknown asset type(s) %s, expected %s" % (", ".join(unknown), ", ".join(ASSET_TYPES)))
    assets = []
    for region in regions:
        for asset_type in ASSET_TYPES:
            if asset_type not in types:
                continue
            lister, normalise, returns_tags = _DISCOVERY[asset_type]
            for raw in lister(factory, region, tags):
                asset = normalise(member_id, raw, region)
                if returns_tags and not tags_match(tags, asset["tags"]):
                    continue
                if name_pattern and not fnmatch.fnmatchcase(asset["name"] or "", name_pattern):
                    continue
                assets.append(asset)
    return sort_assets(assets)


def discover_assets(factory_for, members, regions, types=ASSET_TYPES, tags=None, name_pattern=None,
                    max_workers=DEFAULT_MAX_WORKERS):
    """Discover the assets of many members, at most ``max_workers`` at a time.

    ``factory_for(member_id)`` returns a ClientFactory with that member's credentials (it
    usually assumes the member's role).  Every member is attempted; returns ``(assets,
    errors)`` with the assets of the members that worked, sorted, and ``errors`` mapping
    each failing member id to its exception."""
    def discover(member_id):
        return discover_member_assets(factory_for(member_id), member_id, regions, types, tags, name_pattern)

    members = list(dict.fromkeys(members))
    assets, errors = [], {}
    if not members:
        return assets, errors
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(members)))) as pool:
        futures = [(member_id, pool.submit(discover, member_id)) for member_id in members]
        for member_id, future in futures:
            try:
                assets.extend(future.result())
            except Exception as exc:
                errors[member_id] = exc
    return sort_assets(assets), errors


def imported_assets(bastion_client, region, instance_id):
    """The ECS, RDS and PolarDB assets already imported into a bastion host.

    Each is ``{type, instance_id, region, asset_id, name, address_type, network_domain_id}``;
    ``instance_id`` is the source instance id, ``region`` is None when the API does not give
    it (ListHosts).  Local hosts and databases are left out."""
    client = bastion_client

    def listing(method, request_class, items_key):
        def fetch(number, size):
            request = getattr(client.models, request_class)(
                instance_id=instance_id, region_id=region, page_number=str(number), page_size=str(size))
            return client.call(method, request, retry=True)
        return paginate_pages(fetch, (items_key,), page_size=PAGE_SIZE)

    imported = []
    for raw in listing("list_hosts", "ListHostsRequest", "Hosts"):
        if raw.get("Source") in HOST_SOURCES:
            imported.append(_imported(HOST_SOURCES[raw["Source"]], raw, raw.get("HostId"), raw.get("HostName"),
                                      raw.get("InstanceRegionId")))
    for raw in listing("list_databases", "ListDatabasesRequest", "Databases"):
        if raw.get("Source") in DATABASE_SOURCES:
            imported.append(_imported(DATABASE_SOURCES[raw["Source"]], raw, raw.get("DatabaseId"),
                                      raw.get("DatabaseName"), raw.get("SourceInstanceRegionId")))
    return sort_assets(imported)


def _imported(asset_type, raw, asset_id, name, region):
    return {
        "type": asset_type,
        "instance_id": raw.get("SourceInstanceId"),
        "region": region or None,
        "asset_id": asset_id,
        "name": name,
        "address_type": raw.get("ActiveAddressType"),
        "network_domain_id": raw.get("NetworkDomainId") or None,
    }
