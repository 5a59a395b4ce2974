"""ECS 2014-05-26, RDS 2014-08-15 and PolarDB 2017-08-01 request rules."""
from .kinds import PAGE_FROM_ONE, Boolean, Integer, OneOf, Required, paging, sdk_package

ecs = sdk_package('alibabacloud_ecs20140526')
rds = sdk_package('alibabacloud_rds20140815')
polardb = sdk_package('alibabacloud_polardb20170801')

TABLES = {
    # MaxResults has no invalid value: below 10 counts as 10, above 100 as 100 (the handler clamps).
    'ecs': {
        # DescribeRegionsRequest states no required parameter.
        'DescribeRegions': [],
        'DescribeInstances': [
            Required('RegionId', ecs('DescribeInstances')),
            OneOf('Status', ('Pending', 'Running', 'Starting', 'Stopping', 'Stopped'), ecs('DescribeInstances')),
            Integer('MaxResults', ecs('DescribeInstances')),
            Boolean('DryRun', ecs('DescribeInstances')),
        ] + paging(PAGE_FROM_ONE, high=None),
    },
    'rds': {'DescribeDBInstances': [
        Required('RegionId', rds('DescribeDBInstances')),
        OneOf('Engine', ('MySQL', 'SQLServer', 'PostgreSQL', 'MariaDB'), rds('DescribeDBInstances')),
        Integer('MaxResults', rds('DescribeDBInstances'), low=1, high=100),
    ] + paging(rds('DescribeDBInstances'))},
    'polardb': {
        'DescribeDBClusters': [
            Required('RegionId', polardb('DescribeDBClusters')),
            OneOf('DBType', ('MySQL', 'PostgreSQL', 'Oracle'), polardb('DescribeDBClusters')),
            Integer('PageNumber', polardb('DescribeDBClusters'), low=1),
            Integer('PageSize', polardb('DescribeDBClusters'), choices=(30, 50, 100)),
        ],
        'DescribeDBClusterEndpoints': [Required('DBClusterId', polardb('DescribeDBClusterEndpoints'))],
    },
}
