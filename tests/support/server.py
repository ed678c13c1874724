"""A real HTTP server on 127.0.0.1 (a thread, port 0) serving canned routes and counting requests."""

from __future__ import annotations

import collections
import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Route:
    """What the server answers for one path.

    Attributes:
        body: the response body.
        status: the HTTP status code.
        content_type: the Content-Type header ("" sends none).
        headers: extra headers (e.g. Location).
        delay: seconds to wait before answering (for timeouts).
        send_length: send Content-Length; without it the body ends when the connection closes.
    """

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    send_length: bool = True


class LocalServer:
    """Routes by path; `hits[path]` counts the requests each path received.

    `port` 0 takes a free port; a given port lets a test stop a server and start another on its
    address (a site that goes down and comes back).
    """

    def __init__(self, port: int = 0) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: collections.Counter[str] = collections.Counter()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self.port = self._httpd.server_address[1]

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes | str = b"", **kwargs: object) -> str:
        """Serve `body` (and the Route options given) at `path`; return its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(data, **kwargs)  # type: ignore[arg-type]
        return self.url(path)

    def count(self, path: str) -> None:
        """Record one request for `path`."""
        with self._lock:
            self.hits[path] += 1

    @contextmanager
    def running(self) -> Iterator[LocalServer]:
        """Serve in a daemon thread until the block ends."""
        thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.stopping.set()
            self._httpd.shutdown()
            self._httpd.server_close()
            thread.join(5)


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            server.count(path)
            route = server.routes.get(path, Route(b"<html><body><p>Not found</p></body></html>", status=404))
            if route.delay and server.stopping.wait(route.delay):
                return
            # The client may give up first (a timeout or size-cap test): nothing to do then.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._answer(route)

        def _answer(self, route: Route) -> None:
            self.send_response(route.status)
            if route.content_type:
                self.send_header("Content-Type", route.content_type)
            if route.send_length:
                self.send_header("Content-Length", str(len(route.body)))
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet

    return Handler
