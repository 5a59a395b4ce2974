# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Who the caller is and where it stands in the Resource Directory (ResourceManager, STS, RAM)."""

from __future__ import annotations

from ansible_collections.alicloud.bastionhost.plugins.module_utils.errors import error_details
from ansible_collections.alicloud.bastionhost.plugins.module_utils.paging import paginate_pages

BASTIONHOST_SERVICE = "bastionhost.aliyuncs.com"
REQUIRED_RAM_POLICIES = ("AliyunYundunBastionHostFullAccess", "AliyunResourceDirectoryFullAccess")
# A policy that grants everything the required ones do.
SUPERSEDING_POLICIES = ("AdministratorAccess",)
RD_NOT_ENABLED = "EntityNotExists.ResourceDirectory"


def error_code(exc):
    return error_details(exc)["code"]


def caller_identity(sts):
    """``{account_id, type, arn, user_name}``; type is Account, RAMUser or AssumedRoleUser."""
    body = sts.call("get_caller_identity", retry=True)
    arn = body.get("Arn") or ""
    user_name = arn.split(":user/", 1)[1] if body.get("IdentityType") == "RAMUser" and ":user/" in arn else None
    return {"account_id": body.get("AccountId"), "type": body.get("IdentityType"), "arn": arn,
            "user_name": user_name}


def resource_directory(rm):
    """The caller's resource directory, or None when Resource Directory is not enabled."""
    try:
        body = rm.call("get_resource_directory", retry=True)
    except Exception as exc:
        if error_code(exc) == RD_NOT_ENABLED:
            return None
        raise
    return body.get("ResourceDirectory") or {}


def list_accounts(rm, include_tags=False):
    """Every account of the resource directory (management account included)."""
    def fetch(number, size):
        request = rm.models.ListAccountsRequest(page_number=number, page_size=size, include_tags=include_tags)
        return rm.call("list_accounts", request, retry=True)
    return paginate_pages(fetch, ("Accounts", "Account"), page_size=100)


def delegated_administrators(rm, service=BASTIONHOST_SERVICE):
    """Account ids of the delegated administrators of ``service``."""
    def fetch(number, size):
        request = rm.models.ListDelegatedAdministratorsRequest(
            service_principal=service, page_number=number, page_size=size)
        return rm.call("list_delegated_administrators", request, retry=True)
    return [a.get("AccountId") for a in paginate_pages(fetch, ("Accounts", "Account"), page_size=100)]


def ram_user_policies(ram, user_name):
    """``{policy name: where it comes from}`` for a RAM user: 'attached to the user' or
    'through group NAME'."""
    def policy_names(body):
        return [p.get("PolicyName") for p in (body.get("Policies") or {}).get("Policy") or []]

    sources = {}
    body = ram.call("list_policies_for_user", ram.models.ListPoliciesForUserRequest(user_name=user_name), retry=True)
    for name in policy_names(body):
        sources[name] = "attached to the user"
    body = ram.call("list_groups_for_user", ram.models.ListGroupsForUserRequest(user_name=user_name), retry=True)
    for group in [g.get("GroupName") for g in (body.get("Groups") or {}).get("Group") or []]:
        request = ram.models.ListPoliciesForGroupRequest(group_name=group)
        for name in policy_names(ram.call("list_policies_for_group", request, retry=True)):
            sources.setdefault(name, "through group %s" % group)
    return sources


def missing_policies(policy_sources):
    """The required policies a RAM user lacks (none when it has a superseding policy)."""
    if any(p in policy_sources for p in SUPERSEDING_POLICIES):
        return []
    return [p for p in REQUIRED_RAM_POLICIES if p not in policy_sources]
