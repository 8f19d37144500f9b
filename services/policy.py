"""Who may do what in the journal: one table of rights by role, and the rule each right follows.

A right (``Action``) is something a person does in the journal. A role grants a set of rights
(``RIGHTS``); a person's rights are those of every role they hold, computed once when the actor
is made (services/access.py). A college's own position (§3.3.6) is based on a role, which
decides the scope (the groups curated, the college), and grants the rights its words name
(``WORDS``) instead of the role's: a person holding it sees and does exactly those. Each right
follows one rule (``RULES``) saying what it reaches: the person's college, their own lessons
and the groups and disciplines they teach, the groups they curate, their children, themself.
The deputy director's ``KEEP_COLLEGE_JOURNAL`` stands in for the teacher's and the curator's
rights in every lesson, group and student of the college (``STANDS_IN``).

This module knows only what the actor carries. What needs the store (teaching assignments, a
student's age) or the clock (the edit window, a closed period) is checked by the use cases,
which ask here for the right itself.

``python -m services.policy`` prints the table docs/permissions.md holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from core.errors import Denied
from storage.absences import StudentInfo
from storage.models import Group, Lesson, Role


class Action(StrEnum):
    """What a person may do in the journal."""

    MARK_REGISTER = "mark_register"
    GRADE = "grade"
    EDIT_LESSON_DETAILS = "edit_lesson_details"
    GRADE_ATTESTATION = "grade_attestation"
    UPLOAD_WORK_PROGRAMMES = "upload_work_programmes"
    READ_GROUP_JOURNALS = "read_group_journals"
    KEEP_COLLEGE_JOURNAL = "keep_college_journal"
    CORRECT_AFTER_WINDOW = "correct_after_window"
    SET_ABSENCE_REASON = "set_absence_reason"
    DECIDE_CERTIFICATE = "decide_certificate"
    ISSUE_INVITES = "issue_invites"
    ANNOUNCE_GROUP = "announce_group"
    ANNOUNCE_COLLEGE = "announce_college"
    READ_DIARY = "read_diary"
    JUSTIFY_ABSENCE = "justify_absence"
    CHOOSE_NOTIFICATIONS = "choose_notifications"
    ENTER_ORDERS = "enter_orders"
    SEE_MONITORING = "see_monitoring"
    READ_GROUP_OVERVIEW = "read_group_overview"
    SEE_REGION = "see_region"
    ISSUE_ACCOUNTS = "issue_accounts"
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_STAFF = "manage_staff"
    REASSIGN_TEACHING = "reassign_teaching"
    CHOOSE_PARENT_ACCESS = "choose_parent_access"
    MANAGE_SETTINGS = "manage_settings"
    ANNUL_ORDERS = "annul_orders"
    DECLARE_DISTANCE = "declare_distance"


class Rule(StrEnum):
    """What a right reaches, given its target."""

    ANY = "any"  # nothing beyond holding the right: one's own screens and settings
    COLLEGE = "college"  # anything of the person's college
    TAUGHT = "taught"  # what the person teaches: their lessons, their groups and disciplines
    CURATED = "curated"  # the groups the person curates and their students
    CHILDREN = "children"  # the person's children
    FAMILY = "family"  # the person's children and themself


A = Action
RIGHTS: dict[Role, frozenset[Action]] = {
    Role.TEACHER: frozenset(
        {A.MARK_REGISTER, A.GRADE, A.EDIT_LESSON_DETAILS, A.GRADE_ATTESTATION}
        | {A.UPLOAD_WORK_PROGRAMMES}
    ),
    Role.CURATOR: frozenset(
        {A.SET_ABSENCE_REASON, A.DECIDE_CERTIFICATE, A.ISSUE_INVITES, A.ANNOUNCE_GROUP}
        | {A.READ_GROUP_OVERVIEW}
    ),
    Role.PARENT: frozenset({A.READ_DIARY, A.JUSTIFY_ABSENCE, A.CHOOSE_NOTIFICATIONS}),
    Role.STUDENT: frozenset(
        {A.READ_DIARY, A.JUSTIFY_ABSENCE, A.CHOOSE_NOTIFICATIONS, A.CHOOSE_PARENT_ACCESS}
    ),
    Role.DEPUTY: frozenset(
        {A.READ_GROUP_JOURNALS, A.KEEP_COLLEGE_JOURNAL, A.CORRECT_AFTER_WINDOW}
        | {A.ANNOUNCE_COLLEGE, A.ENTER_ORDERS, A.SEE_MONITORING, A.REASSIGN_TEACHING}
        | {A.ANNUL_ORDERS, A.DECLARE_DISTANCE}
    ),
    Role.SECRETARY: frozenset({A.ENTER_ORDERS, A.ISSUE_ACCOUNTS}),
    Role.ADMIN: frozenset(
        {A.ANNOUNCE_COLLEGE, A.ISSUE_ACCOUNTS, A.MANAGE_ACCOUNTS, A.MANAGE_STAFF}
        | {A.MANAGE_SETTINGS}
    ),
    Role.DIRECTOR: frozenset({A.READ_GROUP_JOURNALS, A.ANNOUNCE_COLLEGE, A.SEE_MONITORING}),
    Role.REGIONAL: frozenset({A.SEE_REGION}),
}

RULES: dict[Action, Rule] = {
    A.MARK_REGISTER: Rule.TAUGHT,
    A.GRADE: Rule.TAUGHT,
    A.EDIT_LESSON_DETAILS: Rule.TAUGHT,
    A.GRADE_ATTESTATION: Rule.TAUGHT,
    A.UPLOAD_WORK_PROGRAMMES: Rule.TAUGHT,
    A.READ_GROUP_JOURNALS: Rule.COLLEGE,
    A.KEEP_COLLEGE_JOURNAL: Rule.COLLEGE,
    A.CORRECT_AFTER_WINDOW: Rule.COLLEGE,
    A.SET_ABSENCE_REASON: Rule.CURATED,
    A.DECIDE_CERTIFICATE: Rule.CURATED,
    A.ISSUE_INVITES: Rule.CURATED,
    A.ANNOUNCE_GROUP: Rule.CURATED,
    A.ANNOUNCE_COLLEGE: Rule.COLLEGE,
    A.READ_DIARY: Rule.FAMILY,
    A.JUSTIFY_ABSENCE: Rule.CHILDREN,
    A.CHOOSE_NOTIFICATIONS: Rule.ANY,
    A.ENTER_ORDERS: Rule.COLLEGE,
    A.SEE_MONITORING: Rule.COLLEGE,
    A.READ_GROUP_OVERVIEW: Rule.CURATED,
    A.SEE_REGION: Rule.ANY,
    A.ISSUE_ACCOUNTS: Rule.COLLEGE,
    A.MANAGE_ACCOUNTS: Rule.COLLEGE,
    A.MANAGE_STAFF: Rule.COLLEGE,
    A.REASSIGN_TEACHING: Rule.COLLEGE,
    A.CHOOSE_PARENT_ACCESS: Rule.ANY,
    A.MANAGE_SETTINGS: Rule.COLLEGE,
    A.ANNUL_ORDERS: Rule.COLLEGE,
    A.DECLARE_DISTANCE: Rule.COLLEGE,
}

# A wider right that also grants these, everywhere in the college: the deputy director
# keeps the journal of the whole college, not of their own lessons and groups.
STANDS_IN: dict[Action, Action] = {
    action: A.KEEP_COLLEGE_JOURNAL
    for action in (
        A.MARK_REGISTER,
        A.GRADE,
        A.EDIT_LESSON_DETAILS,
        A.GRADE_ATTESTATION,
        A.UPLOAD_WORK_PROGRAMMES,
        A.SET_ABSENCE_REASON,
        A.DECIDE_CERTIFICATE,
    )
}

# The rights of a lesson's journal: whoever holds one of them on the lesson may open it.
LESSON_RIGHTS = (A.MARK_REGISTER, A.GRADE, A.EDIT_LESSON_DETAILS)


# Positions (§3.3.6): the words a position's rights are written in (the import's ``positions``
# sheet, the administrator's screen) and the rights each stands for. A word standing for no
# right yet names work the bot does not do yet (movement orders, the calendar…): it is kept
# on the position and takes effect once that work has its right here.
WORDS: dict[str, frozenset[Action]] = {
    "journal.mark": frozenset({A.MARK_REGISTER, A.GRADE}),
    "journal.topic": frozenset({A.EDIT_LESSON_DETAILS}),
    "journal.attestation": frozenset({A.GRADE_ATTESTATION}),
    "journal.view_group": frozenset(),
    "journal.view_all": frozenset({A.READ_GROUP_JOURNALS}),
    "journal.keep_all": frozenset({A.KEEP_COLLEGE_JOURNAL}),
    "journal.correct": frozenset({A.CORRECT_AFTER_WINDOW}),
    "documents.upload": frozenset({A.UPLOAD_WORK_PROGRAMMES}),
    "absence.reason": frozenset({A.SET_ABSENCE_REASON}),
    "absence.approve": frozenset({A.DECIDE_CERTIFICATE}),
    "absence.submit": frozenset({A.JUSTIFY_ABSENCE}),
    "diary.view": frozenset({A.READ_DIARY, A.CHOOSE_NOTIFICATIONS}),
    "diary.parents": frozenset({A.CHOOSE_PARENT_ACCESS}),
    "announce.group": frozenset({A.ANNOUNCE_GROUP}),
    "announce.org": frozenset({A.ANNOUNCE_COLLEGE}),
    "invites.group": frozenset({A.ISSUE_INVITES}),
    "invites.manage": frozenset({A.ISSUE_ACCOUNTS}),
    "accounts.manage": frozenset({A.MANAGE_ACCOUNTS}),
    "staff.manage": frozenset({A.MANAGE_STAFF}),
    "teaching.assign": frozenset({A.REASSIGN_TEACHING}),
    "people.manage": frozenset(),
    "orders.manage": frozenset({A.ENTER_ORDERS, A.ANNUL_ORDERS}),
    "calendar.manage": frozenset({A.DECLARE_DISTANCE}),
    "curriculum.manage": frozenset(),
    "timetable.manage": frozenset(),
    "monitoring.view": frozenset({A.SEE_MONITORING}),
    "monitoring.group": frozenset({A.READ_GROUP_OVERVIEW}),
    "monitoring.region": frozenset({A.SEE_REGION}),
    "positions.manage": frozenset(),
    "settings.manage": frozenset({A.MANAGE_SETTINGS}),
    "import.run": frozenset(),
}


def rights_of_words(words: Iterable[str]) -> frozenset[Action]:
    """The rights a position written in ``words`` grants; unknown words grant nothing."""
    return frozenset().union(*(WORDS.get(str(word), frozenset()) for word in words))


def rights_of(roles: Iterable[Role]) -> frozenset[Action]:
    """The rights the roles grant together."""
    return frozenset().union(*(RIGHTS[role] for role in roles))


def role_may(role: Role | None, action: Action) -> bool:
    """Whether the role grants the right: what a person sees while using that role."""
    return role is not None and action in RIGHTS[role]


class Subject(Protocol):
    """The acting person as the rules see them (services.access.Actor)."""

    @property
    def person_id(self) -> int: ...
    @property
    def org_id(self) -> int: ...
    @property
    def rights(self) -> frozenset[Action]: ...
    @property
    def curator_group_ids(self) -> frozenset[int]: ...
    @property
    def child_ids(self) -> frozenset[int]: ...
    @property
    def student_id(self) -> int | None: ...


@dataclass(frozen=True)
class Target:
    """What a right is used on, as far as the rules need to know it: its college, who
    teaches it, its group and its student."""

    org_id: int
    teacher_id: int | None = None  # a lesson's teacher; the actor, for what they teach
    group_id: int | None = None
    student_id: int | None = None

    @classmethod
    def lesson(cls, lesson: Lesson) -> Target:
        return cls(lesson.org_id, teacher_id=lesson.teacher_id, group_id=lesson.group_id)

    @classmethod
    def group(cls, group: Group) -> Target:
        return cls(group.org_id, group_id=group.id)

    @classmethod
    def student(cls, student: StudentInfo) -> Target:
        return cls(student.org_id, group_id=student.group_id, student_id=student.student_id)


def reaches(rule: Rule, actor: Subject, target: Target) -> bool:
    """Whether ``target`` is within what ``rule`` lets ``actor`` reach."""
    if rule is Rule.ANY:
        return True
    if target.org_id != actor.org_id:
        return False
    if rule is Rule.COLLEGE:
        return True
    if rule is Rule.TAUGHT:
        return target.teacher_id == actor.person_id
    if rule is Rule.CURATED:
        return target.group_id is not None and target.group_id in actor.curator_group_ids
    if target.student_id is None:
        return False
    if rule is Rule.FAMILY and target.student_id == actor.student_id:
        return True
    return target.student_id in actor.child_ids


def holds(actor: Subject, action: Action, target: Target | None = None) -> bool:
    """Whether the actor holds the right themself, and it reaches ``target`` by its rule."""
    if action not in actor.rights:
        return False
    return target is None or reaches(RULES[action], actor, target)


def can(actor: Subject, action: Action, target: Target | None = None) -> bool:
    """Whether the actor may do ``action`` (to ``target``): they hold the right and it
    reaches the target, or a wider right that stands in for it does."""
    if holds(actor, action, target):
        return True
    wider = STANDS_IN.get(action)
    return wider is not None and holds(actor, wider, target)


def require(actor: Subject, action: Action, target: Target | None, refusal: str) -> None:
    """Denied with the (translated) ``refusal`` unless the actor may do it."""
    if not can(actor, action, target):
        raise Denied(refusal)


# --- the table as the docs show it -----------------------------------------------------

WHAT: dict[Action, str] = {
    A.MARK_REGISTER: "take the register of a lesson",
    A.GRADE: "give and change grades at a lesson",
    A.EDIT_LESSON_DETAILS: "enter a lesson's topic, hours, homework and distance format",
    A.GRADE_ATTESTATION: "give period (attestation) grades",
    A.UPLOAD_WORK_PROGRAMMES: "upload work programmes and calendar-thematic plans",
    A.READ_GROUP_JOURNALS: "open the journal of any group and lesson",
    A.KEEP_COLLEGE_JOURNAL: "whatever teachers and curators may do in their lessons and "
    "groups, in every lesson, group and student",
    A.CORRECT_AFTER_WINDOW: "change a lesson's journal after the teacher's edit window",
    A.SET_ABSENCE_REASON: "set the reason of an absence",
    A.DECIDE_CERTIFICATE: "approve or reject a certificate sent for an absence",
    A.ISSUE_INVITES: "issue invite links to students and parents",
    A.ANNOUNCE_GROUP: "announce to students and parents",
    A.ANNOUNCE_COLLEGE: "announce to anyone of any group or of the whole college",
    A.READ_DIARY: "look up a student's diary: lessons, homework, grades, attendance",
    A.JUSTIFY_ABSENCE: "send a certificate for a student's absence",
    A.CHOOSE_NOTIFICATIONS: "choose which notifications to get",
    A.ENTER_ORDERS: "enter movement orders (enrolment, transfer, leave and return, expulsion, "
    "next course, graduation) and read students' movement history",
    A.SEE_MONITORING: "see how the journal is kept (monitoring): the summary, a teacher's and "
    "a lesson's indicators, the workbook and the chart",
    A.READ_GROUP_OVERVIEW: "see the group's attendance and progress per student, and its "
    "monthly statement",
    A.SEE_REGION: "see the monitoring of the colleges of their region side by side, a "
    "college's teachers, and get the monthly workbook (aggregates, no student data)",
    A.ISSUE_ACCOUNTS: "issue invite links to students and parents not linked yet, one person, "
    "a whole group or everyone a movement order names, and see who is still not linked",
    A.MANAGE_ACCOUNTS: "issue staff members' links, see anyone's linked Telegram accounts "
    "and revoke one",
    A.MANAGE_STAFF: "end a staff member's roles from a date when they leave the staff",
    A.REASSIGN_TEACHING: "hand a teacher's group and discipline to another teacher from a date",
    A.CHOOSE_PARENT_ACCESS: "once 18, allow or stop their parents' access to their diary",
    A.MANAGE_SETTINGS: "change the college's settings: parents of students who have turned 18, "
    "the personal data of people who left",
    A.ANNUL_ORDERS: "annul a movement order before its effective date (its dated history is "
    "undone; the order stays on file, marked annulled)",
    A.DECLARE_DISTANCE: "declare distance days of chosen groups with their platform, announced "
    "to the groups' students and parents",
}

REACHES: dict[Rule, str] = {
    Rule.ANY: "their own",
    Rule.COLLEGE: "their college",
    Rule.TAUGHT: "what they teach: their own lessons, the groups and disciplines assigned",
    Rule.CURATED: "the groups they curate, their students",
    Rule.CHILDREN: "their children",
    Rule.FAMILY: "their children, themself",
}

# Conditions on the store and the clock, checked by the use cases on top of the table.
ALSO = (
    "The groups and disciplines a teacher teaches are their teaching assignments in the "
    "store (to the whole group or to one subgroup, for one period or for all).",
    "A student sends a certificate for themself only when 18 or over (by the birth date on "
    "file); for a minor it is the parent's word that counts.",
    "A closed period stops every change to its journal, the deputy director's included.",
    "The register and grades open on the lesson's day; the topic, homework and distance "
    "format may be entered ahead.",
    "A cancelled lesson takes no journal data.",
    "The teacher may change a lesson's journal until the edit window (days after the "
    "lesson, in the college's time zone) has passed; then only whoever may "
    "`correct_after_window` can.",
    "The colleges a regional specialist's `see_region` reaches are their scope in the store "
    "(`journal-bot regional`); any other college is refused.",
    "Each use case re-checks the right on the server, whatever the buttons sent; a target "
    "out of reach is refused as if it did not exist.",
    "A curator's links go only to students and parents of their groups who have no linked "
    "account and hold no staff role; `issue_accounts` without `manage_accounts` likewise "
    "never reaches a staff member or a linked person. Everyone may revoke their own accounts.",
    "A staff member's roles end from the date given (the day before is the last they hold "
    "them); when no role is left, their linked accounts are revoked. A teaching load is "
    "handed over only by whoever teaches it now, to a teacher of the same college.",
)


def markdown() -> str:
    """docs/permissions.md: the table of rights by role and the rules in words."""
    roles = list(Role)
    lines = [
        "# Permissions",
        "",
        "Who may do what, generated from `services/policy.py` by `python -m services.policy`"
        " (a test fails when this page and the policy differ). A person holds the rights of"
        " every role they hold; the menu shows the entries of the role in use.",
        "",
        "| right | what | reaches | " + " | ".join(r.value for r in roles) + " |",
        "|---|---|---|" + "---|" * len(roles),
    ]
    for action in Action:
        marks = " | ".join("✓" if action in RIGHTS[r] else "" for r in roles)
        lines.append(f"| `{action}` | {WHAT[action]} | {REACHES[RULES[action]]} | {marks} |")
    lines += [
        "",
        "## Positions",
        "",
        "A college's own position (import sheet `positions`, docs/import-format.md) is based"
        " on a role, which decides the scope, and grants the rights its words name instead of"
        " the role's: a person holding it sees exactly the menu entries of those rights, and"
        " every other press is refused. The built-in positions grant their role's rights"
        " (the table above). Words that name no right yet are kept on the position and take"
        " effect once the bot does that work.",
        "",
        "| word | rights |",
        "|---|---|",
    ]
    for word, granted in WORDS.items():
        names = ", ".join(f"`{a}`" for a in Action if a in granted) or "none yet"
        lines.append(f"| `{word}` | {names} |")
    lines += ["", "## Wider rights", ""]
    for wider in dict.fromkeys(STANDS_IN.values()):
        narrower = ", ".join(f"`{a}`" for a, w in STANDS_IN.items() if w is wider)
        lines.append(f"- `{wider}` grants {narrower} everywhere in {REACHES[RULES[wider]]}.")
    lines += ["", "## Also checked", ""]
    lines += [f"- {text}" for text in ALSO]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
