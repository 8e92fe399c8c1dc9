"""Passwords: the strength policy, the argon2id hash, one-time passwords and the must-change state.

A one-time password is what an administrator hands a new (or reset) account; it stops
working after ``ONE_TIME_VALIDITY`` and, until the person chooses their own, every page
sends them to the choose-password page (the API answers ``password_change_required``).
"""

import functools
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from engine.errors import InvalidInput
from engine.staff.models import Staff

MIN_LENGTH = 10
MAX_LENGTH = 200
# zxcvbn's 0-4 guessability score; 3 is "safely unguessable" against an online attack.
MIN_SCORE = 3
ONE_TIME_VALIDITY = timedelta(hours=72)
# The 30,000 most common passwords of the leaked-password corpora zxcvbn ships.
COMMON = frozenset(FREQUENCY_LISTS["passwords"])
# One alphabet without look-alikes (0/O, 1/l/I): the password is read off paper or a screen.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile


def check_strength(password, *, username: str, name: str = "", field: str = "new_password") -> str:
    """``password`` if the policy accepts it, else the refusal naming ``field``."""
    if not isinstance(password, str) or not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise InvalidInput(f"密码须为 {MIN_LENGTH}-{MAX_LENGTH} 个字符 (the password must be {MIN_LENGTH}-"
                           f"{MAX_LENGTH} characters)", field=field)
    if username and username.lower() in password.lower():
        raise InvalidInput("密码不得包含用户名 (the password must not contain the username)", field=field)
    if password.lower() in COMMON:
        raise InvalidInput("该密码是常见密码，请另选 (this is a common password; choose another)", field=field)
    # zxcvbn's cost grows with length; the first 100 characters decide a password's strength anyway.
    if zxcvbn(password[:100], user_inputs=[username, name, "onewindow"])["score"] < MIN_SCORE:
        raise InvalidInput("密码太容易猜到：请用更长的、不常见的词组 (the password is too easy to guess: "
                           "use a longer, uncommon phrase)", field=field)
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(staff: Staff, password: str) -> bool:
    """Whether ``password`` is the account's; an older hash (werkzeug scrypt, weaker argon2
    parameters) is replaced by a current one on the way, in the caller's transaction."""
    stored = staff.password_hash
    if stored is None:
        return False
    if not stored.startswith("$argon2"):
        if not check_password_hash(stored, password):
            return False
        staff.password_hash = hash_password(password)
        return True
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(stored):
        staff.password_hash = hash_password(password)
    return True


@functools.cache
def _nobody_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def verify_nobody(password: str) -> bool:
    """Check ``password`` against nobody's hash: an unknown name costs the time a known one does,
    so the answer's timing does not tell which usernames exist. Always False."""
    try:
        _hasher.verify(_nobody_hash(), password)
    except (VerificationError, InvalidHashError):
        pass
    return False


def set_password(staff: Staff, password: str, *, now: datetime | None = None, chosen: bool = False) -> None:
    """Store ``password`` (checked by the caller: a demo or one-time password is not the person's
    choice). ``chosen``: the person chose it, so any must-change state ends."""
    staff.password_hash = hash_password(password)
    if chosen:
        staff.must_change_password, staff.password_expires_at, staff.password_changed_at = False, None, now


def issue_one_time(staff: Staff, now: datetime) -> str:
    """A new one-time password for ``staff``: valid ``ONE_TIME_VALIDITY``, to be replaced at first sign-in."""
    password = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    set_password(staff, password)
    staff.must_change_password, staff.password_expires_at = True, now + ONE_TIME_VALIDITY
    return password


def one_time_expired(staff: Staff, now: datetime) -> bool:
    return staff.password_expires_at is not None and staff.password_expires_at <= now


def change_due(staff: Staff, *, production: bool) -> bool:
    """The person must choose a password before anything else: a one-time password or a reset,
    or (in production) a demo account that never chose its own."""
    return bool(staff.must_change_password) or (production and staff.is_demo and staff.password_changed_at is None)
