"""Shared helpers for the emulator's own tests: SDK clients, demo identities, error capture.

The emulator is driven only through the official SDK clients over HTTP; the unsigned admin
endpoints go through `fixture.Emulator`. Test modules import the helpers below with
`from emulator_testlib import ...` (this conftest registers itself under that name, so the
import does not depend on how pytest names conftest modules).
"""
import os
import sys

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR_DIR = os.path.dirname(HERE)
if EMULATOR_DIR not in sys.path:
    sys.path.insert(0, EMULATOR_DIR)
sys.modules.setdefault('emulator_testlib', sys.modules[__name__])

from alibabacloud_ecs20140526 import models as ecs_models  # noqa: E402
from alibabacloud_ecs20140526.client import Client as EcsClient  # noqa: E402
from alibabacloud_polardb20170801 import models as polardb_models  # noqa: E402
from alibabacloud_polardb20170801.client import Client as PolardbClient  # noqa: E402
from alibabacloud_ram20150501 import models as ram_models  # noqa: E402
from alibabacloud_ram20150501.client import Client as RamClient  # noqa: E402
from alibabacloud_rds20140815 import models as rds_models  # noqa: E402
from alibabacloud_rds20140815.client import Client as RdsClient  # noqa: E402
from alibabacloud_resourcemanager20200331 import models as rm_models  # noqa: E402
from alibabacloud_resourcemanager20200331.client import Client as RmClient  # noqa: E402
from alibabacloud_sts20150401 import models as sts_models  # noqa: E402
from alibabacloud_sts20150401.client import Client as StsClient  # noqa: E402
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException  # noqa: E402
from alibabacloud_tea_openapi.utils_models import Config  # noqa: E402
from alibabacloud_yundun_bastionhost20191209 import models as bh_models  # noqa: E402
from alibabacloud_yundun_bastionhost20191209.client import Client as BastionhostClient  # noqa: E402

# The fixtures of tests/emulator/fixture.py, imported rather than declared with pytest_plugins
# (which pytest refuses in a conftest that is not at the top of the run).
from fixture import (  # noqa: E402,F401  pylint: disable=unused-import
    DEMO_ORG, _module_demo_emulator, demo_emulator, emulator_factory, running_emulator,
    start_emulator,
)

ORGS = os.path.join(HERE, 'orgs')
NO_RD_ORG = os.path.join(ORGS, 'no_rd.yml')
OUTSIDER_ORG = os.path.join(ORGS, 'outsider.yml')

HZ = 'cn-hangzhou'
SH = 'cn-shanghai'

# demo.yml: account ids
MGMT_ID = '1000000000000001'
SECURITY_ID = '1000000000000002'
SHOP_PROD_ID = '1000000000000011'
DATA_PROD_ID = '1000000000000012'
SHOP_DEV_ID = '1000000000000021'
DATA_DEV_ID = '1000000000000022'
OUTSIDER_ID = '1000000000000099'
MEMBER_IDS = [SHOP_PROD_ID, DATA_PROD_ID, SHOP_DEV_ID, DATA_DEV_ID]

# demo.yml: bastion hosts and network domain
ENT01 = 'bastionhost-cn-hz-ent01'
BASIC01 = 'bastionhost-cn-hz-basic01'
OLD01 = 'bastionhost-cn-hz-old01'
SM01 = 'bastionhost-cn-sh-sm01'          # delegated admin's, cn-shanghai
MEMBER01 = 'bastionhost-cn-hz-member01'  # shop-prod's own
PROXY01 = 'nd-hz-proxy01'

# demo.yml: a few assets of shop-prod
SHOP_WEB1 = 'i-bp19d3tcy762bo4'      # cn-hangzhou, public 47.96.118.31
SHOP_WEB3 = 'i-bp1pa8bka5mh5qa'      # cn-hangzhou, no public ip
SHOP_WEB_SH1 = 'i-uf6nvcwtycg7z7f'   # cn-shanghai
SHOP_RDS_HZ = 'rm-bp1yso2lcyz7mga'
SHOP_POLARDB_HZ = 'pc-bp1aj4m1wacybw2'
DATA_ETL1 = 'i-bp1oc1mrv4h4dxe'      # data-prod, cn-hangzhou

# name -> (access key id, secret) of demo.yml
KEYS = {
    'mgmt': ('LTAIdemoMgmt0001', 'demo-mgmt-secret'),
    'ops': ('LTAIdemoOps00001', 'demo-ops-secret'),
    'auditor': ('LTAIdemoAudit001', 'demo-auditor-secret'),
    'rdonly': ('LTAIdemoRdOnly01', 'demo-rdonly-secret'),
    'security': ('LTAIdemoSec00001', 'demo-security-secret'),
    'secops': ('LTAIdemoSecOps01', 'demo-secops-secret'),
    'shop_prod': ('LTAIdemoShopPrd1', 'demo-shop-prod-secret'),
    'data_prod': ('LTAIdemoDataPrd1', 'demo-data-prod-secret'),
    'shop_dev': ('LTAIdemoShopDev1', 'demo-shop-dev-secret'),
    'data_dev': ('LTAIdemoDataDev1', 'demo-data-dev-secret'),
    'outsider': ('LTAIdemoOutsider', 'demo-outsider-secret'),
}

CLIENTS = {
    'bastionhost': BastionhostClient,
    'resourcemanager': RmClient,
    'sts': StsClient,
    'ram': RamClient,
    'ecs': EcsClient,
    'rds': RdsClient,
    'polardb': PolardbClient,
}
MODELS = {
    'bastionhost': bh_models,
    'resourcemanager': rm_models,
    'sts': sts_models,
    'ram': ram_models,
    'ecs': ecs_models,
    'rds': rds_models,
    'polardb': polardb_models,
}


def sdk(emu, product, key_id='mgmt', secret=None, token=None, v2=False):
    """The official SDK client of `product` pointed at the emulator.

    `key_id` is a name of KEYS (then `secret` defaults to its secret) or a literal key id.
    `v2=True` switches the SDK to the HMAC-SHA1 RPC signature.
    """
    if key_id in KEYS:
        key_id, default_secret = KEYS[key_id]
        secret = default_secret if secret is None else secret
    config = Config(access_key_id=key_id, access_key_secret=secret, security_token=token,
                    endpoint=emu.endpoint, protocol='http', region_id=HZ)
    if v2:
        config.signature_algorithm = 'v2'
    return CLIENTS[product](config)


def sts_sdk(emu, product, credentials, v2=False, token=None):
    """A client signed with STS credentials (an AssumeRole response's `body.credentials`)."""
    return sdk(emu, product, credentials.access_key_id, credentials.access_key_secret,
               token=credentials.security_token if token is None else token, v2=v2)


def assume(emu, role_arn, key='ops', session='emu-test', duration=None, v2=False, secret=None):
    """AssumeRole through the STS SDK as `key` (a KEYS name, or a key id with its `secret`); a RAM user,
    as roots cannot call AssumeRole."""
    request = sts_models.AssumeRoleRequest(role_arn=role_arn, role_session_name=session,
                                           duration_seconds=duration)
    return sdk(emu, 'sts', key, secret, v2=v2).assume_role(request).body


def role_arn(account_id, role='BastionhostImportRole'):
    return f'acs:ram::{account_id}:role/{role}'


@pytest.fixture
def emulator_with():
    """Start emulators with any run.py arguments (`--lost-response-rate 0.5`, ...); stopped after the test.

    fixture.start_emulator passes only the knobs it knows; this one passes the arguments as given."""
    started = []

    def start(*args, org=DEMO_ORG):
        emulator = start_emulator(org, flags=[str(a) for a in args])
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


def admin(emu, path, payload):
    """POST an admin endpoint of the emulator; returns the JSON answer."""
    return emu._admin('POST', path, payload)  # pylint: disable=protected-access


def api_error(call, *args, **kwargs):
    """Run an SDK call that must fail and return the SDK exception."""
    with pytest.raises((ClientException, ServerException)) as info:
        call(*args, **kwargs)
    return info.value


def assert_error(error, code, status):
    assert (error.code, error.status_code) == (code, status), error.data
    body = error.data
    # the real error body shape
    for field in ('RequestId', 'HostId', 'Code', 'Message', 'Recommend'):
        assert field in body, body
    assert body['Code'] == code
    assert error.request_id == body['RequestId']


def expect_error(code, status, call, *args, **kwargs):
    error = api_error(call, *args, **kwargs)
    assert_error(error, code, status)
    return error


# bastionhost shortcuts

def create_local_hosts(emu, count=16, key='mgmt'):
    """CreateHost of Local hosts h0..h{count-1}; each outcome 'answered', 'ServiceUnavailable' (a 503)
    or 'dropped' (the connection closed without an answer). Any other error fails the test."""
    client = sdk(emu, 'bastionhost', key)
    outcomes = []
    for index in range(count):
        try:
            client.create_host(bh_models.CreateHostRequest(
                region_id=HZ, instance_id=ENT01, source='Local', host_name=f'h{index}', ostype='Linux',
                active_address_type='Private', host_private_address=f'10.8.0.{index}'))
            outcomes.append('answered')
        except (ClientException, ServerException) as error:
            assert_error(error, 'ServiceUnavailable', 503)
            outcomes.append('ServiceUnavailable')
        except Exception:   # noqa: BLE001  (no answer at all: the SDK's connection error)
            outcomes.append('dropped')
    return outcomes


def add_member(client, member_id, instance_id=ENT01, region=HZ):
    return client.add_instance_rd_member(bh_models.AddInstanceRdMemberRequest(
        region_id=region, instance_id=instance_id, member_id=member_id))


def remove_member(client, member_id, instance_id=ENT01, region=HZ):
    return client.remove_instance_rd_member(bh_models.RemoveInstanceRdMemberRequest(
        region_id=region, instance_id=instance_id, member_id=member_id))


def demo_address(instance_id, key):
    """`key` (private_ip, public_ip, private_address) of a demo.yml instance; a stand-in for other orgs."""
    for account in demo_org()['accounts']:
        for kind in ('ecs_instances', 'rds_instances', 'polardb_clusters'):
            for asset in account.get(kind) or []:
                if asset['id'] == instance_id:
                    return asset.get(key)
    return '10.0.0.1'


def import_ecs(client, source_instance_id, member_id=None, instance_region=HZ, instance_id=ENT01,
               region=HZ, address_type='Private', host_name=None, network_domain_id=None, os_type='Linux',
               private_address=None, public_address=None):
    """CreateHost Source=Ecs sending the address the address type needs (demo.yml's, unless given)."""
    if address_type == 'Private':
        private_address = private_address or demo_address(source_instance_id, 'private_ip')
    elif address_type == 'Public':
        public_address = public_address or demo_address(source_instance_id, 'public_ip')
    return client.create_host(bh_models.CreateHostRequest(
        region_id=region, instance_id=instance_id, source='Ecs', source_instance_id=source_instance_id,
        instance_region_id=instance_region, instance_member_id=member_id, active_address_type=address_type,
        ostype=os_type, host_name=host_name or source_instance_id, network_domain_id=network_domain_id,
        host_private_address=private_address, host_public_address=public_address))


def import_database(client, source, source_instance_id, member_id=None, source_region=HZ, instance_id=ENT01,
                    region=HZ, database_type='MySQL', port=None, name=None, endpoint_type=None, address=None):
    """CreateDatabase Source=Rds/PolarDB with the private address (demo.yml's, unless given); PolarDB
    imports send PolarDBEndpointType (Cluster unless given)."""
    if source == 'PolarDB':
        endpoint_type = endpoint_type or 'Cluster'
    return client.create_database(bh_models.CreateDatabaseRequest(
        region_id=region, instance_id=instance_id, source=source, source_instance_id=source_instance_id,
        source_instance_region_id=source_region, instance_member_id=member_id, active_address_type='Private',
        database_type=database_type, database_port=port, database_name=name, polar_dbendpoint_type=endpoint_type,
        database_private_address=address or demo_address(source_instance_id, 'private_address')))


def create_local_host(client, name, instance_id=ENT01, region=HZ, address='10.9.9.9'):
    return client.create_host(bh_models.CreateHostRequest(
        region_id=region, instance_id=instance_id, source='Local', host_name=name, ostype='Linux',
        active_address_type='Private', host_private_address=address))


def list_hosts(client, instance_id=ENT01, region=HZ, **kwargs):
    return client.list_hosts(bh_models.ListHostsRequest(region_id=region, instance_id=instance_id, **kwargs)).body


def demo_org():
    with open(DEMO_ORG, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def demo_ecs(account_id):
    """(id, region) of every ECS instance of a demo account."""
    account = next(a for a in demo_org()['accounts'] if str(a['id']) == account_id)
    return [(e['id'], e['region']) for e in account.get('ecs_instances') or []]


def write_org(path, data):
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(data, handle, sort_keys=False)
    return str(path)


def big_org(members=130, ecs=130):
    """An organisation with `members` RD members and `ecs` ECS instances in the first member."""
    management = '2000000000000001'
    member_ids = [f'2{index:015d}' for index in range(101, 101 + members)]
    accounts = [{
        'id': management, 'name': 'big-management',
        'access_keys': [{'id': 'LTAIbigMgmt', 'secret': 'big-mgmt-secret'}],
        'bastionhosts': [{'id': 'bastionhost-cn-hz-big01', 'region': HZ, 'edition': 'enterprise',
                          'version': '3.2.52', 'status': 'RUNNING', 'network_domains': []}],
    }]
    for index, member_id in enumerate(member_ids):
        account = {'id': member_id, 'name': f'member-{index:03d}', 'folder': None,
                   'tags': {'index': str(index), 'parity': 'even' if index % 2 == 0 else 'odd'}}
        if index == 0:
            account['access_keys'] = [{'id': 'LTAIbigMember', 'secret': 'big-member-secret'}]
            account['ecs_instances'] = [
                {'id': f'i-big{number:05d}', 'region': HZ, 'name': f'big-{number:05d}', 'os': 'Linux',
                 'private_ip': f'10.{number // 250}.{number % 250}.10', 'public_ip': None, 'status': 'Running',
                 'tags': {'bastion': 'true'}} for number in range(ecs)]
        accounts.append(account)
    return {'resource_directory': {'management_account': management, 'folders': [],
                                   'delegated_administrators': []},
            'accounts': accounts}, management, member_ids
