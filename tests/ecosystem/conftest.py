"""Fixtures of the ecosystem tests: the tools AWX/AAP and the Ansible community run on a
collection (ansible-runner, ansible-galaxy, ansible-builder, ansible-doc, antsibull-docs,
antsibull-changelog), run on this checkout.

They need the packages of requirements.txt, tests/requirements.txt and
tests/ecosystem/requirements.txt in the Python that runs pytest: a missing tool fails the test
that needs it, saying what to install; nothing is skipped. The collection is found through a
temporary ansible_collections/alicloud/bastionhost symlink to the checkout, and every tool runs
with an environment built here (whatever scripts/bootstrap.sh exported is not relied on).
The test modules get the helpers through the `eco` fixture (importing this conftest by name
would pick whichever conftest.py pytest loaded last).
"""
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'emulator'))

from fixture import DEMO_ORG, running_emulator  # noqa: E402  pylint: disable=wrong-import-position

INSTALL_HINT = 'pip install -r requirements.txt -r tests/requirements.txt -r tests/ecosystem/requirements.txt'


class Ecosystem:
    """Paths and helpers shared by the ecosystem tests."""

    root = ROOT
    python = sys.executable

    def __init__(self, collections_root):
        self.collections_root = collections_root
        self.collection_dir = collections_root / 'ansible_collections' / 'alicloud' / 'bastionhost'

    @staticmethod
    def tool(name):
        """The path of a command-line tool, the one beside the tests' Python first; fails if missing."""
        candidate = os.path.join(os.path.dirname(sys.executable), name)
        found = candidate if os.access(candidate, os.X_OK) else shutil.which(name)
        if not found:
            pytest.fail(f'{name} is not installed: {INSTALL_HINT}', pytrace=False)
        return found

    @staticmethod
    def module(name):
        """Import a Python module the test needs; fails (never skips) saying what to install."""
        try:
            __import__(name)
        except ImportError as error:
            pytest.fail(f'the Python module {name} is missing ({error}): {INSTALL_HINT}', pytrace=False)
        return sys.modules[name]

    def env(self, collections_path='default', **extra):
        """os.environ without credentials, Ansible settings or PYTHONPATH (nothing leaks into a
        run, nor another copy of the collection), plus quiet deterministic Ansible settings and
        ANSIBLE_COLLECTIONS_PATH (this checkout's by default)."""
        environment = {key: value for key, value in os.environ.items()
                       if not key.startswith(('ALIBABA_CLOUD_', 'ALICLOUD_', 'ANSIBLE_')) and key != 'PYTHONPATH'}
        environment.update(
            ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_LOCALHOST_WARNING='false',
            ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false', ANSIBLE_RETRY_FILES_ENABLED='false',
            PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''),
        )
        if collections_path == 'default':
            collections_path = self.collections_root
        if collections_path:
            environment['ANSIBLE_COLLECTIONS_PATH'] = str(collections_path)
        environment.update({key: str(value) for key, value in extra.items()})
        return environment

    def run(self, command, *, cwd=None, env=None, timeout=300, check=True):
        """Run a command (with self.env() unless env is given); with check, a non-zero exit
        fails the test showing the command's output."""
        command = [str(part) for part in command]
        result = subprocess.run(command, cwd=cwd, env=self.env() if env is None else env, capture_output=True,
                                text=True, timeout=timeout, check=False)
        if check and result.returncode != 0:
            pytest.fail(f'{" ".join(command)} exited {result.returncode}\n'
                        f'--- stdout\n{result.stdout[-20000:]}\n--- stderr\n{result.stderr[-20000:]}', pytrace=False)
        return result


@pytest.fixture(scope='session')
def eco(tmp_path_factory):
    root = tmp_path_factory.mktemp('collections')
    (root / 'ansible_collections' / 'alicloud').mkdir(parents=True)
    (root / 'ansible_collections' / 'alicloud' / 'bastionhost').symlink_to(ROOT, target_is_directory=True)
    return Ecosystem(root)


@pytest.fixture(scope='session')
def artifact(eco, tmp_path_factory):
    """The tarball `ansible-galaxy collection build` makes of this checkout (built once)."""
    output = tmp_path_factory.mktemp('artifact')
    eco.run([eco.tool('ansible-galaxy'), 'collection', 'build', '--output-path', output, eco.collection_dir])
    built = sorted(output.glob('alicloud-bastionhost-*.tar.gz'))
    assert len(built) == 1, f'expected one artifact in {output}, found {built}'
    return built[0]


@pytest.fixture
def demo_emulator():
    """A fresh emulator on the demo organisation (tests/emulator/orgs/demo.yml) for one test."""
    with running_emulator(DEMO_ORG) as emulator:
        yield emulator
