"""Make the "your own digits" page's pictures: a photo-like seven and what the
model sees of it.

The photo is not a real phone's: it is drawn and "photographed" by the tests'
picture maker (``tests/pictures.py``: a pen-drawn 7 on tinted paper, uneven
light, noise, blur, a slight rotation, specks, a table along one side, JPEG),
so that the figure can be remade anywhere:

    python docs/own_digit_figure.py
"""

import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from skdigit import load_digit_image  # noqa: E402
from tests.pictures import handwritten, photographed  # noqa: E402

STATIC = ROOT / "docs" / "_static"
SIDE = 224  # both panels, in pixels


def main():
    rng = np.random.default_rng(2026)
    drawing = handwritten(7, size=200, width=0.07, slant=0.2)
    photo = photographed(drawing, rng, specks=10, table=True, rotation=5.0)
    (STATIC / "photo_seven.jpg").write_bytes(photo)
    prepared = load_digit_image(io.BytesIO(photo))
    Image.fromarray(prepared).save(STATIC / "photo_seven_prepared.png")
    shown = Image.open(io.BytesIO(photo)).convert("RGB").resize((SIDE, SIDE))
    enlarged = Image.fromarray(prepared).resize((SIDE, SIDE), Image.Resampling.NEAREST)
    strip = Image.new("RGB", (2 * SIDE + 16, SIDE), "white")
    strip.paste(shown, (0, 0))
    strip.paste(enlarged.convert("RGB"), (SIDE + 16, 0))
    strip.save(STATIC / "own_digit.png", optimize=True)


if __name__ == "__main__":
    main()
