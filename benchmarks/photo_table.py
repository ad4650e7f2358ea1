"""How well an MNIST model reads drawn and printed digits, clean and photographed.

Draws digits in four styles with the test suite's picture maker
(``tests/pictures.py``): a thin pen, a pen and a marker (strokes 3%, 8% and 16% of
the digit's height, slanted at random) and printed in Pillow's built-in font. Each
is also "photographed": enlarged, tinted paper and ink, uneven light down to 55%,
sensor noise and paper texture, blur, a rotation of up to 6 degrees, specks of dirt,
a table along one side for a third of them, JPEG at quality 70; printed digits go on
strongly coloured, noisier paper. A 10-digit model trained on the 60000 MNIST
training images (``DigitDeskewer``, pixels / 255 centred, multinomial
``GDLogisticRegression``, as in ``deskew_table.py``) reads the clean and the
photographed versions, each prepared by ``load_digit_image``; the table gives the
share read right per style. Not run in CI.

Usage::

    python benchmarks/photo_table.py [--data-dir DIR] [--variants V] [--seed S]

``DIR`` defaults to ``$SKDIGIT_TEST_DATA``; ``V`` pictures of each digit per style
(default 5).
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skdigit import DigitDeskewer, GDLogisticRegression, load_digit_image, read_idx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.pictures import handwritten, photographed, printed

PEN_WIDTHS = {"thin pen": 0.03, "pen": 0.08, "marker": 0.16}
STYLES = [*PEN_WIDTHS, "printed"]


def to_unit(pixels):
    """0-255 pixels to 0-1."""
    return np.asarray(pixels, dtype=np.float32) / 255


def train(data_dir, max_iter):
    images = read_idx(Path(data_dir) / "train-images-idx3-ubyte.gz")
    labels = read_idx(Path(data_dir) / "train-labels-idx1-ubyte.gz")
    model = make_pipeline(
        DigitDeskewer(),
        FunctionTransformer(to_unit),
        StandardScaler(with_std=False),
        GDLogisticRegression(
            multiclass="multinomial", learning_rate=0.5, alpha=2e-4, max_iter=max_iter
        ),
    )
    return model.fit(images.reshape(len(images), -1), labels)


def pictures(style, digit, rng):
    """A clean picture (grey array) and a photographed one (JPEG bytes)."""
    if style == "printed":
        clean = printed(digit)
        paper = tuple(int(c) for c in rng.integers(110, 256, size=3))
        photo = photographed(clean, rng, paper=paper, noise=22, specks=6)
    else:
        slant = rng.uniform(-0.1, 0.3)
        clean = handwritten(digit, width=PEN_WIDTHS[style], slant=slant)
        photo = photographed(clean, rng, specks=6, table=rng.random() < 1 / 3)
    return np.asarray(clean), photo


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=os.environ.get("SKDIGIT_TEST_DATA"))
    parser.add_argument("--variants", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-iter", type=int, default=300)
    args = parser.parse_args(argv)
    if not args.data_dir:
        parser.error("no MNIST folder: pass --data-dir or set $SKDIGIT_TEST_DATA")
    started = time.perf_counter()
    model = train(args.data_dir, args.max_iter)
    print(f"model trained in {time.perf_counter() - started:.0f} s", flush=True)
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
