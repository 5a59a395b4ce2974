"""Reliability end to end: real ansible-playbook runs of the real modules against emulators over HTTP with
faults injected (ServiceUnavailable, throttling), a playbook killed in the middle of an import, and the API
going away in the middle of one. After each, a (re)run converges: every asset imported exactly once, nothing
lost, and nothing printed that is secret, even at -vvvv.
"""
import os
import signal
import time

import yaml

from alibabacloud_tea_openapi.utils_models import Config
from alibabacloud_yundun_bastionhost20191209 import models as bh_models
from alibabacloud_yundun_bastionhost20191209.client import Client as BastionhostClient

from asset_types import SOURCES, account_assets, failed_items, result_key
from fixture import DEMO_ORG, running_emulator, start_emulator
from plays import local_play, read_results, write_playbook

MGMT_KEY_ID, MGMT_SECRET = 'LTAIdemoOps00001', 'demo-ops-secret'   # RAM user ops of the management account
HZ, SH = 'cn-hangzhou', 'cn-shanghai'
ENT01 = 'bastionhost-cn-hz-ent01'
MEMBERS = {'shop-prod': '1000000000000011', 'data-prod': '1000000000000012', 'shop-dev': '1000000000000021',
           'data-dev': '1000000000000022'}
TOKEN_PREFIX = 'CAES'   # the emulator's STS tokens start like Alibaba Cloud's
# The secret reaches ansible-playbook the way users pass it: the environment (a command line is echoed at -vvvv).
SECRET_ENV = {'ALIBABA_CLOUD_ACCESS_KEY_SECRET': MGMT_SECRET}


def org_assets(member_names, regions=(HZ, SH), types=('ecs', 'rds', 'polardb')):
    """``[(type, instance id)]`` of the members' assets in the demo organisation file, sorted."""
    with open(DEMO_ORG) as handle:
        org = yaml.safe_load(handle)
    found = []
    for account in org['accounts']:
        if account['name'] not in member_names:
            continue
        found += [(kind, a['id']) for kind, a in account_assets(account) if kind in types and a['region'] in regions]
    return sorted(found)


def imported_in_emulator(emulator):
    """``[(type, source instance id)]`` of every host and database imported into ENT01, sorted, duplicates kept."""
    state = emulator.instance(ENT01)
    return sorted((SOURCES[a['Source']], a['SourceInstanceId']) for a in state['hosts'] + state['databases']
                  if a['Source'] in SOURCES)


def add_members(emulator, *member_ids):
    client = BastionhostClient(Config(access_key_id=MGMT_KEY_ID, access_key_secret=MGMT_SECRET,
                                      endpoint=emulator.endpoint, protocol='http', region_id=HZ))
    for member_id in member_ids:
        client.add_instance_rd_member(bh_models.AddInstanceRdMemberRequest(
            region_id=HZ, instance_id=ENT01, member_id=member_id))


def import_writes(emulator):
    return [c for c in emulator.calls() if c['action'] in ('CreateHost', 'CreateDatabase') and c['status'] == 200]


def playbook(path, emulator_url, tasks):
    """Writes a play with the demo management key id as module default (the secret comes from the
    environment) that saves every registered result to ``<path>.json``, even when a task fails."""
    defaults = {'endpoint_url': emulator_url, 'region': HZ, 'access_key_id': MGMT_KEY_ID}
    return write_playbook(path, [local_play(tasks, str(path) + '.json', defaults=defaults)])[0]


def results(path):
    return read_results(str(path) + '.json')


def run(ansible_playbook, path, *args):
    """``(exit code, output)`` of one run of ``path``, the secret in the environment."""
    result = ansible_playbook.run(path, *args, env=SECRET_ENV)
    return result.returncode, result.stdout + result.stderr


def process_tree(root):
    """``root`` and its descendants, from /proc. Ansible's workers call setsid(), so they and the module
    processes they run are not in ansible-playbook's process group."""
    children = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as handle:
                    parent = int(handle.read().rsplit(')', 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def kill_tree(root):
    """SIGKILL ``root`` (a process this test started) and every process under it, as when the machine or the
    job's container dies: stop them all first, so that none can start another in between."""
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        for pid in process_tree(root):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, 'timed out waiting for ' + what
        time.sleep(0.01)


def assert_no_secret(output):
    assert MGMT_SECRET not in output
    assert TOKEN_PREFIX not in output, 'an STS security token was printed'


def import_tasks(member_names, regions=(HZ, SH), types=('ecs', 'rds', 'polardb'), **extra):
    return [{'name': 'import the members assets', 'register': 'assets', 'alicloud.bastionhost.member_asset': dict(
        instance_id=ENT01, discover=dict(members=list(member_names), regions=list(regions), types=list(types)),
        **extra)}]


# ---------------------------------------------------------------------------------------------- faults

def test_import_converges_under_faults_and_throttling(ansible_playbook, tmp_path):
    """20 % of calls answered ServiceUnavailable and at most 5 calls per second per action: every member is
    added, every asset of two members in both regions is imported exactly once, a rerun changes nothing."""
    wanted = org_assets(('shop-prod', 'data-prod'))
    assert len(wanted) == 28
    tasks = [{'name': 'add every member', 'register': 'members', 'alicloud.bastionhost.rd_member': {
        'instance_id': ENT01, 'select': {'all': True}}}] + import_tasks(('shop-prod', 'data-prod'))
    with running_emulator(DEMO_ORG, fault_rate=0.2, qps=5, seed=20240611) as emulator:
        path = playbook(tmp_path / 'faults.yml', emulator.url, tasks)
        # The first run is at -vvvv, so that the output of faults and of a partial failure (if there is one)
        # goes through the secret check too.
        code, output = run(ansible_playbook, path, '-vvvv')
        assert_no_secret(output)
        runs = [results(path)]
        if code != 0:
            # Every call is retried (backoff with jitter, 6 tries), so one run normally converges; but a write
            # can exhaust its tries when faults and throttling hit it six times in a row. Then the task must
            # fail saying what was done and to rerun, and ONE rerun (writes are idempotent) must finish.
            failed = runs[0]['assets'] if (runs[0]['assets'] or {}).get('failed') else runs[0]['members']
            hints = ('rerun to finish', 'ServiceUnavailable', 'Throttling')
            assert any(hint in failed['msg'] for hint in hints), failed['msg']
            code, output = run(ansible_playbook, path)
            runs.append(results(path))
        assert code == 0, output[-5000:]
        assert sorted(sum((r['members'].get('added', []) for r in runs if r['members']), [])) == sorted(MEMBERS.values())
        assert sum((r['assets'] or {}).get('counts', {}).get('imported', 0) for r in runs) == len(wanted)
        assert imported_in_emulator(emulator) == wanted, 'an asset was lost or imported twice'

        code, output = run(ansible_playbook, path)
        assert code == 0, output[-5000:]
        rerun = results(path)
        assert rerun['members']['changed'] is False and rerun['assets']['changed'] is False
        assert rerun['assets']['counts'] == {'imported': 0, 'updated': 0, 'removed': 0, 'unchanged': len(wanted),
                                             'skipped': 0, 'foreign': 0}
        assert 'changed=0' in output
        assert imported_in_emulator(emulator) == wanted
        assert emulator.instance(ENT01)['members'] == sorted(MEMBERS.values())
        codes = [c['code'] for c in emulator.calls()]
        assert 'ServiceUnavailable' in codes and 'Throttling.User' in codes, 'the faults were not exercised'


# ---------------------------------------------------------------------------------------------- killed playbook

def test_playbook_killed_mid_import_then_rerun_imports_only_the_rest(ansible_playbook, tmp_path):
    """SIGKILL ansible-playbook and everything under it (workers, the module) while it imports, as when the
    machine or the job's container dies; the emulator keeps its state (a restarted one would start empty). The
    rerun imports exactly what is missing, and every asset is there once."""
    wanted = org_assets(('shop-prod', 'data-prod'))
    with running_emulator(DEMO_ORG, latency_ms=100) as emulator:
        add_members(emulator, MEMBERS['shop-prod'], MEMBERS['data-prod'])
        path = playbook(tmp_path / 'import.yml', emulator.url, import_tasks(('shop-prod', 'data-prod'),
                                                                            max_concurrency=2))
        with open(tmp_path / 'killed.log', 'w') as log:
            process = ansible_playbook.start(path, output=log, env=SECRET_ENV)
            try:
                wait_for(lambda: len(import_writes(emulator)) >= 5, 120, 'the first imports')
            finally:
                kill_tree(process.pid)
                process.wait(timeout=30)
        # A request already sent is still answered after its client died: wait until nothing moves.
        seen = -1
        while seen != len(emulator.calls()):
            seen = len(emulator.calls())
            time.sleep(0.5)
        done = imported_in_emulator(emulator)
        assert 0 < len(done) < len(wanted), 'the kill did not land in the middle of the import'
        assert len(set(done)) == len(done) and set(done) <= set(wanted)

        code, output = run(ansible_playbook, path)
        assert code == 0, output[-5000:]
        rerun = results(path)['assets']
        assert rerun['changed'] is True
        assert rerun['counts'] == {'imported': len(wanted) - len(done), 'updated': 0, 'removed': 0,
                                   'unchanged': len(done), 'skipped': 0, 'foreign': 0}
        assert sorted(result_key(a)[1:] for a in rerun['imported']) == sorted(set(wanted) - set(done))
        assert imported_in_emulator(emulator) == wanted, 'an asset was lost or imported twice'
        duplicates = [c for c in emulator.calls() if c['code'] in ('OBJECT_AlREADY_EXISTS', 'OBJECT_ALREADY_EXISTS')]
        assert duplicates == [], 'the rerun tried to import again what was there'


# ---------------------------------------------------------------------------------------------- API gone

def test_api_going_away_mid_import_fails_with_one_readable_error(ansible_playbook, tmp_path):
    """The emulator is killed while the import runs: the task fails with one readable message that names the
    endpoint and says what to check, lists what was imported before, and prints no traceback and no secret."""
    wanted = org_assets(('shop-prod',), regions=(HZ,), types=('ecs',))
    assert len(wanted) == 8
    emulator = start_emulator(DEMO_ORG, latency_ms=400)
    try:
        add_members(emulator, MEMBERS['shop-prod'])
        path = playbook(tmp_path / 'import.yml', emulator.url, import_tasks(
            ('shop-prod',), regions=(HZ,), types=('ecs',), max_concurrency=2))
        with open(tmp_path / 'gone.log', 'w') as log:
            process = ansible_playbook.start(path, '-vvvv', output=log, env=SECRET_ENV)
            try:
                # Two writes at a time: kill while the last two are on the wire.
                wait_for(lambda: len(import_writes(emulator)) >= len(wanted) - 2, 120, 'the first imports')
                done = imported_in_emulator(emulator)
                emulator.process.kill()
                gone_at = time.monotonic()
                emulator.process.wait(timeout=10)
                process.wait(timeout=180)
                gave_up_after = time.monotonic() - gone_at
            finally:
                if process.poll() is None:
                    kill_tree(process.pid)
        output = (tmp_path / 'gone.log').read_text()
    finally:
        emulator.stop()
    assert process.returncode != 0, output[-5000:]
    # Several calls in a row refused: the circuit breaker stops every pending call and write at once.
    assert gave_up_after < 60, 'the task took %.0f s to give up on a dead endpoint' % gave_up_after
    assert_no_secret(output)
    result = results(path)['assets']
    msg = result['msg']
    assert result['failed'] is True and '\n' not in msg and 'Traceback' not in msg, msg
    # The endpoint (host and port, in urllib3's words) and the cause.
    assert 'cannot connect to %s (Connection refused)' % emulator.endpoint in msg, msg
    assert 'Check endpoint_url/endpoints and network' in msg, msg
    assert 'rerun to finish' in msg, msg
    # What was imported before the API went away is reported, and only that.
    assert 'imported %d' % len(done) in msg, msg
    assert sorted(result_key(a)[1:] for a in result['imported']) == done
    assert result['counts']['imported'] == len(done)
    # Each distinct failure once (issue 22), with the assets it stopped as short lines.
    failed = sorted(result_key(item)[1:] for _action, item in failed_items(result))
    assert failed == sorted(set(wanted) - set(done)), result['failures']
    for group in result['failures']:
        assert group['action'] == 'import' and 'Check endpoint_url' in group['message'], group
    assert msg.count('Check endpoint_url') == 1, msg
