"""Keeping a bastion host in step (issue 13), through the official Bastionhost SDK: ModifyHost,
ModifyHostsActiveAddressType, MoveHostsToNetworkDomain, ModifyDatabase, MoveDatabasesToNetworkDomain,
GetHost, the asset groups (ListHostGroups, CreateHostGroup, AddHostsToGroup, AddDatabasesToGroup) and
the HostGroupId filters of ListHosts / ListDatabases."""
import json

import pytest

from emulator_testlib import (
    ENT01, HZ, PROXY01, SHOP_POLARDB_HZ, SHOP_PROD_ID, SHOP_RDS_HZ, SHOP_WEB1, SHOP_WEB3, add_member, bh_models,
    create_local_host, expect_error, import_database, import_ecs, list_hosts, sdk,
)

STYLES = [pytest.param(False, id='acs3'), pytest.param(True, id='rpc-v2')]
HOST_IDS_101 = json.dumps([str(n) for n in range(1, 102)])


@pytest.fixture
def ops(demo_emulator):
    """The ops client with shop-prod added to ENT01."""
    client = sdk(demo_emulator, 'bastionhost', 'ops')
    add_member(client, SHOP_PROD_ID)
    return client


def imported_hosts(client, *instance_ids):
    return [import_ecs(client, i, SHOP_PROD_ID).body.host_id for i in instance_ids]


def web_hosts(emu, v2):
    """The ops client (signing with v2 or ACS3) and the HostIds of shop-web-1 and shop-web-3 imported."""
    client = sdk(emu, 'bastionhost', 'ops', v2=v2)
    add_member(client, SHOP_PROD_ID)
    return (client, *imported_hosts(client, SHOP_WEB1, SHOP_WEB3))


def get_host(client, host_id):
    return client.get_host(bh_models.GetHostRequest(region_id=HZ, instance_id=ENT01, host_id=host_id)).body.host


def list_databases(client, **kwargs):
    return client.list_databases(bh_models.ListDatabasesRequest(region_id=HZ, instance_id=ENT01, **kwargs)).body


def results(body, id_field):
    return [(r.code, getattr(r, id_field)) for r in body.results]


def last_call(emu):
    return emu.calls()[-1]


# ------------------------------------------------------------------ hosts

@pytest.mark.parametrize('v2', STYLES)
def test_modify_host_changes_only_what_is_sent(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'ops', v2=v2)
    add_member(client, SHOP_PROD_ID)
    [host_id] = imported_hosts(client, SHOP_WEB1)
    client.modify_host(bh_models.ModifyHostRequest(
        region_id=HZ, instance_id=ENT01, host_id=host_id, host_name='shop-web-1-new',
        host_private_address='10.11.9.9', host_public_address='47.96.1.1', ostype='Windows', comment='drift'))
    call = last_call(demo_emulator)
    assert (call['action'], call['write'], call['status']) == ('ModifyHost', True, 200)
    host = list_hosts(client).hosts[0]
    assert (host.host_name, host.host_private_address, host.host_public_address, host.ostype, host.comment) == \
        ('shop-web-1-new', '10.11.9.9', '47.96.1.1', 'Windows', 'drift')
    assert (host.source, host.source_instance_id, host.active_address_type) == ('Ecs', SHOP_WEB1, 'Private')
    # ListHosts's HostAddress filter: exact, on the private or the public address
    assert [list_hosts(client, host_address=a).total_count for a in ('10.11.9.9', '47.96.1.1', '10.11.1.11', '10.11')] \
        == [1, 1, 0, 0]
    client.modify_host(bh_models.ModifyHostRequest(region_id=HZ, instance_id=ENT01, host_id=host_id,
                                                   network_domain_id=PROXY01))
    detail = get_host(client, host_id)
    assert (detail.host_name, detail.network_domain_id, detail.source_instance_state) == \
        ('shop-web-1-new', PROXY01, 'Normal')


def test_modify_host_refusals(demo_emulator, ops):
    [host_id] = imported_hosts(ops, SHOP_WEB1)

    def modify(**fields):
        fields.setdefault('host_id', host_id)
        return ops.modify_host(bh_models.ModifyHostRequest(region_id=HZ, instance_id=ENT01, **fields))

    expect_error('OBJECT_NOT_FOUND', 404, modify, host_id='999')
    expect_error('OBJECT_NOT_FOUND', 404, modify, network_domain_id='nd-nosuchdomain')
    expect_error('MissingParameter', 400, modify, host_id=None, host_name='x')
    assert 'HostId' in expect_error('MissingParameter', 400, modify, host_id=None).message
    assert 'HostName' in expect_error('InvalidParameter', 400, modify, host_name='h' * 129).message
    assert 'Comment' in expect_error('InvalidParameter', 400, modify, comment='c' * 501).message
    assert 'OSType' in expect_error('InvalidParameter', 400, modify, ostype='linux').message
    assert 'PrefKex' in expect_error('InvalidParameter', 400, modify, pref_kex='curve25519').message
    modify(host_name='h' * 128, comment='c' * 500, pref_kex='diffie-hellman-group14-sha1')
    assert get_host(ops, host_id).pref_kex == 'diffie-hellman-group14-sha1'
    assert [c['write'] for c in demo_emulator.calls() if c['action'] == 'ModifyHost'] == [True] * 9
    assert len([c for c in demo_emulator.writes() if c['action'] == 'ModifyHost']) == 1


def test_get_host(demo_emulator, ops):
    [host_id] = imported_hosts(ops, SHOP_WEB1)
    host = get_host(ops, host_id)
    assert (host.host_id, host.host_name, host.source, host.source_instance_id, host.host_private_address,
            host.network_domain_id, host.pref_kex) == (host_id, SHOP_WEB1, 'Ecs', SHOP_WEB1, '10.11.1.11', '',
                                                       'default')
    assert last_call(demo_emulator)['write'] is False
    expect_error('OBJECT_NOT_FOUND', 404, get_host, ops, '42')


@pytest.mark.parametrize('v2', STYLES)
def test_modify_hosts_active_address_type(demo_emulator, v2):
    client, web1, web3 = web_hosts(demo_emulator, v2)
    body = client.modify_hosts_active_address_type(bh_models.ModifyHostsActiveAddressTypeRequest(
        region_id=HZ, instance_id=ENT01, host_ids=json.dumps([web3, '77', web1]), active_address_type='Public')).body
    assert results(body, 'host_id') == [('OK', web3), ('OBJECT_NOT_FOUND', '77'), ('OK', web1)]
    assert last_call(demo_emulator)['write'] is True
    # web3 has no public address: whether the service refuses the switch then is not documented
    assert [h.active_address_type for h in list_hosts(client).hosts] == ['Public', 'Public']


def test_modify_hosts_active_address_type_rules(demo_emulator, ops):
    def modify(host_ids='["1"]', address_type='Private'):
        return ops.modify_hosts_active_address_type(bh_models.ModifyHostsActiveAddressTypeRequest(
            region_id=HZ, instance_id=ENT01, host_ids=host_ids, active_address_type=address_type))

    assert 'HostIds' in expect_error('MissingParameter', 400, modify, host_ids=None).message
    assert 'ActiveAddressType' in expect_error('MissingParameter', 400, modify, address_type=None).message
    assert 'ActiveAddressType' in expect_error('InvalidParameter', 400, modify, address_type='Both').message
    assert 'HostIds' in expect_error('InvalidParameter', 400, modify, host_ids='1,2').message
    assert 'up to 100' in expect_error('InvalidParameter', 400, modify, host_ids=HOST_IDS_101).message
    assert results(modify(host_ids=json.dumps([str(n) for n in range(1, 101)])).body, 'host_id')[:2] == \
        [('OBJECT_NOT_FOUND', '1'), ('OBJECT_NOT_FOUND', '2')]


@pytest.mark.parametrize('v2', STYLES)
def test_move_hosts_to_network_domain(demo_emulator, v2):
    client, web1, web3 = web_hosts(demo_emulator, v2)
    body = client.move_hosts_to_network_domain(bh_models.MoveHostsToNetworkDomainRequest(
        region_id=HZ, instance_id=ENT01, host_ids=[web1, '55'], network_domain_id=PROXY01)).body
    assert results(body, 'host_id') == [('OK', web1), ('OBJECT_NOT_FOUND', '55')]
    call = last_call(demo_emulator)
    # the SDK sends the list flattened
    assert (call['write'], call['params']['HostIds.1'], call['params']['HostIds.2']) == (True, web1, '55')
    assert (get_host(client, web1).network_domain_id, get_host(client, web3).network_domain_id) == (PROXY01, '')
    state = {h['HostId']: h['NetworkDomainId'] for h in demo_emulator.instance(ENT01)['hosts']}
    assert state == {web1: PROXY01, web3: ''}


def test_move_hosts_to_network_domain_refusals(demo_emulator, ops):
    def move(domain=PROXY01, **fields):
        return ops.move_hosts_to_network_domain(bh_models.MoveHostsToNetworkDomainRequest(
            region_id=HZ, instance_id=ENT01, network_domain_id=domain, **fields))

    assert 'NetworkDomainId' in expect_error('MissingParameter', 400, move, domain=None, host_ids=['1']).message
    expect_error('OBJECT_NOT_FOUND', 404, move, domain='nd-nosuchdomain', host_ids=['1'])
    # HostIds is not called required: without it nothing moves
    assert move().body.results == []


# ------------------------------------------------------------------ databases

@pytest.mark.parametrize('v2', STYLES)
def test_modify_database(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'ops', v2=v2)
    add_member(client, SHOP_PROD_ID)
    database_id = import_database(client, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    client.modify_database(bh_models.ModifyDatabaseRequest(
        region_id=HZ, instance_id=ENT01, database_id=database_id, source_instance_id=SHOP_RDS_HZ,
        database_name='shop-db', database_private_address='10.11.5.5', database_public_address='rm-pub.example',
        database_port='3307', active_address_type='Public', comment='drift', network_domain_id=PROXY01))
    assert last_call(demo_emulator)['write'] is True
    database = list_databases(client).databases[0]
    assert (database.database_name, database.database_private_address, database.database_public_address,
            database.database_port, database.active_address_type, database.comment, database.network_domain_id,
            database.source_instance_id, database.source_instance_state) == \
        ('shop-db', '10.11.5.5', 'rm-pub.example', 3307, 'Public', 'drift', PROXY01, SHOP_RDS_HZ, 'Normal')


def test_modify_database_rules(demo_emulator, ops):
    rds_id = import_database(ops, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    polardb_id = import_database(ops, 'PolarDB', SHOP_POLARDB_HZ, SHOP_PROD_ID).body.database_id
    local_id = ops.create_database(bh_models.CreateDatabaseRequest(
        region_id=HZ, instance_id=ENT01, source='Local', database_type='MySQL', active_address_type='Private',
        database_name='local-db', database_port=3306, database_private_address='10.9.0.1')).body.database_id

    def modify(database_id, **fields):
        return ops.modify_database(bh_models.ModifyDatabaseRequest(
            region_id=HZ, instance_id=ENT01, database_id=database_id, **fields))

    # SourceInstanceId: "required if Source is set to Rds or PolarDB" (the database's Source)
    for database_id in (rds_id, polardb_id):
        assert 'SourceInstanceId' in expect_error('MissingParameter', 400, modify, database_id, comment='x').message
    modify(local_id, comment='local')
    modify(polardb_id, source_instance_id=SHOP_POLARDB_HZ, comment='polar')
    assert [d.comment for d in list_databases(ops).databases] == ['', 'polar', 'local']
    expect_error('OBJECT_NOT_FOUND', 404, modify, '999', source_instance_id=SHOP_RDS_HZ)
    expect_error('OBJECT_NOT_FOUND', 404, modify, rds_id, source_instance_id=SHOP_RDS_HZ,
                 network_domain_id='nd-nosuchdomain')
    assert 'DatabaseId' in expect_error('MissingParameter', 400, modify, None).message
    assert 'ActiveAddressType' in expect_error('InvalidParameter', 400, modify, local_id,
                                               active_address_type='Both').message
    assert 'DatabasePort' in expect_error('InvalidParameter', 400, modify, local_id, database_port='3306a').message


@pytest.mark.parametrize('v2', STYLES)
def test_move_databases_to_network_domain(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'ops', v2=v2)
    add_member(client, SHOP_PROD_ID)
    database_id = import_database(client, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    body = client.move_databases_to_network_domain(bh_models.MoveDatabasesToNetworkDomainRequest(
        region_id=HZ, instance_id=ENT01, database_ids=['404', database_id], network_domain_id=PROXY01)).body
    assert results(body, 'database_id') == [('OBJECT_NOT_FOUND', '404'), ('OK', database_id)]
    assert last_call(demo_emulator)['write'] is True
    assert list_databases(client).databases[0].network_domain_id == PROXY01
    assert list_databases(client, network_domain_id=PROXY01).total_count == 1
    request = bh_models.MoveDatabasesToNetworkDomainRequest(region_id=HZ, instance_id=ENT01,
                                                            database_ids=[database_id], network_domain_id='nd-x')
    expect_error('OBJECT_NOT_FOUND', 404, client.move_databases_to_network_domain, request)


# ------------------------------------------------------------------ asset groups

def create_group(client, name, comment=None):
    return client.create_host_group(bh_models.CreateHostGroupRequest(
        region_id=HZ, instance_id=ENT01, host_group_name=name, comment=comment)).body.host_group_id


def list_groups(client, **kwargs):
    return client.list_host_groups(bh_models.ListHostGroupsRequest(region_id=HZ, instance_id=ENT01, **kwargs)).body


def add_hosts(client, group_id, host_ids):
    return client.add_hosts_to_group(bh_models.AddHostsToGroupRequest(
        region_id=HZ, instance_id=ENT01, host_group_id=group_id, host_ids=json.dumps(host_ids))).body


def add_databases(client, group_id, database_ids):
    return client.add_databases_to_group(bh_models.AddDatabasesToGroupRequest(
        region_id=HZ, instance_id=ENT01, host_group_id=group_id, database_ids=database_ids)).body


@pytest.mark.parametrize('v2', STYLES)
def test_create_and_list_host_groups(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'ops', v2=v2)
    assert create_group(client, 'shop-prod-hz', 'shop-prod assets') == '1'
    assert last_call(demo_emulator)['write'] is True
    assert create_group(client, 'data-prod-hz') == '2'
    body = list_groups(client)
    assert last_call(demo_emulator)['write'] is False
    assert body.total_count == 2
    assert [(g.host_group_id, g.host_group_name, g.comment, g.member_count) for g in body.host_groups] == \
        [('1', 'shop-prod-hz', 'shop-prod assets', 0), ('2', 'data-prod-hz', '', 0)]
    # exact match only
    assert [g.host_group_id for g in list_groups(client, host_group_name='data-prod-hz').host_groups] == ['2']
    assert list_groups(client, host_group_name='data-prod').total_count == 0
    page = list_groups(client, page_number='2', page_size='1')
    assert (page.total_count, [g.host_group_id for g in page.host_groups]) == (2, ['2'])
    error = expect_error('HostGroupAlreadyExists', 400, create_group, client, 'shop-prod-hz')
    assert error.data['Message'] == 'The host group already exists.'
    # groups are per bastion host: another instance of the same account starts empty
    other = client.list_host_groups(bh_models.ListHostGroupsRequest(region_id=HZ, instance_id='bastionhost-cn-hz-old01'))
    assert other.body.total_count == 0


def test_host_group_rules(demo_emulator):
    client = sdk(demo_emulator, 'bastionhost', 'ops')
    assert 'HostGroupName' in expect_error('MissingParameter', 400, create_group, client, None).message
    assert 'HostGroupName' in expect_error('InvalidParameter', 400, create_group, client, 'g' * 129).message
    assert 'Comment' in expect_error('InvalidParameter', 400, create_group, client, 'g', 'c' * 501).message
    create_group(client, 'g' * 128, 'c' * 500)
    assert 'PageSize' in expect_error('InvalidParameter', 400, list_groups, client, page_size='101').message
    assert 'PageNumber' in expect_error('InvalidParameter', 400, list_groups, client, page_number='0').message
    assert list_groups(client, page_size='100').total_count == 1


@pytest.mark.parametrize('v2', STYLES)
def test_add_hosts_and_databases_to_group(demo_emulator, v2):
    client, web1, web3 = web_hosts(demo_emulator, v2)
    local = create_local_host(client, 'local-1').body.host_id
    database_id = import_database(client, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    group = create_group(client, 'shop-prod-hz')
    other = create_group(client, 'other')

    body = add_hosts(client, group, [web1, web3])
    assert [(r.code, r.host_id, r.host_group_id) for r in body.results] == [('OK', web1, group), ('OK', web3, group)]
    assert last_call(demo_emulator)['write'] is True
    body = add_hosts(client, group, [web3, '99', local])
    assert results(body, 'host_id') == [('OBJECT_AlREADY_EXISTS', web3), ('OBJECT_NOT_FOUND', '99'), ('OK', local)]
    add_hosts(client, other, [web1])
    body = add_databases(client, group, [database_id, '98'])
    assert [(r.code, r.database_id, r.host_group_id) for r in body.results] == \
        [('OK', database_id, group), ('OBJECT_NOT_FOUND', '98', group)]
    assert last_call(demo_emulator)['params']['DatabaseIds.1'] == database_id
    assert results(add_databases(client, group, [database_id]), 'database_id') == \
        [('OBJECT_AlREADY_EXISTS', database_id)]

    # membership, read back through the HostGroupId filters
    assert [h.host_id for h in list_hosts(client, host_group_id=group).hosts] == [web1, web3, local]
    assert [h.host_id for h in list_hosts(client, host_group_id=other).hosts] == [web1]
    assert list_hosts(client, host_group_id='404').total_count == 0
    assert [d.database_id for d in list_databases(client, host_group_id=group).databases] == [database_id]
    assert list_databases(client, host_group_id=other).total_count == 0
    # MemberCount counts the hosts of the group (the model: "The number of hosts in the asset group")
    assert [(g.host_group_name, g.member_count) for g in list_groups(client).host_groups] == \
        [('shop-prod-hz', 3), ('other', 1)]


def test_add_to_group_refusals(demo_emulator, ops):
    [web1] = imported_hosts(ops, SHOP_WEB1)
    group = create_group(ops, 'g')
    expect_error('OBJECT_NOT_FOUND', 404, add_hosts, ops, '404', [web1])
    expect_error('OBJECT_NOT_FOUND', 404, add_databases, ops, '404', ['1'])
    assert 'up to 100' in expect_error('InvalidParameter', 400, add_hosts, ops, group,
                                       [str(n) for n in range(101)]).message
    assert 'up to 100' in expect_error('InvalidParameter', 400, add_databases, ops, group,
                                       [str(n) for n in range(101)]).message
    assert len(add_hosts(ops, group, [str(n) for n in range(100)]).results) == 100
    assert len(add_databases(ops, group, [str(n) for n in range(100)]).results) == 100
    assert 'DatabaseIds' in expect_error('MissingParameter', 400, add_databases, ops, group, []).message
    request = bh_models.AddHostsToGroupRequest(region_id=HZ, instance_id=ENT01, host_group_id=group)
    assert 'HostIds' in expect_error('MissingParameter', 400, ops.add_hosts_to_group, request).message
    request.host_ids = 'not json'
    assert 'HostIds' in expect_error('InvalidParameter', 400, ops.add_hosts_to_group, request).message
    request = bh_models.AddHostsToGroupRequest(region_id=HZ, instance_id=ENT01, host_ids=json.dumps([web1]))
    assert 'HostGroupId' in expect_error('MissingParameter', 400, ops.add_hosts_to_group, request).message


def test_a_deleted_host_leaves_its_groups(demo_emulator, ops):
    [web1] = imported_hosts(ops, SHOP_WEB1)
    group = create_group(ops, 'g')
    add_hosts(ops, group, [web1])
    ops.delete_host(bh_models.DeleteHostRequest(region_id=HZ, instance_id=ENT01, host_id=web1))
    assert list_groups(ops).host_groups[0].member_count == 0
    assert demo_emulator.instance(ENT01)['host_groups'][0]['HostIds'] == []


def test_read_only_callers_cannot_write(demo_emulator, ops):
    [web1] = imported_hosts(ops, SHOP_WEB1)
    group = create_group(ops, 'g')
    auditor = sdk(demo_emulator, 'bastionhost', 'auditor')
    assert list_groups(auditor).total_count == 1
    assert get_host(auditor, web1).host_id == web1
    expect_error('Forbidden.RAM', 403, create_group, auditor, 'g2')
    expect_error('Forbidden.RAM', 403, add_hosts, auditor, group, [web1])
    expect_error('Forbidden.RAM', 403, auditor.modify_host, bh_models.ModifyHostRequest(
        region_id=HZ, instance_id=ENT01, host_id=web1, host_name='x'))


def test_state_shows_groups_and_membership(demo_emulator, ops):
    web1, web3 = imported_hosts(ops, SHOP_WEB1, SHOP_WEB3)
    database_id = import_database(ops, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    group = create_group(ops, 'shop', 'shop assets')
    add_hosts(ops, group, [web3])
    add_databases(ops, group, [database_id])
    state = demo_emulator.instance(ENT01)
    assert state['host_groups'] == [{'HostGroupId': group, 'HostGroupName': 'shop', 'Comment': 'shop assets',
                                     'HostIds': [web3], 'DatabaseIds': [database_id]}]
    assert {h['HostId']: h['HostGroupIds'] for h in state['hosts']} == {web1: [], web3: [group]}
    assert state['databases'][0]['HostGroupIds'] == [group]
    assert all(i['host_groups'] == [] for i in demo_emulator.state()['instances'] if i['instance_id'] != ENT01)
    demo_emulator.reset()
    assert demo_emulator.instance(ENT01)['host_groups'] == []


def test_pref_kex_only_for_linux_hosts(demo_emulator, ops):
    """GetHostResponseBodyHost.PrefKex: "This parameter is returned only when OSType is Linux."
    ModifyHostRequest.PrefKex: "You can modify this parameter only when the OSType parameter is set to Linux"
    (read as: the host's OSType once the request's is applied; no error is documented, so it is ignored)."""
    [host_id] = imported_hosts(ops, SHOP_WEB1)

    def modify(**fields):
        return ops.modify_host(bh_models.ModifyHostRequest(region_id=HZ, instance_id=ENT01, host_id=host_id,
                                                           **fields))

    modify(pref_kex='diffie-hellman-group1-sha1')
    assert get_host(ops, host_id).pref_kex == 'diffie-hellman-group1-sha1'
    modify(ostype='Windows')
    windows = get_host(ops, host_id)
    assert (windows.ostype, windows.pref_kex) == ('Windows', None)          # not returned
    modify(pref_kex='diffie-hellman-group14-sha1')                          # a Windows host: no change
    assert get_host(ops, host_id).pref_kex is None
    modify(ostype='Linux')
    assert get_host(ops, host_id).pref_kex == 'diffie-hellman-group1-sha1'  # the Linux setting kept
    modify(ostype='Windows', pref_kex='default')                            # Windows once applied: ignored
    modify(ostype='Linux', pref_kex='diffie-hellman-group-exchange-sha1')   # Linux once applied: changed
    assert get_host(ops, host_id).pref_kex == 'diffie-hellman-group-exchange-sha1'


def test_a_windows_host_has_no_pref_kex(demo_emulator, ops):
    host_id = ops.create_host(bh_models.CreateHostRequest(
        region_id=HZ, instance_id=ENT01, source='Local', host_name='win-1', ostype='Windows',
        active_address_type='Private', host_private_address='10.9.9.9')).body.host_id
    assert get_host(ops, host_id).pref_kex is None
