# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Access service: how grants, memberships and shared keys are written (batches, per-item codes, never an
empty Detach)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.alicloud.bastionhost.plugins.module_utils.access import Access
from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import BatchError
from ansible_collections.alicloud.bastionhost.plugins.module_utils.client import import_sdk


class RecordingClient:
    """Answers every call with ``answer(method, request)`` (OK results by default) and records it."""

    def __init__(self, answer=None):
        self.models = import_sdk("bastionhost")[1]
        self.calls = []
        self.answer = answer or (lambda method, request: {"Results": [{"Code": "OK"}]})

    def call(self, method, request=None, retry=False):
        self.calls.append((method, request))
        return self.answer(method, request)

    def write(self, method, request, read_back):
        return self.call(method, request)


def access(answer=None):
    client = RecordingClient(answer)
    return Access(client, "cn-hangzhou", "bh-1"), client


def test_host_group_grants_go_ten_groups_and_ten_names_a_call():
    service, client = access()
    service.attach_host_groups("7", [("g%d" % n, ["root"]) for n in range(12)] + [("big", ["a%d" % n for n in range(15)])])
    sent = [json.loads(request.host_groups) for _m, request in client.calls]
    assert [len(part) for part in sent] == [10, 3, 1]
    assert sent[1][2:] + sent[2] == [{"HostGroupId": "big", "HostAccountNames": ["a%d" % n for n in range(10)]},
                                     {"HostGroupId": "big", "HostAccountNames": ["a%d" % n for n in range(10, 15)]}]
    assert all(len(entry.get("HostAccountNames", [])) <= 10 for part in sent for entry in part)
    # The limit of 10 names is per host group: a group is never given twice in one call.
    assert all(len(set(e["HostGroupId"] for e in part)) == len(part) for part in sent)


def test_a_whole_asset_group_is_revoked_without_names_and_an_empty_list_is_never_sent():
    service, client = access()
    service.detach_host_groups("7", [("g1", None), ("g2", ["ops"])])
    assert json.loads(client.calls[0][1].host_groups) == [{"HostGroupId": "g1"},
                                                          {"HostGroupId": "g2", "HostAccountNames": ["ops"]}]
    with pytest.raises(ValueError):
        service.detach_host_groups("7", [("g1", [])])
    with pytest.raises(ValueError):
        service.detach_databases("7", [("d1", [])])
    assert len(client.calls) == 1


def test_database_grants_count_ten_accounts_in_all_a_call():
    service, client = access()
    service.attach_databases("7", [("d1", ["a%d" % n for n in range(6)]), ("d2", ["b%d" % n for n in range(6)]),
                                   ("d3", None)])
    sent = [[(d.database_id, d.database_account_ids) for d in request.databases] for _m, request in client.calls]
    assert sent == [[("d1", ["a%d" % n for n in range(6)])],
                    [("d2", ["b%d" % n for n in range(6)]), ("d3", None)]]


def test_a_grant_that_holds_already_is_no_failure_but_any_other_code_is():
    def answer(method, request):
        return {"Results": [{"Code": "OBJECT_AlREADY_EXISTS", "HostGroupId": "g1",
                             "HostAccountNames": [{"Code": "OK", "HostAccountName": "ops"},
                                                  {"Code": "INVALID_ARGUMENT", "HostAccountName": "bad"}]}]}
    service, _client = access(answer)
    with pytest.raises(BatchError) as refused:
        service.attach_host_groups("7", [("g1", ["ops", "bad"])])
    assert "account bad INVALID_ARGUMENT" in str(refused.value) and "ops" not in str(refused.value)


def test_a_refused_batch_names_the_request_id_of_its_answer():
    def answer(method, request):
        if method == "attach_host_group_accounts_to_user_group":
            return {"RequestId": "REQ-H", "Results": [{"Code": "INVALID_ARGUMENT", "HostGroupId": "g1"}]}
        if method == "attach_database_accounts_to_user_group":
            return {"RequestId": "REQ-D", "Results": [{"Code": "OBJECT_NOT_FOUND", "DatabaseId": "d1"}]}
        return {"RequestId": "REQ-U", "Results": [{"Code": "OBJECT_NOT_FOUND", "UserId": "9", "Message": "no user"}]}
    service, _client = access(answer)
    for write, expected in ((lambda: service.add_users("7", ["9"]), "9 OBJECT_NOT_FOUND (no user) (request id: REQ-U)"),
                            (lambda: service.attach_host_groups("7", [("g1", None)]), "(request id: REQ-H)"),
                            (lambda: service.attach_databases("7", [("d1", None)]), "(request id: REQ-D)")):
        with pytest.raises(BatchError) as refused:
            write()
        assert str(refused.value).endswith(expected)


def test_a_refused_batch_without_a_request_id_says_none():
    service, _client = access(lambda method, request: {"Results": [{"Code": "OBJECT_NOT_FOUND", "UserId": "9"}]})
    with pytest.raises(BatchError) as refused:
        service.add_users("7", ["9"])
    assert "request id" not in str(refused.value) and "9 OBJECT_NOT_FOUND" in str(refused.value)


def test_users_join_a_group_a_hundred_at_a_time_and_one_already_in_holds():
    service, client = access(lambda method, request: {"Results": [{"Code": "OBJECT_AlREADY_EXISTS", "UserId": "1"}]})
    service.add_users("7", [str(n) for n in range(150)])
    assert [len(json.loads(request.user_ids)) for _m, request in client.calls] == [100, 50]


def test_host_accounts_are_listed_a_hundred_hosts_a_call():
    def answer(method, request):
        ids = json.loads(request.host_ids)
        return {"HostAccounts": [{"HostAccountId": 1, "HostId": ids[0], "HostAccountName": "ops", "ProtocolName": "SSH",
                                  "HasPassword": "true"}], "TotalCount": 1}
    service, client = access(answer)
    accounts = service.host_accounts([str(n) for n in range(250)])
    assert [request.host_id for _m, request in client.calls] == ["0", "0", "0"]
    assert [len(json.loads(request.host_ids)) for _m, request in client.calls] == [100, 100, 50]
    assert accounts[0] == dict(id="1", host_id="0", name="ops", protocol="SSH", has_password=True, share_key_id=None,
                               share_key_name=None, key_fingerprint=None)
