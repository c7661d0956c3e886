# Container image of the krm-multus KRM function: `docker build -t krm-multus .`
#
# Multi-stage: the build stage installs the package from this build context into a
# virtual environment, fetching PyYAML and the build backend from PyPI; the final
# stage gets that environment and nothing else, without pip. Nothing here is
# specific to one architecture (`docker buildx build --platform linux/amd64,linux/arm64 .`).
#
# BASE_IMAGE needs python3 with the venv module (ensurepip); both stages use it, so
# the environment's interpreter link points at the same python3 in the final stage.
# CI, without a registry, builds on a local Debian image that carries the host's CA
# bundle: `docker build --network host --build-arg BASE_IMAGE=krm-multus-base:bookworm-venv .`
ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS build
# The legacy builder keeps this stage as an untagged image; the label lets
# `.ci/container.sh build` prune such leftovers and nothing else.
LABEL krm-multus.stage="build"
WORKDIR /src
COPY pyproject.toml README.md ./
COPY krm_multus/ ./krm_multus/
# pip leaves the environment once it has installed the package. Byte-code is
# compiled with unchecked hashes: it stays valid whatever mtimes COPY leaves, so
# a read-only root never needs to rewrite it.
RUN python3 -m venv /opt/krm-multus \
    && /opt/krm-multus/bin/python3 -m pip install --no-cache-dir --no-compile . \
    && /opt/krm-multus/bin/python3 -m pip uninstall --yes --quiet pip setuptools \
    && python3 -m compileall -q --invalidation-mode unchecked-hash /opt/krm-multus

FROM ${BASE_IMAGE}
LABEL krm-multus.stage="final" \
      org.opencontainers.image.title="krm-multus" \
      org.opencontainers.image.description="KRM function for the Multus CNI DaemonSet on Talos Linux" \
      org.opencontainers.image.licenses="Apache-2.0"
# PATH is spelled out in full: an image made by `docker import` has no PATH to
# extend. Nothing is written at run time, so --read-only works.
ENV PATH=/opt/krm-multus/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONNOUSERSITE=1 \
    PYTHONUTF8=1
COPY --from=build /opt/krm-multus /opt/krm-multus
# nobody: kpt and kustomize run functions as that user anyway.
USER 65534:65534
ENTRYPOINT ["krm-multus"]
