"""Take away what is on the paper but is not the digit's ink.

Two things a photographed page shows besides the digit, both measured on the
picture once the ink is bright on black:

* **shadows** (a hand's, a phone's): large regions of dimmer paper, with soft
  edges. :func:`local_paper` follows the paper's level into a shadow: what is
  wider than any stroke (a grey opening), stands above the paper's level, and
  covers a large part of the picture from its edge, so that a shadow is paper,
  not ink;
* **printed lines** of ruled and squared paper, and a notebook's margin line:
  thin straight structures spanning the page. :func:`without_lines` finds what
  is long and straight across the picture (horizontally or vertically, up to a
  small angle) and thin (narrower than a few pixels, unlike the strokes), and
  when a page's worth of such lines is found, takes their thin part away: a
  stroke crossing a line keeps its ink.
"""

import math

import numpy as np
from scipy import ndimage

from ._picture_io import import_pillow
from ._resample import resize, resize_to_side

# The paper's local level is an opening with squares this share of the
# picture's longer side: what survives is wider than a marker's strokes, even
# cropped tight (16% of the digit's height)...
_OPENING = 0.2
# ... computed on a copy at most this large (shadows and light vary slowly).
_PAPER_SIDE = 96
# A region that survives the opening is a shadow (or a table) where it stands
# this much (of 255) above the large-scale paper level and reaches the
# picture's edge: shadows come from outside the picture, while a bold digit's
# junctions, cropped tight, lie inside it.
_SHADOW_STEP = 16.0
# ... and covers at least this share of the picture (a tight crop's bold
# junction at the edge covers less).
_SHADOW_AREA = 0.08
# ... and is lighter than the ink: its level (ink bright) is at most this share
# of the ink's, this percentile of the picture. A hand's shadow halves the
# light: shaded paper comes to about 0.6 of the ink's level.
_SHADE = 0.85
_INK_PERCENTILE = 99
# The shadow's paper is taken this many (robust) standard deviations of its
# noise above its median level.
_SHADOW_NOISE = 2.0

# Lines of ruled and squared paper are at most this many pixels wide at the
# working size; strokes are wider (a thin pen on a page, about 6).
_LINE_WIDTH = 6
# A line spans at least this share of the picture (as a page's lines do); a
# digit's curves do not, and its straight strokes are too few to be a page's.
_LINE_LENGTH = 0.8
# Lines are looked for at these angles (degrees) from the horizontal and the
# vertical: a page photographed a little askew.
_LINE_ANGLES = np.arange(-7.5, 7.6, 1.5)
# Lines are looked for on a copy at most this large (the maximum of blocks).
_LINE_SIDE = 256
# Along a line, the ink is averaged over this many pixels before the long
# opening: the line's level, not its noise, then says where it runs.
_LINE_SMOOTHING = 9
# A page is ruled (or squared) when it shows at least this many parallel lines
# (a digit's curves and bars make at most four); then a single line across
# them (a notebook's margin) is the paper's too.
_RULED = 5
# Thin ink counts as a line's where the line's level is at least this (of 255).
_LINE_LEVEL = 16.0


def local_paper(bright, coarse, inside):
    """The paper's level under each pixel of ``bright`` (ink bright), following
    shadows and their soft edges.

    An opening with squares wider than the strokes keeps only what is wider:
    the paper, shadows, a table, and (in a bold digit cropped tight) the
    strokes' junctions. Where it stands above the paper's large-scale level,
    in a large region reaching the picture's edge and clearly below the ink's
    level, it is a shadow's; elsewhere the large-scale level stays.

    Parameters
    ----------
    bright : ndarray of shape (height, width)
        The framed picture, ink bright.
    coarse : ndarray of shape (height, width)
        The paper's level estimated at a large scale.
    inside : tuple of slices
        The picture inside its frame.

    Returns
    -------
    paper : ndarray of shape (height, width)
    """
    Image, _ = import_pillow()
    small = resize_to_side(bright, _PAPER_SIDE)
    scale = min(small.shape) / min(bright.shape)
    size = max(3, round(_OPENING * max(bright[inside].shape) * scale))
    opened = ndimage.grey_opening(small, size=(size, size))
    above = opened > resize_to_side(coarse, _PAPER_SIDE) + _SHADOW_STEP
    ink_level = np.percentile(bright[inside], _INK_PERCENTILE)
    shadow = _shadows(above, opened, _scaled(inside, scale), _SHADE * ink_level)
    # The opening runs below the paper's noise (a minimum over the squares):
    # inside the shadow, the median over the squares is nearer its level.
    middle = ndimage.median_filter(small, size=(size, size), mode="nearest")
    level = np.where(shadow, np.maximum(opened, middle), 0.0)
    # A pixel's worth of the small copy beyond the shadow, where its soft edge
    # still darkens the paper.
    shadow = ndimage.binary_dilation(shadow)
    level = ndimage.gaussian_filter(ndimage.grey_dilation(level, size=(3, 3)), 1.0)
    level = resize(level, bright.shape, Image.Resampling.BILINEAR)
    weight = resize(shadow.astype(float), bright.shape, Image.Resampling.BILINEAR)
    return np.maximum(coarse, level + weight * _noise_margin(bright, level, weight))


def _noise_margin(bright, level, weight):
    """How far above the shadow's level its paper's noise reaches: shaded
    paper is noisier, relative to its light, than lit paper, and the ink is
    measured relative to the light."""
    shaded = weight > 0.5
    if not shaded.any():
        return 0.0
    residual = bright[shaded] - level[shaded]
    spread = 1.4826 * np.median(np.abs(residual - np.median(residual)))
    return _SHADOW_NOISE * spread


def _scaled(inside, scale):
    return tuple(
        slice(round(part.start * scale), round(part.stop * scale)) for part in inside
    )


def _shadows(mask, opened, inside, darkest):
    """The regions of ``mask`` that are shadows: they reach the edge of its
    ``inside``, cover a sizeable part of it, and their level in ``opened`` is
    at most ``darkest`` (paper in the shade is lighter than ink)."""
    labels, count = ndimage.label(mask)
    pieces = np.arange(1, count + 1)
    window = labels[inside]
    edge = np.concatenate([window[0], window[-1], window[:, 0], window[:, -1]])
    areas = ndimage.sum_labels(np.ones(window.shape), window, pieces)
    levels = ndimage.median(opened, labels, pieces) if count else np.zeros(0)
    kept = pieces[(areas >= _SHADOW_AREA * window.size) & (levels <= darkest)]
    return np.isin(labels, np.intersect1d(edge[edge > 0], kept))


def without_lines(ink, inside):
    """``ink`` less the long thin straight lines printed on the paper.

    Parameters
    ----------
    ink : ndarray of shape (height, width)
        How much each pixel of the framed picture stands out from the paper.
    inside : tuple of slices
        The picture inside its frame: lines are looked for there (the frame
        continues the picture's edges, which makes stripes of its own).

    Returns
    -------
    ink : ndarray of shape (height, width)
        The same, the lines' thin ink taken away when the paper is ruled or
        squared (at least five parallel lines).
    """
    picture = ink[inside]
    # What is narrower than a line in every direction: lines, and the edges
    # and grain of strokes, but not the strokes' bodies.
    size = _LINE_WIDTH + 1
    thin = picture - ndimage.grey_opening(picture, size=(size, size))
    # Lines are followed in the ink itself, where strokes crossing them do not
    # break them (in ``thin``, a stroke's body leaves a gap), on a copy reduced
    # by taking the maximum of blocks of pixels: thin lines stay whole.
    factor = max(1, math.ceil(max(picture.shape) / _LINE_SIDE))
    reduced = _max_pooled(picture, factor)
    height, width = reduced.shape
    line_width = _LINE_WIDTH / factor
    across = _long_straight(reduced, round(_LINE_LENGTH * width))
    down = _long_straight(reduced.T, round(_LINE_LENGTH * height))
    (rows, row_count), (columns, column_count) = (
        _thin_lines(across, width, line_width),
        _thin_lines(down, height, line_width),
    )
    if max(row_count, column_count) < _RULED:
        # A few long straight or flat strokes are the digit's (a 7's bar, an 8).
        return ink
    on_line = _enlarged(rows | columns.T, factor, picture.shape)
    on_line = ndimage.binary_dilation(on_line, iterations=factor)
    cleaned = ink.copy()
    cleaned[inside] = np.where(on_line, picture - thin, picture)
    return cleaned


def _max_pooled(array, factor):
    """The maximum of each ``factor`` x ``factor`` block (edges repeated)."""
    height, width = (-(-side // factor) * factor for side in array.shape)
    padded = np.pad(
        array, ((0, height - array.shape[0]), (0, width - array.shape[1])), "edge"
    )
    blocks = padded.reshape(height // factor, factor, width // factor, factor)
    return blocks.max(axis=(1, 3))


def _enlarged(mask, factor, shape):
    """Each pixel of ``mask`` repeated into a block, cut to ``shape``."""
    big = np.repeat(np.repeat(mask, factor, axis=0), factor, axis=1)
    return big[: shape[0], : shape[1]]


def _thin_lines(found, length, line_width):
    """Where ``found`` (nearly horizontal lines' level) marks thin lines, and
    how many lines there are.

    Lines stand out from the paper's noise and are no thicker than
    ``line_width`` (give or take the search's tolerance): what is thicker, a
    digit's flat bar, is left out, even where a line runs into it. A line
    counts when it spans half of ``length`` at least; pieces at about the same
    height are one line found at two angles.
    """
    mask = found > _LINE_LEVEL
    thickness = math.ceil(line_width) + 5
    lines = mask & ~ndimage.binary_opening(mask, structure=np.ones((thickness, 1)))
    labels, _ = ndimage.label(lines, structure=np.ones((3, 3)))
    spans = [part.stop - part.start for _, part in ndimage.find_objects(labels)]
    long = np.flatnonzero(np.array(spans) >= length / 2) + 1
    if not len(long):
        return lines, 0
    heights = np.sort([row for row, _ in ndimage.center_of_mass(lines, labels, long)])
    return lines, 1 + np.count_nonzero(np.diff(heights) > line_width + 2)


def _long_straight(ink, length):
    """The level of nearly horizontal lines at least ``length`` long in
    ``ink``, wherever they run (0 elsewhere).

    Each angle is tried by shearing the columns up or down so that lines at
    that angle lie flat; one row of tolerance either way covers the angles
    between.
    """
    found = np.zeros_like(ink)
    columns = np.arange(ink.shape[1])
    for angle in _LINE_ANGLES:
        shifts = np.round(np.tan(np.radians(angle)) * (columns - columns.mean()))
        shifts = shifts.astype(int)
        flat = _shear(ink, shifts)
        flat = ndimage.uniform_filter1d(flat, _LINE_SMOOTHING, axis=1)
        flat = ndimage.grey_dilation(flat, size=(3, 1))
        level = ndimage.grey_opening(flat, size=(1, length))
        np.maximum(found, _shear(level, -shifts), out=found)
    return found


def _shear(array, shifts):
    """Each column moved down by its shift (up if negative), zeros filling in."""
    rows = np.arange(array.shape[0])[:, None] - shifts[None, :]
    valid = (rows >= 0) & (rows < array.shape[0])
    sheared = array[np.clip(rows, 0, array.shape[0] - 1), np.arange(array.shape[1])]
    return np.where(valid, sheared, 0.0)
