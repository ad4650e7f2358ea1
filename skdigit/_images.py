"""Turn a user's picture of a digit into an MNIST-style 28x28 image.

MNIST digits were made by fitting the (white on black) digit into a 20x20 box,
keeping its aspect ratio and anti-aliasing, then pasting it into a 28x28 field so
that its centre of mass sits at the centre (LeCun et al.). A photo first needs the
paper taken away: uneven light, coloured or noisy paper, specks of dirt. The steps:

1. read the file with limits on its bytes and pixels, and shrink it early (JPEG
   decoding at a reduced scale, integer box reduction) so that large photos cost
   little time and memory (:mod:`skdigit._picture_io`);
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

import numpy as np

from ._bundled_digits import as_bundled_digit
from ._image_shape import DIGIT_SHAPES, DIGITS_SHAPE, MNIST_SHAPE
from ._paper import local_paper, without_lines
from ._picture_io import (
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    WORK_SIDE,
    DigitImageError,
    array_to_grey,
    import_pillow,
    read_picture,
)
from ._resample import bounding_box, fitted_size, resize, resize_to_side, shrink
from ._strokes import fitted_like_mnist

__all__ = [
    "NoDigitError",
    "load_digit_image",
    "prepare_digit",
]


# Geometry of MNIST: digits fill a 20x20 box inside a 28x28 field, centre of mass
# at pixel (14, 14) (row, column), which is what the real t10k images average to.
_FIELD_SIZE = MNIST_SHAPE[0]
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
    source,
    *,
    invert="auto",
    shape=MNIST_SHAPE,
    max_pixels=MAX_IMAGE_PIXELS,
    max_bytes=MAX_IMAGE_BYTES,
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
        The picture. Paths and file objects are read with Pillow, in the plain
        raster formats only: PNG, JPEG, GIF (its first frame), BMP, TIFF, WebP
        and PNM (PBM, PGM, PPM); other formats, PostScript and EPS among them,
        are refused whatever the file's name. Colour is converted to grey,
        transparent areas are treated as paper, and a phone's rotation tag is
        applied. Pictures of more than 8 bits are read on their own scale:
        integer pictures (16-bit PNG or TIFF, 32-bit TIFF) on the 16-bit scale,
        0 to 65535 from black to white; float pictures (32-bit TIFF) like float
        arrays, 0 to 255, or 0 to 1 when all their values lie in ``[0, 1]``.
        Values off these scales, NaN or infinite are refused, not rescaled. An
        array holds grey levels, as for :func:`prepare_digit`.
    invert : {"auto", True, False}, default="auto"
        Whether the digit is dark on light paper (``True``, like pen on paper) or
        light on a dark background (``False``, like chalk, or MNIST itself).
        ``"auto"`` takes the picture's median as the paper's level and the digit
        to be on the side that stands out further from it: noise, paper texture
        and uneven light spread to both sides, a digit to one side only.
    shape : {(28, 28), (8, 8)}, default=(28, 28)
        The digit's shape: MNIST's, or that of scikit-learn's bundled digits
        (:func:`sklearn.datasets.load_digits`), for a model trained on those.
        For (8, 8) the 28x28 digit is reduced as the bundled digits were made:
        cropped, fitted in 32x32, thresholded and its pixels counted in 4x4
        blocks (0 to 16); the counts are put on the 0-255 scale (times 255/16),
        as ``skdigit train`` puts the bundled digits. For a model trained on
        ``load_digits()`` as it comes, divide by 255/16.
    max_pixels : int, default=100_000_000
        Largest number of pixels a file may declare (10000 x 10000 by default).
        Checked before decoding.
    max_bytes : int, default=100_000_000
        Largest file size in bytes, checked before reading.

    Returns
    -------
    image : ndarray of shape (28, 28) or (8, 8), dtype uint8
        The digit, bright (up to 255) on a black (0) background, scaled so that
        its strokes' cores are 255, with grey anti-aliased edges (for 28x28).

    Raises
    ------
    FileNotFoundError
        If ``source`` is a path that does not exist.
    IsADirectoryError
        If ``source`` is a folder.
    OSError
        If ``source`` is not a regular file (a FIFO, a socket, a device): it is
        refused before it is opened, as reading it could block or never end.
    ImageTooLargeError
        If the file has more than ``max_bytes`` bytes or declares more than
        ``max_pixels`` pixels.
    NoDigitError
        If nothing stands out from the paper (by at least 32 grey levels of 255
        and above the paper's noise).
    DigitImageError
        If the file is not a picture in one of the formats read, is damaged or
        truncated, or holds values off its grey scale (NaN, infinity, out of
        range); the message names the file.
    ValueError
        If the array is not 2-D or holds values that are not finite grey levels
        in ``[0, 255]``, or ``invert`` or ``shape`` is not one of the allowed
        values (:class:`DigitImageError` and its subclasses are ValueErrors too).
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

    For a model trained on scikit-learn's 8x8 digits, the bar becomes a bundled
    digit: the ink of each 4x4 block of a 32x32 bitmap counted, on the 0-255 scale:

    >>> load_digit_image(paper, shape=(8, 8))
    array([[  0,   0,   0, 191, 128,   0,   0,   0],
           [  0,   0,   0, 191, 128,   0,   0,   0],
           [  0,   0,   0, 191, 128,   0,   0,   0],
           [  0,   0,   0, 191, 128,   0,   0,   0],
           [  0,   0,   0, 191, 128,   0,   0,   0],
           [  0,   0,   0, 191, 128,   0,   0,   0],
           [  0,   0,   0, 191, 128,   0,   0,   0],
           [  0,   0,   0, 191, 128,   0,   0,   0]], dtype=uint8)
    """
    invert, shape = _check_invert(invert), _check_shape(shape)
    grey, name, path = read_picture(source, max_pixels=max_pixels, max_bytes=max_bytes)
    return _in_shape(_prepare(grey, invert, name, path), shape)


def prepare_digit(grey, *, invert="auto", shape=MNIST_SHAPE):
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
    shape : {(28, 28), (8, 8)}, default=(28, 28)
        MNIST's shape, or that of scikit-learn's bundled 8x8 digits, for a model
        trained on those (see :func:`load_digit_image`).

    Returns
    -------
    image : ndarray of shape (28, 28) or (8, 8), dtype uint8
        The digit, bright (up to 255) on a black (0) background.

    Raises
    ------
    NoDigitError
        If nothing stands out from the paper.
    ValueError
        If ``grey`` is not a 2-D array of finite numbers in ``[0, 255]``, or
        ``invert`` or ``shape`` is not one of the allowed values.
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
    invert, shape = _check_invert(invert), _check_shape(shape)
    grey = array_to_grey(grey, "grey")
    return _in_shape(_prepare(grey, invert, "the image array"), shape)


def _prepare(grey, invert, name, path=None):
    # The paper is judged with a margin around the picture; the digit is looked
    # for in the picture itself.
    framed, inside = _with_margin(shrink(grey, WORK_SIDE))
    if invert == "auto":
        invert = _ink_is_dark(framed)
    ink = without_lines(_ink_against_paper(framed, inside, dark_ink=invert), inside)
    smooth = _smoothed(ink)
    outline = _find_ink(ink, smooth, inside, name, path)
    digit, inked = _grey_strokes(ink, smooth, outline)
    box = digit[bounding_box(inked)]
    small = fitted_like_mnist(box, _fit_in_box)
    field = _paste_centred(small)
    return _stretch_to_uint8(field)


def _check_shape(shape):
    if isinstance(shape, tuple | list) and tuple(shape) in DIGIT_SHAPES:
        return tuple(shape)
    raise ValueError(
        "shape must be (28, 28), MNIST's, or (8, 8), that of scikit-learn's "
        f"bundled digits (load_digits); got {shape!r}"
    )


def _in_shape(digit, shape):
    return as_bundled_digit(digit) if shape == DIGITS_SHAPE else digit


def _check_invert(invert):
    if isinstance(invert, str) and invert == "auto":
        return invert
    if isinstance(invert, bool | np.bool_):
        return bool(invert)
    raise ValueError(f"invert must be 'auto', True or False; got {invert!r}")


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

    Image, _ = import_pillow()
    small = resize_to_side(picture, _BACKGROUND_SIDE)
    window = max(3, round(window * min(small.shape)))
    level = ndimage.percentile_filter(small, percentile, size=window, mode="nearest")
    level = ndimage.uniform_filter(level, size=window, mode="nearest")
    return resize(level, picture.shape, Image.Resampling.BILINEAR)


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
    box = bounding_box(digit)
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


# --------------------------------------------------------------------- MNIST


def _fit_in_box(box):
    """Resize so that the longer side is 20 pixels, keeping the aspect ratio."""
    Image, _ = import_pillow()
    size = fitted_size(box.shape, _BOX_SIZE)
    # Lanczos anti-aliases when shrinking and stays sharp when enlarging; its
    # small lobes below black and above the strokes' cores are clipped away.
    resized = resize(box, size, Image.Resampling.LANCZOS)
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
