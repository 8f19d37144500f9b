"""The texts of the announcement screens: the draft's steps, the preview, the author's
progress message and the list of who acknowledged. Names and the author's words are
escaped: they read as text, never as markup."""

from __future__ import annotations

from collections.abc import Sequence

from core.i18n import _, ngettext
from core.textsplit import TEXT_LIMIT
from screens.markup import Markup, format_html, join, text
from screens.vocabulary import audience_label, role_name
from services.announcements.service import Acknowledgers, Figures, Kind, Reach
from storage.models import Role

EXCERPT = 120  # characters of the text the progress message repeats
LIST_ROOM = TEXT_LIMIT - 200  # the list of names stops here, saying how many more
GROUPS_NAMED = 12  # more chosen groups are counted, so the preview stays one message


def _groups(names: Sequence[str]) -> Markup:
    if not names:
        return text(_("the whole college"))
    shown = join(names[:GROUPS_NAMED], ", ")
    rest = len(names) - GROUPS_NAMED
    return format_html("{}, … +{}", shown, rest) if rest > 0 else shown


def audience_line(group_names: Sequence[str], kinds: Sequence[Kind]) -> str:
    where = _groups(group_names)
    who = ", ".join(audience_label(k) for k in kinds) or "—"
    return format_html(_("To: {where} · {who}"), where=where, who=who)


def groups_text(org_wide: bool) -> str:
    head = format_html(_("📣 <b>New announcement</b>"))
    if org_wide:
        return head + "\n" + _("Whom is it for? Choose the whole college or some groups.")
    return head + "\n" + _("Which of your groups is it for?")


def kinds_text(group_names: Sequence[str]) -> str:
    where = _groups(group_names)
    return join(
        [
            format_html(_("📣 <b>New announcement</b>")),
            format_html(_("Groups: {where}"), where=where),
            _("Who should receive it?"),
        ]
    )


def text_prompt(audience: str) -> str:
    return join(
        [
            format_html(_("📣 <b>New announcement</b>")),
            audience,
            "",
            _(
                "Send the text of the announcement. You can attach a photo or a file: send it "
                "with the text as its caption. /cancel stops."
            ),
        ]
    )


def file_waiting_text() -> str:
    return _("The file is attached. Now send the text of the announcement.")


def _reach_lines(reach: Reach) -> list[str]:
    if not reach.linked:
        lines: list[str] = [
            _("Nobody in this audience uses the bot yet, so there is nobody to send to.")
        ]
    else:
        lines = [
            ngettext(
                "👥 It will reach {n} person in the bot.",
                "👥 It will reach {n} people in the bot.",
                reach.linked,
            ).format(n=reach.linked)
        ]
    if reach.not_linked:
        lines.append(
            ngettext(
                "⚠ {n} more does not use the bot yet and will not get it.",
                "⚠ {n} more do not use the bot yet and will not get it.",
                reach.not_linked,
            ).format(n=reach.not_linked)
        )
    return lines


def preview_text(audience: str, typed: str, file_note: str | None, reach: Reach) -> str:
    """``audience`` and ``file_note`` are made here (audience_line, file_note)."""
    lines: list[str] = [
        format_html(_("📣 <b>Preview of the announcement</b>")),
        audience,
        "",
        typed,
        "",
    ]
    if file_note:
        lines += [file_note, ""]
    lines += _reach_lines(reach)
    lines.append(_("Send it? You can also send another text to replace this one."))
    return join(lines)


def file_note(kind: str, name: str) -> str:
    if kind == "photo":
        return _("📎 With the photo above.")
    return format_html(_("📎 With the file {name}."), name=name or _("file"))


def excerpt(typed: str) -> str:
    flat = " ".join(typed.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def progress_text(audience: str, typed: str, figures: Figures, not_linked: int) -> str:
    lines: list[str] = [
        format_html(_("📣 <b>Announcement</b>")),
        audience,
        format_html("«{}»", excerpt(typed)),
        "",
    ]
    lines.append(
        format_html(_("📬 Sent {sent} of {total}"), sent=figures.sent, total=figures.total)
    )
    if figures.pending:
        lines.append(format_html(_("⏳ Waiting: {n}"), n=figures.pending))
    if figures.failed:
        lines.append(format_html(_("⚠ Not delivered: {n}"), n=figures.failed))
    lines.append(
        format_html(
            _("✔ Acknowledged: {n} of {total}"), n=figures.acknowledged, total=figures.total
        )
    )
    if not_linked:
        lines.append(
            ngettext(
                "👤 {n} person does not use the bot and did not get it.",
                "👤 {n} people do not use the bot and did not get it.",
                not_linked,
            ).format(n=not_linked)
        )
    if figures.finished:
        lines.append(_("✅ Sending finished."))
    return join(lines)


def acknowledgers_text(acks: Acknowledgers) -> str:
    lines: list[str] = [
        format_html(_("✔ <b>Acknowledged: {n} of {total}</b>"), n=len(acks.names), total=acks.total)
    ]
    if not acks.names:
        lines.append(_("Nobody has acknowledged it yet."))
        return join(lines)
    used = len(lines[0])
    for shown, name in enumerate(acks.names):
        line = format_html("{}. {}", shown + 1, name)
        if used + len(line) + 1 > LIST_ROOM:
            rest = len(acks.names) - shown
            lines.append(ngettext("…and {n} more.", "…and {n} more.", rest).format(n=rest))
            break
        lines.append(line)
        used += len(line) + 1
    return join(lines)


def message_text(author_name: str, role: Role, typed: str) -> str:
    """What a recipient reads, in the current locale."""
    head = format_html(
        _("📣 <b>Announcement</b> · {author}, {role}"), author=author_name, role=role_name(role)
    )
    return join([head, "", typed])
