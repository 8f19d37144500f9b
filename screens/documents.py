"""The teacher's work programmes and calendar-thematic plans: what is uploaded and missing,
one group and discipline, the upload prompt and the file's caption. Names are escaped
(screens/markup.py)."""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from core.i18n import _, fmt_date
from screens.markup import Markup, bold, format_html, join
from screens.vocabulary import DOCUMENT_TITLES, document_kind, document_title
from services.access import TeachingScope
from services.journal.documents_overview import DocumentPair
from storage.models import DocumentKind, TeachingDocument


def _title(scope: TeachingScope) -> Markup:
    return format_html("{} · {}", scope.discipline.name, scope.group.name)


def pairs_text(pairs: list[DocumentPair]) -> Markup:
    lines = [format_html(_("<b>Work programmes and КТП</b>"))]
    if not pairs:
        lines.append(format_html(_("You have no groups and disciplines assigned.")))
        return join(lines)
    for pair in pairs:
        status = [f"✅ {document_kind(k)}" for k in pair.uploaded]
        status += [f"⚠ {document_kind(k)}" for k in pair.missing]
        lines.append(
            format_html("{} · {}: {}", pair.group_name, pair.discipline_name, ", ".join(status))
        )
    missing = sum(len(p.missing) for p in pairs)
    if missing:
        lines.append(
            format_html(_("⚠ marks a document not uploaded yet. Choose a discipline to upload it."))
        )
    else:
        lines.append(format_html(_("Everything is uploaded.")))
    return join(lines)


def pair_text(
    scope: TeachingScope,
    current: Mapping[DocumentKind, TeachingDocument],
    tz: ZoneInfo,
) -> Markup:
    lines = [bold(_title(scope))]
    for kind in DOCUMENT_TITLES:
        document = current.get(kind)
        if document is None:
            state = format_html(_("⚠ not uploaded"))
        else:
            state = format_html(
                _("📄 {name}, uploaded {date}"),
                name=document.file_name or _("file"),
                date=fmt_date(document.uploaded_at.astimezone(tz), "d MMMM y"),
            )
        lines.append(format_html("{}: {}", document_title(kind), state))
    return join(lines)


def saved_text(
    kind: DocumentKind,
    scope: TeachingScope,
    current: Mapping[DocumentKind, TeachingDocument],
    tz: ZoneInfo,
) -> Markup:
    note = format_html(_("Saved: {kind}."), kind=document_kind(kind))
    return join([note, "", pair_text(scope, current, tz)])


def upload_prompt(kind: DocumentKind, scope: TeachingScope) -> Markup:
    return format_html(
        _("Send the {kind} for {title} as a file (a document), or /cancel."),
        kind=document_kind(kind),
        title=_title(scope),
    )


def file_caption(kind: DocumentKind, scope: TeachingScope) -> Markup:
    return format_html("{} · {}", document_title(kind), _title(scope))
