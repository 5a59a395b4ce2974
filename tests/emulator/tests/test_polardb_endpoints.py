"""PolarDB 2017-08-01 DescribeDBClusterEndpoints, and the org-file key `endpoints` of a cluster."""
from emulator_testlib import (
    DATA_PROD_ID, SHOP_POLARDB_HZ, SHOP_PROD_ID, admin, assume, demo_org, expect_error, polardb_models, role_arn, sdk,
    sts_sdk, write_org,
)


def endpoints(client, cluster_id, endpoint_id=None):
    return client.describe_dbcluster_endpoints(polardb_models.DescribeDBClusterEndpointsRequest(
        dbcluster_id=cluster_id, dbendpoint_id=endpoint_id)).body.items


def addresses(item):
    return [(a.net_type, a.connection_string, a.port) for a in item.address_items]


def test_without_the_key_a_cluster_endpoint_at_the_private_address(demo_emulator):
    credentials = assume(demo_emulator, role_arn(SHOP_PROD_ID)).credentials   # the import role may read
    items = endpoints(sts_sdk(demo_emulator, 'polardb', credentials), SHOP_POLARDB_HZ)
    assert [(i.endpoint_type, i.dbcluster_id) for i in items] == [('Cluster', SHOP_POLARDB_HZ)]
    assert addresses(items[0]) == [('Private', 'pc-bp1aj4m1wacybw2.rwlb.rds.aliyuncs.com', '3306')]
    assert items[0].dbendpoint_id.startswith('pe-')


def test_the_request_names_no_region(demo_emulator):
    """DescribeDBClusterEndpointsRequest has no RegionId: a cluster of another region is found by id."""
    items = endpoints(sdk(demo_emulator, 'polardb', 'data_prod'), 'pc-uf6n6ktipsa9xms')   # cn-shanghai
    assert addresses(items[0]) == [('Private', 'pc-uf6n6ktipsa9xms.rwlb.rds.aliyuncs.com', '5432')]


def test_endpoints_from_the_org_file(emulator_factory, tmp_path):
    org = demo_org()
    shop = next(a for a in org['accounts'] if str(a['id']) == SHOP_PROD_ID)
    shop['polardb_clusters'][0]['endpoints'] = [
        {'type': 'Cluster', 'private_address': 'pc-shop.cluster.internal', 'public_address': 'pc-shop.cluster.public'},
        {'type': 'Primary', 'private_address': 'pc-shop.primary.internal'},
    ]
    emu = emulator_factory(write_org(tmp_path / 'org.yml', org))
    client = sdk(emu, 'polardb', 'shop_prod')
    items = endpoints(client, SHOP_POLARDB_HZ)
    assert [i.endpoint_type for i in items] == ['Cluster', 'Primary']
    assert addresses(items[0]) == [('Private', 'pc-shop.cluster.internal', '3306'),
                                   ('Public', 'pc-shop.cluster.public', '3306')]
    assert addresses(items[1]) == [('Private', 'pc-shop.primary.internal', '3306')]
    only = endpoints(client, SHOP_POLARDB_HZ, items[1].dbendpoint_id)
    assert [i.endpoint_type for i in only] == ['Primary']


def test_unknown_or_missing_cluster(demo_emulator):
    client = sdk(demo_emulator, 'polardb', 'shop_prod')
    expect_error('InvalidDBClusterId.NotFound', 404, endpoints, client, 'pc-nosuchcluster')
    # another account's cluster is not the caller's
    expect_error('InvalidDBClusterId.NotFound', 404, endpoints, sdk(demo_emulator, 'polardb', 'data_prod'),
                 SHOP_POLARDB_HZ)
    expect_error('MissingParameter', 400, endpoints, client, None)


def test_reading_endpoints_needs_a_polardb_policy(demo_emulator):
    expect_error('Forbidden.RAM', 403, endpoints, sdk(demo_emulator, 'polardb', 'ops'), SHOP_POLARDB_HZ)
    credentials = assume(demo_emulator, role_arn(DATA_PROD_ID, 'ResourceDirectoryAccountAccessRole')).credentials
    assert endpoints(sts_sdk(demo_emulator, 'polardb', credentials), 'pc-uf6n6ktipsa9xms')


def test_an_endpoint_port_from_the_org_file(emulator_factory, tmp_path):
    """`endpoints: [{type, private_address, public_address, port}]`: `AddressItems[].Port` is the endpoint's
    port (DescribeDBClusterEndpointsResponseBodyItemsAddressItems.Port, "The port.", a string), else the
    cluster's `port`."""
    org = demo_org()
    shop = next(a for a in org['accounts'] if str(a['id']) == SHOP_PROD_ID)
    cluster = shop['polardb_clusters'][0]
    assert cluster['port'] == 3306
    cluster['endpoints'] = [
        {'type': 'Cluster', 'private_address': 'pc-shop.cluster.internal', 'public_address': 'pc-shop.public',
         'port': 3307},
        {'type': 'Primary', 'private_address': 'pc-shop.primary.internal'},
    ]
    emu = emulator_factory(write_org(tmp_path / 'org.yml', org))
    items = endpoints(sdk(emu, 'polardb', 'shop_prod'), SHOP_POLARDB_HZ)
    assert addresses(items[0]) == [('Private', 'pc-shop.cluster.internal', '3307'),
                                   ('Public', 'pc-shop.public', '3307')]
    assert addresses(items[1]) == [('Private', 'pc-shop.primary.internal', '3306')]


def test_a_port_changed_in_the_cloud(demo_emulator):
    """/_emulator/assets/update: a new cluster port, then an endpoint of its own port: the answer follows."""
    client = sdk(demo_emulator, 'polardb', 'shop_prod')
    admin(demo_emulator, '/_emulator/assets/update', {'instance_id': SHOP_POLARDB_HZ, 'set': {'port': 3310}})
    assert addresses(endpoints(client, SHOP_POLARDB_HZ)[0]) == [
        ('Private', 'pc-bp1aj4m1wacybw2.rwlb.rds.aliyuncs.com', '3310')]
    admin(demo_emulator, '/_emulator/assets/update', {'instance_id': SHOP_POLARDB_HZ, 'set': {'endpoints': [
        {'type': 'Cluster', 'private_address': 'pc-shop.cluster.internal', 'port': 3320},
        {'type': 'Primary', 'private_address': 'pc-shop.primary.internal'}]}})
    items = endpoints(client, SHOP_POLARDB_HZ)
    assert [addresses(i) for i in items] == [[('Private', 'pc-shop.cluster.internal', '3320')],
                                             [('Private', 'pc-shop.primary.internal', '3310')]]
