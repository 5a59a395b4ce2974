# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import threading
import time

import pytest

from ansible_collections.alicloud.bastionhost.plugins.module_utils.paging import (
    items_at,
    paginate_pages,
    paginate_pages_concurrently,
    paginate_tokens,
)


class PagedApi:
    """A PageNumber/PageSize list API over ``items``; records every request."""

    def __init__(self, items, total_key="TotalCount", items_path=("Hosts",), report_total=True):
        self.items = items
        self.total_key = total_key
        self.items_path = items_path
        self.report_total = report_total
        self.requests = []

    def __call__(self, page_number, page_size):
        self.requests.append((page_number, page_size))
        start = (page_number - 1) * page_size
        page = self.items[start:start + page_size]
        body = {"RequestId": "r"}
        if self.report_total:
            body[self.total_key] = str(len(self.items))
        node = body
        for key in self.items_path[:-1]:
            node = node.setdefault(key, {})
        node[self.items_path[-1]] = page
        return body


class TokenApi:
    """A NextToken/MaxResults list API over ``items``; records every request."""

    def __init__(self, items):
        self.items = items
        self.requests = []

    def __call__(self, next_token, max_results):
        self.requests.append((next_token, max_results))
        start = int(next_token or 0)
        body = {"RequestId": "r", "RdMembers": self.items[start:start + max_results]}
        if start + max_results < len(self.items):
            body["NextToken"] = str(start + max_results)
        return body


def hosts(count):
    return [{"HostId": str(i), "HostName": "host-%d" % i} for i in range(count)]


def test_pages_collects_every_page_in_order():
    api = PagedApi(hosts(5))
    assert paginate_pages(api, ("Hosts",), page_size=2) == hosts(5)
    assert api.requests == [(1, 2), (2, 2), (3, 2)]


def test_pages_stops_at_total_count_without_an_extra_request():
    api = PagedApi(hosts(4))
    assert len(paginate_pages(api, ("Hosts",), page_size=2)) == 4
    assert api.requests == [(1, 2), (2, 2)]


def test_pages_reads_total_record_count_and_nested_paths():
    api = PagedApi(hosts(6), total_key="TotalRecordCount", items_path=("Items", "DBInstance"))
    assert paginate_pages(api, ("Items", "DBInstance"), page_size=3) == hosts(6)
    assert len(api.requests) == 2


def test_pages_without_total_end_on_an_empty_page_never_on_a_short_one():
    api = PagedApi(hosts(3), report_total=False)
    assert paginate_pages(api, ("Hosts",), page_size=2) == hosts(3)
    assert api.requests == [(1, 2), (2, 2), (3, 2)]


class CappedApi(PagedApi):
    """A service that answers at most ``cap`` items a page whatever is asked, with a true total."""

    def __init__(self, items, cap, **kwargs):
        super().__init__(items, **kwargs)
        self.cap = cap

    def __call__(self, page_number, page_size):
        return super().__call__(page_number, min(page_size, self.cap))


@pytest.mark.parametrize("report_total", [True, False])
def test_a_service_that_answers_shorter_pages_than_asked_is_read_to_the_end(report_total):
    api = CappedApi(hosts(20), cap=7, report_total=report_total)
    assert paginate_pages(api, ("Hosts",), page_size=100) == hosts(20)
    assert api.requests[:3] == [(1, 7), (2, 7), (3, 7)]
    concurrent = CappedApi(hosts(20), cap=7, report_total=report_total)
    assert paginate_pages_concurrently(concurrent, ("Hosts",), page_size=100, max_workers=2) == hosts(20)


def test_pages_without_total_needs_an_empty_page_after_a_full_one():
    api = PagedApi(hosts(4), report_total=False)
    assert paginate_pages(api, ("Hosts",), page_size=2) == hosts(4)
    assert api.requests == [(1, 2), (2, 2), (3, 2)]


def test_pages_empty_result_is_one_request():
    api = PagedApi([])
    assert paginate_pages(api, ("Hosts",)) == []
    assert api.requests == [(1, 100)]


def test_tokens_follows_next_token_until_absent():
    members = [{"MemberId": str(i)} for i in range(7)]
    api = TokenApi(members)
    assert paginate_tokens(api, ("RdMembers",), max_results=3) == members
    assert api.requests == [(None, 3), ("3", 3), ("6", 3)]


def test_tokens_empty_result_is_one_request():
    api = TokenApi([])
    assert paginate_tokens(api, ("RdMembers",)) == []
    assert api.requests == [(None, 100)]


def test_tokens_stops_when_the_server_repeats_a_token():
    requests = []

    def stuck(next_token, max_results):
        requests.append(next_token)
        return {"Accounts": [{"AccountId": "1"}], "NextToken": "same"}

    assert paginate_tokens(stuck, ("Accounts",)) == [{"AccountId": "1"}, {"AccountId": "1"}]
    assert requests == [None, "same"]


def test_items_at_handles_missing_keys_and_single_objects():
    assert items_at({}, ("Hosts",)) == []
    assert items_at({"Hosts": None}, ("Hosts",)) == []
    assert items_at({"Accounts": {"Account": {"AccountId": "1"}}}, ("Accounts", "Account")) == [{"AccountId": "1"}]
    assert items_at({"Accounts": "unexpected"}, ("Accounts", "Account")) == []


def test_pages_after_the_first_are_read_at_the_same_time_in_page_order():
    hosts = [{"HostId": str(i)} for i in range(450)]
    api = PagedApi(hosts)
    in_flight, most = [0], [0]
    lock = threading.Lock()

    def fetch(number, size):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            time.sleep(0.02)
            return api(number, size)
        finally:
            with lock:
                in_flight[0] -= 1

    assert paginate_pages_concurrently(fetch, ("Hosts",), page_size=100, max_workers=3) == hosts
    assert sorted(api.requests) == [(n, 100) for n in range(1, 6)]
    assert most[0] == 3


def test_concurrent_pages_without_a_total_count_read_page_by_page():
    hosts = [{"HostId": str(i)} for i in range(250)]
    api = PagedApi(hosts, report_total=False)
    assert paginate_pages_concurrently(api, ("Hosts",), page_size=100) == hosts
    assert api.requests == [(1, 100), (2, 100), (3, 100), (4, 100)]
    short = PagedApi(hosts[:30])
    assert paginate_pages_concurrently(short, ("Hosts",)) == hosts[:30] and short.requests == [(1, 100)]
