import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's chromium. CI installs it and sets QUNFANG_REQUIRE_BROWSER=1,
    so there a missing browser fails instead of skipping."""
    if CHROMIUM.exists() or os.environ.get("QUNFANG_REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(reason="needs /usr/bin/chromium (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
