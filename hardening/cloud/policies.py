"""Worker-role policy documents (Alibaba RAM and AWS IAM) -> what they grant. Pure.

Accepts the shapes the cloud CLIs print: a bare document, RAM ``GetPolicy`` (the document
is a JSON string inside ``DefaultPolicyVersion.PolicyDocument``), IAM ``get-role-policy``
(``PolicyDocument``, an object or URL-encoded text) and IAM ``get-policy-version``.
``Statement``, ``Action`` and ``Resource`` may each be one value or a list. Action matching
is case-insensitive with ``*`` and ``?`` wildcards. An unconditional Deny on ``*`` (or on
the same resources) removes what it matches; a conditional Deny is not relied on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import unquote

# Actions that let a worker node raise its own privileges (the token on the node is readable
# by anything that escapes a pod). Patterns; a granted action matching one is escalation.
ESCALATION: dict[str, tuple[str, ...]] = {
    "ram": (
        "ram:*",
        "ram:attach*",
        "ram:createpolicyversion",
        "ram:setdefaultpolicyversion",
        "ram:passrole",
        "ram:createaccesskey",
        "ram:updaterole",
        "ram:createuser",
        "ram:addusertogroup",
        "sts:assumerole",
    ),
    "iam": (
        "iam:*",
        "iam:attach*policy",
        "iam:put*policy",
        "iam:createpolicyversion",
        "iam:setdefaultpolicyversion",
        "iam:createaccesskey",
        "iam:createloginprofile",
        "iam:updateloginprofile",
        "iam:updateassumerolepolicy",
        "iam:addusertogroup",
        "sts:assumerole",
    ),
}
# Escalation only on every resource ("*"), not when scoped.
ONLY_ON_STAR = frozenset({"sts:assumerole"})
# Pairs that escalate together: pass a role to compute you launch.
COMBOS: dict[str, tuple[tuple[str, str], ...]] = {
    "ram": (("ram:passrole", "ecs:runinstances"), ("ram:passrole", "ecs:createinstance")),
    "iam": (
        ("iam:passrole", "ec2:runinstances"),
        ("iam:passrole", "lambda:createfunction"),
        ("iam:passrole", "ecs:runtask"),
        ("iam:passrole", "cloudformation:createstack"),
    ),
}


@dataclass(frozen=True)
class Statement:
    """One statement, normalised: lower-case action patterns, resources as given."""

    policy: str
    index: int
    allow: bool
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditional: bool

    @property
    def label(self) -> str:
        """``policy#N Allow Action [...] on [...]`` for evidence."""
        verb = "NotAction" if self.not_actions else "Action"
        acts = self.not_actions or self.actions
        effect = "Allow" if self.allow else "Deny"
        return (
            f"{self.policy} statement {self.index} {effect} {verb} {list(acts)} "
            f"on {list(self.resources)}"
        )

    def matches(self, action: str) -> bool:
        """Whether this statement applies to ``action`` (lower-case)."""
        if self.not_actions:
            return not any(fnmatchcase(action, p) for p in self.not_actions)
        return any(fnmatchcase(action, p) for p in self.actions)

    @property
    def on_everything(self) -> bool:
        """Whether the resources include every resource."""
        return any(r.strip() in ("*", "acs:*:*:*:*", "arn:aws:*:*:*:*") for r in self.resources)


@dataclass(frozen=True)
class Policy:
    """A named policy document: its statements and its dialect (``ram`` or ``iam``)."""

    name: str
    dialect: str
    statements: tuple[Statement, ...]


def _list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _document(raw: Any) -> Mapping[str, Any]:
    """Find the policy document in any of the accepted shapes."""
    if isinstance(raw, str):
        text = raw.strip()
        return _document(json.loads(unquote(text) if text.startswith("%") else text))
    if not isinstance(raw, Mapping):
        raise ValueError("policy is not a JSON object")
    if "Statement" in raw:
        return raw
    for path in (
        ("DefaultPolicyVersion", "PolicyDocument"),
        ("PolicyVersion", "PolicyDocument"),
        ("PolicyVersion", "Document"),
        ("PolicyDocument",),
        ("Document",),
    ):
        node: Any = raw
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if node is not None:
            return _document(node)
    raise ValueError("no policy document (Statement) found")


def parse_policy(raw: Any, name: str) -> Policy:
    """A policy from any accepted shape. ``Version "1"`` is RAM; anything else is IAM."""
    doc = _document(raw)
    dialect = "ram" if str(doc.get("Version", "")) == "1" else "iam"
    stmts = doc.get("Statement")
    items = [stmts] if isinstance(stmts, Mapping) else list(stmts or [])
    out = []
    for i, s in enumerate(items):
        if not isinstance(s, Mapping):
            raise ValueError(f"{name}: statement {i} is not an object")
        effect = str(s.get("Effect", "")).strip().lower()
        if effect not in ("allow", "deny"):
            raise ValueError(f"{name}: statement {i} has Effect '{s.get('Effect')}'")
        out.append(
            Statement(
                policy=name,
                index=i,
                allow=effect == "allow",
                actions=tuple(a.strip().lower() for a in _list(s.get("Action"))),
                not_actions=tuple(a.strip().lower() for a in _list(s.get("NotAction"))),
                resources=_list(s.get("Resource")) or ("*",),
                conditional=bool(s.get("Condition")),
            )
        )
    return Policy(name, dialect, tuple(out))


def _denied(stmts: Sequence[Statement], action: str, allow: Statement) -> Statement | None:
    """The unconditional Deny that removes ``action`` as ``allow`` grants it, if any."""
    for d in stmts:
        if d.allow or d.conditional or not d.matches(action):
            continue
        if d.on_everything or set(d.resources) >= set(allow.resources):
            return d
    return None


def grants(policies: Iterable[Policy], action: str, *, on_star: bool = False) -> Statement | None:
    """The Allow statement that grants ``action`` (a name or a pattern), after Denies."""
    stmts = [s for p in policies for s in p.statements]
    action = action.lower()
    for s in stmts:
        if not s.allow or not s.matches(action) or (on_star and not s.on_everything):
            continue
        if _denied(stmts, action, s) is None:
            return s
    return None


def _covers(pattern: str, action: str) -> bool:
    """Whether the granted ``pattern`` reaches ``action`` (both may carry wildcards)."""
    return fnmatchcase(action, pattern) or fnmatchcase(pattern, action)


def full_admin(policies: Sequence[Policy]) -> list[str]:
    """Allows of ``*`` or ``service:*`` on every resource that no Deny removes."""
    stmts = [s for p in policies for s in p.statements]
    found = []
    for s in stmts:
        if not s.allow or not s.on_everything:
            continue
        for a in s.actions:
            if (a == "*" or a.endswith(":*")) and _denied(stmts, a, s) is None:
                found.append(f"{a} by {s.label}")
    return found


def not_action_allows(policies: Sequence[Policy]) -> list[str]:
    """Allow statements written with NotAction (they grant everything not listed)."""
    return [s.label for p in policies for s in p.statements if s.allow and s.not_actions]


def _escalates(stmts: Sequence[Statement], s: Statement, pattern: str) -> bool:
    """Whether Allow ``s`` grants something ``pattern`` names that no Deny takes back."""
    if s.not_actions:
        return s.matches(pattern) and _denied(stmts, pattern, s) is None
    # "iam:*" means the whole service: only a grant that covers all of it counts.
    whole = pattern.endswith(":*")
    return any(
        (fnmatchcase(pattern, a) if whole else _covers(a, pattern)) and _denied(stmts, a, s) is None
        for a in s.actions
    )


def escalations(policies: Sequence[Policy], dialect: str) -> list[str]:
    """Privilege-escalation actions the policies grant, each with the granting statement."""
    stmts = [s for p in policies for s in p.statements]
    found = []
    for pattern in ESCALATION[dialect]:
        hit = next(
            (
                f"{pattern} by {s.label}"
                for s in stmts
                if s.allow
                and (pattern not in ONLY_ON_STAR or s.on_everything)
                and _escalates(stmts, s, pattern)
            ),
            None,
        )
        if hit:
            found.append(hit)
    for first, second in COMBOS[dialect]:
        a, b = grants(policies, first), grants(policies, second)
        if a is not None and b is not None:
            found.append(f"{first} with {second} by {a.label}; {b.label}")
    return found


def extra_actions(policies: Sequence[Policy], baseline: Iterable[str]) -> list[str]:
    """Granted action patterns no baseline pattern covers (Denied ones are left out)."""
    base = [b.lower() for b in baseline]
    stmts = [s for p in policies for s in p.statements]
    extra: dict[str, None] = {}
    for s in stmts:
        if not s.allow:
            continue
        if s.not_actions:
            extra[f"NotAction {list(s.not_actions)} ({s.policy})"] = None
        for a in s.actions:
            if any(fnmatchcase(a, b) for b in base) or _denied(stmts, a, s) is not None:
                continue
            extra[a] = None
    return sorted(extra)


# Registry services and what a node needs of them: pulling. An action whose name starts with
# one of READ_VERBS (before any wildcard) only reads; anything else in a registry service is
# not read-only. REGISTRY_WRITES names the writes, so a wildcard grant's evidence can say
# which ones it reaches and a Deny of them is honoured.
REGISTRY_SERVICES = ("cr", "ecr", "ecr-public")
READ_VERBS = ("get", "list", "pull", "describe", "batchget", "batchcheck")
REGISTRY_WRITES = tuple(
    a.lower()
    for a in (
        "cr:PushRepository",
        "cr:CreateRepository",
        "cr:UpdateRepository",
        "cr:DeleteRepository",
        "cr:DeleteRepositoryTag",
        "cr:DeleteArtifact",
        "cr:CreateNamespace",
        "cr:UpdateNamespace",
        "cr:DeleteNamespace",
        "ecr:PutImage",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:BatchDeleteImage",
        "ecr:CreateRepository",
        "ecr:DeleteRepository",
        "ecr:SetRepositoryPolicy",
        "ecr:DeleteRepositoryPolicy",
        "ecr:PutLifecyclePolicy",
        "ecr:DeleteLifecyclePolicy",
        "ecr:PutImageTagMutability",
        "ecr:PutImageScanningConfiguration",
        "ecr:PutReplicationConfiguration",
        "ecr:PutRegistryPolicy",
        "ecr:ReplicateImage",
        "ecr:TagResource",
        "ecr:UntagResource",
        "ecr-public:PutImage",
        "ecr-public:InitiateLayerUpload",
        "ecr-public:UploadLayerPart",
        "ecr-public:CompleteLayerUpload",
        "ecr-public:BatchDeleteImage",
        "ecr-public:CreateRepository",
        "ecr-public:DeleteRepository",
    )
)


def _reads_only(pattern: str) -> bool:
    """Whether ``pattern`` (lower-case) names only registry reads, or no registry at all."""
    service, _, name = pattern.partition(":")
    if not name:  # "*": every service
        return False
    if not any(fnmatchcase(s, service) for s in REGISTRY_SERVICES):
        return True
    literal = name.split("*", 1)[0].split("?", 1)[0]
    return literal.startswith(READ_VERBS)


def registry_writes(policies: Sequence[Policy]) -> list[str]:
    """Registry actions granted beyond reads (ACR ``cr:``, ECR ``ecr:``/``ecr-public:``).

    A literal action is a finding unless a Deny removes it; a wildcard grant is a finding
    when some write of REGISTRY_WRITES it reaches is not denied (the writes are named);
    an Allow with NotAction is a finding when it leaves a write in.
    """
    stmts = [s for p in policies for s in p.statements]
    found: list[str] = []
    for s in stmts:
        if not s.allow:
            continue
        if s.not_actions:
            left = [w for w in REGISTRY_WRITES if s.matches(w) and _denied(stmts, w, s) is None]
            if left:
                found.append(f"NotAction grants {', '.join(left[:5])} by {s.label}")
            continue
        for a in s.actions:
            if _reads_only(a):
                continue
            wild = "*" in a or "?" in a
            left = [
                w for w in REGISTRY_WRITES if fnmatchcase(w, a) and _denied(stmts, w, s) is None
            ]
            if wild and left:
                more = f" (+{len(left) - 5} more)" if len(left) > 5 else ""
                found.append(f"{a} (grants {', '.join(left[:5])}{more}) by {s.label}")
            elif not wild and _denied(stmts, a, s) is None:
                found.append(f"{a} by {s.label}")
    return found
