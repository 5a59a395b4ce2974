# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import threading
import time

import pytest

from ansible_collections.alicloud.bastionhost.plugins.module_utils.asset_types import (
    TYPE_NAMES as ASSET_TYPES,
    ecs_asset,
    polardb_asset,
    rds_asset,
    tag_filter_problems,
    use_polardb_endpoint,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import BastionHost
from ansible_collections.alicloud.bastionhost.plugins.module_utils.discovery import (
    DEFAULT_MEMBER_ROLE,
    discover_assets,
    member_role_arn,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.model import (
    asset_key,
    ownership_record,
    sort_assets,
    tags_match,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.client import import_sdk

MEMBER = "1000000000000011"


def discover_member_assets(factory, member_id, regions, **filters):
    """The assets of one member, whose credentials ``factory`` holds; its error raised."""
    assets, errors = discover_assets(lambda _member: factory, [member_id], regions, **filters)
    if errors:
        raise errors[member_id]
    return assets


def imported_assets(client, region, instance_id):
    return BastionHost(client, region, instance_id).imported_assets()


# --- fakes -----------------------------------------------------------------------------
# The fake clients use the real SDK request models, so a wrong field name fails here too.

def _matches(wanted, tags):
    return all(k in tags and (v is None or tags[k] == v) for k, v in wanted.items())


class FakeClient:
    """One product in one region of one account: answers ``call`` from ``items``,
    paging the way the real API does, and records every request."""

    def __init__(self, product, region, items):
        self.product = product
        self.region = region
        self.models = import_sdk(product)[1]
        self.items = items
        self.requests = []

    def call(self, method, request=None, retry=False):
        assert retry, "reads are always retried"
        assert getattr(request, "region_id", self.region) == self.region
        self.requests.append((method, request))
        return getattr(self, method)(request)

    @staticmethod
    def _page(items, number, size):
        start = (int(number) - 1) * int(size)
        return items[start:start + int(size)]

    def describe_instances(self, request):
        wanted = dict((t.key, t.value) for t in request.tag or [])
        items = [i for i in self.items if _matches(wanted, ecs_tags(i))]
        start = int(request.next_token or 0)
        body = {"Instances": {"Instance": items[start:start + request.max_results]}}
        if start + request.max_results < len(items):
            body["NextToken"] = str(start + request.max_results)
        return body

    def describe_dbinstances(self, request):
        wanted = json.loads(request.tags) if request.tags else {}
        # RDS answers instances having ANY of the tags (the fake keeps them beside the items).
        items = [i for i in self.items
                 if not wanted or any(_matches({k: v}, i.get("_tags", {})) for k, v in wanted.items())]
        page = self._page(items, request.page_number, request.page_size)
        page = [dict((k, v) for k, v in i.items() if k != "_tags") for i in page]
        return {"Items": {"DBInstance": page}, "TotalRecordCount": len(items), "PageRecordCount": len(page)}

    def describe_dbclusters(self, request):
        wanted = dict((t.key, t.value) for t in request.tag or [])
        items = [i for i in self.items
                 if _matches(wanted, dict((t["Key"], t["Value"]) for t in i.get("Tags", {}).get("Tag", [])))]
        return {"Items": {"DBCluster": self._page(items, request.page_number, request.page_size)},
                "TotalRecordCount": len(items)}

    def describe_dbcluster_endpoints(self, request):
        cluster = next(i for i in self.items if i["DBClusterId"] == request.dbcluster_id)
        return {"Items": [{"EndpointType": "Cluster", "AddressItems": [
            {"NetType": "Private", "ConnectionString": "%s.rwlb.rds.aliyuncs.com" % cluster["DBClusterId"]}]}]}

    def list_hosts(self, request):
        assert isinstance(request.page_number, str) and isinstance(request.page_size, str)
        hosts = [i for i in self.items if "HostId" in i]
        return {"Hosts": self._page(hosts, request.page_number, request.page_size), "TotalCount": len(hosts)}

    def list_databases(self, request):
        assert isinstance(request.page_number, str) and isinstance(request.page_size, str)
        databases = [i for i in self.items if "DatabaseId" in i]
        return {"Databases": self._page(databases, request.page_number, request.page_size),
                "TotalCount": len(databases)}


class FakeFactory:
    """A ClientFactory holding one account's credentials: ``world[(product, region)]`` is the
    list of raw items that product answers with in that region."""

    def __init__(self, world=None):
        self.world = world or {}
        self.clients = {}

    def client(self, product, region=None):
        key = (product, region)
        if key not in self.clients:
            self.clients[key] = FakeClient(product, region, self.world.get(key, []))
        return self.clients[key]

    def requests(self, product, region):
        return self.client(product, region).requests


def ecs_tags(raw):
    return dict((t["TagKey"], t["TagValue"]) for t in raw.get("Tags", {}).get("Tag", []))


def ecs_raw(number, region="cn-hangzhou", name=None, tags=None, os_type="linux", public=None):
    return {
        "InstanceId": "i-%04d" % number, "InstanceName": name or "web-%d" % number, "RegionId": region,
        "Status": "Running", "OSType": os_type,
        "VpcAttributes": {"PrivateIpAddress": {"IpAddress": ["10.0.%d.%d" % (number // 250, number % 250)]}},
        "PublicIpAddress": {"IpAddress": [public] if public else []},
        "EipAddress": {"IpAddress": ""},
        "Tags": {"Tag": [{"TagKey": k, "TagValue": v} for k, v in (tags or {}).items()]},
    }


def rds_raw(number, region="cn-hangzhou", engine="MySQL", tags=None, name=""):
    return {"DBInstanceId": "rm-%04d" % number, "DBInstanceDescription": name, "RegionId": region,
            "Engine": engine, "DBInstanceStatus": "Running",
            "ConnectionString": "rm-%04d.mysql.rds.aliyuncs.com" % number, "_tags": tags or {}}


def polardb_raw(number, region="cn-hangzhou", db_type="MySQL", tags=None, name=None):
    return {"DBClusterId": "pc-%04d" % number, "DBClusterDescription": name, "RegionId": region,
            "DBType": db_type, "DBClusterStatus": "Running",
            "Tags": {"Tag": [{"Key": k, "Value": v} for k, v in (tags or {}).items()]}}


# --- normalisation ---------------------------------------------------------------------

def test_member_role_arn_defaults_to_the_resource_directory_access_role():
    assert DEFAULT_MEMBER_ROLE == "ResourceDirectoryAccountAccessRole"
    assert member_role_arn(MEMBER) == "acs:ram::1000000000000011:role/ResourceDirectoryAccountAccessRole"
    assert member_role_arn(MEMBER, "BastionhostImportRole") == "acs:ram::1000000000000011:role/BastionhostImportRole"


def test_ecs_item_becomes_an_asset():
    raw = ecs_raw(7, name="shop-web-1", tags={"env": "prod", "bastion": "true"}, public="47.96.118.31")
    assert ecs_asset(MEMBER, raw) == {
        "member_id": MEMBER, "type": "ecs", "instance_id": "i-0007", "region": "cn-hangzhou",
        "name": "shop-web-1", "address": "10.0.0.7", "public_address": "47.96.118.31", "os": "Linux",
        "engine": None, "port": None, "status": "Running", "tags": {"env": "prod", "bastion": "true"},
    }


def test_ecs_classic_network_windows_instance_with_an_eip():
    raw = {"InstanceId": "i-classic", "InstanceName": "win-1", "Status": "Stopped", "OSType": "windows",
           "VpcAttributes": {"PrivateIpAddress": {"IpAddress": []}},
           "InnerIpAddress": {"IpAddress": ["10.9.9.9"]},
           "PublicIpAddress": {"IpAddress": []}, "EipAddress": {"IpAddress": "39.1.2.3"}}
    asset = ecs_asset(MEMBER, raw, region="cn-shanghai")
    assert (asset["address"], asset["public_address"], asset["os"]) == ("10.9.9.9", "39.1.2.3", "Windows")
    assert asset["region"] == "cn-shanghai"
    assert asset["tags"] == {}


@pytest.mark.parametrize("engine,port", [
    ("MySQL", 3306), ("PostgreSQL", 5432), ("SQLServer", 1433), ("MariaDB", 3306), ("Unknown", None),
])
def test_rds_item_gets_the_default_port_of_its_engine(engine, port):
    asset = rds_asset(MEMBER, rds_raw(3, engine=engine))
    assert asset["port"] == port
    assert asset["engine"] == engine
    assert asset["address"] == "rm-0003.mysql.rds.aliyuncs.com"
    assert (asset["type"], asset["os"], asset["public_address"], asset["tags"]) == ("rds", None, None, {})
    assert asset["name"] == "rm-0003"  # no description: named by its id


def test_polardb_item_becomes_an_asset_addressed_through_its_cluster_endpoint():
    endpoints = {"Cluster": {"Private": "pc-0001.rwlb.rds.aliyuncs.com", "Public": "pc-0001.rwlb.public.com"},
                 "Primary": {"Private": "pc-0001.primary.rds.aliyuncs.com"}}
    asset = polardb_asset(MEMBER, polardb_raw(1, region="cn-shanghai", db_type="Oracle", tags={"team": "data"},
                                              name="orders"), endpoints=endpoints)
    assert asset == {
        "member_id": MEMBER, "type": "polardb", "instance_id": "pc-0001", "region": "cn-shanghai",
        "name": "orders", "address": "pc-0001.rwlb.rds.aliyuncs.com", "public_address": "pc-0001.rwlb.public.com",
        "os": None, "engine": "Oracle", "port": 1521, "status": "Running", "tags": {"team": "data"},
        "endpoints": endpoints, "endpoint_type": "Cluster",
    }


def test_a_polardb_cluster_without_endpoints_has_no_address():
    asset = polardb_asset(MEMBER, polardb_raw(1))
    assert (asset["address"], asset["public_address"], asset["endpoints"]) == (None, None, {})


def test_assets_sort_by_member_type_and_instance_id():
    assets = [
        {"member_id": "2", "type": "ecs", "instance_id": "i-a", "region": "r"},
        {"member_id": "1", "type": "rds", "instance_id": "rm-a", "region": "r"},
        {"member_id": "1", "type": "ecs", "instance_id": "i-b", "region": "r"},
        {"member_id": "1", "type": "ecs", "instance_id": "i-a", "region": "r"},
    ]
    assert [(a["member_id"], asset_key(a)) for a in sort_assets(assets)] == [
        ("1", ("ecs", "i-a")), ("1", ("ecs", "i-b")), ("1", ("rds", "rm-a")), ("2", ("ecs", "i-a"))]


# --- filters ---------------------------------------------------------------------------

@pytest.mark.parametrize("wanted,expected", [
    (None, True),
    ({}, True),
    ({"env": "prod"}, True),
    ({"env": "prod", "app": "web"}, True),
    ({"env": "prod", "app": "db"}, False),     # every tag must match
    ({"app": None}, True),                     # key only
    ({"app": ""}, True),                       # key only
    ({"owner": None}, False),
    ({"env": "dev"}, False),
])
def test_tags_match_needs_every_tag(wanted, expected):
    assert tags_match(wanted, {"env": "prod", "app": "web"}) is expected


def test_tag_filter_is_sent_to_ecs_and_rechecked_for_every_tag():
    factory = FakeFactory({("ecs", "cn-hangzhou"): [
        ecs_raw(1, tags={"bastion": "true", "team": "shop"}),
        ecs_raw(2, tags={"bastion": "true"}),                 # lacks the key-only tag
        ecs_raw(3, tags={"bastion": "false", "team": "shop"}),
        ecs_raw(4),
    ]})
    assets = discover_member_assets(factory, MEMBER, ["cn-hangzhou"], types=["ecs"],
                                    tags={"bastion": "true", "team": None})
    assert [a["instance_id"] for a in assets] == ["i-0001"]
    request = factory.requests("ecs", "cn-hangzhou")[0][1]
    # Only tags with a value go to the server: what a key-only filter means is checked here.
    assert [(t.key, t.value) for t in request.tag] == [("bastion", "true")]


def test_rds_matches_any_tag_so_each_tag_is_asked_for_and_intersected():
    factory = FakeFactory({("rds", "cn-hangzhou"): [
        rds_raw(1, tags={"env": "prod", "team": "shop"}),
        rds_raw(2, tags={"env": "prod"}),
        rds_raw(3, tags={"team": "shop"}),
        rds_raw(4, tags={"env": "prod", "team": "data"}),
    ]})
    assets = discover_member_assets(factory, MEMBER, ["cn-hangzhou"], types=["rds"],
                                    tags={"env": "prod", "team": None})
    assert [a["instance_id"] for a in assets] == ["rm-0001", "rm-0004"]
    sent = [json.loads(r.tags) for _m, r in factory.requests("rds", "cn-hangzhou")]
    assert sent == [{"env": "prod"}, {"team": None}]


def test_polardb_tag_filter():
    factory = FakeFactory({("polardb", "cn-hangzhou"): [
        polardb_raw(1, tags={"env": "prod", "app": "db"}), polardb_raw(2, tags={"env": "prod"}),
    ]})
    assets = discover_member_assets(factory, MEMBER, ["cn-hangzhou"], types=["polardb"],
                                    tags={"env": "prod", "app": ""})
    assert [a["instance_id"] for a in assets] == ["pc-0001"]
    request = factory.requests("polardb", "cn-hangzhou")[0][1]
    assert [(t.key, t.value) for t in request.tag] == [("env", "prod")]


def test_name_pattern_is_a_case_sensitive_glob():
    factory = FakeFactory({
        ("ecs", "cn-hangzhou"): [ecs_raw(1, name="shop-web-1"), ecs_raw(2, name="shop-api-1"),
                                 ecs_raw(3, name="Shop-web-2"), ecs_raw(4, name="shop-web-old-1")],
        ("rds", "cn-hangzhou"): [rds_raw(1, name="shop-web-db")],
    })
    assets = discover_member_assets(factory, MEMBER, ["cn-hangzhou"], name_pattern="shop-web-?")
    assert [a["name"] for a in assets] == ["shop-web-1"]
    assets = discover_member_assets(factory, MEMBER, ["cn-hangzhou"], name_pattern="shop-web-*")
    assert [a["instance_id"] for a in assets] == ["i-0001", "i-0004", "rm-0001"]


def test_only_the_asked_types_and_regions_are_read():
    factory = FakeFactory({
        ("ecs", "cn-hangzhou"): [ecs_raw(1)],
        ("rds", "cn-shanghai"): [rds_raw(1, region="cn-shanghai")],
        ("polardb", "cn-shanghai"): [polardb_raw(1, region="cn-shanghai")],
    })
    assets = discover_member_assets(factory, MEMBER, ["cn-shanghai"], types=["rds", "polardb"])
    assert [asset_key(a) for a in assets] == [("polardb", "pc-0001"), ("rds", "rm-0001")]
    assert set(factory.clients) == {("rds", "cn-shanghai"), ("polardb", "cn-shanghai")}


def test_an_unknown_type_is_refused():
    with pytest.raises(ValueError, match="unknown asset type"):
        discover_member_assets(FakeFactory(), MEMBER, ["cn-hangzhou"], types=["ecs", "redis"])


# --- paging ----------------------------------------------------------------------------

def test_every_page_of_every_product_is_read():
    factory = FakeFactory({
        ("ecs", "cn-hangzhou"): [ecs_raw(n) for n in range(250)],
        ("rds", "cn-hangzhou"): [rds_raw(n) for n in range(130)],
        ("polardb", "cn-hangzhou"): [polardb_raw(n) for n in range(101)],
    })
    assets = discover_member_assets(factory, MEMBER, ["cn-hangzhou"])
    assert len(assets) == 250 + 130 + 101
    ecs = factory.requests("ecs", "cn-hangzhou")
    assert [(r.next_token, r.max_results) for _m, r in ecs] == [(None, 100), ("100", 100), ("200", 100)]
    assert [(r.page_number, r.page_size) for _m, r in factory.requests("rds", "cn-hangzhou")] == [(1, 100), (2, 100)]
    polardb = factory.requests("polardb", "cn-hangzhou")
    assert [r.page_number for m, r in polardb if m == "describe_dbclusters"] == [1, 2]
    assert len([m for m, _r in polardb if m == "describe_dbcluster_endpoints"]) == 101


# --- imported assets -------------------------------------------------------------------

def test_imported_assets_pages_and_skips_local_ones():
    hosts = [{"HostId": str(n), "HostName": "host-%d" % n, "Source": "Ecs", "SourceInstanceId": "i-%04d" % n,
              "ActiveAddressType": "Private"} for n in range(120)]
    hosts.append({"HostId": "900", "HostName": "local", "Source": "Local", "SourceInstanceId": "",
                  "ActiveAddressType": "Private"})
    hosts[1]["Comment"] = ownership_record(MEMBER, "cn-shanghai")
    databases = [
        {"DatabaseId": "1", "DatabaseName": "orders", "Source": "Rds", "SourceInstanceId": "rm-0001",
         "SourceInstanceRegionId": "cn-shanghai", "ActiveAddressType": "Private", "NetworkDomainId": "nd-1"},
        {"DatabaseId": "2", "DatabaseName": "polar", "Source": "PolarDB", "SourceInstanceId": "pc-0001",
         "SourceInstanceRegionId": "cn-hangzhou", "ActiveAddressType": "Public", "NetworkDomainId": ""},
        {"DatabaseId": "3", "DatabaseName": "legacy", "Source": "Local", "SourceInstanceId": ""},
    ]
    client = FakeFactory({("bastionhost", "cn-hangzhou"): hosts + databases}).client("bastionhost", "cn-hangzhou")
    imported = imported_assets(client, "cn-hangzhou", "bastionhost-cn-x")
    assert len(imported) == 122
    assert {a["type"] for a in imported} == {"ecs", "rds", "polardb"}
    assert "local" not in [a["name"] for a in imported] and "legacy" not in [a["name"] for a in imported]
    assert imported[0] == {"type": "ecs", "instance_id": "i-0000", "region": None, "asset_id": "0",
                           "name": "host-0", "address": None, "public_address": None, "os": None, "port": None,
                           "address_type": "Private", "network_domain_id": None, "source_state": None,
                           "comment": None, "member_id": None}
    recorded = next(a for a in imported if a["instance_id"] == "i-0001")
    assert (recorded["member_id"], recorded["region"]) == (MEMBER, "cn-shanghai")
    by_type = dict((a["type"], a) for a in imported)
    assert by_type["rds"] == {"type": "rds", "instance_id": "rm-0001", "region": "cn-shanghai", "asset_id": "1",
                              "name": "orders", "address": None, "public_address": None, "os": None, "port": None,
                              "address_type": "Private", "network_domain_id": "nd-1", "source_state": None,
                              "comment": None, "member_id": None}
    assert by_type["polardb"]["region"] == "cn-hangzhou" and by_type["polardb"]["network_domain_id"] is None
    methods = [(m, r.page_number, r.page_size, r.instance_id) for m, r in client.requests]
    # ListHosts and ListDatabases are read at the same time
    assert sorted(methods) == [("list_databases", "1", "100", "bastionhost-cn-x"),
                               ("list_hosts", "1", "100", "bastionhost-cn-x"),
                               ("list_hosts", "2", "100", "bastionhost-cn-x")]


# --- many members ----------------------------------------------------------------------

def test_discover_assets_reports_each_failing_member_and_keeps_the_others(api_error):
    worlds = {
        "1000000000000011": FakeFactory({("ecs", "cn-hangzhou"): [ecs_raw(2)]}),
        "1000000000000012": FakeFactory({("ecs", "cn-hangzhou"): [ecs_raw(1)], ("rds", "cn-hangzhou"): [rds_raw(1)]}),
    }
    role_missing = api_error("EntityNotExist.Role", status=404)

    class Broken(FakeFactory):
        def client(self, product, region=None):
            raise api_error("Forbidden.RAM", status=403)

    def factory_for(member_id):
        if member_id == "1000000000000021":
            raise role_missing
        if member_id == "1000000000000022":
            return Broken()
        return worlds[member_id]

    members = ["1000000000000022", "1000000000000011", "1000000000000021", "1000000000000012"]
    assets, errors = discover_assets(factory_for, members, ["cn-hangzhou"])
    assert [(a["member_id"], a["instance_id"]) for a in assets] == [
        ("1000000000000011", "i-0002"), ("1000000000000012", "i-0001"), ("1000000000000012", "rm-0001")]
    assert set(errors) == {"1000000000000021", "1000000000000022"}
    assert errors["1000000000000021"] is role_missing
    assert errors["1000000000000022"].code == "Forbidden.RAM"


def test_discover_assets_without_members():
    assert discover_assets(lambda m: FakeFactory(), [], ["cn-hangzhou"]) == ([], {})


def test_discover_assets_reads_members_concurrently_but_never_more_than_max_workers():
    lock = threading.Lock()
    state = {"active": 0, "peak": 0}
    both_running = threading.Barrier(2, timeout=5)

    def factory_for(member_id):
        with lock:
            state["active"] += 1
            state["peak"] = max(state["peak"], state["active"])
        try:
            if member_id in ("m0", "m1"):
                both_running.wait()  # only passes when two members are read at the same time
            time.sleep(0.02)
            return FakeFactory({("ecs", "cn-hangzhou"): [ecs_raw(int(member_id[1:]))]})
        finally:
            with lock:
                state["active"] -= 1

    members = ["m%d" % n for n in range(8)]
    assets, errors = discover_assets(factory_for, members, ["cn-hangzhou"], types=["ecs"], max_workers=2)
    assert errors == {}
    assert [a["member_id"] for a in assets] == members
    assert state["peak"] == 2


def test_discover_assets_passes_the_filters_to_every_member():
    seen = []

    def factory_for(member_id):
        seen.append(member_id)
        return FakeFactory({("ecs", "cn-shanghai"): [ecs_raw(1, region="cn-shanghai", tags={"bastion": "true"}),
                                                     ecs_raw(2, region="cn-shanghai")]})

    assets, errors = discover_assets(factory_for, ["a", "b", "a"], ["cn-shanghai"], types=ASSET_TYPES,
                                     tags={"bastion": "true"}, max_workers=1)
    assert errors == {}
    assert sorted(seen) == ["a", "b"]  # a member given twice is read once
    assert [(a["member_id"], a["instance_id"]) for a in assets] == [("a", "i-0001"), ("b", "i-0001")]


def test_a_polardb_asset_takes_the_port_of_its_endpoint():
    endpoints = {"Cluster": {"Private": "pc-1.rwlb", "Port": 3307}, "Primary": {"Private": "pc-1.primary"}}
    asset = polardb_asset(MEMBER, polardb_raw(1), endpoints=endpoints)
    assert (asset["address"], asset["port"]) == ("pc-1.rwlb", 3307)
    primary = use_polardb_endpoint(asset, "Primary")
    assert (primary["address"], primary["port"]) == ("pc-1.primary", 3307)  # no port of its own: the cluster's
    assert use_polardb_endpoint(polardb_asset(MEMBER, polardb_raw(2)), "Cluster")["port"] == 3306


def test_tag_filters_beyond_what_a_list_api_takes_are_refused():
    assert tag_filter_problems({"env": "prod"}, ["ecs", "rds", "polardb"]) == []
    [key_only] = tag_filter_problems({"env": "prod", "app": ""}, ["ecs", "rds", "polardb"])
    assert "key-only tags (app) cannot select rds instances" in key_only
    many = dict(("k%d" % n, "v") for n in range(6))
    assert [p.split(",")[0] for p in tag_filter_problems(many, ["ecs", "rds"])] == [
        "6 tags", ] and "at most 5 tags" in tag_filter_problems(many, ["rds"])[0]
    assert "at most 20 tags" in tag_filter_problems(dict(("k%d" % n, "v") for n in range(21)), ["polardb"])[0]
