"""Every real-world corpus message through one mailbox pass on a real Dovecot: none is lost.

The corpora are messy on purpose (broken MIME, unknown charsets, bounces, TNEF, a 3 MB
endless multipart); a pass over all of them must finish, each message ending either triaged
and moved to the processed folder or quarantined with its reason and left where it was.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from pydantic import SecretStr
from sqlalchemy import select

from tests.conftest import CORPORA
from tests.imap_server import ImapServer
from tests.mailbox_support import imap_client

pytestmark = pytest.mark.slow

FOLDER = "Corpora"
PROCESSED = "Processed"
CORPUS_FILES = sorted(
    path for path in CORPORA.rglob("*") if path.is_file()
    and not path.name.upper().startswith(("LICENSE", "README"))
)
_APPENDUID = re.compile(rb"APPENDUID (\d+) (\d+)")


def append_corpus(imap: IMAPClient) -> tuple[dict[int, Path], list[Path]]:
    """APPEND each file; (UID -> file) for those taken, and the files the server refused."""
    appended: dict[int, Path] = {}
    refused: list[Path] = []
    for path in CORPUS_FILES:
        try:
            response = imap.append(FOLDER, path.read_bytes())
        except IMAPClientError:
            refused.append(path)
            continue
        found = _APPENDUID.search(response)
        assert found, f"Dovecot answered APPEND without APPENDUID: {response!r}"
        appended[int(found.group(2))] = path
    return appended, refused


def digests(imap: IMAPClient, folder: str) -> list[str]:
    imap.select_folder(folder, readonly=True)
    uids = imap.search("ALL")
    fetched = imap.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
    return sorted(hashlib.sha256(meta[b"BODY[]"]).hexdigest() for meta in fetched.values())


def test_every_corpus_message_is_triaged_or_quarantined_once(dovecot: ImapServer, settings):
    from models.db import session_scope
    from models.tables import Item, ItemStatus, MailboxMessage
    from pipeline.mailbox_pass import run_pass

    assert len(CORPUS_FILES) > 200
    imap = imap_client(dovecot, timeout=30)
    imap.create_folder(FOLDER)
    appended, refused = append_corpus(imap)
    # Dovecot takes almost anything as a message; what it refuses is not mail at all.
    assert len(refused) <= 5, [p.relative_to(CORPORA).as_posix() for p in refused]
    assert len(appended) + len(refused) == len(CORPUS_FILES)

    configured = settings.model_copy(update={
        "imap_host": dovecot.host, "imap_port": dovecot.port, "imap_user": dovecot.user,
        "imap_password": SecretStr(dovecot.password), "imap_folder": FOLDER,
        "imap_security": "none", "imap_processed_folder": PROCESSED,
    })
    first = run_pass(configured)

    with session_scope(configured.resolved_database_url) as session:
        rows = session.execute(
            select(MailboxMessage.uid, MailboxMessage.status, MailboxMessage.sha256,
                   Item.status, Item.error_code, Item.error)
            .join(Item, Item.id == MailboxMessage.item_id)
            .where(MailboxMessage.folder == FOLDER)).all()
    by_uid = {row[0]: row for row in rows}
    # Every message the server took has its row; only the refused files are missing.
    assert sorted(by_uid) == sorted(appended)
    processed, quarantined = [], []
    for uid, ledger_status, sha256, status, error_code, error in rows:
        name = appended[uid].relative_to(CORPORA).as_posix()
        if status in (ItemStatus.STAGED, ItemStatus.NEEDS_REVIEW, ItemStatus.IGNORED):
            assert ledger_status == "settled", name
            processed.append(sha256)
        else:
            assert status == ItemStatus.QUARANTINED, (name, status)
            assert error_code and error, name
            # An unexpected exception is a bug in the code, not a fault of the message.
            assert error_code != "internal_error", (name, error)
            assert ledger_status in ("stored", "duplicate"), name
            quarantined.append(uid)
    assert processed and first.settled == len(processed)
    assert first.waiting == len(quarantined)

    # Processed messages were moved; quarantined ones are still in the source folder.
    imap.select_folder(FOLDER, readonly=True)
    assert sorted(imap.search("ALL")) == sorted(quarantined)
    assert digests(imap, PROCESSED) == sorted(processed)

    second = run_pass(configured)
    assert second.batch.stored == [] and second.batch.duplicates == 0
    assert second.settled == 0 and second.waiting == len(quarantined)
    with session_scope(configured.resolved_database_url) as session:
        assert len(session.scalars(select(MailboxMessage.id)).all()) == len(rows)
    imap.logout()


def test_two_messages_sharing_a_message_id_and_size_are_both_stored(dovecot: ImapServer,
                                                                   settings):
    """The corpus holds such a pair (one charset label differs); arriving a pass apart, the
    second is a new message in the same folder, not an earlier copy to link and move unread."""
    from models.db import session_scope
    from models.tables import Item, MailboxMessage
    from pipeline.mailbox_pass import run_pass

    folder = "SameId"
    first, second = (CORPORA / "enmime" / name for name in (
        "mail_html-mime-bad-charset-inline.raw", "mail_html-mime-bad-unknown-charset-inline.raw"))
    imap = imap_client(dovecot, timeout=30)
    imap.create_folder(folder)
    configured = settings.model_copy(update={
        "imap_host": dovecot.host, "imap_port": dovecot.port, "imap_user": dovecot.user,
        "imap_password": SecretStr(dovecot.password), "imap_folder": folder,
        "imap_security": "none", "imap_processed_folder": f"{folder}-done",
    })
    imap.append(folder, first.read_bytes())
    assert len(run_pass(configured).batch.stored) == 1
    imap.append(folder, second.read_bytes())
    report = run_pass(configured)
    assert (len(report.batch.stored), report.resynced) == (1, 0)
    with session_scope(configured.resolved_database_url) as session:
        held = sorted(session.scalars(select(Item.sha256)))
        linked = session.scalars(select(MailboxMessage.sha256)).all()
    assert len(set(held)) == 2 and sorted(linked) == held
    assert digests(imap, f"{folder}-done") == held

    # The folder recreated (a new UIDVALIDITY) with both again: neither is a new item.
    imap.delete_folder(folder)
    imap.create_folder(folder)
    for path in (first, second):
        imap.append(folder, path.read_bytes())
    report = run_pass(configured)
    assert (report.batch.stored, report.settled) == ([], 2)
    assert report.resynced + report.batch.duplicates == 2
    imap.logout()
