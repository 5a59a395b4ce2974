"""The knobs: --qps (Throttling.User), --fault-rate/--seed (ServiceUnavailable), --latency-ms, --refuse-writes."""
import time

from emulator_testlib import (
    DATA_PROD_ID, ENT01, HZ, MEMBER_IDS, SHOP_DEV_ID, SHOP_PROD_ID, ClientException, add_member, assert_error,
    assume, bh_models, create_local_hosts, ecs_models, expect_error, role_arn, sdk, sts_sdk,
)


def start_of_next_second():
    """Sleep into the beginning of the next whole second of the monotonic clock (the qps window)."""
    time.sleep(1.0 - time.monotonic() % 1.0 + 0.02)


def describe(client):
    return client.describe_instances(bh_models.DescribeInstancesRequest(region_id=HZ))


def list_hosts(client):
    return client.list_hosts(bh_models.ListHostsRequest(region_id=HZ, instance_id=ENT01))


# ------------------------------------------------------------------ --qps

def test_qps_throttles_one_action_past_the_limit(emulator_factory):
    emu = emulator_factory(qps=2)
    client = sdk(emu, 'bastionhost', 'mgmt')
    start_of_next_second()
    describe(client)
    describe(client)
    expect_error('Throttling.User', 400, describe, client)
    expect_error('Throttling.User', 400, describe, client)
    assert list_hosts(client).body.total_count == 0          # another action still passes
    calls = emu.calls()
    assert [(c['action'], c['status'], c['code']) for c in calls] == [
        ('DescribeInstances', 200, None), ('DescribeInstances', 200, None),
        ('DescribeInstances', 400, 'Throttling.User'), ('DescribeInstances', 400, 'Throttling.User'),
        ('ListHosts', 200, None)]
    assert calls[2]['caller']['account_id'] == '1000000000000001'
    # a new second opens a new window
    start_of_next_second()
    assert describe(client).body.total_count == 3


def test_throttled_write_changes_nothing(emulator_factory):
    emu = emulator_factory(qps=2)
    client = sdk(emu, 'bastionhost', 'mgmt')
    start_of_next_second()
    add_member(client, SHOP_PROD_ID)
    add_member(client, DATA_PROD_ID)
    expect_error('Throttling.User', 400, add_member, client, SHOP_DEV_ID)
    assert emu.instance(ENT01)['members'] == [SHOP_PROD_ID, DATA_PROD_ID]
    assert [w['params']['MemberId'] for w in emu.writes()] == [SHOP_PROD_ID, DATA_PROD_ID]


def test_qps_window_is_per_product_action(emulator_factory):
    """bastionhost DescribeInstances and ecs DescribeInstances are different APIs: separate windows."""
    emu = emulator_factory(qps=2)
    bastion = sdk(emu, 'bastionhost', 'mgmt')
    ecs = sdk(emu, 'ecs', 'mgmt')
    start_of_next_second()
    describe(bastion)
    describe(bastion)
    body = ecs.describe_instances(ecs_models.DescribeInstancesRequest(region_id=HZ)).body
    assert body.total_count == 2


def test_qps_quota_is_per_account_its_ram_users_and_roles_counted_with_it(emulator_factory):
    """The root and a RAM user of one account share its quota; a role assumed in a member account
    calls on the member's quota."""
    emu = emulator_factory(qps=2)
    member = assume(emu, role_arn(SHOP_PROD_ID)).credentials      # before the window: AssumeRole is a call too
    start_of_next_second()
    describe(sdk(emu, 'bastionhost', 'mgmt'))
    describe(sdk(emu, 'bastionhost', 'ops'))
    expect_error('Throttling.User', 400, describe, sdk(emu, 'bastionhost', 'ops'))
    ecs_describe = ecs_models.DescribeInstancesRequest(region_id=HZ)
    sdk(emu, 'ecs', 'mgmt').describe_instances(ecs_describe)
    sdk(emu, 'ecs', 'mgmt').describe_instances(ecs_describe)
    assert sts_sdk(emu, 'ecs', member).describe_instances(ecs_describe).body.total_count > 0
    assert sts_sdk(emu, 'ecs', member).describe_instances(ecs_describe).body.total_count > 0
    expect_error('Throttling.User', 400, sts_sdk(emu, 'ecs', member).describe_instances, ecs_describe)
    throttled = [c for c in emu.calls() if c['code'] == 'Throttling.User']
    assert [c['caller']['account_id'] for c in throttled] == ['1000000000000001', SHOP_PROD_ID]


def test_assume_role_has_its_documented_quota_whatever_qps_says(emulator_factory):
    emu = emulator_factory(qps=1)
    start_of_next_second()
    for member in (SHOP_PROD_ID, DATA_PROD_ID, SHOP_DEV_ID):
        assert assume(emu, role_arn(member)).credentials.access_key_id
    assert [c['status'] for c in emu.calls()] == [200, 200, 200]


def test_throttling_comes_after_authentication(emulator_factory):
    emu = emulator_factory(qps=1)
    start_of_next_second()
    describe(sdk(emu, 'bastionhost', 'mgmt'))
    expect_error('SignatureDoesNotMatch', 400, describe, sdk(emu, 'bastionhost', 'mgmt', secret='wrong'))
    expect_error('InvalidAccessKeyId.NotFound', 404, describe, sdk(emu, 'bastionhost', 'LTAInope', 'x'))


# ------------------------------------------------------------------ --fault-rate / --seed

def local_host_outcomes(emu, count=16):
    """CreateHost of Local hosts h0..h{count-1}: the list of True (created) / False (ServiceUnavailable)."""
    outcomes = create_local_hosts(emu, count)
    assert 'dropped' not in outcomes
    return [outcome == 'answered' for outcome in outcomes]


def test_fault_rate_is_seeded_and_faulted_writes_change_nothing(emulator_factory):
    first = emulator_factory(fault_rate=0.5, seed=7)
    outcomes = local_host_outcomes(first)
    assert 0 < outcomes.count(True) < len(outcomes)
    created = [f'h{i}' for i, ok in enumerate(outcomes) if ok]
    assert [h['HostName'] for h in first.instance(ENT01)['hosts']] == created
    assert [w['params']['HostName'] for w in first.writes()] == created
    faulted = [c for c in first.calls() if c['status'] == 503]
    assert len(faulted) == outcomes.count(False)
    assert all(c['code'] == 'ServiceUnavailable' and c['write'] for c in faulted)

    second = emulator_factory(fault_rate=0.5, seed=7)
    assert local_host_outcomes(second) == outcomes
    # a reset replays the same sequence too
    first.reset()
    assert local_host_outcomes(first) == outcomes


def test_fault_rate_reads(emulator_factory):
    emu = emulator_factory(fault_rate=0.5, seed=7)
    client = sdk(emu, 'sts', 'mgmt')
    results = []
    for attempt in range(20):
        try:
            client.get_caller_identity()
            results.append(200)
        except Exception as error:   # noqa: BLE001
            assert_error(error, 'ServiceUnavailable', 503)
            assert error.data['HostId'] == 'sts.aliyuncs.com'
            results.append(503)
    assert {200, 503} == set(results)


def test_order_of_checks_with_faults(emulator_factory):
    """credentials, then --qps, then --fault-rate, then RAM."""
    emu = emulator_factory(qps=1, fault_rate=1.0, seed=1)
    expect_error('SignatureDoesNotMatch', 400, describe, sdk(emu, 'bastionhost', 'mgmt', secret='wrong'))
    start_of_next_second()
    expect_error('ServiceUnavailable', 503, add_member, sdk(emu, 'bastionhost', 'auditor'), SHOP_PROD_ID)
    expect_error('Throttling.User', 400, add_member, sdk(emu, 'bastionhost', 'auditor'), SHOP_PROD_ID)
    assert emu.instance(ENT01)['members'] == []


# ------------------------------------------------------------------ --refuse-writes

def test_refuse_writes_answers_every_write_with_the_code_and_changes_nothing(emulator_factory):
    emu = emulator_factory(refuse_writes='QuotaExceeded.Asset')
    client = sdk(emu, 'bastionhost', 'mgmt')
    error = expect_error('QuotaExceeded.Asset', 400, add_member, client, SHOP_PROD_ID)
    assert 'quota' in error.data['Message']
    expect_error('QuotaExceeded.Asset', 400, client.create_host, bh_models.CreateHostRequest(
        region_id=HZ, instance_id=ENT01, source='Local', host_name='h0', ostype='Linux',
        active_address_type='Private', host_private_address='10.8.0.1'))
    assert describe(client).body.total_count == 3          # reads are answered
    assert list_hosts(client).body.total_count == 0
    assert emu.instance(ENT01)['members'] == [] and emu.writes() == []
    assert [(c['action'], c['status'], c['code']) for c in emu.calls()] == [
        ('AddInstanceRdMember', 400, 'QuotaExceeded.Asset'), ('CreateHost', 400, 'QuotaExceeded.Asset'),
        ('DescribeInstances', 200, None), ('ListHosts', 200, None)]
    # the request rules and RAM come first; the console is no API call and is never refused
    expect_error('MissingParameter', 400, client.create_host, bh_models.CreateHostRequest(
        region_id=HZ, instance_id=ENT01, source='Local', ostype='Linux', active_address_type='Private'))
    expect_error('Forbidden.RAM', 403, add_member, sdk(emu, 'bastionhost', 'auditor'), SHOP_PROD_ID)
    emu.console(ENT01, 'AddInstanceRdMember', MemberId=SHOP_PROD_ID)
    assert emu.instance(ENT01)['members'] == [SHOP_PROD_ID]


# ------------------------------------------------------------------ --latency-ms

def test_latency(emulator_factory):
    emu = emulator_factory(latency_ms=200)
    client = sdk(emu, 'sts', 'mgmt')
    for call in (client.get_caller_identity, lambda: describe(sdk(emu, 'bastionhost', 'mgmt'))):
        started = time.monotonic()
        call()
        assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    expect_error('SignatureDoesNotMatch', 400, sdk(emu, 'sts', 'mgmt', secret='x').get_caller_identity)
    assert time.monotonic() - started >= 0.2


def test_no_latency_by_default(demo_emulator):
    """Without --latency-ms an answer comes at once: ten calls well under a quarter of a second.

    (A response written as two small TCP segments, headers then body, waits for the client's
    delayed ACK: about 40 ms per call on Linux.)
    """
    for v2 in (False, True):
        client = sdk(demo_emulator, 'sts', 'mgmt', v2=v2)
        client.get_caller_identity()   # connection set up
        started = time.monotonic()
        for attempt in range(10):
            client.get_caller_identity()
        assert time.monotonic() - started < 0.25, 'v2' if v2 else 'acs3'


def test_knobs_off_in_the_demo(demo_emulator):
    """No knob set: many calls of one action in one second all pass and none fault."""
    client = sdk(demo_emulator, 'bastionhost', 'mgmt')
    for member in MEMBER_IDS * 3:
        add_member(client, member)
    assert demo_emulator.instance(ENT01)['members'] == MEMBER_IDS
    assert [c['status'] for c in demo_emulator.calls()] == [200] * 12


def test_add_hosts_to_group_has_its_documented_quota_whatever_qps_says(emulator_factory):
    """AddHostsToGroup API reference, "Limits": "You can call this operation up to 10 times per second per
    account." With --qps on, its 11th call within a second is throttled, whatever N is."""
    emu = emulator_factory(qps=2)
    client = sdk(emu, 'bastionhost', 'mgmt')
    host_id = create_local_hosts(emu, 1) and client.list_hosts(bh_models.ListHostsRequest(
        region_id=HZ, instance_id=ENT01)).body.hosts[0].host_id
    group_id = client.create_host_group(bh_models.CreateHostGroupRequest(
        region_id=HZ, instance_id=ENT01, host_group_name='quota')).body.host_group_id

    def add():
        return client.add_hosts_to_group(bh_models.AddHostsToGroupRequest(
            region_id=HZ, instance_id=ENT01, host_group_id=group_id, host_ids=f'["{host_id}"]'))

    for _attempt in range(3):          # the eleven calls must fall in one second of the monotonic clock
        start_of_next_second()
        second = int(time.monotonic())
        outcomes = []
        for _call in range(11):
            try:
                add()
                outcomes.append('OK')
            except ClientException as error:
                outcomes.append(error.code)
        if int(time.monotonic()) == second:
            break
    assert outcomes == ['OK'] * 10 + ['Throttling.User']
    # the other actions keep the --qps limit
    start_of_next_second()
    describe(client)
    describe(client)
    expect_error('Throttling.User', 400, describe, client)


def test_add_hosts_to_group_is_not_throttled_without_qps(emulator_factory):
    """The documented quotas apply when --qps turns throttling on; without it nothing is throttled."""
    emu = emulator_factory()
    client = sdk(emu, 'bastionhost', 'mgmt')
    group_id = client.create_host_group(bh_models.CreateHostGroupRequest(
        region_id=HZ, instance_id=ENT01, host_group_name='free')).body.host_group_id
    for _call in range(12):
        client.add_hosts_to_group(bh_models.AddHostsToGroupRequest(
            region_id=HZ, instance_id=ENT01, host_group_id=group_id, host_ids='["1"]'))
    assert {c['status'] for c in emu.calls()} == {200}
