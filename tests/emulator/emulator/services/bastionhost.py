"""Bastionhost 2019-12-09: instances, RD members, hosts and databases imported from members."""
import re

from ..errors import ApiError, invalid, not_found
from ..org import BASTIONHOST_PRINCIPAL, PLAN_CODES, version_tuple
from ..params import page_by_number, page_by_token
from ..registry import action
from ..world import by_id
from .directory import require_rd_admin

RD_MIN_VERSION = (3, 2, 48)
UID = re.compile(r'^\d{16}$')
DATABASE_KINDS = {'Rds': 'rds', 'PolarDB': 'polardb'}
# Page sizes when none is given, as the SDK models state them.
DEFAULT_PAGE = {'DescribeInstances': 10, 'ListNetworkDomains': 20, 'ListInstanceRdMembers': 20, 'ListHosts': 10,
                'ListDatabases': 20}


def is_legacy(host):
    return bool(host.get('legacy', version_tuple(host.get('version', '3.2.48')) < (3, 2)))


def instance_view(host):
    return {
        'InstanceId': host['id'], 'RegionId': host['region'],
        'InstanceStatus': host.get('status', 'RUNNING'),
        'PlanCode': PLAN_CODES[host.get('edition', 'enterprise')],
        'ImageVersion': str(host.get('version', '3.2.48')), 'Legacy': is_legacy(host),
        'Description': host.get('description', host['id']), 'LicenseCode': 'bhah_ent_50_asset',
        'VpcId': 'vpc-emu', 'VswitchId': 'vsw-emu', 'PublicNetworkAccess': False,
        'IntranetEndpoint': f"{host['id']}.bastionhost.aliyuncs.com", 'InternetEndpoint': '',
        'StartTime': 1704067200000, 'ExpireTime': 1893456000000, 'ResourceGroupId': 'rg-emu',
    }


def _instance_ids(params):
    ids = [v for k, v in params.values.items() if k == 'InstanceId' or k.startswith('InstanceId.')]
    return ids or None


def caller_instance(ctx):
    """The caller's own bastion host named by InstanceId in RegionId (they are account-scoped)."""
    region = ctx.params.require('RegionId')
    instance_id = ctx.params.require('InstanceId')
    host = ctx.org.find_bastionhost(ctx.caller.account_id, region, instance_id)
    if host is None:
        raise not_found(f'bastion host {instance_id} in region {region}')
    return host


def contents(ctx, host):
    """The members, hosts and databases of one of the caller's bastion hosts."""
    return ctx.world.instance_state(ctx.caller.account_id, host['id'])


def require_multi_account_support(ctx, host):
    if host.get('edition', 'enterprise') == 'basic':
        raise ApiError('OperationDenied.EditionNotSupported',
                       f"The bastion host {host['id']} is Basic Edition; multi-account management needs "
                       'Enterprise Edition or SM Edition.', status=403)
    if is_legacy(host) or version_tuple(host.get('version', '3.2.48')) < RD_MIN_VERSION:
        raise ApiError('OperationDenied.VersionNotSupported',
                       f"The bastion host {host['id']} runs {host.get('version')}; multi-account management "
                       'needs V3.2.48 or later.', status=403)
    require_rd_admin(ctx, BASTIONHOST_PRINCIPAL)


def _member_id(ctx):
    member_id = str(ctx.params.require('MemberId'))
    if not UID.match(member_id):
        raise invalid('MemberId', member_id, 'It must be a 16-digit account id.')
    return member_id


def validate_new_member(ctx, member_id):
    org = ctx.org
    if not org.in_rd(member_id):
        raise ApiError('EntityNotExists.Account',
                       f'The account {member_id} is not a member of your resource directory.', status=404)
    if member_id == ctx.caller.account_id or org.is_management(member_id) or org.is_delegated_admin(member_id):
        raise ApiError('OperationDenied.InvalidMember',
                       f'The account {member_id} is the caller, the management account or a delegated '
                       'administrator; only member assets can be imported.', status=403)


@action('bastionhost', 'DescribeInstances')
def describe_instances(ctx):
    region = ctx.params.require('RegionId')
    ids = _instance_ids(ctx.params)
    status = ctx.params.get('InstanceStatus')
    hosts = [h for h in ctx.org.accounts[ctx.caller.account_id]['bastionhosts']
             if h['region'] == region and (ids is None or h['id'] in ids)
             and (status is None or h.get('status', 'RUNNING') == status)]
    page, meta = page_by_number(ctx.params, hosts, DEFAULT_PAGE['DescribeInstances'])
    return {'Instances': [instance_view(h) for h in page], 'TotalCount': meta['TotalCount']}


@action('bastionhost', 'DescribeInstanceAttribute')
def describe_instance_attribute(ctx):
    host = caller_instance(ctx)
    view = instance_view(host)
    for key in ('PlanCode', 'ImageVersion', 'Legacy'):
        view.pop(key)
    view['RDModule'] = 'enable' if host.get('edition', 'enterprise') != 'basic' else 'disable'
    view['NetworkProxyModule'] = 'enable' if host.get('network_domains') else 'disable'
    return {'InstanceAttribute': view}


@action('bastionhost', 'ListNetworkDomains')
def list_network_domains(ctx):
    host = caller_instance(ctx)
    domains = [{'NetworkDomainId': d['id'], 'NetworkDomainName': d.get('name', d['id']),
                'NetworkDomainType': d.get('type', 'Proxy'), 'Default': False, 'Comment': d.get('comment', ''),
                'ProxiesState': [{'NodeType': 'Master', 'ProxyState': 'Available'}]}
               for d in host.get('network_domains') or []]
    page, meta = page_by_number(ctx.params, domains, DEFAULT_PAGE['ListNetworkDomains'])
    return {'NetworkDomains': page, 'TotalCount': meta['TotalCount']}


@action('bastionhost', 'AddInstanceRdMember', write=True)
def add_instance_rd_member(ctx):
    host = caller_instance(ctx)
    state = contents(ctx, host)
    require_multi_account_support(ctx, host)
    member_id = _member_id(ctx)
    validate_new_member(ctx, member_id)
    if member_id not in state.members:
        state.members.append(member_id)
    return {}


@action('bastionhost', 'ListInstanceRdMembers')
def list_instance_rd_members(ctx):
    host = caller_instance(ctx)
    state = contents(ctx, host)
    require_multi_account_support(ctx, host)
    size = ctx.params.integer('MaxResults', DEFAULT_PAGE['ListInstanceRdMembers'])
    page, meta = page_by_token(ctx.params, sorted(state.members), size)
    return {'Members': [{'MemberId': m} for m in page], **meta}


@action('bastionhost', 'RemoveInstanceRdMember', write=True)
def remove_instance_rd_member(ctx):
    host = caller_instance(ctx)
    state = contents(ctx, host)
    require_multi_account_support(ctx, host)
    member_id = _member_id(ctx)
    if member_id not in state.members:
        raise ApiError('EntityNotExists.Member', f'The account {member_id} is not added to {host["id"]}.', status=404)
    remaining = state.assets_of_member(member_id)
    if remaining:
        names = ', '.join(sorted(a['SourceInstanceId'] for a in remaining))
        raise ApiError('OperationDenied.MemberHasAssets',
                       f'The member {member_id} still has {len(remaining)} imported assets ({names}); remove '
                       'them first.', status=403)
    state.members.remove(member_id)
    return {}


def _source_owner(ctx, host, state):
    """Account whose asset is imported: a member already added to this instance, or the caller."""
    member_id = ctx.params.get('InstanceMemberId')
    if member_id is None:
        return ctx.caller.account_id
    member_id = str(member_id)
    require_multi_account_support(ctx, host)
    if not UID.match(member_id):
        raise invalid('InstanceMemberId', member_id, 'It must be a 16-digit account id.')
    if member_id not in state.members:
        raise ApiError('EntityNotExists.Member',
                       f'The member {member_id} has not been added to the bastion host {host["id"]}.', status=404)
    return member_id


def check_network_domain(ctx, host):
    domain_id = ctx.params.get('NetworkDomainId')
    if domain_id is not None and domain_id not in {d['id'] for d in host.get('network_domains') or []}:
        raise not_found(f'network domain {domain_id}')
    return domain_id


def _reject_duplicate(existing, source, source_id):
    if source != 'Local' and any(e['Source'] == source and e['SourceInstanceId'] == source_id for e in existing):
        raise ApiError('OBJECT_AlREADY_EXISTS', f'The {source} instance {source_id} is already imported.')


def _source_asset(ctx, owner, kind, region_param):
    source_id = ctx.params.require('SourceInstanceId')
    region = ctx.params.require(region_param)
    asset = ctx.org.find_asset(owner, kind, region, source_id)
    if asset is None:
        raise not_found(f'{kind.upper()} instance {source_id} in account {owner} and region {region}')
    return asset


def _new_record(ctx, prefix):
    """The fields a CreateHost / CreateDatabase record keeps as they were sent."""
    params = ctx.params
    return {'Source': params.get('Source'), 'SourceInstanceId': '',
            'ActiveAddressType': params.get('ActiveAddressType'), 'Comment': params.get('Comment', ''),
            f'{prefix}PrivateAddress': params.get(f'{prefix}PrivateAddress', ''),
            f'{prefix}PublicAddress': params.get(f'{prefix}PublicAddress', ''),
            'NetworkDomainId': '', 'SourceInstanceState': 'Normal', 'HostGroupIds': []}


def _import_source(ctx, host, state, kind, region_param, existing):
    """The member's (or the caller's) instance named by SourceInstanceId: (owner, asset)."""
    owner = _source_owner(ctx, host, state)
    asset = _source_asset(ctx, owner, kind, region_param)
    _reject_duplicate(existing, ctx.params.get('Source'), asset['id'])
    return owner, asset


@action('bastionhost', 'CreateHost', write=True)
def create_host(ctx):
    host = caller_instance(ctx)
    state = contents(ctx, host)
    record = _new_record(ctx, 'Host')
    record.update(HostName=ctx.params.get('HostName'), OSType=ctx.params.get('OSType'),
                  HostAccountCount=0, DomainAccountCount=0)
    if record['Source'] == 'Rds':
        # Hosts of RDS dedicated clusters are valid per the model; the organisation file has none.
        raise not_found(f'RDS dedicated cluster host {ctx.params.get("SourceInstanceId")}')
    if record['Source'] == 'Ecs':
        owner, ecs = _import_source(ctx, host, state, 'ecs', 'InstanceRegionId', state.hosts.values())
        record.update(SourceInstanceId=ecs['id'], InstanceRegionId=ecs['region'])
        if owner != ctx.caller.account_id:
            record['InstanceMemberId'] = owner
    record['NetworkDomainId'] = check_network_domain(ctx, host) or ''
    record['HostId'] = state.new_id()
    state.hosts[record['HostId']] = record
    return {'HostId': record['HostId']}


# What ListHosts / ListDatabases leave out of a record: fields their response models do not have.
HOST_HIDDEN = ('InstanceMemberId', 'InstanceRegionId', 'NetworkDomainId', 'HostGroupIds', 'PrefKex')
DATABASE_HIDDEN = ('InstanceMemberId', 'PolarDBEndpointType', 'HostGroupIds')


def _public_view(record, hidden=HOST_HIDDEN):
    return {k: v for k, v in record.items() if k not in hidden}


def in_group(ctx, records):
    """The records in the asset group HostGroupId names, when it names one (exact match)."""
    group_id = ctx.params.get('HostGroupId')
    return records if group_id is None else [r for r in records if str(group_id) in r['HostGroupIds']]


@action('bastionhost', 'ListHosts')
def list_hosts(ctx):
    state = contents(ctx, caller_instance(ctx))
    hosts = in_group(ctx, by_id(state.hosts, 'HostId'))
    for field in ('Source', 'SourceInstanceId', 'HostName', 'OSType', 'SourceInstanceState'):
        wanted = ctx.params.get(field)
        if wanted is not None:
            hosts = [h for h in hosts if h[field] == wanted]
    address = ctx.params.get('HostAddress')
    if address is not None:   # not documented which address it matches ("the address of the host"): either
        hosts = [h for h in hosts if address in (h['HostPrivateAddress'], h['HostPublicAddress'])]
    page, meta = page_by_number(ctx.params, hosts, DEFAULT_PAGE['ListHosts'])
    return {'Hosts': [_public_view(h) for h in page], 'TotalCount': meta['TotalCount']}


@action('bastionhost', 'DeleteHost', write=True)
def delete_host(ctx):
    state = contents(ctx, caller_instance(ctx))
    host_id = ctx.params.require('HostId')
    if state.hosts.pop(host_id, None) is None:
        raise not_found(f'host {host_id}')
    state.access.forget_host(host_id)
    return {}


@action('bastionhost', 'CreateDatabase', write=True)
def create_database(ctx):
    host = caller_instance(ctx)
    state = contents(ctx, host)
    record = _new_record(ctx, 'Database')
    record.update(SourceInstanceRegionId='', DatabaseName=ctx.params.get('DatabaseName', ''),
                  DatabaseType=ctx.params.get('DatabaseType'), DatabasePort=ctx.params.integer('DatabasePort'))
    kind = DATABASE_KINDS.get(record['Source'])
    if kind is not None:
        owner, asset = _import_source(ctx, host, state, kind, 'SourceInstanceRegionId', state.databases.values())
        # What the real service names and numbers an imported instance without them is not documented.
        record.update(SourceInstanceId=asset['id'], SourceInstanceRegionId=asset['region'],
                      DatabaseName=record['DatabaseName'] or asset.get('name', asset['id']),
                      DatabasePort=record['DatabasePort'] or asset.get('port'))
        if kind == 'polardb':
            record['PolarDBEndpointType'] = ctx.params.get('PolarDBEndpointType')
        if owner != ctx.caller.account_id:
            record['InstanceMemberId'] = owner
    record['NetworkDomainId'] = check_network_domain(ctx, host) or ''
    record['DatabaseId'] = state.new_id()
    state.databases[record['DatabaseId']] = record
    return {'DatabaseId': record['DatabaseId']}


@action('bastionhost', 'ListDatabases')
def list_databases(ctx):
    state = contents(ctx, caller_instance(ctx))
    databases = in_group(ctx, by_id(state.databases, 'DatabaseId'))
    for field in ('Source', 'DatabaseType', 'NetworkDomainId'):
        wanted = ctx.params.get(field)
        if wanted is not None:
            databases = [d for d in databases if d[field] == wanted]
    page, meta = page_by_number(ctx.params, databases, DEFAULT_PAGE['ListDatabases'])
    return {'Databases': [_public_view(d, hidden=DATABASE_HIDDEN) for d in page],
            'TotalCount': meta['TotalCount']}


@action('bastionhost', 'DeleteDatabase', write=True)
def delete_database(ctx):
    state = contents(ctx, caller_instance(ctx))
    database_id = ctx.params.require('DatabaseId')
    if state.databases.pop(database_id, None) is None:
        raise not_found(f'database {database_id}')
    state.access.forget_database(database_id)
    return {}
