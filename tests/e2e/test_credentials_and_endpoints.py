"""Credentials and endpoints say what is wrong (issue 21, item 8), end to end through real ansible-playbook.

A key id, secret or token with whitespace around it (a trailing newline pasted into an AWX credential) is refused
before any call, naming the field and never its value; a clock that is off is called that, by how much when the
answer's Date header tells; a wrong secret never shows the server's string to sign; an answer that is not the API's
(an HTML page, a proxy's 502, a body that is not JSON) gives its HTTP status without its body; an unreachable proxy
is named as the proxy; HTTP_PROXY is not used for 127.0.0.1 unless NO_PROXY is set without it; a read timeout is
called a timeout, names the endpoint and the seconds waited, and ends the task within the 60 s of a dead endpoint.

The answers that are not the API's come from tiny HTTP servers of this file on 127.0.0.1; nothing reaches the
internet (the one non-loopback endpoint, ``bastionhost.example.test``, is only ever sent to a proxy on 127.0.0.1
that refuses connections). Every case is one task of ONE ansible-playbook run at -vvvv (ignore_errors, results saved
as JSON), except the timeout, whose run is timed on its own.
"""
import contextlib
import email.utils
import http.server
import json
import socket
import threading
import time

import pytest
import yaml

from conftest import AnsiblePlaybook  # the ansible_playbook fixture's class, for a module-wide fixture

MGMT_KEY_ID, MGMT_SECRET = 'LTAIdemoOps00001', 'demo-ops-secret'   # RAM user ops of the management account
WRONG_SECRET = 'not-the-ops-secret-at-all'
PASTED_TOKEN = 'pasted-sts-token-e2e'
HZ = 'cn-hangzhou'
CLOCK_AHEAD = 3720          # the Date header of the clock stub: the service's clock 62 minutes ahead of ours
HTML_MARKERS = ('<html', '<body', 'nginx', 'Bad Gateway</title>')
READ_TIMEOUT_SECONDS = 10   # the SDK's default read timeout, which the collection sets explicitly


def assert_no_secret(output):
    """No secret, in any form, and no STS token in the output (the emulator's tokens start with CAES)."""
    for secret in (MGMT_SECRET, WRONG_SECRET, PASTED_TOKEN):
        assert secret not in output, 'a secret was printed'
    assert 'CAES' not in output, 'an STS security token was printed'


# ---------------------------------------------------------------------------------------------- local servers

class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers every request the way its server's ``answer`` says: ``(status, content type, body, headers)``."""

    def log_message(self, format, *args):  # noqa: A002
        pass

    def _answer(self):
        length = int(self.headers.get('Content-Length') or 0)
        if length:
            self.rfile.read(length)
        self.server.requests += 1
        status, content_type, body, headers = self.server.answer()
        self.send_response_only(status)
        for name, value in dict({'Content-Type': content_type, 'Content-Length': str(len(body))}, **headers).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer


def html_page():
    return 200, 'text/html', b'<html><body><h1>Welcome to nginx!</h1><p>It works.</p></body></html>', {}


def bad_gateway():
    return 502, 'text/html', (b'<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway'
                              b'</h1></center><hr><center>nginx</center></body></html>'), {}


def not_json():
    return 200, 'text/plain', b'OK', {}


def clock_refusal():
    """The real service's answer to a time stamp out of its window, with a Date header an hour ahead of ours."""
    body = json.dumps({'RequestId': 'CLOCK-REQ-1', 'HostId': 'yundun-bastionhost.aliyuncs.com',
                       'Code': 'InvalidTimeStamp.Expired', 'Message': 'Specified time stamp or date value is expired.',
                       'Recommend': 'https://api.aliyun.com/troubleshoot?q=InvalidTimeStamp.Expired'})
    return 400, 'application/json;charset=utf-8', body.encode(), {
        'Date': email.utils.formatdate(time.time() + CLOCK_AHEAD, usegmt=True), 'x-acs-request-id': 'CLOCK-REQ-1'}


@contextlib.contextmanager
def answering(answer):
    """An HTTP server on 127.0.0.1 answering every request with ``answer()``; yields it (``url``, ``requests``)."""
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    server.daemon_threads = True
    server.answer, server.requests = answer, 0
    server.url = 'http://127.0.0.1:%d' % server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def silent():
    """A server on 127.0.0.1 that accepts connections and never answers; yields its URL."""
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(64)
    held, stop = [], threading.Event()

    def hold():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    try:
        yield 'http://127.0.0.1:%d' % listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


def closed_port():
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------------------------------------- the run

def task(name, endpoint_url, environment=None, **args):
    entry = {'name': name, 'register': name, 'ignore_errors': True,
             'alicloud.bastionhost.instance_info': dict(endpoint_url=endpoint_url, **args)}
    if environment:
        entry['environment'] = environment
    return entry


def admin(name, url, method='GET', body=None):
    """An admin call to the emulator (the uri module, not the collection)."""
    args = {'url': url, 'method': method, 'return_content': True, 'status_code': 200}
    if body is not None:
        args.update(body_format='json', body=body)
    return {'name': name, 'register': name, 'ansible.builtin.uri': args}


def write_playbook(path, tasks):
    """One play: the demo ops key as module default, its secret from the environment (a command line is echoed at
    -vvvv); every registered result is saved to ``<path>.json``, even when a task fails."""
    names = [t['register'] for t in tasks]
    save = {'name': 'save the results', 'changed_when': False, 'ansible.builtin.copy': {
        'dest': str(path) + '.json',
        'content': '{{ {%s} | to_json }}' % ', '.join("'%s': %s | default(None)" % (n, n) for n in names)}}
    path.write_text(yaml.safe_dump([{
        'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
        'module_defaults': {'group/alicloud.bastionhost.bastionhost': {
            'region': HZ, 'access_key_id': MGMT_KEY_ID,
            'access_key_secret': "{{ lookup('ansible.builtin.env', 'E2E_OPS_SECRET') }}"}},
        'tasks': [{'block': tasks, 'always': [save]}],
    }], sort_keys=False))
    return path


def environment(secret_from_env=MGMT_SECRET):
    return {'E2E_OPS_SECRET': MGMT_SECRET, 'WRONG_SECRET': WRONG_SECRET, 'PASTED_TOKEN': PASTED_TOKEN,
            'ALIBABA_CLOUD_ACCESS_KEY_SECRET': secret_from_env,
            'HTTP_PROXY': '', 'http_proxy': '', 'HTTPS_PROXY': '', 'https_proxy': '', 'NO_PROXY': '', 'no_proxy': ''}


class Run:
    """The saved results by task name, the output, the emulator's call count before the run, the dead proxy's URL,
    the 502 server's URL and how many requests the clock stub answered."""

    def __init__(self, results, output, calls_before, dead_proxy, gateway, clock_requests):
        self.results, self.output, self.calls_before = results, output, calls_before
        self.dead_proxy, self.gateway, self.clock_requests = dead_proxy, gateway, clock_requests


@pytest.fixture(scope='module')
def cases(emulator, tmp_path_factory):
    """Runs every case but the timeout once (a Run)."""
    emulator.reset()
    dead = 'http://127.0.0.1:%d' % closed_port()
    with answering(html_page) as html, answering(bad_gateway) as gateway, answering(not_json) as text, \
            answering(clock_refusal) as clock:
        tasks = [
            # ---- whitespace around credentials: refused before any call
            task('secret_from_env_with_newline', emulator.url, access_key_secret='{{ omit }}'),
            task('key_id_with_trailing_space', emulator.url, access_key_id=MGMT_KEY_ID + ' '),
            task('token_with_leading_newline', emulator.url,
                 security_token="\n{{ lookup('ansible.builtin.env', 'PASTED_TOKEN') }}"),
            admin('calls_after_whitespace', emulator.url + '/_emulator/calls'),
            # ---- the service's refusals, said plainly
            task('wrong_secret', emulator.url, access_key_secret="{{ lookup('ansible.builtin.env', 'WRONG_SECRET') }}"),
            admin('skew', emulator.url + '/_emulator/clock', 'POST', {'skew_seconds': 3600}),
            task('clock_off', emulator.url),
            admin('unskew', emulator.url + '/_emulator/clock', 'POST', {'skew_seconds': -3600}),
            task('clock_off_by_date_header', clock.url),
            # ---- answers that are not the API's
            task('html_page', html.url),
            task('bad_gateway', gateway.url),
            task('not_json', text.url),
            # ---- proxies
            task('unreachable_proxy', 'http://bastionhost.example.test', environment={'HTTP_PROXY': dead}),
            task('loopback_is_not_proxied', emulator.url, environment={'HTTP_PROXY': dead}),
            task('no_proxy_without_loopback', emulator.url,
                 environment={'HTTP_PROXY': gateway.url, 'NO_PROXY': 'example.test'}),
            task('no_proxy_naming_the_endpoint', emulator.url,
                 environment={'http_proxy': dead, 'no_proxy': 'localhost,127.0.0.1'}),
        ]
        mark = len(emulator.calls())
        path = write_playbook(tmp_path_factory.mktemp('credentials-endpoints') / 'cases.yml', tasks)
        result = AnsiblePlaybook().run(str(path), '-vvvv', env=environment(secret_from_env=MGMT_SECRET + '\n'))
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-5000:]
        with open(str(path) + '.json') as handle:
            saved = json.load(handle)
        return Run(saved, output, mark, dead, gateway.url, clock.requests)


def failed_msg(cases, name):
    result = cases.results[name]
    assert result is not None, 'the task did not run'
    assert result.get('failed') is True, 'the task did not fail: %s' % json.dumps(result)[:2000]
    msg = result['msg']
    assert '\n' not in msg and 'Traceback' not in msg and 'MODULE FAILURE' not in msg, msg
    return msg


# ---------------------------------------------------------------------------------------------- credentials

@pytest.mark.parametrize('name,field,source', [
    ('secret_from_env_with_newline', 'access_key_secret', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'),
    ('key_id_with_trailing_space', 'access_key_id', 'option'),
    ('token_with_leading_newline', 'security_token', 'option'),
])
def test_whitespace_around_a_credential_is_one_clear_error_before_any_call(cases, name, field, source):
    msg = failed_msg(cases, name)
    assert field in msg and source in msg, msg
    assert 'whitespace' in msg, msg
    assert MGMT_SECRET not in msg and PASTED_TOKEN not in msg and MGMT_KEY_ID not in msg, msg
    assert 'code:' not in msg and 'SignatureDoesNotMatch' not in msg, 'an API call was made: %s' % msg
    calls = json.loads(cases.results['calls_after_whitespace']['content'])['calls']
    assert len(calls) == cases.calls_before, 'the whitespace cases called the API: %s' % calls[cases.calls_before:]


def test_a_wrong_secret_says_so_without_the_string_to_sign(cases):
    msg = failed_msg(cases, 'wrong_secret')
    assert 'code: SignatureDoesNotMatch' in msg and 'request id: EMU' in msg, msg
    assert 'does not match' in msg and 'access_key_secret' in msg and 'access_key_id' in msg, msg
    assert 'string to sign' not in msg.lower() and 'HMAC' not in msg and 'GET&' not in msg, msg
    assert 'string to sign is:' not in cases.output, 'the server string to sign was printed (-vvvv)'


def test_a_clock_out_of_the_window_is_called_the_clock(cases):
    msg = failed_msg(cases, 'clock_off')
    assert 'code: InvalidTimeStamp.Expired' in msg and 'request id: EMU' in msg, msg
    assert 'clock' in msg and '15 minutes' in msg, msg


def test_the_date_header_says_by_how_much_the_clock_is_off(cases):
    msg = failed_msg(cases, 'clock_off_by_date_header')
    assert cases.clock_requests == 1, 'a refused time stamp is not retried'
    assert 'code: InvalidTimeStamp.Expired' in msg and 'request id: CLOCK-REQ-1' in msg, msg
    assert 'clock' in msg and 'behind' in msg and '62 minutes' in msg, msg


# ---------------------------------------------------------------------------------------------- not the API

@pytest.mark.parametrize('name,status', [('html_page', 'HTTP 200'), ('bad_gateway', 'HTTP 502'), ('not_json', 'HTTP 200')])
def test_an_answer_that_is_not_the_apis_gives_its_status_without_its_body(cases, name, status):
    msg = failed_msg(cases, name)
    assert status in msg and 'not an Alibaba Cloud API answer' in msg, msg
    assert 'or a proxy in between' in msg and 'Check endpoint_url/endpoints' in msg, msg
    assert not [marker for marker in HTML_MARKERS if marker in msg], msg
    assert 'Failed to parse' not in msg and 'json format' not in msg, msg


def test_no_html_body_anywhere_in_the_output(cases):
    assert not [marker for marker in HTML_MARKERS if marker in cases.output], 'an HTML body was printed (-vvvv)'


# ---------------------------------------------------------------------------------------------- proxies

def test_an_unreachable_proxy_is_named_as_the_proxy(cases):
    msg = failed_msg(cases, 'unreachable_proxy')
    dead = cases.dead_proxy
    assert 'cannot connect to the proxy %s (HTTP_PROXY)' % dead in msg, msg
    assert 'http://bastionhost.example.test' in msg and 'Connection refused' in msg, msg
    assert 'NO_PROXY' in msg, msg


@pytest.mark.parametrize('name', ['loopback_is_not_proxied', 'no_proxy_naming_the_endpoint'])
def test_loopback_endpoints_and_no_proxy_hosts_are_called_directly(cases, name):
    result = cases.results[name]
    assert result is not None and not result.get('failed'), json.dumps(result)[:2000]
    assert result['instances'], result


def test_a_no_proxy_without_loopback_sends_loopback_through_the_proxy(cases):
    msg = failed_msg(cases, 'no_proxy_without_loopback')
    assert 'HTTP 502' in msg and 'through the proxy %s (HTTP_PROXY)' % cases.gateway in msg, msg
    assert 'not an Alibaba Cloud API answer' in msg, msg
    assert not [marker for marker in HTML_MARKERS if marker in msg], msg


def test_no_secret_in_the_output_at_vvvv(cases):
    assert_no_secret(cases.output)


# ---------------------------------------------------------------------------------------------- timeout

def test_a_read_timeout_is_a_timeout_and_ends_within_a_minute(ansible_playbook, tmp_path):
    with silent() as url:
        path = write_playbook(tmp_path / 'timeout.yml', [task('silent_endpoint', url)])
        started = time.monotonic()
        result = ansible_playbook.run(str(path), env=environment())
        took = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    assert took < 60, 'the task took %.0f s to give up on an endpoint that never answers' % took
    assert_no_secret(output)
    with open(str(path) + '.json') as handle:
        saved = json.load(handle)
    msg = failed_msg(Run(saved, output, 0, None, None, 0), 'silent_endpoint')
    assert 'timed out' in msg and 'read timeout' in msg, msg
    assert url in msg and 'within %d s' % READ_TIMEOUT_SECONDS in msg, msg
    assert 'cannot connect' not in msg, msg
