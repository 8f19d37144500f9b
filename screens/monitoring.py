"""Texts of monitoring (§IV): the period choice, the college's summary with the teachers
furthest behind, one teacher's lessons, one lesson."""

from __future__ import annotations

from collections.abc import Sequence

from core.i18n import _
from screens.markup import Markup, bold, format_html, join
from screens.reminders import digest_text
from services.monitoring.indicators import (
    TEACHER_RULES,
    LessonJudged,
    Line,
    Monitoring,
    Rule,
    Tally,
)
from services.monitoring.my_week import MyWeek
from services.monitoring.span import Span
from services.reminders.deadlines import Done

LESSONS_SHOWN = 20


def rule_name(rule: Rule) -> str:
    return {
        Rule.R1: _("R1 registers"),
        Rule.R2: _("R2 topics"),
        Rule.R3: _("R3 period grades"),
        Rule.R4: _("R4 absence documents"),
        Rule.R5: _("R5 accounts of the enrolled"),
        Rule.R6: _("R6 movement orders"),
        Rule.R7: _("R7 curriculum"),
        Rule.R8: _("R8 work programmes and КТП"),
        Rule.R9: _("R9 distance formats"),
    }[rule]


def done_word(done: Done) -> str:
    return {
        Done.ON_TIME: _("on time"),
        Done.LATE: _("late"),
        Done.MISSING: _("missing"),
        Done.NOT_DUE: _("not due yet"),
    }[done]


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def span_text(span: Span) -> str:
    return f"{span.first:%d.%m.%Y} – {span.last:%d.%m.%Y}"


def choose_period() -> str:
    return join(
        [
            bold(_("Monitoring")),
            _("How the journal was kept, rule by rule (R1–R9). Choose the period:"),
        ]
    )


def ask_dates() -> str:
    return _("Type the first and the last date, for example 01.11.2026 – 30.11.2026.")


def _tally(rule: Rule, tally: Tally) -> Markup:
    if not tally.due:
        return format_html(_("{rule}: nothing due"), rule=rule_name(rule))
    return format_html(
        _("{rule}: ✅ {on_time} · ⏰ {late} · ❌ {missing} of {due}"),
        rule=rule_name(rule),
        on_time=percent(tally.share(tally.on_time)),
        late=percent(tally.share(tally.late)),
        missing=percent(tally.share(tally.missing)),
        due=tally.due,
    )


def _line(line: Line, rules: Sequence[Rule]) -> list[str]:
    # One short line per rule, so nine of them stay readable on a phone; the legend once.
    lines: list[str] = [_("✅ on time · ⏰ late · ❌ missing, of the items due")]
    lines += [_tally(rule, line.rules[rule]) for rule in rules]
    lines.append(
        format_html(
            _("Absences without a reason: {share} ({unexplained} of {absent})"),
            share=percent(line.unexplained_share),
            unexplained=line.unexplained,
            absent=line.absent,
        )
    )
    per = line.grades_per_student
    lines.append(
        format_html(
            _("Current grades per student at a lesson: {value}"),
            value="—" if per is None else f"{per:.2f}",
        )
    )
    return lines


def summary(m: Monitoring) -> str:
    lines: list[str] = [
        format_html(_("<b>Monitoring</b> · {span}"), span=span_text(m.span)),
        format_html(_("Lessons held: {count}"), count=m.college.lessons),
        *_line(m.college, list(Rule)),
        "",
    ]
    behind = m.furthest_behind
    if behind:
        lines.append(bold(_("Furthest behind")))
        lines += [
            format_html(_("{name}: {count} late or missing"), name=t.name, count=t.behind)
            for t in behind
        ]
    elif m.college.lessons:
        lines.append(_("Every teacher kept the journal on time. 👍"))
    else:
        lines.append(_("No lessons were held in these dates."))
    return join(lines)


def _lesson_title(j: LessonJudged) -> Markup:
    r = j.row
    return format_html(
        "{day} · {pair}. {group} · {discipline}",
        day=f"{r.day:%d.%m}",
        pair=r.pair_no,
        group=r.group,
        discipline=r.discipline,
    )


def teacher(name: str, m: Monitoring) -> str:
    lines: list[str] = [
        format_html(_("<b>{name}</b> · {span}"), name=name, span=span_text(m.span)),
        format_html(_("Lessons held: {count}"), count=m.college.lessons),
        *_line(m.college, TEACHER_RULES),
        "",
    ]
    behind = [j for j in m.lessons if j.behind]
    if behind:
        lines.append(bold(_("Lessons late or missing")))
    else:
        lines.append(_("Nothing late or missing. 👍"))
    for j in behind[:LESSONS_SHOWN]:
        problems = ", ".join(
            f"{rule.value} {done_word(done)}"
            for rule, done in j.done.items()
            if done in (Done.LATE, Done.MISSING)
        )
        lines.append(format_html("{title}: {problems}", title=_lesson_title(j), problems=problems))
    if len(behind) > LESSONS_SHOWN:
        lines.append(format_html(_("…and {count} more."), count=len(behind) - LESSONS_SHOWN))
    return join(lines)


def lesson(j: LessonJudged) -> str:
    r = j.row
    lines: list[str] = [
        bold(_lesson_title(j)),
        format_html(_("Teacher: {name}"), name=r.teacher),
    ]
    lines += [
        format_html("{rule}: {done}", rule=rule_name(rule), done=done_word(done))
        for rule, done in j.done.items()
    ]
    c = j.counts
    lines.append(
        format_html(
            _(
                "Students {students}, absent {absent}, without a reason {unexplained}, "
                "grades {grades}"
            ),
            students=j.register,
            absent=c.absent,
            unexplained=c.unexplained,
            grades=c.grades,
        )
    )
    return join(lines)


def book_caption(m: Monitoring) -> str:
    return format_html(_("Monitoring workbook · {span}"), span=span_text(m.span))


def chart_caption(m: Monitoring) -> str:
    return format_html(_("Registers on time by teacher and week · {span}"), span=span_text(m.span))


def my_week(week: MyWeek) -> str:
    title = format_html(
        _("🗓 <b>My week</b> · {first} – {last}"),
        first=f"{week.span.first:%d.%m}",
        last=f"{week.span.last:%d.%m}",
    )
    late = [
        format_html("{rule}: {count}", rule=rule_name(rule), count=count)
        for rule, count in week.late.items()
        if count
    ]
    tail: list[str] = [format_html(_("Lessons held this week: {count}"), count=week.lessons)]
    if late:
        tail += [bold(_("Done late this week")), *late]
    else:
        tail.append(_("Nothing done late this week."))
    if not week.missing.sections:
        return join([title, _("Nothing is missing in your lessons. 👍"), *tail])
    return join([digest_text(week.missing, title), "", *tail])
