"""Settings for the test suite: the normal settings with the `test` profile."""

import os

os.environ["QUNFANG_ENV"] = "test"

from qunfang.settings import *  # noqa: F403
