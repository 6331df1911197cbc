"""The live source: read-only, paginated list calls through a kubeconfig.

The official ``kubernetes`` client builds the connection from the kubeconfig (certificates,
tokens, exec plugins) and makes the list calls; each page (``limit``/``continue``) is
parsed from its raw JSON, projected and dropped, so memory stays bounded by what the checks
keep. Only ``list`` is ever called: the ClusterRole in docs/cluster.md is all it needs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from hardening.cluster.source import ListExpired, ResourceUnreadable
from hardening.errors import ClusterError
from hardening.model.cluster import Resource
from hardening.safeload import LoadLimitError, load_json

PAGE = 500  # objects per list call (kubectl's --chunk-size default)


def _api_error(status: int, resource: Resource, label: str) -> Exception:
    what = f"{resource.plural} ({resource.api_version})"
    if status == 401:
        return ClusterError(
            f"{label}: the API server rejected the kubeconfig's credentials (401 Unauthorized)",
            "renew the token or certificate in the kubeconfig, or pick another --context",
        )
    if status == 403:
        return ResourceUnreadable(
            f"the kubeconfig's user cannot list {what} (403 Forbidden); "
            "grant the read-only ClusterRole in docs/cluster.md"
        )
    if status == 404:
        return ResourceUnreadable(f"the API server does not serve {what} (404)")
    return ResourceUnreadable(f"listing {what} failed with HTTP {status}")


class LiveSource:
    """Lists resources from the API server a kubeconfig (and context) points at."""

    def __init__(
        self,
        kubeconfig: Path,
        context: str | None = None,
        *,
        timeout: float = 30.0,
        page: int = PAGE,
    ) -> None:
        try:
            from kubernetes import client, config
            from kubernetes.config.config_exception import ConfigException
        except ImportError:  # pragma: no cover - the dependency is a runtime requirement
            raise ClusterError(
                "the kubernetes client is not installed", "install hardening with its dependencies"
            ) from None
        if not kubeconfig.is_file():
            raise ClusterError(
                f"{kubeconfig}: no such kubeconfig file",
                "pass the file kubectl uses (--kubeconfig FILE)",
            )
        try:
            self._api = config.new_client_from_config(
                str(kubeconfig), context, persist_config=False
            )
        except (ConfigException, ValueError, OSError, TypeError) as exc:
            # the client's message may quote the kubeconfig's mappings (tokens): keep its head
            what = str(exc).split(" in ", 1)[0][:160]
            raise ClusterError(
                f"{kubeconfig}: cannot use the kubeconfig: {what}",
                "check it with 'kubectl --kubeconfig FILE config view'",
            ) from None
        self._client = client
        self._timeout = timeout
        self._page = page
        host = self._api.configuration.host
        self.label = f"the API server at {host}" + (f" (context {context})" if context else "")

    def _call(self, resource: Resource, token: str | None) -> Mapping[str, Any]:
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        api = getattr(self._client, resource.api)(self._api)
        kwargs: dict[str, Any] = {
            "limit": self._page,
            "_preload_content": False,
            "_request_timeout": self._timeout,
        }
        if token:
            kwargs["_continue"] = token
        try:
            response = getattr(api, resource.method)(**kwargs)
        except ApiException as exc:
            if exc.status == 410 and token:
                raise ListExpired(resource.plural) from None
            raise _api_error(int(exc.status or 0), resource, self.label) from None
        except HTTPError as exc:
            raise ClusterError(
                f"{self.label}: cannot reach the API server: {type(exc).__name__}",
                "check the kubeconfig's server and the network path to it",
            ) from None
        try:
            doc = load_json(response.data, f"the list of {resource.plural}")
        except LoadLimitError as exc:
            raise ResourceUnreadable(str(exc)) from None
        except ValueError:
            raise ResourceUnreadable(f"the list of {resource.plural} is not JSON") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("items", []), list):
            raise ResourceUnreadable(f"the list of {resource.plural} has no items")
        return doc

    def pages(self, resource: Resource) -> Iterator[Sequence[Mapping[str, Any]]]:
        """Each page of the list, following ``continue`` until the server gives none."""
        token: str | None = None
        while True:
            doc = self._call(resource, token)
            yield list(doc.get("items") or [])
            token = (doc.get("metadata") or {}).get("continue") or None
            if not token:
                return

    def close(self) -> None:
        """Close the client's connection pool."""
        self._api.close()
