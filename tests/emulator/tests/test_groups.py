"""The rest of the asset-group life (issue 21), through the official Bastionhost SDK: ModifyHostGroup,
DeleteHostGroup, RemoveHostsFromGroup and RemoveDatabasesFromGroup, and the Comment CreateHostGroup takes
and ListHostGroups answers."""
import json

import pytest

from emulator_testlib import (
    ENT01, HZ, SHOP_PROD_ID, SHOP_RDS_HZ, SHOP_WEB1, SHOP_WEB3, add_member, bh_models, create_local_host,
    expect_error, import_database, import_ecs, list_hosts, sdk,
)

STYLES = [pytest.param(False, id='acs3'), pytest.param(True, id='rpc-v2')]


@pytest.fixture
def ops(demo_emulator):
    """The ops client with shop-prod added to ENT01."""
    client = sdk(demo_emulator, 'bastionhost', 'ops')
    add_member(client, SHOP_PROD_ID)
    return client


def create_group(client, name, comment=None):
    return client.create_host_group(bh_models.CreateHostGroupRequest(
        region_id=HZ, instance_id=ENT01, host_group_name=name, comment=comment)).body.host_group_id


def groups(client):
    body = client.list_host_groups(bh_models.ListHostGroupsRequest(region_id=HZ, instance_id=ENT01)).body
    return [(g.host_group_id, g.host_group_name, g.comment, g.member_count) for g in body.host_groups]


def modify_group(client, group_id, name=None, comment=None):
    return client.modify_host_group(bh_models.ModifyHostGroupRequest(
        region_id=HZ, instance_id=ENT01, host_group_id=group_id, host_group_name=name, comment=comment))


def delete_group(client, group_id):
    return client.delete_host_group(bh_models.DeleteHostGroupRequest(
        region_id=HZ, instance_id=ENT01, host_group_id=group_id))


def add_hosts(client, group_id, host_ids):
    return client.add_hosts_to_group(bh_models.AddHostsToGroupRequest(
        region_id=HZ, instance_id=ENT01, host_group_id=group_id, host_ids=json.dumps(host_ids))).body


def remove_hosts(client, group_id, host_ids):
    return client.remove_hosts_from_group(bh_models.RemoveHostsFromGroupRequest(
        region_id=HZ, instance_id=ENT01, host_group_id=group_id, host_ids=json.dumps(host_ids))).body


def add_databases(client, group_id, database_ids):
    return client.add_databases_to_group(bh_models.AddDatabasesToGroupRequest(
        region_id=HZ, instance_id=ENT01, host_group_id=group_id, database_ids=database_ids)).body


def remove_databases(client, group_id, database_ids):
    return client.remove_databases_from_group(bh_models.RemoveDatabasesFromGroupRequest(
        region_id=HZ, instance_id=ENT01, host_group_id=group_id, database_ids=database_ids)).body


def last_call(emu):
    return emu.calls()[-1]


@pytest.mark.parametrize('v2', STYLES)
def test_modify_host_group_renames_and_recomments(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'ops', v2=v2)
    group = create_group(client, 'ecs', 'made by hand')
    other = create_group(client, 'rds')
    assert groups(client) == [(group, 'ecs', 'made by hand', 0), (other, 'rds', '', 0)]
    assert modify_group(client, group, name='ecs-old').body.request_id
    assert (last_call(demo_emulator)['action'], last_call(demo_emulator)['write']) == ('ModifyHostGroup', True)
    assert groups(client)[0] == (group, 'ecs-old', 'made by hand', 0)
    # only what is sent with a value changes
    modify_group(client, group, comment='managed-by: alicloud.bastionhost')
    assert groups(client)[0] == (group, 'ecs-old', 'managed-by: alicloud.bastionhost', 0)
    modify_group(client, group, name='', comment='')
    assert groups(client)[0] == (group, 'ecs-old', 'managed-by: alicloud.bastionhost', 0)
    # the old name is free again; a name another group has is refused; its own name is no conflict
    assert create_group(client, 'ecs') == '3'
    expect_error('HostGroupAlreadyExists', 400, modify_group, client, group, name='rds')
    modify_group(client, group, name='ecs-old')
    assert [g[1] for g in groups(client)] == ['ecs-old', 'rds', 'ecs']


def test_modify_host_group_rules(demo_emulator, ops):
    group = create_group(ops, 'g')
    assert 'HostGroupName' in expect_error('InvalidParameter', 400, modify_group, ops, group, name='g' * 129).message
    assert 'Comment' in expect_error('InvalidParameter', 400, modify_group, ops, group, comment='c' * 501).message
    modify_group(ops, group, name='g' * 128, comment='c' * 500)
    assert 'HostGroupId' in expect_error('MissingParameter', 400, modify_group, ops, None, name='x').message
    expect_error('OBJECT_NOT_FOUND', 404, modify_group, ops, '404', name='x')
    expect_error('Forbidden.RAM', 403, modify_group, sdk(demo_emulator, 'bastionhost', 'auditor'), group, name='x')


def test_delete_host_group_keeps_its_assets(demo_emulator, ops):
    web1, web3 = (import_ecs(ops, i, SHOP_PROD_ID).body.host_id for i in (SHOP_WEB1, SHOP_WEB3))
    database_id = import_database(ops, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    group = create_group(ops, 'shop')
    other = create_group(ops, 'other')
    add_hosts(ops, group, [web1, web3])
    add_hosts(ops, other, [web1])
    add_databases(ops, group, [database_id])
    delete_group(ops, group)
    assert last_call(demo_emulator)['write'] is True
    assert groups(ops) == [(other, 'other', '', 1)]
    assert [h.host_id for h in list_hosts(ops).hosts] == [web1, web3]
    assert list_hosts(ops, host_group_id=group).total_count == 0
    state = demo_emulator.instance(ENT01)
    assert {h['HostId']: h['HostGroupIds'] for h in state['hosts']} == {web1: [other], web3: []}
    assert state['databases'][0]['HostGroupIds'] == []
    expect_error('OBJECT_NOT_FOUND', 404, delete_group, ops, group)
    # a new group of the same name is a new group, with a new id
    assert create_group(ops, 'shop') == '3'
    assert 'HostGroupId' in expect_error('MissingParameter', 400, delete_group, ops, None).message


@pytest.mark.parametrize('v2', STYLES)
def test_remove_hosts_and_databases_from_group(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'ops', v2=v2)
    add_member(client, SHOP_PROD_ID)
    web1, web3 = (import_ecs(client, i, SHOP_PROD_ID).body.host_id for i in (SHOP_WEB1, SHOP_WEB3))
    local = create_local_host(client, 'local-1').body.host_id
    database_id = import_database(client, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    group = create_group(client, 'shop')
    other = create_group(client, 'other')
    add_hosts(client, group, [web1, web3])
    add_hosts(client, other, [web1, local])
    add_databases(client, group, [database_id])

    body = remove_hosts(client, group, [web1, local, '99'])
    assert [(r.code, r.host_id, r.host_group_id) for r in body.results] == \
        [('OK', web1, group), ('OBJECT_NOT_FOUND', local, group), ('OBJECT_NOT_FOUND', '99', group)]
    assert last_call(demo_emulator)['write'] is True
    assert [h.host_id for h in list_hosts(client, host_group_id=group).hosts] == [web3]
    assert [h.host_id for h in list_hosts(client, host_group_id=other).hosts] == [web1, local]
    assert [(g[1], g[3]) for g in groups(client)] == [('shop', 1), ('other', 2)]

    body = remove_databases(client, group, [database_id, '98'])
    assert [(r.code, r.database_id, r.host_group_id) for r in body.results] == \
        [('OK', database_id, group), ('OBJECT_NOT_FOUND', '98', group)]
    assert last_call(demo_emulator)['params']['DatabaseIds.1'] == database_id
    assert [r.code for r in remove_databases(client, group, [database_id]).results] == ['OBJECT_NOT_FOUND']
    assert demo_emulator.instance(ENT01)['host_groups'][0] == {
        'HostGroupId': group, 'HostGroupName': 'shop', 'Comment': '', 'HostIds': [web3], 'DatabaseIds': []}
    # the hosts and databases stay on the bastion host
    assert list_hosts(client).total_count == 3


def test_remove_from_group_refusals(demo_emulator, ops):
    group = create_group(ops, 'g')
    expect_error('OBJECT_NOT_FOUND', 404, remove_hosts, ops, '404', ['1'])
    expect_error('OBJECT_NOT_FOUND', 404, remove_databases, ops, '404', ['1'])
    assert 'up to 100' in expect_error('InvalidParameter', 400, remove_hosts, ops, group,
                                       [str(n) for n in range(101)]).message
    assert len(remove_hosts(ops, group, [str(n) for n in range(100)]).results) == 100
    # RemoveDatabasesFromGroup states no limit
    assert len(remove_databases(ops, group, [str(n) for n in range(150)]).results) == 150
    assert 'DatabaseIds' in expect_error('MissingParameter', 400, remove_databases, ops, group, []).message
    request = bh_models.RemoveHostsFromGroupRequest(region_id=HZ, instance_id=ENT01, host_group_id=group)
    assert 'HostIds' in expect_error('MissingParameter', 400, ops.remove_hosts_from_group, request).message
    request.host_ids = 'not json'
    assert 'HostIds' in expect_error('InvalidParameter', 400, ops.remove_hosts_from_group, request).message
    auditor = sdk(demo_emulator, 'bastionhost', 'auditor')
    expect_error('Forbidden.RAM', 403, remove_hosts, auditor, group, ['1'])
    expect_error('Forbidden.RAM', 403, delete_group, auditor, group)
