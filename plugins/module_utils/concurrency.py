# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one concurrent runner: every module's parallel calls (writes, discovery, pages) go through it.

    for item, value, exc in run_concurrently(4, hosts, bastion.host_network_domain):
        ...
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor


def run_concurrently(workers, items, call):
    """``call(item)`` for every item, at most ``workers`` at a time: ``[(item, value, exc)]`` in item
    order, ``exc`` None when the call returned ``value``."""
    def run(item):
        try:
            return item, call(item), None
        except Exception as exc:
            return item, None, exc
    items = list(items)
    if not items:
        return []
    if len(items) == 1 or workers <= 1:
        return [run(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(run, items))


def values_or_raise(outcomes):
    """The values of ``run_concurrently`` outcomes, raising the first error met (in item order)."""
    for _item, _value, exc in outcomes:
        if exc is not None:
            raise exc
    return [value for _item, value, _exc in outcomes]


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
