"""`--atlas DIR` on the command line: a city's atlas loaded while the arguments are read, and its cameras."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from dispatch.atlas import Atlas, AtlasError, load_atlas

if TYPE_CHECKING:
    from video.registry import CameraRegistry

ATLAS_HELP = (
    "the city's atlas directory (docs/atlas.md): its units, roads and districts (default: the demo city's)"
)


def atlas_argument(text: str) -> Atlas:
    """An atlas, loaded now: a mistake in it is one line naming the file, the feature or line, the field."""
    try:
        return load_atlas(Path(text))
    except AtlasError as error:
        raise argparse.ArgumentTypeError(f"atlas {text}: {error}") from None


def atlas_cameras(atlas: Atlas) -> CameraRegistry | None:
    """The atlas's camera layer as the wall's registry: read as a camera file (its streams, access levels
    and regions mean what they mean there), positions in the atlas's working datum, groups named after
    the districts unless the file names them. None when the atlas has no cameras.

    Raises RegistryError when the file is a valid atlas layer but not a usable camera file (a stream URL
    with an unknown scheme, an unknown access level)."""
    path = atlas.files.get("cameras")
    if path is None:
        return None
    from video.registry import CameraRegistry, load_registry

    registry = load_registry(path)
    placed = {camera.id: camera for camera in atlas.cameras}
    cameras = [dataclasses.replace(c, lon=placed[c.id].lon, lat=placed[c.id].lat) for c in registry]
    groups = {**{d.code: d.name for d in atlas.districts}, **registry.group_names}
    return CameraRegistry(cameras, groups)
