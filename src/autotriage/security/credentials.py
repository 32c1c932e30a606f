"""Secrets and their hashes: API keys, session tokens, passwords, signed cookies, CSRF tokens.

A key is `atk_<prefix>_<secret>`: the prefix (random, not secret) finds its row, the row keeps
only sha256 of the whole key, compared in constant time. 32 random bytes need no slow hash;
passwords, chosen by people, get scrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_MARK = "atk"
SESSION_MARK = "ats"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class NewToken:
    token: str  # shown once, never stored
    prefix: str
    secret_hash: str


def new_token(mark: str = KEY_MARK) -> NewToken:
    prefix = secrets.token_hex(6)
    token = f"{mark}_{prefix}_{secrets.token_urlsafe(32)}"
    return NewToken(token, prefix, token_hash(token))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def split_token(token: str, mark: str = KEY_MARK) -> str | None:
    """The lookup prefix of a well-formed token, else None (nothing to look up)."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != mark or len(parts[1]) != 12 or not parts[2]:
        return None
    return parts[1]


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + _b64(salt) + "$" + _b64(digest)


def verify_password(password: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        # same work as a real check, so timing does not tell which usernames exist
        hashlib.scrypt(password.encode(), salt=b"0" * 16, dklen=32, **_SCRYPT)
        return False
    _, salt, digest = stored.split("$", 2)
    actual = hashlib.scrypt(password.encode(), salt=_unb64(salt), dklen=32, **_SCRYPT)
    return hmac.compare_digest(actual, _unb64(digest))


def new_password() -> str:
    return secrets.token_urlsafe(18)


def sign(value: str, key: bytes) -> str:
    return value + "." + _b64(hmac.new(key, value.encode(), hashlib.sha256).digest())


def unsign(signed: str, key: bytes) -> str | None:
    value, sep, signature = signed.rpartition(".")
    if not sep or not hmac.compare_digest(sign(value, key), signed):
        return None
    return value


def csrf_token(session_prefix: str, key: bytes) -> str:
    """Synchronizer token bound to one login session: a page from another site cannot know it."""
    return _b64(hmac.new(key, b"csrf:" + session_prefix.encode(), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
