# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure planning: every write a task makes, and every refusal, decided before its first write.

The safety rule, enforced here for every module that removes anything: a task removes only
what it lists explicitly or, with ``purge``/``purge_members``, what its scope (the members,
regions and asset types it names or selects) holds beyond what it selects; never when the
selection is empty, never when part of the scope could not be read, and never more than
``max_removals``.

Nothing in this file calls an API: the modules read the state, call ``plan_assets`` or
``plan_members``, and apply the plan unless it has problems (or the task is in check mode).

    plan = plan_assets(AssetRequest(state="present", purge=True, ...), discovered, imported)
    if plan.problems:
        module.fail_json(msg=plan.problems.message("nothing was changed"))
"""

from __future__ import annotations

import fnmatch
from collections import OrderedDict

from ansible_collections.alicloud.bastionhost.plugins.module_utils.asset_types import (
    DATABASE,
    asset_type,
    is_host,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.model import (
    MAX_NAME_LENGTH,
    asset_key,
    asset_label,
    database_type,
    normalize_tags,
    sort_assets,
    tags_match,
)
from ansible_collections.alicloud.bastionhost.plugins.module_utils.problems import Problems


def import_blocker(asset, address_type):
    """Why ``asset`` cannot be imported with ``address_type``, or None when it can."""
    if asset_type(asset).kind == DATABASE and database_type(asset.get("engine")) is None:
        return "engine %s is not one Bastionhost takes (MySQL, MariaDB, PostgreSQL, SQLServer, Oracle)" % (
            asset.get("engine") or "unknown")
    if address_type == "Public" and not asset.get("public_address"):
        return "no public address (address_type Public)"
    if address_type == "Private" and not asset.get("address"):
        return "no private address"
    if len(asset.get("name") or "") > MAX_NAME_LENGTH:
        return "name longer than %d characters" % MAX_NAME_LENGTH
    return None


NAME_PLACEHOLDERS = ("name", "instance_id", "member_id", "member_name", "region")
GROUP_PLACEHOLDERS = ("member_id", "member_name", "region", "type")


def template_problem(option, template, placeholders):
    """Why ``template`` cannot be rendered with ``placeholders``, or None."""
    try:
        template.format(**dict((p, "x") for p in placeholders))
    except (KeyError, IndexError, ValueError) as exc:
        return "%s %r: %s (placeholders: %s)" % (option, template, exc, ", ".join("{%s}" % p for p in placeholders))
    return None


def render(template, asset, placeholders):
    return template.format(**dict((p, asset.get(p) or "") for p in placeholders))


def wanted_record(asset, request):
    """What the bastion host's record of ``asset`` should say, by the task's options: only the
    fields the task decides (the network domain and the group only when they are given)."""
    wanted = dict(name=render(request.name_template, asset, NAME_PLACEHOLDERS), address=asset.get("address"),
                  public_address=asset.get("public_address"), address_type=request.address_type)
    if is_host(asset):
        wanted["os"] = asset.get("os") or "Linux"
    if asset.get("endpoint_type"):
        wanted["port"] = asset.get("port")   # a PolarDB endpoint's own port (DescribeDBClusterEndpoints)
    if request.network_domain_id:
        wanted["network_domain_id"] = request.network_domain_id
    if request.host_group:
        wanted["host_group"] = render(request.host_group, asset, GROUP_PLACEHOLDERS)
    return wanted


def drift(wanted, record):
    """``{field: {before, after}}`` where the record differs from a wanted value (an empty wanted
    value is never written: it would clear what the service has)."""
    changes = {}
    for field, value in sorted(wanted.items()):
        if value in (None, ""):
            continue
        if field == "host_group":
            groups = sorted(record.get("host_groups") or [])
            if value not in groups:
                changes[field] = dict(before=groups, after=sorted(groups + [value]))
        elif record.get(field) != value:
            changes[field] = dict(before=record.get(field), after=value)
    return changes


def check_max_removals(problems, removals, max_removals, member_label=str):
    """Refuse more than ``max_removals`` removals, listing them (None: no limit)."""
    if max_removals is not None and len(removals) > max_removals:
        problems.add("the task would remove %d items, more than max_removals %d; raise max_removals to allow it" % (
            len(removals), max_removals))
        for item in removals:
            problems.add("it would remove", item if isinstance(item, str) else asset_label(item, member_label))


class Scope:
    """The (member, region, type) cells a task covers: what it reads, and what purge may touch.

        Scope.of(["1000000000000011"], ["cn-hangzhou"], ["ecs"]) | Scope([("1000000000000012", "cn-shanghai", "rds")])
    """

    def __init__(self, cells=()):
        self.cells = frozenset(cells)

    @classmethod
    def of(cls, members, regions, types):
        return cls((m, r, t) for m in members for r in regions for t in types)

    def __or__(self, other):
        return Scope(self.cells | other.cells)

    @property
    def members(self):
        return sorted(set(c[0] for c in self.cells))

    @property
    def regions(self):
        return sorted(set(c[1] for c in self.cells))

    @property
    def types(self):
        return sorted(set(c[2] for c in self.cells))

    def holds(self, asset):
        return (asset.get("member_id"), asset.get("region"), asset["type"]) in self.cells


def select_discovered(discovered, scope, tags=None, name_pattern=None, tagged_keys=None):
    """Keys of the ``discovered`` assets a discover filter selects: in ``scope``, carrying every tag
    (model.tags_match) and matching the shell-style ``name_pattern``. ``tagged_keys``: the keys a
    server-side tag filter returned, for the types whose list carries no tags (RDS)."""
    selected = set()
    for asset in discovered:
        if not scope.holds(asset):
            continue
        if tags:
            if not asset_type(asset).list_has_tags:
                if asset_key(asset) not in (tagged_keys or ()):
                    continue
            elif not tags_match(tags, asset.get("tags")):
                continue
        if name_pattern and not fnmatch.fnmatchcase(asset.get("name") or "", name_pattern):
            continue
        selected.add(asset_key(asset))
    return selected


class AssetRequest:
    """What a member_asset task asks for, with member names already resolved to UIDs.

    ``listed``: the explicit ``assets`` entries (member_id, type, instance_id, region).
    ``selected``: keys of the discovered assets the ``discover`` filter selects (None: no filter).
    ``scope``: the Scope read by discovery (all of it: a scope that could not be read is refused
    before planning)."""

    def __init__(self, state="present", purge=False, listed=(), selected=None, scope=None,
                 address_type="Private", max_removals=None, remove_released=False, name_template="{name}",
                 host_group=None, network_domain_id=None):
        self.state = state
        self.purge = purge
        self.listed = list(listed)
        self.selected = selected
        self.scope = scope or Scope()
        self.address_type = address_type
        self.max_removals = max_removals
        self.remove_released = remove_released
        self.name_template = name_template
        self.host_group = host_group
        self.network_domain_id = network_domain_id


class AssetPlan:
    """The writes of a member_asset task, and why it refuses to make them."""

    def __init__(self):
        self.to_import, self.to_update, self.to_remove, self.unchanged, self.skipped = [], [], [], [], []
        self.problems = Problems()
        self.warnings = []


def plan_assets(request, discovered, imported, member_label=str):
    """Plan a member_asset task.

    ``discovered``: every asset of the scope's members in its regions and types (with member_id,
    member_name and region); ``imported``: the bastion host's imported assets, each with ``asset_id``,
    its record's fields (name, addresses, os, address_type, network_domain_id, host_groups,
    source_state) and, when known from its ownership record, ``member_id`` and ``region``."""
    plan = AssetPlan()
    found = dict((asset_key(a), a) for a in discovered)
    current = dict((asset_key(a), a) for a in imported)

    listed = _listed_assets(request, found, current, plan.problems, member_label)
    selected = [found[k] for k in sorted(request.selected or ()) if k in found]
    if request.selected is not None and not selected:
        plan.warnings.append("the discover filter matched no asset in members %s, regions %s, types %s" % (
            ", ".join(sorted(map(member_label, request.scope.members))) or "none",
            ", ".join(sorted(request.scope.regions)) or "none", ", ".join(sorted(request.scope.types)) or "none"))
    wanted = OrderedDict((asset_key(a), a) for a in sort_assets(listed + selected))

    if request.state == "absent":
        for key, asset in wanted.items():
            if key in current:
                plan.to_remove.append(_with_current(asset, current[key]))
            else:
                plan.unchanged.append(asset)
    else:
        listed_keys = set(asset_key(a) for a in listed)
        for key, asset in wanted.items():
            record = wanted_record(asset, request)
            asset = dict(asset, name=record["name"], host_group=record.get("host_group"))
            blocker = import_blocker(asset, request.address_type)
            if key in current:
                changes = drift(record, current[key])
                if changes and blocker and key in listed_keys:
                    plan.problems.add("listed assets that cannot be updated", "%s (%s)" % (
                        asset_label(asset, member_label), blocker))
                elif changes and blocker:
                    plan.skipped.append(dict(_with_current(asset, current[key]), reason=blocker))
                elif changes:
                    plan.to_update.append(dict(_with_current(asset, current[key]), changes=changes))
                else:
                    plan.unchanged.append(_with_current(asset, current[key]))
                continue
            if blocker and key in listed_keys:
                plan.problems.add("listed assets that cannot be imported", "%s (%s)" % (
                    asset_label(asset, member_label), blocker))
            elif blocker:
                plan.skipped.append(dict(asset, reason=blocker))
            else:
                plan.to_import.append(asset)
        if request.purge:
            plan.to_remove = _purged(request, wanted, found, current, plan.problems)
        if request.remove_released:
            plan.to_remove = sort_assets(plan.to_remove + _released(request, current))

    check_max_removals(plan.problems, plan.to_remove, request.max_removals, member_label)
    return plan


def _listed_assets(request, found, current, problems, member_label):
    """The listed entries as discovered; with state=absent, an entry discovery no longer finds (a
    released instance) is still removed when its ownership record names the same member and region."""
    listed = []
    for entry in request.listed:
        key = asset_key(entry)
        if _same_place(found.get(key), entry):
            listed.append(found[key])
        elif request.state == "absent" and _same_place(current.get(key), entry):
            listed.append(dict(current[key], **entry))
        else:
            problems.add("listed assets not found in their member and region", "%s in %s" % (
                asset_label(entry, member_label), entry["region"]))
    return listed


def _same_place(asset, entry):
    return asset is not None and asset.get("member_id") == entry["member_id"] and asset.get("region") == entry["region"]


def _purged(request, wanted, found, current, problems):
    """The imported assets the scope holds beyond the selection: only source instances that
    discovery still finds in a scope member (never a released one, never another member's)."""
    if not wanted:
        problems.add("purge with an empty selection would remove everything in scope; refusing: select at least "
                     "one asset, or remove assets by listing them with state=absent")
        return []
    removals = []
    for key, asset in found.items():
        if key in current and key not in wanted and request.scope.holds(asset):
            removals.append(_with_current(asset, current[key]))
    return sort_assets(removals)


def _released(request, current):
    """Imported assets in scope whose source instance is released; only those whose ownership
    record says whose they are (a released instance can no longer be discovered)."""
    return [dict(a, reason="released") for a in current.values()
            if a.get("source_state") == "Release" and a.get("member_id") and request.scope.holds(a)]


def _with_current(asset, imported):
    return dict(asset, asset_id=imported.get("asset_id"))


class MemberPlan:
    """The writes of an rd_member task: members to add and remove, and the assets removed with them.
    ``disputed``: assets of the members to remove whose ownership record and discovery disagree on the
    member, left as they are (each with ``discovered_member``: a UID, or None for the bastion host's own
    account)."""

    OWN_ACCOUNT = "the bastion host's own account"

    def __init__(self):
        self.to_add, self.to_remove, self.removed_assets = [], [], []
        self.disputed = []
        self.problems = Problems()
        self.warnings = []


def membership_changes(current, desired, state="present", purge=False):
    """``(to_add, to_remove)``: the members a task adds and removes (purge never on an empty selection)."""
    current, desired = set(current), set(desired)
    if state == "absent":
        return [], sorted(desired & current)
    to_remove = sorted(current - desired) if purge and desired else []
    return sorted(desired - current), to_remove


def plan_members(current, desired, state="present", purge=False, remove_assets=False, owned=None,
                 unattributed=(), max_removals=None, member_label=str, discovered=(), own_keys=(), unread=(),
                 notes=()):
    """Plan an rd_member task.

    ``desired``: the UIDs the task names or selects; ``owned``: ``{member: [imported assets]}``
    for the members on the bastion host (by ownership record, else by discovery); ``unattributed``: imported
    assets whose member is unknown (no ownership record, not found by discovery): they block any removal,
    since they may belong to a leaving member, unless ``own_keys`` (the keys of the instances found in the
    caller's own account, the bastion host's) holds them. ``discovered``: the assets discovery found in the
    members (each with member_id): an asset whose ownership record names a leaving member but which discovery
    (or the own account) places elsewhere is left as it is, with a warning; one that discovery places in a
    leaving member while its record names another member is refused (the service removes a member only once
    its assets are gone). ``unread``: members on the bastion host that discovery could not read; ``notes``:
    why some lookups in the own account could not be made. Both only explain a refusal."""
    plan = MemberPlan()
    if state == "present" and purge and not desired:
        plan.problems.add("purge_members with an empty selection would remove every member; refusing")
        return plan
    plan.to_add, plan.to_remove = membership_changes(current, desired, state, purge)
    if not plan.to_remove:
        return plan

    owned = owned or {}
    leaving = set(plan.to_remove)
    found = dict((asset_key(a), a["member_id"]) for a in discovered)
    own = set(own_keys)

    def where(asset):
        """The member discovery places ``asset`` in (OWN_ACCOUNT for the own account), None when not found."""
        return MemberPlan.OWN_ACCOUNT if asset_key(asset) in own else found.get(asset_key(asset))

    removed, disputed = [], Problems()
    for member in sorted(owned):
        for asset in owned[member]:
            actual = where(asset)
            if member in leaving and actual in (None, member):
                removed.append(asset)
            elif actual is not None and actual != member and (member in leaving or actual in leaving):
                line = "%s %s (its ownership record names %s, discovery finds it in %s)" % (
                    asset["type"], asset["instance_id"], member_label(member),
                    actual if actual == MemberPlan.OWN_ACCOUNT else member_label(actual))
                if actual in leaving:
                    plan.problems.add(
                        "assets that discovery finds in a member to remove while their ownership record names "
                        "another member: the member cannot be removed while they remain; correct their Comment, or "
                        "delete them from the bastion host", line)
                else:
                    disputed.add("assets whose ownership record and discovery disagree on the member are neither "
                                 "removed nor updated: correct their Comment, or remove them by hand", line)
                    plan.disputed.append(dict(asset, discovered_member=None if actual == MemberPlan.OWN_ACCOUNT
                                              else actual))
    plan.removed_assets = sort_assets(removed)
    plan.disputed = sort_assets(plan.disputed)
    plan.warnings.extend(disputed.lines())

    blocking = [a for a in sort_assets(unattributed) if asset_key(a) not in own]
    for asset in blocking:
        plan.problems.add(
            "imported assets whose member is unknown (no ownership record, not found in the members' regions "
            "searched nor in the bastion host's own account) block removing members: add their regions to "
            "asset_regions, or delete them from the bastion host", "%s %s" % (asset["type"], asset["instance_id"]))
    if blocking:
        for member in unread:
            plan.problems.add("members that could not be read (they may be theirs)", member_label(member))
        for note in notes:
            plan.problems.add(note)
    if plan.removed_assets and not remove_assets:
        for asset in plan.removed_assets:
            plan.problems.add("members to remove still have imported assets (set remove_assets: true to remove "
                              "them too)", asset_label(asset, member_label))
    check_max_removals(plan.problems, [member_label(m) for m in plan.to_remove] + [
        asset_label(a, member_label) for a in plan.removed_assets], max_removals)
    return plan


def select_members(directory, members=None, select=None, known_folders=None, on_host=None, state="present"):
    """``(uids, problems, warnings)``: the members an rd_member task names (UIDs or display names)
    and selects (``select``: folder_ids, tags, all). Inputs that can select nothing are problems;
    a selection that happens to match nobody is a warning. With ``on_host`` (the UIDs on the bastion
    host), a member that left the resource directory while on the bastion host may be named by its UID:
    to be removed (a warning says it stays with ``state: present``); any other UID outside the directory
    is a problem."""
    problems, warnings = Problems(), []
    uids = []
    if members is not None:
        if not members and not select:
            problems.add("members is an empty list: name at least one member, or use select")
        if on_host is None:
            uids, bad = directory.resolve(members)
        else:
            uids, bad = directory.resolve(members, on_host=set(on_host), removing=state == "absent")
        problems.extend(bad)
        left = directory.outside(uids) if on_host is not None else []
        if left and state == "present":
            warnings.append("members that left the resource directory stay on the bastion host, and cannot be added "
                            "back until they rejoin it (remove them with state: absent): %s" % ", ".join(left))
    if select is not None:
        folder_ids, tags = select.get("folder_ids"), select.get("tags")
        if not (folder_ids or tags or select.get("all")):
            problems.add("select names no folder, no tag and not all: true, so it selects nothing")
        if select.get("folder_ids") is not None and not folder_ids:
            problems.add("select.folder_ids is an empty list")
        for folder in folder_ids or []:
            if known_folders is not None and folder not in known_folders:
                problems.add("unknown folder IDs in select.folder_ids", folder)
        if not problems:
            chosen = directory.select(folder_ids, tags, select.get("all"))
            if not chosen:
                warnings.append("select matched no member account (folders %s, tags %s)" % (
                    ", ".join(folder_ids or []) or "any", normalize_tags(tags) or "any"))
            uids = uids + [u for u in chosen if u not in uids]
    if members is None and select is None:
        problems.add("name the members (members) or select them (select); to select every member say "
                     "select: {all: true}")
    return uids, problems, warnings


def attribute_assets(imported, discovered):
    """``(owned, unattributed)``: imported assets by member, from their ownership record or else from
    discovery (``discovered``: assets found in members, each with member_id and region)."""
    found = dict((asset_key(a), a) for a in discovered)
    owned, unattributed = {}, []
    for asset in imported:
        member, region = asset.get("member_id"), asset.get("region")
        if not member and asset_key(asset) in found:
            member, region = found[asset_key(asset)]["member_id"], found[asset_key(asset)]["region"]
        if member:
            owned.setdefault(member, []).append(dict(asset, member_id=member, region=region))
        else:
            unattributed.append(asset)
    return owned, unattributed
