"""Rate limits (sign-in, public lookup): in memory by default, shared storage in production."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[], storage_uri="memory://")
