"""Regenerate ``src/ecosystem/_data/ne_110m_countries.json.gz``: world country outlines.

The outlines are Natural Earth's 1:110m admin-0 countries (public domain: "No permission
is needed to use Natural Earth. Crediting the authors is unnecessary."). Any copy of the
shapefile works, e.g. ``ne_110m_admin_0_countries.shp`` from naturalearthdata.com, or the
``naturalearth_lowres`` fixture inside the pyogrio wheel (``pip download --no-deps
pyogrio``; ``pyogrio/tests/fixtures/naturalearth_lowres/``)::

    python scripts/make_world_outlines.py path/to/naturalearth_lowres.shp

No GIS package is needed: the shapefile (polygons, type 5) and its .dbf are read with
``struct``. Coordinates are rounded to 0.01 degree and written as one gzip JSON object:
``{"source": ..., "countries": [{"iso_a3", "name", "rings": [[lon, lat, lon, lat, ...]]}]}``.
"""

from __future__ import annotations

import gzip
import json
import os
import struct
import sys

OUT = os.path.join("src", "ecosystem", "_data", "ne_110m_countries.json.gz")


def read_dbf(path):
    with open(path, "rb") as fh:
        head = fh.read(32)
        n, header_len, record_len = struct.unpack("<IHH", head[4:12])
        fields = []
        while True:
            desc = fh.read(32)
            if desc[0] == 0x0D:
                break
            name = desc[:11].split(b"\0")[0].decode("ascii")
            fields.append((name, desc[16]))
        fh.seek(header_len)
        rows = []
        for _ in range(n):
            rec = fh.read(record_len)
            pos, row = 1, {}
            for name, size in fields:
                row[name] = rec[pos:pos + size].decode("utf-8", "replace").strip()
                pos += size
            rows.append(row)
    return rows


def read_shp(path):
    shapes = []
    with open(path, "rb") as fh:
        fh.seek(100)
        while True:
            head = fh.read(8)
            if len(head) < 8:
                break
            _, length = struct.unpack(">ii", head)
            content = fh.read(2 * length)
            kind = struct.unpack("<i", content[:4])[0]
            if kind == 0:
                shapes.append([])
                continue
            if kind != 5:
                sys.exit(f"shape type {kind} is not a polygon")
            n_parts, n_points = struct.unpack("<ii", content[36:44])
            parts = list(struct.unpack(f"<{n_parts}i", content[44:44 + 4 * n_parts]))
            at = 44 + 4 * n_parts
            xy = struct.unpack(f"<{2 * n_points}d", content[at:at + 16 * n_points])
            rings = []
            for k, start in enumerate(parts):
                end = parts[k + 1] if k + 1 < n_parts else n_points
                ring = [round(v, 2) for v in xy[2 * start:2 * end]]
                rings.append(ring)
            shapes.append(rings)
    return shapes


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    shp = sys.argv[1]
    rows = read_dbf(os.path.splitext(shp)[0] + ".dbf")
    shapes = read_shp(shp)
    lower = {k.lower(): k for k in rows[0]}
    iso, name = lower.get("iso_a3"), lower.get("name")
    countries = [{"iso_a3": r[iso], "name": r[name], "rings": s}
                 for r, s in zip(rows, shapes) if s]
    doc = {"source": "Natural Earth 1:110m admin-0 countries (public domain), "
                     f"from {os.path.basename(shp)}; coordinates rounded to 0.01 degree",
           "countries": countries}
    data = json.dumps(doc, separators=(",", ":")).encode()
    with gzip.GzipFile(OUT, "wb", mtime=0) as fh:
        fh.write(data)
    print(f"wrote {OUT}: {len(countries)} countries, {os.path.getsize(OUT):,} bytes",
          file=sys.stderr)


if __name__ == "__main__":
    main()
