"""Encrypted text columns (AES-256-GCM) and a keyed blind index for exact-match search.

The raw database never holds the plain value: `v1:<key id>:<nonce+ciphertext>`, bound to its
table and column. Equality lookups on the encrypted column raise FieldError instead of silently
matching nothing; search through the `*_bidx` column with `blind_index()`.
"""

import base64
import hashlib
import hmac
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Lookup


def _field_key(kid: str) -> bytes:
    return base64.urlsafe_b64decode(settings.QUNFANG_FIELD_KEYS[kid])


class EncryptedTextField(models.TextField[str, str]):
    def _aad(self) -> bytes:
        return f"{self.model._meta.db_table}.{self.column}".encode()

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        kid = settings.QUNFANG_FIELD_ACTIVE_KEY
        nonce = os.urandom(12)
        sealed = AESGCM(_field_key(kid)).encrypt(nonce, str(value).encode(), self._aad())
        return f"v1:{kid}:" + base64.urlsafe_b64encode(nonce + sealed).decode()

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> str | None:
        if not value:
            return value
        _version, kid, blob = value.split(":", 2)
        raw = base64.urlsafe_b64decode(blob)
        return AESGCM(_field_key(kid)).decrypt(raw[:12], raw[12:], self._aad()).decode()

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        # A random nonce means equality can never match: refuse rather than return nothing.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def blind_index(value: str) -> str:
    key = base64.urlsafe_b64decode(settings.QUNFANG_BLIND_INDEX_KEY)
    return hmac.new(key, normalise_id_number(value).encode(), hashlib.sha256).hexdigest()
