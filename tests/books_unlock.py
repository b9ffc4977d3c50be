"""pytest plugin: the flush that ends each transactional test (and live-server test) empties
every table. On SQLite that is `DELETE FROM`, which the books' triggers refuse unless the books
are unlocked; on PostgreSQL it is TRUNCATE, refused the same way. Registered in conftest.py
(`pytest_plugins`)."""

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    from django.db.backends.base.operations import BaseDatabaseOperations

    flush = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        from qunfang.core.triggers import books_unlocked

        with books_unlocked(self.connection.alias):
            flush(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
