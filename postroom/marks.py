"""What happens to paper in a post room: a RECEIVED stamp, punched holes, a staple."""

from __future__ import annotations

import random
from datetime import date

from PIL import Image, ImageChops, ImageDraw, ImageFont

from postroom.fonts import font

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def stamp(page: Image.Image, received: str, rng: random.Random, *, place: str = "corner",
          side: str = "right") -> None:
    """A rubber stamp, "RECEIVED 12 DEC 2026", in the lighter grey red ink scans to, at an
    angle: over the top corner, across the sender's block (at the sender's `side`: right,
    left or center) or across the first lines of the body."""
    dpi = page.size[0] / 8.27
    day = date.fromisoformat(received) if received else date(2026, 12, 12)
    words = ("RECEIVED", f"{day.day:02d} {_MONTHS[day.month - 1]} {day.year}",
             "NORTHBROOK HOMES")
    width, height = int(dpi * 2.3), int(dpi * 1.0)
    mark = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mark)
    draw.rounded_rectangle((4, 4, width - 5, height - 5), radius=int(dpi * 0.08), outline=255,
                           width=max(3, int(dpi / 45)))
    for index, (text, scale) in enumerate(zip(words, (0.22, 0.2, 0.11), strict=True)):
        fnt: ImageFont.FreeTypeFont | ImageFont.ImageFont = font("sans-bold", int(dpi * scale))
        wide = draw.textlength(text, font=fnt)
        draw.text(((width - wide) / 2, dpi * (0.1, 0.4, 0.72)[index]), text, fill=255, font=fnt)
    mark = mark.rotate(rng.uniform(-9, 9), expand=True, resample=Image.Resampling.BICUBIC)
    x = int(page.size[0] - mark.size[0] - dpi * rng.uniform(0.3, 0.9))
    if place == "body":
        y = int(dpi * rng.uniform(3.0, 4.2))
    elif place == "sender":
        # The sender's block starts about 0.6 inch down; the stamp lands on its lines.
        y = int(dpi * rng.uniform(0.55, 1.1))
        if side == "left":
            x = int(dpi * rng.uniform(0.7, 1.3))
        elif side == "center":
            x = int((page.size[0] - mark.size[0]) / 2 + dpi * rng.uniform(-0.8, 0.8))
    else:
        y = int(dpi * rng.uniform(0.2, 0.6))
    # Stamp ink is translucent: where it crosses toner the toner stays black (multiply).
    shade = rng.randint(100, 160)
    layer = Image.new("L", page.size, 255)
    layer.paste(mark.point(lambda v: 255 - (255 - shade) * v // 255), (x, y))
    page.paste(ImageChops.multiply(page, layer))


def punch_holes(page: Image.Image, rng: random.Random) -> None:
    """Two filing holes near the left edge, dark where the scanner's lid shows through."""
    dpi = page.size[0] / 8.27
    draw = ImageDraw.Draw(page)
    radius, middle = dpi * 0.13, page.size[1] / 2 + rng.uniform(-0.2, 0.2) * dpi
    x = dpi * rng.uniform(0.35, 0.5)
    for y in (middle - dpi * 1.6, middle + dpi * 1.6):
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=rng.randint(20, 70))


def staple(page: Image.Image, rng: random.Random) -> None:
    """A staple at the top left corner with its shadow, and the dent of its twin."""
    dpi = page.size[0] / 8.27
    draw = ImageDraw.Draw(page)
    x, y = dpi * rng.uniform(0.25, 0.45), dpi * rng.uniform(0.25, 0.45)
    length = dpi * 0.5
    draw.line((x + 3, y + length * 0.7 + 3, x + length * 0.7 + 3, y + 3), fill=150,
              width=int(dpi / 30))
    draw.line((x, y + length * 0.7, x + length * 0.7, y), fill=35, width=int(dpi / 60))
