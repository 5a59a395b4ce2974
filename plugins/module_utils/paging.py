# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Collect every item of a paged list API into one plain list of dicts.

``fetch`` returns a response body as a dict (``AlicloudClient.call`` already does), and
``items_path`` says where the items sit in it, e.g. ``('Hosts',)`` or
``('Instances', 'Instance')``.  Items keep the API's CamelCase keys.

Example::

    hosts = paginate_pages(
        lambda number, size: client.call('list_hosts', client.models.ListHostsRequest(
            instance_id=instance_id, region_id=region,
            page_number=str(number), page_size=str(size)), retry=True),
        ('Hosts',))
"""

from __future__ import annotations

from ansible_collections.alicloud.bastionhost.plugins.module_utils.concurrency import run_concurrently, values_or_raise

TOTAL_KEYS = ("TotalCount", "TotalRecordCount")


def items_at(body, items_path):
    """The list found at ``items_path`` in ``body``; [] when any step is missing."""
    value = body
    for key in items_path:
        if not isinstance(value, dict):
            return []
        value = value.get(key)
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    return list(value)


def _total_count(body):
    for key in TOTAL_KEYS:
        if body.get(key) is not None:
            return int(body[key])
    return None


def paginate_pages(fetch, items_path, page_size=100):
    """PageNumber/PageSize style: ``fetch(page_number, page_size)`` from page 1 until the total count
    is reached or a page comes back empty, never on a page shorter than asked: a service may answer
    fewer items a page than asked (ListHosts documents no PageSize maximum), and then the rest is
    asked for in pages of the size it answers."""
    return _pages_from(fetch, items_path, page_size, 1, [])


def _pages_from(fetch, items_path, page_size, page_number, items):
    while True:
        body = fetch(page_number, page_size) or {}
        page = items_at(body, items_path)
        items.extend(page)
        total = _total_count(body)
        if not page or (total is not None and len(items) >= total):
            return items
        if page_number == 1 and len(page) < page_size:
            page_size = len(page)   # the size the service answers: page 2 starts after these items
        page_number += 1


def paginate_pages_concurrently(fetch, items_path, page_size=100, max_workers=4):
    """``paginate_pages``, but once page 1 gives the total count the other pages are fetched at
    the same time, at most ``max_workers`` at once; items stay in page order. Without a total
    count, or when the pages fall short of it, it reads on page by page."""
    body = fetch(1, page_size) or {}
    first = items_at(body, items_path)
    total = _total_count(body)
    if not first or (total is not None and len(first) >= total):
        return first
    size = min(page_size, len(first))
    if total is None:
        return _pages_from(fetch, items_path, size, 2, first)
    last_page = -(-total // size)
    pages = values_or_raise(run_concurrently(max_workers, range(2, last_page + 1), lambda number: items_at(
        fetch(number, size) or {}, items_path)))
    items = first + [item for page in pages for item in page]
    if len(items) >= total or not pages or not pages[-1]:
        return items
    return _pages_from(fetch, items_path, size, last_page + 1, items)


def paginate_tokens(fetch, items_path, max_results=100):
    """NextToken/MaxResults style: ``fetch(next_token, max_results)``, first with
    ``next_token=None``, until the response has no NextToken."""
    items = []
    seen_tokens = set()
    next_token = None
    while True:
        body = fetch(next_token, max_results) or {}
        items.extend(items_at(body, items_path))
        next_token = body.get("NextToken")
        # A server repeating a token would otherwise loop forever.
        if not next_token or next_token in seen_tokens:
            return items
        seen_tokens.add(next_token)
