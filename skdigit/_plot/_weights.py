"""The weights of a linear model on pixels, shown as images."""

import numpy as np

from ._base import fitted_attribute
from ._panels import check_image_shape, panel_axes, show_image


class WeightsDisplay:
    """The weights of each class as an image: red pixels for it, blue against.

    It is recommended to use :meth:`from_estimator` to create a display. The
    parameters are stored as attributes. All panels share one colour scale,
    symmetric around zero, so that they compare.

    Parameters
    ----------
    coef : array-like of shape (n_classes, n_pixels) or (1, n_pixels)
        The weights, e.g. a fitted model's ``coef_``. A single row belongs to a
        binary problem and is shown for its positive class,
        ``display_labels[1]``.

    display_labels : array-like of shape (n_classes,)
        The class labels, e.g. a model's ``classes_``, as the panels' titles.

    image_shape : tuple of (int, int), default=None
        ``(height, width)`` of the images; by default they are square (28x28 for
        784 pixels, 8x8 for 64).

    Attributes
    ----------
    images_ : ndarray of matplotlib AxesImage
        The image of each panel, in the layout of ``axes_`` (None where there is
        no panel).

    axes_ : ndarray of matplotlib Axes
        The panels: a grid of at most five columns when ``ax`` is None or one Axes
        (None where the grid has no panel), else ``ax`` as an array.

    bounding_ax_ : matplotlib Axes or None
        The Axes split into the panels, turned off; None when ``ax`` gave one Axes
        per panel.

    colorbar_ : matplotlib Colorbar or None
        The colour scale, if drawn.

    figure_ : matplotlib Figure
        Figure containing the panels.

    See Also
    --------
    LossCurveDisplay : The training loss of a fitted model.
    GDLogisticRegression : A model whose weights are one per pixel.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import load_digits
    >>> from skdigit import GDLogisticRegression, WeightsDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> model = GDLogisticRegression(learning_rate=1e-3, max_iter=20).fit(X, y)
    >>> display = WeightsDisplay.from_estimator(model)
    >>> display.axes_.shape, display.axes_[0, 3].get_title()
    ((2, 5), '3')
    >>> display.images_[0, 3].get_array().shape
    (8, 8)
    >>> plt.show()
    """

    def __init__(self, *, coef, display_labels, image_shape=None):
        self.coef = coef
        self.display_labels = display_labels
        self.image_shape = image_shape

    def plot(self, *, ax=None, cmap="RdBu_r", colorbar=True):
        """Plot one image of weights per class.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of Axes, default=None
            Where to draw: by default a new figure made with pyplot; one Axes is
            turned off and split into a grid of panels; several Axes get one panel
            each (as in scikit-learn's ``PartialDependenceDisplay``).

        cmap : str or matplotlib Colormap, default="RdBu_r"
            The colours, from the most negative weight to the most positive.

        colorbar : bool, default=True
            Whether to draw the colour scale.

        Returns
        -------
        display : WeightsDisplay
            The display, with ``images_``, ``axes_``, ``bounding_ax_``,
            ``colorbar_`` and ``figure_``.

        Examples
        --------
        >>> import numpy as np
        >>> from matplotlib.figure import Figure
        >>> from skdigit import WeightsDisplay
        >>> display = WeightsDisplay(
        ...     coef=np.eye(3, 4), display_labels=["a", "b", "c"], image_shape=(2, 2)
        ... )
        >>> display.plot(ax=Figure().subplots(1, 3), colorbar=False)
        <skdigit._plot._weights.WeightsDisplay object at ...>
        >>> display.images_[1].get_array().tolist()
        [[0.0, 1.0], [0.0, 0.0]]
        """
        coef = _check_coef(self.coef)
        titles = _panel_titles(len(coef), np.asarray(self.display_labels))
        shape = check_image_shape(coef.shape[1], self.image_shape, name="coef")
        self.figure_, self.bounding_ax_, self.axes_ = panel_axes(
            ax, len(titles), panel_inches=(1.9, 1.9), margin_inches=(1.2, 0.6)
        )
        # One zero-centred scale: equal colours mean equal weights everywhere.
        limit = float(np.abs(coef).max()) or 1.0
        self.images_ = np.full(self.axes_.shape, None, dtype=object)
        panels = self.axes_.ravel()[: len(titles)]
        for index, (panel, weights, title) in enumerate(
            zip(panels, coef, titles, strict=True)
        ):
            self.images_.flat[index] = show_image(
                panel,
                weights.reshape(shape),
                title,
                cmap=cmap,
                vmin=-limit,
                vmax=limit,
            )
        self.colorbar_ = None
        if colorbar:
            self.colorbar_ = self.figure_.colorbar(
                self.images_.flat[0], ax=list(panels), shrink=0.9
            )
            self.colorbar_.set_label("weight (red: for, blue: against)")
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        display_labels=None,
        image_shape=None,
        ax=None,
        cmap="RdBu_r",
        colorbar=True,
    ):
        """Plot the weights of a fitted linear model on pixels.

        Parameters
        ----------
        estimator : estimator instance
            A fitted model with ``coef_`` and ``classes_``, one weight per pixel
            (:class:`GDLogisticRegression`, or scikit-learn's linear models), or a
            pipeline ending in one.

        display_labels : array-like of shape (n_classes,), default=None
            The panels' titles; by default the model's ``classes_``.

        image_shape : tuple of (int, int), default=None
            ``(height, width)`` of the images; by default square.

        ax : matplotlib Axes or array-like of Axes, default=None
            Where to draw; see :meth:`plot`.

        cmap : str or matplotlib Colormap, default="RdBu_r"
            The colours, from the most negative weight to the most positive.

        colorbar : bool, default=True
            Whether to draw the colour scale.

        Returns
        -------
        display : WeightsDisplay

        Examples
        --------
        A binary model has one image, for its positive class:

        >>> import numpy as np
        >>> from matplotlib.figure import Figure
        >>> from skdigit import GDLogisticRegression, WeightsDisplay
        >>> X = np.eye(4)
        >>> model = GDLogisticRegression(max_iter=3).fit(X, [0, 1, 1, 0])
        >>> figure = Figure()  # a figure without pyplot
        >>> display = WeightsDisplay.from_estimator(
        ...     model, display_labels=["other", "seven"], ax=figure.add_subplot()
        ... )
        >>> display.axes_[0, 0].get_title(), display.images_[0, 0].get_array().shape
        ('positive class: seven', (2, 2))
        """
        model, coef = fitted_attribute(estimator, "coef_", cls.__name__)
        if display_labels is None:
            display_labels = model.classes_
        return cls(
            coef=coef, display_labels=display_labels, image_shape=image_shape
        ).plot(ax=ax, cmap=cmap, colorbar=colorbar)


def _check_coef(coef):
    coef = np.asarray(coef, dtype=np.float64)
    if coef.ndim == 1:
        coef = coef[np.newaxis, :]
    if coef.ndim != 2 or coef.shape[0] == 0:
        raise ValueError(
            f"coef must be a 2-D array (n_classes, n_pixels); got shape {coef.shape}"
        )
    if not np.isfinite(coef).all():
        raise ValueError("coef must hold finite weights (training may have diverged)")
    return coef


def _panel_titles(n_rows, labels):
    if labels.ndim != 1:
        raise ValueError(f"display_labels must be 1-D; got shape {labels.shape}")
    if n_rows == 1 and labels.size == 2:
        return [f"positive class: {labels[1]}"]
    if n_rows != labels.size:
        raise ValueError(
            f"display_labels has {labels.size} labels but coef has {n_rows} rows; "
            "expected one row per class, or one row and two classes for a binary "
            "problem"
        )
    return [str(label) for label in labels]
