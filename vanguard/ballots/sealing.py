"""Sealed ballots: how a ballot is kept while its vote is open.

Whatever a vote writes is written in one transaction with the mark that makes the vote
count once (the card's "used" mark, or the roll's "has voted" mark), so a copy of the
live database can pair the two: by PostgreSQL's `xmin`, by SQLite's rowid and the
frames of its write-ahead log. What it cannot do is read the ballot: until the close a
ballot is stored only sealed, with AES-256-GCM under a key derived (HKDF-SHA256) from
the server's secret key and a random salt of the session. The secret key lives in the
server's environment, never in the database, so a copy of the database, a replica, a
backup or the PostgreSQL write-ahead log of the voting window holds ciphertexts of
equal length (one byte per candidate, plus nonce and tag) and nothing else of the
grades. The close opens every seal and writes the ballots in plain, ordered by their
content (see services.session_close).

The seal's plaintext is one byte per candidate, in the order of the candidates' member
ids: so every ballot of a session has the same length, whatever its grades.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

NONCE_BYTES = 12
INFO = b"vanguard/ballots/seal/v1"


class SealBroken(Exception):
    """A sealed ballot that no key of this server opens (secret key changed without
    keeping the old one in VANGUARD_SECRET_KEY_FALLBACKS, or a tampered row)."""


def new_salt() -> str:
    return secrets.token_hex(16)


def _keys(salt: str) -> list[bytes]:
    secrets_in_use = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [
        HKDF(algorithm=hashes.SHA256(), length=32, salt=bytes.fromhex(salt), info=INFO).derive(
            secret.encode()
        )
        for secret in secrets_in_use
    ]


def _aad(session_id: int) -> bytes:
    return f"session:{session_id}".encode()


def seal(
    *,
    session_id: int,
    salt: str,
    candidates: Sequence[int],
    grades: Mapping[str, str],
    grade_values: Sequence[str],
) -> bytes:
    """The ballot {member id: grade} sealed: nonce + ciphertext + tag."""
    plain = bytes(grade_values.index(grades[str(pk)]) for pk in candidates)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(_keys(salt)[0]).encrypt(nonce, plain, _aad(session_id))


def unseal(
    *,
    session_id: int,
    salt: str,
    candidates: Sequence[int],
    sealed: bytes,
    grade_values: Sequence[str],
) -> dict[str, str]:
    """The ballot back as {member id as text: grade}, keys sorted as the candidates."""
    sealed = bytes(sealed)
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    for key in _keys(salt):
        try:
            plain = AESGCM(key).decrypt(nonce, body, _aad(session_id))
        except InvalidTag:
            continue
        if len(plain) != len(candidates) or any(b >= len(grade_values) for b in plain):
            raise SealBroken("a sealed ballot does not match the session's candidates")
        return {str(pk): grade_values[b] for pk, b in zip(candidates, plain, strict=True)}
    raise SealBroken("no secret key of this server opens the sealed ballot")
