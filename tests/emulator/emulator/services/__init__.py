"""Every product's actions; importing this package registers them."""
from . import bastionhost, compute, directory, identity  # noqa: F401
