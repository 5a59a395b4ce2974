"""Real-cloud fidelity, round 3 (issue 20), through real ansible-playbook against the emulator: lists whose pages
are shorter than asked, an ECS list that is empty for want of permission, a PolarDB endpoint's own port, an
endpoint-type change that cannot be made in place, and limits checked before the first write."""
import pytest
import yaml

from asset_types import SOURCES
from fixture import DEMO_ORG, running_emulator
from plays import local_play, read_results, write_playbook

ENT01 = 'bastionhost-cn-hz-ent01'
HZ, SH = 'cn-hangzhou', 'cn-shanghai'
MEMBERS = {'shop-prod': '1000000000000011', 'data-prod': '1000000000000012', 'shop-dev': '1000000000000021',
           'data-dev': '1000000000000022'}
SHOP_PROD_POLARDB = 'pc-bp1aj4m1wacybw2'
DEFAULTS = {'access_key_id': 'LTAIdemoOps00001', 'access_key_secret': 'demo-ops-secret', 'region': HZ}


def run(ansible_playbook, emulator, tmp_path, name, tasks):
    """One play of ``tasks`` (module defaults: the ops RAM user, the emulator); ``(results, writes, output)``."""
    dest = tmp_path / ('%s.json' % name)
    path, _args = write_playbook(tmp_path / ('%s.yml' % name), [local_play(
        tasks, dest, defaults=dict(DEFAULTS, endpoint_url=emulator.url))])
    before = len(emulator.calls())
    process = ansible_playbook.run(path, '--diff')
    calls = emulator.calls()[before:]
    return read_results(dest), [c for c in calls if c.get('write') and c.get('status') == 200], \
        process.stdout + process.stderr


def task(register, module='member_asset', ignore_errors=False, **args):
    entry = {'name': register, 'alicloud.bastionhost.' + module: dict(args, instance_id=ENT01), 'register': register}
    if ignore_errors:
        entry['ignore_errors'] = True
    return entry


def imported_keys(emulator):
    instance = emulator.instance(ENT01)
    return sorted((SOURCES[r['Source']], r['SourceInstanceId']) for r in instance['hosts'] + instance['databases']
                  if r.get('Source') in SOURCES)


def demo_keys(member, region=None, kind=None):
    with open(DEMO_ORG, encoding='utf-8') as handle:
        org = yaml.safe_load(handle)
    account = next(a for a in org['accounts'] if a['id'] == MEMBERS[member])
    keys = []
    for asset_type, key in (('ecs', 'ecs_instances'), ('rds', 'rds_instances'), ('polardb', 'polardb_clusters')):
        keys += [(asset_type, entry['id']) for entry in account.get(key) or []
                 if (region is None or entry['region'] == region) and (kind is None or kind == asset_type)]
    return sorted(keys)


def test_pages_shorter_than_asked_import_rerun_purge_and_offboard(ansible_playbook, tmp_path):
    """Every list answers at most 7 items a page whatever PageSize asks (TotalCount true): the import sees every
    asset, the rerun makes no write, a purge and an offboarding remove exactly their scope's assets."""
    with running_emulator(DEMO_ORG, max_page_size=7) as emulator:
        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'import', [
            task('members', 'rd_member', select={'all': True}),
            task('first', discover={'regions': [HZ, SH]})])
        first = results['first']
        assert first and not first.get('failed'), output[-3000:]
        assert first['counts']['imported'] > 40 and len(imported_keys(emulator)) == first['counts']['imported']

        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'rerun', [
            task('rerun', discover={'regions': [HZ, SH]})])
        assert results['rerun']['changed'] is False, output[-3000:]
        assert writes == [] and results['rerun']['counts']['unchanged'] == first['counts']['imported']

        kept = [key for key in imported_keys(emulator) if key in demo_keys('shop-prod', HZ, 'ecs')]
        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'purge', [
            task('purge', discover={'members': ['shop-prod'], 'regions': [HZ], 'types': ['ecs'],
                                    'name_pattern': 'shop-web-*'}, purge=True, max_removals=50)])
        purge = results['purge']
        assert purge['changed'] is True and purge['counts']['removed'] == len(kept) - purge['counts']['unchanged']
        assert len(writes) == purge['counts']['removed'] > 0, output[-3000:]
        assert sorted(set(kept) - set(imported_keys(emulator))) == sorted(
            tuple(line.split(' ')[1:]) for line in purge['removed'])

        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'offboard', [
            task('offboard', 'rd_member', members=['shop-dev'], state='absent', remove_assets=True, max_removals=50)])
        offboard = results['offboard']
        assert offboard['removed'] == [MEMBERS['shop-dev']], output[-3000:]
        assert not set(demo_keys('shop-dev')) & set(imported_keys(emulator))
        assert MEMBERS['shop-dev'] not in emulator.instance(ENT01)['members']
        assert len(writes) == len(offboard['removed_assets']) + 1


@pytest.mark.parametrize('answer', ['empty', 'forbidden'])
def test_an_ecs_list_empty_for_want_of_permission_is_a_member_that_could_not_be_read(
        ansible_playbook, tmp_path, answer):
    """ECS answers a role without ECS permission with an empty list (its API reference) or, since the ECS notice
    of 2025-12-20, Forbidden.RAM: either way the member is reported as could not be read (naming the ECS
    read-only policy) and nothing is written; after an empty list, one DryRun tells."""
    with running_emulator(DEMO_ORG, ecs_without_permission=answer) as emulator:
        emulator.post('/_emulator/roles/update', {'account_id': MEMBERS['shop-dev'],
                                                  'role': 'ResourceDirectoryAccountAccessRole',
                                                  'set': {'policies': ['AliyunRDSReadOnlyAccess',
                                                                       'AliyunPolardbReadOnlyAccess']}})
        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'ecs', [
            task('members', 'rd_member', members=['shop-prod', 'shop-dev']),
            task('assets', ignore_errors=True, discover={'members': ['shop-prod', 'shop-dev'], 'regions': [HZ, SH]})])
        msg = results['assets']['msg']
        assert results['assets']['failed'] is True, output[-3000:]
        assert 'could not be read, so nothing was changed in them' in msg and MEMBERS['shop-dev'] in msg and 'AliyunECSReadOnlyAccess' in msg, msg
        # shop-prod is kept in step (issue 21: one unreadable member never stops the others), shop-dev gets no write
        assert [w for w in writes if w['params'].get('InstanceMemberId') == MEMBERS['shop-dev']] == [], writes
        assert results['assets']['unread_members'] == [MEMBERS['shop-dev']]
        refused = [c for c in emulator.calls() if c['action'] == 'DescribeInstances' and c.get('code') == 'Forbidden.RAM']
        assert len(refused) == (1 if answer == 'empty' else 2), refused   # the dry run, or each region's list


def test_a_polardb_port_drift_is_updated_and_an_endpoint_type_change_refused(ansible_playbook, tmp_path):
    listed = [{'member': 'shop-prod', 'type': 'polardb', 'instance_id': SHOP_PROD_POLARDB, 'region': HZ}]
    with running_emulator(DEMO_ORG) as emulator:
        results, _writes, output = run(ansible_playbook, emulator, tmp_path, 'import', [
            task('members', 'rd_member', members=['shop-prod']), task('first', assets=listed)])
        assert results['first']['counts']['imported'] == 1, output[-3000:]

        emulator.post('/_emulator/assets/update', {'instance_id': SHOP_PROD_POLARDB, 'set': {'endpoints': [
            {'type': 'Cluster', 'private_address': 'pc-bp1aj4m1wacybw2.rwlb.rds.aliyuncs.com', 'port': 3307},
            {'type': 'Primary', 'private_address': 'pc-bp1aj4m1wacybw2.mysql.polardb.rds.aliyuncs.com'}]}})
        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'port', [task('port', assets=listed)])
        assert results['port']['updated'] == ['%s polardb %s: port' % (MEMBERS['shop-prod'], SHOP_PROD_POLARDB)], \
            output[-3000:]
        assert [w['action'] for w in writes] == ['ModifyDatabase']
        [database] = [d for d in emulator.instance(ENT01)['databases'] if d['SourceInstanceId'] == SHOP_PROD_POLARDB]
        assert str(database['DatabasePort']) == '3307'

        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'primary', [
            task('primary', ignore_errors=True, assets=listed, polardb_endpoint_type='Primary')])
        msg = results['primary']['msg']
        assert 'imported through another endpoint type' in msg and 'imported through Cluster, asked Primary' in msg, msg
        assert writes == []


def test_limits_are_checked_before_anything_is_written(ansible_playbook, tmp_path):
    with running_emulator(DEMO_ORG) as emulator:
        six_tags = dict(('k%d' % n, 'v') for n in range(6))
        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'limits', [
            task('members', 'rd_member', members=['shop-prod']),
            task('group', ignore_errors=True, discover={'members': ['shop-prod'], 'regions': [HZ], 'types': ['ecs']},
                 host_group='team-' + 'x' * 124 + '-{type}'),
            task('tags', ignore_errors=True, discover={
                'members': ['shop-prod'], 'regions': [HZ], 'types': ['rds'], 'tags': six_tags})])
        assert 'asset group names longer than 128 characters' in results['group']['msg'], output[-3000:]
        assert 'at most 5 tags' in results['tags']['msg'], results['tags']['msg']
        assert [w['action'] for w in writes] == ['AddInstanceRdMember']
        assert not [c for c in emulator.calls() if c['action'] == 'DescribeDBInstances']
