"""Runs real ansible-playbook against the emulator; needs the collection on ANSIBLE_COLLECTIONS_PATH
(scripts/test.sh and scripts/bootstrap.sh arrange that)."""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'emulator'))

from fixture import DEMO_ORG, running_emulator  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope='module')
def emulator():
    with running_emulator(DEMO_ORG) as running:
        yield running


@pytest.fixture
def run_playbook():
    return _run_playbook


def _run_playbook(playbook, *args, env=None):
    """Run ansible-playbook; returns the CompletedProcess with stdout and stderr as text."""
    environment = dict(os.environ, ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
                       ANSIBLE_NOCOLOR='1', **(env or {}))
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), playbook] + list(args)
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300, check=False)
