"""How outsiders are answered on the governance rules routes (tests/core/test_outsider_walk.py).

ROUTES: route name -> how an outsider is answered; PK_OWNER: route -> attribute of the
namespace built by `records()` that fills `pk`; SAMPLES: other URL parameters; WRITES: the
routes among ROUTES that take a POST (tests/patrols/test_write_matrix.py lists them as covered
by this walk).

A township's published model text is seen by all of its villages, so the next village's
director (an outsider of the walk) rightly opens it: no village-1 record of that kind can be
walked as FOREIGN_404. The model-text routes are walked with a text village 1 alone may see: one
its township has withdrawn (withdrawn texts are offered to no village) that village 1's
organisation adopted before (its villages keep seeing what their rules were adapted from). The
published case — the next village's director sees it, another township's officer gets 404 — is
tested in tests/governance/test_rules_screens.py."""

import datetime as dt
from types import SimpleNamespace

FOREIGN_404 = "foreign-404"
SCOPED = "scoped"

ROUTES: dict[str, str] = {
    "governance:rule_list": SCOPED,  # the in-force check and the register: the user's villages
    "governance:rule_create": SCOPED,  # ?organisation= of another village answers 404
    "governance:rule_detail": FOREIGN_404,
    "governance:rule_revise": FOREIGN_404,  # POST only
    "governance:rule_repeal": FOREIGN_404,  # POST only
    "governance:rule_print": FOREIGN_404,
    "governance:model_text_list": SCOPED,  # the user's township's texts
    "governance:model_text_create": SCOPED,  # the township's office only (403 for a village)
    "governance:model_text_detail": FOREIGN_404,
    "governance:model_text_edit": FOREIGN_404,  # a village that sees it is told why not
    "governance:model_text_withdraw": FOREIGN_404,  # POST only; the township's office
}
PK_OWNER: dict[str, str] = {
    **{f"governance:rule_{v}": "rule" for v in ("detail", "revise", "repeal", "print")},
    **{f"governance:model_text_{v}": "withdrawn_text" for v in ("detail", "edit", "withdraw")},
}
SAMPLES: dict[str, object] = {}
RULE_TITLE = "枫源村治保会保密制度RLW1"
RULE_TEXT = "第一条 治保会成员不得泄露举报人姓名RTX1"
WITHDRAWN_TITLE = "旧版保密制度示范文本MTW1"
MARKERS: list[str] = [RULE_TITLE, RULE_TEXT, WITHDRAWN_TITLE]  # only village 1's records
WRITES: set[str] = {
    "governance:rule_create",
    "governance:rule_revise",
    "governance:rule_repeal",
    "governance:model_text_create",
    "governance:model_text_edit",
    "governance:model_text_withdraw",
}


def records(world, base) -> SimpleNamespace:
    """Village 1's security committee's confidentiality rule, adopted from a model text of the
    township that the township has since withdrawn, and a published text of the township
    (seen by every village of it: no marker)."""
    from tests.factories import model_text_for, rule_for

    withdrawn = model_text_for(
        world.township,
        title=WITHDRAWN_TITLE,
        published_on=dt.date(2024, 1, 1),
        withdrawn_on=dt.date(2025, 6, 1),
    )
    published = model_text_for(world.township, title="保密制度示范文本（现行）")
    rule = rule_for(
        base.org,
        kind="confidentiality",
        title=RULE_TITLE,
        text=RULE_TEXT,
        model_text=withdrawn,
        adopted_on=dt.date(2024, 3, 1),
    )
    return SimpleNamespace(rule=rule, withdrawn_text=withdrawn, published_text=published)
