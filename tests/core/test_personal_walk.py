"""Walk every route, as every role, and fail on any whole ID number or phone, or on a masked ID
number that the page itself would let a reader rebuild.

Built from the URL table like the outsider walk (tests/core/test_outsider_walk.py), with the
same village-1 records, so a new page, print, export or API route is walked without anyone
adding it here. Only GET: whole values may come from the logged reveal, which is a POST.
"""

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from qunfang.core.models import User
from qunfang.core.personal import ID_BIRTH_DATE, MASK_CHAR, id_check_digit
from qunfang.core.spreadsheets import FORMATS
from qunfang.registry import spreadsheets
from qunfang.registry.models import Person
from qunfang.registry.spreadsheets import EXAMPLE_ID
from tests.core.test_outsider_walk import (
    all_routes,
    foreign_kwargs,
    world,  # noqa: F401 (the walk's village-1 records)
)

ROLES = ("admin", "township_officer", "police", "auditor", "director1", "mediator1", "patrol1")
# Eighteen characters of digits, X and the mask character, not inside a longer run.
ID_LIKE = re.compile(r"(?<![0-9A-Za-z*])[0-9*]{17}[0-9X*](?![0-9A-Za-z*])")
# The worked example of GB 11643-1999, which the import templates show; nobody's number.
STANDARD_EXAMPLE = EXAMPLE_ID
DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y年%m月%d日", "%Y/%m/%d", "%Y.%m.%d")


def _text(response) -> str:
    """What a reader gets: the page, or every cell of a downloaded sheet."""
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        cells = (
            "\t".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
        return "\n".join(cells)
    if "csv" in content_type:
        rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
        return "\n".join("\t".join(row) for row in rows)
    if response.streaming:
        return ""  # file downloads (scans, attachments) hold no register data
    return response.content.decode(errors="replace")


def _dates_shown(text: str, born: dt.date) -> bool:
    return any(born.strftime(f) in text for f in DATE_FORMATS) or (
        f"{born.year}年{born.month}月{born.day}日" in text
    )


def problems_in(text: str, *, whole_values: list[str], people: list[tuple[str, dt.date]]):
    """Every whole value in the text, every valid-looking whole ID number, and every mask whose
    hidden characters are only birth-date digits while that birth date is on the page."""
    found = [f"whole value {v}" for v in whole_values if v and v in text]
    for match in ID_LIKE.finditer(text):
        shown = match.group()
        hidden = {i for i, c in enumerate(shown) if c == MASK_CHAR}
        if not hidden:
            if id_check_digit(shown[:17]) == shown[17] and shown != STANDARD_EXAMPLE:
                found.append(f"whole ID number {shown}")
            continue
        only_birth_date = hidden <= set(range(ID_BIRTH_DATE.start, ID_BIRTH_DATE.stop))
        if only_birth_date and any(
            shown[:6] == number[:6] and _dates_shown(text, born) for number, born in people
        ):
            found.append(f"mask {shown} beside its birth date")
    return found


@pytest.fixture
def walked(world):  # noqa: F811
    """The outsider walk's village-1 records, with ID numbers on accounts too."""
    for user, number in (
        (world.director1, "330681197603120019"),
        (world.patrol1, "33068119900101001X"),
    ):
        user.id_number = number
        user.save()
    return world


def _personal():
    """Every whole ID number and phone on file, and each person's (ID number, birth date)."""
    persons, users = list(Person.objects.all()), list(User.objects.all())
    people = [(p.id_number, p.birth_date) for p in persons if p.id_number]
    whole = [r.id_number for r in persons + users if r.id_number]
    whole += [r.phone for r in persons + users if r.phone]
    return whole, people


def _urls(walked):
    """Every route that answers GET without a village-1 record missing, plus each export
    layout and format."""
    for name, pattern in all_routes():
        if name.startswith("admin:") or name.endswith(":?") or name == "logout":
            continue
        yield name, reverse(name, kwargs=foreign_kwargs(name, pattern, walked))
    for layout in spreadsheets.LAYOUTS:
        for fmt in FORMATS:
            yield "registry:export", reverse("registry:export", args=[layout, fmt])
    person = walked.records.person
    history = User.history.filter(id=walked.patrol1.pk).first()
    yield "admin:user", reverse("admin:core_user_change", args=[walked.patrol1.pk])
    yield "admin:user_history", reverse("admin:core_user_history", args=[walked.patrol1.pk])
    yield (
        "admin:user_history_item",
        reverse("admin:core_user_simple_history", args=[walked.patrol1.pk, history.history_id]),
    )
    yield "admin:users", reverse("admin:core_user_changelist")
    yield "person_edit", reverse("registry:person_edit", args=[person.pk])


@pytest.mark.django_db
def test_no_page_print_export_or_api_answer_carries_a_rebuildable_number(walked, client):
    whole_values, people = _personal()
    assert len(people) >= 1 and len(whole_values) >= 5
    urls = list(_urls(walked))
    showing_people: set[str] = set()
    failures = []
    for role in ROLES:
        client.force_login(getattr(walked, role))
        for name, url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue
            text = _text(response)
            failures += [
                (role, url, p) for p in problems_in(text, whole_values=whole_values, people=people)
            ]
            if walked.records.person.name in text or walked.patrol1.full_name in text:
                showing_people.add(name)
    assert failures == [], "\n".join(map(str, failures))
    # The walk would pass on a site that shows nobody: prove it reached the people it guards.
    print(f"\nroutes walked: {len(urls)}; routes that showed people: {len(showing_people)}")
    assert {
        "registry:person_list",
        "registry:person_detail",
        "core:user_detail",
        "registry:export",
        "admin:user",
        "person_edit",
    } <= showing_people
    assert len(showing_people) >= 40


def test_the_check_catches_what_the_old_mask_allowed():
    """The detector itself: the old mask (first 6, last 4) beside the birth date is caught, a
    whole number is caught, and today's mask is not."""
    number, born = "330681198005170011", dt.date(1980, 5, 17)
    people = [(number, born)]
    page = "330681********0011 <dd>1980-05-17</dd>"
    assert problems_in(page, whole_values=[], people=people) == [
        "mask 330681********0011 beside its birth date"
    ]
    assert problems_in(f"<td>{number}</td>", whole_values=[], people=[]) == [
        f"whole ID number {number}"
    ]
    assert problems_in("330681***********1 1980-05-17", whole_values=[number], people=people) == []
