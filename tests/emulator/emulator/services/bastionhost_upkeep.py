"""Bastionhost 2019-12-09: keeping imported hosts and databases in step (Modify*, Move*), asset groups
(ListHostGroups, CreateHostGroup, AddHostsToGroup, AddDatabasesToGroup) and GetHost.

The batch actions answer one result per id, in the order sent (the `Results` of their response
models): `OK`, or `OBJECT_NOT_FOUND` for an id that is not a host/database of the instance, or
`OBJECT_AlREADY_EXISTS` for an asset already in the group. Those codes are the valid values that
ModifyHostsActiveAddressTypeResponseBodyResults.Code and AddHostsToGroupResponseBodyResults.Code list;
the Move*ToNetworkDomain and AddDatabasesToGroup models name only `OK` (and LICENSE_OUT_OF_LIMIT), so
their use there is not documented, and neither is the per-id `Message` text. The module reads only
"OK or not" from them."""
from ..errors import ApiError, not_found
from ..params import page_by_number
from ..registry import action
from ..rules.bastionhost import MODIFY_DATABASE_SOURCE
from ..world import by_id
from .bastionhost import caller_instance, check_network_domain, contents

DEFAULT_GROUP_PAGE = 20   # ListHostGroupsRequest.PageSize: "Default value: 20"


def _record(records, record_id, what):
    record = records.get(str(record_id))
    if record is None:
        raise not_found(f'{what} {record_id}')
    return record


def _change(ctx, record, fields):
    """Set every field sent with a value; an empty or absent one leaves the record's as it is."""
    for field in fields:
        value = ctx.params.get(field)
        if value is not None:
            record[field] = value


def _per_id(ids, records, id_field, apply):
    """One result per id: `apply(record)` returns the code of an id that names a record."""
    results = []
    for record_id in ids:
        record = records.get(record_id)
        code = 'OBJECT_NOT_FOUND' if record is None else apply(record)
        message = f'The specified {id_field[:-2].lower()} {record_id} does not exist.' if record is None else ''
        results.append({'Code': code, id_field: record_id, 'Message': message})
    return results


def _set(field, value):
    def apply(record):
        record[field] = value
        return 'OK'
    return apply


@action('bastionhost', 'GetHost')
def get_host(ctx):
    state = contents(ctx, caller_instance(ctx))
    record = _record(state.hosts, ctx.params.require('HostId'), 'host')
    fields = ('HostId', 'HostName', 'OSType', 'Source', 'SourceInstanceId', 'SourceInstanceState',
              'ActiveAddressType', 'HostPrivateAddress', 'HostPublicAddress', 'NetworkDomainId', 'Comment')
    host = {field: record.get(field, '') for field in fields}
    host['Protocols'] = []     # not documented: the emulator keeps no protocols (the module reads none)
    # GetHostResponseBodyHost.PrefKex: "This parameter is returned only when OSType is Linux." Its value is
    # `default` until ModifyHost sets one: that default is not documented.
    if record.get('OSType') == 'Linux':
        host['PrefKex'] = record.get('PrefKex', 'default')
    return {'Host': host}


@action('bastionhost', 'ModifyHost', write=True)
def modify_host(ctx):
    host = caller_instance(ctx)
    record = _record(contents(ctx, host).hosts, ctx.params.require('HostId'), 'host')
    domain = check_network_domain(ctx, host)
    _change(ctx, record, ('HostName', 'HostPrivateAddress', 'HostPublicAddress', 'OSType', 'Comment'))
    # ModifyHostRequest.PrefKex: "You can modify this parameter only when the OSType parameter is set to
    # Linux": the host's OSType once this request's is applied; for another host PrefKex changes nothing
    # (no error is documented for it).
    if record.get('OSType') == 'Linux':
        _change(ctx, record, ('PrefKex',))
    if domain is not None:
        record['NetworkDomainId'] = domain
    return {}


@action('bastionhost', 'ModifyHostsActiveAddressType', write=True)
def modify_hosts_active_address_type(ctx):
    state = contents(ctx, caller_instance(ctx))
    apply = _set('ActiveAddressType', ctx.params.get('ActiveAddressType'))
    return {'Results': _per_id(ctx.params.id_list('HostIds'), state.hosts, 'HostId', apply)}


def _move_to_network_domain(ctx, kind, ids_param, id_field):
    """The ids (not called required: none moves nothing) join NetworkDomainId, one result each."""
    host = caller_instance(ctx)
    domain = check_network_domain(ctx, host)
    records = getattr(contents(ctx, host), kind)
    return {'Results': _per_id(ctx.params.id_list(ids_param) or [], records, id_field,
                               _set('NetworkDomainId', domain))}


@action('bastionhost', 'MoveHostsToNetworkDomain', write=True)
def move_hosts_to_network_domain(ctx):
    return _move_to_network_domain(ctx, 'hosts', 'HostIds', 'HostId')


@action('bastionhost', 'ModifyDatabase', write=True)
def modify_database(ctx):
    host = caller_instance(ctx)
    record = _record(contents(ctx, host).databases, ctx.params.require('DatabaseId'), 'database')
    MODIFY_DATABASE_SOURCE.check_record(ctx.params, record)
    domain = check_network_domain(ctx, host)
    # SourceInstanceId names the database's instance; whether another value moves the record to
    # another instance is not documented: the record keeps its own.
    _change(ctx, record, ('DatabaseName', 'DatabasePrivateAddress', 'DatabasePublicAddress', 'ActiveAddressType',
                          'Comment'))
    port = ctx.params.integer('DatabasePort')
    if port is not None:
        record['DatabasePort'] = port
    if domain is not None:
        record['NetworkDomainId'] = domain
    return {}


@action('bastionhost', 'MoveDatabasesToNetworkDomain', write=True)
def move_databases_to_network_domain(ctx):
    return _move_to_network_domain(ctx, 'databases', 'DatabaseIds', 'DatabaseId')


@action('bastionhost', 'ListHostGroups')
def list_host_groups(ctx):
    state = contents(ctx, caller_instance(ctx))
    groups = by_id(state.host_groups, 'HostGroupId')
    name = ctx.params.get('HostGroupName')
    if name is not None:
        groups = [g for g in groups if g['HostGroupName'] == name]
    page, meta = page_by_number(ctx.params, groups, DEFAULT_GROUP_PAGE)
    # MemberCount: "The number of hosts in the asset group" (the model); databases are not counted.
    views = [{**g, 'MemberCount': sum(g['HostGroupId'] in h['HostGroupIds'] for h in state.hosts.values())}
             for g in page]
    return {'HostGroups': views, 'TotalCount': meta['TotalCount']}


@action('bastionhost', 'CreateHostGroup', write=True)
def create_host_group(ctx):
    state = contents(ctx, caller_instance(ctx))
    name = ctx.params.get('HostGroupName')
    if any(g['HostGroupName'] == name for g in state.host_groups.values()):
        raise ApiError('HostGroupAlreadyExists', 'The host group already exists.')
    group_id = state.new_group_id()
    state.host_groups[group_id] = {'HostGroupId': group_id, 'HostGroupName': name,
                                   'Comment': ctx.params.get('Comment', '')}
    return {'HostGroupId': group_id}


def _join(group_id):
    def apply(record):
        if group_id in record['HostGroupIds']:
            return 'OBJECT_AlREADY_EXISTS'
        record['HostGroupIds'].append(group_id)
        return 'OK'
    return apply


def _add_to_group(ctx, kind, ids_param, id_field):
    state = contents(ctx, caller_instance(ctx))
    group = _record(state.host_groups, ctx.params.require('HostGroupId'), 'asset group')
    records = getattr(state, kind)
    results = _per_id(ctx.params.id_list(ids_param), records, id_field, _join(group['HostGroupId']))
    return {'Results': [{**r, 'HostGroupId': group['HostGroupId']} for r in results]}


@action('bastionhost', 'AddHostsToGroup', write=True)
def add_hosts_to_group(ctx):
    return _add_to_group(ctx, 'hosts', 'HostIds', 'HostId')


@action('bastionhost', 'AddDatabasesToGroup', write=True)
def add_databases_to_group(ctx):
    return _add_to_group(ctx, 'databases', 'DatabaseIds', 'DatabaseId')
