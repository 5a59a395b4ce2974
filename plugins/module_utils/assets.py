# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Member assets: discovery inside member accounts (ECS, RDS, PolarDB), through the role
each member lets the caller assume.

    access = MemberAccess(module.clients, role_name="ResourceDirectoryAccountAccessRole")
    assets, errors = discover_assets(access.factory_for, member_ids, regions, max_workers=4)
    # errors: {member_id: exception}; access.describe(member_id, exc) says what to do about one

An asset is a plain dict::

    {member_id, type ('ecs'|'rds'|'polardb'), instance_id, region, name,
     address, public_address, os, engine, port, status, tags}

Its key on a bastion host is ``(type, instance_id)`` (``planning.asset_key``).
"""

from __future__ import annotations

import fnmatch
import json
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.alicloud.bastionhost.plugins.module_utils.errors import (
    error_details,
    remediation_of,
    scrub,
    server_message,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.paging import paginate_pages, paginate_tokens
from ansible_collections.alicloud.bastionhost.plugins.module_utils.planning import (
    ASSET_TYPES,
    database_type,
    normalize_tags,
    use_polardb_endpoint,
    sort_assets,
    tags_match,
)

DEFAULT_MEMBER_ROLE = "ResourceDirectoryAccountAccessRole"
DEFAULT_MAX_WORKERS = 4
PAGE_SIZE = 100
DISCOVERY_POLICIES = "AliyunECSReadOnlyAccess, AliyunRDSReadOnlyAccess and AliyunPolardbReadOnlyAccess"


def member_role_arn(member_id, role_name=DEFAULT_MEMBER_ROLE):
    """``acs:ram::<member_id>:role/<role_name>``."""
    return "acs:ram::%s:role/%s" % (member_id, role_name)


def member_role_remediation(code, role_name, member_id, caller_account, exc=None):
    """What to do when the caller cannot use ``role_name`` in a member: the one place that says it."""
    if code and code.startswith("EntityNotExist.Role"):
        return ("create the role %s in account %s, trusting account %s, or set member_role_name to a role that "
                "exists there" % (role_name, member_id, caller_account))
    if code == "NoPermission":
        return ("run as a RAM user or RAM role (an account's root cannot assume roles) that has "
                "AliyunSTSAssumeRoleAccess, and let the role %s of account %s trust account %s (a delegated "
                "administrator needs a role of its own in each member), or set member_role_name to a role that "
                "does" % (role_name, member_id, caller_account))
    if code == "Forbidden.RAM":
        return "grant the caller AliyunSTSAssumeRoleAccess and the role %s %s" % (role_name, DISCOVERY_POLICIES)
    generic = remediation_of(exc, code)
    return generic or "check member_role_name and that the role can read ECS, RDS and PolarDB"


class OncePerKey:
    """``get(key)`` is ``build(key)``, built once however many threads ask at the same time; an
    error is kept and raised to every later caller too."""

    def __init__(self, build):
        self.build = build
        self._values = {}
        self._locks = {}
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            key_lock = self._locks.setdefault(key, threading.Lock())
        with key_lock:
            if key not in self._values:
                try:
                    self._values[key] = (True, self.build(key))
                except Exception as exc:
                    self._values[key] = (False, exc)
            built, value = self._values[key]
        if not built:
            raise value
        return value


class MemberAccess:
    """Client factories inside members, one AssumeRole per member however many threads ask."""

    def __init__(self, caller_factory, role_name=DEFAULT_MEMBER_ROLE, caller_account=None, secrets=()):
        self.role_name = role_name
        self.caller_account = caller_account
        self.secrets = secrets
        self._factories = OncePerKey(
            lambda member_id: caller_factory.for_assumed_role(member_role_arn(member_id, role_name)))

    def factory_for(self, member_id):
        """The member's factory; the first thread to ask assumes the role, the others wait for it
        and get its factory, or its error."""
        return self._factories.get(member_id)

    def describe(self, member_id, exc, member_label=str):
        """``(message, details)`` for a member that could not be read through its role."""
        details = error_details(exc)
        references = ", ".join("%s: %s" % (label, details[key])
                               for label, key in (("code", "code"), ("request id", "request_id")) if details[key])
        remedy = member_role_remediation(details["code"], self.role_name, member_id, self.caller_account, exc)
        message = "%s with role %s: %s%s. %s%s." % (
            member_label(member_id), member_role_arn(member_id, self.role_name),
            " ".join(server_message(exc).split()).rstrip("."), " (%s)" % references if references else "",
            remedy[0].upper(), remedy[1:])
        return scrub(message, self.secrets), details


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


def _valued_tags(tags):
    """The tags with a value: the ones a server-side filter can express safely."""
    return dict((k, v) for k, v in normalize_tags(tags).items() if v)


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
        "port": (database_type(engine) or (None, None))[1] if asset_type != "ecs" else None,
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


def polardb_asset(member_id, raw, region=None, endpoints=None):
    """One DescribeDBClusters item (PolarDB 2017-08-01) as an asset. The list carries no
    endpoints: ``endpoints`` (from ``polardb_endpoints``) gives ``{type: {NetType: address}}``, and
    ``address``/``public_address`` are those of the Cluster endpoint (``planning.use_polardb_endpoint``
    picks another type)."""
    asset = _asset(member_id, "polardb", raw.get("DBClusterId"), raw.get("RegionId") or region,
                   raw.get("DBClusterDescription"), None, raw.get("DBClusterStatus"),
                   engine=raw.get("DBType"), tags=_tag_dict(raw.get("Tags"), "Key", "Value"))
    asset["endpoints"] = endpoints or {}
    return use_polardb_endpoint(asset, "Cluster")


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
    for key, value in sorted(normalize_tags(tags).items()):
        items = listing(json.dumps({key: value or None}))
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
    clusters = paginate_pages(fetch, ("Items", "DBCluster"), page_size=PAGE_SIZE)
    for cluster in clusters:
        cluster["_endpoints"] = polardb_endpoints(client, cluster.get("DBClusterId"))
    return clusters


def polardb_endpoints(client, cluster_id):
    """``{endpoint type: {"Private": address, "Public": address}}`` of a PolarDB cluster
    (DescribeDBClusterEndpoints; the connection string, else the IP address)."""
    body = client.call("describe_dbcluster_endpoints",
                       client.models.DescribeDBClusterEndpointsRequest(dbcluster_id=cluster_id), retry=True)
    endpoints = {}
    for item in body.get("Items") or []:
        for address in item.get("AddressItems") or []:
            value = address.get("ConnectionString") or address.get("IPAddress")
            if value:
                endpoints.setdefault(item.get("EndpointType"), {})[address.get("NetType")] = value
    return endpoints


# type -> (lister, normaliser, whether the list returns tags to re-check client-side)
_DISCOVERY = {
    "ecs": (list_ecs, ecs_asset, True),
    "rds": (list_rds, rds_asset, False),
    "polardb": (list_polardb, lambda member_id, raw, region: polardb_asset(
        member_id, raw, region, raw.get("_endpoints")), True),
}


def _check_types(types):
    unknown = [t for t in types if t not in _DISCOVERY]
    if unknown:
        raise ValueError("unknown asset type(s) %s, expected %s" % (", ".join(unknown), ", ".join(ASSET_TYPES)))


def discover_unit(factory, member_id, region, asset_type, tags=None, name_pattern=None):
    """The assets of one type in one region of one member; ``factory`` holds the member's credentials."""
    lister, normalise, returns_tags = _DISCOVERY[asset_type]
    assets = []
    for raw in lister(factory, region, tags):
        asset = normalise(member_id, raw, region)
        if returns_tags and not tags_match(tags, asset["tags"]):
            continue
        if name_pattern and not fnmatch.fnmatchcase(asset["name"] or "", name_pattern):
            continue
        assets.append(asset)
    return assets


def discover_member_assets(factory, member_id, regions, types=ASSET_TYPES, tags=None, name_pattern=None):
    """Every asset of one member in ``regions``; ``factory`` holds the member's credentials.

    ``tags``: every tag must match (a value of None or "" only needs the key);
    ``name_pattern``: a shell-style glob on the name (case-sensitive)."""
    _check_types(types)
    return sort_assets([asset for region in regions for asset_type in ASSET_TYPES if asset_type in types
                        for asset in discover_unit(factory, member_id, region, asset_type, tags, name_pattern)])


def discover_assets(factory_for, members, regions, types=ASSET_TYPES, tags=None, name_pattern=None,
                    max_workers=DEFAULT_MAX_WORKERS):
    """Discover the assets of many members: every (member, region, type) is read on its own, at most
    ``max_workers`` at a time.

    ``factory_for(member_id)`` returns a ClientFactory with that member's credentials (it
    usually assumes the member's role).  Every member is attempted; returns ``(assets,
    errors)`` with the assets of the members that worked, sorted, and ``errors`` mapping
    each failing member id to its exception (the first one met)."""
    _check_types(types)
    members = list(dict.fromkeys(members))
    units = [(member_id, region, asset_type) for member_id in members for region in dict.fromkeys(regions)
             for asset_type in ASSET_TYPES if asset_type in types]
    found, errors = {}, {}
    if not units:
        return [], errors

    factories = OncePerKey(factory_for)

    def discover(unit):
        member_id, region, asset_type = unit
        return discover_unit(factories.get(member_id), member_id, region, asset_type, tags, name_pattern)

    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(units)))) as pool:
        futures = [(unit, pool.submit(discover, unit)) for unit in units]
        for (member_id, _region, _type), future in futures:
            try:
                found.setdefault(member_id, []).extend(future.result())
            except Exception as exc:
                errors.setdefault(member_id, exc)
    return sort_assets([a for member_id, assets in found.items() if member_id not in errors for a in assets]), errors


def known_regions(factory):
    """The region IDs ECS has (DescribeRegions), to refuse a region the service does not have."""
    client = factory.client("ecs")
    body = client.call("describe_regions", client.models.DescribeRegionsRequest(), retry=True)
    return sorted(r.get("RegionId") for r in ((body.get("Regions") or {}).get("Region") or []))
