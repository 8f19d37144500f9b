"""A teacher uploads work programmes and КТП (R8), sees what is missing, gets them back —
and cannot touch the documents of disciplines they do not teach."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from keyboards.documents import DocCb
from storage.models import AuditEntry, DocumentKind, TeachingDocument
from tests.botapp import BotApp
from tests.factories import College
from tests.fakebot import TgUser

UPLOAD_WP = "📤 Upload: work programme"
UPLOAD_KTP = "📤 Upload: calendar-thematic plan (КТП)"
GET_WP = "📄 Get: work programme"


@pytest.fixture
async def teacher(app: BotApp, college: College) -> TgUser:
    app.stand_at(college.now)
    return await app.link(college.teacher)


async def _open(teacher: TgUser) -> None:
    await teacher.command("menu")
    await teacher.click("📎 Work programmes")


async def _documents(app: BotApp) -> list[TeachingDocument]:
    async with app.session_factory() as session:
        return list(await session.scalars(select(TeachingDocument).order_by(TeachingDocument.id)))


async def test_upload_store_and_get_back(app: BotApp, college: College, teacher: TgUser) -> None:
    await _open(teacher)
    assert teacher.last.button_labels == [
        "⚠ ИС-21 Иностранный язык",
        "⚠ ИС-21 Математика",
        "☰ Menu",
    ]
    assert "ИС-21 · Математика: ⚠ work programme, ⚠ calendar-thematic plan" in teacher.last.text
    assert "Информатика" not in teacher.last.text

    await teacher.click("⚠ ИС-21 Математика")
    assert "Work programme: ⚠ not uploaded" in teacher.last.text
    assert GET_WP not in teacher.last.button_labels
    await teacher.click(UPLOAD_WP)
    assert "Send the work programme for Математика · ИС-21" in teacher.last.text
    sent = await teacher.upload_document(b"%PDF-1.4 programme", "rp.pdf")
    assert "Saved: work programme." in teacher.last.text
    assert "rp.pdf, uploaded 17 November 2026" in teacher.last.text

    [stored] = await _documents(app)
    file = sent.document
    assert file is not None
    assert (stored.file_id, stored.file_unique_id, stored.file_name) == (
        file.file_id,
        file.file_unique_id,
        "rp.pdf",
    )
    assert (stored.kind, stored.group_id, stored.discipline_id, stored.uploaded_by) == (
        DocumentKind.WORK_PROGRAMME,
        college.group.id,
        college.math.id,
        college.teacher.id,
    )
    async with app.session_factory() as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.entity == "teaching_document")
        )
        assert entry is not None and entry.actor_id == college.teacher.id

    await teacher.click(GET_WP)
    back = teacher.last.document
    assert back is not None and back.file_id == file.file_id
    assert back.content == b"%PDF-1.4 programme"
    assert teacher.last.text == "Work programme · Математика · ИС-21"


async def test_a_new_upload_replaces_the_current_one(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open(teacher)
    await teacher.click("⚠ ИС-21 Математика")
    await teacher.click(UPLOAD_WP)
    await teacher.upload_document(b"v1", "rp-2025.pdf")
    await teacher.click("🔄 Replace: work programme")
    second = await teacher.upload_document(b"v2", "rp-2026.pdf")
    assert "rp-2026.pdf" in teacher.last.text and "rp-2025.pdf" not in teacher.last.text
    await teacher.click(GET_WP)
    assert second.document is not None and teacher.last.document is not None
    assert teacher.last.document.file_id == second.document.file_id
    assert [d.file_name for d in await _documents(app)] == ["rp-2025.pdf", "rp-2026.pdf"]


async def test_everything_uploaded_shows_done(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open(teacher)
    for pair in ("⚠ ИС-21 Математика", "⚠ ИС-21 Иностранный язык"):
        await teacher.click(pair)
        for upload in (UPLOAD_WP, UPLOAD_KTP):
            await teacher.click(upload)
            await teacher.upload_document(b"doc", "plan.docx")
        await teacher.click("⬅ Work programmes")
    assert teacher.last.button_labels == [
        "✅ ИС-21 Иностранный язык",
        "✅ ИС-21 Математика",
        "☰ Menu",
    ]
    assert "Everything is uploaded." in teacher.last.text
    # The English taught to subgroup 1 counts for the group: one pair, not one per subgroup.
    assert {(d.group_id, d.discipline_id) for d in await _documents(app)} == {
        (college.group.id, college.math.id),
        (college.group.id, college.english.id),
    }


async def test_text_instead_of_a_file_is_asked_again(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open(teacher)
    await teacher.click("⚠ ИС-21 Математика")
    await teacher.click(UPLOAD_KTP)
    await teacher.send("here it is")
    assert "Please send the file as a document" in teacher.last.text
    await teacher.upload_document(b"ktp", "ktp.xlsx")
    assert "Saved: calendar-thematic plan (КТП)." in teacher.last.text
    assert [d.kind for d in await _documents(app)] == [DocumentKind.KTP]


async def test_forged_presses_change_and_send_nothing(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open(teacher)
    screen = teacher.last
    g, informatics = college.group.id, college.informatics.id
    forged = {
        f"dc:pair:{g}:{informatics}:": "not among those you teach",
        f"dc:up:{g}:{informatics}:wp": "not among those you teach",
        f"dc:up:{college.other_group.id}:{college.math.id}:wp": "not among those you teach",
        f"dc:up:{g}:{college.math.id}:zz": "work programme or calendar-thematic plan",
        f"dc:get:{g}:{college.math.id}:wp": "No work programme has been uploaded yet",
        "dc:pair:999999:1:": "not among those you teach",
    }
    for data, message in forged.items():
        await teacher.click_data(screen, data)
        alert = teacher.alerts[-1]
        assert alert.show_alert and message in (alert.text or ""), (data, alert.text)
    # None of the refused uploads left the conversation waiting for a file.
    await teacher.upload_document(b"stray", "stray.pdf")
    assert "Send the" not in teacher.last.text
    assert await _documents(app) == []
    assert app.api.calls("sendDocument") == []


async def test_another_teacher_cannot_fetch_or_upload(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open(teacher)
    await teacher.click("⚠ ИС-21 Математика")
    await teacher.click(UPLOAD_WP)
    await teacher.upload_document(b"mine", "rp.pdf")
    other = await app.link(college.other_teacher)
    await other.command("menu")
    g, math = college.group.id, college.math.id
    await other.click_data(other.last, f"dc:get:{g}:{math}:wp")
    assert other.alerts[-1].show_alert
    await other.click_data(other.last, f"dc:up:{g}:{math}:wp")
    assert other.alerts[-1].show_alert
    assert app.api.calls("sendDocument") == []
    assert len(await _documents(app)) == 1


async def test_back_from_an_upload_stops_waiting_for_a_file(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open(teacher)
    await teacher.click("⚠ ИС-21 Математика")
    await teacher.click(UPLOAD_WP)
    await teacher.click("⬅ Back")
    assert "Work programme: ⚠ not uploaded" in teacher.last.text
    await teacher.upload_document(b"late", "rp.pdf")
    assert "Saved" not in teacher.last.text
    assert await _documents(app) == []


async def test_a_pair_opened_from_a_reminder_comes_as_a_new_message(
    app: BotApp, college: College
) -> None:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    digest_like = teacher.last
    await teacher.click_data(
        digest_like, DocCb(act="new", group=college.group.id, disc=college.math.id).pack()
    )
    assert teacher.last.message_id != digest_like.message_id and not digest_like.edited
    assert "Математика" in teacher.last.text


@pytest.mark.parametrize(
    ("size", "name", "mime", "answer"),
    [
        (2, "ktp.exe", "application/pdf", "This kind of file is not accepted"),
        (9, "ktp.sh", None, "This kind of file is not accepted"),
        (1, "", "application/zip", "This kind of file is not accepted"),
        (20 * 2**20 + 1, "ktp.pdf", None, "too large: 20.0 MB, at most 20 MB"),
    ],
    ids=["exe-as-pdf", "script", "zip-without-name", "too-large"],
)
async def test_a_file_of_another_kind_or_too_large_is_refused_and_asked_again(
    app: BotApp,
    college: College,
    teacher: TgUser,
    size: int,
    name: str,
    mime: str | None,
    answer: str,
) -> None:
    await _open(teacher)
    await teacher.click("⚠ ИС-21 Математика")
    await teacher.click(UPLOAD_KTP)
    await teacher.upload_document(b"\0" * size, name, mime_type=mime)
    assert answer in teacher.last.text
    assert await _documents(app) == []
    await teacher.upload_document(b"ktp", "ktp.ods")  # still waiting for the file
    assert "Saved: calendar-thematic plan (КТП)." in teacher.last.text
