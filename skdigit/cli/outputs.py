"""What the command writes: a whole set of files, or none of them.

``skdigit train --output DIR`` writes a model file, pictures and metrics;
``skdigit predict --save-prepared DIR`` the 28x28 image of each picture. The files
of one run are written into a hidden staging folder first and moved into place
together at the end, so a failure halfway (a picture that cannot be drawn, a full
disk, Ctrl-C, SIGTERM) leaves the output folder as it was: files of an earlier
run are put back, and files this run did not write are never touched.

Two runs writing into one folder take turns: the moves into an existing folder
happen under a lock on that folder, so the folder ends up with one run's whole
set of files, never a mix. A run that finds its new folder created meanwhile by
another run moves its files in the same way, rather than fail and lose them.

A staging folder left by a run that was killed (SIGKILL, a power cut) is removed
by a later run once it is an hour old.
"""

import contextlib
import errno
import hashlib
import json
import os
import secrets
import shutil
from pathlib import Path

import numpy as np

from skdigit import save_model
from skdigit._files import TEMPORARY_NAME_EXTRA, atomic_write, remove_stale

from .console import CommandError
from .model import MODEL_FILE, import_skops_quickly

PICTURES = ["loss_curve.png", "weights.png", "misclassified.png"]
METRICS_FILE = "metrics.json"
TRAINING_OUTPUTS = [MODEL_FILE, *PICTURES, METRICS_FILE]
# One name whatever the output folder's (a long name could not take a suffix).
_STAGING_PREFIX = ".skdigit-partial-"
_TOKEN_HEX = 8
# Staging folders of any version: earlier ones put the output's name first.
_STALE_STAGING = rf"\..*skdigit-partial-[0-9a-f]{{{_TOKEN_HEX}}}"
_NAME_MAX = 255  # bytes, where the file system does not say


def check_output_folder(folder, option):
    """Refuse, before any work, a folder the outputs could not be written to."""
    if folder is None:
        return
    existing, missing = _nearest_existing(folder, option)
    if existing == folder and not folder.is_dir():
        raise CommandError(f"{option} '{folder}' is a file, not a folder")
    if not existing.is_dir():
        raise CommandError(f"{option} '{folder}': '{existing}' is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CommandError(f"{option} '{folder}': cannot write in '{existing}'")
    name_max = _name_max(existing)
    for name in missing:
        size = len(os.fsencode(name))
        if size > name_max:
            shown = name if len(name) <= 40 else name[:37] + "..."
            raise CommandError(
                f"{option} '{folder}': the name '{shown}' is {size} bytes long, more "
                f"than the {name_max} this file system allows; give a shorter name"
            )


def _nearest_existing(folder, option):
    """The deepest existing path of ``folder``, and the names still missing."""
    missing = []
    for path in [folder, *folder.parents]:
        try:
            os.stat(path)
            return path, missing
        except FileNotFoundError:
            if path.is_symlink():
                raise CommandError(
                    f"{option} '{folder}': '{path}' is a symbolic link to "
                    f"'{os.readlink(path)}', which does not exist; create that "
                    "folder first, or give another one"
                ) from None
        except OSError as exc:
            # Below a file (ENOTDIR) or too long: missing, said more clearly below.
            if exc.errno not in (errno.ENOTDIR, errno.ENAMETOOLONG):
                raise CommandError(f"{option} '{folder}': {exc.strerror}") from None
        missing.append(path.name)
    return Path(os.curdir), missing


def _name_max(folder):
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):
        return _NAME_MAX


@contextlib.contextmanager
def staged_folder(folder):
    """Yield a staging folder whose files all move into ``folder`` at the end.

    If the block fails, nothing moves and the staging folder is removed. A
    folder that does not exist yet is built as a hidden sibling and renamed into
    place in one step; into an existing folder each file is moved under a lock
    on the folder, and a failure while moving puts back the files it replaced.
    """
    folder = Path(folder)
    token = secrets.token_hex(_TOKEN_HEX // 2)
    if folder.is_dir():
        # Inside the folder: the same file system, so the moves are renames.
        remove_stale(folder, _STALE_STAGING)
        staging = folder / f"{_STAGING_PREFIX}{token}"
        try:
            with _named_as_final(staging, folder):
                staging.mkdir()
                yield staging
            _move_files(staging, folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return
    # The outermost folder still missing, e.g. "a" for a/b/out when only "." exists.
    top = folder
    while not top.parent.exists():
        top = top.parent
    remove_stale(top.parent, _STALE_STAGING)
    staging_top = top.parent / f"{_STAGING_PREFIX}{token}"
    staging = staging_top / folder.relative_to(top)
    try:
        with _named_as_final(staging_top, top):
            staging.mkdir(parents=True)
            yield staging
            _put_in_place(staging_top, top, staging, folder)
    finally:
        shutil.rmtree(staging_top, ignore_errors=True)


def _put_in_place(staging_top, top, staging, folder):
    """Rename the staged tree to ``top``; if another run made it meanwhile, move
    the files into ``folder`` instead, never losing them."""
    try:
        os.rename(staging_top, top)
    except OSError as error:
        if not top.is_dir():
            error.filename, error.filename2 = str(top), None
            raise
        folder.mkdir(parents=True, exist_ok=True)
        _move_files(staging, folder)


@contextlib.contextmanager
def _named_as_final(staging, final):
    """Errors about a path in ``staging`` name its place in ``final`` instead:
    the path the user asked for, not a hidden one."""
    try:
        yield
    except OSError as exc:
        if exc.filename and Path(exc.filename).is_relative_to(staging):
            exc.filename = str(final / Path(exc.filename).relative_to(staging))
        raise


@contextlib.contextmanager
def _locked(folder):
    """Hold an exclusive lock on ``folder`` (where the system has flock)."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock, moves may interleave
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _move_files(staging, folder):
    """Move the staged files into ``folder``; on failure, undo the moves done."""
    sources = sorted(staging.iterdir())
    with _locked(folder):
        for source in sources:
            target = folder / source.name
            if target.is_dir() and not target.is_symlink():
                raise CommandError(f"cannot save '{target}': it is a folder")
        previous = staging / f"{_STAGING_PREFIX}previous"
        previous.mkdir()
        moved = []  # (target, where its earlier version went, or None)
        try:
            for source in sources:
                target = folder / source.name
                backup = None
                if target.exists() or target.is_symlink():
                    backup = previous / source.name
                    os.replace(target, backup)
                moved.append((target, backup))
                os.replace(source, target)
        except BaseException:
            for target, backup in reversed(moved):
                if backup is None:
                    target.unlink(missing_ok=True)
                else:
                    os.replace(backup, target)
            raise


def save_training_outputs(folder, model, data, task, y_pred, metrics, metadata):
    """Write the model, the pictures and the metrics; return the names written."""
    from skdigit import WeightsDisplay

    import_skops_quickly()
    classifier = model[-1]
    classes = classifier.classes_
    if task.digit is not None:
        classes = task.label_names(classes)
    with staged_folder(folder) as staging:
        save_model(model, staging / MODEL_FILE, metadata=metadata)
        figures = {
            "loss_curve.png": lambda: _loss_figure(classifier, task),
            "weights.png": lambda: (
                WeightsDisplay.from_estimator(
                    classifier,
                    display_labels=classes,
                    image_shape=data.image_shape,
                    ax=_panel_axes(len(classifier.coef_), (1.9, 1.9), (1.2, 0.6)),
                ).figure_
            ),
            "misclassified.png": lambda: _misclassified_figure(data, task, y_pred),
        }
        for name in PICTURES:
            figures[name]().savefig(staging / name, dpi=150)
        with atomic_write(staging / METRICS_FILE) as file:
            file.write((json.dumps(metrics, indent=2) + "\n").encode())
    return TRAINING_OUTPUTS


def _offscreen_figure(width, height):
    """A figure that is not pyplot's: no window opens and no global list of
    figures grows, whatever matplotlib's backend."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _panel_axes(n_panels, inches, margin):
    """One Axes per panel, five to a row, each ``inches`` (width, height)."""
    n_rows, n_cols = -(-n_panels // 5), min(n_panels, 5)
    figure = _offscreen_figure(
        n_cols * inches[0] + margin[0], n_rows * inches[1] + margin[1]
    )
    return figure.subplots(n_rows, n_cols, squeeze=False)


def _loss_figure(classifier, task):
    from skdigit import LossCurveDisplay

    ax = _offscreen_figure(6.4, 4.0).add_subplot()
    LossCurveDisplay.from_estimator(classifier, ax=ax)
    rate = classifier.learning_rate_
    ax.set_title(f"Training loss: {task.name}, learning rate {rate:g}")
    return ax.figure


def _misclassified_figure(data, task, y_pred):
    """The gallery of wrong test digits, titled with the true digit."""
    from skdigit import MisclassifiedDigitsDisplay

    images = data.X_test.reshape(-1, *data.image_shape)
    wrong = np.flatnonzero(y_pred != task.target(data.y_test))
    shown = wrong[:25]
    # The true digit says more than "not 4"; the prediction reads "4" / "not 4".
    display = MisclassifiedDigitsDisplay.from_predictions(
        np.asarray([str(digit) for digit in data.y_test[shown]]),
        task.label_names(y_pred[shown]),
        images=images[shown],
        ax=_panel_axes(max(shown.size, 1), (1.5, 1.7), (0.0, 0.5)),
    )
    heading = f"Misclassified test digits: {wrong.size} of {len(y_pred)}"
    if shown.size < wrong.size:
        heading += f" (first {shown.size} shown)"
    display.figure_.suptitle(heading, fontsize=12)
    return display.figure_


def prepared_image_names(paths, shape, folder):
    """A PNG name per input picture: its name, the image size, no clashes.

    ``four.jpg`` becomes ``four-28x28.png``; a name already taken (two inputs
    called ``four.png`` in different folders, or an input picture in ``folder``
    with that name) gets ``-2``, ``-3``... A name too long for the file system
    (a picture's name may itself be as long as allowed) has its stem shortened
    and marked with a hash of the whole stem, ``~`` and 8 hexadecimal digits, so
    that pictures whose long names differ only at their ends stay apart.
    """
    size = "x".join(map(str, shape))
    inputs = {Path(path).resolve() for path in paths}
    room = _name_max(folder) - TEMPORARY_NAME_EXTRA
    names, taken = [], set()
    for path in paths:
        stem, name, count = Path(path).stem, None, 1
        while name is None or name in taken or (folder / name).resolve() in inputs:
            suffix = "" if count == 1 else f"-{count}"
            name = _fitted(stem, f"-{size}{suffix}.png", room)
            count += 1
        taken.add(name)
        names.append(name)
    return names


def _fitted(stem, tail, room):
    """``stem + tail``, the stem shortened and marked with its hash when the
    name would be longer than ``room`` bytes.
    """
    name = stem + tail
    if len(os.fsencode(name)) <= room:
        return name
    tail = f"~{hashlib.sha256(os.fsencode(stem)).hexdigest()[:8]}{tail}"
    # Cut whole characters, so that the name stays valid in its encoding.
    while stem and len(os.fsencode(stem + tail)) > room:
        stem = stem[:-1]
    return stem + tail


def save_prepared_images(folder, names, images):
    """Write each prepared image (uint8, 0 background) as a PNG in ``folder``."""
    from PIL import Image

    with staged_folder(folder) as staging:
        for name, image in zip(names, images, strict=True):
            with atomic_write(staging / name) as file:
                Image.fromarray(image).save(file, format="PNG")
    return names
