"""Every product's actions; importing this package registers them."""
from . import bastionhost, bastionhost_groups, bastionhost_upkeep, compute, directory, identity  # noqa: F401
