"""Mailbox intake throughput against a real Dovecot: messages per second by phase, and memory.

Starts its own Dovecot (tests/imap_server.py) in a temporary directory, APPENDs generated
messages (complaints, repair requests, compliments, replies quoting a case, auto-replies and
bounces; a few with a PDF or a photo attached), then times on fresh SQLite data dirs:

    fetch             Mailbox.envelopes + bodies over every UID, a batch at a time
    parse             parse_message over the fetched bytes
    extract+classify  triage_many over the parsed items, in batches of the batch size
    store             ledger.record_message of every message, one transaction each
    whole pass        pipeline.mailbox_pass.run_pass: store, read, triage, save, move to Processed

Fetching only peeks, so the whole pass sees the mailbox as appended. The model is trained
once and cached under /tmp. Prints figures; asserts nothing. The machine may be shared, so
compare ratios between runs rather than trusting one absolute figure.

    .venv/bin/python -m bench.ingest_imap [--messages 2000] [--batch-size 25] [--tracemalloc]

The RSS column is the process's peak so far (ru_maxrss); --tracemalloc adds each phase's
peak of traced Python allocations, at the price of much slower phases.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from imapclient import IMAPClient
from pydantic import SecretStr

from classify.model import load_or_train
from core.settings import Settings
from ingest.errors import UnreadableItem
from ingest.imap import Mailbox
from ingest.mail import parse_message
from models import ledger
from models.db import migrate, session_scope
from pipeline import batch
from pipeline.mailbox_pass import mailbox_config, run_pass
from tests.imap_server import start_dovecot, stop_dovecot
from workflow.policy import load_policy
from workflow.triage import triage_many

REPO = Path(__file__).resolve().parents[1]

MODEL_CACHE = Path(tempfile.gettempdir()) / "housing-triage-bench-model"
FOLDER = "Complaints"
# Receipt days are counted from here, so deadlines (and thus outcomes) repeat run to run.
BASE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

FIRST = ["Margaret", "Daniel", "Aisha", "Tomasz", "Siobhán", "Priya", "Kwame", "Olivia",
         "Mohammed", "Zofia", "Gareth", "Chloe", "Imran", "Bernadette", "Liam", "Fatima",
         "Dorota", "Callum", "Nkechi", "Hannah", "Rhys", "Yusuf", "Eilidh", "Stanisław",
         "Grace", "Jamal", "Ruth", "Oluwaseun", "Megan", "Arjun", "Joan", "Ewan"]
LAST = ["O'Connor", "Hughes", "Khan", "Nowak", "Murphy", "Patel", "Mensah", "Taylor",
        "Ali", "Wiśniewska", "Jones", "Walsh", "Hussain", "McAllister", "Evans", "Begum",
        "Kowalczyk", "Fraser", "Okafor", "Brown", "Price", "Ahmed", "MacLeod", "Lewandowski",
        "Thompson", "Clarke", "Shaw", "Adeyemi", "Roberts", "Sharma", "Whittaker", "Grant"]
STREETS = ["Ribble Close", "Fishergate Hill", "Moor Lane", "Deepdale Road", "Ashton Street",
           "Plungington Road", "Tulketh Brow", "Ribbleton Avenue", "Watling Street Road",
           "Brook Street", "Garstang Road", "Larkhill Grove", "Miller Road", "Frenchwood Knoll"]
TOWNS = ["Preston", "Ashton-on-Ribble", "Fulwood", "Penwortham", "Ribbleton", "Ingol",
         "Leyland", "Walton-le-Dale"]
DOMAINS = ["example.org", "example.com", "example.net", "mail.example.co.uk",
           "outlook.example.com"]
OFFICERS = ["Daniel Hughes", "Karen Lowe", "Steve Barker", "Amira Saleem", "the repairs team"]
PROBLEMS = [
    ("Damp and mould in the bedroom", "There is black mould spreading across the bedroom wall "
     "and behind the wardrobe. My youngest has asthma and it is getting worse."),
    ("Leak from the flat above", "Water is coming through the kitchen ceiling whenever the "
     "people upstairs use their shower. The plaster is bulging around the light."),
    ("No heating or hot water", "The boiler has stopped working and we have had no heating "
     "or hot water since {day}. It shows fault code F28."),
    ("Broken front door lock", "The lock on the communal front door has been broken for "
     "weeks and anyone can walk in. There are strangers sleeping in the stairwell."),
    ("Rats in the bin store", "There are rats in the bin store and I have seen droppings "
     "in the kitchen cupboards. The pest control visit never happened."),
    ("Window will not close", "The bedroom window frame is rotten and the window will not "
     "close. It is letting the rain in and the room is freezing."),
    ("Lift out of order again", "The lift in our block has been out of order for nine days. "
     "I use a wheelchair and cannot leave the flat."),
    ("Rent account wrong", "My rent account shows arrears of £312.40 that I do not owe. I "
     "pay by standing order every month and have the bank statements."),
    ("Missed repair appointments", "This is the third appointment your contractor has "
     "missed. I took a day off work each time and nobody came or phoned."),
    ("Noise from neighbours", "The neighbours at number {other} play loud music until 3am "
     "most nights. I have reported it four times and nothing has been done."),
    ("Rude staff member", "When I rang the contact centre on {day} the person I spoke to "
     "was rude, talked over me and put the phone down."),
    ("Electrics sparking", "The socket in the kitchen sparked and there is a burning smell. "
     "I have switched it off at the fuse box."),
]
REPAIRS = ["the dripping kitchen tap", "a cracked toilet cistern", "the extractor fan in the "
           "bathroom", "a loose stair handrail", "the garden fence panel that blew down",
           "a broken kitchen cupboard door", "the blocked outside drain", "the shower tray "
           "seal", "a missing radiator valve cap", "the doorbell"]
FILLER = [
    "I have lived here for {years} years and never had problems like this before.",
    "My neighbour has the same problem and has also reported it.",
    "I have attached a photo so you can see what it looks like.",
    "I work shifts so mornings are best for an appointment.",
    "I am a carer for my mother who lives with me, so this affects both of us.",
    "I was told someone would call me back within two days but nobody did.",
    "Please let me know what happens next and how long it will take.",
    "I do not want to have to go to the Ombudsman but I will if I have to.",
    "The reference I was given on the phone was {ref}.",
    "I have kept a diary of every call and visit since it started.",
]


def postcode(rng: random.Random) -> str:
    code = (f"PR{rng.randint(1, 9)} {rng.randint(0, 9)}"
            f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}")
    shape = rng.random()
    if shape < 0.1:
        return code.replace(" ", "")
    if shape < 0.2:
        return code.lower()
    return code


def tiny_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF with a text layer, built by hand (no dependency)."""
    text = " ".join(f"({line.replace('(', '[').replace(')', ']')}) Tj T*"
                    for line in lines).encode("latin-1", "replace")
    stream = b"BT /F1 11 Tf 14 TL 72 720 Td " + text + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def generate(count: int, seed: int = 2026) -> tuple[list[bytes], Counter[str]]:
    """`count` distinct messages, the same ones for the same seed."""
    rng = random.Random(seed)
    kinds: Counter[str] = Counter()
    messages = []
    for index in range(count):
        kind = rng.choices(["complaint", "repair", "compliment", "reply", "auto", "bounce"],
                           weights=[44, 28, 9, 7, 9, 3])[0]
        messages.append(_message(rng, index, kind, kinds))
        kinds[kind] += 1
    return messages, kinds


@dataclass(frozen=True)
class Writer:
    """Who sends a generated message, and the details its text may mention."""

    first: str
    last: str
    domain: str
    address: str
    sent: datetime
    where: str
    phone: str
    day: str
    ref: str
    fill: dict[str, object]
    extra: list[str]


def _writer(rng: random.Random, index: int) -> Writer:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    domain = rng.choice(DOMAINS)
    address = f"{first.lower()[:1]}.{last.lower().replace(chr(39), '')}{index}@{domain}"
    address = address.encode("ascii", "ignore").decode()
    sent = BASE - timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 24 * 60))
    house = f"{rng.randint(1, 180)} {rng.choice(STREETS)}"
    where = f"{house}\n{rng.choice(TOWNS)}\n{postcode(rng)}"
    phone = rng.choice(["01632 960", "07700 900"]) + f"{rng.randint(0, 999):03d}"
    day = (sent - timedelta(days=rng.randint(2, 30))).strftime("%-d %B")
    ref = f"CMP-2026-{rng.randint(1, 400):05d}"
    fill = {"day": day, "other": rng.randint(1, 99), "years": rng.randint(2, 30), "ref": ref}
    extra = [rng.choice(FILLER).format(**fill) for _ in range(rng.randint(0, 6))]
    return Writer(first, last, domain, address, sent, where, phone, day, ref, fill, extra)


def _message(rng: random.Random, index: int, kind: str, kinds: Counter[str]) -> bytes:
    writer = _writer(rng, index)
    message = EmailMessage()
    message["From"] = f"{writer.first} {writer.last} <{writer.address}>"
    message["To"] = "Northbrook Homes Complaints <housingcomplaints@northbrook-homes.example.org>"
    message["Date"] = format_datetime(writer.sent)
    message["Message-ID"] = (f"<{writer.sent:%Y%m%d%H%M}.{index}.{rng.getrandbits(40):x}"
                             f"@{writer.domain}>")
    if kind in ("auto", "bounce"):
        paragraphs = _automatic(rng, kind, message, writer)
    else:
        paragraphs = _from_resident(rng, kind, message, writer)
    _set_body(rng, kind, message, paragraphs, kinds)
    _attach(rng, kind, message, writer, kinds)
    return message.as_bytes()


def _from_resident(rng: random.Random, kind: str, message: EmailMessage,
                   writer: Writer) -> list[str]:
    """A resident's complaint, repair request, compliment or reply: sets the subject (and the
    reply headers), returns the paragraphs."""
    first, last, where, phone = writer.first, writer.last, writer.where, writer.phone
    extra = writer.extra
    if kind == "complaint":
        subject, body = rng.choice(PROBLEMS)
        message["Subject"] = rng.choice([subject, f"Complaint: {subject.lower()}",
                                         f"{subject} - formal complaint", subject.upper()])
        return ["Dear Sir or Madam,", body.format(**writer.fill), *extra,
                "I want this treated as a formal complaint and fixed as a matter of "
                "urgency.", f"You can reach me on {phone}.", where,
                f"Yours faithfully,\n{first} {last}"]
    if kind == "repair":
        repair = rng.choice(REPAIRS)
        message["Subject"] = rng.choice([f"Repair request - {repair}", "Repair needed",
                                         f"Please can you fix {repair}"])
        return ["Hello,", f"Please could you send someone to look at {repair}.",
                *extra[:2], f"I am in most days, my number is {phone}.", where,
                f"Thanks,\n{first}"]
    if kind == "compliment":
        officer = rng.choice(OFFICERS)
        message["Subject"] = rng.choice(["Thank you", "Compliment", "Great service"])
        return ["Hi,", f"I just wanted to say thank you to {officer}, who sorted out "
                "my repair quickly and was very polite and helpful.",
                "It makes a real difference to be listened to.", where,
                f"Kind regards,\n{first} {last}"]
    subject, body = rng.choice(PROBLEMS)
    message["Subject"] = f"Re: Your complaint {writer.ref}"
    message["In-Reply-To"] = f"<{writer.ref.lower()}@northbrook-homes.example.org>"
    message["References"] = message["In-Reply-To"]
    return ["Hello,", f"I am still waiting about my complaint {writer.ref}. "
            "Nothing has changed since my last email and I am not happy with "
            "your response.", *extra[:3], f"{first} {last}",
            "> " + body.format(**writer.fill).replace(". ", ".\n> ")]


def _automatic(rng: random.Random, kind: str, message: EmailMessage,
               writer: Writer) -> list[str]:
    """An out-of-office reply or a bounce: sets the subject and the automatic-mail headers,
    returns the paragraphs."""
    if kind == "auto":
        message["Subject"] = rng.choice(["Automatic reply: Your repair appointment",
                                         "Out of Office: Complaint acknowledgement",
                                         "Auto: Re: your enquiry"])
        header = rng.choice([("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes"),
                             ("Precedence", "auto_reply")])
        message[header[0]] = header[1]
        return [f"I am out of the office until {writer.day} with limited access to email.",
                "For anything urgent please call the office."]
    message.replace_header("From", "Mail Delivery System <mailer-daemon@example.net>")
    message["Subject"] = "Undelivered Mail Returned to Sender"
    message["Auto-Submitted"] = "auto-replied"
    return ["This is the mail system at host mx.example.net.",
            "I'm sorry to have to inform you that your message could not be "
            "delivered to one or more recipients.",
            f"<{writer.address}>: host mx.{writer.domain} said: 550 5.1.1 User unknown"]


def _set_body(rng: random.Random, kind: str, message: EmailMessage, paragraphs: list[str],
              kinds: Counter[str]) -> None:
    """The paragraphs as plain text, text with an HTML alternative, or HTML alone."""
    text = "\n\n".join(paragraphs) + "\n"
    style = rng.random()
    if kind in ("complaint", "repair") and style < 0.15:
        html = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)
        message.set_content(text)
        message.add_alternative(f"<html><body>{html}</body></html>", subtype="html")
        kinds["with HTML part"] += 1
    elif kind in ("complaint", "repair") and style < 0.2:
        html = "".join(f"<div>{p.replace(chr(10), '<br>')}</div>" for p in paragraphs)
        message.set_content(f"<html><body>{html}</body></html>", subtype="html")
        kinds["HTML only"] += 1
    else:
        message.set_content(text, cte=rng.choice(["8bit", "quoted-printable", "base64"])
                            if style > 0.9 else None)


def _attach(rng: random.Random, kind: str, message: EmailMessage, writer: Writer,
            kinds: Counter[str]) -> None:
    """Now and then a PDF of notes or a photo, as residents attach them."""
    if kind in ("complaint", "repair") and rng.random() < 0.04:
        message.add_attachment(tiny_pdf([f"{writer.first} {writer.last}",
                                         *writer.where.split("\n"),
                                         "Notes of calls about the repair"]),
                               maintype="application", subtype="pdf", filename="notes.pdf")
        kinds["with PDF"] += 1
    elif kind == "complaint" and rng.random() < 0.05:
        message.add_attachment(rng.randbytes(rng.randint(8_000, 60_000)), maintype="image",
                               subtype="jpeg", filename=f"IMG_{rng.randint(1000, 9999)}.jpg")
        kinds["with photo"] += 1


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settings_for(base: Path, name: str, server, batch_size: int) -> Settings:
    """Settings on a fresh SQLite data dir with the cached model, pointed at the server."""
    data_dir = base / name
    shutil.copytree(MODEL_CACHE, data_dir / "models")
    settings = Settings(data_dir=data_dir, _env_file=None, batch_size=batch_size,
                        imap_host=server.host, imap_port=server.port, imap_user=server.user,
                        imap_password=SecretStr(server.password), imap_folder=FOLDER,
                        imap_security="none")
    migrate(settings.resolved_database_url)
    return settings


class Phases:
    def __init__(self, traced: bool) -> None:
        self.rows: list[tuple[str, int, float, float, float | None]] = []
        self.traced = traced

    def run(self, label: str, count: int, work: Callable[[], object]) -> object:
        if self.traced:
            tracemalloc.start()
        start = time.perf_counter()
        result = work()
        elapsed = time.perf_counter() - start
        traced = None
        if self.traced:
            traced = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        self.rows.append((label, count, elapsed, peak_mb(), traced))
        return result

    def print(self) -> None:
        head = f"{'phase':<34}{'messages':>9}{'seconds':>9}{'msg/s':>9}{'RSS peak MB':>13}"
        print(head + (f"{'traced MB':>11}" if self.traced else ""))
        for label, count, elapsed, rss, traced in self.rows:
            line = f"{label:<34}{count:>9}{elapsed:>9.2f}{count / elapsed:>9.1f}{rss:>13.0f}"
            print(line + (f"{traced:>11.1f}" if traced is not None else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=Settings.model_fields[
        "batch_size"].default)
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also trace Python allocations per phase (slows every phase "
                        "several-fold: its msg/s are then not comparable)")
    args = parser.parse_args()
    load_start = os.getloadavg()
    started = time.perf_counter()
    print(f"IMAP intake benchmark: {args.messages} messages, batch size {args.batch_size}, "
          f"{os.cpu_count()} CPUs")
    print("This machine is shared with other work: figures vary between runs; compare "
          "ratios, not absolutes.")
    print("load average at start (1, 5, 15 min): " + " ".join(f"{v:.2f}" for v in load_start))

    clock = time.perf_counter()
    load_or_train(REPO / "data" / "training", MODEL_CACHE, REPO / "data" / "dev")
    print(f"model ready in {time.perf_counter() - clock:.1f} s (cached in {MODEL_CACHE})")
    clock = time.perf_counter()
    messages, kinds = generate(args.messages)
    total_bytes = sum(len(m) for m in messages)
    print(f"generated {len(messages)} messages ({total_bytes / 2**20:.1f} MB) in "
          f"{time.perf_counter() - clock:.1f} s: "
          + ", ".join(f"{count} {kind}" for kind, count in kinds.most_common()))

    with tempfile.TemporaryDirectory(prefix="bench-imap-") as tmp:
        root = Path(tmp)
        server = start_dovecot(root / "dovecot")
        try:
            imap = IMAPClient(server.host, port=server.port, ssl=False, timeout=60)
            imap.login(server.user, server.password)
            imap.create_folder(FOLDER)
            clock = time.perf_counter()
            for raw in messages:
                imap.append(FOLDER, raw)
            appended = time.perf_counter() - clock
            imap.logout()
            print(f"APPENDed in {appended:.1f} s ({len(messages) / appended:.0f} msg/s); "
                  "not part of the figures below")
            measure(args, root, server, len(messages))
        finally:
            stop_dovecot(server)
    load_end = os.getloadavg()
    print("load average at end (1, 5, 15 min): " + " ".join(f"{v:.2f}" for v in load_end))
    print(f"total wall time {time.perf_counter() - started:.0f} s")


def measure(args: argparse.Namespace, root: Path, server, count: int) -> None:
    phases = Phases(args.tracemalloc)
    parts = settings_for(root, "phases", server, args.batch_size)
    config = mailbox_config(parts)
    model = batch.load_model(parts)
    policy = load_policy(parts.policy)
    thresholds, landlord = batch.thresholds_of(parts, model), batch.landlord_of(parts)
    # Warm spaCy and the classifier so the first batch does not carry their loading.
    triage_many([parse_message(generate(1, seed=1)[0][0])], model=model, policy=policy,
                thresholds=thresholds, landlord=landlord)
    baseline = peak_mb()

    def fetch() -> tuple[int, dict, dict]:
        envelopes, bodies = {}, {}
        with Mailbox(config) as mailbox:
            uidvalidity = mailbox.open()
            uids = mailbox.uids()
            for start in range(0, len(uids), config.batch_size):
                chunk = uids[start : start + config.batch_size]
                envelopes.update(mailbox.envelopes(chunk))
                bodies.update(mailbox.bodies(chunk))
        return uidvalidity, envelopes, bodies

    uidvalidity, envelopes, bodies = phases.run("fetch (envelopes + bodies)", count, fetch)
    assert len(bodies) == count, f"fetched {len(bodies)} of {count}"

    def parse() -> tuple[list, int]:
        items, refused = [], 0
        for uid in sorted(bodies):
            try:
                items.append(parse_message(bodies[uid],
                                           received_fallback=envelopes[uid].internal_date))
            except UnreadableItem:
                refused += 1
        return items, refused

    items, refused = phases.run("parse (parse_message)", count, parse)

    def classify() -> Counter[str]:
        decided: Counter[str] = Counter()
        for start in range(0, len(items), parts.batch_size):
            for result in triage_many(items[start : start + parts.batch_size], model=model,
                                      policy=policy, thresholds=thresholds, landlord=landlord):
                decided[result.decision.action or "none"] += 1
        return decided

    decided = phases.run("extract + classify (triage_many)", len(items), classify)

    def store() -> None:
        for uid in sorted(bodies):
            with session_scope(parts.resolved_database_url) as session:
                ledger.record_message(session, parts.raw_dir, config.account, config.folder,
                                      uidvalidity, envelopes[uid], bodies[uid])

    phases.run("store (ledger.record_message)", count, store)

    whole = settings_for(root, "whole", server, args.batch_size)
    batch.load_model(whole)  # a running worker has its model loaded already
    report = phases.run("whole pass (run_pass)", count, lambda: run_pass(whole))

    print()
    phases.print()
    print()
    print(f"parse refused {refused}; decisions in the classify phase: "
          + ", ".join(f"{n} {action}" for action, n in decided.most_common()))
    print(f"whole pass: {report.summary()}; outcomes "
          + ", ".join(f"{n} {outcome}" for outcome, n in report.batch.outcomes.most_common()))
    print(f"peak RSS of this process (ru_maxrss): {peak_mb():.0f} MB, of which {baseline:.0f} MB "
          "before the first phase (model and spaCy loaded); Dovecot not included"
          + ("" if args.tracemalloc else "; tracemalloc off (--tracemalloc to trace, slower)"))


if __name__ == "__main__":
    main()
