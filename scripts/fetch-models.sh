#!/usr/bin/env bash
# Fetches the example models from the PyPI wheels that ship them into models/ (ignored by git),
# checking each file's SHA-256. Needs only PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${SWITCHYARD_PYTHON:-.venv/bin/python}"

# file | wheel (package==version) | path inside the wheel | sha256
models=(
  "ch_PP-OCRv4_det_infer.onnx|rapidocr-onnxruntime==1.4.4|rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx|d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9"
  "ch_PP-OCRv4_rec_infer.onnx|rapidocr-onnxruntime==1.4.4|rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx|48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b"
  "ch_ppocr_mobile_v2.0_cls_infer.onnx|rapidocr-onnxruntime==1.4.4|rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx|e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c"
  "yolov8n-320.onnx|nudenet==3.4.2|nudenet/320n.onnx|c15d8273adad2d0a92f014cc69ab2d6c311a06777a55545f2c4eb46f51911f0f"
)

mkdir -p models .cache/wheels
for entry in "${models[@]}"; do
    IFS='|' read -r file wheel inner sha <<<"$entry"
    if [[ -f "models/$file" ]] && echo "$sha  models/$file" | sha256sum -c --quiet 2>/dev/null; then
        continue
    fi
    package="${wheel%%==*}"; version="${wheel##*==}"
    archive=$(ls .cache/wheels/"${package//-/_}"-"$version"-*.whl 2>/dev/null | head -1 || true)
    if [[ -z "$archive" ]]; then
        "$python" -m pip download -q --disable-pip-version-check --no-deps -d .cache/wheels "$wheel"
        archive=$(ls .cache/wheels/"${package//-/_}"-"$version"-*.whl | head -1)
    fi
    unzip -p "$archive" "$inner" > "models/$file.part"
    echo "$sha  models/$file.part" | sha256sum -c --quiet
    mv "models/$file.part" "models/$file"
    echo "fetched models/$file (from $wheel)"
done
