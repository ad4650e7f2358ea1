"""The training loss of a gradient-descent fit, iteration by iteration."""

import numpy as np

from ._base import fitted_attribute, new_figure


class LossCurveDisplay:
    """Training loss against the iteration of gradient descent.

    It is recommended to use :meth:`from_estimator` to create a display. The
    parameters are stored as attributes. Several curves compare on one Axes: pass
    the ``ax_`` of the first display, and a ``name`` for each, to the next.

    Parameters
    ----------
    loss_curve : array-like of shape (n_iter,)
        The loss at each iteration, e.g. a fitted estimator's ``loss_curve_``
        (:class:`GDLogisticRegression`'s measures it before each update, so the
        first is the loss of the zero start).

    name : str, default=None
        The curve's label in the legend. Without a name there is no legend, and the
        final loss is written by the curve's end.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The loss curve.

    ax_ : matplotlib Axes
        Axes with the loss curve.

    figure_ : matplotlib Figure
        Figure containing the curve.

    See Also
    --------
    WeightsDisplay : The weights of a fitted model, as images.
    GDLogisticRegression : Records its ``loss_curve_`` while it fits.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import load_digits
    >>> from skdigit import GDLogisticRegression, LossCurveDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> slow = GDLogisticRegression(learning_rate=1e-4, max_iter=50).fit(X, y == 4)
    >>> fast = GDLogisticRegression(learning_rate=1e-3, max_iter=50).fit(X, y == 4)
    >>> display = LossCurveDisplay.from_estimator(slow, name="learning rate 1e-4")
    >>> display = LossCurveDisplay.from_estimator(
    ...     fast, ax=display.ax_, name="learning rate 1e-3"
    ... )
    >>> [text.get_text() for text in display.ax_.get_legend().get_texts()]
    ['learning rate 1e-4 (final 0.3008)', 'learning rate 1e-3 (final 0.1522)']
    >>> plt.show()
    """

    def __init__(self, *, loss_curve, name=None):
        self.loss_curve = loss_curve
        self.name = name

    def plot(self, *, ax=None, name=None, log_scale="auto"):
        """Plot the loss curve.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw into. By default a new figure is made with pyplot.

        name : str, default=None
            The curve's label in the legend; by default ``self.name``.

        log_scale : {"auto", True, False}, default="auto"
            Whether the loss axis is logarithmic. ``"auto"`` makes it so when the
            finite, positive losses of all the curves on the Axes span more than
            a factor of 10.

        Returns
        -------
        display : LossCurveDisplay
            The display, with ``line_``, ``ax_`` and ``figure_``.

        Examples
        --------
        >>> from matplotlib.figure import Figure
        >>> from skdigit import LossCurveDisplay
        >>> display = LossCurveDisplay(loss_curve=[0.69, 0.41, 0.33, 0.30])
        >>> ax = Figure().add_subplot()  # a figure without pyplot
        >>> display.plot(ax=ax).ax_.get_yscale()
        'linear'
        >>> [text.get_text() for text in ax.texts]
        ['final: 0.3']
        """
        curve = _check_loss_curve(self.loss_curve)
        if log_scale not in ("auto", True, False):
            raise ValueError(
                f"log_scale must be 'auto', True or False; got {log_scale!r}"
            )
        name = self.name if name is None else name
        if ax is None:
            ax = new_figure((6.4, 4.0)).add_subplot()

        final = _final_finite(curve)
        # loss_curve_[i] is the loss the notebook prints as "Iteration i"; a dot on
        # the last iteration marks where the final loss is read.
        (self.line_,) = ax.plot(
            np.arange(len(curve)),
            curve,
            linewidth=1.8,
            marker="o",
            markersize=5,
            markevery=[len(curve) - 1],
            label=None if name is None else f"{name} (final {final:.4g})",
        )
        if name is None:
            ax.annotate(
                f"final: {final:.4g}",
                xy=(len(curve), curve[-1]),
                xytext=(-8, 10),
                textcoords="offset points",
                ha="right",
                fontsize=10,
            )
        else:
            ax.legend(fontsize=9, frameon=False)
        if log_scale == "auto":
            log_scale = _spans_a_decade([line.get_ydata() for line in ax.get_lines()])
        ax.set_yscale("log" if log_scale else "linear")
        ax.set(xlabel="iteration", ylabel="mean log-loss")
        ax.grid(True, which="major", alpha=0.3)
        ax.set_xlim(left=0)
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, log_scale="auto"):
        """Plot the loss curve of a fitted estimator.

        Parameters
        ----------
        estimator : estimator instance
            A fitted estimator with ``loss_curve_`` (:class:`GDLogisticRegression`,
            or scikit-learn's ``MLPClassifier``), or a pipeline ending in one.

        ax : matplotlib Axes, default=None
            Axes to draw into. By default a new figure is made with pyplot.

        name : str, default=None
            The curve's label in the legend; without one there is no legend.

        log_scale : {"auto", True, False}, default="auto"
            Whether the loss axis is logarithmic; see :meth:`plot`.

        Returns
        -------
        display : LossCurveDisplay

        Examples
        --------
        >>> import numpy as np
        >>> from matplotlib.figure import Figure
        >>> from skdigit import GDLogisticRegression, LossCurveDisplay
        >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
        >>> model = GDLogisticRegression(learning_rate=1.0, max_iter=5).fit(
        ...     X, [0, 1, 1, 0]
        ... )
        >>> ax = Figure().add_subplot()  # a figure without pyplot
        >>> display = LossCurveDisplay.from_estimator(model, ax=ax)
        >>> display.line_.get_xdata().tolist()
        [0, 1, 2, 3, 4]
        >>> display.ax_.get_xlabel(), display.ax_.get_ylabel()
        ('iteration', 'mean log-loss')
        """
        _, loss_curve = fitted_attribute(estimator, "loss_curve_", cls.__name__)
        return cls(loss_curve=loss_curve, name=name).plot(ax=ax, log_scale=log_scale)


def _check_loss_curve(loss_curve):
    curve = np.asarray(loss_curve, dtype=np.float64)
    if curve.ndim != 1 or curve.size == 0:
        raise ValueError(
            "loss_curve must be a non-empty 1-D sequence of losses; got shape "
            f"{curve.shape}"
        )
    return curve


def _final_finite(curve):
    # A diverging run ends in inf/nan; report the last loss that was a number.
    finite = curve[np.isfinite(curve)]
    return finite[-1] if finite.size else float("nan")


def _spans_a_decade(curves):
    values = np.concatenate([np.asarray(curve, dtype=np.float64) for curve in curves])
    values = values[np.isfinite(values) & (values > 0)]
    return values.size > 0 and values.max() > 10 * values.min()
