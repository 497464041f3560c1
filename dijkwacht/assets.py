"""Install the map's browser assets so the map draws with no internet (STACK-NOTES "Maps").

folium loads Leaflet (and jQuery, Bootstrap, Font Awesome, awesome-markers) from CDNs; on a
municipal network without internet the map is then blank. The app serves the files itself
instead: they come from pinned PyPI packages (XStatic-Leaflet, XStatic-jQuery, in
requirements.txt) and are copied by the setup into `static/vendor/` next to dashboard.py,
which Streamlit serves at `/app/static/vendor/...` (server.enableStaticServing). The copies
are never committed (.gitignore).

Only what the map uses is served: Leaflet (JS, CSS, its images) and jQuery (folium's popups
and "stay in front" code call `$`). The map uses no markers with icons, no Bootstrap widgets
and no branca colour scale, so Bootstrap, Font Awesome, awesome-markers and d3 are not
loaded at all (dijkwacht.maps removes them from the page).

    python -m dijkwacht.assets          # install (idempotent)
    python -m dijkwacht.assets --check  # exit 1 when something is missing
"""
from __future__ import annotations

import shutil
import sys
from importlib import metadata
from pathlib import Path, PurePosixPath

from dijkwacht import config

VENDOR_DIR = config.ROOT / "static" / "vendor"
URL_PREFIX = "/app/static/vendor"      # where Streamlit serves VENDOR_DIR

# distribution → (folder inside its package data, target folder under VENDOR_DIR, files)
SOURCES = {
    "XStatic-Leaflet": ("xstatic/pkg/leaflet/data", "leaflet",
                        ("leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png",
                         "images/marker-icon.png", "images/marker-icon-2x.png",
                         "images/marker-shadow.png")),
    "XStatic-jQuery": ("xstatic/pkg/jquery/data", "jquery", ("jquery.min.js",)),
}

# The page's script and style links (folium's Map.default_js / default_css format).
JS = [("leaflet", f"{URL_PREFIX}/leaflet/leaflet.js"),
      ("jquery", f"{URL_PREFIX}/jquery/jquery.min.js")]
CSS = [("leaflet_css", f"{URL_PREFIX}/leaflet/leaflet.css")]


def targets() -> list[Path]:
    return [VENDOR_DIR / folder / name for _, folder, names in SOURCES.values() for name in names]


def missing() -> list[Path]:
    return [p for p in targets() if not p.is_file()]


def _source_file(dist: metadata.Distribution, data_dir: str, name: str) -> Path:
    wanted = PurePosixPath(data_dir) / name
    for f in dist.files or ():
        if PurePosixPath(str(f)) == wanted:
            return Path(dist.locate_file(f))
    raise FileNotFoundError(f"{dist.metadata['Name']} mist {wanted}")


def install(vendor_dir: Path = VENDOR_DIR) -> list[Path]:
    """Copy the assets from the installed packages; returns the files written."""
    written = []
    for dist_name, (data_dir, folder, names) in SOURCES.items():
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            raise SystemExit(f"Pakket {dist_name} ontbreekt: pip install -r requirements.txt") from None
        for name in names:
            source = _source_file(dist, data_dir, name)
            target = vendor_dir / folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.is_file() or target.read_bytes() != source.read_bytes():
                shutil.copyfile(source, target)
                written.append(target)
    return written


def main(argv: list[str]) -> int:
    if "--check" in argv:
        gone = missing()
        for p in gone:
            print(f"ontbreekt: {p.relative_to(config.ROOT)}")
        return 1 if gone else 0
    written = install()
    print(f"kaartbestanden in {VENDOR_DIR.relative_to(config.ROOT)}: "
          f"{len(targets())} aanwezig, {len(written)} bijgewerkt")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
