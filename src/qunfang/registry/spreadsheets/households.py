"""The households file: a row per household of the village, matched by the household number;
its head is linked by ID number once the people are in."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qunfang.core.crypto import blind_index
from qunfang.core.models import Region, RegionKind
from qunfang.core.spreadsheets import Column, Layout, Row, cells, village_column
from qunfang.registry.models import Household, Person
from qunfang.registry.spreadsheets.columns import _id_number_column, _yes_no_column
from qunfang.registry.spreadsheets.register import (
    RegisterImporter,
    _in_village,
    _people_by_bidx,
)


class HouseholdImporter(RegisterImporter[Household]):
    ID_KEY = "head"
    FIELDS = ("address", *Household.FLAGS)

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
            values = {key: v[key] for key in self.FIELDS if key in v}
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
                    self.of_another_village(row, "head")
                    continue
                else:
                    values["head"] = head
            household = existing.get(v["number"]) or Household(region=village, number=v["number"])
            self.place(row, household, values)

    def write(self, reason: str) -> None:
        # Households carry no encrypted field and no computed column: bulk writes are safe.
        self.write_in_bulk(Household, reason)


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
        _id_number_column(
            "head",
            "户主身份证号",
            ("head ID number", "户主身份证号码"),
            help=gettext_lazy(
                "ID number of the head of household, a person of the village. Import "
                "the households, then the people, then this file again to link heads."
            ),
            export=lambda h: _masked(h.head),
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
        _yes_no_column(
            "elderly_only",
            "仅老人户",
            ("elderly only", "老人户"),
            help=gettext_lazy("是 if only elderly people live here (exempt from duty)."),
        ),
        _yes_no_column(
            "disabled_member",
            "有残疾人",
            ("disabled member", "残疾人户"),
            help=gettext_lazy("是 if a member of the household is disabled (exempt from duty)."),
        ),
        _yes_no_column(
            "absent",
            "外出/不在家",
            ("away", "外出", "不在家", "外出户"),
            help=gettext_lazy("是 if the household is away working elsewhere (exempt from duty)."),
        ),
        _yes_no_column(
            "low_income",
            "低保",
            ("minimum living allowance", "低保户"),
            help=gettext_lazy("是 if the household receives the minimum living allowance."),
        ),
        _yes_no_column(
            "five_guarantees",
            "五保",
            ("five guarantees", "五保户"),
            help=gettext_lazy("是 if the household receives the five guarantees."),
        ),
    ),
)
