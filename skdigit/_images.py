"""Turn a user's picture of a digit into an MNIST-style 28x28 image.

MNIST digits were made by fitting the (white on black) digit into a 20x20 box,
keeping its aspect ratio and anti-aliasing, then pasting it into a 28x28 field so
that its centre of mass sits at the centre (LeCun et al.). Applying the same steps
to a photo or a drawing gives the estimators input that looks like what they were
trained on. This module knows nothing about estimators.
"""

import os
from pathlib import Path

import numpy as np

__all__ = ["load_digit_image"]

_INSTALL_HINT = 'pip install "skdigit[cli]"'

# Geometry of MNIST: digits fill a 20x20 box inside a 28x28 field, centre of mass
# at pixel (14, 14) (row, column), which is what the real t10k images average to.
_FIELD_SIZE = 28
_BOX_SIZE = 20
_CENTRE = 14.0

# A digit must stand out from the background by at least this much (of 255);
# less is paper texture or sensor noise, and the picture counts as blank.
_MIN_CONTRAST = 32.0
# The crop keeps pixels brighter than this fraction of the brightest one (and
# than half the minimum contrast). JPEG ringing around strokes grows with their
# contrast, so a relative level ignores it; 0.16 reproduces the bounding boxes of
# real MNIST digits and of JPEG copies best.
_INK_FRACTION = 0.16


def load_digit_image(source, *, invert="auto"):
    """Read a picture of one digit and make it look like an MNIST digit.

    The steps are those used to build MNIST: the digit is made bright on a black
    background, cropped to its bounding box, resized (anti-aliased, aspect ratio
    kept) so that its longer side is 20 pixels, and pasted into a 28x28 image so
    that its centre of mass is at pixel (14, 14).

    Parameters
    ----------
    source : str, path-like, binary file object or array-like of shape (height, width)
        The picture. Paths and file objects are read with Pillow (PNG, JPEG and
        the other formats it knows); colour is converted to grey and transparent
        areas are treated as paper. An array holds grey levels: values in
        ``[0, 255]``, or floats in ``[0, 1]`` (an array whose values all lie in
        ``[0, 1]`` is read on that scale); booleans mean ink where true.
    invert : {"auto", True, False}, default="auto"
        Whether to swap dark and light so that the digit becomes bright on black.
        ``True`` suits a dark digit on light paper, ``False`` a light digit on a
        dark background (as in MNIST). ``"auto"`` inverts when the median of the
        border pixels is closer to the image's lightest level than to its
        darkest, i.e. when the background is light.

    Returns
    -------
    image : ndarray of shape (28, 28), dtype uint8
        The digit, bright (up to 255) on a black (0) background, scaled so that
        its brightest pixel is 255.

    Raises
    ------
    FileNotFoundError
        If ``source`` is a path that does not exist.
    ValueError
        If the file is not a readable image, the array is not 2-D or has values
        outside ``[0, 255]``, ``invert`` is not one of the allowed values, or the
        picture contains no digit (nothing stands out from the background by at
        least 32 grey levels of 255).
    ImportError
        If Pillow (used to read and resize pictures) is not installed.

    Examples
    --------
    A dark bar on white paper, off-centre in a 60x40 picture:

    >>> import numpy as np
    >>> from skdigit import load_digit_image
    >>> paper = np.full((60, 40), 255, dtype=np.uint8)
    >>> paper[5:45, 3:13] = 0
    >>> digit = load_digit_image(paper)
    >>> digit.shape, digit.dtype
    ((28, 28), dtype('uint8'))
    >>> int(digit[0, 0]), int(digit.max())
    (0, 255)

    The 40x10 bar became 20x5 and its centre moved to the middle:

    >>> rows, cols = np.nonzero(digit)
    >>> int(np.ptp(rows)) + 1, int(np.ptp(cols)) + 1
    (20, 5)
    >>> from scipy import ndimage
    >>> [float(c) for c in ndimage.center_of_mass(digit)]
    [13.5, 14.0]
    """
    invert = _check_invert(invert)
    grey, name = _read_grey(source)
    ink = _to_ink(grey, invert)
    box = _crop_to_ink(ink, name)
    small = _fit_in_box(box)
    field = _paste_centred(small)
    return _stretch_to_uint8(field)


def _check_invert(invert):
    if isinstance(invert, str) and invert == "auto":
        return invert
    if isinstance(invert, bool | np.bool_):
        return bool(invert)
    raise ValueError(f"invert must be 'auto', True or False; got {invert!r}")


def _read_grey(source):
    """Return the picture as float grey levels in [0, 255] and a name for messages."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"no such image file: '{path}'")
        if path.is_dir():
            raise IsADirectoryError(f"'{path}' is a folder, not an image file")
        return _read_with_pillow(path, f"'{path}'"), f"'{path}'"
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        name = f"'{name}'" if isinstance(name, str) else "the image file object"
        return _read_with_pillow(source, name), name
    return _array_to_grey(source), "the image array"


def _import_pillow():
    try:
        from PIL import Image, ImageOps
    except ImportError as exc:
        raise ImportError(f"load_digit_image needs Pillow: {_INSTALL_HINT}") from exc
    return Image, ImageOps


def _read_with_pillow(source, name):
    Image, ImageOps = _import_pillow()
    try:
        with Image.open(source) as image:
            image.load()
            # Phone photos are often stored sideways with a rotation tag.
            image = ImageOps.exif_transpose(image)
            return _pillow_to_grey(image)
    except OSError as exc:  # includes UnidentifiedImageError and truncated files
        raise ValueError(f"{name} is not a readable PNG/JPG image ({exc})") from exc


def _pillow_to_grey(image):
    Image, _ = _import_pillow()
    if image.mode.startswith("I;16"):
        # 16-bit grey: converting to "L" would clip instead of rescaling.
        return np.asarray(image, dtype=np.float64) / 257.0
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        "transparency" in image.info
    ):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, _paper_colour(rgba))
        image = Image.alpha_composite(paper, rgba)
    return np.asarray(image.convert("L"), dtype=np.float64)


def _paper_colour(rgba):
    """White paper behind transparent areas, unless what is drawn is light.

    A dark digit drawn on a transparent canvas gets white paper; a white digit on
    a transparent canvas would vanish on white, so it gets black paper instead.
    """
    pixels = np.asarray(rgba, dtype=np.float64)
    alpha = pixels[..., 3]
    if alpha.sum() == 0:
        return (255, 255, 255, 255)
    luma = pixels[..., :3] @ np.array([0.299, 0.587, 0.114])
    drawn = np.average(luma, weights=alpha)
    return (0, 0, 0, 255) if drawn > 127.5 else (255, 255, 255, 255)


def _array_to_grey(source):
    array = np.asarray(source)
    if array.ndim != 2:
        raise ValueError(
            "source must be a 2-D array of grey levels (height, width); "
            f"got an array of shape {array.shape}"
        )
    if array.dtype == bool:
        return array * 255.0
    if array.dtype.kind not in "iuf":
        raise ValueError(f"source must hold numbers; got dtype {array.dtype}")
    grey = array.astype(np.float64)
    if grey.size == 0 or not np.isfinite(grey).all():
        raise ValueError("source must be a non-empty array of finite grey levels")
    low, high = grey.min(), grey.max()
    if low < 0 or high > 255:
        raise ValueError(
            f"source grey levels must lie in [0, 255] (or [0, 1]); got [{low}, {high}]"
        )
    if array.dtype.kind == "f" and high <= 1:
        grey *= 255.0
    return grey


def _border(image):
    return np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]])


def _to_ink(grey, invert):
    """Make the digit bright on a zero background."""
    if invert == "auto":
        background = np.median(_border(grey))
        invert = background - grey.min() > grey.max() - background
    if invert:
        grey = 255.0 - grey
    # Grey or textured paper: measure its level on the border and remove it.
    return np.clip(grey - np.median(_border(grey)), 0.0, None)


def _crop_to_ink(ink, name):
    peak = ink.max()
    if peak < _MIN_CONTRAST:
        raise ValueError(
            f"{name} contains no digit (the image is blank after thresholding)"
        )
    is_ink = ink > max(_INK_FRACTION * peak, _MIN_CONTRAST / 2)
    rows = np.flatnonzero(is_ink.any(axis=1))
    cols = np.flatnonzero(is_ink.any(axis=0))
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _fit_in_box(box):
    """Resize so that the longer side is 20 pixels, keeping the aspect ratio."""
    Image, _ = _import_pillow()
    height, width = box.shape
    scale = _BOX_SIZE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Lanczos anti-aliases when shrinking and stays sharp when enlarging; its
    # small negative lobes are clipped away.
    resized = Image.fromarray(box.astype(np.float32)).resize(
        size, Image.Resampling.LANCZOS
    )
    return np.clip(np.asarray(resized, dtype=np.float64), 0.0, None)


def _paste_centred(small):
    """Paste into a 28x28 field with the centre of mass at pixel (14, 14)."""
    height, width = small.shape
    total = small.sum()
    rows, cols = np.arange(height), np.arange(width)
    com_row = small.sum(axis=1) @ rows / total
    com_col = small.sum(axis=0) @ cols / total
    # Integer shifts keep the strokes crisp; clipping keeps the whole digit inside.
    top = int(np.clip(round(_CENTRE - com_row), 0, _FIELD_SIZE - height))
    left = int(np.clip(round(_CENTRE - com_col), 0, _FIELD_SIZE - width))
    field = np.zeros((_FIELD_SIZE, _FIELD_SIZE))
    field[top : top + height, left : left + width] = small
    return field


def _stretch_to_uint8(field):
    return np.round(field * (255.0 / field.max())).astype(np.uint8)
