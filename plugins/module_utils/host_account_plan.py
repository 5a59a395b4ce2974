# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure planning of the host accounts every host of a scope has (alicloud.bastionhost.host_account): which
accounts to create, update (a shared key attached, or a secret sent again) or remove, and every refusal, decided
before the first write. No API calls, no secret: an account's credential is described, never held.

    plan = plan_accounts(hosts, specs, existing, "present", "on_create", share_keys={"ops-key": "1"})
"""

from __future__ import annotations

from collections import namedtuple

from ansible_collections.alicloud.bastionhost.plugins.module_utils.problems import yaml_boolean_problem

# An account the task names: ``credential`` one of password, private_key, host_share_key (None with absent).
AccountSpec = namedtuple("AccountSpec", "name protocol credential share_key")
Host = namedtuple("Host", "id name")
Change = namedtuple("Change", "host spec account what")
AccountPlan = namedtuple("AccountPlan", "create update remove unchanged before after problems")

PASSWORD = "password"
PRIVATE_KEY = "private_key"
SHARE_KEY = "host_share_key"
SET = "(set, not shown)"
CHANGED = "(changed, not shown)"
MAX_NAME = 128  # CreateHostAccountRequest.HostAccountName


def spec_problems(index, entry, state):
    """What is wrong with ``accounts[index]`` of the task (its options as given)."""
    where = "accounts[%d] (%s)" % (index, entry.get("name") or "no name")
    name = entry.get("name") or ""
    problems = []
    if not name.strip() or len(name) > MAX_NAME:
        problems.append("%s: name must be 1 to %d characters" % (where, MAX_NAME))
    boolean = yaml_boolean_problem(where, "name", [name], 'name: "yes"')
    if boolean:
        problems.append(boolean)
    if state == "absent":
        return problems
    given = [c for c in (PASSWORD, PRIVATE_KEY, SHARE_KEY) if entry.get(c)]
    protocol = entry.get("protocol") or "SSH"
    if len(given) != 1:
        problems.append("%s: give exactly one credential, password, private_key or host_share_key (%s given)" % (
            where, ", ".join(given) or "none"))
    elif protocol == "RDP" and given[0] != PASSWORD:
        problems.append("%s: an RDP account logs on with a password only (%s is for SSH)" % (where, given[0]))
    if entry.get("passphrase") and not entry.get(PRIVATE_KEY):
        problems.append("%s: passphrase goes with private_key" % where)
    return problems


def credential_label(account):
    """How the diff shows the credential an existing account has (never the credential)."""
    if account.get("share_key_name") or account.get("share_key_id"):
        return "shared key %s" % (account.get("share_key_name") or account.get("share_key_id"))
    if account.get("key_fingerprint"):
        return "private key " + SET
    if account.get("has_password"):
        return "password " + SET
    return "none"


def wanted_label(spec, changed=False):
    if spec.credential == SHARE_KEY:
        return "shared key %s" % spec.share_key
    kind = "password" if spec.credential == PASSWORD else "private key"
    return "%s %s" % (kind, CHANGED if changed else SET)


def plan_accounts(hosts, specs, existing, state, update_password, max_removals=None):
    """The plan for ``specs`` (AccountSpec) on ``hosts`` (Host), given ``existing`` ``{(host id, account name):
    account view}`` (access.host_account_view). Only the named accounts on the scoped hosts are ever touched."""
    create, update, remove, unchanged, problems = [], [], [], 0, []
    conflicts = {}
    for host in hosts:
        for spec in specs:
            account = existing.get((host.id, spec.name))
            if state == "absent":
                if account is not None and (spec.protocol is None or account["protocol"] == spec.protocol):
                    remove.append(Change(host, spec, account, "remove"))
                continue
            if account is None:
                create.append(Change(host, spec, None, "create"))
            elif account["protocol"] != spec.protocol:
                conflicts.setdefault((spec.name, account["protocol"]), []).append(host)
            elif spec.credential == SHARE_KEY and account.get("share_key_name") != spec.share_key:
                update.append(Change(host, spec, account, "attach"))
            elif spec.credential != SHARE_KEY and update_password == "always":
                update.append(Change(host, spec, account, "secret"))
            else:
                unchanged += 1
    for (name, protocol), where in sorted(conflicts.items()):
        problems.append("account %s exists as %s on %d hosts (%s), not as the protocol asked; remove it there first "
                        "(state=absent with that protocol), or name the account differently" % (
                            name, protocol, len(where), ", ".join("%s (%s)" % (h.name, h.id) for h in where[:10])))
    if state == "absent" and max_removals is not None and len(remove) > max_removals:
        problems.append("the task would remove %d host accounts (%s), more than max_removals %d: check the scope and "
                        "the names, then raise max_removals on purpose" % (
                            len(remove), ", ".join(line(c) for c in remove[:10]), max_removals))
    before, after = diff_sides(create, update, remove)
    return AccountPlan(create, update, remove, unchanged, before, after, problems)


def line(change):
    """``<host id> <host name> <account>``, how results list a changed account."""
    return "%s %s %s" % (change.host.id, change.host.name, change.spec.name)


def host_label(host):
    return "%s (%s)" % (host.name, host.id)


def diff_sides(create, update, remove):
    """``(before, after)``: ``{host label: {account: {protocol, credential}}}`` of the hosts that change only."""
    before, after = {}, {}
    for change in create:
        after.setdefault(host_label(change.host), {})[change.spec.name] = dict(
            protocol=change.spec.protocol, credential=wanted_label(change.spec))
    for change in update:
        label = host_label(change.host)
        before.setdefault(label, {})[change.spec.name] = dict(
            protocol=change.account["protocol"], credential=credential_label(change.account))
        after.setdefault(label, {})[change.spec.name] = dict(protocol=change.spec.protocol, credential=wanted_label(
            change.spec, changed=change.what == "secret"))
    for change in remove:
        before.setdefault(host_label(change.host), {})[change.spec.name] = dict(
            protocol=change.account["protocol"], credential=credential_label(change.account))
    return before, after


def capped(before, after, shown):
    """The diff sides with at most ``shown`` hosts, in label order, then a count of the rest."""
    labels = sorted(set(before) | set(after))
    if len(labels) <= shown:
        return dict(before=before, after=after)
    kept = set(labels[:shown])
    more = "%d more hosts change, listed in the task's result" % (len(labels) - shown)
    return dict(before=dict([(k, v) for k, v in before.items() if k in kept] + [("...", more)]),
                after=dict([(k, v) for k, v in after.items() if k in kept] + [("...", more)]))
