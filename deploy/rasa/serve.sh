#!/usr/bin/env bash
# Serve the latest model in deploy/rasa/models/ with the HTTP API (POST /model/parse).
#   deploy/rasa/serve.sh [PORT]        default port 5005, listening on 127.0.0.1 only
set -euo pipefail
cd "$(dirname "$0")"

PORT=${1:-${RASA_PORT:-5005}}
export RASA_TELEMETRY_ENABLED=false

if [ ! -x .venv/bin/rasa ] || ! ls models/*.tar.gz >/dev/null 2>&1; then
    echo "serve.sh: no Rasa install or model yet: run deploy/rasa/train.sh first" >&2
    exit 1
fi
exec .venv/bin/rasa run --enable-api --interface 127.0.0.1 --port "$PORT" --model models
