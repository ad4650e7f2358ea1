"""A grid of image panels, for the displays that show one image per class or digit."""

import math

import numpy as np

from .._image_shape import square_image_shape
from ._base import matplotlib_module, new_figure

# At most this many panels per row.
MAX_COLUMNS = 5


def grid_shape(n_panels):
    """``(n_rows, n_cols)`` of a grid of ``n_panels``, at most five to a row."""
    n_cols = min(max(n_panels, 1), MAX_COLUMNS)
    return math.ceil(n_panels / n_cols), n_cols


def panel_axes(ax, n_panels, *, panel_inches, margin_inches):
    """Axes for ``n_panels`` images, as ``(figure, bounding_ax, axes)``.

    As in scikit-learn's ``PartialDependenceDisplay``, ``ax`` is None (a new
    figure, each panel ``panel_inches`` wide and high, plus ``margin_inches``), one
    Axes, turned off and split into a grid (the bounding Axes), or one Axes per
    panel, in any array shape (those beyond ``n_panels`` are turned off). ``axes``
    is the grid, None where it has no panel, or ``ax`` as an array.
    """
    axes_class = matplotlib_module("axes").Axes
    n_rows, n_cols = grid_shape(n_panels)
    if ax is None:
        (width, height), (extra_width, extra_height) = panel_inches, margin_inches
        figure = new_figure(
            (n_cols * width + extra_width, n_rows * height + extra_height)
        )
        ax = figure.add_subplot()
    if isinstance(ax, axes_class):
        return ax.figure, ax, _split(ax, n_panels, n_rows, n_cols)
    axes = np.asarray(ax, dtype=object)
    if axes.size < n_panels or not all(isinstance(a, axes_class) for a in axes.flat):
        raise ValueError(
            f"ax must be None, one Axes, or at least {n_panels} Axes (one per "
            f"panel); got {ax!r}"
        )
    for unused in axes.flat[n_panels:]:
        unused.set_axis_off()
    return axes.flat[0].figure, None, axes


def _split(ax, n_panels, n_rows, n_cols):
    spec = ax.get_subplotspec()
    if spec is None:
        raise ValueError(
            "ax must be a subplot (made by add_subplot or subplots) to be split "
            "into panels, or pass one Axes per panel"
        )
    if not ax.axison:
        # Turned off: a display split it already.
        raise ValueError(
            "ax was already split into panels by another plot: pass that "
            "display's axes_ to draw in its panels"
        )
    ax.set_axis_off()
    axes = np.full((n_rows, n_cols), None, dtype=object)
    grid = spec.subgridspec(n_rows, n_cols)
    for index in range(n_panels):
        axes.flat[index] = ax.figure.add_subplot(grid[index])
    return axes


def show_image(ax, image, title, **imshow_kwargs):
    """One panel: ``image`` without ticks, under ``title``."""
    shown = ax.imshow(image, **imshow_kwargs)
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    return shown


def check_image_shape(n_features, image_shape, *, name):
    """``(height, width)`` of images of ``n_features`` pixels: ``image_shape``, or
    square when it is None. ``name`` is what holds the pixels, for the errors."""
    if image_shape is None:
        shape = square_image_shape(n_features)
        if shape is None:
            raise ValueError(
                f"{name} has {n_features} pixels per image, which is no square "
                "image: pass image_shape=(height, width)"
            )
        return shape
    shape = tuple(int(size) for size in image_shape)
    if len(shape) != 2 or shape[0] * shape[1] != n_features:
        raise ValueError(
            f"image_shape {tuple(image_shape)} does not hold the {n_features} pixels "
            f"per image of {name}"
        )
    return shape
