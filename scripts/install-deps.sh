#!/usr/bin/env bash
# Installs chainbreak's build and test dependencies from Debian packages.
#   scripts/install-deps.sh          build and run
#   scripts/install-deps.sh --test   also what the tests need (clang for the
#                                    fuzzer, ImageMagick as the reference
#                                    decoder, jq for the CLI test, the
#                                    PostgreSQL server the store tests start,
#                                    Chromium and Node.js for the browser tests)
#   scripts/install-deps.sh --bench  also the peers the benchmarks run
#                                    beside chainbreak (Debian's FAISS; wrk
#                                    and nginx for the service)
set -euo pipefail
packages=(build-essential cmake pkg-config libjpeg62-turbo-dev libturbojpeg0-dev libpng-dev
  libwebp-dev libgif-dev libssl-dev libcli11-dev nlohmann-json3-dev libgtest-dev libbenchmark-dev zlib1g-dev
  libsqlite3-dev libpq-dev libexpat1-dev libxxhash-dev libboost-dev libboost-system-dev curl libsimdjson-dev libyaml-cpp-dev libsodium-dev)
if [ "${1:-}" = "--test" ]; then
  packages+=(clang libclang-rt-14-dev imagemagick jq hyperfine postgresql python3 openssl chromium nodejs)
fi
if [ "${1:-}" = "--bench" ]; then
  packages+=(hyperfine time python3-faiss python3-numpy wrk nginx-light postgresql python3 curl jq)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
