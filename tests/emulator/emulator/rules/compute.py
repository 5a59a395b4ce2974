"""ECS 2014-05-26, RDS 2014-08-15 and PolarDB 2017-08-01 request rules."""
from ..errors import ApiError
from .kinds import PAGE_FROM_ONE, Boolean, Integer, JsonTags, OneOf, Required, SdkModel, TagCount, paging, sdk_package

ecs = sdk_package('alibabacloud_ecs20140526')
rds = sdk_package('alibabacloud_rds20140815')
polardb = sdk_package('alibabacloud_polardb20170801')


def ecs_tag_count(name, value, why):
    """The DescribeInstances reference's error for too many tags: "InvalidTagCount | The specified tags are
    beyond the permitted range. | 400" (AlibabaCloudDocs/ecs intl.zh-CN/API参考/实例/DescribeInstances.md)."""
    return ApiError('InvalidTagCount', 'The specified tags are beyond the permitted range.')


# DescribeInstancesRequestTag.Key: "The tag key of the instance. Valid values of N: 1 to 20."
ECS_TAG = SdkModel('alibabacloud_ecs20140526', 'DescribeInstancesRequestTag', field='Key')
# DescribeDBClustersRequestTag.Key: "You can specify up to 20 tag key-value pairs. The number n in each tag
# key-value pair must be unique and must be a consecutive integer starting from 1."
POLARDB_TAG = SdkModel('alibabacloud_polardb20170801', 'DescribeDBClustersRequestTag', field='Key')

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
            TagCount('Tag', ECS_TAG, high=20, error=ecs_tag_count),
        ] + paging(PAGE_FROM_ONE, high=None),
    },
    'rds': {'DescribeDBInstances': [
        Required('RegionId', rds('DescribeDBInstances')),
        OneOf('Engine', ('MySQL', 'SQLServer', 'PostgreSQL', 'MariaDB'), rds('DescribeDBInstances')),
        Integer('MaxResults', rds('DescribeDBInstances'), low=1, high=100),
        # "You can specify up to 5 tags in a single request. Format: {"key1":"value1","key2":"value2"...}."
        JsonTags('Tags', rds('DescribeDBInstances'), high=5),
    ] + paging(rds('DescribeDBInstances'))},
    'polardb': {
        'DescribeDBClusters': [
            Required('RegionId', polardb('DescribeDBClusters')),
            OneOf('DBType', ('MySQL', 'PostgreSQL', 'Oracle'), polardb('DescribeDBClusters')),
            Integer('PageNumber', polardb('DescribeDBClusters'), low=1),
            Integer('PageSize', polardb('DescribeDBClusters'), choices=(30, 50, 100)),
            TagCount('Tag', POLARDB_TAG, high=20, consecutive=True),
        ],
        'DescribeDBClusterEndpoints': [Required('DBClusterId', polardb('DescribeDBClusterEndpoints'))],
    },
}
