"""Start and stop the emulator from tests: `with running_emulator(org) as emu: emu.url ...`.

Also a pytest plugin (`pytest_plugins = ['fixture']` with tests/emulator on sys.path, or
import `emulator_factory`): the `emulator_factory` fixture starts emulators on free ports
and stops them at the end of the test; `demo_emulator` is one module-wide emulator on the
demo organisation, reset before each test.
"""
import contextlib
import json
import os
import signal
import subprocess
import selectors
import sys
import tempfile
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, 'run.py')
ORGS = os.path.join(HERE, 'orgs')
DEMO_ORG = os.path.join(ORGS, 'demo.yml')
STARTUP_TIMEOUT = 20


class Emulator:
    """A running emulator process and its admin endpoints."""

    def __init__(self, process, url):
        self.process = process
        self.url = url
        self.endpoint = url.split('://', 1)[1]

    def _admin(self, method, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def calls(self):
        return self._admin('GET', '/_emulator/calls')['calls']

    def writes(self):
        return [c for c in self.calls() if c['write'] and c['status'] == 200]

    def state(self):
        return self._admin('GET', '/_emulator/state')

    def instance(self, instance_id):
        return next(i for i in self.state()['instances'] if i['instance_id'] == instance_id)

    def reset(self):
        return self._admin('POST', '/_emulator/reset', {})

    def advance_clock(self, seconds):
        return self._admin('POST', '/_emulator/clock', {'advance_seconds': seconds})

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_emulator(org=DEMO_ORG, latency_ms=0, qps=0, fault_rate=0.0, seed=0):
    command = [sys.executable, RUN, '--org', org, '--port', '0', '--latency-ms', str(latency_ms),
               '--qps', str(qps), '--fault-rate', str(fault_rate), '--seed', str(seed)]
    # stderr goes to a file: a pipe nobody reads would block the server once full.
    stderr = tempfile.TemporaryFile(mode='w+')
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
    line = _read_url_line(process, stderr)
    return Emulator(process, line.split('=', 1)[1].strip())


def _read_url_line(process, stderr):
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    if not selector.select(timeout=STARTUP_TIMEOUT):
        process.kill()
        raise RuntimeError('emulator did not print EMULATOR_URL in time')
    line = process.stdout.readline()
    if not line.startswith('EMULATOR_URL='):
        process.kill()
        stderr.seek(0)
        raise RuntimeError(f'emulator failed to start: {line}{stderr.read()}')
    return line


@contextlib.contextmanager
def running_emulator(org=DEMO_ORG, **knobs):
    emulator = start_emulator(org, **knobs)
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def emulator_factory():
    started = []

    def start(org=DEMO_ORG, **knobs):
        emulator = start_emulator(org, **knobs)
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


@pytest.fixture(scope='module')
def _module_demo_emulator():
    with running_emulator(DEMO_ORG) as emulator:
        yield emulator


@pytest.fixture
def demo_emulator(_module_demo_emulator):
    _module_demo_emulator.reset()
    return _module_demo_emulator
