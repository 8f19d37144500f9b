"""What the journal grid shows: the page's shell and the fragments the page asks for, rendered
on the server. Every value goes through ``markupsafe.escape`` (names, topics, comments are
typed by people); the page inserts the fragments as they come and builds nothing from data of
its own but text nodes. The shell holds no text of a person: it is the same for everyone, and
the fragments come after the sign-in, in the person's language."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import orjson
from markupsafe import Markup, escape

from core.i18n import _, current_locale, fmt_date
from screens.vocabulary import GRADE_KINDS, grade_label, mark_word, reason_word
from services.diary.service import AttendanceSummary, GradesSummary, StudentCard
from services.journal.grid import Cell, Grid, GridLesson, Journals
from storage.diary import MissRow
from storage.models import GradeKind, Mark

TELEGRAM_JS = "https://telegram.org/js/telegram-web-app.js"
GRADE_VALUES = ("5", "4", "3", "2", "pass", "fail")


def shell() -> str:
    """The page Telegram opens: the styles, Telegram's script, ours, and empty places."""
    return f"""<!doctype html>
<html lang="{current_locale()}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<title>{escape(_("Journal"))}</title>
<link rel="stylesheet" href="static/app.css">
<script src="{TELEGRAM_JS}"></script>
<script src="static/app.js" defer></script>
</head>
<body>
<header id="top"><button id="back" type="button" hidden>‹</button><h1 id="title"></h1></header>
<div id="message" role="alert" hidden></div>
<main id="main"><p class="muted" id="loading">…</p></main>
<div id="sheet" hidden><div class="sheet-body" role="dialog" aria-modal="true"></div></div>
</body>
</html>
"""


def labels() -> dict[str, object]:
    """The words of the page's own dialogs, in the person's language."""
    return {
        "lang": current_locale(),
        "title": _("Journal"),
        "save": _("Save"),
        "cancel": _("Close"),
        "remove": _("Remove"),
        "add": _("New grade"),
        "kind": _("Kind"),
        "comment": _("Comment"),
        "attendance": _("Attendance"),
        "grades": _("Grades"),
        "topic": _("Topic"),
        "homework": _("Homework"),
        "no_topic": _("No topic yet"),
        "locked": _("This cell cannot be changed."),
        "saved": _("Saved"),
        "marks": {m.value: mark_word(m) for m in Mark},
        "values": {v: grade_label(v) for v in GRADE_VALUES},
        "kinds": {k.value: str(GRADE_KINDS[k]) for k in GradeKind},
    }


def mark_short(mark: Mark) -> str:
    """The letter the paper journal uses: н for an absence, оп for lateness."""
    if mark is Mark.ABSENT:
        return _("ab")
    if mark is Mark.LATE:
        return _("lt")
    return ""


def _average(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def journals_html(found: Journals, *, diary: bool, monitoring: bool = False) -> Markup:
    """The journals one may open, by group, with the period to choose."""
    parts: list[str] = []
    if monitoring:
        parts.append(
            Markup(
                '<p><button type="button" class="wide" data-monitoring="m">{}</button></p>'
            ).format(_("📈 Monitoring"))
        )
    if diary:
        parts.append(
            Markup('<p><button type="button" class="wide" data-diary="1">{}</button></p>').format(
                _("📖 Grades and attendance")
            )
        )
    if found.periods:
        options = "".join(
            Markup('<option value="{}"{}>{}</option>').format(
                p.id,
                Markup(" selected") if found.period and p.id == found.period.id else "",
                p.name,
            )
            for p in found.periods
        )
        parts.append(
            Markup('<label class="period">{} <select id="period">{}</select></label>').format(
                _("Period"), Markup(options)
            )
        )
    if not found.journals and not diary:
        parts.append(
            Markup('<p class="muted">{}</p>').format(_("There are no journals for you here."))
        )
    group = None
    for key in found.journals:
        label = key.group_name + (f"/{key.subgroup_name}" if key.subgroup_name else "")
        if label != group:
            if group is not None:
                parts.append("</ul>")
            parts.append(Markup('<h2 class="group">{}</h2><ul class="journals">').format(label))
            group = label
        parts.append(
            Markup('<li><button type="button" data-journal="{}">{}</button></li>').format(
                orjson.dumps(
                    {
                        "group": key.group_id,
                        "discipline": key.discipline_id,
                        "subgroup": key.subgroup_id,
                        "period": found.period.id if found.period else None,
                    }
                ).decode(),
                key.discipline_name,
            )
        )
    if group is not None:
        parts.append("</ul>")
    return Markup("".join(parts))


def cell_html(cell: Cell, lesson_id: int, student_id: int, editable: bool) -> Markup:
    """One cell: the mark's letter and the grades; its data are what an edit sends back (an
    empty cell says nothing of its mark and grades: present, none). Built with f-strings
    around ``escape``: a 30 × 60 grid has 1,800 of them."""
    if not cell.on_register:
        return Markup('<td class="cell off"></td>')
    mark = cell.mark
    tab = ' tabindex="0"' if editable else ""
    classes = "cell edit" if editable else "cell"
    if mark is Mark.PRESENT and not cell.grades:
        return Markup(
            f'<td class="{classes}" data-l="{lesson_id}" data-s="{student_id}"{tab}></td>'
        )
    shown = [mark_short(mark)] if mark is not Mark.PRESENT else []
    shown.extend(grade_label(g.value) for g in cell.grades)
    data = ""
    if cell.grades:
        grades = orjson.dumps([[g.grade_id, g.value, g.kind.value, g.comment] for g in cell.grades])
        data = f' data-grades="{escape(grades.decode())}"'
    if mark is not Mark.PRESENT:
        data += f' data-mark="{mark.value}"'
        if cell.reason is not None:
            data += f' title="{escape(reason_word(cell.reason))}"'
    return Markup(
        f'<td class="{classes} m-{mark.value}" data-l="{lesson_id}" data-s="{student_id}"'
        f"{data}{tab}>{escape(' '.join(shown))}</td>"
    )


def _lesson_head(lesson: GridLesson) -> str:
    details = {
        "date": fmt_date(lesson.date, "d MMMM y, EEE"),
        "pair": lesson.pair_no,
        "topic": lesson.topic,
        "homework": lesson.homework,
        "hours": lesson.hours,
        "subgroup": lesson.subgroup_name,
        "locked": lesson.locked,
    }
    classes = "lesson" + (" cancelled" if lesson.cancelled else "")
    return Markup(
        '<th class="{}" data-l="{}" data-details="{}" tabindex="0">{}<small>{}</small></th>'
    ).format(
        classes,
        lesson.lesson_id,
        orjson.dumps(details).decode(),
        fmt_date(lesson.date, "dd.MM"),
        lesson.pair_no,
    )


def grid_html(grid: Grid) -> Markup:
    """The journal: students down, lessons across, the average and the period grade at the
    end; names and dates stay in place while the rest scrolls."""
    scope = grid.scope
    title = scope.group.name + (f"/{scope.subgroup.name}" if scope.subgroup else "")
    head = [
        Markup('<div class="grid-title"><h2>{} · {}</h2><p class="muted">{}{}</p></div>').format(
            title,
            scope.discipline.name,
            scope.period.name,
            "" if grid.editable else " · " + _("read only"),
        )
    ]
    if not grid.lessons:
        head.append(Markup('<p class="muted">{}</p>').format(_("No lessons in this period yet.")))
        return Markup("".join(head))
    out = [
        '<div class="scroller"><table class="grid"><thead><tr>',
        str(Markup('<th class="name corner">{}</th>').format(_("Student"))),
        *(_lesson_head(lesson) for lesson in grid.lessons),
        str(Markup('<th class="avg">{}</th><th class="pg">{}</th>').format(_("Avg"), _("Period"))),
        "</tr></thead><tbody>",
    ]
    editable = [lesson.editable for lesson in grid.lessons]
    ids = [lesson.lesson_id for lesson in grid.lessons]
    for row in grid.rows:
        out.append(
            str(Markup('<tr><th class="name" data-s="{}">{}</th>').format(row.student_id, row.name))
        )
        for cell, lesson_id, can in zip(row.cells, ids, editable, strict=True):
            out.append(str(cell_html(cell, lesson_id, row.student_id, can and cell.on_register)))
        out.append(
            str(
                Markup('<td class="avg" data-avg="{}">{}</td><td class="pg">{}</td></tr>').format(
                    row.student_id,
                    _average(row.average),
                    grade_label(row.period_grade) if row.period_grade else "",
                )
            )
        )
    out.append("</tbody></table></div>")
    return Markup("".join(head) + "".join(out))


def average_text(value: float | None) -> str:
    return _average(value)


def students_html(students: Sequence[tuple[int, str]], current: int) -> Markup:
    if len(students) < 2:
        return Markup("")
    return Markup("").join(
        Markup('<button type="button" class="chip{}" data-student="{}">{}</button>').format(
            " on" if sid == current else "", sid, name
        )
        for sid, name in students
    )


def diary_html(
    card: StudentCard,
    grades: GradesSummary,
    attendance: AttendanceSummary,
    misses: Iterable[MissRow],
    children: Sequence[tuple[int, str]],
    today: date | None = None,
) -> Markup:
    """A student's term: grades per discipline with the average and the period grade, and
    the attendance calendar (the days of absences and lateness)."""
    parts = [str(students_html(children, card.student_id))]
    period = grades.period.name if grades.period else ""
    parts.append(
        str(
            Markup('<div class="grid-title"><h2>{} · {}</h2><p class="muted">{}</p></div>').format(
                card.name, card.group_name, period
            )
        )
    )
    if not grades.disciplines:
        parts.append(str(Markup('<p class="muted">{}</p>').format(_("No grades yet."))))
    else:
        parts.append(
            str(
                Markup(
                    '<div class="scroller short"><table class="grid diary"><thead><tr>'
                    '<th class="name corner">{}</th><th>{}</th><th class="avg">{}</th>'
                    '<th class="pg">{}</th></tr></thead><tbody>'
                ).format(_("Discipline"), _("Grades"), _("Avg"), _("Period"))
            )
        )
        for line in grades.disciplines:
            parts.append(
                str(
                    Markup(
                        '<tr><th class="name">{}</th><td class="values">{}</td>'
                        '<td class="avg">{}</td><td class="pg">{}</td></tr>'
                    ).format(
                        line.name,
                        " ".join(grade_label(v) for v in line.values),
                        _average(line.average),
                        grade_label(line.attestation) if line.attestation else "",
                    )
                )
            )
        parts.append("</tbody></table></div>")
    parts.append(str(Markup("<h2>{}</h2>").format(_("Attendance"))))
    parts.append(
        str(
            Markup('<p class="muted">{}</p>').format(
                _(
                    "Absences: {absences} ({hours} h), late: {late}, no reason yet: {unexplained}"
                ).format(
                    absences=attendance.absences,
                    hours=attendance.absent_hours,
                    late=attendance.late,
                    unexplained=attendance.unexplained,
                )
            )
        )
    )
    misses = list(misses)
    if grades.period is not None and today is not None:
        parts.append(str(month_calendars(grades.period.starts_on, today, misses)))
    days: dict[str, list[str]] = {}
    for miss in misses:
        word = mark_word(miss.mark)
        if miss.reason is not None:
            word += f" ({reason_word(miss.reason)})"
        days.setdefault(fmt_date(miss.lesson_date, "d MMM, EEE"), []).append(
            f"{miss.discipline_name}: {word}"
        )
    if days:
        parts.append('<ul class="calendar">')
        for day, items in days.items():
            parts.append(str(Markup("<li><b>{}</b> {}</li>").format(day, "; ".join(items))))
        parts.append("</ul>")
    return Markup("".join(parts))


def month_calendars(first: date, last: date, misses: Sequence[MissRow]) -> Markup:
    """The months from ``first`` to ``last``, a week a line, with the days of absences and
    of lateness marked (an absence wins over a lateness on the same day)."""
    marks: dict[date, Mark] = {}
    for miss in misses:
        if marks.get(miss.lesson_date) is not Mark.ABSENT:
            marks[miss.lesson_date] = miss.mark
    monday = date(2024, 1, 1)  # a Monday: the week's day names from it
    names = "".join(
        str(Markup("<th>{}</th>").format(fmt_date(monday + timedelta(days=n), "EEEEEE")))
        for n in range(7)
    )
    out = ['<div class="months">']
    month = first.replace(day=1)
    while month <= last:
        following = (month + timedelta(days=32)).replace(day=1)
        out.append(
            str(
                Markup('<table class="month"><caption>{}</caption><thead><tr>').format(
                    fmt_date(month, "LLLL y")
                )
            )
        )
        out.append(names + "</tr></thead><tbody><tr>")
        out.append("<td></td>" * month.weekday())
        day = month
        while day < following:
            if day.weekday() == 0 and day != month:
                out.append("</tr><tr>")
            mark = marks.get(day)
            if day > last:
                cls = ' class="later"'
            elif mark is not None and day >= first:
                cls = f' class="m-{mark.value}"'
            else:
                cls = ""
            out.append(f"<td{cls}>{day.day}</td>")
            day += timedelta(days=1)
        out.append("</tr></tbody></table>")
        month = following
    out.append("</div>")
    return Markup("".join(out))


def sign_in_failed() -> str:
    return _("The sign-in was not confirmed: please open the journal again from the bot.")


def too_many_requests() -> str:
    return _("Too many requests: please wait a minute.")


def error_json(message: str) -> dict[str, object]:
    """A refusal as the page shows it (as text, never as markup)."""
    return {"error": message}
