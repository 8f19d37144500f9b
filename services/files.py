"""Files people hand to the journal — absence certificates, work programmes and КТП, homework:
only what a college reads (PDF, pictures, office documents) and no larger than ``SIZE_MAX``.

The check trusts what Telegram reports of the file (name, type, size); the bot never opens the
file, it only passes Telegram's file id on. A name's extension decides when there is one (a
``.exe`` calling itself a PDF is still refused); without a name the reported type decides."""

from __future__ import annotations

from pathlib import PurePosixPath

from core.errors import Invalid
from core.i18n import _

SIZE_MAX = 20 * 1024 * 1024  # also what the Bot API lets a bot download

EXTENSIONS = frozenset(
    {
        # PDF and pictures: scans and photos of certificates
        ".pdf", ".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp", ".gif", ".bmp", ".tif", ".tiff",
        # office documents: Word, Excel, PowerPoint, OpenDocument, plain and rich text
        ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp", ".rtf", ".txt",
    }
)  # fmt: skip
MIME_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/rtf",
        "text/plain",
    }
)


def check_document(file_name: str | None, mime_type: str | None, size: int | None) -> None:
    """Invalid, with what is accepted, unless the file is of a kind and size the journal
    takes."""
    suffix = PurePosixPath(file_name or "").suffix.lower()
    mime = (mime_type or "").lower()
    known = suffix in EXTENSIONS if suffix else (mime in MIME_TYPES or mime.startswith("image/"))
    if not known:
        raise Invalid(
            _(
                "This kind of file is not accepted. Please send a PDF, a picture (JPG, PNG) or "
                "an office document (Word, Excel, PowerPoint, OpenDocument)."
            )
        )
    if size is not None and size > SIZE_MAX:
        raise Invalid(
            _("This file is too large: {size} MB, at most {limit} MB.").format(
                size=f"{size / 2**20:.1f}", limit=SIZE_MAX // 2**20
            )
        )
