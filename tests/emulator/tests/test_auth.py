"""Credentials, signatures, STS tokens and RAM authorization."""
import pytest

from emulator_testlib import (
    DATA_PROD_ID, ENT01, HZ, KEYS, MGMT_ID, OUTSIDER_ORG, SHOP_PROD_ID, SHOP_WEB1, add_member, assume, bh_models, ecs_models,
    expect_error, ram_models, rds_models, rm_models, role_arn, sdk, sts_models, sts_sdk,
)

STYLES = [pytest.param(False, id='acs3'), pytest.param(True, id='rpc-v2')]


def describe_bastionhosts(client):
    return client.describe_instances(bh_models.DescribeInstancesRequest(region_id=HZ))


# ------------------------------------------------------------------ keys and signatures

@pytest.mark.parametrize('v2', STYLES)
def test_wrong_secret_is_signature_mismatch(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'mgmt', secret='not-the-secret', v2=v2)
    expect_error('SignatureDoesNotMatch', 400, describe_bastionhosts, client)
    expect_error('SignatureDoesNotMatch', 400, add_member, client, SHOP_PROD_ID)
    assert demo_emulator.instance(ENT01)['members'] == []
    calls = demo_emulator.calls()
    assert [(c['status'], c['code'], c['caller']) for c in calls] == [(400, 'SignatureDoesNotMatch', None)] * 2


@pytest.mark.parametrize('v2', STYLES)
def test_unknown_access_key(demo_emulator, v2):
    client = sdk(demo_emulator, 'sts', 'LTAInobodyHasThis', 'whatever', v2=v2)
    expect_error('InvalidAccessKeyId.NotFound', 404, client.get_caller_identity)


@pytest.mark.parametrize('v2', STYLES)
def test_the_right_secret_of_another_key_does_not_sign(demo_emulator, v2):
    client = sdk(demo_emulator, 'sts', KEYS['mgmt'][0], KEYS['ops'][1], v2=v2)
    expect_error('SignatureDoesNotMatch', 400, client.get_caller_identity)


# ------------------------------------------------------------------ STS credentials

@pytest.mark.parametrize('v2', STYLES)
def test_sts_credentials_work_and_identify_the_role(demo_emulator, v2):
    credentials = assume(demo_emulator, role_arn(SHOP_PROD_ID), session='bh-import', v2=v2).credentials
    identity = sts_sdk(demo_emulator, 'sts', credentials, v2=v2).get_caller_identity().body
    assert identity.identity_type == 'AssumedRoleUser'
    assert identity.account_id == SHOP_PROD_ID
    assert identity.arn == f'acs:ram::{SHOP_PROD_ID}:assumed-role/BastionhostImportRole/bh-import'
    assert identity.principal_id.endswith(':bh-import')
    ecs = sts_sdk(demo_emulator, 'ecs', credentials, v2=v2).describe_instances(
        ecs_models.DescribeInstancesRequest(region_id=HZ, instance_ids=f'["{SHOP_WEB1}"]')).body
    assert [i.instance_id for i in ecs.instances.instance] == [SHOP_WEB1]
    call = demo_emulator.calls()[-1]
    assert call['caller'] == {'account_id': SHOP_PROD_ID, 'principal': 'assumed-role/BastionhostImportRole/bh-import',
                              'type': 'role'}


@pytest.mark.parametrize('v2', STYLES)
def test_sts_key_without_token(demo_emulator, v2):
    credentials = assume(demo_emulator, role_arn(SHOP_PROD_ID)).credentials
    client = sdk(demo_emulator, 'sts', credentials.access_key_id, credentials.access_key_secret, v2=v2)
    expect_error('MissingSecurityToken', 400, client.get_caller_identity)


@pytest.mark.parametrize('v2', STYLES)
def test_sts_key_with_wrong_token(demo_emulator, v2):
    credentials = assume(demo_emulator, role_arn(SHOP_PROD_ID)).credentials
    client = sts_sdk(demo_emulator, 'sts', credentials, v2=v2, token='CAESnot-the-issued-token')
    expect_error('InvalidSecurityToken.MismatchWithAccessKey', 400, client.get_caller_identity)


def test_token_of_other_credentials_does_not_match(demo_emulator):
    first = assume(demo_emulator, role_arn(SHOP_PROD_ID), session='one').credentials
    second = assume(demo_emulator, role_arn(SHOP_PROD_ID), session='two').credentials
    client = sts_sdk(demo_emulator, 'sts', first, token=second.security_token)
    expect_error('InvalidSecurityToken.MismatchWithAccessKey', 400, client.get_caller_identity)


@pytest.mark.parametrize('v2', STYLES)
def test_sts_credentials_expire(demo_emulator, v2):
    credentials = assume(demo_emulator, role_arn(SHOP_PROD_ID), duration=900).credentials
    client = sts_sdk(demo_emulator, 'sts', credentials, v2=v2)
    demo_emulator.advance_clock(890)
    assert client.get_caller_identity().body.account_id == SHOP_PROD_ID
    demo_emulator.advance_clock(11)   # 901 s after issue
    expect_error('InvalidSecurityToken.Expired', 400, client.get_caller_identity)


def test_reset_forgets_issued_sts_credentials(demo_emulator):
    credentials = assume(demo_emulator, role_arn(SHOP_PROD_ID)).credentials
    demo_emulator.reset()
    expect_error('InvalidAccessKeyId.NotFound', 404, sts_sdk(demo_emulator, 'sts', credentials).get_caller_identity)


def test_assumed_role_is_limited_by_its_policies(demo_emulator):
    """BastionhostImportRole has ECS/RDS/PolarDB read-only: no bastionhost, no RD."""
    credentials = assume(demo_emulator, role_arn(SHOP_PROD_ID)).credentials
    expect_error('Forbidden.RAM', 403, describe_bastionhosts, sts_sdk(demo_emulator, 'bastionhost', credentials))
    expect_error('Forbidden.RAM', 403, sts_sdk(demo_emulator, 'resourcemanager', credentials).get_resource_directory)


def test_member_access_role_is_given_by_default_with_administrator_access(demo_emulator):
    credentials = assume(demo_emulator, role_arn(DATA_PROD_ID, 'ResourceDirectoryAccountAccessRole')).credentials
    body = describe_bastionhosts(sts_sdk(demo_emulator, 'bastionhost', credentials)).body
    assert body.total_count == 0   # data-prod owns no bastion host, but the call is authorized
    rd = sts_sdk(demo_emulator, 'resourcemanager', credentials).get_resource_directory().body
    assert rd.resource_directory.master_account_id == MGMT_ID


def test_declared_member_access_role_replaces_the_default(emulator_factory):
    emu = emulator_factory(OUTSIDER_ORG)
    arn = role_arn('4000000000000011', 'ResourceDirectoryAccountAccessRole')
    # trusts the outsider only, not the management account
    expect_error('NoPermission', 403, assume, emu, arn, key='LTAIoutMgmtOps01', secret='out-mgmt-ops-secret')
    credentials = assume(emu, arn, key='LTAIoutOutsOps01', secret='out-outsider-ops-secret').credentials
    # and grants ECS reads only, not AdministratorAccess
    body = sts_sdk(emu, 'ecs', credentials).describe_instances(ecs_models.DescribeInstancesRequest(region_id=HZ)).body
    assert [i.instance_id for i in body.instances.instance] == ['i-bp1outmember001']
    expect_error('Forbidden.RAM', 403, describe_bastionhosts, sts_sdk(emu, 'bastionhost', credentials))


# ------------------------------------------------------------------ AssumeRole rules

def test_assume_role_not_trusting_the_caller(demo_emulator):
    expect_error('NoPermission', 403, assume, demo_emulator, role_arn(SHOP_PROD_ID), key='outsider')
    # the default member role trusts the management account only
    expect_error('NoPermission', 403, assume, demo_emulator,
                 role_arn(SHOP_PROD_ID, 'ResourceDirectoryAccountAccessRole'), key='secops')
    expect_error('NoPermission', 403, assume, demo_emulator,
                 role_arn(DATA_PROD_ID, 'ResourceDirectoryAccountAccessRole'), key='shop_prod')


def test_assume_role_trusted_delegated_admin(demo_emulator):
    credentials = assume(demo_emulator, role_arn(SHOP_PROD_ID), key='secops').credentials
    assert sts_sdk(demo_emulator, 'sts', credentials).get_caller_identity().body.account_id == SHOP_PROD_ID


def test_assume_unknown_role(demo_emulator):
    expect_error('EntityNotExist.Role', 404, assume, demo_emulator, role_arn(SHOP_PROD_ID, 'NoSuchRole'))
    expect_error('EntityNotExist.Role', 404, assume, demo_emulator, role_arn('1999999999999999'))
    # the outsider (not in the RD) gets no default member role
    expect_error('EntityNotExist.Role', 404, assume, demo_emulator,
                 role_arn('1000000000000099', 'ResourceDirectoryAccountAccessRole'))


def test_assume_role_name_is_case_insensitive(demo_emulator):
    body = assume(demo_emulator, role_arn(SHOP_PROD_ID, 'resourcedirectoryaccountaccessrole'))
    assert body.credentials.access_key_id.startswith('STS.')


@pytest.mark.parametrize('duration', [899, 43201])
def test_assume_role_duration_bounds(demo_emulator, duration):
    expect_error('InvalidParameter', 400, assume, demo_emulator, role_arn(SHOP_PROD_ID), duration=duration)


def test_assume_role_malformed_arn_and_missing_session(demo_emulator):
    expect_error('InvalidParameter', 400, assume, demo_emulator, f'arn:{SHOP_PROD_ID}:BastionhostImportRole')
    client = sdk(demo_emulator, 'sts', 'ops')
    expect_error('MissingParameter', 400, client.assume_role,
                 sts_models.AssumeRoleRequest(role_arn=role_arn(SHOP_PROD_ID)))


def test_assume_role_needs_the_sts_policy(demo_emulator):
    error = expect_error('NoPermission', 403, assume, demo_emulator, role_arn(SHOP_PROD_ID), key='auditor')
    assert error.data['Message'] == 'You are not authorized to do this action. You should be authorized by RAM.'
    # ops has AliyunSTSAssumeRoleAccess through its group
    assert assume(demo_emulator, role_arn(SHOP_PROD_ID), key='ops').credentials.security_token


# ------------------------------------------------------------------ RAM authorization

def test_auditor_cannot_write_to_bastionhost(demo_emulator):
    client = sdk(demo_emulator, 'bastionhost', 'auditor')
    assert describe_bastionhosts(client).body.total_count == 3      # read-only policy: reads pass
    error = expect_error('Forbidden.RAM', 403, add_member, client, SHOP_PROD_ID)
    assert 'bastionhost:AddInstanceRdMember' in error.data['Message']
    assert demo_emulator.instance(ENT01)['members'] == []
    assert demo_emulator.writes() == []
    call = demo_emulator.calls()[-1]
    assert (call['write'], call['status'], call['code'], call['caller']['principal']) == \
        (True, 403, 'Forbidden.RAM', 'user/auditor')


def test_forbidden_comes_before_parameter_checks(demo_emulator):
    client = sdk(demo_emulator, 'bastionhost', 'auditor')
    expect_error('Forbidden.RAM', 403, client.create_host, bh_models.CreateHostRequest())


def test_rdonly_user_cannot_call_bastionhost(demo_emulator):
    client = sdk(demo_emulator, 'bastionhost', 'rdonly')
    expect_error('Forbidden.RAM', 403, describe_bastionhosts, client)
    expect_error('Forbidden.RAM', 403, client.list_instance_rd_members,
                 bh_models.ListInstanceRdMembersRequest(region_id=HZ, instance_id=ENT01))
    # its own RD full access does work
    accounts = sdk(demo_emulator, 'resourcemanager', 'rdonly').list_accounts(rm_models.ListAccountsRequest()).body
    assert accounts.total_count == 6


def test_auditor_has_no_resource_directory_policy(demo_emulator):
    client = sdk(demo_emulator, 'resourcemanager', 'auditor')
    expect_error('Forbidden.RAM', 403, client.list_accounts, rm_models.ListAccountsRequest())


def test_policy_through_group(demo_emulator):
    """ops holds AliyunResourceDirectoryFullAccess only through its group `platform`."""
    body = sdk(demo_emulator, 'resourcemanager', 'ops').list_accounts(rm_models.ListAccountsRequest()).body
    assert body.total_count == 6
    assert demo_emulator.calls()[-1]['caller'] == {'account_id': MGMT_ID, 'principal': 'user/ops', 'type': 'user'}


def test_full_access_user_writes(demo_emulator):
    add_member(sdk(demo_emulator, 'bastionhost', 'ops'), SHOP_PROD_ID)
    assert demo_emulator.instance(ENT01)['members'] == [SHOP_PROD_ID]
    assert demo_emulator.writes()[0]['caller']['principal'] == 'user/ops'


def test_ram_user_without_product_policy(demo_emulator):
    # (ECS DescribeInstances answers such a caller with an empty list: tests/test_ecs_without_permission.py)
    expect_error('Forbidden.RAM', 403, sdk(demo_emulator, 'rds', 'ops').describe_dbinstances,
                 rds_models.DescribeDBInstancesRequest(region_id=HZ))
    expect_error('Forbidden.RAM', 403, sdk(demo_emulator, 'ecs', 'ops').describe_regions,
                 ecs_models.DescribeRegionsRequest())
    # RAM reads need AliyunRAMReadOnlyAccess: auditor has it
    body = sdk(demo_emulator, 'ram', 'auditor').list_policies_for_user(
        ram_models.ListPoliciesForUserRequest(user_name='auditor')).body
    assert [p.policy_name for p in body.policies.policy] == \
        ['AliyunYundunBastionHostReadOnlyAccess', 'AliyunRAMReadOnlyAccess']


# ------------------------------------------------------------------ GetCallerIdentity

@pytest.mark.parametrize('key, identity_type, arn', [
    ('mgmt', 'Account', f'acs:ram::{MGMT_ID}:root'),
    ('shop_prod', 'Account', f'acs:ram::{SHOP_PROD_ID}:root'),
    ('auditor', 'RAMUser', f'acs:ram::{MGMT_ID}:user/auditor'),   # no policy needed
    ('rdonly', 'RAMUser', f'acs:ram::{MGMT_ID}:user/rdonly'),
])
def test_get_caller_identity(demo_emulator, key, identity_type, arn):
    body = sdk(demo_emulator, 'sts', key).get_caller_identity().body
    assert (body.identity_type, body.arn) == (identity_type, arn)
    assert body.account_id == arn.split(':')[3]
    assert body.principal_id and body.request_id
