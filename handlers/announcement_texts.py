"""The texts of the announcement screens: the draft's steps, the preview, the author's
progress message and the list of who acknowledged. Names and the author's words are
escaped: they read as text, never as markup."""

from __future__ import annotations

import html
from collections.abc import Sequence

from core.i18n import _, ngettext
from core.textsplit import TEXT_LIMIT
from keyboards import announcements as kb
from services.announcements.service import Acknowledgers, Figures, Kind, Reach

EXCERPT = 120  # characters of the text the progress message repeats
LIST_ROOM = TEXT_LIMIT - 200  # the list of names stops here, saying how many more
GROUPS_NAMED = 12  # more chosen groups are counted, so the preview stays one message


def _groups(names: Sequence[str]) -> str:
    if not names:
        return _("the whole college")
    shown = ", ".join(html.escape(n) for n in names[:GROUPS_NAMED])
    rest = len(names) - GROUPS_NAMED
    return f"{shown}, … +{rest}" if rest > 0 else shown


def audience_line(group_names: Sequence[str], kinds: Sequence[Kind]) -> str:
    where = _groups(group_names)
    who = ", ".join(kb.kind_label(k) for k in kinds) or "—"
    return _("To: {where} · {who}").format(where=where, who=who)


def groups_text(org_wide: bool) -> str:
    head = _("📣 <b>New announcement</b>")
    if org_wide:
        return head + "\n" + _("Whom is it for? Choose the whole college or some groups.")
    return head + "\n" + _("Which of your groups is it for?")


def kinds_text(group_names: Sequence[str]) -> str:
    where = _groups(group_names)
    return "\n".join(
        [
            _("📣 <b>New announcement</b>"),
            _("Groups: {where}").format(where=where),
            _("Who should receive it?"),
        ]
    )


def text_prompt(audience: str) -> str:
    return "\n".join(
        [
            _("📣 <b>New announcement</b>"),
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
        lines = [
            _("Nobody in this audience has linked Telegram yet, so there is nobody to send to.")
        ]
    else:
        lines = [
            ngettext(
                "👥 It will reach {n} person in Telegram.",
                "👥 It will reach {n} people in Telegram.",
                reach.linked,
            ).format(n=reach.linked)
        ]
    if reach.not_linked:
        lines.append(
            ngettext(
                "⚠ {n} more has not linked Telegram yet and will not get it.",
                "⚠ {n} more have not linked Telegram yet and will not get it.",
                reach.not_linked,
            ).format(n=reach.not_linked)
        )
    return lines


def preview_text(audience: str, text: str, file_note: str | None, reach: Reach) -> str:
    lines = [_("📣 <b>Preview of the announcement</b>"), audience, "", html.escape(text), ""]
    if file_note:
        lines += [file_note, ""]
    lines += _reach_lines(reach)
    lines.append(_("Send it? You can also send another text to replace this one."))
    return "\n".join(lines)


def file_note(kind: str, name: str) -> str:
    if kind == "photo":
        return _("📎 With the photo above.")
    return _("📎 With the file {name}.").format(name=html.escape(name or _("file")))


def excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return html.escape(flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…")


def progress_text(audience: str, text: str, figures: Figures, not_linked: int) -> str:
    lines = [_("📣 <b>Announcement</b>"), audience, f"«{excerpt(text)}»", ""]
    lines.append(_("📬 Sent {sent} of {total}").format(sent=figures.sent, total=figures.total))
    if figures.pending:
        lines.append(_("⏳ Waiting: {n}").format(n=figures.pending))
    if figures.failed:
        lines.append(_("⚠ Not delivered: {n}").format(n=figures.failed))
    lines.append(
        _("✔ Acknowledged: {n} of {total}").format(n=figures.acknowledged, total=figures.total)
    )
    if not_linked:
        lines.append(
            ngettext(
                "👤 {n} person has not linked Telegram and did not get it.",
                "👤 {n} people have not linked Telegram and did not get it.",
                not_linked,
            ).format(n=not_linked)
        )
    if figures.finished:
        lines.append(_("✅ Sending finished."))
    return "\n".join(lines)


def acknowledgers_text(acks: Acknowledgers) -> str:
    lines = [_("✔ <b>Acknowledged: {n} of {total}</b>").format(n=len(acks.names), total=acks.total)]
    if not acks.names:
        lines.append(_("Nobody has acknowledged it yet."))
        return "\n".join(lines)
    used = len(lines[0])
    for shown, name in enumerate(acks.names):
        line = f"{shown + 1}. {html.escape(name)}"
        if used + len(line) + 1 > LIST_ROOM:
            rest = len(acks.names) - shown
            lines.append(ngettext("…and {n} more.", "…and {n} more.", rest).format(n=rest))
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)
