"""Bastionhost 2019-12-09 (alibabacloud_yundun_bastionhost20191209) request rules."""
from .kinds import PAGE_FROM_ONE, Assumption, Integer, Length, OneOf, Required, RequiredIf, paging, sdk_package

model = sdk_package('alibabacloud_yundun_bastionhost20191209')

# The real service takes the region from its regional endpoint; the emulator has one endpoint.
REGION = Assumption('one emulator endpoint serves every region, so RegionId stands in for the regional '
                    'endpoint; the SDK models do not call RegionId required')
INSTANCE_STATUSES = ('PENDING', 'CREATING', 'RUNNING', 'EXPIRED', 'CREATE_FAILED', 'UPGRADING', 'UPGRADE_FAILED')
ADDRESS_TYPES = ('Public', 'Private')
OS_TYPES = ('Linux', 'Windows')
HOST_SOURCES = ('Local', 'Ecs', 'Rds')
DATABASE_SOURCES = ('Local', 'Rds', 'PolarDB')
DATABASE_TYPES = ('MySQL', 'Oracle', 'PostgreSQL', 'SQLServer')
POLARDB_ENDPOINT_TYPES = ('Cluster', 'Primary')


def on_instance(action, *names):
    """RegionId, InstanceId and the other parameters the model of `action` calls required."""
    source = model(action)
    return [Required('RegionId', REGION), Required('InstanceId', source)] + [Required(n, source) for n in names]


def create_host():
    source = model('CreateHost')
    return on_instance('CreateHost', 'Source', 'HostName', 'OSType', 'ActiveAddressType') + [
        OneOf('Source', HOST_SOURCES, source),
        OneOf('OSType', OS_TYPES, source),
        OneOf('ActiveAddressType', ADDRESS_TYPES, source),
        Length('HostName', source, high=128),
        Length('Comment', source, high=500),
        RequiredIf('SourceInstanceId', 'Source', ('Ecs', 'Rds'), source),
        RequiredIf('InstanceRegionId', 'Source', ('Ecs', 'Rds'), source),
        RequiredIf('HostPrivateAddress', 'ActiveAddressType', ('Private',), source),
        RequiredIf('HostPublicAddress', 'ActiveAddressType', ('Public',), source),
    ]


def create_database():
    source = model('CreateDatabase')
    return on_instance('CreateDatabase', 'Source', 'DatabaseType', 'ActiveAddressType') + [
        OneOf('Source', DATABASE_SOURCES, source),
        OneOf('DatabaseType', DATABASE_TYPES, source),
        OneOf('ActiveAddressType', ADDRESS_TYPES, source),
        Length('Comment', source, high=500),
        RequiredIf('DatabaseName', 'Source', ('Local',), source),
        RequiredIf('DatabasePort', 'Source', ('Local',), source),
        Integer('DatabasePort', source),
        RequiredIf('SourceInstanceId', 'Source', ('Rds', 'PolarDB'), source),
        RequiredIf('SourceInstanceRegionId', 'Source', ('Rds', 'PolarDB'), source),
        RequiredIf('PolarDBEndpointType', 'Source', ('PolarDB',), source),
        OneOf('PolarDBEndpointType', POLARDB_ENDPOINT_TYPES, source),
        RequiredIf('DatabasePrivateAddress', 'ActiveAddressType', ('Private',), source),
        RequiredIf('DatabasePublicAddress', 'ActiveAddressType', ('Public',), source),
    ]


TABLES = {'bastionhost': {
    'DescribeInstances': [
        Required('RegionId', REGION),
        OneOf('InstanceStatus', INSTANCE_STATUSES, model('DescribeInstances')),
    ] + paging(PAGE_FROM_ONE, high=None),
    'DescribeInstanceAttribute': on_instance('DescribeInstanceAttribute'),
    'ListNetworkDomains': on_instance('ListNetworkDomains') + [
        OneOf('NetworkDomainType', ('Direct', 'Proxy'), model('ListNetworkDomains')),
    ] + paging(PAGE_FROM_ONE, model('ListNetworkDomains')),
    'AddInstanceRdMember': on_instance('AddInstanceRdMember', 'MemberId'),
    'ListInstanceRdMembers': on_instance('ListInstanceRdMembers') + [
        Integer('MaxResults', model('ListInstanceRdMembers'), low=1, high=100),
    ],
    'RemoveInstanceRdMember': on_instance('RemoveInstanceRdMember', 'MemberId'),
    'CreateHost': create_host(),
    'ListHosts': on_instance('ListHosts') + [
        OneOf('OSType', OS_TYPES, model('ListHosts')),
        OneOf('Source', HOST_SOURCES, model('ListHosts')),
        OneOf('SourceInstanceState', ('Normal', 'Release'), model('ListHosts')),
    ] + paging(PAGE_FROM_ONE, high=None),
    'DeleteHost': on_instance('DeleteHost', 'HostId'),
    'CreateDatabase': create_database(),
    'ListDatabases': on_instance('ListDatabases') + [
        OneOf('DatabaseType', DATABASE_TYPES, model('ListDatabases')),
        OneOf('Source', DATABASE_SOURCES, model('ListDatabases')),
    ] + paging(PAGE_FROM_ONE, model('ListDatabases')),
    'DeleteDatabase': on_instance('DeleteDatabase', 'DatabaseId'),
}}
