"""KINDS: the registered check kinds, one literal line each (no import side effects)."""

from __future__ import annotations

from hardening.checks.base import CheckKind
from hardening.checks.kinds import (
    audit_policy,
    command_output,
    component_file,
    component_setting,
    component_settings,
    config_key,
    encryption_provider,
    file_mode,
    file_owner,
    image_build,
    image_env_secrets,
    image_size,
    image_tools,
    image_user,
    kubebench,
    role_policy,
    sandbox_runtime,
    security_group_exposure,
    suid_inventory,
    world_writable,
)

KINDS: dict[str, CheckKind] = {
    "file_mode": file_mode.KIND,
    "file_owner": file_owner.KIND,
    "component_setting": component_setting.KIND,
    "component_file": component_file.KIND,
    "component_settings": component_settings.KIND,
    "config_key": config_key.KIND,
    "command_output": command_output.KIND,
    "suid_inventory": suid_inventory.KIND,
    "world_writable": world_writable.KIND,
    "kubebench": kubebench.KIND,
    "encryption_provider": encryption_provider.KIND,
    "audit_policy": audit_policy.KIND,
    "security_group_exposure": security_group_exposure.KIND,
    "role_policy": role_policy.KIND,
    "sandbox_runtime": sandbox_runtime.KIND,
    "image_user": image_user.KIND,
    "image_tools": image_tools.KIND,
    "image_env_secrets": image_env_secrets.KIND,
    "image_size": image_size.KIND,
    "image_build": image_build.KIND,
}
