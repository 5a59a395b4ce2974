"""Runs real ansible-playbook against the emulator; needs the collection on ANSIBLE_COLLECTIONS_PATH
(scripts/test.sh and scripts/bootstrap.sh arrange that).

``ansible_playbook`` is the one way the e2e tests run ansible-playbook (``.run`` to the end, ``.start``
in the background); plays.py writes the plays, tests/utils/asset_types.py knows the asset types."""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TESTS, 'emulator'))
sys.path.insert(0, os.path.join(TESTS, 'utils'))

from fixture import DEMO_ORG, running_emulator  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK_TIMEOUT = 300
# No warning about the implicit localhost or an inventory that is not there, no colour codes in the output.
QUIET = {'ANSIBLE_LOCALHOST_WARNING': 'false', 'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false', 'ANSIBLE_NOCOLOR': '1'}


class AnsiblePlaybook:
    """The ansible-playbook of the Python running the tests. ``env`` adds to (or overrides) the
    environment: secrets reach a play the way users pass them, there (a command line is echoed at -vvvv)."""

    executable = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')

    def command(self, playbook, args=(), env=None):
        """``(command, environment)`` of one run."""
        environment = dict(os.environ)
        environment.update(QUIET)
        environment.update(env or {})
        return [self.executable, str(playbook)] + [str(arg) for arg in args], environment

    def run(self, playbook, *args, env=None, timeout=PLAYBOOK_TIMEOUT):
        """Runs it to the end: the CompletedProcess, with stdout and stderr as text."""
        command, environment = self.command(playbook, args, env)
        return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=timeout, check=False)

    def start(self, playbook, *args, output, env=None):
        """Starts it in a process group of its own (so that it can be killed with its workers), its output
        going to the open file ``output``; returns the Popen."""
        command, environment = self.command(playbook, args, env)
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=environment,
                                start_new_session=True)


@pytest.fixture(scope='session')
def ansible_playbook():
    return AnsiblePlaybook()


@pytest.fixture(scope='module')
def emulator():
    with running_emulator(DEMO_ORG) as running:
        yield running
