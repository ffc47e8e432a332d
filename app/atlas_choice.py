"""`--atlas DIR` on the command line: a city's atlas loaded while the arguments are read."""

from __future__ import annotations

import argparse
from pathlib import Path

from dispatch.atlas import Atlas, AtlasError, load_atlas

ATLAS_HELP = (
    "the city's atlas directory (docs/atlas.md): its units, roads and districts (default: the demo city's)"
)


def atlas_argument(text: str) -> Atlas:
    """An atlas, loaded now: a mistake in it is one line naming the file, the feature or line, the field."""
    try:
        return load_atlas(Path(text))
    except AtlasError as error:
        raise argparse.ArgumentTypeError(f"atlas {text}: {error}") from None
