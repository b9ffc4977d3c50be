"""The registry's spreadsheets: the three layouts (households, people, memberships) in the
layouts villages keep (Chinese headers; English headers accepted too), and their importers.
The machinery (reading, cells, writing, the import that checks the whole file before it writes)
is `qunfang.core.spreadsheets`; views, commands and the benchmark call `import_file`,
`export_file` and `template_file` here.

Households come before people (a head is linked once the people are in), people before
memberships. Rows are matched by the household number, the ID number (or name and birth date)
and (person, post, start date).
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
)

from qunfang.core.crypto import blind_index
from qunfang.core.models import Region, RegionKind
from qunfang.core.spreadsheets import (
    Column,
    Importer,
    ImportReport,
    Layout,
    Row,
    cells,
    layout_export,
    layout_import,
    layout_template,
    village_column,
)
from qunfang.core.spreadsheets.marks import Mark, mark
from qunfang.registry.models import (
    Education,
    Household,
    Membership,
    Organisation,
    Person,
    Political,
    Post,
    Sex,
    TrainingRecord,
    VettingCheck,
)
from qunfang.registry.services.organisations import membership_start, placement_problems
from qunfang.registry.services.people import person_clean

__all__ = ["EXAMPLE_ID", "LAYOUTS", "export_file", "import_file", "template_file"]

EXAMPLE_ID = "11010519491231002X"  # the worked example of GB 11643-1999, nobody's real number
LOOKUP_CHUNK = 500  # keeps IN (...) lists under SQLite's variable limit
Record = TypeVar("Record", bound=models.Model)

# Labels villages write, per stored value. The first label is the one exports and templates use;
# the translated labels of the model are not used because files stay in Chinese whatever the UI
# language is (see `cells.choice`).
SEX_LABELS: dict[str, tuple[str, ...]] = {
    Sex.MALE: ("男", "m", "male"),
    Sex.FEMALE: ("女", "f", "female"),
}
EDUCATION_LABELS: dict[str, tuple[str, ...]] = {
    Education.NONE: ("未上学", "文盲", "无", "未上过学"),
    Education.PRIMARY: ("小学",),
    Education.JUNIOR: ("初中",),
    Education.SENIOR: ("高中/中专", "高中", "中专", "职高", "技校"),
    Education.COLLEGE: ("大专及以上", "大专", "本科", "大学", "研究生", "硕士", "博士"),
}
POLITICAL_LABELS: dict[str, tuple[str, ...]] = {
    Political.MASSES: ("群众",),
    Political.PARTY: ("中共党员", "党员", "中共预备党员", "预备党员"),
    Political.LEAGUE: ("共青团员", "团员"),
    Political.OTHER: ("其他党派", "民主党派"),
}


# ---- what the checks read ----------------------------------------------------------------


def holders(id_numbers: Iterable[str]) -> int:
    """How many people, of any village, hold one of these ID numbers."""
    wanted = sorted({blind_index(number) for number in id_numbers})
    people = Person.objects.filter
    return sum(
        people(id_number_bidx__in=wanted[start : start + LOOKUP_CHUNK]).count()
        for start in range(0, len(wanted), LOOKUP_CHUNK)
    )


def village_register(village: Region, id_numbers: Iterable[str]) -> tuple[Mark | int, ...]:
    """What household and people imports read: the region tree (villager groups, which village
    a person is in; marked whole, regions change rarely), the village's households, the people
    of the village and its groups, and who holds the file's ID numbers anywhere. A file is
    written only when the checks found every holder inside the village, so a person elsewhere
    who takes one of them meanwhile raises that count (a holder leaving the village changes the
    village's mark)."""
    regions = list(
        Region.objects.filter(path__startswith=village.path).values_list("pk", flat=True)
    )
    return (
        mark(Region),
        mark(Household, region_id=village.pk),
        mark(Person, region_id__in=regions),
        holders(id_numbers),
    )


def membership_register(village: Region, id_numbers: Iterable[str]) -> tuple[Mark | int, ...]:
    """What membership imports read: the people of the village, and every organisation, post,
    membership, vetting check and training record (marked whole: membership files are short,
    so the checks are too, and a change elsewhere at worst asks for the file again)."""
    tables = (Organisation, Post, Membership, VettingCheck, TrainingRecord)
    return (*village_register(village, id_numbers), *(mark(model) for model in tables))


# ---- importers ---------------------------------------------------------------------------


def _in_village(person: Person, village: Region) -> bool:
    return village.contains(person.region)


def _people_by_bidx(bidxs: Iterable[str], *, light: bool = False) -> dict[str, Person]:
    """Everyone holding one of these ID numbers, in any village (the caller tells them apart).
    `light` loads only what places a person, skipping the decryption of their personal data."""
    wanted = sorted(set(bidxs))
    people = Person.objects.select_related("region")
    if light:
        people = people.only("id", "name", "id_number_bidx", "region__path", "region__name")
    found = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        for person in people.filter(id_number_bidx__in=wanted[start : start + LOOKUP_CHUNK]):
            found[cast(str, person.id_number_bidx)] = person  # found by it: never None
    return found


class RegisterImporter(Importer[Record]):
    """An importer of the register: its checks read the village's people and households and
    who holds the file's ID numbers anywhere (`village_register`)."""

    ID_KEY = "id_number"  # the column holding ID numbers, looked up in every village

    def register_mark(self, rows: list[Row]) -> tuple:
        return village_register(self.village, self.id_numbers(rows))

    def id_numbers(self, rows: list[Row]) -> list[str]:
        return [row.values[self.ID_KEY] for row in rows if self.ID_KEY in row.values]


class HouseholdImporter(RegisterImporter[Household]):
    ID_KEY = "head"
    FLAGS = (
        "address",
        "elderly_only",
        "disabled_member",
        "absent",
        "low_income",
        "five_guarantees",
    )

    def check(self, rows: list[Row]) -> None:
        village = self.village
        groups = {}
        for group in Region.objects.filter(parent=village, kind=RegionKind.GROUP):
            groups[group.name] = groups[group.code] = group
        existing = {h.number: h for h in Household.objects.filter(region=village)}
        heads = _people_by_bidx(
            (blind_index(r.values["head"]) for r in rows if "head" in r.values), light=True
        )
        seen: dict[str, int] = {}
        for row in rows:
            v = row.values
            if v["number"] in seen:
                self.error(
                    row,
                    "number",
                    _("Household %(number)s is already on row %(row)d.")
                    % {"number": v["number"], "row": seen[v["number"]]},
                )
                continue
            seen[v["number"]] = row.number
            values = {key: v[key] for key in self.FLAGS if key in v}
            if "group" in v:
                values["group"] = groups.get(v["group"])
                if values["group"] is None:
                    self.error(
                        row,
                        "group",
                        _("%(village)s has no villager group %(group)s.")
                        % {"village": village.name, "group": v["group"]},
                    )
                    continue
            if "head" in v:
                head = heads.get(blind_index(v["head"]))
                if head is None:
                    # Households come before people: the head is linked by importing this file
                    # again once the people are in.
                    self.notice(
                        row,
                        "head",
                        _(
                            "Nobody in the register has this ID number yet, "
                            "so the head is not linked. Import the people, "
                            "then this file again."
                        ),
                    )
                elif not _in_village(head, village):
                    self.error(
                        row, "head", _("This ID number belongs to a person of another village.")
                    )
                    continue
                else:
                    values["head"] = head
            household = existing.get(v["number"]) or Household(region=village, number=v["number"])
            self.place(row, household, values)

    def write(self, reason: str) -> None:
        # Households carry no encrypted field and no computed column, so bulk writes are safe;
        # the *_with_history helpers keep the audit history complete.
        bulk_create_with_history(
            self.creates, Household, batch_size=LOOKUP_CHUNK, default_change_reason=reason
        )
        if self.updates:
            fields = sorted({name for _household, changed in self.updates for name in changed})
            bulk_update_with_history(
                [h for h, _changed in self.updates],
                Household,
                fields,
                batch_size=LOOKUP_CHUNK,
                default_change_reason=reason,
            )


def _born_and_sex(id_number: str) -> tuple[dt.date, str]:
    born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return born, Sex.MALE if int(id_number[16]) % 2 else Sex.FEMALE


class PersonImporter(RegisterImporter[Person]):
    FIELDS = (
        "name",
        "sex",
        "birth_date",
        "id_number",
        "phone",
        "education",
        "political_status",
        "household",
        "address",
        "may_serve",
    )

    def check(self, rows: list[Row]) -> None:
        village = self.village
        households = {h.number: h for h in Household.objects.filter(region=village)}
        mine = list(
            Person.objects.filter(region__path__startswith=village.path).select_related("region")
        )
        by_bidx = {p.id_number_bidx: p for p in mine if p.id_number_bidx}
        by_name: dict[tuple[Any, ...], list[Person]] = defaultdict(list)
        person: Person | None
        for person in mine:
            by_name[(person.name, person.birth_date)].append(person)
        file_bidx = {blind_index(r.values["id_number"]) for r in rows if "id_number" in r.values}
        elsewhere = set(_people_by_bidx(file_bidx - by_bidx.keys(), light=True))
        seen_ids: dict[str, int] = {}
        seen_names: dict[tuple, int] = {}
        matched: dict[int, int] = {}
        for row in rows:
            errors_before = len(self.report.errors)
            v = dict(row.values)
            id_number = v.get("id_number")
            if id_number:
                born, sex = _born_and_sex(id_number)
                if v.setdefault("birth_date", born) != born:
                    self.error(row, "birth_date", _("The birth date does not match the ID number."))
                if v["sex"] != sex:
                    self.error(row, "sex", _("The sex does not match the ID number."))
                if id_number in seen_ids:
                    self.error(
                        row,
                        "id_number",
                        _("Row %(row)d has the same ID number.") % {"row": seen_ids[id_number]},
                    )
                elif blind_index(id_number) in elsewhere:
                    self.error(
                        row,
                        "id_number",
                        _("This ID number belongs to a person of another village."),
                    )
                seen_ids.setdefault(id_number, row.number)
            elif "birth_date" not in v:
                self.error(row, "birth_date", _("Give the birth date or the ID number."))
            if "household" in v:
                v["household"] = households.get(v["household"])
                if v["household"] is None:
                    self.error(
                        row,
                        "household",
                        _("%(village)s has no household %(number)s; import the households first.")
                        % {"village": village.name, "number": row.values["household"]},
                    )
            if len(self.report.errors) > errors_before:
                continue
            person = by_bidx.get(blind_index(id_number)) if id_number else None
            if person is None:  # by name and birth date, never taking over someone else's ID
                candidates = [
                    p
                    for p in by_name[(v["name"], v["birth_date"])]
                    if not (id_number and p.id_number)
                ]
                if len(candidates) > 1:
                    self.error(
                        row,
                        "name",
                        _(
                            "Several people of this village have this name and "
                            "birth date; add the ID number to tell them apart."
                        ),
                    )
                    continue
                person = candidates[0] if candidates else None
            if person is not None:
                if person.pk in matched:
                    self.error(
                        row,
                        "name",
                        _("Row %(row)d already describes this person.")
                        % {"row": matched[person.pk]},
                    )
                    continue
                matched[person.pk] = row.number
            elif not id_number:
                key = (v["name"], v["birth_date"])
                if key in seen_names:
                    self.error(
                        row,
                        "name",
                        _(
                            "Row %(row)d has a person with the same name and birth "
                            "date; add the ID number to tell them apart."
                        )
                        % {"row": seen_names[key]},
                    )
                    continue
                seen_names[key] = row.number
            values = {key: v[key] for key in self.FIELDS if key in v}
            self.place(row, person or Person(region=village), values)

    def validate(self, row: Row, obj: Person) -> bool:
        try:
            person_clean(person=obj, exclude_pk=obj.pk)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.error(row, name, messages[0])
            return False
        return True

    def write(self, reason: str) -> None:
        # Bulk writes skip Person.save, so the ID number's blind index is computed here, as
        # save() would; the *_with_history helpers write the same history lines as save().
        for person in [*self.creates, *(p for p, _changed in self.updates)]:
            person.id_number_bidx = blind_index(person.id_number) if person.id_number else None
        bulk_create_with_history(
            self.creates, Person, batch_size=LOOKUP_CHUNK, default_change_reason=reason
        )
        if self.updates:
            fields = {name for _person, changed in self.updates for name in changed}
            if "id_number" in fields:
                fields.add("id_number_bidx")
            people = [person for person, _changed in self.updates]
            bulk_update_with_history(
                people,
                Person,
                sorted(fields),
                batch_size=LOOKUP_CHUNK,
                default_change_reason=reason,
            )


class MembershipImporter(RegisterImporter[Membership]):
    def register_mark(self, rows: list[Row]) -> tuple:
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
        seen: dict[tuple, int] = {}
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
                self.error(
                    row, "id_number", _("This ID number belongs to a person of another village.")
                )
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

    def _can_take(self, row, person, post, taken, opened) -> bool:
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


# ---- the layouts -------------------------------------------------------------------------


def _masked(person: Person | None) -> str:
    return person.masked_id_number if person else ""


HOUSEHOLDS = Layout(
    key="households",
    label=gettext_lazy("Households"),
    sheet="住户",
    sheet_aliases=("户籍", "户", "households"),
    model=Household,
    select_related=("region", "group", "head"),
    importer=HouseholdImporter,
    columns=(
        village_column(lambda h: h.region),
        Column(
            "number",
            "户号",
            ("household number", "户编号", "编号"),
            cells.text(20),
            required=True,
            help=gettext_lazy(
                "The household's number in the village register; unique in the village."
            ),
            example="0001",
            export=lambda h: h.number,
            text=True,
        ),
        Column(
            "group",
            "村民小组",
            ("villager group", "小组", "组别"),
            cells.text(100),
            help=gettext_lazy(
                "Name of the villager group; it must already exist under the village."
            ),
            example="第一村民小组",
            export=lambda h: h.group.name if h.group_id else "",
        ),
        Column(
            "head",
            "户主身份证号",
            ("head ID number", "户主身份证号码"),
            cells.parse_id_number,
            help=gettext_lazy(
                "ID number of the head of household, a person of the village. Import "
                "the households, then the people, then this file again to link heads."
            ),
            example=EXAMPLE_ID,
            export=lambda h: _masked(h.head),
            text=True,
        ),
        Column("head_name", "户主姓名", export=lambda h: h.head.name if h.head_id else ""),
        Column(
            "address",
            "地址",
            ("address", "住址", "门牌"),
            cells.text(200),
            help=gettext_lazy("Address of the household."),
            example="一组12号",
            export=lambda h: h.address,
        ),
        Column(
            "elderly_only",
            "仅老人户",
            ("elderly only", "老人户"),
            cells.parse_bool,
            help=gettext_lazy("是 if only elderly people live here (exempt from duty)."),
            example="否",
            export=lambda h: cells.yes_no(h.elderly_only),
        ),
        Column(
            "disabled_member",
            "有残疾人",
            ("disabled member", "残疾人户"),
            cells.parse_bool,
            help=gettext_lazy("是 if a member of the household is disabled (exempt from duty)."),
            example="否",
            export=lambda h: cells.yes_no(h.disabled_member),
        ),
        Column(
            "absent",
            "外出/不在家",
            ("away", "外出", "不在家", "外出户"),
            cells.parse_bool,
            help=gettext_lazy("是 if the household is away working elsewhere (exempt from duty)."),
            example="否",
            export=lambda h: cells.yes_no(h.absent),
        ),
        Column(
            "low_income",
            "低保",
            ("minimum living allowance", "低保户"),
            cells.parse_bool,
            help=gettext_lazy("是 if the household receives the minimum living allowance."),
            example="否",
            export=lambda h: cells.yes_no(h.low_income),
        ),
        Column(
            "five_guarantees",
            "五保",
            ("five guarantees", "五保户"),
            cells.parse_bool,
            help=gettext_lazy("是 if the household receives the five guarantees."),
            example="否",
            export=lambda h: cells.yes_no(h.five_guarantees),
        ),
    ),
)

PEOPLE = Layout(
    key="people",
    label=gettext_lazy("People"),
    sheet="人员",
    sheet_aliases=("人口", "村民", "people"),
    model=Person,
    select_related=("region", "household"),
    importer=PersonImporter,
    columns=(
        village_column(lambda p: p.region),
        Column(
            "name",
            "姓名",
            ("name",),
            cells.text(50),
            required=True,
            help=gettext_lazy("Full name."),
            example="王秀英",
            export=lambda p: p.name,
        ),
        Column(
            "sex",
            "性别",
            ("sex", "gender"),
            cells.choice(SEX_LABELS, Sex),
            required=True,
            help=gettext_lazy("男 or 女."),
            example="女",
            export=lambda p: cells.choice_label(SEX_LABELS, p.sex),
        ),
        Column(
            "birth_date",
            "出生日期",
            ("birth date", "出生年月日", "生日"),
            cells.parse_date,
            help=gettext_lazy("YYYY-MM-DD. May be left empty when the ID number is given."),
            example=dt.date(1949, 12, 31),
            export=lambda p: p.birth_date,
        ),
        Column(
            "id_number",
            "身份证号",
            ("ID number", "身份证号码", "公民身份号码"),
            cells.parse_id_number,
            help=gettext_lazy(
                "18 characters. Format the column as text so Excel keeps every digit. "
                "People are matched by it; without it, by name and birth date."
            ),
            example=EXAMPLE_ID,
            export=lambda p: p.masked_id_number,
            text=True,
        ),
        Column(
            "phone",
            "电话",
            ("phone", "联系电话", "手机", "手机号"),
            cells.parse_phone,
            help=gettext_lazy("Mobile number or landline with its area code."),
            example="13800138000",
            export=lambda p: p.masked_phone,
            text=True,
        ),
        Column(
            "education",
            "文化程度",
            ("education", "学历"),
            cells.choice(EDUCATION_LABELS, Education),
            help=gettext_lazy("未上学, 小学, 初中, 高中/中专 or 大专及以上."),
            example="小学",
            export=lambda p: cells.choice_label(EDUCATION_LABELS, p.education),
        ),
        Column(
            "political_status",
            "政治面貌",
            ("political status",),
            cells.choice(POLITICAL_LABELS, Political),
            help=gettext_lazy("群众, 中共党员, 共青团员 or 其他党派."),
            example="群众",
            export=lambda p: cells.choice_label(POLITICAL_LABELS, p.political_status),
        ),
        Column(
            "household",
            "户号",
            ("household number", "household"),
            cells.text(20),
            help=gettext_lazy(
                "Number of the person's household; the household must already be imported."
            ),
            example="0001",
            export=lambda p: p.household.number if p.household_id else "",
            text=True,
        ),
        Column(
            "address",
            "住址",
            ("address", "地址"),
            cells.text(200),
            help=gettext_lazy("Address, if different from the household's."),
            example="一组12号",
            export=lambda p: p.address,
        ),
        Column(
            "may_serve",
            "可参加值守",
            ("may serve", "可值守", "可参加巡逻"),
            cells.parse_bool,
            help=gettext_lazy("是 if the person may serve on duty for the household."),
            example="否",
            export=lambda p: cells.yes_no(p.may_serve),
        ),
    ),
)

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
        Column(
            "id_number",
            "身份证号",
            ("ID number", "身份证号码", "公民身份号码"),
            cells.parse_id_number,
            required=True,
            help=gettext_lazy("ID number of a person of the village, already imported."),
            example=EXAMPLE_ID,
            export=lambda m: m.person.masked_id_number,
            text=True,
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

LAYOUTS: dict[str, Layout] = {layout.key: layout for layout in (HOUSEHOLDS, PEOPLE, MEMBERSHIPS)}


# ---- files in and out --------------------------------------------------------------------


def import_file(
    *, layout: str, village: Region, file, filename: str, dry_run: bool = False
) -> ImportReport:
    """Import one file into one village: everything or nothing. With `dry_run`, only check and
    count what would change."""
    return layout_import(
        layout=LAYOUTS[layout],
        village=village,
        file=file,
        filename=filename,
        dry_run=dry_run,
        siblings=LAYOUTS.values(),
    )


def export_file(*, layout: str, queryset: QuerySet, fmt: str) -> bytes:
    """The caller passes an already scoped queryset (`Model.objects.visible_to(user)`); ID
    numbers and phones are masked."""
    return layout_export(layout=LAYOUTS[layout], queryset=queryset, fmt=fmt)


def template_file(*, layout: str, fmt: str) -> bytes:
    """Headers, one example row and, in Excel, a sheet 说明 explaining every column."""
    return layout_template(layout=LAYOUTS[layout], fmt=fmt)
