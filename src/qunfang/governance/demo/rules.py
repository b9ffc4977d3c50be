"""The demo's written rules (制度) in 枫桥镇: the township's model texts of the eight rules (and
an outdated patrol-duty text it withdrew), and each village organisation's rules adopted from
them — most at one of the organisation's held meetings of the year (the meetings demo runs
first), some adapted to the village, some revised once since, a few of the villages' own.

Gaps, so that the flag shows: 乐山村's mediation committee has no confidentiality rule, and the
village that meets irregularly (demo.meetings) lacks several rules. 枫源村's patrol team had an
old patrol-duty rule (from the withdrawn text), repealed when it adopted the new one.

Which rules each organisation must have comes from the township's mandates (the mandates demo
runs before), else the defaults (`selectors.rules.required_rules_table`). The year has happened,
so it is made in memory and written with `qunfang.core.bulk.insert()` (no history rows)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from qunfang.core.bulk import insert
from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext
from qunfang.core.models import Region, User
from qunfang.governance.demo.meetings import IRREGULAR, in_words_of, patterns
from qunfang.governance.models import Meeting, MeetingStatus, ModelText, Rule, RuleRevision
from qunfang.governance.selectors.rules import required_for, required_rules_table
from qunfang.registry.models import Organisation, OrgKind, OrgStatus

# the rule's name as it reads in a title (the kinds' labels carry the English too)
NAMES = {
    "meetings": "例会制度",
    "assessment": "考核制度",
    "registration": "登记制度",
    "reporting": "汇报请示制度",
    "rewards": "奖惩制度",
    "confidentiality": "保密制度",
    "patrol": "巡逻值班制度",
    "mediation": "调解工作制度",
}


def _articles(*articles: str) -> str:
    """A rule's text: one article (条) a line."""
    return "\n".join(articles)


MODEL_TEXTS: dict[str, str] = {
    "meetings": _articles(
        "第一条 为加强群防群治组织建设，定期学习、部署和反馈工作，制定本制度。",
        "第二条 治保会每月召开一次例会，一般在每月上旬；巡逻队每周召开一次队务会；调解委员会每季度"
        "召开一次矛盾纠纷排查会。遇有重大情况随时召开。",
        "第三条 例会由组织负责人主持，主要内容是：学习党和国家的方针政策、法律法规和业务知识；通报"
        "本村治安形势；分析案件和矛盾纠纷；部署下阶段工作；检查上次会议决定事项的落实情况。",
        "第四条 组织成员应当按时参加例会，不能参加的须事先向负责人请假。无故缺席三次以上的，按考核"
        "制度处理。",
        "第五条 每次例会应当指定专人做好会议记录，载明时间、地点、参加人员、议题和决定事项；决定事"
        "项明确责任人和完成时限，下次例会通报落实情况。",
        "第六条 会议记录、签到表等材料归入台账，妥善保管，接受镇综治办检查。",
    ),
    "assessment": _articles(
        "第一条 为落实岗位责任制，调动群防群治队伍的积极性，制定本制度。",
        "第二条 考核实行平时考核与年终考核相结合。平时考核以考勤、巡逻登记、例会出勤和工作完成情况"
        "为主，由组织负责人按月记录。",
        "第三条 年终考核内容包括：思想政治表现；履行岗位职责情况；参加例会和培训情况；巡逻、值班和"
        "调解等工作的数量与质量；群众评议意见。",
        "第四条 考核结果分为优秀、称职、基本称职、不称职四个等次。优秀等次一般不超过总人数的百分之"
        "二十。",
        "第五条 考核结果在村务公开栏公示，作为评先评优、发放误工补贴和续聘、解聘的依据。",
        "第六条 连续两年考核不称职的，报村委会同意后予以解聘。",
    ),
    "registration": _articles(
        "第一条 为做到事事有登记、件件有着落，制定本制度。",
        "第二条 各组织应当建立并使用以下登记簿：治安巡逻登记簿、案件（事件）登记簿、安全检查登记簿"
        "、矛盾纠纷排查调处登记簿、群众意见簿、例会记录簿。",
        "第三条 登记应当及时、准确、完整，写明时间、地点、人员、事由和处理结果，由登记人签名。不得"
        "事后补记、涂改；确需更正的，划线更正并由更正人签名。",
        "第四条 重大案件、可疑情况和重大矛盾纠纷，登记后应当立即报告组织负责人。",
        "第五条 各类登记簿由专人保管，每月由负责人审核签字，年终整理归档，保存期限不少于三年。",
        "第六条 镇综治办每季度对登记情况进行检查，检查结果纳入年终考核。",
    ),
    "reporting": _articles(
        "第一条 为及时掌握治安动态，做到上情下达、下情上报，制定本制度。",
        "第二条 各组织每月向村委会和镇综治办汇报一次工作，汇报内容包括治安情况、案件和矛盾纠纷的发"
        "生与处理情况、存在的问题和下一步打算。",
        "第三条 发生下列情况的，应当立即向派出所和镇综治办报告，最迟不超过一小时：刑事案件和重大治"
        "安案件；群体性事件苗头；重大安全隐患；可能激化的矛盾纠纷。",
        "第四条 经常向基层组织和公安派出所汇报、反映治安情况；遇有重大问题，及时请示，不得擅自处理"
        "，不得隐瞒、迟报、漏报。",
        "第五条 汇报可以采用书面、电话或者当面汇报的方式，紧急情况先电话报告，事后补交书面材料。",
        "第六条 汇报请示情况应当登记备查。因迟报、漏报、瞒报造成严重后果的，追究有关人员责任。",
    ),
    "rewards": _articles(
        "第一条 为表彰先进、鞭策后进，调动群防群治人员的积极性，制定本制度。",
        "第二条 有下列情形之一的，给予表彰或者奖励：协助抓获违法犯罪嫌疑人的；及时发现并排除重大安"
        "全隐患的；成功调解重大矛盾纠纷、防止矛盾激化的；年终考核优秀的；见义勇为、事迹突出的。",
        "第三条 奖励分为口头表扬、通报表彰、颁发荣誉证书和物质奖励，可以合并使用。",
        "第四条 有下列情形之一的，视情节给予批评教育、通报批评、扣减补贴直至解聘：无故不参加巡逻、"
        "值班和例会的；工作失职造成损失的；泄露工作秘密的；利用职务之便谋取私利的。",
        "第五条 奖惩由组织负责人提出意见，经例会讨论，报村委会决定，结果在村务公开栏公示。",
        "第六条 对工作不力的，督促落实整改措施，整改情况在下次例会通报。",
    ),
    "confidentiality": _articles(
        "第一条 为保守工作秘密，保护举报人和当事人的合法权益，制定本制度。",
        "第二条 群防群治组织成员应当严格保守下列秘密：举报人、证人的姓名和联系方式；案件的侦查、调"
        "查情况；当事人的个人隐私；上级布置的专项工作部署。",
        "第三条 不得向无关人员透露举报内容和举报人情况；不得在公共场所、微信群谈论涉密工作；不得私"
        "自复制、拍摄、带走工作台账。",
        "第四条 涉密材料由专人负责，存放在带锁的文件柜内；借阅须经负责人同意并登记。",
        "第五条 组织成员离任时，应当交回全部工作材料，离任后仍负有保密义务。",
        "第六条 违反本制度泄露秘密的，按奖惩制度处理；造成严重后果的，移交有关部门依法处理。",
    ),
    "patrol": _articles(
        "第一条 为加强治安防范，保持巡逻工作的长效性，制定本制度。",
        "第二条 巡逻队实行轮班执勤，按排班表巡逻。夜间巡逻时间一般为20时至次日4时，每班不少于两人"
        "；节假日、农忙季节和案件多发时段增加班次。",
        "第三条 巡逻人员应当按时到岗，佩戴标志，携带必要装备，按规定路线巡逻，重点巡查村委会、学校"
        "、祠堂、仓库等要害部位和偏僻路段。",
        "第四条 巡逻中发现可疑人员和情况的，应当依法盘问，及时报告；遇有违法犯罪行为，在确保自身安"
        "全的前提下制止，并立即报警。",
        "第五条 巡逻结束后，当班人员应当如实填写巡逻登记，交接班时交代清楚情况。",
        "第六条 无故缺岗、脱岗、睡岗的，按考核制度和奖惩制度处理。",
    ),
    "mediation": _articles(
        "第一条 为规范人民调解工作，及时化解矛盾纠纷，依据《中华人民共和国人民调解法》，制定本制度"
        "。",
        "第二条 调解委员会坚持依法调解、自愿平等、尊重当事人权利的原则，调解不收取任何费用。",
        "第三条 对当事人申请调解和排查发现的矛盾纠纷，应当及时受理、登记，一般纠纷在十五日内调结。",
        "第四条 调解应当查明事实、分清是非，耐心疏导，促使当事人在平等协商的基础上自愿达成协议。达"
        "成协议的，制作调解协议书。",
        "第五条 对调解不成或者可能激化的纠纷，应当及时上报村委会和镇司法所，并采取必要的预防措施。",
        "第六条 调解结束后按规定回访，了解协议履行情况；调解卷宗按年度整理归档。",
    ),
}
OLD_PATROL_TEXT = """第一条 巡逻队每晚安排巡逻一次。
第二条 巡逻时间为21时至24时，每班一人。
第三条 巡逻结束后向队长口头报告。"""

# a later revision of some rules: the article added, and what the revision says it changed
REVISIONS: dict[str, tuple[str, str]] = {
    "meetings": ("第七条 例会可以结合以会代训，每季度至少安排一次业务培训。", "增加以会代训的规定"),
    "assessment": ("第七条 考核时听取村民小组长和群众代表的意见。", "增加群众评议的方式"),
    "registration": (
        "第七条 各类登记簿同时录入群防系统，纸质台账与系统记录一致。",
        "增加系统录入要求",
    ),
    "reporting": ("第七条 电信网络诈骗警情和线索，当日报告派出所。", "增加电信诈骗线索的报告时限"),
    "rewards": ("第七条 年度奖励资金由村集体经费列支，发放情况公示。", "明确奖励资金来源"),
    "confidentiality": (
        "第七条 工作微信群只通报工作安排，不发布涉及举报人的信息。",
        "增加微信群的保密要求",
    ),
    "patrol": ("第七条 夏季（6月至9月）夜间巡逻时间调整为21时至次日5时。", "调整夏季巡逻时间"),
    "mediation": ("第七条 重大疑难纠纷邀请镇司法所、派出所共同参与调解。", "增加联合调解的规定"),
}
LOCAL_CLAUSE = "本制度经{org}会议讨论通过，自通过之日起施行，由{org}负责解释。"
REPEAL_REASON = "制度陈旧，每班一人、只巡到24时已不适应夜间防控需要，由新的巡逻值班制度代替"

FROM_MODEL = 0.85  # share of rules adopted from the township's text; the rest are their own
ADAPTED = 0.5  # of those from a text, share adapted to the village
REVISED = 0.22  # share revised once since


def _title(org: Organisation, kind: str) -> str:
    return f"{org.name}{NAMES[kind]}"


def _adapted(village: Region, org: Organisation, text: str) -> str:
    return in_words_of(village, text) + "\n" + LOCAL_CLAUSE.format(org=org.name)


class _Writer:
    """The rules of the township's villages, made in memory, then written in three inserts."""

    def __init__(self, context: DemoContext, township: Region, published_on: dt.date) -> None:
        self.rng: random.Random = context.rng
        self.today = context.today
        self.published_on = published_on
        self.director: User | None = context.accounts.get("director1")
        self.township = township
        self.texts: dict[str, ModelText] = {}
        self.rules: list[Rule] = []
        self.revisions: list[RuleRevision] = []

    def model_texts(self) -> None:
        old = ModelText(
            region=self.township,
            kind="patrol",
            title="巡逻值班制度（示范文本，2019年版）",
            text=OLD_PATROL_TEXT,
            published_on=dt.date(self.published_on.year - 6, 3, 1),
            withdrawn_on=self.published_on,
        )
        self.texts = {
            kind: ModelText(
                region=self.township,
                kind=kind,
                title=f"{NAMES[kind]}（示范文本）",
                text=text,
                published_on=self.published_on,
            )
            for kind, text in MODEL_TEXTS.items()
        }
        insert(ModelText, [old, *self.texts.values()])
        self.old_patrol = old

    def adopt(
        self,
        org: Organisation,
        kind: str,
        day: dt.date,
        meeting_id: int | None,
        revision: tuple[dt.date, int | None] | None,
    ) -> Rule:
        """One rule of `org` adopted on `day` (at the meeting, if any); some revised on the day
        of `revision` (at its meeting, if any)."""
        rng = self.rng
        model_text = self.texts[kind] if rng.random() < FROM_MODEL else None
        text = MODEL_TEXTS[kind]
        if model_text is None or rng.random() < ADAPTED:
            text = _adapted(org.region, org, text)
        rule = Rule(
            organisation=org,
            kind=kind,
            title=_title(org, kind),
            model_text=model_text,
            adopted_on=day,
        )
        self.rules.append(rule)
        note = "" if model_text is None or text == model_text.text else "结合本村实际作了修改"
        self._revision(rule, 1, text, day, meeting_id, note)
        if revision is not None and rng.random() < REVISED:
            when, meeting = revision
            added, why = REVISIONS[kind]
            self._revision(rule, 2, text + "\n" + added, when, meeting, why)
        return rule

    def _revision(
        self, rule: Rule, number: int, text: str, day: dt.date, meeting: int | None, note: str
    ) -> None:
        self.revisions.append(
            RuleRevision(
                rule=rule,
                number=number,
                text=text,
                adopted_on=day,
                meeting_id=meeting,
                change_note=note,
                recorded_by=self.director if rule.organisation.region.code == VILLAGE_1 else None,
            )
        )

    def repealed_before(self, org: Organisation, until: dt.date) -> None:
        """An old patrol-duty rule of `org`, from the withdrawn text, repealed on `until`."""
        adopted = self.old_patrol.published_on + dt.timedelta(days=40)
        rule = Rule(
            organisation=org,
            kind="patrol",
            title=f"{org.name}巡逻值班制度（2019年）",
            model_text=self.old_patrol,
            adopted_on=adopted,
            repealed_on=until,
            repeal_reason=REPEAL_REASON,
        )
        self.rules.append(rule)
        self._revision(rule, 1, OLD_PATROL_TEXT, adopted, None, "")

    def write(self) -> None:
        insert(Rule, self.rules)
        insert(RuleRevision, self.revisions)


def _gaps(villages: list[Region]) -> dict[tuple[str, str], frozenset[str]]:
    """(village code, organisation kind) -> the rules it never adopted."""
    gaps = {(VILLAGE_2, str(OrgKind.MEDIATION_COMMITTEE)): frozenset({"confidentiality"})}
    irregular = [code for code, way in patterns(villages).items() if way == IRREGULAR]
    for code in irregular[:1]:
        gaps[(code, str(OrgKind.SECURITY_COMMITTEE))] = frozenset({"assessment", "confidentiality"})
        gaps[(code, str(OrgKind.PATROL_TEAM))] = frozenset({"patrol"})
    return gaps


def _held_meetings(orgs: list[Organisation]) -> dict[int, list[tuple[dt.date, int]]]:
    """Each organisation's held meetings, oldest first, as (day, id)."""
    held: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    rows = (
        Meeting.objects.filter(organisation__in=orgs, status=MeetingStatus.HELD)
        .order_by("held_at", "pk")
        .values_list("organisation_id", "pk", "held_at")
    )
    for org_id, pk, held_at in rows:
        if held_at is not None:
            held[org_id].append((timezone.localdate(held_at), pk))
    return held


def step(context: DemoContext) -> None:
    township = context.township
    if township is None:
        return
    today = context.today
    writer = _Writer(context, township, today - dt.timedelta(days=420))
    writer.model_texts()
    orgs = list(
        Organisation.objects.filter(region__parent=township, status=OrgStatus.ACTIVE)
        .select_related("region")
        .order_by("region__path", "kind", "name")
    )
    table = required_rules_table([township.pk])
    held = _held_meetings(orgs)
    gaps = _gaps(context.villages)
    rng = context.rng
    for org in orgs:
        required = required_for(table, township.pk, org.kind)
        skipped = gaps.get((org.region.code, org.kind), frozenset())
        meetings = held.get(org.pk, [])
        if meetings:  # the rules are adopted together at one of the year's first meetings
            day, meeting_id = meetings[min(len(meetings) - 1, rng.randint(0, 2))]
            adoption: int | None = meeting_id
        else:
            day = writer.published_on + dt.timedelta(days=rng.randint(20, 100))
            adoption = None
        # the meeting (or, without one, the day) that revised some of them since
        later = [(d, m) for d, m in meetings if d >= day + dt.timedelta(days=60)]
        revision: tuple[dt.date, int | None] | None = rng.choice(later) if later else None
        if revision is None and (today - day).days > 90:
            revision = (day + dt.timedelta(days=rng.randint(90, (today - day).days)), None)
        for kind in required:
            if kind in skipped:
                continue
            if (
                org.region.code == VILLAGE_1
                and org.kind == OrgKind.PATROL_TEAM
                and kind == "patrol"
            ):
                writer.repealed_before(org, day)
            writer.adopt(org, kind, day, adoption, revision)
    writer.write()
