"""Draw the integration's brand images (icon, logo, @2x and dark variants) with Pillow.

Run once when the design changes: ``scripts/run python scripts/make_brand_icons.py``.
The design: a demand curve dipping under a price spike, on the dashboard's teal.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = Path(__file__).resolve().parents[1] / "custom_components" / "nem_flex_telemetry" / "brand"
TEAL, AMBER, WHITE, INK = (79, 179, 191), (232, 178, 84), (255, 255, 255), (22, 33, 44)


def _icon(size: int, background: tuple[int, int, int], line: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    unit = size / 256
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=int(48 * unit), fill=background)
    # Price spike (amber bar) and the household demand curve stepping down beneath it.
    draw.rectangle((150 * unit, 48 * unit, 178 * unit, 208 * unit), fill=AMBER)
    curve = [(32, 150), (80, 120), (120, 132), (150, 190), (178, 190), (200, 110), (224, 96)]
    draw.line([(x * unit, y * unit) for x, y in curve], fill=line, width=int(16 * unit), joint="curve")
    return image


def _logo(scale: int, background: tuple[int, int, int], text: tuple[int, int, int]) -> Image.Image:
    height = 256 * scale
    icon = _icon(height, TEAL, WHITE)
    image = Image.new("RGBA", (height * 3, height), (*background, 0))
    image.paste(icon, (0, 0), icon)
    draw = ImageDraw.Draw(image)
    # Three bars of rising height: the cohort adding up (no font files needed).
    for index, bar in enumerate((0.45, 0.65, 0.85)):
        left = height * (1.25 + index * 0.55)
        draw.rounded_rectangle(
            (left, height * (1 - bar), left + height * 0.4, height * 0.95), radius=int(12 * scale), fill=text
        )
    return image


def main() -> None:
    BRAND.mkdir(parents=True, exist_ok=True)
    for scale, suffix in ((1, ""), (2, "@2x")):
        _icon(256 * scale, TEAL, WHITE).save(BRAND / f"icon{suffix}.png", optimize=True)
        _icon(256 * scale, INK, TEAL).save(BRAND / f"dark_icon{suffix}.png", optimize=True)
        _logo(scale, WHITE, TEAL).save(BRAND / f"logo{suffix}.png", optimize=True)
        _logo(scale, INK, AMBER).save(BRAND / f"dark_logo{suffix}.png", optimize=True)


if __name__ == "__main__":
    main()
