"""The memberships file: a row per post a person of the village holds or held, matched by
(person, post, start date)."""

import datetime as dt
from collections import Counter
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qunfang.core.crypto import blind_index
from qunfang.core.spreadsheets import Column, Layout, Row, cells, village_column
from qunfang.registry.models import Membership, Organisation, Person, Post
from qunfang.registry.services.organisations import membership_start, placement_problems
from qunfang.registry.spreadsheets.columns import ID_NUMBER_ALIASES, _id_number_column
from qunfang.registry.spreadsheets.register import (
    RegisterImporter,
    _in_village,
    _people_by_bidx,
    membership_register,
)


class MembershipImporter(RegisterImporter[Membership]):
    def register_mark(self, rows: list[Row]) -> tuple[Any, ...]:
        return membership_register(self.village, self.id_numbers(rows))

    def check(self, rows: list[Row]) -> None:
        village = self.village
        posts = {
            (p.organisation.name, p.title): p
            for p in Post.objects.filter(organisation__region=village).select_related(
                "organisation__region"
            )
        }
        organisations = set(
            Organisation.objects.filter(region=village).values_list("name", flat=True)
        )
        people = _people_by_bidx(blind_index(r.values["id_number"]) for r in rows)
        existing = {
            (m.person_id, m.post_id, m.started_on): m
            for m in Membership.objects.filter(post__organisation__region=village)
        }
        taken = Counter(m.post_id for m in existing.values() if m.ended_on is None)
        opened: set[tuple[int, int]] = set()
        seen: dict[tuple[Any, ...], int] = {}
        for row in rows:
            v = row.values
            person = people.get(blind_index(v["id_number"]))
            post = posts.get((v["organisation"], v["post"]))
            if person is None:
                self.error(
                    row,
                    "id_number",
                    _("Nobody in the register has this ID number; import the people first."),
                )
            elif not _in_village(person, village):
                self.of_another_village(row, "id_number")
            elif v["organisation"] not in organisations:
                self.error(
                    row,
                    "organisation",
                    _("%(village)s has no organisation %(name)s.")
                    % {"village": village.name, "name": v["organisation"]},
                )
            elif post is None:
                self.error(
                    row,
                    "post",
                    _("%(organisation)s has no post %(post)s.")
                    % {"organisation": v["organisation"], "post": v["post"]},
                )
            elif v.get("ended_on") and v["ended_on"] < v["started_on"]:
                self.error(row, "ended_on", _("A membership cannot end before it started."))
            elif (person.pk, post.pk, v["started_on"]) in seen:
                self.error(
                    row,
                    "started_on",
                    _("Row %(row)d has the same membership.")
                    % {"row": seen[(person.pk, post.pk, v["started_on"])]},
                )
            else:
                key = (person.pk, post.pk, v["started_on"])
                seen[key] = row.number
                values = {k: v[k] for k in ("ended_on", "end_reason") if k in v}
                membership = existing.get(key)
                if membership is None:
                    membership = Membership(person=person, post=post, started_on=v["started_on"])
                    if "ended_on" not in v and not self._can_take(row, person, post, taken, opened):
                        continue
                self.place(row, membership, values)

    def _can_take(self, row: Row, person: Person, post: Post, taken: Any, opened: Any) -> bool:
        """An open membership places the person now: the post's rules apply, and seats are
        counted across the file as well as the database. Past memberships (with an end date)
        are history and are recorded as they were."""
        problems = placement_problems(person=person, post=post, on=row.values["started_on"])
        if not problems:
            if (person.pk, post.pk) in opened:
                problems.append(_("%(name)s already holds this post.") % {"name": person.name})
            elif taken[post.pk] + 1 > post.seats:
                problems.append(
                    _("All %(seats)d seats of this post are taken.") % {"seats": post.seats}
                )
        for problem in problems:
            self.error(row, "post", problem)
        if problems:
            return False
        opened.add((person.pk, post.pk))
        taken[post.pk] += 1
        return True

    def write(self, reason: str) -> None:
        for membership in self.creates:
            if membership.ended_on is None:  # through the service: it re-checks under a lock
                membership_start(
                    person=membership.person,
                    post=membership.post,
                    started_on=membership.started_on,
                    reason=reason,
                )
            else:
                membership._change_reason = reason
                membership.save()
        for membership, changed in self.updates:
            # the rule membership_end enforces (no end before the start) was checked above
            membership._change_reason = reason
            membership.save(update_fields=changed)


MEMBERSHIPS = Layout(
    key="memberships",
    label=gettext_lazy("Memberships"),
    sheet="任职",
    sheet_aliases=("任职情况", "岗位", "memberships"),
    model=Membership,
    select_related=("person", "post__organisation__region"),
    importer=MembershipImporter,
    columns=(
        village_column(lambda m: m.post.organisation.region),
        Column("person_name", "姓名", export=lambda m: m.person.name),
        _id_number_column(
            "id_number",
            "身份证号",
            ID_NUMBER_ALIASES,
            required=True,
            help=gettext_lazy("ID number of a person of the village, already imported."),
            export=lambda m: m.person.masked_id_number,
        ),
        Column(
            "organisation",
            "组织名称",
            ("organisation", "organization", "组织"),
            cells.text(100),
            required=True,
            help=gettext_lazy("Name of an organisation of the village, as registered."),
            example="治保会",
            export=lambda m: m.post.organisation.name,
        ),
        Column(
            "post",
            "岗位",
            ("post", "职务"),
            cells.text(60),
            required=True,
            help=gettext_lazy("Title of a post of that organisation."),
            example="主任",
            export=lambda m: m.post.title,
        ),
        Column(
            "started_on",
            "起始日期",
            ("from", "started on", "任职日期", "开始日期"),
            cells.parse_date,
            required=True,
            help=gettext_lazy("YYYY-MM-DD."),
            example=dt.date(2024, 1, 1),
            export=lambda m: m.started_on,
        ),
        Column(
            "ended_on",
            "结束日期",
            ("until", "ended on", "离任日期"),
            cells.parse_date,
            help=gettext_lazy(
                "YYYY-MM-DD, empty while the person holds the post. A row without "
                "it places the person now, so the post's requirements apply."
            ),
            export=lambda m: m.ended_on,
        ),
        Column(
            "end_reason",
            "离任原因",
            ("reason for leaving", "end reason"),
            cells.text(200),
            help=gettext_lazy("Why the person left the post."),
            export=lambda m: m.end_reason,
        ),
    ),
)
