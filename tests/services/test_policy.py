"""The table of who may do what, and the rule each right follows."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import Denied
from services import policy
from services.access import Actor
from services.policy import Action, Target
from storage.models import Role

A = Action
ORG, OTHER_ORG = 1, 2
ME, SOMEONE = 10, 11
MY_GROUP, OTHER_GROUP = 100, 101
MY_CHILD, MYSELF, OTHER_STUDENT = 1000, 1001, 1002

# Today's behaviour, role by role: what each one may do in the journal.
EXPECTED: dict[Role, set[Action]] = {
    Role.TEACHER: {
        A.MARK_REGISTER,
        A.GRADE,
        A.EDIT_LESSON_DETAILS,
        A.GRADE_ATTESTATION,
        A.UPLOAD_WORK_PROGRAMMES,
    },
    Role.CURATOR: {
        A.SET_ABSENCE_REASON,
        A.DECIDE_CERTIFICATE,
        A.ISSUE_INVITES,
        A.ANNOUNCE_GROUP,
        A.READ_GROUP_OVERVIEW,
    },
    Role.PARENT: {A.READ_DIARY, A.JUSTIFY_ABSENCE, A.CHOOSE_NOTIFICATIONS},
    Role.STUDENT: {
        A.READ_DIARY,
        A.JUSTIFY_ABSENCE,
        A.CHOOSE_NOTIFICATIONS,
        A.CHOOSE_PARENT_ACCESS,
    },
    Role.DEPUTY: {
        A.READ_GROUP_JOURNALS,
        A.KEEP_COLLEGE_JOURNAL,
        A.CORRECT_AFTER_WINDOW,
        A.ANNOUNCE_COLLEGE,
        A.ENTER_ORDERS,
        A.SEE_MONITORING,
        A.REASSIGN_TEACHING,
        A.ANNUL_ORDERS,
        A.DECLARE_DISTANCE,
    },
    Role.SECRETARY: {A.ENTER_ORDERS, A.ISSUE_ACCOUNTS},
    Role.ADMIN: {A.ANNOUNCE_COLLEGE, A.ISSUE_ACCOUNTS, A.MANAGE_ACCOUNTS, A.MANAGE_STAFF}
    | {A.MANAGE_SETTINGS},
    Role.DIRECTOR: {A.READ_GROUP_JOURNALS, A.ANNOUNCE_COLLEGE, A.SEE_MONITORING},
    Role.REGIONAL: {A.SEE_REGION},
}


def actor(*roles: Role, granted: frozenset[Action] = frozenset(), org: int = ORG) -> Actor:
    return Actor(
        person_id=ME,
        org_id=org,
        roles=frozenset(roles),
        curator_group_ids=frozenset({MY_GROUP}) if Role.CURATOR in roles else frozenset(),
        child_ids=frozenset({MY_CHILD}) if Role.PARENT in roles else frozenset(),
        student_id=MYSELF if Role.STUDENT in roles else None,
        granted=granted,
    )


def test_every_role_has_the_rights_it_has_today() -> None:
    assert {role: set(rights) for role, rights in policy.RIGHTS.items()} == EXPECTED


def test_every_right_is_held_by_someone_and_follows_one_rule() -> None:
    assert set(policy.RULES) == set(Action)
    assert set().union(*policy.RIGHTS.values()) == set(Action)


def test_a_person_holds_the_rights_of_all_their_roles_and_of_a_position() -> None:
    both = actor(Role.TEACHER, Role.PARENT)
    assert both.rights == EXPECTED[Role.TEACHER] | EXPECTED[Role.PARENT]
    assert actor().rights == frozenset()
    # A position may give a right no role of theirs does.
    secretary = actor(Role.SECRETARY, granted=frozenset({A.READ_GROUP_JOURNALS}))
    assert policy.can(secretary, A.READ_GROUP_JOURNALS, Target(ORG))
    assert not policy.can(actor(Role.SECRETARY), A.READ_GROUP_JOURNALS, Target(ORG))


def test_role_in_use_grants_only_its_own_rights() -> None:
    assert policy.role_may(Role.CURATOR, A.ANNOUNCE_GROUP)
    assert not policy.role_may(Role.CURATOR, A.ANNOUNCE_COLLEGE)
    assert not policy.role_may(None, A.CHOOSE_NOTIFICATIONS)


def test_lesson_rights_reach_own_lessons_and_the_deputy_reaches_every_lesson() -> None:
    mine, theirs = Target(ORG, teacher_id=ME), Target(ORG, teacher_id=SOMEONE)
    abroad = Target(OTHER_ORG, teacher_id=ME)
    teacher, deputy, director = actor(Role.TEACHER), actor(Role.DEPUTY), actor(Role.DIRECTOR)
    for right in policy.LESSON_RIGHTS:
        assert policy.can(teacher, right, mine)
        assert not policy.can(teacher, right, theirs) and not policy.can(teacher, right, abroad)
        assert policy.can(deputy, right, theirs) and not policy.can(deputy, right, abroad)
        assert not policy.holds(deputy, right, theirs)  # stood in for, not held
        assert not policy.can(director, right, theirs)
    assert policy.can(director, A.READ_GROUP_JOURNALS, theirs)
    assert not policy.can(director, A.READ_GROUP_JOURNALS, abroad)
    assert policy.can(deputy, A.CORRECT_AFTER_WINDOW, theirs)
    assert not policy.can(teacher, A.CORRECT_AFTER_WINDOW, mine)


def test_curator_rights_reach_their_groups_and_the_deputy_every_student() -> None:
    curator, deputy = actor(Role.CURATOR), actor(Role.DEPUTY)
    mine = Target(ORG, group_id=MY_GROUP, student_id=OTHER_STUDENT)
    other = Target(ORG, group_id=OTHER_GROUP, student_id=OTHER_STUDENT)
    no_group = Target(ORG, student_id=OTHER_STUDENT)
    abroad = Target(OTHER_ORG, group_id=MY_GROUP, student_id=OTHER_STUDENT)
    for right in (A.SET_ABSENCE_REASON, A.DECIDE_CERTIFICATE):
        assert policy.can(curator, right, mine)
        assert not any(policy.can(curator, right, t) for t in (other, no_group, abroad))
        assert policy.can(deputy, right, other) and not policy.can(deputy, right, abroad)
    for right in (A.ISSUE_INVITES, A.ANNOUNCE_GROUP):
        assert policy.can(curator, right, Target(ORG, group_id=MY_GROUP))
        assert not policy.can(curator, right, Target(ORG, group_id=OTHER_GROUP))
        assert not policy.can(deputy, right, Target(ORG, group_id=MY_GROUP))


def test_family_rights_reach_children_and_the_diary_oneself() -> None:
    parent, student = actor(Role.PARENT), actor(Role.STUDENT)
    child, me, other = (Target(ORG, student_id=s) for s in (MY_CHILD, MYSELF, OTHER_STUDENT))
    assert policy.can(parent, A.READ_DIARY, child) and policy.can(parent, A.JUSTIFY_ABSENCE, child)
    assert not policy.can(parent, A.READ_DIARY, other)
    assert not policy.can(parent, A.READ_DIARY, Target(OTHER_ORG, student_id=MY_CHILD))
    assert policy.can(student, A.READ_DIARY, me) and not policy.can(student, A.READ_DIARY, other)
    # Oneself is not a child: a student's own certificate depends on their age (the store).
    assert not policy.can(student, A.JUSTIFY_ABSENCE, me)
    assert not policy.can(actor(Role.TEACHER), A.READ_DIARY, me)
    assert policy.can(parent, A.CHOOSE_NOTIFICATIONS)
    assert not policy.can(actor(Role.DEPUTY), A.CHOOSE_NOTIFICATIONS)


def test_require_refuses_with_the_message_given() -> None:
    policy.require(actor(Role.DIRECTOR), A.READ_GROUP_JOURNALS, None, "no")
    with pytest.raises(Denied) as refused:
        policy.require(actor(Role.TEACHER), A.READ_GROUP_JOURNALS, None, "Not yours")
    assert refused.value.message == "Not yours"


def test_docs_show_the_table_the_policy_has() -> None:
    page = Path(__file__).parents[2] / "docs" / "permissions.md"
    assert page.read_text(encoding="utf-8") == policy.markdown(), (
        "docs/permissions.md is stale: python -m services.policy > docs/permissions.md"
    )
    for action in Action:
        assert f"`{action}`" in page.read_text(encoding="utf-8")
