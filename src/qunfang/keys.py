"""Secret key and personal-data keys.

Production takes them from the environment (or *_FILE) and refuses to start without them.
Development generates them once under the data folder so `make run` needs no setup;
tests use fixed throw-away keys.
"""

import base64
import json
import os
import secrets
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from qunfang.env import env_str

Keys = dict[str, Any]  # secret_key, field_keys (id -> key), field_active_key, blind_index_key

TEST_KEYS: Keys = {
    "secret_key": "test-only-secret-key-" + "x" * 40,
    "field_keys": {"k1": base64.urlsafe_b64encode(b"t" * 32).decode()},
    "field_active_key": "k1",
    "blind_index_key": base64.urlsafe_b64encode(b"b" * 32).decode(),
}


def _generate() -> Keys:
    return {
        "secret_key": secrets.token_urlsafe(50),
        "field_keys": {"k1": base64.urlsafe_b64encode(os.urandom(32)).decode()},
        "field_active_key": "k1",
        "blind_index_key": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }


def _dev_keys(data_dir: Path) -> Keys:
    path = data_dir / "secrets.json"
    if path.exists():
        stored: Keys = json.loads(path.read_text(encoding="utf-8"))
        return stored
    data_dir.mkdir(parents=True, exist_ok=True)
    keys = _generate()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(keys, handle)
    return keys


def _parse_field_keys(raw: str) -> dict[str, str]:
    """QUNFANG_FIELD_KEYS="k2:base64...,k1:base64..." (old keys stay listed to read old rows)."""
    keys = {}
    for item in raw.split(","):
        kid, sep, value = item.strip().partition(":")
        if not sep or not kid:
            raise ImproperlyConfigured(
                "QUNFANG_FIELD_KEYS must look like 'k1:<base64 32 bytes>,…'."
            )
        _check_key_length("QUNFANG_FIELD_KEYS", value)
        keys[kid] = value
    return keys


def _check_key_length(name: str, value: str) -> None:
    try:
        ok = len(base64.urlsafe_b64decode(value)) == 32
    except ValueError:
        ok = False
    if not ok:
        raise ImproperlyConfigured(f"{name}: each key must be 32 bytes, url-safe base64 encoded.")


def load_keys(env: str, data_dir: Path) -> Keys:
    if env == "test":
        return TEST_KEYS
    keys = _dev_keys(data_dir) if env == "development" else {}
    secret_key = env_str("QUNFANG_SECRET_KEY") or keys.get("secret_key")
    field_keys_raw = env_str("QUNFANG_FIELD_KEYS")
    field_keys = _parse_field_keys(field_keys_raw) if field_keys_raw else keys.get("field_keys")
    active = env_str("QUNFANG_FIELD_ACTIVE_KEY") or (
        keys.get("field_active_key") or (next(iter(field_keys)) if field_keys else None)
    )
    blind = env_str("QUNFANG_BLIND_INDEX_KEY") or keys.get("blind_index_key")
    missing = [
        name
        for name, value in (
            ("QUNFANG_SECRET_KEY", secret_key),
            ("QUNFANG_FIELD_KEYS", field_keys),
            ("QUNFANG_BLIND_INDEX_KEY", blind),
        )
        if not value
    ]
    if missing or field_keys is None or blind is None:  # (None: in `missing` already)
        raise ImproperlyConfigured(
            f"Production settings need {', '.join(missing)} (or the same name with _FILE). "
            "Generate keys with: qunfang generate-keys"
        )
    if active not in field_keys:
        raise ImproperlyConfigured(
            f"QUNFANG_FIELD_ACTIVE_KEY={active!r} is not in QUNFANG_FIELD_KEYS."
        )
    _check_key_length("QUNFANG_BLIND_INDEX_KEY", blind)
    return {
        "secret_key": secret_key,
        "field_keys": field_keys,
        "field_active_key": active,
        "blind_index_key": blind,
    }


def generate_env_lines() -> str:
    keys = _generate()
    return "\n".join(
        [
            f"QUNFANG_SECRET_KEY={keys['secret_key']}",
            f"QUNFANG_FIELD_KEYS=k1:{keys['field_keys']['k1']}",
            "QUNFANG_FIELD_ACTIVE_KEY=k1",
            f"QUNFANG_BLIND_INDEX_KEY={keys['blind_index_key']}",
        ]
    )
