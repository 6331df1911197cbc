"""ImageConfig: the config of the image under audit; only a root-filesystem source has one.

The probe gives it no script text: on a live node every ImageConfig is ``Absent("not an
image")``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts.base import Answers, Frame, RequestSpec, Root, Section
from hardening.model.facts import Absent, Request


@dataclass(frozen=True)
class ImageConfig(Request[Mapping[str, Any]]):
    """The config of the image under audit (answered only by an image source).

    The fact is a read-only mapping: ``kind`` ("container" or "node"), ``user``,
    ``entrypoint`` and ``cmd`` (lists), ``env`` (list of ``NAME=VALUE``), ``layers`` and
    ``size`` (bytes of the layer blobs). A live node answers ``Absent("not an image")``.
    """


def fragment(reqs: Sequence[ImageConfig]) -> list[Section]:
    """No shell: a node has no image config."""
    return []


def parse(reqs: Sequence[ImageConfig], frames: Mapping[str, Frame],
          host: str) -> Answers[ImageConfig]:
    """A live node is not an image."""
    return {r: Absent("not an image") for r in reqs}


def from_root(reqs: Sequence[ImageConfig], root: Root) -> Answers[ImageConfig]:
    """The image's own config (Absent for a node image, which has none)."""
    return {r: root.config() for r in reqs}


def from_description(req: ImageConfig, desc: Mapping[str, Any]) -> Any:
    """``desc["image"]`` as the config, or not an image."""
    image = desc.get("image")
    return Absent("not an image") if image is None else dict(image)


SPEC = RequestSpec(ImageConfig, fragment, parse, from_root, from_description)
