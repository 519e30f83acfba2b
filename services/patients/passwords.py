"""Password hashing (argon2id) and the rules a new password must meet."""

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from services.common.errors import InvalidInput

MIN_LENGTH = 10
_hasher = PasswordHasher()
# Verified against when the account does not exist, so a miss costs the same time as a hit.
_DUMMY_HASH = _hasher.hash("not-a-real-password-only-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


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
    if email.split("@", 1)[0].lower() in lowered:
        raise InvalidInput("The password must not contain the email address.", field=field)
