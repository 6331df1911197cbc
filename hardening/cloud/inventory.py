"""Cloud facts gathered from exports: instances, security groups, role policies and
RuntimeClasses, indexed for the per-node join. Filled from a directory of CLI exports
(``load_dir``) or by the live AWS source; the join itself is in ``join``.

Directory layout (see docs/cloud.md): any ``*.json`` (or RuntimeClass ``*.yaml``) file,
recognised by shape; role policies under ``roles/<RoleName>/*.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hardening import safeload
from hardening.cloud.securitygroups import aws_rule_groups
from hardening.errors import UsageError


@dataclass
class CloudInventory:
    """What the exports say, keyed for the join."""

    instances: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    profiles: dict[str, str] = field(default_factory=dict)  # instance profile -> role
    runtime_classes: list[dict[str, Any]] | None = None
    source: str = ""

    def add_document(self, doc: Any, where: str) -> None:
        """File one exported document by its shape (unknown shapes are ignored)."""
        if not isinstance(doc, dict):
            return
        if doc.get("kind") in ("RuntimeClassList", "List") or doc.get("kind") == "RuntimeClass":
            items = doc.get("items") if "items" in doc else [doc]
            found = [i for i in items or [] if isinstance(i, dict) and "handler" in i]
            self.runtime_classes = (self.runtime_classes or []) + found
        elif isinstance(doc.get("SecurityGroups"), list):
            for g in doc["SecurityGroups"]:
                self.groups[str(g.get("GroupId"))] = g
        elif isinstance(doc.get("SecurityGroupRules"), list):
            for gid, group in aws_rule_groups(doc["SecurityGroupRules"]).items():
                known = self.groups.get(gid)
                if known is None:
                    self.groups[gid] = group
                elif "SecurityGroupRules" in known:  # rows of one group in several files
                    known["SecurityGroupRules"] += group["SecurityGroupRules"]
                # else a describe-security-groups document already describes the group
        elif "Permissions" in doc and doc.get("SecurityGroupId"):
            self.groups[str(doc["SecurityGroupId"])] = doc
        elif isinstance(doc.get("Reservations"), list):
            for r in doc["Reservations"]:
                for inst in r.get("Instances") or []:
                    self._aws_instance(inst)
        elif isinstance((doc.get("Instances") or {}).get("Instance"), list):
            for inst in doc["Instances"]["Instance"]:
                self._merge(
                    str(inst.get("InstanceId")),
                    {
                        "region": inst.get("RegionId"),
                        "provider": "alibaba",
                        "security_group_ids": list(
                            (inst.get("SecurityGroupIds") or {}).get("SecurityGroupId") or []
                        ),
                    },
                )
        elif isinstance((doc.get("InstanceRamRoleSets") or {}).get("InstanceRamRoleSet"), list):
            for item in doc["InstanceRamRoleSets"]["InstanceRamRoleSet"]:
                self._merge(
                    str(item.get("InstanceId")),
                    {"role_name": item.get("RamRoleName"), "provider": "alibaba"},
                )
        elif isinstance(doc.get("InstanceProfile"), dict):
            prof = doc["InstanceProfile"]
            roles = prof.get("Roles") or []
            if roles:
                self.profiles[str(prof.get("InstanceProfileName"))] = str(roles[0]["RoleName"])

    def _merge(self, iid: str, data: dict[str, Any]) -> None:
        entry = self.instances.setdefault(iid, {})
        entry.update({k: v for k, v in data.items() if v})

    def _aws_instance(self, inst: dict[str, Any]) -> None:
        ids = [g["GroupId"] for g in inst.get("SecurityGroups") or []]
        for eni in inst.get("NetworkInterfaces") or []:
            ids += [g["GroupId"] for g in eni.get("Groups") or [] if g["GroupId"] not in ids]
        arn = str((inst.get("IamInstanceProfile") or {}).get("Arn", ""))
        zone = str((inst.get("Placement") or {}).get("AvailabilityZone", ""))
        self._merge(
            str(inst.get("InstanceId")),
            {
                "provider": "aws",
                "security_group_ids": ids,
                "region": zone[:-1] if zone else "",
                "instance_profile": arn.rsplit("/", 1)[-1] if arn else "",
            },
        )

    def add_policy(self, role: str, name: str, document: Any) -> None:
        """Attach one exported policy (any accepted shape) to ``role``."""
        self.roles.setdefault(role, []).append({"name": name, "document": document})


EXPORT_MAX_BYTES = 256 << 20  # a describe-instances export of a large fleet is tens of MiB


def _read(path: Path) -> list[Any]:
    """One export, bounded (size, nesting, aliases; special files refused): safeload.py."""
    return safeload.load_file(path, EXPORT_MAX_BYTES)


def load_dir(root: Path) -> CloudInventory:
    """Read every export under ``root``; UsageError naming the file that is not valid."""
    if not root.is_dir():
        raise UsageError(
            f"--cloud-facts {root}: not a directory",
            "export the cloud data as described in docs/cloud.md",
        )
    inv = CloudInventory(source=str(root))
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".json", ".yaml", ".yml") or not path.is_file():
            continue
        try:
            docs = _read(path)
        except safeload.LoadLimitError as exc:
            raise UsageError(
                str(exc),
                "export it again with the command in docs/cloud.md; "
                "an export is a regular file of at most "
                f"{EXPORT_MAX_BYTES >> 20} MiB",
            ) from None
        except (OSError, ValueError, yaml.YAMLError) as exc:
            raise UsageError(
                f"{path}: not valid JSON/YAML: {str(exc).splitlines()[0]}",
                "re-export it with the command in docs/cloud.md",
            ) from None
        rel = path.relative_to(root).parts
        if len(rel) == 3 and rel[0] == "roles" and path.suffix == ".json":
            if not _is_listing(docs[0]):
                inv.add_policy(rel[1], path.stem, docs[0])
            continue
        for doc in docs:
            inv.add_document(doc, str(path))
    return inv


def _is_listing(doc: Any) -> bool:
    """ListPoliciesForRole / list-*-policies outputs carry names, not documents."""
    return isinstance(doc, dict) and any(
        k in doc for k in ("Policies", "AttachedPolicies", "PolicyNames")
    )


def join(
    inv: CloudInventory, host_vars: dict[str, Any], metadata: dict[str, Any]
) -> dict[str, Any]:
    """The cloud facts of one node: inventory vars win, then metadata, then the exports."""
    iid = str(host_vars.get("instance_id") or metadata.get("instance_id") or "")
    known = inv.instances.get(iid, {})
    instance = {
        **known,
        **metadata,
        **{
            k: host_vars[k]
            for k in ("instance_id", "security_group_ids", "role_name")
            if host_vars.get(k)
        },
    }
    if iid:
        instance["instance_id"] = iid
    sg_ids = instance.get("security_group_ids") or []
    if isinstance(sg_ids, str):
        sg_ids = [s.strip() for s in sg_ids.split(",") if s.strip()]
    role = instance.get("role_name") or inv.profiles.get(str(known.get("instance_profile")))
    facts: dict[str, Any] = {"instance": instance, "missing": {}}
    if sg_ids and all(s in inv.groups for s in sg_ids):
        facts["security_groups"] = [inv.groups[s] for s in sg_ids]
    else:
        lost = [s for s in sg_ids if s not in inv.groups]
        facts["missing"]["security_groups"] = (
            f"security groups {', '.join(lost)} not in {inv.source}"
            if lost
            else f"no security group ids for instance '{iid or '?'}' (set security_group_ids "
            "or instance_id in the inventory, or pass --metadata-endpoint)"
        )
    if role and role in inv.roles:
        facts["role"] = {"name": role, "policies": inv.roles[role]}
    else:
        facts["missing"]["role"] = (
            f"no policies exported for role '{role}' in {inv.source}"
            if role
            else f"no role known for instance '{iid or '?'}'"
        )
    if inv.runtime_classes is not None:
        facts["runtime_classes"] = inv.runtime_classes
    return facts
