"""Who is calling: access keys, both signature styles, STS tokens and RAM policies."""
import base64
import hashlib
import hmac
import secrets
from urllib.parse import quote, quote_plus

from .errors import ApiError

# policy -> (product, reads only?)
POLICY_GRANTS = {
    'AliyunYundunBastionHostFullAccess': ('bastionhost', False),
    'AliyunYundunBastionHostReadOnlyAccess': ('bastionhost', True),
    'AliyunResourceDirectoryFullAccess': ('resourcemanager', False),
    'AliyunResourceDirectoryReadOnlyAccess': ('resourcemanager', True),
    'AliyunECSReadOnlyAccess': ('ecs', True),
    'AliyunRDSReadOnlyAccess': ('rds', True),
    'AliyunPolardbReadOnlyAccess': ('polardb', True),
    'AliyunRAMReadOnlyAccess': ('ram', True),
    'AliyunSTSAssumeRoleAccess': ('sts', False),
}
NO_POLICY_NEEDED = {('sts', 'GetCallerIdentity')}


class Identity:
    """One set of credentials and the principal it stands for."""

    def __init__(self, account_id, kind, name, key_id, secret, policies,
                 token=None, expires_at=None, session=None):
        self.account_id = account_id
        self.kind = kind          # root | user | role
        self.name = name          # RAM user or role name; account name for root
        self.key_id = key_id
        self.secret = secret
        self.policies = set(policies)
        self.token = token
        self.expires_at = expires_at
        self.session = session

    @property
    def principal(self):
        if self.kind == 'root':
            return 'root'
        if self.kind == 'user':
            return f'user/{self.name}'
        return f'assumed-role/{self.name}/{self.session}'

    def describe(self):
        return {'account_id': self.account_id, 'principal': self.principal, 'type': self.kind}

    def allows(self, product, action, write):
        if self.kind == 'root' or (product, action) in NO_POLICY_NEEDED:
            return True
        if 'AdministratorAccess' in self.policies:
            return True
        for policy in self.policies:
            granted_product, read_only = POLICY_GRANTS.get(policy, (None, True))
            if granted_product == product and (not write or not read_only):
                return True
        return False


def identities_from_org(org):
    by_key = {}
    for account in org.accounts.values():
        for key in account['access_keys']:
            by_key[key['id']] = Identity(account['id'], 'root', account['name'], key['id'], key['secret'], [])
        groups = {g['name']: g.get('policies') or [] for g in account['ram_groups']}
        for user in account['ram_users']:
            policies = list(user.get('policies') or [])
            for group in user.get('groups') or []:
                policies += groups.get(group, [])
            for key in user.get('access_keys') or []:
                by_key[key['id']] = Identity(account['id'], 'user', user['name'], key['id'], key['secret'], policies)
    return by_key


def issue_sts_identity(account_id, role, session, duration, now):
    key_id = 'STS.' + secrets.token_hex(10)
    return Identity(account_id, 'role', role['name'], key_id, secrets.token_urlsafe(24),
                    role.get('policies') or [], token='CAES' + secrets.token_urlsafe(48),
                    expires_at=now + duration, session=session)


def authenticate(request, identities, now):
    """Return the Identity that signed the request, or raise the error the real service gives."""
    if 'Signature' in request.params:
        key_id = request.params.get('AccessKeyId', '')
        identity = _lookup(identities, key_id)
        if not hmac.compare_digest(request.params['Signature'], rpc_signature(request, identity.secret)):
            raise _signature_mismatch()
        token = request.params.get('SecurityToken')
    else:
        key_id, signed_headers, signature = _parse_acs3_authorization(request.headers.get('authorization', ''))
        identity = _lookup(identities, key_id)
        if not hmac.compare_digest(signature, acs3_signature(request, signed_headers, identity.secret)):
            raise _signature_mismatch()
        token = request.headers.get('x-acs-security-token')
    _check_token(identity, token, now)
    return identity


def _lookup(identities, key_id):
    identity = identities.get(key_id)
    if identity is None:
        raise ApiError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', status=404)
    return identity


def _signature_mismatch():
    return ApiError('SignatureDoesNotMatch',
                    'The request signature does not conform to Aliyun standards.', status=400)


def _check_token(identity, token, now):
    if identity.token is None:
        return
    if not token:
        raise ApiError('MissingSecurityToken', 'SecurityToken is mandatory for this action.')
    if not hmac.compare_digest(token, identity.token):
        raise ApiError('InvalidSecurityToken.MismatchWithAccessKey',
                       'The Security Token does not match with Access Key.')
    if now >= identity.expires_at:
        raise ApiError('InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.')


def rpc_signature(request, secret):
    """HMAC-SHA1 over every query and form field but the signature itself."""
    fields = {k: v for k, v in request.params.items() if k != 'Signature'}
    canonical = '&'.join(f'{quote(k, safe="~")}={quote(v, safe="~")}' for k, v in sorted(fields.items()))
    string_to_sign = f'{request.method}&%2F&{quote_plus(canonical, safe="~")}'
    digest = hmac.new((secret + '&').encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _parse_acs3_authorization(value):
    algorithm, rest = (value.split(' ', 1) + [''])[:2]
    if algorithm != 'ACS3-HMAC-SHA256':
        raise ApiError('IncompleteSignature', 'The request signature does not conform to Aliyun standards.')
    parts = dict(item.split('=', 1) for item in rest.split(',') if '=' in item)
    try:
        return parts['Credential'], parts['SignedHeaders'].split(';'), parts['Signature']
    except KeyError:
        raise ApiError('IncompleteSignature', 'The request signature does not conform to Aliyun standards.')


def acs3_signature(request, signed_headers, secret):
    payload_hash = hashlib.sha256(request.body).hexdigest()
    if request.headers.get('x-acs-content-sha256') != payload_hash:
        raise _signature_mismatch()
    query = '&'.join(f'{k}={quote(v, safe="~")}' for k, v in sorted(request.query.items()))
    headers = ''.join(f'{name}:{request.headers.get(name, "").strip()}\n' for name in signed_headers)
    canonical = '\n'.join([request.method, request.path or '/', query, headers,
                           ';'.join(signed_headers), payload_hash])
    string_to_sign = 'ACS3-HMAC-SHA256\n' + hashlib.sha256(canonical.encode()).hexdigest()
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
