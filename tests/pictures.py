"""Pictures of digits made for the tests: clean drawings, printed digits, and
versions that look photographed (uneven light, tinted noisy paper, blur, a slight
rotation, JPEG).

Nothing here reads a file: strokes are drawn with Pillow's ImageDraw along
hand-made skeletons, and printed digits use Pillow's built-in font
(``ImageFont.load_default(size=...)``, Pillow 10.1 or newer), so the pictures are
the same on every machine.
"""

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

# Skeletons of handwritten-looking digits in a unit box (x to the right, y down):
# each digit is a list of strokes, each stroke a list of points.


def _arc(cx, cy, rx, ry, start, stop, n=24):
    """Points on an ellipse from angle ``start`` to ``stop`` (degrees, y down)."""
    angles = np.radians(np.linspace(start, stop, n))
    return list(zip(cx + rx * np.cos(angles), cy + ry * np.sin(angles), strict=True))


SKELETONS = {
    0: [_arc(0.5, 0.5, 0.28, 0.44, 0, 360, 48)],
    1: [[(0.35, 0.2), (0.56, 0.05), (0.5, 0.95)]],
    2: [[*_arc(0.5, 0.3, 0.3, 0.24, 190, 370), (0.2, 0.94), (0.85, 0.94)]],
    3: [
        [
            *_arc(0.48, 0.28, 0.28, 0.22, 210, 450),
            *_arc(0.48, 0.7, 0.32, 0.24, 270, 510)[1:],
        ]
    ],
    4: [[(0.68, 0.95), (0.68, 0.05), (0.15, 0.66), (0.88, 0.66)]],
    5: [
        [(0.8, 0.06), (0.28, 0.06), (0.24, 0.45), *_arc(0.5, 0.66, 0.3, 0.27, 235, 500)]
    ],
    6: [
        [
            *_arc(0.95, 0.62, 0.7, 0.56, 235, 180, 12),
            *_arc(0.5, 0.7, 0.25, 0.24, 180, 540),
        ]
    ],
    7: [[(0.15, 0.06), (0.85, 0.06), (0.42, 0.95)]],
    8: [_arc(0.5, 0.27, 0.22, 0.21, 90, 450), _arc(0.5, 0.71, 0.27, 0.24, -90, 270)],
    9: [[*_arc(0.5, 0.3, 0.26, 0.24, 0, 360), (0.76, 0.3), (0.7, 0.95)]],
}


def handwritten(digit, *, size=160, width=0.08, slant=0.0):
    """A drawn digit, dark on white: strokes ``width`` of the height wide.

    ``slant`` leans the digit (x moves by ``slant * (0.5 - y)`` of the height).
    """
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    margin, span = 0.2 * size, 0.6 * size
    pixels = max(1, round(width * span))
    for stroke in SKELETONS[digit]:
        points = [
            (margin + span * (x * 0.75 + 0.125 + slant * (0.5 - y)), margin + span * y)
            for x, y in stroke
        ]
        draw.line(points, fill=0, width=pixels, joint="curve")
        # Round pen tips at both ends.
        for x, y in (points[0], points[-1]):
            r = pixels / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=0)
    return image


def printed(digit, *, size=160):
    """A digit printed in Pillow's built-in font, dark on white, centred."""
    font = ImageFont.load_default(size=round(0.6 * size))
    image = Image.new("L", (size, size), 255)
    ImageDraw.Draw(image).text(
        (size / 2, size / 2), str(digit), fill=0, font=font, anchor="mm"
    )
    return image


def cropped_to_the_ink(picture, margin):
    """The picture cut down to its dark pixels' bounding box plus ``margin``."""
    pixels = np.asarray(picture)
    rows = np.flatnonzero((pixels < 128).any(axis=1))
    cols = np.flatnonzero((pixels < 128).any(axis=0))
    return pixels[
        max(rows[0] - margin, 0) : rows[-1] + 1 + margin,
        max(cols[0] - margin, 0) : cols[-1] + 1 + margin,
    ]


def photographed(
    picture,
    rng,
    *,
    paper=(236, 228, 205),
    ink=(45, 40, 60),
    light=0.45,
    noise=10.0,
    blur=1.2,
    rotation=6.0,
    quality=70,
    scale=2,
    specks=0,
    table=False,
    shadow=0.0,
    perspective=0.0,
):
    """A photo-like version of a clean picture (dark ink on white).

    The picture is enlarged ``scale`` times (as a phone's resolution is higher
    than a drawing's), coloured with ``ink`` on ``paper``, lit unevenly (a
    gradient in a random direction and a vignette, down to ``1 - light`` of full
    light), blurred, rotated by up to ``rotation`` degrees, given sensor noise of
    standard deviation ``noise`` (plus a coarser paper texture) and saved as a JPEG
    of ``quality``. ``specks`` dark dots of dirt are sprinkled on the paper, and
    ``table`` shows a dark table along one side of the photo. ``paper`` is a
    colour or an RGB array of the enlarged size (ruled paper, a chalkboard);
    ``shadow`` darkens a soft-edged region over part of the digit (a hand's
    shadow) down to ``1 - shadow`` of the light; ``perspective`` moves the
    corners by up to that share of the side (the phone held at an angle).
    Returns the JPEG file's bytes.
    """
    size = (picture.width * scale, picture.height * scale)
    big = picture.resize(size, Image.Resampling.BICUBIC)
    angle = rng.uniform(-rotation, rotation)
    big = big.rotate(angle, Image.Resampling.BICUBIC, fillcolor=255)
    if perspective:
        big = _tilted(big, rng, perspective)
    _sprinkle(big, rng, specks)
    coverage = 1.0 - np.asarray(big, dtype=np.float32)[..., None] / 255.0
    paper, ink = np.float32(paper), np.float32(ink)
    colour = paper * (1 - coverage) + ink * coverage
    if table:
        _add_table(colour, rng)
    colour *= _lighting(size, rng, light)[..., None]
    if shadow:
        colour *= _shadow(size, rng, shadow)[..., None]
    colour += _texture(size, rng, noise)[..., None]
    colour += rng.normal(0.0, noise, colour.shape).astype(np.float32)
    image = Image.fromarray(np.clip(colour, 0, 255).astype(np.uint8), "RGB")
    image = image.filter(ImageFilter.GaussianBlur(blur * scale / 2))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def _sprinkle(image, rng, count):
    """Dark dots of dirt, up to 1% of the picture's side across, near the edges."""
    draw = ImageDraw.Draw(image)
    side = min(image.size)
    for _ in range(count):
        x, y = rng.uniform(0.03, 0.97, size=2) * np.array(image.size)
        # Keep clear of the digit, which is drawn in the middle three fifths.
        if 0.2 * side < x < 0.8 * side and 0.2 * side < y < 0.8 * side:
            x = 0.1 * side if x < side / 2 else 0.9 * side
        r = rng.uniform(0.002, 0.01) * side
        draw.ellipse((x - r, y - r, x + r, y + r), fill=int(rng.integers(0, 120)))


def _add_table(colour, rng):
    """A dark table beyond the paper's edge, along one side (6-10% of the photo)."""
    height, width = colour.shape[:2]
    depth = rng.uniform(0.06, 0.1)
    side = rng.integers(4)
    band = {
        0: np.s_[: round(depth * height)],
        1: np.s_[-round(depth * height) :],
        2: np.s_[:, : round(depth * width)],
        3: np.s_[:, -round(depth * width) :],
    }[side]
    colour[band] = (70, 55, 45)


def _lighting(size, rng, light):
    """Multiplicative light: a linear gradient times a vignette, in [1 - light, 1]."""
    width, height = size
    y, x = np.ogrid[0:height, 0:width]
    y, x = y / max(size), x / max(size)
    direction = rng.uniform(0, 2 * np.pi)
    ramp = x * np.cos(direction) + y * np.sin(direction)
    ramp = (ramp - ramp.min()) / np.ptp(ramp)
    cy, cx = rng.uniform(0.3, 0.7, size=2) * np.array([height, width]) / max(size)
    vignette = (x - cx) ** 2 + (y - cy) ** 2
    shade = 0.7 * ramp + 0.3 * vignette / vignette.max()
    return (1.0 - light * shade).astype(np.float32)


def _texture(size, rng, noise):
    """Coarse paper texture: noise blurred over a few pixels."""
    width, height = size
    coarse = rng.normal(0.0, 1.0, (height // 4 + 1, width // 4 + 1))
    texture = Image.fromarray(coarse.astype(np.float32)).resize(
        size, Image.Resampling.BICUBIC
    )
    return np.asarray(texture) * np.float32(noise)


def random_scene(rng, *, size=(64, 64), strokes=3, blocks=2, blur=1.0, noise=10.0):
    """A random grey picture (float array): lines and blocks of random greys on
    paper of a random grey, lit by a gradient, blurred and noisy.

    Made for property tests: such pictures may hold a digit-like shape, several,
    or nothing, and the preparation must cope with each.
    """
    image = Image.new("L", (size[1], size[0]), int(rng.integers(0, 256)))
    draw = ImageDraw.Draw(image)
    corners = lambda: tuple(rng.uniform(-0.1, 1.1, 2) * (size[1], size[0]))  # noqa: E731
    for _ in range(strokes):
        width = int(rng.integers(1, max(2, min(size) // 6)))
        draw.line(
            [corners(), corners(), corners()],
            fill=int(rng.integers(0, 256)),
            width=width,
        )
    for _ in range(blocks):
        (x0, y0), (x1, y1) = sorted([corners(), corners()])
        draw.rectangle(
            (x0, min(y0, y1), x1, max(y0, y1)), fill=int(rng.integers(0, 256))
        )
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    grey = np.asarray(image, dtype=np.float64)
    ramp = np.linspace(1.0, rng.uniform(0.3, 1.0), size[1])[None, :]
    grey = grey * ramp + rng.normal(0.0, noise, size)
    return np.clip(grey, 0, 255)


def _tilted(image, rng, amount):
    """The picture seen at an angle: each corner moved by up to ``amount`` of the
    side, the rest following (a perspective transform), paper filling in."""
    width, height = image.size
    corners = np.array([(0, 0), (width, 0), (width, height), (0, height)], float)
    moved = corners + rng.uniform(-amount, amount, corners.shape) * (width, height)
    # Pillow maps each output pixel (x, y) to the input pixel
    # ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1)).
    rows = []
    for (x, y), (u, v) in zip(moved, corners, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    coefficients = np.linalg.solve(np.array(rows), corners.ravel())
    return image.transform(
        image.size,
        Image.Transform.PERSPECTIVE,
        tuple(coefficients),
        Image.Resampling.BICUBIC,
        fillcolor=255,
    )


def _shadow(size, rng, depth):
    """Light under a hand's shadow: 1 outside, ``1 - depth`` inside a large
    ellipse coming in from one side over part of the middle, with an edge
    softened over 4-8% of the side."""
    width, height = size
    y, x = np.ogrid[0:height, 0:width]
    y, x = y / max(size) - height / max(size) / 2, x / max(size) - width / max(size) / 2
    direction = rng.uniform(0, 2 * np.pi)
    reach = rng.uniform(0.55, 0.75)
    cx, cy = reach * np.cos(direction), reach * np.sin(direction)
    radius = rng.uniform(0.5, 0.65)
    distance = np.sqrt((x - cx) ** 2 + (y - cy) ** 2) - radius
    soft = rng.uniform(0.04, 0.08)
    inside = 1.0 / (1.0 + np.exp(distance / (soft / 4)))
    return (1.0 - depth * inside).astype(np.float32)


def lined_paper(size, rng, *, squared=False):
    """A page of a school notebook (RGB float array of ``size``, width x height):
    thin blue-grey lines every 7-9% of the height and a red margin line, or a
    grid of squares 5-7% of the height wide."""
    width, height = size
    page = Image.new("RGB", size, (246, 244, 236))
    draw = ImageDraw.Draw(page)
    line = max(1, round(height / 200))
    if squared:
        spacing = rng.uniform(0.05, 0.07) * height
        colour = tuple(int(c) for c in rng.integers((130, 150, 170), (170, 185, 215)))
        for x in np.arange(rng.uniform(0, spacing), width, spacing):
            draw.line([(x, 0), (x, height)], fill=colour, width=line)
    else:
        spacing = rng.uniform(0.07, 0.09) * height
        colour = tuple(int(c) for c in rng.integers((120, 150, 190), (160, 180, 230)))
        margin = rng.uniform(0.08, 0.15) * width
        draw.line([(margin, 0), (margin, height)], fill=(215, 105, 110), width=line)
    for y in np.arange(rng.uniform(0, spacing), height, spacing):
        draw.line([(0, y), (width, y)], fill=colour, width=line)
    return np.asarray(page, dtype=np.float32)


def chalkboard(size, rng):
    """A dark green board (RGB float array) with the cloudy smudges of erased
    chalk."""
    width, height = size
    coarse = rng.random((height // 24 + 2, width // 24 + 2)).astype(np.float32)
    smudge = Image.fromarray(coarse).resize(size, Image.Resampling.BICUBIC)
    smudge = np.clip(np.asarray(smudge), 0, 1)[..., None] ** 3 * 35
    return np.float32((38, 52, 45)) + smudge


def pencil(digit, rng, *, size=160):
    """A digit in pencil: a thin line (3-4% of the height) whose grey grain
    lets the paper through here and there. Returns the drawing (L image) and the
    same digit drawn with a plain pen of that width."""
    width = rng.uniform(0.03, 0.04)
    slant = rng.uniform(-0.1, 0.3)
    clean = handwritten(digit, size=size, width=width, slant=slant)
    coverage = 1.0 - np.asarray(clean, dtype=np.float32) / 255.0
    grain = np.clip(rng.normal(0.75, 0.25, coverage.shape), 0.2, 1.0)
    drawn = 255.0 * (1.0 - coverage * grain)
    return Image.fromarray(drawn.astype(np.uint8)), clean


def screenshot(picture, rng):
    """A drawing app's window around a digit drawn on its white canvas: a dark
    toolbar with icons above, a light tool panel on the left, a status bar
    below. Returns the PNG file's bytes."""
    canvas = np.asarray(picture.convert("RGB"))
    height, width = canvas.shape[:2]
    top, left, bottom = (round(share * height) for share in (0.12, 0.15, 0.05))
    window = Image.new("RGB", (width + left, height + top + bottom), (228, 228, 232))
    window.paste(Image.fromarray(canvas), (left, top))
    draw = ImageDraw.Draw(window)
    draw.rectangle((0, 0, window.width, top - 1), fill=(48, 50, 58))
    icon = top // 2
    for x in range(icon // 2, window.width - icon, 2 * icon):
        shade = int(rng.integers(150, 240))
        draw.rectangle((x, icon // 2, x + icon, icon // 2 + icon), fill=(shade,) * 3)
    for y in range(top + icon // 2, height + top - icon, 2 * icon):
        draw.rectangle((left // 4, y, left // 4 + icon, y + icon), fill=(90, 95, 110))
    draw.line([(left - 1, top), (left - 1, top + height)], fill=(160, 160, 170))
    buffer = io.BytesIO()
    window.save(buffer, format="PNG")
    return buffer.getvalue()


def app_drawing(digit, rng, *, size=320):
    """A digit drawn with a drawing app's thick round brush (12-20% of the
    digit's height), anti-aliased (drawn 4x larger, then shrunk)."""
    width = rng.uniform(0.12, 0.2)
    slant = rng.uniform(-0.1, 0.3)
    big = handwritten(digit, size=4 * size, width=width, slant=slant)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def in_large_photo(picture, rng, *, size=(4000, 3000), share=0.05):
    """A photo of ``size`` (width, height) of a page with the digit written
    small (its height ``share`` of the photo's width) somewhere near the middle:
    paper texture, uneven light, noise, JPEG. Returns the JPEG file's bytes."""
    width, height = size
    # The page is made at a quarter of the size and enlarged: light and paper
    # texture vary slowly, and a 12-megapixel array of noise would be slow.
    low = (width // 4, height // 4)
    page = np.float32((232, 226, 210)) * _lighting(low, rng, 0.4)[..., None]
    page += _texture(low, rng, 6.0)[..., None] + rng.normal(0, 3, (*low[::-1], 3))
    photo = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8)).resize(size)
    side = round(share * width / 0.6)  # the drawings' digits fill 60% of them
    digit = picture.resize((side, side), Image.Resampling.BICUBIC)
    x, y = (rng.uniform(0.35, 0.65, 2) * (width - side, height - side)).astype(int)
    region = np.asarray(photo.crop((x, y, x + side, y + side)), dtype=np.float32)
    coverage = 1.0 - np.asarray(digit, dtype=np.float32)[..., None] / 255.0
    region = region * (1 - coverage) + region * 0.2 * coverage
    region += rng.normal(0, 4, region.shape)
    photo.paste(Image.fromarray(np.clip(region, 0, 255).astype(np.uint8)), (x, y))
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def mnist_on_paper(image, *, size=280, scale=6):
    """An MNIST digit (28x28, white on black) printed large and dark on a white
    page of ``size`` pixels (L image), as a person would copy it onto paper."""
    digit = Image.fromarray(255 - np.asarray(image, dtype=np.uint8))
    digit = digit.resize((28 * scale, 28 * scale), Image.Resampling.BICUBIC)
    page = Image.new("L", (size, size), 255)
    page.paste(digit, ((size - digit.width) // 2, (size - digit.height) // 2))
    return page


def _jpeg(picture):
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def condition(name, digit, rng):
    """A picture of ``digit`` under one of :data:`CONDITIONS`, and the same
    digit drawn clean.

    Returns the clean drawing (a grey array, dark on white) and the picture
    (the bytes of a JPEG or PNG file).
    """
    slant = rng.uniform(-0.1, 0.3)
    pen = handwritten(digit, width=0.08, slant=slant)
    if name == "ruled paper":
        page = lined_paper((320, 320), rng)
        return np.asarray(pen), photographed(pen, rng, paper=page, light=0.3)
    if name == "squared paper":
        page = lined_paper((320, 320), rng, squared=True)
        return np.asarray(pen), photographed(pen, rng, paper=page, light=0.3)
    if name == "hand's shadow":
        shadow = rng.uniform(0.45, 0.6)
        return np.asarray(pen), photographed(pen, rng, light=0.25, shadow=shadow)
    if name == "pencil":
        drawn, clean = pencil(digit, rng)
        ink = (95, 95, 100)
        return np.asarray(clean), photographed(drawn, rng, ink=ink, light=0.3)
    if name == "drawing app":
        drawn = app_drawing(digit, rng)
        return np.asarray(drawn), screenshot(drawn, rng)
    if name == "small in a large photo":
        return np.asarray(pen), in_large_photo(pen, rng)
    if name == "chalkboard":
        drawn = handwritten(digit, width=0.1, slant=slant)
        board = chalkboard((320, 320), rng)
        chalk = (225, 228, 218)
        return np.asarray(drawn), photographed(drawn, rng, paper=board, ink=chalk)
    raise ValueError(f"unknown condition {name!r}")


CONDITIONS = [
    "ruled paper",
    "squared paper",
    "hand's shadow",
    "pencil",
    "drawing app",
    "small in a large photo",
    "chalkboard",
]
