"""Which index.json entries of an OCI layout are artifacts beside the image, not the image.

Cosign lists a signature, attestation or SBOM under the tag ``sha256-<hex>.sig|att|sbom``
(``org.opencontainers.image.ref.name``, bare or as ``repo:tag``); an OCI 1.1 artifact or
referrer carries an ``artifactType``. oci.py skips them when it picks the image to audit;
signatures.py reads them.
"""

from __future__ import annotations

import re
from typing import Any

REF_NAME = "org.opencontainers.image.ref.name"
ARTIFACT_TAG = re.compile(r"(?:^|:)sha256-([0-9a-f]{64})\.(sig|att|sbom)$")


def is_artifact(desc: dict[str, Any]) -> bool:
    """Whether an index.json entry is a signature or other artifact, not an image."""
    ref = str((desc.get("annotations") or {}).get(REF_NAME, ""))
    return bool(desc.get("artifactType")) or bool(ARTIFACT_TAG.search(ref))
