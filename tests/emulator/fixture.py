"""The one way to start and stop the emulator (tests/emulator/run.py), for tests, scripts and tools.

From Python: `with running_emulator(org, qps=3) as emu: emu.url ...`; every keyword but those of
start_emulator itself (flags, log_path, new_session, admin_timeout) becomes the run.py flag of the
same name (`fault_rate=0.2` is `--fault-rate 0.2`), so new flags need no change here. The admin
endpoints are asked directly, never through a proxy. Also a pytest plugin (`pytest_plugins =
['fixture']` with tests/emulator on sys.path, or import `emulator_factory`): the `emulator_factory`
fixture starts emulators on free ports and stops them at the end of the test; `demo_emulator` is
one module-wide emulator on the demo organisation, reset before each test.

From a shell (scripts/emulator.sh, the molecule scenario):
    python tests/emulator/fixture.py start [--log FILE] --org FILE [run.py flags...]
        starts the emulator in the background, prints EMULATOR_URL=... and EMULATOR_PID=...
        once it listens, and leaves it running; run.py's flags pass through unchanged.
    python tests/emulator/fixture.py stop PID...
        stops emulators started that way (SIGTERM, then SIGKILL after a grace period).
"""
import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, 'run.py')
ORGS = os.path.join(HERE, 'orgs')
DEMO_ORG = os.path.join(ORGS, 'demo.yml')
STARTUP_TIMEOUT = 20
STOP_TIMEOUT = 10
ADMIN_TIMEOUT = 10
URL_PREFIX = 'EMULATOR_URL='
# The emulator is local: its admin endpoints are never asked through a proxy of the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Emulator:
    """A running emulator process and its admin endpoints (each request given admin_timeout seconds)."""

    def __init__(self, process, url, log_path, admin_timeout=ADMIN_TIMEOUT):
        self.process = process
        self.url = url
        self.endpoint = url.split('://', 1)[1]
        self.log_path = log_path
        self.admin_timeout = admin_timeout

    def _admin(self, method, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        with OPENER.open(request, timeout=self.admin_timeout) as response:
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

    def post(self, path, payload):
        """POST an admin endpoint (`/_emulator/accounts/leave`, ...); its JSON answer. A refusal raises
        urllib.error.HTTPError (its body is the JSON answer)."""
        return self._admin('POST', path, payload)

    def console(self, instance_id, action, **params):
        """A person's edit in the Bastionhost console: `action` applied to `instance_id` by its owner
        (`POST /_emulator/console`); the action's answer. Lists go as lists (`HostIds=['1', '2']`)."""
        return self.post('/_emulator/console', {'instance_id': instance_id, 'action': action, 'params': params})

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def knob_flags(knobs):
    """run.py flags from keywords: latency_ms=20 -> ['--latency-ms', '20']."""
    flags = []
    for name, value in knobs.items():
        flags += ['--' + name.replace('_', '-'), str(value)]
    return flags


def start_emulator(org=DEMO_ORG, *, flags=(), log_path=None, new_session=False, admin_timeout=ADMIN_TIMEOUT,
                   **knobs):
    """Start run.py on a free port and wait until it listens. `flags` are extra run.py
    arguments as given on a command line; `log_path` keeps its output (a temporary file
    otherwise); `new_session` puts it in a process group of its own; `admin_timeout` is the
    time its admin requests get (a large organisation's call log takes longer)."""
    if log_path is None:
        handle, log_path = tempfile.mkstemp(prefix='emulator-', suffix='.log')
        os.close(handle)
    command = [sys.executable, RUN, '--org', org, '--port', '0'] + knob_flags(knobs) + list(flags)
    # The output goes to a file, never a pipe: a pipe nobody reads would block the server once
    # full, and would break when a detached emulator outlives the process that started it.
    with open(log_path, 'w', encoding='utf-8') as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   text=True, start_new_session=new_session)
    return Emulator(process, wait_for_url(process, log_path), log_path, admin_timeout)


def wait_for_url(process, log_path):
    """The URL the emulator prints once it listens; kills it and raises when it does not."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        output = read_text(log_path)
        for line in output.splitlines():
            if line.startswith(URL_PREFIX):
                return line[len(URL_PREFIX):].strip()
        if process.poll() is not None:
            raise RuntimeError(f'the emulator exited with {process.returncode} before listening:\n{output}')
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise RuntimeError(f'the emulator did not print {URL_PREFIX} within {STARTUP_TIMEOUT} s:\n{read_text(log_path)}')


def read_text(path):
    with open(path, encoding='utf-8', errors='replace') as handle:
        return handle.read()


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


# ----------------------------------------------------------------------------- command line

def stop_processes(pids):
    """SIGTERM each process, then SIGKILL those still running after STOP_TIMEOUT."""
    running = [pid for pid in pids if send_signal(pid, signal.SIGTERM)]
    deadline = time.monotonic() + STOP_TIMEOUT
    while running and time.monotonic() < deadline:
        time.sleep(0.05)
        running = [pid for pid in running if is_running(pid)]
    for pid in running:
        send_signal(pid, signal.SIGKILL)


def send_signal(pid, signum):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        return False
    return True


def is_running(pid):
    """True while the process exists and is not a zombie (ours are reaped by init, not by us)."""
    try:
        with open(f'/proc/{pid}/stat', encoding='utf-8') as stat:
            return stat.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel whether the pid exists
        return send_signal(pid, 0)


def main(argv=None):
    parser = argparse.ArgumentParser(description='Start or stop emulators (tests/emulator/run.py).')
    commands = parser.add_subparsers(dest='command', required=True)
    start = commands.add_parser('start', help='start one in the background; other arguments go to run.py')
    start.add_argument('--org', required=True, help='organisation YAML file')
    start.add_argument('--log', help="file for the emulator's output (default: a temporary file)")
    stop = commands.add_parser('stop', help='stop emulators by process id')
    stop.add_argument('pids', nargs='+', type=int)
    args, run_flags = parser.parse_known_args(argv)
    if args.command == 'stop':
        if run_flags:
            parser.error(f'unrecognized arguments: {" ".join(run_flags)}')
        stop_processes(args.pids)
        return 0
    try:
        emulator = start_emulator(args.org, flags=run_flags, log_path=args.log, new_session=True)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    print(f'{URL_PREFIX}{emulator.url}\nEMULATOR_PID={emulator.process.pid}', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
