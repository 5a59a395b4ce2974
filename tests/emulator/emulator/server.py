"""HTTP front: parse an OpenAPI request, authenticate, apply the knobs, dispatch, answer JSON."""
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

# Importing the services registers every action.
from . import services  # noqa: F401  pylint: disable=unused-import
from . import admin, rules
from .auth import authenticate, refusal
from .errors import ApiError, dry_run_passed
from .params import Params
from .registry import DRY_RUN, HANDLERS, VERSIONS, WITHOUT_PERMISSION

# The answer of every write under --refuse-writes CODE (a quota used up: the message is the emulator's).
REFUSED_MESSAGE = 'The request was refused: the quota of this operation is used up.'
SECRET_FIELDS = {'Signature', 'SecurityToken', 'AccessKeyId', 'SignatureNonce', 'BearerToken'}
# Credentials an action sets (passwords, private keys, passphrases: issue 23): the calls log shows that one
# was sent, never its value.
CREDENTIAL_FIELDS = {'Password', 'PrivateKey', 'PassPhrase'}
REDACTED = '******'
# Admin routes that change the organisation (emulator/admin.py): POST path -> function(world, payload).
ORG_ROUTES = {
    '/_emulator/accounts/update': admin.update_account,
    '/_emulator/accounts/leave': admin.leave_directory,
    '/_emulator/roles/create': admin.create_role,
    '/_emulator/roles/update': admin.update_role,
    '/_emulator/roles/delete': admin.delete_role,
}


class Request:
    def __init__(self, method, target, headers, body):
        split = urlsplit(target)
        self.method = method
        self.path = split.path
        self.query = dict(parse_qsl(split.query, keep_blank_values=True))
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body
        form = {}
        if self.headers.get('content-type', '').startswith('application/x-www-form-urlencoded'):
            form = dict(parse_qsl(body.decode('utf-8'), keep_blank_values=True))
        self.params = {**self.query, **form}

    @property
    def action(self):
        return self.headers.get('x-acs-action') or self.params.get('Action')

    @property
    def version(self):
        return self.headers.get('x-acs-version') or self.params.get('Version')

    @property
    def signature_style(self):
        return 'RPC' if 'Signature' in self.params else 'ACS3'


class Context:
    """What a handler gets: the world, the caller, the parameters and a request id."""

    def __init__(self, world, identity, params, request_id):
        self.world = world
        self.org = world.org
        self.caller = identity
        self.params = params
        self.request_id = request_id


class Reply:
    """What the HTTP front sends back: status, body and headers, or nothing when the connection drops."""

    def __init__(self, status, body, headers=None, drop=False):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.drop = drop


def error_reply(error, request_id, product, world):
    body = {'RequestId': request_id, 'HostId': f'{product or "unknown"}.aliyuncs.com',
            'Code': error.code, 'Message': error.message, 'Recommend': error.recommend or
            f'https://api.aliyun.com/troubleshoot?q={error.code}&product={product}'}
    headers = {}
    if error.code == 'Throttling.User' and world.retry_after_ms:
        headers['x-acs-retry-after'] = str(world.retry_after_ms)
    return Reply(error.status, body, headers)


def run_action(world, request, product, entry, request_id):
    """Authenticate, apply the knobs and the rules, run the handler; the body of a success."""
    handler, write = HANDLERS.get((product, request.action), (None, False))
    entry['write'] = write
    if handler is None:
        raise ApiError('InvalidAction.NotFound',
                       f'Specified api {request.action} with version {request.version} is not found.', status=404)
    identity = authenticate(request, world)
    entry['caller'] = identity.describe()
    if world.over_rate(identity.account_id, product, request.action):
        raise ApiError('Throttling.User', 'Request was denied due to user flow control.')
    if world.roll_fault():
        raise ApiError('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.',
                       status=503)
    params = Params(request.params, max_page_size=world.max_page_size)
    if not identity.allows(product, request.action, write):
        # The documented answer to a caller without permission, where it is not Forbidden.RAM.
        choose = WITHOUT_PERMISSION.get((product, request.action))
        handler = choose(world, params) if choose else None
        if handler is None:
            raise refusal(product, request.action)
        entry['permitted'] = False
    rules.check(product, request.action, params)
    if (product, request.action) in DRY_RUN and params.boolean('DryRun'):
        raise dry_run_passed()
    if write and world.refuse_writes:
        raise ApiError(world.refuse_writes, REFUSED_MESSAGE)
    with world.lock:
        body = handler(Context(world, identity, params, request_id)) or {}
    if write:
        entry['applied'] = True
    return {'RequestId': request_id, **body}


def handle_api_call(world, request):
    """Return the Reply and record the call."""
    request_id = world.next_request_id()
    product = VERSIONS.get(request.version or '')
    entry = {'product': product, 'action': request.action, 'version': request.version,
             'signature': request.signature_style, 'caller': None, 'write': False,
             'params': {k: REDACTED if k in CREDENTIAL_FIELDS else v for k, v in request.params.items()
                        if k not in SECRET_FIELDS and k not in ('Action', 'Version')}}
    try:
        reply = Reply(200, run_action(world, request, product, entry, request_id))
        entry['code'] = None
        lost = world.roll_lost_response() if entry['write'] else None
        if lost is not None:
            entry['lost'] = lost
            reply = lost_reply(lost, request_id, product, world)
    except ApiError as error:
        reply = error_reply(error, request_id, product, world)
        entry['code'] = error.code
    entry['status'] = None if reply.drop else reply.status
    world.record(entry)
    return reply


def lost_reply(lost, request_id, product, world):
    """The answer of a write that was applied and whose answer is lost (--lost-response-rate)."""
    if lost == 'dropped':
        return Reply(None, None, drop=True)
    return error_reply(ApiError('ServiceUnavailable', 'The request has failed due to a temporary failure of the '
                                'server.', status=503), request_id, product, world)


def make_handler(world):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'
        # Headers and body go out as two writes; without this Nagle holds the body ~40 ms.
        disable_nagle_algorithm = True
        server_version = 'AlibabaCloudEmulator/1.0'

        def log_message(self, format, *args):  # noqa: A002  (quiet: the call log is the record)
            pass

        def _read_body(self):
            length = int(self.headers.get('Content-Length') or 0)
            return self.rfile.read(length) if length else b''

        def _answer(self, status, body, headers=None):
            payload = json.dumps(body).encode('utf-8')
            self.send_response(status)
            self.send_header('Content-Type', 'application/json;charset=utf-8')
            self.send_header('Content-Length', str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _handle(self):
            body = self._read_body()
            if self.path.startswith('/_emulator/'):
                return self._admin(body)
            if world.latency_ms:
                time.sleep(world.latency_ms / 1000.0)
            request = Request(self.command, self.path, self.headers, body)
            reply = handle_api_call(world, request)
            if reply.drop:
                self.close_connection = True
                return None
            headers = {'x-acs-request-id': reply.body['RequestId'], **reply.headers}
            return self._answer(reply.status, reply.body, headers)

        def _admin(self, body):
            route = (self.command, urlsplit(self.path).path)
            if route == ('GET', '/_emulator/calls'):
                with world.lock:
                    return self._answer(200, {'calls': list(world.calls)})
            if route == ('GET', '/_emulator/state'):
                return self._answer(200, world.snapshot())
            if route == ('POST', '/_emulator/reset'):
                world.reset()
                return self._answer(200, {'reset': True})
            if route == ('POST', '/_emulator/clock'):
                return self._answer(200, move_clock(world, json.loads(body or b'{}')))
            if route == ('POST', '/_emulator/assets/update'):
                payload = json.loads(body or b'{}')
                return self._asset_answer(payload, world.update_asset(payload.get('instance_id'),
                                                                      payload.get('set') or {}))
            if route == ('POST', '/_emulator/assets/release'):
                payload = json.loads(body or b'{}')
                return self._asset_answer(payload, world.release_asset(payload.get('instance_id')))
            if route[0] == 'POST' and (route[1] in ORG_ROUTES or route[1] == '/_emulator/console'):
                return self._org_change(route[1], body)
            return self._answer(404, {'Code': 'NotFound', 'Message': f'no admin route {route}'})

        def _org_change(self, path, body):
            """The organisation endpoints (emulator/admin.py) and the console: a refused admin request
            answers {"Code", "Message"}; a console action refused by its rules answers as the API would."""
            try:
                payload = json.loads(body or b'{}')
                if not isinstance(payload, dict):
                    raise ValueError('not an object')
            except ValueError as error:
                return self._answer(400, {'Code': 'InvalidJSON', 'Message': f'the body must be a JSON object: {error}'})
            request_id = admin.console_request_id() if path == '/_emulator/console' else None
            try:
                if request_id is not None:
                    return self._answer(200, admin.console_call(world, payload, Context, request_id))
                return self._answer(200, ORG_ROUTES[path](world, payload))
            except admin.AdminError as error:
                return self._answer(error.status, {'Code': error.code, 'Message': error.message})
            except ApiError as error:   # the console's action refused it
                reply = error_reply(error, request_id, 'bastionhost', world)
                return self._answer(reply.status, reply.body)

        def _asset_answer(self, payload, found):
            if not found:
                return self._answer(404, {'Code': 'NotFound', 'Message': f'no instance {payload.get("instance_id")}'})
            return self._answer(200, {'instance_id': payload['instance_id']})

        do_GET = do_POST = do_PUT = do_DELETE = _handle

    return Handler


def move_clock(world, payload):
    """`advance_seconds`: time passes for the emulator and its callers alike (STS credentials expire);
    `skew_seconds`: only the emulator's clock moves, so request timestamps fall outside its window."""
    answer = {}
    if 'skew_seconds' in payload:
        world.skew_clock(float(payload['skew_seconds']))
        answer['skew_seconds'] = world.clock_skew
    if 'advance_seconds' in payload or not answer:
        seconds = float(payload.get('advance_seconds', 0))
        world.advance_clock(seconds)
        answer['advanced_seconds'] = seconds
    return answer


def make_server(world, host='127.0.0.1', port=0):
    server = ThreadingHTTPServer((host, port), make_handler(world))
    server.daemon_threads = True
    return server
