"""Bastionhost 2019-12-09 (alibabacloud_yundun_bastionhost20191209) request rules."""
from .kinds import (
    PAGE_FROM_ONE, ApiReference, Assumption, IdList, Integer, Length, OneOf, Required, RequiredIf, RequiredIfAsset,
    RequiredList, paging, sdk_package,
)

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
PREF_KEX = ('default', 'diffie-hellman-group1-sha1', 'diffie-hellman-group14-sha1',
            'diffie-hellman-group-exchange-sha1')
# ModifyDatabaseRequest.DatabasePort is a string "The port of the database after the modification".
PORT = Assumption('a port is a whole number; the model types DatabasePort as a string and states no format')
ADD_DATABASES_TO_GROUP_PAGE = ApiReference(
    'https://help.aliyun.com/zh/bh/bastionhost/developer-reference/api-yundun-bastionhost-2019-12-09-adddatabasestogroup',
    'DatabaseIds: 要加入资产组的数据库 ID。最多支持添加 100 个 (up to 100 database ids)')


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


# Source is the database's (ModifyDatabaseRequest has no Source): the ModifyDatabase handler checks it.
MODIFY_DATABASE_SOURCE = RequiredIfAsset('SourceInstanceId', 'Source', ('Rds', 'PolarDB'), model('ModifyDatabase'))


def modify_host():
    source = model('ModifyHost')
    return on_instance('ModifyHost', 'HostId') + [
        Length('HostName', source, high=128),
        Length('Comment', source, high=500),
        OneOf('OSType', OS_TYPES, source),
        OneOf('PrefKex', PREF_KEX, source),
    ]


def modify_database():
    source = model('ModifyDatabase')
    return on_instance('ModifyDatabase', 'DatabaseId') + [
        OneOf('ActiveAddressType', ADDRESS_TYPES, source),
        Integer('DatabasePort', PORT),
        MODIFY_DATABASE_SOURCE,
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
    'GetHost': on_instance('GetHost', 'HostId'),
    'ModifyHost': modify_host(),
    'ModifyHostsActiveAddressType': on_instance('ModifyHostsActiveAddressType', 'HostIds', 'ActiveAddressType') + [
        OneOf('ActiveAddressType', ADDRESS_TYPES, model('ModifyHostsActiveAddressType')),
        IdList('HostIds', model('ModifyHostsActiveAddressType'), high=100, json=True),
    ],
    'MoveHostsToNetworkDomain': on_instance('MoveHostsToNetworkDomain', 'NetworkDomainId'),
    'ModifyDatabase': modify_database(),
    'MoveDatabasesToNetworkDomain': on_instance('MoveDatabasesToNetworkDomain', 'NetworkDomainId'),
    'ListHostGroups': on_instance('ListHostGroups') + paging(PAGE_FROM_ONE, model('ListHostGroups')),
    'CreateHostGroup': on_instance('CreateHostGroup', 'HostGroupName') + [
        Length('HostGroupName', model('CreateHostGroup'), high=128),
        Length('Comment', model('CreateHostGroup'), high=500),
    ],
    'AddHostsToGroup': on_instance('AddHostsToGroup', 'HostGroupId', 'HostIds') + [
        IdList('HostIds', model('AddHostsToGroup'), high=100, json=True),
    ],
    'AddDatabasesToGroup': on_instance('AddDatabasesToGroup', 'HostGroupId') + [
        RequiredList('DatabaseIds', model('AddDatabasesToGroup')),
        IdList('DatabaseIds', ADD_DATABASES_TO_GROUP_PAGE, high=100),
    ],
}}

# The rest of the asset-group life (issue 21): a group's name and Comment, deleting a group, taking
# hosts and databases out of one. RemoveDatabasesFromGroupRequest.DatabaseIds states no limit (nor does
# its API page), so none is enforced.
TABLES['bastionhost'].update({
    'ModifyHostGroup': on_instance('ModifyHostGroup', 'HostGroupId') + [
        Length('HostGroupName', model('ModifyHostGroup'), high=128),
        Length('Comment', model('ModifyHostGroup'), high=500),
    ],
    'DeleteHostGroup': on_instance('DeleteHostGroup', 'HostGroupId'),
    'RemoveHostsFromGroup': on_instance('RemoveHostsFromGroup', 'HostGroupId', 'HostIds') + [
        IdList('HostIds', model('RemoveHostsFromGroup'), high=100, json=True),
    ],
    'RemoveDatabasesFromGroup': on_instance('RemoveDatabasesFromGroup', 'HostGroupId') + [
        RequiredList('DatabaseIds', model('RemoveDatabasesFromGroup')),
    ],
})
