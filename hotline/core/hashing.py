"""PINs and passwords at rest: Argon2id at OWASP's work factors; older scrypt hashes still verify, and are
stored again at today's cost at the next right entry (needs_rehash)."""
from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP Password Storage Cheat Sheet: Argon2id with m=19 MiB, t=2, p=1 (about 30 ms and 19 MiB a check on
# the project's 2-core machine; scrypt at its N=2^17 costs 128 MiB and ten times the time, per login).
MEMORY_KIB, TIME_COST = 19 * 1024, 2
_ARGON2 = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=1, hash_len=32, salt_len=16,
                         type=Type.ID)


def hash_secret(secret: str) -> str:
    """'$argon2id$v=19$m=19456,t=2,p=1$salt$hash': the parameters travel with the hash."""
    return _ARGON2.hash(secret)


def verify_secret(secret: str, stored: str | None) -> bool:
    """Constant-time comparison; an absent or malformed hash never matches."""
    stored = stored or ""
    if stored.startswith("$argon2"):
        try:
            return _ARGON2.verify(stored, secret)
        except (VerificationError, InvalidHashError):
            return False
    if stored.startswith("scrypt$"):
        return _verify_scrypt(secret, stored)
    return False


def needs_rehash(stored: str) -> bool:
    """True for a hash cheaper than today's: every scrypt one (this project's before Argon2id), or Argon2 of
    another type or with less memory or time. A stronger one is left alone (never weakened)."""
    try:
        params = extract_parameters(stored)
    except InvalidHashError:
        return True
    return params.type is not Type.ID or params.memory_cost < MEMORY_KIB or params.time_cost < TIME_COST


def _verify_scrypt(secret: str, stored: str) -> bool:
    """'scrypt$n$r$p$salt$hash', as hashed until Argon2id (and as the demo officials' are published)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        computed = hashlib.scrypt(secret.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                                  p=int(p), dklen=len(digest) // 2)
    except ValueError:
        return False
    return hmac.compare_digest(computed.hex(), digest)
