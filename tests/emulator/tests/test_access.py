"""O&M access for imported assets (issue 23), through the official Bastionhost SDK: host accounts, shared keys,
users, user groups, their grants on asset groups and databases, database accounts and ListHostsForUser; and
that no password, private key or passphrase is ever answered, logged or shown in the state."""
import base64
import json
import shutil
import subprocess

import pytest

from emulator_testlib import (
    ENT01, HZ, SHOP_PROD_ID, SHOP_RDS_HZ, SHOP_WEB1, SHOP_WEB3, add_member, api_error, bh_models, create_local_host,
    demo_org, expect_error, import_database, import_ecs, list_hosts, running_emulator, sdk, write_org,
)

STYLES = [pytest.param(False, id='acs3'), pytest.param(True, id='rpc-v2')]
PASSWORD = 'Host-Pa55word!secret'
PASSPHRASE = 'a-passphrase-never-shown'
USER_PASSWORD = 'User-Pa55word!secret'
DB_PASSWORD = 'Db-Pa55word!secret'


@pytest.fixture(scope='module')
def _module_demo_emulator(tmp_path_factory):
    """The demo organisation without the users its bastion host declares (its teams): these tests make their
    own users and count from the first id."""
    org = demo_org()
    for account in org['accounts']:
        for bastion in account.get('bastionhosts') or []:
            bastion.pop('users', None)
    with running_emulator(write_org(tmp_path_factory.mktemp('org') / 'demo.yml', org)) as emulator:
        yield emulator


# ------------------------------------------------------------------ keys, as ssh-keygen writes them

def _keygen(directory, name, *args):
    path = directory / name
    subprocess.run(['ssh-keygen', '-q', '-N', '', '-C', 'emulator-test', '-f', str(path), *args], check=True)
    fingerprint = subprocess.run(['ssh-keygen', '-l', '-f', str(path) + '.pub'], check=True, capture_output=True,
                                 text=True).stdout.split()[1]
    return {'text': path.read_text(), 'b64': base64.b64encode(path.read_bytes()).decode(), 'fingerprint': fingerprint}


@pytest.fixture(scope='module')
def keys(tmp_path_factory):
    if shutil.which('ssh-keygen') is None:
        pytest.skip('ssh-keygen is not installed')
    directory = tmp_path_factory.mktemp('keys')
    return {'ed25519': _keygen(directory, 'ed', '-t', 'ed25519'),
            'rsa': _keygen(directory, 'rsa', '-t', 'rsa', '-b', '2048'),
            'rsa_pem': _keygen(directory, 'rsa_pem', '-t', 'rsa', '-b', '2048', '-m', 'PEM'),
            'ecdsa': _keygen(directory, 'ec', '-t', 'ecdsa')}


# ------------------------------------------------------------------ SDK shortcuts

def call(client, name, **params):
    """`client.<snake name>(<Name>Request(region_id=HZ, instance_id=ENT01, **params)).body`."""
    request = getattr(bh_models, name + 'Request')(region_id=HZ, instance_id=ENT01, **params)
    snake = ''.join('_' + c.lower() if c.isupper() else c for c in name).lstrip('_')
    return getattr(client, snake)(request).body


def refused(code, status, client, name, **params):
    return expect_error(code, status, call, client, name, **params)


@pytest.fixture
def ops(demo_emulator):
    """The ops client with shop-prod added to ENT01."""
    client = sdk(demo_emulator, 'bastionhost', 'ops')
    add_member(client, SHOP_PROD_ID)
    return client


def host_account(client, host_id, name='root', protocol='SSH', **params):
    return call(client, 'CreateHostAccount', host_id=host_id, host_account_name=name, protocol_name=protocol,
                **params).host_account_id


def accounts_of(client, host_id):
    return call(client, 'ListHostAccounts', host_id=host_id).host_accounts


def create_group(client, name):
    return client.create_host_group(bh_models.CreateHostGroupRequest(
        region_id=HZ, instance_id=ENT01, host_group_name=name)).body.host_group_id


def add_hosts(client, group_id, host_ids):
    return client.add_hosts_to_group(bh_models.AddHostsToGroupRequest(
        region_id=HZ, instance_id=ENT01, host_group_id=group_id, host_ids=json.dumps(host_ids))).body


def user(client, name, password=USER_PASSWORD, **params):
    return call(client, 'CreateUser', user_name=name, source='Local', password=password, **params).user_id


def user_group(client, name, comment=None):
    return call(client, 'CreateUserGroup', user_group_name=name, comment=comment).user_group_id


def grant_host_groups(client, user_group_id, grants, detach=False):
    name = 'DetachHostGroupAccountsFromUserGroup' if detach else 'AttachHostGroupAccountsToUserGroup'
    return call(client, name, user_group_id=user_group_id, host_groups=json.dumps(grants)).results


def database_grants(detach=False):
    return bh_models.DetachDatabaseAccountsFromUserGroupRequestDatabases if detach else \
        bh_models.AttachDatabaseAccountsToUserGroupRequestDatabases


def grant_databases(client, user_group_id, grants, detach=False):
    element = database_grants(detach)
    databases = [element(database_id=d, database_account_ids=ids) for d, ids in grants]
    name = 'DetachDatabaseAccountsFromUserGroup' if detach else 'AttachDatabaseAccountsToUserGroup'
    return call(client, name, user_group_id=user_group_id, databases=databases).results


def hosts_for_user(client, user_id, **params):
    return [h.host_id for h in call(client, 'ListHostsForUser', user_id=user_id, **params).hosts]


# ------------------------------------------------------------------ host accounts

@pytest.mark.parametrize('v2', STYLES)
def test_host_account_life(demo_emulator, keys, v2):
    client = sdk(demo_emulator, 'bastionhost', 'ops', v2=v2)
    add_member(client, SHOP_PROD_ID)
    host_id = import_ecs(client, SHOP_WEB1, SHOP_PROD_ID).body.host_id
    account_id = host_account(client, host_id, password=PASSWORD)
    assert account_id == '1'
    [listed] = accounts_of(client, host_id)
    assert (listed.host_account_id, listed.host_account_name, listed.host_id, listed.protocol_name,
            listed.has_password, listed.private_key_fingerprint, listed.host_share_key_id, listed.privilege_type,
            listed.rotation_mode) == (account_id, 'root', host_id, 'SSH', True, '', '', 'Normal', 'Self')
    assert list_hosts(client).hosts[0].host_account_count == 1
    # a private key: its fingerprint is ssh-keygen -l's
    call(client, 'ModifyHostAccount', host_account_id=account_id, private_key=keys['ed25519']['b64'],
         pass_phrase=PASSPHRASE)
    got = call(client, 'GetHostAccount', host_account_id=account_id).host_account
    assert (got.has_password, got.private_key_fingerprint) == (True, keys['ed25519']['fingerprint'])
    # only what is sent with a value changes; a rename keeps the credentials
    call(client, 'ModifyHostAccount', host_account_id=account_id, host_account_name='admin', password='')
    got = call(client, 'GetHostAccount', host_account_id=account_id).host_account
    assert (got.host_account_name, got.has_password, got.private_key_fingerprint) == \
        ('admin', True, keys['ed25519']['fingerprint'])
    state = demo_emulator.instance(ENT01)['host_accounts']
    assert [(a['HostAccountName'], a['HasPassword'], a['HasPrivateKey'], a['HasPassPhrase']) for a in state] == \
        [('admin', True, True, True)]
    # filters: exact name, protocol
    rdp = host_account(client, host_id, 'Administrator', 'RDP')
    assert [a.host_account_id for a in accounts_of(client, host_id)] == [account_id, rdp]
    assert [a.host_account_id for a in call(client, 'ListHostAccounts', host_id=host_id,
                                            protocol_name='RDP').host_accounts] == [rdp]
    assert call(client, 'ListHostAccounts', host_id=host_id, host_account_name='admi').total_count == 0
    call(client, 'DeleteHostAccount', host_account_id=account_id)
    assert [a.host_account_id for a in accounts_of(client, host_id)] == [rdp]
    assert list_hosts(client).hosts[0].host_account_count == 1
    refused('OBJECT_NOT_FOUND', 404, client, 'GetHostAccount', host_account_id=account_id)
    refused('OBJECT_NOT_FOUND', 404, client, 'DeleteHostAccount', host_account_id=account_id)
    assert [c['action'] for c in demo_emulator.writes()][-1] == 'DeleteHostAccount'


def test_host_account_rules(demo_emulator, ops, keys):
    host_id = import_ecs(ops, SHOP_WEB1, SHOP_PROD_ID).body.host_id
    for missing_field in ('host_id', 'host_account_name', 'protocol_name'):
        params = {'host_id': host_id, 'host_account_name': 'root', 'protocol_name': 'SSH', missing_field: None}
        refused('MissingParameter', 400, ops, 'CreateHostAccount', **params)
    assert 'ProtocolName' in refused('InvalidParameter', 400, ops, 'CreateHostAccount', host_id=host_id,
                                     host_account_name='root', protocol_name='Telnet').message
    refused('InvalidParameter', 400, ops, 'CreateHostAccount', host_id=host_id, host_account_name='r' * 129,
            protocol_name='SSH')
    refused('InvalidParameter', 400, ops, 'CreateHostAccount', host_id=host_id, host_account_name='root',
            protocol_name='SSH', privilege_type='Root')
    # a private key is the Base64 of an RSA or Ed25519 key; the error never quotes it
    for bad in (keys['ed25519']['text'], base64.b64encode(b'not a key').decode(), keys['ecdsa']['b64']):
        error = refused('InvalidParameter', 400, ops, 'CreateHostAccount', host_id=host_id, host_account_name='root',
                        protocol_name='SSH', private_key=bad)
        assert 'PrivateKey' in error.message and bad not in error.message and 'BEGIN' not in error.message
    host_account(ops, host_id, 'rsa', private_key=keys['rsa_pem']['b64'])
    assert accounts_of(ops, host_id)[0].private_key_fingerprint == keys['rsa_pem']['fingerprint']
    # the business rules
    refused('OBJECT_NOT_FOUND', 404, ops, 'CreateHostAccount', host_id='404', host_account_name='root',
            protocol_name='SSH')
    host_account(ops, host_id, 'root')
    refused('OBJECT_AlREADY_EXISTS', 400, ops, 'CreateHostAccount', host_id=host_id, host_account_name='root',
            protocol_name='RDP')
    refused('OBJECT_AlREADY_EXISTS', 400, ops, 'ModifyHostAccount', host_account_id='2', host_account_name='rsa')
    # the same name on another host is another account
    other = import_ecs(ops, SHOP_WEB3, SHOP_PROD_ID).body.host_id
    host_account(ops, other, 'root')
    refused('OBJECT_NOT_FOUND', 404, ops, 'ListHostAccounts', host_id='404')
    # HostId 0: HostIds
    both = call(ops, 'ListHostAccounts', host_id='0', host_ids=json.dumps([host_id, other])).host_accounts
    assert [(a.host_id, a.host_account_name) for a in both] == [(host_id, 'rsa'), (host_id, 'root'), (other, 'root')]
    # RDP: a private key has no effect, a shared key is refused
    rdp = host_account(ops, host_id, 'Administrator', 'RDP', private_key=keys['rsa']['b64'])
    assert call(ops, 'GetHostAccount', host_account_id=rdp).host_account.private_key_fingerprint == ''
    key_id = str(call(ops, 'CreateHostShareKey', host_share_key_name='k', private_key=keys['rsa']['b64'])
                 .host_share_key_id)
    refused('InvalidParameter', 400, ops, 'ModifyHostAccount', host_account_id=rdp, host_share_key_id=key_id)
    refused('OBJECT_NOT_FOUND', 404, ops, 'CreateHostAccount', host_id=host_id, host_account_name='k',
            protocol_name='SSH', host_share_key_id='404')
    # read-only callers read, never write
    auditor = sdk(demo_emulator, 'bastionhost', 'auditor')
    assert accounts_of(auditor, host_id)
    refused('Forbidden.RAM', 403, auditor, 'CreateHostAccount', host_id=host_id, host_account_name='x',
            protocol_name='SSH')


def test_a_deleted_host_takes_its_accounts(demo_emulator, ops):
    host_id = import_ecs(ops, SHOP_WEB1, SHOP_PROD_ID).body.host_id
    host_account(ops, host_id, 'root', password=PASSWORD)
    ops.delete_host(bh_models.DeleteHostRequest(region_id=HZ, instance_id=ENT01, host_id=host_id))
    assert demo_emulator.instance(ENT01)['host_accounts'] == []
    refused('OBJECT_NOT_FOUND', 404, ops, 'GetHostAccount', host_account_id='1')


# ------------------------------------------------------------------ shared keys

@pytest.mark.parametrize('v2', STYLES)
def test_shared_key_life(demo_emulator, keys, v2):
    client = sdk(demo_emulator, 'bastionhost', 'ops', v2=v2)
    add_member(client, SHOP_PROD_ID)
    web1, web3 = (import_ecs(client, i, SHOP_PROD_ID).body.host_id for i in (SHOP_WEB1, SHOP_WEB3))
    created = call(client, 'CreateHostShareKey', host_share_key_name='ops-key', private_key=keys['ed25519']['b64'],
                   pass_phrase=base64.b64encode(PASSPHRASE.encode()).decode())
    key_id = str(created.host_share_key_id)
    assert key_id == '1'
    got = call(client, 'GetHostShareKey', host_share_key_id=key_id).host_share_key
    assert (got.host_share_key_name, got.private_key_finger_print) == ('ops-key', keys['ed25519']['fingerprint'])
    first_change = got.last_modify_key_at
    assert first_change > 0
    # an account can be created with the key, others attached to it
    one = host_account(client, web1, 'root', host_share_key_id=key_id)
    two = host_account(client, web3, 'root')
    rdp = host_account(client, web3, 'Administrator', 'RDP')
    results = call(client, 'AttachHostAccountsToHostShareKey', host_share_key_id=key_id,
                   host_account_ids=json.dumps([two, one, rdp, '404'])).results
    assert [(r.host_account_id, r.host_share_key_id, r.code) for r in results] == [
        (two, key_id, 'OK'), (one, key_id, 'OBJECT_AlREADY_EXISTS'), (rdp, key_id, 'INVALID_ARGUMENT'),
        ('404', key_id, 'OBJECT_NOT_FOUND')]
    listed = call(client, 'ListHostAccountsForHostShareKey', host_share_key_id=key_id)
    assert [(a.hosts_account_id, a.host_id, a.host_account_name, a.protocol_name) for a in listed.host_accounts] == [
        (one, web1, 'root', 'SSH'), (two, web3, 'root', 'SSH')]
    [summary] = call(client, 'ListHostShareKeys').host_share_keys
    assert (summary.host_share_key_id, summary.host_account_count) == (key_id, 2)
    account = call(client, 'GetHostAccount', host_account_id=two).host_account
    assert (account.host_share_key_id, account.host_share_key_name) == (key_id, 'ops-key')
    # a new key: a new fingerprint and LastModifyKeyAt; a new name alone does not touch it
    demo_emulator.advance_clock(60)
    call(client, 'ModifyHostShareKey', host_share_key_id=key_id, host_share_key_name='ops-key-2')
    assert call(client, 'GetHostShareKey', host_share_key_id=key_id).host_share_key.last_modify_key_at == first_change
    call(client, 'ModifyHostShareKey', host_share_key_id=key_id, private_key=keys['rsa']['b64'])
    got = call(client, 'GetHostShareKey', host_share_key_id=key_id).host_share_key
    assert (got.host_share_key_name, got.private_key_finger_print) == ('ops-key-2', keys['rsa']['fingerprint'])
    assert got.last_modify_key_at >= first_change + 60
    # not deleted while accounts use it
    refused('OperationDenied.HostShareKeyInUse', 403, client, 'DeleteHostShareKey', host_share_key_id=key_id)
    results = call(client, 'DetachHostAccountsFromHostShareKey', host_share_key_id=key_id,
                   host_account_ids=json.dumps([one, two, rdp])).results
    assert [r.code for r in results] == ['OK', 'OK', 'OBJECT_NOT_FOUND']
    assert call(client, 'ListHostAccountsForHostShareKey', host_share_key_id=key_id).total_count == 0
    call(client, 'DeleteHostShareKey', host_share_key_id=key_id)
    assert call(client, 'ListHostShareKeys').total_count == 0
    refused('OBJECT_NOT_FOUND', 404, client, 'GetHostShareKey', host_share_key_id=key_id)


def test_shared_key_rules(demo_emulator, ops, keys):
    refused('MissingParameter', 400, ops, 'CreateHostShareKey', host_share_key_name='k')
    refused('MissingParameter', 400, ops, 'CreateHostShareKey', private_key=keys['rsa']['b64'])
    refused('InvalidParameter', 400, ops, 'CreateHostShareKey', host_share_key_name='k' * 129,
            private_key=keys['rsa']['b64'])
    for bad in (keys['rsa']['text'], keys['ecdsa']['b64'], base64.b64encode(b'-----BEGIN PUBLIC KEY-----').decode()):
        error = refused('InvalidParameter', 400, ops, 'CreateHostShareKey', host_share_key_name='k', private_key=bad)
        assert 'PrivateKey' in error.message and bad not in error.message
    error = refused('InvalidParameter', 400, ops, 'CreateHostShareKey', host_share_key_name='k',
                    private_key=keys['rsa']['b64'], pass_phrase=PASSPHRASE)
    assert 'PassPhrase' in error.message and PASSPHRASE not in error.message
    call(ops, 'CreateHostShareKey', host_share_key_name='k', private_key=keys['rsa']['b64'])
    refused('OBJECT_AlREADY_EXISTS', 400, ops, 'CreateHostShareKey', host_share_key_name='k',
            private_key=keys['ed25519']['b64'])
    refused('MissingParameter', 400, ops, 'ModifyHostShareKey', host_share_key_name='x')
    refused('MissingParameter', 400, ops, 'ListHostAccountsForHostShareKey')
    refused('MissingParameter', 400, ops, 'AttachHostAccountsToHostShareKey', host_share_key_id='1')
    refused('InvalidParameter', 400, ops, 'AttachHostAccountsToHostShareKey', host_share_key_id='1',
            host_account_ids='1,2')
    refused('OBJECT_NOT_FOUND', 404, ops, 'AttachHostAccountsToHostShareKey', host_share_key_id='404',
            host_account_ids='["1"]')


# ------------------------------------------------------------------ users and user groups

def test_users(demo_emulator, ops):
    user_id = user(ops, 'alice', display_name='Alice', comment='ops team', mobile='13800000000')
    got = call(ops, 'GetUser', user_id=user_id).user
    assert (got.user_id, got.user_name, got.display_name, got.source, got.source_user_id, got.comment, got.mobile,
            got.mobile_country_code, got.user_state, got.two_factor_status) == \
        (user_id, 'alice', 'Alice', 'Local', '', 'ops team', '13800000000', 'CN', ['Normal'], 'Global')
    ram = call(ops, 'CreateUser', user_name='bob', source='Ram', source_user_id='2765300000000000').user_id
    assert call(ops, 'GetUser', user_id=ram).user.display_name == 'bob'     # the logon name when none is given
    assert [u.user_name for u in call(ops, 'ListUsers').users] == ['alice', 'bob']
    assert [u.user_name for u in call(ops, 'ListUsers', source='Ram').users] == ['bob']
    assert call(ops, 'ListUsers', user_name='ali').total_count == 0
    refused('OBJECT_AlREADY_EXISTS', 400, ops, 'CreateUser', user_name='alice', source='Local', password=USER_PASSWORD)
    refused('OBJECT_NOT_FOUND', 404, ops, 'GetUser', user_id='404')
    state = demo_emulator.instance(ENT01)['users']
    assert [(u['UserName'], u['Source'], u['HasPassword']) for u in state] == [
        ('alice', 'Local', True), ('bob', 'Ram', False)]


def test_create_user_rules(demo_emulator, ops):
    refused('MissingParameter', 400, ops, 'CreateUser', user_name='alice', source='Local')        # Password
    refused('MissingParameter', 400, ops, 'CreateUser', user_name='bob', source='Ram')            # SourceUserId
    refused('InvalidParameter', 400, ops, 'CreateUser', user_name='bob', source='Sso', password=USER_PASSWORD)
    refused('InvalidParameter', 400, ops, 'CreateUser', user_name='a-b', source='Local', password=USER_PASSWORD)
    refused('InvalidParameter', 400, ops, 'CreateUser', user_name='a' * 129, source='Local', password=USER_PASSWORD)
    for weak in ('Sh0rt!', 'alllowercase1!', 'NoDigits!!', 'NoSpecial123', 'A1!' + 'a' * 126):
        error = refused('InvalidParameter', 400, ops, 'CreateUser', user_name='alice', source='Local', password=weak)
        assert 'Password' in error.message and weak not in error.message
    refused('MissingParameter', 400, ops, 'CreateUser', user_name='alice', source='Local', password=USER_PASSWORD,
            two_factor_status='Enable')                                                          # TwoFactorMethods
    refused('MissingParameter', 400, ops, 'CreateUser', user_name='alice', source='Local', password=USER_PASSWORD,
            two_factor_status='Enable', two_factor_methods='email')                              # Email
    refused('MissingParameter', 400, ops, 'CreateUser', user_name='alice', source='Local', password=USER_PASSWORD,
            two_factor_status='Enable', two_factor_methods='sms')                                # Mobile
    refused('MissingParameter', 400, ops, 'CreateUser', user_name='alice', source='Local', password=USER_PASSWORD,
            language_status='Custom')                                                            # Language
    refused('InvalidParameter', 400, ops, 'CreateUser', user_name='alice', source='Local', password=USER_PASSWORD,
            mobile_country_code='FR')
    user_id = user(ops, 'alice', two_factor_status='Enable', two_factor_methods='email', email='a@example.com',
                   language_status='Custom', language='en', need_reset_password=True)
    got = call(ops, 'GetUser', user_id=user_id).user
    assert (got.two_factor_methods, got.email, got.language, got.need_reset_password) == \
        (['email'], 'a@example.com', 'en', True)


@pytest.mark.parametrize('v2', STYLES)
def test_user_groups(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'ops', v2=v2)
    alice, bob, carol = (user(client, n) for n in ('alice', 'bob', 'carol'))
    team = user_group(client, 'shop-team', 'the shop developers')
    other = user_group(client, 'other')
    assert (team, other) == ('1', '2')
    results = call(client, 'AddUsersToGroup', user_group_id=team, user_ids=json.dumps([alice, bob, alice, '404'])).results
    assert [(r.user_id, r.user_group_id, r.code) for r in results] == [
        (alice, team, 'OK'), (bob, team, 'OK'), (alice, team, 'OBJECT_AlREADY_EXISTS'), ('404', team, 'OBJECT_NOT_FOUND')]
    listed = call(client, 'ListUserGroups').user_groups
    assert [(g.user_group_id, g.user_group_name, g.comment, g.member_count) for g in listed] == [
        (team, 'shop-team', 'the shop developers', 2), (other, 'other', '', 0)]
    assert [u.user_id for u in call(client, 'ListUsers', user_group_id=team).users] == [alice, bob]
    assert call(client, 'ListUsers', user_group_id='404').total_count == 0
    results = call(client, 'RemoveUsersFromGroup', user_group_id=team, user_ids=json.dumps([bob, carol])).results
    assert [r.code for r in results] == ['OK', 'OBJECT_NOT_FOUND']
    assert [u.user_id for u in call(client, 'ListUsers', user_group_id=team).users] == [alice]
    got = call(client, 'GetUserGroup', user_group_id=team).user_group
    assert (got.user_group_id, got.user_group_name, got.comment) == (team, 'shop-team', 'the shop developers')
    call(client, 'ModifyUserGroup', user_group_id=team, user_group_name='shop', comment='')
    assert call(client, 'GetUserGroup', user_group_id=team).user_group.comment == 'the shop developers'
    refused('OBJECT_AlREADY_EXISTS', 400, client, 'ModifyUserGroup', user_group_id=team, user_group_name='other')
    refused('OBJECT_AlREADY_EXISTS', 400, client, 'CreateUserGroup', user_group_name='shop')
    assert [g.user_group_id for g in call(client, 'ListUserGroups', user_group_name='shop').user_groups] == [team]
    state = demo_emulator.instance(ENT01)
    assert [(g['UserGroupName'], g['UserIds'], g['UserNames']) for g in state['user_groups']] == [
        ('shop', [alice], ['alice']), ('other', [], [])]
    assert [u['UserGroupIds'] for u in state['users']] == [[team], [], []]
    call(client, 'DeleteUserGroup', user_group_id=team)
    refused('OBJECT_NOT_FOUND', 404, client, 'GetUserGroup', user_group_id=team)
    assert call(client, 'ListUsers').total_count == 3                    # its users stay
    refused('OBJECT_NOT_FOUND', 404, client, 'AddUsersToGroup', user_group_id=team, user_ids='["1"]')


def test_user_group_rules(demo_emulator, ops):
    refused('MissingParameter', 400, ops, 'CreateUserGroup')
    refused('InvalidParameter', 400, ops, 'CreateUserGroup', user_group_name='g' * 129)
    refused('InvalidParameter', 400, ops, 'CreateUserGroup', user_group_name='g', comment='c' * 501)
    group = user_group(ops, 'g')
    refused('MissingParameter', 400, ops, 'AddUsersToGroup', user_group_id=group)
    refused('InvalidParameter', 400, ops, 'AddUsersToGroup', user_group_id=group, user_ids='1,2')
    refused('InvalidParameter', 400, ops, 'AddUsersToGroup', user_group_id=group,
            user_ids=json.dumps([str(i) for i in range(101)]))
    refused('Forbidden.RAM', 403, sdk(demo_emulator, 'bastionhost', 'auditor'), 'CreateUserGroup', user_group_name='x')
    assert call(sdk(demo_emulator, 'bastionhost', 'auditor'), 'ListUserGroups').total_count == 1


def test_org_file_users(emulator_factory, tmp_path):
    data = demo_org()
    host = next(h for a in data['accounts'] for h in a.get('bastionhosts') or [] if h['id'] == ENT01)
    host['users'] = [{'name': 'alice', 'source': 'Local'}, {'name': 'bob'},
                     {'name': 'carol', 'source': 'Ram', 'source_user_id': '2765300000000001', 'display_name': 'Carol'}]
    emu = emulator_factory(write_org(tmp_path / 'org.yml', data))
    assert [(u['UserId'], u['UserName'], u['Source']) for u in emu.instance(ENT01)['users']] == [
        ('1', 'alice', 'Local'), ('2', 'bob', 'Local'), ('3', 'carol', 'Ram')]
    client = sdk(emu, 'bastionhost', 'ops')
    users = call(client, 'ListUsers').users
    assert [(u.user_id, u.user_name, u.display_name, u.source_user_id) for u in users] == [
        ('1', 'alice', 'alice', ''), ('2', 'bob', 'bob', ''), ('3', 'carol', 'Carol', '2765300000000001')]
    assert user(client, 'dave') == '4'
    emu.reset()
    assert [u['UserName'] for u in emu.instance(ENT01)['users']] == ['alice', 'bob', 'carol']
    assert all(i['users'] == [] for i in emu.state()['instances'] if i['instance_id'] != ENT01)


# ------------------------------------------------------------------ grants on asset groups, ListHostsForUser

@pytest.mark.parametrize('v2', STYLES)
def test_asset_group_grants_and_hosts_for_user(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'ops', v2=v2)
    add_member(client, SHOP_PROD_ID)
    web1, web3 = (import_ecs(client, i, SHOP_PROD_ID).body.host_id for i in (SHOP_WEB1, SHOP_WEB3))
    local = create_local_host(client, 'local-1').body.host_id
    shop, empty, spare = (create_group(client, n) for n in ('shop-ecs', 'empty', 'spare'))
    add_hosts(client, shop, [web1, web3])
    add_hosts(client, spare, [local])
    alice, bob = user(client, 'alice'), user(client, 'bob')
    team = user_group(client, 'shop-team')
    call(client, 'AddUsersToGroup', user_group_id=team, user_ids=json.dumps([alice]))
    assert hosts_for_user(client, alice) == []
    # names are granted as names: on an empty asset group too
    results = grant_host_groups(client, team, [{'HostGroupId': shop, 'HostAccountNames': ['root', 'deploy']},
                                               {'HostGroupId': empty, 'HostAccountNames': ['root']},
                                               {'HostGroupId': '404'}])
    assert [(r.host_group_id, r.user_group_id, r.code, [(n.host_account_name, n.code) for n in r.host_account_names])
            for r in results] == [
        (shop, team, 'OK', [('root', 'OK'), ('deploy', 'OK')]), (empty, team, 'OK', [('root', 'OK')]),
        ('404', team, 'OBJECT_NOT_FOUND', [])]
    assert hosts_for_user(client, alice) == [web1, web3]
    assert hosts_for_user(client, alice, mode='Unauthorized') == [local]
    assert hosts_for_user(client, bob) == []
    [host] = call(client, 'ListHostsForUser', user_id=alice, host_name=SHOP_WEB3).hosts
    assert (host.host_id, host.host_name, host.ostype, host.active_address_type, host.host_private_address) == \
        (web3, SHOP_WEB3, 'Linux', 'Private', list_hosts(client, host_name=SHOP_WEB3).hosts[0].host_private_address)
    assert hosts_for_user(client, alice, host_address=host.host_private_address) == [web3]
    # again: what is granted already says so
    results = grant_host_groups(client, team, [{'HostGroupId': shop, 'HostAccountNames': ['root', 'admin']},
                                               {'HostGroupId': empty}])
    assert [(r.code, [(n.host_account_name, n.code) for n in r.host_account_names]) for r in results] == [
        ('OK', [('root', 'OBJECT_AlREADY_EXISTS'), ('admin', 'OK')]), ('OBJECT_AlREADY_EXISTS', [])]
    names = call(client, 'ListHostGroupAccountNamesForUserGroup', user_group_id=team, host_group_id=shop)
    assert names.host_account_names == ['root', 'deploy', 'admin']
    assert call(client, 'ListHostGroupAccountNamesForUserGroup', user_group_id=team,
                host_group_id=spare).host_account_names == []
    refused('OBJECT_NOT_FOUND', 404, client, 'ListHostGroupAccountNamesForUserGroup', user_group_id=team,
            host_group_id='404')
    granted = call(client, 'ListHostGroupsForUserGroup', user_group_id=team).host_groups
    assert [(g.host_group_id, g.host_group_name) for g in granted] == [(shop, 'shop-ecs'), (empty, 'empty')]
    assert [g.host_group_id for g in call(client, 'ListHostGroupsForUserGroup', user_group_id=team,
                                          mode='Unauthorized').host_groups] == [spare]
    assert demo_emulator.instance(ENT01)['grants'] == [{
        'UserGroupId': team, 'UserGroupName': 'shop-team', 'Databases': [],
        'HostGroups': [{'HostGroupId': shop, 'HostAccountNames': ['root', 'deploy', 'admin']},
                       {'HostGroupId': empty, 'HostAccountNames': ['root']}]}]
    # revoking names keeps the asset group granted; revoking the group alone takes all
    results = grant_host_groups(client, team, [{'HostGroupId': shop, 'HostAccountNames': ['deploy', 'nobody']},
                                               {'HostGroupId': spare}], detach=True)
    assert [(r.code, [(n.host_account_name, n.code) for n in r.host_account_names]) for r in results] == [
        ('OK', [('deploy', 'OK'), ('nobody', 'OBJECT_NOT_FOUND')]), ('OBJECT_NOT_FOUND', [])]
    assert hosts_for_user(client, alice) == [web1, web3]
    grant_host_groups(client, team, [{'HostGroupId': shop}], detach=True)
    assert hosts_for_user(client, alice) == []
    assert [g.host_group_id for g in call(client, 'ListHostGroupsForUserGroup', user_group_id=team).host_groups] == \
        [empty]
    # membership follows the asset group: a host added later is granted too
    grant_host_groups(client, team, [{'HostGroupId': spare}])
    assert hosts_for_user(client, alice) == [local]
    add_hosts(client, spare, [web1])
    assert hosts_for_user(client, alice) == [web1, local]
    refused('OBJECT_NOT_FOUND', 404, client, 'ListHostsForUser', user_id='404')


def test_grants_go_with_their_asset_group_and_user_group(demo_emulator, ops):
    host_id = import_ecs(ops, SHOP_WEB1, SHOP_PROD_ID).body.host_id
    group = create_group(ops, 'g')
    add_hosts(ops, group, [host_id])
    alice = user(ops, 'alice')
    team = user_group(ops, 'team')
    call(ops, 'AddUsersToGroup', user_group_id=team, user_ids=json.dumps([alice]))
    grant_host_groups(ops, team, [{'HostGroupId': group, 'HostAccountNames': ['root']}])
    assert hosts_for_user(ops, alice) == [host_id]
    ops.delete_host_group(bh_models.DeleteHostGroupRequest(region_id=HZ, instance_id=ENT01, host_group_id=group))
    assert hosts_for_user(ops, alice) == []
    assert demo_emulator.instance(ENT01)['grants'][0]['HostGroups'] == []
    group = create_group(ops, 'g')
    add_hosts(ops, group, [host_id])
    grant_host_groups(ops, team, [{'HostGroupId': group}])
    call(ops, 'DeleteUserGroup', user_group_id=team)
    assert hosts_for_user(ops, alice) == []
    assert demo_emulator.instance(ENT01)['grants'] == []


def test_asset_group_grant_rules(demo_emulator, ops):
    team = user_group(ops, 'team')
    refused('MissingParameter', 400, ops, 'AttachHostGroupAccountsToUserGroup', user_group_id=team)
    for bad in ('1', '{"HostGroupId": "1"}', '[{"HostAccountNames": ["root"]}]', '[{"HostGroupId": "1", '
                '"HostAccountNames": "root"}]'):
        refused('InvalidParameter', 400, ops, 'AttachHostGroupAccountsToUserGroup', user_group_id=team, host_groups=bad)
    eleven = [{'HostGroupId': str(i)} for i in range(1, 12)]
    for name in ('AttachHostGroupAccountsToUserGroup', 'DetachHostGroupAccountsFromUserGroup'):
        refused('InvalidParameter', 400, ops, name, user_group_id=team, host_groups=json.dumps(eleven))
        refused('InvalidParameter', 400, ops, name, user_group_id=team, host_groups=json.dumps(
            [{'HostGroupId': '1', 'HostAccountNames': [f'a{i}' for i in range(11)]}]))
        # a host group given twice (not documented: refused rather than its names added up past 10)
        refused('InvalidParameter', 400, ops, name, user_group_id=team, host_groups=json.dumps(
            [{'HostGroupId': '1', 'HostAccountNames': ['a']}, {'HostGroupId': '1', 'HostAccountNames': ['b']}]))
    grant_host_groups(ops, team, eleven[:10])                        # ten: within the limit (none found)
    refused('OBJECT_NOT_FOUND', 404, ops, 'AttachHostGroupAccountsToUserGroup', user_group_id='404',
            host_groups='[{"HostGroupId": "1"}]')
    refused('InvalidParameter', 400, ops, 'ListHostsForUser', user_id='1', mode='All')
    refused('MissingParameter', 400, ops, 'ListHostGroupAccountNamesForUserGroup', user_group_id=team)


# ------------------------------------------------------------------ database accounts and their grants

def local_database(client, name, database_type, port=5432):
    return client.create_database(bh_models.CreateDatabaseRequest(
        region_id=HZ, instance_id=ENT01, source='Local', database_type=database_type, database_name=name,
        database_port=port, active_address_type='Private', database_private_address='10.9.9.10')).body.database_id


def database_account(client, database_id, name, **params):
    return call(client, 'CreateDatabaseAccount', database_id=database_id, database_account_name=name,
                **params).database_account_id


def test_database_accounts(demo_emulator, ops):
    mysql = import_database(ops, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    postgres = local_database(ops, 'pg', 'PostgreSQL')
    oracle = local_database(ops, 'ora', 'Oracle', 1521)
    app = database_account(ops, mysql, 'app', password=DB_PASSWORD)
    report = database_account(ops, mysql, 'report')
    refused('OBJECT_AlREADY_EXISTS', 400, ops, 'CreateDatabaseAccount', database_id=mysql, database_account_name='app')
    refused('MissingParameter', 400, ops, 'CreateDatabaseAccount', database_id=postgres, database_account_name='app')
    pg_app = database_account(ops, postgres, 'app', database_schema='shop')
    refused('MissingParameter', 400, ops, 'CreateDatabaseAccount', database_id=oracle, database_account_name='app',
            database_schema='ORCL')                                                              # LoginAttribute
    refused('InvalidParameter', 400, ops, 'CreateDatabaseAccount', database_id=oracle, database_account_name='app',
            database_schema='ORCL', login_attribute='TNS')
    ora_app = database_account(ops, oracle, 'app', database_schema='ORCL', login_attribute='SID')
    refused('OBJECT_NOT_FOUND', 404, ops, 'CreateDatabaseAccount', database_id='404', database_account_name='app')
    listed = call(ops, 'ListDatabaseAccounts', database_id=mysql).database_accounts
    assert [(a.database_account_id, a.database_account_name, a.database_id, a.has_password, a.database_schema)
            for a in listed] == [(app, 'app', mysql, 'true', None), (report, 'report', mysql, 'false', None)]
    assert call(ops, 'ListDatabaseAccounts').total_count == 4
    assert call(ops, 'ListDatabaseAccounts', database_account_name='app').total_count == 3
    got = call(ops, 'GetDatabaseAccount', database_account_id=ora_app).database_account
    assert (got.database_account_name, got.database_schema, got.login_attribute, got.has_password) == \
        ('app', 'ORCL', 'SID', False)
    got = call(ops, 'GetDatabaseAccount', database_account_id=pg_app).database_account
    assert (got.database_schema, got.login_attribute) == ('shop', None)
    call(ops, 'DeleteDatabaseAccount', database_account_id=report)
    refused('OBJECT_NOT_FOUND', 404, ops, 'GetDatabaseAccount', database_account_id=report)
    assert [(a['DatabaseAccountName'], a['HasPassword']) for a in
            demo_emulator.instance(ENT01)['database_accounts']] == [('app', True), ('app', False), ('app', False)]


@pytest.mark.parametrize('v2', STYLES)
def test_database_grants(demo_emulator, v2):
    client = sdk(demo_emulator, 'bastionhost', 'ops', v2=v2)
    add_member(client, SHOP_PROD_ID)
    mysql = import_database(client, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    postgres = local_database(client, 'pg', 'PostgreSQL')
    app, report = (database_account(client, mysql, n) for n in ('app', 'report'))
    pg_app = database_account(client, postgres, 'app', database_schema='shop')
    team = user_group(client, 'team')
    results = grant_databases(client, team, [(mysql, [app, pg_app, '404']), (postgres, None), ('404', [app])])
    assert [(r.database_id, r.user_group_id, r.code, [(a.database_account_id, a.code) for a in r.database_accounts])
            for r in results] == [
        (mysql, team, 'OK', [(app, 'OK'), (pg_app, 'OBJECT_NOT_FOUND'), ('404', 'OBJECT_NOT_FOUND')]),
        (postgres, team, 'OK', []), ('404', team, 'OBJECT_NOT_FOUND', [(app, 'OBJECT_NOT_FOUND')])]
    databases = call(client, 'ListDatabasesForUserGroup', user_group_id=team).databases
    assert [(d.database_id, d.database_type, d.source, d.source_instance_id, d.database_account_count)
            for d in databases] == [(mysql, 'MySQL', 'Rds', SHOP_RDS_HZ, 1), (postgres, 'PostgreSQL', 'Local', '', 0)]
    assert [d.database_id for d in call(client, 'ListDatabasesForUserGroup', user_group_id=team,
                                        database_type='PostgreSQL').databases] == [postgres]
    accounts = call(client, 'ListDatabaseAccountsForUserGroup', user_group_id=team, database_id=mysql).database_accounts
    assert [(a.database_account_id, a.is_authorized, a.protocol_name) for a in accounts] == [
        (app, True, 'MySQL'), (report, False, 'MySQL')]
    results = grant_databases(client, team, [(mysql, [app, report]), (postgres, None)])
    assert [(r.code, [(a.database_account_id, a.code) for a in r.database_accounts]) for r in results] == [
        ('OK', [(app, 'OBJECT_AlREADY_EXISTS'), (report, 'OK')]), ('OBJECT_AlREADY_EXISTS', [])]
    assert demo_emulator.instance(ENT01)['grants'][0]['Databases'] == [
        {'DatabaseId': mysql, 'DatabaseAccountIds': [app, report]}, {'DatabaseId': postgres, 'DatabaseAccountIds': []}]
    # revoking accounts keeps the database granted; revoking the database alone takes all
    results = grant_databases(client, team, [(mysql, [report, pg_app])], detach=True)
    assert [(a.database_account_id, a.code) for a in results[0].database_accounts] == [
        (report, 'OK'), (pg_app, 'OBJECT_NOT_FOUND')]
    assert [d.database_account_count for d in call(client, 'ListDatabasesForUserGroup', user_group_id=team).databases] \
        == [1, 0]
    results = grant_databases(client, team, [(postgres, None), (postgres, None)], detach=True)
    assert [r.code for r in results] == ['OK', 'OBJECT_NOT_FOUND']
    # a deleted account leaves its grants, a deleted database takes its accounts and grants
    call(client, 'DeleteDatabaseAccount', database_account_id=app)
    assert demo_emulator.instance(ENT01)['grants'][0]['Databases'] == [{'DatabaseId': mysql, 'DatabaseAccountIds': []}]
    client.delete_database(bh_models.DeleteDatabaseRequest(region_id=HZ, instance_id=ENT01, database_id=mysql))
    assert demo_emulator.instance(ENT01)['grants'][0]['Databases'] == []
    assert [a['DatabaseId'] for a in demo_emulator.instance(ENT01)['database_accounts']] == [postgres]


def test_database_grant_rules(demo_emulator, ops):
    mysql = import_database(ops, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    team = user_group(ops, 'team')
    refused('MissingParameter', 400, ops, 'AttachDatabaseAccountsToUserGroup', user_group_id=team)
    refused('MissingParameter', 400, ops, 'DetachDatabaseAccountsFromUserGroup', user_group_id=team)
    refused('MissingParameter', 400, ops, 'AttachDatabaseAccountsToUserGroup', user_group_id=team,
            databases=[database_grants()(database_account_ids=['1'])])
    # up to 10 databases and 10 database accounts (in all)
    refused('InvalidParameter', 400, ops, 'AttachDatabaseAccountsToUserGroup', user_group_id=team,
            databases=[database_grants()(database_id=str(i)) for i in range(11)])
    refused('InvalidParameter', 400, ops, 'AttachDatabaseAccountsToUserGroup', user_group_id=team,
            databases=[database_grants()(database_id=mysql, database_account_ids=[str(i) for i in range(6)]),
                       database_grants()(database_id='9', database_account_ids=[str(i) for i in range(5)])])
    grant_databases(ops, team, [(mysql, [str(i) for i in range(10)])])
    # Detach: up to 10 database account ids (its API page; the model states no limit)
    refused('InvalidParameter', 400, ops, 'DetachDatabaseAccountsFromUserGroup', user_group_id=team,
            databases=[database_grants(detach=True)(database_id=mysql, database_account_ids=[str(i) for i in range(11)])])
    refused('OBJECT_NOT_FOUND', 404, ops, 'ListDatabaseAccountsForUserGroup', user_group_id=team, database_id='404')
    refused('MissingParameter', 400, ops, 'ListDatabaseAccountsForUserGroup', user_group_id=team)


# ------------------------------------------------------------------ secrets

def test_no_secret_is_answered_logged_or_shown(demo_emulator, ops, keys):
    """Every password, private key and passphrase sent: in no answer, not in /_emulator/calls (which shows
    that one was sent), not in /_emulator/state, not in an error."""
    emu = demo_emulator
    key_passphrase = base64.b64encode(PASSPHRASE.encode()).decode()
    secrets = [PASSWORD, PASSPHRASE, key_passphrase, USER_PASSWORD, DB_PASSWORD] + \
        [k[f] for k in keys.values() for f in ('b64', 'text')]
    answers = []
    host_id = import_ecs(ops, SHOP_WEB1, SHOP_PROD_ID).body.host_id
    answers.append(call(ops, 'CreateHostShareKey', host_share_key_name='k', private_key=keys['rsa']['b64'],
                        pass_phrase=key_passphrase))
    answers.append(call(ops, 'CreateHostAccount', host_id=host_id, host_account_name='root', protocol_name='SSH',
                        password=PASSWORD, private_key=keys['ed25519']['b64'], pass_phrase=PASSPHRASE))
    answers.append(call(ops, 'ModifyHostAccount', host_account_id='1', password=PASSWORD + '2',
                        private_key=keys['rsa_pem']['b64']))
    secrets.append(PASSWORD + '2')
    answers.append(call(ops, 'ModifyHostShareKey', host_share_key_id='1', private_key=keys['ed25519']['b64'],
                        pass_phrase=key_passphrase))
    answers.append(call(ops, 'CreateUser', user_name='alice', source='Local', password=USER_PASSWORD))
    database_id = import_database(ops, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    answers.append(call(ops, 'CreateDatabaseAccount', database_id=database_id, database_account_name='app',
                        password=DB_PASSWORD))
    for name, params in (('ListHostAccounts', {'host_id': host_id}), ('GetHostAccount', {'host_account_id': '1'}),
                         ('ListHostShareKeys', {}), ('GetHostShareKey', {'host_share_key_id': '1'}),
                         ('ListUsers', {}), ('GetUser', {'user_id': '1'}), ('ListDatabaseAccounts', {}),
                         ('GetDatabaseAccount', {'database_account_id': '1'})):
        answers.append(call(ops, name, **params))
    errors = [api_error(call, ops, 'CreateHostShareKey', host_share_key_name='k', private_key=keys['rsa']['b64']),
              api_error(call, ops, 'CreateHostShareKey', host_share_key_name='k2', private_key=keys['ecdsa']['b64']),
              api_error(call, ops, 'CreateHostShareKey', host_share_key_name='k2', private_key=keys['rsa']['text']),
              api_error(call, ops, 'CreateUser', user_name='bob', source='Local', password='weak-' + PASSPHRASE)]
    texts = {'answers': json.dumps([a.to_map() for a in answers]), 'errors': json.dumps([e.data for e in errors]),
             'calls': json.dumps(emu.calls()), 'state': json.dumps(emu.state())}
    for where, text in texts.items():
        for secret in secrets:
            assert secret not in text, where
        assert 'BEGIN' not in text and 'PRIVATE KEY' not in text, where
    calls = [c for c in emu.calls() if c['action'] == 'CreateHostAccount']
    assert {k: calls[0]['params'][k] for k in ('Password', 'PrivateKey', 'PassPhrase')} == {
        'Password': '******', 'PrivateKey': '******', 'PassPhrase': '******'}
    # what is shown instead: whether it is set, and the key's fingerprint
    [account] = emu.instance(ENT01)['host_accounts']
    assert (account['HasPassword'], account['HasPrivateKey'], account['PrivateKeyFingerprint']) == \
        (True, True, keys['rsa_pem']['fingerprint'])
    [key] = emu.instance(ENT01)['share_keys']
    assert (key['HostShareKeyName'], key['PrivateKeyFingerPrint'], key['HasPassPhrase'], key['HostAccountIds']) == \
        ('k', keys['ed25519']['fingerprint'], True, [])


def test_the_console_grants_as_the_api_does(demo_emulator, ops):
    """A person's edits in the console (POST /_emulator/console) go through the same actions and rules."""
    emu = demo_emulator
    host_id = import_ecs(ops, SHOP_WEB1, SHOP_PROD_ID).body.host_id
    group = create_group(ops, 'g')
    add_hosts(ops, group, [host_id])
    database_id = import_database(ops, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID).body.database_id
    alice = emu.console(ENT01, 'CreateUser', UserName='alice', Source='Local', Password=USER_PASSWORD)['UserId']
    team = emu.console(ENT01, 'CreateUserGroup', UserGroupName='team')['UserGroupId']
    assert emu.console(ENT01, 'AddUsersToGroup', UserGroupId=team, UserIds=[alice])['Results'][0]['Code'] == 'OK'
    answer = emu.console(ENT01, 'AttachHostGroupAccountsToUserGroup', UserGroupId=team,
                         HostGroups=[{'HostGroupId': group, 'HostAccountNames': ['root']}])
    assert answer['Results'][0]['HostAccountNames'][0]['Code'] == 'OK'
    account = emu.console(ENT01, 'CreateDatabaseAccount', DatabaseId=database_id, DatabaseAccountName='app',
                          Password=DB_PASSWORD)['DatabaseAccountId']
    answer = emu.console(ENT01, 'AttachDatabaseAccountsToUserGroup', UserGroupId=team,
                         Databases=[{'DatabaseId': database_id, 'DatabaseAccountIds': [account]}])
    assert answer['Results'][0]['DatabaseAccounts'][0]['Code'] == 'OK'
    assert hosts_for_user(ops, alice) == [host_id]
    assert emu.instance(ENT01)['grants'] == [{
        'UserGroupId': team, 'UserGroupName': 'team',
        'HostGroups': [{'HostGroupId': group, 'HostAccountNames': ['root']}],
        'Databases': [{'DatabaseId': database_id, 'DatabaseAccountIds': [account]}]}]
    assert not [c for c in emu.calls() if c['action'] in ('CreateUser', 'CreateDatabaseAccount')]
