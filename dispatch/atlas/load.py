"""Loading an atlas directory: the manifest (atlas.yaml) names each layer's file and datum."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dispatch.atlas import layers
from dispatch.atlas.datum import Datum
from dispatch.atlas.errors import AtlasError
from dispatch.atlas.fields import At
from dispatch.atlas.files import Convert, converter, read_yaml
from dispatch.atlas.mbtiles import MbtilesError, MbtilesReader
from dispatch.atlas.model import Atlas, Basemap

MANIFEST = "atlas.yaml"
# Layer → (default file name, whether its positions need a declared datum, whether it must be there).
LAYERS: dict[str, tuple[str, bool, bool]] = {
    "districts": ("districts.geojson", True, True),
    "streets": ("streets.csv", False, True),
    "grid": ("grid.geojson", True, False),
    "roads": ("roads.geojson", True, True),
    "units": ("units.csv", True, True),
    "cameras": ("cameras.yaml", True, False),
    "places": ("places.geojson", True, False),
    "categories": ("categories.csv", False, False),
    "basemap": ("basemap.mbtiles", True, False),
}


@dataclass(frozen=True, slots=True)
class Layer:
    file: str
    datum: Datum | None


def load_atlas(directory: Path, working: Datum = Datum.WGS84) -> Atlas:
    """The atlas in `directory` with every position converted once into `working`; AtlasError names the
    file, the feature or line and the field of the first problem found."""
    if not directory.is_dir():
        raise AtlasError(str(directory), "", "", "not a directory")
    at = At(MANIFEST)
    manifest = at.mapping(read_yaml(directory, MANIFEST), "")
    at.only(manifest, ("name", "code", "layers"))
    name = at.text(manifest.get("name"), "name")
    code = at.code(manifest.get("code"), "code", layers.DISTRICT_DIGITS)
    found = _layers(at.mapping(manifest.get("layers"), "layers"))

    def to_working(layer: str) -> Convert:
        datum = found[layer].datum
        assert datum is not None  # _layers insists on it for every positioned layer
        return converter(datum, working)

    districts = layers.districts(directory, found["districts"].file, to_working("districts"))
    codes = {d.code for d in districts}
    streets = layers.streets(directory, found["streets"].file, codes)
    junctions, segments = layers.roads(directory, found["roads"].file, to_working("roads"))
    return Atlas(
        name=name,
        code=code,
        datum=working,
        districts=districts,
        streets=streets,
        cells=layers.grid(directory, found["grid"].file, to_working("grid"), streets)
        if "grid" in found
        else (),
        junctions=junctions,
        segments=segments,
        units=layers.units(directory, found["units"].file, to_working("units"), codes),
        cameras=layers.cameras(directory, found["cameras"].file, to_working("cameras"))
        if "cameras" in found
        else (),
        places=layers.places(directory, found["places"].file, to_working("places"), codes)
        if "places" in found
        else (),
        categories=layers.categories(directory, found["categories"].file) if "categories" in found else (),
        files={layer: directory / entry.file for layer, entry in found.items()},
        basemap=_basemap(directory, found["basemap"]) if "basemap" in found else None,
        directory=directory,
    )


def _basemap(directory: Path, layer: Layer) -> Basemap:
    """The raster basemap, checked now so that a file that is not one stops the start with its name; the
    map reads its tiles later, on its own thread. Its tiles stay in their datum: the map converts."""
    assert layer.datum is not None
    path = directory / layer.file
    try:
        with MbtilesReader(path) as reader:
            tile_set = reader.tile_set
    except MbtilesError as error:
        raise AtlasError(layer.file, error.where, "", error.message) from None
    return Basemap(path, layer.datum, tile_set.min_zoom, tile_set.max_zoom)


def _layers(declared: dict[str, object]) -> dict[str, Layer]:
    at = At(MANIFEST)
    at.only(declared, LAYERS)
    for layer, (_, _, required) in LAYERS.items():
        if required and layer not in declared:
            raise at.error(f"layers.{layer}", "missing layer")
    found: dict[str, Layer] = {}
    for layer, raw in declared.items():
        default_file, positioned, _ = LAYERS[layer]
        entry = at.mapping({} if raw is None else raw, f"layers.{layer}")
        at.only(
            {f"layers.{layer}.{key}" for key in entry}, {f"layers.{layer}.{k}" for k in ("file", "datum")}
        )
        file = at.text(entry.get("file", default_file), f"layers.{layer}.file")
        relative = PurePosixPath(file)
        if relative.is_absolute() or ".." in relative.parts:
            raise at.error(f"layers.{layer}.file", f"{file!r} must name a file inside the atlas directory")
        datum = None
        if positioned:
            if "datum" not in entry:
                raise at.error(f"layers.{layer}.datum", "declare the layer's datum (wgs84 or gcj02)")
            datum = Datum(at.choice(entry["datum"], f"layers.{layer}.datum", [d.value for d in Datum]))
        elif "datum" in entry:
            raise at.error(f"layers.{layer}.datum", "this layer has no positions")
        found[layer] = Layer(file, datum)
    return found
