"""Bastionhost 2019-12-09: users and user groups (issue 23): CreateUser, ListUsers, GetUser, CreateUserGroup,
ListUserGroups, GetUserGroup, ModifyUserGroup, DeleteUserGroup, AddUsersToGroup, RemoveUsersFromGroup. A
group's users are listed with ListUsers and its UserGroupId filter (the API has no ListUsersForUserGroup).
No action answers a user's password (no response model has one)."""
from ..access import new_user
from ..params import page_by_number
from ..registry import action
from .bastionhost_access import access_of, already_exists, exact, find, ordered, per_id

DEFAULT_PAGE = 20   # ListUsersRequest.PageSize, ListUserGroupsRequest.PageSize: "Default value: 20"
USER_FIELDS = ('Email', 'Mobile', 'MobileCountryCode', 'TwoFactorStatus', 'TwoFactorMethods', 'LanguageStatus',
               'Language')


@action('bastionhost', 'CreateUser', write=True)
def create_user(ctx):
    _state, access = access_of(ctx)
    params = ctx.params
    name = params.get('UserName')
    if any(u['UserName'] == name for u in access.users.values()):
        raise already_exists(f'user {name}')
    user_id = access.new_id('user')
    fields = {f: params.get(f) for f in USER_FIELDS}
    fields.update(NeedResetPassword=params.boolean('NeedResetPassword'),
                  EffectiveStartTime=params.integer('EffectiveStartTime'),
                  EffectiveEndTime=params.integer('EffectiveEndTime'))
    access.users[user_id] = new_user(user_id, name, params.get('Source'), display_name=params.get('DisplayName'),
                                     comment=params.get('Comment', ''), source_user_id=params.get('SourceUserId', ''),
                                     **fields)
    if params.get('Password') is not None:
        access.set_secret('user', user_id, 'Password', params.get('Password'))
    return {'UserId': user_id}


def _in_group(ctx, access, users):
    group_id = ctx.params.get('UserGroupId')
    if group_id is None:
        return users
    group = access.user_groups.get(str(group_id))
    return [u for u in users if group is not None and u['UserId'] in group['UserIds']]


@action('bastionhost', 'ListUsers')
def list_users(ctx):
    """Filters by exact match (the model says so of each): UserName, DisplayName, Mobile, Source, SourceUserId,
    UserState, and UserGroupId (the group's users; an unknown group lists nothing)."""
    _state, access = access_of(ctx)
    users = exact(_in_group(ctx, access, ordered(access.users)), ctx,
                  'UserName', 'DisplayName', 'Mobile', 'Source', 'SourceUserId')
    state_wanted = ctx.params.get('UserState')
    if state_wanted is not None:
        users = [u for u in users if state_wanted in u['UserState']]
    page, meta = page_by_number(ctx.params, users, DEFAULT_PAGE)
    return {'Users': page, 'TotalCount': meta['TotalCount']}


@action('bastionhost', 'GetUser')
def get_user(ctx):
    _state, access = access_of(ctx)
    return {'User': find(access.users, ctx.params.get('UserId'), 'user')}


def _check_group_name(access, name, group=None):
    if any(g['UserGroupName'] == name and g is not group for g in access.user_groups.values()):
        raise already_exists(f'user group {name}')


def user_group(ctx, access):
    return find(access.user_groups, ctx.params.get('UserGroupId'), 'user group')


@action('bastionhost', 'CreateUserGroup', write=True)
def create_user_group(ctx):
    _state, access = access_of(ctx)
    name = ctx.params.get('UserGroupName')
    _check_group_name(access, name)
    group_id = access.new_id('user_group')
    access.user_groups[group_id] = {'UserGroupId': group_id, 'UserGroupName': name,
                                    'Comment': ctx.params.get('Comment', ''), 'UserIds': []}
    return {'UserGroupId': group_id}


def _group_view(group):
    return {'Comment': group['Comment'], 'UserGroupId': group['UserGroupId'], 'UserGroupName': group['UserGroupName']}


@action('bastionhost', 'ListUserGroups')
def list_user_groups(ctx):
    _state, access = access_of(ctx)
    groups = exact(ordered(access.user_groups), ctx, 'UserGroupName')
    page, meta = page_by_number(ctx.params, groups, DEFAULT_PAGE)
    # MemberCount: "The number of users in the user group."
    return {'UserGroups': [{**_group_view(g), 'MemberCount': len(g['UserIds'])} for g in page],
            'TotalCount': meta['TotalCount']}


@action('bastionhost', 'GetUserGroup')
def get_user_group(ctx):
    _state, access = access_of(ctx)
    return {'UserGroup': _group_view(user_group(ctx, access))}


@action('bastionhost', 'ModifyUserGroup', write=True)
def modify_user_group(ctx):
    """The name and Comment sent with a value change; an empty or absent one changes nothing (as
    ModifyHostGroup); another group's name is refused."""
    _state, access = access_of(ctx)
    group = user_group(ctx, access)
    name = ctx.params.get('UserGroupName')
    if name is not None:
        _check_group_name(access, name, group)
        group['UserGroupName'] = name
    if ctx.params.get('Comment') is not None:
        group['Comment'] = ctx.params.get('Comment')
    return {}


@action('bastionhost', 'DeleteUserGroup', write=True)
def delete_user_group(ctx):
    """The group and its grants go; its users stay on the bastion host."""
    _state, access = access_of(ctx)
    access.forget_user_group(user_group(ctx, access)['UserGroupId'])
    return {}


def _membership(ctx, join):
    _state, access = access_of(ctx)
    group = user_group(ctx, access)

    def apply(user):
        member = user['UserId'] in group['UserIds']
        if join and member:
            return 'OBJECT_AlREADY_EXISTS'
        if not join and not member:
            return 'OBJECT_NOT_FOUND'
        (group['UserIds'].append if join else group['UserIds'].remove)(user['UserId'])
        return 'OK'

    results = per_id(ctx.params.id_list('UserIds'), access.users, 'UserId', 'user', apply)
    return {'Results': [{**r, 'UserGroupId': group['UserGroupId']} for r in results]}


@action('bastionhost', 'AddUsersToGroup', write=True)
def add_users_to_group(ctx):
    """Per user: OK, OBJECT_AlREADY_EXISTS (already in the group), OBJECT_NOT_FOUND (no such user): codes
    AddUsersToGroupResponseBodyResults.Code lists."""
    return _membership(ctx, join=True)


@action('bastionhost', 'RemoveUsersFromGroup', write=True)
def remove_users_from_group(ctx):
    """Per user: OK, or OBJECT_NOT_FOUND (no such user, or not in the group)."""
    return _membership(ctx, join=False)
