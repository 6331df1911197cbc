"""The exception hierarchy: every error names the thing at fault and what to do about it."""

from __future__ import annotations


class HardeningError(Exception):
    """Root of all errors the tool raises on purpose.

    ``message`` names the thing at fault and what is wrong; ``hint`` says what to do.
    ``str()`` joins them as ``<message>; <hint>``, the one line the CLI prints.
    """

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message}; {hint}" if hint else message)


class UsageError(HardeningError):
    """The command line asks for something that cannot be done."""


class CatalogueError(HardeningError):
    """A control definition is invalid. Names file, line, control id and field."""

    def __init__(
        self,
        path: str,
        what: str,
        *,
        line: int | None = None,
        control_id: str | None = None,
        field: str | None = None,
        hint: str = "",
    ) -> None:
        self.path = path
        self.line = line
        self.control_id = control_id
        self.field = field
        where = path if line is None else f"{path}:{line}"
        parts = [where]
        if control_id is not None:
            parts.append(f"control {control_id}")
        if field is not None:
            parts.append(field)
        super().__init__(": ".join([*parts, what]), hint)


class InventoryError(HardeningError):
    """The inventory cannot be read or names hosts inconsistently."""


class WaiverError(HardeningError):
    """The waiver file is invalid or names an unknown control."""


class RemediationError(HardeningError):
    """Ansible could not be started at all (a failed playbook is data, not this)."""


class HostError(HardeningError):
    """A single host could not be audited; becomes that host's ERROR, the run goes on."""

    exit_code = 3


class TransportError(HostError):
    """Moving the probe to a host or its output back failed."""


class ConnectError(TransportError):
    """The host could not be reached (refused, unreachable, DNS, timeout on connect)."""


class AuthError(TransportError):
    """The host refused our credentials."""


class HostKeyError(TransportError):
    """The host key is unknown (strict mode) or differs from known_hosts."""


class CommandTimeout(TransportError):
    """The probe did not finish within the command timeout."""


class SudoPasswordRequired(TransportError):
    """``sudo -n`` refused because the account needs a password."""


class ProbeError(HostError):
    """The probe output is malformed: missing or forged frames, unparsable sections."""


class SourceError(HostError):
    """An offline fact source (an image, an archive) cannot be read."""


class ClusterError(HostError):
    """The cluster's objects cannot be read at all (no kubeconfig, 401, unreachable API
    server, unreadable exports directory); the cluster target becomes ERROR."""
