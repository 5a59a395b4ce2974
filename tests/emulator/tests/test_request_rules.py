"""The request rules of CreateHost, CreateDatabase and the lists, as the SDK model comments state them."""
import pytest

from emulator_testlib import (
    ENT01, HZ, SHOP_POLARDB_HZ, SHOP_PROD_ID, SHOP_RDS_HZ, SHOP_WEB1, add_member, bh_models, expect_error,
    import_database, polardb_models, sdk,
)

POLARDB_ADDRESS = 'pc-bp1aj4m1wacybw2.rwlb.rds.aliyuncs.com'
RDS_ADDRESS = 'rm-bp1yso2lcyz7mga.mysql.rds.aliyuncs.com'


@pytest.fixture
def ops(demo_emulator):
    """The demo operator (a RAM user) with shop-prod added to ENT01."""
    client = sdk(demo_emulator, 'bastionhost', 'ops')
    add_member(client, SHOP_PROD_ID)
    return client


def database(**fields):
    """A CreateDatabase request importing shop-prod's PolarDB cluster, with `fields` changed (None drops one)."""
    values = dict(region_id=HZ, instance_id=ENT01, source='PolarDB', source_instance_id=SHOP_POLARDB_HZ,
                  source_instance_region_id=HZ, instance_member_id=SHOP_PROD_ID, active_address_type='Private',
                  database_type='MySQL', polar_dbendpoint_type='Cluster', database_private_address=POLARDB_ADDRESS)
    values.update(fields)
    return bh_models.CreateDatabaseRequest(**values)


def host(**fields):
    values = dict(region_id=HZ, instance_id=ENT01, source='Ecs', source_instance_id=SHOP_WEB1, instance_region_id=HZ,
                  instance_member_id=SHOP_PROD_ID, active_address_type='Private', ostype='Linux', host_name='web-1',
                  host_private_address='10.11.1.11')
    values.update(fields)
    return bh_models.CreateHostRequest(**values)


def refused(emu, code, parameter, call, request):
    before = emu.state()
    error = expect_error(code, 400, call, request)
    assert f'"{parameter}"' in error.data['Message']
    assert emu.state() == before
    return error


# ------------------------------------------------------------------ CreateDatabase

def test_polardb_import_with_what_the_model_requires(demo_emulator, ops):
    database_id = ops.create_database(database()).body.database_id
    record = demo_emulator.instance(ENT01)['databases'][0]
    assert (record['DatabaseId'], record['PolarDBEndpointType'], record['DatabasePrivateAddress']) == \
        (database_id, 'Cluster', POLARDB_ADDRESS)
    # name and port were not sent and are not required for PolarDB
    assert demo_emulator.calls()[-1]['params'].keys().isdisjoint({'DatabaseName', 'DatabasePort'})


def test_polardb_needs_its_endpoint_type(demo_emulator, ops):
    refused(demo_emulator, 'MissingParameter', 'PolarDBEndpointType', ops.create_database,
            database(polar_dbendpoint_type=None))
    refused(demo_emulator, 'InvalidParameter', 'PolarDBEndpointType', ops.create_database,
            database(polar_dbendpoint_type='Custom'))
    ops.create_database(database(polar_dbendpoint_type='Primary'))


def test_a_private_address_type_needs_the_private_address(demo_emulator, ops):
    refused(demo_emulator, 'MissingParameter', 'DatabasePrivateAddress', ops.create_database,
            database(database_private_address=None))
    rds = dict(source='Rds', source_instance_id=SHOP_RDS_HZ, polar_dbendpoint_type=None)
    refused(demo_emulator, 'MissingParameter', 'DatabasePrivateAddress', ops.create_database,
            database(database_private_address=None, **rds))
    ops.create_database(database(database_private_address=RDS_ADDRESS, **rds))


def test_a_public_address_type_needs_the_public_address(demo_emulator, ops):
    refused(demo_emulator, 'MissingParameter', 'DatabasePublicAddress', ops.create_database,
            database(active_address_type='Public'))
    ops.create_database(database(active_address_type='Public', database_public_address='pc-x.public.example'))
    record = demo_emulator.instance(ENT01)['databases'][0]
    assert (record['ActiveAddressType'], record['DatabasePublicAddress']) == ('Public', 'pc-x.public.example')


def test_rds_and_polardb_need_no_name_or_port(demo_emulator, ops):
    import_database(ops, 'Rds', SHOP_RDS_HZ, SHOP_PROD_ID)
    import_database(ops, 'PolarDB', SHOP_POLARDB_HZ, SHOP_PROD_ID)
    assert [d['Source'] for d in demo_emulator.instance(ENT01)['databases']] == ['Rds', 'PolarDB']


def test_a_local_database_needs_name_and_port(demo_emulator, ops):
    local = dict(source='Local', source_instance_id=None, source_instance_region_id=None, instance_member_id=None,
                 polar_dbendpoint_type=None, database_private_address='10.9.9.9')
    refused(demo_emulator, 'MissingParameter', 'DatabaseName', ops.create_database, database(**local))
    refused(demo_emulator, 'MissingParameter', 'DatabasePort', ops.create_database,
            database(database_name='local-db', **local))
    ops.create_database(database(database_name='local-db', database_port=3306, **local))


def test_an_imported_database_needs_its_source_instance(demo_emulator, ops):
    refused(demo_emulator, 'MissingParameter', 'SourceInstanceId', ops.create_database,
            database(source_instance_id=None))
    refused(demo_emulator, 'MissingParameter', 'SourceInstanceRegionId', ops.create_database,
            database(source_instance_region_id=None))


@pytest.mark.parametrize('database_type', ['MariaDB', 'mysql', 'POLARDB', 'PPAS'])
def test_database_type_valid_values(demo_emulator, ops, database_type):
    """MySQL, Oracle, PostgreSQL, SQLServer only: an RDS MariaDB instance is sent as MySQL."""
    refused(demo_emulator, 'InvalidParameter', 'DatabaseType', ops.create_database,
            database(database_type=database_type))


@pytest.mark.parametrize('field, value', [('source', 'Ecs'), ('active_address_type', 'Both')])
def test_database_source_and_address_type_valid_values(demo_emulator, ops, field, value):
    refused(demo_emulator, 'InvalidParameter', {'source': 'Source'}.get(field, 'ActiveAddressType'),
            ops.create_database, database(**{field: value}))


def test_comment_up_to_500_characters(demo_emulator, ops):
    refused(demo_emulator, 'InvalidParameter', 'Comment', ops.create_database, database(comment='c' * 501))
    ops.create_database(database(comment='c' * 500))


# ------------------------------------------------------------------ CreateHost

def test_the_private_address_is_required_and_never_filled_in(demo_emulator, ops):
    refused(demo_emulator, 'MissingParameter', 'HostPrivateAddress', ops.create_host,
            host(host_private_address=None))
    ops.create_host(host(host_private_address='web-1.internal'))
    assert demo_emulator.instance(ENT01)['hosts'][0]['HostPrivateAddress'] == 'web-1.internal'


def test_host_name_up_to_128_characters(demo_emulator, ops):
    refused(demo_emulator, 'InvalidParameter', 'HostName', ops.create_host, host(host_name='h' * 129))
    refused(demo_emulator, 'InvalidParameter', 'Comment', ops.create_host, host(comment='c' * 501))
    ops.create_host(host(host_name='h' * 128, comment='c' * 500))


def test_an_imported_host_needs_its_source_instance(demo_emulator, ops):
    refused(demo_emulator, 'MissingParameter', 'SourceInstanceId', ops.create_host, host(source_instance_id=None))
    refused(demo_emulator, 'MissingParameter', 'InstanceRegionId', ops.create_host, host(instance_region_id=None))


def test_rds_dedicated_cluster_hosts_are_a_valid_source_the_demo_has_none_of(demo_emulator, ops):
    expect_error('OBJECT_NOT_FOUND', 404, ops.create_host, host(source='Rds', source_instance_id='rm-dedicated-host'))


# ------------------------------------------------------------------ lists

@pytest.mark.parametrize('field, value, parameter', [
    ('source_instance_state', 'Gone', 'SourceInstanceState'), ('ostype', 'Solaris', 'OSType'),
    ('source', 'PolarDB', 'Source'),
])
def test_list_hosts_filter_values(demo_emulator, ops, field, value, parameter):
    refused(demo_emulator, 'InvalidParameter', parameter, ops.list_hosts,
            bh_models.ListHostsRequest(region_id=HZ, instance_id=ENT01, **{field: value}))


def test_list_databases_filter_values_and_page_size(demo_emulator, ops):
    refused(demo_emulator, 'InvalidParameter', 'DatabaseType', ops.list_databases,
            bh_models.ListDatabasesRequest(region_id=HZ, instance_id=ENT01, database_type='MariaDB'))
    refused(demo_emulator, 'InvalidParameter', 'PageSize', ops.list_databases,
            bh_models.ListDatabasesRequest(region_id=HZ, instance_id=ENT01, page_size='101'))


def test_polardb_page_size_valid_values(demo_emulator):
    client = sdk(demo_emulator, 'polardb', 'shop_prod')
    for size in (30, 50, 100):
        client.describe_dbclusters(polardb_models.DescribeDBClustersRequest(region_id=HZ, page_size=size))
    refused(demo_emulator, 'InvalidParameter', 'PageSize', client.describe_dbclusters,
            polardb_models.DescribeDBClustersRequest(region_id=HZ, page_size=20))
