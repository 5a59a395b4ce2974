# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bastionhost 2019-12-09: the bastion hosts of the caller, and the ``BastionHost`` service that owns
every read and write the modules make on one of them.

    bastion = BastionHost(module.client("bastionhost"), module.region, instance_id, max_workers=4)
    imported = bastion.imported_assets()
    asset_id = bastion.import_asset(asset, "Private", None)
    bastion.update_record(asset, {"name": {"before": "web-1", "after": "shop-web-1"}})

The plan (planning.py) says *what* changes; this file says *how* it is written: which action,
which batch of at most 100 ids, what to read back after an answer that may have been lost.
"""

from __future__ import annotations

import json
import re

from ansible_collections.alicloud.bastionhost.plugins.module_utils.asset_types import (
    DATABASE,
    HOST,
    TYPE_OF_SOURCE,
    asset_type,
    is_host,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.concurrency import (
    run_concurrently,
    values_or_raise,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.model import (
    database_type,
    ownership_record,
    read_ownership,
    sort_assets,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.paging import (
    paginate_pages,
    paginate_pages_concurrently,
    paginate_tokens,
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


class BatchError(Exception):
    """Some ids of a batch call were refused."""


class DoneElsewhere(Exception):
    """A write was refused, but what it was to do holds: another run (a schedule overlapping a manual run)
    did it. ``value`` is what the read-back found (a new asset's id, a group's id)."""

    def __init__(self, value, refusal):
        super().__init__("already done by another run (%s)" % refusal)
        self.value = value
        self.refusal = refusal


class Vanished(Exception):
    """An update was refused because the asset is no longer on the bastion host (another run removed it)."""


def require_ok_results(body, action):
    """A batch call answers 200 with one result per id: any result whose Code is not OK fails."""
    failed = [r for r in body.get("Results") or [] if r.get("Code") not in ("OK", None)]
    if failed:
        raise BatchError("%s refused %d of its ids: %s" % (action, len(failed), "; ".join(
            "%s %s (%s)" % (r.get("HostId") or r.get("DatabaseId"), r.get("Code"), r.get("Message")) for r in failed)))


# The Comment of an asset group the collection creates, with the name it made it for (a person may rename it).
GROUP_MARK = "created by alicloud.bastionhost for %s"
_GROUP_MARK = re.compile(r"^created by alicloud\.bastionhost for (.+)$", re.DOTALL)
BATCH_SIZE = 100  # ids per ModifyHostsActiveAddressType, Move*ToNetworkDomain and Add*ToGroup call
PAGE_SIZE = 100
# The fields of a record ModifyHost / ModifyDatabase write (a database's address type too); the
# address type of hosts, the network domain and the groups are written by batch calls.
RECORD_FIELDS = {HOST: frozenset(("name", "address", "public_address", "os", "comment")),
                 DATABASE: frozenset(("name", "address", "public_address", "address_type", "port", "comment"))}
# What the batch calls of each kind are: (ListX for group members, MoveXToNetworkDomain, AddXToGroup).
_KIND_CALLS = {
    HOST: dict(list_method="list_hosts", list_request="ListHostsRequest", items="Hosts", id_key="HostId",
               move="move_hosts_to_network_domain", move_request="MoveHostsToNetworkDomainRequest", ids="host_ids",
               add="add_hosts_to_group", add_request="AddHostsToGroupRequest",
               remove="remove_hosts_from_group", remove_request="RemoveHostsFromGroupRequest"),
    DATABASE: dict(list_method="list_databases", list_request="ListDatabasesRequest", items="Databases",
                   id_key="DatabaseId", move="move_databases_to_network_domain",
                   move_request="MoveDatabasesToNetworkDomainRequest", ids="database_ids",
                   add="add_databases_to_group", add_request="AddDatabasesToGroupRequest",
                   remove="remove_databases_from_group", remove_request="RemoveDatabasesFromGroupRequest"),
}


def batches(ids, size=BATCH_SIZE):
    ids = list(ids)
    return [ids[start:start + size] for start in range(0, len(ids), size)]


def _kind(asset):
    return asset_type(asset).kind


def _created(asset_id, id_key):
    return {id_key: asset_id} if asset_id is not None else None


class BastionApi:
    """The calls of one bastion host: every request carries its region and instance id. The services
    (``BastionHost`` here, ``access.Access``) are built on it."""

    def __init__(self, client, region, instance_id, max_workers=4):
        self.client = client
        self.models = client.models
        self.region = region
        self.instance_id = instance_id
        self.max_workers = max_workers

    def _request(self, name, **fields):
        return getattr(self.models, name)(region_id=self.region, instance_id=self.instance_id, **fields)

    def _read(self, method, name, **fields):
        return self.client.call(method, self._request(name, **fields), retry=True)

    def _write(self, method, request, read_back):
        """A write that is not repeated blindly (``client.write`` reads back after an answer that may have
        been lost). After any other refusal, one more read-back: when ``read_back()`` finds the wanted state
        (not None), another run did the work and ``DoneElsewhere`` says so; otherwise the refusal stands."""
        try:
            return self.client.write(method, request, read_back=read_back)
        except Exception as exc:
            if getattr(exc, "never_sent", False) or getattr(exc, "unconfirmed_write", False):
                raise
            try:
                applied = read_back()
            except Exception:
                raise exc
            if applied is None:
                raise
            raise DoneElsewhere(applied, getattr(exc, "code", None) or type(exc).__name__)

    def _pages(self, method, name, items_key, **fields):
        return paginate_pages(lambda number, size: self._read(
            method, name, page_number=str(number), page_size=str(size), **fields), (items_key,), page_size=PAGE_SIZE)


class BastionHost(BastionApi):
    """One bastion host: its members, imported assets and asset groups, read and written through
    one Bastionhost client. Writes raise the SDK's exception; the module says what failed."""

    def __init__(self, client, region, instance_id, max_workers=4):
        super().__init__(client, region, instance_id, max_workers)
        self._groups = None

    # --- the bastion host and its members ---------------------------------------------------

    def facts(self):
        """The bastion host's facts (``instance_facts``), or None when the caller has none such."""
        return find_instance(self.client, self.region, self.instance_id)

    def members(self):
        """UIDs of the Resource Directory members added to the bastion host."""
        def fetch(token, size):
            return self._read("list_instance_rd_members", "ListInstanceRdMembersRequest", next_token=token,
                              max_results=size)
        return [str(m.get("MemberId")) for m in paginate_tokens(fetch, ("Members",), max_results=100)]

    def add_member(self, member_id):
        self._write("add_instance_rd_member", self._request("AddInstanceRdMemberRequest", member_id=member_id),
                    read_back=lambda: True if member_id in self.members() else None)

    def remove_member(self, member_id):
        self._write("remove_instance_rd_member", self._request("RemoveInstanceRdMemberRequest", member_id=member_id),
                    read_back=lambda: True if member_id not in self.members() else None)

    def network_domain_ids(self):
        """IDs of the bastion host's network domains."""
        return [d.get("NetworkDomainId") for d in self._pages(
            "list_network_domains", "ListNetworkDomainsRequest", "NetworkDomains")]

    # --- imported assets --------------------------------------------------------------------

    def imported_assets(self):
        """The ECS, RDS and PolarDB assets imported into the bastion host (Local ones are left out).

        Each is ``{type, instance_id, asset_id, name, address, public_address, os, port, address_type,
        network_domain_id, source_state, comment, member_id, region}``: ``member_id`` and ``region`` come
        from the ownership record in the Comment (None without one; a database's region is also in
        ListDatabases)."""
        return imported_from(*self.records())

    def records(self):
        """``(hosts, databases)``: every ListHosts and ListDatabases record, as the API gives them. The two
        lists are read at the same time, and the pages of each after the first too, at most
        ``max_workers`` calls of each at once."""
        def listing(kind):
            calls = _KIND_CALLS[kind]

            def fetch(number, size):
                return self._read(calls["list_method"], calls["list_request"], page_number=str(number),
                                  page_size=str(size))
            return paginate_pages_concurrently(fetch, (calls["items"],), page_size=PAGE_SIZE,
                                               max_workers=self.max_workers)

        hosts, databases = values_or_raise(run_concurrently(2, (HOST, DATABASE), listing))
        return hosts, databases

    def host_records(self):
        """Every ListHosts record (people's Local hosts too), as the API gives them."""
        calls = _KIND_CALLS[HOST]
        return self._pages(calls["list_method"], calls["list_request"], calls["items"])

    def imported_databases(self):
        """The imported databases only (ListDatabases), as ``imported_assets`` gives them."""
        calls = _KIND_CALLS[DATABASE]
        return imported_from([], self._pages(calls["list_method"], calls["list_request"], calls["items"]))

    def find_imported(self, asset):
        """The host or database ID of an imported source instance, or None (a read-back after a write)."""
        kind = asset_type(asset)
        calls = _KIND_CALLS[kind.kind]
        fields = dict(source=kind.source)
        if kind.kind == HOST:
            fields["source_instance_id"] = asset["instance_id"]
        items = self._pages(calls["list_method"], calls["list_request"], calls["items"], **fields)
        return next((str(i.get(calls["id_key"])) for i in items if i.get("SourceInstanceId") == asset["instance_id"]),
                    None)

    def import_asset(self, asset, address_type="Private", network_domain_id=None):
        """Import a member's ECS instance as a host, or its RDS/PolarDB instance as a database, with
        the ownership record (member and region) in its Comment. Planning has already made sure the
        asset can be imported.

        Returns the new host or database ID. A create that may have been applied although it failed
        is read back (``find_imported``) before it is tried again, so it never makes a duplicate."""
        kind = asset_type(asset)
        common = dict(source=kind.source, source_instance_id=asset["instance_id"],
                      instance_member_id=int(asset["member_id"]), active_address_type=address_type,
                      network_domain_id=network_domain_id,
                      comment=ownership_record(asset["member_id"], asset["region"]))
        if kind.kind == HOST:
            method, id_key = "create_host", "HostId"
            request = self._request(
                "CreateHostRequest", instance_region_id=asset["region"], host_name=asset["name"],
                ostype=asset["os"] or "Linux", host_private_address=asset.get("address"),
                host_public_address=asset.get("public_address"), **common)
        else:
            method, id_key = "create_database", "DatabaseId"
            database, port = database_type(asset["engine"])
            request = self._request(
                "CreateDatabaseRequest", source_instance_region_id=asset["region"], database_name=asset["name"],
                database_type=database, database_port=asset.get("port") or port,
                database_private_address=asset.get("address"), database_public_address=asset.get("public_address"),
                polar_dbendpoint_type=asset.get("endpoint_type"), **common)
        try:
            created = self._write(method, request, read_back=lambda: _created(self.find_imported(asset), id_key))
        except DoneElsewhere:
            raise
        except Exception:
            if self._member_gone(asset["member_id"]):
                raise Vanished("member %s was removed from the bastion host meanwhile" % asset["member_id"])
            raise
        return created.get(id_key)

    def _member_gone(self, member_id):
        """Whether ``member_id`` is no longer on the bastion host (another run offboarded it); False when
        that cannot be read either."""
        try:
            return member_id not in self.members()
        except Exception:
            return False

    def delete_asset(self, asset):
        """Delete an imported host or database (an ``imported_assets`` item)."""
        if is_host(asset):
            method, request = "delete_host", self._request("DeleteHostRequest", host_id=asset["asset_id"])
        else:
            method, request = "delete_database", self._request("DeleteDatabaseRequest",
                                                               database_id=asset["asset_id"])
        self._write(method, request, read_back=lambda: True if self.find_imported(asset) is None else None)

    def host_network_domain(self, host):
        """The network domain of an imported host (GetHost: ListHosts does not report it)."""
        body = self._read("get_host", "GetHostRequest", host_id=host["asset_id"])
        return (body.get("Host") or {}).get("NetworkDomainId") or None

    # --- updates ----------------------------------------------------------------------------

    @staticmethod
    def has_record_changes(asset):
        """Whether an update of ``asset`` (its ``changes``) needs ModifyHost / ModifyDatabase."""
        return bool(set(asset["changes"]) & RECORD_FIELDS[_kind(asset)])

    def update_record(self, asset, changes):
        """ModifyHost / ModifyDatabase with the changed name, addresses and OS (setting the same values
        twice is harmless, so the call is retried)."""
        try:
            self._modify(asset, dict((field, change["after"]) for field, change in changes.items()))
        except Exception:
            try:
                gone = self.find_imported(asset) is None
            except Exception:
                gone = False
            if gone:
                raise Vanished("%s %s is no longer on the bastion host" % (asset["type"], asset["instance_id"]))
            raise

    def _modify(self, asset, wanted):
        if is_host(asset):
            self._read("modify_host", "ModifyHostRequest", host_id=asset["asset_id"], host_name=wanted.get("name"),
                       host_private_address=wanted.get("address"), host_public_address=wanted.get("public_address"),
                       ostype=wanted.get("os"), comment=wanted.get("comment"))
        else:
            self._read("modify_database", "ModifyDatabaseRequest", database_id=asset["asset_id"],
                       source_instance_id=asset["instance_id"], database_name=wanted.get("name"),
                       database_private_address=wanted.get("address"),
                       database_public_address=wanted.get("public_address"),
                       active_address_type=wanted.get("address_type"), database_port=wanted.get("port"),
                       comment=wanted.get("comment"))

    def batch_writes(self, updated, imported, network_domain_id=None):
        """The batch writes that follow the per-asset ones, as ``[(assets, write)]``: ``write()`` makes
        the calls for those assets (at most 100 ids each). Hosts whose address type changes, assets
        moving to ``network_domain_id``, and assets joining a group (``host_group``: the updated whose
        group changes and the newly ``imported`` that have one; a missing group is created once)."""
        writes = []
        for address_type in ("Private", "Public"):
            hosts = [a for a in updated if is_host(a)
                     and (a["changes"].get("address_type") or {}).get("after") == address_type]
            if hosts:
                writes.append((hosts, lambda h=hosts, t=address_type: self.set_hosts_address_type(h, t)))
        for kind in (HOST, DATABASE):
            moving = [a for a in updated if _kind(a) == kind and "network_domain_id" in a["changes"]]
            if moving:
                writes.append((moving, lambda m=moving: self.move_to_network_domain(m, network_domain_id)))
        regrouped = [a for a in updated if "host_group" in a["changes"]]
        joining = [a for a in regrouped if a["host_group"] not in a["changes"]["host_group"]["before"]] + [
            a for a in imported if a.get("host_group")]
        for name in sorted(set(a["host_group"] for a in joining)):
            for kind in (HOST, DATABASE):
                members = [a for a in joining if a["host_group"] == name and _kind(a) == kind]
                if members:
                    writes.append((members, lambda m=members, n=name: self.add_to_group(n, m)))
        leaving = [(group, a) for a in regrouped for group in sorted(
            set(a["changes"]["host_group"]["before"]) - set(a["changes"]["host_group"]["after"]))]
        for name in sorted(set(group for group, _a in leaving)):
            for kind in (HOST, DATABASE):
                members = [a for group, a in leaving if group == name and _kind(a) == kind]
                if members:
                    writes.append((members, lambda m=members, n=name: self.remove_from_group(n, m)))
        return writes

    def set_hosts_address_type(self, hosts, address_type):
        for ids in batches(h["asset_id"] for h in hosts):
            body = self._read("modify_hosts_active_address_type", "ModifyHostsActiveAddressTypeRequest",
                              host_ids=json.dumps(ids), active_address_type=address_type)
            require_ok_results(body, "ModifyHostsActiveAddressType")

    def move_to_network_domain(self, assets, domain_id):
        """MoveHostsToNetworkDomain or MoveDatabasesToNetworkDomain (assets of one kind)."""
        calls = _KIND_CALLS[_kind(assets[0])]
        for ids in batches(a["asset_id"] for a in assets):
            body = self._read(calls["move"], calls["move_request"], network_domain_id=domain_id,
                              **{calls["ids"]: ids})
            require_ok_results(body, "Move to network domain %s" % domain_id)

    # --- asset groups -----------------------------------------------------------------------

    def groups(self):
        """``{group name: group id}`` of the bastion host's asset groups (read once, then kept)."""
        if self._groups is None:
            self._groups = self._list_groups()
        return self._groups

    def _list_groups(self):
        return dict((g.get("HostGroupName"), str(g.get("HostGroupId"))) for g in self._group_records())

    def _group_records(self):
        return self._pages("list_host_groups", "ListHostGroupsRequest", "HostGroups")

    def group_makers(self):
        """``{group name: the name the collection made it for, or None when a person made it}`` (from each
        group's Comment, the collection's mark)."""
        makers = {}
        for group in self._group_records():
            mark = _GROUP_MARK.match(str(group.get("Comment") or "").strip())
            makers[group.get("HostGroupName")] = mark.group(1) if mark else None
        return makers

    def group_members(self, group_id):
        """``{("host", host id), ("database", database id)}`` of one asset group."""
        members = set()
        for kind, calls in _KIND_CALLS.items():
            members |= set((kind, str(i.get(calls["id_key"]))) for i in self._pages(
                calls["list_method"], calls["list_request"], calls["items"], host_group_id=group_id))
        return members

    def groups_of_assets(self):
        """``{(kind, asset id): {group names}}``: which groups each imported asset is in."""
        members = {}
        for name, group_id in self.groups().items():
            for member in self.group_members(group_id):
                members.setdefault(member, set()).add(name)
        return members

    def group_id(self, name):
        """The id of asset group ``name``, created when missing (once); read back by name after an
        answer that may have been lost."""
        groups = self.groups()
        if name not in groups:
            try:
                body = self._write("create_host_group", self._request(
                    "CreateHostGroupRequest", host_group_name=name, comment=GROUP_MARK % name),
                    read_back=lambda: _created(self._list_groups().get(name), "HostGroupId"))
            except DoneElsewhere as done:
                body = done.value
            groups[name] = str(body.get("HostGroupId"))
        return groups[name]

    def add_to_group(self, name, assets):
        """AddHostsToGroup or AddDatabasesToGroup (assets of one kind), read back after a lost answer."""
        kind = _kind(assets[0])
        calls = _KIND_CALLS[kind]
        group_id = self.group_id(name)
        for ids in batches(a["asset_id"] for a in assets):
            # AddHostsToGroup takes HostIds as a JSON array text, AddDatabasesToGroup a list (SDK models).
            request = self._request(calls["add_request"], host_group_id=group_id,
                                    **{calls["ids"]: json.dumps(ids) if kind == HOST else ids})
            wanted = set((kind, i) for i in ids)
            try:
                body = self._write(calls["add"], request, read_back=lambda wanted=wanted: (
                    {} if wanted <= self.group_members(group_id) else None))
            except DoneElsewhere:
                continue
            require_ok_results(body, calls["add"])

    def remove_from_group(self, name, assets):
        """RemoveHostsFromGroup or RemoveDatabasesFromGroup (assets of one kind): only ever from a group the
        collection made (planning decides), read back after a refusal."""
        kind = _kind(assets[0])
        calls = _KIND_CALLS[kind]
        group_id = self.groups()[name]
        for ids in batches(a["asset_id"] for a in assets):
            # RemoveHostsFromGroup takes HostIds as a JSON array text, RemoveDatabasesFromGroup a list.
            request = self._request(calls["remove_request"], host_group_id=group_id,
                                    **{calls["ids"]: json.dumps(ids) if kind == HOST else ids})
            unwanted = set((kind, i) for i in ids)
            try:
                body = self._write(calls["remove"], request, read_back=lambda unwanted=unwanted: (
                    {} if not unwanted & self.group_members(group_id) else None))
            except DoneElsewhere:
                continue
            require_ok_results(body, calls["remove"])


def imported_from(hosts, databases):
    """The imported assets of ListHosts and ListDatabases records (those of a source in the registry)."""
    imported = [_imported(kind, raw) for kind, records in ((HOST, hosts), (DATABASE, databases))
                for raw in records if (kind, raw.get("Source")) in TYPE_OF_SOURCE]
    return sort_assets(imported)


def local_addresses(hosts):
    """The addresses of the hosts people added by hand (``Source`` Local)."""
    return set(address for raw in hosts if raw.get("Source") == "Local"
               for address in (raw.get("HostPrivateAddress"), raw.get("HostPublicAddress")) if address)


def _number(value):
    return int(value) if str(value or "").isdigit() else None


def _imported(kind, raw):
    host = kind == HOST
    member_id, region = read_ownership(raw.get("Comment")) or (
        None, None if host else raw.get("SourceInstanceRegionId") or None)
    asset_id = raw.get("HostId" if host else "DatabaseId")
    return {
        "type": TYPE_OF_SOURCE[(kind, raw.get("Source"))],
        "instance_id": raw.get("SourceInstanceId"),
        "asset_id": str(asset_id) if asset_id is not None else None,
        "name": raw.get("HostName" if host else "DatabaseName"),
        "address": raw.get("HostPrivateAddress" if host else "DatabasePrivateAddress") or None,
        "public_address": raw.get("HostPublicAddress" if host else "DatabasePublicAddress") or None,
        "os": raw.get("OSType") if host else None,
        "port": None if host else _number(raw.get("DatabasePort")),
        "address_type": raw.get("ActiveAddressType"),
        # ListHosts does not report it (GetHost does); ListDatabases does.
        "network_domain_id": raw.get("NetworkDomainId") or None,
        "source_state": raw.get("SourceInstanceState"),
        "comment": raw.get("Comment") or None,
        "member_id": member_id,
        "region": region,
    }
