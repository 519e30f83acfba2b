"""Password hashing (argon2id) and the rules a new password must meet."""

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from services.common.errors import InvalidInput

MIN_LENGTH = 10


class _Hashing:
    def __init__(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher
        # Verified against when the account does not exist, so a miss costs what a hit costs.
        self.dummy_hash = hasher.hash("not-a-real-password-only-for-timing")


_hashing = _Hashing(PasswordHasher())


def use_hasher(hasher: PasswordHasher) -> None:
    """Swap the argon2 parameters (the test suite uses cheap ones; production never does)."""
    global _hashing
    _hashing = _Hashing(hasher)


def hash_password(password: str) -> str:
    return _hashing.hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hashing = _hashing
    try:
        matched = hashing.hasher.verify(password_hash or hashing.dummy_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return matched and password_hash is not None


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords (the list zxcvbn ships)."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def check_new_password(password: str, *, email: str, field: str = "body.password") -> None:
    """Refuse short, common or obviously personal passwords, saying why."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"The password must have at least {MIN_LENGTH} characters.", field=field)
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 4:
        raise InvalidInput(
            "That password is too common or too simple; choose another.", field=field
        )
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        raise InvalidInput("The password must not contain the email address.", field=field)
