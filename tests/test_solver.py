"""The gradient-descent loop: updates, dtypes, hooks, stopping, divergence, Ctrl-C."""

import numpy as np
import pytest

from skdigit._kernels import make_objective
from skdigit._solver import (
    DivergenceError,
    IterationHooks,
    _NesterovDescent,
    _State,
    gradient_descent,
)

from ._problems import make_problem


def objective_for(problem, link="sigmoid"):
    X, Y, weights, _, _ = problem
    return make_objective(X, Y, weights, link=link)


def test_float32_stays_float32():
    problem = make_problem(dtype=np.float32)
    _, _, _, coef, intercept = problem
    result = gradient_descent(
        objective_for(problem), coef, intercept, learning_rate=0.1, max_iter=5
    )
    assert result.coef.dtype == result.intercept.dtype == np.float32
    assert all(isinstance(loss, float) for loss in result.loss_curve)


def test_gradient_descent_does_not_modify_its_starting_weights():
    problem = make_problem()
    _, _, _, coef, intercept = problem
    coef_before, intercept_before = coef.copy(), intercept.copy()
    gradient_descent(
        objective_for(problem), coef, intercept, learning_rate=0.1, max_iter=3
    )
    np.testing.assert_array_equal(coef, coef_before)
    np.testing.assert_array_equal(intercept, intercept_before)


class Recorder(IterationHooks):
    def __init__(self, stop_after=None):
        self.begun, self.ended = [], []
        self.stop_after = stop_after

    def begin(self, iteration, coef, intercept):
        self.begun.append((iteration, coef.copy()))

    def end(self, iteration, loss, coef, intercept):
        self.ended.append((iteration, loss, coef.copy()))
        return self.stop_after is not None and len(self.ended) >= self.stop_after


def test_hooks_see_each_iteration_its_loss_and_the_updated_weights():
    problem = make_problem()
    _, _, _, coef, intercept = problem
    objective = objective_for(problem)
    hooks = Recorder()
    result = gradient_descent(
        objective,
        coef,
        intercept,
        learning_rate=0.1,
        max_iter=4,
        first_iteration=10,
        hooks=hooks,
    )
    assert [i for i, _ in hooks.begun] == [10, 11, 12, 13]
    assert [i for i, _, _ in hooks.ended] == [10, 11, 12, 13]
    assert [loss for _, loss, _ in hooks.ended] == result.loss_curve
    assert result.loss_curve[0] == objective.evaluate(coef, intercept)[0]
    # begin sees the weights the loss is evaluated at; end the weights after the
    # update, which the next iteration begins from.
    np.testing.assert_array_equal(hooks.begun[0][1], coef)
    for (_, _, after), (_, before) in zip(hooks.ended, hooks.begun[1:], strict=False):
        np.testing.assert_array_equal(after, before)
    np.testing.assert_array_equal(hooks.ended[-1][2], result.coef)
    assert result.stopped_by == "max_iter"


def test_a_hook_returning_true_stops_after_that_iteration():
    problem = make_problem()
    _, _, _, coef, intercept = problem
    hooks = Recorder(stop_after=3)
    result = gradient_descent(
        objective_for(problem),
        coef,
        intercept,
        learning_rate=0.1,
        max_iter=50,
        hooks=hooks,
    )
    assert result.stopped_by == "hook"
    assert len(result.loss_curve) == 3
    np.testing.assert_array_equal(result.coef, hooks.ended[-1][2])


def test_tol_stops_when_the_loss_no_longer_improves():
    problem = make_problem()
    _, _, _, coef, intercept = problem
    result = gradient_descent(
        objective_for(problem),
        coef,
        intercept,
        learning_rate=0.1,
        max_iter=10_000,
        tol=1e-3,
        n_iter_no_change=3,
    )
    assert result.stopped_by == "tol"
    assert len(result.loss_curve) < 10_000
    gains = -np.diff(result.loss_curve[-4:])
    assert (gains < 1e-3).all()


class InterruptAt(IterationHooks):
    """Simulates Ctrl-C in the middle of an iteration (after its loss)."""

    def __init__(self, iteration):
        self.iteration = iteration
        self.weights = {}

    def end(self, iteration, loss, coef, intercept):
        self.weights[iteration] = (coef.copy(), intercept.copy())
        return False

    def begin(self, iteration, coef, intercept):
        if iteration == self.iteration:
            raise KeyboardInterrupt


@pytest.mark.parametrize("interrupted_at", [0, 1, 4])
def test_ctrl_c_keeps_the_weights_of_the_last_finished_iteration(interrupted_at):
    problem = make_problem(n_outputs=3)
    _, _, _, coef, intercept = problem
    hooks = InterruptAt(interrupted_at)
    result = gradient_descent(
        objective_for(problem, "softmax"),
        coef,
        intercept,
        learning_rate=0.1,
        max_iter=10,
        hooks=hooks,
    )
    assert result.stopped_by == "interrupt"
    assert len(result.loss_curve) == interrupted_at
    if interrupted_at == 0:
        np.testing.assert_array_equal(result.coef, coef)
    else:
        last_coef, last_intercept = hooks.weights[interrupted_at - 1]
        np.testing.assert_array_equal(result.coef, last_coef)
        np.testing.assert_array_equal(result.intercept, last_intercept)


def test_divergence_is_an_error_naming_the_iteration_and_the_losses():
    problem = make_problem()
    X, Y, weights, coef, intercept = problem
    objective = make_objective(X * 1e3, Y, weights, link="sigmoid")
    with pytest.raises(DivergenceError, match=r"diverged at iteration \d+: the loss"):
        gradient_descent(
            objective,
            np.zeros_like(coef),
            np.zeros_like(intercept),
            learning_rate=10.0,
            max_iter=50,
        )


# ------------------------------------------------------------- the accelerated solver


def run(problem, solver, *, link="sigmoid", learning_rate=0.1, max_iter=30, **kwargs):
    _, _, _, coef, intercept = problem
    return gradient_descent(
        objective_for(problem, link),
        np.zeros_like(coef),
        np.zeros_like(intercept),
        learning_rate=learning_rate,
        solver=solver,
        max_iter=max_iter,
        **kwargs,
    )


def loss_at(problem, result, link="sigmoid"):
    return objective_for(problem, link).evaluate(result.coef, result.intercept)[0]


@pytest.mark.parametrize(("n_outputs", "link"), [(1, "sigmoid"), (3, "softmax")])
def test_nesterov_starts_like_plain_descent(n_outputs, link):
    # No momentum before the second step: the first two losses are plain descent's.
    problem = make_problem(n_outputs=n_outputs)
    plain = run(problem, "gd", link=link, max_iter=2)
    accelerated = run(problem, "nesterov", link=link, max_iter=2)
    assert accelerated.loss_curve == plain.loss_curve
    np.testing.assert_array_equal(accelerated.coef, plain.coef)


@pytest.mark.parametrize(("n_outputs", "link"), [(1, "sigmoid"), (3, "softmax")])
@pytest.mark.parametrize("learning_rate", [0.05, 0.5, 2.0])
@pytest.mark.parametrize("max_iter", [10, 100])
def test_nesterov_never_ends_above_plain_descent(
    n_outputs, link, learning_rate, max_iter
):
    # From a small step to one near plain descent's stability limit on these data.
    problem = make_problem(n_samples=200, n_features=8, n_outputs=n_outputs, seed=3)
    kwargs = {"link": link, "learning_rate": learning_rate, "max_iter": max_iter}
    plain = run(problem, "gd", **kwargs)
    accelerated = run(problem, "nesterov", **kwargs)
    assert loss_at(problem, accelerated, link) <= loss_at(problem, plain, link)


class MomentumPoints(IterationHooks):
    """Records where each gradient is taken and the weights after each step."""

    def __init__(self):
        self.points, self.weights = [], []

    def begin(self, iteration, coef, intercept):
        self.points.append(coef.copy())

    def end(self, iteration, loss, coef, intercept):
        self.weights.append(coef.copy())
        return False


def test_nesterov_looks_ahead_along_the_last_step_and_restarts_uphill():
    problem = make_problem(n_samples=200, n_outputs=3, seed=3)
    hooks = MomentumPoints()
    # A step at the edge of stability makes the momentum overshoot: restarts.
    result = run(
        problem, "nesterov", link="softmax", learning_rate=3.0, max_iter=60, hooks=hooks
    )
    x, y = hooks.weights, hooks.points
    restarts = 0
    steps = 1  # steps since the last restart, after iteration k
    for k in range(1, len(x)):
        momentum = (steps - 1) / (steps + 2)
        expected = x[k - 1] + momentum * (x[k - 1] - (x[k - 2] if k > 1 else 0 * x[0]))
        if np.array_equal(y[k], x[k - 1]) and momentum:
            restarts += 1  # the momentum was dropped: a plain step
            steps = 2
            continue
        np.testing.assert_allclose(y[k], expected, rtol=1e-12, atol=1e-15)
        steps += 1
    assert restarts > 0
    assert result.stopped_by == "max_iter"


@pytest.mark.parametrize(
    ("loss", "direction", "restarts"),
    [(0.5, -1.0, False), (0.7, -1.0, True), (0.5, 1.0, True)],
    ids=["downhill", "loss-went-up", "gradient-against-the-step"],
)
def test_nesterov_drops_its_momentum_on_a_rise_or_an_uphill_gradient(
    loss, direction, restarts
):
    descent = _NesterovDescent(learning_rate=0.1, fit_intercept=True, xp=np)
    before = (np.zeros((2, 1)), np.zeros(1))
    weights = (np.array([[1.0], [2.0]]), np.array([0.5]))
    point = (np.array([[1.5], [2.5]]), np.array([0.5]))
    state = _State(weights, point, finished=3, steps=3, loss=0.6)
    # The gradient at the point along (or against) the step from before to weights.
    grad_coef = direction * (weights[0] - before[0])
    after = descent.step(state, loss, grad_coef, np.zeros(1))
    new_weights = point[0] - 0.1 * grad_coef
    np.testing.assert_array_equal(after.weights[0], new_weights)
    if restarts:
        assert after.steps == 1
        np.testing.assert_array_equal(after.point[0], new_weights)
    else:
        assert after.steps == 4
        momentum = 3 / 6
        expected = new_weights + momentum * (new_weights - weights[0])
        np.testing.assert_array_equal(after.point[0], expected)
    assert after.loss == loss


@pytest.mark.parametrize("solver", ["gd", "nesterov"])
def test_every_solver_stops_on_tol_hooks_and_ctrl_c(solver):
    problem = make_problem(n_outputs=3)
    stopped = run(
        problem, solver, link="softmax", max_iter=10_000, tol=1e-3, n_iter_no_change=3
    )
    assert stopped.stopped_by == "tol"
    hooked = run(problem, solver, link="softmax", hooks=Recorder(stop_after=4))
    assert (hooked.stopped_by, len(hooked.loss_curve)) == ("hook", 4)
    hooks = InterruptAt(5)
    interrupted = run(problem, solver, link="softmax", hooks=hooks)
    assert (interrupted.stopped_by, len(interrupted.loss_curve)) == ("interrupt", 5)
    np.testing.assert_array_equal(interrupted.coef, hooks.weights[4][0])


def test_gradient_norms_are_those_of_the_first_and_last_gradients():
    problem = make_problem()
    objective = objective_for(problem)
    intercepts = []

    class Points(MomentumPoints):
        def begin(self, iteration, coef, intercept):
            super().begin(iteration, coef, intercept)
            intercepts.append(intercept.copy())

    hooks = Points()
    result = run(problem, "nesterov", max_iter=7, hooks=hooks)
    for index, norm in zip((0, -1), result.gradient_norms, strict=True):
        _, grad_coef, grad_intercept = objective.evaluate(
            hooks.points[index], intercepts[index]
        )
        expected = np.sqrt((grad_coef**2).sum() + (grad_intercept**2).sum())
        assert norm == pytest.approx(expected, rel=1e-12)
