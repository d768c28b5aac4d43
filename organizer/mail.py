"""Sending mail: SMTP when ``SMTP_URL`` is set, otherwise an outbox folder.

The outbox (``<instance>/outbox``) is the embedded default: every message,
attachments included, is written there as an ``.eml`` file a person can
open, so nothing is lost on a machine without a mail server.
"""
from __future__ import annotations

import os
import secrets
import smtplib
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import encoders
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr
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


def _header(value: str) -> Header | str:
    """A header value on one line; non-ASCII text is RFC 2047-encoded."""
    value = " ".join(str(value).split())
    return value if value.isascii() else Header(value, "utf-8")


def _address(value: str) -> str:
    """An address header (``Name <addr>``) on one line, the name encoded if needed."""
    name, addr = parseaddr(" ".join(value.split()))
    return formataddr((name, addr), charset="utf-8")


def _build(message: Message) -> MIMEBase:
    # The classic MIME classes build and serialise about five times faster
    # than EmailMessage with the modern policy, and a mail goes out with
    # every RSVP; headers are kept to one line by hand instead.
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
            maintype, _, subtype = att.mimetype.partition("/")
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
    mail["Message-ID"] = make_msgid(domain="organizer")
    if message.reply_to:
        mail["Reply-To"] = _address(message.reply_to)
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


def _write_outbox(mail: MIMEBase) -> Path:
    folder = outbox_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
    tmp = folder / (name + ".tmp")
    tmp.write_bytes(mail.as_bytes())
    # Rename is atomic: a reader never sees half a message.
    os.replace(tmp, folder / name)
    return folder / name


# One SMTP connection per thread, kept open between messages: connecting,
# TLS and logging in cost several round trips to the server, sending a
# message about one. A connection that rested longer than this is checked
# (NOOP) before it is used again; servers drop idle ones.
_CHECK_AFTER_SECONDS = 30.0
_connections = threading.local()


def _connect(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    options = parse_qs(parts.query)
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    cls = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    smtp = cls(parts.hostname, port, timeout=30)
    try:
        if options.get("starttls", ["0"])[0] in ("1", "true", "yes"):
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
    except BaseException:
        smtp.close()
        raise
    return smtp


def _connection(url: str) -> smtplib.SMTP:
    """This thread's open connection to ``url``, made (or made again) when needed."""
    held = getattr(_connections, "held", None)
    if held is not None:
        held_url, smtp, used_at = held
        if held_url == url and time.monotonic() - used_at < _CHECK_AFTER_SECONDS:
            return smtp
        if held_url == url:
            try:
                if smtp.noop()[0] == 250:
                    return smtp
            except (smtplib.SMTPException, OSError):
                pass
        _forget()
    smtp = _connect(url)
    _connections.held = (url, smtp, time.monotonic())
    return smtp


def _forget() -> None:
    held = getattr(_connections, "held", None)
    _connections.held = None
    if held is not None:
        try:
            held[1].close()
        except OSError:
            pass


def _send_smtp(mail: MIMEBase, url: str) -> None:
    try:
        smtp = _connection(url)
        try:
            smtp.send_message(mail)
        except smtplib.SMTPServerDisconnected:
            # The server closed the kept connection before taking the message
            # (a restart, an idle limit): once more on a new one.
            _forget()
            smtp = _connection(url)
            smtp.send_message(mail)
    except BaseException:
        _forget()  # a connection in an unknown state is not used again
        raise
    _connections.held = (url, smtp, time.monotonic())


def send(message: Message) -> Path | None:
    """Send one message; return the outbox file when no SMTP server is configured."""
    mail = _build(message)
    url = current_app.config.get("SMTP_URL")
    if url:
        _send_smtp(mail, url)
        return None
    return _write_outbox(mail)
