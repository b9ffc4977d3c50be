"""Shared by the benchmarks: Django on a fresh SQLite database in a temporary folder."""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def setup_throwaway_django() -> str:
    """Point Qunfang at a new SQLite file, set Django up and migrate; returns the data folder."""
    data_dir = tempfile.mkdtemp(prefix="qunfang-bench-")
    os.environ.update({"QUNFANG_ENV": "test", "QUNFANG_DATA_DIR": data_dir,
                       "DJANGO_SETTINGS_MODULE": "qunfang.settings",
                       "QUNFANG_DATABASE_URL": f"sqlite:///{data_dir}/bench.sqlite3"})  # fmt: skip
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return data_dir
