"""Spellings the file may use for fixed vocabularies: the stored English codes and the
Russian words people type. Keys are normalised with ``cells.norm`` (lower case, ё → е)."""

from __future__ import annotations

from storage.models import AttestationForm, CalendarKind, DisciplineKind, Role, WeekParity

STAFF_ROLES = {
    Role.TEACHER: ("teacher", "преподаватель", "мастер", "мастер п/о"),
    Role.CURATOR: ("curator", "куратор", "классный руководитель"),
    Role.DEPUTY: ("deputy", "deputy director", "заместитель директора", "зам. директора"),
    Role.SECRETARY: ("secretary", "секретарь", "специалист по кадрам"),
    Role.ADMIN: ("admin", "administrator", "администратор"),
    Role.DIRECTOR: ("director", "директор"),
}
ROLE_ALIASES = {alias: role for role, names in STAFF_ROLES.items() for alias in names}

# The staff sheet's ``status``: only an explicit "left" ends a person's roles, never a row
# missing from the file.
LEFT, WORKING = "left", "working"
STAFF_STATUS = {
    LEFT: ("left", "уволен", "уволена", "уволился", "уволилась", "выбыл", "выбыла"),
    WORKING: ("working", "active", "работает"),
}
STATUS_ALIASES = {alias: status for status, names in STAFF_STATUS.items() for alias in names}

# The college sheet's settings (services/college_settings.py); empty: the college keeps what
# it has, or follows the deployment's default.
ADULT_PARENTS = {
    "student_decides": ("student_decides", "решает студент", "студент решает"),
    "keep": ("keep", "сохраняется", "сохранять"),
    "end": ("end", "прекращается", "прекращать"),
}
ADULT_PARENTS_ALIASES = {alias: code for code, names in ADULT_PARENTS.items() for alias in names}
LEAVERS_DATA = {
    "keep": ("keep", "хранить", "хранятся"),
    "erase": ("erase", "удалять", "удаляются"),
}
LEAVERS_DATA_ALIASES = {alias: code for code, names in LEAVERS_DATA.items() for alias in names}
MAX_CHOICE = {
    "on": ("on", "да", "включён", "включен", "yes"),
    "off": ("off", "нет", "выключен", "no"),
}
MAX_ALIASES = {alias: code for code, names in MAX_CHOICE.items() for alias in names}

DISCIPLINE_KINDS = {
    DisciplineKind.DISCIPLINE: ("discipline", "дисциплина"),
    DisciplineKind.MODULE: ("module", "пм", "профессиональный модуль", "модуль"),
    DisciplineKind.MDK: ("mdk", "мдк", "междисциплинарный курс"),
    DisciplineKind.EDU_PRACTICE: ("edu_practice", "уп", "учебная практика"),
    DisciplineKind.PROD_PRACTICE: ("prod_practice", "пп", "производственная практика"),
}
KIND_ALIASES = {alias: kind for kind, names in DISCIPLINE_KINDS.items() for alias in names}

ATTESTATION_FORMS = {
    AttestationForm.EXAM: ("exam", "экзамен", "э"),
    AttestationForm.DIFF_CREDIT: (
        "diff_credit",
        "дифференцированный зачет",
        "дифзачет",
        "диф. зачет",
        "дз",
    ),
    AttestationForm.CREDIT: ("credit", "зачет", "з"),
    AttestationForm.COURSE_WORK: ("course_work", "курсовая работа", "курсовой проект", "кр"),
    AttestationForm.QUALIFICATION_EXAM: (
        "qualification_exam",
        "квалификационный экзамен",
        "экзамен квалификационный",
        "эк",
    ),
    AttestationForm.NONE: ("none", "нет", "-"),
}
FORM_ALIASES = {alias: form for form, names in ATTESTATION_FORMS.items() for alias in names}

PERIOD = "period"  # a calendar row that is a period (semester), not a CalendarEntry
CALENDAR_KINDS: dict[str | CalendarKind, tuple[str, ...]] = {
    PERIOD: ("period", "период", "семестр"),
    CalendarKind.HOLIDAY: ("holiday", "выходной", "праздник"),
    CalendarKind.VACATION: ("vacation", "каникулы"),
    CalendarKind.SESSION: ("session", "сессия", "экзаменационная сессия"),
    CalendarKind.PRACTICE: ("practice", "практика"),
    CalendarKind.WORKDAY: ("workday", "рабочий день"),
}
CALENDAR_ALIASES = {alias: kind for kind, names in CALENDAR_KINDS.items() for alias in names}

WEEKDAYS = (
    ("1", "mon", "monday", "пн", "понедельник"),
    ("2", "tue", "tuesday", "вт", "вторник"),
    ("3", "wed", "wednesday", "ср", "среда"),
    ("4", "thu", "thursday", "чт", "четверг"),
    ("5", "fri", "friday", "пт", "пятница"),
    ("6", "sat", "saturday", "сб", "суббота"),
    ("7", "sun", "sunday", "вс", "воскресенье"),
)
WEEKDAY_ALIASES = {alias: n for n, names in enumerate(WEEKDAYS) for alias in names}

PARITIES = {
    WeekParity.EVERY: ("every", "каждая", "все", "еженедельно"),
    WeekParity.ODD: ("odd", "нечетная", "нечет"),
    WeekParity.EVEN: ("even", "четная", "чет"),
}
PARITY_ALIASES = {alias: parity for parity, names in PARITIES.items() for alias in names}

LOCALE_ALIASES = {"ru": "ru", "en": "en", "русский": "ru", "english": "en"}
