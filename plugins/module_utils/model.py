# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The asset model every module shares: what an asset is, its key, its ownership record, its tags.

An asset found in a member (discovery.py) is a plain dict::

    {member_id, type ('ecs'|'rds'|'polardb'), instance_id, region, name,
     address, public_address, os, engine, port, status, tags}

and an asset imported into a bastion host (bastion.py) carries its record's fields as well
(asset_id, name, addresses, os, address_type, network_domain_id, source_state). Its key on a
bastion host is ``(type, instance_id)``: ListHosts does not say which member a host came from.
"""

from __future__ import annotations

import re

# The member and region of an asset the collection imported, written in its Comment on the
# bastion host (ListHosts does not say either): the whole Comment, or its start when the collection
# adopted an asset a person imported (their Comment kept after "; ").
OWNERSHIP_RECORD = "imported by alicloud.bastionhost from member %s in %s"
OWNERSHIP_SEPARATOR = "; "
_OWNERSHIP_PATTERN = re.compile(r"^imported by alicloud\.bastionhost from member (\d{16}) in ([a-z0-9-]+)(?:; .*)?$",
                                re.DOTALL)
MAX_COMMENT_LENGTH = 500  # Comment: "up to 500 characters" (CreateHost, ModifyHost, CreateHostGroup models)

# Bastionhost's DatabaseType takes MySQL, Oracle, PostgreSQL and SQLServer (CreateDatabaseRequest
# model); an engine is sent as the type that speaks its protocol, with that type's default port.
DATABASE_ENGINES = {
    "mysql": ("MySQL", 3306),
    "mariadb": ("MySQL", 3306),
    "postgresql": ("PostgreSQL", 5432),
    "sqlserver": ("SQLServer", 1433),
    "oracle": ("Oracle", 1521),
}
# HostName, DatabaseName and HostGroupName: "up to 128 characters" (CreateHostRequest, CreateDatabaseRequest and
# CreateHostGroupRequest models).
MAX_NAME_LENGTH = 128


def new_asset(member_id, asset_type, instance_id, region, name, address, status, public_address=None, os=None,
              engine=None, tags=None):
    """An asset as discovery returns it."""
    return {
        "member_id": member_id,
        "type": asset_type,
        "instance_id": instance_id,
        "region": region,
        "name": name or instance_id,
        "address": address or None,
        "public_address": public_address or None,
        "os": os,
        "engine": engine or None,
        "port": (database_type(engine) or (None, None))[1] if engine else None,
        "status": status,
        "tags": tags or {},
    }


def ownership_record(member_id, region):
    """The Comment written on every asset the collection imports."""
    return OWNERSHIP_RECORD % (member_id, region)


def adopted_comment(member_id, region, comment):
    """The Comment of an asset the collection adopts: its ownership record, then the person's Comment."""
    record = ownership_record(member_id, region)
    comment = str(comment or "").strip()
    return record + OWNERSHIP_SEPARATOR + comment if comment else record


def read_ownership(comment):
    """``(member_id, region)`` from an ownership record, or None for any other Comment."""
    match = _OWNERSHIP_PATTERN.match(str(comment or "").strip())
    return (match.group(1), match.group(2)) if match else None


def asset_key(asset):
    """What identifies an asset on a bastion host: ``(type, instance_id)``."""
    return asset["type"], asset["instance_id"]


def sort_assets(assets):
    """Assets sorted by member, type and instance id."""
    return sorted(assets, key=lambda a: (a.get("member_id") or "", a["type"], a["instance_id"], a.get("region") or ""))


def asset_label(asset, member_label=str):
    """'<member> <type> <instance id>', the short line an asset is shown as."""
    return "%s %s %s" % (member_label(asset.get("member_id") or "?"), asset["type"], asset["instance_id"])


def database_type(engine):
    """``(DatabaseType, default port)`` for an RDS or PolarDB engine, or None when Bastionhost takes none."""
    return DATABASE_ENGINES.get(str(engine or "").lower())


# --- tags: the one matcher every module uses ------------------------------------------------

def tag_text(value):
    """A tag value as Alibaba Cloud stores it: text. YAML ``true`` is "true", ``1`` is "1"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def normalize_tags(tags):
    """``{key: text}``; an empty value (or null) only needs the key."""
    return dict((str(key), tag_text(value)) for key, value in (tags or {}).items())


def valued_tags(tags):
    """The tags with a value: the ones a server-side filter can express exactly."""
    return dict((k, v) for k, v in normalize_tags(tags).items() if v)


def tags_match(wanted, actual):
    """True when ``actual`` carries every tag of ``wanted``, values compared as text. A wanted tag
    whose value is empty or null needs only the key (any value): the meaning of a key-only tag in
    ECS DescribeInstances' Tag filter. This is the one tag matcher (member tags in rd_member,
    asset tags in member_asset and member_asset_info)."""
    actual = normalize_tags(actual)
    return all(key in actual and (value == "" or actual[key] == value)
               for key, value in normalize_tags(wanted).items())
