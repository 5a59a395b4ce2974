"""Every product's actions; importing this package registers them."""
from . import bastionhost, bastionhost_groups, bastionhost_upkeep, compute, directory, identity  # noqa: F401
from . import bastionhost_access, bastionhost_grants, bastionhost_users  # noqa: F401  (issue 23)
