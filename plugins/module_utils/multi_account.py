# -*- coding: utf-8 -*-
# Copyright: Contributors to the alicloud.bastionhost collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every multi-account module shares: its options (one argument spec, documented once in the
doc fragment alicloud.bastionhost.multi_account) and the checks it makes before its first write (the
bastion host supports multi-account management, the caller may manage member accounts, the regions
exist)."""

from __future__ import annotations

from functools import partial

from ansible_collections.alicloud.bastionhost.plugins.module_utils.discovery import DEFAULT_MEMBER_ROLE, known_regions
from ansible_collections.alicloud.bastionhost.plugins.module_utils.directory import UID_PATTERN, Directory, DirectoryError
from ansible_collections.alicloud.bastionhost.plugins.module_utils.directory import folder_names
from ansible_collections.alicloud.bastionhost.plugins.module_utils.planning import select_members
from ansible_collections.alicloud.bastionhost.plugins.module_utils.problems import Problems


def multi_account_argument_spec(instance_id=True, member_role=True, concurrency=True, removals=True):
    """The shared options a module takes (doc fragments: alicloud.bastionhost.multi_account and its
    MEMBER_ROLE, CONCURRENCY and REMOVALS parts)."""
    spec = {}
    if instance_id:
        spec["instance_id"] = dict(type="str", required=True)
    if member_role:
        spec["member_role_name"] = dict(type="str", default=DEFAULT_MEMBER_ROLE)
    if concurrency:
        spec["max_concurrency"] = dict(type="int", default=4)
    if removals:
        spec["max_removals"] = dict(type="int")
    return spec


def multi_account_option_problems(params):
    """What is wrong with the shared options, as messages (refused before anything is read)."""
    problems = []
    if params.get("max_concurrency") is not None and params["max_concurrency"] < 1:
        problems.append("max_concurrency must be at least 1, got %d" % params["max_concurrency"])
    if params.get("max_removals") is not None and params["max_removals"] < 0:
        problems.append("max_removals must be 0 or more, got %d" % params["max_removals"])
    return problems


def require_multi_account_instance(module, bastion):
    """The bastion host's facts; fails unless it exists and supports multi-account management
    (``bastion``: a bastion.BastionHost)."""
    instance_id, region = bastion.instance_id, bastion.region
    instance = module.api_read("describe the bastion host %s" % instance_id, bastion.facts)
    if instance is None:
        module.fail_json(msg="bastion host %s not found in %s; bastion hosts are visible only to the account that "
                             "owns them" % (instance_id, region))
    if not instance["multi_account_supported"]:
        module.fail_json(msg="bastion host %s cannot manage member accounts: %s. Upgrade it to Enterprise or SM "
                             "Edition, V3.2.48 or later." % (
                                 instance_id, "; ".join(instance["multi_account_unsupported_reasons"])))
    return instance


def read_directory(module, failure):
    """The caller's Directory; fails with ``failure: <why>`` when there is none or the caller is a member."""
    try:
        return Directory(module.client("resourcemanager"), module.client("sts"))
    except DirectoryError as exc:
        module.fail_json(msg="%s: %s" % (failure, exc))
    except Exception as exc:
        module.fail_json_api(exc, "failed to read the resource directory")


def require_known_regions(module, access, members, regions, option, member_label=str):
    """Fails unless every region of ``option`` is one the service has (ECS DescribeRegions, read
    through ``access``, a MemberAccess, in the first of ``members`` whose role works): a misspelled
    region would select nothing. A member whose role does not work is tried no further here; the
    task reports it as could not be read."""
    members = [members] if isinstance(members, str) else list(members)
    first_error = None
    for member_id in members:
        try:
            known = known_regions(access.factory_for(member_id))
            break
        except Exception as exc:
            first_error = first_error or (member_id, exc)
    else:
        member_id, exc = first_error
        module.fail_json(msg="nothing was changed: cannot list the regions (ECS DescribeRegions) to check %s: %s" % (
            option, access.describe(member_id, exc, member_label)[0]))
    unknown = [r for r in regions if r not in known]
    if unknown:
        module.fail_json(msg="nothing was changed: unknown region IDs in %s: %s (known regions: %s)" % (
            option, ", ".join(unknown), ", ".join(known)))


def member_uids(module, names, option):
    """``{name as given: UID}`` for members given as UIDs or display names (the resource directory is read only
    when a display name is given); fails naming every one it does not know (``option``: where they were given)."""
    names = [str(name).strip() for name in names]
    if all(UID_PATTERN.match(name) for name in names):
        return dict((name, name) for name in names)
    directory = read_directory(module, "cannot resolve the display names of %s" % option)
    found, problems = {}, Problems()
    for name in names:
        uids, trouble = directory.resolve([name])
        problems.extend(trouble)
        if uids:
            found[name] = uids[0]
    if problems:
        module.fail_json(msg=problems.message("nothing was changed: %s" % option))
    return found


def read_selection(module, directory, current, state=None, known_folders=None):
    """The UIDs the task names (``members``) or selects (``select``: folder_ids, tags, all; planning.select_members,
    the one selection of member accounts); fails on any input that selects nothing. A member that left the resource
    directory can be named by its UID while it is on the bastion host (``current``). ``state``: the task's,
    ``module.params['state']`` unless given; ``known_folders``: ``{folder id: name}`` when the caller has read them."""
    select = module.params["select"]
    if known_folders is None and select and select.get("folder_ids"):
        rm = module.client("resourcemanager")
        known_folders = module.api_read("list the folders of the resource directory",
                                        partial(folder_names, rm, directory.root_folder_id))
    uids, problems, warnings = select_members(directory, module.params["members"], select, known_folders,
                                              on_host=current, state=state or module.params["state"])
    if problems:
        module.fail_json(msg=problems.message("invalid members, nothing was changed",
                                              len(module.params["members"] or [])))
    for warning in warnings:
        module.warn(warning)
    return uids
