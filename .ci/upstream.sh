#!/usr/bin/env bash
# The upstream Multus manifests the upstream tests read (tests/upstream.py): `deployments/` of
# k8snetworkplumbingwg/multus-cni at each release the tests cover, byte for byte, with its commit in
# COMMIT, into ../shared/upstream/multus/<version>/ next to the repository (or DEST).
#
#   .ci/upstream.sh [DEST]
#
# A version already there at its commit is left alone, so this is a no-op where the folder exists.
# The files come from a partial clone of GitHub, or from the clone KRM_MULTUS_MULTUS_GIT names.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=${1:-$ROOT/../shared/upstream/multus}
SOURCE=${KRM_MULTUS_MULTUS_GIT:-}
REMOTE=https://github.com/k8snetworkplumbingwg/multus-cni
# version, commit (the tag's, and master's when it was read), the thick manifest (v3.9.3 names it apart)
RELEASES="
v3.9.3 80c0f6f0c4ed85ab5887e81cb5ee3294995ac93c multus-daemonset-thick-plugin.yml
v4.0.0 1b01e3e48670c2440c22b827a68c983af47bf4a9 multus-daemonset-thick.yml
v4.0.2 f03765681fe81ee1e0633ee1734bf48ab3bccf2b multus-daemonset-thick.yml
v4.1.0 3c33f6f02886da801643391f13d601c11ed6c9c6 multus-daemonset-thick.yml
v4.1.4 4fc16b3bb8e870d36291312bd78d356411b5cba0 multus-daemonset-thick.yml
v4.2.0 2a91646eafe7e777f54cc01134a430f4730325e2 multus-daemonset-thick.yml
v4.2.2 00adf22482945de41ff702258593aaf867a48e2d multus-daemonset-thick.yml
v4.2.3 2ecd4f4b47b7821c7a65fac940dc5327bb4c5be8 multus-daemonset-thick.yml
v4.2.4 705a59eaf96c86e1e977a2fe7b4f5cb19c96c4e6 multus-daemonset-thick.yml
v4.3.0 db30741512795c258b3ba383a571a66850e8baac multus-daemonset-thick.yml
master 95a0932350f0060cd232096876e24672a1de83fa multus-daemonset-thick.yml
"

log() { printf '==> %s\n' "$*" >&2; }

source_clone() {  # a clone to read from, made on first use
    [[ -n $SOURCE ]] && return 0
    SOURCE=$(mktemp -d)
    trap 'rm -rf "$SOURCE"' EXIT
    log "cloning $REMOTE (no blobs until read)"
    git clone -q --filter=blob:none --no-checkout "$REMOTE" "$SOURCE"
}

while read -r version commit thick; do
    [[ -n $version ]] || continue
    dir=$DEST/$version
    if [[ $(cat "$dir/COMMIT" 2>/dev/null) == "$commit" && -f $dir/$thick && -f $dir/multus-daemonset.yml ]]; then
        continue
    fi
    source_clone
    mkdir -p "$dir"
    for file in multus-daemonset.yml "$thick"; do
        git -C "$SOURCE" show "$commit:deployments/$file" >"$dir/$file"
    done
    echo "$commit" >"$dir/COMMIT"
    log "multus $version at ${commit:0:8} in $dir"
done <<<"$RELEASES"
