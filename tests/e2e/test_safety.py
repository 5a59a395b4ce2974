"""The safety rule end to end (issue 11): a task removes only what it names, or refuses before its first write.

Every case of issue 11's "Why" runs through real ansible-playbook against the demo emulator and is judged by the
emulator's call log (``/_emulator/calls``, every ``write: true`` entry, whatever its status) and state
(``/_emulator/state``): either exactly the named assets and members are removed, or the task is refused with ZERO
write calls attempted. Each case also runs in check mode first: it must make no write and report the same
``removed``/``imported`` as the real run then does, or refuse the same way (a refusal decided before the module
reads anything, from its options or a role's assert, runs once).

One emulator, one known history, no resets (ansible-playbook runs are the cost, over a second of CPU per module):

1. ``setup``: every member added, and their ECS, RDS and PolarDB of both regions imported, except data-prod's
   ECS of cn-shanghai: those are discovered with ``address_type: Public`` (check mode, then for real); the one
   with a public address is imported, the others must be reported under ``skipped`` with the reason, and stay
   unimported for the "listed" half of case 7.
2. ``refusals``: ONE run, one inventory host per case and per mode (check, real), forks side by side; every
   case must fail (or, for a filter that matches nothing without purge, succeed unchanged with a warning), and the
   whole run must attempt no write. The malformed ``endpoint_url`` cases point at a second, otherwise idle
   emulator that must see no call at all, and are timed.
3. ``changes``: one run of tasks that do remove, each in check mode then for real; marker requests to the
   emulator (``?Action=SafetyMarker&Step=...``, an unknown action it records and answers 404) split the call log
   between the tasks.
4. ``offboarding``: ``playbooks/offboard_member_account.yml`` as a user runs it: with a blank member, then
   ``--check --diff``, for real with ``--diff``, and once more.

Case 7 (an asset that cannot be imported) uses the address: an ECS instance without a public address with
``address_type: Public``. An RDS engine Bastionhost does not take cannot be tested here: the emulator has no admin
endpoint to add one, and the demo organisation's RDS engines are all importable.
"""
import functools
import json
import os
import re
import time

import pytest
import yaml

from asset_types import SOURCES, account_assets, result_key
from fixture import DEMO_ORG, running_emulator
from plays import local_play, read_results, save_results, write_playbook

# The management account's RAM user ops (Bastionhost and Resource Directory full access, STS AssumeRole).
CREDENTIALS = ('LTAIdemoOps00001', 'demo-ops-secret')
HZ, SH = 'cn-hangzhou', 'cn-shanghai'
ENT01 = 'bastionhost-cn-hz-ent01'
SHOP_PROD, DATA_PROD = '1000000000000011', '1000000000000012'
SHOP_DEV, DATA_DEV = '1000000000000021', '1000000000000022'
MEMBERS = {'shop-prod': SHOP_PROD, 'data-prod': DATA_PROD, 'shop-dev': SHOP_DEV, 'data-dev': DATA_DEV}
SHOP_WEB1 = 'i-bp19d3tcy762bo4'            # shop-prod ECS, cn-hangzhou, bastion: "true"
DATA_ETL1 = 'i-bp1oc1mrv4h4dxe'            # data-prod ECS, cn-hangzhou: the one asset case 1 removes
MAX_MESSAGE = 4000


# ---------------------------------------------------------------------------------------------------- helpers
@functools.lru_cache(maxsize=1)
def demo_org():
    with open(DEMO_ORG) as handle:
        return yaml.safe_load(handle)


def demo_assets(member=None, region=None, kind=None):
    """The demo organisation's assets as ``{member_id, type, instance_id, region, tags}``, filtered."""
    org = demo_org()
    found = []
    for account in org['accounts']:
        for asset_type, item in account_assets(account):
            found.append(dict(member_id=account['id'], type=asset_type, instance_id=item['id'],
                              region=item['region'], tags=item.get('tags') or {}))
    return [a for a in found if (member is None or a['member_id'] == MEMBERS.get(member, member))
            and (region is None or a['region'] == region) and (kind is None or a['type'] == kind)]


def imported(emulator):
    """``{asset id on ENT01: (member, type, source instance id)}`` of every imported host and database."""
    state = emulator.instance(ENT01)
    hosts = dict((h['HostId'], h) for h in state['hosts'])
    hosts.update(('db%s' % d['DatabaseId'], d) for d in state['databases'])
    return dict((key, (str(a.get('InstanceMemberId')), SOURCES[a['Source']], a['SourceInstanceId']))
                for key, a in hosts.items() if a['Source'] in SOURCES)


def members_of(emulator):
    return sorted(emulator.instance(ENT01)['members'])


def writes(calls):
    """Every write call attempted (whatever it answered)."""
    return [c for c in calls if c['write']]


def removed_by(calls, before):
    """``[(action, member, type, source instance id)]`` of the write calls, with the asset each Delete* named
    (looked up in ``before``, an ``imported()`` snapshot), sorted."""
    found = []
    for call in writes(calls):
        params = call['params']
        if call['action'] == 'DeleteHost':
            found.append((call['action'],) + before.get(params.get('HostId'), (None, None, params.get('HostId'))))
        elif call['action'] == 'DeleteDatabase':
            found.append((call['action'],) + before.get('db%s' % params.get('DatabaseId'),
                                                        (None, None, params.get('DatabaseId'))))
        else:
            found.append((call['action'], params.get('MemberId') or params.get('InstanceMemberId'), None,
                          params.get('SourceInstanceId')))
    return sorted(found, key=lambda w: tuple(str(x) for x in w))


def keys(assets):
    return sorted(map(result_key, assets))


def short(value, limit=3000):
    return json.dumps(value, default=str)[:limit]


class Run:
    """One ansible-playbook run: its exit code, output, the emulator calls it made and how long it took."""

    def __init__(self, process, calls, seconds):
        self.returncode, self.output = process.returncode, process.stdout + process.stderr
        self.calls, self.seconds = calls, seconds

    @property
    def writes(self):
        return writes(self.calls)

    def between(self, step):
        """The calls after the marker ``step`` up to the next marker."""
        section, inside = [], False
        for call in self.calls:
            if call['action'] == 'SafetyMarker':
                inside = call['params'].get('Step') == step
            elif inside:
                section.append(call)
        return section

    def recap(self, host='localhost'):
        match = re.search(r'^%s\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)' % re.escape(host),
                          self.output, re.MULTILINE)
        assert match, self.output[-3000:]
        return dict(zip(('ok', 'changed', 'unreachable', 'failed'), map(int, match.groups())))


def run_playbook(ansible_playbook, emulator, playbook, *args):
    """Runs ansible-playbook with the credentials, region and endpoint in the environment, as a user would."""
    environment = dict(ANSIBLE_FORKS='4', ALIBABA_CLOUD_ACCESS_KEY_ID=CREDENTIALS[0],
                       ALIBABA_CLOUD_ACCESS_KEY_SECRET=CREDENTIALS[1], ALIBABA_CLOUD_REGION_ID=HZ,
                       ALIBABA_CLOUD_ENDPOINT_URL=emulator.url)
    mark = len(emulator.calls())
    started = time.monotonic()
    process = ansible_playbook.run(playbook, *args, env=environment, timeout=600)
    return Run(process, emulator.calls()[mark:], time.monotonic() - started)


def marker(step):
    """A request the emulator records (an unknown action, answered 404) that splits the call log."""
    return {'name': 'marker %s' % step, 'ansible.builtin.uri': {
        'url': "{{ lookup('ansible.builtin.env', 'ALIBABA_CLOUD_ENDPOINT_URL') }}/?Action=SafetyMarker&Step=%s" % step,
        'status_code': 404}}


def module_task(module, args, register, check=False):
    return {'name': '%s %s' % (module, register), 'alicloud.bastionhost.' + module: args, 'register': register,
            'check_mode': check, 'diff': True}


def role_task(role, register, check=False):
    """The role (its variables already set), then its registered result copied to ``register``."""
    include = {'name': 'alicloud.bastionhost.' + role, 'apply': {'check_mode': check, 'diff': True}}
    return [{'name': 'role %s %s' % (role, register), 'ansible.builtin.include_role': include},
            {'name': 'keep %s' % register, 'ansible.builtin.set_fact': {register: '{{ %s_result }}' % role}}]


# ---------------------------------------------------------------------------------------------------- 1. setup
# data-prod's ECS in cn-shanghai, imported with address_type Public: only one has a public address.
DATA_SH_ECS = demo_assets('data-prod', SH, 'ecs')
DATA_SH_PUBLIC = [a for a in DATA_SH_ECS if a['instance_id'] == 'i-uf6jebrlhpc98rz']   # data-api-sh-1
DATA_SH_PRIVATE = [a for a in DATA_SH_ECS if a not in DATA_SH_PUBLIC]                    # never imported
# What the setup imports besides: every asset of both regions, but data-prod's only in cn-hangzhou.
SETUP_IMPORTS = [a for a in demo_assets() if a['member_id'] in (SHOP_PROD, SHOP_DEV, DATA_DEV)
                 or a['member_id'] == DATA_PROD and a['region'] == HZ]


@pytest.fixture(scope='module')
def setup(emulator, ansible_playbook, tmp_path_factory):
    """Every member added; data-prod's ECS of cn-shanghai discovered with address_type Public (check mode first),
    and every other asset of the members in both regions imported."""
    emulator.reset()
    directory = tmp_path_factory.mktemp('setup')
    public = {'instance_id': ENT01, 'address_type': 'Public',
              'discover': {'members': ['data-prod'], 'regions': [SH], 'types': ['ecs']}}
    tasks = [module_task('rd_member', {'instance_id': ENT01, 'select': {'all': True}}, 'members'),
             marker('public_check'), module_task('member_asset', public, 'public_check', check=True),
             marker('public_real'), module_task('member_asset', public, 'public_real'), marker('import'),
             module_task('member_asset', {'instance_id': ENT01, 'discover': {
                 'members': ['shop-prod', 'shop-dev', 'data-dev'], 'regions': [HZ, SH]}},
                 'import_all'),
             module_task('member_asset', {'instance_id': ENT01, 'discover': {
                 'members': ['data-prod'], 'regions': [HZ]}}, 'import_data_prod')]
    playbook, args = write_playbook(directory / 'playbook.yml', [local_play(tasks, directory / 'results.json', [
        'members', 'public_check', 'public_real', 'import_all', 'import_data_prod'])])
    run = run_playbook(ansible_playbook, emulator, playbook, *args)
    assert run.returncode == 0, run.output[-5000:]
    return read_results(directory / 'results.json'), run


def test_setup_imports_what_it_discovers(setup, emulator):
    saved, run = setup
    assert sorted(saved['members']['added']) == sorted(MEMBERS.values())
    assert all(w['status'] == 200 for w in run.writes), short([w for w in run.writes if w['status'] != 200])
    expected = keys(SETUP_IMPORTS + DATA_SH_PUBLIC)
    assert sorted(imported(emulator).values()) == expected
    assert keys(saved['import_all']['imported'] + saved['import_data_prod']['imported']) == keys(SETUP_IMPORTS)


def test_discovered_asset_that_cannot_be_imported_is_skipped_with_a_reason(setup):
    """Case 7, discovered: with address_type Public, the ECS without a public address are under ``skipped``
    with the reason, the other one is imported; check mode predicts the same and writes nothing."""
    saved, run = setup
    for mode in ('public_check', 'public_real'):
        result = saved[mode]
        assert keys(result['imported']) == keys(DATA_SH_PUBLIC), short(result)
        assert keys(result['skipped_assets']) == keys(DATA_SH_PRIVATE), short(result)
        assert all('public address' in line.split(': ', 1)[1] for line in result['skipped_assets']), short(
            result['skipped_assets'])
        assert result['removed'] == [] and result['changed'] is True
    assert writes(run.between('public_check')) == []
    assert [(w['action'], w['params'].get('SourceInstanceId')) for w in writes(run.between('public_real'))] == [
        ('CreateHost', a['instance_id']) for a in DATA_SH_PUBLIC]


# ---------------------------------------------------------------------------------------------------- 2. refusals
class Case:
    """One inventory host per mode: ``module`` (rd_member, member_asset, or a role: member_assets,
    member_accounts) with ``args`` (module options, or role variables). ``fail``: what the msg must contain;
    ``warn``: the task must succeed unchanged with a warning containing it."""

    def __init__(self, name, module, args, fail=(), warn=None, check=True, test=None):
        self.name, self.module, self.args, self.fail, self.warn = name, module, args, list(fail), warn
        self.modes = ('check', 'real') if check else ('real',)
        self.test = test


def rd(name, fail, **args):
    return Case(name, 'rd_member', dict(instance_id=ENT01, **args), fail)


def ma(name, fail, **args):
    return Case(name, 'member_asset', dict(instance_id=ENT01, **args), fail)


def asset(member, instance_id, kind='ecs', **extra):
    return dict(member=member, type=kind, instance_id=instance_id, **extra)


SHOP_HZ_ECS = {'members': ['shop-prod'], 'regions': [HZ], 'types': ['ecs']}
GHOSTS = ['ghost-team-%02d' % n for n in range(10)]
# 5,000 entries: shop-prod's real assets over and over, and ten unknown member names a hundred times each.
SHOP_ECS = demo_assets('shop-prod', kind='ecs')
MANY = [asset(GHOSTS[n // 5 % 10], SHOP_WEB1) if n % 5 == 0 else
        asset('shop-prod', SHOP_ECS[n % len(SHOP_ECS)]['instance_id'], region=SHOP_ECS[n % len(SHOP_ECS)]['region'])
        for n in range(5000)]
ROLE_ASSETS = dict(member_assets_instance_id=ENT01, member_assets_region=HZ, member_assets_check_prerequisites=False)
ROLE_ACCOUNTS = dict(member_accounts_instance_id=ENT01, member_accounts_region=HZ, member_accounts_state='absent',
                     member_accounts_remove_assets=True, member_accounts_check_prerequisites=False)
# A malformed endpoint_url, with the port of an emulator that must not see any call ({port}).
BAD_ENDPOINTS = ['127.0.0.1:{port}', 'ftp://127.0.0.1:{port}', 'http://127.0.0.1:{port}/path']

CASES = [
    # Case 1: the member_assets role never widens an explicit list.
    Case('role member_assets: an asset list and discover', 'member_assets', dict(
        ROLE_ASSETS, member_assets_assets=[asset('data-prod', DATA_ETL1)], member_assets_discover=True,
        member_assets_state='absent'), ['member_assets_assets', 'member_assets_discover'], check=False),
    Case('role member_assets: state absent naming nothing', 'member_assets', dict(
        ROLE_ASSETS, member_assets_state='absent'), ['member_assets_assets'], check=False),
    # Case 2: filters that select nothing, with purge.
    Case('discover types [] with purge', 'member_asset', dict(instance_id=ENT01, purge=True, discover=dict(
        SHOP_HZ_ECS, types=[], tags={'bastion': True})), ['discover.types'], check=False),
    ma('misspelled tag value with purge', ['purge', 'empty selection'],
       discover=dict(SHOP_HZ_ECS, tags={'bastion': 'ture'}), purge=True),
    Case('misspelled tag value without purge', 'member_asset', dict(
        instance_id=ENT01, discover=dict(SHOP_HZ_ECS, tags={'bastion': 'ture'})), warn='matched no asset'),
    # Case 3: the member_accounts role removing "nobody named" (a blank AWX survey field).
    Case('role member_accounts: absent, members [] and select {}', 'member_accounts', dict(
        ROLE_ACCOUNTS, member_accounts_members=[], member_accounts_select={}), ['member_accounts_members'],
        check=False),
    Case('role member_accounts: absent, members ""', 'member_accounts', dict(
        ROLE_ACCOUNTS, member_accounts_members=''), ['member_accounts_members'], check=False),
    Case('role member_accounts: absent, members "" and select ""', 'member_accounts', dict(
        ROLE_ACCOUNTS, member_accounts_members='', member_accounts_select=''), ['member'], check=False),
    Case('role member_accounts: absent, members [""]', 'member_accounts', dict(
        ROLE_ACCOUNTS, member_accounts_members=['']), ['empty member name']),
    # A scope that cannot be read (no such role in the member): purge would not know what is in it. The
    # module finds out on its first read in the member (DescribeRegions, checking discover.regions).
    ma('purge where the role of a member of the scope cannot be assumed', [
        'nothing was changed', 'NoSuchImportRole', 'EntityNotExist.Role'],
       discover=SHOP_HZ_ECS, purge=True, member_role_name='NoSuchImportRole'),
    # Case 4: rd_member purging on a selection that selects nothing.
    rd('misspelled folder id with purge_members', ['fd-prdo', 'nothing was changed'],
       select={'folder_ids': ['fd-prdo']}, purge_members=True, remove_assets=True),
    rd('members [] with purge_members', ['members is an empty list'], members=[], purge_members=True,
       remove_assets=True),
    # Case 6: max_removals, counted before any write, listing what would go.
    rd('rd_member over max_removals', ['max_removals 2', 'data-prod', 'shop-dev', 'data-dev', DATA_ETL1],
       members=['shop-prod'], purge_members=True, remove_assets=True, max_removals=2),
    ma('member_asset purge over max_removals', ['max_removals 1'] + [
        a['instance_id'] for a in demo_assets('shop-prod', HZ, 'ecs') if a['tags']['app'] != 'web'],
       discover=dict(SHOP_HZ_ECS, tags={'app': 'web'}), purge=True, max_removals=1),
    ma('member_asset state absent over max_removals', ['max_removals 2', 'i-bp1hexmtp3tuad6', 'i-bp1pa8bka5mh5qa'],
       assets=[asset('shop-prod', i) for i in (SHOP_WEB1, 'i-bp1hexmtp3tuad6', 'i-bp1pa8bka5mh5qa')],
       state='absent', max_removals=2),
    # Case 7, listed: an asset that cannot be imported is refused in planning.
    ma('listed asset that cannot be imported',
       [DATA_SH_PRIVATE[0]['instance_id'], 'cannot be imported', 'public address'],
       assets=[asset('data-prod', a['instance_id'], region=SH) for a in DATA_SH_PUBLIC + DATA_SH_PRIVATE[:1]],
       address_type='Public'),
    # Case 8: one line per distinct problem, at scale.
    Case('5000 entries with 10 unknown member names', 'member_asset', dict(instance_id=ENT01, assets=MANY),
         ['in 5000 entries', 'nothing was changed'], check=False),
] + [
    # Case 9: a malformed endpoint_url fails at once, before any call.
    Case('malformed endpoint_url %s (%s)' % (url.format(port='PORT'), module), module,
         dict(instance_id=ENT01, endpoint_url=url, members=['shop-prod']) if module == 'rd_member' else
         dict(instance_id=ENT01, endpoint_url=url, assets=[asset('shop-prod', SHOP_WEB1)]),
         ['endpoint_url'], check=False, test='endpoint')
    for url in BAD_ENDPOINTS for module in ('rd_member', 'member_asset')]
SAFETY_CASES = [c for c in CASES if c.test is None]
ENDPOINT_CASES = [c for c in CASES if c.test == 'endpoint']


def host_name(index, mode):
    return 'case%02d_%s' % (index, mode)


def refusal_files(cases, probe_port, results_file):
    """``(inventory, plays)``: a host per case and mode; the module options or role variables are host variables.
    Malformed endpoints run in a play of their own (group ``endpoint``), timed per host."""
    hosts, endpoint = {}, {}
    for index, case in enumerate(cases):
        args = json.loads(json.dumps(case.args).replace('{port}', str(probe_port)))
        for option, value in args.items():
            if len(json.dumps(value)) > 10000:   # Ansible's inventory loader takes seconds over large values
                path = '%s.case%02d.%s.json' % (results_file, index, option)
                with open(path, 'w') as handle:
                    json.dump(value, handle)
                args[option] = "{{ lookup('ansible.builtin.file', '%s') | from_json }}" % path
        for mode in case.modes:
            variables = dict(case=dict(module=case.module, check=mode == 'check', args=args))
            if case.module in ('member_assets', 'member_accounts'):
                variables.update(args)
            (endpoint if case.test == 'endpoint' else hosts)[host_name(index, mode)] = variables
    inventory = {'all': {'vars': {'ansible_connection': 'local'},
                         'children': {'safety': {'hosts': hosts}, 'endpoint': {'hosts': endpoint}}}}
    tasks = []
    for module in ('rd_member', 'member_asset'):
        options = sorted(set(k for c in cases if c.module == module for k in c.args))
        tasks.append({'name': module, 'when': "case.module == '%s'" % module, 'register': 'result_' + module,
                      'ignore_errors': True, 'check_mode': '{{ case.check }}',
                      'alicloud.bastionhost.' + module: dict((o, '{{ case.args.%s | default(omit) }}' % o)
                                                             for o in options)})
    for role in ('member_assets', 'member_accounts'):
        tasks.append({'name': 'role ' + role, 'when': "case.module == '%s'" % role, 'block': [
            {'ansible.builtin.include_role': {'name': 'alicloud.bastionhost.' + role,
                                              'apply': {'check_mode': '{{ case.check }}'}}},
            {'ansible.builtin.set_fact': {'result_' + role: '{{ %s_result }}' % role}},
        ], 'rescue': [{'ansible.builtin.set_fact': {'result_' + role: '{{ ansible_failed_result }}'}}]})
    tasks.append({'name': 'the outcome', 'ansible.builtin.set_fact': {
        'outcome': "{{ lookup('ansible.builtin.vars', 'result_' + case.module) }}"}})

    def save(name, *extra):
        return save_results('%s.%s.json' % (results_file, name), ['outcome'] + list(extra), hosts=True)

    clock = {'ansible.builtin.set_fact': {'started': '{{ now().timestamp() }}'}}
    stop = {'ansible.builtin.set_fact': {'ended': '{{ now().timestamp() }}'}}
    plays = [{'hosts': 'safety', 'gather_facts': False, 'tasks': tasks + [save('safety')]},
             {'hosts': 'endpoint', 'gather_facts': False,
              'tasks': [clock] + tasks[:2] + [stop, tasks[-1], save('endpoint', 'started', 'ended')]}]
    return inventory, plays


@pytest.fixture(scope='module')
def refusals(setup, emulator, ansible_playbook, tmp_path_factory):
    """Every refusal case in one run: ``(results by (case name, mode), run, state before, state after, calls the
    probe emulator received, seconds per endpoint case)``."""
    directory = tmp_path_factory.mktemp('refusals')
    before = (imported(emulator), members_of(emulator))
    with running_emulator(DEMO_ORG) as probe:
        inventory, plays = refusal_files(CASES, probe.endpoint.split(':')[1], directory / 'results')
        playbook, args = write_playbook(directory / 'playbook.yml', plays, inventory)
        run = run_playbook(ansible_playbook, emulator, playbook, *args)
        probe_calls = probe.calls()
    assert run.returncode == 0, run.output[-5000:]
    results, seconds = {}, {}
    for play in ('safety', 'endpoint'):
        saved = read_results(directory / ('results.%s.json' % play))
        for position, host in enumerate(saved['hosts']):
            index, mode = int(host[4:6]), host.split('_')[1]
            case = CASES[index]
            results[case.name, mode] = saved['outcome'][position]
            if play == 'endpoint':
                seconds[case.name] = float(saved['ended'][position]) - float(saved['started'][position])
    return results, run, before, (imported(emulator), members_of(emulator)), probe_calls, seconds


def test_no_refusal_attempts_a_write(refusals):
    run, before, after = refusals[1], refusals[2], refusals[3]
    assert run.writes == [], 'write calls during the refusals: %s' % short(removed_by(run.writes, before[0]))
    assert after == before


@pytest.mark.parametrize('case, mode', [(c, m) for c in SAFETY_CASES for m in c.modes],
                         ids=['%s-%s' % (c.name, m) for c in SAFETY_CASES for m in c.modes])
def test_refused_before_any_write(refusals, case, mode):
    result = refusals[0][case.name, mode]
    assert result is not None, 'the task did not run'
    if case.warn:
        assert not result.get('failed'), short(result)
        assert result['changed'] is False and result['removed'] == [] and result['imported'] == [], short(result)
        assert any(case.warn in w for w in result.get('warnings', [])), short(result)
        return
    assert result.get('failed') is True, 'accepted: %s' % short(result)
    msg = result.get('msg') or ''
    assert 'Traceback' not in msg and 'MODULE FAILURE' not in msg, msg[:3000]
    for needle in case.fail:
        assert needle.lower() in msg.lower(), 'expected %r in msg: %s' % (needle, msg[:3000])


def test_unknown_names_in_5000_entries_make_one_short_message(refusals):
    """Case 8: each unknown name once, in a message of a few KB."""
    msg = refusals[0]['5000 entries with 10 unknown member names', 'real']['msg']
    assert len(msg) < MAX_MESSAGE, '%d characters: %s...' % (len(msg), msg[:1000])
    assert [msg.count(g) for g in GHOSTS] == [1] * len(GHOSTS), msg


@pytest.mark.parametrize('case', ENDPOINT_CASES, ids=[c.name for c in ENDPOINT_CASES])
def test_malformed_endpoint_url_fails_at_once(refusals, case):
    """Case 9: named in the message, well under 10 seconds, and no call reaches the emulator."""
    results, probe_calls, seconds = refusals[0], refusals[4], refusals[5]
    result = results[case.name, 'real']
    assert result.get('failed') is True, short(result)
    assert 'endpoint_url' in result['msg'], result['msg']
    assert seconds[case.name] < 10, '%.1f s' % seconds[case.name]
    assert probe_calls == [], short(probe_calls)


# ---------------------------------------------------------------------------------------------------- 3. changes
SHOP_HZ_ECS_UNTAGGED = [a for a in demo_assets('shop-prod', HZ, 'ecs') if a['tags'].get('bastion') != 'true']


@pytest.fixture(scope='module')
def changes(refusals, emulator, ansible_playbook, tmp_path_factory):
    """Case 1: the member_assets role with one asset and state absent. Case 2: discover with the unquoted YAML
    boolean tag and purge. Each in check mode, then for real."""
    directory = tmp_path_factory.mktemp('changes')
    before = imported(emulator)
    purge = {'instance_id': ENT01, 'discover': dict(SHOP_HZ_ECS, tags={'bastion': True}), 'purge': True}
    tasks = [{'name': 'the role variables', 'ansible.builtin.set_fact': dict(
        ROLE_ASSETS, member_assets_assets=[asset('data-prod', DATA_ETL1)], member_assets_state='absent')}]
    tasks += [marker('role_check')] + role_task('member_assets', 'role_check', check=True)
    tasks += [marker('role_real')] + role_task('member_assets', 'role_real')
    tasks += [marker('purge_check'), module_task('member_asset', purge, 'purge_check', check=True)]
    tasks += [marker('purge_real'), module_task('member_asset', purge, 'purge_real'), marker('end')]
    names = ['role_check', 'role_real', 'purge_check', 'purge_real']
    playbook, args = write_playbook(directory / 'playbook.yml', [local_play(tasks, directory / 'results.json', names)])
    run = run_playbook(ansible_playbook, emulator, playbook, *args)
    assert run.returncode == 0, run.output[-5000:]
    assert 'bastion: true' in (directory / 'playbook.yml').read_text(), 'the tag value must be a YAML boolean'
    return read_results(directory / 'results.json'), run, before, imported(emulator)


def test_role_removes_only_the_one_asset_it_names(changes):
    """Case 1: one named, one removed (before: 27), check mode predicting it."""
    saved, run, before, after = changes
    named = [(DATA_PROD, 'ecs', DATA_ETL1)]
    assert writes(run.between('role_check')) == []
    assert keys(saved['role_check']['removed']) == named, short(saved['role_check'])
    assert removed_by(run.between('role_real'), before) == [('DeleteHost',) + named[0]]
    assert keys(saved['role_real']['removed']) == named and saved['role_real']['changed'] is True
    assert saved['role_real']['imported'] == [] and saved['role_check']['imported'] == []


def test_boolean_tag_matches_its_text_and_purge_stays_in_the_selection(changes):
    """Case 2: ``bastion: true`` selects the assets tagged "true"; purge removes only the untagged ones of
    shop-prod's ECS in cn-hangzhou."""
    saved, run, before = changes[0], changes[1], changes[2]
    expected = sorted((SHOP_PROD, 'ecs', a['instance_id']) for a in SHOP_HZ_ECS_UNTAGGED)
    assert expected and len(expected) < len(demo_assets('shop-prod', HZ, 'ecs'))
    assert writes(run.between('purge_check')) == []
    for mode in ('purge_check', 'purge_real'):
        assert keys(saved[mode]['removed']) == expected, short(saved[mode])
        assert saved[mode]['imported'] == [], short(saved[mode])
        assert len(saved[mode]['unchanged']) == len(demo_assets('shop-prod', HZ, 'ecs')) - len(expected)
    assert removed_by(run.between('purge_real'), before) == [('DeleteHost',) + k for k in expected]


def test_nothing_outside_the_named_assets_is_removed(changes):
    saved, run, before, after = changes
    gone = [(DATA_PROD, 'ecs', DATA_ETL1)] + [(SHOP_PROD, 'ecs', a['instance_id']) for a in SHOP_HZ_ECS_UNTAGGED]
    assert sorted(after.values()) == sorted(v for v in before.values() if v not in gone)
    assert len(writes(run.calls)) == len(gone) and all(w['status'] == 200 for w in writes(run.calls))


# ---------------------------------------------------------------------------------------------------- 4. offboarding
OFFBOARD = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        'playbooks', 'offboard_member_account.yml')


@pytest.fixture(scope='module')
def offboarding(changes, emulator, ansible_playbook):
    """Case 3 (blank member) and case 5: shop-dev offboarded without bastionhost_asset_regions while its assets
    are imported in both regions: ``--check --diff``, the run with ``--diff``, and a rerun."""
    base = ['-e', 'bastionhost_instance_id=%s' % ENT01, '-e', 'bastionhost_region=%s' % HZ]

    def offboard(*args):
        return run_playbook(ansible_playbook, emulator, OFFBOARD, *(base + list(args)))

    before = imported(emulator)
    runs = {'blank': offboard('-e', 'bastionhost_member=')}
    runs['check'] = offboard('-e', 'bastionhost_member=shop-dev', '--check', '--diff')
    runs['real'] = offboard('-e', 'bastionhost_member=shop-dev', '--diff')
    after = imported(emulator), members_of(emulator)
    runs['rerun'] = offboard('-e', 'bastionhost_member=shop-dev')
    return runs, before, after


SUMMARY = re.compile(r'"msg": "removed members: (.*); removed assets: (.*)"')


def summary(run):
    """``(removed members, removed asset ids)`` from the playbook's Summary line."""
    match = SUMMARY.search(run.output)
    assert match, run.output[-3000:]
    return [m for m in match.group(1).split(', ') if m != 'none'], sorted(
        a for a in match.group(2).split(', ') if a != 'none')


def test_offboarding_a_blank_member_is_refused(offboarding):
    """Case 3: ``-e bastionhost_member=`` (a blank survey field) fails with no write."""
    run = offboarding[0]['blank']
    assert run.returncode != 0, run.output[-3000:]
    assert run.writes == [], short(run.writes)
    assert 'empty member name' in run.output, run.output[-3000:]


def test_offboarding_check_mode_predicts_every_asset_in_both_regions(offboarding):
    """Case 5: without bastionhost_asset_regions, check mode names every asset of shop-dev in both regions and
    the member, and writes nothing."""
    runs, before = offboarding[0], offboarding[1]
    shop_dev = sorted(v[2] for v in before.values() if v[0] == SHOP_DEV)
    regions = set(a['region'] for a in demo_assets('shop-dev') if a['instance_id'] in shop_dev)
    assert regions == {HZ, SH}, 'the setup imported shop-dev assets in both regions'
    check = runs['check']
    assert check.returncode == 0, check.output[-5000:]
    assert check.writes == [], short(check.writes)
    assert summary(check) == ([SHOP_DEV], shop_dev)


def test_offboarding_removes_exactly_the_members_assets_and_the_member(offboarding):
    runs, before, after = offboarding
    real = runs['real']
    assert real.returncode == 0, real.output[-5000:]
    shop_dev = sorted(k for k in before.values() if k[0] == SHOP_DEV)
    expected = sorted([('DeleteDatabase' if k[1] != 'ecs' else 'DeleteHost',) + k for k in shop_dev] +
                      [('RemoveInstanceRdMember', SHOP_DEV, None, None)], key=lambda w: tuple(str(x) for x in w))
    assert removed_by(real.writes, before) == expected
    assert all(w['status'] == 200 for w in real.writes), short([w for w in real.writes if w['status'] != 200])
    assert real.recap()['changed'] == 1, real.output[-3000:]
    assert summary(real) == summary(runs['check']) == ([SHOP_DEV], sorted(k[2] for k in shop_dev))
    assert after[1] == sorted([SHOP_PROD, DATA_PROD, DATA_DEV])
    assert sorted(after[0].values()) == sorted(v for v in before.values() if v[0] != SHOP_DEV)


def test_offboarding_rerun_is_unchanged(offboarding):
    rerun = offboarding[0]['rerun']
    assert rerun.returncode == 0, rerun.output[-5000:]
    assert rerun.writes == [] and rerun.recap()['changed'] == 0, rerun.output[-3000:]


@pytest.mark.parametrize('mode', ['check', 'real'])
def test_offboarding_diff_lists_the_removed_assets_and_the_member(offboarding, mode):
    """The diff's removed lines name the member and every asset removed with it."""
    run, before = offboarding[0][mode], offboarding[1]
    removed_lines = [line for line in run.output.splitlines() if line.startswith('-') and not line.startswith('---')]
    member = '"%s (shop-dev)"' % SHOP_DEV
    assert any(line[1:].strip().rstrip(',') == member for line in removed_lines), run.output[-3000:]
    for owner, _kind, instance_id in before.values():
        if owner == SHOP_DEV:
            assert any(instance_id in line for line in removed_lines), '%s not in the diff: %s' % (
                instance_id, run.output[-3000:])
