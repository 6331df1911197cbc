"""Where the shipped content lives: benchmarks, baselines and playbooks are package data.

They sit inside the package (``hardening/benchmarks``, ``hardening/playbooks``) and are found
through ``importlib.resources``, so a checkout, ``pip install .``, a wheel and ``pipx`` all
read the same files. Content is walked as directories and handed to ansible-playbook as
paths, so the package must be on the file system (pip and pipx install it unzipped).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from hardening.errors import HardeningError


def shipped(*parts: str) -> Path:
    """The real path of ``hardening/<parts...>`` in the imported package."""
    ref = resources.files("hardening").joinpath(*parts)
    if not isinstance(ref, Path):
        raise HardeningError(
            f"{ref}: the hardening package is not on the file system",
            "install it with pip or pipx, which unpack it",
        )
    return ref
