"""A threaded HTTP server on a free port of a loopback address, for fake cloud endpoints."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def serve_loopback(
    handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1", what: str = "the test server"
) -> Iterator[str]:
    """Serve ``handler`` until the block ends; yields its ``http://host:port`` URL."""
    assert ipaddress.ip_address(host).is_loopback, f"{what} must listen on loopback"
    server = ThreadingHTTPServer((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
