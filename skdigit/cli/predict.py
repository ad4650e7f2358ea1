"""``skdigit predict``: recognise the digits in the user's own pictures.

Each picture is made to look like an MNIST digit (:func:`skdigit.load_digit_image`)
and given to the saved pipeline as raw 0-255 pixels, exactly as
``load_model(path)[0].predict(load_digit_image(picture).reshape(1, -1))`` would.
Only what this needs is imported: no metrics, no plotting, no data loading.
"""

import argparse
import json
from pathlib import Path

import numpy as np

from skdigit import load_digit_image

from .console import EXIT_ERROR, EXIT_OK, error_line, one_line, say
from .data import DIGITS_SHAPE
from .model import read_model
from .options import HelpFormatter, add_debug_option, positive_int, wrap
from .outputs import check_output_folder, prepared_image_names, save_prepared_images


def add_parser(commands):
    parser = commands.add_parser(
        "predict",
        help="recognise the digits in your own images (PNG, JPG, ...)",
        description=wrap(
            "Recognise one digit in each image. Each picture is made to "
            "look like an MNIST digit first: grey levels, dark-on-light inverted, "
            "cropped, fitted in a 20x20 box and centred by its centre of mass in "
            "28x28 (for a model trained on the bundled 8x8 digits, then reduced to "
            "8x8 the way those were made)."
        ),
        epilog="examples:\n"
        "  skdigit predict skdigit_output/model.skops four.png seven.jpg\n"
        "  skdigit predict --json model.skops scans/*.png\n"
        "  skdigit predict --save-prepared prepared model.skops photo.jpg",
        formatter_class=HelpFormatter,
    )
    parser.set_defaults(run=run)
    parser.add_argument("model", metavar="MODEL", type=Path, help="a model file")
    parser.add_argument(
        "images", metavar="IMAGE", type=Path, nargs="+", help="image files"
    )
    parser.add_argument(
        "--invert",
        choices=["auto", "yes", "no"],
        default="auto",
        help="yes: dark digit on light paper; no: light digit on dark; auto: "
        "decide from the border of each image (default: %(default)s)",
    )
    parser.add_argument(
        "--top",
        type=positive_int,
        default=3,
        metavar="K",
        help="with a 10-class model, show the K most likely digits "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--save-prepared",
        metavar="DIR",
        type=Path,
        help="save the image the model saw for each picture in this folder, as "
        "PNG named after the picture (four.jpg: four-28x28.png)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    add_debug_option(parser, default=argparse.SUPPRESS)


def run(args):
    check_output_folder(args.save_prepared, "--save-prepared")
    model = read_model(args.model)
    paths, images = [], []
    for path in args.images:
        image = _prepared_image(path, args.invert, model.image_shape)
        if image is not None:
            paths.append(path)
            images.append(image)
    failed = len(args.images) - len(paths)
    if model.image_shape == DIGITS_SHAPE and images and not args.json:
        say(
            "note: this model was trained on scikit-learn's 8x8 digits; each image "
            "is reduced to 8x8 as those were made (expect more mistakes than with "
            "an MNIST model)"
        )
    if not images:
        return EXIT_ERROR
    X = np.vstack([image.reshape(1, -1) for image in images])
    results = _predictions(model, X, [str(path) for path in paths], args.top)
    if args.save_prepared is not None:
        names = prepared_image_names(paths, model.image_shape, args.save_prepared)
        save_prepared_images(args.save_prepared, names, images)
        for (_, record), name in zip(results, names, strict=True):
            record["prepared"] = str(args.save_prepared / name)
    if args.json:
        say(json.dumps([record for _, record in results], indent=2))
    else:
        for text, _ in results:
            say(text)
        if args.save_prepared is not None:
            say(f"Prepared images saved in {args.save_prepared}: " + ", ".join(names))
    return EXIT_ERROR if failed else EXIT_OK


def _prepared_image(path, invert, shape):
    """The picture as the model sees it, or None after one error line."""
    invert = {"auto": "auto", "yes": True, "no": False}[invert]
    try:
        image = load_digit_image(path, invert=invert)
    except (OSError, ValueError) as exc:
        error_line(one_line(exc))
        return None
    except Exception as exc:
        if not _is_too_large(exc):
            raise
        error_line(f"'{path}' is too large for a picture of a digit: {one_line(exc)}")
        return None
    return _as_bundled_digit(image) if shape == DIGITS_SHAPE else image


def _is_too_large(exc):
    """Pillow's refusal of a picture with too many pixels (a decompression bomb)."""
    try:
        from PIL.Image import DecompressionBombError
    except ImportError:
        return False
    return isinstance(exc, DecompressionBombError)


def _predictions(model, X, names, top):
    """One (text line, JSON record) pair per image."""
    estimator, digit = model.estimator, model.task.digit
    proba = estimator.predict_proba(X)
    predicted = estimator.predict(X)
    classes = estimator.classes_
    results = []
    for name, row, label in zip(names, proba, predicted, strict=True):
        if digit is not None:
            p = float(row[1])
            verdict = f"a {digit}" if label == 1 else f"not a {digit}"
            text = f"{name}: {verdict} (probability of a {digit}: {p:.1%})"
            record = {
                "image": name,
                "digit": digit,
                "is_digit": bool(label == 1),
                "probability": p,
            }
        else:
            order = np.argsort(row)[::-1][:top]
            best = ", ".join(f"{classes[i]}: {row[i]:.1%}" for i in order)
            text = f"{name}: {label} ({best})"
            record = {
                "image": name,
                "prediction": int(label),
                "probabilities": {
                    str(c): float(p) for c, p in zip(classes, row, strict=True)
                },
            }
        results.append((text, record))
    return results


def _as_bundled_digit(image):
    """Reduce an MNIST-style 28x28 digit to an 8x8 digit like the bundled ones.

    scikit-learn's digits (UCI optdigits) are 32x32 bitmaps of size-normalised
    digits, counted in 4x4 blocks (0-16); here the digit is cropped, fitted in
    32x32 (aspect ratio kept, centred), thresholded, counted the same way and put
    on the 0-255 scale the command trains on.
    """
    from PIL import Image

    rows = np.flatnonzero((image > 0).any(axis=1))
    cols = np.flatnonzero((image > 0).any(axis=0))
    box = image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = box.shape
    scale = 32 / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = np.asarray(
        Image.fromarray(box).resize(size, Image.Resampling.BILINEAR), dtype=np.float64
    )
    field = np.zeros((32, 32))
    top, left = (32 - size[1]) // 2, (32 - size[0]) // 2
    field[top : top + size[1], left : left + size[0]] = resized
    counts = (field >= 128).reshape(8, 4, 8, 4).sum(axis=(1, 3))
    return np.rint(counts * (255 / 16)).astype(np.uint8)
