"""tests/emulator/run.py as a program: one EMULATOR_URL line, serves the SDKs, stops cleanly."""
import re
import selectors
import signal
import socket
import subprocess
import sys

import pytest

from emulator_testlib import DEMO_ORG, EMULATOR_DIR, MGMT_ID, sdk

RUN = f'{EMULATOR_DIR}/run.py'
URL_LINE = re.compile(r'^EMULATOR_URL=http://127\.0\.0\.1:(\d+)\n$')


class Endpoint:
    def __init__(self, url):
        self.url = url
        self.endpoint = url.split('://', 1)[1]


def start(*args):
    process = subprocess.Popen([sys.executable, RUN, '--org', DEMO_ORG, *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    if not selector.select(timeout=20):
        process.kill()
        pytest.fail('run.py printed nothing within 20 s')
    return process, process.stdout.readline()


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT])
def test_prints_one_url_line_and_stops_on_signal(signum):
    process, line = start('--port', '0')
    try:
        match = URL_LINE.match(line)
        assert match, line
        identity = sdk(Endpoint(line.strip().split('=', 1)[1]), 'sts', 'mgmt').get_caller_identity().body
        assert identity.account_id == MGMT_ID
        process.send_signal(signum)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert out == ''          # nothing after the one line
    assert 'Traceback' not in err


def test_explicit_port_and_knobs():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    process, line = start('--host', '127.0.0.1', '--port', str(port), '--latency-ms', '0', '--qps', '5',
                          '--fault-rate', '0', '--seed', '3')
    try:
        assert line == f'EMULATOR_URL=http://127.0.0.1:{port}\n'
        assert sdk(Endpoint(line.strip().split('=', 1)[1]), 'sts', 'mgmt').get_caller_identity().body.request_id
        process.terminate()
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
