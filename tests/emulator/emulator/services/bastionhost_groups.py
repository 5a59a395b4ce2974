"""Bastionhost 2019-12-09: the rest of the asset-group life (issue 21): ModifyHostGroup (a group's name and
Comment), DeleteHostGroup, RemoveHostsFromGroup and RemoveDatabasesFromGroup. CreateHostGroup,
ListHostGroups and the Add*ToGroup actions are in bastionhost_upkeep.py.

The Remove* actions answer one result per id, in the order sent, as the Add* ones do: `OK`, or
`OBJECT_NOT_FOUND` for an id that is not a host/database of the instance or not in the group. The
code values are those `RemoveHostsFromGroupResponseBodyResults.Code` lists ("OBJECT_NOT_FOUND: The
object on which the operation is performed does not exist"); which one an asset outside the group
gets is the emulator's reading (not documented), and the RemoveDatabasesFromGroup model lists no
codes but `OK`."""
from ..errors import ApiError
from ..registry import action
from .bastionhost import caller_instance, contents
from .bastionhost_upkeep import _per_id, _record


def _group(ctx):
    """The asset group HostGroupId names on the caller's bastion host (OBJECT_NOT_FOUND, as AddHostsToGroup)."""
    state = contents(ctx, caller_instance(ctx))
    return state, _record(state.host_groups, ctx.params.require('HostGroupId'), 'asset group')


@action('bastionhost', 'ModifyHostGroup', write=True)
def modify_host_group(ctx):
    state, group = _group(ctx)
    name = ctx.params.get('HostGroupName')
    # CreateHostGroup's HostGroupAlreadyExists; that ModifyHostGroup refuses a taken name is not documented.
    if name is not None and any(g['HostGroupName'] == name and g is not group for g in state.host_groups.values()):
        raise ApiError('HostGroupAlreadyExists', 'The host group already exists.')
    # As ModifyHost: a field sent with a value changes, an empty or absent one does not.
    if name is not None:
        group['HostGroupName'] = name
    comment = ctx.params.get('Comment')
    if comment is not None:
        group['Comment'] = comment
    return {}


@action('bastionhost', 'DeleteHostGroup', write=True)
def delete_host_group(ctx):
    """The group goes; its hosts and databases stay on the bastion host, in no group of it. The
    DeleteHostGroup page deletes a group "if you no longer need to perform O&M operations on all hosts
    in a host group"; it does not say what becomes of them."""
    state, group = _group(ctx)
    group_id = group['HostGroupId']
    del state.host_groups[group_id]
    state.access.forget_host_group(group_id)
    for record in [*state.hosts.values(), *state.databases.values()]:
        if group_id in record['HostGroupIds']:
            record['HostGroupIds'].remove(group_id)
    return {}


def _leave(group_id):
    def apply(record):
        if group_id not in record['HostGroupIds']:
            return 'OBJECT_NOT_FOUND'
        record['HostGroupIds'].remove(group_id)
        return 'OK'
    return apply


def _remove_from_group(ctx, kind, ids_param, id_field):
    state, group = _group(ctx)
    results = _per_id(ctx.params.id_list(ids_param), getattr(state, kind), id_field, _leave(group['HostGroupId']))
    return {'Results': [{**r, 'HostGroupId': group['HostGroupId']} for r in results]}


@action('bastionhost', 'RemoveHostsFromGroup', write=True)
def remove_hosts_from_group(ctx):
    return _remove_from_group(ctx, 'hosts', 'HostIds', 'HostId')


@action('bastionhost', 'RemoveDatabasesFromGroup', write=True)
def remove_databases_from_group(ctx):
    return _remove_from_group(ctx, 'databases', 'DatabaseIds', 'DatabaseId')
