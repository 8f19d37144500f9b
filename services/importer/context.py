"""What the sheet checks share: the sheets, the errors so far, the keys known so far.

A sheet that is missing or lacks a column is reported once and its rows are not read;
references into it are then not checked either (its key set stays None), so one missing sheet
does not bury the real problems under hundreds of "unknown …" lines.
"""

from __future__ import annotations

from collections.abc import Container, Hashable, Iterator

from core.i18n import _
from storage.models.people import NAME_MAX

from .cells import Row
from .choices import LOCALE_ALIASES
from .model import CollegeData, GroupData, PeriodData, PersonData
from .report import RowError
from .sheets import Sheet, check_layout


class Context:
    """What the checks share: the sheets, the errors so far, and the keys known so far."""

    def __init__(self, sheets: dict[str, Sheet], errors: list[RowError]) -> None:
        self.sheets = sheets
        self.errors = errors
        self.usable = check_layout(sheets, errors)
        self.data = CollegeData(college=None)
        self._seen: dict[tuple[str, str], dict[Hashable, int]] = {}
        # None: the sheet that defines these keys could not be read, so do not check them.
        self.groups: dict[str, GroupData] | None = None
        self.subgroups: dict[str, set[str]] = {}
        self.periods: dict[str, PeriodData | None] | None = None
        self.bells: set[int] | None = None
        self.disciplines: set[str] | None = None
        self.teachers: set[str] | None = None
        self.students: set[str] | None = None

    def rows(self, sheet: str) -> Iterator[Row]:
        if sheet not in self.usable:
            return
        for number, cells in self.sheets[sheet].rows:
            yield Row(sheet, number, cells, self.errors)

    def once(self, row: Row, column: str, space: str, key: Hashable, shown: object) -> bool:
        """False (and an error) when ``key`` already came up in ``space`` of this sheet."""
        seen = self._seen.setdefault((row.sheet, space), {})
        first = seen.setdefault(key, row.number)
        if first != row.number:
            row.error(
                column,
                _("“{value}” is already on row {row}.").format(value=shown, row=first),
            )
            return False
        return True

    @staticmethod
    def known(
        row: Row, column: str, value: str | int | None, pool: Container[object] | None, msg: str
    ) -> bool:
        """Is ``value`` among the keys of ``pool``? ``msg`` has a ``{value}`` placeholder."""
        if value is None:
            return False
        if pool is None or value in pool:
            return True
        row.error(column, msg.format(value=value))
        return False

    def subgroup_known(self, row: Row, column: str, group: str, name: str | None) -> bool:
        if name is None or self.groups is None or group not in self.groups:
            return True
        if name in self.subgroups.get(group, set()):
            return True
        row.error(
            column,
            _("Group “{group}” has no subgroup “{value}”.").format(group=group, value=name),
        )
        return False

    def person(self, row: Row, *, birth_date: bool = False) -> PersonData | None:
        """The name columns every people sheet has; one person may be on several sheets."""
        external_id = row.text("external_id", required=True, limit=64)
        person = PersonData(
            external_id=external_id or "",
            last_name=row.text("last_name", required=True, limit=NAME_MAX) or "",
            first_name=row.text("first_name", required=True, limit=NAME_MAX) or "",
            middle_name=row.text("middle_name", limit=NAME_MAX),
            birth_date=row.day("birth_date") if birth_date else None,
            phone=row.phone("phone"),
            email=row.email("email"),
            locale=row.choice("locale", LOCALE_ALIASES),
            sheet=row.sheet,
            row=row.number,
        )
        if external_id is None or not self.once(row, "external_id", "id", external_id, external_id):
            return None
        other = self.data.people.get(external_id)
        if other is None:
            self.data.people[external_id] = person
            return person
        names = (person.last_name, person.first_name, person.middle_name or "")
        if names != (other.last_name, other.first_name, other.middle_name or ""):
            row.error(
                "last_name",
                _("{id} is on sheet “{sheet}”, row {row} with another name.").format(
                    id=external_id, sheet=other.sheet, row=other.row
                ),
            )
            return None
        for attr in ("birth_date", "phone", "email", "locale"):
            if getattr(other, attr) is None:
                setattr(other, attr, getattr(person, attr))
        return other
