"""A tiny instance metadata service (IMDSv2-style token) on a loopback port, for tests.

It serves identifiers and, like the real one, credential bodies under
``security-credentials/<role>``: tests assert that the probe never asks for those.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from tests.support.loopback_http import serve_loopback

TOKEN = "tok-0123456789"
SECRET = "SECRET-SHOULD-NEVER-BE-READ"


@dataclass
class Imds:
    """What the service answers and what it was asked."""

    instance_id: str
    role: str
    region: str
    security_groups: tuple[str, ...]
    mac: str = "0e:11:22:33:44:55"
    require_token: bool = True
    requests: list[str] = field(default_factory=list)
    url: str = ""

    def answer(self, path: str) -> str | None:
        md = "/latest/meta-data/"
        table = {
            "instance-id": self.instance_id,
            "placement/region": self.region,
            "region-id": self.region,
            "mac": self.mac,
            "iam/security-credentials/": self.role,
            "ram/security-credentials/": self.role,
            f"iam/security-credentials/{self.role}": '{"AccessKeyId": "' + SECRET + '"}',
            f"ram/security-credentials/{self.role}": '{"AccessKeySecret": "' + SECRET + '"}',
            f"network/interfaces/macs/{self.mac}/security-group-ids": "\n".join(
                self.security_groups
            ),
        }
        return table.get(path[len(md) :]) if path.startswith(md) else None


def _handler(state: Imds) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def _send(self, code: int, body: str) -> None:
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_PUT(self) -> None:
            state.requests.append(f"PUT {self.path}")
            if self.path == "/latest/api/token":
                self._send(200, TOKEN)
            else:
                self._send(404, "")

        def do_GET(self) -> None:
            state.requests.append(f"GET {self.path}")
            has_token = TOKEN in (
                self.headers.get("X-aws-ec2-metadata-token", ""),
                self.headers.get("X-aliyun-ecs-metadata-token", ""),
            )
            if state.require_token and not has_token:
                self._send(401, "")
                return
            body = state.answer(urlsplit(self.path).path)
            self._send(200, body) if body is not None else self._send(404, "")

    return Handler


@contextmanager
def serve(state: Imds, host: str = "127.0.0.1") -> Iterator[Imds]:
    """Serve ``state`` on a free port of a loopback address (asserted loopback)."""
    with serve_loopback(_handler(state), host, "the test metadata service") as url:
        state.url = url
        yield state
