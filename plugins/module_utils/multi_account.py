# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The checks every multi-account module makes before its first write: the bastion host
supports multi-account management and the caller may manage member accounts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.alicloud.bastionhost.plugins.module_utils.assets import known_regions
from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import find_instance
from ansible_collections.alicloud.bastionhost.plugins.module_utils.directory import Directory, DirectoryError


def api_read(module, what, call):
    """``call()``, or fail the task saying what could not be done (code, request id, remedy)."""
    try:
        return call()
    except Exception as exc:
        module.fail_json_api(exc, "failed to %s" % what)


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
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(items)))) as pool:
        return list(pool.map(run, items))


def require_multi_account_instance(module, bastion, instance_id):
    """The bastion host's facts; fails unless it exists and supports multi-account management."""
    region = module.region
    instance = api_read(module, "describe the bastion host %s" % instance_id,
                        lambda: find_instance(bastion, region, instance_id))
    if instance is None:
        module.fail_json(msg="bastion host %s not found in %s; bastion hosts are visible only to the account that "
                             "owns them" % (instance_id, region))
    if not instance["multi_account_supported"]:
        module.fail_json(msg="bastion host %s cannot manage member accounts: %s. Upgrade it to Enterprise or SM "
                             "Edition, V3.2.48 or later." % (
                                 instance_id, "; ".join(instance["multi_account_unsupported_reasons"])))
    return instance


def read_directory(module, failure):
    """The caller's Directory; fails with ``failure: <why>`` when there is none or the caller is a member."""
    try:
        return Directory(module.client("resourcemanager"), module.client("sts"))
    except DirectoryError as exc:
        module.fail_json(msg="%s: %s" % (failure, exc))
    except Exception as exc:
        module.fail_json_api(exc, "failed to read the resource directory")


def require_known_regions(module, access, member_id, regions, option, member_label=str):
    """Fails unless every region of ``option`` is one the service has (ECS DescribeRegions, read
    through ``access``, a MemberAccess, in ``member_id``): a misspelled region would select nothing."""
    try:
        known = known_regions(access.factory_for(member_id))
    except Exception as exc:
        module.fail_json(msg="nothing was changed: cannot list the regions (ECS DescribeRegions) to check %s: %s" % (
            option, access.describe(member_id, exc, member_label)[0]))
    unknown = [r for r in regions if r not in known]
    if unknown:
        module.fail_json(msg="nothing was changed: unknown region IDs in %s: %s (known regions: %s)" % (
            option, ", ".join(unknown), ", ".join(known)))
