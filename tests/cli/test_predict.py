"""``skdigit predict``: your own pictures through the saved pipeline."""

import io
import json
import struct
import zipfile
import zlib

import numpy as np
import pytest
from PIL import Image

from skdigit import MNISTIdxLoader, load_digit_image, load_model, prepare_digit
from skdigit.cli import main

from .helpers import assert_one_error_line, run_cli


def test_error_missing_model(tmp_path, capsys):
    assert main(["predict", str(tmp_path / "nope.skops"), "x.png"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("skdigit: error: no such model file") and "nope.skops" in err


def test_error_unreadable_image(tmp_path, digits_run, empty_data_home):
    _, output = digits_run
    broken = tmp_path / "digit.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n but then nothing of an image")
    result = run_cli(
        "predict", output / "model.skops", broken, data_home=empty_data_home
    )
    assert_one_error_line(result, str(broken))


def _write_variants(image, folder, name):
    """The digit as MNIST stores it, and inverted, off-centre and larger."""
    plain = folder / f"{name}.png"
    Image.fromarray(image).save(plain)
    paper = np.full((150, 110), 255, dtype=np.uint8)
    ink = Image.fromarray(255 - image).resize((56, 56), Image.Resampling.BILINEAR)
    paper[8:64, 50:106] = np.asarray(ink)  # top right corner
    inverted = folder / f"{name}-inverted.jpg"
    Image.fromarray(paper).convert("RGB").save(inverted, quality=95)
    return [plain, inverted]


def test_predict_recognises_real_mnist_digits(mnist_runs, tmp_path, empty_data_home):
    folder, _, four_dir, ten_result, ten_dir = mnist_runs
    assert ten_result.returncode == 0, ten_result.stderr
    images, labels = MNISTIdxLoader(data_home=folder, download=False).load(
        "test", as_images=True
    )
    model, _ = load_model(ten_dir / "model.skops")
    held_out = np.arange(8000, 10000)
    proba = model.predict_proba(images[held_out].reshape(len(held_out), -1) * 1.0)
    # Digits the model gets right with confidence: one 4 and three others.
    wanted, chosen = {0, 2, 4, 7}, {}
    for index, row in zip(held_out, proba, strict=True):
        digit = int(labels[index])
        if (
            digit in wanted - chosen.keys()
            and row.argmax() == digit
            and row[digit] > 0.9
        ):
            chosen[digit] = index
    assert chosen.keys() == wanted
    expected = {}
    for digit, index in chosen.items():
        for path in _write_variants(images[index], tmp_path, f"digit{digit}"):
            expected[str(path)] = digit

    result = run_cli(
        "predict", ten_dir / "model.skops", *expected, data_home=empty_data_home
    )
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        path, _, rest = line.partition(": ")
        assert rest.split()[0] == str(expected[path]), line

    # The digit-4 detector says "a 4" for the 4s and "not a 4" for the others.
    result = run_cli(
        "predict",
        "--json",
        four_dir / "model.skops",
        *expected,
        data_home=empty_data_home,
    )
    assert result.returncode == 0, result.stderr
    for record in json.loads(result.stdout):
        assert record["is_digit"] == (expected[record["image"]] == 4), record


def _pictures(images, folder, count=6):
    """Some digits as a user would draw them: dark ink on white paper, larger."""
    paths = []
    for index in range(count):
        picture = Image.fromarray(255 - images[index]).resize((84, 84))
        path = folder / f"digit{index}.png"
        picture.save(path)
        paths.append(path)
    return paths


def test_predict_is_the_loaded_model_on_the_prepared_image(
    scaled_mnist_model, synthetic_mnist, tmp_path, capsys
):
    """Issue 11: load_model(p)[0].predict(load_digit_image(img)) is the command."""
    _, images, _ = synthetic_mnist
    paths = _pictures(images[500:], tmp_path)
    assert main(["predict", "--json", str(scaled_mnist_model), *map(str, paths)]) == 0
    printed = json.loads(capsys.readouterr().out)

    model, _ = load_model(scaled_mnist_model)
    X = np.vstack([load_digit_image(path).reshape(1, -1) for path in paths])
    assert [record["prediction"] for record in printed] == model.predict(X).tolist()
    for record, row in zip(printed, model.predict_proba(X), strict=True):
        assert list(record["probabilities"].values()) == row.tolist()


def test_a_model_file_of_skdigit_0_1_predicts_the_same(
    scaled_mnist_model, synthetic_mnist, tmp_path, capsys
):
    """A format-1 file: bare classifier, the /255 kept in its metadata."""
    import skops.io

    _, images, _ = synthetic_mnist
    paths = [str(path) for path in _pictures(images[500:], tmp_path)]
    model, info = load_model(scaled_mnist_model)
    old = tmp_path / "old.skops"
    skops.io.dump(model[-1], old)
    metadata = dict(info["metadata"], pixel_scale=1 / 255)
    header = dict(info, format=1, metadata=metadata)
    with zipfile.ZipFile(old, "a") as archive:
        archive.writestr("skdigit.json", json.dumps(header))

    assert main(["predict", str(scaled_mnist_model), *paths]) == 0
    new_output = capsys.readouterr().out
    assert main(["predict", str(old), *paths]) == 0
    assert capsys.readouterr().out == new_output


def test_save_prepared_writes_what_the_model_saw(
    scaled_mnist_model, synthetic_mnist, tmp_path, capsys
):
    _, images, _ = synthetic_mnist
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    paths = _pictures(images[500:], first, count=2)
    # Same name in another folder, and a picture inside the output folder.
    clash = second / "digit0.png"
    Image.open(paths[0]).save(clash)
    prepared = tmp_path / "prepared"
    prepared.mkdir()
    inside = prepared / "digit1-28x28.png"
    Image.open(paths[1]).save(inside)
    pictures = [*paths, clash, inside]

    args = ["predict", "--save-prepared", str(prepared), str(scaled_mnist_model)]
    assert main([*args, *map(str, pictures)]) == 0
    out = capsys.readouterr().out
    # digit1-28x28.png is the name of an input picture: never written over.
    names = ["digit0-28x28.png", "digit1-28x28-2.png", "digit0-28x28-2.png"]
    names.append("digit1-28x28-28x28.png")
    assert out.splitlines()[-1] == (
        f"Prepared images saved in {prepared}: " + ", ".join(names)
    )
    for picture, name in zip(pictures, names, strict=True):
        with Image.open(prepared / name) as saved:
            assert saved.format == "PNG" and saved.size == (28, 28)
            np.testing.assert_array_equal(np.asarray(saved), load_digit_image(picture))
    # The input picture in that folder was not overwritten.
    assert sorted(path.name for path in prepared.iterdir()) == sorted(
        [*names, inside.name]
    )
    assert Image.open(inside).size == (84, 84)

    assert main([*args, "--json", str(paths[0])]) == 0
    record = json.loads(capsys.readouterr().out)[0]
    assert record["prepared"] == str(prepared / "digit0-28x28.png")


def test_save_prepared_into_a_file_is_refused_first(digits_model, tmp_path, capsys):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    args = ["predict", "--save-prepared", str(a_file), str(digits_model), "x.png"]
    assert main(args) == 2
    assert capsys.readouterr().err == (
        f"skdigit: error: --save-prepared '{a_file}' is a file, not a folder\n"
    )


def _png_claiming_size(path, width, height):
    """A tiny PNG whose header claims a huge picture (a decompression bomb)."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    # IHDR: 8-byte signature, 4-byte length, "IHDR", width, height, ..., CRC.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    path.write_bytes(bytes(data))
    return path


def test_a_decompression_bomb_is_one_line(digits_model, tmp_path, empty_data_home):
    bomb = _png_claiming_size(tmp_path / "bomb.png", 100_000, 100_000)
    assert bomb.stat().st_size < 100
    result = run_cli("predict", digits_model, bomb, data_home=empty_data_home)
    assert_one_error_line(result, str(bomb))
    assert "unexpected" not in result.stderr


# --------------------------------------------- every picture reported (issue 17)


def _ink_pictures(images, folder, names):
    """Dark digits on white paper, from bundled 8x8 digits (0-255) or MNIST."""
    paths = []
    for image, name in zip(images, names, strict=True):
        side = 8 * max(1, 96 // image.shape[0])
        picture = Image.fromarray(255 - image).resize((side, side))
        path = folder / name
        picture.save(path)
        paths.append(path)
    return paths


def test_every_picture_is_reported_good_unreadable_and_blank(
    digits_model, bundled_split, tmp_path, empty_data_home
):
    """Issue 17, M3: one error line per failed picture, a result per good one."""
    _, X_test, _, _ = bundled_split
    good = _ink_pictures(X_test[:2].reshape(-1, 8, 8), tmp_path, ["a.png", "b.png"])
    unreadable = tmp_path / "notes.png"
    unreadable.write_text("my notes, not a picture")
    blank = tmp_path / "blank.png"
    Image.new("L", (60, 60), 230).save(blank)
    eps = tmp_path / "drawing.png"
    eps.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n")
    missing = tmp_path / "missing.png"
    pictures = [unreadable, good[0], blank, eps, missing, good[1]]

    result = run_cli("predict", digits_model, *pictures, data_home=empty_data_home)
    assert result.returncode == 2, result.stderr
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 4 and "Traceback" not in result.stderr
    for line, bad in zip(errors, [unreadable, blank, eps, missing], strict=True):
        assert line.startswith("skdigit: error: ") and bad.name in line
        assert "unexpected" not in line
    reported = [line.partition(": ")[0] for line in result.stdout.splitlines()]
    assert [line for line in reported if line.endswith(".png")] == list(map(str, good))


def test_a_bug_in_one_picture_still_reports_the_others(
    digits_model, bundled_split, tmp_path, capsys, monkeypatch
):
    import skdigit.cli.predict

    _, X_test, _, _ = bundled_split
    names = ["a.png", "crash.png", "b.png"]
    paths = _ink_pictures(X_test[:3].reshape(-1, 8, 8), tmp_path, names)
    prepare = skdigit.cli.predict.load_digit_image

    def crash_on_one(path, **options):
        if path.name == "crash.png":
            raise IndexError("index -1 is out of bounds for axis 0 with size 0")
        return prepare(path, **options)

    monkeypatch.setattr(skdigit.cli.predict, "load_digit_image", crash_on_one)
    assert main(["predict", str(digits_model), *map(str, paths)]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        f"skdigit: error: unexpected IndexError while preparing '{paths[1]}': index "
        "-1 is out of bounds for axis 0 with size 0 (this is a bug; run with --debug "
        "for the traceback and please report it)\n"
    )
    reported = [line.partition(": ")[0] for line in captured.out.splitlines()]
    assert [str(paths[0]), str(paths[2])] == [p for p in reported if p.endswith("g")]
    with pytest.raises(IndexError):
        main(["predict", "--debug", str(digits_model), *map(str, paths)])


# ------------------------------------------------ 8x8 models (issue 19, item 5)


def test_an_8x8_model_predicts_what_python_predicts_with_shape_8x8(
    digits_model, bundled_split, tmp_path, capsys
):
    _, X_test, _, _ = bundled_split
    names = [f"digit{i}.png" for i in range(6)]
    paths = _ink_pictures(X_test[:6].reshape(-1, 8, 8), tmp_path, names)
    assert main(["predict", "--json", str(digits_model), *map(str, paths)]) == 0
    printed = json.loads(capsys.readouterr().out)

    model, _ = load_model(digits_model)
    X = np.vstack(
        [load_digit_image(path, shape=(8, 8)).reshape(1, -1) for path in paths]
    )
    assert X.shape == (6, 64)
    for record, row in zip(printed, model.predict_proba(X), strict=True):
        values = record.get("probabilities")
        if values is None:  # a one-digit model
            assert record["probability"] == row[1]
        else:
            assert list(values.values()) == row.tolist()


@pytest.mark.parametrize("shape", [(28, 28, 1), (16, 16), "8x8", 8, None])
def test_other_shapes_are_refused(shape):
    picture = np.zeros((30, 30))
    picture[5:25, 12:16] = 1.0
    with pytest.raises(ValueError, match=r"shape must be \(28, 28\).* or \(8, 8\)"):
        load_digit_image(picture, shape=shape)
    with pytest.raises(ValueError, match="shape must be"):
        prepare_digit(picture, shape=shape)


def test_a_picture_name_as_long_as_allowed_is_saved_prepared(
    digits_model, bundled_split, tmp_path, capsys
):
    """Issue 17, Low 10: the mapped name exceeded NAME_MAX and failed the run."""
    _, X_test, _, _ = bundled_split
    name = "d" * 247 + ".png"  # 251 bytes
    (path,) = _ink_pictures(X_test[:1].reshape(-1, 8, 8), tmp_path, [name])
    prepared = tmp_path / "prepared"
    args = ["predict", "--save-prepared", str(prepared), str(digits_model), str(path)]
    assert main(args) == 0
    (saved,) = prepared.iterdir()
    assert saved.name.startswith("d" * 200) and saved.name.endswith("-8x8.png")
    assert capsys.readouterr().out.splitlines()[-1].endswith(saved.name)
    np.testing.assert_array_equal(
        np.asarray(Image.open(saved)), load_digit_image(path, shape=(8, 8))
    )
