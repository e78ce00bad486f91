#!/usr/bin/env python3
"""Held-out data for quantization: calibration and validation splits for PP-OCR rec, PP-OCR cls, PP-OCR
det and YOLOv8n (nudenet 320n), preprocessed exactly as rapidocr / Ultralytics do, plus CTC decoder
fixtures. det: text pages rendered by scripts/make-ocr-pages.py's renderer (own seed, 600x600 so each
input is rapidocr's minimum 736x736), through rapidocr 1.4.4's own DetPreProcess (limit_type min, 736).

Layout (see /work/notes/s3/sample-layout.md): one-input models get DIR/NNNN.npy (batch dim 1),
DIR/labels.txt one line per sample. Output: .cache/heldout/{rec,cls,det,yolo}/{calibration,validation}/ and
.cache/heldout/ctc/ (recognizer probabilities + rapidocr's CTCLabelDecode output, for the Swift tests), and
.cache/heldout/yolo/calibration-extra/ (256 more augmented views, own seed, to calibrate and gate yolo on) and
.cache/heldout/det/calibration-extra/ (64 more text pages, own seed, for det's BF16/FP16 accuracy gate).

Run from the repo root: .venv/bin/python scripts/make-heldout.py [--out .cache/heldout] [--seed 7]
"""
import argparse
import importlib.util
import json
import math
import shutil
import sys
import zipfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = ["DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf", "DejaVuSans-Bold.ttf",
         "DejaVuSerif-Italic.ttf", "DejaVuSansCondensed.ttf"]
WORDS = """the of and to in is was he for it with as his on be at by had are but from or have an they which
one you were all we her she there would their will when who him been has more if no out so said what up its
about than into them can only other time new some could these two may first then do any like my now over
such our man me even most made after also did many before must through back years where much your way well
down should because each just those people how too little state good very make world still own see men work
long get here between both life being under never day same another know while last might great old year off
come since against go came right used take three states himself few house use during without again place
around however home small found thought went say part once general high upon school every don does got
united left number course war until always away something fact though water less public put think almost
hand enough far took head yet government system better set told nothing night end why called didn eyes find
going look asked later knew point next program city business give group toward young days let room president
side social given present several order national possible rather second face per among form important often
things looked early white case john become large big need four within felt along children saw best church
ever least power development light thing seemed family interest want members mind country area others done
turned although open god service certain kind problem began different door thus help sense means whole
matter perhaps itself york times law human line above name example action company hands local show whether
five history gave today either act feet across taken past quite anything seen having death week experience
""".split()
MAX_RATIO_REC = 320 / 48  # lines wider than this would grow rapidocr's batch width past 320


def render_line(rng, font_cache):
    """One text line image (RGB uint8, cropped around the text) and its ground truth."""
    while True:
        count = int(rng.integers(1, 4))
        words = [WORDS[int(rng.integers(len(WORDS)))] for _ in range(count)]
        style = rng.random()
        if style < 0.25:
            words = [w.capitalize() for w in words]
        elif style < 0.35:
            words = [w.upper() for w in words]
        if rng.random() < 0.3:
            words.append(str(int(rng.integers(0, 10000))))
        text = " ".join(words)
        font_name = FONTS[int(rng.integers(len(FONTS)))]
        size = int(rng.choice([20, 24, 28, 32, 36, 40]))
        key = (font_name, size)
        if key not in font_cache:
            font_cache[key] = ImageFont.truetype(str(FONT_DIR / font_name), size)
        font = font_cache[key]
        left, top, right, bottom = font.getbbox(text)
        pad_x, pad_y = int(rng.integers(2, 12)), int(rng.integers(2, 10))
        width, height = right - left + 2 * pad_x, bottom - top + 2 * pad_y
        if width / height > MAX_RATIO_REC:
            continue
        background = tuple(int(v) for v in rng.integers(180, 256, size=3))
        ink = tuple(int(v) for v in rng.integers(0, 70, size=3))
        image = Image.new("RGB", (width, height), background)
        ImageDraw.Draw(image).text((pad_x - left, pad_y - top), text, font=font, fill=ink)
        if rng.random() < 0.3:
            image = image.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(0.3, 1.0))))
        pixels = np.asarray(image).astype(np.float32)
        pixels += rng.normal(0, float(rng.uniform(0, 10)), size=pixels.shape)
        return np.clip(pixels, 0, 255).astype(np.uint8), text


def rapidocr_resize_norm(bgr, height, width):
    """rapidocr's resize_norm_img (rec and cls): keep aspect ratio, cv2 INTER_LINEAR, (x/255-0.5)/0.5,
    zero padding on the right to `width`."""
    h, w = bgr.shape[:2]
    ratio = w / float(h)
    resized_w = width if math.ceil(height * ratio) > width else int(math.ceil(height * ratio))
    resized = cv2.resize(bgr, (resized_w, height)).astype("float32")
    resized = resized.transpose((2, 0, 1)) / 255
    resized -= 0.5
    resized /= 0.5
    padded = np.zeros((3, height, width), dtype=np.float32)
    padded[:, :, :resized_w] = resized
    return padded[np.newaxis]


def letterbox(rgb, size=320, fill=114):
    """Ultralytics LetterBox (auto=False, centred) then RGB /255, NCHW float32."""
    h, w = rgb.shape[:2]
    r = min(size / h, size / w)
    new_w, new_h = int(round(w * r)), int(round(h * r))
    dw, dh = (size - new_w) / 2, (size - new_h) / 2
    if (w, h) != (new_w, new_h):
        rgb = cv2.resize(rgb, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
    left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
    rgb = cv2.copyMakeBorder(rgb, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(fill, fill, fill))
    return (rgb.astype(np.float32) / 255).transpose(2, 0, 1)[np.newaxis].copy()


def write_split(directory, samples, labels):
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    for index, sample in enumerate(samples):
        np.save(directory / f"{index:04d}.npy", sample)
    if labels is not None:
        (directory / "labels.txt").write_text("".join(f"{label}\n" for label in labels), encoding="utf-8")


def make_ocr(out, rng, calibration_lines, validation_lines):
    cache = {}
    for split, count in (("calibration", calibration_lines), ("validation", validation_lines)):
        rec, rec_labels, cls, cls_labels = [], [], [], []
        for _ in range(count):
            rgb, text = render_line(rng, cache)
            bgr = np.ascontiguousarray(rgb[:, :, ::-1])  # rapidocr gets cv2.imread's BGR
            rec.append(rapidocr_resize_norm(bgr, 48, 320))
            rec_labels.append(text)
            for label, image in ((0, bgr), (1, np.ascontiguousarray(bgr[::-1, ::-1]))):
                cls.append(rapidocr_resize_norm(image, 48, 192))
                cls_labels.append(label)
        write_split(out / "rec" / split, rec, rec_labels)
        write_split(out / "cls" / split, cls, cls_labels)


def make_det(out, seed, calibration, validation, size=600, splits=None):
    """Text pages (make-ocr-pages.py's renderer), preprocessed as rapidocr's detector does; no labels:
    the detection metric compares with the FP32 model's probability map (`--metric mask-f1`)."""
    import random
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess
    spec = importlib.util.spec_from_file_location("make_ocr_pages", ROOT / "scripts" / "make-ocr-pages.py")
    pages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pages)
    rng, fonts = random.Random(seed), pages.available_fonts()
    preprocess = DetPreProcess(limit_side_len=736, limit_type="min", mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5])
    for split, count in splits or (("calibration", calibration), ("validation", validation)):
        samples = []
        for _ in range(count):
            page, _ = pages.render_page(rng, fonts, size, size)
            bgr = np.ascontiguousarray(np.asarray(page)[:, :, ::-1])  # rapidocr gets cv2.imread's BGR
            samples.append(preprocess(bgr))
        write_split(out / "det" / split, samples, None)


def person_sources():
    """The only photographs of people available offline: scikit-image's bundled `astronaut` (Eileen
    Collins) and `camera` (a cameraman), plus non-person scenes (cat, coffee, rocket) as negatives."""
    from skimage import data
    gray_to_rgb = lambda g: np.repeat(g[:, :, None], 3, axis=2)
    return [data.astronaut(), gray_to_rgb(data.camera()), data.chelsea(), data.coffee(), data.rocket()]


def make_yolo(out, rng, calibration, validation, splits=None):
    """Augmented views of the source photos: random crops (40-100% of a side), flips, scale, brightness
    and contrast jitter, occasional noise; each letterboxed to 320x320 as Ultralytics does."""
    sources = person_sources()
    for split, count in splits or (("calibration", calibration), ("validation", validation)):
        samples = []
        for _ in range(count):
            image = sources[int(rng.integers(len(sources)))]
            h, w = image.shape[:2]
            ch, cw = int(h * rng.uniform(0.4, 1.0)), int(w * rng.uniform(0.4, 1.0))
            y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
            view = image[y:y + ch, x:x + cw].astype(np.float32)
            if rng.random() < 0.5:
                view = view[:, ::-1]
            view = view * rng.uniform(0.7, 1.3) + rng.uniform(-30, 30)
            if rng.random() < 0.3:
                view += rng.normal(0, 8, size=view.shape)
            view = np.clip(view, 0, 255).astype(np.uint8)
            aspect = rng.uniform(0.6, 1.6)
            view = cv2.resize(view, (max(32, int(view.shape[1] * aspect)), view.shape[0]))
            samples.append(letterbox(np.ascontiguousarray(view)))
        write_split(out / "yolo" / split, samples, None)


def load_rapidocr_decoder():
    """rapidocr 1.4.4's own CTCLabelDecode, imported from the wheel (its module needs only numpy)."""
    wheel = ROOT / ".cache" / "wheels" / "rapidocr_onnxruntime-1.4.4-py3-none-any.whl"
    if not wheel.exists():
        wheel = Path("/work/main/.cache/wheels") / wheel.name
    source = zipfile.ZipFile(wheel).read("rapidocr_onnxruntime/ch_ppocr_rec/utils.py")
    spec = importlib.util.spec_from_loader("rapidocr_rec_utils", loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, "rapidocr_onnxruntime/ch_ppocr_rec/utils.py", "exec"), module.__dict__)
    return module.CTCLabelDecode


def make_ctc_fixtures(out, rng, models):
    """The recognizer's probabilities on validation lines (batch 8) and on random near-one-hot
    sequences, with rapidocr's decode of each."""
    import onnx
    import onnxruntime as ort
    rec_path = models / "ch_PP-OCRv4_rec_infer.onnx"
    metadata = {p.key: p.value for p in onnx.load(str(rec_path), load_external_data=False).metadata_props}
    decoder = load_rapidocr_decoder()(character=metadata["character"].splitlines())
    directory = out / "ctc"
    directory.mkdir(parents=True, exist_ok=True)
    lines = sorted((out / "rec" / "validation").glob("*.npy"))[:8]
    batch = np.concatenate([np.load(p) for p in lines])
    session = ort.InferenceSession(str(rec_path), providers=["CPUExecutionProvider"])
    real = session.run(None, {session.get_inputs()[0].name: batch})[0].astype(np.float32)
    classes = real.shape[2]
    # Random sequences: runs of repeated classes, blanks between some, to exercise collapsing.
    synthetic = rng.random((4, 30, classes), dtype=np.float32) * 0.01
    for item in range(4):
        previous = 0
        for step in range(30):
            draw = rng.random()
            cls = 0 if draw < 0.3 else previous if draw < 0.6 else int(rng.integers(1, classes))
            synthetic[item, step, cls] = float(rng.uniform(0.3, 1.0))
            previous = cls
    for name, probabilities in (("real", real), ("synthetic", synthetic)):
        np.save(directory / f"{name}.npy", probabilities)
        decoded = decoder(probabilities)
        (directory / f"{name}.json").write_text(json.dumps(
            [{"text": text, "confidence": confidence} for text, confidence in decoded], ensure_ascii=False))
    (directory / "character.txt").write_text(metadata["character"], encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / ".cache" / "heldout")
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ocr-calibration", type=int, default=64, help="text lines in the calibration split")
    parser.add_argument("--ocr-validation", type=int, default=200, help="text lines in the validation split")
    parser.add_argument("--det-calibration", type=int, default=16, help="text pages in the det calibration split")
    parser.add_argument("--det-validation", type=int, default=24, help="text pages in the det validation split")
    parser.add_argument("--yolo-calibration", type=int, default=32)
    parser.add_argument("--yolo-validation", type=int, default=100)
    parser.add_argument("--yolo-extra", type=int, default=256,
                        help="augmented views in yolo/calibration-extra, from their own seed (the other splits are unchanged "
                             "and the views are new crops): more views to calibrate and gate on than the 32 of yolo/calibration")
    parser.add_argument("--only-yolo-extra", action="store_true", help="make yolo/calibration-extra only")
    parser.add_argument("--det-extra", type=int, default=64,
                        help="text pages in det/calibration-extra, from their own seed (the other splits are unchanged): "
                             "16 pages are too few for a 0.1-point mask-F1 decision (det's BF16 gate)")
    parser.add_argument("--only-det-extra", action="store_true", help="make det/calibration-extra only")
    args = parser.parse_args()
    if args.yolo_extra > 0 and not args.only_det_extra:
        make_yolo(args.out, np.random.default_rng(args.seed + 2000), 0, 0, splits=(("calibration-extra", args.yolo_extra),))
    if args.det_extra > 0 and not args.only_yolo_extra:
        make_det(args.out, args.seed + 3000, 0, 0, splits=(("calibration-extra", args.det_extra),))
    if args.only_yolo_extra or args.only_det_extra:
        print(f"{'yolo' if args.only_yolo_extra else 'det'}/calibration-extra in {args.out}")
        return
    rng = np.random.default_rng(args.seed)
    make_ocr(args.out, rng, args.ocr_calibration, args.ocr_validation)
    make_yolo(args.out, rng, args.yolo_calibration, args.yolo_validation)
    # Its own seed: adding det leaves the other splits' files unchanged.
    make_det(args.out, args.seed + 1000, args.det_calibration, args.det_validation)
    if (args.models / "ch_PP-OCRv4_rec_infer.onnx").exists():
        make_ctc_fixtures(args.out, rng, args.models)
    else:
        print(f"note: {args.models} has no rec model; CTC fixtures not made", file=sys.stderr)
    print(f"held-out data in {args.out}")


if __name__ == "__main__":
    main()
