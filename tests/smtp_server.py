"""A small SMTP server on 127.0.0.1 that keeps what it accepts (for mail tests).

It can refuse chosen recipients (``refuse``), hang up after each message, and
hold its answer to a message (``hold_after``) so a test can kill the sender
while the message is on the wire. A message is kept as the server answers "250"
to it, and not when the sender is gone before that answer.
"""
from __future__ import annotations

import socket
import socketserver
import threading
from email import message_from_bytes, policy


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self) -> None:
        server: SMTPServer = self.server
        with server.lock:
            server.connections += 1
            server.open_sockets.add(self.request)
        self.reply("220 test SMTP ready")
        envelope = {"from": None, "to": [], "data": b""}
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-test\r\n250 AUTH PLAIN")
            elif verb == "AUTH":
                server.logins.append(command)
                self.reply("235 ok")
            elif verb == "MAIL":
                envelope = {"from": command.split(":", 1)[1].strip(), "to": [], "data": b""}
                self.reply("250 ok")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip().strip("<>").lower()
                if address in server.refuse:
                    self.reply(server.refuse[address])
                else:
                    envelope["to"].append(f"<{address}>")
                    self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 end with .")
                chunks = []
                while True:
                    data = self.rfile.readline()
                    if data in (b".\r\n", b""):
                        break
                    chunks.append(data[1:] if data.startswith(b"..") else data)
                envelope["data"] = b"".join(chunks)
                if server.hold_after is not None and len(server.messages) >= server.hold_after:
                    server.held.set()
                    server.release.wait(30)
                    if server.drop_held:
                        return  # the sender died before we answered: nothing was accepted
                # Kept before the answer: once the sender hears "250", the
                # message is here for a test to see.
                with server.lock:
                    server.messages.append(dict(envelope))
                self.reply("250 queued")
                if server.hang_up_after_each:
                    return  # as a server that drops idle connections would
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int = 0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.messages: list[dict] = []
        self.logins: list[str] = []
        self.connections = 0
        self.open_sockets: set = set()
        self.lock = threading.Lock()
        self.hang_up_after_each = False
        # address -> the reply to its RCPT ("550 5.1.1 no such user")
        self.refuse: dict[str, str] = {}
        # Once this many messages were accepted, the next one's answer waits
        # (``held`` is set) until ``release``; with ``drop_held`` it never comes.
        self.hold_after: int | None = None
        self.held = threading.Event()
        self.release = threading.Event()
        self.drop_held = False
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.shutdown()
        self.server_close()
        # Connections still open would go on taking mail after the server is
        # gone (a client keeps one between messages): end them, as a stopped
        # server does.
        with self.lock:
            for sock in self.open_sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"smtp://mailer:s3cret@127.0.0.1:{self.port}"

    def message_ids(self) -> list[str]:
        """The Message-ID of every accepted message, in order."""
        with self.lock:
            return [message_from_bytes(m["data"], policy=policy.default)["Message-ID"]
                    for m in self.messages]

    def subjects_to(self) -> list[tuple[str, str]]:
        """(recipient, Subject) of every accepted message."""
        with self.lock:
            return [(m["to"][0].strip("<>"),
                     str(message_from_bytes(m["data"], policy=policy.default)["Subject"]))
                    for m in self.messages]
