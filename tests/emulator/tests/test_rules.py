"""Business rules of the bastionhost RD actions and imports: each refusal has its documented code
and status and changes nothing."""
import pytest

from emulator_testlib import (
    BASIC01, DATA_ETL1, DATA_PROD_ID, ENT01, HZ, MEMBER01, MGMT_ID, NO_RD_ORG, OLD01,
    OUTSIDER_ID, OUTSIDER_ORG, PROXY01, SECURITY_ID, SH, SHOP_DEV_ID, SHOP_POLARDB_HZ, SHOP_PROD_ID,
    SHOP_RDS_HZ, SHOP_WEB1, SHOP_WEB3, SHOP_WEB_SH1, SM01, add_member, bh_models, create_local_host,
    ecs_models, expect_error, import_database, import_ecs, polardb_models, rds_models, remove_member, rm_models,
    sdk, sts_models,
)


def snapshot(emu):
    return emu.state()


def assert_unchanged(emu, before):
    assert emu.state() == before
    assert emu.writes() == []


@pytest.fixture
def mgmt(demo_emulator):
    return sdk(demo_emulator, 'bastionhost', 'mgmt')


@pytest.fixture
def with_shop_prod(demo_emulator, mgmt):
    """The management client, with shop-prod already added to ENT01."""
    add_member(mgmt, SHOP_PROD_ID)
    return mgmt


def rd_calls(client, instance_id, region=HZ, member_id=SHOP_PROD_ID):
    """Every RD action of bastionhost on one instance, as (name, thunk)."""
    return [
        ('AddInstanceRdMember', lambda: add_member(client, member_id, instance_id, region)),
        ('ListInstanceRdMembers', lambda: client.list_instance_rd_members(
            bh_models.ListInstanceRdMembersRequest(region_id=region, instance_id=instance_id))),
        ('RemoveInstanceRdMember', lambda: remove_member(client, member_id, instance_id, region)),
        ('CreateHost', lambda: import_ecs(client, SHOP_WEB1, member_id, instance_id=instance_id, region=region)),
        ('CreateDatabase', lambda: import_database(client, 'Rds', SHOP_RDS_HZ, member_id, instance_id=instance_id,
                                                   region=region)),
    ]


# ------------------------------------------------------------------ edition, version, RD, admin

@pytest.mark.parametrize('instance_id, code', [
    (BASIC01, 'OperationDenied.EditionNotSupported'),
    (OLD01, 'OperationDenied.VersionNotSupported'),
])
def test_edition_and_version(demo_emulator, mgmt, instance_id, code):
    before = snapshot(demo_emulator)
    for name, call in rd_calls(mgmt, instance_id):
        error = expect_error(code, 403, call)
        assert instance_id in error.data['Message'], name
    assert_unchanged(demo_emulator, before)


def test_basic_and_old_instances_still_take_own_hosts(demo_emulator, mgmt):
    """Without InstanceMemberId an import is the caller's own: no multi-account rule applies."""
    import_ecs(mgmt, 'i-bp1b6u5vtijvbou', instance_id=BASIC01)
    create_local_host(mgmt, 'local-on-old', instance_id=OLD01)
    assert [h['SourceInstanceId'] for h in demo_emulator.instance(BASIC01)['hosts']] == ['i-bp1b6u5vtijvbou']
    assert [h['HostName'] for h in demo_emulator.instance(OLD01)['hosts']] == ['local-on-old']


def test_resource_directory_not_enabled(emulator_factory):
    emu = emulator_factory(NO_RD_ORG)
    solo = sdk(emu, 'bastionhost', 'LTAInoRdSolo0001', 'nord-solo-secret')
    instance = 'bastionhost-cn-hz-solo01'
    before = snapshot(emu)
    for name, call in rd_calls(solo, instance, member_id='3000000000000002'):
        expect_error('EntityNotExists.ResourceDirectory', 404, call)
    assert_unchanged(emu, before)
    rm = sdk(emu, 'resourcemanager', 'LTAInoRdSolo0001', 'nord-solo-secret')
    expect_error('EntityNotExists.ResourceDirectory', 404, rm.get_resource_directory)
    expect_error('EntityNotExists.ResourceDirectory', 404, rm.list_accounts, rm_models.ListAccountsRequest())
    expect_error('EntityNotExists.ResourceDirectory', 404, rm.get_account,
                 rm_models.GetAccountRequest(account_id='3000000000000002'))
    expect_error('EntityNotExists.ResourceDirectory', 404, rm.list_delegated_administrators,
                 rm_models.ListDelegatedAdministratorsRequest())
    expect_error('EntityNotExists.ResourceDirectory', 404, rm.list_folders_for_parent,
                 rm_models.ListFoldersForParentRequest())
    # own assets still import
    import_ecs(solo, 'i-bp1solo00000001', instance_id=instance)
    assert [h['SourceInstanceId'] for h in emu.instance(instance)['hosts']] == ['i-bp1solo00000001']
    # and the neighbour has no default member role without an RD
    sts = sdk(emu, 'sts', 'LTAInoRdSoloOps1', 'nord-solo-ops-secret')
    expect_error('EntityNotExist.Role', 404, sts.assume_role, sts_models.AssumeRoleRequest(
        role_arn='acs:ram::3000000000000002:role/ResourceDirectoryAccountAccessRole', role_session_name='solo'))


def test_caller_outside_the_resource_directory(emulator_factory):
    emu = emulator_factory(OUTSIDER_ORG)
    outsider = sdk(emu, 'bastionhost', 'LTAIoutOutsider1', 'out-outsider-secret')
    instance = 'bastionhost-cn-hz-outsider01'
    before = snapshot(emu)
    for name, call in rd_calls(outsider, instance, member_id='4000000000000011'):
        expect_error('EntityNotExists.ResourceDirectory', 404, call)
    assert_unchanged(emu, before)
    rm = sdk(emu, 'resourcemanager', 'LTAIoutOutsider1', 'out-outsider-secret')
    expect_error('EntityNotExists.ResourceDirectory', 404, rm.get_resource_directory)
    # the management account of the same org is fine
    management = sdk(emu, 'bastionhost', 'LTAIoutMgmt00001', 'out-mgmt-secret')
    add_member(management, '4000000000000011', 'bastionhost-cn-hz-outmgmt01')
    import_ecs(management, 'i-bp1outmember001', '4000000000000011', instance_id='bastionhost-cn-hz-outmgmt01')
    assert emu.instance('bastionhost-cn-hz-outmgmt01')['members'] == ['4000000000000011']
    # the outsider is not a member to add
    expect_error('EntityNotExists.Account', 404, add_member, management, '4000000000000099',
                 'bastionhost-cn-hz-outmgmt01')


def test_demo_outsider_has_no_resource_directory(demo_emulator):
    rm = sdk(demo_emulator, 'resourcemanager', 'outsider')
    expect_error('EntityNotExists.ResourceDirectory', 404, rm.get_resource_directory)
    expect_error('EntityNotExists.ResourceDirectory', 404, rm.list_accounts, rm_models.ListAccountsRequest())


def test_members_own_bastion_host_is_the_wrong_direction(demo_emulator):
    shop = sdk(demo_emulator, 'bastionhost', 'shop_prod')
    before = snapshot(demo_emulator)
    for name, call in rd_calls(shop, MEMBER01, member_id=SHOP_DEV_ID):
        expect_error('OperationDenied.NotManagementOrDelegatedAdmin', 403, call)
    assert_unchanged(demo_emulator, before)
    # and a member may not list the RD accounts either, though it may read the RD itself
    rm = sdk(demo_emulator, 'resourcemanager', 'shop_prod')
    expect_error('OperationDenied.NotManagementOrDelegatedAdmin', 403, rm.list_accounts, rm_models.ListAccountsRequest())
    assert rm.get_resource_directory().body.resource_directory.master_account_id == MGMT_ID


def test_delegated_admin_bastion_host(demo_emulator):
    security = sdk(demo_emulator, 'bastionhost', 'security')
    add_member(security, SHOP_PROD_ID, SM01, SH)
    host_id = import_ecs(security, SHOP_WEB_SH1, SHOP_PROD_ID, instance_region=SH, instance_id=SM01,
                         region=SH).body.host_id
    database_id = import_database(security, 'Rds', 'rm-uf68tkkruprbz0b', SHOP_PROD_ID, source_region=SH,
                                  instance_id=SM01, region=SH, database_type='PostgreSQL', port=5432).body.database_id
    state = demo_emulator.instance(SM01)
    assert state['account_id'] == SECURITY_ID
    assert state['members'] == [SHOP_PROD_ID]
    assert [(h['HostId'], h['SourceInstanceId'], h['InstanceMemberId']) for h in state['hosts']] == \
        [(host_id, SHOP_WEB_SH1, SHOP_PROD_ID)]
    assert [d['DatabaseId'] for d in state['databases']] == [database_id]
    members = security.list_instance_rd_members(
        bh_models.ListInstanceRdMembersRequest(region_id=SH, instance_id=SM01)).body
    assert [m.member_id for m in members.members] == [SHOP_PROD_ID]
    # the delegated admin may read the RD accounts too
    rm = sdk(demo_emulator, 'resourcemanager', 'security')
    assert rm.list_accounts(rm_models.ListAccountsRequest()).body.total_count == 6


# ------------------------------------------------------------------ members

@pytest.mark.parametrize('member_id', ['123', '10000000000000110', 'abcdefghijklmnop', '10000000000000 1'])
def test_malformed_member_id(demo_emulator, mgmt, member_id):
    before = snapshot(demo_emulator)
    expect_error('InvalidParameter', 400, add_member, mgmt, member_id)
    expect_error('InvalidParameter', 400, remove_member, mgmt, member_id)
    assert_unchanged(demo_emulator, before)


def test_malformed_instance_member_id(demo_emulator, mgmt):
    expect_error('InvalidParameter', 400, import_ecs, mgmt, SHOP_WEB1, '42')
    assert demo_emulator.writes() == []


@pytest.mark.parametrize('member_id', [OUTSIDER_ID, '1999999999999999'])
def test_member_not_in_the_resource_directory(demo_emulator, mgmt, member_id):
    before = snapshot(demo_emulator)
    expect_error('EntityNotExists.Account', 404, add_member, mgmt, member_id)
    assert_unchanged(demo_emulator, before)


@pytest.mark.parametrize('key, instance_id, region, member_id', [
    ('mgmt', ENT01, HZ, MGMT_ID),          # the caller and the management account
    ('mgmt', ENT01, HZ, SECURITY_ID),      # a delegated administrator
    ('security', SM01, SH, SECURITY_ID),   # the caller
    ('security', SM01, SH, MGMT_ID),       # the management account
])
def test_invalid_member(demo_emulator, key, instance_id, region, member_id):
    client = sdk(demo_emulator, 'bastionhost', key)
    before = snapshot(demo_emulator)
    expect_error('OperationDenied.InvalidMember', 403, add_member, client, member_id, instance_id, region)
    assert_unchanged(demo_emulator, before)


def test_add_twice_is_idempotent(demo_emulator, mgmt):
    add_member(mgmt, SHOP_PROD_ID)
    add_member(mgmt, SHOP_PROD_ID)
    add_member(mgmt, DATA_PROD_ID)
    assert demo_emulator.instance(ENT01)['members'] == [SHOP_PROD_ID, DATA_PROD_ID]
    body = mgmt.list_instance_rd_members(bh_models.ListInstanceRdMembersRequest(region_id=HZ, instance_id=ENT01)).body
    assert [m.member_id for m in body.members] == [SHOP_PROD_ID, DATA_PROD_ID]
    assert len(demo_emulator.writes()) == 3


def test_members_are_per_instance(demo_emulator, mgmt):
    add_member(mgmt, SHOP_PROD_ID)
    security = sdk(demo_emulator, 'bastionhost', 'security')
    body = security.list_instance_rd_members(bh_models.ListInstanceRdMembersRequest(region_id=SH, instance_id=SM01)).body
    assert body.members == []
    expect_error('EntityNotExists.Member', 404, import_ecs, security, SHOP_WEB_SH1, SHOP_PROD_ID,
                 instance_region=SH, instance_id=SM01, region=SH)


def test_remove_not_added(demo_emulator, mgmt):
    before = snapshot(demo_emulator)
    expect_error('EntityNotExists.Member', 404, remove_member, mgmt, SHOP_PROD_ID)
    assert_unchanged(demo_emulator, before)


def test_remove_while_assets_remain(demo_emulator, with_shop_prod):
    mgmt = with_shop_prod
    host_id = import_ecs(mgmt, SHOP_WEB1, SHOP_PROD_ID).body.host_id
    database_id = import_database(mgmt, 'PolarDB', SHOP_POLARDB_HZ, SHOP_PROD_ID).body.database_id
    before = snapshot(demo_emulator)
    writes = len(demo_emulator.writes())
    error = expect_error('OperationDenied.MemberHasAssets', 403, remove_member, mgmt, SHOP_PROD_ID)
    assert SHOP_WEB1 in error.data['Message'] and SHOP_POLARDB_HZ in error.data['Message']
    assert demo_emulator.state() == before and len(demo_emulator.writes()) == writes
    mgmt.delete_host(bh_models.DeleteHostRequest(region_id=HZ, instance_id=ENT01, host_id=host_id))
    expect_error('OperationDenied.MemberHasAssets', 403, remove_member, mgmt, SHOP_PROD_ID)   # the database
    mgmt.delete_database(bh_models.DeleteDatabaseRequest(region_id=HZ, instance_id=ENT01, database_id=database_id))
    remove_member(mgmt, SHOP_PROD_ID)
    assert demo_emulator.instance(ENT01)['members'] == []


def test_own_and_other_members_assets_do_not_block_removal(demo_emulator, with_shop_prod):
    mgmt = with_shop_prod
    add_member(mgmt, DATA_PROD_ID)
    import_ecs(mgmt, DATA_ETL1, DATA_PROD_ID)
    import_ecs(mgmt, 'i-bp1b6u5vtijvbou')          # the management account's own ECS
    create_local_host(mgmt, 'local-1')
    remove_member(mgmt, SHOP_PROD_ID)
    state = demo_emulator.instance(ENT01)
    assert state['members'] == [DATA_PROD_ID]
    assert len(state['hosts']) == 3


# ------------------------------------------------------------------ imports

def test_import_from_member_not_added(demo_emulator, mgmt):
    before = snapshot(demo_emulator)
    expect_error('EntityNotExists.Member', 404, import_ecs, mgmt, SHOP_WEB1, SHOP_PROD_ID)
    expect_error('EntityNotExists.Member', 404, import_database, mgmt, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID)
    assert_unchanged(demo_emulator, before)


@pytest.mark.parametrize('source_id, region', [
    (DATA_ETL1, HZ),            # belongs to data-prod, not shop-prod
    (SHOP_WEB1, SH),            # shop-prod's, but in cn-hangzhou
    ('i-bp1doesnotexist', HZ),
    ('i-bp1b6u5vtijvbou', HZ),  # the management account's own: not a shop-prod asset
])
def test_import_ecs_not_found(demo_emulator, with_shop_prod, source_id, region):
    before = snapshot(demo_emulator)
    writes = len(demo_emulator.writes())
    expect_error('OBJECT_NOT_FOUND', 404, import_ecs, with_shop_prod, source_id, SHOP_PROD_ID, instance_region=region)
    assert demo_emulator.state() == before and len(demo_emulator.writes()) == writes


@pytest.mark.parametrize('source, source_id, region', [
    ('Rds', 'rm-bp1p0hdr3d4lgwv', HZ),      # data-prod's RDS
    ('Rds', SHOP_RDS_HZ, SH),               # wrong region
    ('PolarDB', SHOP_RDS_HZ, HZ),           # an RDS id is not a PolarDB cluster
    ('PolarDB', 'pc-uf6n6ktipsa9xms', SH),  # data-prod's PolarDB
])
def test_import_database_not_found(demo_emulator, with_shop_prod, source, source_id, region):
    before = snapshot(demo_emulator)
    expect_error('OBJECT_NOT_FOUND', 404, import_database, with_shop_prod, source, source_id, SHOP_PROD_ID,
                 source_region=region)
    assert demo_emulator.state() == before


def test_duplicate_import(demo_emulator, with_shop_prod):
    mgmt = with_shop_prod
    import_ecs(mgmt, SHOP_WEB1, SHOP_PROD_ID)
    import_database(mgmt, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID)
    before = snapshot(demo_emulator)
    expect_error('OBJECT_AlREADY_EXISTS', 400, import_ecs, mgmt, SHOP_WEB1, SHOP_PROD_ID, host_name='another-name')
    expect_error('OBJECT_AlREADY_EXISTS', 400, import_database, mgmt, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID)
    assert demo_emulator.state() == before
    # Local hosts are never duplicates
    create_local_host(mgmt, 'same')
    create_local_host(mgmt, 'same')
    assert [h['HostName'] for h in demo_emulator.instance(ENT01)['hosts']].count('same') == 2


def test_unknown_network_domain(demo_emulator, with_shop_prod):
    before = snapshot(demo_emulator)
    expect_error('OBJECT_NOT_FOUND', 404, import_ecs, with_shop_prod, SHOP_WEB1, SHOP_PROD_ID,
                 network_domain_id='nd-nope')
    expect_error('OBJECT_NOT_FOUND', 404, with_shop_prod.create_database, bh_models.CreateDatabaseRequest(
        region_id=HZ, instance_id=ENT01, source='Local', database_name='db', database_type='MySQL',
        database_port=3306, database_private_address='10.0.0.1', active_address_type='Private',
        network_domain_id='nd-nope'))
    assert demo_emulator.state() == before
    import_ecs(with_shop_prod, SHOP_WEB1, SHOP_PROD_ID, network_domain_id=PROXY01)
    assert demo_emulator.instance(ENT01)['hosts'][0]['NetworkDomainId'] == PROXY01


def test_public_address_type(demo_emulator, with_shop_prod):
    before = snapshot(demo_emulator)
    # SHOP_WEB3 has no public address to send: HostPublicAddress is required with Public
    error = expect_error('MissingParameter', 400, import_ecs, with_shop_prod, SHOP_WEB3, SHOP_PROD_ID,
                         address_type='Public')
    assert '"HostPublicAddress"' in error.data['Message']
    assert demo_emulator.state() == before
    import_ecs(with_shop_prod, SHOP_WEB1, SHOP_PROD_ID, address_type='Public')
    host = demo_emulator.instance(ENT01)['hosts'][0]
    assert (host['ActiveAddressType'], host['HostPublicAddress']) == ('Public', '47.96.118.31')


def test_public_address_given_explicitly(demo_emulator, with_shop_prod):
    with_shop_prod.create_host(bh_models.CreateHostRequest(
        region_id=HZ, instance_id=ENT01, source='Ecs', source_instance_id=SHOP_WEB3, instance_region_id=HZ,
        instance_member_id=SHOP_PROD_ID, active_address_type='Public', ostype='Linux', host_name='web3',
        host_public_address='203.0.113.7'))
    assert demo_emulator.instance(ENT01)['hosts'][0]['HostPublicAddress'] == '203.0.113.7'


@pytest.mark.parametrize('field, value', [
    ('source', 'PolarDB'), ('active_address_type', 'Both'), ('ostype', 'Solaris'),
])
def test_invalid_host_parameters(demo_emulator, with_shop_prod, field, value):
    values = dict(region_id=HZ, instance_id=ENT01, source='Ecs', source_instance_id=SHOP_WEB1, instance_region_id=HZ,
                  instance_member_id=SHOP_PROD_ID, active_address_type='Private', ostype='Linux', host_name='x',
                  host_private_address='10.11.1.11')
    values[field] = value
    before = snapshot(demo_emulator)
    expect_error('InvalidParameter', 400, with_shop_prod.create_host, bh_models.CreateHostRequest(**values))
    assert demo_emulator.state() == before


def test_invalid_database_source(demo_emulator, with_shop_prod):
    expect_error('InvalidParameter', 400, import_database, with_shop_prod, 'Ecs', SHOP_WEB1, SHOP_PROD_ID)
    expect_error('InvalidParameter', 400, import_database, with_shop_prod, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID,
                 port='not-a-port')


def test_local_host_needs_an_address(demo_emulator, mgmt):
    expect_error('MissingParameter', 400, mgmt.create_host, bh_models.CreateHostRequest(
        region_id=HZ, instance_id=ENT01, source='Local', host_name='x', ostype='Linux', active_address_type='Private'))
    assert demo_emulator.writes() == []


def test_create_database_rds_and_polardb(demo_emulator, with_shop_prod):
    mgmt = with_shop_prod
    add_member(mgmt, SHOP_DEV_ID)
    rds_id = import_database(mgmt, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    polar_id = import_database(mgmt, 'PolarDB', 'pc-bp1fjqz2fcsxxpw', SHOP_DEV_ID).body.database_id
    databases = {d['DatabaseId']: d for d in demo_emulator.instance(ENT01)['databases']}
    assert databases[rds_id]['Source'] == 'Rds'
    assert databases[rds_id]['SourceInstanceRegionId'] == HZ
    assert databases[rds_id]['InstanceMemberId'] == SHOP_PROD_ID
    assert databases[polar_id]['Source'] == 'PolarDB'
    assert databases[polar_id]['InstanceMemberId'] == SHOP_DEV_ID
    assert databases[polar_id]['DatabasePrivateAddress'] == 'pc-bp1fjqz2fcsxxpw.rwlb.rds.aliyuncs.com'


def test_create_database_needs_its_fields(demo_emulator, with_shop_prod):
    error = expect_error('MissingParameter', 400, with_shop_prod.create_database, bh_models.CreateDatabaseRequest(
        region_id=HZ, instance_id=ENT01, source='Rds', source_instance_id=SHOP_RDS_HZ, source_instance_region_id=HZ,
        instance_member_id=SHOP_PROD_ID, active_address_type='Private', database_type='MySQL', database_name='x'))
    assert '"DatabasePrivateAddress"' in error.data['Message']
    error = expect_error('MissingParameter', 400, with_shop_prod.create_database, bh_models.CreateDatabaseRequest(
        region_id=HZ, instance_id=ENT01, source='Rds', source_instance_id=SHOP_RDS_HZ,
        instance_member_id=SHOP_PROD_ID, active_address_type='Private', database_type='MySQL', database_name='x',
        database_port=3306, database_private_address='rm-bp1yso2lcyz7mga.mysql.rds.aliyuncs.com'))
    assert '"SourceInstanceRegionId"' in error.data['Message']


def test_delete_then_remove_member(demo_emulator, with_shop_prod):
    mgmt = with_shop_prod
    host_id = import_ecs(mgmt, SHOP_WEB1, SHOP_PROD_ID).body.host_id
    database_id = import_database(mgmt, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    mgmt.delete_host(bh_models.DeleteHostRequest(region_id=HZ, instance_id=ENT01, host_id=host_id))
    mgmt.delete_database(bh_models.DeleteDatabaseRequest(region_id=HZ, instance_id=ENT01, database_id=database_id))
    remove_member(mgmt, SHOP_PROD_ID)
    state = demo_emulator.instance(ENT01)
    assert (state['members'], state['hosts'], state['databases']) == ([], [], [])
    # once re-added, the same ECS can be imported again
    add_member(mgmt, SHOP_PROD_ID)
    import_ecs(mgmt, SHOP_WEB1, SHOP_PROD_ID)
    assert [h['SourceInstanceId'] for h in demo_emulator.instance(ENT01)['hosts']] == [SHOP_WEB1]


# ------------------------------------------------------------------ instance scope and parameters

@pytest.mark.parametrize('instance_id, region', [
    (MEMBER01, HZ),    # shop-prod's bastion host
    (SM01, SH),        # the delegated admin's
    (ENT01, SH),       # ours, but in cn-hangzhou
    ('bastionhost-cn-hz-nope', HZ),
])
def test_instance_of_another_account_or_region(demo_emulator, mgmt, instance_id, region):
    before = snapshot(demo_emulator)
    for call in (
        lambda: mgmt.describe_instance_attribute(
            bh_models.DescribeInstanceAttributeRequest(region_id=region, instance_id=instance_id)),
        lambda: mgmt.list_network_domains(bh_models.ListNetworkDomainsRequest(region_id=region, instance_id=instance_id)),
        lambda: mgmt.list_hosts(bh_models.ListHostsRequest(region_id=region, instance_id=instance_id)),
        lambda: mgmt.list_databases(bh_models.ListDatabasesRequest(region_id=region, instance_id=instance_id)),
        lambda: add_member(mgmt, SHOP_PROD_ID, instance_id, region),
        lambda: create_local_host(mgmt, 'x', instance_id, region),
    ):
        expect_error('OBJECT_NOT_FOUND', 404, call)
    assert_unchanged(demo_emulator, before)


def test_missing_region_id(demo_emulator, mgmt):
    expect_error('MissingParameter', 400, mgmt.describe_instances, bh_models.DescribeInstancesRequest())
    expect_error('MissingParameter', 400, mgmt.add_instance_rd_member, bh_models.AddInstanceRdMemberRequest(
        instance_id=ENT01, member_id=SHOP_PROD_ID))
    expect_error('MissingParameter', 400, sdk(demo_emulator, 'ecs', 'shop_prod').describe_instances,
                 ecs_models.DescribeInstancesRequest())
    expect_error('MissingParameter', 400, sdk(demo_emulator, 'rds', 'shop_prod').describe_dbinstances,
                 rds_models.DescribeDBInstancesRequest())
    expect_error('MissingParameter', 400, sdk(demo_emulator, 'polardb', 'shop_prod').describe_dbclusters,
                 polardb_models.DescribeDBClustersRequest())
    assert demo_emulator.writes() == []


def test_missing_member_id_and_instance_id(demo_emulator, mgmt):
    expect_error('MissingParameter', 400, mgmt.add_instance_rd_member,
                 bh_models.AddInstanceRdMemberRequest(region_id=HZ, instance_id=ENT01))
    expect_error('MissingParameter', 400, mgmt.list_hosts, bh_models.ListHostsRequest(region_id=HZ))
