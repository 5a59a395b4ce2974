"""What a bastion host holds for O&M access (issue 23): host accounts, shared keys, users, user groups,
database accounts and the user groups' grants on asset groups and databases.

Secrets (passwords, private keys, passphrases) are kept apart from the records, in `_secrets`: a record is
what the API may answer, and `view()` (what /_emulator/state shows) says only whether a secret is set."""

SECRET_FIELDS = ('Password', 'PrivateKey', 'PassPhrase')


def ordered(records):
    """The records of a dict in the order of their numeric ids."""
    return [records[k] for k in sorted(records, key=int)]


class AccessState:
    def __init__(self):
        self.host_accounts = {}      # id -> {HostAccountId, HostId, HostAccountName, ProtocolName, ...}
        self.share_keys = {}         # id -> {HostShareKeyId, HostShareKeyName, PrivateKeyFingerPrint, LastModifyKeyAt}
        self.users = {}              # id -> the GetUser fields
        self.user_groups = {}        # id -> {UserGroupId, UserGroupName, Comment, UserIds}
        self.database_accounts = {}  # id -> {DatabaseAccountId, DatabaseId, DatabaseAccountName, ...}
        self.host_group_grants = {}  # user group id -> {host group id: [host account names]}
        self.database_grants = {}    # user group id -> {database id: [database account ids]}
        self._secrets = {}           # (kind, id) -> {field: value}
        self._next = {}

    def new_id(self, kind):
        number = self._next.get(kind, 1)
        self._next[kind] = number + 1
        return str(number)

    # secrets: set, asked about, dropped; never answered

    def set_secret(self, kind, record_id, field, value):
        self._secrets.setdefault((kind, record_id), {})[field] = value

    def has_secret(self, kind, record_id, field):
        return bool(self._secrets.get((kind, record_id), {}).get(field))

    def drop_secrets(self, kind, record_id):
        self._secrets.pop((kind, record_id), None)

    # the org file

    def seed_users(self, users):
        """`users: [{name, source: Local, display_name, comment, source_user_id}]` of a bastion host."""
        for spec in users or []:
            user_id = self.new_id('user')
            self.users[user_id] = new_user(user_id, str(spec['name']), spec.get('source', 'Local'),
                                           display_name=spec.get('display_name'), comment=spec.get('comment', ''),
                                           source_user_id=spec.get('source_user_id', ''))

    # what goes with a host, a database or an asset group

    def forget_host(self, host_id):
        """A deleted host's accounts go with it."""
        for account_id in [a for a, r in self.host_accounts.items() if r['HostId'] == host_id]:
            del self.host_accounts[account_id]
            self.drop_secrets('host_account', account_id)

    def forget_database(self, database_id):
        """A deleted database's accounts and the grants on it go with it."""
        for account_id in [a for a, r in self.database_accounts.items() if r['DatabaseId'] == database_id]:
            self.forget_database_account(account_id)
        for grants in self.database_grants.values():
            grants.pop(database_id, None)

    def forget_database_account(self, account_id):
        del self.database_accounts[account_id]
        self.drop_secrets('database_account', account_id)
        for grants in self.database_grants.values():
            for ids in grants.values():
                if account_id in ids:
                    ids.remove(account_id)

    def forget_host_group(self, group_id):
        """A deleted asset group's grants go with it."""
        for grants in self.host_group_grants.values():
            grants.pop(group_id, None)

    def forget_user_group(self, group_id):
        del self.user_groups[group_id]
        self.host_group_grants.pop(group_id, None)
        self.database_grants.pop(group_id, None)

    # /_emulator/state

    def view(self):
        return {
            'host_accounts': [{**a, 'HasPassword': self.has_secret('host_account', a['HostAccountId'], 'Password'),
                               'HasPrivateKey': self.has_secret('host_account', a['HostAccountId'], 'PrivateKey'),
                               'HasPassPhrase': self.has_secret('host_account', a['HostAccountId'], 'PassPhrase')}
                              for a in ordered(self.host_accounts)],
            'share_keys': [{**k, 'HasPassPhrase': self.has_secret('share_key', k['HostShareKeyId'], 'PassPhrase'),
                            'HostAccountIds': [a['HostAccountId'] for a in ordered(self.host_accounts)
                                               if a['HostShareKeyId'] == k['HostShareKeyId']]}
                           for k in ordered(self.share_keys)],
            'users': [{'UserId': u['UserId'], 'UserName': u['UserName'], 'DisplayName': u['DisplayName'],
                       'Source': u['Source'], 'SourceUserId': u['SourceUserId'], 'Comment': u['Comment'],
                       'HasPassword': self.has_secret('user', u['UserId'], 'Password'),
                       'UserGroupIds': [g['UserGroupId'] for g in ordered(self.user_groups)
                                        if u['UserId'] in g['UserIds']]}
                      for u in ordered(self.users)],
            'user_groups': [{**g, 'UserIds': list(g['UserIds']),
                             'UserNames': [self.users[u]['UserName'] for u in g['UserIds'] if u in self.users]}
                            for g in ordered(self.user_groups)],
            'database_accounts': [{**a, 'HasPassword': self.has_secret('database_account', a['DatabaseAccountId'],
                                                                       'Password')}
                                  for a in ordered(self.database_accounts)],
            'grants': [{'UserGroupId': g['UserGroupId'], 'UserGroupName': g['UserGroupName'],
                        'HostGroups': [{'HostGroupId': h, 'HostAccountNames': list(names)} for h, names in
                                       sorted(self.host_group_grants.get(g['UserGroupId'], {}).items(),
                                              key=lambda item: int(item[0]))],
                        'Databases': [{'DatabaseId': d, 'DatabaseAccountIds': list(ids)} for d, ids in
                                      sorted(self.database_grants.get(g['UserGroupId'], {}).items(),
                                             key=lambda item: int(item[0]))]}
                       for g in ordered(self.user_groups)],
        }


def new_user(user_id, name, source, display_name=None, comment='', source_user_id='', **fields):
    """A user record with the fields of GetUserResponseBodyUser (the defaults the models state: DisplayName
    the logon name, MobileCountryCode CN, LanguageStatus and TwoFactorStatus Global, NeedResetPassword false)."""
    return {'UserId': user_id, 'UserName': name, 'DisplayName': display_name or name, 'Source': source,
            'SourceUserId': '' if source == 'Local' else source_user_id, 'Comment': comment or '',
            'Email': fields.get('Email') or '', 'Mobile': fields.get('Mobile') or '',
            'MobileCountryCode': fields.get('MobileCountryCode') or 'CN',
            'NeedResetPassword': bool(fields.get('NeedResetPassword', False)),
            'TwoFactorStatus': fields.get('TwoFactorStatus') or 'Global',
            'TwoFactorMethods': [fields['TwoFactorMethods']] if fields.get('TwoFactorMethods') else [],
            'LanguageStatus': fields.get('LanguageStatus') or 'Global', 'Language': fields.get('Language') or '',
            'EffectiveStartTime': fields.get('EffectiveStartTime') or 0,
            'EffectiveEndTime': fields.get('EffectiveEndTime') or 0,
            'UserState': ['Normal']}
