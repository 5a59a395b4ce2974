"""A living organisation (issue 21), the member_asset side, through real ansible-playbook against the emulator:
people's hands on the bastion host (a host imported by hand, an address type or address set on purpose), a
name template typo, and two runs at once. Each case counts the writes in the emulator's call log."""
import json

from fixture import DEMO_ORG, running_emulator
from plays import local_play, read_results, write_playbook

ENT01 = 'bastionhost-cn-hz-ent01'
HZ, SH = 'cn-hangzhou', 'cn-shanghai'
SHOP_PROD, DATA_PROD = '1000000000000011', '1000000000000012'
SHOP_WEB_1 = 'i-bp19d3tcy762bo4'      # shop-prod, cn-hangzhou, 10.11.1.11, public 47.96.118.31
DEFAULTS = {'access_key_id': 'LTAIdemoOps00001', 'access_key_secret': 'demo-ops-secret', 'region': HZ}


def playbook(emulator, tmp_path, name, tasks):
    dest = tmp_path / ('%s.json' % name)
    path, _args = write_playbook(tmp_path / ('%s.yml' % name), [local_play(
        tasks, dest, defaults=dict(DEFAULTS, endpoint_url=emulator.url))])
    return path, dest


def run(ansible_playbook, emulator, tmp_path, name, tasks):
    """``(results, writes that were applied, output)`` of one play of ``tasks``."""
    path, dest = playbook(emulator, tmp_path, name, tasks)
    before = len(emulator.calls())
    process = ansible_playbook.run(path, '--diff')
    writes = [c for c in emulator.calls()[before:] if c.get('write') and c.get('status') == 200]
    return read_results(dest), writes, process.stdout + process.stderr


def task(register, module='member_asset', **args):
    return {'name': register, 'alicloud.bastionhost.' + module: dict(args, instance_id=ENT01), 'register': register,
            'ignore_errors': True}


def sync(register, **args):
    return task(register, discover=dict({'members': [SHOP_PROD], 'regions': [HZ], 'types': ['ecs']},
                                        **args.pop('discover', {})), **args)


def host(emulator, instance_id):
    return next(h for h in emulator.instance(ENT01)['hosts'] if h['SourceInstanceId'] == instance_id)


def actions(writes):
    return sorted(w['action'] for w in writes)


def test_a_host_a_person_imported_is_left_as_it_is_unless_adopted(ansible_playbook, tmp_path):
    with running_emulator(DEMO_ORG) as emulator:
        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'members', [
            task('members', 'rd_member', members=['shop-prod'])])
        emulator.console(ENT01, 'CreateHost', Source='Ecs', SourceInstanceId=SHOP_WEB_1, InstanceRegionId=HZ,
                         InstanceMemberId=int(SHOP_PROD), HostName="bob's web", OSType='Linux',
                         HostPrivateAddress='10.11.1.11', ActiveAddressType='Private', Comment='bob set this up')

        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'sync', [
            sync('sync', name_template='{member_name}-{name}')])
        result = results['sync']
        assert not result.get('failed'), output[-3000:]
        assert result['foreign'] == ['%s ecs %s' % (SHOP_PROD, SHOP_WEB_1)] and result['counts']['foreign'] == 1
        assert "bob's web" == host(emulator, SHOP_WEB_1)['HostName'], 'the hand-imported host was renamed'
        assert 'ModifyHost' not in actions(writes), writes
        assert 'imported by hand' in output and 'adopt: true' in output

        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'adopt', [
            sync('adopt', name_template='{member_name}-{name}', adopt=True)])
        adopted = host(emulator, SHOP_WEB_1)
        assert adopted['HostName'] == 'shop-prod-shop-web-1', output[-3000:]
        assert adopted['Comment'] == ('imported by alicloud.bastionhost from member %s in %s; bob set this up' % (
            SHOP_PROD, HZ))
        assert actions(writes) == ['ModifyHost'], writes
        assert results['adopt']['updated'] == ['%s ecs %s: comment, name, public_address' % (SHOP_PROD, SHOP_WEB_1)]


def test_what_a_person_set_on_purpose_stays_unless_the_task_says_otherwise(ansible_playbook, tmp_path):
    listed = [{'member': 'shop-prod', 'type': 'ecs', 'instance_id': SHOP_WEB_1, 'region': HZ}]
    with running_emulator(DEMO_ORG) as emulator:
        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'import', [
            task('members', 'rd_member', members=['shop-prod']), task('first', assets=listed)])
        asset_id = str(host(emulator, SHOP_WEB_1)['HostId'])
        emulator.console(ENT01, 'ModifyHostsActiveAddressType', HostIds=[asset_id], ActiveAddressType='Public')
        emulator.console(ENT01, 'ModifyHost', HostId=asset_id, HostPrivateAddress='192.168.7.11')

        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'keep', [
            task('keep', assets=listed, sync_fields=['name', 'os'])])
        assert results['keep']['changed'] is False and writes == [], output[-3000:]

        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'address', [
            task('address', assets=listed)])
        record = host(emulator, SHOP_WEB_1)
        assert actions(writes) == ['ModifyHost'], writes      # the address, not the address type
        assert record['ActiveAddressType'] == 'Public' and record['HostPrivateAddress'] == '10.11.1.11'


def test_a_name_template_without_a_placeholder_is_refused_before_any_write(ansible_playbook, tmp_path):
    with running_emulator(DEMO_ORG) as emulator:
        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'typo', [
            task('members', 'rd_member', members=['shop-prod']), sync('typo', name_template='name')])
        assert results['typo']['failed'] is True, output[-3000:]
        assert "name_template 'name' has no placeholder" in results['typo']['msg']
        assert actions(writes) == ['AddInstanceRdMember']


def test_two_imports_at_once_end_cleanly_and_add_up(ansible_playbook, tmp_path):
    """A schedule overlapping a manual run: both start together, both end with rc 0, nothing is imported
    twice, and what they imported adds up to the assets once."""
    tasks = [task('assets', discover={'members': ['shop-prod', 'data-prod'], 'regions': [HZ, SH]})]
    with running_emulator(DEMO_ORG, latency_ms=50) as emulator:
        run(ansible_playbook, emulator, tmp_path, 'members', [
            task('members', 'rd_member', members=['shop-prod', 'data-prod'])])
        runs = []
        for name in ('scheduled', 'manual'):
            path, dest = playbook(emulator, tmp_path, name, tasks)
            log = open(tmp_path / ('%s.log' % name), 'w')
            runs.append((ansible_playbook.start(path, output=log), dest, log))
        for process, _dest, log in runs:
            process.wait(timeout=300)
            log.close()
        results = [read_results(dest)['assets'] for _process, dest, _log in runs]
        outputs = [(tmp_path / ('%s.log' % name)).read_text() for name in ('scheduled', 'manual')]
        assert [process.returncode for process, _d, _l in runs] == [0, 0], outputs
        assert not any(r.get('failed') for r in results), json.dumps(results)[:3000]
        imported = [line for r in results for line in r['imported']]
        instance = emulator.instance(ENT01)
        keys = [r['SourceInstanceId'] for r in instance['hosts'] + instance['databases']]
        assert len(keys) == len(set(keys)), 'an asset was imported twice'
        assert len(imported) == len(set(imported)) == len(keys), (len(imported), len(keys))


def groups(emulator):
    """``{group name: (its Comment, the number of its hosts)}``."""
    return dict((g['HostGroupName'], (g.get('Comment') or '', len(g['HostIds'])))
                for g in emulator.instance(ENT01)['host_groups'])


def test_a_group_people_made_is_not_filled_and_a_renamed_member_moves_groups(ansible_playbook, tmp_path):
    with running_emulator(DEMO_ORG) as emulator:
        run(ansible_playbook, emulator, tmp_path, 'members', [task('members', 'rd_member', members=['shop-prod'])])
        emulator.console(ENT01, 'CreateHostGroup', HostGroupName='ecs', Comment='the ops team')
        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'theirs', [
            sync('theirs', host_group='{type}')])
        assert 'asset groups of these names were made by people' in results['theirs']['msg'], output[-3000:]
        assert writes == [] and groups(emulator) == {'ecs': ('the ops team', 0)}

        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'mine', [
            sync('mine', host_group='team-{member_name}')])
        hosts = results['mine']['counts']['imported']
        assert groups(emulator)['team-shop-prod'] == ('created by alicloud.bastionhost for team-shop-prod', hosts)

        emulator.post('/_emulator/accounts/update', {'account_id': SHOP_PROD, 'set': {'name': 'shop-main'}})
        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'renamed', [
            sync('renamed', host_group='team-{member_name}')])
        assert results['renamed']['counts']['updated'] == hosts, output[-3000:]
        now = groups(emulator)
        assert now['team-shop-main'][1] == hosts and now['team-shop-prod'][1] == 0, now
        assert now['ecs'] == ('the ops team', 0)
        assert sorted(set(w['action'] for w in writes)) == ['AddHostsToGroup', 'CreateHostGroup',
                                                            'RemoveHostsFromGroup'], writes


def test_two_syncs_at_once_after_a_release_end_cleanly(ansible_playbook, tmp_path):
    with running_emulator(DEMO_ORG, latency_ms=50) as emulator:
        run(ansible_playbook, emulator, tmp_path, 'first', [
            task('members', 'rd_member', members=['shop-prod']), sync('first')])
        emulator.post('/_emulator/assets/release', {'instance_id': SHOP_WEB_1})
        emulator.post('/_emulator/assets/update', {'instance_id': 'i-bp1pa8bka5mh5qa', 'set': {'name': 'shop-web-3b'}})
        runs = []
        for name in ('scheduled', 'manual'):
            path, dest = playbook(emulator, tmp_path, name, [sync('assets', remove_released=True)])
            log = open(tmp_path / ('%s.log' % name), 'w')
            runs.append((ansible_playbook.start(path, output=log), dest, log))
        for process, _dest, log in runs:
            process.wait(timeout=300)
            log.close()
        results = [read_results(dest)['assets'] for _process, dest, _log in runs]
        assert [process.returncode for process, _d, _l in runs] == [0, 0], json.dumps(results)[:3000]
        assert not any(r.get('failed') for r in results), json.dumps(results)[:3000]
        assert sum(r['counts']['removed'] for r in results) == 1, 'the release was removed once, by one run'
        assert SHOP_WEB_1 not in [h['SourceInstanceId'] for h in emulator.instance(ENT01)['hosts']]
        assert host(emulator, 'i-bp1pa8bka5mh5qa')['HostName'] == 'shop-web-3b'


def test_one_member_whose_role_is_gone_never_stops_the_others(ansible_playbook, tmp_path):
    """shop-prod's access role is deleted: the sync imports every other member's assets, writes nothing in
    shop-prod, and fails naming it, the reason and the remedy."""
    with running_emulator(DEMO_ORG) as emulator:
        run(ansible_playbook, emulator, tmp_path, 'members', [
            task('members', 'rd_member', members=['shop-prod', 'data-prod'])])
        emulator.post('/_emulator/roles/delete', {'account_id': SHOP_PROD, 'role': 'ResourceDirectoryAccountAccessRole'})
        results, writes, output = run(ansible_playbook, emulator, tmp_path, 'sync', [
            task('sync', discover={'regions': [HZ, SH]}, purge=True, remove_released=True)])
        result = results['sync']
        assert result['failed'] is True and result['unread_members'] == [SHOP_PROD], output[-3000:]
        assert '1 members could not be read, so nothing was changed in them' in result['msg']
        assert 'EntityNotExist.Role' in result['msg'] and 'create the role' in result['msg'].lower()
        assert result['counts']['imported'] > 0 and result['counts']['imported'] == len(writes)
        assert all(w['params'].get('InstanceMemberId') == DATA_PROD for w in writes), writes
        assert set(result['member_counts']) == {DATA_PROD}


def started_together(ansible_playbook, emulator, tmp_path, plays):
    """Start every ``(name, tasks)`` play at once; ``[(returncode, results)]`` once all have ended."""
    runs = []
    for name, tasks in plays:
        path, dest = playbook(emulator, tmp_path, name, tasks)
        log = open(tmp_path / ('%s.log' % name), 'w')
        runs.append((ansible_playbook.start(path, output=log), dest, log))
    ended = []
    for process, dest, log in runs:
        process.wait(timeout=300)
        log.close()
        ended.append((process.returncode, read_results(dest)))
    return ended


def test_two_offboardings_and_a_sync_during_an_offboarding_end_cleanly(ansible_playbook, tmp_path):
    offboard = [task('offboard', 'rd_member', members=['shop-prod'], state='absent', remove_assets=True,
                     max_removals=50)]
    with running_emulator(DEMO_ORG, latency_ms=50) as emulator:
        run(ansible_playbook, emulator, tmp_path, 'first', [
            task('members', 'rd_member', members=['shop-prod', 'data-prod']),
            task('assets', discover={'regions': [HZ, SH]})])
        assets = len([h for h in emulator.instance(ENT01)['hosts'] + emulator.instance(ENT01)['databases']
                      if str(h.get('InstanceMemberId')) == SHOP_PROD])
        ended = started_together(ansible_playbook, emulator, tmp_path, [('one', offboard), ('two', offboard)])
        assert [code for code, _r in ended] == [0, 0], json.dumps([r for _c, r in ended])[:3000]
        assert sum(len(r['offboard']['removed_assets']) for _c, r in ended) == assets
        assert sum(len(r['offboard']['removed']) for _c, r in ended) == 1
        assert SHOP_PROD not in emulator.instance(ENT01)['members']

    with running_emulator(DEMO_ORG, latency_ms=50) as emulator:
        run(ansible_playbook, emulator, tmp_path, 'again', [
            task('members', 'rd_member', members=['shop-prod', 'data-prod']),
            task('assets', discover={'regions': [HZ, SH]})])
        emulator.post('/_emulator/assets/update', {'instance_id': 'i-bp1pa8bka5mh5qa', 'set': {'name': 'shop-web-3b'}})
        ended = started_together(ansible_playbook, emulator, tmp_path, [
            ('offboarding', offboard),
            ('sync', [task('sync', discover={'regions': [HZ, SH]})])])   # every member, as the scheduled sync
        codes = [code for code, _r in ended]
        offboarded, synced = ended[0][1]['offboard'], ended[1][1]['sync']
        assert codes[0] == 0 and offboarded['removed'] == [SHOP_PROD], json.dumps(offboarded)[:3000]
        # The sync ends cleanly whenever it reads: a member removed under it is left out with a warning.
        assert codes[1] == 0 and not synced.get('failures'), json.dumps(synced)[:3000]
        instance = emulator.instance(ENT01)
        assert not [h for h in instance['hosts'] + instance['databases'] if str(h.get('InstanceMemberId')) == SHOP_PROD]
