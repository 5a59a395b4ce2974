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
    MAX_COMMENT_LENGTH,
    MAX_NAME_LENGTH,
    adopted_comment,
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
    if asset.get("endpoint_type") and asset["endpoint_type"] not in (asset.get("endpoints") or {}):
        return "no %s endpoint (polardb_endpoint_type %s)" % (asset["endpoint_type"], asset["endpoint_type"])
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


def used_placeholders(template, placeholders):
    return [p for p in placeholders if "{%s}" % p in template]


def render(template, asset, placeholders):
    """``template`` with the asset's values, or None when a placeholder it uses has no value (the
    display name of a member that left the directory): a name is never made of empty parts."""
    values = dict((p, asset.get(p) or "") for p in placeholders)
    if any(not values[p] for p in used_placeholders(template, placeholders)):
        return None
    return template.format(**values)


# The fields a sync keeps in step (sync_fields), each a field of an imported asset's record.
SYNC_FIELDS = ("name", "address", "public_address", "os", "address_type", "network_domain_id", "host_group", "port")


def wanted_record(asset, request):
    """What the bastion host's record of ``asset`` should say, by the task's options: only the
    fields the task decides (the address type, network domain and group only when they are given;
    a name only when its template has every value), and of those only ``request.sync_fields``."""
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
    if request.sync_fields is not None:
        wanted = dict((field, value) for field, value in wanted.items() if field in request.sync_fields)
    return wanted


def other_endpoint_type(asset, record):
    """The endpoint type another than the asked one whose address the imported record has (PolarDB:
    neither ListDatabases nor GetDatabase says which endpoint a database was imported through, so the
    record's address tells), or None."""
    wanted = asset.get("endpoint_type")
    if not wanted:
        return None
    addresses = set(filter(None, (record.get("address"), record.get("public_address"))))
    wanted_addresses = set(filter(None, ((asset.get("endpoints") or {}).get(wanted) or {}).values()))
    for name, endpoint in sorted((asset.get("endpoints") or {}).items()):
        if name != wanted and addresses & set(v for k, v in endpoint.items() if k != "Port") - wanted_addresses:
            return name
    return None


def drift(wanted, record, own_groups=frozenset()):
    """``{field: {before, after}}`` where the record differs from a wanted value (an empty wanted
    value is never written: it would clear what the service has). The wanted group is joined and the
    other groups the collection made (``own_groups``) are left; groups people made are never left."""
    changes = {}
    for field, value in sorted(wanted.items()):
        if value in (None, ""):
            continue
        if field == "host_group":
            groups = sorted(record.get("host_groups") or [])
            after = sorted(set(g for g in groups if g not in own_groups) | set([value]))
            if after != groups:
                changes[field] = dict(before=groups, after=after)
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

    def without(self, members):
        """The scope without the cells of ``members`` (members that could not be read)."""
        members = set(members)
        return Scope(c for c in self.cells if c[0] not in members)


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
                 address_type=None, max_removals=None, remove_released=False, name_template="{name}",
                 host_group=None, network_domain_id=None, adopt=False, sync_fields=None, local_addresses=(),
                 groups=None):
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
        self.adopt = adopt
        self.sync_fields = None if sync_fields is None else frozenset(sync_fields)
        self.local_addresses = frozenset(local_addresses)   # of the bastion host's Local hosts
        # The bastion host's asset groups, ``{name: the name the collection made it for, or None when a
        # person made it}`` (read only with host_group).
        self.groups = dict(groups or {})

    @property
    def own_groups(self):
        return frozenset(name for name, made_for in self.groups.items() if made_for)

    def group_for(self, wanted):
        """The group that stands for the wanted name: the one of that name, else one the collection made
        for it that a person renamed since; the wanted name itself when there is none yet."""
        if wanted in self.groups:
            return wanted
        renamed = sorted(name for name, made_for in self.groups.items() if made_for == wanted)
        return renamed[0] if renamed else wanted


class AssetPlan:
    """The writes of a member_asset task, and why it refuses to make them."""

    def __init__(self):
        self.to_import, self.to_update, self.to_remove, self.unchanged, self.skipped = [], [], [], [], []
        self.foreign = []   # in scope, imported by a person (no ownership record, or another member's): untouched
        self.problems = Problems()
        self.warnings = []


OWNED, FOREIGN, DISPUTED = "owned", "foreign", "disputed"
SHOWN_IN_WARNINGS = 10


def ownership(asset, record):
    """Whose an imported ``record`` of ``asset`` is: OWNED when its ownership record names the member
    discovery finds the asset in, FOREIGN without an ownership record (a person imported it), DISPUTED
    when it names another member (a pasted Comment)."""
    owner = record.get("member_id")
    if owner is None:
        return FOREIGN
    return OWNED if owner == asset.get("member_id") else DISPUTED


def plan_assets(request, discovered, imported, member_label=str):
    """Plan a member_asset task.

    ``discovered``: every asset of the scope's members in its regions and types (with member_id,
    member_name and region); ``imported``: the bastion host's imported assets, each with ``asset_id``,
    its record's fields (name, addresses, os, address_type, network_domain_id, host_groups,
    source_state, comment) and, when known from its ownership record, ``member_id`` and ``region``.
    Updates and removals touch only assets the collection imported (OWNED), unless ``request.adopt``."""
    plan = AssetPlan()
    found = dict((asset_key(a), a) for a in discovered)
    current = dict((asset_key(a), a) for a in imported)

    listed = _listed_assets(request, found, current, plan.problems, member_label)
    selected = [found[k] for k in sorted(request.selected or ()) if k in found and request.scope.holds(found[k])]
    if request.selected is not None and not selected:
        plan.warnings.append("the discover filter matched no asset in members %s, regions %s, types %s" % (
            ", ".join(sorted(map(member_label, request.scope.members))) or "none",
            ", ".join(sorted(request.scope.regions)) or "none", ", ".join(sorted(request.scope.types)) or "none"))
    wanted = OrderedDict((asset_key(a), a) for a in sort_assets(listed + selected))

    if request.state == "absent":
        _plan_absent(plan, request, wanted, current, member_label)
    else:
        listed_keys = set(asset_key(a) for a in listed)
        for key, asset in wanted.items():
            _plan_present(plan, request, asset, current.get(key), key in listed_keys, member_label)
        if request.purge:
            plan.to_remove = _purged(request, wanted, found, current, plan.problems)
        if request.remove_released:
            plan.to_remove = sort_assets(plan.to_remove + _released(request, current))
        _check_names(plan, request, member_label)
    _say_what_it_left(plan, request, found, current, wanted, member_label)
    check_max_removals(plan.problems, plan.to_remove, request.max_removals, member_label)
    return plan


def _plan_absent(plan, request, wanted, current, member_label):
    for key, asset in wanted.items():
        if key not in current:
            plan.unchanged.append(asset)
            continue
        whose = ownership(asset, current[key])
        if whose == OWNED or (whose == FOREIGN and request.adopt):
            plan.to_remove.append(_with_current(asset, current[key]))
        else:
            _leave_foreign(plan, asset, current[key], whose, member_label)


def _leave_foreign(plan, asset, record, whose, member_label):
    plan.foreign.append(_with_current(asset, record))
    if whose == DISPUTED:
        plan.warnings.append("%s is neither updated nor removed: its ownership record names member %s, but it is "
                             "found in member %s (a pasted Comment?); correct its Comment on the bastion host" % (
                                 asset_label(asset, member_label), record["member_id"], asset["member_id"]))


def _plan_present(plan, request, asset, record, listed, member_label):
    """Import, update, skip or leave one wanted asset (``record``: its imported record, or None)."""
    wanted = wanted_record(asset, request)
    if wanted.get("host_group"):
        group = wanted["host_group"] = request.group_for(wanted["host_group"])
        if group in request.groups and group not in request.own_groups and not request.adopt:
            plan.problems.add("asset groups of these names were made by people, not by the collection: set adopt: "
                              "true to fill them, or choose another host_group", group)
    name = wanted.get("name") or (record or {}).get("name") or asset.get("name")
    asset = dict(asset, name=name, host_group=wanted.get("host_group"))
    if wanted.get("name") is None and "name" in wanted:
        plan.warnings.append("%s keeps its name %r: name_template %r needs a value this asset does not have (the "
                             "display name of a member that left the directory?)" % (
                                 asset_label(asset, member_label), name, request.name_template))
    if len(asset["host_group"] or "") > MAX_NAME_LENGTH:
        plan.problems.add("asset group names longer than %d characters, which CreateHostGroup cannot create "
                          "(HostGroupName): shorten host_group" % MAX_NAME_LENGTH, asset["host_group"])
    if record is None:
        blocker = import_blocker(asset, request.address_type or "Private")
        if blocker and listed:
            plan.problems.add("listed assets that cannot be imported", "%s (%s)" % (
                asset_label(asset, member_label), blocker))
        elif blocker:
            plan.skipped.append(dict(asset, reason=blocker))
        else:
            plan.to_import.append(asset)
        return
    _plan_imported(plan, request, asset, wanted, record, listed, member_label)


def _plan_imported(plan, request, asset, wanted, record, listed, member_label):
    """Update, skip or leave a wanted asset the bastion host has already imported (``record``)."""
    whose = ownership(asset, record)
    if whose == DISPUTED or (whose == FOREIGN and not request.adopt):
        _leave_foreign(plan, asset, record, whose, member_label)
        return
    imported_through = other_endpoint_type(asset, record)
    if imported_through:
        plan.problems.add(
            "PolarDB clusters imported through another endpoint type, which ModifyDatabase cannot change "
            "(it has no PolarDBEndpointType): set polardb_endpoint_type back, or remove them (state=absent) "
            "and import them again, which drops their database accounts and grants on the bastion host",
            "%s (imported through %s, asked %s)" % (
                asset_label(asset, member_label), imported_through, asset["endpoint_type"]))
        return
    changes = drift(wanted, record, request.own_groups)
    blocker = import_blocker(asset, request.address_type or record.get("address_type") or "Private")
    if whose == FOREIGN:
        comment = adopted_comment(asset["member_id"], asset["region"], record.get("comment"))
        if len(comment) > MAX_COMMENT_LENGTH:
            blocker = blocker or "its Comment and the ownership record are longer than %d characters together" % (
                MAX_COMMENT_LENGTH)
        changes["comment"] = dict(before=record.get("comment"), after=comment)
    if changes and blocker and listed:
        plan.problems.add("listed assets that cannot be updated", "%s (%s)" % (
            asset_label(asset, member_label), blocker))
    elif changes and blocker:
        plan.skipped.append(dict(_with_current(asset, record), reason=blocker))
    elif changes:
        plan.to_update.append(dict(_with_current(asset, record), changes=changes))
    else:
        plan.unchanged.append(_with_current(asset, record))


def _check_names(plan, request, member_label):
    """A name template without a placeholder would give every asset one name: refused. Names two
    assets of the task share, and new hosts at the address of a Local host, are warnings."""
    named = plan.to_import + plan.to_update + plan.unchanged
    if len(named) > 1 and not used_placeholders(request.name_template, NAME_PLACEHOLDERS):
        plan.problems.add("name_template %r has no placeholder, so it would give %d assets the one name %r: use "
                          "{name} or another placeholder (%s)" % (
                              request.name_template, len(named), request.name_template,
                              ", ".join("{%s}" % p for p in NAME_PLACEHOLDERS)))
        return
    by_name = {}
    for asset in named:
        by_name.setdefault((is_host(asset), asset["name"]), []).append(asset)
    shared = sorted((name, assets) for (_host, name), assets in by_name.items() if len(assets) > 1)
    if shared:
        plan.warnings.append("%d names are each given to more than one asset: %s; a name_template such as "
                             "'{member_name}-{name}' or '{name}-{instance_id}' tells them apart" % (
                                 len(shared), _shown(["%r (%s)" % (name, ", ".join(
                                     asset_label(a, member_label) for a in assets)) for name, assets in shared])))
    at_local = [a for a in plan.to_import if is_host(a) and a.get("address") in request.local_addresses]
    if at_local:
        plan.warnings.append("hosts imported at the address of a host added by hand (Local) on the bastion host: "
                             "%s" % _shown(["%s (%s)" % (asset_label(a, member_label), a["address"])
                                            for a in at_local]))


def _say_what_it_left(plan, request, found, current, wanted, member_label):
    """Warnings for what the task leaves as it is: skipped assets, hand-imported ones, imported ones that
    no longer match the filter, released ones without an ownership record."""
    if plan.skipped:
        plan.warnings.append("%d assets skipped: %s" % (len(plan.skipped), _shown(
            ["%s (%s)" % (asset_label(a, member_label), a["reason"]) for a in sort_assets(plan.skipped)])))
    foreign = [a for a in plan.foreign if ownership(a, current[asset_key(a)]) == FOREIGN]
    if foreign:
        plan.warnings.append("%d assets of the task were imported by hand (no ownership record) and are left as "
                             "they are; adopt: true takes them over: %s" % (len(foreign), _shown(
                                 [asset_label(a, member_label) for a in sort_assets(foreign)])))
    if request.selected is not None and request.state == "present" and not request.purge:
        unmatched = [a for key, a in found.items() if key in current and key not in wanted and request.scope.holds(a)
                     and ownership(a, current[key]) == OWNED]
        if unmatched:
            plan.warnings.append("%d imported assets no longer match the discover filter, and purge: true would "
                                 "remove them: %s" % (len(unmatched), _shown(
                                     [asset_label(a, member_label) for a in sort_assets(unmatched)])))
    released = [a for a in current.values() if a.get("source_state") == "Release" and not a.get("member_id")
                and a["type"] in request.scope.types]
    if released:
        plan.warnings.append("%d released assets have no ownership record, so no task may remove them (delete them "
                             "on the bastion host): %s" % (len(released), _shown(
                                 ["%s %s" % (a["type"], a["instance_id"]) for a in sort_assets(released)])))


def _shown(lines):
    more = " and %d more" % (len(lines) - SHOWN_IN_WARNINGS) if len(lines) > SHOWN_IN_WARNINGS else ""
    return ", ".join(lines[:SHOWN_IN_WARNINGS]) + more


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
        if key in current and key not in wanted and request.scope.holds(asset) and (
                ownership(asset, current[key]) == OWNED):
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


def _assets_leaving_with(plan, owned, discovered, own, member_label):
    """``plan.removed_assets``: the assets of the members to remove whose ownership record and discovery
    agree; ``plan.disputed`` (a warning) or a problem where they disagree."""
    leaving = set(plan.to_remove)
    found = dict((asset_key(a), a["member_id"]) for a in discovered)

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


def _unattributed_block(plan, unattributed, own, unread, notes, member_label):
    """Imported assets whose member is unknown (and not the own account's) refuse any removal."""
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

    own = set(own_keys)
    _assets_leaving_with(plan, owned or {}, discovered, own, member_label)
    _unattributed_block(plan, unattributed, own, unread, notes, member_label)
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
