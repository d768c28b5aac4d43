"""Sending mail: SMTP when ``SMTP_URL`` is set, otherwise an outbox folder.

The outbox (``<instance>/outbox``) is the embedded default: every message,
attachments included, is written there as an ``.eml`` file a person can
open, so nothing is lost on a machine without a mail server.
"""
from __future__ import annotations

import os
import secrets
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

from .models import Attendee
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


def _build(message: Message) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = current_app.config["MAIL_FROM"]
    mail["To"] = message.to
    # Subjects often carry user text (an event title): line breaks are
    # flattened so they can never start a header of their own.
    mail["Subject"] = " ".join(message.subject.split())
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain="organizer")
    if message.reply_to:
        mail["Reply-To"] = message.reply_to
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    if message.calendar is not None:
        method = message.calendar_method or "PUBLISH"
        # Calendar apps read the invite from a text/calendar part; the
        # attachment copy is for people who save it by hand.
        mail.add_alternative(message.calendar.decode("utf-8"), subtype="calendar",
                             params={"method": method})
        mail.add_attachment(message.calendar, maintype="application", subtype="ics",
                            filename="invite.ics")
    for att in message.attachments:
        maintype, _, subtype = att.mimetype.partition("/")
        mail.add_attachment(att.content, maintype=maintype, subtype=subtype or "octet-stream",
                            filename=att.filename)
    return mail


def plugin_attachments(message_kind: str, attendee: Attendee | None) -> list[Attachment]:
    """Attachments plugins add to a mail of ``message_kind`` for ``attendee``."""
    found = []
    for result in hook().mail_attachments(message_kind=message_kind, attendee=attendee):
        for filename, content, mimetype in result or []:
            found.append(Attachment(filename, content, mimetype))
    return found


def outbox_folder() -> Path:
    """Where messages go when no SMTP server is configured."""
    return Path(current_app.instance_path) / "outbox"


def _write_outbox(mail: EmailMessage) -> Path:
    folder = outbox_folder()
    folder.mkdir(parents=True, exist_ok=True)
    from .models import utcnow
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
    tmp = folder / (name + ".tmp")
    tmp.write_bytes(bytes(mail))
    # Rename is atomic: a reader never sees half a message.
    os.replace(tmp, folder / name)
    return folder / name


def _send_smtp(mail: EmailMessage, url: str) -> None:
    parts = urlsplit(url)
    options = parse_qs(parts.query)
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    cls = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with cls(parts.hostname, port, timeout=30) as smtp:
        if options.get("starttls", ["0"])[0] in ("1", "true", "yes"):
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(mail)


def send(message: Message) -> Path | None:
    """Send one message; return the outbox file when no SMTP server is configured."""
    mail = _build(message)
    url = current_app.config.get("SMTP_URL")
    if url:
        _send_smtp(mail, url)
        return None
    return _write_outbox(mail)
