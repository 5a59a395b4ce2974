"""The unsigned admin endpoints: calls log, state, reset, clock, assets/update and assets/release, and the
organisation endpoints of issue 21 (accounts/*, roles/*, console)."""
import json
import re
import urllib.error
import urllib.request

import pytest

from emulator_testlib import (
    BASIC01, DATA_DEV_ID, DATA_PROD_ID, ENT01, HZ, KEYS, MEMBER01, MGMT_ID, OLD01, OUTSIDER_ID, SECURITY_ID, SH,
    SHOP_DEV_ID, SHOP_POLARDB_HZ, SHOP_PROD_ID, SHOP_RDS_HZ, SHOP_WEB1, SHOP_WEB3, SM01, add_member, admin,
    api_error, assume, bh_models, create_local_host, demo_org, ecs_models, expect_error, import_database, import_ecs,
    list_hosts, polardb_models, rds_models, remove_member, rm_models, role_arn, sdk, sts_sdk, write_org,
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


# ------------------------------------------------------------------ the organisation (issue 21)

def admin_refusal(emu, path, payload):
    """POST an admin endpoint that must refuse: (HTTP status, its {"Code", "Message"} answer)."""
    with pytest.raises(urllib.error.HTTPError) as info:
        admin(emu, path, payload)
    return info.value.code, json.loads(info.value.read())


def rd_accounts(emu, key='ops'):
    body = sdk(emu, 'resourcemanager', key).list_accounts(rm_models.ListAccountsRequest(page_size=20)).body
    return {a.account_id: a for a in body.accounts.account}


def rd_members(client, instance_id=ENT01, region=HZ):
    body = client.list_instance_rd_members(bh_models.ListInstanceRdMembersRequest(
        region_id=region, instance_id=instance_id)).body
    return [m.member_id for m in body.members]


def state_account(emu, account_id):
    return next(a for a in emu.state()['accounts'] if a['account_id'] == account_id)


def ecs_seen_with(emu, credentials):
    """The ids of the ECS instances in cn-hangzhou that STS `credentials` see."""
    body = sts_sdk(emu, 'ecs', credentials).describe_instances(
        ecs_models.DescribeInstancesRequest(region_id=HZ, max_results=100)).body
    return [i.instance_id for i in body.instances.instance]


def test_member_leaves_the_directory(demo_emulator):
    emu = demo_emulator
    ops = sdk(emu, 'bastionhost', 'ops')
    add_member(ops, SHOP_PROD_ID)
    host_id = import_ecs(ops, SHOP_WEB1, SHOP_PROD_ID).body.host_id
    assert admin(emu, '/_emulator/accounts/leave', {'account_id': SHOP_PROD_ID}) == {'account_id': SHOP_PROD_ID}
    # the resource directory no longer knows it
    assert SHOP_PROD_ID not in rd_accounts(emu) and DATA_PROD_ID in rd_accounts(emu)
    rm = sdk(emu, 'resourcemanager', 'ops')
    expect_error('EntityNotExists.Account', 404, rm.get_account, rm_models.GetAccountRequest(account_id=SHOP_PROD_ID))
    # the bastion host keeps its record of the member and of its assets
    assert rd_members(ops) == [SHOP_PROD_ID]
    assert [h.host_id for h in list_hosts(ops).hosts] == [host_id]
    assert emu.instance(ENT01)['members'] == [SHOP_PROD_ID]
    # it cannot be added again (anywhere); it can be offboarded by UID, its assets first
    expect_error('EntityNotExists.Account', 404, add_member, sdk(emu, 'bastionhost', 'secops'), SHOP_PROD_ID,
                 instance_id=SM01, region=SH)
    expect_error('OperationDenied.MemberHasAssets', 403, remove_member, ops, SHOP_PROD_ID)
    # the account stays, with its roles and resources: the role that trusted the management account still does
    credentials = assume(emu, role_arn(SHOP_PROD_ID)).credentials
    assert SHOP_WEB1 in ecs_seen_with(emu, credentials)
    assert sdk(emu, 'sts', 'shop_prod').get_caller_identity().body.account_id == SHOP_PROD_ID
    account = state_account(emu, SHOP_PROD_ID)
    assert (account['in_resource_directory'], account['name'], account['folder']) == (False, 'shop-prod', 'fd-prod')
    ops.delete_host(bh_models.DeleteHostRequest(region_id=HZ, instance_id=ENT01, host_id=host_id))
    remove_member(ops, SHOP_PROD_ID)
    assert rd_members(ops) == []
    emu.reset()
    assert SHOP_PROD_ID in rd_accounts(emu) and state_account(emu, SHOP_PROD_ID)['in_resource_directory'] is True


def test_who_cannot_leave_the_directory(demo_emulator):
    emu = demo_emulator
    before = emu.state()
    # RemoveCloudAccount: a delegated administrator must leave the trusted service first; the management
    # account is no member of the cloud-account type
    status, answer = admin_refusal(emu, '/_emulator/accounts/leave', {'account_id': SECURITY_ID})
    assert (status, answer['Code']) == (409, 'Deny.TrustedService')
    status, answer = admin_refusal(emu, '/_emulator/accounts/leave', {'account_id': MGMT_ID})
    assert (status, answer['Code']) == (409, 'AccountTypeOrStatusMismatch')
    status, answer = admin_refusal(emu, '/_emulator/accounts/leave', {'account_id': OUTSIDER_ID})
    assert (status, answer['Code']) == (404, 'EntityNotExists.Account')
    assert admin_refusal(emu, '/_emulator/accounts/leave', {'account_id': '1999999999999999'})[0] == 404
    assert emu.state() == before
    admin(emu, '/_emulator/accounts/leave', {'account_id': SHOP_DEV_ID})
    assert admin_refusal(emu, '/_emulator/accounts/leave', {'account_id': SHOP_DEV_ID})[0] == 404


def test_a_resource_account_cannot_leave(emulator_factory, tmp_path):
    data = demo_org()
    member = next(a for a in data['accounts'] if a['id'] == DATA_DEV_ID)
    member['join_method'] = 'created'    # a resource account: RemoveCloudAccount cannot remove it
    emu = emulator_factory(write_org(tmp_path / 'org.yml', data))
    status, answer = admin_refusal(emu, '/_emulator/accounts/leave', {'account_id': DATA_DEV_ID})
    assert (status, answer['Code']) == (409, 'AccountTypeOrStatusMismatch')


def test_member_renamed_and_moved(demo_emulator):
    emu = demo_emulator
    answer = admin(emu, '/_emulator/accounts/update', {'account_id': DATA_DEV_ID, 'set': {
        'name': 'data-staging', 'folder': 'fd-prod'}})
    assert answer == {'account_id': DATA_DEV_ID}
    account = rd_accounts(emu)[DATA_DEV_ID]
    assert (account.display_name, account.folder_id) == ('data-staging', 'fd-prod')
    got = sdk(emu, 'resourcemanager', 'ops').get_account(rm_models.GetAccountRequest(account_id=DATA_DEV_ID)).body
    assert (got.account.display_name, got.account.folder_id) == ('data-staging', 'fd-prod')
    # to the Root folder, and retagged (the tags replaced as a whole)
    admin(emu, '/_emulator/accounts/update', {'account_id': DATA_DEV_ID, 'set': {'folder': None, 'tags': {'env': 'x'}}})
    body = sdk(emu, 'resourcemanager', 'ops').list_accounts(rm_models.ListAccountsRequest(
        include_tags=True, page_size=20)).body
    account = next(a for a in body.accounts.account if a.account_id == DATA_DEV_ID)
    assert (account.display_name, account.folder_id) == ('data-staging', 'r-emu001')
    assert {t.key: t.value for t in account.tags.tag} == {'env': 'x'}
    assert state_account(emu, DATA_DEV_ID) == {
        'account_id': DATA_DEV_ID, 'name': 'data-staging', 'folder': None, 'tags': {'env': 'x'},
        'in_resource_directory': True, 'roles': state_account(emu, DATA_DEV_ID)['roles']}
    emu.reset()
    assert (rd_accounts(emu)[DATA_DEV_ID].display_name, rd_accounts(emu)[DATA_DEV_ID].folder_id) == \
        ('data-dev', 'fd-dev')


@pytest.mark.parametrize('payload, status', [
    ({'account_id': DATA_DEV_ID, 'set': {'folder': 'fd-nowhere'}}, 400),
    ({'account_id': DATA_DEV_ID, 'set': {'name': ''}}, 400),
    ({'account_id': DATA_DEV_ID, 'set': {'tags': ['env']}}, 400),
    ({'account_id': DATA_DEV_ID, 'set': {'id': '1000000000000023'}}, 400),
    ({'account_id': DATA_DEV_ID, 'set': {'in_resource_directory': False}}, 400),
    ({'account_id': DATA_DEV_ID}, 400),
    ({'account_id': '1999999999999999', 'set': {'name': 'x'}}, 404),
])
def test_accounts_update_refusals(demo_emulator, payload, status):
    before = demo_emulator.state()
    assert admin_refusal(demo_emulator, '/_emulator/accounts/update', payload)[0] == status
    assert demo_emulator.state() == before


def test_role_deleted_or_no_longer_trusting(demo_emulator):
    emu = demo_emulator
    arn = role_arn(SHOP_PROD_ID)
    assert assume(emu, arn).credentials.access_key_id.startswith('STS.')
    # the role stops trusting the management account: the delegated administrator it still trusts may assume it
    answer = admin(emu, '/_emulator/roles/update', {'account_id': SHOP_PROD_ID, 'role': 'BastionhostImportRole',
                                                    'set': {'trusted_accounts': [SECURITY_ID]}})
    assert answer == {'account_id': SHOP_PROD_ID, 'role': 'BastionhostImportRole'}
    error = expect_error('NoPermission', 403, assume, emu, arn)
    assert error.data['Message'] == 'You are not authorized to do this action. You should be authorized by RAM.'
    assert assume(emu, arn, key='secops').credentials.access_key_id.startswith('STS.')
    assert assume(emu, role_arn(DATA_PROD_ID)).credentials   # the other members are untouched
    # the role is deleted (its name is matched without regard to case, as AssumeRole matches it)
    answer = admin(emu, '/_emulator/roles/delete', {'account_id': SHOP_PROD_ID, 'role': 'bastionhostimportrole'})
    assert answer == {'account_id': SHOP_PROD_ID, 'role': 'BastionhostImportRole'}
    error = expect_error('EntityNotExist.Role', 404, assume, emu, arn, key='secops')
    assert f'acs:ram::{SHOP_PROD_ID}:role/BastionhostImportRole' in error.data['Message']
    assert [r['name'] for r in state_account(emu, SHOP_PROD_ID)['roles']] == ['ResourceDirectoryAccountAccessRole']
    # a person creates it again
    answer = admin(emu, '/_emulator/roles/create', {'account_id': SHOP_PROD_ID, 'role': {
        'name': 'BastionhostImportRole', 'trusted_accounts': [MGMT_ID], 'policies': ['AliyunECSReadOnlyAccess']}})
    assert answer == {'account_id': SHOP_PROD_ID, 'role': 'BastionhostImportRole'}
    credentials = assume(emu, arn).credentials
    assert SHOP_WEB1 in ecs_seen_with(emu, credentials)
    rds = sts_sdk(emu, 'rds', credentials)
    expect_error('Forbidden.RAM', 403, rds.describe_dbinstances, rds_models.DescribeDBInstancesRequest(region_id=HZ))
    assert state_account(emu, SHOP_PROD_ID)['roles'][-1] == {
        'name': 'BastionhostImportRole', 'trusted_accounts': [MGMT_ID], 'policies': ['AliyunECSReadOnlyAccess']}
    emu.reset()
    assert len(state_account(emu, SHOP_PROD_ID)['roles']) == 2


def test_credentials_issued_before_a_role_changes_keep_working(demo_emulator):
    emu = demo_emulator
    credentials = assume(emu, role_arn(SHOP_PROD_ID)).credentials
    admin(emu, '/_emulator/roles/delete', {'account_id': SHOP_PROD_ID, 'role': 'BastionhostImportRole'})
    assert SHOP_WEB1 in ecs_seen_with(emu, credentials)
    emu.advance_clock(3600)
    expect_error('InvalidSecurityToken.Expired', 400, sts_sdk(emu, 'sts', credentials).get_caller_identity)


def test_the_default_access_role_can_go_too(demo_emulator):
    emu = demo_emulator
    arn = role_arn(DATA_DEV_ID, 'ResourceDirectoryAccountAccessRole')
    assert assume(emu, arn).credentials
    admin(emu, '/_emulator/roles/update', {'account_id': DATA_DEV_ID, 'role': 'ResourceDirectoryAccountAccessRole',
                                           'set': {'trusted_accounts': []}})
    expect_error('NoPermission', 403, assume, emu, arn)
    admin(emu, '/_emulator/roles/delete', {'account_id': DATA_DEV_ID, 'role': 'ResourceDirectoryAccountAccessRole'})
    expect_error('EntityNotExist.Role', 404, assume, emu, arn)


@pytest.mark.parametrize('path, payload, status', [
    ('/_emulator/roles/update', {'account_id': SHOP_PROD_ID, 'role': 'NoSuchRole', 'set': {'policies': []}}, 404),
    ('/_emulator/roles/update', {'account_id': '1999999999999999', 'role': 'BastionhostImportRole',
                                 'set': {'policies': []}}, 404),
    ('/_emulator/roles/update', {'account_id': SHOP_PROD_ID, 'role': 'BastionhostImportRole',
                                 'set': {'name': 'Other'}}, 400),
    ('/_emulator/roles/update', {'account_id': SHOP_PROD_ID, 'role': 'BastionhostImportRole',
                                 'set': {'trusted_accounts': MGMT_ID}}, 400),
    ('/_emulator/roles/delete', {'account_id': SHOP_PROD_ID, 'role': 'NoSuchRole'}, 404),
    ('/_emulator/roles/create', {'account_id': SHOP_PROD_ID, 'role': {'name': 'bastionhostimportrole'}}, 409),
    ('/_emulator/roles/create', {'account_id': SHOP_PROD_ID, 'role': {'trusted_accounts': []}}, 400),
    ('/_emulator/roles/create', {'account_id': SHOP_PROD_ID, 'role': {'name': 'R', 'trust': []}}, 400),
])
def test_role_endpoints_refusals(demo_emulator, path, payload, status):
    before = demo_emulator.state()
    assert admin_refusal(demo_emulator, path, payload)[0] == status
    assert demo_emulator.state() == before


def test_organisation_endpoints_need_a_json_object(demo_emulator):
    for body in (b'not json', b'[1, 2]'):
        request = urllib.request.Request(demo_emulator.url + '/_emulator/accounts/leave', data=body, method='POST')
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request, timeout=10)
        assert (info.value.code, json.loads(info.value.read())['Code']) == (400, 'InvalidJSON')


# ------------------------------------------------------------------ the console

def console_refusal(emu, instance_id, action, **params):
    """A console edit that must be refused: (HTTP status, the answer)."""
    with pytest.raises(urllib.error.HTTPError) as info:
        emu.console(instance_id, action, **params)
    return info.value.code, json.loads(info.value.read())


def get_host(client, host_id):
    return client.get_host(bh_models.GetHostRequest(region_id=HZ, instance_id=ENT01, host_id=host_id)).body.host


def test_console_edits_a_host_and_a_database(demo_emulator):
    emu = demo_emulator
    ops = sdk(emu, 'bastionhost', 'ops')
    add_member(ops, SHOP_PROD_ID)
    host_id = import_ecs(ops, SHOP_WEB1, SHOP_PROD_ID, host_name='shop-web-1').body.host_id
    database_id = import_database(ops, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    calls = emu.calls()
    answer = emu.console(ENT01, 'ModifyHost', HostId=host_id, HostName='web-1 (jump)', Comment='kept by hand',
                         HostPublicAddress='47.96.118.31')
    assert answer['RequestId'].startswith('EMU-CONSOLE-') and set(answer) == {'RequestId'}
    answer = emu.console(ENT01, 'ModifyHostsActiveAddressType', HostIds=[host_id], ActiveAddressType='Public')
    assert answer['Results'] == [{'Code': 'OK', 'HostId': host_id, 'Message': ''}]
    host = get_host(ops, host_id)
    assert (host.host_name, host.comment, host.host_public_address, host.active_address_type) == \
        ('web-1 (jump)', 'kept by hand', '47.96.118.31', 'Public')
    emu.console(ENT01, 'ModifyDatabase', DatabaseId=database_id, SourceInstanceId=SHOP_RDS_HZ, DatabasePort=3307,
                Comment='by hand')
    database = ops.list_databases(bh_models.ListDatabasesRequest(region_id=HZ, instance_id=ENT01)).body.databases[0]
    assert (database.database_port, database.comment) == (3307, 'by hand')
    # a person's clicks are not calls of the collection: the calls log holds only the SDK's reads
    assert [c['action'] for c in emu.calls()[len(calls):]] == ['GetHost', 'ListDatabases']


def test_console_imports_by_hand(demo_emulator):
    emu = demo_emulator
    ops = sdk(emu, 'bastionhost', 'ops')
    local = emu.console(ENT01, 'CreateHost', Source='Local', HostName='jump-legacy', OSType='Linux',
                        ActiveAddressType='Private', HostPrivateAddress='10.1.0.99', Comment='old jump host')['HostId']
    # the management account's own ECS (no member: the bastion host's own account)
    own = emu.console(ENT01, 'CreateHost', Source='Ecs', SourceInstanceId='i-bp13wsju5nauyan',
                      InstanceRegionId=HZ, HostName='admin-1', OSType='Linux', ActiveAddressType='Private',
                      HostPrivateAddress='10.1.0.10', Comment='ops team')['HostId']
    # a member's host and database, by hand (the member added through the console too)
    emu.console(ENT01, 'AddInstanceRdMember', MemberId=SHOP_PROD_ID)
    member = emu.console(ENT01, 'CreateHost', Source='Ecs', SourceInstanceId=SHOP_WEB3, InstanceRegionId=HZ,
                         InstanceMemberId=SHOP_PROD_ID, HostName='my-web', OSType='Linux',
                         ActiveAddressType='Private', HostPrivateAddress='10.11.1.13')['HostId']
    database = emu.console(ENT01, 'CreateDatabase', Source='Rds', SourceInstanceId=SHOP_RDS_HZ,
                           SourceInstanceRegionId=HZ, InstanceMemberId=SHOP_PROD_ID, DatabaseType='MySQL',
                           ActiveAddressType='Private',
                           DatabasePrivateAddress='rm-bp1yso2lcyz7mga.mysql.rds.aliyuncs.com')['DatabaseId']
    hosts = {h.host_id: h for h in list_hosts(ops).hosts}
    assert {k: (h.source, h.host_name, h.comment) for k, h in hosts.items()} == {
        local: ('Local', 'jump-legacy', 'old jump host'), own: ('Ecs', 'admin-1', 'ops team'),
        member: ('Ecs', 'my-web', '')}
    records = {h['HostId']: h for h in emu.instance(ENT01)['hosts']}
    assert 'InstanceMemberId' not in records[own] and records[member]['InstanceMemberId'] == SHOP_PROD_ID
    assert emu.instance(ENT01)['databases'][0]['DatabaseId'] == database
    assert rd_members(ops) == [SHOP_PROD_ID]
    # the same business rules as through the API: no second import of one instance
    status, answer = console_refusal(emu, ENT01, 'CreateHost', Source='Ecs', SourceInstanceId=SHOP_WEB3,
                                     InstanceRegionId=HZ, InstanceMemberId=SHOP_PROD_ID, HostName='again',
                                     OSType='Linux', ActiveAddressType='Private', HostPrivateAddress='10.11.1.13')
    assert (status, answer['Code']) == (400, 'OBJECT_AlREADY_EXISTS')
    assert [c['action'] for c in emu.calls()] == ['ListHosts', 'ListInstanceRdMembers']


def test_console_asset_groups(demo_emulator):
    emu = demo_emulator
    ops = sdk(emu, 'bastionhost', 'ops')
    add_member(ops, SHOP_PROD_ID)
    web1 = import_ecs(ops, SHOP_WEB1, SHOP_PROD_ID).body.host_id
    local = create_local_host(ops, 'local-1').body.host_id
    database_id = import_database(ops, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    group = emu.console(ENT01, 'CreateHostGroup', HostGroupName='ecs', Comment='made by hand')['HostGroupId']
    assert [r['Code'] for r in emu.console(ENT01, 'AddHostsToGroup', HostGroupId=group,
                                           HostIds=[web1, local])['Results']] == ['OK', 'OK']
    emu.console(ENT01, 'AddDatabasesToGroup', HostGroupId=group, DatabaseIds=[database_id])
    emu.console(ENT01, 'ModifyHostGroup', HostGroupId=group, HostGroupName='ecs-hand', Comment='ours')
    emu.console(ENT01, 'RemoveHostsFromGroup', HostGroupId=group, HostIds=[local])
    body = ops.list_host_groups(bh_models.ListHostGroupsRequest(region_id=HZ, instance_id=ENT01)).body
    assert [(g.host_group_id, g.host_group_name, g.comment, g.member_count) for g in body.host_groups] == \
        [(group, 'ecs-hand', 'ours', 1)]
    assert emu.instance(ENT01)['host_groups'] == [{'HostGroupId': group, 'HostGroupName': 'ecs-hand',
                                                   'Comment': 'ours', 'HostIds': [web1],
                                                   'DatabaseIds': [database_id]}]
    emu.console(ENT01, 'RemoveDatabasesFromGroup', HostGroupId=group, DatabaseIds=[database_id])
    emu.console(ENT01, 'DeleteHostGroup', HostGroupId=group)
    assert ops.list_host_groups(bh_models.ListHostGroupsRequest(region_id=HZ, instance_id=ENT01)).body.total_count == 0
    assert list_hosts(ops).total_count == 2


def test_console_keeps_the_rules(demo_emulator):
    emu = demo_emulator
    before = emu.state()
    status, answer = console_refusal(emu, ENT01, 'CreateHostGroup', Comment='no name')
    assert (status, answer['Code']) == (400, 'MissingParameter') and '"HostGroupName"' in answer['Message']
    assert set(answer) == {'RequestId', 'HostId', 'Code', 'Message', 'Recommend'}
    assert console_refusal(emu, ENT01, 'ModifyHost', HostId='404', HostName='x')[1]['Code'] == 'OBJECT_NOT_FOUND'
    assert console_refusal(emu, ENT01, 'CreateHost', Source='Ecs', SourceInstanceId=SHOP_WEB1, InstanceRegionId=HZ,
                           InstanceMemberId=SHOP_PROD_ID, HostName='web', OSType='Linux',
                           ActiveAddressType='Private', HostPrivateAddress='10.11.1.11')[1]['Code'] == \
        'EntityNotExists.Member'
    assert console_refusal(emu, ENT01, 'ModifyHost', HostId='1', Comment='c' * 501)[1]['Code'] == 'InvalidParameter'
    emu.console(ENT01, 'CreateHostGroup', HostGroupName='g')
    assert console_refusal(emu, ENT01, 'CreateHostGroup', HostGroupName='g')[1]['Code'] == 'HostGroupAlreadyExists'
    # the Basic edition cannot take members, through the console either
    assert console_refusal(emu, BASIC01, 'AddInstanceRdMember', MemberId=SHOP_PROD_ID)[1]['Code'] == \
        'OperationDenied.EditionNotSupported'
    # the console acts as the bastion host's owner: the delegated administrator's own
    emu.console(SM01, 'AddInstanceRdMember', MemberId=SHOP_PROD_ID)
    assert emu.instance(SM01)['members'] == [SHOP_PROD_ID]
    # unknown bastion hosts and actions, and other products' actions, are no console edit
    for instance_id, action in (('bastionhost-cn-hz-nothere', 'ListHosts'), (ENT01, 'NoSuchAction'),
                                (ENT01, 'AssumeRole'), (ENT01, 'DescribeDBInstances')):
        status, answer = console_refusal(emu, instance_id, action)
        assert (status, answer['Code']) == (404, 'NotFound'), action
    assert [i for i in emu.state()['instances'] if i['instance_id'] not in (ENT01, SM01)] == \
        [i for i in before['instances'] if i['instance_id'] not in (ENT01, SM01)]
    assert emu.calls() == []


def test_console_is_outside_the_knobs(emulator_with):
    emu = emulator_with('--fault-rate', '1', '--lost-response-rate', '1', '--seed', '3')
    expect_error('ServiceUnavailable', 503, sdk(emu, 'bastionhost', 'ops').describe_instances,
                 bh_models.DescribeInstancesRequest(region_id=HZ))
    group = emu.console(ENT01, 'CreateHostGroup', HostGroupName='g')['HostGroupId']
    assert emu.instance(ENT01)['host_groups'][0]['HostGroupId'] == group
    assert [c['action'] for c in emu.calls()] == ['DescribeInstances']


def test_state_shows_the_accounts(demo_emulator):
    accounts = {a['account_id']: a for a in demo_emulator.state()['accounts']}
    assert set(accounts) == {MGMT_ID, SECURITY_ID, SHOP_PROD_ID, DATA_PROD_ID, SHOP_DEV_ID, DATA_DEV_ID, OUTSIDER_ID}
    shop = accounts[SHOP_PROD_ID]
    assert (shop['name'], shop['folder'], shop['tags'], shop['in_resource_directory']) == \
        ('shop-prod', 'fd-prod', {'env': 'prod', 'team': 'shop'}, True)
    assert shop['roles'] == [
        {'name': 'BastionhostImportRole', 'trusted_accounts': [MGMT_ID, SECURITY_ID],
         'policies': ['AliyunECSReadOnlyAccess', 'AliyunRDSReadOnlyAccess', 'AliyunPolardbReadOnlyAccess']},
        {'name': 'ResourceDirectoryAccountAccessRole', 'trusted_accounts': [MGMT_ID],
         'policies': ['AdministratorAccess']}]
    assert accounts[OUTSIDER_ID]['in_resource_directory'] is False
    assert 'instances' in demo_emulator.state()
