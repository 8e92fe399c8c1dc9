"""Rate limits (sign-in, public lookup), counted in the store of ``RATELIMIT_STORAGE_URI``: in memory
for one process, Redis shared by every worker in production (web/config.py). The client is the
peer address, or the one the trusted proxies name (``TRUSTED_PROXIES``, applied in web/__init__.py)."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# No storage_uri here: one given to the constructor would win over the configured store.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

