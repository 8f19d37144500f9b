"""Write the sample college: ``examples/sample-college.xlsx`` and ``examples/sample-college/``.

A fictional vocational college on Sakhalin for the 2026/27 academic year, in the layout of
docs/import-format.md. Deterministic: the same script writes the same bytes, so the committed
outputs only change when this file does. Run from the repository root:

    python examples/make_sample.py

External ids: T001–T008 teachers, D001 deputy director, D002 director, D003 methodist (a
custom position), A001 administrator, A002 secretary, S0001–S0060 students, P0001… parents.
T008 is also the father of a student; four families have two children in the college.
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
XLSX = HERE / "sample-college.xlsx"
CSV_DIR = HERE / "sample-college"

AUTUMN = "Осенний семестр 2026/27"
SPRING = "Весенний семестр 2026/27"

# Male surnames; every one of them takes "а" for the female form.
SURNAMES = """
Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов
Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев
Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв
Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков
Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров
Давыдов Беляев Герасимов Богданов Осипов Сидоров
""".split()
# (name, son's patronymic, daughter's patronymic)
MEN = [
    ("Александр", "Александрович", "Александровна"),
    ("Алексей", "Алексеевич", "Алексеевна"),
    ("Андрей", "Андреевич", "Андреевна"),
    ("Дмитрий", "Дмитриевич", "Дмитриевна"),
    ("Сергей", "Сергеевич", "Сергеевна"),
    ("Владимир", "Владимирович", "Владимировна"),
    ("Николай", "Николаевич", "Николаевна"),
    ("Михаил", "Михайлович", "Михайловна"),
    ("Евгений", "Евгеньевич", "Евгеньевна"),
    ("Игорь", "Игоревич", "Игоревна"),
    ("Павел", "Павлович", "Павловна"),
    ("Олег", "Олегович", "Олеговна"),
    ("Роман", "Романович", "Романовна"),
    ("Виктор", "Викторович", "Викторовна"),
    ("Юрий", "Юрьевич", "Юрьевна"),
    ("Константин", "Константинович", "Константиновна"),
]
WOMEN_PARENTS = """
Елена Ольга Наталья Татьяна Ирина Светлана Юлия Анна Марина Екатерина Людмила Оксана
""".split()
BOYS = """
Артём Максим Иван Матвей Кирилл Даниил Егор Никита Илья Михаил Тимофей Роман Владислав
Арсений Глеб
""".split()
GIRLS = """
Анастасия Мария Дарья Полина Алиса Виктория Софья Ксения Елизавета Вероника Алёна Валерия
Милана Ульяна Арина
""".split()

STAFF = [
    # external id, last, first, middle, roles, curator of, phone, email
    (
        "D001",
        "Соколова",
        "Ирина",
        "Викторовна",
        "deputy",
        "",
        "+7 914 750-10-01",
        "sokolova@opk.example",
    ),
    (
        "D002",
        "Громов",
        "Андрей",
        "Николаевич",
        "director",
        "",
        "+7 914 750-10-02",
        "director@opk.example",
    ),
    ("D003", "Лаптева", "Галина", "Юрьевна", "methodist", "", "", "lapteva@opk.example"),
    ("A001", "Ким", "Денис", "Сергеевич", "admin", "", "+7 924 180-20-01", "admin@opk.example"),
    (
        "A002",
        "Белова",
        "Наталья",
        "Петровна",
        "secretary",
        "",
        "+7 924 180-20-02",
        "office@opk.example",
    ),
    (
        "T001",
        "Иванова",
        "Елена",
        "Сергеевна",
        "teacher; curator",
        "ИС-21",
        "+7 914 751-30-01",
        "ivanova@opk.example",
    ),
    ("T002", "Петров", "Алексей", "Викторович", "teacher", "", "+7 914 751-30-02", ""),
    ("T003", "Смирнова", "Ольга", "Николаевна", "teacher", "", "+7 914 751-30-03", ""),
    (
        "T004",
        "Кузнецов",
        "Дмитрий",
        "Александрович",
        "teacher; curator",
        "ТМ-31",
        "+7 914 751-30-04",
        "kuznetsov@opk.example",
    ),
    ("T005", "Попова", "Марина", "Игоревна", "teacher", "", "+7 914 751-30-05", ""),
    ("T006", "Васильев", "Сергей", "Павлович", "teacher", "", "+7 914 751-30-06", ""),
    ("T007", "Новикова", "Татьяна", "Андреевна", "teacher", "", "+7 914 751-30-07", ""),
    ("T008", "Морозов", "Игорь", "Владимирович", "teacher", "", "+7 914 751-30-08", ""),
]


@dataclass(frozen=True)
class GroupSpec:
    name: str
    programme: tuple[str, str]
    course: int
    curriculum: str
    intake: int
    born: int
    prefix: str


GROUPS = [
    GroupSpec(
        "ИС-21",
        ("09.02.07", "Информационные системы и программирование"),
        2,
        "09.02.07-2025",
        2025,
        2009,
        "ИС",
    ),
    GroupSpec(
        "ТМ-31",
        ("15.02.16", "Технология машиностроения"),
        3,
        "15.02.16-2024",
        2024,
        2008,
        "ТМ",
    ),
    GroupSpec(
        "ПК-11",
        ("43.02.15", "Поварское и кондитерское дело"),
        1,
        "43.02.15-2026",
        2026,
        2010,
        "ПК",
    ),
]

# Disciplines: code, name, kind, cycle, parent.
DISCIPLINES = [
    ("ОГСЭ.03", "Иностранный язык в профессиональной деятельности", "discipline", "ОГСЭ", ""),
    ("ОГСЭ.04", "Физическая культура", "discipline", "ОГСЭ", ""),
    ("ИС.ОГСЭ.01", "Основы философии", "discipline", "ОГСЭ", ""),
    ("ИС.ЕН.01", "Элементы высшей математики", "discipline", "ЕН", ""),
    ("ИС.ОП.01", "Операционные системы и среды", "discipline", "ОП", ""),
    ("ИС.ОП.02", "Архитектура аппаратных средств", "discipline", "ОП", ""),
    ("ИС.ПМ.01", "Разработка модулей программного обеспечения", "module", "ПМ", ""),
    ("ИС.МДК.01.01", "Разработка программных модулей", "mdk", "ПМ", "ИС.ПМ.01"),
    ("ИС.МДК.01.02", "Поддержка и тестирование программных модулей", "mdk", "ПМ", "ИС.ПМ.01"),
    ("ИС.УП.01", "Учебная практика по ПМ.01", "edu_practice", "ПМ", "ИС.ПМ.01"),
    ("ТМ.ОГСЭ.05", "Русский язык и культура речи", "discipline", "ОГСЭ", ""),
    ("ТМ.ОП.01", "Инженерная графика", "discipline", "ОП", ""),
    ("ТМ.ОП.02", "Техническая механика", "discipline", "ОП", ""),
    ("ТМ.ОП.08", "Охрана труда", "discipline", "ОП", ""),
    ("ТМ.ПМ.01", "Технологические процессы изготовления деталей", "module", "ПМ", ""),
    ("ТМ.МДК.01.01", "Технология изготовления деталей машин", "mdk", "ПМ", "ТМ.ПМ.01"),
    ("ТМ.МДК.01.02", "Системы автоматизированного проектирования", "mdk", "ПМ", "ТМ.ПМ.01"),
    ("ТМ.ПП.01", "Производственная практика по ПМ.01", "prod_practice", "ПМ", "ТМ.ПМ.01"),
    ("ПК.ООД.01", "Русский язык", "discipline", "ООД", ""),
    ("ПК.ООД.02", "Литература", "discipline", "ООД", ""),
    ("ПК.ООД.03", "Математика", "discipline", "ООД", ""),
    ("ПК.ООД.04", "Иностранный язык", "discipline", "ООД", ""),
    ("ПК.ООД.05", "Информатика", "discipline", "ООД", ""),
    ("ПК.ООД.06", "Физическая культура", "discipline", "ООД", ""),
    ("ПК.ОП.01", "Основы микробиологии, санитарии и гигиены", "discipline", "ОП", ""),
    ("ПК.ОП.02", "Основы товароведения продовольственных товаров", "discipline", "ОП", ""),
    ("ПК.ОП.03", "Техническое оснащение и организация рабочего места", "discipline", "ОП", ""),
]

# Weekly load per group: discipline, teacher(s), pairs a week, room, attestation (autumn,
# spring). A "split" line has one teacher per subgroup at the same time; an "alt" line holds
# two disciplines on odd and even weeks.
LOAD: dict[str, list[tuple[Any, ...]]] = {
    "ИС-21": [
        ("ОГСЭ.03", "T005", 2, "305", "none", "diff_credit"),
        ("ОГСЭ.04", "T006", 2, "Спортзал", "credit", "diff_credit"),
        ("ИС.ОГСЭ.01", "T003", 1, "210", "none", "diff_credit"),
        ("ИС.ЕН.01", "T002", 3, "214", "none", "exam"),
        ("ИС.ОП.01", "T008", 2, "Лаб. 3", "diff_credit", "none"),
        ("ИС.ОП.02", "T008", 1, "Лаб. 3", "exam", "none"),
        ("split", "ИС.МДК.01.01", ("T001", "T008"), 3, ("Лаб. 1", "Лаб. 2"), "none", "exam"),
        ("ИС.МДК.01.02", "T001", 2, "Лаб. 1", "none", "diff_credit"),
    ],
    "ТМ-31": [
        ("ОГСЭ.03", "T005", 2, "305", "none", "diff_credit"),
        ("ОГСЭ.04", "T006", 2, "Спортзал", "credit", "diff_credit"),
        ("ТМ.ОГСЭ.05", "T003", 1, "210", "diff_credit", "none"),
        ("ТМ.ОП.01", "T008", 2, "112", "diff_credit", "none"),
        ("ТМ.ОП.02", "T002", 2, "214", "exam", "none"),
        ("alt", ("ТМ.ОП.01", "ТМ.ОП.08"), ("T008", "T004"), 1, ("112", "118"), "none", "credit"),
        ("ТМ.МДК.01.01", "T004", 3, "Цех 1", "none", "exam"),
        ("ТМ.МДК.01.02", "T004", 2, "118", "none", "diff_credit"),
    ],
    "ПК-11": [
        ("ПК.ООД.01", "T003", 2, "210", "none", "exam"),
        ("ПК.ООД.02", "T003", 2, "210", "none", "diff_credit"),
        ("ПК.ООД.03", "T002", 3, "214", "none", "exam"),
        ("ПК.ООД.04", "T005", 2, "305", "none", "diff_credit"),
        ("ПК.ООД.05", "T001", 2, "Лаб. 1", "none", "diff_credit"),
        ("ПК.ООД.06", "T006", 2, "Спортзал", "credit", "diff_credit"),
        ("ПК.ОП.01", "T007", 2, "Кухня-лаб.", "diff_credit", "none"),
        ("ПК.ОП.02", "T007", 1, "Кухня-лаб.", "none", "exam"),
        ("ПК.ОП.03", "T007", 1, "Кухня-лаб.", "none", "diff_credit"),
    ],
}
# Modules and practices: in the curriculum, not in the weekly timetable.
EXTRA_ITEMS = {
    "ИС-21": [("ИС.ПМ.01", 2, 0, "qualification_exam"), ("ИС.УП.01", 2, 72, "diff_credit")],
    "ТМ-31": [("ТМ.ПМ.01", 2, 0, "qualification_exam"), ("ТМ.ПП.01", 2, 144, "diff_credit")],
}
EXTRA_ASSIGNMENTS = [
    ("T001", "ИС-21", "", "ИС.УП.01", SPRING),
    ("T004", "ТМ-31", "", "ТМ.ПП.01", SPRING),
]
BELLS = [
    (1, "08:30", "10:00"),
    (2, "10:10", "11:40"),
    (3, "12:10", "13:40"),
    (4, "13:50", "15:20"),
    (5, "15:30", "17:00"),
]
DAY_LENGTHS = {"ИС-21": [4, 3, 3, 3, 3], "ТМ-31": [3, 3, 3, 3, 3], "ПК-11": [4, 4, 3, 3, 3]}
FIRST_PAIR = {"ИС-21": [1, 1, 2, 1, 1], "ТМ-31": [2, 1, 1, 2, 1], "ПК-11": [1, 2, 1, 1, 1]}


@dataclass(frozen=True)
class Slot:
    """One cell's worth of the weekly timetable: one or two lines (split / alternating)."""

    lines: tuple[tuple[str, str, str, str, str], ...]  # subgroup, parity, discipline, teacher, room

    @property
    def teachers(self) -> set[str]:
        return {line[3] for line in self.lines}

    @property
    def key(self) -> str:
        return self.lines[0][2]


def slots_of(group: str) -> list[Slot]:
    slots = []
    for item in LOAD[group]:
        if item[0] == "split":
            _, code, teachers, count, rooms, *_ = item
            lines = tuple(
                (str(n + 1), "every", code, t, r)
                for n, (t, r) in enumerate(zip(teachers, rooms, strict=True))
            )
            slots += [Slot(lines)] * count
        elif item[0] == "alt":
            _, codes, teachers, count, rooms, *_ = item
            lines = tuple(
                ("", parity, c, t, r)
                for parity, c, t, r in zip(("odd", "even"), codes, teachers, rooms, strict=True)
            )
            slots += [Slot(lines)] * count
        else:
            code, teacher, count, room, *_ = item
            slots += [Slot((("", "every", code, teacher, room),))] * count
    return slots


def build_timetable() -> dict[str, dict[tuple[int, int], Slot]]:
    """Place every group's slots with no teacher in two places at once and no discipline
    more than twice a day; every teacher teaches on at least four weekdays."""
    for seed in range(1000):
        rnd = random.Random(seed)
        busy: set[tuple[str, int, int]] = set()
        grid: dict[str, dict[tuple[int, int], Slot]] = {}
        ok = True
        for group in LOAD:
            todo = slots_of(group)
            rnd.shuffle(todo)
            grid[group] = {}
            for day, length in enumerate(DAY_LENGTHS[group]):
                for pair in range(FIRST_PAIR[group][day], FIRST_PAIR[group][day] + length):
                    today = [s.key for (d, _), s in grid[group].items() if d == day]
                    pick = next(
                        (
                            s
                            for s in todo
                            if not any((t, day, pair) in busy for t in s.teachers)
                            and today.count(s.key) < 2
                        ),
                        None,
                    )
                    if pick is None:
                        ok = False
                        break
                    todo.remove(pick)
                    grid[group][(day, pair)] = pick
                    busy.update((t, day, pair) for t in pick.teachers)
            ok = ok and not todo
            if not ok:
                break
        days = {t: {d for (t2, d, _) in busy if t2 == t} for t, *_ in busy}
        if ok and all(len(d) >= 4 for d in days.values()) and len(days) == 8:
            return grid
    raise RuntimeError("no timetable fits")


def people() -> tuple[list[list[Any]], list[list[Any]]]:
    """Students and parents: families with one or two children in the college."""
    rnd = random.Random(2026)
    surnames = [(name, name + "а") for name in SURNAMES]
    rnd.shuffle(surnames)
    students: list[list[Any]] = []
    parents: list[list[Any]] = []
    n_student = 0
    # 56 families: the first four have two children in different groups; the first of all
    # is T008's.
    pairs = [[0, 25], [1, 45], [2, 30], [3, 50]]
    second = {kids[1] for kids in pairs}
    families = pairs + [[i] for i in range(4, 60) if i not in second]
    child_family = {c: f for f, kids in enumerate(families) for c in kids}
    family_info = []
    for f in range(len(families)):
        male, female = surnames[f % len(surnames)]
        father = rnd.choice(MEN)
        if f == 0:
            male, female, father = "Морозов", "Морозова", MEN[9]  # T008, Игорь Владимирович
        family_info.append((male, female, father))
    for n_child in range(60):
        group = GROUPS[n_child // 20]
        male, female, father = family_info[child_family[n_child]]
        girl = rnd.random() < (0.7 if group.prefix == "ПК" else 0.3)
        first = rnd.choice(GIRLS if girl else BOYS)
        n_student += 1
        ext = f"S{n_student:04d}"
        born = date(group.born, rnd.randint(1, 12), rnd.randint(1, 28))
        subgroups = ""
        if group.name == "ИС-21":
            subgroups = "1" if n_child % 20 < 10 else "2"
        students.append(
            [
                ext,
                female if girl else male,
                first,
                father[2] if girl else father[1],
                born,
                group.name,
                subgroups,
                f"{group.intake}-{n_student:03d}",
                date(group.intake, 9, 1),
            ]
        )
    # Parents, one row each; a family's parents list all its children.
    n_parent = 0
    for f, kids in enumerate(families):
        male, female, father = family_info[f]
        children = "; ".join(students[k][0] for k in kids)
        mother_middle = rnd.choice(MEN)[2]
        mother = [female, rnd.choice(WOMEN_PARENTS), mother_middle]
        both = rnd.random() < 0.6 or f == 0
        rows = []
        if f == 0:
            rows.append(["T008", "Морозов", "Игорь", "Владимирович", "+7 914 751-30-08", "", ""])
        elif both:
            rows.append([None, male, father[0], rnd.choice(MEN)[1], None, "", ""])
        rows.append([None, *mother, None, "", ""])
        for row in rows:
            if row[0] is None:
                n_parent += 1
                row[0] = f"P{n_parent:04d}"
                digits = [rnd.randint(100, 999), rnd.randint(10, 99), rnd.randint(10, 99)]
                row[4] = f"+7 9{rnd.choice('12')}4 {digits[0]}-{digits[1]}-{digits[2]}"
                if rnd.random() < 0.25:
                    row[5] = f"parent{n_parent}@mail.example"
                if n_parent == 7:
                    row[6] = "en"
            parents.append([*row[:4], row[4], row[5], row[6], children])
    return students, parents


def sheets() -> dict[str, tuple[list[str], list[list[Any]]]]:
    grid = build_timetable()
    students, parents = people()
    out: dict[str, tuple[list[str], list[list[Any]]]] = {}
    out["college"] = (
        ["code", "name", "short_name", "region", "timezone"],
        [
            [
                "OPK",
                "ГБПОУ «Островной политехнический колледж»",
                "ОПК",
                "Сахалинская область",
                "Asia/Sakhalin",
            ]
        ],
    )
    out["positions"] = (
        ["code", "name", "role", "rights"],
        [["methodist", "Методист", "deputy", "journal.view_all; monitoring.view"]],
    )
    out["staff"] = (
        [
            "external_id",
            "last_name",
            "first_name",
            "middle_name",
            "roles",
            "curator_of",
            "phone",
            "email",
            "locale",
        ],
        [[*row, ""] for row in STAFF],
    )
    out["groups"] = (
        ["name", "programme_code", "programme_name", "course_year", "curriculum_code"],
        [[g.name, *g.programme, g.course, g.curriculum] for g in GROUPS],
    )
    out["subgroups"] = (["group", "name"], [["ИС-21", "1"], ["ИС-21", "2"]])
    out["students"] = (
        [
            "external_id",
            "last_name",
            "first_name",
            "middle_name",
            "birth_date",
            "group",
            "subgroups",
            "record_book",
            "enrolled_on",
        ],
        students,
    )
    out["parents"] = (
        [
            "external_id",
            "last_name",
            "first_name",
            "middle_name",
            "phone",
            "email",
            "locale",
            "children",
        ],
        parents,
    )
    out["curriculum"] = (
        [
            "curriculum_code",
            "programme_code",
            "academic_year",
            "discipline_code",
            "discipline_name",
            "kind",
            "cycle",
            "parent_code",
            "semester",
            "hours",
            "attestation_form",
        ],
        list(curriculum_rows()),
    )
    out["assignments"] = (
        ["teacher", "group", "subgroup", "discipline", "period"],
        [list(a) for a in EXTRA_ASSIGNMENTS],
    )
    out["calendar"] = (
        ["kind", "name", "starts_on", "ends_on", "semester", "group"],
        [
            ["period", AUTUMN, date(2026, 9, 1), date(2026, 12, 31), 1, ""],
            ["period", SPRING, date(2027, 1, 12), date(2027, 6, 30), 2, ""],
            ["holiday", "День колледжа", date(2026, 10, 16), date(2026, 10, 16), "", ""],
            ["session", "Зимняя сессия", date(2026, 12, 21), date(2026, 12, 30), "", "ТМ-31"],
            ["vacation", "Зимние каникулы", date(2027, 1, 1), date(2027, 1, 11), "", ""],
            ["session", "Летняя сессия", date(2027, 6, 14), date(2027, 6, 30), "", ""],
            ["vacation", "Летние каникулы", date(2027, 7, 1), date(2027, 8, 31), "", ""],
        ],
    )
    out["bells"] = (
        ["pair", "starts", "ends"],
        [[n, time.fromisoformat(a), time.fromisoformat(b)] for n, a, b in BELLS],
    )
    out["timetable"] = (
        [
            "period",
            "group",
            "subgroup",
            "weekday",
            "pair",
            "parity",
            "discipline",
            "teacher",
            "room",
            "hours",
        ],
        list(timetable_rows(grid)),
    )
    return out


def curriculum_rows() -> Iterator[list[Any]]:
    names = {d[0]: d for d in DISCIPLINES}
    for g in GROUPS:
        autumn = g.course * 2 - 1
        items: list[tuple[str, int, int, str]] = []
        for item in LOAD[g.name]:
            if item[0] in ("split", "alt"):
                codes = item[1] if item[0] == "alt" else (item[1],)
                count, forms = item[3], item[5:]
            else:
                codes, count, forms = (item[0],), item[2], item[4:]
            for code in codes:
                for n, form in enumerate(forms):
                    items.append((code, autumn + n, count * 2 * 17, form))
        items += [(c, autumn + off - 1, h, f) for c, off, h, f in EXTRA_ITEMS.get(g.name, [])]
        seen = set()
        for code, semester, hours, form in items:
            if (code, semester) in seen:
                continue
            seen.add((code, semester))
            _, name, kind, cycle, parent = names[code]
            yield [
                g.curriculum,
                g.programme[0],
                f"{g.intake}/{g.intake + 1}",
                code,
                name,
                kind,
                cycle,
                parent,
                semester,
                hours,
                form,
            ]


def timetable_rows(grid: dict[str, dict[tuple[int, int], Slot]]) -> Iterator[list[Any]]:
    for period in (AUTUMN, SPRING):
        for group, cells in grid.items():
            for (day, pair), slot in sorted(cells.items()):
                for subgroup, parity, code, teacher, room in slot.lines:
                    yield [period, group, subgroup, day + 1, pair, parity, code, teacher, room, 2]


def write_xlsx(data: dict[str, tuple[list[str], list[list[Any]]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, (header, rows) in data.items():
        ws = book.create_sheet(name)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([None if v == "" else v for v in row])
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "DD.MM.YYYY"
                elif isinstance(cell.value, time):
                    cell.number_format = "HH:MM"
        for col in ws.columns:
            width = max(len(str(c.value or "")) for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(max(width + 2, 8), 60)
        ws.freeze_panes = "A2"
    raw = io.BytesIO()
    book.save(raw)
    return _stable_zip(raw.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same workbook bytes on every run: fixed entry dates and document dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-08-01T00:00:00Z", body)
            entry = zipfile.ZipInfo(info.filename, date_time=(2026, 8, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, body)
    return out.getvalue()


def _csv_value(value: Any) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def write_csv(data: dict[str, tuple[list[str], list[list[Any]]]], folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    for name, (header, rows) in data.items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            writer.writerows([_csv_value(v) for v in row] for row in rows)


def main() -> None:
    data = sheets()
    XLSX.write_bytes(write_xlsx(data))
    write_csv(data, CSV_DIR)
    print(f"wrote {XLSX.relative_to(HERE.parent)} and {CSV_DIR.relative_to(HERE.parent)}/")


if __name__ == "__main__":
    main()
