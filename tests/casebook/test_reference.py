"""The casebook's reference lists (casebook/reference.py): plain data that migration 0003 seeds
from and the demo reads, so the module must stay importable by a migration on a fresh database."""

import ast
import inspect

import pytest

from qunfang.casebook import reference
from qunfang.casebook.models import CaseType, EscalationRule


def test_the_reference_module_is_plain_data():
    tree = ast.parse(inspect.getsource(reference))
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]


@pytest.mark.django_db
def test_the_migration_seeds_exactly_the_reference_lists():
    types = CaseType.objects.order_by("order").values_list("code", "name", "name_en", "is_dispute")
    assert list(types) == reference.CASE_TYPES
    rules = EscalationRule.objects.order_by("pk").values_list(
        "case_type__code", "min_severity", "to_township", "to_police", "within_minutes"
    )
    assert list(rules) == reference.ESCALATION_RULES
