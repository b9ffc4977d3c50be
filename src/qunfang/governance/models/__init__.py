"""Governance: meetings (例会), training (培训), selection and appointment (选聘), written rules
(制度), mandates and division of work. One module per book."""

from qunfang.governance.models.mandates import Mandate, Ownership
from qunfang.governance.models.meetings import (
    Attendance,
    AttendanceStatus,
    Decision,
    DecisionStatus,
    EvidenceKind,
    Frequency,
    Meeting,
    MeetingEvidence,
    MeetingKind,
    MeetingSchedule,
    MeetingStatus,
    RollCallBy,
)
from qunfang.governance.models.rules import ModelText, Rule, RuleKind, RuleRevision
from qunfang.governance.models.selection import (
    OPEN_CANDIDACY,
    Candidacy,
    CandidacyStatus,
    Dismissal,
    NominatedBy,
)
from qunfang.governance.models.training import Course, CourseStatus, Enrolment

__all__ = [
    "OPEN_CANDIDACY",
    "Attendance",
    "AttendanceStatus",
    "Candidacy",
    "CandidacyStatus",
    "Course",
    "CourseStatus",
    "Decision",
    "DecisionStatus",
    "Dismissal",
    "Enrolment",
    "EvidenceKind",
    "Frequency",
    "Mandate",
    "Meeting",
    "MeetingEvidence",
    "MeetingKind",
    "MeetingSchedule",
    "MeetingStatus",
    "ModelText",
    "NominatedBy",
    "Ownership",
    "RollCallBy",
    "Rule",
    "RuleKind",
    "RuleRevision",
]
