"""ECS DescribeInstances for a RAM user or role without permission, and DryRun.

The API reference (https://www.alibabacloud.com/help/en/ecs/developer-reference/api-describeinstances):
"If you are using a Resource Access Management (RAM) user or RAM role that does not have the permissions
to call this operation, an empty list is returned. You can include the DryRun parameter in your request
to check whether the empty list is caused by lack of permissions." ECS announced that from 2025-12-20 such
a call answers Forbidden.RAM instead: `--ecs-without-permission forbidden` models that. RDS and PolarDB
document nothing of the kind: Forbidden.RAM.
"""
import pytest

from emulator_testlib import (
    HZ, SHOP_PROD_ID, assume, demo_org, ecs_models, expect_error, polardb_models, rds_models, role_arn, sdk,
    sts_sdk, write_org,
)


def describe(client, **kwargs):
    return client.describe_instances(ecs_models.DescribeInstancesRequest(**kwargs)).body


def test_a_ram_user_without_permission_gets_an_empty_list(demo_emulator):
    """ops (management account) holds no ECS policy; the account has two ECS instances in cn-hangzhou."""
    assert describe(sdk(demo_emulator, 'ecs', 'mgmt'), region_id=HZ).total_count == 2
    body = describe(sdk(demo_emulator, 'ecs', 'ops'), region_id=HZ)
    assert (body.instances.instance, body.total_count, body.page_number, body.page_size, body.next_token) == \
        ([], 0, 1, 10, '')
    call = demo_emulator.calls()[-1]
    assert (call['status'], call['code'], call['permitted']) == (200, None, False)


def test_dry_run_tells_no_permission_from_no_instances(demo_emulator):
    """DescribeInstancesRequest.DryRun: the dry run checks "unauthorized Resource Access Management (RAM)
    users"; "If the request passes the dry run, the DryRunOperation error code is returned"."""
    expect_error('Forbidden.RAM', 403, describe, sdk(demo_emulator, 'ecs', 'ops'), region_id=HZ, dry_run=True)
    error = expect_error('DryRunOperation', 400, describe, sdk(demo_emulator, 'ecs', 'mgmt'), region_id=HZ,
                         dry_run=True)
    assert error.data['Message'] == 'Request validation has been passed with DryRun flag set.'
    # a permitted caller in a region without instances: an empty list, and DryRun passes
    assert describe(sdk(demo_emulator, 'ecs', 'mgmt'), region_id='eu-west-1').total_count == 0
    expect_error('DryRunOperation', 400, describe, sdk(demo_emulator, 'ecs', 'mgmt'), region_id='eu-west-1',
                 dry_run=True)
    # DryRun=false runs the request
    assert describe(sdk(demo_emulator, 'ecs', 'mgmt'), region_id=HZ, dry_run=False).total_count == 2


def test_dry_run_checks_missing_parameters_first(demo_emulator):
    """"The system checks the request for potential issues, including ... missing parameter values"."""
    expect_error('MissingParameter', 400, describe, sdk(demo_emulator, 'ecs', 'mgmt'), dry_run=True)


def test_a_dry_run_reads_nothing_and_writes_nothing(demo_emulator):
    expect_error('DryRunOperation', 400, describe, sdk(demo_emulator, 'ecs', 'mgmt'), region_id=HZ, dry_run=True)
    assert demo_emulator.calls()[-1]['code'] == 'DryRunOperation'


@pytest.fixture
def no_ecs_role_org(tmp_path):
    """shop-prod gets a role that trusts the management account and reads RDS only."""
    org = demo_org()
    shop = next(a for a in org['accounts'] if str(a['id']) == SHOP_PROD_ID)
    shop['roles'].append({'name': 'RdsOnlyRole', 'trusted_accounts': ['1000000000000001'],
                          'policies': ['AliyunRDSReadOnlyAccess']})
    return write_org(tmp_path / 'org.yml', org)


def test_an_assumed_role_without_permission_gets_an_empty_list(emulator_factory, no_ecs_role_org):
    emu = emulator_factory(no_ecs_role_org)
    member = assume(emu, role_arn(SHOP_PROD_ID, 'RdsOnlyRole')).credentials
    assert describe(sts_sdk(emu, 'ecs', member), region_id=HZ).total_count == 0
    expect_error('Forbidden.RAM', 403, describe, sts_sdk(emu, 'ecs', member), region_id=HZ, dry_run=True)
    importer = assume(emu, role_arn(SHOP_PROD_ID)).credentials          # BastionhostImportRole reads ECS
    assert describe(sts_sdk(emu, 'ecs', importer), region_id=HZ).total_count == 8
    expect_error('DryRunOperation', 400, describe, sts_sdk(emu, 'ecs', importer), region_id=HZ, dry_run=True)


def test_forbidden_mode_answers_forbidden_ram(emulator_factory):
    """--ecs-without-permission forbidden: the answer after ECS's change of 2025-12-20
    (https://www.alibabacloud.com/help/en/ecs/announcement-of-changes-to-the-authentication-mechanism-for-alibaba-cloud-ecs-query-type-apis)."""
    emu = emulator_factory(ecs_without_permission='forbidden')
    expect_error('Forbidden.RAM', 403, describe, sdk(emu, 'ecs', 'ops'), region_id=HZ)
    expect_error('Forbidden.RAM', 403, describe, sdk(emu, 'ecs', 'ops'), region_id=HZ, dry_run=True)
    expect_error('DryRunOperation', 400, describe, sdk(emu, 'ecs', 'mgmt'), region_id=HZ, dry_run=True)
    assert describe(sdk(emu, 'ecs', 'mgmt'), region_id=HZ).total_count == 2


def test_other_reads_without_permission_stay_forbidden(demo_emulator):
    """DescribeRegions is not named by the reference; RDS DescribeDBInstances and PolarDB DescribeDBClusters
    document no empty answer."""
    client = sdk(demo_emulator, 'ecs', 'ops')
    expect_error('Forbidden.RAM', 403, client.describe_regions, ecs_models.DescribeRegionsRequest())
    expect_error('Forbidden.RAM', 403, sdk(demo_emulator, 'rds', 'ops').describe_dbinstances,
                 rds_models.DescribeDBInstancesRequest(region_id=HZ))
    expect_error('Forbidden.RAM', 403, sdk(demo_emulator, 'polardb', 'ops').describe_dbclusters,
                 polardb_models.DescribeDBClustersRequest(region_id=HZ))
