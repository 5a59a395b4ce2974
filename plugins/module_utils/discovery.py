# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Discovery inside member accounts, through the role each member lets the caller assume: the
assets of every type in the registry (asset_types.py).

    access = MemberAccess(module.clients, role_name="ResourceDirectoryAccountAccessRole")
    assets, errors = discover_assets(access.factory_for, member_ids, regions, max_workers=4)
    # errors: {member_id: exception}; access.describe(member_id, exc) says what to do about one

An asset is a plain dict (model.py); its key on a bastion host is ``(type, instance_id)``.
"""

from __future__ import annotations

import fnmatch

from ansible_collections.alicloud.bastionhost.plugins.module_utils.asset_types import (
    ASSET_TYPES,
    DISCOVERY_POLICIES,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.concurrency import OncePerKey, run_concurrently
from ansible_collections.alicloud.bastionhost.plugins.module_utils.errors import describe_error, remediation_of
from ansible_collections.alicloud.bastionhost.plugins.module_utils.model import sort_assets, tags_match

DEFAULT_MEMBER_ROLE = "ResourceDirectoryAccountAccessRole"
DEFAULT_MAX_WORKERS = 4


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
        return describe_error(
            exc, "%s with role %s" % (member_label(member_id), member_role_arn(member_id, self.role_name)),
            self.secrets, remedy=lambda code: member_role_remediation(
                code, self.role_name, member_id, self.caller_account, exc))


def _check_types(types):
    unknown = [t for t in types if t not in ASSET_TYPES]
    if unknown:
        raise ValueError("unknown asset type(s) %s, expected %s" % (", ".join(unknown), ", ".join(ASSET_TYPES)))


def discover_unit(factory, member_id, region, asset_type, tags=None, name_pattern=None):
    """The assets of one type in one region of one member; ``factory`` holds the member's credentials.

    ``tags``: every tag must match (model.tags_match); ``name_pattern``: a shell-style glob on the
    name (case-sensitive)."""
    kind = ASSET_TYPES[asset_type]
    assets = []
    for raw in kind.list_assets(factory, region, tags):
        asset = kind.to_asset(member_id, raw, region)
        if kind.list_has_tags and not tags_match(tags, asset["tags"]):
            continue
        if name_pattern and not fnmatch.fnmatchcase(asset["name"] or "", name_pattern):
            continue
        assets.append(asset)
    return assets


def discover_assets(factory_for, members, regions, types=tuple(ASSET_TYPES), tags=None, name_pattern=None,
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
    factories = OncePerKey(factory_for)

    def discover(unit):
        member_id, region, asset_type = unit
        return discover_unit(factories.get(member_id), member_id, region, asset_type, tags, name_pattern)

    found, errors = {}, {}
    for (member_id, _region, _type), assets, exc in run_concurrently(max_workers, units, discover):
        if exc is None:
            found.setdefault(member_id, []).extend(assets)
        else:
            errors.setdefault(member_id, exc)
    confirm_empty_lists(factories, found, errors, regions, types, max_workers)
    return sort_assets([a for member_id, assets in found.items() if member_id not in errors for a in assets]), errors


def confirm_empty_lists(factories, found, errors, regions, types, max_workers):
    """A member whose list of a type came back empty in every region asked, where that type's list
    answers a caller without permission with an empty list (ECS): one check in the member tells
    "nothing there" from "may not look"; a member that may not look is an error, never empty."""
    checks = [(member_id, name) for member_id, assets in found.items() if member_id not in errors
              for name in types if ASSET_TYPES[name].may_list
              and not any(a["type"] == name for a in assets)]

    def check(item):
        member_id, name = item
        ASSET_TYPES[name].may_list(factories.get(member_id), list(dict.fromkeys(regions))[0])
    for (member_id, _name), _value, exc in run_concurrently(max_workers, checks, check):
        if exc is not None:
            errors.setdefault(member_id, exc)


def known_regions(factory):
    """The region IDs ECS has (DescribeRegions), to refuse a region the service does not have."""
    client = factory.client("ecs")
    body = client.call("describe_regions", client.models.DescribeRegionsRequest(), retry=True)
    return sorted(r.get("RegionId") for r in ((body.get("Regions") or {}).get("Region") or []))
