"""Transition shim: the request types now live in hardening/facts/ (one module each)."""

from __future__ import annotations

from typing import Any

from hardening.facts.base import GLOB_SAFE, is_glob
from hardening.facts.command import Command
from hardening.facts.component import ComponentReq
from hardening.facts.find import Find
from hardening.facts.image_config import ImageConfig
from hardening.facts.read import Read
from hardening.facts.stat import Stat
from hardening.model.facts import Request

FactRequest = Request[Any]

__all__ = ["GLOB_SAFE", "Command", "ComponentReq", "FactRequest", "Find", "ImageConfig",
           "Read", "Stat", "is_glob"]
