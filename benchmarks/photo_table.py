"""How well an MNIST model reads drawn and printed digits, clean and photographed.

Draws digits in five styles with the test suite's picture maker
(``tests/pictures.py``): a thin pen, a pen and a marker (strokes 3%, 8% and 16% of
the digit's height, slanted at random), printed in Pillow's built-in font, and the
marker's digit cut out with at most 3 pixels of paper around it. Each
is also "photographed": enlarged, tinted paper and ink, uneven light down to 55%,
sensor noise and paper texture, blur, a rotation of up to 6 degrees, specks of dirt,
a table along one side for a third of them, JPEG at quality 70; printed digits go on
strongly coloured, noisier paper. A 10-digit model trained on the 60000 MNIST
training images (the README's: ``DigitDeskewer``, pixels / 255 centred,
multinomial ``GDLogisticRegression`` with ``solver="nesterov"``, as
``reading_table.py`` trains it), or the model file given by
``--model`` (such as the one ``skdigit train --all-digits --deskew --scale --center
...`` saves), reads the clean and the photographed versions, each prepared by
``load_digit_image``; the table gives the share read right per style. Not run in CI.

Usage::

    python benchmarks/photo_table.py [--data-dir DIR | --model FILE]
        [--variants V] [--seed S]

``DIR`` defaults to where skdigit looks for MNIST (``$SKDIGIT_DATA``, else
``~/skdigit_data``); ``V`` pictures of each digit per style (default 5).
"""

import io
import sys
from pathlib import Path

import numpy as np
from _data import argument_parser
from PIL import Image
from reading_table import model_to_read_with

from skdigit import load_digit_image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.pictures import cropped_to_the_ink, handwritten, photographed, printed

PEN_WIDTHS = {"thin pen": 0.03, "pen": 0.08, "marker": 0.16}
TIGHT = "marker, cropped tight"
STYLES = [*PEN_WIDTHS, "printed", TIGHT]


def pictures(style, digit, rng):
    """A clean picture (grey array) and a photographed one (JPEG bytes)."""
    if style == "printed":
        clean = printed(digit)
        paper = tuple(int(c) for c in rng.integers(110, 256, size=3))
        photo = photographed(clean, rng, paper=paper, noise=22, specks=6)
    elif style == TIGHT:
        drawing = handwritten(digit, width=PEN_WIDTHS["marker"])
        clean = Image.fromarray(cropped_to_the_ink(drawing, int(rng.integers(0, 4))))
        photo = photographed(clean, rng, rotation=0)
    else:
        slant = rng.uniform(-0.1, 0.3)
        clean = handwritten(digit, width=PEN_WIDTHS[style], slant=slant)
        photo = photographed(clean, rng, specks=6, table=rng.random() < 1 / 3)
    return np.asarray(clean), photo


def main(argv=None):
    parser = argument_parser(__doc__)
    parser.add_argument("--variants", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--model", help="a model file to read with, instead of training"
    )
    args = parser.parse_args(argv)
    model, how = model_to_read_with(args)
    print(f"model: {how}", flush=True)
    rng = np.random.default_rng(args.seed)
    print("| style | pictures | clean read right | photographed read right |")
    print("| --- | ---: | ---: | ---: |")
    for style in STYLES:
        clean, photo, digits = [], [], []
        for _ in range(args.variants):
            for digit in range(10):
                grey, jpeg = pictures(style, digit, rng)
                clean.append(load_digit_image(grey).ravel())
                photo.append(load_digit_image(io.BytesIO(jpeg)).ravel())
                digits.append(digit)
        clean_right = np.mean(model.predict(np.array(clean)) == digits)
        photo_right = np.mean(model.predict(np.array(photo)) == digits)
        print(
            f"| {style} | {len(digits)} | {clean_right:.0%} | {photo_right:.0%} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
