"""Who is calling: access keys, both signature styles, the clock window and nonces, STS tokens and
RAM policies."""
import base64
import calendar
import hashlib
import hmac
import secrets
import time
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
# "You cannot use an Alibaba Cloud account to call this operation. The requester of this operation can
# only be a RAM user or RAM role." (https://alibabacloud.com/help/en/ram/api-assumerole)
ROOT_REFUSED = {('sts', 'AssumeRole')}
# A request's Timestamp / x-acs-date may differ from the server's clock by 15 minutes at most.
CLOCK_WINDOW_SECONDS = 15 * 60


def no_permission():
    """STS's answer to a root caller, a caller without sts:AssumeRole and a caller the role does not trust
    (RAM FAQ on STS tokens, https://www.alibabacloud.com/help/doc-detail/39744.htm)."""
    return ApiError('NoPermission', 'You are not authorized to do this action. You should be authorized by RAM.',
                    status=403)


def refusal(product, action):
    """The error of a caller whose policies do not cover the action."""
    if product == 'sts':
        return no_permission()
    return ApiError('Forbidden.RAM', f'User not authorized to operate on the specified resource, or this API does '
                    f'not support RAM. ({product}:{action})', status=403)


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
        if self.kind == 'root':
            return (product, action) not in ROOT_REFUSED
        if (product, action) in NO_POLICY_NEEDED:
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


def authenticate(request, world):
    """Return the Identity that signed the request, or raise the error the real service gives."""
    if 'Signature' in request.params:
        identity = _lookup(world.identities, request.params.get('AccessKeyId', ''))
        signature, string_to_sign = rpc_signature(request, identity.secret)
        _check_signature(request.params['Signature'], signature, string_to_sign)
        stamp, nonce = request.params.get('Timestamp'), request.params.get('SignatureNonce')
        token = request.params.get('SecurityToken')
    else:
        key_id, signed_headers, given = _parse_acs3_authorization(request.headers.get('authorization', ''))
        identity = _lookup(world.identities, key_id)
        signature, string_to_sign = acs3_signature(request, signed_headers, identity.secret)
        _check_signature(given, signature, string_to_sign)
        stamp, nonce = request.headers.get('x-acs-date'), request.headers.get('x-acs-signature-nonce')
        token = request.headers.get('x-acs-security-token')
    _check_timestamp(stamp, world.server_clock())
    _check_nonce(nonce, world)
    _check_token(identity, token, world.now())
    return identity


def _lookup(identities, key_id):
    identity = identities.get(key_id)
    if identity is None:
        raise ApiError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', status=404)
    return identity


def _check_signature(given, expected, string_to_sign):
    if not hmac.compare_digest(given, expected):
        raise ApiError('SignatureDoesNotMatch', 'Specified signature is not matched with our calculation. '
                       f'server string to sign is:{string_to_sign}', status=400)


def parse_timestamp(value):
    """Seconds since the epoch of an ISO 8601 UTC time (YYYY-MM-DDThh:mm:ssZ), None when malformed."""
    try:
        return calendar.timegm(time.strptime(value, '%Y-%m-%dT%H:%M:%SZ'))
    except (TypeError, ValueError):
        return None


def _check_timestamp(value, server_now):
    # A missing or malformed time is not judged: no document names that error.
    stamp = parse_timestamp(value)
    if stamp is not None and abs(stamp - server_now) > CLOCK_WINDOW_SECONDS:
        raise ApiError('InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.', status=400)


def _check_nonce(nonce, world):
    if nonce and not world.use_nonce(nonce):
        raise ApiError('SignatureNonceUsed', 'Specified signature nonce was used already.', status=400)


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
    """(signature, string to sign): HMAC-SHA1 over every query and form field but the signature itself."""
    fields = {k: v for k, v in request.params.items() if k != 'Signature'}
    canonical = '&'.join(f'{quote(k, safe="~")}={quote(v, safe="~")}' for k, v in sorted(fields.items()))
    string_to_sign = f'{request.method}&%2F&{quote_plus(canonical, safe="~")}'
    digest = hmac.new((secret + '&').encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode(), string_to_sign


def _parse_acs3_authorization(value):
    algorithm, rest = (value.split(' ', 1) + [''])[:2]
    if algorithm != 'ACS3-HMAC-SHA256':
        raise ApiError('IncompleteSignature', 'The request signature does not conform to Aliyun standards.')
    parts = dict(item.split('=', 1) for item in rest.split(',') if '=' in item)
    try:
        return parts['Credential'], parts['SignedHeaders'].split(';'), parts['Signature']
    except KeyError:
        raise ApiError('IncompleteSignature', 'The request signature does not conform to Aliyun standards.')


def headers_to_sign(request, signed_headers):
    """What the server signs: the headers the client names, plus `host` and every x-acs-* header sent
    ("all common request headers but Authorization, when present, must be signed": V3 request structure
    and signature, https://help.aliyun.com/zh/resource-management/common-parameters).
    A client that leaves one out gets a signature that does not match."""
    sent = {name for name in request.headers if name.startswith('x-acs-')}
    return sorted(set(signed_headers) | {'host'} | sent)


def acs3_signature(request, signed_headers, secret):
    """(signature, string to sign) of an ACS3-HMAC-SHA256 request."""
    payload_hash = hashlib.sha256(request.body).hexdigest()
    names = headers_to_sign(request, signed_headers)
    query = '&'.join(f'{k}={quote(v, safe="~")}' for k, v in sorted(request.query.items()))
    headers = ''.join(f'{name}:{request.headers.get(name, "").strip()}\n' for name in names)
    canonical = '\n'.join([request.method, request.path or '/', query, headers, ';'.join(names), payload_hash])
    string_to_sign = 'ACS3-HMAC-SHA256\n' + hashlib.sha256(canonical.encode()).hexdigest()
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest(), string_to_sign
