"""Real local counterparts of the outside systems: an HTTP receiver and an SMTP server in this process."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """An HTTP server on 127.0.0.1 keeping every request (headers read case-insensitively);
    ``fail(n)`` answers the next n with 503."""

    def __init__(self):
        self.requests, self._failures, self._lock = [], 0, threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    failing = receiver._failures > 0
                    receiver._failures -= failing
                    if not failing:
                        receiver.requests.append({"path": self.path, "headers": self.headers, "body": body})
                self.send_response(503 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def fail(self, times: int) -> None:
        with self._lock:
            self._failures = times

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """An SMTP server (aiosmtpd) on 127.0.0.1 keeping every message it accepts."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                mailbox.messages.append({"to": envelope.rcpt_tos, "data": envelope.content.decode("utf-8")})
                return "250 OK"

        # aiosmtpd connects to its own port once started, so it needs the port number beforehand.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()
