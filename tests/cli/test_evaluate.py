"""``skdigit evaluate``: a saved model scored on its test split."""

import json
import zipfile

import pytest

from skdigit._model_io import FORMAT_VERSION
from skdigit.cli import main

from .helpers import accepted_as_official, assert_one_error_line, run_cli


def test_evaluate_reproduces_the_train_metrics(digits_run, capsys):
    _, output = digits_run
    metrics = json.loads((output / "metrics.json").read_text())
    assert main(["evaluate", str(output / "model.skops")]) == 0
    out = capsys.readouterr().out
    assert "Data: scikit-learn's bundled 8x8 digits (test 450)" in out
    assert f"accuracy   {metrics['accuracy']:.4f}" in out

    assert main(["evaluate", "--json", str(output / "model.skops")]) == 0
    evaluated = json.loads(capsys.readouterr().out)
    for key in ["accuracy", "precision", "recall", "f1", "confusion_matrix"]:
        assert evaluated[key] == metrics[key]


def test_error_not_a_model(tmp_path, capsys):
    fake = tmp_path / "model.skops"
    fake.write_text("I am not a model\n")
    assert main(["evaluate", str(fake)]) == 2
    err = capsys.readouterr().err
    expected = f"'{fake}' is not a skdigit model file: it is not a zip archive"
    assert err == f"skdigit: error: {expected}\n"


def _copy_with_header(source, target, header_text):
    """Copy the model file ``source`` to ``target``, its skdigit.json replaced by
    ``header_text(header)``, ``header`` being the parsed original."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for name in original.namelist():
            data = original.read(name)
            if name == "skdigit.json":
                data = header_text(json.loads(data))
            copy.writestr(name, data)
    return target


def test_error_model_from_a_newer_skdigit(tmp_path, digits_run, capsys):
    _, output = digits_run
    newer = _copy_with_header(
        output / "model.skops",
        tmp_path / "newer.skops",
        lambda header: json.dumps({**header, "format": FORMAT_VERSION + 1}),
    )
    assert main(["evaluate", str(newer)]) == 2
    err = capsys.readouterr().err
    assert "written by a newer skdigit" in err and "upgrade skdigit" in err


def test_evaluate_real_model_uses_its_split(mnist_runs, capsys):
    folder, _, output, _, _ = mnist_runs
    metrics = json.loads((output / "metrics.json").read_text())
    args = [
        "evaluate",
        "--json",
        str(output / "model.skops"),
        "--data-dir",
        str(folder),
    ]
    assert main([*args, "--no-download"]) == 0
    evaluated = json.loads(capsys.readouterr().out)
    assert evaluated["n_test"] == 2000
    assert evaluated["accuracy"] == metrics["accuracy"]


def test_evaluate_real_model_without_mnist_is_an_error(mnist_runs, tmp_path, capsys):
    _, _, output, _, _ = mnist_runs
    args = ["evaluate", str(output / "model.skops"), "--data-dir", str(tmp_path)]
    assert main([*args, "--no-download"]) == 2
    assert "MNIST could not be loaded" in capsys.readouterr().err


@pytest.mark.parametrize(
    "metadata",
    [[1, 2], "[" * 200_000 + "]" * 200_000],
    ids=["a list", "200000 deep"],
)
def test_damaged_metadata_is_one_line(tmp_path, digits_model, metadata):
    """Issue 12, defect 7: not 'unexpected AttributeError / RecursionError'."""

    def with_metadata(header):
        # The JSON text of the metadata as given, valid or not.
        text = metadata if isinstance(metadata, str) else json.dumps(metadata)
        return json.dumps({**header, "metadata": "METADATA"}).replace(
            '"METADATA"', text
        )

    damaged = _copy_with_header(digits_model, tmp_path / "damaged.skops", with_metadata)
    result = run_cli("evaluate", damaged, data_home=tmp_path)
    assert_one_error_line(result, f"'{damaged}' is damaged: ")


@pytest.mark.parametrize("split", [-5, 0, "abc", 1.5, [8000], True])
def test_a_tampered_split_test_set_is_refused(
    tmp_path, scaled_mnist_model, synthetic_mnist, capsys, split
):
    """Issue 17, Low 1: checked like the other fields of the metadata."""
    folder, _, _ = synthetic_mnist

    def with_split(header):
        return json.dumps(
            {**header, "metadata": {**header["metadata"], "split_test_set": split}}
        )

    tampered = _copy_with_header(
        scaled_mnist_model, tmp_path / "model.skops", with_split
    )
    args = ["evaluate", str(tampered), "--data-dir", str(folder), "--no-download"]
    with accepted_as_official(folder):
        assert main(args) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err == (
            f"skdigit: error: '{tampered}' is damaged: its metadata gives "
            f"split_test_set {split!r}, not a number of images (a whole number of "
            "1 or more, or null); give --split-test-set N yourself, or save the "
            "model again with 'skdigit train'\n"
        )
        # Given on the command line, the tampered value is not needed.
        assert main([*args, "--split-test-set", "500", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["n_test"] == 100
