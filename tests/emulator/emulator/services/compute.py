"""ECS 2014-05-26, RDS 2014-08-15 and PolarDB 2017-08-01: the caller's own instances in a region."""
import fnmatch
import json

from ..errors import ApiError
from ..params import page_by_number, page_by_token, tags_match
from ..registry import action, dry_run, without_permission

CREATED = '2024-03-01T08:00Z'
# Public Alibaba Cloud regions (ECS DescribeRegions; the "Regions and zones" page of the ECS docs).
# The regions an organisation file uses are added, so any org file stays self-consistent.
PUBLIC_REGIONS = (
    'cn-qingdao', 'cn-beijing', 'cn-zhangjiakou', 'cn-huhehaote', 'cn-wulanchabu', 'cn-hangzhou', 'cn-shanghai',
    'cn-nanjing', 'cn-fuzhou', 'cn-wuhan-lr', 'cn-shenzhen', 'cn-heyuan', 'cn-guangzhou', 'cn-chengdu',
    'cn-hongkong', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-3', 'ap-southeast-5',
    'ap-southeast-6', 'ap-southeast-7', 'us-east-1', 'us-west-1', 'eu-west-1', 'eu-central-1', 'me-east-1',
    'me-central-1',
)


def _region_assets(ctx, kind):
    region = ctx.params.require('RegionId')
    return ctx.org.assets(ctx.caller.account_id, kind, region)


def _page(ctx, items, default_size, token_size):
    """ECS and RDS page either by NextToken/MaxResults (`token_size`) or by PageNumber/PageSize."""
    if ctx.params.get('NextToken') is not None or ctx.params.get('MaxResults') is not None:
        return page_by_token(ctx.params, items, token_size)
    return page_by_number(ctx.params, items, default_size)


def ecs_max_results(params):
    """"If you do not set this parameter or set it to a value less than 10, the default value is 10. If you
    set this parameter to a value greater than 100, the default value is 100." (DescribeInstancesRequest)"""
    return min(max(params.integer('MaxResults', 10), 10), 100)


def ecs_view(instance):
    public = [instance['public_ip']] if instance.get('public_ip') else []
    return {
        'InstanceId': instance['id'], 'InstanceName': instance.get('name', instance['id']),
        'HostName': instance.get('name', instance['id']), 'RegionId': instance['region'],
        'ZoneId': instance['region'] + '-a', 'Status': instance.get('status', 'Running'),
        'OSType': instance.get('os', 'Linux').lower(), 'OSName': instance.get('os', 'Linux'),
        'InstanceNetworkType': 'vpc', 'InstanceType': 'ecs.g7.large', 'CreationTime': CREATED,
        'VpcAttributes': {'VpcId': 'vpc-emu', 'VSwitchId': 'vsw-emu',
                          'PrivateIpAddress': {'IpAddress': [instance['private_ip']] if instance.get('private_ip') else []}},
        'PublicIpAddress': {'IpAddress': public},
        'EipAddress': {'IpAddress': '', 'AllocationId': ''},
        'InnerIpAddress': {'IpAddress': []},
        'Tags': {'Tag': [{'TagKey': k, 'TagValue': str(v)} for k, v in sorted((instance.get('tags') or {}).items())]},
    }


def _org_regions(org):
    regions = set()
    for account in org.accounts.values():
        for key in ('ecs_instances', 'rds_instances', 'polardb_clusters', 'bastionhosts'):
            regions.update(item['region'] for item in account.get(key) or [])
    return regions


@action('ecs', 'DescribeRegions')
def describe_regions(ctx):
    regions = sorted(set(PUBLIC_REGIONS) | _org_regions(ctx.org))
    return {'Regions': {'Region': [{'RegionId': r, 'LocalName': r, 'RegionEndpoint': 'ecs.%s.aliyuncs.com' % r,
                                    'Status': 'available'} for r in regions]}}


@action('ecs', 'DescribeInstances')
def describe_ecs_instances(ctx):
    instances = _region_assets(ctx, 'ecs')
    ids = ctx.params.json_list('InstanceIds')
    if ids is not None:
        instances = [i for i in instances if i['id'] in ids]
    wanted_tags = ctx.params.tags()
    instances = [i for i in instances if tags_match(wanted_tags, i.get('tags') or {})]
    name = ctx.params.get('InstanceName')
    if name is not None:
        instances = [i for i in instances if fnmatch.fnmatchcase(i.get('name', ''), name)]
    status = ctx.params.get('Status')
    if status is not None:
        instances = [i for i in instances if i.get('status', 'Running') == status]
    page, meta = _page(ctx, instances, 10, ecs_max_results(ctx.params))
    meta.setdefault('TotalCount', len(instances))
    return {'Instances': {'Instance': [ecs_view(i) for i in page]}, **meta}


# DescribeInstancesRequest.DryRun: "If the request passes the dry run, the DryRunOperation error code is
# returned."
dry_run('ecs', 'DescribeInstances')


@without_permission('ecs', 'DescribeInstances')
def ecs_instances_without_permission(world, params):
    """A RAM user or role without ecs:DescribeInstances gets an empty list, not an error (the API reference:
    "If you are using a Resource Access Management (RAM) user or RAM role that does not have the permissions
    to call this operation, an empty list is returned. You can include the DryRun parameter in your request
    to check whether the empty list is caused by lack of permissions."). With DryRun the check fails
    ("The system checks the request for potential issues, including ... unauthorized Resource Access
    Management (RAM) users", DescribeInstancesRequest.DryRun): Forbidden.RAM. Under
    --ecs-without-permission forbidden, Forbidden.RAM always (ECS's announcement of 2025-12-20)."""
    if world.ecs_without_permission != 'empty' or params.boolean('DryRun'):
        return None
    return empty_ecs_instances


def empty_ecs_instances(ctx):
    """The answer ECS's announcement shows for a caller without ecs:DescribeInstances "before the upgrade"
    (https://www.alibabacloud.com/help/en/ecs/announcement-of-changes-to-the-authentication-mechanism-for-alibaba-cloud-ecs-query-type-apis)."""
    return {'Instances': {'Instance': []}, 'NextToken': '', 'PageNumber': ctx.params.integer('PageNumber', 1),
            'PageSize': ctx.params.integer('PageSize', 10), 'TotalCount': 0}


def rds_view(instance):
    return {
        'DBInstanceId': instance['id'], 'DBInstanceDescription': instance.get('name', instance['id']),
        'Engine': instance.get('engine', 'MySQL'), 'EngineVersion': instance.get('engine_version', '8.0'),
        'RegionId': instance['region'], 'ZoneId': instance['region'] + '-a',
        'DBInstanceStatus': instance.get('status', 'Running'), 'DBInstanceNetType': 'Intranet',
        'DBInstanceType': 'Primary', 'InstanceNetworkType': 'VPC', 'ConnectionMode': 'Standard',
        'ConnectionString': instance.get('private_address', ''), 'CreateTime': CREATED, 'PayType': 'Postpaid',
    }


def _rds_tags_filter(ctx):
    """The `Tags` JSON object (its form and count are in the rule table)."""
    raw = ctx.params.get('Tags')
    return {} if raw is None else json.loads(raw)


@action('rds', 'DescribeDBInstances')
def describe_db_instances(ctx):
    instances = _region_assets(ctx, 'rds')
    ids = ctx.params.csv('DBInstanceId')
    if ids is not None:
        instances = [i for i in instances if i['id'] in ids]
    wanted = _rds_tags_filter(ctx)
    # RDS returns an instance that matches any of the given tags.
    if wanted:
        instances = [i for i in instances if any(tags_match({k: v}, i.get('tags') or {}) for k, v in wanted.items())]
    engine = ctx.params.get('Engine')
    if engine is not None:
        instances = [i for i in instances if i.get('engine', 'MySQL') == engine]
    page, meta = _page(ctx, instances, 30, ctx.params.integer('MaxResults', 30))
    body = {'Items': {'DBInstance': [rds_view(i) for i in page]}, 'TotalRecordCount': len(instances),
            'PageRecordCount': len(page)}
    if 'PageNumber' in meta:
        body['PageNumber'] = meta['PageNumber']
    else:
        body['NextToken'] = meta['NextToken']
    return body


def polardb_view(cluster):
    return {
        'DBClusterId': cluster['id'], 'DBClusterDescription': cluster.get('name', cluster['id']),
        'DBType': cluster.get('engine', 'MySQL'), 'DBVersion': cluster.get('engine_version', '8.0'),
        'Engine': 'POLARDB', 'RegionId': cluster['region'], 'ZoneId': cluster['region'] + '-a',
        'DBClusterStatus': cluster.get('status', 'Running'), 'DBClusterNetworkType': 'VPC',
        'CreateTime': CREATED, 'PayType': 'Postpaid', 'DBNodeNumber': 2,
        'Tags': {'Tag': [{'Key': k, 'Value': str(v)} for k, v in sorted((cluster.get('tags') or {}).items())]},
    }


@action('polardb', 'DescribeDBClusters')
def describe_db_clusters(ctx):
    clusters = _region_assets(ctx, 'polardb')
    ids = ctx.params.csv('DBClusterIds')
    if ids is not None:
        clusters = [c for c in clusters if c['id'] in ids]
    wanted_tags = ctx.params.tags()
    clusters = [c for c in clusters if tags_match(wanted_tags, c.get('tags') or {})]
    db_type = ctx.params.get('DBType')
    if db_type is not None:
        clusters = [c for c in clusters if c.get('engine', 'MySQL') == db_type]
    page, meta = page_by_number(ctx.params, clusters, 30)
    return {'Items': {'DBCluster': [polardb_view(c) for c in page]}, 'TotalRecordCount': len(clusters),
            'PageRecordCount': len(page), 'PageNumber': meta['PageNumber']}


def cluster_endpoints(cluster):
    """The org file's `endpoints` of a cluster, or one Cluster endpoint at its private address."""
    return cluster.get('endpoints') or [{'type': 'Cluster', 'private_address': cluster.get('private_address')}]


def endpoint_view(cluster, index, endpoint):
    port = str(endpoint.get('port', cluster.get('port', 3306)))
    addresses = [{'NetType': net_type, 'ConnectionString': endpoint[key], 'Port': port, 'IPAddress': '',
                  'VPCId': 'vpc-emu' if net_type == 'Private' else '', 'VSwitchId': ''}
                 for net_type, key in (('Private', 'private_address'), ('Public', 'public_address'))
                 if endpoint.get(key)]
    return {'DBClusterId': cluster['id'], 'DBEndpointId': f'pe-{cluster["id"][3:]}{index:02d}',
            'EndpointType': endpoint.get('type', 'Cluster'), 'AddressItems': addresses,
            'Nodes': f'pi-{cluster["id"][3:]}01,pi-{cluster["id"][3:]}02', 'ReadWriteMode': 'ReadWrite',
            'AutoAddNewNodes': 'Enable', 'EndpointConfig': '{}'}


def _caller_cluster(ctx, cluster_id):
    """The caller's cluster of that id in any region (the request names no region)."""
    for cluster in ctx.org.accounts[ctx.caller.account_id]['polardb_clusters']:
        if cluster['id'] == cluster_id:
            return cluster
    raise ApiError('InvalidDBClusterId.NotFound', f'The DBClusterId {cluster_id} does not exist.', status=404)


@action('polardb', 'DescribeDBClusterEndpoints')
def describe_db_cluster_endpoints(ctx):
    cluster = _caller_cluster(ctx, ctx.params.get('DBClusterId'))
    items = [endpoint_view(cluster, index, endpoint)
             for index, endpoint in enumerate(cluster_endpoints(cluster), start=1)]
    wanted = ctx.params.get('DBEndpointId')
    if wanted is not None:
        items = [item for item in items if item['DBEndpointId'] == wanted]
    return {'Items': items}
