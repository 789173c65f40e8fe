#!/bin/sh
# The README's two quick-start commands, on a fresh Debian 12 machine as root:
#   tools/quickstart.sh demo   install what is needed, build, run on the demo capture
#   tools/quickstart.sh test   install what is needed, build, run every test (ctest)
set -eu
cd "$(dirname "$0")/.."
mode=${1:-demo}

need() {
    missing=""
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        echo "quickstart: installing:$missing"
        export DEBIAN_FRONTEND=noninteractive
        # tshark asks whether non-root users may capture; answer for it.
        echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
        apt-get update -q >/dev/null
        # shellcheck disable=SC2086
        apt-get install -y -q --no-install-recommends $missing >/dev/null
    fi
}

build_deps="build-essential cmake pkg-config libpcap-dev libboost-program-options-dev libspdlog-dev libgtest-dev libssl-dev libnats-dev"
# Tests also run real tools: tshark as the independent reference, and the lab
# (Samba, OpenSSH, tcpdump in network namespaces); live tests replay captures
# (tcpreplay); the report tests render the HTML page in a real browser
# (chromium-headless-shell); the fleet tests run a NATS JetStream server.
# CI (.ci/run) also builds the libFuzzer targets with clang (tools/fuzz/).
test_deps="tshark samba smbclient openssh-server openssh-client tcpdump tcpreplay ethtool iproute2 python3 procps chromium-headless-shell nats-server clang-14 libclang-rt-14-dev"

build() {
    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build -j "$(nproc)"
}

case "$mode" in
    demo)
        need $build_deps
        build
        rm -rf demo-logs
        ./build/stagewatch -r pcaps/demo-smb.pcap -o demo-logs --seed 1
        echo
        echo "Logs are in $(pwd)/demo-logs:"
        ls -l demo-logs
        for f in demo-logs/notice.log demo-logs/staging.log demo-logs/smb_files.log demo-logs/conn.log; do
            [ -f "$f" ] || continue
            echo
            echo "== $f"
            grep -v '^#' "$f" | cut -f1-12 | head -n 12
        done
        ;;
    test)
        need $build_deps $test_deps
        build
        cd build
        ctest --output-on-failure -j "$(nproc)" --timeout 1200
        ;;
    *)
        echo "usage: tools/quickstart.sh demo|test" >&2
        exit 1
        ;;
esac
