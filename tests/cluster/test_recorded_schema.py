"""The recorded cluster is made of objects the real API server would accept: each one is
valid against the vendored Kubernetes v1.32.0 OpenAPI definitions (strict: no unknown
field), and so is every list the loopback server serves."""

from __future__ import annotations

import json
import ssl
import urllib.request
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from hardening.model.cluster import RESOURCES
from tests.cluster.apiserver import recorded, serve_api

SCHEMA = Path(__file__).resolve().parent / "schema" / "k8s-v1.32.0-definitions.json"
GROUPS = {
    "": "core",
    "apps": "apps",
    "batch": "batch",
    "rbac.authorization.k8s.io": "rbac",
    "networking.k8s.io": "networking",
    "admissionregistration.k8s.io": "admissionregistration",
}


@cache
def definitions() -> dict[str, Any]:
    """The vendored definitions document."""
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def validator(kind: str, group: str) -> jsonschema.Draft202012Validator:
    """A validator for one definition, resolving $refs inside the vendored document."""
    doc = definitions()
    schema = {**doc, "$ref": f"#/$defs/io.k8s.api.{GROUPS[group]}.v1.{kind}"}
    return jsonschema.Draft202012Validator(schema)


OBJECTS = [(plural, i, o) for plural, items in recorded().items() for i, o in enumerate(items)]


@pytest.mark.parametrize("plural,index,obj", OBJECTS, ids=[f"{p}[{i}]" for p, i, _ in OBJECTS])
def test_recorded_object_is_valid_against_the_openapi_schema(
    plural: str, index: int, obj: dict[str, Any]
) -> None:
    resource = RESOURCES[plural]
    assert obj["kind"] == resource.kind and obj["apiVersion"] == resource.api_version
    errors = sorted(validator(resource.kind, resource.group).iter_errors(obj), key=str)
    assert errors == [], f"{plural}[{index}]: {errors[0].message} at {list(errors[0].path)}"


def test_every_listed_resource_is_recorded() -> None:
    assert sorted(recorded()) == sorted(RESOURCES)


def test_the_schema_rejects_an_unknown_field_and_a_wrong_type() -> None:
    pod = next(o for o in recorded()["pods"])
    check = validator("Pod", "")
    bad_field = {**pod, "spec": {**pod["spec"], "hostPIDs": True}}
    bad_type = {**pod, "spec": {**pod["spec"], "hostPID": "yes"}}
    assert list(check.iter_errors(bad_field)) and list(check.iter_errors(bad_type))


def test_a_served_list_is_valid_as_its_list_kind() -> None:
    with serve_api() as api:
        ca = Path(api.kubeconfig).read_text()
        assert "certificate-authority-data" in ca
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        req = urllib.request.Request(
            api.url + "/api/v1/pods?limit=2", headers={"Authorization": f"Bearer {api.how.token}"}
        )
        with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
            page = json.loads(resp.read())
    assert page["metadata"]["continue"] and len(page["items"]) == 2
    errors = list(validator("PodList", "").iter_errors(page))
    assert errors == [], errors[0].message
