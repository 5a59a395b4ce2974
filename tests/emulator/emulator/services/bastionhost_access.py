"""Bastionhost 2019-12-09: host accounts and shared keys (issue 23). Users and user groups are in
bastionhost_users.py, grants and database accounts in bastionhost_grants.py; the state is
emulator/access.py. Field names are those of the SDK response models; README.md ("O&M access") gives each
rule and its source.

No action answers a password, a private key or a passphrase (no response model has one): a host account
answers `HasPassword` and `PrivateKeyFingerprint`, a shared key `PrivateKeyFingerPrint`."""
from .. import sshkeys
from ..errors import ApiError, invalid, not_found
from ..params import page_by_number
from ..registry import action
from .bastionhost import caller_instance, contents

# Page sizes when none is given, as the request models state them.
DEFAULT_PAGE = {'ListHostAccounts': 20, 'ListHostShareKeys': 20, 'ListHostAccountsForHostShareKey': 10}


def access_of(ctx):
    """(InstanceState, AccessState) of the caller's bastion host InstanceId names."""
    state = contents(ctx, caller_instance(ctx))
    return state, state.access


def find(records, record_id, what):
    record = records.get(str(record_id))
    if record is None:
        raise not_found(f'{what} {record_id}')
    return record


def already_exists(what):
    """A name taken on this bastion host: not documented; OBJECT_AlREADY_EXISTS is the code the response
    models list for "The specified object already exists", as the emulator answers a repeated import."""
    return ApiError('OBJECT_AlREADY_EXISTS', f'The {what} already exists.')


def per_id(ids, records, id_field, what, apply):
    """One result per id, in the order sent: `apply(record)` gives the code of an id that names a record,
    OBJECT_NOT_FOUND the others."""
    results = []
    for record_id in ids:
        record = records.get(record_id)
        code = 'OBJECT_NOT_FOUND' if record is None else apply(record)
        message = {'OK': '', 'OBJECT_NOT_FOUND': f'The {what} {record_id} does not exist.',
                   'OBJECT_AlREADY_EXISTS': f'The {what} {record_id} is already there.'}.get(code, code)
        results.append({'Code': code, id_field: record_id, 'Message': message})
    return results


def exact(records, ctx, *fields):
    """The records whose fields equal those the request sends (the models: "Only exact match is supported")."""
    for field in fields:
        wanted = ctx.params.get(field)
        if wanted is not None:
            records = [r for r in records if str(r.get(field)) == str(wanted)]
    return records


def ordered(records):
    return [records[k] for k in sorted(records, key=int)]


# ------------------------------------------------------------------ host accounts

def _count_accounts(state, host_id):
    """ListHosts' HostAccountCount ("The number of host accounts") follows the host's accounts."""
    host = state.hosts.get(host_id)
    if host is not None:
        host['HostAccountCount'] = sum(a['HostId'] == host_id for a in state.access.host_accounts.values())


def _check_name(access, host_id, name, account=None):
    """A host has one account of a name, whatever its protocol: what the service does with a second is not
    documented, so the emulator refuses it."""
    if any(a['HostId'] == host_id and a['HostAccountName'] == name and a is not account
           for a in access.host_accounts.values()):
        raise already_exists(f'host account {name} of host {host_id}')


def _share_key_for(ctx, access, protocol):
    """The shared key HostShareKeyId names, for an SSH account (shared keys are SSH private keys; what the
    service does with one for an RDP account is not documented, so it is refused)."""
    key_id = ctx.params.get('HostShareKeyId')
    if key_id is None:
        return None
    if protocol != 'SSH':
        raise invalid('HostShareKeyId', key_id, 'A shared key can be set only for an SSH host account.')
    return find(access.share_keys, key_id, 'host shared key')['HostShareKeyId']


def _set_credentials(ctx, access, account):
    """Password for any account; PrivateKey and PassPhrase only for SSH ("This parameter takes effect only
    when ProtocolName is set to SSH": for an RDP account they are ignored)."""
    fields = ('Password', 'PrivateKey', 'PassPhrase') if account['ProtocolName'] == 'SSH' else ('Password',)
    for field in fields:
        value = ctx.params.get(field)
        if value is None:
            continue
        access.set_secret('host_account', account['HostAccountId'], field, value)
        if field == 'PrivateKey':
            account['PrivateKeyFingerprint'] = sshkeys.read(value)[1]


def host_account_view(access, account):
    """The fields of GetHostAccountResponseBodyHostAccount (and of ListHostAccounts' records)."""
    key = access.share_keys.get(account['HostShareKeyId'])
    return {'HasPassword': access.has_secret('host_account', account['HostAccountId'], 'Password'),
            'HostAccountId': account['HostAccountId'], 'HostAccountName': account['HostAccountName'],
            'HostId': account['HostId'], 'HostShareKeyId': account['HostShareKeyId'],
            'HostShareKeyName': key['HostShareKeyName'] if key else '',
            'PrivateKeyFingerprint': account['PrivateKeyFingerprint'], 'PrivilegeType': account['PrivilegeType'],
            'ProtocolName': account['ProtocolName'], 'RotationMode': account['RotationMode']}


@action('bastionhost', 'CreateHostAccount', write=True)
def create_host_account(ctx):
    state, access = access_of(ctx)
    host_id = find(state.hosts, ctx.params.get('HostId'), 'host')['HostId']
    name = ctx.params.get('HostAccountName')
    protocol = ctx.params.get('ProtocolName')
    _check_name(access, host_id, name)
    key_id = _share_key_for(ctx, access, protocol)
    account_id = access.new_id('host_account')
    # PrivilegeType and RotationMode: "Default value: Normal", "Default value: Self" (the request model).
    account = {'HostAccountId': account_id, 'HostId': host_id, 'HostAccountName': name, 'ProtocolName': protocol,
               'PrivilegeType': ctx.params.get('PrivilegeType', 'Normal'),
               'RotationMode': ctx.params.get('RotationMode', 'Self'), 'HostShareKeyId': key_id or '',
               'PrivateKeyFingerprint': ''}
    access.host_accounts[account_id] = account
    _set_credentials(ctx, access, account)
    _count_accounts(state, host_id)
    return {'HostAccountId': account_id}


def _host_ids(ctx, state):
    """HostId, or with HostId 0 the HostIds array ("This parameter takes effect only when the value of the
    HostId parameter is 0"); an id of HostIds that is no host of the instance lists nothing."""
    host_id = str(ctx.params.get('HostId'))
    if host_id == '0':
        return set(ctx.params.id_list('HostIds') or [])
    return {find(state.hosts, host_id, 'host')['HostId']}


@action('bastionhost', 'ListHostAccounts')
def list_host_accounts(ctx):
    state, access = access_of(ctx)
    hosts = _host_ids(ctx, state)
    accounts = exact([a for a in ordered(access.host_accounts) if a['HostId'] in hosts], ctx,
                     'HostAccountName', 'ProtocolName')
    page, meta = page_by_number(ctx.params, accounts, DEFAULT_PAGE['ListHostAccounts'])
    return {'HostAccounts': [host_account_view(access, a) for a in page], 'TotalCount': meta['TotalCount']}


@action('bastionhost', 'GetHostAccount')
def get_host_account(ctx):
    _state, access = access_of(ctx)
    account = find(access.host_accounts, ctx.params.get('HostAccountId'), 'host account')
    return {'HostAccount': host_account_view(access, account)}


@action('bastionhost', 'ModifyHostAccount', write=True)
def modify_host_account(ctx):
    """The fields sent with a value change; an empty or absent one changes nothing (as ModifyHost)."""
    _state, access = access_of(ctx)
    account = find(access.host_accounts, ctx.params.get('HostAccountId'), 'host account')
    name = ctx.params.get('HostAccountName')
    if name is not None:
        _check_name(access, account['HostId'], name, account)
    key_id = _share_key_for(ctx, access, account['ProtocolName'])
    if name is not None:
        account['HostAccountName'] = name
    if key_id is not None:
        account['HostShareKeyId'] = key_id
    for field in ('PrivilegeType', 'RotationMode'):
        if ctx.params.get(field) is not None:
            account[field] = ctx.params.get(field)
    _set_credentials(ctx, access, account)
    return {}


@action('bastionhost', 'DeleteHostAccount', write=True)
def delete_host_account(ctx):
    state, access = access_of(ctx)
    account = find(access.host_accounts, ctx.params.get('HostAccountId'), 'host account')
    del access.host_accounts[account['HostAccountId']]
    access.drop_secrets('host_account', account['HostAccountId'])
    _count_accounts(state, account['HostId'])
    return {}


# ------------------------------------------------------------------ shared keys

def _check_key_name(access, name, key=None):
    if any(k['HostShareKeyName'] == name and k is not key for k in access.share_keys.values()):
        raise already_exists(f'host shared key {name}')


def _set_key(ctx, access, key):
    """PrivateKey (its fingerprint and LastModifyKeyAt follow it) and PassPhrase, when sent."""
    changed = False
    for field in ('PrivateKey', 'PassPhrase'):
        value = ctx.params.get(field)
        if value is not None:
            access.set_secret('share_key', key['HostShareKeyId'], field, value)
            changed = True
            if field == 'PrivateKey':
                key['PrivateKeyFingerPrint'] = sshkeys.read(value)[1]
    if changed:
        key['LastModifyKeyAt'] = int(ctx.world.now())


def share_key_view(key):
    """The fields of GetHostShareKeyResponseBodyHostShareKey."""
    return {'HostShareKeyId': key['HostShareKeyId'], 'HostShareKeyName': key['HostShareKeyName'],
            'LastModifyKeyAt': key['LastModifyKeyAt'], 'PrivateKeyFingerPrint': key['PrivateKeyFingerPrint']}


def _accounts_of_key(access, key_id):
    return [a for a in ordered(access.host_accounts) if a['HostShareKeyId'] == key_id]


@action('bastionhost', 'CreateHostShareKey', write=True)
def create_host_share_key(ctx):
    _state, access = access_of(ctx)
    name = ctx.params.get('HostShareKeyName')
    _check_key_name(access, name)
    key_id = access.new_id('share_key')
    key = {'HostShareKeyId': key_id, 'HostShareKeyName': name, 'PrivateKeyFingerPrint': '', 'LastModifyKeyAt': 0}
    access.share_keys[key_id] = key
    _set_key(ctx, access, key)
    # CreateHostShareKeyResponseBody.HostShareKeyId is typed an integer (a string everywhere else).
    return {'HostShareKeyId': int(key_id)}


@action('bastionhost', 'ListHostShareKeys')
def list_host_share_keys(ctx):
    _state, access = access_of(ctx)
    page, meta = page_by_number(ctx.params, ordered(access.share_keys), DEFAULT_PAGE['ListHostShareKeys'])
    return {'HostShareKeys': [{**share_key_view(k), 'HostAccountCount': len(_accounts_of_key(access, k['HostShareKeyId']))}
                              for k in page],
            'TotalCount': meta['TotalCount']}


@action('bastionhost', 'GetHostShareKey')
def get_host_share_key(ctx):
    _state, access = access_of(ctx)
    return {'HostShareKey': share_key_view(find(access.share_keys, ctx.params.get('HostShareKeyId'),
                                                'host shared key'))}


@action('bastionhost', 'ModifyHostShareKey', write=True)
def modify_host_share_key(ctx):
    _state, access = access_of(ctx)
    key = find(access.share_keys, ctx.params.get('HostShareKeyId'), 'host shared key')
    name = ctx.params.get('HostShareKeyName')
    if name is not None:
        _check_key_name(access, name, key)
        key['HostShareKeyName'] = name
    _set_key(ctx, access, key)
    return {}


@action('bastionhost', 'DeleteHostShareKey', write=True)
def delete_host_share_key(ctx):
    """Refused while host accounts use the key: what the service does with them is not documented, and
    refusing is the answer a caller that detaches them first works with either way."""
    _state, access = access_of(ctx)
    key = find(access.share_keys, ctx.params.get('HostShareKeyId'), 'host shared key')
    users = _accounts_of_key(access, key['HostShareKeyId'])
    if users:
        raise ApiError('OperationDenied.HostShareKeyInUse',
                       f"The host shared key {key['HostShareKeyId']} is used by {len(users)} host accounts "
                       f"({', '.join(a['HostAccountId'] for a in users)}); detach them first.", status=403)
    del access.share_keys[key['HostShareKeyId']]
    access.drop_secrets('share_key', key['HostShareKeyId'])
    return {}


def _attach(key_id):
    def apply(account):
        if account['ProtocolName'] != 'SSH':
            return 'INVALID_ARGUMENT'
        if account['HostShareKeyId'] == key_id:
            return 'OBJECT_AlREADY_EXISTS'
        account['HostShareKeyId'] = key_id
        return 'OK'
    return apply


def _detach(key_id):
    def apply(account):
        if account['HostShareKeyId'] != key_id:
            return 'OBJECT_NOT_FOUND'
        account['HostShareKeyId'] = ''
        return 'OK'
    return apply


def _share_key_batch(ctx, make):
    _state, access = access_of(ctx)
    key_id = find(access.share_keys, ctx.params.get('HostShareKeyId'), 'host shared key')['HostShareKeyId']
    results = per_id(ctx.params.id_list('HostAccountIds'), access.host_accounts, 'HostAccountId', 'host account',
                     make(key_id))
    return {'Results': [{**r, 'HostShareKeyId': key_id} for r in results]}


@action('bastionhost', 'AttachHostAccountsToHostShareKey', write=True)
def attach_host_accounts_to_host_share_key(ctx):
    """Per account: OK (attached, also when it had another key), OBJECT_AlREADY_EXISTS (it has this key),
    INVALID_ARGUMENT (an RDP account), OBJECT_NOT_FOUND (no such account)."""
    return _share_key_batch(ctx, _attach)


@action('bastionhost', 'DetachHostAccountsFromHostShareKey', write=True)
def detach_host_accounts_from_host_share_key(ctx):
    """Per account: OK, or OBJECT_NOT_FOUND (no such account, or it does not have this key)."""
    return _share_key_batch(ctx, _detach)


@action('bastionhost', 'ListHostAccountsForHostShareKey')
def list_host_accounts_for_host_share_key(ctx):
    _state, access = access_of(ctx)
    key_id = find(access.share_keys, ctx.params.get('HostShareKeyId'), 'host shared key')['HostShareKeyId']
    page, meta = page_by_number(ctx.params, _accounts_of_key(access, key_id),
                                DEFAULT_PAGE['ListHostAccountsForHostShareKey'])
    # ListHostAccountsForHostShareKeyResponseBodyHostAccounts names the id HostsAccountId.
    return {'HostAccounts': [{'HostAccountName': a['HostAccountName'], 'HostId': a['HostId'],
                              'HostsAccountId': a['HostAccountId'], 'ProtocolName': a['ProtocolName']}
                             for a in page],
            'TotalCount': meta['TotalCount']}
