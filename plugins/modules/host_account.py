#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: host_account
short_description: Manage the host accounts every host of asset groups or members has on a bastion host
version_added: 0.2.0
description:
  - Gives every host of a scope the named host accounts (Bastionhost console Assets > Hosts > Accounts), the OS
    accounts users log on as through the bastion host, or removes them.
  - The scope is the hosts of the asset groups O(host_groups) and/or the hosts imported from the member accounts
    O(members). A host is a member's when the ownership record M(alicloud.bastionhost.member_asset) writes in its
    Comment names the member and the member's ECS instances (read through O(member_role_name)) hold its instance, so a
    Comment pasted on another host does not put it in scope (a warning names such hosts). An unknown asset group,
    member name, or a member not on the bastion host fails the task with no change; a scope without hosts is a
    warning.
  - A member whose instances cannot be read (its role is gone) gets no write; the rest of the scope is done, and then
    the task fails naming that member (RV(unread_members)).
  - Each account logs on with one credential, a O(accounts[].password), a O(accounts[].private_key) (as ssh-keygen
    writes it, RSA or Ed25519, checked before the first write and sent Base64-encoded as the API asks) or a shared key
    O(accounts[].host_share_key) (M(alicloud.bastionhost.host_share_key)). An RDP account has a password.
  - A password or key cannot be read back, so an existing account keeps its own unless O(update_password=always),
    which sends it on every run (a change every time). A shared key can be read, so an account on another key, or on
    none, is moved to the one asked.
  - The safety rule. O(state=absent) removes only the named accounts, on the scoped hosts only, never more than
    O(max_removals); everything is planned before the first write. Accounts not named are never touched.
  - Passwords, keys and passphrases never appear in results, diffs, warnings or errors.
author:
  - Alicloud Bastionhost Collection Maintainers (@alicloud-ansible)
options:
  accounts:
    description:
      - The host accounts.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The account name (the user on the host's OS), at most 128 characters.
        type: str
        required: true
      protocol:
        description:
          - C(SSH) or C(RDP). With O(state=present) it defaults to C(SSH); with O(state=absent), omitted, an account of
            that name is removed whatever its protocol.
          - An existing account of the name with another protocol fails the task.
        type: str
        choices: [SSH, RDP]
      password:
        description: The account's password.
        type: str
      private_key:
        description: The account's own SSH private key, as ssh-keygen writes it (SSH only).
        type: str
      passphrase:
        description: The passphrase of O(accounts[].private_key).
        type: str
      host_share_key:
        description: The name of the shared key the account logs on with (SSH only).
        type: str
  host_groups:
    description:
      - Asset groups whose hosts have the accounts. Not an empty list.
    type: list
    elements: str
  members:
    description:
      - Member accounts (account IDs or display names) whose imported hosts have the accounts. Not an empty list.
    type: list
    elements: str
  update_password:
    description:
      - C(on_create) sets the password or key of an account when it is created; C(always) sends it on every run.
    type: str
    choices: [on_create, always]
    default: on_create
  state:
    description:
      - C(present) creates the accounts where they are missing, C(absent) removes them.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - alicloud.bastionhost.common
  - alicloud.bastionhost.multi_account
  - alicloud.bastionhost.multi_account.MEMBER_ROLE
  - alicloud.bastionhost.multi_account.CONCURRENCY
  - alicloud.bastionhost.multi_account.REMOVALS
attributes:
  check_mode:
    support: full
    description: Computes and reports the changes, with the diff, without calling any write API.
  diff_mode:
    support: full
    description:
      - The hosts that change, each with its changed accounts' C(protocol) and C(credential) (C(password (set, not
        shown)), C(private key (changed, not shown)), C(shared key <name>), C(none)), at most 100 hosts.
notes:
  - O(region) is required (or E(ALIBABA_CLOUD_REGION_ID)).
  - At least one of O(host_groups) and O(members) is required; the scope is their union.
  - O(max_removals) counts accounts (one account on one host each).
  - "Calls Bastionhost C(ListHosts), C(ListHostGroups) and the hosts of each asset group, C(ListHostShareKeys),
    C(ListHostAccounts) (100 hosts a call), C(CreateHostAccount), C(ModifyHostAccount),
    C(AttachHostAccountsToHostShareKey) and C(DeleteHostAccount); ResourceManager C(ListAccounts) when a member is given
    by display name; with O(members), Bastionhost C(ListInstanceRdMembers), STS C(GetCallerIdentity) and
    C(AssumeRole) into each member, and ECS C(DescribeInstances) in the regions of its hosts."
seealso:
  - module: alicloud.bastionhost.host_share_key
  - module: alicloud.bastionhost.user_group_grant
"""

EXAMPLES = r"""
- name: Every host of shop-prod logs on as ops with the shared key
  alicloud.bastionhost.host_account:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    members: [shop-prod]
    accounts:
      - name: ops
        host_share_key: ops-key

- name: An administrator account with a password on the hosts of two asset groups, the password rotated
  alicloud.bastionhost.host_account:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    host_groups: [shop-prod-ecs, data-prod-ecs]
    accounts:
      - name: admin
        password: "{{ vault_admin_password }}"
    update_password: always

- name: Remove the account deploy from shop-prod's hosts
  alicloud.bastionhost.host_account:
    region: cn-hangzhou
    instance_id: bastionhost-cn-hangzhou-abc123
    members: [shop-prod]
    accounts:
      - name: deploy
    state: absent
    max_removals: 50
"""

RETURN = r"""
hosts:
  description: How many hosts the scope holds.
  returned: always
  type: int
  sample: 12
counts:
  description: How many accounts were created, updated and removed, and how many were already as asked.
  returned: always
  type: dict
  sample: {"created": 12, "updated": 0, "removed": 0, "unchanged": 0}
created:
  description: The accounts created (predicted in check mode), one C(<host ID> <host name> <account>) line each.
  returned: always
  type: list
  elements: str
  sample: ["7 shop-web-1 ops"]
updated:
  description: The accounts updated (a shared key attached, or a secret sent again), in the same lines.
  returned: always
  type: list
  elements: str
  sample: []
removed:
  description: The accounts removed, in the same lines.
  returned: always
  type: list
  elements: str
  sample: []
failures:
  description:
    - When some writes failed after others were made, each distinct failure once (action, code, message, first request
      ID, count, the account lines).
  returned: when some writes failed
  type: list
  elements: dict
unread_members:
  description:
    - The members of O(members) whose instances could not be read (their role could not be assumed, or may not list
      ECS instances). Their hosts get no write, the rest of the scope is done, and the task then fails naming each with
      its reason and what to do.
  returned: when a member could not be read
  type: list
  elements: str
  sample: ["1000000000000021"]
"""

from ansible_collections.alicloud.bastionhost.plugins.module_utils import ssh_keys
from ansible_collections.alicloud.bastionhost.plugins.module_utils.access import Access
from ansible_collections.alicloud.bastionhost.plugins.module_utils.bastion import BastionHost, imported_from
from ansible_collections.alicloud.bastionhost.plugins.module_utils.concurrency import run_concurrently
from ansible_collections.alicloud.bastionhost.plugins.module_utils.directory import caller_identity
from ansible_collections.alicloud.bastionhost.plugins.module_utils.discovery import MemberAccess, discover_assets
from ansible_collections.alicloud.bastionhost.plugins.module_utils.host_account_plan import (
    PASSWORD,
    PRIVATE_KEY,
    SHARE_KEY,
    AccountSpec,
    Host,
    capped,
    line,
    plan_accounts,
    spec_problems,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.module import AlicloudModule
from ansible_collections.alicloud.bastionhost.plugins.module_utils.multi_account import (
    member_uids,
    multi_account_argument_spec,
    multi_account_option_problems,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.problems import Problems
from ansible_collections.alicloud.bastionhost.plugins.module_utils.report import DIFF_SHOWN, Failures, diff_if_asked

SECRETS = ("password", "private_key", "passphrase")


def argument_spec():
    spec = multi_account_argument_spec()
    spec.update(
        accounts=dict(type="list", elements="dict", required=True, options=dict(
            name=dict(type="str", required=True),
            protocol=dict(type="str", choices=["SSH", "RDP"]),
            password=dict(type="str", no_log=True),
            private_key=dict(type="str", no_log=True),
            passphrase=dict(type="str", no_log=True),
            host_share_key=dict(type="str", no_log=False),
        )),
        host_groups=dict(type="list", elements="str"),
        members=dict(type="list", elements="str"),
        update_password=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


def mask_secrets(module):
    """Each secret as given and as the API is sent it (Base64) is masked in everything Ansible returns."""
    for entry in module.params["accounts"]:
        for option in SECRETS:
            if entry.get(option):
                module.no_log_values.update((entry[option], ssh_keys.encode(entry[option]),
                                             ssh_keys.encode_key(entry[option])))


def check_input(module):
    """Every problem of the task's own input, before anything is read."""
    params = module.params
    problems = multi_account_option_problems(params)
    for option in ("host_groups", "members"):
        values = params[option]
        if values is not None and (not values or any(not str(v).strip() for v in values)):
            problems.append("%s is empty or has an empty name (an empty survey field?): a scope names what it "
                            "covers" % option)
    for index, entry in enumerate(params["accounts"]):
        problems += spec_problems(index, entry, params["state"])
        if params["state"] == "present" and entry.get(PRIVATE_KEY):
            problem = ssh_keys.key_problem(entry[PRIVATE_KEY])
            if problem:
                problems.append("accounts[%d] (%s): private_key is not a key the API takes: %s" % (
                    index, entry["name"], problem))
    names = [entry["name"] for entry in params["accounts"]]
    if len(set(names)) != len(names):
        problems.append("accounts names an account twice")
    if not params["accounts"]:
        problems.append("accounts is an empty list: name the accounts")
    if problems:
        module.fail_json(msg="nothing was changed: %s" % "; ".join(problems))


def specs(params):
    def credential(entry):
        return next((c for c in (PASSWORD, PRIVATE_KEY, SHARE_KEY) if entry.get(c)), None)
    default = "SSH" if params["state"] == "present" else None
    return [AccountSpec(e["name"], e.get("protocol") or default, credential(e), e.get(SHARE_KEY))
            for e in params["accounts"]]


def read_scope(module, bastion):
    """``(hosts, unread)``: the hosts of the task's asset groups and members, as Host tuples sorted by id, and the
    members whose hosts could not be confirmed (``{member: exception}``: their hosts are left out)."""
    params, problems = module.params, Problems()
    records = module.api_read("list the hosts of %s" % bastion.instance_id, bastion.host_records)
    names = dict((str(r.get("HostId")), r.get("HostName")) for r in records)
    scope, unread = set(), {}
    if params["host_groups"]:
        groups = module.api_read("list the asset groups of %s" % bastion.instance_id, bastion.groups)
        for name in params["host_groups"]:
            if name not in groups:
                problems.add("no such asset group on the bastion host", name)
                continue
            members = module.api_read("list the hosts of asset group %s" % name,
                                      lambda g=groups[name]: bastion.group_members(g))
            scope |= set(asset_id for kind, asset_id in members if kind == "host")
    if problems:
        module.fail_json(msg=problems.message("nothing was changed"))
    if params["members"]:
        member_hosts, unread = read_member_hosts(module, bastion, imported_from(records, []))
        scope |= member_hosts
    return [Host(host_id, names.get(host_id) or host_id) for host_id in sorted(scope, key=_number)], unread


def read_member_hosts(module, bastion, imported):
    """``(host ids, unread)``: the hosts imported from the task's members. A host is one of a member's when its
    ownership record names the member and discovery (the member's ECS, through its role) finds the instance
    there: a Comment pasted on another host does not put it in scope. A member not on the bastion host fails the
    task; a member whose role cannot be read is ``unread`` (``{member: exception}``) and its hosts are left out."""
    params = module.params
    uids = set(member_uids(module, params["members"], "members").values())
    on_host = set(module.api_read("list the members of %s" % bastion.instance_id, bastion.members))
    if uids - on_host:
        module.fail_json(msg="nothing was changed: members: not members of bastion host %s: %s (add them with "
                             "alicloud.bastionhost.rd_member first)" % (bastion.instance_id,
                                                                        ", ".join(sorted(uids - on_host))))
    recorded = [h for h in imported if h["member_id"] in uids]
    if not recorded:
        return set(), {}
    caller = module.api_read("identify the caller", lambda: caller_identity(module.client("sts")))
    access = MemberAccess(module.clients, params["member_role_name"], caller["account_id"], module.secret_values())
    discovered, unread = discover_assets(access.factory_for, sorted(set(h["member_id"] for h in recorded)),
                                         sorted(set(h["region"] for h in recorded if h["region"])), types=["ecs"],
                                         max_workers=params["max_concurrency"])
    found = set((a["member_id"], a["instance_id"]) for a in discovered)
    confirmed = [h for h in recorded if (h["member_id"], h["instance_id"]) in found]
    disputed = [h for h in recorded if h["member_id"] not in unread and h not in confirmed]
    if disputed:
        module.warn("left alone: %d hosts whose Comment names a member that does not have the instance (a pasted "
                    "Comment, or an instance released or moved): %s" % (len(disputed), ", ".join(
                        "%s (%s)" % (h["instance_id"], h["member_id"]) for h in disputed[:DIFF_SHOWN])))
    for member, exc in sorted(unread.items()):
        module.warn("the hosts of member %s are left out, its instances cannot be read: %s" % (
            member, access.describe(member, exc)[0]))
    return set(h["asset_id"] for h in confirmed), dict((m, access.describe(m, e)[0]) for m, e in unread.items())


def _number(value):
    return (0, int(value)) if str(value).isdigit() else (1, str(value))


def read_share_keys(module, access, wanted):
    """``{name: id}`` of the shared keys the task names; fails naming the unknown ones."""
    names = sorted(set(s.share_key for s in wanted if s.credential == SHARE_KEY))
    if not names:
        return {}
    keys = dict((k["name"], k["id"]) for k in module.api_read("list the shared keys", access.share_keys))
    unknown = [n for n in names if n not in keys]
    if unknown:
        module.fail_json(msg="nothing was changed: no such shared key on the bastion host: %s (create it with "
                             "alicloud.bastionhost.host_share_key first)" % ", ".join(unknown))
    return keys


def read_existing(module, access, hosts, wanted):
    names = set(s.name for s in wanted)
    accounts = module.api_read("list the accounts of %d hosts" % len(hosts),
                               lambda: access.host_accounts([h.id for h in hosts])) if hosts else []
    return dict(((a["host_id"], a["name"]), a) for a in accounts if a["name"] in names)


def secrets_of(params, name):
    entry = next(e for e in params["accounts"] if e["name"] == name)
    return dict(password=entry.get(PASSWORD), private_key=ssh_keys.encode_key(entry[PRIVATE_KEY])
                if entry.get(PRIVATE_KEY) else None,
                passphrase=ssh_keys.encode(entry["passphrase"]) if entry.get("passphrase") else None)


def write_change(access, params, keys, change):
    spec, host = change.spec, change.host
    if change.what == "remove":
        return access.delete_host_account(change.account["id"], host.id)
    key_id = keys.get(spec.share_key) if spec.credential == SHARE_KEY else None
    if change.what == "create":
        return access.create_host_account(host.id, spec.name, spec.protocol, share_key_id=key_id,
                                          **secrets_of(params, spec.name))
    if change.what == "attach":
        return access.attach_to_share_key(key_id, [change.account["id"]])
    return access.modify_host_account(change.account["id"], **secrets_of(params, spec.name))


def apply(module, access, plan, keys):
    """Every write of the plan, at most max_concurrency at a time; the Failures."""
    failures = Failures(module.secret_values() | module.no_log_values)
    changes = plan.remove + plan.update + plan.create
    for change, _value, exc in run_concurrently(module.params["max_concurrency"], changes,
                                                lambda c: write_change(access, module.params, keys, c)):
        if exc is not None:
            failures.add("failed_accounts", dict(account=line(change)), change.what,
                         "failed to %s host account %s" % (change.what, line(change)), exc, line=line(change))
    return failures


def results(plan, hosts, failed=()):
    """What the task did (or would do), the failed writes left out."""
    done = dict((what, [line(c) for c in changes if line(c) not in failed]) for what, changes in (
        ("created", plan.create), ("updated", plan.update), ("removed", plan.remove)))
    counts = dict((what, len(lines)) for what, lines in done.items())
    return dict(done, hosts=len(hosts), counts=dict(counts, unchanged=plan.unchanged))


def main():
    module = AlicloudModule(argument_spec=argument_spec(), supports_check_mode=True,
                            required_one_of=[["host_groups", "members"]])
    mask_secrets(module)
    check_input(module)
    params = module.params
    client = module.client("bastionhost")
    bastion = BastionHost(client, module.region, params["instance_id"], params["max_concurrency"])
    access = Access(client, module.region, params["instance_id"], params["max_concurrency"])
    wanted = specs(params)
    hosts, unread = read_scope(module, bastion)
    keys = read_share_keys(module, access, wanted) if params["state"] == "present" else {}
    existing = read_existing(module, access, hosts, wanted)
    plan = plan_accounts(hosts, wanted, existing, params["state"], params["update_password"], params["max_removals"])
    if plan.problems:
        module.fail_json(msg="nothing was changed: %s" % "; ".join(plan.problems))
    if not hosts and not unread:
        module.warn("the scope (host_groups %s, members %s) holds no host: nothing to do" % (
            params["host_groups"], params["members"]))
    changed = bool(plan.create or plan.update or plan.remove)
    failures = apply(module, access, plan, keys) if changed and not module.check_mode else Failures()
    result = results(plan, hosts, set(entry["account"] for entry in failures.entries.get("failed_accounts", [])))
    result.update(diff_if_asked(module, lambda: capped(plan.before, plan.after, DIFF_SHOWN)))
    if failures:
        failures.fail(module, "bastion host %s" % params["instance_id"], "created %d, updated %d, removed %d" % (
            result["counts"]["created"], result["counts"]["updated"], result["counts"]["removed"]), changed=True,
            **result)
    if unread:
        module.fail_json(msg="the hosts of %d members were left out, their instances cannot be read (the rest of the "
                             "scope is done): %s" % (len(unread), "; ".join(v for _m, v in sorted(unread.items()))),
                         changed=changed, unread_members=sorted(unread), **result)
    module.exit_json(changed=changed, **result)


if __name__ == "__main__":
    main()
