# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure planning of what a user group is granted (alicloud.bastionhost.user_group_grant): asset groups with host
account names, databases with database accounts. Every attach, revoke and refusal is decided before the first
write; no API calls.

A grant is keyed by the asset group's or database's id. ``wanted`` entries come from the task, resolved:
``Wanted(id, label, accounts)`` where ``accounts`` is ``{name: value}`` (a host account name maps to itself, a
database account name to its id) or None when the task names no accounts. ``granted`` is what the group has:
``{id: Granted(label, accounts)}`` with ``accounts`` ``{name: value}``.

A revoke is ``(id, [values])`` for some accounts or ``(id, None)`` for the whole grant; a planned revoke never
holds an empty list (the API does not document one, and it may revoke everything).
"""

from __future__ import annotations

from collections import namedtuple

from ansible_collections.alicloud.bastionhost.plugins.module_utils.problems import yaml_boolean_problem

Wanted = namedtuple("Wanted", "id label accounts")
Granted = namedtuple("Granted", "label accounts")
KindPlan = namedtuple("KindPlan", "attach revoke granted revoked removals")


def plan_kind(kind, wanted, granted, state, purge):
    """The plan of one kind (``host_group`` or ``database``): ``wanted`` the task's entries (None when the task
    does not give this kind: then nothing of it changes), ``granted`` ``{id: Granted}``."""
    attach, revoke, granted_lines, revoked_lines, removals = [], [], [], [], 0
    if wanted is None:
        return KindPlan(attach, revoke, granted_lines, revoked_lines, removals)
    for entry in wanted:
        has = granted.get(entry.id)
        names = entry.accounts
        if state == "absent":
            if has is None:
                continue
            if names is None:
                revoke.append((entry.id, None))
                revoked_lines.append("%s %s" % (kind, entry.label))
                revoked_lines.extend("%s %s account %s" % (kind, entry.label, n) for n in sorted(has.accounts))
                removals += 1 + len(has.accounts)
            else:
                gone = sorted(n for n in names if n in has.accounts)
                if gone:
                    revoke.append((entry.id, [has.accounts[n] for n in gone]))
                    revoked_lines.extend("%s %s account %s" % (kind, entry.label, n) for n in gone)
                    removals += len(gone)
            continue
        missing = sorted(n for n in names or () if has is None or n not in has.accounts)
        if has is None or missing:
            attach.append((entry.id, [names[n] for n in missing] or None))
        if has is None:
            granted_lines.append("%s %s" % (kind, entry.label))
        granted_lines.extend("%s %s account %s" % (kind, entry.label, n) for n in missing)
        if purge and has is not None and names is not None:
            extra = sorted(n for n in has.accounts if n not in names)
            if extra:
                revoke.append((entry.id, [has.accounts[n] for n in extra]))
                revoked_lines.extend("%s %s account %s" % (kind, entry.label, n) for n in extra)
                removals += len(extra)
    if state == "present" and purge:
        listed = set(entry.id for entry in wanted)
        for grant_id, has in sorted(granted.items(), key=lambda item: item[1].label):
            if grant_id not in listed:
                revoke.append((grant_id, None))
                revoked_lines.append("%s %s" % (kind, has.label))
                revoked_lines.extend("%s %s account %s" % (kind, has.label, n) for n in sorted(has.accounts))
                removals += 1 + len(has.accounts)
    return KindPlan(attach, revoke, granted_lines, revoked_lines, removals)


WHOLE = {"host_groups": "the whole asset group", "databases": "the whole database"}


def entry_problems(kind, entries, state, purge):
    """What is wrong with the task's entries of one kind (``[{..., "accounts": [...] or None}]`` or None)."""
    problems = []
    if entries is None:
        return problems
    if not entries and (purge or state == "absent"):
        action = "purge" if purge else "state=absent"
        problems.append("%s is an empty list: %s never acts on an empty list (name what the group keeps, or omit %s "
                        "to leave its grants of that kind as they are)" % (kind, action, kind))
    twice = listed_twice(entries)
    if twice:
        problems.append("%s lists %s more than once: give each once, with all its accounts" % (kind, ", ".join(twice)))
    for entry in entries:
        accounts = entry.get("accounts")
        if accounts is not None and any(not str(a).strip() for a in accounts):
            problems.append("%s has an empty account name (an empty survey field?)" % kind)
        boolean = yaml_boolean_problem(kind, "account name", accounts, 'accounts: ["yes"]')
        if boolean:
            problems.append(boolean)
        if accounts == [] and (purge or state == "absent"):
            problems.append(empty_accounts_problem(kind, state))
    return sorted(set(problems), key=problems.index)


def entry_label(entry):
    """An asset group entry's name, a database entry's ``<member> <instance ID>`` as given."""
    if "name" in entry:
        return entry["name"]
    return "%s %s" % (str(entry["member"]).strip(), entry["instance_id"])


def listed_twice(entries):
    labels = [entry_label(entry) for entry in entries]
    return sorted(set(label for label in labels if labels.count(label) > 1))


def empty_accounts_problem(kind, state):
    if state == "absent":
        return ("%s: accounts is an empty list with state=absent, which names nothing to revoke; omit accounts to "
                "revoke %s, or name the accounts" % (kind, WHOLE.get(kind, "the whole grant")))
    # With purge, every name granted on it is beyond an empty list: it would revoke them all.
    return ("%s: accounts is an empty list with purge, which would revoke every account name granted on it; omit "
            "accounts to grant %s, or name the accounts" % (kind, WHOLE.get(kind, "the whole grant")))


def removals_problem(total, max_removals, lines):
    if max_removals is None or total <= max_removals:
        return None
    shown = ", ".join(lines[:10]) + (" and %d more" % (len(lines) - 10) if len(lines) > 10 else "")
    return ("the task would revoke %d grants (%s), more than max_removals %d: check the lists, then raise "
            "max_removals on purpose" % (total, shown, max_removals))


def apply_to(granted, plan, wanted):
    """What the group is granted of a kind after ``plan``: ``{id: Granted}``."""
    after = dict((grant_id, Granted(g.label, dict(g.accounts))) for grant_id, g in granted.items())
    entries = dict((entry.id, entry) for entry in wanted or ())
    for grant_id, values in plan.revoke:
        if values is None:
            after.pop(grant_id, None)
        else:
            names = after[grant_id].accounts
            for name in [n for n, v in names.items() if v in values]:
                del names[name]
    for grant_id, values in plan.attach:
        entry = entries[grant_id]
        has = after.setdefault(grant_id, Granted(entry.label, {}))
        for name, value in (entry.accounts or {}).items():
            if value in (values or ()):
                has.accounts[name] = value
    return after


def view(granted):
    """A kind's grants as results and the diff show them: ``[{label, accounts: [names]}]`` sorted by label."""
    return [dict(label=g.label, accounts=sorted(g.accounts)) for g in sorted(granted.values(), key=lambda g: g.label)]
