"""Mail: messages are queued in the outbox with the change that causes them.

Nothing here talks to a mail server. :func:`queue` writes a row (see
:class:`organizer.models.OutboxMessage`) in the caller's transaction, naming
a *renderer* that builds the message when it is delivered, so a page never
waits for an invite, a ticket or a PDF; :func:`queue_message` stores a
message whose content is only known now (a password-reset link). The
deliverer (:mod:`organizer.delivery`) sends what is queued after the commit
and retries what fails.

    @mail.renderer("lightning.accepted", title=_l("Talk accepted"))
    def accepted(params):
        talk = db.session.get(Talk, params["talk_id"])
        if talk is None:
            raise mail.Skip(_("The talk was withdrawn."))
        return mail.Message(to=talk.speaker_email, subject=_("Your talk is in"), text="...")

    mail.queue("lightning.accepted", to=talk.speaker_email, params={"talk_id": talk.id},
               event_id=talk.event_id)
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from email import encoders
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from typing import Callable
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import insert, select

from .db import after_commit, db
from .hooktypes import flatten
from .i18n import gettext as _
from .models import Attendee, OutboxMessage, utcnow
from .plugins import hook


@dataclass
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


@dataclass
class Message:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    # An iCalendar invite sent as text/calendar with this METHOD (REQUEST/CANCEL).
    calendar: bytes | None = None
    calendar_method: str | None = None
    reply_to: str | None = None


class Skip(Exception):
    """Raised by a renderer when its message is no longer wanted (say why in a sentence).

    The message is then marked "dropped" rather than sent or retried: an
    RSVP cancelled before its confirmation went out, a person who opted out.
    """


_RENDERERS: dict[str, Callable[[dict], Message]] = {}
_TITLES: dict[str, str] = {}
# Messages stored whole when queued; no renderer is involved.
PREPARED = "prepared"


def renderer(kind: str, title: str | None = None):
    """Decorator: ``func(params) -> Message`` builds the queued messages of ``kind``.

    It runs in the deliverer, outside any request, each time the message is
    tried; it reads what it needs from the database by the ids in
    ``params`` and raises :class:`Skip` when the message is no longer wanted.
    It runs in the language of the event the message was queued for (``event_id``).
    ``title`` names these messages for hosts ("Follow-ups"): give it with
    ``lazy_gettext``, so each host's page shows it in its own language.
    """
    def wrap(func: Callable[[dict], Message]) -> Callable[[dict], Message]:
        _RENDERERS[kind] = func
        _TITLES[kind] = title or kind
        return func
    return wrap


def title(kind: str) -> str:
    """What hosts call the messages of ``kind``, in the language being spoken."""
    return str(_TITLES.get(kind) or _("Other mail"))


class NoRenderer(LookupError):
    """Nothing loaded in this process builds messages of this kind (its plugin is not
    installed, or is blocked)."""


def render(kind: str, params: dict) -> Message:
    """Build the message of ``kind`` from ``params`` (:class:`NoRenderer` if nothing can)."""
    func = _RENDERERS.get(kind)
    if func is None:
        raise NoRenderer(f"no mail renderer called {kind!r} is loaded")
    return func(params)


def new_message_id() -> str:
    """A Message-ID (128 random bits) on the public address's domain."""
    return f"<{secrets.token_hex(16)}@{_domain(current_app.config['BASE_URL'])}>"


@lru_cache(maxsize=8)
def _domain(base_url: str) -> str:
    return urlsplit(base_url).hostname or "organizer.invalid"


_table = OutboxMessage.__table__


def queue(kind: str, to: str, params: dict | None = None, *, event_id: int | None = None,
          attendee_id: int | None = None, subject: str = "") -> str:
    """Queue a message of ``kind`` for ``to`` in the current transaction; return its Message-ID.

    The message exists once the caller commits, and not at all if it rolls
    back. ``event_id`` lets the event's hosts see how its delivery went;
    ``attendee_id`` lets them fix the address it goes to. One INSERT, no
    rendering: cheap enough for the busiest write path.
    """
    message_id = new_message_id()
    _insert({"message_id": message_id, "kind": kind, "params": params or {}, "recipient": to,
             "subject": subject[:300], "event_id": event_id, "attendee_id": attendee_id,
             "payload": None})
    return message_id


def queue_many(kind: str, messages: list[dict]) -> list[str]:
    """Queue several messages of ``kind`` in one statement (a mailing to a guest list).

    Each item has ``to`` and optionally ``params``, ``event_id``,
    ``attendee_id`` and ``subject``, as for :func:`queue`.
    """
    rows = [{"message_id": new_message_id(), "kind": kind, "params": item.get("params") or {},
             "recipient": item["to"], "subject": item.get("subject", "")[:300],
             "event_id": item.get("event_id"), "attendee_id": item.get("attendee_id"),
             "payload": None} for item in messages]
    if rows:
        _insert(rows)
    return [row["message_id"] for row in rows]


def queue_message(message: Message, *, event_id: int | None = None,
                  attendee_id: int | None = None) -> str:
    """Queue a message built now (its content is only known now); return its Message-ID."""
    message_id = new_message_id()
    _insert({"message_id": message_id, "kind": PREPARED, "params": {},
             "recipient": _address_only(message.to), "subject": " ".join(message.subject.split())[:300],
             "event_id": event_id, "attendee_id": attendee_id,
             "payload": build(message, message_id)})
    return message_id


_INSERT = insert(_table)


def queue_rows(rows: list[dict]) -> None:
    """Queue prepared outbox rows (webhook deliveries) in the current transaction.

    Each has ``message_id``, ``kind``, ``params``, ``recipient``, ``subject``,
    ``event_id``, ``attendee_id``, ``payload`` and ``webhook_endpoint_id``.
    """
    _insert(rows)


def _insert(values: dict | list[dict]) -> None:
    rows = values if isinstance(values, list) else [values]
    now = utcnow()
    filled = [{"webhook_endpoint_id": None, **row, "status": "queued", "attempts": 0,
               "next_attempt_at": now, "claim": None, "lease_until": None, "last_error": "", "created_at": now, "sent_at": None}
              for row in rows]
    # One row: a plain execute, cheaper than the executemany path.
    db.session.connection().execute(_INSERT, filled[0] if len(filled) == 1 else filled)
    _deliver_after_commit([row["message_id"] for row in rows])


def _deliver_after_commit(message_ids: list[str]) -> None:
    """Tell the deliverer about new messages once the transaction commits (one callback
    per transaction, however many messages it queues)."""
    session = db.session()
    transaction = session.get_transaction()
    held = session.info.get("organizer_outbox")
    if held is None or held[0] is not transaction:
        batch: list[str] = []
        session.info["organizer_outbox"] = (transaction, batch)

        def committed():
            session.info.pop("organizer_outbox", None)
            from .delivery import committed as notify
            notify(batch)

        after_commit(committed)
    session.info["organizer_outbox"][1].extend(message_ids)


def states(message_ids: list[str]) -> dict[str, tuple[str, str]]:
    """How queued messages fared: Message-ID → (status, the last failure's sentence).

    Status is "queued" (waiting for its first or next try), "sending",
    "sent", "failed" (refused for good, or given up) or "dropped" (no longer
    wanted when its turn came).
    """
    ids = [m for m in message_ids if m]
    if not ids:
        return {}
    rows = db.session.execute(select(_table.c.message_id, _table.c.status, _table.c.last_error)
                              .where(_table.c.message_id.in_(ids))).all()
    return {row.message_id: (row.status, row.last_error) for row in rows}


def plugin_attachments(message_kind: str, attendee: Attendee | None) -> list[Attachment]:
    """Attachments plugins add to a mail of ``message_kind`` for ``attendee``."""
    return flatten(hook().mail_attachments(message_kind=message_kind, attendee=attendee),
                   Attachment)


# --- building a message -------------------------------------------------------

def _header(value: str) -> Header | str:
    """A header value on one line; non-ASCII text is RFC 2047-encoded."""
    value = " ".join(str(value).split())
    return value if value.isascii() else Header(value, "utf-8")


def _address(value: str) -> str:
    """An address header (``Name <addr>``) on one line, the name encoded if needed."""
    name, addr = parseaddr(" ".join(value.split()))
    return formataddr((name, addr), charset="utf-8")


def _address_only(value: str) -> str:
    return parseaddr(" ".join(value.split()))[1]


def envelope_sender() -> str:
    """The address mail is sent from (``MAIL_FROM`` without its name)."""
    return _address_only(current_app.config["MAIL_FROM"])


def recipient_of(message: Message) -> str:
    """The bare address ``message`` goes to."""
    return _address_only(message.to)


def build(message: Message, message_id: str) -> bytes:
    """``message`` as the bytes of an RFC 5322 mail carrying ``message_id``."""
    # The classic MIME classes build and serialise about five times faster
    # than EmailMessage with the modern policy; headers are kept to one line
    # by hand instead.
    body = MIMEText(message.text, "plain", "utf-8")
    if message.html or message.calendar is not None:
        body = MIMEMultipart("alternative", _subparts=[body])
    if message.html:
        body.attach(MIMEText(message.html, "html", "utf-8"))
    if message.calendar is not None:
        # Calendar apps read the invite from a text/calendar part; the
        # attachment copy is for people who save it by hand.
        invite = MIMEText(message.calendar.decode("utf-8"), "calendar", "utf-8")
        invite.set_param("method", message.calendar_method or "PUBLISH")
        body.attach(invite)
    files = list(message.attachments)
    if message.calendar is not None:
        files.insert(0, Attachment("invite.ics", message.calendar, "application/ics"))
    if files:
        mail = MIMEMultipart("mixed")
        mail.attach(body)
        for att in files:
            maintype, _slash, subtype = att.mimetype.partition("/")
            part = MIMEBase(maintype, subtype or "octet-stream")
            part.set_payload(att.content)
            encoders.encode_base64(part)
            part.add_header("Content-Disposition", "attachment",
                            filename=" ".join(att.filename.split()))
            mail.attach(part)
    else:
        mail = body
    mail["From"] = _address(current_app.config["MAIL_FROM"])
    mail["To"] = _address(message.to)
    # Subjects often carry user text (an event title): line breaks are
    # flattened so they can never start a header of their own.
    mail["Subject"] = _header(message.subject)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = message_id
    if message.reply_to:
        mail["Reply-To"] = _address(message.reply_to)
    return mail.as_bytes()
