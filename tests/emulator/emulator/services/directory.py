"""ResourceManager 2020-03-31: the resource directory as the caller sees it."""
from ..errors import ApiError
from ..org import BASTIONHOST_PRINCIPAL
from ..params import page_by_number, tags_match
from ..registry import action

RD_CREATED = '2024-01-01T00:00:00.000Z'


def require_rd(ctx):
    if not ctx.org.in_rd(ctx.caller.account_id):
        raise ApiError('EntityNotExists.ResourceDirectory', 'The resource directory does not exist.', status=404)


def require_rd_admin(ctx, service=None):
    """The caller must be the management account or a delegated administrator (of `service`)."""
    require_rd(ctx)
    caller = ctx.caller.account_id
    if not (ctx.org.is_management(caller) or ctx.org.is_delegated_admin(caller, service)):
        raise ApiError('OperationDenied.NotManagementOrDelegatedAdmin',
                       f'The account {caller} is neither the management account nor a delegated '
                       f'administrator{" of " + service if service else ""}.', status=403)


def account_type(org, account):
    return 'CloudAccount' if account.get('join_method', 'invited') == 'invited' else 'ResourceAccount'


def account_view(org, account, include_tags):
    view = {
        'AccountId': account['id'],
        'DisplayName': account['name'],
        'FolderId': org.folder_of(account),
        'JoinMethod': account.get('join_method', 'invited'),
        'JoinTime': RD_CREATED,
        'ModifyTime': RD_CREATED,
        'ResourceDirectoryId': org.rd['id'],
        'ResourceDirectoryPath': f"{org.rd['id']}/{org.rd['root_folder_id']}/{account['id']}",
        'Status': 'CreateSuccess',
        'Type': account_type(org, account),
    }
    if include_tags:
        view['Tags'] = {'Tag': [{'Key': k, 'Value': str(v)} for k, v in sorted(account['tags'].items())]}
    return view


@action('resourcemanager', 'GetResourceDirectory')
def get_resource_directory(ctx):
    require_rd(ctx)
    management = ctx.org.accounts[ctx.org.rd['management_account']]
    return {'ResourceDirectory': {
        'ResourceDirectoryId': ctx.org.rd['id'], 'RootFolderId': ctx.org.rd['root_folder_id'],
        'MasterAccountId': management['id'], 'MasterAccountName': management['name'],
        'CreateTime': RD_CREATED, 'ControlPolicyStatus': 'Disabled', 'MemberDeletionStatus': 'Disabled'}}


@action('resourcemanager', 'ListAccounts')
def list_accounts(ctx):
    require_rd_admin(ctx)
    wanted_tags = ctx.params.tags()
    accounts = [a for a in ctx.org.rd_accounts() if tags_match(wanted_tags, a['tags'])]
    include_tags = ctx.params.boolean('IncludeTags')
    page, meta = page_by_number(ctx.params, sorted(accounts, key=lambda a: a['id']), 10)
    return {'Accounts': {'Account': [account_view(ctx.org, a, include_tags) for a in page]}, **meta}


@action('resourcemanager', 'GetAccount')
def get_account(ctx):
    require_rd_admin(ctx)
    account_id = ctx.params.require('AccountId')
    if not ctx.org.in_rd(account_id):
        raise ApiError('EntityNotExists.Account', f'The account {account_id} does not exist in the resource directory.',
                       status=404)
    account = ctx.org.accounts[account_id]
    view = account_view(ctx.org, account, True)
    view['Tags'] = view['Tags']['Tag']
    view['AccountName'] = f"{account['name']}@{account['id']}.onaliyun.com"
    return {'Account': view}


@action('resourcemanager', 'ListDelegatedAdministrators')
def list_delegated_administrators(ctx):
    require_rd_admin(ctx)
    service = ctx.params.get('ServicePrincipal')
    rows = []
    for entry in ctx.org.delegated_admins(service):
        account = ctx.org.accounts.get(str(entry['account']), {'name': str(entry['account'])})
        rows.append({'AccountId': str(entry['account']), 'DisplayName': account['name'], 'JoinMethod': 'invited',
                     'ServicePrincipal': entry.get('service', BASTIONHOST_PRINCIPAL),
                     'DelegationEnabledTime': RD_CREATED})
    page, meta = page_by_number(ctx.params, rows, 10)
    return {'Accounts': {'Account': page}, **meta}


@action('resourcemanager', 'ListFoldersForParent')
def list_folders_for_parent(ctx):
    require_rd_admin(ctx)
    parent = ctx.params.get('ParentFolderId', ctx.org.rd['root_folder_id'])
    keyword = ctx.params.get('QueryKeyword')
    folders = [f for f in ctx.org.rd['folders']
               if f.get('parent', ctx.org.rd['root_folder_id']) == parent
               and (keyword is None or keyword in f['name'])]
    page, meta = page_by_number(ctx.params, folders, 10)
    rows = [{'FolderId': f['id'], 'FolderName': f['name'], 'CreateTime': RD_CREATED} for f in page]
    return {'Folders': {'Folder': rows}, **meta}
