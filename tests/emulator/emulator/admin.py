"""Admin endpoints that change the organisation as the cloud, or a person in a console, would (issue 21):
a member leaves the resource directory, is renamed or moved; a RAM role is created, changed or
deleted; a person applies a Bastionhost action in the console. Each function takes the World and the
JSON payload and returns the JSON answer, or raises AdminError (or, for the console, the ApiError the
action gives). tests/emulator/README.md, "Admin endpoints", gives the shapes and the sources."""
import itertools
import json

from . import rules
from .auth import Identity
from .params import Params
from .registry import HANDLERS

ACCOUNT_FIELDS = ('name', 'folder', 'tags')
ROLE_FIELDS = ('trusted_accounts', 'policies', 'max_session_duration')
# Console request ids have their own counter: the World's are drawn from its seeded random, which
# the knobs (--fault-rate, --lost-response-rate) draw from too.
_console_requests = itertools.count(1)


class AdminError(Exception):
    """An admin request that cannot be applied: answered `{"Code", "Message"}` with `status`."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _account(world, payload):
    account_id = str(payload.get('account_id') or '')
    account = world.org.accounts.get(account_id)
    if account is None:
        raise AdminError(404, 'NotFound', f'no account {account_id!r}')
    return account


def _fields(payload, allowed):
    fields = payload.get('set')
    if not isinstance(fields, dict):
        raise AdminError(400, 'InvalidField', '"set" must be an object of fields')
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise AdminError(400, 'InvalidField', f'cannot set {", ".join(unknown)}; fields: {", ".join(allowed)}')
    return fields


# ------------------------------------------------------------------ accounts

def update_account(world, payload):
    """Rename an account (its RD display name), move it to another folder, or retag it."""
    with world.lock:
        account = _account(world, payload)
        fields = _fields(payload, ACCOUNT_FIELDS)
        if 'name' in fields and not (isinstance(fields['name'], str) and fields['name']):
            raise AdminError(400, 'InvalidField', 'name must be a non-empty string')
        if 'folder' in fields:
            known = {f['id'] for f in (world.org.rd or {}).get('folders', [])}
            if fields['folder'] is not None and fields['folder'] not in known:
                raise AdminError(400, 'InvalidField', f'no folder {fields["folder"]!r} (folders: {sorted(known)}; '
                                 'null is the Root folder)')
        if 'tags' in fields and not isinstance(fields['tags'], dict):
            raise AdminError(400, 'InvalidField', 'tags must be an object')
        account.update(fields)
        return {'account_id': account['id']}


def leave_directory(world, payload):
    """The member leaves the resource directory (RemoveCloudAccount): the account, its RAM roles and its
    resources stay; RD no longer knows it. Refused as RemoveCloudAccount refuses: a delegated
    administrator (Deny.TrustedService) and an account that is not an invited member, the management
    account and resource accounts (AccountTypeOrStatusMismatch)."""
    with world.lock:
        account = _account(world, payload)
        org = world.org
        if not org.in_rd(account['id']):
            raise AdminError(404, 'EntityNotExists.Account', f'the account {account["id"]} is not in the resource '
                             'directory')
        if org.is_delegated_admin(account['id']):
            raise AdminError(409, 'Deny.TrustedService', f'the account {account["id"]} is a delegated administrator; '
                             'remove it from the trusted service first')
        if org.is_management(account['id']) or account.get('join_method', 'invited') != 'invited':
            raise AdminError(409, 'AccountTypeOrStatusMismatch', f'the account {account["id"]} is not a member of '
                             'the cloud account type')
        account['in_resource_directory'] = False
        return {'account_id': account['id']}


# ------------------------------------------------------------------ roles

def _role(account, name):
    """The role named `name` (RAM role names are matched without regard to case, as AssumeRole does)."""
    return next((r for r in account['roles'] if r['name'].lower() == str(name or '').lower()), None)


def _existing_role(world, payload):
    account = _account(world, payload)
    role = _role(account, payload.get('role'))
    if role is None:
        raise AdminError(404, 'NotFound', f'no role {payload.get("role")!r} in account {account["id"]}')
    return account, role


def _role_fields(fields):
    checked = {}
    for key in ('trusted_accounts', 'policies'):
        if key in fields:
            if not isinstance(fields[key], list):
                raise AdminError(400, 'InvalidField', f'{key} must be a list')
            checked[key] = [str(v) for v in fields[key]]
    if 'max_session_duration' in fields:
        try:
            checked['max_session_duration'] = int(fields['max_session_duration'])
        except (TypeError, ValueError):
            raise AdminError(400, 'InvalidField', 'max_session_duration must be a whole number of seconds')
    return checked


def _role_answer(account, role):
    return {'account_id': account['id'], 'role': role['name']}


def update_role(world, payload):
    """Change a role's trust (`trusted_accounts`), its policies or its MaxSessionDuration."""
    with world.lock:
        account, role = _existing_role(world, payload)
        role.update(_role_fields(_fields(payload, ROLE_FIELDS)))
        return _role_answer(account, role)


def delete_role(world, payload):
    with world.lock:
        account, role = _existing_role(world, payload)
        account['roles'].remove(role)
        return _role_answer(account, role)


def create_role(world, payload):
    with world.lock:
        account = _account(world, payload)
        spec = payload.get('role')
        if not isinstance(spec, dict) or not spec.get('name'):
            raise AdminError(400, 'InvalidField', '"role" must be an object with a name')
        unknown = sorted(set(spec) - {'name', *ROLE_FIELDS})
        if unknown:
            raise AdminError(400, 'InvalidField', f'unknown role fields {", ".join(unknown)}')
        if _role(account, spec['name']) is not None:
            raise AdminError(409, 'EntityAlreadyExists.Role', f'the role {spec["name"]} exists in {account["id"]}')
        role = {'name': str(spec['name']), 'trusted_accounts': [], 'policies': [], **_role_fields(spec)}
        account['roles'].append(role)
        return _role_answer(account, role)


# ------------------------------------------------------------------ the console

def wire_value(value):
    """A JSON value as the SDK puts it on the wire: a list as one JSON array of strings (of objects, for a list
    of objects: HostGroups, Databases), a boolean as true/false, anything else as its text."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (list, tuple)):
        return json.dumps([v if isinstance(v, dict) else str(v) for v in value])
    return str(value)


def console_request_id():
    return f'EMU-CONSOLE-{next(_console_requests):08d}'


def console_call(world, payload, context, request_id):
    """A Bastionhost action applied by the bastion host's owner (the account root) without signing:
    the action's request rules and business rules as for any call; no knob applies and the call is
    not in the calls log. `context` is the handlers' Context class (server.py). Returns the action's
    answer with `request_id`, or raises its ApiError."""
    instance_id = payload.get('instance_id')
    action = payload.get('action')
    params = payload.get('params') or {}
    if not isinstance(params, dict):
        raise AdminError(400, 'InvalidField', '"params" must be an object')
    with world.lock:
        owner = next((account for account, host in world.org.bastionhosts() if host['id'] == instance_id), None)
        if owner is None:
            raise AdminError(404, 'NotFound', f'no bastion host {instance_id!r}')
        handler, _write = HANDLERS.get(('bastionhost', action), (None, False))
        if handler is None:
            raise AdminError(404, 'NotFound', f'no Bastionhost action {action!r}')
        host = next(h for h in owner['bastionhosts'] if h['id'] == instance_id)
        values = {k: wire_value(v) for k, v in params.items() if v is not None}
        values.update(RegionId=host['region'], InstanceId=instance_id)
        request = Params(values)
        rules.check('bastionhost', action, request)
        identity = Identity(owner['id'], 'root', owner['name'], None, None, [])
        body = handler(context(world, identity, request, request_id)) or {}
        return {'RequestId': request_id, **body}
