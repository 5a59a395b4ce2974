"""The unsigned admin endpoints: calls log, state, reset, clock, assets/update and assets/release."""
import json
import re
import urllib.error

import pytest

from emulator_testlib import (
    BASIC01, ENT01, HZ, KEYS, MEMBER01, MGMT_ID, OLD01, SECURITY_ID, SH, SHOP_POLARDB_HZ, SHOP_PROD_ID, SHOP_RDS_HZ,
    SHOP_WEB1, SHOP_WEB3, SM01, add_member, admin, api_error, assume, bh_models, ecs_models, import_database,
    import_ecs, list_hosts, polardb_models, rds_models, role_arn, sdk, sts_sdk,
)


def test_calls_log_records_each_call(demo_emulator):
    emu = demo_emulator
    sdk(emu, 'bastionhost', 'mgmt').describe_instances(bh_models.DescribeInstancesRequest(region_id=HZ))
    api_error(add_member, sdk(emu, 'bastionhost', 'auditor', v2=True), SHOP_PROD_ID)
    add_member(sdk(emu, 'bastionhost', 'ops'), SHOP_PROD_ID)
    api_error(sdk(emu, 'sts', 'mgmt', secret='wrong').get_caller_identity)
    calls = emu.calls()
    assert [c['seq'] for c in calls] == [1, 2, 3, 4]
    first, forbidden, write, unsigned = calls
    assert first == {
        'seq': 1, 'product': 'bastionhost', 'action': 'DescribeInstances', 'version': '2019-12-09',
        'signature': 'ACS3', 'caller': {'account_id': MGMT_ID, 'principal': 'root', 'type': 'root'},
        'write': False, 'status': 200, 'code': None, 'params': {'RegionId': HZ}}
    assert (forbidden['action'], forbidden['signature'], forbidden['write'], forbidden['status'], forbidden['code']) == \
        ('AddInstanceRdMember', 'RPC', True, 403, 'Forbidden.RAM')
    assert forbidden['caller'] == {'account_id': MGMT_ID, 'principal': 'user/auditor', 'type': 'user'}
    assert forbidden['params']['MemberId'] == SHOP_PROD_ID
    assert (write['write'], write['status'], write['code'], write['caller']['principal']) == (True, 200, None, 'user/ops')
    assert write['params'] == {'RegionId': HZ, 'InstanceId': ENT01, 'MemberId': SHOP_PROD_ID}
    assert (unsigned['product'], unsigned['status'], unsigned['code'], unsigned['caller']) == \
        ('sts', 400, 'SignatureDoesNotMatch', None)
    assert emu.writes() == [write]


def test_calls_log_never_holds_secrets(demo_emulator):
    emu = demo_emulator
    secrets = [secret for key_id, secret in KEYS.values()]
    for v2 in (False, True):
        for name in KEYS:
            sdk(emu, 'sts', name, v2=v2).get_caller_identity()
        credentials = assume(emu, role_arn(SHOP_PROD_ID), v2=v2).credentials
        secrets += [credentials.access_key_secret, credentials.security_token]
        sts_sdk(emu, 'ecs', credentials, v2=v2).describe_instances(ecs_models.DescribeInstancesRequest(region_id=HZ))
        wrong_token = 'CAESwrong-token-' + ('rpc' if v2 else 'acs3')
        secrets.append(wrong_token)
        api_error(sts_sdk(emu, 'sts', credentials, v2=v2, token=wrong_token).get_caller_identity)
        api_error(sdk(emu, 'sts', 'mgmt', secret='a-wrong-secret-value', v2=v2).get_caller_identity)
    secrets.append('a-wrong-secret-value')
    calls = emu.calls()
    assert len(calls) == 2 * (len(KEYS) + 4)
    assert {c['signature'] for c in calls} == {'ACS3', 'RPC'}
    assert any(c['caller'] and c['caller']['type'] == 'role' for c in calls)
    log = json.dumps(calls)
    for secret in secrets:
        assert secret not in log
    for field in ('Signature', 'SecurityToken', 'SignatureNonce', 'AccessKeySecret', 'Authorization'):
        assert all(field not in c['params'] for c in calls), field
    assert 'ACS3-HMAC-SHA256' not in log
    assert not re.search(r'\b[0-9a-f]{64}\b', log)              # an ACS3 signature
    assert not re.search(r'[A-Za-z0-9+/]{27}=', log)           # an HMAC-SHA1 signature in base64


def test_state_shows_members_hosts_and_databases(demo_emulator):
    emu = demo_emulator
    initial = emu.state()['instances']
    assert {(i['instance_id'], i['account_id'], i['region']) for i in initial} == {
        (ENT01, MGMT_ID, HZ), (BASIC01, MGMT_ID, HZ), (OLD01, MGMT_ID, HZ), (SM01, SECURITY_ID, 'cn-shanghai'),
        (MEMBER01, SHOP_PROD_ID, HZ)}
    assert all((i['members'], i['hosts'], i['databases']) == ([], [], []) for i in initial)
    client = sdk(emu, 'bastionhost', 'mgmt')
    add_member(client, SHOP_PROD_ID)
    host_id = import_ecs(client, SHOP_WEB1, SHOP_PROD_ID).body.host_id
    database_id = import_database(client, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    state = emu.instance(ENT01)
    assert state['members'] == [SHOP_PROD_ID]
    host = state['hosts'][0]
    assert (host['HostId'], host['Source'], host['SourceInstanceId'], host['InstanceMemberId'],
            host['InstanceRegionId'], host['HostPrivateAddress']) == \
        (host_id, 'Ecs', SHOP_WEB1, SHOP_PROD_ID, HZ, '10.11.1.11')
    database = state['databases'][0]
    assert (database['DatabaseId'], database['Source'], database['SourceInstanceId'], database['InstanceMemberId']) == \
        (database_id, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID)
    assert emu.instance(BASIC01)['members'] == []


def test_reset_clears_state_and_calls(demo_emulator):
    emu = demo_emulator
    client = sdk(emu, 'bastionhost', 'mgmt')
    add_member(client, SHOP_PROD_ID)
    import_ecs(client, SHOP_WEB1, SHOP_PROD_ID)
    assert emu.calls() and emu.instance(ENT01)['hosts']
    assert emu.reset() == {'reset': True}
    assert emu.calls() == []
    state = emu.instance(ENT01)
    assert (state['members'], state['hosts'], state['databases']) == ([], [], [])
    # ids and sequence numbers start over
    add_member(client, SHOP_PROD_ID)
    assert import_ecs(client, SHOP_WEB1, SHOP_PROD_ID).body.host_id == '1'
    assert [c['seq'] for c in emu.calls()] == [1, 2]


def test_reset_undoes_the_clock(demo_emulator):
    emu = demo_emulator
    assert emu.advance_clock(100000) == {'advanced_seconds': 100000}
    emu.reset()
    credentials = assume(emu, role_arn(SHOP_PROD_ID), duration=900).credentials
    emu.advance_clock(100)
    assert sts_sdk(emu, 'sts', credentials).get_caller_identity().body.account_id == SHOP_PROD_ID


def test_unknown_admin_route(demo_emulator):
    with pytest.raises(urllib.error.HTTPError) as info:
        demo_emulator._admin('GET', '/_emulator/nothing-here')
    assert info.value.code == 404


# ------------------------------------------------------------------ assets/update, assets/release

def ecs_names(emu, key='shop_prod'):
    body = sdk(emu, 'ecs', key).describe_instances(
        ecs_models.DescribeInstancesRequest(region_id=HZ, max_results=100)).body
    return {i.instance_id: (i.instance_name, i.vpc_attributes.private_ip_address.ip_address)
            for i in body.instances.instance}


def test_assets_update_changes_the_instance_not_the_bastion_records(demo_emulator):
    emu = demo_emulator
    client = sdk(emu, 'bastionhost', 'ops')
    add_member(client, SHOP_PROD_ID)
    import_ecs(client, SHOP_WEB1, SHOP_PROD_ID, host_name='shop-web-1')
    answer = admin(emu, '/_emulator/assets/update',
                   {'instance_id': SHOP_WEB1, 'set': {'name': 'shop-web-1-renamed', 'private_ip': '10.11.9.9'}})
    assert answer == {'instance_id': SHOP_WEB1}
    assert ecs_names(emu)[SHOP_WEB1] == ('shop-web-1-renamed', ['10.11.9.9'])
    record = emu.instance(ENT01)['hosts'][0]
    assert (record['HostName'], record['HostPrivateAddress']) == ('shop-web-1', '10.11.1.11')
    emu.reset()
    assert ecs_names(emu)[SHOP_WEB1] == ('shop-web-1', ['10.11.1.11'])


def test_assets_release(demo_emulator):
    emu = demo_emulator
    client = sdk(emu, 'bastionhost', 'ops')
    add_member(client, SHOP_PROD_ID)
    import_ecs(client, SHOP_WEB1, SHOP_PROD_ID)
    import_database(client, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID)
    for instance_id in (SHOP_WEB1, SHOP_RDS_HZ):
        assert admin(emu, '/_emulator/assets/release', {'instance_id': instance_id}) == {'instance_id': instance_id}
    assert SHOP_WEB1 not in ecs_names(emu)
    rds = sdk(emu, 'rds', 'shop_prod').describe_dbinstances(rds_models.DescribeDBInstancesRequest(region_id=HZ)).body
    assert SHOP_RDS_HZ not in [i.dbinstance_id for i in rds.items.dbinstance]
    hosts = list_hosts(client).hosts
    assert [(h.source_instance_id, h.source_instance_state) for h in hosts] == [(SHOP_WEB1, 'Release')]
    assert list_hosts(client, source_instance_state='Release').total_count == 1
    assert list_hosts(client, source_instance_state='Normal').total_count == 0
    databases = client.list_databases(bh_models.ListDatabasesRequest(region_id=HZ, instance_id=ENT01)).body
    assert [d.source_instance_state for d in databases.databases] == ['Release']


def test_records_carry_state_and_comment(demo_emulator):
    client = sdk(demo_emulator, 'bastionhost', 'ops')
    add_member(client, SHOP_PROD_ID)
    client.create_host(bh_models.CreateHostRequest(
        region_id=HZ, instance_id=ENT01, source='Ecs', source_instance_id=SHOP_WEB1, instance_region_id=HZ,
        instance_member_id=SHOP_PROD_ID, active_address_type='Private', ostype='Linux', host_name='web',
        host_private_address='10.11.1.11', comment='imported from shop-prod'))
    host = list_hosts(client).hosts[0]
    assert (host.source_instance_state, host.comment) == ('Normal', 'imported from shop-prod')


@pytest.mark.parametrize('path', ['/_emulator/assets/update', '/_emulator/assets/release'])
def test_assets_endpoints_unknown_instance(demo_emulator, path):
    with pytest.raises(urllib.error.HTTPError) as info:
        admin(demo_emulator, path, {'instance_id': 'i-nosuchinstance', 'set': {'name': 'x'}})
    assert info.value.code == 404


def ecs_instance(emu, instance_id, key='shop_prod'):
    body = sdk(emu, 'ecs', key).describe_instances(
        ecs_models.DescribeInstancesRequest(region_id=HZ, max_results=100)).body
    return next((i for i in body.instances.instance if i.instance_id == instance_id), None)


def rds_instances(emu, key='shop_prod'):
    body = sdk(emu, 'rds', key).describe_dbinstances(rds_models.DescribeDBInstancesRequest(region_id=HZ)).body
    return {i.dbinstance_id: i for i in body.items.dbinstance}


def polardb_clusters(emu, key='shop_prod'):
    body = sdk(emu, 'polardb', key).describe_dbclusters(polardb_models.DescribeDBClustersRequest(region_id=HZ)).body
    return {c.dbcluster_id: c for c in body.items.dbcluster}


def test_assets_update_every_org_file_field_the_lists_show(demo_emulator):
    emu = demo_emulator
    admin(emu, '/_emulator/assets/update', {'instance_id': SHOP_WEB1, 'set': {
        'public_ip': None, 'os': 'Windows', 'tags': {'env': 'prod', 'app': 'web2'}}})
    instance = ecs_instance(emu, SHOP_WEB1)
    assert (instance.public_ip_address.ip_address, instance.ostype, instance.osname) == ([], 'windows', 'Windows')
    assert {(t.tag_key, t.tag_value) for t in instance.tags.tag} == {('env', 'prod'), ('app', 'web2')}
    admin(emu, '/_emulator/assets/update', {'instance_id': SHOP_WEB3, 'set': {'public_ip': '47.96.3.3'}})
    assert ecs_instance(emu, SHOP_WEB3).public_ip_address.ip_address == ['47.96.3.3']
    admin(emu, '/_emulator/assets/update', {'instance_id': SHOP_RDS_HZ, 'set': {
        'name': 'shop-db-renamed', 'private_address': 'rm-new.mysql.rds.aliyuncs.com'}})
    rds = rds_instances(emu)[SHOP_RDS_HZ]
    assert (rds.dbinstance_description, rds.connection_string) == ('shop-db-renamed', 'rm-new.mysql.rds.aliyuncs.com')
    admin(emu, '/_emulator/assets/update', {'instance_id': SHOP_POLARDB_HZ, 'set': {
        'name': 'shop-polar', 'private_address': 'pc-new.rwlb.rds.aliyuncs.com', 'port': 3307}})
    assert polardb_clusters(emu)[SHOP_POLARDB_HZ].dbcluster_description == 'shop-polar'
    items = sdk(emu, 'polardb', 'shop_prod').describe_dbcluster_endpoints(
        polardb_models.DescribeDBClusterEndpointsRequest(dbcluster_id=SHOP_POLARDB_HZ)).body.items
    assert [(a.connection_string, a.port) for a in items[0].address_items] == [('pc-new.rwlb.rds.aliyuncs.com', '3307')]
    # the id is the instance's own: `set` cannot change it
    admin(emu, '/_emulator/assets/update', {'instance_id': SHOP_WEB3, 'set': {'id': 'i-other'}})
    assert ecs_instance(emu, SHOP_WEB3) is not None


def test_assets_release_marks_every_record_and_only_those(demo_emulator):
    emu = demo_emulator
    ops = sdk(emu, 'bastionhost', 'ops')
    secops = sdk(emu, 'bastionhost', 'secops')
    add_member(ops, SHOP_PROD_ID)
    add_member(secops, SHOP_PROD_ID, instance_id=SM01, region=SH)
    web1 = import_ecs(ops, SHOP_WEB1, SHOP_PROD_ID).body.host_id
    web3 = import_ecs(ops, SHOP_WEB3, SHOP_PROD_ID).body.host_id
    import_ecs(secops, SHOP_WEB1, SHOP_PROD_ID, instance_id=SM01, region=SH)
    import_database(ops, 'PolarDB', SHOP_POLARDB_HZ, SHOP_PROD_ID)
    import_database(ops, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID)
    assert [h.source_instance_state for h in list_hosts(ops).hosts] == ['Normal', 'Normal']

    admin(emu, '/_emulator/assets/release', {'instance_id': SHOP_WEB1})
    admin(emu, '/_emulator/assets/release', {'instance_id': SHOP_POLARDB_HZ})
    assert ecs_instance(emu, SHOP_WEB1) is None and ecs_instance(emu, SHOP_WEB3) is not None
    assert SHOP_POLARDB_HZ not in polardb_clusters(emu) and SHOP_RDS_HZ in rds_instances(emu)
    assert [(h.host_id, h.source_instance_state) for h in list_hosts(ops).hosts] == \
        [(web1, 'Release'), (web3, 'Normal')]
    assert [h.source_instance_state for h in list_hosts(secops, instance_id=SM01, region=SH).hosts] == ['Release']
    host = ops.get_host(bh_models.GetHostRequest(region_id=HZ, instance_id=ENT01, host_id=web1)).body.host
    assert host.source_instance_state == 'Release'
    databases = ops.list_databases(bh_models.ListDatabasesRequest(region_id=HZ, instance_id=ENT01)).body.databases
    assert [(d.source_instance_id, d.source_instance_state) for d in databases] == \
        [(SHOP_POLARDB_HZ, 'Release'), (SHOP_RDS_HZ, 'Normal')]
    assert {h['SourceInstanceId']: h['SourceInstanceState'] for h in emu.instance(ENT01)['hosts']} == \
        {SHOP_WEB1: 'Release', SHOP_WEB3: 'Normal'}
    # a released instance is gone: it can be neither updated, released again nor imported anew
    for path in ('/_emulator/assets/update', '/_emulator/assets/release'):
        with pytest.raises(urllib.error.HTTPError) as info:
            admin(emu, path, {'instance_id': SHOP_WEB1, 'set': {'name': 'x'}})
        assert info.value.code == 404
    error = api_error(import_ecs, ops, SHOP_WEB1, SHOP_PROD_ID, host_name='again')
    assert (error.code, error.status_code) == ('OBJECT_NOT_FOUND', 404)
    # a reset brings the instance back and the records go
    emu.reset()
    assert ecs_instance(emu, SHOP_WEB1) is not None and SHOP_POLARDB_HZ in polardb_clusters(emu)
