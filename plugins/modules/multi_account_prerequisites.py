#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: multi_account_prerequisites
short_description: Check that a bastion host can use Bastionhost multi-account management
version_added: 0.1.0
description:
  - Checks, without changing anything, every prerequisite of Bastionhost multi-account management for one
    bastion host and the calling identity, and reports each one with what to do when it is not met.
  - "The checks: the bastion host exists and is running; its edition is Enterprise or SM (Basic is not supported);
    its version is V3.2.48 or later; Resource Directory is enabled; the caller is the management account or a
    delegated administrator of O(service_principal); the resource directory has at least one member; when the
    caller is a RAM user, it has both C(AliyunYundunBastionHostFullAccess) and C(AliyunResourceDirectoryFullAccess),
    attached directly or through one of its groups; and the caller can assume O(member_role_name) in the members
    (C(member_role_assumable)): it is not an account's root, which STS AssumeRole refuses, and STS AssumeRole into
    that role succeeds in at least one member (a read: no write is made)."
  - "C(member_role_assumable) tries every member of the resource directory (not the management account, the
    delegated administrators or the caller), at most 4 at a time (the default C(max_concurrency) of the other
    modules, far below STS's 100 AssumeRole calls a second per account). It passes when the role can be assumed in
    at least one member: one member whose role was deleted, or no longer trusts the caller, does not stop the
    others. Each member it could not assume into is in RV(unassumable_members) with the reason and what to do, and,
    when the check passes all the same, in a warning."
  - A check that cannot be evaluated, for example because the caller may not read RAM, is reported with
    RV(checks[].passed) null and counts as not met.
author:
  - Alicloud Bastionhost Collection Maintainers (@alicloud-ansible)
options:
  instance_id:
    description:
      - The bastion host that will import member assets.
    type: str
    required: true
  fail_on_unmet:
    description:
      - Fail the task when any check is not met, listing every unmet check in the message.
      - With V(false) the task only reports RV(ready) and RV(checks).
    type: bool
    default: true
  service_principal:
    description:
      - The trusted service whose delegated administrators may manage member accounts.
    type: str
    default: bastionhost.aliyuncs.com
extends_documentation_fragment:
  - alicloud.bastionhost.common
  - alicloud.bastionhost.multi_account.MEMBER_ROLE
  - alicloud.bastionhost.attributes.info_module
notes:
  - O(region) is required (or E(ALIBABA_CLOUD_REGION_ID)).
  - "Calls STS C(GetCallerIdentity), Bastionhost C(DescribeInstances), ResourceManager C(GetResourceDirectory),
    C(ListDelegatedAdministrators) and C(ListAccounts), for a RAM user RAM C(ListPoliciesForUser),
    C(ListGroupsForUser) and C(ListPoliciesForGroup), and STS C(AssumeRole) into each member's role."
"""

EXAMPLES = r"""
- name: Stop unless multi-account management can work
  alicloud.bastionhost.multi_account_prerequisites:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123

- name: Report without failing
  alicloud.bastionhost.multi_account_prerequisites:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    fail_on_unmet: false
  register: prerequisites

- name: Show what to fix
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.remediation }}"
  loop: "{{ prerequisites.checks | rejectattr('passed') }}"
  loop_control:
    label: "{{ item.name }}"
"""

RETURN = r"""
ready:
  description: Whether every check passed.
  returned: always
  type: bool
  sample: true
checks:
  description: One entry per prerequisite, in the order they are checked.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description:
        - The check, one of C(instance_running), C(edition_supported), C(version_supported),
          C(resource_directory_enabled), C(caller_is_management_or_delegated_admin), C(has_members), C(ram_policies),
          C(member_role_assumable).
      type: str
      sample: edition_supported
    passed:
      description: True when met, false when not, null when it could not be evaluated.
      type: bool
      sample: true
    detail:
      description: What was found.
      type: str
      sample: the bastion host is Enterprise Edition (plan code cloudbastion_ha)
    remediation:
      description: What to do when the check is not met; null when it passed.
      type: str
      sample: Upgrade the bastion host to Enterprise Edition or SM Edition.
caller:
  description: The calling identity.
  returned: always
  type: dict
  contains:
    account_id:
      description: The Alibaba Cloud account (UID) of the caller.
      type: str
      sample: "1000000000000001"
    type:
      description: C(Account) (the account root), C(RAMUser) or C(AssumedRoleUser).
      type: str
      sample: RAMUser
    arn:
      description: The ARN of the caller.
      type: str
      sample: acs:ram::1000000000000001:user/ops
    user_name:
      description: The RAM user name when the caller is a RAM user, otherwise null.
      type: str
      sample: ops
unassumable_members:
  description:
    - The members whose O(member_role_name) the caller could not assume, sorted by account ID; empty when every
      member's could be assumed, or when C(member_role_assumable) tried none.
  returned: always
  type: list
  elements: dict
  version_added: 0.2.0
  contains:
    member_id:
      description: The member's account ID.
      type: str
      sample: "1000000000000011"
    display_name:
      description: The member's display name in the resource directory.
      type: str
      sample: shop-prod
    role_arn:
      description: The role the caller tried to assume.
      type: str
      sample: acs:ram::1000000000000011:role/ResourceDirectoryAccountAccessRole
    code:
      description: The error code STS AssumeRole answered; null when there was none.
      type: str
      sample: EntityNotExist.Role
    reason:
      description: Why it failed, with the code and request id.
      type: str
      sample: "The role not exists (code: EntityNotExist.Role, request id: 6C5A...)"
    remediation:
      description: What to do about it.
      type: str
      sample: Create the role ResourceDirectoryAccountAccessRole in account 1000000000000011, trusting account
        1000000000000001, or set member_role_name to a role that exists there.
instance:
  description: The bastion host as M(alicloud.bastionhost.instance_info) returns it; null when it was not found.
  returned: always
  type: dict
  sample: {"instance_id": "bastionhost-cn-hangzhou-abc123", "edition": "enterprise", "version": "3.2.52"}
"""

from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import (
    MULTI_ACCOUNT_MIN_VERSION,
    edition_problem,
    find_instance,
    version_problem,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.concurrency import run_concurrently
from ansible_collections.alicloud.bastionhost.plugins.module_utils.directory import (
    REQUIRED_RAM_POLICIES,
    caller_identity,
    delegated_administrators,
    list_accounts,
    missing_policies,
    ram_user_policies,
    resource_directory,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.errors import (
    error_reason,
    remediation_for,
    scrub,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.discovery import (
    MemberAccess,
    member_role_arn,
    member_role_remediation,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.module import AlicloudModule
from ansible_collections.alicloud.bastionhost.plugins.module_utils.multi_account import multi_account_argument_spec

# How many members' roles are tried at once: the other modules' default max_concurrency (this one has no such
# option), far below STS's quota of 100 AssumeRole calls a second per account.
ROLE_CHECK_WORKERS = 4
# How many unassumable members the check's detail and the warning name before counting the rest.
SHOWN_MEMBERS = 10

# Errors that mean "this caller may not look", which leave a check unevaluated.
NOT_ALLOWED_CODES = ("Forbidden.RAM", "NoPermission", "Forbidden", "OperationDenied.NotManagementOrDelegatedAdmin")


class CannotEvaluate(Exception):
    """A check could not be evaluated; ``remediation`` says how to make it possible."""

    def __init__(self, detail, remediation, code):
        super().__init__(detail)
        self.detail = detail
        self.remediation = remediation
        self.code = code


def met(name, detail):
    return dict(name=name, passed=True, detail=detail, remediation=None)


def unmet(name, detail, remediation):
    return dict(name=name, passed=False, detail=detail, remediation=remediation)


def unknown(name, detail, remediation):
    return dict(name=name, passed=None, detail=detail, remediation=remediation)


class Prerequisites:
    """Gathers what the checks need, once, and evaluates each check."""

    def __init__(self, module):
        self.module = module
        self.instance_id = module.params["instance_id"]
        self.service = module.params["service_principal"]
        self.bastion = module.client("bastionhost")
        self.rm = module.client("resourcemanager")
        self.ram = module.client("ram")
        self.accounts, self.management_account = None, None
        self.unassumable = []
        try:
            self.caller = caller_identity(module.client("sts"))
        except Exception as exc:
            module.fail_json_api(exc, "failed to identify the caller (STS GetCallerIdentity)")

    def guarded(self, what, call):
        """Run an API read; a refusal to this caller becomes CannotEvaluate, anything else fails the task."""
        try:
            return call()
        except Exception as exc:
            reason, details = error_reason(exc)
            if details["code"] not in NOT_ALLOWED_CODES:
                self.module.fail_json_api(exc, "failed to %s" % what)
            detail = scrub("could not %s: %s" % (what, reason), self.module.secret_values())
            remedy = remediation_for(details["code"]) or "let the caller %s" % what
            raise CannotEvaluate(detail, "%s%s, or verify this prerequisite by hand." % (remedy[0].upper(), remedy[1:]),
                                 details["code"])

    def instance_checks(self):
        names = ("instance_running", "edition_supported", "version_supported")
        try:
            instance = self.guarded("describe the bastion host %s" % self.instance_id,
                                    lambda: find_instance(self.bastion, self.module.region, self.instance_id))
        except CannotEvaluate as exc:
            return None, [unknown(name, exc.detail, exc.remediation) for name in names]
        if instance is None:
            detail = "the bastion host %s does not exist in %s for account %s" % (
                self.instance_id, self.module.region, self.caller["account_id"])
            skipped = "skipped: the bastion host was not found"
            return None, [
                unmet(names[0], detail, "Check instance_id and region; bastion hosts are visible only to the account "
                                        "that owns them."),
                unknown(names[1], skipped, "Fix instance_running first."),
                unknown(names[2], skipped, "Fix instance_running first."),
            ]
        return instance, [self.running_check(instance), self.edition_check(instance), self.version_check(instance)]

    @staticmethod
    def running_check(instance):
        detail = "the bastion host %s is %s" % (instance["instance_id"], instance["status"])
        if instance["status"] == "RUNNING":
            return met("instance_running", detail)
        return unmet("instance_running", detail, "Wait until the bastion host is RUNNING, or renew it if it expired.")

    @staticmethod
    def edition_check(instance):
        problem = edition_problem(instance)
        if problem:
            return unmet("edition_supported", problem, "Upgrade the bastion host to Enterprise Edition or SM Edition.")
        if instance["edition"] == "unknown":
            return met("edition_supported", "plan code %s is not the documented Basic Edition code (cloudbastion); "
                                            "Bastionhost decides whether it supports multi-account management" % (
                                                instance["plan_code"] or "none"))
        return met("edition_supported", "the bastion host is %s Edition (plan code %s)" % (
            instance["edition"].capitalize(), instance["plan_code"]))

    @staticmethod
    def version_check(instance):
        problem = version_problem(instance)
        if problem:
            return unmet("version_supported", problem,
                         "Upgrade the bastion host to V3.2 %s or later." % MULTI_ACCOUNT_MIN_VERSION)
        return met("version_supported", "the bastion host runs %s" % instance["version"])

    def directory_checks(self):
        names = ("resource_directory_enabled", "caller_is_management_or_delegated_admin", "has_members")
        try:
            directory = self.guarded("read the resource directory", lambda: resource_directory(self.rm))
        except CannotEvaluate as exc:
            return [unknown(name, exc.detail, exc.remediation) for name in names]
        if directory is None:
            enable = "Enable Resource Directory in the management account, then add or invite member accounts."
            return [
                unmet(names[0], "Resource Directory is not enabled for account %s" % self.caller["account_id"], enable),
                unmet(names[1], "without a resource directory there is no management account or delegated "
                                "administrator", enable),
                unmet(names[2], "without a resource directory there are no members", enable),
            ]
        rd_check = met(names[0], "resource directory %s, management account %s" % (
            directory.get("ResourceDirectoryId"), directory.get("MasterAccountId")))
        return [rd_check, self.admin_check(directory), self.members_check(directory)]

    def admin_check(self, directory):
        name = "caller_is_management_or_delegated_admin"
        account = self.caller["account_id"]
        if account == directory.get("MasterAccountId"):
            return met(name, "the caller account %s is the management account" % account)
        remediation = ("Run as the management account (%s), or have it register account %s as a delegated "
                       "administrator of %s. Member assets can only be imported into a bastion host of the management "
                       "account or of a delegated administrator." % (directory.get("MasterAccountId"), account, self.service))
        try:
            admins = self.guarded("list the delegated administrators of %s" % self.service,
                                  lambda: delegated_administrators(self.rm, self.service))
        except CannotEvaluate as exc:
            if exc.code == "OperationDenied.NotManagementOrDelegatedAdmin":
                return unmet(name, "the caller account %s is a member, neither the management account nor a "
                                   "delegated administrator" % account, remediation)
            return unknown(name, exc.detail, exc.remediation)
        if account in admins:
            return met(name, "the caller account %s is a delegated administrator of %s" % (account, self.service))
        return unmet(name, "the caller account %s is a member, not a delegated administrator of %s" % (
            account, self.service), remediation)

    def members_check(self, directory):
        name = "has_members"
        try:
            accounts = self.guarded("list the accounts of the resource directory", lambda: list_accounts(self.rm))
        except CannotEvaluate as exc:
            return unknown(name, exc.detail, exc.remediation)
        self.accounts, self.management_account = accounts, directory.get("MasterAccountId")
        members = [a for a in accounts if a.get("AccountId") not in (directory.get("MasterAccountId"),
                                                                     self.caller["account_id"])]
        if members:
            return met(name, "the resource directory has %d member account(s) besides the caller" % len(members))
        return unmet(name, "the resource directory has no member account besides the caller",
                     "Create a member account or invite an existing account into the resource directory.")

    def ram_check(self):
        name = "ram_policies"
        if self.caller["type"] != "RAMUser":
            return met(name, "not applicable: the caller is %s (%s), not a RAM user" % (
                self.caller["type"], self.caller["arn"]))
        user = self.caller["user_name"]
        try:
            sources = self.guarded("list the RAM policies of user %s" % user, lambda: ram_user_policies(self.ram, user))
        except CannotEvaluate as exc:
            return unknown(name, exc.detail, "Grant the caller AliyunRAMReadOnlyAccess so this can be checked, or make "
                                             "sure RAM user %s has %s." % (user, " and ".join(REQUIRED_RAM_POLICIES)))
        missing = missing_policies(sources)
        if missing:
            return unmet(name, "RAM user %s lacks %s" % (user, ", ".join(missing)),
                         "Attach %s to RAM user %s, directly or through one of its groups." % (" and ".join(missing), user))
        found = ", ".join("%s (%s)" % (p, sources[p]) for p in sorted(sources) if p in REQUIRED_RAM_POLICIES + ("AdministratorAccess",))
        return met(name, "RAM user %s has %s" % (user, found))

    def delegated_admins(self):
        """The delegated administrators, which are not members (empty when the caller may not list them)."""
        try:
            return set(self.guarded("list the delegated administrators of %s" % self.service,
                                    lambda: delegated_administrators(self.rm, self.service)))
        except CannotEvaluate:
            return set()

    def role_check(self):
        """member_role_assumable: the role assumed in every member, ROLE_CHECK_WORKERS at a time; it passes when
        it worked in one. The members it did not work in go to ``self.unassumable``."""
        name = "member_role_assumable"
        role = self.module.params["member_role_name"]
        account = self.caller["account_id"]
        if self.caller["type"] == "Account":
            return unmet(name, "the caller is the root of account %s: STS AssumeRole refuses an Alibaba Cloud account, "
                               "so member assets cannot be discovered" % account,
                         "Run as a RAM user or RAM role of account %s that has AliyunSTSAssumeRoleAccess (and the "
                         "policies of ram_policies), not with the account's own AccessKey." % account)
        members = sorted(set(a.get("AccountId") for a in self.accounts or []) - self.delegated_admins()
                         - set((self.management_account, account)))
        if not members:
            return unknown(name, "skipped: no member account to assume %s in" % role, "Fix has_members first.")
        access = MemberAccess(self.module.clients, role, account, self.module.secret_values())
        outcomes = run_concurrently(ROLE_CHECK_WORKERS, members, access.factory_for)
        assumed = [member for member, _factory, exc in outcomes if exc is None]
        self.unassumable = [self.unassumable_member(member, role, exc) for member, _factory, exc in outcomes
                            if exc is not None]
        if assumed:
            detail = "the caller %s assumed %s in %d of %d members (%s)" % (
                self.caller["arn"], role, len(assumed), len(members), shown(assumed))
            if self.unassumable:
                detail += "; not in %s (see unassumable_members)" % shown([m["member_id"] for m in self.unassumable])
            return met(name, detail)
        return unmet(name, "cannot assume %s in any of the %d members: %s%s" % (
            role, len(members), "; ".join("%s: %s" % (m["member_id"], m["reason"].rstrip("."))
                                          for m in self.unassumable[:SHOWN_MEMBERS]), more(self.unassumable, "; ")),
                     role_remediation(self.unassumable, role, account))

    def unassumable_member(self, member, role, exc):
        reason, details = error_reason(exc)
        remedy = member_role_remediation(details["code"], role, member, self.caller["account_id"], exc)
        names = dict((a.get("AccountId"), a.get("DisplayName")) for a in self.accounts or [])
        return dict(member_id=member, display_name=names.get(member), role_arn=member_role_arn(member, role),
                    code=details["code"], reason=scrub(reason, self.module.secret_values()),
                    remediation=sentence(remedy))

    def run(self):
        instance, checks = self.instance_checks()
        checks += self.directory_checks()
        checks.append(self.ram_check())
        checks.append(self.role_check())
        return instance, checks


def shown(uids):
    """Up to SHOWN_MEMBERS UIDs, then how many more."""
    more = " and %d more" % (len(uids) - SHOWN_MEMBERS) if len(uids) > SHOWN_MEMBERS else ""
    return ", ".join(uids[:SHOWN_MEMBERS]) + more


def role_remediation(unassumable, role, caller_account):
    """What to do when no member's role could be assumed: one remedy per error code, naming its members."""
    by_code = {}
    for member in unassumable:
        by_code.setdefault(member["code"], []).append(member)
    remedies = []
    for code, members in sorted(by_code.items(), key=lambda item: str(item[0])):
        remedy = members[0]["remediation"] if len(members) == 1 else sentence(member_role_remediation(
            code, role, shown([m["member_id"] for m in members]), caller_account))
        remedies.append(remedy)
    return " ".join(remedies)


def sentence(text):
    return "%s%s." % (text[0].upper(), text[1:])


def more(unassumable, separator=" | "):
    count = len(unassumable) - SHOWN_MEMBERS
    return "%sand %d more (see unassumable_members)" % (separator, count) if count > 0 else ""


def unassumable_warning(role, unassumable):
    """One warning naming each member whose role could not be assumed, with its reason and remedy."""
    return "member_role_assumable: could not assume %s in %d member(s): %s%s" % (
        role, len(unassumable), " | ".join("%s%s: %s. %s" % (
            m["member_id"], " (%s)" % m["display_name"] if m["display_name"] else "", m["reason"].rstrip("."),
            m["remediation"]) for m in unassumable[:SHOWN_MEMBERS]), more(unassumable))


def unmet_summary(instance_id, checks):
    lines = ["%s: %s%s. %s" % (c["name"], "not evaluated: " if c["passed"] is None else "", c["detail"].rstrip("."),
                               c["remediation"])
             for c in checks if not c["passed"]]
    return "Bastion host %s is not ready for multi-account management; %d check(s) not met: %s" % (
        instance_id, len(lines), " | ".join(lines))


def main():
    spec = multi_account_argument_spec(concurrency=False, removals=False)
    spec.update(
        fail_on_unmet=dict(type="bool", default=True),
        service_principal=dict(type="str", default="bastionhost.aliyuncs.com"),
    )
    module = AlicloudModule(argument_spec=spec, supports_check_mode=True)
    prerequisites = Prerequisites(module)
    instance, checks = prerequisites.run()
    ready = all(c["passed"] for c in checks)
    result = dict(changed=False, ready=ready, checks=checks, caller=prerequisites.caller, instance=instance,
                  unassumable_members=prerequisites.unassumable)
    if prerequisites.unassumable and any(c["name"] == "member_role_assumable" and c["passed"] for c in checks):
        # When the check fails, its detail and the task's message name them already.
        module.warn(unassumable_warning(module.params["member_role_name"], prerequisites.unassumable))
    if not ready and module.params["fail_on_unmet"]:
        module.fail_json(msg=unmet_summary(module.params["instance_id"], checks), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
