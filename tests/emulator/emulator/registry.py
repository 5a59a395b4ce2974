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
# (product, action) -> `choose(world, params)` for an action whose reference documents an answer other
# than Forbidden.RAM to a caller whose policies do not cover it: it returns the handler that answers
# such a call (run after the request rules), or None for Forbidden.RAM.
WITHOUT_PERMISSION = {}
# (product, action) whose model documents DryRun: a request with DryRun=true that passes the checks
# answers DryRunOperation instead of running.
DRY_RUN = set()


def action(product, name, write=False):
    def register(func):
        HANDLERS[(product, name)] = (func, write)
        return func
    return register


def without_permission(product, name):
    def register(func):
        WITHOUT_PERMISSION[(product, name)] = func
        return func
    return register


def dry_run(product, name):
    DRY_RUN.add((product, name))
