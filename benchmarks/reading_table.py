"""How well a model reads digits under the conditions of real pictures.

For each condition of the test suite's picture maker (``tests/pictures.py``):
ruled and squared notebook paper, a hand's shadow across the page, pencil, a
drawing app's screenshot (thick strokes inside the app's window), a small digit in a
4000x3000 photo and a chalkboard, pictures of each digit are made together with the
same digit drawn clean, both are prepared by ``load_digit_image`` and read by a
model; the table gives the share read right, clean and under the condition, and
how many pictures failed to be prepared (counted as not read). Then
MNIST test digits are printed large on paper and photographed (tinted paper and
ink, uneven light, perspective, rotation, blur, noise, JPEG) and read, beside the
model's accuracy on the same raw 28x28 test images.

The model is the README's best linear one (``skdigit train --all-digits --deskew
--scale --center --multiclass multinomial --solver nesterov --learning-rate 2
--alpha 2e-4 --max-iter 120``), trained here on the 60000 training images, or the
model file given by ``--model``. The first line says which data and model were
used. Not run in CI.

Usage::

    python benchmarks/reading_table.py [--data-dir DIR] [--model FILE]
        [--per-digit N] [--mnist N] [--seed S]

``DIR`` defaults to where skdigit looks for MNIST (``$SKDIGIT_DATA``, else
``~/skdigit_data``); ``N`` pictures of each digit per condition (default 20) and
``--mnist`` test digits photographed (default 500).
"""

import io
import sys
import time
from pathlib import Path

import numpy as np
from _data import argument_parser

from skdigit import (
    DigitDeskewer,
    GDLogisticRegression,
    PixelScaler,
    load_digit_image,
    load_model,
    read_idx,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.pictures import CONDITIONS, condition, mnist_on_paper, photographed

TRAIN = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
TEST = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def read_pair(data_dir, names):
    images, labels = (read_idx(Path(data_dir) / name) for name in names)
    return images.reshape(len(images), -1), labels


def train(data_dir):
    """The README's deskewed multinomial model, fitted on the training images."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = read_pair(data_dir, TRAIN)
    model = make_pipeline(
        DigitDeskewer(),
        PixelScaler(),
        StandardScaler(with_std=False),
        GDLogisticRegression(
            multiclass="multinomial",
            solver="nesterov",
            learning_rate=2.0,
            alpha=2e-4,
            max_iter=120,
        ),
    )
    return model.fit(X, y)


def model_to_read_with(args):
    """The model file of ``--model``, else the README's model trained on the
    MNIST training images of ``--data-dir``; and a few words saying which."""
    if args.model:
        model, _ = load_model(args.model)
        return model, f"model file {args.model}"
    started = time.perf_counter()
    model = train(args.data_dir)
    return model, (
        "the README's deskewed multinomial model trained on the 60000 images in "
        f"{args.data_dir} in {time.perf_counter() - started:.0f} s"
    )


def prepared(picture):
    """The 28x28 digit of a picture (grey array or file bytes), or None when
    its preparation fails (older versions crashed on some pictures)."""
    try:
        return load_digit_image(
            io.BytesIO(picture) if isinstance(picture, bytes) else picture
        ).ravel()
    except Exception:  # a failure is a picture not read
        return None


def read_right(model, pictures, digits):
    """Share of ``pictures`` read as ``digits`` (a failed one is not), and how
    many failed."""
    digits_ = [prepared(picture) for picture in pictures]
    ok = [i for i, digit in enumerate(digits_) if digit is not None]
    read = model.predict(np.array([digits_[i] for i in ok])) if ok else []
    right = np.count_nonzero(np.asarray(read) == np.asarray(digits)[ok])
    return right / len(pictures), len(pictures) - len(ok)


def condition_row(model, name, per_digit, rng):
    clean, pictures, digits = [], [], []
    for _ in range(per_digit):
        for digit in range(10):
            drawn, picture = condition(name, digit, rng)
            clean.append(drawn)
            pictures.append(picture)
            digits.append(digit)
    return read_right(model, clean, digits)[0], read_right(model, pictures, digits)


def mnist_row(model, images, labels, rng):
    """Accuracy on the raw images, on them printed on paper, and photographed."""
    raw = float(np.mean(model.predict(images) == labels))
    pages = [mnist_on_paper(image.reshape(28, 28)) for image in images]
    photos = [
        photographed(page, rng, rotation=4, perspective=0.06, specks=4)
        for page in pages
    ]
    clean = read_right(model, [np.asarray(page) for page in pages], labels)[0]
    return raw, clean, read_right(model, photos, labels)


def main(argv=None):
    parser = argument_parser(__doc__)
    parser.add_argument("--model", help="a model file to read with, instead")
    parser.add_argument("--per-digit", type=int, default=20)
    parser.add_argument("--mnist", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    model, how = model_to_read_with(args)
    images, labels = read_pair(args.data_dir, TEST)
    print(
        f"data: MNIST in {args.data_dir}; {how}; {args.per_digit} pictures per "
        f"digit per condition, the first {args.mnist} test digits photographed",
        flush=True,
    )
    rng = np.random.default_rng(args.seed)
    print("| condition | pictures | clean | under the condition | failed |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in CONDITIONS:
        clean, (under, failed) = condition_row(model, name, args.per_digit, rng)
        n = 10 * args.per_digit
        print(f"| {name} | {n} | {clean:.1%} | {under:.1%} | {failed} |", flush=True)
    raw, clean, (photo, failed) = mnist_row(
        model, images[: args.mnist], labels[: args.mnist], rng
    )
    print(
        f"| MNIST test digits (raw 28x28: {raw:.1%}) | {args.mnist} | {clean:.1%} "
        f"| {photo:.1%} | {failed} |"
    )
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
