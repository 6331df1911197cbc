"""Every fact request type, listed once: a request is one module and one line here.

tests/unit/facts/test_registry.py checks that each spec has every part and a test, that
every Request subclass in hardening/facts is listed, and that each kind's needs() are
request types listed here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from hardening.facts import (
    certs,
    cloud_instance,
    cluster_list,
    command,
    component,
    component_env,
    dropins,
    find,
    image_config,
    image_signature,
    image_vulns,
    inventory_flag,
    kubeconfig,
    node_disks,
    read,
    role_policies,
    route_tables,
    runtime_classes,
    security_groups,
    stat,
)
from hardening.facts.base import RequestSpec
from hardening.model.facts import Request

REQUESTS: tuple[RequestSpec[Any], ...] = (
    stat.SPEC,
    component.SPEC,
    component_env.SPEC,
    dropins.SPEC,
    read.SPEC,
    certs.SPEC,
    kubeconfig.SPEC,
    command.SPEC,
    find.SPEC,
    image_config.SPEC,
    image_signature.SPEC,
    image_vulns.SPEC,
    cluster_list.SPEC,
    security_groups.SPEC,
    role_policies.SPEC,
    runtime_classes.SPEC,
    cloud_instance.SPEC,
    route_tables.SPEC,
    node_disks.SPEC,
    inventory_flag.SPEC,
)
"""In probe order: the script's sections follow this order (stat first, find last)."""

SPECS: dict[type[Any], RequestSpec[Any]] = {spec.request: spec for spec in REQUESTS}


def spec_of(request: Request[Any]) -> RequestSpec[Any]:
    """The spec answering ``request``; a type not registered is a programming error."""
    try:
        return SPECS[type(request)]
    except KeyError:
        raise TypeError(
            f"{type(request).__name__} is not a registered fact request; "
            "add its SPEC to hardening/facts/registry.py"
        ) from None


def by_spec(requests: Iterable[Request[Any]]) -> list[tuple[RequestSpec[Any], list[Any]]]:
    """The requests grouped by spec, deduplicated, in registry order and a stable order."""
    groups: dict[type[Any], list[Any]] = defaultdict(list)
    for req in sorted(set(requests), key=repr):
        groups[spec_of(req).request].append(req)
    return [(spec, groups[spec.request]) for spec in REQUESTS if spec.request in groups]
