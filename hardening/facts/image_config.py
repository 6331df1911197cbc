"""ImageConfig: the config of the image under audit; only a root-filesystem source has one.

The probe gives it no script text: on a live node every ImageConfig is ``Absent("not an
image")``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts.base import Answers, Frame, RequestSpec, Root, Section
from hardening.model.facts import Absent, ImageFacts, Request


@dataclass(frozen=True)
class ImageConfig(Request[ImageFacts]):
    """The config of the image under audit (answered only by an image source).

    A live node answers ``Absent("not an image")``, a node image ``Absent("not a container
    image")``.
    """


def fragment(reqs: Sequence[ImageConfig]) -> list[Section]:
    """No shell: a node has no image config."""
    return []


def parse(
    reqs: Sequence[ImageConfig], frames: Mapping[str, Frame], host: str
) -> Answers[ImageConfig]:
    """A live node is not an image."""
    return {r: Absent("not an image") for r in reqs}


def from_root(reqs: Sequence[ImageConfig], root: Root) -> Answers[ImageConfig]:
    """The image's own config (Absent for a node image, which has none)."""
    return {r: root.config() for r in reqs}


def _words(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else (str(value),)


def from_description(req: ImageConfig, desc: Mapping[str, Any]) -> Any:
    """``desc["image"]`` (the ImageFacts fields, numbers as strings allowed), or not an image."""
    image = desc.get("image")
    if image is None:
        return Absent("not an image")
    fields: dict[str, Any] = {}
    for key, value in image.items():
        default = getattr(ImageFacts, key)  # an unknown key is an AttributeError: a typo
        if isinstance(default, bool):
            fields[key] = bool(value)
        elif isinstance(default, int):
            fields[key] = int(str(value))
        elif isinstance(default, tuple):
            fields[key] = _words(value)
        else:
            fields[key] = str(value)
    return ImageFacts(**fields)


SPEC = RequestSpec(ImageConfig, fragment, parse, from_root, from_description)
