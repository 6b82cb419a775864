"""Second-factor secrets at rest: the authenticator app's key sealed (AES-GCM), the
recovery codes as keyed hashes. A copy of the database alone (a backup, a stolen disk)
then yields neither a code generator nor a usable recovery code.

The keys come from the secret key (HKDF-SHA256, one per purpose); the secret keys in
``SECRET_KEY_FALLBACKS`` still open what was sealed before a change of secret key. A
new secret key without the old one as a fallback turns every second factor off in
effect: the counselors then need ``visavis resetsecondfactor``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from base64 import urlsafe_b64decode, urlsafe_b64encode
from binascii import unhexlify

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

SEALED = "v1$"  # the mark of a sealed key (django-otp's own keys are plain hex)
_NONCE = 12
_KEY_PURPOSE = b"visavis: authenticator app keys"
_CODE_PURPOSE = b"visavis: recovery codes"
_AAD = b"totp key"
RECOVERY_HASH_LENGTH = 16  # django-otp's token column holds 16 characters


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode()
    )


def _secret_keys() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def is_sealed(stored: str) -> bool:
    return stored.startswith(SEALED)


def seal(key: bytes) -> str:
    """The stored form of an authenticator key (67 characters for 20 bytes)."""
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(_derive(settings.SECRET_KEY, _KEY_PURPOSE)).encrypt(nonce, key, _AAD)
    return SEALED + urlsafe_b64encode(nonce + sealed).decode()


def unseal(stored: str) -> bytes:
    """The authenticator key from its stored form (plain hex from before sealing too)."""
    if not is_sealed(stored):
        return unhexlify(stored.encode())
    raw = urlsafe_b64decode(stored[len(SEALED) :].encode())
    for secret in _secret_keys():
        try:
            return AESGCM(_derive(secret, _KEY_PURPOSE)).decrypt(raw[:_NONCE], raw[_NONCE:], _AAD)
        except InvalidTag:
            continue
    raise ValueError("this authenticator key was sealed with another secret key")


def recovery_hashes(code: str) -> list[str]:
    """What a recovery code is stored as: the first for new codes, the others (with the
    fallback secret keys) to recognise codes stored before a change of secret key."""
    return [
        hmac.new(_derive(secret, _CODE_PURPOSE), code.encode(), hashlib.sha256).hexdigest()[
            :RECOVERY_HASH_LENGTH
        ]
        for secret in _secret_keys()
    ]
