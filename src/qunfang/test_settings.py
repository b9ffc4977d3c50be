"""Settings for the test suite: the normal settings with the `test` profile."""

import os

os.environ["QUNFANG_ENV"] = "test"

from qunfang.settings import *  # noqa: F403

# Hermetic and fast: each test worker its own cache (tests/core/test_shared_cache.py proves the
# real settings share theirs between processes, with the database and with Redis).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tasks run at once, inside the request that queues them; the tests about a real worker
# (tests/core/test_jobs_worker.py) switch to the database backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
