"""PINs and passwords at OWASP's cost: Argon2id; older hashes still open, and are stored again at the next entry."""
import hashlib
import secrets

from argon2 import PasswordHasher, Type

from hotline.core import hashing
from hotline.domain import officials
from tests.conftest import ONG_TU, OPERATOR

ANH_MINH_LOGIN = "0987 654 321"


def _old_scrypt(secret: str) -> str:
    """A hash as this project wrote them before Argon2id (scrypt, n=2**14)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=2 ** 14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"


def _minh(db, pin_hash, password_hash):
    return officials.add_hashed(db, "Trần Minh", "village_head", ANH_MINH_LOGIN, None, pin_hash, password_hash, actor=OPERATOR)


def test_a_new_secret_is_hashed_with_argon2id_at_owasps_parameters():
    stored = hashing.hash_secret("ben-do-2026")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert hashing.verify_secret("ben-do-2026", stored) and not hashing.verify_secret("ben-do-2027", stored)
    assert not hashing.needs_rehash(stored)


def test_an_old_scrypt_password_still_opens_and_is_stored_again_at_todays_cost(demo_db):
    minh = _minh(demo_db, _old_scrypt("9876"), _old_scrypt("ben-do-2026"))
    assert officials.check_password(demo_db, ANH_MINH_LOGIN, "ben-do-2027") is None
    assert officials.get(demo_db, minh)["password_hash"].startswith("scrypt$")   # a wrong one changes nothing
    assert officials.check_password(demo_db, ANH_MINH_LOGIN, "ben-do-2026")["id"] == minh
    upgraded = officials.get(demo_db, minh)["password_hash"]
    assert upgraded.startswith("$argon2id$") and not hashing.needs_rehash(upgraded)
    assert officials.check_password(demo_db, ANH_MINH_LOGIN, "ben-do-2026")["id"] == minh


def test_an_old_scrypt_pin_is_stored_again_after_the_right_pin_only(demo_db):
    minh = _minh(demo_db, _old_scrypt("9876"), None)
    assert officials.check_pin(demo_db, minh, "0000") == "wrong"
    assert officials.get(demo_db, minh)["pin_hash"].startswith("scrypt$")
    assert officials.check_pin(demo_db, minh, "9876") == "ok"
    assert officials.get(demo_db, minh)["pin_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert officials.check_pin(demo_db, minh, "9876") == "ok"


def test_a_cheaper_argon2_hash_is_raised_and_a_dearer_one_is_left_alone(demo_db):
    cheap = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID).hash("ben-do-2026")
    dear = PasswordHasher(time_cost=3, memory_cost=32768, parallelism=1, type=Type.ID).hash("9876")
    argon2i = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.I).hash("x")
    assert hashing.needs_rehash(cheap) and hashing.needs_rehash(argon2i) and not hashing.needs_rehash(dear)
    minh = _minh(demo_db, dear, cheap)
    officials.check_password(demo_db, ANH_MINH_LOGIN, "ben-do-2026")
    assert officials.check_pin(demo_db, minh, "9876") == "ok"
    row = officials.get(demo_db, minh)
    assert "m=19456,t=2" in row["password_hash"] and row["pin_hash"] == dear


def test_the_published_demo_hashes_still_open_and_are_never_replaced(demo_db):
    """Replaced, they would no longer be recognised (and refused) once the install stops being a demo."""
    tu = officials.by_phone(demo_db, ONG_TU)
    assert tu["pin_hash"].startswith("scrypt$")
    assert officials.check_pin(demo_db, tu["id"], "2468") == "ok"
    assert officials.check_password(demo_db, ONG_TU, "demo-yennong-2468")["id"] == tu["id"]
    after = officials.by_phone(demo_db, ONG_TU)
    assert (after["pin_hash"], after["password_hash"]) == (tu["pin_hash"], tu["password_hash"])
