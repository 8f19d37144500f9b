"""The Bot API methods the fake answers, each checked the way Telegram checks it."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .call import Call
from .html import EntityParseError, parse_html
from .state import ApiError, ChatMessage, Webhook, bad_request

if TYPE_CHECKING:
    from .server import FakeBotAPI

Handler = Callable[["FakeBotAPI", Call], Awaitable[Any]]
HANDLERS: dict[str, tuple[str, Handler]] = {}  # lower-case name -> (canonical name, handler)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALERT_LIMIT = 200
CALLBACK_DATA_LIMIT = 64
INLINE_BUTTONS_LIMIT = 100
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
INLINE_ACTIONS = (
    "callback_data", "url", "login_url", "web_app", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


def method(name: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[name.lower()] = (name, func)
        return func

    return register


def harmless(*names: str) -> None:
    """Methods that only change how the bot looks; the fake accepts and forgets them."""
    for name in names:

        async def accept(api: FakeBotAPI, call: Call) -> bool:
            return True

        HANDLERS[name.lower()] = (name, accept)


harmless("close", "logOut", "sendChatAction", "setMyDescription", "setMyShortDescription")
harmless("setMyName")


# --- formatting and markup -------------------------------------------------------------


def formatted(call: Call, field: str, entities_field: str, limit: int) -> tuple[str, list[Any]]:
    """Text after entity parsing, checked against Telegram's length rules."""
    source = call.text(field) or ""
    mode = (call.text("parse_mode") or "").lower()
    if mode == "html":
        try:
            text, entities = parse_html(source)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    else:
        # Markdown modes are not parsed: the product uses HTML only.
        text, entities = source.strip(), list(call.obj(entities_field) or [])
    caption = field == "caption"
    if not text and not caption:
        raise bad_request("message text is empty")
    if len(text) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return text, entities


def check_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        buttons = [button for row in markup["inline_keyboard"] for button in row]
        if len(buttons) > INLINE_BUTTONS_LIMIT:
            raise bad_request("reply markup is too long")
        for button in buttons:
            _check_inline_button(button)
    for row in markup.get("keyboard", []):
        for button in row:
            label = button if isinstance(button, str) else button.get("text", "")
            if not str(label).strip():
                raise bad_request("BUTTON_TEXT_INVALID")


def _check_inline_button(button: dict[str, Any]) -> None:
    if not str(button.get("text", "")).strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    data = button.get("callback_data")
    if data == "" or not any(key in button for key in INLINE_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if data is not None and len(str(data).encode()) > CALLBACK_DATA_LIMIT:
        raise bad_request("BUTTON_DATA_INVALID")


def inline_only(markup: Any) -> dict[str, Any] | None:
    """What a message keeps: an inline keyboard with at least one button, or nothing."""
    if isinstance(markup, dict) and any(markup.get("inline_keyboard") or []):
        return markup
    return None


def _set(raw: dict[str, Any], key: str, value: Any) -> None:
    if value:
        raw[key] = value
    else:
        raw.pop(key, None)


def editable(api: FakeBotAPI, call: Call) -> ChatMessage:
    if call.obj("inline_message_id") is not None:
        raise bad_request("MESSAGE_ID_INVALID")
    chat = api.writable_chat(call)
    message_id = call.required_int("message_id", "message identifier is not specified")
    message = chat.find(message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


# --- sending -----------------------------------------------------------------------------


@method("sendMessage")
async def send_message(api: FakeBotAPI, call: Call) -> dict[str, Any]:
    chat = api.writable_chat(call)
    api.take_rate(chat.chat_id)
    text, entities = formatted(call, "text", "entities", TEXT_LIMIT)
    markup = call.obj("reply_markup")
    check_markup(markup)
    content: dict[str, Any] = {"text": text}
    _set(content, "entities", entities)
    return api.post_bot_message(chat, content, markup, html=call.text("text")).raw


async def _send_file(api: FakeBotAPI, call: Call, kind: str) -> dict[str, Any]:
    chat = api.writable_chat(call)
    api.take_rate(chat.chat_id)
    caption, entities = formatted(call, "caption", "caption_entities", CAPTION_LIMIT)
    markup = call.obj("reply_markup")
    check_markup(markup)
    stored = api.input_file(call, kind)
    content: dict[str, Any] = {
        kind: stored.document_json() if kind == "document" else stored.photo_json()
    }
    _set(content, "caption", caption)
    _set(content, "caption_entities", entities)
    return api.post_bot_message(chat, content, markup, html=call.text("caption"), file=stored).raw


@method("sendDocument")
async def send_document(api: FakeBotAPI, call: Call) -> dict[str, Any]:
    return await _send_file(api, call, "document")


@method("sendPhoto")
async def send_photo(api: FakeBotAPI, call: Call) -> dict[str, Any]:
    return await _send_file(api, call, "photo")


# --- editing -----------------------------------------------------------------------------


@method("editMessageText")
async def edit_message_text(api: FakeBotAPI, call: Call) -> dict[str, Any]:
    message = editable(api, call)
    if "text" not in message.raw:
        raise bad_request("there is no text in the message to edit")
    text, entities = formatted(call, "text", "entities", TEXT_LIMIT)
    markup = call.obj("reply_markup")
    check_markup(markup)
    markup = inline_only(markup)  # an edit without a keyboard removes the old one
    same = (text, entities, markup) == (message.text, message.entities, message.reply_markup)
    if same:
        raise bad_request(NOT_MODIFIED)
    message.raw["text"] = text
    _set(message.raw, "entities", entities)
    _set(message.raw, "reply_markup", markup)
    message.html = call.text("text")
    return api.mark_edited(message)


@method("editMessageCaption")
async def edit_message_caption(api: FakeBotAPI, call: Call) -> dict[str, Any]:
    message = editable(api, call)
    if "text" in message.raw:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = formatted(call, "caption", "caption_entities", CAPTION_LIMIT)
    markup = call.obj("reply_markup")
    check_markup(markup)
    markup = inline_only(markup)
    old = (message.raw.get("caption", ""), message.entities, message.reply_markup)
    if (caption, entities, markup) == old:
        raise bad_request(NOT_MODIFIED)
    _set(message.raw, "caption", caption)
    _set(message.raw, "caption_entities", entities)
    _set(message.raw, "reply_markup", markup)
    message.html = call.text("caption")
    return api.mark_edited(message)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(api: FakeBotAPI, call: Call) -> dict[str, Any]:
    message = editable(api, call)
    markup = call.obj("reply_markup")
    check_markup(markup)
    markup = inline_only(markup)
    if markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    _set(message.raw, "reply_markup", markup)
    return api.mark_edited(message)


@method("deleteMessage")
async def delete_message(api: FakeBotAPI, call: Call) -> bool:
    chat = api.writable_chat(call)
    message_id = call.required_int("message_id", "message identifier is not specified")
    message = chat.find(message_id)
    if message is None:
        raise bad_request("message to delete not found")
    message.deleted = True
    return True


@method("answerCallbackQuery")
async def answer_callback_query(api: FakeBotAPI, call: Call) -> bool:
    text = call.text("text")
    if text is not None and len(text) > ALERT_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    api.answer_callback(
        str(call.obj("callback_query_id") or ""), text, call.flag("show_alert"), call.text("url")
    )
    return True


# --- files, identity, polling ------------------------------------------------------------


@method("getFile")
async def get_file(api: FakeBotAPI, call: Call) -> dict[str, Any]:
    stored = api.files.get(call.text("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.file_json()


@method("getMe")
async def get_me(api: FakeBotAPI, call: Call) -> dict[str, Any]:
    return {
        **api.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


@method("getUpdates")
async def get_updates(api: FakeBotAPI, call: Call) -> list[dict[str, Any]]:
    if api.webhook is not None:
        raise ApiError(409, WEBHOOK_ACTIVE)
    limit = call.integer("limit") or 100
    if not 1 <= limit <= 100:
        limit = 100
    timeout = max(0, call.integer("timeout") or 0)
    return await api.fetch_updates(call.integer("offset"), limit, float(timeout))


@method("setWebhook")
async def set_webhook(api: FakeBotAPI, call: Call) -> bool:
    url = call.text("url") or ""
    if not url:  # Telegram: an empty url removes the webhook
        api.webhook = None
        return True
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = call.text("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("secret token contains unallowed characters")
    allowed = call.obj("allowed_updates")
    if call.flag("drop_pending_updates"):
        api.drop_pending_updates()
    api.webhook = Webhook(url, secret, list(allowed) if isinstance(allowed, list) else None)
    return True


@method("deleteWebhook")
async def delete_webhook(api: FakeBotAPI, call: Call) -> bool:
    api.webhook = None
    if call.flag("drop_pending_updates"):
        api.drop_pending_updates()
    return True


@method("getWebhookInfo")
async def get_webhook_info(api: FakeBotAPI, call: Call) -> dict[str, Any]:
    info: dict[str, Any] = {
        "url": api.webhook.url if api.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": api.pending,
    }
    if api.webhook is not None and api.webhook.allowed_updates is not None:
        info["allowed_updates"] = api.webhook.allowed_updates
    return info


# --- commands and menu -------------------------------------------------------------------


def _commands_key(call: Call) -> tuple[str, str]:
    scope = call.obj("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), call.text("language_code") or ""


@method("setMyCommands")
async def set_my_commands(api: FakeBotAPI, call: Call) -> bool:
    commands = call.obj("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not COMMAND_NAME.match(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    api.commands[_commands_key(call)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


@method("getMyCommands")
async def get_my_commands(api: FakeBotAPI, call: Call) -> list[dict[str, str]]:
    return api.commands.get(_commands_key(call), [])


@method("deleteMyCommands")
async def delete_my_commands(api: FakeBotAPI, call: Call) -> bool:
    api.commands.pop(_commands_key(call), None)
    return True


@method("setChatMenuButton")
async def set_chat_menu_button(api: FakeBotAPI, call: Call) -> bool:
    button = call.obj("menu_button") or {"type": "default"}
    if call.obj("chat_id") is None:
        api.default_menu_button = button
    else:
        api.writable_chat(call).menu_button = button
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(api: FakeBotAPI, call: Call) -> dict[str, Any]:
    if call.obj("chat_id") is None:
        return api.default_menu_button
    return api.writable_chat(call).menu_button or api.default_menu_button


def unknown_method(name: str) -> ApiError:
    # Telegram says only "Not Found"; naming the method tells the test author what to add.
    return ApiError(404, f"Not Found: the fake Bot API does not implement {name}")
