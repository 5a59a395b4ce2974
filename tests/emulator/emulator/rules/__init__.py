"""The documented request rules of every action, one table per product (one file each), each rule
naming its source (see kinds.py). `check` runs an action's rules in order and raises the first
MissingParameter / InvalidParameter."""
from . import bastionhost, bastionhost_access, compute, directory, identity

TABLES = {**bastionhost.TABLES, **compute.TABLES, **directory.TABLES, **identity.TABLES}
# O&M access (issue 23) is a second table of the same product.
TABLES['bastionhost'] = {**bastionhost.TABLES['bastionhost'], **bastionhost_access.TABLES['bastionhost']}


def rules_for(product, action):
    return TABLES.get(product, {}).get(action, [])


def check(product, action, params):
    for rule in rules_for(product, action):
        rule.check(params)
