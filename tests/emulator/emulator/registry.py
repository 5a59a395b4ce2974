"""Action registry: every handler says its product, action and whether it writes."""

VERSIONS = {
    '2019-12-09': 'bastionhost',
    '2020-03-31': 'resourcemanager',
    '2015-04-01': 'sts',
    '2015-05-01': 'ram',
    '2014-05-26': 'ecs',
    '2014-08-15': 'rds',
    '2017-08-01': 'polardb',
}
HANDLERS = {}


def action(product, name, write=False):
    def register(func):
        HANDLERS[(product, name)] = (func, write)
        return func
    return register
