# Container image of the krm-multus KRM function.
#
# The build needs no network: `.ci/container.sh build` first puts every wheel
# the image needs into dist/wheels on the host (krm-multus, its dependencies
# for several Python versions, and pip itself). BASE_IMAGE only has to provide
# python3; it need not have pip (a debootstrap minbase has none). CI builds on
# a local Debian bookworm image: --build-arg BASE_IMAGE=krm-multus-base:bookworm
ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS build
# The legacy builder keeps this stage as an untagged image; the label lets
# `.ci/container.sh build` prune such leftovers and nothing else.
LABEL krm-multus.stage="build"
COPY dist/wheels/ /wheels/
# pip runs straight from its own wheel (a zip is importable), so the base needs
# no pip and the final stage gets none. --target makes one self-contained tree that does not depend on
# the base's Python layout (/usr or /usr/local, Debian's dist-packages, the
# PEP 668 marker). Byte-code is compiled with unchecked hashes: it stays valid
# whatever mtimes COPY leaves, so a read-only root never needs to rewrite it.
RUN set -eu; \
    set -- /wheels/pip-*.whl; \
    python3 "$1/pip" install --no-index --find-links /wheels --no-cache-dir \
        --no-compile --target /opt/krm-multus /wheels/krm_multus-*.whl; \
    python3 -m compileall -q --invalidation-mode unchecked-hash /opt/krm-multus

FROM ${BASE_IMAGE}
LABEL krm-multus.stage="final" \
      org.opencontainers.image.title="krm-multus" \
      org.opencontainers.image.description="KRM function for the Multus CNI DaemonSet on Talos Linux"
# PATH is spelled out in full: an image made by `docker import` has no PATH to
# extend. Nothing is written at run time, so --read-only works.
ENV PATH=/opt/krm-multus/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONPATH=/opt/krm-multus \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONNOUSERSITE=1 \
    PYTHONUTF8=1
COPY --from=build /opt/krm-multus /opt/krm-multus
# nobody: kpt and kustomize run functions as that user anyway.
USER 65534:65534
ENTRYPOINT ["krm-multus"]
