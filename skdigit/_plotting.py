"""Figures for a fitted gradient-descent logistic regression.

Every function takes plain arrays (the estimator's ``loss_curve_``, ``coef_`` and
``classes_``, or test images and labels) and returns a
:class:`matplotlib.figure.Figure` built without pyplot: no GUI backend and no
global figure registry are involved, so the functions work headless and from
several threads. They never write files; :func:`save_figure` does that.

matplotlib is an optional dependency and is imported only inside the functions.
"""

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ._files import atomic_write
from ._optional import import_optional

__all__ = [
    "plot_loss_curve",
    "plot_misclassified",
    "plot_weight_images",
    "save_figure",
]

# Inches per image panel in the weight and digit galleries.
_PANEL_INCHES = 1.9
_MAX_COLUMNS = 5


def _new_figure(**kwargs):
    figure = import_optional("matplotlib.figure", needed_for="plotting")
    return figure.Figure(layout="constrained", **kwargs)


# --------------------------------------------------------------------------- loss


def plot_loss_curve(loss_curve, *, ax=None, title="Training loss", log_scale="auto"):
    """Plot the training loss against the gradient-descent iteration.

    Parameters
    ----------
    loss_curve : sequence of float or dict of str to sequence of float
        The mean log-loss after each iteration, e.g. a fitted estimator's
        ``loss_curve_``. A dict draws one labelled curve per entry, e.g. to
        compare learning rates.
    ax : matplotlib Axes, default=None
        Axes to draw into. By default a new figure is created.
    title : str, default="Training loss"
        Title of the axes.
    log_scale : {"auto", True, False}, default="auto"
        Whether the loss axis is logarithmic. ``"auto"`` uses a log scale when
        the finite, positive losses span more than a factor of 10.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure holding the plot (the figure of ``ax`` when given).

    Examples
    --------
    >>> from skdigit._plotting import plot_loss_curve
    >>> fig = plot_loss_curve([0.69, 0.41, 0.33, 0.30])
    >>> ax = fig.axes[0]
    >>> ax.get_xlabel(), ax.get_ylabel(), ax.get_yscale()
    ('iteration', 'mean log-loss', 'linear')
    >>> fig = plot_loss_curve({"lr=0.1": [0.69, 0.5], "lr=1": [0.69, 0.05]})
    >>> len(fig.axes[0].get_lines()), fig.axes[0].get_yscale()
    (2, 'log')
    """
    curves = _check_curves(loss_curve)
    if log_scale not in ("auto", True, False):
        raise ValueError(f"log_scale must be 'auto', True or False; got {log_scale!r}")
    if ax is None:
        fig = _new_figure(figsize=(6.4, 4.0))
        ax = fig.add_subplot()
    else:
        fig = ax.figure

    for label, curve in curves.items():
        # loss_curve_[i] is the loss the notebook prints as "Iteration i".
        iterations = np.arange(len(curve))
        text = None if label is None else f"{label} (final {_final_finite(curve):.4g})"
        # A dot on the last iteration marks where the final loss is read.
        ax.plot(
            iterations,
            curve,
            linewidth=1.8,
            marker="o",
            markersize=5,
            markevery=[len(curve) - 1],
            label=text,
        )
    if None in curves:
        # A single curve has no legend, so the final loss is written by its end.
        curve = curves[None]
        ax.annotate(
            f"final: {_final_finite(curve):.4g}",
            xy=(len(curve), curve[-1]),
            xytext=(-8, 10),
            textcoords="offset points",
            ha="right",
            fontsize=10,
        )
    else:
        ax.legend(fontsize=9, frameon=False)

    if log_scale == "auto":
        log_scale = _spans_a_decade(curves.values())
    ax.set_yscale("log" if log_scale else "linear")
    ax.set_xlabel("iteration")
    ax.set_ylabel("mean log-loss")
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.set_xlim(left=0)
    return fig


def _check_curves(loss_curve):
    """Return the curves as a dict of label (None for a single curve) to array."""
    items = (
        loss_curve.items() if isinstance(loss_curve, Mapping) else [(None, loss_curve)]
    )
    curves = {}
    for label, curve in items:
        curve = np.asarray(curve, dtype=np.float64)
        if curve.ndim != 1 or curve.size == 0:
            raise ValueError(
                "loss_curve must be a non-empty 1-D sequence of losses (or a dict of "
                f"them); got shape {curve.shape}"
                + ("" if label is None else f" for {label!r}")
            )
        curves[label] = curve
    if not curves:
        raise ValueError("loss_curve must hold at least one curve; got an empty dict")
    return curves


def _final_finite(curve):
    # A diverging run ends in inf/nan; report the last loss that was a number.
    finite = curve[np.isfinite(curve)]
    return finite[-1] if finite.size else float("nan")


def _spans_a_decade(curves):
    values = np.concatenate(list(curves))
    values = values[np.isfinite(values) & (values > 0)]
    return values.size > 0 and values.max() > 10 * values.min()


# ------------------------------------------------------------------------ weights


def plot_weight_images(coef, classes, *, image_shape=None):
    """Show the weights of each class as an image.

    Red pixels are evidence for the class, blue ones against it. All panels share
    one colour scale, symmetric around zero, so that they can be compared.

    Parameters
    ----------
    coef : array-like of shape (n_classes, n_features) or (1, n_features)
        The fitted weights, e.g. an estimator's ``coef_``. A single row belongs
        to a binary problem and is shown for its positive class ``classes[1]``.
    classes : array-like of shape (n_classes,)
        The class labels, e.g. an estimator's ``classes_``.
    image_shape : tuple of (int, int), default=None
        (height, width) of the images. By default the images are square: 28x28
        for 784 features, 8x8 for 64.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One panel per class (at most five per row) and a colour bar.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._plotting import plot_weight_images
    >>> coef = np.random.default_rng(0).normal(size=(10, 64))
    >>> fig = plot_weight_images(coef, classes=np.arange(10))
    >>> len(fig.axes)  # 10 panels and the colour bar
    11
    >>> fig.axes[3].get_title()
    '3'
    >>> fig = plot_weight_images(coef[:1], classes=["other", "seven"])
    >>> fig.axes[0].get_title()
    'positive class: seven'
    """
    coef = np.asarray(coef, dtype=np.float64)
    if coef.ndim == 1:
        coef = coef[np.newaxis, :]
    if coef.ndim != 2 or coef.shape[0] == 0:
        raise ValueError(
            f"coef must be a 2-D array (n_classes, n_features); got shape {coef.shape}"
        )
    classes = np.asarray(classes)
    titles = _weight_titles(coef.shape[0], classes)
    shape = _image_shape(coef.shape[1], image_shape)
    if not np.isfinite(coef).all():
        raise ValueError("coef must hold finite weights (training may have diverged)")

    # One shared, zero-centred scale: equal colours mean equal weights everywhere.
    limit = float(np.abs(coef).max()) or 1.0
    n_rows, n_cols = _grid(len(titles))
    fig = _new_figure(
        figsize=(n_cols * _PANEL_INCHES + 1.0, n_rows * _PANEL_INCHES + 0.6)
    )
    axes = fig.subplots(n_rows, n_cols, squeeze=False).ravel()
    for ax, weights, title in zip(axes, coef, titles, strict=False):
        image = ax.imshow(
            weights.reshape(shape), cmap="RdBu_r", vmin=-limit, vmax=limit
        )
        ax.set_title(title, fontsize=11)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[len(titles) :]:
        fig.delaxes(ax)
    colorbar = fig.colorbar(image, ax=axes[: len(titles)].tolist(), shrink=0.9)
    colorbar.set_label("weight")
    # Narrow figures (binary problems) need the key on a line of its own.
    heading = "Weights per class " if n_cols >= 3 else "Weights\n"
    fig.suptitle(f"{heading}(red: for, blue: against)", fontsize=12)
    return fig


def _weight_titles(n_rows, classes):
    if classes.ndim != 1:
        raise ValueError(f"classes must be 1-D; got shape {classes.shape}")
    if n_rows == 1 and classes.size == 2:
        return [f"positive class: {classes[1]}"]
    if n_rows != classes.size:
        raise ValueError(
            f"classes has {classes.size} labels but coef has {n_rows} rows; expected "
            "one row per class, or one row and two classes for a binary problem"
        )
    return [str(label) for label in classes]


def _image_shape(n_features, image_shape):
    if image_shape is None:
        side = math.isqrt(n_features)
        if side * side != n_features:
            raise ValueError(
                f"{n_features} features are not a square image; pass image_shape="
                "(height, width)"
            )
        return (side, side)
    shape = tuple(int(size) for size in image_shape)
    if len(shape) != 2 or shape[0] * shape[1] != n_features:
        raise ValueError(
            f"image_shape {tuple(image_shape)} does not hold {n_features} pixels"
        )
    return shape


def _grid(n_panels):
    n_cols = min(n_panels, _MAX_COLUMNS)
    return math.ceil(n_panels / n_cols), n_cols


# ------------------------------------------------------------------ misclassified


def plot_misclassified(images, y_true, y_pred, *, max_images=25, image_shape=None):
    """Show a gallery of the digits the model got wrong.

    Digits are drawn dark on white paper, each titled with its true and predicted
    labels, in the order they appear in ``images``.

    Parameters
    ----------
    images : array-like of shape (n_samples, n_features) or (n_samples, height, width)
        The test images as pixel intensities (not standardised features).
    y_true : array-like of shape (n_samples,)
        The true labels.
    y_pred : array-like of shape (n_samples,)
        The predicted labels.
    max_images : int, default=25
        The most digits to show (the first misclassified ones).
    image_shape : tuple of (int, int), default=None
        (height, width) for flat images. By default the images are square.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One panel per shown digit, or a figure saying "no misclassified digits".

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._plotting import plot_misclassified
    >>> images = np.zeros((3, 64))
    >>> fig = plot_misclassified(images, [4, 1, 7], [9, 1, 1])
    >>> [ax.get_title() for ax in fig.axes]
    ['true 4 / pred 9', 'true 7 / pred 1']
    """
    images = np.asarray(images)
    if images.ndim not in (2, 3):
        raise ValueError(
            "images must be 2-D (n_samples, n_features) or 3-D (n_samples, height, "
            f"width); got shape {images.shape}"
        )
    y_true = _check_labels(y_true, "y_true", len(images))
    y_pred = _check_labels(y_pred, "y_pred", len(images))
    if isinstance(max_images, bool) or not isinstance(max_images, int | np.integer):
        raise ValueError(f"max_images must be a positive int; got {max_images!r}")
    if max_images < 1:
        raise ValueError(f"max_images must be a positive int; got {max_images}")
    if images.ndim == 2:
        images = images.reshape(
            len(images), *_image_shape(images.shape[1], image_shape)
        )

    wrong = np.flatnonzero(y_true != y_pred)
    if wrong.size == 0:
        return _message_figure("no misclassified digits")
    shown = wrong[:max_images]
    n_rows, n_cols = _grid(len(shown))
    fig = _new_figure(
        figsize=(n_cols * _PANEL_INCHES * 0.8, n_rows * _PANEL_INCHES * 0.9 + 0.5)
    )
    axes = fig.subplots(n_rows, n_cols, squeeze=False).ravel()
    for ax, index in zip(axes, shown, strict=False):
        ax.imshow(images[index], cmap="gray_r", interpolation="nearest")
        ax.set_title(f"true {y_true[index]} / pred {y_pred[index]}", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[len(shown) :]:
        fig.delaxes(ax)
    heading = f"Misclassified digits: {wrong.size} of {len(images)}"
    if len(shown) < wrong.size:
        heading += f" (first {len(shown)} shown)"
    fig.suptitle(heading, fontsize=12)
    return fig


def _check_labels(labels, name, n_samples):
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != n_samples:
        raise ValueError(
            f"{name} must be 1-D with one label per image ({n_samples}); got shape "
            f"{labels.shape}"
        )
    return labels


def _message_figure(message):
    fig = _new_figure(figsize=(4.0, 1.5))
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=13)
    ax.set_axis_off()
    return fig


# ------------------------------------------------------------------------- saving


def save_figure(fig, path, *, dpi=150):
    """Save a figure, replacing ``path`` only once the file is complete.

    The figure is written to a temporary file in the same folder, which then
    atomically replaces ``path``: a reader never sees a half-written image, and
    a failure leaves any previous file untouched.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save.
    path : str or path-like
        Where to save it. The format follows the suffix (``.png``, ``.pdf``,
        ``.svg``, ...); a path without a suffix gets PNG data.
    dpi : float, default=150
        Resolution of raster formats, in dots per inch.

    Returns
    -------
    path : pathlib.Path
        The path written.

    Raises
    ------
    FileNotFoundError
        If the folder of ``path`` does not exist.
    ValueError
        If the suffix of ``path`` is not a format matplotlib can write.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skdigit._plotting import plot_loss_curve, save_figure
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     saved = save_figure(plot_loss_curve([0.7, 0.4]), Path(folder) / "loss.png")
    ...     saved.name, saved.read_bytes()[:4]
    ('loss.png', b'\\x89PNG')
    """
    path = Path(path)
    file_format = path.suffix[1:].lower() or "png"
    supported = fig.canvas.get_supported_filetypes()
    if file_format not in supported:
        raise ValueError(
            f"path {str(path)!r} has an unknown image format {path.suffix!r}; use "
            f"one of: {', '.join('.' + name for name in sorted(supported))}"
        )
    with atomic_write(path) as file:
        fig.savefig(file, format=file_format, dpi=dpi)
    return path
