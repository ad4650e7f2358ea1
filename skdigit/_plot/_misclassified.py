"""The digits a model gets wrong, each with its true and predicted label."""

from numbers import Integral

import numpy as np

from ._panels import check_image_shape, panel_axes, show_image


class MisclassifiedDigitsDisplay:
    """A gallery of the digits a model got wrong.

    It is recommended to use :meth:`from_estimator` or :meth:`from_predictions` to
    create a display. The parameters are stored as attributes. Digits are drawn
    dark on white paper, each titled with its true and predicted labels, in the
    order they come in ``images``.

    Parameters
    ----------
    images : ndarray of shape (n_samples, height, width)
        The images, as pixel intensities (not standardised features).

    y_true : ndarray of shape (n_samples,)
        The true labels.

    y_pred : ndarray of shape (n_samples,)
        The predicted labels.

    Attributes
    ----------
    misclassified_ : ndarray of int
        The indices of all the misclassified images, shown or not.

    axes_ : ndarray of matplotlib Axes
        The panels: a grid of at most five columns when ``ax`` is None or one Axes
        (None where the grid has no panel), else ``ax`` as an array. With no
        mistake, one panel that says so.

    bounding_ax_ : matplotlib Axes or None
        The Axes split into the panels, turned off; None when ``ax`` gave one Axes
        per panel.

    figure_ : matplotlib Figure
        Figure containing the panels. When the display made it, its title counts
        the mistakes.

    See Also
    --------
    sklearn.metrics.ConfusionMatrixDisplay : Which digits are taken for which.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import load_digits
    >>> from skdigit import GDLogisticRegression, MisclassifiedDigitsDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> model = GDLogisticRegression(learning_rate=1e-3, max_iter=20).fit(X, y)
    >>> display = MisclassifiedDigitsDisplay.from_estimator(
    ...     model, X[:200], y[:200], max_images=10
    ... )
    >>> display.figure_.get_suptitle()
    'Misclassified digits: ... of 200 (first 10 shown)'
    >>> plt.show()
    """

    def __init__(self, *, images, y_true, y_pred):
        self.images = images
        self.y_true = y_true
        self.y_pred = y_pred

    def plot(self, *, ax=None, max_images=25, cmap="gray_r"):
        """Plot the first misclassified digits.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of Axes, default=None
            Where to draw: by default a new figure made with pyplot; one Axes is
            turned off and split into a grid of panels; several Axes get one panel
            each (as in scikit-learn's ``PartialDependenceDisplay``).

        max_images : int, default=25
            The most digits to show (the first misclassified ones).

        cmap : str or matplotlib Colormap, default="gray_r"
            The colours, from no ink to the most.

        Returns
        -------
        display : MisclassifiedDigitsDisplay
            The display, with ``misclassified_``, ``axes_``, ``bounding_ax_`` and
            ``figure_``.

        Examples
        --------
        >>> import numpy as np
        >>> from matplotlib.figure import Figure
        >>> from skdigit import MisclassifiedDigitsDisplay
        >>> display = MisclassifiedDigitsDisplay(
        ...     images=np.zeros((3, 8, 8)), y_true=[1, 2, 3], y_pred=[1, 5, 3]
        ... )
        >>> display.plot(ax=Figure().add_subplot()).misclassified_
        array([1])
        >>> display.axes_[0, 0].get_title()
        'true 2 / pred 5'
        """
        if isinstance(max_images, bool) or not isinstance(max_images, Integral):
            raise ValueError(f"max_images must be a positive int; got {max_images!r}")
        if max_images < 1:
            raise ValueError(f"max_images must be a positive int; got {max_images}")
        y_true, y_pred = np.asarray(self.y_true), np.asarray(self.y_pred)
        self.misclassified_ = np.flatnonzero(y_true != y_pred)
        shown = self.misclassified_[:max_images]
        made_figure = ax is None
        self.figure_, self.bounding_ax_, self.axes_ = panel_axes(
            ax, max(len(shown), 1), panel_inches=(1.5, 1.7), margin_inches=(0.0, 0.5)
        )
        panels = self.axes_.ravel()
        if shown.size == 0:
            panels[0].text(0.5, 0.5, "no misclassified digits", ha="center")
            panels[0].set_axis_off()
        for panel, index in zip(panels, shown, strict=False):
            show_image(
                panel,
                self.images[index],
                f"true {y_true[index]} / pred {y_pred[index]}",
                cmap=cmap,
                interpolation="nearest",
            )
        if made_figure and shown.size:
            heading = (
                f"Misclassified digits: {self.misclassified_.size} of {len(y_true)}"
            )
            if shown.size < self.misclassified_.size:
                heading += f" (first {shown.size} shown)"
            self.figure_.suptitle(heading, fontsize=12)
        return self

    @classmethod
    def from_estimator(
        cls, estimator, X, y, *, image_shape=None, max_images=25, ax=None, cmap="gray_r"
    ):
        """Plot the digits of ``X`` that a fitted model gets wrong.

        Parameters
        ----------
        estimator : estimator instance
            A fitted classifier (or a pipeline ending in one) that predicts from
            the pixels ``X``.

        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            The images; flat ones are made ``image_shape`` images to be shown.

        y : array-like of shape (n_samples,)
            The true labels.

        image_shape : tuple of (int, int), default=None
            ``(height, width)`` of flat images; by default square.

        max_images : int, default=25
            The most digits to show (the first misclassified ones).

        ax : matplotlib Axes or array-like of Axes, default=None
            Where to draw; see :meth:`plot`.

        cmap : str or matplotlib Colormap, default="gray_r"
            The colours, from no ink to the most.

        Returns
        -------
        display : MisclassifiedDigitsDisplay
        """
        X = np.asarray(X)
        flat = X.reshape(len(X), -1) if X.ndim == 3 else X
        return cls.from_predictions(
            y,
            estimator.predict(flat),
            images=X,
            image_shape=image_shape,
            max_images=max_images,
            ax=ax,
            cmap=cmap,
        )

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_pred,
        *,
        images,
        image_shape=None,
        max_images=25,
        ax=None,
        cmap="gray_r",
    ):
        """Plot the images whose predicted label is not the true one.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            The true labels.

        y_pred : array-like of shape (n_samples,)
            The predicted labels.

        images : array-like of shape (n_samples, n_pixels) or \
                (n_samples, height, width)
            The images, as pixel intensities.

        image_shape : tuple of (int, int), default=None
            ``(height, width)`` of flat images; by default square.

        max_images : int, default=25
            The most digits to show (the first misclassified ones).

        ax : matplotlib Axes or array-like of Axes, default=None
            Where to draw; see :meth:`plot`.

        cmap : str or matplotlib Colormap, default="gray_r"
            The colours, from no ink to the most.

        Returns
        -------
        display : MisclassifiedDigitsDisplay

        Examples
        --------
        >>> import numpy as np
        >>> from matplotlib.figure import Figure
        >>> from skdigit import MisclassifiedDigitsDisplay
        >>> display = MisclassifiedDigitsDisplay.from_predictions(
        ...     [4, 1, 7], [9, 1, 1], images=np.zeros((3, 64)),
        ...     ax=Figure().add_subplot(),  # a figure without pyplot
        ... )
        >>> display.misclassified_
        array([0, 2])
        >>> [panel.get_title() for panel in display.axes_.ravel() if panel]
        ['true 4 / pred 9', 'true 7 / pred 1']
        """
        images = np.asarray(images)
        if images.ndim not in (2, 3):
            raise ValueError(
                "images must be 2-D (n_samples, n_pixels) or 3-D (n_samples, height, "
                f"width); got shape {images.shape}"
            )
        if images.ndim == 2:
            shape = check_image_shape(images.shape[1], image_shape, name="images")
            images = images.reshape(len(images), *shape)
        y_true = _check_labels(y_true, "y_true", len(images))
        y_pred = _check_labels(y_pred, "y_pred", len(images))
        return cls(images=images, y_true=y_true, y_pred=y_pred).plot(
            ax=ax, max_images=max_images, cmap=cmap
        )


def _check_labels(labels, name, n_samples):
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != n_samples:
        raise ValueError(
            f"{name} must be 1-D with one label per image ({n_samples}); got shape "
            f"{labels.shape}"
        )
    return labels
