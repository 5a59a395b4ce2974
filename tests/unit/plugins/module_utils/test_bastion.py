# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The BastionHost service: how the plan's updates are written (which action, which batch)."""

from __future__ import annotations

import json

from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import BastionHost
from ansible_collections.alicloud.bastionhost.plugins.module_utils.client import import_sdk


class RecordingClient:
    """Answers every call with OK results and records (method, request); groups: one named ``old``."""

    def __init__(self):
        self.models = import_sdk("bastionhost")[1]
        self.calls = []

    def call(self, method, request=None, retry=False):
        self.calls.append((method, request))
        if method == "list_host_groups":
            return {"HostGroups": [{"HostGroupName": "old", "HostGroupId": 7}], "TotalCount": 1}
        return {"Results": [{"Code": "OK"}]}

    def write(self, method, request, read_back):
        self.calls.append((method, request))
        return {"HostGroupId": 8} if method == "create_host_group" else {"Results": [{"Code": "OK"}]}


def host(number, **changes):
    return dict(type="ecs", instance_id="i-%d" % number, asset_id=str(number), changes=changes)


def database(number, kind="rds", **changes):
    return dict(type=kind, instance_id="rm-%d" % number, asset_id="d%d" % number, changes=changes)


def change(after):
    return {"before": None, "after": after}


def run(updated, imported=(), domain=None):
    client = RecordingClient()
    bastion = BastionHost(client, "cn-hangzhou", "bastionhost-cn-x")
    writes = bastion.batch_writes(updated, list(imported), domain)
    for _assets, write in writes:
        write()
    return writes, [(m, r) for m, r in client.calls if m != "list_host_groups"]


def test_address_types_are_written_per_type_in_batches_of_100():
    updated = [host(n, address_type=change("Public")) for n in range(150)] + [host(999, address_type=change("Private"))]
    writes, calls = run(updated)
    assert [len(assets) for assets, _w in writes] == [1, 150]
    assert [(m, r.active_address_type, len(json.loads(r.host_ids))) for m, r in calls] == [
        ("modify_hosts_active_address_type", "Private", 1),
        ("modify_hosts_active_address_type", "Public", 100),
        ("modify_hosts_active_address_type", "Public", 50)]


def test_network_domain_moves_are_split_by_kind():
    updated = [host(1, network_domain_id=change("nd-1")), database(2, network_domain_id=change("nd-1")),
               database(3, kind="polardb", network_domain_id=change("nd-1")), host(4, name=change("x"))]
    _writes, calls = run(updated, domain="nd-1")
    assert [(m, r.network_domain_id) for m, r in calls] == [
        ("move_hosts_to_network_domain", "nd-1"), ("move_databases_to_network_domain", "nd-1")]
    assert calls[0][1].host_ids == ["1"] and calls[1][1].database_ids == ["d2", "d3"]


def test_groups_are_joined_by_updated_and_new_assets_and_created_once():
    updated = [dict(host(1, host_group={"before": [], "after": ["new"]}), host_group="new")]
    imported = [dict(host(2), host_group="new"), dict(database(3), host_group="new"), dict(host(4), host_group="old"),
                dict(host(5), host_group=None)]
    _writes, calls = run(updated, imported)
    assert [m for m, _r in calls] == ["create_host_group", "add_hosts_to_group", "add_databases_to_group",
                                      "add_hosts_to_group"]
    assert (calls[1][1].host_group_id, json.loads(calls[1][1].host_ids)) == ("8", ["1", "2"])
    assert calls[2][1].database_ids == ["d3"]
    assert (calls[3][1].host_group_id, json.loads(calls[3][1].host_ids)) == ("7", ["4"])


def test_only_record_fields_need_modify_host_or_modify_database():
    assert BastionHost.has_record_changes(host(1, name=change("x")))
    assert not BastionHost.has_record_changes(host(1, address_type=change("Public")))
    assert BastionHost.has_record_changes(database(1, address_type=change("Public")))


class OverlappingClient(RecordingClient):
    """Every write is refused, as when another run has just made it; ListHosts finds the host it made."""

    def __init__(self, refusal, hosts=()):
        super().__init__()
        self.refusal = refusal
        self.hosts = list(hosts)

    def call(self, method, request=None, retry=False):
        if method == "list_hosts":
            return {"Hosts": self.hosts, "TotalCount": len(self.hosts)}
        if method == "list_instance_rd_members":
            return {"Members": [{"MemberId": "1000000000000011"}]}
        return super().call(method, request, retry)

    def write(self, method, request, read_back):
        raise self.refusal


def test_a_write_another_run_already_made_is_done_elsewhere_not_failed(api_error):
    import pytest
    from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import DoneElsewhere
    asset = dict(type="ecs", instance_id="i-1", member_id="1000000000000011", region="cn-hangzhou", name="web",
                 os="Linux", address="10.0.0.1", asset_id="5")
    made = OverlappingClient(api_error("OBJECT_AlREADY_EXISTS"), [{"HostId": 7, "SourceInstanceId": "i-1"}])
    with pytest.raises(DoneElsewhere) as done:
        BastionHost(made, "cn-hangzhou", "bh").import_asset(asset)
    assert done.value.value == {"HostId": "7"} and done.value.refusal == "OBJECT_AlREADY_EXISTS"
    gone = OverlappingClient(api_error("OBJECT_NOT_FOUND", status=404))
    with pytest.raises(DoneElsewhere):
        BastionHost(gone, "cn-hangzhou", "bh").delete_asset(asset)
    refused = OverlappingClient(api_error("QuotaExceeded"))
    with pytest.raises(Exception) as error:
        BastionHost(refused, "cn-hangzhou", "bh").import_asset(asset)
    assert getattr(error.value, "code", None) == "QuotaExceeded"


def test_an_asset_whose_group_changes_leaves_the_collections_old_group():
    updated = [dict(host(1, host_group={"before": ["old", "people's"], "after": ["new", "people's"]}),
                    host_group="new")]
    _writes, calls = run(updated)
    assert [m for m, _r in calls] == ["create_host_group", "add_hosts_to_group", "remove_hosts_from_group"]
    assert calls[0][1].comment == "created by alicloud.bastionhost for new"
    assert (calls[2][1].host_group_id, json.loads(calls[2][1].host_ids)) == ("7", ["1"])
