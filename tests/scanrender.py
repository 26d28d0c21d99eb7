"""Render letter text as a scanned page: greyish paper, speckle, skew, blur, JPEG artefacts.

The samples in data/samples/scans and the OCR tests are made with it, so they can be
regenerated: `python -m tests.scanrender [SRC_DIR] [OUT_DIR]` renders every SRC_DIR/*.txt
(default data/samples/scans/text) to OUT_DIR/<stem>.pdf (default data/samples/scans).

Text conventions: a line starting with "> " is right-aligned (the sender's address block);
a form feed ("\\f") starts a new page. An optional first line
`#render: skew=-1.2 noise=0.03 rotate_180=false jpeg_quality=55` sets options for that file.
"""

from __future__ import annotations

import io
import random
import sys
import textwrap
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

A4_INCHES = (8.27, 11.69)
_SERIF_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
                "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A serif TTF when the machine has one, else Pillow's bundled scalable font."""
    for path in _SERIF_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _layout(text: str, dpi: int) -> list[list[tuple[str, bool]]]:
    """Pages of (line, right_aligned), wrapped to the text width and split when full."""
    lines_per_page = int((A4_INCHES[1] - 2.0) * dpi / (dpi * 0.2))
    pages: list[list[tuple[str, bool]]] = []
    for block in text.split("\f"):
        page: list[tuple[str, bool]] = []
        for raw in block.splitlines():
            right = raw.startswith("> ")
            content = raw[2:] if right else raw
            wrapped = textwrap.wrap(content, width=78) or [""]
            for line in wrapped:
                if len(page) >= lines_per_page:
                    pages.append(page)
                    page = []
                page.append((line, right))
        pages.append(page)
    return pages


def _scan(image: Image.Image, rng: random.Random, *, skew: float, noise: float,
          jpeg_quality: int, rotate_180: bool) -> Image.Image:
    image = image.rotate(skew, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=238)
    pixels = image.load()
    width, height = image.size
    for _ in range(int(width * height * noise / 40)):
        x, y = rng.randrange(width), rng.randrange(height)
        pixels[x, y] = rng.choice((40, 90, 200))
    image = image.filter(ImageFilter.GaussianBlur(radius=0.6))
    if rotate_180:
        image = image.rotate(180)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=jpeg_quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def render_letter_pages(text: str, *, seed: int, skew_degrees: float | None = None,
                        noise: float = 0.02, jpeg_quality: int = 60, rotate_180: bool = False,
                        dpi: int = 200) -> list[Image.Image]:
    """The letter as greyscale A4 page images, deterministic for a seed."""
    rng = random.Random(seed)
    skew = rng.uniform(-1.5, 1.5) if skew_degrees is None else skew_degrees
    font = _font(int(dpi * 0.155))  # about 11 pt
    size = (int(A4_INCHES[0] * dpi), int(A4_INCHES[1] * dpi))
    margin, line_height = int(dpi * 1.0), int(dpi * 0.2)
    images = []
    for page in _layout(text, dpi):
        image = Image.new("L", size, color=238 + rng.randint(-6, 6))
        draw = ImageDraw.Draw(image)
        y = margin
        for line, right in page:
            x = margin
            if right:
                x = size[0] - margin - int(draw.textlength(line, font=font))
            draw.text((x, y), line, fill=25 + rng.randint(0, 25), font=font)
            y += line_height
        images.append(_scan(image, rng, skew=skew, noise=noise, jpeg_quality=jpeg_quality,
                            rotate_180=rotate_180))
    return images


def blank_page(seed: int, dpi: int = 200) -> Image.Image:
    """A blank separator sheet as the scanner sees it: paper tone and a little speckle."""
    rng = random.Random(seed)
    size = (int(A4_INCHES[0] * dpi), int(A4_INCHES[1] * dpi))
    return _scan(Image.new("L", size, 240), rng, skew=0.0, noise=0.004, jpeg_quality=70,
                 rotate_180=False)


def render_letter_pdf(text: str, out_path: Path, **options: object) -> None:
    """An image-only PDF of the letter (no text layer), identical bytes for the same seed."""
    pages = render_letter_pages(text, **options)  # type: ignore[arg-type]
    dpi = int(options.get("dpi", 200))  # type: ignore[call-overload]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    pages[0].save(out_path, format="PDF", save_all=True, append_images=pages[1:],
                  resolution=dpi, creationDate="D:20260101000000Z",
                  modDate="D:20260101000000Z", producer="housing-triage scanrender")


def _options(first_line: str) -> dict[str, object]:
    options: dict[str, object] = {}
    for pair in first_line.removeprefix("#render:").split():
        key, _, value = pair.partition("=")
        if key in {"skew", "skew_degrees"}:
            options["skew_degrees"] = float(value)
        elif key == "noise":
            options["noise"] = float(value)
        elif key == "jpeg_quality":
            options["jpeg_quality"] = int(value)
        elif key == "rotate_180":
            options["rotate_180"] = value.lower() == "true"
        else:
            raise ValueError(f"unknown render option {key!r}")
    return options


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    source = Path(args[0]) if args else Path("data/samples/scans/text")
    target = Path(args[1]) if len(args) > 1 else Path("data/samples/scans")
    for path in sorted(source.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        options: dict[str, object] = {}
        if text.startswith("#render:"):
            first, _, text = text.partition("\n")
            options = _options(first)
        render_letter_pdf(text, target / f"{path.stem}.pdf",
                          seed=zlib.crc32(path.name.encode()), **options)
        print(f"{path} -> {target / (path.stem + '.pdf')}")


if __name__ == "__main__":
    main()
