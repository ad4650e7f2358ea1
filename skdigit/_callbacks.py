"""scikit-learn's callbacks (``sklearn.callback``, new in 1.9) for the fit's iterations.

Each iteration of gradient descent is one callback task, a child of the fit's root
task, whose ``on_fit_task_end`` sees the weights after that iteration's update (as
``coef_`` and ``intercept_`` of the ``fitted_estimator`` it may ask for), and may stop
the fit by returning True. On scikit-learn < 1.9 there are no callbacks: the mixin
is empty, the decorator does nothing and the hooks only print the notebook's lines
when ``verbose`` asks for them.
"""

from ._solver import IterationHooks

try:
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # scikit-learn < 1.9
    HAVE_CALLBACKS = False

    class CallbackSupportMixin:
        """Callbacks need scikit-learn 1.9 or newer."""

    def with_callbacks(method):
        """Without callbacks there is nothing to set up or tear down."""
        return method

else:
    HAVE_CALLBACKS = True

# The notebook's progress line, kept character for character.
ITERATION_LINE = "Iteration %4d => Loss: %.20f"


class FitHooks(IterationHooks):
    """The estimator's per-iteration hooks: callback tasks and the notebook's lines.

    Parameters
    ----------
    estimator : GDLogisticRegression
        The estimator being fitted, with ``fit``'s root callback context set up.
    X, y, metadata
        What the callbacks are told about the fit's data.
    fitted_attributes : callable
        ``fitted_attributes(coef, intercept, losses)`` -> the dict of attributes that
        make a fitted estimator at those weights, after those losses.
    max_iter : int
    verbose : bool
        Print ``Iteration    i => Loss: ...`` at each iteration.
    """

    def __init__(
        self, estimator, *, X, y, metadata, fitted_attributes, max_iter, verbose
    ):
        self.estimator = estimator
        self.data = {"X": X, "y": y, "metadata": metadata}
        self.fitted_attributes = fitted_attributes
        self.verbose = verbose
        self.losses = []
        self.root = None
        self.task = None
        if HAVE_CALLBACKS:
            self.root = estimator._init_callback_context(max_subtasks=max_iter)
            self.root.call_on_fit_task_begin(estimator=estimator, **self.data)

    def begin(self, iteration, coef, intercept):
        if self.root is None:
            return
        self.task = self.root.subcontext(task_name="iteration")
        self.task.call_on_fit_task_begin(
            estimator=self.estimator,
            reconstruction_attributes=self._attributes(coef, intercept),
            **self.data,
        )

    def end(self, iteration, loss, coef, intercept):
        self.losses.append(loss)
        if self.verbose:
            print(ITERATION_LINE % (iteration, loss))
        if self.task is None:
            return False
        task, self.task = self.task, None
        return bool(
            task.call_on_fit_task_end(
                estimator=self.estimator,
                reconstruction_attributes=self._attributes(coef, intercept),
                **self.data,
            )
        )

    def finish(self, attributes):
        """End the fit's root task with the final fitted attributes."""
        if self.task is not None:
            # Ctrl-C or an error ended an iteration half-way: close its task empty.
            self.task.call_on_fit_task_end(estimator=self.estimator)
        if self.root is not None:
            self.root.call_on_fit_task_end(
                estimator=self.estimator,
                reconstruction_attributes=attributes,
                **self.data,
            )

    def _attributes(self, coef, intercept):
        # Built only if a callback asks for a fitted estimator.
        losses = list(self.losses)
        return lambda: self.fitted_attributes(coef, intercept, losses)
