"""A small Alibaba Cloud RPC API (ECS 2014-05-26, RAM 2015-05-01) on a loopback port.

It answers only the actions the live path calls, from the shapes in tests/fixtures/cloud/,
recomputes every request's ACS3-HMAC-SHA256 signature (the SDK's default) with the test
AccessKey and refuses any other, records the actions it was asked for and keeps the raw
requests as its log, so tests can assert the secret itself never crossed the wire.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from tests.support.loopback_http import serve_loopback

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cloud"
AK_ID = "LTAI5tTestOnlyKeyId0001"
SECRET = "test-only-secret-must-never-cross-the-wire"


def fixture(name: str) -> Any:
    """One JSON file of tests/fixtures/cloud/."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def get_policy_response(name: str, kind: str, document: dict[str, Any]) -> dict[str, Any]:
    """A RAM GetPolicy response around ``document`` (a JSON string, as the API sends it)."""
    out = copy.deepcopy(fixture("ram-GetPolicy-response.json"))
    out["Policy"].update({"PolicyName": name, "PolicyType": kind})
    out["DefaultPolicyVersion"]["PolicyDocument"] = json.dumps(document)
    return out


@dataclass
class AliyunApi:
    """What the API holds, what it was asked and how it should fail."""

    instances: dict[str, list[str]] = field(default_factory=dict)  # id -> group ids
    instance_roles: dict[str, str] = field(default_factory=dict)  # id -> RAM role
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    role_policies: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    policies: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    instance_extra: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> fields
    vpcs: dict[str, str] = field(default_factory=dict)  # VpcId -> VRouterId
    route_tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by VRouterId
    nat_gateways: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by VpcId
    disks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by InstanceId
    # (action, the request's key parameter) -> (HTTP status, Code, Message)
    errors: dict[tuple[str, str], tuple[int, str, str]] = field(default_factory=dict)
    page_cap: int = 3  # DescribeSecurityGroupAttribute rules per page, to force NextToken
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    unsigned: int = 0
    url: str = ""

    def answer(self, action: str, q: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """(status, JSON body) for one call."""
        key = {
            "DescribeInstances": "InstanceIds",
            "DescribeInstanceRamRole": "InstanceIds",
            "DescribeSecurityGroupAttribute": "SecurityGroupId",
            "ListPoliciesForRole": "RoleName",
            "GetPolicy": "PolicyName",
            "DescribeVpcs": "VpcId",
            "DescribeRouteTables": "VRouterId",
            "DescribeNatGateways": "VpcId",
            "DescribeDisks": "InstanceId",
        }.get(action)
        if key is None:
            return 400, _error("InvalidAction.NotFound", f"unsupported action '{action}'")
        ids = json.loads(q[key]) if key == "InstanceIds" else [q.get(key, "")]
        for one in ids:
            if (action, one) in self.errors:
                status, code, message = self.errors[(action, one)]
                return status, _error(code, message)
        return 200, getattr(self, "_" + action)(q, ids)

    def _DescribeInstances(self, q: dict[str, str], ids: list[str]) -> dict[str, Any]:  # noqa: N802
        template = fixture("alibaba-DescribeInstances-excerpt.json")
        proto = template["Instances"]["Instance"][0]
        found = []
        for iid in ids:
            if iid in self.instances:
                inst = copy.deepcopy(proto)
                inst.update(
                    {
                        "InstanceId": iid,
                        "RegionId": q["RegionId"],
                        "SecurityGroupIds": {"SecurityGroupId": self.instances[iid]},
                        **self.instance_extra.get(iid, {}),
                    }
                )
                found.append(inst)
        return {**template, "TotalCount": len(found), "Instances": {"Instance": found}}

    def _DescribeInstanceRamRole(self, q: dict[str, str], ids: list[str]) -> dict[str, Any]:  # noqa: N802
        out = fixture("alibaba-DescribeInstanceRamRole-response.json")
        sets = [
            {"InstanceId": i, "RamRoleName": self.instance_roles[i]}
            for i in ids
            if i in self.instance_roles
        ]
        return {
            **out,
            "RegionId": q["RegionId"],
            "TotalCount": len(sets),
            "InstanceRamRoleSets": {"InstanceRamRoleSet": sets},
        }

    def _DescribeSecurityGroupAttribute(self, q: dict[str, str], ids: list[str]) -> dict[str, Any]:  # noqa: N802
        if ids[0] not in self.groups:
            raise LookupError("InvalidSecurityGroupId.NotFound")
        doc = copy.deepcopy(self.groups[ids[0]])
        rules = [
            r
            for r in doc["Permissions"]["Permission"]
            if r.get("Direction") == q.get("Direction", r.get("Direction"))
        ]
        start = int(q.get("NextToken") or 0)
        size = min(int(q.get("MaxResults") or 100), self.page_cap)
        doc["Permissions"]["Permission"] = rules[start : start + size]
        doc["NextToken"] = str(start + size) if start + size < len(rules) else ""
        return doc

    def _ListPoliciesForRole(self, q: dict[str, str], ids: list[str]) -> dict[str, Any]:  # noqa: N802
        out = fixture("ram-ListPoliciesForRole-response.json")
        proto = out["Policies"]["Policy"][0]
        out["Policies"]["Policy"] = [
            {**proto, "PolicyName": n, "PolicyType": t}
            for n, t in self.role_policies.get(ids[0], [])
        ]
        return out

    def _GetPolicy(self, q: dict[str, str], ids: list[str]) -> dict[str, Any]:  # noqa: N802
        return self.policies[(ids[0], q["PolicyType"])]

    def _page(
        self, q: dict[str, str], name: str, outer: str, inner: str, items: list[Any]
    ) -> dict[str, Any]:
        """One PageNumber/PageSize page of ``items`` in the response shape of fixture ``name``."""
        out = fixture(name)
        number, size = int(q.get("PageNumber") or 1), min(int(q.get("PageSize") or 10), 2)
        out.update({"PageNumber": number, "PageSize": size, "TotalCount": len(items)})
        out[outer] = {inner: items[(number - 1) * size : number * size]}
        return out

    def _DescribeVpcs(self, q: dict[str, str], ids: list[str]) -> dict[str, Any]:  # noqa: N802
        proto = fixture("alibaba-DescribeVpcs-response.json")["Vpcs"]["Vpc"][0]
        vpcs = [{**proto, "VpcId": v, "VRouterId": self.vpcs[v]} for v in ids if v in self.vpcs]
        return self._page(q, "alibaba-DescribeVpcs-response.json", "Vpcs", "Vpc", vpcs)

    def _DescribeRouteTables(self, q: dict[str, str], ids: list[str]) -> dict[str, Any]:  # noqa: N802
        tables = self.route_tables.get(ids[0], [])
        name = "alibaba-DescribeRouteTables-response.json"
        return self._page(q, name, "RouteTables", "RouteTable", tables)

    def _DescribeNatGateways(self, q: dict[str, str], ids: list[str]) -> dict[str, Any]:  # noqa: N802
        nats = self.nat_gateways.get(ids[0], [])
        name = "alibaba-DescribeNatGateways-response.json"
        return self._page(q, name, "NatGateways", "NatGateway", nats)

    def _DescribeDisks(self, q: dict[str, str], ids: list[str]) -> dict[str, Any]:  # noqa: N802
        disks = self.disks.get(ids[0], [])
        return self._page(q, "alibaba-DescribeDisks-response.json", "Disks", "Disk", disks)


def _error(code: str, message: str) -> dict[str, Any]:
    return {
        "RequestId": "0C4B5C2E-TEST-4E0B-9C11-000000000000",
        "HostId": "127.0.0.1",
        "Code": code,
        "Message": message,
    }


def _acs3_valid(method: str, path: str, query: str, headers: Any, body: bytes) -> bool:
    """Recompute the ACS3-HMAC-SHA256 signature the way the API does."""
    auth = headers.get("Authorization", "")
    scheme, _, rest = auth.partition(" ")
    parts = dict(p.split("=", 1) for p in rest.split(",") if "=" in p)
    if scheme != "ACS3-HMAC-SHA256" or parts.get("Credential") != AK_ID:
        return False
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    canon_query = "&".join(f"{k}={quote(v, safe='~')}" for k, v in pairs)
    signed = parts.get("SignedHeaders", "").split(";")
    canon_headers = "".join(f"{h}:{(headers.get(h) or '').strip()}\n" for h in signed)
    payload = hashlib.sha256(body).hexdigest()
    if headers.get("x-acs-content-sha256") != payload:
        return False
    request = f"{method}\n{path}\n{canon_query}\n{canon_headers}\n{';'.join(signed)}\n{payload}"
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(request.encode()).hexdigest()
    want = hmac.new(SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, parts.get("Signature", ""))


def _handler(api: AliyunApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def _serve(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            api.log.append(f"{self.command} {self.path}\n{self.headers}\n{body.decode()}")
            split = urlsplit(self.path)
            params = dict(parse_qsl(split.query, keep_blank_values=True))
            params.update(parse_qsl(body.decode(), keep_blank_values=True))
            action = self.headers.get("x-acs-action") or params.get("Action", "")
            signed = _acs3_valid(self.command, split.path or "/", split.query, self.headers, body)
            if not signed:
                api.unsigned += 1
                status, doc = 400, _error("IncompleteSignature", "the request is not signed")
            else:
                api.calls.append((action, params))
                try:
                    status, doc = api.answer(action, params)
                except (KeyError, LookupError) as exc:
                    status, doc = 404, _error("InvalidParameter.NotFound", str(exc))
            data = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

    return Handler


@contextmanager
def serve(api: AliyunApi, host: str = "127.0.0.1") -> Iterator[AliyunApi]:
    """Serve ``api`` on a free port of a loopback address (asserted loopback)."""
    with serve_loopback(_handler(api), host, "the test API") as url:
        api.url = url
        yield api
