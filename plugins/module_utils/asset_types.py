# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The asset-type registry: everything that varies by asset type, in one table (``ASSET_TYPES``).

Each type says which product lists it inside a member (and that product's SDK), how a listed
item becomes an asset (model.new_asset), what Bastionhost calls it (``source``: ListHosts /
ListDatabases ``Source``, CreateHost / CreateDatabase ``Source``), whether it becomes a host or
a database, whether its list carries tags (RDS's does not: its tag filter is server-side only)
and the read-only policy a remedy names. Adding a type is a new entry here (CONTRIBUTING.md).
"""

from __future__ import annotations

import json
from collections import namedtuple

from ansible_collections.alicloud.bastionhost.plugins.module_utils.model import new_asset, normalize_tags, valued_tags
from ansible_collections.alicloud.bastionhost.plugins.module_utils.paging import paginate_pages, paginate_tokens

HOST, DATABASE = "host", "database"
PAGE_SIZE = 100

# product: the ClientFactory product; sdk: (package, distribution) of its official SDK.
# list_assets(factory, region, tags): raw items; to_asset(member_id, raw, region): an asset.
# select_endpoint(asset, endpoint_type): the asset addressed through that endpoint, or None.
# tag_filter: (the most tags its list's filter takes, whether a key-only tag can select it, the source).
# may_list(factory, region): raises unless the caller may list (for a list that answers a caller without
# permission with an empty list), or None.
AssetType = namedtuple("AssetType", "name product sdk kind source list_assets to_asset list_has_tags read_policy "
                                    "select_endpoint tag_filter may_list")


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


# --- ECS 2014-05-26 -------------------------------------------------------------------------

def ecs_asset(member_id, raw, region=None):
    """One DescribeInstances item (ECS 2014-05-26) as an asset."""
    os_type = str(raw.get("OSType") or "").lower()
    address = _first((raw.get("VpcAttributes") or {}).get("PrivateIpAddress")) or _first(raw.get("InnerIpAddress"))
    public = _first(raw.get("PublicIpAddress")) or _first(raw.get("EipAddress"))
    return new_asset(member_id, "ecs", raw.get("InstanceId"), raw.get("RegionId") or region, raw.get("InstanceName"),
                     address, raw.get("Status"), public_address=public,
                     os={"linux": "Linux", "windows": "Windows"}.get(os_type, raw.get("OSType") or None),
                     tags=_tag_dict(raw.get("Tags"), "TagKey", "TagValue"))


def tag_filter(tag_model, tags):
    """The ``Tag`` list of a request whose API filters on tags server-side: only the tags with a
    value (a key-only tag is checked client-side, model.tags_match), or None."""
    return [tag_model(key=k, value=v) for k, v in sorted(valued_tags(tags).items())] or None


def ecs_may_list(factory, region):
    """Raises unless the caller may list ECS instances. DescribeInstances answers an empty list, not an
    error, to a RAM user or role without permission, and "You can include the DryRun parameter in your
    request to check whether the empty list is caused by lack of permissions" (its API reference): the
    dry run answers DryRunOperation when the call would succeed, and an error otherwise."""
    client = factory.client("ecs", region=region)
    try:
        client.call("describe_instances", client.models.DescribeInstancesRequest(region_id=region, dry_run=True),
                    retry=True)
    except Exception as exc:
        if getattr(exc, "code", None) != "DryRunOperation":
            raise


def list_ecs(factory, region, tags=None):
    """Raw ECS instances of the factory's account in ``region`` (server-side tag filter)."""
    client = factory.client("ecs", region=region)
    tag = tag_filter(client.models.DescribeInstancesRequestTag, tags)
    return paginate_tokens(lambda token, size: client.call("describe_instances", client.models.DescribeInstancesRequest(
        region_id=region, next_token=token, max_results=size, tag=tag), retry=True), ("Instances", "Instance"),
        max_results=PAGE_SIZE)


# --- RDS 2014-08-15 -------------------------------------------------------------------------

def rds_asset(member_id, raw, region=None):
    """One DescribeDBInstances item (RDS 2014-08-15) as an asset; the list carries neither
    tags nor a public connection string."""
    return new_asset(member_id, "rds", raw.get("DBInstanceId"), raw.get("RegionId") or region,
                     raw.get("DBInstanceDescription"), raw.get("ConnectionString"), raw.get("DBInstanceStatus"),
                     engine=raw.get("Engine"), tags=_tag_dict(raw.get("Tags"), "TagKey", "TagValue"))


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
    for key, value in sorted(normalize_tags(tags).items()):
        items = listing(json.dumps({key: value or None}))
        if found is None:
            found = items
        else:
            ids = set(raw.get("DBInstanceId") for raw in items)
            found = [raw for raw in found if raw.get("DBInstanceId") in ids]
    return found


# --- PolarDB 2017-08-01 ---------------------------------------------------------------------

POLARDB_ENDPOINT_TYPES = ("Cluster", "Primary")


def polardb_asset(member_id, raw, region=None, endpoints=None):
    """One DescribeDBClusters item (PolarDB 2017-08-01) as an asset. The list carries no
    endpoints: ``list_polardb`` adds them (``_endpoints``, or ``endpoints``: ``{type: {NetType: address}}``), and
    ``address``/``public_address`` are those of the Cluster endpoint (``use_polardb_endpoint``
    picks another type)."""
    asset = new_asset(member_id, "polardb", raw.get("DBClusterId"), raw.get("RegionId") or region,
                      raw.get("DBClusterDescription"), None, raw.get("DBClusterStatus"),
                      engine=raw.get("DBType"), tags=_tag_dict(raw.get("Tags"), "Key", "Value"))
    asset["endpoints"] = (endpoints if endpoints is not None else raw.get("_endpoints")) or {}
    return use_polardb_endpoint(asset, "Cluster")


def use_polardb_endpoint(asset, endpoint_type):
    """A PolarDB asset addressed through its ``endpoint_type`` endpoint (Cluster or Primary):
    CreateDatabase's PolarDBEndpointType, with that endpoint's private and public addresses and its
    port (the engine's default when the endpoint gives none)."""
    addresses = (asset.get("endpoints") or {}).get(endpoint_type) or {}
    return dict(asset, endpoint_type=endpoint_type, address=addresses.get("Private"),
                public_address=addresses.get("Public"), port=addresses.get("Port") or asset.get("port"))


def list_polardb(factory, region, tags=None):
    """Raw PolarDB clusters in ``region`` (server-side tag filter), each with its ``_endpoints``."""
    client = factory.client("polardb", region=region)
    tag = tag_filter(client.models.DescribeDBClustersRequestTag, tags)
    clusters = paginate_pages(lambda number, size: client.call("describe_dbclusters", (
        client.models.DescribeDBClustersRequest(region_id=region, page_number=number, page_size=size, tag=tag)),
        retry=True), ("Items", "DBCluster"), page_size=PAGE_SIZE)
    for cluster in clusters:
        cluster["_endpoints"] = polardb_endpoints(client, cluster.get("DBClusterId"))
    return clusters


def polardb_endpoints(client, cluster_id):
    """``{endpoint type: {"Private": address, "Public": address, "Port": port}}`` of a PolarDB cluster
    (DescribeDBClusterEndpoints; the connection string, else the IP address; the port its
    AddressItems give, which the cluster listens on whatever its engine's default)."""
    body = client.call("describe_dbcluster_endpoints",
                       client.models.DescribeDBClusterEndpointsRequest(dbcluster_id=cluster_id), retry=True)
    endpoints = {}
    for item in body.get("Items") or []:
        for address in item.get("AddressItems") or []:
            value = address.get("ConnectionString") or address.get("IPAddress")
            if value:
                endpoint = endpoints.setdefault(item.get("EndpointType"), {})
                endpoint[address.get("NetType")] = value
                if str(address.get("Port") or "").isdigit():
                    endpoint["Port"] = int(address["Port"])
    return endpoints


# --- the registry ---------------------------------------------------------------------------

ASSET_TYPES = {
    "ecs": AssetType("ecs", "ecs", ("alibabacloud_ecs20140526", "alibabacloud-ecs20140526"), HOST, "Ecs",
                     list_ecs, ecs_asset, True, "AliyunECSReadOnlyAccess", None,
                     (20, True, "ECS DescribeInstances Tag.N, N from 1 to 20"), ecs_may_list),
    # Its list returns no tags, and its filter takes only key-value pairs: a key-only tag cannot select.
    "rds": AssetType("rds", "rds", ("alibabacloud_rds20140815", "alibabacloud-rds20140815"), DATABASE, "Rds",
                     list_rds, rds_asset, False, "AliyunRDSReadOnlyAccess", None,
                     (5, False, 'RDS DescribeDBInstances Tags, "up to 5 tags", {"key1":"value1"}'), None),
    "polardb": AssetType("polardb", "polardb", ("alibabacloud_polardb20170801", "alibabacloud-polardb20170801"),
                         DATABASE, "PolarDB", list_polardb, polardb_asset, True, "AliyunPolardbReadOnlyAccess",
                         use_polardb_endpoint, (20, True, "PolarDB DescribeDBClusters Tag.N, up to 20"), None),
}
TYPE_NAMES = tuple(ASSET_TYPES)
# ListHosts / ListDatabases Source -> asset type; other sources (Local) are never touched.
TYPE_OF_SOURCE = dict(((t.kind, t.source), t.name) for t in ASSET_TYPES.values())
_POLICIES = [t.read_policy for t in ASSET_TYPES.values()]
DISCOVERY_POLICIES = "%s and %s" % (", ".join(_POLICIES[:-1]), _POLICIES[-1])


def tag_filter_problems(tags, types):
    """Why a tag filter cannot select assets of ``types`` as their list APIs document, as messages."""
    tags = normalize_tags(tags)
    problems = []
    for name in types:
        most, key_only, source = ASSET_TYPES[name].tag_filter
        if len(tags) > most:
            problems.append("%d tags, more than %s takes (%s): use at most %d tags, or leave %s out of types" % (
                len(tags), name, source, most, name))
        empty = sorted(k for k, v in tags.items() if not v)
        if empty and not key_only:
            problems.append("key-only tags (%s) cannot select %s instances: %s filters on key and value only (%s) "
                            "and its list returns no tags; give each tag a value, or leave %s out of types" % (
                                ", ".join(empty), name, name, source, name))
    return problems


def asset_type(asset_or_name):
    """The registry entry of an asset (or of a type name)."""
    name = asset_or_name if isinstance(asset_or_name, str) else asset_or_name["type"]
    return ASSET_TYPES[name]


def is_host(asset):
    return asset_type(asset).kind == HOST


def addressed(asset, endpoint_type):
    """The asset addressed through ``endpoint_type`` where its type has endpoints (PolarDB)."""
    select = asset_type(asset).select_endpoint
    return select(asset, endpoint_type) if select else asset
