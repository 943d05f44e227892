#!/usr/bin/env bash
# A Debian 12 (bookworm) base image made from Debian's packages alone, for machines that reach
# Debian's archive but no image registry. Same Python (3.11) as the default base image.
#   deploy/docker/base-image.sh [TAG] [CA.crt ...]     (needs root, mmdebstrap and docker)
# CA.crt: certificates to trust besides Debian's (a TLS-inspecting proxy's); pip in the image
# uses the system's store, so the build's `pip install` trusts them too.
# then build on it:
#   docker build --network host --build-arg BASE_IMAGE=helpline-base:bookworm \
#       -f deploy/docker/Dockerfile -t helpline .
set -euo pipefail
tag=${1:-helpline-base:bookworm}
shift || true
hooks=()
for ca in "$@"; do
    hooks+=(--customize-hook="copy-in $ca /usr/local/share/ca-certificates/")
done
hooks+=(--customize-hook='chroot "$1" update-ca-certificates --fresh >/dev/null')
# minbase: dpkg, apt and essential packages only; python3-venv brings ensurepip's pip.
mmdebstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    "${hooks[@]}" \
    bookworm - | docker import \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    - "$tag"
echo "built $tag"
