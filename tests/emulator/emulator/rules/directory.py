"""ResourceManager 2020-03-31 request rules."""
from .kinds import Boolean, Required, paging, sdk_package

model = sdk_package('alibabacloud_resourcemanager20200331')

TABLES = {'resourcemanager': {
    'GetResourceDirectory': [],
    'ListAccounts': [Boolean('IncludeTags', model('ListAccounts'))] + paging(model('ListAccounts')),
    'GetAccount': [Required('AccountId', model('GetAccount')),
                   Boolean('IncludeTags', model('GetAccount'))],
    'ListDelegatedAdministrators': paging(model('ListDelegatedAdministrators')),
    'ListFoldersForParent': paging(model('ListFoldersForParent')),
}}
