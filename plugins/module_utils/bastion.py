# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bastionhost 2019-12-09: bastion hosts and what multi-account management needs of them."""

from __future__ import annotations

from ansible_collections.alicloud.bastionhost.plugins.module_utils.paging import paginate_pages

EDITIONS = {"cloudbastion": "basic", "cloudbastion_ha": "enterprise", "cloudbastion_sm": "sm"}
MULTI_ACCOUNT_EDITIONS = ("enterprise", "sm")
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
    if instance["edition"] not in MULTI_ACCOUNT_EDITIONS:
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
