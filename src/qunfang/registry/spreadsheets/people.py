"""The people file: a row per person of the village, matched by the ID number, or by name and
birth date when it is not given."""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qunfang.core.spreadsheets import Column, Layout, Row, cells, village_column
from qunfang.registry.models import Education, Household, Person, Political, Sex
from qunfang.registry.spreadsheets.columns import (
    ID_NUMBER_ALIASES,
    _id_number_column,
    _yes_no_column,
)
from qunfang.registry.spreadsheets.register import (
    RegisterImporter,
    VillagePeople,
    id_disagreements,
    person_problems,
    write_people,
)

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
        people = VillagePeople(village, self.id_numbers(rows))
        for row in rows:
            errors_before = len(self.report.errors)
            v = dict(row.values)
            id_number = v.get("id_number")
            if id_number:
                for key, message in id_disagreements(v, id_number):
                    self.error(row, key, message)
                if problem := people.id_problem(row, id_number):
                    self.error(row, "id_number", problem)
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
            person, problem = people.find(row, v["name"], v["birth_date"], id_number)
            if problem:
                self.error(row, "name", problem)
                continue
            values = {key: v[key] for key in self.FIELDS if key in v}
            self.place(row, person or Person(region=village), values)

    def validate(self, row: Row, obj: Person) -> bool:
        problems = person_problems(obj)
        for name, message in problems.items():
            self.error(row, name, message)
        return not problems

    def write(self, reason: str) -> None:
        write_people(self.creates, self.updates, reason)


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
        _id_number_column(
            "id_number",
            "身份证号",
            ID_NUMBER_ALIASES,
            help=gettext_lazy(
                "18 characters. Format the column as text so Excel keeps every digit. "
                "People are matched by it; without it, by name and birth date."
            ),
            export=lambda p: p.masked_id_number,
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
        _yes_no_column(
            "may_serve",
            "可参加值守",
            ("may serve", "可值守", "可参加巡逻"),
            help=gettext_lazy("是 if the person may serve on duty for the household."),
        ),
    ),
)
