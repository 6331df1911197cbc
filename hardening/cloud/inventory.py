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
from hardening.cloud import network
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
    instance_docs: dict[str, dict[str, Any]] = field(default_factory=dict)  # raw, by id
    route_tables: dict[str, dict[str, Any]] | None = None  # normalised (cloud/network.py)
    nat_gateways: dict[str, dict[str, Any]] | None = None
    routers: dict[str, str] = field(default_factory=dict)  # Alibaba VRouterId -> VpcId
    disks: dict[str, list[dict[str, Any]]] | None = None  # instance id -> raw disk docs
    vpcs_read: set[str] = field(default_factory=set)  # VPCs whose routes a live source read

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
                self.instance_docs[str(inst.get("InstanceId"))] = inst
                self._merge(
                    str(inst.get("InstanceId")),
                    {
                        "region": inst.get("RegionId"),
                        "provider": "alibaba",
                        **network.placement(inst),
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
        elif self._network(doc) or self._disks(doc):
            pass
        elif isinstance(doc.get("InstanceProfile"), dict):
            prof = doc["InstanceProfile"]
            roles = prof.get("Roles") or []
            if roles:
                self.profiles[str(prof.get("InstanceProfileName"))] = str(roles[0]["RoleName"])

    def _network(self, doc: dict[str, Any]) -> bool:
        """Route tables, NAT gateways and VPCs (cloud/network.py), if ``doc`` is one."""
        if "RouteTables" in doc or "RouterTableList" in doc or "RouteEntrys" in doc:
            self.route_tables = self.route_tables or {}
            network.merge_tables(self.route_tables, network.route_tables(doc))
        elif "NatGateways" in doc:
            self.nat_gateways = self.nat_gateways or {}
            self.nat_gateways.update({n["id"]: n for n in network.nat_gateways(doc)})
        elif isinstance((doc.get("Vpcs") or {}).get("Vpc"), list):
            self.routers.update(network.vpc_routers(doc))
        else:
            return False
        return True

    def _disks(self, doc: dict[str, Any]) -> bool:
        """Alibaba ``DescribeDisks`` or AWS ``describe-volumes``, filed by instance."""
        ali = (doc.get("Disks") or {}).get("Disk") if isinstance(doc.get("Disks"), dict) else None
        if isinstance(ali, list):
            pairs = [(str(d.get("InstanceId") or ""), d) for d in ali if isinstance(d, dict)]
        elif isinstance(doc.get("Volumes"), list):
            pairs = [
                (str(a.get("InstanceId") or ""), v)
                for v in doc["Volumes"]
                if isinstance(v, dict)
                for a in v.get("Attachments") or [{}]
            ]
        else:
            return False
        self.disks = self.disks or {}
        for iid, disk in pairs:
            if iid and disk not in self.disks.setdefault(iid, []):
                self.disks[iid].append(disk)
        return True

    def _merge(self, iid: str, data: dict[str, Any]) -> None:
        entry = self.instances.setdefault(iid, {})
        entry.update({k: v for k, v in data.items() if v})

    def _aws_instance(self, inst: dict[str, Any]) -> None:
        ids = [g["GroupId"] for g in inst.get("SecurityGroups") or []]
        for eni in inst.get("NetworkInterfaces") or []:
            ids += [g["GroupId"] for g in eni.get("Groups") or [] if g["GroupId"] not in ids]
        self.instance_docs[str(inst.get("InstanceId"))] = inst
        arn = str((inst.get("IamInstanceProfile") or {}).get("Arn", ""))
        zone = str((inst.get("Placement") or {}).get("AvailabilityZone", ""))
        self._merge(
            str(inst.get("InstanceId")),
            {
                "provider": "aws",
                "security_group_ids": ids,
                "region": zone[:-1] if zone else "",
                "instance_profile": arn.rsplit("/", 1)[-1] if arn else "",
                **network.placement(inst),
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
    _join_node(inv, iid, facts)
    return facts


def _join_node(inv: CloudInventory, iid: str, facts: dict[str, Any]) -> None:
    """The instance's own description, its route tables and NAT gateways, its disks."""
    doc = inv.instance_docs.get(iid)
    missing = facts["missing"]
    if doc is None:
        why = f"no description of instance '{iid or '?'}' in {inv.source or 'the cloud facts'}"
        missing["instance_doc"] = why + " (export DescribeInstances / describe-instances)"
        missing["routes"] = missing["instance_doc"]
    else:
        facts["instance_doc"] = doc
        where = network.placement(doc)
        if inv.route_tables is None:
            missing["routes"] = (
                f"manual: no route tables in {inv.source or 'the cloud facts'} (export "
                "DescribeRouteTables / describe-route-tables and the NAT gateways)"
            )
        else:
            vpc = where["vpc"]
            tables = [
                {**t, "vpc": t.get("vpc") or inv.routers.get(str(t.get("router")), "")}
                for t in inv.route_tables.values()
            ]
            facts["routes"] = {
                **where,
                "tables": [t for t in tables if t["vpc"] in ("", vpc)],
                "nat_gateways": None
                if inv.nat_gateways is None
                else [n for n in inv.nat_gateways.values() if n["vpc"] in ("", vpc)],
            }
    if inv.disks is None:
        missing["disks"] = (
            f"no disks in {inv.source or 'the cloud facts'} (export DescribeDisks --InstanceId "
            "/ describe-volumes --filters Name=attachment.instance-id)"
        )
    elif iid in inv.disks:
        facts["disks"] = inv.disks[iid]
    else:
        missing["disks"] = f"no disk attached to instance '{iid or '?'}' in {inv.source}"
