"""Bastionhost 2019-12-09: what a user group is granted (issue 23) and database accounts.

- Asset groups: AttachHostGroupAccountsToUserGroup / DetachHostGroupAccountsFromUserGroup (host account
  *names* per asset group; a group granted without names is granted "only to the host groups"),
  ListHostGroupsForUserGroup, ListHostGroupAccountNamesForUserGroup.
- Databases: CreateDatabaseAccount, ListDatabaseAccounts, GetDatabaseAccount, DeleteDatabaseAccount,
  AttachDatabaseAccountsToUserGroup / DetachDatabaseAccountsFromUserGroup (database account *ids* per
  database; a database granted without accounts is granted "at the database level"),
  ListDatabasesForUserGroup, ListDatabaseAccountsForUserGroup.
- ListHostsForUser: the hosts of every asset group granted to a user group of the user.

Per-entry codes are those the response models list: OK, OBJECT_NOT_FOUND (no such asset group, database or
account, or nothing of it to revoke), OBJECT_AlREADY_EXISTS (granted already); which case gets which is
the emulator's reading (README.md, "O&M access")."""
from ..params import page_by_number
from ..registry import action
from ..rules.bastionhost_access import DATABASE_GRANTS, DATABASE_SCHEMA, HOST_GROUP_GRANTS, LOGIN_ATTRIBUTE
from .bastionhost_access import access_of, already_exists, exact, find, ordered
from .bastionhost_users import user_group

DEFAULT_PAGE = 20   # the request models of every list below: "Default value: 20"
MESSAGES = {'OK': '', 'OBJECT_NOT_FOUND': 'The specified object does not exist.',
            'OBJECT_AlREADY_EXISTS': 'The specified object already exists.'}


def _result(code, **fields):
    return {'Code': code, 'Message': MESSAGES[code], **fields}


def _grant(grants, key, entries, known):
    """Grant `key` with `entries` (None or []: the key alone) in `grants` ({key: [entries]}): (code of the
    key, [(entry, code)]). `known(entry)` tells an entry that can be granted on `key`."""
    was = key in grants
    granted = grants.setdefault(key, [])
    results = []
    for entry in entries or []:
        if not known(entry):
            results.append((entry, 'OBJECT_NOT_FOUND'))
        elif entry in granted:
            results.append((entry, 'OBJECT_AlREADY_EXISTS'))
        else:
            granted.append(entry)
            results.append((entry, 'OK'))
    return ('OBJECT_AlREADY_EXISTS' if was and not entries else 'OK'), results


def _revoke(grants, key, entries):
    """Revoke `entries` on `key`; none (absent or an empty list) revokes `key` and all its entries."""
    if key not in grants:
        return 'OBJECT_NOT_FOUND', [(entry, 'OBJECT_NOT_FOUND') for entry in entries or []]
    if not entries:
        del grants[key]
        return 'OK', []
    results = []
    for entry in entries:
        if entry in grants[key]:
            grants[key].remove(entry)
            results.append((entry, 'OK'))
        else:
            results.append((entry, 'OBJECT_NOT_FOUND'))
    return 'OK', results


# ------------------------------------------------------------------ asset groups

def _host_group_batch(ctx, attach):
    state, access = access_of(ctx)
    group = user_group(ctx, access)
    grants = access.host_group_grants.setdefault(group['UserGroupId'], {})
    rule = HOST_GROUP_GRANTS['AttachHostGroupAccountsToUserGroup' if attach else 'DetachHostGroupAccountsFromUserGroup']
    results = []
    for host_group_id, names in rule.grants(ctx.params):
        if host_group_id not in state.host_groups:
            code, entries = 'OBJECT_NOT_FOUND', []
        elif attach:
            # Names are granted as names: no host needs an account of that name (terraform-provider-alicloud's
            # example of alicloud_bastionhost_host_group_account_user_group_attachment grants names on an empty
            # asset group).
            code, entries = _grant(grants, host_group_id, names, lambda name: True)
        else:
            code, entries = _revoke(grants, host_group_id, names)
        results.append(_result(code, HostGroupId=host_group_id, UserGroupId=group['UserGroupId'],
                               HostAccountNames=[_result(c, HostAccountName=n) for n, c in entries]))
    return {'Results': results}


@action('bastionhost', 'AttachHostGroupAccountsToUserGroup', write=True)
def attach_host_group_accounts_to_user_group(ctx):
    return _host_group_batch(ctx, attach=True)


@action('bastionhost', 'DetachHostGroupAccountsFromUserGroup', write=True)
def detach_host_group_accounts_from_user_group(ctx):
    return _host_group_batch(ctx, attach=False)


@action('bastionhost', 'ListHostGroupsForUserGroup')
def list_host_groups_for_user_group(ctx):
    """Mode Authorized (the default): the asset groups granted to the group; Unauthorized: the others."""
    state, access = access_of(ctx)
    granted = access.host_group_grants.get(user_group(ctx, access)['UserGroupId'], {})
    authorized = ctx.params.get('Mode', 'Authorized') == 'Authorized'
    groups = [g for g in ordered(state.host_groups) if (g['HostGroupId'] in granted) == authorized]
    groups = exact(groups, ctx, 'HostGroupName')
    page, meta = page_by_number(ctx.params, groups, DEFAULT_PAGE)
    return {'HostGroups': [{'Comment': g['Comment'], 'HostGroupId': g['HostGroupId'],
                            'HostGroupName': g['HostGroupName']} for g in page],
            'TotalCount': meta['TotalCount']}


@action('bastionhost', 'ListHostGroupAccountNamesForUserGroup')
def list_host_group_account_names_for_user_group(ctx):
    """The names granted on the asset group, in the order granted; none (an empty list) when the asset group
    is granted without names or not granted."""
    state, access = access_of(ctx)
    group = user_group(ctx, access)
    host_group_id = find(state.host_groups, ctx.params.get('HostGroupId'), 'asset group')['HostGroupId']
    names = access.host_group_grants.get(group['UserGroupId'], {}).get(host_group_id, [])
    return {'HostAccountNames': list(names)}


@action('bastionhost', 'ListHostsForUser')
def list_hosts_for_user(ctx):
    """Mode Authorized (the default): the hosts of every asset group granted to a user group of the user (the
    emulator has no grants to a user itself); Unauthorized: the other hosts. HostName, HostAddress (the
    private or the public address) and OSType match exactly."""
    state, access = access_of(ctx)
    user = find(access.users, ctx.params.get('UserId'), 'user')
    granted = {host_group_id for g in access.user_groups.values() if user['UserId'] in g['UserIds']
               for host_group_id in access.host_group_grants.get(g['UserGroupId'], {})}
    authorized = ctx.params.get('Mode', 'Authorized') == 'Authorized'
    hosts = [h for h in ordered(state.hosts) if bool(granted & set(h['HostGroupIds'])) == authorized]
    hosts = exact(hosts, ctx, 'HostName', 'OSType')
    address = ctx.params.get('HostAddress')
    if address is not None:
        hosts = [h for h in hosts if address in (h['HostPrivateAddress'], h['HostPublicAddress'])]
    page, meta = page_by_number(ctx.params, hosts, DEFAULT_PAGE)
    fields = ('ActiveAddressType', 'Comment', 'HostId', 'HostName', 'HostPrivateAddress', 'HostPublicAddress',
              'OSType')
    return {'Hosts': [{f: h.get(f, '') for f in fields} for h in page], 'TotalCount': meta['TotalCount']}


# ------------------------------------------------------------------ database accounts

SCHEMA_TYPES = ('PostgreSQL', 'Oracle')


def _database_account_view(database, account, has_password):
    """DatabaseSchema "only when the database ... is a PostgreSQL or Oracle database"; LoginAttribute "only
    for Oracle databases" (the response models)."""
    view = {'DatabaseAccountId': account['DatabaseAccountId'], 'DatabaseAccountName': account['DatabaseAccountName'],
            'HasPassword': has_password}
    if database.get('DatabaseType') in SCHEMA_TYPES:
        view['DatabaseSchema'] = account['DatabaseSchema']
    if database.get('DatabaseType') == 'Oracle':
        view['LoginAttribute'] = account['LoginAttribute']
    return view


@action('bastionhost', 'CreateDatabaseAccount', write=True)
def create_database_account(ctx):
    state, access = access_of(ctx)
    database = find(state.databases, ctx.params.get('DatabaseId'), 'database')
    DATABASE_SCHEMA.check_record(ctx.params, database)
    LOGIN_ATTRIBUTE.check_record(ctx.params, database)
    name = ctx.params.get('DatabaseAccountName')
    if any(a['DatabaseId'] == database['DatabaseId'] and a['DatabaseAccountName'] == name
           for a in access.database_accounts.values()):
        raise already_exists(f'database account {name} of database {database["DatabaseId"]}')
    account_id = access.new_id('database_account')
    access.database_accounts[account_id] = {
        'DatabaseAccountId': account_id, 'DatabaseId': database['DatabaseId'], 'DatabaseAccountName': name,
        'DatabaseSchema': ctx.params.get('DatabaseSchema', ''), 'LoginAttribute': ctx.params.get('LoginAttribute', '')}
    if ctx.params.get('Password') is not None:
        access.set_secret('database_account', account_id, 'Password', ctx.params.get('Password'))
    return {'DatabaseAccountId': account_id}


@action('bastionhost', 'ListDatabaseAccounts')
def list_database_accounts(ctx):
    """DatabaseId and DatabaseAccountName match exactly (an unknown DatabaseId lists nothing). HasPassword
    is the text true/false: ListDatabaseAccountsResponseBodyDatabaseAccounts types it as a string (GetDatabaseAccount
    as a boolean)."""
    state, access = access_of(ctx)
    accounts = exact(ordered(access.database_accounts), ctx, 'DatabaseId', 'DatabaseAccountName')
    page, meta = page_by_number(ctx.params, accounts, DEFAULT_PAGE)
    views = []
    for account in page:
        has_password = access.has_secret('database_account', account['DatabaseAccountId'], 'Password')
        view = _database_account_view(state.databases.get(account['DatabaseId'], {}), account,
                                      'true' if has_password else 'false')
        view.pop('LoginAttribute', None)     # not in the List model
        views.append({**view, 'DatabaseId': account['DatabaseId']})
    return {'DatabaseAccounts': views, 'TotalCount': meta['TotalCount']}


@action('bastionhost', 'GetDatabaseAccount')
def get_database_account(ctx):
    state, access = access_of(ctx)
    account = find(access.database_accounts, ctx.params.get('DatabaseAccountId'), 'database account')
    has_password = access.has_secret('database_account', account['DatabaseAccountId'], 'Password')
    return {'DatabaseAccount': _database_account_view(state.databases.get(account['DatabaseId'], {}), account,
                                                      has_password)}


@action('bastionhost', 'DeleteDatabaseAccount', write=True)
def delete_database_account(ctx):
    """The account goes, and with it every grant of it."""
    _state, access = access_of(ctx)
    access.forget_database_account(find(access.database_accounts, ctx.params.get('DatabaseAccountId'),
                                        'database account')['DatabaseAccountId'])
    return {}


# ------------------------------------------------------------------ grants on databases

def _database_batch(ctx, attach):
    state, access = access_of(ctx)
    group = user_group(ctx, access)
    grants = access.database_grants.setdefault(group['UserGroupId'], {})
    rule = DATABASE_GRANTS['AttachDatabaseAccountsToUserGroup' if attach else 'DetachDatabaseAccountsFromUserGroup']
    results = []
    for database_id, account_ids in rule.grants(ctx.params):
        if database_id not in state.databases:
            code, entries = 'OBJECT_NOT_FOUND', [(a, 'OBJECT_NOT_FOUND') for a in account_ids or []]
        elif attach:
            def of_database(account_id, database_id=database_id):
                account = access.database_accounts.get(account_id)
                return account is not None and account['DatabaseId'] == database_id
            code, entries = _grant(grants, database_id, account_ids, of_database)
        else:
            code, entries = _revoke(grants, database_id, account_ids)
        results.append(_result(code, DatabaseId=database_id, UserGroupId=group['UserGroupId'],
                               DatabaseAccounts=[_result(c, DatabaseAccountId=a) for a, c in entries]))
    return {'Results': results}


@action('bastionhost', 'AttachDatabaseAccountsToUserGroup', write=True)
def attach_database_accounts_to_user_group(ctx):
    return _database_batch(ctx, attach=True)


@action('bastionhost', 'DetachDatabaseAccountsFromUserGroup', write=True)
def detach_database_accounts_from_user_group(ctx):
    return _database_batch(ctx, attach=False)


@action('bastionhost', 'ListDatabasesForUserGroup')
def list_databases_for_user_group(ctx):
    """The databases granted to the group; DatabaseAccountCount is the number of its accounts granted.
    DatabaseType, DatabaseName, NetworkDomainId and DatabaseAddress (the private or the public address)
    match exactly."""
    state, access = access_of(ctx)
    granted = access.database_grants.get(user_group(ctx, access)['UserGroupId'], {})
    databases = exact([d for d in ordered(state.databases) if d['DatabaseId'] in granted], ctx,
                      'DatabaseType', 'DatabaseName', 'NetworkDomainId')
    address = ctx.params.get('DatabaseAddress')
    if address is not None:
        databases = [d for d in databases if address in (d['DatabasePrivateAddress'], d['DatabasePublicAddress'])]
    page, meta = page_by_number(ctx.params, databases, DEFAULT_PAGE)
    fields = ('ActiveAddressType', 'Comment', 'DatabaseId', 'DatabaseName', 'DatabasePort', 'DatabasePrivateAddress',
              'DatabasePublicAddress', 'DatabaseType', 'NetworkDomainId', 'Source', 'SourceInstanceId')
    return {'Databases': [{**{f: d.get(f, '') for f in fields}, 'DatabaseAccountCount': len(granted[d['DatabaseId']])}
                          for d in page],
            'TotalCount': meta['TotalCount']}


@action('bastionhost', 'ListDatabaseAccountsForUserGroup')
def list_database_accounts_for_user_group(ctx):
    """Every account of the database, each with IsAuthorized (whether the group is granted it): the response
    model has the flag, so the list is read as not only the granted accounts. ProtocolName is the database's
    type (its valid values are the database types)."""
    state, access = access_of(ctx)
    group = user_group(ctx, access)
    database = find(state.databases, ctx.params.get('DatabaseId'), 'database')
    granted = access.database_grants.get(group['UserGroupId'], {}).get(database['DatabaseId'], [])
    accounts = exact([a for a in ordered(access.database_accounts) if a['DatabaseId'] == database['DatabaseId']],
                     ctx, 'DatabaseAccountName')
    page, meta = page_by_number(ctx.params, accounts, DEFAULT_PAGE)
    return {'DatabaseAccounts': [{'DatabaseAccountId': a['DatabaseAccountId'],
                                  'DatabaseAccountName': a['DatabaseAccountName'], 'DatabaseId': a['DatabaseId'],
                                  'IsAuthorized': a['DatabaseAccountId'] in granted,
                                  'ProtocolName': database['DatabaseType']} for a in page],
            'TotalCount': meta['TotalCount']}
