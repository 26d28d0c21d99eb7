"""Email parsing over hand-built messages and the real-world corpora in ../shared/corpora."""

from __future__ import annotations

import contextlib
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.errors import QuarantineReason, UnreadableItem
from ingest.htmltext import html_to_text
from ingest.mail import OUTBOUND_MARKER_HEADER, decode_bytes, parse_message
from tests.conftest import CORPORA

CORPUS_FILES = sorted(
    path for path in CORPORA.glob("*/*") if path.is_file() and path.name != "LICENSE"
    and path.suffix != ".md"
)


def build(body: str = "The boiler is broken.", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Ann Smith <ann@example.org>")
    message["To"] = "housingcomplaints@northbrook-homes.example.org"
    message["Subject"] = headers.pop("Subject", "Boiler")
    message["Date"] = "Mon, 02 Nov 2026 09:14:00 +0000"
    message["Message-ID"] = "<one@example.org>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def test_plain_message_fields() -> None:
    item = parse_message(build(In_Reply_To="<zero@example.org>"))
    assert item.text.strip() == "The boiler is broken."
    assert (item.subject, item.sender_name, item.sender_address) == (
        "Boiler", "Ann Smith", "ann@example.org")
    assert item.received_at.isoformat() == "2026-11-02T09:14:00+00:00"
    assert item.message_id == "<one@example.org>"
    assert item.in_reply_to == ("<zero@example.org>",)
    assert item.automatic is None


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto_Submitted": "auto-replied"}, "Auto-Submitted"),
        ({"Precedence": "bulk"}, "Precedence"),
        ({"X_Autoreply": "yes"}, "X-Autoreply"),
        ({"X_Auto_Response_Suppress": "All"}, "X-Auto-Response-Suppress"),
        ({"From": "MAILER-DAEMON@mx.example.org"}, "mailer daemon"),
        ({"Return_Path": "<>"}, "empty return path"),
        ({OUTBOUND_MARKER_HEADER.replace("-", "_"): "1"}, "our own"),
        ({"List_Unsubscribe": "<mailto:leave@example.org>"}, "mailing list"),
    ],
)
def test_automatic_mail_is_recognised(headers: dict[str, str], reason: str) -> None:
    item = parse_message(build(**headers))
    assert item.automatic is not None and reason in item.automatic


def test_auto_submitted_no_is_a_person() -> None:
    assert parse_message(build(Auto_Submitted="no")).automatic is None


def test_html_only_body_is_read_as_text_without_script() -> None:
    message = MIMEText("<html><head><style>p{}</style><script>alert(1)</script></head><body>"
                       "<p>Damp in the <b>bedroom</b></p><img src=x onerror=alert(2)></body>"
                       "</html>", "html", "utf-8")
    message["From"] = "a@example.org"
    message["Subject"] = "Damp"
    item = parse_message(message.as_bytes())
    assert item.text == "Damp in the bedroom"
    assert item.text_source == "html"
    assert "<script>" in (item.html or "")  # kept for a sanitising viewer, never shown raw


def test_windows_1252_mislabelled_as_latin_1() -> None:
    raw = (b"From: a@example.org\nSubject: Rent\nContent-Type: text/plain; charset=iso-8859-1\n"
           b"Content-Transfer-Encoding: 8bit\n\nIt\x92s \xa3500 a month\n")
    assert "\xa3500" in parse_message(raw).text


def test_unknown_charset_falls_back() -> None:
    assert decode_bytes("Zoë".encode("cp1252"), "x-unknown-charset") == "Zoë"
    assert decode_bytes("Zoë".encode(), None) == "Zoë"


def test_quoted_printable_multipart_alternative() -> None:
    message = MIMEMultipart("alternative")
    message["From"] = "a@example.org"
    message["Subject"] = "=?utf-8?q?Repairs_=E2=80=93_again?="
    part = MIMEText("The window is still broken = draughty – third report.", "plain", "utf-8")
    part.replace_header("Content-Transfer-Encoding", "quoted-printable")
    part.set_payload("The window is still broken =3D draughty =E2=80=93 third report.")
    message.attach(part)
    message.attach(MIMEText("<p>The window</p>", "html", "utf-8"))
    item = parse_message(message.as_bytes())
    assert item.subject == "Repairs – again"
    assert "broken = draughty – third" in item.text


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(b"", QuarantineReason.EMPTY), (b"   \n", QuarantineReason.EMPTY),
     (b"\x00\x01binary junk with no headers", QuarantineReason.NOT_AN_EMAIL),
     (b"%PDF-1.4\n%\xe2\xe3", QuarantineReason.NOT_AN_EMAIL),
     (b"From: a@example.org\nTo: b@example.org\n\n", QuarantineReason.NO_TEXT)],
)
def test_unreadable_input_raises_with_a_reason(raw: bytes, reason: QuarantineReason) -> None:
    with pytest.raises(UnreadableItem) as caught:
        parse_message(raw)
    assert caught.value.reason == reason


def test_html_to_text_keeps_paragraphs() -> None:
    assert html_to_text("<p>One</p><p>Two&nbsp;three</p>") == "One\n\nTwo three"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_world_corpus_parses_or_is_refused_with_a_reason(path) -> None:
    raw = path.read_bytes()
    try:
        item = parse_message(raw)
    except UnreadableItem as exc:
        assert exc.reason in set(QuarantineReason)
        return
    assert item.text or item.subject
    assert item.received_at.tzinfo is not None


def test_corpora_are_present() -> None:
    assert len(CORPUS_FILES) > 200


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_parser(raw: bytes) -> None:
    with contextlib.suppress(UnreadableItem):
        parse_message(raw)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=500), st.text(max_size=80))
def test_any_text_body_survives_a_round_trip(body: str, subject: str) -> None:
    message = EmailMessage()
    message["From"] = "a@example.org"
    message["Subject"] = "".join(ch for ch in subject if ch.isprintable())
    message.set_content(body or "x")
    try:
        item = parse_message(message.as_bytes())
    except UnreadableItem as exc:
        assert exc.reason == QuarantineReason.NO_TEXT
        return
    assert item.source == "email"
