"""Benchmark of member_asset at scale: 20 members x 100 assets against the emulator.

Run it through ``./scripts/bench.sh [options]`` (it sets up the virtualenv and makes the
collection importable); ``tests/perf/README.md`` explains the phases and the floor.

Everything runs on 127.0.0.1: the emulators this script starts (stopped on exit, Ctrl-C or
error) and real ``ansible-playbook`` runs of generated playbooks. Nothing is asserted: the
targets are reported PASS/MISS.
"""
import argparse
import json
import math
import os
import random
import re
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'emulator'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'utils'))

import fixture  # noqa: E402  pylint: disable=wrong-import-position
from asset_types import ORG_KEYS  # noqa: E402  pylint: disable=wrong-import-position
from fixture import start_emulator  # noqa: E402  pylint: disable=wrong-import-position

# The emulator reads the organisation file before it listens: 10,000 assets take 7 s of CPU, over 20 s
# (fixture's own wait) on two CPUs shared with other work.
fixture.STARTUP_TIMEOUT = max(fixture.STARTUP_TIMEOUT, 180)

HOST = '127.0.0.1'
REGIONS = ('cn-hangzhou', 'cn-shanghai')
REGION_PREFIX = {'cn-hangzhou': 'bp1', 'cn-shanghai': 'uf6'}
BASTION_REGION = 'cn-hangzhou'
BASTION_VERSION = '3.2.52'
OPERATOR_POLICIES = ['AliyunYundunBastionHostFullAccess', 'AliyunResourceDirectoryFullAccess',
                     'AliyunSTSAssumeRoleAccess', 'AliyunRAMReadOnlyAccess']
PAGE = 100                      # the page size the modules ask for (assets.PAGE_SIZE)
ADMIN_TIMEOUT = 60              # seconds for one admin request (the call log of 10,000 assets is large)
WRITE_ACTIONS = ('AddInstanceRdMember', 'RemoveInstanceRdMember', 'CreateHost', 'DeleteHost',
                 'CreateDatabase', 'DeleteDatabase')
THROTTLED = 'Throttling.User'
# ansible-runner's awx_display callback replaces a task's result with {} when len(str(result)) is over
# MAX_EVENT_RES (700,000 by default, AWX's MAX_EVENT_RES_DATA): every phase's result is held against it.
MAX_EVENT_RES = 700000
# The code the "every write refused" phase's emulator answers every write with (--refuse-writes), 400. No
# Bastionhost page we found documents a quota error (the API pages send to the API Error Center): the
# code is in Alibaba Cloud's style (Throttling.User, QuotaExceed.*), not a documented one.
REFUSED_CODE = 'QuotaExceeded.Asset'
PLAIN = re.compile(r'^[A-Za-z][A-Za-z0-9._-]*$')   # written without quotes in the org file
YAML_WORDS = ('null', 'true', 'false', 'yes', 'no', 'on', 'off', 'y', 'n')

FLOOR_FORMULA = ('API floor = max(ceil(R / C) * L, max_q(R_q) / Q) + max(max_q(W_q) / Q, W * L / C), summed over the '
                 'tasks of the phase; R = the read calls the task needs at minimum (pages, see expected_reads), R_q '
                 'those counted by quota q (one action of one account), W_q = successful writes of quota q, W = all of '
                 'them, C = max_concurrency, L = latency, Q = qps per quota')
ISSUE_FLOOR = ('floor (issue 14) = the writes of the busiest quota at the limit, max(max_q(W_q) / Q, W * L / C), plus '
               'what a rerun with nothing to do costs (the rerun phase, measured)')
MGMT = 'management'   # the account the bench's RAM user belongs to: the bastion host's, the directory's

# A callback plugin written into the temporary directory: per task, when it started, when the
# module started and ended, its result counts, and the emulator's last call seq at each task
# boundary, so that calls can be attributed to tasks.
CALLBACK = r'''
from __future__ import annotations

DOCUMENTATION = """
name: bench_timing
type: aggregate
short_description: task timings for tests/perf/bench.py
description: Task and module times, and the emulator's call seq at task boundaries, written as JSON.
"""

import json
import os
import time
import urllib.request

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.path = os.environ["BENCH_TIMINGS_FILE"]
        self.url = os.environ["BENCH_EMULATOR_URL"]
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.tasks = []

    def _seq(self):
        """The emulator's last call seq; None once it is gone (the bench kills it in one phase)."""
        try:
            with self.opener.open(self.url + "/_emulator/calls", timeout=60) as response:
                calls = json.loads(response.read())["calls"]
        except OSError:
            return None
        return calls[-1]["seq"] if calls else 0

    def _close(self):
        if self.tasks and self.tasks[-1]["seq_end"] is None:
            self.tasks[-1]["seq_end"] = self._seq()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        self.tasks.append(dict(name=task.get_name(), action=task.action, seq_start=self._seq(), seq_end=None,
                               start=time.time(), module_start=None, end=None, status=None, items=0,
                               item_failures=0, result={}))

    def v2_runner_on_start(self, host, task):
        if self.tasks and self.tasks[-1]["module_start"] is None:
            self.tasks[-1]["module_start"] = time.time()

    def _finish(self, result, status):
        if not self.tasks:
            return
        current = self.tasks[-1]
        current["end"] = time.time()
        current["status"] = status
        body = result._result
        current["result"] = dict((k, body.get(k)) for k in ("changed", "counts", "msg", "failed", "skipped"))
        # What ansible-runner's awx_display holds against MAX_EVENT_RES: len(str(res)) of the result this
        # callback is given (each callback gets its own copy of the same cleaned result, diff included).
        current["result_chars"] = len(str(body))
        current["result_bytes"] = len(json.dumps(body, default=str))
        current["has_diff"] = "diff" in body or any(
            isinstance(r, dict) and "diff" in r for r in body.get("results") or [])   # a loop's items
        current["failures"] = [dict(action=g.get("action"), code=g.get("code"), count=g.get("count"),
                                    items=len(g.get("lines") or []), message_chars=len(str(g.get("message"))))
                               for g in body.get("failures") or [] if isinstance(g, dict)]
        if isinstance(body.get("results"), list):
            current["items"] = len(body["results"])
            current["item_failures"] = sum(1 for r in body["results"] if r.get("failed"))
            current["result"]["msg"] = next((r.get("msg") for r in body["results"] if r.get("failed")),
                                            current["result"]["msg"])

    def v2_runner_on_ok(self, result):
        self._finish(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._finish(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._finish(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._finish(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        self._close()
        with open(self.path, "w", encoding="utf-8") as handle:
            json.dump(dict(tasks=self.tasks), handle)
'''


# The Python that ansible runs modules with (ansible_python_interpreter): it runs the real
# interpreter as its child and appends the child's peak resident memory to BENCH_RSS_FILE.
RSS_WRAPPER = r'''#!%(python)s
import json, os, resource, subprocess, sys
child = subprocess.run([%(python)r] + sys.argv[1:])
script = next((os.path.basename(a) for a in sys.argv[1:] if a.endswith(".py")), "-")
with open(os.environ["BENCH_RSS_FILE"], "a") as handle:
    handle.write(json.dumps(dict(script=script, max_rss_kb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)) + "\n")
sys.exit(child.returncode)
'''


# ----------------------------------------------------------------------------- organisation

class Ids:
    """Unique, realistic-looking identifiers from a seeded generator."""

    def __init__(self, seed):
        self.random = random.Random(seed)
        self.used = set()

    def _unique(self, make):
        for _attempt in range(1000):
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value
        raise RuntimeError('could not draw a unique identifier')

    def chars(self, n, alphabet=string.ascii_lowercase + string.digits):
        return ''.join(self.random.choice(alphabet) for _position in range(n))

    def uid(self):
        return self._unique(lambda: '1' + ''.join(self.random.choice(string.digits) for _position in range(15)))

    def resource(self, prefix, region):
        # i-bp1xxxxxxxxxxxxxxxxx (20 characters after the dash), rm-..., pc-...
        return self._unique(lambda: '%s-%s%s' % (prefix, REGION_PREFIX[region], self.chars(17)))

    def named(self, prefix, n, alphabet=string.ascii_lowercase + string.digits):
        return self._unique(lambda: prefix + self.chars(n, alphabet))


def split(total, parts):
    """``total`` spread over ``parts`` as evenly as possible."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def asset_mix(assets_per_member):
    """(ecs, rds, polardb) per member: 80 % ECS, 12 % RDS, the rest PolarDB."""
    ecs = round(assets_per_member * 0.80)
    rds = round(assets_per_member * 0.12)
    return ecs, rds, assets_per_member - ecs - rds


def flow(mapping):
    """A YAML flow mapping on one line, as demo.yml writes them."""
    def value(v):
        if v is None:
            return 'null'
        if isinstance(v, dict):
            return flow(v)
        if isinstance(v, list):
            return '[%s]' % ', '.join(value(x) for x in v)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return str(v)
        v = str(v)
        return v if PLAIN.match(v) and v.lower() not in YAML_WORDS else json.dumps(v)
    return '{%s}' % ', '.join('%s: %s' % (k, value(v)) for k, v in mapping.items())


def first_member_assets(members, assets_per_member, asked=None):
    """The assets of the first member: ``asked``, or by default 1,000 at the issue's scale (10,000
    assets or more, so that offboarding removes a member with 1,000 assets), else ``assets_per_member``."""
    if asked is not None:
        return asked
    return max(assets_per_member, 1000) if members * assets_per_member >= 10000 else assets_per_member


def build_org(members, assets_per_member, seed=20240301, first_assets=None):
    """The organisation as (YAML text, facts): a management account with one Enterprise
    bastion host in cn-hangzhou, two folders and ``members`` members, each with
    ``assets_per_member`` ECS/RDS/PolarDB assets (the first ``first_assets``, by default as many)
    spread over cn-hangzhou and cn-shanghai."""
    ids = Ids(seed)
    management = ids.uid()
    folders = [dict(id=ids.named('fd-', 10, string.ascii_letters + string.digits), name=name) for name in ('prod', 'dev')]
    bastion_id = ids.named('bastionhost-cn-', 11)
    domain_id = ids.named('nd-', 12)
    access_key = dict(id=ids.named('LTAI5t', 18, string.ascii_letters + string.digits),
                      secret=ids.named('', 30, string.ascii_letters + string.digits))
    # The operator is a RAM user of the management account: an account root cannot call AssumeRole.
    operator_key = dict(id=ids.named('LTAI5t', 18, string.ascii_letters + string.digits),
                        secret=ids.named('', 30, string.ascii_letters + string.digits))
    ecs_n, rds_n, pc_n = asset_mix(assets_per_member)
    first_assets = assets_per_member if first_assets is None else first_assets
    roles = ('web', 'api', 'batch', 'cache', 'worker')
    lines = [
        '# Generated by tests/perf/bench.py: %d members x %d assets (%d ECS, %d RDS, %d PolarDB each; the first '
        'member %d) over %s.' % (members, assets_per_member, ecs_n, rds_n, pc_n, first_assets, ', '.join(REGIONS)),
        'resource_directory:',
        '  management_account: "%s"' % management,
        '  folders:',
    ]
    lines += ['    - %s' % flow(f) for f in folders]
    lines += [
        '  delegated_administrators: []',
        '',
        'accounts:',
        '  - id: "%s"' % management,
        '    name: management',
        '    folder: null',
        '    tags: {}',
        '    access_keys: [%s]' % flow(access_key),
        '    ram_users:',
        '      - %s' % flow(dict(name='ops', access_keys=[operator_key], policies=OPERATOR_POLICIES)),
        '    bastionhosts:',
        '      - %s' % flow(dict(id=bastion_id, region=BASTION_REGION, edition='enterprise', version=BASTION_VERSION,
                                 status='RUNNING', network_domains=[dict(id=domain_id, name='proxy')])),
    ]
    lines += ['    %s: []' % key for key in ORG_KEYS.values()]
    facts = dict(management=management, bastion_id=bastion_id, access_key=operator_key, members=[], assets=[],
                 folders=[f['id'] for f in folders], mix=dict(ecs=ecs_n, rds=rds_n, polardb=pc_n),
                 first_member_assets=first_assets)
    for m in range(1, members + 1):
        member_ecs, member_rds, member_pc = asset_mix(first_assets) if m == 1 else (ecs_n, rds_n, pc_n)
        uid = ids.uid()
        env = 'prod' if m % 2 else 'dev'
        name = 'bench-%02d-%s' % (m, env)
        folder = folders[0]['id'] if env == 'prod' else folders[1]['id']
        facts['members'].append(dict(id=uid, name=name))
        lines += ['', '  - id: "%s"' % uid, '    name: %s' % name, '    folder: %s' % folder,
                  '    tags: %s' % flow(dict(env=env, team='team%02d' % m))]
        sections = dict((key, []) for key in ORG_KEYS.values())
        for r, (region, count) in enumerate(zip(REGIONS, split(member_ecs, len(REGIONS)))):
            for i in range(count):
                instance_id = ids.resource('i', region)
                sections[ORG_KEYS['ecs']].append(dict(
                    id=instance_id, region=region, name='%s-%s-%03d' % (name, roles[i % len(roles)], i + 1),
                    os='Windows' if i % 10 == 9 else 'Linux',
                    private_ip='10.%d.%d.%d' % (m % 250, r * 64 + i // 250, i % 250 + 1),
                    public_ip='47.%d.%d.%d' % (96 + r, m % 250, i % 250 + 1) if i % 8 == 0 else None,
                    status='Running', tags=dict(env=env, app=roles[i % len(roles)])))
                facts['assets'].append(dict(member=uid, type='ecs', instance_id=instance_id, region=region))
        for kind, prefix, count, engines in (
                ('rds', 'rm', member_rds, (('MySQL', 3306, 'mysql'), ('PostgreSQL', 5432, 'pg'))),
                ('polardb', 'pc', member_pc, (('MySQL', 3306, 'rwlb'), ('PostgreSQL', 5432, 'rwlb')))):
            for region, per_region in zip(REGIONS, split(count, len(REGIONS))):
                for i in range(per_region):
                    instance_id = ids.resource(prefix, region)
                    engine, port, suffix = engines[i % len(engines)]
                    sections[ORG_KEYS[kind]].append(dict(
                        id=instance_id, region=region, engine=engine, port=port,
                        private_address='%s.%s.rds.aliyuncs.com' % (instance_id, suffix),
                        name='%s-%s-%02d' % (name, 'polar' if kind == 'polardb' else engine.lower(), i + 1),
                        tags=dict(env=env, app='db')))
                    facts['assets'].append(dict(member=uid, type=kind, instance_id=instance_id, region=region))
        for key in ORG_KEYS.values():
            lines.append('    %s:' % key)
            lines += ['      - %s' % flow(item) for item in sections[key]]
    return '\n'.join(lines) + '\n', facts


def check_org(path, facts):
    """Load the file with the emulator's own loader and check what was generated."""
    from emulator.org import load_org  # pylint: disable=import-outside-toplevel
    org = load_org(path)
    found = sum(len(a[key]) for a in org.accounts.values() for key in ORG_KEYS.values())
    if found != len(facts['assets']) or len(org.accounts) != len(facts['members']) + 1:
        raise RuntimeError('generated organisation does not load as written: %d assets' % found)


# ----------------------------------------------------------------------------- processes

class Children:
    """Every process this script starts, stopped on exit whatever happens."""

    def __init__(self):
        self.processes = []

    def add(self, process):
        self.processes.append(process)
        return process

    def stop(self, process):
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(timeout=10)
        if process in self.processes:
            self.processes.remove(process)

    def stop_all(self):
        for process in list(reversed(self.processes)):
            self.stop(process)


CHILDREN = Children()


def start_bench_emulator(org, latency_ms, qps, workdir, **knobs):
    """An emulator on HOST (tests/emulator/fixture.py's Emulator), its log in ``workdir``, in a process group
    of its own, stopped with the other children whatever happens; ``knobs`` are more run.py flags."""
    log_path = os.path.join(workdir, 'emulator-%d.log' % len(CHILDREN.processes))
    emulator = start_emulator(org, log_path=log_path, new_session=True, admin_timeout=ADMIN_TIMEOUT, host=HOST,
                              latency_ms=latency_ms, qps=qps, **knobs)
    CHILDREN.add(emulator.process)
    if not emulator.url.startswith('http://%s:' % HOST):
        CHILDREN.stop(emulator.process)
        raise RuntimeError('the emulator listens on %s, not on %s' % (emulator.url, HOST))
    return emulator


def last_seq(emulator):
    """The number of the emulator's last call (0 before the first)."""
    calls = emulator.calls()
    return calls[-1]['seq'] if calls else 0


def on_signal(signum, _frame):
    raise KeyboardInterrupt('signal %d' % signum)


# ----------------------------------------------------------------------------- playbooks

def playbook(name, tasks, max_calls_per_second=None):
    play = ['- name: %s' % name, '  hosts: localhost', '  connection: local', '  gather_facts: false']
    if max_calls_per_second:
        play += ['  module_defaults:', '    group/alicloud.bastionhost.bastionhost:',
                 '      max_calls_per_second: %s' % max_calls_per_second]
    play += ['  tasks:']
    return '\n'.join(['---'] + play + ['    ' + line for task in tasks for line in task]) + '\n'


def rd_member_task(bastion_id):
    return ['- name: Add every member account (rd_member, select all)',
            '  tags: [members]',
            '  alicloud.bastionhost.rd_member:',
            '    instance_id: %s' % bastion_id,
            '    select: {all: true}']


def member_asset_task(bastion_id, concurrency):
    return ['- name: Import every asset of every member in both regions (member_asset, discover)',
            '  tags: [assets]',
            '  alicloud.bastionhost.member_asset:',
            '    instance_id: %s' % bastion_id,
            '    discover:',
            '      regions: [%s]' % ', '.join(REGIONS),
            '    max_concurrency: %d' % concurrency]


def purge_task(bastion_id, member, concurrency):
    return ['- name: Remove every asset of one member (discover one member, state absent)',
            '  alicloud.bastionhost.member_asset:',
            '    instance_id: %s' % bastion_id,
            '    discover:',
            '      members: ["%s"]' % member,
            '      regions: [%s]' % ', '.join(REGIONS),
            '    state: absent',
            '    max_concurrency: %d' % concurrency]


def purge_many_task(bastion_id, members, concurrency, max_removals):
    """state: absent over the members named: the safety rule removes what discover.members selects. (purge: true
    with the other members named would remove nothing of these: its scope is the members it looks in.)"""
    return ['- name: Remove every asset of %d members (discover those members, state absent)' % len(members),
            '  alicloud.bastionhost.member_asset:',
            '    instance_id: %s' % bastion_id,
            '    discover:',
            '      members: [%s]' % ', '.join('"%s"' % m for m in members),
            '      regions: [%s]' % ', '.join(REGIONS),
            '    state: absent',
            '    max_removals: %d' % max_removals,
            '    max_concurrency: %d' % concurrency]


def offboard_task(bastion_id, member, max_removals):
    return ['- name: Offboard one member and its assets (rd_member, state absent, remove_assets)',
            '  alicloud.bastionhost.rd_member:',
            '    instance_id: %s' % bastion_id,
            '    members: ["%s"]' % member,
            '    state: absent',
            '    remove_assets: true',
            '    max_removals: %d' % max_removals]


def host_account_task(bastion_id, members, concurrency):
    """An account on every host imported from every member: host_account's largest result (one line a host)."""
    return ['- name: An account on every host imported from the %d members (host_account)' % len(members),
            '  alicloud.bastionhost.host_account:',
            '    instance_id: %s' % bastion_id,
            '    members: [%s]' % ', '.join('"%s"' % m for m in members),
            '    accounts: [{name: ops, password: "Bench-Passw0rd!"}]',
            '    max_concurrency: %d' % concurrency]


def loop_task(bastion_id):
    return ['- name: Import one asset per loop iteration (the per-asset alternative)',
            '  alicloud.bastionhost.member_asset:',
            '    instance_id: %s' % bastion_id,
            '    assets:',
            '      - "{{ item }}"',
            '  loop: "{{ bench_assets }}"',
            '  loop_control:',
            '    label: "{{ item.type }} {{ item.instance_id }}"']


class Runner:
    """Runs ansible-playbook against one emulator and measures it."""

    def __init__(self, workdir, facts, timeout):
        self.workdir = workdir
        self.facts = facts
        self.timeout = timeout
        self.count = 0
        self.on_start = None
        self.last_rss_path = None
        plugins = os.path.join(workdir, 'callback_plugins')
        os.makedirs(plugins, exist_ok=True)
        with open(os.path.join(plugins, 'bench_timing.py'), 'w', encoding='utf-8') as handle:
            handle.write(CALLBACK)
        env = dict((k, v) for k, v in os.environ.items()
                   if not k.lower().endswith('_proxy') and not k.startswith(('ALIBABA_CLOUD_', 'ALICLOUD_')))
        env.update(
            ALIBABA_CLOUD_ACCESS_KEY_ID=facts['access_key']['id'],
            ALIBABA_CLOUD_ACCESS_KEY_SECRET=facts['access_key']['secret'],
            ALIBABA_CLOUD_REGION_ID=BASTION_REGION,
            NO_PROXY='127.0.0.1,localhost', no_proxy='127.0.0.1,localhost',
            ANSIBLE_CALLBACK_PLUGINS=plugins,
            ANSIBLE_CALLBACKS_ENABLED='bench_timing',
            ANSIBLE_LOCALHOST_WARNING='false',
            ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
            ANSIBLE_RETRY_FILES_ENABLED='false',
            ANSIBLE_NOCOLOR='true',
        )
        self.env = env
        self.python = os.path.join(workdir, 'python-rss')
        with open(self.python, 'w', encoding='utf-8') as handle:
            handle.write(RSS_WRAPPER % dict(python=sys.executable))
        os.chmod(self.python, 0o755)

    def run(self, emulator, path, label, args=()):
        """Run one playbook; returns (wall seconds, exit code, task timings, calls made, log path)."""
        self.count += 1
        log_path = os.path.join(self.workdir, '%02d-%s.log' % (self.count, label))
        timings_path = os.path.join(self.workdir, '%02d-%s.timings.json' % (self.count, label))
        rss_path = os.path.join(self.workdir, '%02d-%s.rss.jsonl' % (self.count, label))
        env = dict(self.env, ALIBABA_CLOUD_ENDPOINT_URL=emulator.url, BENCH_EMULATOR_URL=emulator.url,
                   BENCH_TIMINGS_FILE=timings_path, BENCH_RSS_FILE=rss_path)
        before = last_seq(emulator)
        self.last_rss_path = rss_path
        with open(log_path, 'w', encoding='utf-8') as log:
            start = time.monotonic()
            process = CHILDREN.add(subprocess.Popen(  # pylint: disable=consider-using-with
                ['ansible-playbook', path, '--diff', '-e', 'ansible_python_interpreter=' + self.python] + list(args),
                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.workdir, start_new_session=True))
            self.process = process
            if self.on_start:
                self.on_start(process)
            try:
                code = process.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                CHILDREN.stop(process)
                code = 'timeout after %ds' % self.timeout
            wall = time.monotonic() - start
            CHILDREN.stop(process)
        calls = [c for c in emulator.calls() if c['seq'] > before]
        tasks = []
        if os.path.exists(timings_path):
            with open(timings_path, encoding='utf-8') as handle:
                tasks = json.load(handle)['tasks']
        return wall, code, tasks, calls, log_path

    def peak_rss_mb(self, script=None):
        """The peak resident memory of the last run's ``script`` processes, in MB (None if none ran)."""
        if not self.last_rss_path or not os.path.exists(self.last_rss_path):
            return None
        with open(self.last_rss_path, encoding='utf-8') as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        peaks = [r['max_rss_kb'] for r in rows if r['script'] == (script or 'AnsiballZ_member_asset.py')]
        return max(peaks) / 1024.0 if peaks else None


# ----------------------------------------------------------------------------- accounting

def pages(n):
    """Calls to list n items at PAGE a page (an empty list still costs one call)."""
    return max(1, math.ceil(n / PAGE))


# Expected reads are counted by quota: {(account, action): calls}. A quota is per operation and per
# account, the calls of its RAM users and roles counted together (tests/emulator/README.md, --qps).

def directory_reads(accounts, members_added):
    """The reads every multi-account module makes first: the bastion host, who the caller is,
    the resource directory, its delegated administrators and accounts, the members added."""
    return dict(((MGMT, action), n) for action, n in (
        ('DescribeInstances', 1), ('GetCallerIdentity', 1), ('GetResourceDirectory', 1),
        ('ListDelegatedAdministrators', 1), ('ListAccounts', pages(accounts)),
        ('ListInstanceRdMembers', pages(members_added))))


def discovery_reads(facts, member_ids, regions=REGIONS):
    """AssumeRole per member (the caller's quota) and, in each member's account, one listing per
    region and type (pages of PAGE) and DescribeDBClusterEndpoints per PolarDB cluster."""
    expected = {(MGMT, 'AssumeRole'): len(member_ids)}
    key = {'ecs': 'ECS DescribeInstances', 'rds': 'DescribeDBInstances', 'polardb': 'DescribeDBClusters'}
    for member in member_ids:
        for region in regions:
            for kind in ('ecs', 'rds', 'polardb'):
                n = sum(1 for a in facts['assets'] if a['member'] == member and a['region'] == region and a['type'] == kind)
                add_reads(expected, member, key[kind], pages(n))
                if kind == 'polardb':
                    add_reads(expected, member, 'DescribeDBClusterEndpoints', n)
    return expected


def add_reads(expected, account, action, n):
    if n:
        expected[(account, action)] = expected.get((account, action), 0) + n


def expected_member_asset_reads(facts, member_ids, hosts_before, databases_before):
    expected = directory_reads(len(facts['members']) + 1, len(facts['members']))
    expected.update(discovery_reads(facts, member_ids))
    expected.update({(MGMT, 'ListHosts'): pages(hosts_before), (MGMT, 'ListDatabases'): pages(databases_before),
                     (MGMT, 'DescribeRegions'): 1})
    return expected


def expected_rd_member_reads(facts, members_before, will_change):
    expected = directory_reads(len(facts['members']) + 1, members_before)
    if will_change:
        expected[(MGMT, 'ListInstanceRdMembers')] += pages(len(facts['members']))  # the final listing
    return expected


def reads_by_action(expected):
    totals = {}
    for (_account, action), n in expected.items():
        totals[action] = totals.get(action, 0) + n
    return dict(sorted(totals.items()))


def call_name(call):
    """Action name, with the product where two products share it (ECS and Bastionhost DescribeInstances)."""
    if call['action'] == 'DescribeInstances' and call['product'] == 'ecs':
        return 'ECS DescribeInstances'
    return call['action']


def summarise_calls(calls):
    by_action = {}
    for call in calls:
        row = by_action.setdefault(call_name(call), dict(calls=0, ok=0, throttled=0, other_errors=0, write=call['write']))
        row['calls'] += 1
        if call['status'] == 200:
            row['ok'] += 1
        elif call.get('code') == THROTTLED:
            row['throttled'] += 1
        else:
            row['other_errors'] += 1
    return dict(
        total=len(calls),
        reads=sum(1 for c in calls if not c['write']),
        read_ok=sum(1 for c in calls if not c['write'] and c['status'] == 200),
        write_attempts=sum(1 for c in calls if c['write']),
        writes=sum(1 for c in calls if c['write'] and c['status'] == 200),
        write_throttled=sum(1 for c in calls if c['write'] and c.get('code') == THROTTLED),
        throttled=sum(1 for c in calls if c.get('code') == THROTTLED),
        other_errors=sum(1 for c in calls if c['status'] != 200 and c.get('code') != THROTTLED),
        by_action=dict(sorted(by_action.items())),
    )


def task_floor(expected_reads, summary, args):
    """The API floor of one task, see FLOOR_FORMULA. Every write goes to the bastion host, in
    the management account: one quota per write action."""
    latency = args.latency_ms / 1000.0
    concurrency = args.max_concurrency
    reads = sum(expected_reads.values())
    busiest = max(expected_reads.items(), key=lambda item: item[1], default=((None, None), 0))
    read_s = math.ceil(reads / concurrency) * latency
    if args.qps:   # every quota has its own limit, reads too
        read_s = max(read_s, busiest[1] / float(args.qps))
    writes = dict((a, r['ok']) for a, r in summary['by_action'].items() if r['write'])
    total_writes = sum(writes.values())
    qps_s = max([n / args.qps for n in writes.values()] or [0.0]) if args.qps else 0.0
    write_s = max(qps_s, total_writes * latency / concurrency)
    return dict(expected_reads=reads, expected_reads_by_action=reads_by_action(expected_reads),
                busiest_read_quota=dict(account=busiest[0][0], action=busiest[0][1], calls=busiest[1]),
                read_s=read_s, write_s=write_s, writes_by_action=writes, total_s=read_s + write_s)


def module_seconds(task):
    start = task.get('module_start') or task.get('start')
    return (task['end'] - start) if task.get('end') and start else None


def task_calls(task, calls):
    end = task['seq_end'] if task['seq_end'] is not None else float('inf')
    return [c for c in calls if (task['seq_start'] or 0) < c['seq'] <= end]


# ----------------------------------------------------------------------------- phases

class Bench:
    def __init__(self, args, workdir, org_path, facts):
        self.args = args
        self.workdir = workdir
        self.org_path = org_path
        self.facts = facts
        self.runner = Runner(workdir, facts, args.phase_timeout)
        self.phases = []
        self.member_ids = [m['id'] for m in facts['members']]
        self.bastion_id = facts['bastion_id']
        self.paths = {}
        self.gone = None
        # Who each removal phase takes, disjoint: the first member (the big one) is offboarded, the last one
        # purged alone, and a fifth of the members from the second on (20 of 100) purged together.
        self.offboarded = self.member_ids[0]
        self.purged_one = self.member_ids[-1]
        self.purged_many = self.member_ids[1:min(1 + max(1, len(self.member_ids) // 5), len(self.member_ids) - 1)]

    def assets_of(self, members):
        members = set(members)
        return [a for a in self.facts['assets'] if a['member'] in members]

    def write_playbooks(self):
        bid, conc, rate = self.bastion_id, self.args.max_concurrency, self.args.max_calls_per_second
        books = dict(
            site=playbook('Onboard every member and import every asset', [rd_member_task(bid),
                                                                          member_asset_task(bid, conc)], rate),
            purge=playbook('Remove every asset of one member', [purge_task(bid, self.purged_one, conc)], rate),
            purge_many=playbook('Remove every asset of %d members' % len(self.purged_many), [purge_many_task(
                bid, self.purged_many, conc, len(self.assets_of(self.purged_many)))], rate),
            offboard=playbook('Offboard one member with its assets', [offboard_task(
                bid, self.offboarded, 1 + len(self.assets_of([self.offboarded])))], rate),
            loop=playbook('Import assets one by one', [loop_task(bid)], rate),
            access=playbook('An account on every member host', [host_account_task(bid, self.member_ids, conc)], rate),
        )
        for name, text in books.items():
            self.paths[name] = os.path.join(self.workdir, name + '.yml')
            with open(self.paths[name], 'w', encoding='utf-8') as handle:
                handle.write(text)

    def state_counts(self, emulator):
        instance = emulator.instance(self.bastion_id)
        return dict(members=len(instance['members']), hosts=len(instance['hosts']), databases=len(instance['databases']))

    def phase(self, emulator, name, description, book, args, expectations, check=False, expect_failure=False):
        """Run one phase; ``expectations`` maps a task action suffix to its expected reads. A phase that
        ``expect_failure`` is meant to fail (its exit code is not an error of the benchmark)."""
        state_before = self.state_counts(emulator)
        print('==> %-12s %s' % (name, description), flush=True)
        wall, code, tasks, calls, log_path = self.runner.run(emulator, self.paths[book], name, args)
        state_after = self.state_counts(emulator)
        task_rows = []
        for task in tasks:
            mine = task_calls(task, calls)
            summary = summarise_calls(mine)
            short = task['action'].rsplit('.', 1)[-1]
            expected = expectations.get(short, {})
            task_rows.append(dict(
                name=task['name'], module=short, status=task['status'], module_s=module_seconds(task),
                items=task['items'], item_failures=task['item_failures'], result=task['result'],
                result_bytes=task.get('result_bytes'), result_chars=task.get('result_chars'),
                has_diff=task.get('has_diff'), failures=task.get('failures') or [],
                calls=summary, floor=task_floor(expected, summary, self.args)))
        summary = summarise_calls(calls)
        floor_s = sum(t['floor']['total_s'] for t in task_rows)
        # The phase's main task: member_asset, or rd_member where it runs alone (offboarding).
        main = next((t for t in task_rows if t['module'] == 'member_asset'), None) or \
            next((t for t in task_rows if t['module'] == 'rd_member'), None)
        largest = max(task_rows, key=lambda t: t.get('result_chars') or 0, default=None)
        row = dict(
            name=name, description=description, check_mode=check, exit_code=code, log=log_path, wall_s=wall,
            expect_failure=expect_failure, main_module=main['module'] if main else None,
            module_s=main['module_s'] if main else None, calls=summary, tasks=task_rows,
            floor=dict(total_s=floor_s, read_s=sum(t['floor']['read_s'] for t in task_rows),
                       write_s=sum(t['floor']['write_s'] for t in task_rows)),
            wall_over_floor=wall / floor_s if floor_s else None,
            module_over_floor=(main['module_s'] / main['floor']['total_s']
                               if main and main['module_s'] and main['floor']['total_s'] else None),
            state_before=state_before, state_after=state_after,
            module_rss_mb=self.runner.peak_rss_mb('AnsiballZ_%s.py' % main['module'] if main else None),
            result_bytes=main.get('result_bytes') if main else None,
            result_chars=largest.get('result_chars') if largest else None,
            result_task=largest['module'] if largest else None)
        self.phases.append(row)
        print('    %.1f s wall, %s s %s, %d calls (%d writes, %d throttled), exit %s; state now %s; '
              '%s peak RSS %s MB; largest result %s characters (%s, len(str(res)))' % (
                  wall, fmt(row['module_s']), row['main_module'], summary['total'], summary['writes'],
                  summary['throttled'], code, state_after, row['main_module'], fmt(row['module_rss_mb']),
                  fmt(row['result_chars']), row['result_task']), flush=True)
        return row

    def run_main(self, emulator):
        facts, members = self.facts, self.member_ids
        n_members = len(members)
        total = len(facts['assets'])
        hosts = sum(1 for a in facts['assets'] if a['type'] == 'ecs')
        databases = total - hosts
        self.phase(emulator, 'members', 'rd_member select all (add %d members), the prerequisite of the asset phases'
                   % n_members, 'site', ['--tags', 'members'],
                   {'rd_member': expected_rd_member_reads(facts, 0, True)})
        quiet_rd = expected_rd_member_reads(facts, n_members, False)
        self.phase(emulator, 'check-import', 'first import in check mode (--check): plans %d imports, must not write'
                   % total, 'site', ['--check'],
                   {'rd_member': quiet_rd, 'member_asset': expected_member_asset_reads(facts, members, 0, 0)}, check=True)
        imported = self.phase(emulator, 'import', 'first import of %d assets' % total, 'site', [],
                              {'rd_member': quiet_rd, 'member_asset': expected_member_asset_reads(facts, members, 0, 0)})
        full = expected_member_asset_reads(facts, members, hosts, databases)
        if imported['state_after']['hosts'] != hosts or imported['state_after']['databases'] != databases:
            # The rerun must find nothing to do: finish the import first, and say so.
            after = imported['state_after']
            self.phase(emulator, 'converge', 'the import was incomplete (%d hosts, %d databases): run it again to '
                       'finish before the rerun' % (after['hosts'], after['databases']), 'site', [],
                       {'rd_member': quiet_rd, 'member_asset': expected_member_asset_reads(
                           facts, members, after['hosts'], after['databases'])})
        self.phase(emulator, 'rerun', 'the same playbook again: nothing to do', 'site', [],
                   {'rd_member': quiet_rd, 'member_asset': full})
        self.phase(emulator, 'check-rerun', 'the same playbook in check mode: nothing to do', 'site', ['--check'],
                   {'rd_member': quiet_rd, 'member_asset': full}, check=True)
        self.expected = dict(import_=dict(hosts=hosts, databases=databases))
        self.access_phases(emulator, hosts)
        self.removal_phases(emulator)

    def access_phases(self, emulator, hosts):
        """host_account over every member: an account created on each of the imported hosts, then the same task
        with nothing to do (every host's accounts read, no write)."""
        self.phase(emulator, 'access', 'host_account over the %d members: an account on each of %d hosts' % (
            len(self.member_ids), hosts), 'access', [], {})
        self.phase(emulator, 'access-rerun', 'the same host_account task again: nothing to do', 'access', [],
                   {})

    def removal_phases(self, emulator):
        """Purge one member, purge a fifth of the members at once (2,000 assets at 100 x 100), offboard the
        first member with its assets (1,000 at 10,000 assets): each against what the bastion host holds."""
        facts = self.facts
        now = self.state_counts(emulator)
        purged = self.assets_of([self.purged_one])
        self.phase(emulator, 'purge', 'purge one member (%s): %d assets removed' % (self.purged_one, len(purged)),
                   'purge', [], {'member_asset': expected_member_asset_reads(
                       facts, [self.purged_one], now['hosts'], now['databases'])})
        if self.purged_many:
            now = self.state_counts(emulator)
            purged = self.assets_of(self.purged_many)
            self.phase(emulator, 'purge-fifth', 'state absent over %d member%s (discover.members, max_removals %d): '
                       '%d assets removed' % (len(self.purged_many), '' if len(self.purged_many) == 1 else 's',
                                              len(purged), len(purged)), 'purge_many', [],
                       {'member_asset': expected_member_asset_reads(facts, self.purged_many, now['hosts'],
                                                                    now['databases'])})
        now = self.state_counts(emulator)
        owned = self.assets_of([self.offboarded])
        reads = expected_rd_member_reads(facts, now['members'], True)
        reads.update({(MGMT, 'ListHosts'): pages(now['hosts']), (MGMT, 'ListDatabases'): pages(now['databases'])})
        self.phase(emulator, 'offboard', 'rd_member state absent, remove_assets: the first member (%s) and its %d '
                   'assets' % (self.offboarded, len(owned)), 'offboard', [], {'rd_member': reads})

    def run_gone(self):
        """A fresh emulator killed in the middle of the first import: how long until the task ends."""
        emulator = start_bench_emulator(self.org_path, self.args.latency_ms, self.args.qps, self.workdir)
        try:
            print('==> gone         adding the members, then the import; the emulator is killed mid-import', flush=True)
            self.runner.run(emulator, self.paths['site'], 'gone-members', ['--tags', 'members'])
            total = len(self.facts['assets'])
            kill_after = max(10, min(200, total // 4))
            log_path = os.path.join(self.workdir, 'gone.log')
            timings_path = os.path.join(self.workdir, 'gone.timings.json')
            # The callback records the task's result (its emulator seq is None once the emulator is gone).
            env = dict(self.runner.env, ALIBABA_CLOUD_ENDPOINT_URL=emulator.url, BENCH_EMULATOR_URL=emulator.url,
                       BENCH_TIMINGS_FILE=timings_path, BENCH_RSS_FILE=os.path.join(self.workdir, 'gone.rss.jsonl'))
            before = last_seq(emulator)   # the members' adds are writes too: count the import's only
            with open(log_path, 'w', encoding='utf-8') as log:
                started = time.monotonic()
                process = CHILDREN.add(subprocess.Popen(  # pylint: disable=consider-using-with
                    ['ansible-playbook', self.paths['site'], '--diff', '--tags', 'assets', '-e',
                     'ansible_python_interpreter=' + self.runner.python], stdout=log, stderr=subprocess.STDOUT,
                    env=env, cwd=self.workdir, start_new_session=True))
                deadline = time.monotonic() + self.args.phase_timeout
                writes = calls_made = 0
                while process.poll() is None and time.monotonic() < deadline:
                    calls = [c for c in emulator.calls() if c['seq'] > before]
                    writes = sum(1 for c in calls if c['write'] and c['status'] == 200)
                    calls_made = len(calls)
                    if writes >= kill_after:
                        break
                    time.sleep(0.2)
                killed_at = time.monotonic()
                CHILDREN.stop(emulator.process)
                try:
                    code = process.wait(timeout=self.args.phase_timeout)
                except subprocess.TimeoutExpired:
                    code = 'timeout'
                ended_after = time.monotonic() - killed_at
                wall = time.monotonic() - started
                CHILDREN.stop(process)
            with open(log_path, encoding='utf-8') as handle:
                output = handle.read()
            message = next((line.strip() for line in output.splitlines() if 'stopped answering' in line), None)
            task = {}
            if os.path.exists(timings_path):
                with open(timings_path, encoding='utf-8') as handle:
                    task = next((t for t in json.load(handle)['tasks'] if t['action'].endswith('member_asset')), {})
            row = dict(name='gone', result_task='member_asset', writes_before_kill=writes, calls_before_kill=calls_made, exit_code=code,
                       ended_after_s=ended_after, wall_s=wall, message=(message or '')[:600], log=log_path,
                       result_chars=task.get('result_chars'), result_bytes=task.get('result_bytes'),
                       msg=(task.get('result') or {}).get('msg'), failures=task.get('failures') or [],
                       has_diff=task.get('has_diff'))
            print('    killed after %d writes; the task ended %.1f s later, exit %s; result %s characters' % (
                writes, ended_after, code, fmt(row['result_chars'])), flush=True)
            self.gone = row
            return row
        finally:
            emulator.stop()

    def run_refused(self):
        """A fresh emulator that refuses every write (--refuse-writes): the members added through its console
        (no API call, never refused), then the main playbook: every import refused, the task must fail once."""
        emulator = start_bench_emulator(self.org_path, self.args.latency_ms, self.args.qps, self.workdir,
                                        refuse_writes=REFUSED_CODE)
        try:
            print('==> refused      (emulator answering every write %s) adding the members through its console'
                  % REFUSED_CODE, flush=True)
            for member in self.member_ids:
                emulator.console(self.bastion_id, 'AddInstanceRdMember', MemberId=member)
            total = len(self.facts['assets'])
            members = self.member_ids
            return self.phase(
                emulator, 'refused', 'the main playbook, every write answered %s: %d imports refused, the task '
                'fails' % (REFUSED_CODE, total), 'site', [],
                {'rd_member': expected_rd_member_reads(self.facts, len(members), False),
                 'member_asset': expected_member_asset_reads(self.facts, members, 0, 0)}, expect_failure=True)
        finally:
            emulator.stop()

    def run_loop(self, emulator):
        """The per-asset alternative on a fresh emulator: one member_asset call per asset."""
        total = len(self.facts['assets'])
        n = max(1, min(self.args.loop_sample, total))
        sample = [self.facts['assets'][(i * total) // n] for i in range(n)]
        vars_path = os.path.join(self.workdir, 'loop-vars.yml')
        with open(vars_path, 'w', encoding='utf-8') as handle:
            json.dump(dict(bench_assets=sample), handle)
        emulator.reset()
        print('==> loop         (emulator reset) adding the members first', flush=True)
        wall_setup, code, _tasks, _calls, log_path = self.runner.run(emulator, self.paths['site'], 'loop-members',
                                                                     ['--tags', 'members'])
        if code != 0:
            raise RuntimeError('adding the members before the loop failed, see %s' % log_path)
        expected = {}
        hosts = databases = 0
        for asset in sample:   # each iteration: the fixed reads, one member in one region, the imported lists
            reads = expected_member_asset_reads(self.facts, [], hosts, databases)
            reads.update(discovery_reads(self.facts, [asset['member']], [asset['region']]))
            for action, count in reads.items():
                expected[action] = expected.get(action, 0) + count
            hosts, databases = (hosts + 1, databases) if asset['type'] == 'ecs' else (hosts, databases + 1)
        row = self.phase(emulator, 'loop', 'one member_asset task per asset (loop:), %d of %d assets' % (n, total),
                         'loop', ['-e', '@' + vars_path], {'member_asset': expected})
        task = row['tasks'][0] if row['tasks'] else None
        module_s = task['module_s'] if task else None
        scale = total / float(n)
        # Each iteration also lists every imported host and database, and those lists grow:
        # the sample starts on an empty bastion host, so its pages are fewer than at scale.
        latency = self.args.latency_ms / 1000.0
        hosts_share = self.expected['import_']['hosts'] / float(total)
        extra_pages = sum(pages(int(k * hosts_share)) + pages(k - int(k * hosts_share)) - 2 for k in range(total))
        sampled_pages = sum(pages(int(k * hosts_share)) + pages(k - int(k * hosts_share)) - 2 for k in range(n))
        row['loop'] = dict(
            sample=n, total_assets=total, scale=scale, setup_wall_s=wall_setup,
            module_s=module_s, per_asset_s=module_s / n if module_s else None,
            extrapolated_module_s=module_s * scale if module_s else None,
            extrapolated_wall_s=(row['wall_s'] - module_s + module_s * scale) if module_s else None,
            extrapolated_calls=int(round(row['calls']['total'] * scale)),
            extrapolated_writes=int(round(row['calls']['writes'] * scale)),
            calls_per_asset=row['calls']['total'] / float(n),
            paging_extra_s=(extra_pages - sampled_pages * scale) * latency,
            item_failures=task['item_failures'] if task else None,
            linear=n < total)


# ----------------------------------------------------------------------------- report

def fmt(value, digits=1):
    if value is None:
        return '-'
    if isinstance(value, float):
        return '%.*f' % (digits, value)
    return str(value)


def table(headers, rows):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h)) for i, h in enumerate(headers)]
    line = '  '.join('%-*s' % (w, h) for w, h in zip(widths, headers))
    out = [line, '  '.join('-' * w for w in widths)]
    out += ['  '.join(('%*s' if i else '%-*s') % (w, c) for i, (w, c) in enumerate(zip(widths, r))) for r in rows]
    return '\n'.join(out)


def issue_floor(bench):
    """The first import against the issue's floor: its writes at the limit (the busiest write
    quota) plus the measured rerun (the same playbook with nothing to write). Sets
    ``imp['issue_floor']``; None until both phases ran."""
    by_name = dict((p['name'], p) for p in bench.phases)
    imp, rerun = by_name.get('import'), by_name.get('rerun')
    if not imp or not rerun:
        return None
    main = next((t for t in imp['tasks'] if t['module'] == 'member_asset'), None)
    rerun_main = next((t for t in rerun['tasks'] if t['module'] == 'member_asset'), None)
    floor = dict(write_s=imp['floor']['write_s'], rerun_s=rerun['wall_s'])
    floor['total_s'] = floor['write_s'] + floor['rerun_s']
    floor['wall_over_floor'] = imp['wall_s'] / floor['total_s']
    if main and rerun_main and main['module_s'] and rerun_main['module_s']:
        floor['module_total_s'] = main['floor']['write_s'] + rerun_main['module_s']
        floor['module_over_floor'] = main['module_s'] / floor['module_total_s']
    imp['issue_floor'] = floor
    return floor


def targets(bench):
    by_name = dict((p['name'], p) for p in bench.phases)
    found = []
    floor = issue_floor(bench)

    def add(name, value, goal, passed):
        found.append(dict(target=name, value=value, goal=goal, status='PASS' if passed else 'MISS'))

    imp = by_name.get('import')
    if imp:
        ok = imp['exit_code'] == 0 and imp['state_after']['hosts'] == bench.expected['import_']['hosts'] and \
            imp['state_after']['databases'] == bench.expected['import_']['databases']
        if floor:
            add('first import: wall within 1.15x of the floor',
                'wall %.1f s / floor %.1f s (writes %.1f s + rerun %.1f s) = %.2fx (module %sx; API floor %.1f s: %.2fx)%s' % (
                    imp['wall_s'], floor['total_s'], floor['write_s'], floor['rerun_s'], floor['wall_over_floor'],
                    fmt(floor.get('module_over_floor'), 2), imp['floor']['total_s'], imp['wall_over_floor'] or 0,
                    '' if ok else ' (import incomplete!)'),
                '<= 1.15x', ok and floor['wall_over_floor'] <= 1.15)
        attempts = imp['calls']['write_attempts']
        share = imp['calls']['write_throttled'] / float(attempts) if attempts else 0.0
        add('first import: write calls throttled', '%d of %d = %.1f%%' % (
            imp['calls']['write_throttled'], attempts, share * 100), '<= 5%', share <= 0.05)
        add('first import: member_asset peak memory', '%s MB for %d assets' % (
            fmt(imp.get('module_rss_mb')), len(bench.facts['assets'])), '< 300 MB',
            imp.get('module_rss_mb') is not None and imp['module_rss_mb'] < 300)
    rerun = by_name.get('rerun')
    if rerun:
        task = next((t for t in rerun['tasks'] if t['module'] == 'member_asset'), None)
        add('rerun, nothing to do: changed=false', 'changed=%s' % (task['result'].get('changed') if task else '-'),
            'changed=false', bool(task) and task['result'].get('changed') is False)
        if task:
            calls, floor = task['calls'], task['floor']
            add('rerun, nothing to do: member_asset API calls', '%d calls (%d throttled), %d writes; %d read pages '
                '(pages of every list + fixed calls), module %s s' % (
                    calls['total'], calls['throttled'], calls['write_attempts'], floor['expected_reads'],
                    fmt(task['module_s'], 1)),
                '<= read pages, 0 writes',
                calls['total'] <= floor['expected_reads'] and calls['write_attempts'] == 0)
    for name in ('check-import', 'check-rerun'):
        phase = by_name.get(name)
        if phase:
            task = next((t for t in phase['tasks'] if t['module'] == 'member_asset'), None)
            add('%s: zero writes' % name, '%d write calls, would import %s' % (
                phase['calls']['write_attempts'], ((task or {}).get('result') or {}).get('counts')),
                '0 writes', phase['calls']['write_attempts'] == 0 and phase['exit_code'] == 0)
    loop = (by_name.get('loop') or {}).get('loop')
    if loop and imp and imp['module_s'] and loop['extrapolated_module_s']:
        ratio = loop['extrapolated_module_s'] / imp['module_s']
        loop['speed_ratio'] = ratio
        loop['speed_ratio_wall'] = loop['extrapolated_wall_s'] / imp['wall_s']
        add('member_asset >= 20x faster than a per-asset loop', '%.1fx (loop %.0f s%s / import %.1f s module time)' % (
            ratio, loop['extrapolated_module_s'], ' extrapolated from %d assets' % loop['sample'] if loop['linear'] else '',
            imp['module_s']), '>= 20x', ratio >= 20)
    if bench.gone:
        add('endpoint killed mid-import: the task ends', '%.1f s after the kill (%d writes before), exit %s' % (
            bench.gone['ended_after_s'], bench.gone['writes_before_kill'], bench.gone['exit_code']), '<= 60 s, failed',
            bench.gone['ended_after_s'] <= 60 and bench.gone['exit_code'] not in (0, 'timeout'))
        add('gone: the message names the cause once',
            cause_once(bench.gone['msg'], 'stopped answering', bench.gone['failures']),
            'once in msg, 1 failure group', named_once(bench.gone['msg'], 'stopped answering', bench.gone['failures']))
    for name, removed in (('purge', bench.assets_of([bench.purged_one])), ('purge-fifth', bench.assets_of(
            bench.purged_many)), ('offboard', bench.assets_of([bench.offboarded]))):
        phase = by_name.get(name)
        if phase:
            gone = (phase['state_before']['hosts'] + phase['state_before']['databases']
                    - phase['state_after']['hosts'] - phase['state_after']['databases'])
            add('%s: removes exactly its %d assets' % (name, len(removed)), '%d assets removed, exit %s' % (
                gone, phase['exit_code']), '%d removed' % len(removed), gone == len(removed) and phase['exit_code'] == 0)
    refused = by_name.get('refused')
    if refused:
        task = next((t for t in refused['tasks'] if t['module'] == 'member_asset'), None) or {}
        msg = (task.get('result') or {}).get('msg')
        add('every write refused: the task fails, naming the cause once', 'exit %s; %s' % (
            refused['exit_code'], cause_once(msg, REFUSED_CODE, task.get('failures') or [])),
            'failed, code once in msg, 1 failure group', refused['exit_code'] != 0 and task.get('status') == 'failed'
            and named_once(msg, REFUSED_CODE, task.get('failures') or []))
    for phase in bench.phases + ([bench.gone] if bench.gone else []):
        chars = phase.get('result_chars')
        add('%s: result under %s characters' % (phase['name'], '{:,}'.format(MAX_EVENT_RES)), '%s characters%s' % (
            '{:,}'.format(chars) if chars is not None else '-', ' (%s)' % phase['result_task']
            if phase.get('result_task') else ''), '< %s (len(str(res)))' % '{:,}'.format(MAX_EVENT_RES),
            chars is not None and chars < MAX_EVENT_RES)
    return found


def named_once(msg, cause, failures):
    return str(msg or '').count(cause) == 1 and len(failures) == 1


def cause_once(msg, cause, failures):
    """How often ``cause`` is named in the message, and the failure groups (``failures``)."""
    return '%r named %d times in msg (%s characters); %d failure groups%s' % (
        cause, str(msg or '').count(cause), '{:,}'.format(len(str(msg or ''))), len(failures),
        ' (%s)' % ', '.join('%s %s x%s' % (f['action'], f['code'], f['count']) for f in failures[:3])
        + (' ...' if len(failures) > 3 else '') if failures else '')


def size_rows(bench):
    """One row per task of every phase (and the killed endpoint): its result size beside time and calls."""
    rows = []
    for p in bench.phases:
        for t in p['tasks']:
            chars = t.get('result_chars')
            rows.append([p['name'], t['module'], fmt(chars), fmt(t.get('result_bytes')), 'yes' if t.get('has_diff') else 'no',
                         fmt(p['wall_s']), t['calls']['total'], t['calls']['writes'], p['exit_code'],
                         '-' if chars is None else 'PASS' if chars < MAX_EVENT_RES else 'MISS'])
    gone = bench.gone
    if gone:
        chars = gone.get('result_chars')
        rows.append(['gone', 'member_asset', fmt(chars), fmt(gone.get('result_bytes')),
                     'yes' if gone.get('has_diff') else 'no', fmt(gone.get('wall_s')),
                     '%d (to the kill)' % gone['calls_before_kill'], '%d (to the kill)' % gone['writes_before_kill'],
                     gone['exit_code'], '-' if chars is None else 'PASS' if chars < MAX_EVENT_RES else 'MISS'])
    return rows


def report(bench, args, started, json_path, facts):
    print()
    print('Organisation: %d members x %d assets (the first member %d) = %d assets (%s per member), 2 regions; '
          'bastion host %s (Enterprise %s)' % (
              len(facts['members']), args.assets_per_member, facts['first_member_assets'], len(facts['assets']),
              ', '.join('%d %s' % (n, k) for k, n in facts['mix'].items()), facts['bastion_id'], BASTION_VERSION))
    print('Emulator: latency %d ms per call, %d calls/s per action and account (Throttling.User past it); member_asset '
          'max_concurrency %d, max_calls_per_second %s; %d CPUs' % (
              args.latency_ms, args.qps, args.max_concurrency, args.max_calls_per_second or 'unset', os.cpu_count() or 0))
    print()
    headers = ['phase', 'exit', 'wall s', 'module s', 'calls', 'reads', 'writes', 'throttled', 'errors',
               'result chars', 'API floor s', 'wall/API floor', 'module/API floor']
    rows = []
    for p in bench.phases:
        c = p['calls']
        rows.append([p['name'], p['exit_code'], fmt(p['wall_s']), fmt(p['module_s']), c['total'], c['reads'],
                     c['writes'], c['throttled'], c['other_errors'], fmt(p['result_chars']),
                     fmt(p['floor']['total_s'], 2), fmt(p['wall_over_floor'], 2), fmt(p['module_over_floor'], 2)])
    print(table(headers, rows))
    print('module s: time of the member_asset task (module start to result; rd_member where it runs alone); '
          'calls/reads/writes/throttled: every API call the emulator answered in the phase (writes = successful '
          'write calls); result chars: the largest task result of the phase as ansible-runner measures it, '
          'len(str(res)), in diff mode')
    print('%s.' % FLOOR_FORMULA)
    print('%s.' % ISSUE_FLOOR)
    print()
    print('API calls by action (ok/throttled/other errors), and the floor of each member_asset task:')
    for p in bench.phases:
        parts = ['%s %d%s' % (a, r['calls'], '' if r['calls'] == r['ok'] else ' (%d thr, %d err)' % (
            r['throttled'], r['other_errors'])) for a, r in p['calls']['by_action'].items()]
        print('  %-12s %s' % (p['name'], ', '.join(parts) or 'none'))
        for t in p['tasks']:
            if t['status'] == 'failed' or t['item_failures']:
                print('  %-12s %s FAILED: %s' % ('', t['module'], str(t['result'].get('msg'))[:400]))
            if t['module'] == 'member_asset':
                f = t['floor']
                print('  %-12s member_asset: %d read calls (%d expected), API floor %.2f s = reads %.2f s + writes %.2f s %s; '
                      'result %s' % ('', t['calls']['reads'], f['expected_reads'], f['total_s'], f['read_s'], f['write_s'],
                                     json.dumps(f['writes_by_action']), json.dumps(t['result'].get('counts'))))
    loop = next((p.get('loop') for p in bench.phases if p.get('loop')), None)
    if loop:
        print()
        print('Per-asset loop: %d of %d assets in %.1f s of module time (%.2f s and %.1f calls per asset)' % (
            loop['sample'], loop['total_assets'], loop['module_s'] or 0, loop['per_asset_s'] or 0, loop['calls_per_asset']))
        if loop['linear']:
            print('  EXTRAPOLATED linearly (x%.1f) to all %d assets: %.0f s module time, %.0f s wall, %d API calls, %d writes'
                  % (loop['scale'], loop['total_assets'], loop['extrapolated_module_s'] or 0,
                     loop['extrapolated_wall_s'] or 0, loop['extrapolated_calls'], loop['extrapolated_writes']))
            print('  (a lower bound: every iteration lists all imported hosts and databases, and at scale those lists '
                  'take more pages than in the sample: about %.0f s more at %d ms a call)' % (
                      loop['paging_extra_s'], args.latency_ms))
        if loop.get('speed_ratio'):
            print('  speed ratio loop / member_asset: %.1fx module time, %.1fx wall' % (
                loop['speed_ratio'], loop['speed_ratio_wall']))
    print()
    print('Result sizes (len(str(res)) of each task result the callbacks see, every run with --diff; ansible-runner '
          'keeps a result under MAX_EVENT_RES = %s):' % '{:,}'.format(MAX_EVENT_RES))
    print(table(['phase', 'task', 'result chars', 'json bytes', 'diff', 'wall s', 'calls', 'writes', 'exit', 'target'],
                size_rows(bench)))
    print()
    print('Targets (reported, not asserted):')
    for t in bench.targets:
        print('  %-4s %-50s %s  [goal %s]' % (t['status'], t['target'], t['value'], t['goal']))
    elapsed = time.monotonic() - started
    print()
    print('Benchmark run time: %.0f s' % elapsed)
    document = dict(
        config=dict(members=args.members, assets_per_member=args.assets_per_member, latency_ms=args.latency_ms,
                    qps=args.qps, max_concurrency=args.max_concurrency,
                    max_calls_per_second=args.max_calls_per_second, loop_sample=None if args.skip_loop else args.loop_sample,
                    cpus=os.cpu_count()),
        organisation=dict(members=len(facts['members']), assets=len(facts['assets']), mix=facts['mix'],
                          first_member_assets=facts['first_member_assets'],
                          regions=list(REGIONS), bastion_id=facts['bastion_id'], bastion_version=BASTION_VERSION),
        floor_formula=FLOOR_FORMULA, issue_floor_formula=ISSUE_FLOOR, phases=bench.phases, gone=bench.gone,
        max_event_res=MAX_EVENT_RES, targets=bench.targets, run_time_s=elapsed)
    with open(json_path, 'w', encoding='utf-8') as handle:
        json.dump(document, handle, indent=2, default=str)
    print('JSON: %s' % json_path)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--members', type=int, default=20, help='member accounts (default 20)')
    parser.add_argument('--assets-per-member', type=int, default=100,
                        help='assets per member, 80%% ECS, 12%% RDS, 8%% PolarDB over two regions (default 100)')
    parser.add_argument('--latency-ms', type=int, default=20, help='emulator latency per API call (default 20)')
    parser.add_argument('--qps', type=int, default=50, help='emulator calls per second per action (default 50)')
    parser.add_argument('--max-concurrency', type=int, default=8, help='member_asset max_concurrency (default 8)')
    parser.add_argument('--max-calls-per-second', type=float,
                        help='max_calls_per_second of every task (a team that knows its quota; default unset)')
    parser.add_argument('--loop-sample', type=int, default=30,
                        help='assets the per-asset loop imports; the time is extrapolated to all (default 30)')
    parser.add_argument('--skip-loop', action='store_true', help='do not run the per-asset loop')
    parser.add_argument('--skip-gone', action='store_true', help='do not kill an emulator mid-import')
    parser.add_argument('--skip-refused', action='store_true',
                        help='do not run the main playbook against an emulator refusing every write')
    parser.add_argument('--first-member-assets', type=int,
                        help='assets of the first member, the one the offboard phase removes (default: 1,000 when '
                             'the organisation has 10,000 assets or more, else --assets-per-member)')
    parser.add_argument('--matrix', action='store_true',
                        help='run 20x50 and 100x100 assets at 50 and at 10 calls/s (ignores --members, '
                             '--assets-per-member and --qps) and print one summary table')
    parser.add_argument('--json', help='write the results here (default: a file in the temporary directory of the OS)')
    parser.add_argument('--phase-timeout', type=int, default=3600, help='seconds before a phase is killed (default 3600)')
    parser.add_argument('--keep', action='store_true', help='keep the working directory (org, playbooks, logs)')
    args = parser.parse_args(argv)
    for name in ('members', 'assets_per_member', 'max_concurrency', 'loop_sample', 'phase_timeout'):
        if getattr(args, name) < 1:
            parser.error('--%s must be at least 1' % name.replace('_', '-'))
    if args.members < 3:
        parser.error('--members must be at least 3 (the purge, the purge of a fifth and the offboarding each take '
                     'their own members)')
    if args.first_member_assets is not None and args.first_member_assets < 3:
        parser.error('--first-member-assets must be at least 3 (one of each type)')
    if args.assets_per_member < 3:
        parser.error('--assets-per-member must be at least 3 (one of each type)')
    if args.latency_ms < 0 or args.qps < 0:
        parser.error('--latency-ms and --qps cannot be negative')
    return args


MATRIX = ((20, 50, 50), (20, 50, 10), (100, 100, 50), (100, 100, 10))   # members, assets each, qps


def run_one(args, json_path):
    """One organisation at one rate: every phase, its targets and its report. Returns a summary row."""
    started = time.monotonic()
    workdir = tempfile.mkdtemp(prefix='alicloud-bastionhost-bench-')
    keep = args.keep
    try:
        text, facts = build_org(args.members, args.assets_per_member, first_assets=first_member_assets(
            args.members, args.assets_per_member, args.first_member_assets))
        org_path = os.path.join(workdir, 'org.yml')
        with open(org_path, 'w', encoding='utf-8') as handle:
            handle.write(text)
        check_org(org_path, facts)
        print('==> organisation %s: %d members, %d assets; working directory %s' % (
            org_path, len(facts['members']), len(facts['assets']), workdir), flush=True)
        bench = Bench(args, workdir, org_path, facts)
        bench.write_playbooks()
        emulator = start_bench_emulator(org_path, args.latency_ms, args.qps, workdir)
        print('==> emulator at %s (latency %d ms, qps %d per action)' % (emulator.url, args.latency_ms, args.qps), flush=True)
        try:
            bench.run_main(emulator)
            if not args.skip_loop:
                bench.run_loop(emulator)
        finally:
            emulator.stop()
        if not args.skip_gone:
            bench.run_gone()
        if not args.skip_refused:
            bench.run_refused()
        bench.targets = targets(bench)
        if any((p['exit_code'] != 0) != p['expect_failure'] for p in bench.phases):
            keep = True
        report(bench, args, started, json_path, facts)
        return summary_row(bench, args, time.monotonic() - started)
    finally:
        CHILDREN.stop_all()
        if keep:
            print('working directory kept: %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def summary_row(bench, args, seconds):
    by_name = dict((p['name'], p) for p in bench.phases)
    imp, rerun = by_name.get('import') or {}, by_name.get('rerun') or {}
    loop = (by_name.get('loop') or {}).get('loop') or {}
    calls = imp.get('calls') or {}
    rerun_task = next((t for t in rerun.get('tasks', []) if t['module'] == 'member_asset'), None)
    return dict(
        size='%d x %d%s' % (args.members, args.assets_per_member, '' if bench.facts['first_member_assets'] ==
                            args.assets_per_member else ' (first %d)' % bench.facts['first_member_assets']),
        qps='%s%s' % (args.qps, ', max_calls_per_second %g' % args.max_calls_per_second if args.max_calls_per_second else ''),
        floor_s=(imp.get('issue_floor') or {}).get('total_s'), import_s=imp.get('wall_s'),
        wall_over_floor=(imp.get('issue_floor') or {}).get('wall_over_floor'),
        module_over_floor=(imp.get('issue_floor') or {}).get('module_over_floor'),
        api_floor_s=(imp.get('floor') or {}).get('total_s'), wall_over_api_floor=imp.get('wall_over_floor'),
        throttled='%d/%d' % (calls.get('write_throttled', 0), calls.get('write_attempts', 0)),
        throttled_share=(calls.get('write_throttled', 0) / float(calls['write_attempts'])
                         if calls.get('write_attempts') else None),
        rerun_s=rerun.get('wall_s'),
        rerun_calls='%d/%d' % (rerun_task['calls']['total'], rerun_task['floor']['expected_reads']) if rerun_task else '-',
        rerun_chars=rerun.get('result_chars'), import_chars=imp.get('result_chars'),
        largest=max(([p.get('result_chars') or 0, p['name']] for p in bench.phases + [bench.gone or dict(name='gone')]),
                    default=None),
        loop_ratio=loop.get('speed_ratio'), rss_mb=imp.get('module_rss_mb'),
        gone_s=(bench.gone or {}).get('ended_after_s'), bench_s=seconds,
        misses=[t['target'] for t in bench.targets if t['status'] != 'PASS'])


def print_summary(rows):
    headers = ['size', 'qps', 'floor s', 'import s', 'wall/floor', 'module/floor', 'API floor s', 'wall/API floor',
               'writes throttled', 'rerun s',
               'rerun calls/pages', 'rerun result chars', 'import result chars', 'largest result chars',
               'loop/import', 'peak RSS MB',
               'gone: ends after s', 'bench s']
    print()
    print('| ' + ' | '.join(headers) + ' |')
    print('|' + '---|' * len(headers))
    for r in rows:
        share = ' (%.1f%%)' % (r['throttled_share'] * 100) if r['throttled_share'] is not None else ''
        print('| ' + ' | '.join(str(x) for x in (
            r['size'], r['qps'], fmt(r['floor_s']), fmt(r['import_s']), fmt(r['wall_over_floor'], 2),
            fmt(r['module_over_floor'], 2), fmt(r['api_floor_s']), fmt(r['wall_over_api_floor'], 2),
            r['throttled'] + share, fmt(r['rerun_s']), r['rerun_calls'],
            fmt(r['rerun_chars']), fmt(r['import_chars']), '%d (%s)' % tuple(r['largest']) if r['largest'] else '-',
            fmt(r['loop_ratio']), fmt(r['rss_mb']), fmt(r['gone_s']),
            fmt(r['bench_s'], 0))) + ' |')
    for r in rows:
        if r['misses']:
            print('MISS at %s, %s calls/s: %s' % (r['size'], r['qps'], '; '.join(r['misses'])))


def main(argv=None):
    args = parse_args(argv)
    if not shutil.which('ansible-playbook') or not os.environ.get('ANSIBLE_COLLECTIONS_PATH'):
        sys.exit('ansible-playbook and the collection are not set up: run ./scripts/bench.sh')
    json_path = os.path.abspath(args.json) if args.json else os.path.join(
        tempfile.gettempdir(), 'alicloud-bastionhost-bench-%s.json' % time.strftime('%Y%m%d-%H%M%S'))
    signal.signal(signal.SIGTERM, on_signal)
    configs = MATRIX if args.matrix else ((args.members, args.assets_per_member, args.qps),)
    started, rows = time.monotonic(), []
    try:
        for number, (members, per_member, qps) in enumerate(configs):
            one = argparse.Namespace(**vars(args))
            one.members, one.assets_per_member, one.qps = members, per_member, qps
            path = json_path if len(configs) == 1 else '%s-%d.json' % (json_path.rsplit('.json', 1)[0], number + 1)
            rows.append(run_one(one, path))
    except KeyboardInterrupt:
        print('\ninterrupted; emulators and playbooks stopped', file=sys.stderr)
        return 130
    print_summary(rows)
    print('Whole benchmark: %.0f s' % (time.monotonic() - started))
    return 0


if __name__ == '__main__':
    sys.exit(main())
