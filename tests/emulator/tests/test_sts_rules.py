"""STS AssumeRole as documented: who may call it, DurationSeconds and RoleSessionName."""
import pytest

from emulator_testlib import (
    DATA_PROD_ID, KEYS, SHOP_PROD_ID, assume, demo_org, expect_error, role_arn, sts_models, sts_sdk, write_org,
)

NO_PERMISSION = 'You are not authorized to do this action. You should be authorized by RAM.'
ROOTS = ['mgmt', 'security', 'shop_prod', 'outsider']


def refused(emu, arn, key, **kwargs):
    error = expect_error('NoPermission', 403, assume, emu, arn, key=key, **kwargs)
    assert error.data['Message'] == NO_PERMISSION
    return error


@pytest.mark.parametrize('v2', [False, True], ids=['acs3', 'rpc-v2'])
@pytest.mark.parametrize('key', ROOTS)
def test_an_account_root_cannot_assume_a_role(demo_emulator, key, v2):
    """The demo keeps the management account's root keys to show this refusal: a root cannot
    discover member assets, even into a role that trusts its account."""
    refused(demo_emulator, role_arn(SHOP_PROD_ID), key, v2=v2)
    refused(demo_emulator, role_arn(SHOP_PROD_ID, 'ResourceDirectoryAccountAccessRole'), key, v2=v2)
    assert demo_emulator.calls()[-1]['caller']['type'] == 'root'


def test_a_caller_without_sts_assume_role_is_refused(demo_emulator):
    # auditor and rdonly hold neither AliyunSTSAssumeRoleAccess nor AdministratorAccess
    for key in ('auditor', 'rdonly'):
        refused(demo_emulator, role_arn(SHOP_PROD_ID), key)


def test_a_role_that_does_not_trust_the_caller_refuses_it(demo_emulator):
    # ResourceDirectoryAccountAccessRole trusts the management account only: secops (delegated admin) is refused
    refused(demo_emulator, role_arn(SHOP_PROD_ID, 'ResourceDirectoryAccountAccessRole'), 'secops')
    # BastionhostImportRole trusts both
    for key in ('ops', 'secops'):
        assert assume(demo_emulator, role_arn(SHOP_PROD_ID), key=key).credentials.security_token


def test_the_demo_operator_assumes_the_member_role(demo_emulator):
    for arn in (role_arn(SHOP_PROD_ID), role_arn(DATA_PROD_ID, 'ResourceDirectoryAccountAccessRole')):
        credentials = assume(demo_emulator, arn, key='ops').credentials
        identity = sts_sdk(demo_emulator, 'sts', credentials).get_caller_identity().body
        assert identity.identity_type == 'AssumedRoleUser'


def test_an_assumed_role_with_the_sts_policy_may_assume_further(demo_emulator):
    """The member access role has AdministratorAccess (sts:AssumeRole included): a RAM role may call,
    and the role it names decides by its trust (BastionhostImportRole of shop-prod trusts no data-prod)."""
    credentials = assume(demo_emulator, role_arn(DATA_PROD_ID, 'ResourceDirectoryAccountAccessRole')).credentials
    client = sts_sdk(demo_emulator, 'sts', credentials)
    expect_error('NoPermission', 403, client.assume_role, sts_models.AssumeRoleRequest(
        role_arn=role_arn(SHOP_PROD_ID), role_session_name='chained'))
    assert demo_emulator.calls()[-1]['caller']['type'] == 'role'


@pytest.mark.parametrize('duration, code', [
    (899, 'InvalidParameter'), (900, None), (3600, None), (3601, 'InvalidParameter'), (43200, 'InvalidParameter'),
])
def test_duration_is_bounded_by_the_default_max_session_duration(demo_emulator, duration, code):
    arn = role_arn(SHOP_PROD_ID)
    if code is None:
        assert assume(demo_emulator, arn, duration=duration).credentials.security_token
    else:
        error = expect_error(code, 400, assume, demo_emulator, arn, duration=duration)
        assert 'DurationSeconds' in error.data['Message']


def test_duration_up_to_the_roles_max_session_duration(emulator_factory, tmp_path):
    org = demo_org()
    shop = next(a for a in org['accounts'] if str(a['id']) == SHOP_PROD_ID)
    shop['roles'][0]['max_session_duration'] = 7200
    emu = emulator_factory(write_org(tmp_path / 'org.yml', org))
    credentials = assume(emu, role_arn(SHOP_PROD_ID), duration=7200).credentials
    assert credentials.security_token
    emu.advance_clock(7190)
    assert sts_sdk(emu, 'sts', credentials).get_caller_identity().body.account_id == SHOP_PROD_ID
    expect_error('InvalidParameter', 400, assume, emu, role_arn(SHOP_PROD_ID), duration=7201)
    # the default role keeps 3600
    expect_error('InvalidParameter', 400, assume, emu, role_arn(SHOP_PROD_ID, 'ResourceDirectoryAccountAccessRole'),
                 duration=3601)


@pytest.mark.parametrize('session', ['a', 'x' * 65, 'has space', 'slash/no', 'colon:no', 'ümlaut'])
def test_role_session_name_rules(demo_emulator, session):
    error = expect_error('InvalidParameter', 400, assume, demo_emulator, role_arn(SHOP_PROD_ID), session=session)
    assert 'RoleSessionName' in error.data['Message']


@pytest.mark.parametrize('session', ['ab', 'x' * 64, 'ops.user@example-team_1', 'ansible-alicloud-bastionhost'])
def test_role_session_names_that_pass(demo_emulator, session):
    assert assume(demo_emulator, role_arn(SHOP_PROD_ID), session=session).credentials.security_token


def test_demo_keys_are_what_the_readme_says(demo_emulator):
    """ops is the demo's operator: a RAM user of the management account with the four policies."""
    assert KEYS['ops'][0] == 'LTAIdemoOps00001'
    org = demo_org()
    management = org['accounts'][0]
    ops = next(u for u in management['ram_users'] if u['name'] == 'ops')
    groups = {g['name']: g['policies'] for g in management['ram_groups']}
    policies = set(ops['policies']).union(*(groups[g] for g in ops['groups']))
    assert {'AliyunYundunBastionHostFullAccess', 'AliyunResourceDirectoryFullAccess', 'AliyunSTSAssumeRoleAccess',
            'AliyunRAMReadOnlyAccess'} <= policies
