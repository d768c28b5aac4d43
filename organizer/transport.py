"""How a built mail leaves: to an SMTP server when ``SMTP_URL`` is set, else to a folder.

The folder (``<instance>/outbox``) is the embedded default: every message,
attachments included, is written there as an ``.eml`` file a person can
open, so nothing is lost on a machine without a mail server.

Failures are raised as :class:`DeliveryError` with a sentence a host can
read and whether trying again could help.
"""
from __future__ import annotations

import os
import smtplib
import socket
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

from .i18n import gettext as _


class DeliveryError(Exception):
    """A message that did not go out; ``str(error)`` says why, for the host.

    ``permanent``: the receiving side refused it for good (an unknown
    address), so trying again would not help. ``unreachable``: the server
    could not be reached at all, so the messages after this one would fail
    the same way and wait for the next try instead.
    """

    def __init__(self, reason: str, permanent: bool = False, unreachable: bool = False):
        super().__init__(reason)
        self.permanent = permanent
        self.unreachable = unreachable


def send(raw: bytes, sender: str, recipient: str, name: str) -> None:
    """Deliver the mail ``raw`` to ``recipient``; ``name`` is a stable file name for it."""
    url = current_app.config.get("SMTP_URL")
    if url:
        _send_smtp(raw, sender, recipient, url)
    else:
        write_file(raw, name)


def idempotent() -> bool:
    """True when sending a message twice leaves one copy (the outbox folder), so a
    deliverer may record several as sent at once."""
    return not current_app.config.get("SMTP_URL")


def outbox_folder() -> Path:
    """Where messages go when no SMTP server is configured."""
    return Path(current_app.instance_path) / "outbox"


def write_file(raw: bytes, name: str) -> Path:
    """Write the mail as ``<instance>/outbox/<name>.eml``; writing it again replaces it."""
    folder = outbox_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.eml"
    tmp = folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        tmp.write_bytes(raw)
        # Rename is atomic: a reader never sees half a message, and a retry
        # of the same message replaces the file rather than adding a copy.
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DeliveryError(_("The mail could not be written to the outbox folder "
                              "(%(why)s).", why=exc.strerror or _("disk error"))) from exc
    return path


# One SMTP connection per thread, kept open between messages: connecting,
# TLS and logging in cost several round trips to the server, sending a
# message about one. A connection that rested longer than this is checked
# (NOOP) before it is used again; servers drop idle ones.
_CHECK_AFTER_SECONDS = 30.0
_TIMEOUT_SECONDS = 30
_connections = threading.local()


def _connect(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    options = parse_qs(parts.query)
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    cls = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    smtp = cls(parts.hostname, port, timeout=_TIMEOUT_SECONDS)
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
        forget()
    smtp = _connect(url)
    _connections.held = (url, smtp, time.monotonic())
    return smtp


def forget() -> None:
    """Close this thread's kept connection (it is in an unknown state)."""
    held = getattr(_connections, "held", None)
    _connections.held = None
    if held is not None:
        try:
            held[1].close()
        except OSError:
            pass


def _send_smtp(raw: bytes, sender: str, recipient: str, url: str) -> None:
    try:
        try:
            smtp = _connection(url)
            try:
                smtp.sendmail(sender, [recipient], raw)
            except smtplib.SMTPServerDisconnected:
                # The server closed the kept connection before taking the
                # message (a restart, an idle limit): once more on a new one.
                forget()
                smtp = _connection(url)
                smtp.sendmail(sender, [recipient], raw)
        except BaseException:
            forget()  # a connection in an unknown state is not used again
            raise
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()), (550, b""))
        raise _refused(code, text, recipient) from exc
    except smtplib.SMTPSenderRefused as exc:
        raise DeliveryError(_("The mail server refused the sender address %(sender)s "
                              "(%(answer)s); check MAIL_FROM.", sender=sender,
                              answer=_answer(exc.smtp_code, exc.smtp_error))) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(_("The mail server refused the user name or password in "
                              "SMTP_URL (%(code)s).", code=exc.smtp_code)) from exc
    except smtplib.SMTPConnectError as exc:
        raise DeliveryError(_("The mail server turned the connection away (%(answer)s).",
                              answer=_answer(exc.smtp_code, exc.smtp_error)),
                            unreachable=True) from exc
    except smtplib.SMTPResponseException as exc:
        raise _refused(exc.smtp_code, exc.smtp_error) from exc
    except smtplib.SMTPServerDisconnected as exc:
        raise DeliveryError(_("The mail server closed the connection."),
                            unreachable=True) from exc
    except smtplib.SMTPException as exc:  # before OSError: SMTPException is one
        raise DeliveryError(_("The mail server answered unexpectedly (%(answer)s).",
                              answer=_text(exc))) from exc
    except OSError as exc:
        raise DeliveryError(_unreachable(exc), unreachable=True) from exc
    _connections.held = (url, smtp, time.monotonic())


def _refused(code: int, text, recipient: str | None = None) -> DeliveryError:
    """The server refused ``recipient`` (or, without one, the message)."""
    # 5xx: refused for good (no such mailbox, a bad address); 4xx: try later.
    permanent = 500 <= int(code or 0) < 600
    answer = _answer(code, text)
    if recipient is not None and permanent:
        reason = _("The receiving mail server refused %(recipient)s (%(answer)s).",
                   recipient=recipient, answer=answer)
    elif recipient is not None:
        reason = _("The receiving mail server refused %(recipient)s (%(answer)s); it asked "
                   "us to try again later.", recipient=recipient, answer=answer)
    elif permanent:
        reason = _("The mail server did not take the message (%(answer)s).", answer=answer)
    else:
        reason = _("The mail server did not take the message (%(answer)s); it asked us to "
                   "try again later.", answer=answer)
    return DeliveryError(reason, permanent=permanent)


def _answer(code, text) -> str:
    """What the server answered: its code and its words ("550 No such user")."""
    return f"{code} {_text(text)}"


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value or "").split())[:200]


def _unreachable(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return _("The mail server could not be reached (connection refused).")
    if isinstance(exc, socket.timeout):
        return _("The mail server could not be reached (no answer in time).")
    if isinstance(exc, socket.gaierror):
        return _("The mail server could not be reached (its name could not be resolved).")
    why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc.__class__.__name__
    return _("The mail server could not be reached (%(why)s).", why=why)
