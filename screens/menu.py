"""The main menu's text, the greeting on linking, and the help. A person's name comes from
the college's import and may hold any character: it is escaped (screens/markup.py)."""

from __future__ import annotations

from core.i18n import _
from screens.markup import Markup, bold, format_html, join
from screens.vocabulary import role_name
from services.people.identity import Identity
from storage.models import Role


def menu_text(identity: Identity) -> Markup:
    lines = [format_html("👤 {}", bold(identity.person.short_name))]
    role = identity.role
    if role is not None:
        lines.append(format_html(_("Role: {role}"), role=role_name(role)))
    if role is Role.PARENT and identity.children:
        names = join(
            (
                format_html("{} ({})", c.short_name, c.group_name) if c.group_name else c.short_name
                for c in identity.children
            ),
            ", ",
        )
        lines.append(format_html(_("Children: {names}"), names=names))
        if len(identity.children) > 1 and identity.child:
            lines.append(format_html(_("Now showing: {name}"), name=identity.child.short_name))
    if role is None:
        lines.append(
            format_html(_("No role is assigned to you yet. Please contact the administrator."))
        )
    else:
        lines.append(format_html(_("Choose an action:")))
    return join(lines)


def linked_elsewhere(name: str) -> Markup:
    return format_html(
        _(
            "This account is already linked to {name}. One account serves one "
            "person; to change it, contact the college administrator."
        ),
        name=name,
    )


def welcome(first_name: str) -> Markup:
    return format_html(
        _("Welcome, {name}! Your account is now linked to the journal."),
        name=first_name,
    )


def help_text(linked: bool) -> Markup:
    lines = [
        format_html(_("<b>College journal</b>")),
        format_html(_("/menu: the main menu")),
        format_html(_("/language: change the language")),
        format_html(_("/cancel: stop what you are doing")),
        format_html(_("/help: this help")),
    ]
    if not linked:
        lines += [
            Markup(),
            format_html(_("To start, open the personal link you received from the college.")),
        ]
    return join(lines)
