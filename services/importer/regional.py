"""The optional sheet ``regional``: regional specialists of the college and the colleges each
monitors (§4.1, docs/monitoring.md "The region"). A row makes a staff member of this file the
regional specialist: the regional role in this college, and their scope replaced as a whole by
the colleges listed (codes of colleges already in the store, or this college's own). A
specialist not on the sheet keeps what they have: ``journal-bot regional`` sets it too.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.i18n import _
from storage import region as q
from storage.models import Person

from .context import Context
from .model import CollegeData, RegionalData
from .report import RowError
from .writer import Writer

SHEET = "regional"


def read_regional(ctx: Context) -> None:
    """The sheet's rows, checked against the file: a staff member, listed once, with at least
    one college."""
    found = ctx.data.regional
    staff = {s.external_id for s in ctx.data.staff}
    for row in ctx.rows(SHEET):
        external_id = row.text("external_id", required=True, limit=64)
        colleges = row.items("colleges", required=True)
        if external_id is None or not colleges:
            continue
        if "staff" in ctx.usable and external_id not in staff:
            row.error(
                "external_id",
                _("{id} is not on the sheet “staff”.").format(id=external_id),
            )
            continue
        if ctx.once(row, "external_id", "id", external_id, external_id):
            found.append(RegionalData(external_id, tuple(colleges), row.number))


async def check_colleges(session: AsyncSession, data: CollegeData, errors: list[RowError]) -> None:
    """Every college code names a college in the store (or the one imported)."""
    rows = data.regional
    own = data.college.code if data.college else ""
    codes = sorted({code for r in rows for code in r.colleges if code != own})
    known = await q.orgs_by_code(session, codes)
    for r in rows:
        for code in r.colleges:
            if code != own and code not in known:
                message = _("No college with the code {code}.").format(code=code)
                errors.append(RowError(SHEET, r.row, "colleges", message))


async def write_regional(w: Writer, person_id: dict[str, int]) -> None:
    rows = w.data.regional
    if not rows:
        return
    codes = sorted({code for r in rows for code in r.colleges})
    orgs = await q.orgs_by_code(w.session, codes)
    for r in rows:
        pid = person_id[r.external_id]
        before = sorted(org.id for org in await q.scope(w.session, pid))
        after = sorted({orgs[code].id for code in r.colleges})
        person = await w.session.get(Person, pid)
        if person is None:  # written a moment ago
            continue
        await q.ensure_regional_role(w.session, person)
        if before != after:
            await q.set_scope(w.session, pid, after)
            w.log("update", "regional_scope", pid, {"colleges": before}, {"colleges": after})
