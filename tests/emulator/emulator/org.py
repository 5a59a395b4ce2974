"""The organisation file: accounts, their identities and resources, the resource directory."""
import copy

import yaml

MEMBER_ACCESS_ROLE = 'ResourceDirectoryAccountAccessRole'
BASTIONHOST_PRINCIPAL = 'bastionhost.aliyuncs.com'
ASSET_KEYS = {'ecs': 'ecs_instances', 'rds': 'rds_instances', 'polardb': 'polardb_clusters'}
PLAN_CODES = {'basic': 'cloudbastion', 'enterprise': 'cloudbastion_ha', 'sm': 'cloudbastion_sm'}


def load_org(path):
    with open(path, encoding='utf-8') as handle:
        return Org(yaml.safe_load(handle) or {})


def version_tuple(version):
    return tuple(int(part) for part in str(version).split('.') if part.isdigit())


class Org:
    """Read-only view of the organisation file, with the defaults filled in."""

    def __init__(self, data):
        self.rd = data.get('resource_directory')
        self.accounts = {}
        for raw in data.get('accounts') or []:
            account = copy.deepcopy(raw)
            account['id'] = str(account['id'])
            account.setdefault('name', account['id'])
            account.setdefault('folder', None)
            account.setdefault('tags', {})
            account.setdefault('in_resource_directory', True)
            for key in ('access_keys', 'ram_users', 'ram_groups', 'roles', 'bastionhosts',
                        'ecs_instances', 'rds_instances', 'polardb_clusters'):
                account[key] = account.get(key) or []
            self.accounts[account['id']] = account
        if self.rd is not None:
            self.rd = dict(self.rd)
            self.rd['management_account'] = str(self.rd['management_account'])
            self.rd.setdefault('folders', [])
            self.rd.setdefault('delegated_administrators', [])
            self.rd.setdefault('id', 'rd-emu0000001')
            self.rd.setdefault('root_folder_id', 'r-emu001')
            self._give_members_their_access_role()

    def _give_members_their_access_role(self):
        management = self.rd['management_account']
        for account in self.rd_accounts():
            if account['id'] == management:
                continue
            names = {role['name'].lower() for role in account['roles']}
            if MEMBER_ACCESS_ROLE.lower() not in names:
                account['roles'].append({'name': MEMBER_ACCESS_ROLE, 'trusted_accounts': [management],
                                         'policies': ['AdministratorAccess']})

    # resource directory

    def rd_accounts(self):
        if self.rd is None:
            return []
        return [a for a in self.accounts.values() if a['in_resource_directory']]

    def in_rd(self, account_id):
        account = self.accounts.get(account_id)
        return self.rd is not None and account is not None and account['in_resource_directory']

    def is_management(self, account_id):
        return self.rd is not None and self.rd['management_account'] == account_id

    def delegated_admins(self, service=None):
        if self.rd is None:
            return []
        return [d for d in self.rd['delegated_administrators']
                if service is None or d.get('service', BASTIONHOST_PRINCIPAL) == service]

    def is_delegated_admin(self, account_id, service=None):
        return any(str(d['account']) == account_id for d in self.delegated_admins(service))

    def folder_of(self, account):
        return account['folder'] or self.rd['root_folder_id']

    # resources

    def bastionhosts(self):
        for account in self.accounts.values():
            for host in account['bastionhosts']:
                yield account, host

    def find_bastionhost(self, account_id, region, instance_id):
        account = self.accounts.get(account_id)
        for host in (account or {}).get('bastionhosts', []):
            if host['id'] == instance_id and host['region'] == region:
                return host
        return None

    def assets(self, account_id, kind, region):
        return [a for a in self.accounts[account_id][ASSET_KEYS[kind]] if a['region'] == region]

    def locate_asset(self, instance_id):
        """(account, list key, asset) of an ECS, RDS or PolarDB instance of any account, or None."""
        for account in self.accounts.values():
            for key in ASSET_KEYS.values():
                for asset in account[key]:
                    if asset['id'] == instance_id:
                        return account, key, asset
        return None

    def find_asset(self, account_id, kind, region, instance_id):
        return next((a for a in self.assets(account_id, kind, region) if a['id'] == instance_id), None)
