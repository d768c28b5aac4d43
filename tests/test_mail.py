"""Building and sending one mail: to SMTP when configured, otherwise to the outbox folder."""
from __future__ import annotations

import email
from email import policy

import pytest

from organizer import hookimpl, mail
from organizer.db import commit

from .conftest import outbox
from .smtp_server import SMTPServer

CALENDAR = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//\r\nMETHOD:REQUEST\r\n"
            b"END:VCALENDAR\r\n")


def _message(**extra):
    return mail.Message(to="ben@example.org", subject="You're going: Coffee chat",
                        text="See you there.", html="<p>See you <b>there</b>.</p>",
                        attachments=[mail.Attachment("ticket.png", b"\x89PNG fake", "image/png")],
                        calendar=CALENDAR, calendar_method="REQUEST", **extra)


def _send(message: mail.Message) -> str:
    message_id = mail.queue_message(message)
    commit()  # delivered right after the commit (DELIVERY = "eager" in tests)
    return message_id


def test_without_smtp_every_message_is_written_to_the_outbox(app):
    message_id = _send(_message())
    [message] = outbox(app)
    assert message["To"] == "ben@example.org" and message["Message-ID"] == message_id
    assert message["Subject"] == "You're going: Coffee chat"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert parts["image/png"].get_content() == b"\x89PNG fake"
    assert parts["image/png"].get_filename() == "ticket.png"
    assert parts["text/calendar"].get_param("method") == "REQUEST"
    assert parts["application/ics"].get_filename() == "invite.ics"
    assert "See you there." in parts["text/plain"].get_content()


def test_with_smtp_the_message_is_delivered_there_and_not_to_the_outbox(app):
    with SMTPServer() as server:
        app.config["SMTP_URL"] = server.url
        _send(_message())
    assert len(server.messages) == 1
    assert server.messages[0]["to"] == ["<ben@example.org>"]
    received = email.message_from_bytes(server.messages[0]["data"], policy=policy.default)
    assert received["Subject"] == "You're going: Coffee chat"
    assert any(p.get_filename() == "ticket.png" for p in received.walk())
    assert server.logins, "the SMTP URL's credentials were not used"
    assert outbox(app) == []


def test_a_subject_with_a_line_break_cannot_add_headers(app):
    _send(mail.Message(to="ben@example.org", subject="Hi\r\nBcc: evil@example.org", text="x"))
    [message] = outbox(app)
    assert message["Bcc"] is None
    assert message["Subject"] == "Hi Bcc: evil@example.org"


class AttachTicket:
    @hookimpl
    def mail_attachments(self, message_kind, attendee):
        if message_kind == "invite":
            return [mail.Attachment("qr.png", b"png-bytes", "image/png")]
        return []


class LooseTuple:
    @hookimpl
    def mail_attachments(self, message_kind, attendee):
        return [("qr.png", b"png-bytes", "image/png")]


def test_plugins_add_attachments_by_message_kind(app_factory):
    app = app_factory(EXTRA_PLUGINS=[AttachTicket()])
    with app.app_context():
        found = mail.plugin_attachments("invite", None)
        assert [(a.filename, a.content) for a in found] == [("qr.png", b"png-bytes")]
        assert mail.plugin_attachments("cancel", None) == []


def test_an_attachment_that_is_not_an_attachment_is_refused_where_it_is_made(app_factory):
    app = app_factory(EXTRA_PLUGINS=[LooseTuple()])
    with app.app_context(), pytest.raises(TypeError,
                                          match="where Attachment objects were expected"):
        mail.plugin_attachments("invite", None)


def test_accented_and_non_latin_text_survives_the_trip(app):
    _send(mail.Message(to="Zoë Ørsted <zoe@example.org>", subject="Café ☕ — 東京 meetup",
                       text="Grüße aus Köln, 你好", reply_to="Ana Ñúñez <ana@example.org>"))
    [message] = outbox(app)
    assert message["Subject"] == "Café ☕ — 東京 meetup"
    assert message["To"].addresses[0].display_name == "Zoë Ørsted"
    assert message["Reply-To"].addresses[0].addr_spec == "ana@example.org"
    assert "Grüße aus Köln, 你好" in message.get_body(preferencelist=("plain",)).get_content()


def test_messages_share_one_smtp_connection_and_a_dropped_one_is_made_again(app):
    with SMTPServer() as server:
        app.config["SMTP_URL"] = server.url
        for _ in range(3):
            _send(_message())
        assert (len(server.messages), server.connections, len(server.logins)) == (3, 1, 1)
        # The server now hangs up after each message: every next one still arrives.
        server.hang_up_after_each = True
        for _ in range(3):
            _send(_message())
    assert len(server.messages) == 6
    assert server.connections >= 3
