"""``skdigit predict``: recognise the digits in the user's own pictures.

Each picture is made to look like an MNIST digit (:func:`skdigit.load_digit_image`,
in the model's image shape) and given to the saved pipeline as raw 0-255 pixels,
exactly as ``load_model(path)[0].predict(load_digit_image(picture,
shape=shape).reshape(1, -1))`` would. Every picture is reported: a result line for
each one read, an error line for each one that could not be; one picture's failure,
even a bug in its preparation, never hides the others' results.
Only what this needs is imported: no metrics, no plotting, no data loading.
"""

import argparse
import json
from pathlib import Path

import numpy as np

from skdigit import load_digit_image
from skdigit._image_shape import DIGITS_SHAPE

from .console import EXIT_BUG, EXIT_ERROR, EXIT_OK, bug_line, error_line, one_line, say
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
        epilog=wrap(
            "Every image is reported: a result for each one read, an error line "
            "for each one that could not be (not a PNG, JPEG, GIF, BMP, TIFF, WebP "
            "or PNM picture, damaged, blank). The exit status is 0 when all were "
            "read, 2 when some could not be, 1 when preparing one hit a bug "
            "(reported as such; the others are still reported)."
        )
        + "\n\nexamples:\n"
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
        "decide from each image, by which side of the paper's level the digit "
        "stands out on (default: %(default)s)",
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
    paths, images, status = [], [], EXIT_OK
    for path in args.images:
        image, failure = _prepared_image(
            path, args.invert, model.image_shape, debug=args.debug
        )
        status = max(status, failure, key=_SEVERITY.index)
        if image is not None:
            paths.append(path)
            images.append(image)
    if model.image_shape == DIGITS_SHAPE and images and not args.json:
        say(
            "note: this model was trained on scikit-learn's 8x8 digits; each image "
            "is reduced to 8x8 as those were made (expect more mistakes than with "
            "an MNIST model)"
        )
    if not images:
        return status
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
    return status


# Exit statuses from the least to the most severe: a run reports the worst.
_SEVERITY = (EXIT_OK, EXIT_ERROR, EXIT_BUG)


def _prepared_image(path, invert, shape, *, debug):
    """The picture as the model sees it and EXIT_OK, or None and the exit status
    after one error line.
    """
    invert = {"auto": "auto", "yes": True, "no": False}[invert]
    try:
        return load_digit_image(path, invert=invert, shape=shape), EXIT_OK
    except (OSError, ValueError) as exc:
        # DigitImageError is a ValueError; OSError: missing, a folder, a FIFO.
        error_line(one_line(exc))
        return None, EXIT_ERROR
    except ImportError:
        raise  # Pillow missing: one error for the whole run.
    except Exception as exc:
        # A bug in preparing this picture: said as such, and the other pictures
        # are still read and reported.
        if debug:
            raise
        error_line(bug_line(exc, during=f"preparing '{path}'"))
        return None, EXIT_BUG


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
