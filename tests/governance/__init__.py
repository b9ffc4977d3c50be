from tests.governance import (
    walk_assessment,
    walk_decisions,
    walk_mandates,
    walk_meetings,
    walk_rules,
    walk_sanctions,
    walk_schemes,
    walk_selection,
    walk_settlements,
    walk_training,
)

# each book's outsider-walk classification (tests/core/test_outsider_walk.py)
GOVERNANCE_WALKS = (
    walk_meetings,
    walk_decisions,
    walk_training,
    walk_selection,
    walk_rules,
    walk_mandates,
    walk_assessment,
    walk_schemes,
    walk_sanctions,
    walk_settlements,
)
