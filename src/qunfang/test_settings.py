"""Settings for the test suite: the normal settings with the `test` profile."""

import os

os.environ["QUNFANG_ENV"] = "test"

from qunfang.settings import *  # noqa: F403

# Hermetic and fast: each test worker its own cache (tests/core/test_shared_cache.py proves the
# real settings share theirs between processes, with the database and with Redis).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
