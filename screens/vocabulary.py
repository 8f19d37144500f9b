"""The journal's words, one table each: roles, grades and their kinds, attendance marks and
absence reasons, attestation forms, document kinds, an announcement's audience. Screens and
buttons take their labels from here, in the current locale, as plain text (the markup helper
escapes them where they go into HTML)."""

from __future__ import annotations

from core.i18n import LazyProxy, __
from services.announcements.service import Kind as Audience
from storage.models import (
    AbsenceReason,
    AttestationForm,
    DocumentKind,
    GradeKind,
    Mark,
    OrderKind,
    Role,
    StudentStatus,
)

ROLE_NAMES: dict[Role, LazyProxy] = {
    Role.TEACHER: __("Teacher"),
    Role.CURATOR: __("Curator"),
    Role.PARENT: __("Parent"),
    Role.STUDENT: __("Student"),
    Role.DEPUTY: __("Deputy director"),
    Role.SECRETARY: __("Secretary"),
    Role.ADMIN: __("Administrator"),
    Role.DIRECTOR: __("Director"),
    Role.REGIONAL: __("Regional specialist"),
}

# Grades are 2 to 5 as typed, or pass / fail.
GRADE_WORDS: dict[str, LazyProxy] = {"pass": __("pass"), "fail": __("fail")}

GRADE_KINDS: dict[GradeKind, LazyProxy] = {
    GradeKind.CURRENT: __("current"),
    GradeKind.TEST: __("test"),
    GradeKind.PRACTICAL: __("practical"),
    GradeKind.LAB: __("lab"),
    GradeKind.ORAL: __("oral"),
    GradeKind.EXAM: __("exam"),
}

MARK_ICONS = {Mark.PRESENT: "✅", Mark.ABSENT: "❌", Mark.LATE: "⏰"}
MARK_WORDS: dict[Mark, LazyProxy] = {
    Mark.PRESENT: __("present"),
    Mark.ABSENT: __("absent"),
    Mark.LATE: __("late"),
}

REASON_WORDS: dict[AbsenceReason, LazyProxy] = {
    AbsenceReason.ILLNESS: __("illness"),
    AbsenceReason.EXCUSED: __("excused"),
    AbsenceReason.UNEXCUSED: __("unexcused"),
}

ATTESTATION_FORMS: dict[AttestationForm, LazyProxy] = {
    AttestationForm.EXAM: __("exam"),
    AttestationForm.DIFF_CREDIT: __("diff. credit"),
    AttestationForm.CREDIT: __("credit"),
    AttestationForm.COURSE_WORK: __("course work"),
    AttestationForm.QUALIFICATION_EXAM: __("qualification exam"),
    AttestationForm.NONE: __("no attestation"),
}

DOCUMENT_KINDS: dict[DocumentKind, LazyProxy] = {
    DocumentKind.WORK_PROGRAMME: __("work programme"),
    DocumentKind.KTP: __("calendar-thematic plan (КТП)"),
}
# The same at the start of a line or a caption.
DOCUMENT_TITLES: dict[DocumentKind, LazyProxy] = {
    DocumentKind.WORK_PROGRAMME: __("Work programme"),
    DocumentKind.KTP: __("Calendar-thematic plan (КТП)"),
}

AUDIENCES: dict[Audience, LazyProxy] = {
    Audience.STUDENTS: __("Students"),
    Audience.PARENTS: __("Parents"),
    Audience.TEACHERS: __("Teachers"),
    Audience.CURATORS: __("Curators"),
    Audience.STAFF: __("All staff of the college"),
}


def role_name(role: Role) -> str:
    return str(ROLE_NAMES[role])


def grade_label(value: str) -> str:
    """A grade as people read it: the number, or the word for pass and fail."""
    word = GRADE_WORDS.get(value)
    return str(word) if word is not None else value


def kind_label(kind: GradeKind) -> str:
    return str(GRADE_KINDS[kind])


def mark_word(mark: Mark | None) -> str:
    """No mark reads as present: the register records absences and lateness."""
    return str(MARK_WORDS[mark or Mark.PRESENT])


def reason_word(reason: AbsenceReason) -> str:
    return str(REASON_WORDS[reason])


def form_label(form: AttestationForm) -> str:
    return str(ATTESTATION_FORMS[form])


def document_kind(kind: DocumentKind) -> str:
    return str(DOCUMENT_KINDS[kind])


def document_title(kind: DocumentKind) -> str:
    return str(DOCUMENT_TITLES[kind])


def audience_label(kind: Audience) -> str:
    return str(AUDIENCES[kind])


ORDER_KINDS: dict[OrderKind, LazyProxy] = {
    OrderKind.ENROLMENT: __("enrolment"),
    OrderKind.TRANSFER: __("transfer to another group"),
    OrderKind.ACADEMIC_LEAVE: __("academic leave"),
    OrderKind.REINSTATEMENT: __("return from academic leave"),
    OrderKind.EXPULSION: __("expulsion"),
    OrderKind.NEXT_COURSE: __("whole group to the next course"),
    OrderKind.GRADUATION: __("graduation of a group"),
}

STUDENT_STATUSES: dict[StudentStatus, LazyProxy] = {
    StudentStatus.STUDYING: __("studying"),
    StudentStatus.ACADEMIC_LEAVE: __("on academic leave"),
    StudentStatus.EXPELLED: __("expelled"),
    StudentStatus.GRADUATED: __("graduated"),
}


def order_kind(kind: OrderKind) -> str:
    return str(ORDER_KINDS[kind])


def student_status(status: StudentStatus) -> str:
    return str(STUDENT_STATUSES[status])
