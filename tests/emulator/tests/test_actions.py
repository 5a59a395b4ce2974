"""Every action of the README table through its official SDK client, in both signature styles.

Each test checks that the emulator's field names land in the SDK response models.
"""
import pytest

from emulator_testlib import (
    BASIC01, DATA_DEV_ID, DATA_PROD_ID, ENT01, HZ, MEMBER_IDS, MGMT_ID, OLD01, PROXY01, SECURITY_ID, SH,
    SHOP_DEV_ID, SHOP_POLARDB_HZ, SHOP_PROD_ID, SHOP_RDS_HZ, SHOP_WEB1, SHOP_WEB3, SM01, add_member, assume,
    bh_models, ecs_models, expect_error, import_database, import_ecs, polardb_models, ram_models, rds_models,
    remove_member, rm_models, role_arn, sdk,
)

STYLES = [pytest.param(False, id='acs3'), pytest.param(True, id='rpc-v2')]
SIGNATURE_NAME = {False: 'ACS3', True: 'RPC'}


def last_call(emu):
    return emu.calls()[-1]


# ------------------------------------------------------------------ bastionhost reads

@pytest.mark.parametrize('v2', STYLES)
def test_bastionhost_describe_instances(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'mgmt', v2=v2)
    body = client.describe_instances(bh_models.DescribeInstancesRequest(region_id=HZ)).body
    assert body.total_count == 3
    by_id = {i.instance_id: i for i in body.instances}
    assert set(by_id) == {ENT01, BASIC01, OLD01}
    assert body.instances[0].plan_code == 'cloudbastion_ha'
    assert by_id[ENT01].image_version == '3.2.52'
    assert by_id[ENT01].legacy is False
    assert by_id[ENT01].instance_status == 'RUNNING'
    assert by_id[ENT01].region_id == HZ
    assert by_id[BASIC01].plan_code == 'cloudbastion'
    assert by_id[OLD01].image_version == '3.2.40'
    call = last_call(demo_emulator)
    assert (call['product'], call['action'], call['signature'], call['status']) == \
        ('bastionhost', 'DescribeInstances', SIGNATURE_NAME[v2], 200)


@pytest.mark.parametrize('v2', STYLES)
def test_bastionhost_describe_instances_filters_and_region(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'mgmt', v2=v2)
    body = client.describe_instances(bh_models.DescribeInstancesRequest(region_id=HZ, instance_id=[OLD01])).body
    assert [i.instance_id for i in body.instances] == [OLD01]
    body = client.describe_instances(bh_models.DescribeInstancesRequest(region_id=SH)).body
    assert (body.total_count, body.instances) == (0, [])
    security = sdk(demo_emulator, 'bastionhost', 'security', v2=v2)
    body = security.describe_instances(bh_models.DescribeInstancesRequest(region_id=SH)).body
    assert [(i.instance_id, i.plan_code, i.image_version) for i in body.instances] == \
        [(SM01, 'cloudbastion_sm', '3.2.50')]


@pytest.mark.parametrize('v2', STYLES)
def test_bastionhost_describe_instance_attribute(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'mgmt', v2=v2)
    attribute = client.describe_instance_attribute(
        bh_models.DescribeInstanceAttributeRequest(region_id=HZ, instance_id=ENT01)).body.instance_attribute
    assert attribute.instance_id == ENT01
    assert attribute.region_id == HZ
    assert attribute.instance_status == 'RUNNING'
    assert attribute.rdmodule == 'enable'
    assert attribute.network_proxy_module == 'enable'
    old = client.describe_instance_attribute(
        bh_models.DescribeInstanceAttributeRequest(region_id=HZ, instance_id=OLD01)).body.instance_attribute
    assert old.network_proxy_module == 'disable'
    basic = client.describe_instance_attribute(
        bh_models.DescribeInstanceAttributeRequest(region_id=HZ, instance_id=BASIC01)).body.instance_attribute
    assert basic.rdmodule == 'disable'


@pytest.mark.parametrize('v2', STYLES)
def test_bastionhost_list_network_domains(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'mgmt', v2=v2)
    body = client.list_network_domains(bh_models.ListNetworkDomainsRequest(region_id=HZ, instance_id=ENT01)).body
    assert body.total_count == 1
    domain = body.network_domains[0]
    assert (domain.network_domain_id, domain.network_domain_name, domain.network_domain_type) == \
        (PROXY01, 'hz-proxy', 'Proxy')
    assert domain.proxies_state[0].proxy_state == 'Available'
    empty = client.list_network_domains(bh_models.ListNetworkDomainsRequest(region_id=HZ, instance_id=OLD01)).body
    assert (empty.total_count, empty.network_domains) == (0, [])


# ------------------------------------------------------------------ bastionhost writes

@pytest.mark.parametrize('v2', STYLES)
def test_bastionhost_member_and_asset_lifecycle(demo_emulator, v2):
    """Add a member, import ECS/RDS/PolarDB, list them, delete them, remove the member."""
    emu = demo_emulator
    client = sdk(emu, 'bastionhost', 'mgmt', v2=v2)

    assert add_member(client, SHOP_PROD_ID).body.request_id
    members = client.list_instance_rd_members(
        bh_models.ListInstanceRdMembersRequest(region_id=HZ, instance_id=ENT01)).body
    assert [m.member_id for m in members.members] == [SHOP_PROD_ID]
    assert members.next_token == ''
    assert members.max_results == 20

    host_id = import_ecs(client, SHOP_WEB1, SHOP_PROD_ID, network_domain_id=PROXY01, host_name='shop-web-1').body.host_id
    assert host_id
    hosts = client.list_hosts(bh_models.ListHostsRequest(region_id=HZ, instance_id=ENT01)).body
    assert hosts.total_count == 1
    host = hosts.hosts[0]
    assert (host.host_id, host.host_name, host.source, host.source_instance_id, host.ostype) == \
        (host_id, 'shop-web-1', 'Ecs', SHOP_WEB1, 'Linux')
    # the addresses as sent: the service does not fill them in from the ECS instance
    assert (host.host_private_address, host.host_public_address, host.active_address_type) == \
        ('10.11.1.11', '', 'Private')
    assert host.source_instance_state == 'Normal'

    rds_id = import_database(client, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    polar_id = import_database(client, 'PolarDB', SHOP_POLARDB_HZ, SHOP_PROD_ID).body.database_id
    databases = client.list_databases(bh_models.ListDatabasesRequest(region_id=HZ, instance_id=ENT01)).body
    assert databases.total_count == 2
    by_id = {d.database_id: d for d in databases.databases}
    assert (by_id[rds_id].source, by_id[rds_id].source_instance_id, by_id[rds_id].source_instance_region_id) == \
        ('Rds', SHOP_RDS_HZ, HZ)
    assert by_id[rds_id].database_private_address == f'{SHOP_RDS_HZ}.mysql.rds.aliyuncs.com'
    assert by_id[rds_id].database_port == 3306
    assert (by_id[polar_id].source, by_id[polar_id].source_instance_id) == ('PolarDB', SHOP_POLARDB_HZ)
    only_polar = client.list_databases(
        bh_models.ListDatabasesRequest(region_id=HZ, instance_id=ENT01, source='PolarDB')).body
    assert [d.database_id for d in only_polar.databases] == [polar_id]

    state = emu.instance(ENT01)
    assert state['members'] == [SHOP_PROD_ID]
    assert [h['SourceInstanceId'] for h in state['hosts']] == [SHOP_WEB1]
    assert state['hosts'][0]['InstanceMemberId'] == SHOP_PROD_ID
    assert state['hosts'][0]['NetworkDomainId'] == PROXY01
    assert sorted(d['SourceInstanceId'] for d in state['databases']) == sorted([SHOP_RDS_HZ, SHOP_POLARDB_HZ])

    client.delete_host(bh_models.DeleteHostRequest(region_id=HZ, instance_id=ENT01, host_id=host_id))
    client.delete_database(bh_models.DeleteDatabaseRequest(region_id=HZ, instance_id=ENT01, database_id=rds_id))
    client.delete_database(bh_models.DeleteDatabaseRequest(region_id=HZ, instance_id=ENT01, database_id=polar_id))
    remove_member(client, SHOP_PROD_ID)
    state = emu.instance(ENT01)
    assert (state['members'], state['hosts'], state['databases']) == ([], [], [])
    writes = emu.writes()
    assert [w['action'] for w in writes] == [
        'AddInstanceRdMember', 'CreateHost', 'CreateDatabase', 'CreateDatabase',
        'DeleteHost', 'DeleteDatabase', 'DeleteDatabase', 'RemoveInstanceRdMember']
    assert {w['signature'] for w in writes} == {SIGNATURE_NAME[v2]}


@pytest.mark.parametrize('v2', STYLES)
def test_bastionhost_list_hosts_filters(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'mgmt', v2=v2)
    add_member(client, SHOP_PROD_ID)
    import_ecs(client, SHOP_WEB1, SHOP_PROD_ID)
    import_ecs(client, SHOP_WEB3, SHOP_PROD_ID)
    client.create_host(bh_models.CreateHostRequest(
        region_id=HZ, instance_id=ENT01, source='Local', host_name='legacy-win', ostype='Windows',
        active_address_type='Private', host_private_address='192.168.0.5'))
    by_source = client.list_hosts(bh_models.ListHostsRequest(region_id=HZ, instance_id=ENT01, source='Local')).body
    assert [(h.host_name, h.source, h.host_private_address) for h in by_source.hosts] == \
        [('legacy-win', 'Local', '192.168.0.5')]
    by_id = client.list_hosts(bh_models.ListHostsRequest(
        region_id=HZ, instance_id=ENT01, source_instance_id=SHOP_WEB3)).body
    assert [h.source_instance_id for h in by_id.hosts] == [SHOP_WEB3]
    by_os = client.list_hosts(bh_models.ListHostsRequest(region_id=HZ, instance_id=ENT01, ostype='Windows')).body
    assert [h.host_name for h in by_os.hosts] == ['legacy-win']


def test_bastionhost_delete_unknown_host_and_database(demo_emulator):
    client = sdk(demo_emulator, 'bastionhost', 'mgmt')
    expect_error('OBJECT_NOT_FOUND', 404, client.delete_host,
                 bh_models.DeleteHostRequest(region_id=HZ, instance_id=ENT01, host_id='999'))
    expect_error('OBJECT_NOT_FOUND', 404, client.delete_database,
                 bh_models.DeleteDatabaseRequest(region_id=HZ, instance_id=ENT01, database_id='999'))
    assert demo_emulator.writes() == []


# ------------------------------------------------------------------ resourcemanager

@pytest.mark.parametrize('v2', STYLES)
def test_resourcemanager_get_resource_directory(demo_emulator, v2):
    for key in ('mgmt', 'shop_prod'):   # every account in the RD may read it
        rd = sdk(demo_emulator, 'resourcemanager', key, v2=v2).get_resource_directory().body.resource_directory
        assert (rd.master_account_id, rd.master_account_name) == (MGMT_ID, 'management')
        assert rd.resource_directory_id == 'rd-emu0000001'
        assert rd.root_folder_id == 'r-emu001'


@pytest.mark.parametrize('v2', STYLES)
def test_resourcemanager_list_accounts_with_tags(demo_emulator, v2):
    client = sdk(demo_emulator, 'resourcemanager', 'mgmt', v2=v2)
    body = client.list_accounts(rm_models.ListAccountsRequest(include_tags=True, page_size=20)).body
    assert body.total_count == 6
    accounts = {a.account_id: a for a in body.accounts.account}
    assert set(accounts) == {MGMT_ID, SECURITY_ID, *MEMBER_IDS}   # the outsider is not in the RD
    shop = accounts[SHOP_PROD_ID]
    assert (shop.display_name, shop.folder_id, shop.status) == ('shop-prod', 'fd-prod', 'CreateSuccess')
    assert accounts[MGMT_ID].folder_id == 'r-emu001'
    assert {t.key: t.value for t in shop.tags.tag} == {'env': 'prod', 'team': 'shop'}
    without = client.list_accounts(rm_models.ListAccountsRequest(page_size=20)).body
    assert all(a.tags is None for a in without.accounts.account)


@pytest.mark.parametrize('v2', STYLES)
def test_resourcemanager_list_accounts_tag_filter(demo_emulator, v2):
    client = sdk(demo_emulator, 'resourcemanager', 'mgmt', v2=v2)
    body = client.list_accounts(rm_models.ListAccountsRequest(
        tag=[rm_models.ListAccountsRequestTag(key='env', value='dev')])).body
    assert sorted(a.account_id for a in body.accounts.account) == [SHOP_DEV_ID, DATA_DEV_ID]
    body = client.list_accounts(rm_models.ListAccountsRequest(tag=[
        rm_models.ListAccountsRequestTag(key='env', value='prod'),
        rm_models.ListAccountsRequestTag(key='team', value='data')])).body
    assert [a.account_id for a in body.accounts.account] == [DATA_PROD_ID]


@pytest.mark.parametrize('v2', STYLES)
def test_resourcemanager_get_account(demo_emulator, v2):
    client = sdk(demo_emulator, 'resourcemanager', 'mgmt', v2=v2)
    account = client.get_account(rm_models.GetAccountRequest(account_id=DATA_DEV_ID)).body.account
    assert (account.account_id, account.display_name, account.folder_id) == (DATA_DEV_ID, 'data-dev', 'fd-dev')
    assert account.account_name == f'data-dev@{DATA_DEV_ID}.onaliyun.com'
    assert {t.key: t.value for t in account.tags} == {'env': 'dev', 'team': 'data'}
    expect_error('EntityNotExists.Account', 404, client.get_account,
                 rm_models.GetAccountRequest(account_id='1000000000000099'))


@pytest.mark.parametrize('v2', STYLES)
def test_resourcemanager_list_delegated_administrators(demo_emulator, v2):
    client = sdk(demo_emulator, 'resourcemanager', 'mgmt', v2=v2)
    body = client.list_delegated_administrators(rm_models.ListDelegatedAdministratorsRequest(
        service_principal='bastionhost.aliyuncs.com')).body
    assert body.total_count == 1
    admin = body.accounts.account[0]
    assert (admin.account_id, admin.display_name, admin.service_principal) == \
        (SECURITY_ID, 'security', 'bastionhost.aliyuncs.com')
    other = client.list_delegated_administrators(rm_models.ListDelegatedAdministratorsRequest(
        service_principal='config.aliyuncs.com')).body
    assert (other.total_count, other.accounts.account) == (0, [])


@pytest.mark.parametrize('v2', STYLES)
def test_resourcemanager_list_folders_for_parent(demo_emulator, v2):
    client = sdk(demo_emulator, 'resourcemanager', 'mgmt', v2=v2)
    body = client.list_folders_for_parent(rm_models.ListFoldersForParentRequest()).body
    assert [(f.folder_id, f.folder_name) for f in body.folders.folder] == [('fd-prod', 'prod'), ('fd-dev', 'dev')]
    assert body.total_count == 2
    body = client.list_folders_for_parent(rm_models.ListFoldersForParentRequest(query_keyword='de')).body
    assert [f.folder_id for f in body.folders.folder] == ['fd-dev']


# ------------------------------------------------------------------ sts and ram

@pytest.mark.parametrize('v2', STYLES)
def test_sts_get_caller_identity_root(demo_emulator, v2):
    body = sdk(demo_emulator, 'sts', 'mgmt', v2=v2).get_caller_identity().body
    assert (body.account_id, body.identity_type, body.arn) == (MGMT_ID, 'Account', f'acs:ram::{MGMT_ID}:root')


@pytest.mark.parametrize('v2', STYLES)
def test_sts_assume_role_credentials(demo_emulator, v2):
    body = assume(demo_emulator, role_arn(SHOP_PROD_ID), session='import-shop', duration=1800, v2=v2)
    credentials = body.credentials
    assert credentials.access_key_id.startswith('STS.')
    assert credentials.access_key_secret and credentials.security_token
    assert credentials.expiration.endswith('Z')
    assert body.assumed_role_user.arn == f'acs:ram::{SHOP_PROD_ID}:role/bastionhostimportrole/import-shop'
    assert body.assumed_role_user.assumed_role_id.endswith(':import-shop')


@pytest.mark.parametrize('v2', STYLES)
def test_ram_lists(demo_emulator, v2):
    client = sdk(demo_emulator, 'ram', 'ops', v2=v2)
    policies = client.list_policies_for_user(ram_models.ListPoliciesForUserRequest(user_name='ops')).body
    assert [p.policy_name for p in policies.policies.policy] == \
        ['AliyunYundunBastionHostFullAccess', 'AliyunRAMReadOnlyAccess']
    assert policies.policies.policy[0].policy_type == 'System'
    groups = client.list_groups_for_user(ram_models.ListGroupsForUserRequest(user_name='ops')).body
    assert [g.group_name for g in groups.groups.group] == ['platform']
    group_policies = client.list_policies_for_group(ram_models.ListPoliciesForGroupRequest(group_name='platform')).body
    assert [p.policy_name for p in group_policies.policies.policy] == \
        ['AliyunResourceDirectoryFullAccess', 'AliyunSTSAssumeRoleAccess']
    none = client.list_groups_for_user(ram_models.ListGroupsForUserRequest(user_name='auditor')).body
    assert none.groups.group == []
    expect_error('EntityNotExist.User', 404, client.list_policies_for_user,
                 ram_models.ListPoliciesForUserRequest(user_name='nobody'))
    expect_error('EntityNotExist.Group', 404, client.list_policies_for_group,
                 ram_models.ListPoliciesForGroupRequest(group_name='nobody'))


# ------------------------------------------------------------------ ecs, rds, polardb

@pytest.mark.parametrize('v2', STYLES)
def test_ecs_describe_instances(demo_emulator, v2):
    client = sdk(demo_emulator, 'ecs', 'shop_prod', v2=v2)
    body = client.describe_instances(ecs_models.DescribeInstancesRequest(region_id=HZ, page_size=50)).body
    assert body.total_count == 8
    instances = {i.instance_id: i for i in body.instances.instance}
    web1 = instances[SHOP_WEB1]
    assert body.instances.instance[0].instance_id == SHOP_WEB1
    assert web1.vpc_attributes.private_ip_address.ip_address == ['10.11.1.11']
    assert web1.public_ip_address.ip_address == ['47.96.118.31']
    assert (web1.instance_name, web1.status, web1.ostype, web1.region_id) == ('shop-web-1', 'Running', 'linux', HZ)
    assert {t.tag_key: t.tag_value for t in web1.tags.tag} == {'env': 'prod', 'app': 'web', 'bastion': 'true'}
    assert instances[SHOP_WEB3].public_ip_address.ip_address == []


@pytest.mark.parametrize('v2', STYLES)
def test_ecs_describe_instances_filters(demo_emulator, v2):
    client = sdk(demo_emulator, 'ecs', 'shop_prod', v2=v2)
    tagged = client.describe_instances(ecs_models.DescribeInstancesRequest(
        region_id=HZ, page_size=50, tag=[ecs_models.DescribeInstancesRequestTag(key='bastion', value='true')])).body
    assert tagged.total_count == 5
    assert all(any(t.tag_key == 'bastion' for t in i.tags.tag) for i in tagged.instances.instance)
    by_ids = client.describe_instances(ecs_models.DescribeInstancesRequest(
        region_id=HZ, instance_ids=f'["{SHOP_WEB1}", "{SHOP_WEB3}"]')).body
    assert sorted(i.instance_id for i in by_ids.instances.instance) == sorted([SHOP_WEB1, SHOP_WEB3])
    stopped = client.describe_instances(ecs_models.DescribeInstancesRequest(region_id=HZ, status='Stopped')).body
    assert [i.instance_name for i in stopped.instances.instance] == ['shop-web-old-1']
    named = client.describe_instances(ecs_models.DescribeInstancesRequest(region_id=HZ, instance_name='shop-api-*')).body
    assert sorted(i.instance_name for i in named.instances.instance) == ['shop-api-1', 'shop-api-2']
    shanghai = client.describe_instances(ecs_models.DescribeInstancesRequest(region_id=SH)).body
    assert shanghai.total_count == 4


@pytest.mark.parametrize('v2', STYLES)
def test_rds_describe_db_instances(demo_emulator, v2):
    client = sdk(demo_emulator, 'rds', 'shop_prod', v2=v2)
    body = client.describe_dbinstances(rds_models.DescribeDBInstancesRequest(region_id=HZ)).body
    assert body.total_record_count == 1
    instance = body.items.dbinstance[0]
    assert (instance.dbinstance_id, instance.engine, instance.region_id) == (SHOP_RDS_HZ, 'MySQL', HZ)
    assert instance.connection_string == f'{SHOP_RDS_HZ}.mysql.rds.aliyuncs.com'
    assert instance.dbinstance_status == 'Running'
    sh = client.describe_dbinstances(rds_models.DescribeDBInstancesRequest(region_id=SH, engine='PostgreSQL')).body
    assert [i.dbinstance_id for i in sh.items.dbinstance] == ['rm-uf68tkkruprbz0b']
    tagged = client.describe_dbinstances(rds_models.DescribeDBInstancesRequest(
        region_id=HZ, tags='{"team": "shop"}')).body
    assert [i.dbinstance_id for i in tagged.items.dbinstance] == [SHOP_RDS_HZ]
    untagged = client.describe_dbinstances(rds_models.DescribeDBInstancesRequest(
        region_id=HZ, tags='{"team": "data"}')).body
    assert untagged.items.dbinstance == []


@pytest.mark.parametrize('v2', STYLES)
def test_polardb_describe_db_clusters(demo_emulator, v2):
    client = sdk(demo_emulator, 'polardb', 'shop_prod', v2=v2)
    body = client.describe_dbclusters(polardb_models.DescribeDBClustersRequest(region_id=HZ)).body
    assert body.total_record_count == 1
    cluster = body.items.dbcluster[0]
    assert (cluster.dbcluster_id, cluster.dbtype, cluster.region_id) == (SHOP_POLARDB_HZ, 'MySQL', HZ)
    assert {t.key: t.value for t in cluster.tags.tag} == {'env': 'prod', 'app': 'db', 'team': 'shop'}
    filtered = client.describe_dbclusters(polardb_models.DescribeDBClustersRequest(
        region_id=HZ, tag=[polardb_models.DescribeDBClustersRequestTag(key='team', value='data')])).body
    assert filtered.items.dbcluster == []
    other = sdk(demo_emulator, 'polardb', 'data_prod', v2=v2).describe_dbclusters(
        polardb_models.DescribeDBClustersRequest(region_id=SH, dbtype='PostgreSQL')).body
    assert [c.dbcluster_id for c in other.items.dbcluster] == ['pc-uf6n6ktipsa9xms']


@pytest.mark.parametrize('v2', STYLES)
def test_malformed_json_filters(demo_emulator, v2):
    expect_error('InvalidParameter', 400, sdk(demo_emulator, 'ecs', 'shop_prod', v2=v2).describe_instances,
                 ecs_models.DescribeInstancesRequest(region_id=HZ, instance_ids='i-bp1, i-bp2'))
    expect_error('InvalidParameter', 400, sdk(demo_emulator, 'rds', 'shop_prod', v2=v2).describe_dbinstances,
                 rds_models.DescribeDBInstancesRequest(region_id=HZ, tags='env=prod'))
    expect_error('InvalidParameter', 400, sdk(demo_emulator, 'rds', 'shop_prod', v2=v2).describe_dbinstances,
                 rds_models.DescribeDBInstancesRequest(region_id=HZ, tags='["env"]'))


# ------------------------------------------------------------------ protocol

SPECIAL_VALUES = ['web 1', 'a/b', 'ä中文', 'x*y', 'p+q', 'r~s', 'a&b=c', "it's (1)!", 'semi;colon', '%41', 'tab\tx']


@pytest.mark.parametrize('v2', STYLES)
def test_special_characters_are_signed_and_kept(demo_emulator, v2):
    """Values needing percent-encoding pass both signature checks and arrive unchanged."""
    client = sdk(demo_emulator, 'bastionhost', 'mgmt', v2=v2)
    for value in SPECIAL_VALUES:
        client.create_host(bh_models.CreateHostRequest(
            region_id=HZ, instance_id=ENT01, source='Local', host_name=value, ostype='Linux',
            active_address_type='Private', host_private_address='10.0.0.1', comment=value + '!'))
    hosts = demo_emulator.instance(ENT01)['hosts']
    assert [(h['HostName'], h['Comment']) for h in hosts] == [(v, v + '!') for v in SPECIAL_VALUES]
    listed = client.list_hosts(bh_models.ListHostsRequest(region_id=HZ, instance_id=ENT01, host_name='ä中文')).body
    assert [h.host_name for h in listed.hosts] == ['ä中文']


@pytest.mark.parametrize('v2', STYLES)
def test_unknown_action_is_invalid_action(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'mgmt', v2=v2)
    error = expect_error('InvalidAction.NotFound', 404, client.describe_regions,
                         bh_models.DescribeRegionsRequest())
    assert error.data['HostId'] == 'bastionhost.aliyuncs.com'
    call = last_call(demo_emulator)
    assert (call['action'], call['status'], call['code']) == ('DescribeRegions', 404, 'InvalidAction.NotFound')


@pytest.mark.parametrize('v2', STYLES)
def test_one_port_serves_every_product(demo_emulator, v2):
    """All seven products answer on the same endpoint and are told apart by version."""
    sdk(demo_emulator, 'bastionhost', 'mgmt', v2=v2).describe_instances(bh_models.DescribeInstancesRequest(region_id=HZ))
    sdk(demo_emulator, 'resourcemanager', 'mgmt', v2=v2).get_resource_directory()
    sdk(demo_emulator, 'sts', 'mgmt', v2=v2).get_caller_identity()
    sdk(demo_emulator, 'ram', 'mgmt', v2=v2).list_groups_for_user(ram_models.ListGroupsForUserRequest(user_name='ops'))
    sdk(demo_emulator, 'ecs', 'mgmt', v2=v2).describe_instances(ecs_models.DescribeInstancesRequest(region_id=HZ))
    sdk(demo_emulator, 'rds', 'mgmt', v2=v2).describe_dbinstances(rds_models.DescribeDBInstancesRequest(region_id=HZ))
    sdk(demo_emulator, 'polardb', 'mgmt', v2=v2).describe_dbclusters(
        polardb_models.DescribeDBClustersRequest(region_id=HZ))
    calls = demo_emulator.calls()
    assert [(c['product'], c['version'], c['status']) for c in calls] == [
        ('bastionhost', '2019-12-09', 200), ('resourcemanager', '2020-03-31', 200), ('sts', '2015-04-01', 200),
        ('ram', '2015-05-01', 200), ('ecs', '2014-05-26', 200), ('rds', '2014-08-15', 200),
        ('polardb', '2017-08-01', 200)]
    assert {c['signature'] for c in calls} == {SIGNATURE_NAME[v2]}


def test_request_ids_are_unique(demo_emulator):
    client = sdk(demo_emulator, 'sts', 'mgmt')
    ids = {client.get_caller_identity().body.request_id for attempt in range(5)}
    assert len(ids) == 5
