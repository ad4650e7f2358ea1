"""How wide MNIST's strokes are, relative to the digit's size.

For each training digit (28x28), the pixels above half its brightest are its
strokes; their width is twice their area over their perimeter (exact for a long
band), what the picture preparation measures on a user's digit fitted in 20x20
(``skdigit/_strokes.py``), given in pixels of the 28x28 image and as a share of
the digit's longer side (about 20 pixels). Prints the 5th, 25th, 50th, 75th and
95th percentiles of both: the preparation brings a picture's strokes between the
25th and the 75th.

Usage::

    python benchmarks/mnist_strokes.py [--data-dir DIR] [--limit N]

``DIR`` defaults to where skdigit looks for MNIST (``$SKDIGIT_DATA``, else
``~/skdigit_data``); ``N`` digits are measured (default: all 60000).
"""

from pathlib import Path

import numpy as np
from _data import argument_parser

from skdigit import read_idx
from skdigit._strokes import fitted_width

PERCENTILES = (5, 25, 50, 75, 95)


def main(argv=None):
    parser = argument_parser(__doc__)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    path = Path(args.data_dir) / "train-images-idx3-ubyte.gz"
    images = read_idx(path)[: args.limit]
    print(f"data: {len(images)} MNIST training digits from {path}")
    widths, shares = [], []
    for image in images:
        rows, cols = np.nonzero(image > image.max() / 2)
        longer = max(np.ptp(rows), np.ptp(cols)) + 1
        widths.append(fitted_width(image.astype(float)))
        shares.append(widths[-1] / longer)
    print("| percentile | " + " | ".join(f"{p}th" for p in PERCENTILES) + " |")
    print("| --- |" + " ---: |" * len(PERCENTILES))
    for name, values in (("pixels of 28x28", widths), ("share of the digit", shares)):
        cells = " | ".join(f"{v:.3f}" for v in np.percentile(values, PERCENTILES))
        print(f"| {name} | {cells} |")


if __name__ == "__main__":
    main()
