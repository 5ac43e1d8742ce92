"""A real HTTP receiver on 127.0.0.1 for webhook tests and benchmarks."""

import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.perf_counter() on arrival


@dataclass(frozen=True)
class Reply:
    status: int = 204
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A sender that goes away with a keep-alive connection open is no failure here.
        pass


class Receiver:
    """Records every request; answers each with the next queued `Reply`, else `default`."""

    def __init__(self, default: Reply = Reply()) -> None:
        self.received: list[Received] = []
        self.replies: deque[Reply] = deque()
        self.default = default
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hooks"

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def reply(self, *replies: Reply) -> None:
        with self.lock:
            self.replies.extend(replies)

    def wait_for(self, count: int, timeout: float) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.received) >= count, timeout)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                with receiver.arrived:
                    receiver.received.append(
                        Received(
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                            time.perf_counter(),
                        )
                    )
                    reply = receiver.replies.popleft() if receiver.replies else receiver.default
                    receiver.arrived.notify_all()
                self.send_response(reply.status)
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.send_header("content-length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
