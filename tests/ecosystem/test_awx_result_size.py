"""Results AWX keeps (issue 22): ansible-runner's awx_display callback replaces a task result whose str() is
over MAX_EVENT_RES characters (700,000 by default, AWX's MAX_EVENT_RES_DATA) with {}. At 1,000 assets
(20 members x 50) the bound scales to 70,000: the first import, its rerun and an import whose endpoint dies
must each keep their result, in diff mode, and the failure must name its cause once."""
import os
import sys
import threading
import time

import yaml

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'perf'))

from bench import build_org  # noqa: E402  pylint: disable=wrong-import-position
from fixture import start_emulator  # noqa: E402  pylint: disable=wrong-import-position

MAX_EVENT_RES = 70000
REGIONS = ['cn-hangzhou', 'cn-shanghai']


def org(tmp_path):
    text, facts = build_org(20, 50)
    path = tmp_path / 'org.yml'
    path.write_text(text)
    assert len(facts['assets']) == 1000
    return path, facts


def job(tmp_path, name, facts, emulator_url, tasks):
    """A project with one playbook: the credentials in module_defaults, as an AWX credential would give them."""
    project = tmp_path / name
    project.mkdir()
    play = {'name': name, 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
            'module_defaults': {'group/alicloud.bastionhost.bastionhost': {
                'access_key_id': facts['access_key']['id'], 'access_key_secret': facts['access_key']['secret'],
                'region': 'cn-hangzhou', 'endpoint_url': emulator_url}},
            'tasks': tasks}
    (project / 'job.yml').write_text(yaml.safe_dump([play], sort_keys=False))
    return project


def import_task(facts, concurrency=4):
    return {'name': 'import', 'alicloud.bastionhost.member_asset': {
        'instance_id': facts['bastion_id'], 'discover': {'regions': REGIONS}, 'max_concurrency': concurrency}}


def run(eco, project, **kwargs):
    """ansible-runner with its awx_display callback, as AWX runs a job template with diff mode on."""
    ansible_runner = eco.module('ansible_runner')
    env = eco.env(MAX_EVENT_RES=str(MAX_EVENT_RES))
    env.pop('ANSIBLE_PYTHON_INTERPRETER')
    return ansible_runner.run(
        private_data_dir=str(project), project_dir=str(project), playbook='job.yml',
        inventory={'all': {'hosts': {'localhost': {'ansible_connection': 'local',
                                                   'ansible_python_interpreter': eco.python}}}},
        envvars=env, cmdline='--diff', quiet=True, timeout=600, **kwargs)


def task_result(runner, name):
    events = [e for e in runner.events if e.get('event') in ('runner_on_ok', 'runner_on_failed')
              and e['event_data'].get('task') == name]
    assert len(events) == 1, [e.get('event') for e in runner.events]
    return events[0]['event'], events[0]['event_data']['res']


def test_a_1000_asset_import_its_rerun_and_a_dead_endpoint_keep_their_results(eco, tmp_path):
    path, facts = org(tmp_path)
    members = {'name': 'members', 'alicloud.bastionhost.rd_member': {
        'instance_id': facts['bastion_id'], 'select': {'all': True}}}
    emulator = start_emulator(path)
    try:
        runner = run(eco, job(tmp_path, 'first', facts, emulator.url, [members, import_task(facts)]))
        event, res = task_result(runner, 'import')
        assert event == 'runner_on_ok' and res, 'ansible-runner dropped the first import result'
        assert res['counts']['imported'] == 1000 - res['counts']['skipped'] and len(res['imported']) > 900
        assert len(str(res)) <= MAX_EVENT_RES and 'diff' in res

        runner = run(eco, job(tmp_path, 'rerun', facts, emulator.url, [import_task(facts)]))
        event, res = task_result(runner, 'import')
        assert event == 'runner_on_ok' and res, 'ansible-runner dropped the rerun result'
        assert res['changed'] is False and res['counts']['imported'] == 0 and len(res['unchanged']) > 900
    finally:
        emulator.stop()

    emulator = start_emulator(path, latency_ms=200)
    try:
        project = job(tmp_path, 'gone', facts, emulator.url, [members, import_task(facts, concurrency=8)])
        killer = threading.Thread(target=kill_mid_import, args=(emulator,))
        killer.start()
        runner = run(eco, project)
        killer.join()
    finally:
        emulator.stop()
    event, res = task_result(runner, 'import')
    assert event == 'runner_on_failed' and res, 'ansible-runner dropped the failed import result'
    msg = res['msg']
    assert 'stopped answering' in msg and msg.count('cannot connect to') == 1, msg
    assert sum(group['count'] for group in res['failures']) + res['counts']['imported'] >= 900, res['counts']
    assert len(str(res)) <= MAX_EVENT_RES


def kill_mid_import(emulator, timeout=300):
    """Kill the emulator once some hosts are imported, as an endpoint that dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(1 for call in emulator.calls() if call['action'] == 'CreateHost' and call['status'] == 200) >= 100:
            break
        time.sleep(0.5)
    emulator.process.kill()
