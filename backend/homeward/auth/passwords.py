"""Password hashing (argon2id) and the password policy.

Strength is judged offline by zxcvbn (MIT licence), which estimates how many guesses a
cracker needs from its own frequency lists (common passwords, names, words, keyboard
patterns, dates) and the words of this account. A password is stored exactly as typed:
nothing is trimmed or changed.
"""

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
# zxcvbn's score: 3 is "safely unguessable" against an online attack with throttling.
MIN_SCORE = 3
# zxcvbn's work grows fast with length; past this the start of a password decides.
SCORED_LENGTH = 72
# Words a guesser tries first against this product whatever the account; zxcvbn prices
# a separator as a random character, so "demo-password-2026" would otherwise pass.
PRODUCT_WORDS = ("password", "passwort", "homeward")
# Name parts shorter than this ("Ann", "Bo") are too common inside ordinary words.
MIN_NAME_PART = 4

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


def _personal_words(email: str, full_name: str) -> list[str]:
    local_part = email.split("@", 1)[0].casefold()
    parts = re.split(r"[\W_]+", f"{local_part} {full_name.casefold()}")
    joined_name = re.sub(r"[\W_]+", "", full_name.casefold())
    words = [local_part, joined_name, *parts]
    return [word for word in dict.fromkeys(words) if len(word) >= MIN_NAME_PART]


def policy_violation(password: str, email: str, full_name: str) -> str | None:
    """Why `password` may not be set for this user, or None when it may."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters"
    folded = password.casefold()
    personal = _personal_words(email, full_name)
    if any(word in folded for word in personal):
        return "Don't use your name or your email address in the password"
    if any(word in folded for word in PRODUCT_WORDS):
        return "Don't use the word 'password' or the product's name in the password"
    result = zxcvbn(password[:SCORED_LENGTH], user_inputs=[*personal, *PRODUCT_WORDS])
    if result["score"] < MIN_SCORE:
        hint = result["feedback"]["warning"] or "It is too easy to guess"
        return f"This password is too weak: {hint.rstrip('.')}. Add words that aren't common"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        matches = _hasher.verify(password_hash or _DUMMY_HASH, password)
        return bool(matches) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
