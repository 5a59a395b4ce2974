"""Tag filters within the documented counts and forms.

ECS DescribeInstances: `Tag.N`, "Valid values of N: 1 to 20" (DescribeInstancesRequestTag.Key); more is
InvalidTagCount (400) "The specified tags are beyond the permitted range." (the reference's error table).
RDS DescribeDBInstances: `Tags`, "You can specify up to 5 tags in a single request. Format:
{"key1":"value1","key2":"value2"...}. If an instance matches any of the specified tags, the instance
information is returned." (DescribeDBInstancesRequest.Tags).
PolarDB DescribeDBClusters: `Tag.N`, "You can specify up to 20 tag key-value pairs. The number n in each
tag key-value pair must be unique and must be a consecutive integer starting from 1."
(DescribeDBClustersRequestTag.Key).
"""
import json

import pytest

from emulator import rules
from emulator.errors import ApiError
from emulator.params import Params
from emulator_testlib import HZ, SHOP_RDS_HZ, ecs_models, expect_error, polardb_models, rds_models, sdk

STYLES = [pytest.param(False, id='acs3'), pytest.param(True, id='rpc-v2')]


def ecs_tags(count):
    return [ecs_models.DescribeInstancesRequestTag(key=f'k{n}', value='v') for n in range(count)]


@pytest.mark.parametrize('v2', STYLES)
def test_ecs_takes_20_tags_and_refuses_21(demo_emulator, v2):
    client = sdk(demo_emulator, 'ecs', 'shop_prod', v2=v2)
    body = client.describe_instances(ecs_models.DescribeInstancesRequest(region_id=HZ, tag=ecs_tags(20))).body
    assert body.total_count == 0
    error = expect_error('InvalidTagCount', 400, client.describe_instances,
                         ecs_models.DescribeInstancesRequest(region_id=HZ, tag=ecs_tags(21)))
    assert error.data['Message'] == 'The specified tags are beyond the permitted range.'
    assert demo_emulator.calls()[-1]['code'] == 'InvalidTagCount'


@pytest.mark.parametrize('product, action, wire, code', [
    ('ecs', 'DescribeInstances', {'RegionId': HZ, 'Tag.21.Key': 'k'}, 'InvalidTagCount'),     # N only 1 to 20
    ('ecs', 'DescribeInstances', {'RegionId': HZ, 'Tag.0.Key': 'k'}, 'InvalidTagCount'),
    ('polardb', 'DescribeDBClusters', {'RegionId': HZ, 'Tag.21.Key': 'k'}, 'InvalidParameter'),
    # PolarDB: "a consecutive integer starting from 1"
    ('polardb', 'DescribeDBClusters', {'RegionId': HZ, 'Tag.1.Key': 'a', 'Tag.3.Key': 'b'}, 'InvalidParameter'),
    ('polardb', 'DescribeDBClusters', {'RegionId': HZ, 'Tag.x.Key': 'a'}, 'InvalidParameter'),
])
def test_the_tag_number_is_checked_as_sent(product, action, wire, code):
    """What the SDKs never send (they number tags 1, 2, ...), as a hand-made request would: the rules
    table on its own."""
    with pytest.raises(ApiError) as info:
        rules.check(product, action, Params(wire))
    assert info.value.code == code


def test_consecutive_tags_pass(demo_emulator):
    rules.check('polardb', 'DescribeDBClusters', Params({'RegionId': HZ, 'Tag.1.Key': 'a', 'Tag.2.Key': 'b'}))
    rules.check('ecs', 'DescribeInstances', Params({'RegionId': HZ, 'Tag.20.Key': 'k'}))


def polardb_tags(count):
    return [polardb_models.DescribeDBClustersRequestTag(key=f'k{n}', value='v') for n in range(count)]


@pytest.mark.parametrize('v2', STYLES)
def test_polardb_takes_20_tags_and_refuses_21(demo_emulator, v2):
    client = sdk(demo_emulator, 'polardb', 'shop_prod', v2=v2)
    body = client.describe_dbclusters(polardb_models.DescribeDBClustersRequest(
        region_id=HZ, tag=polardb_tags(20))).body
    assert body.items.dbcluster == []
    expect_error('InvalidParameter', 400, client.describe_dbclusters,
                 polardb_models.DescribeDBClustersRequest(region_id=HZ, tag=polardb_tags(21)))


def rds(client, tags):
    return client.describe_dbinstances(rds_models.DescribeDBInstancesRequest(region_id=HZ, tags=tags)).body


@pytest.mark.parametrize('v2', STYLES)
def test_rds_takes_5_tags_and_refuses_6(demo_emulator, v2):
    client = sdk(demo_emulator, 'rds', 'shop_prod', v2=v2)
    five = {'team': 'shop', **{f'k{n}': 'v' for n in range(4)}}
    # any of them matches: the instance tagged team=shop is listed
    assert [i.dbinstance_id for i in rds(client, json.dumps(five)).items.dbinstance] == [SHOP_RDS_HZ]
    six = {**five, 'k9': 'v'}
    expect_error('InvalidParameter', 400, rds, client, json.dumps(six))


@pytest.mark.parametrize('tags', ['{"team": null}', '{"team": 1}', '{"team": ["shop"]}', '"team"'])
def test_rds_tags_only_in_the_documented_form(demo_emulator, tags):
    """The documented form maps keys to values: a key with no value (null), a number or a list is not it.
    How to ask for a key alone is not documented for DescribeDBInstances."""
    expect_error('InvalidParameter', 400, rds, sdk(demo_emulator, 'rds', 'shop_prod'), tags)


def test_rds_an_empty_value_is_a_value(demo_emulator):
    """{"team": ""} is the documented form; it matches a tag whose value is "" (none in the demo), not any value."""
    assert rds(sdk(demo_emulator, 'rds', 'shop_prod'), '{"team": ""}').items.dbinstance == []
