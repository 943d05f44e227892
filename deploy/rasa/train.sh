#!/usr/bin/env bash
# Train an NLU-only Rasa 3.6 model from the project's nlu_data/ into deploy/rasa/models/.
# Rasa lives in its own Python 3.10 venv here (deploy/rasa/.venv), never in the project's.
# The first run installs rasa==3.6.21 (about 2.7 GB, slow); later runs only train.
set -euo pipefail
cd "$(dirname "$0")"

RASA_VERSION=3.6.21
PY_VERSION=${RASA_PYTHON_VERSION:-3.10.13}
export RASA_TELEMETRY_ENABLED=false

if [ ! -x .venv/bin/rasa ]; then
    if [ ! -x .venv/bin/python ]; then
        root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
        python="$root/versions/$PY_VERSION/bin/python"
        if [ ! -x "$python" ]; then
            echo "train.sh: Python $PY_VERSION not found; install it with: pyenv install $PY_VERSION" >&2
            exit 1
        fi
        "$python" -m venv .venv
    fi
    echo "train.sh: installing rasa==$RASA_VERSION into deploy/rasa/.venv (slow, once)" >&2
    .venv/bin/pip install --quiet --disable-pip-version-check "rasa==$RASA_VERSION"
fi

mkdir -p models
exec .venv/bin/rasa train nlu \
    --nlu ../../nlu_data \
    --config config.yml \
    --out models \
    --fixed-model-name helpline-nlu \
    "$@"
