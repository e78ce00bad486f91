#!/usr/bin/env python3
"""Render document pages with known text for the OCR pipeline's accuracy check.

Writes PNG pages and `truth.jsonl` (one line of text per record: page file, line index,
box [x1, y1, x2, y2] in page pixels, exact text, font, size) into OUT (default
.cache/ocr-pages/). Seeded and deterministic: the same arguments give the same files.

Usage: scripts/make-ocr-pages.py [--out DIR] [--pages N] [--seed S]
"""
import argparse
import json
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation2"),
             Path("/usr/share/fonts/truetype/liberation")]
FONT_FILES = ["DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf", "DejaVuSans-Bold.ttf",
              "LiberationSans-Regular.ttf", "LiberationSerif-Regular.ttf", "LiberationMono-Regular.ttf"]

WORDS = """account address after amount annual April balance bank before billing budget
building cargo carrier center change charge check city client closing code company contract
copy credit customer daily data date debit delivery department deposit detail device direct
discount document due east engine entry equipment estimate export factory field file final
first freight fund garden general goods green group hardware harbor house import income index
invoice issue item journal label ledger level light limit line local machine manager market
medium member method model monthly motor network north notice number office order owner package
page paper part payment period phone plant policy port price print product project quarter
receipt record region report request return river road sales sample schedule second section
server service shipping signal silver south station status steel stock store street summary
supply system table tax total transfer travel unit update valley value vendor volume warehouse
water weekly west window winter yard yellow""".split()


def available_fonts():
    fonts = []
    for name in FONT_FILES:
        for folder in FONT_DIRS:
            if (folder / name).exists():
                fonts.append(folder / name)
                break
    if not fonts:
        raise SystemExit("make-ocr-pages: no DejaVu/Liberation fonts found (apt-get install fonts-dejavu-core)")
    return fonts


def token(rng):
    kind = rng.random()
    if kind < 0.70:
        word = rng.choice(WORDS)
        return word.capitalize() if rng.random() < 0.25 else word
    if kind < 0.82:
        return str(rng.randint(0, 99999))
    if kind < 0.90:
        return f"{rng.randint(1, 9999)}.{rng.randint(0, 99):02d}"
    if kind < 0.96:
        return f"{rng.randint(2000, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return f"{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}-{rng.randint(100, 9999)}"


def make_line(rng, font, max_width):
    """A line of 1..9 tokens that fits in max_width pixels."""
    target = rng.choice([1, 2, 2, 3, 4, 5, 6, 7, 8, 9])
    words = []
    for _ in range(target):
        candidate = " ".join(words + [token(rng)])
        if font.getlength(candidate) > max_width:
            break
        words = candidate.split(" ")
    if not words:
        words = [rng.choice(WORDS)]
    return " ".join(words)


def render_page(rng, fonts, width, height):
    background = rng.randint(228, 255)
    page = Image.new("L", (width, height), background)
    draw = ImageDraw.Draw(page)
    lines = []
    y = rng.randint(30, 60)
    while True:
        font_path = rng.choice(fonts)
        size = rng.randint(18, 36)
        font = ImageFont.truetype(str(font_path), size)
        margin = rng.randint(30, 90)
        text = make_line(rng, font, width - margin - 30)
        left, top, right, bottom = draw.textbbox((margin, y), text, font=font)
        if bottom + 30 > height:
            break
        ink = rng.randint(0, 60)
        draw.text((margin, y), text, font=font, fill=ink)
        lines.append({"box": [left, top, right, bottom], "text": text,
                      "font": font_path.name, "size": size})
        y = bottom + int(size * rng.uniform(0.7, 1.4))
    page = page.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.3, 0.8)))
    pixels = np.asarray(page, dtype=np.float32)
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0.0, 4.0, pixels.shape)
    pixels = np.clip(pixels + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels).convert("RGB"), lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=".cache/ocr-pages")
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--width", type=int, default=800)
    parser.add_argument("--height", type=int, default=1000)
    args = parser.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("page-*.png"):
        stale.unlink()
    rng = random.Random(args.seed)
    fonts = available_fonts()
    count = 0
    with open(out / "truth.jsonl", "w", encoding="utf-8") as truth:
        for index in range(args.pages):
            name = f"page-{index:03d}.png"
            page, lines = render_page(rng, fonts, args.width, args.height)
            page.save(out / name, optimize=False)
            for number, line in enumerate(lines):
                truth.write(json.dumps({"page": name, "line": number, **line}) + "\n")
                count += 1
    print(f"make-ocr-pages: {args.pages} pages, {count} lines, {len(fonts)} fonts -> {out}")


if __name__ == "__main__":
    main()
