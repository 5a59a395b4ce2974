"""STS 2015-04-01 and RAM 2015-05-01: who the caller is, roles to assume, policies attached."""
import datetime
import zlib

from ..auth import no_permission
from ..errors import ApiError, invalid
from ..registry import action

ATTACHED = '2024-01-01T00:00:00Z'
# "Maximum value: the value of the MaxSessionDuration parameter. Default value: 3600." (AssumeRoleRequest);
# "Valid values: 3600 to 43200 ... Default value: 3600." (alibabacloud_ram20150501 CreateRoleRequest.MaxSessionDuration)
DEFAULT_MAX_SESSION_DURATION = 3600


@action('sts', 'GetCallerIdentity')
def get_caller_identity(ctx):
    caller = ctx.caller
    account = caller.account_id
    if caller.kind == 'root':
        return {'AccountId': account, 'Arn': f'acs:ram::{account}:root', 'IdentityType': 'Account',
                'PrincipalId': account, 'UserId': account}
    if caller.kind == 'user':
        user_id = f'2{account[1:]}{sum(map(ord, caller.name)):04d}'
        return {'AccountId': account, 'Arn': f'acs:ram::{account}:user/{caller.name}', 'IdentityType': 'RAMUser',
                'PrincipalId': user_id, 'UserId': user_id}
    role_id = f'3{account[1:]}{sum(map(ord, caller.name)):04d}'
    return {'AccountId': account, 'Arn': f'acs:ram::{account}:assumed-role/{caller.name}/{caller.session}',
            'IdentityType': 'AssumedRoleUser', 'PrincipalId': f'{role_id}:{caller.session}', 'RoleId': role_id}


def parse_role_arn(arn):
    parts = arn.split(':')
    if len(parts) != 5 or parts[0] != 'acs' or parts[1] != 'ram' or not parts[4].lower().startswith('role/'):
        raise invalid('RoleArn', arn, 'Expected acs:ram::<account-id>:role/<role-name>.')
    return parts[3], parts[4][len('role/'):]


def max_session_duration(role):
    """The role's MaxSessionDuration (org-file key `max_session_duration`); RAM's default is 3600 s."""
    return int(role.get('max_session_duration', DEFAULT_MAX_SESSION_DURATION))


def _role(ctx, account_id, role_name):
    account = ctx.org.accounts.get(account_id)
    role = next((r for r in (account or {}).get('roles', []) if r['name'].lower() == role_name.lower()), None)
    if role is None:
        raise ApiError('EntityNotExist.Role', f'The role not exists: acs:ram::{account_id}:role/{role_name}.',
                       status=404)
    return role


@action('sts', 'AssumeRole')
def assume_role(ctx):
    account_id, role_name = parse_role_arn(ctx.params.get('RoleArn'))
    session = ctx.params.get('RoleSessionName')
    role = _role(ctx, account_id, role_name)
    if ctx.caller.account_id not in {str(a) for a in role.get('trusted_accounts') or []}:
        raise no_permission()
    duration = ctx.params.integer('DurationSeconds', 3600)
    if duration > max_session_duration(role):
        raise invalid('DurationSeconds', duration,
                      f'It must be between 900 and the role\'s MaxSessionDuration ({max_session_duration(role)}).')
    identity = ctx.world.issue_sts(account_id, role, session, duration)
    expiration = datetime.datetime.fromtimestamp(identity.expires_at, datetime.timezone.utc)
    return {'Credentials': {'AccessKeyId': identity.key_id, 'AccessKeySecret': identity.secret,
                            'SecurityToken': identity.token,
                            'Expiration': expiration.strftime('%Y-%m-%dT%H:%M:%SZ')},
            'AssumedRoleUser': {'Arn': f'acs:ram::{account_id}:role/{role["name"].lower()}/{session}',
                                'AssumedRoleId': f'3{account_id[1:]}:{session}'}}


def _caller_account(ctx):
    return ctx.org.accounts[ctx.caller.account_id]


def _find_user(ctx):
    name = ctx.params.require('UserName')
    user = next((u for u in _caller_account(ctx)['ram_users'] if u['name'] == name), None)
    if user is None:
        raise ApiError('EntityNotExist.User', f'The user does not exist: {name}.', status=404)
    return user


def _policy_rows(names):
    return {'Policies': {'Policy': [{'PolicyName': n, 'PolicyType': 'System', 'DefaultVersion': 'v1',
                                     'Description': '', 'AttachDate': ATTACHED} for n in names]}}


@action('ram', 'ListPoliciesForUser')
def list_policies_for_user(ctx):
    return _policy_rows(_find_user(ctx).get('policies') or [])


@action('ram', 'ListGroupsForUser')
def list_groups_for_user(ctx):
    groups = _find_user(ctx).get('groups') or []
    return {'Groups': {'Group': [{'GroupName': g, 'GroupId': f'g-{zlib.crc32(g.encode()):012d}', 'Comments': '',
                                  'JoinDate': ATTACHED} for g in groups]}}


@action('ram', 'ListPoliciesForGroup')
def list_policies_for_group(ctx):
    name = ctx.params.require('GroupName')
    group = next((g for g in _caller_account(ctx)['ram_groups'] if g['name'] == name), None)
    if group is None:
        raise ApiError('EntityNotExist.Group', f'The group does not exist: {name}.', status=404)
    return _policy_rows(group.get('policies') or [])
