"""What an import did, or why it did nothing: counts per entity and located errors."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from core.i18n import LazyProxy, _, __, ngettext


@dataclass(frozen=True)
class RowError:
    """A problem in the file. ``row`` is the row number Excel shows (the header is row 1)."""

    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def where(self) -> str:
        if self.sheet is None:
            return ""
        if self.row is None:
            return _("Sheet “{sheet}”").format(sheet=self.sheet)
        if self.column is None:
            return _("Sheet “{sheet}”, row {row}").format(sheet=self.sheet, row=self.row)
        return _("Sheet “{sheet}”, row {row}, column “{column}”").format(
            sheet=self.sheet, row=self.row, column=self.column
        )

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)
    # What the file says but the store keeps (a movement order decided it), one line each.
    warnings: list[str] = field(default_factory=list)
    college: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


# Report order and names of the entities an import writes.
ENTITY_NAMES: dict[str, LazyProxy] = {
    "organisation": __("Colleges"),
    "college_setting": __("College settings"),
    "position": __("Positions"),
    "person": __("People"),
    "membership": __("Roles"),
    "programme": __("Programmes"),
    "curriculum": __("Curricula"),
    "discipline": __("Disciplines"),
    "curriculum_item": __("Curriculum lines"),
    "group": __("Groups"),
    "subgroup": __("Subgroups"),
    "student": __("Students"),
    "group_enrolment": __("Group enrolments"),
    "subgroup_member": __("Subgroup members"),
    "period": __("Periods"),
    "calendar_entry": __("Calendar entries"),
    "bell": __("Bells"),
    "teaching_assignment": __("Teaching assignments"),
    "timetable_entry": __("Timetable lines"),
    "lesson": __("Lessons"),
    "regional_scope": __("Regional scopes"),
}


def render_report(report: ImportReport) -> str:
    """The report as plain text for the terminal or a chat message, in the current locale."""
    if report.errors:
        n = len(report.errors)
        lines = [
            ngettext(
                "The file has {n} error. Nothing was imported.",
                "The file has {n} errors. Nothing was imported.",
                n,
            ).format(n=n)
        ]
        lines += [f"• {error}" for error in report.errors]
        return "\n".join(lines)
    lines = [_("Import of “{college}” finished.").format(college=report.college)]
    for entity, name in ENTITY_NAMES.items():
        parts = []
        if report.created[entity]:
            parts.append(_("created {n}").format(n=report.created[entity]))
        if report.updated[entity]:
            parts.append(_("updated {n}").format(n=report.updated[entity]))
        if report.deleted[entity]:
            parts.append(_("removed {n}").format(n=report.deleted[entity]))
        if parts:
            lines.append(f"{name}: {', '.join(parts)}")
    if len(lines) == 1:
        lines.append(_("Nothing has changed: the store already matches the file."))
    if report.warnings:
        lines.append(_("Kept as movement orders made it (the file differs):"))
        lines += [f"• {warning}" for warning in report.warnings]
    return "\n".join(lines)
