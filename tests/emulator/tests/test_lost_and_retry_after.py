"""--lost-response-rate (a write applied, then its answer lost) and --retry-after-ms (x-acs-retry-after)."""
import time

from alibabacloud_tea_openapi.exceptions import ThrottlingException

from emulator_testlib import ENT01, HZ, bh_models, create_local_hosts, expect_error, sdk


def test_lost_answers_of_applied_writes(emulator_with):
    emu = emulator_with('--lost-response-rate', 0.5, '--seed', 5)
    outcomes = create_local_hosts(emu, key='ops')
    assert set(outcomes) == {'answered', 'ServiceUnavailable', 'dropped'}, outcomes
    # every write was applied, whatever its caller heard
    assert [h['HostName'] for h in emu.instance(ENT01)['hosts']] == [f'h{i}' for i in range(16)]
    calls = [c for c in emu.calls() if c['action'] == 'CreateHost']
    assert all(c['applied'] for c in calls)
    assert [c.get('lost', 'answered') for c in calls] == outcomes
    assert [c['status'] for c in calls] == [{'answered': 200, 'ServiceUnavailable': 503, 'dropped': None}[o]
                                            for o in outcomes]


def test_lost_answers_are_seeded(emulator_with):
    first = create_local_hosts(emulator_with('--lost-response-rate', 0.5, '--seed', 5))
    assert create_local_hosts(emulator_with('--lost-response-rate', 0.5, '--seed', 5)) == first
    assert create_local_hosts(emulator_with('--lost-response-rate', 0.5, '--seed', 6)) != first


def test_reads_and_refused_writes_are_never_lost(emulator_with):
    emu = emulator_with('--lost-response-rate', 1.0)
    client = sdk(emu, 'bastionhost', 'ops')
    for attempt in range(5):
        client.describe_instances(bh_models.DescribeInstancesRequest(region_id=HZ))
    expect_error('MissingParameter', 400, client.create_host, bh_models.CreateHostRequest(
        region_id=HZ, instance_id=ENT01, source='Local', host_name='no-address', ostype='Linux',
        active_address_type='Private'))
    assert all('lost' not in c for c in emu.calls())


def start_of_next_second():
    time.sleep(1.0 - time.monotonic() % 1.0 + 0.02)


def describe(emu):
    return sdk(emu, 'bastionhost', 'ops').describe_instances(bh_models.DescribeInstancesRequest(region_id=HZ))


def test_throttled_answers_carry_retry_after(emulator_with):
    emu = emulator_with('--qps', 1, '--retry-after-ms', 250)
    start_of_next_second()
    describe(emu)
    try:
        describe(emu)
    except ThrottlingException as error:
        # the SDK reads x-acs-retry-after (alibabacloud_tea_openapi Utils.get_throttling_time_left)
        assert (error.code, error.status_code, error.retry_after) == ('Throttling.User', 400, 250)
    else:
        raise AssertionError('the second call within one second was not throttled')


def test_no_retry_after_without_the_knob(emulator_with):
    emu = emulator_with('--qps', 1)
    start_of_next_second()
    describe(emu)
    error = expect_error('Throttling.User', 400, describe, emu)
    assert not isinstance(error, ThrottlingException)
