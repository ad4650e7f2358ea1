"""Turn a user's picture of a digit into an MNIST-style 28x28 image.

MNIST digits were made by fitting the (white on black) digit into a 20x20 box,
keeping its aspect ratio and anti-aliasing, then pasting it into a 28x28 field so
that its centre of mass sits at the centre (LeCun et al.). A photo first needs the
paper taken away: uneven light, coloured or noisy paper, specks of dirt. The steps:

1. read the file with limits on its bytes and pixels, and shrink it early (JPEG
   decoding at a reduced scale, integer box reduction) so that large photos cost
   little time and memory;
2. make the ink bright on black: frame the picture in a margin that continues the
   paper at its edges (so that a digit cropped tight has paper around it), tell
   whether the digit is darker or lighter than the paper, estimate the paper's
   level at a large scale (a low percentile over windows half the framed picture
   wide, which strokes are too sparse to reach) and measure each pixel's ink as
   how much it stands out from the paper around it, relative to the paper's
   brightness; where a hand's shadow falls, the paper's level follows it, and
   the lines of ruled or squared paper are taken away (``_paper.py``);
3. find the ink: the connected pieces standing out from the paper's noise, less
   the specks (pieces with little ink) and what touches the picture's edge (a
   table, the page's edge) when a digit-like piece lies inside; then Otsu's
   threshold, inside the digit's box, outlines the strokes;
4. keep grey levels: on the outline and a one-pixel seam around it the ink
   measure is kept, scaled so that the strokes' cores are full white, as MNIST's
   anti-aliased strokes are;
5. the MNIST recipe: bounding box into 20x20, strokes thinner or thicker than
   MNIST's (a fine pen on a large photo, pencil, a drawing app's brush) brought
   to MNIST's widths (``_strokes.py``), centre of mass at (14, 14).

This module knows nothing about estimators.
"""

import io
import math
import os
import warnings
from pathlib import Path

import numpy as np

from ._files import check_input_file
from ._optional import import_optional
from ._paper import local_paper, without_lines
from ._strokes import fitted_like_mnist

__all__ = [
    "DigitImageError",
    "ImageTooLargeError",
    "NoDigitError",
    "load_digit_image",
    "prepare_digit",
]


# Decoding limits. 100 million pixels (10000 x 10000) is above any phone photo in
# its usual mode; 100 MB is above any such photo's file.
MAX_IMAGE_PIXELS = 100_000_000
MAX_IMAGE_BYTES = 100_000_000

# Pictures are shrunk (by area averaging) to at most this many pixels on their
# longer side before any work: a digit filling a third of the frame still spans
# 200 pixels, ten times the 20 pixels it ends up in.
_WORK_SIDE = 640

# Geometry of MNIST: digits fill a 20x20 box inside a 28x28 field, centre of mass
# at pixel (14, 14) (row, column), which is what the real t10k images average to.
_FIELD_SIZE = 28
_BOX_SIZE = 20
_CENTRE = 14.0

# A digit must stand out from the paper by at least this much (of 255); less is
# paper texture or sensor noise, and the picture counts as blank.
_MIN_CONTRAST = 32.0
# Which side of the paper's level the digit lies on is told by the grey levels
# beyond this many robust standard deviations of the picture's spread.
_TAIL_SIGMAS = 3.0
# Paper noise: ink must exceed the paper's typical level by this many robust
# standard deviations of the smoothed ink measure.
_NOISE_SIGMAS = 5.0
# The paper's brightness is estimated on a copy at most this large, as this
# percentile of the ink-free side (the paper's) over windows as wide as this share
# of the copy's shorter side: ink covers less than 70% of such a window even for
# a bold digit filling the picture.
_BACKGROUND_SIDE = 32
_BACKGROUND_PERCENTILE = 30
_BACKGROUND_WINDOW = 0.5
# A digit cropped tight leaves little paper to see around its strokes, so the
# picture is first given a margin this wide (a share of its longer side) that
# continues the paper at its edges.
_MARGIN = 0.2
# Pieces of ink carrying less than this share of the largest piece's ink are
# specks. The top bar of a 5 written apart, or the two strokes of a 4, carry more.
_SPECK_FRACTION = 0.1
# The digit's largest piece spans at least this share of the picture's shorter
# side; blobs of noise above the threshold span a few pixels.
_MIN_SPAN = 0.05
# Pieces touching the picture's edge are dropped when a piece inside carries at
# least this share of the largest piece's ink, or spans this share of the shorter
# side (a digit written with a thin pen carries little ink).
_INSIDE_FRACTION = 0.25
_INSIDE_SPAN = 0.15
# The crop keeps the pixels with more than this share of the cores' ink: faint
# edges and JPEG ringing beyond them are left out. 0.16 reproduces the bounding
# boxes of real MNIST digits and of JPEG copies best.
_INK_FRACTION = 0.16
# The strokes' cores are this percentile of the ink inside the mask: they become
# full white, as MNIST's strokes are.
_CORE_PERCENTILE = 90


class DigitImageError(ValueError):
    """A picture that cannot be made into an MNIST-style digit.

    Raised for files that are not readable images; its subclasses say why
    otherwise.

    Parameters
    ----------
    message : str
        What went wrong, naming the picture.
    path : str or None, default=None
        The file, or None when the picture was an array or a file object
        without a name.

    Attributes
    ----------
    path : str or None
        The file, or None when the picture was an array or an unnamed file object.

    Examples
    --------
    >>> import io
    >>> from skdigit import DigitImageError, load_digit_image
    >>> try:
    ...     load_digit_image(io.BytesIO(b"not a picture"))
    ... except DigitImageError as exc:
    ...     print(exc.path)
    None
    """

    def __init__(self, message, *, path=None):
        super().__init__(message)
        self.path = path


class ImageTooLargeError(DigitImageError):
    r"""A picture over the decoding limits: too many pixels or bytes.

    Checked before the pixels are decoded, so that a small file declaring a huge
    picture (a "decompression bomb") fails at once and costs no memory.

    Parameters
    ----------
    message : str
        What went wrong, naming the picture and the limit.
    path : str or None
        The file, or None for an unnamed file object.
    unit : {"pixels", "bytes"}
        Which limit was exceeded.
    found : int or None
        The file's size or the number of pixels it declares; None when Pillow's
        own decompression-bomb guard refused the file before saying its size
        (more than ``2 * PIL.Image.MAX_IMAGE_PIXELS``, which is above ``limit``).
    limit : int
        The limit that was exceeded.

    Attributes
    ----------
    path : str or None
        The file, or None for an unnamed file object.
    unit : {"pixels", "bytes"}
        Which limit was exceeded.
    found : int or None
        The size found, in ``unit``; None when only a lower bound is known.
    limit : int
        The limit, in ``unit``.

    Examples
    --------
    A 65-byte PNG file that declares 100000 x 100000 pixels:

    >>> import io, struct, zlib
    >>> from skdigit import ImageTooLargeError, load_digit_image
    >>> def chunk(kind, data):
    ...     crc = struct.pack(">I", zlib.crc32(kind + data))
    ...     return struct.pack(">I", len(data)) + kind + data + crc
    >>> header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    >>> png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    ...        + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    >>> len(png)
    65
    >>> try:
    ...     load_digit_image(io.BytesIO(png))
    ... except ImageTooLargeError as exc:
    ...     print(exc.unit, exc.found, exc.limit)
    pixels None 100000000
    """

    def __init__(self, message, *, path, unit, found, limit):
        super().__init__(message, path=path)
        self.unit = unit
        self.found = found
        self.limit = limit


class NoDigitError(DigitImageError):
    """A picture in which nothing stands out from the paper.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit import NoDigitError, prepare_digit
    >>> try:
    ...     prepare_digit(np.full((30, 30), 200, dtype=np.uint8))
    ... except NoDigitError as exc:
    ...     print(exc)
    the image array contains no digit (the image is blank after thresholding)
    """


def load_digit_image(
    source, *, invert="auto", max_pixels=MAX_IMAGE_PIXELS, max_bytes=MAX_IMAGE_BYTES
):
    """Read a picture of one digit and make it look like an MNIST digit.

    The picture may be a scan, a drawing or a phone photo: the paper's uneven
    light, colour and noise, a hand's shadow and the lines of ruled or squared
    paper are taken away and specks are ignored (see
    :func:`prepare_digit` for the steps). Then the steps used to build MNIST
    follow: the digit is cropped to its bounding box, resized (anti-aliased,
    aspect ratio kept) so that its longer side is 20 pixels, and pasted into a
    28x28 image so that its centre of mass is at pixel (14, 14).

    Parameters
    ----------
    source : str, path-like, binary file object or array-like of shape (height, width)
        The picture. Paths and file objects are read with Pillow (PNG, JPEG and
        the other formats it knows); colour is converted to grey, transparent
        areas are treated as paper, and a phone's rotation tag is applied. An
        array holds grey levels, as for :func:`prepare_digit`.
    invert : {"auto", True, False}, default="auto"
        Whether the digit is dark on light paper (``True``, like pen on paper) or
        light on a dark background (``False``, like chalk, or MNIST itself).
        ``"auto"`` takes the picture's median as the paper's level and the digit
        to be on the side that stands out further from it: noise, paper texture
        and uneven light spread to both sides, a digit to one side only.
    max_pixels : int, default=100_000_000
        Largest number of pixels a file may declare (10000 x 10000 by default).
        Checked before decoding.
    max_bytes : int, default=100_000_000
        Largest file size in bytes, checked before reading.

    Returns
    -------
    image : ndarray of shape (28, 28), dtype uint8
        The digit, bright (up to 255) on a black (0) background, scaled so that
        its strokes' cores are 255, with grey anti-aliased edges.

    Raises
    ------
    FileNotFoundError
        If ``source`` is a path that does not exist.
    IsADirectoryError
        If ``source`` is a folder.
    ImageTooLargeError
        If the file has more than ``max_bytes`` bytes or declares more than
        ``max_pixels`` pixels.
    NoDigitError
        If nothing stands out from the paper (by at least 32 grey levels of 255
        and above the paper's noise).
    DigitImageError
        If the file is not a readable image.
    ValueError
        If the array is not 2-D or has values outside ``[0, 255]``, or ``invert``
        is not one of the allowed values (:class:`DigitImageError` and its
        subclasses are ValueErrors too).
    ImportError
        If Pillow (used to read and resize pictures) is not installed.

    See Also
    --------
    prepare_digit : The same preparation, for a picture already decoded.

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

    The 40x10 bar became 20 pixels long, as thick as MNIST's strokes (not the
    5 pixels a plain resize gives), and its centre moved to the middle:

    >>> rows, cols = np.nonzero(digit)
    >>> int(np.ptp(rows)) + 1, int(np.ptp(cols)) + 1
    (20, 3)
    >>> from scipy import ndimage
    >>> [float(c) for c in ndimage.center_of_mass(digit)]
    [13.5, 14.0]
    """
    invert = _check_invert(invert)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        _check_file(path, max_bytes)
        grey = _read_with_pillow(path, str(path), max_pixels)
        return _prepare(grey, invert, f"'{path}'", str(path))
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        path = name if isinstance(name, str) else None
        data = _read_at_most(source, max_bytes, path)
        grey = _read_with_pillow(data, path, max_pixels)
        return _prepare(grey, invert, _describe(path), path)
    return prepare_digit(source, invert=invert)


def prepare_digit(grey, *, invert="auto"):
    """Make a picture of one digit, already decoded, look like an MNIST digit.

    This is what :func:`load_digit_image` does once the file is decoded; use it
    on pictures from a camera library or a canvas, or to see exactly what a model
    is given.

    The steps: pictures larger than 640 pixels are shrunk by area averaging; the
    ink is made bright on black, and measured against the paper's own brightness
    around it, estimated at a large scale so that uneven light and tinted paper
    go away, and following a shadow's edge; the lines of ruled or squared paper
    are taken away; the pieces of ink standing out from the paper's noise are found,
    those carrying less than a tenth of the largest piece's ink are dropped as
    specks, and so are those touching the picture's edge (a table, the page's
    edge) when a digit-like piece lies inside; Otsu's threshold, inside the
    digit's box, outlines the strokes; the ink keeps its grey levels,
    scaled so that the strokes' cores are white; finally the digit's bounding
    box is fitted in 20x20 (aspect ratio kept, anti-aliased), its strokes
    thickened or thinned to MNIST's widths if need be, and pasted in 28x28 with
    its centre of mass at pixel (14, 14).

    Parameters
    ----------
    grey : array-like of shape (height, width)
        Grey levels: values in ``[0, 255]``, or floats in ``[0, 1]`` (a float
        array whose values all lie in ``[0, 1]`` is read on that scale); booleans
        mean ink where true.
    invert : {"auto", True, False}, default="auto"
        Whether the digit is dark on light paper (``True``) or light on a dark
        background (``False``); ``"auto"`` decides from the picture (see
        :func:`load_digit_image`).

    Returns
    -------
    image : ndarray of shape (28, 28), dtype uint8
        The digit, bright (up to 255) on a black (0) background.

    Raises
    ------
    NoDigitError
        If nothing stands out from the paper.
    ValueError
        If ``grey`` is not a 2-D array of finite numbers in ``[0, 255]``, or
        ``invert`` is not one of the allowed values.
    ImportError
        If Pillow (used to resize pictures) is not installed.

    See Also
    --------
    load_digit_image : Read a picture file and prepare it.

    Examples
    --------
    A dark stroke on paper lit from the left (dim on the right), with noise:

    >>> import numpy as np
    >>> from skdigit import prepare_digit
    >>> rng = np.random.default_rng(0)
    >>> light = np.linspace(1.0, 0.5, 120)  # across the columns
    >>> paper = np.full((100, 120), 230.0) * light
    >>> paper[20:80, 70:78] *= 0.3  # the stroke, where the light is dim
    >>> photo = np.clip(paper + rng.normal(0, 8, paper.shape), 0, 255)
    >>> digit = prepare_digit(photo)
    >>> rows, cols = np.nonzero(digit)
    >>> int(np.ptp(rows)) + 1, int(digit.max())
    (20, 255)
    """
    return _prepare(_array_to_grey(grey), _check_invert(invert), "the image array")


def _prepare(grey, invert, name, path=None):
    # The paper is judged with a margin around the picture; the digit is looked
    # for in the picture itself.
    framed, inside = _with_margin(_shrink(grey, _WORK_SIDE))
    if invert == "auto":
        invert = _ink_is_dark(framed)
    ink = without_lines(_ink_against_paper(framed, inside, dark_ink=invert), inside)
    smooth = _smoothed(ink)
    outline = _find_ink(ink, smooth, inside, name, path)
    digit, inked = _grey_strokes(ink, smooth, outline)
    box = _crop(digit, inked)
    small = fitted_like_mnist(box, _fit_in_box)
    field = _paste_centred(small)
    return _stretch_to_uint8(field)


# ------------------------------------------------------------------- reading


def _describe(path):
    return f"'{path}'" if path is not None else "the image file object"


def _check_invert(invert):
    if isinstance(invert, str) and invert == "auto":
        return invert
    if isinstance(invert, bool | np.bool_):
        return bool(invert)
    raise ValueError(f"invert must be 'auto', True or False; got {invert!r}")


def _check_file(path, max_bytes):
    size = check_input_file(path, "image file")
    if size > max_bytes:
        raise _too_large(str(path), "bytes", size, max_bytes)


def _read_at_most(file, max_bytes, path):
    """The file object's bytes, refusing more than ``max_bytes``."""
    data = file.read(max_bytes + 1)
    if not isinstance(data, bytes):
        raise ValueError(
            f"{_describe(path)} must be opened in binary mode ('rb'); it gave "
            f"{type(data).__name__}"
        )
    if len(data) > max_bytes:
        raise _too_large(path, "bytes", None, max_bytes)
    return io.BytesIO(data)


def _too_large(path, unit, found, limit, *, setting=None):
    """The error for a file over a limit; ``found`` is None when only ``limit`` is
    known to be exceeded.
    """
    what = "file" if unit == "bytes" else "picture"
    setting = setting or ("max_bytes" if unit == "bytes" else "max_pixels")
    has = f"has {found:,} {unit}, over" if found is not None else "has more than"
    return ImageTooLargeError(
        f"{_describe(path)} is too large: the {what} {has} the limit of "
        f"{limit:,} {unit} ({setting}); use a smaller picture or raise {setting}",
        path=path,
        unit=unit,
        found=found,
        limit=limit,
    )


def _import_pillow():
    import_optional("PIL", needed_for="reading pictures")
    from PIL import Image, ImageOps

    return Image, ImageOps


def _read_with_pillow(source, path, max_pixels):
    """Decode a picture file into float grey levels, shrunk for the work."""
    Image, ImageOps = _import_pillow()
    name = _describe(path)
    try:
        image = _open_checked(source, path, max_pixels)
        with image:
            # JPEG: decode at 1/2, 1/4 or 1/8 scale, still at least _WORK_SIDE.
            image.draft(None, _draft_size(image.size))
            image.load()
            image = _reduce(_reducible(image), _WORK_SIDE)
            # Phone photos are often stored sideways with a rotation tag.
            image = ImageOps.exif_transpose(image)
            return _pillow_to_grey(image)
    except ImageTooLargeError:
        raise
    except Image.DecompressionBombError as exc:
        # Pillow's own guard refused the file before saying its size: it has more
        # than twice Pillow's MAX_IMAGE_PIXELS.
        guard = 2 * Image.MAX_IMAGE_PIXELS
        if guard < max_pixels:
            raise _too_large(
                path, "pixels", None, guard, setting="PIL.Image.MAX_IMAGE_PIXELS"
            ) from exc
        raise _too_large(path, "pixels", None, max_pixels) from exc
    except (OSError, SyntaxError) as exc:
        # OSError includes UnidentifiedImageError and truncated files.
        raise DigitImageError(
            f"{name} is not a readable PNG/JPG image ({exc})", path=path
        ) from exc


def _open_checked(source, path, max_pixels):
    """Open lazily (the header only) and check the declared size."""
    Image, _ = _import_pillow()
    with warnings.catch_warnings():
        # Pillow warns from 89 million pixels; the limit here is max_pixels.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(source)
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise _too_large(path, "pixels", width * height, max_pixels)
    return image


def _draft_size(size):
    scale = max(size) / _WORK_SIDE
    return (
        tuple(max(1, math.ceil(side / scale)) for side in size) if scale > 1 else size
    )


def _reducible(image):
    """Convert modes that cannot be box-reduced (palettes, 1-bit, 16-bit, CMYK)."""
    if image.mode.startswith("I;16") or image.mode == "I":
        # 16-bit grey: converting to "L" would clip instead of rescaling.
        return image.convert("F").point(lambda value: value / 257.0)
    if "transparency" in image.info or image.mode in ("PA", "RGBa", "La"):
        return image.convert("LA" if image.mode in ("L", "La") else "RGBA")
    if image.mode in ("L", "LA", "RGB", "RGBA", "F"):
        return image
    return image.convert("RGB")


def _reduce(image, side):
    factor = math.ceil(max(image.size) / side)
    return image.reduce(factor) if factor > 1 else image


def _pillow_to_grey(image):
    Image, _ = _import_pillow()
    if image.mode == "F":
        return np.asarray(image, dtype=np.float64)
    if image.mode in ("RGBA", "LA"):
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


def _shrink(grey, side):
    """Shrink by area averaging (an integer factor) to at most ``side`` pixels."""
    factor = math.ceil(max(grey.shape) / side)
    if factor <= 1:
        return grey
    Image, _ = _import_pillow()
    reduced = Image.fromarray(grey.astype(np.float32)).reduce(factor)
    return np.asarray(reduced, dtype=np.float64)


def _resize(array, shape, resample):
    """Resize a float array with Pillow to ``shape`` (rows, columns)."""
    Image, _ = _import_pillow()
    image = Image.fromarray(array.astype(np.float32))
    resized = image.resize((shape[1], shape[0]), resample)
    return np.asarray(resized, dtype=np.float64)


# ----------------------------------------------------------------- the paper


def _border(image):
    return np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]])


def _with_margin(grey):
    """The picture inside a margin that continues the paper at its edges, and
    the slice of the result that is the picture.

    Each edge's pixels are median-filtered along the edge over half its length,
    which takes away strokes that cross it, and extended outwards. A bold digit
    cropped tight then has paper around it, as a digit on a page does, instead of
    covering most of every window the paper's level is estimated over; on a
    photo with paper around the digit, the margin follows the uneven light at
    the edges and changes nothing.
    """
    from scipy import ndimage

    width = max(2, round(_MARGIN * max(grey.shape)))
    edges = grey.copy()
    for edge in (np.s_[0, :], np.s_[-1, :], np.s_[:, 0], np.s_[:, -1]):
        line = grey[edge]
        edges[edge] = ndimage.median_filter(line, size=max(3, len(line) // 2))
    padded = np.pad(edges, width, mode="edge")
    inside = np.s_[width:-width, width:-width]
    padded[inside] = grey
    return padded, inside


def _ink_is_dark(grey):
    """Whether the digit is darker than the paper.

    The paper is most of the picture, so the median is its level. Noise, paper
    texture and uneven light spread to both sides of it, the digit to one side
    only and further: the side with more grey levels beyond three (robust)
    standard deviations of the spread holds the digit. (A median over windows,
    to follow uneven light, would be lifted into a bold digit's strokes.)
    """
    from scipy import ndimage

    smooth = ndimage.gaussian_filter(grey, 1.0)
    deviation = smooth - np.median(smooth)
    spread = 1.4826 * np.median(np.abs(deviation))
    darker = np.clip(-deviation - _TAIL_SIGMAS * spread, 0.0, None).sum()
    lighter = np.clip(deviation - _TAIL_SIGMAS * spread, 0.0, None).sum()
    return bool(darker >= lighter)


def _ink_against_paper(grey, inside, *, dark_ink):
    """How much each pixel stands out from the paper around it, in [0, 255].

    The paper's level is a low percentile of the (ink-bright) picture over
    windows half the picture wide, computed on a small copy and smoothed:
    lighting gradients and tinted paper follow it, strokes do not. (A median
    would be exact at the picture's edges too, but a bold digit can cover half
    a window; a morphological opening would follow bold digits as well but falls
    behind a lighting gradient near the edges, which then looks like ink.) Dark
    ink is measured relative to the paper's brightness, so that a stroke in a
    shadow counts as much as one in the light.
    """
    bright = 255.0 - grey if dark_ink else grey
    # A shadow's soft edge is too close for the wide windows to follow: the
    # paper's level at the strokes' scale (``inside`` the frame) takes over there.
    paper = local_paper(bright, _paper_level(bright), inside)
    ink = bright - paper
    if dark_ink:
        # The paper's brightness is 255 - paper; a floor keeps deep shadows
        # (almost black paper) from turning their noise into ink.
        ink *= 255.0 / np.maximum(255.0 - paper, _MIN_CONTRAST)
    return np.clip(ink, 0.0, 255.0)


def _paper_level(picture, percentile=_BACKGROUND_PERCENTILE, window=_BACKGROUND_WINDOW):
    """A percentile of the picture over wide windows, smoothed: the paper's level."""
    from scipy import ndimage

    Image, _ = _import_pillow()
    small = _resize_to_side(picture, _BACKGROUND_SIDE)
    window = max(3, round(window * min(small.shape)))
    level = ndimage.percentile_filter(small, percentile, size=window, mode="nearest")
    level = ndimage.uniform_filter(level, size=window, mode="nearest")
    return _resize(level, picture.shape, Image.Resampling.BILINEAR)


def _resize_to_side(array, side):
    Image, _ = _import_pillow()
    scale = side / max(array.shape)
    if scale >= 1:
        return array
    shape = tuple(max(1, round(length * scale)) for length in array.shape)
    return _resize(array, shape, Image.Resampling.BOX)


# ------------------------------------------------------------------- the ink


def _find_ink(ink, smooth, inside, name, path):
    """The outline of the digit's strokes (specks, and what lies at the
    picture's edge, dropped), found in the ``inside`` of the framed ``ink``
    (``smooth`` is the ink lightly smoothed).

    First the pieces standing out from the paper's noise are found and the
    digit's are chosen; then, inside the digit's bounding box only (where the
    table or a shadow at the edge cannot weigh on it), Otsu's threshold draws
    the strokes' outline, the pieces' grey edges left out.
    """
    floor = _noise_floor(smooth)
    if floor is None:
        raise NoDigitError(
            f"{name} contains no digit (the image is blank after thresholding)",
            path=path,
        )
    digit = np.zeros(ink.shape, dtype=bool)
    digit[inside] = _digit_pieces((smooth > floor)[inside], ink[inside], name, path)
    rows, cols = (np.flatnonzero(digit.any(axis=axis)) for axis in (1, 0))
    box = np.s_[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    # Pieces left out (specks, the paper's mottle) may be brighter than the
    # digit inside its box: counted at the digit's brightest, they cannot lift
    # the threshold above all of its strokes.
    levels = np.minimum(smooth[box], smooth[digit].max())
    return digit & (smooth > max(_otsu(levels), floor))


def _digit_pieces(mask, ink, name, path):
    """The connected pieces of ``mask`` that make the digit."""
    from scipy import ndimage

    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    if count == 0:
        # Only the margin around the picture rose above the paper's noise.
        raise NoDigitError(f"{name} contains no digit (nothing stands out)", path=path)
    pieces = np.arange(1, count + 1)
    mass = ndimage.sum_labels(ink, labels, index=pieces)
    boxes = ndimage.find_objects(labels)
    spans = np.array([max(part.stop - part.start for part in box) for box in boxes])
    spans = spans / min(ink.shape)
    at_edge = np.isin(pieces, _border(labels))
    # Pieces at the picture's edge are the table, the page's edge or a shadow
    # rather than the digit, when a piece inside looks like a digit: it carries a
    # sizeable share of the ink, or spans a sizeable part of the picture.
    inside = ~at_edge
    if inside.any() and (
        mass[inside].max() >= _INSIDE_FRACTION * mass.max()
        or spans[inside].max() >= _INSIDE_SPAN
    ):
        mass = np.where(at_edge, 0.0, mass)
    if spans[np.argmax(mass)] < _MIN_SPAN:
        # Noise that rises above the threshold makes small blobs, never strokes.
        raise NoDigitError(
            f"{name} contains no digit (only specks stand out from the paper)",
            path=path,
        )
    kept = pieces[mass >= _SPECK_FRACTION * mass.max()]
    return np.isin(labels, kept)


def _smoothed(ink):
    """The ink lightly smoothed, for thresholding: noise averages out."""
    from scipy import ndimage

    return ndimage.gaussian_filter(ink, _smoothing(ink.shape))


def _smoothing(shape):
    """Gaussian sigma for thresholding: one pixel, half of one on small pictures."""
    return 1.0 if min(shape) >= 100 else 0.5


def _noise_floor(smooth):
    """The level above the paper's noise; None if nothing rises clearly above it."""
    typical = np.median(smooth)
    spread = 1.4826 * np.median(np.abs(smooth - typical))
    floor = typical + max(_NOISE_SIGMAS * spread, _MIN_CONTRAST / 2)
    if smooth.max() < max(floor, typical + _MIN_CONTRAST):
        return None
    return floor


def _otsu(values, bins=256):
    """Otsu's threshold: the level that best splits the histogram in two."""
    counts, edges = np.histogram(values, bins=bins)
    centres = (edges[:-1] + edges[1:]) / 2
    weight_low = np.cumsum(counts)
    weight_high = weight_low[-1] - weight_low
    sum_low = np.cumsum(counts * centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_low = sum_low / weight_low
        mean_high = (sum_low[-1] - sum_low) / weight_high
        between = weight_low * weight_high * (mean_low - mean_high) ** 2
    between = np.nan_to_num(between, nan=-1.0)
    return edges[np.argmax(between) + 1]


def _grey_strokes(ink, smooth, outline):
    """The ink's grey levels on the outline and a one-pixel seam around it, the
    strokes' cores scaled to 1, and where it is clearly inked.

    "Clearly inked" is judged on the lightly smoothed ink, so that noise in
    the seam does not move the digit's bounding box.
    """
    from scipy import ndimage

    seam = ndimage.binary_dilation(outline, structure=np.ones((3, 3)))
    core = np.percentile(ink[outline], _CORE_PERCENTILE)
    digit = np.clip(np.where(seam, ink, 0.0) / core, 0.0, 1.0)
    inked = seam & (smooth > _INK_FRACTION * core)
    return digit, inked


def _crop(digit, inked):
    """The digit inside the bounding box of its clearly inked pixels."""
    rows = np.flatnonzero(inked.any(axis=1))
    cols = np.flatnonzero(inked.any(axis=0))
    return digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


# --------------------------------------------------------------------- MNIST


def _fit_in_box(box):
    """Resize so that the longer side is 20 pixels, keeping the aspect ratio."""
    Image, _ = _import_pillow()
    height, width = box.shape
    scale = _BOX_SIZE / max(height, width)
    size = (max(1, round(height * scale)), max(1, round(width * scale)))
    # Lanczos anti-aliases when shrinking and stays sharp when enlarging; its
    # small lobes below black and above the strokes' cores are clipped away.
    resized = _resize(box, size, Image.Resampling.LANCZOS)
    return np.clip(resized, 0.0, 1.0)


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
