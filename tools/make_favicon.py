#!/usr/bin/env python3
"""Draw the default theme's favicon: the state flag's three stripes with the white crescent
and star, as a 32×32 and a 16×16 PNG inside one ICO file (standard library only).

    python3 tools/make_favicon.py [OUTPUT]   # default: themes/default/static/favicon.ico

The output is deterministic; edit this script rather than the generated file.
"""

import math
import struct
import sys
import zlib
from pathlib import Path

BLUE = (0, 181, 226)
RED = (239, 51, 64)
GREEN = (80, 158, 47)
WHITE = (255, 255, 255)


def pixel(x, y, size):
    """The colour at the centre of pixel (x, y) of a size×size flag (stripes fill the square)."""
    fx, fy = (x + 0.5) / size, (y + 0.5) / size
    colour = BLUE if fy < 1 / 3 else RED if fy < 2 / 3 else GREEN
    if colour is RED:
        # Crescent: a white disc with a red disc cut out of it, to the right; star beside it.
        cx, cy = 0.47, 0.5
        outer = math.hypot(fx - cx, fy - cy) < 0.135
        inner = math.hypot(fx - (cx + 0.035), fy - cy) < 0.11
        if outer and not inner:
            return WHITE
        sx, sy = 0.63, 0.5
        angle = math.atan2(fy - sy, fx - sx)
        radius = 0.045 + 0.03 * abs(math.cos(4 * angle))  # an eight-pointed star
        if math.hypot(fx - sx, fy - sy) < radius:
            return WHITE
    return colour


def png(size):
    rows = b"".join(
        b"\x00" + bytes(c for x in range(size) for c in pixel(x, y, size) + (255,))
        for y in range(size)
    )

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def ico(sizes):
    images = [png(size) for size in sizes]
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for size, image in zip(sizes, images):
        out += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(image), offset)
        offset += len(image)
    return out + b"".join(images)


def main():
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "themes/default/static/favicon.ico")
    target.write_bytes(ico([32, 16]))
    print(f"wrote {target} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
