#!/usr/bin/env bash
# Package test (ctest label `package`): `cpack -G DEB` in the build directory
# gives stagewatch_<version>_amd64.deb with the binary, the sample INI (a
# conffile), the systemd template unit and Debian dependencies from
# dpkg-shlibdeps; the packaged binary, extracted with dpkg-deb -x, runs with
# the packaged sample config on a capture and writes the same rows as the
# build's binary; systemd-analyze verify accepts the unit (when present).
#
# usage: package_test.sh BUILD_DIR SOURCE_DIR VERSION
# exit 77 = skipped (no dpkg-deb)
set -euo pipefail
build=$(readlink -f "$1")
src=$(readlink -f "$2")
version=$3
command -v dpkg-deb >/dev/null || { echo "SKIP: dpkg-deb not found"; exit 77; }
work=$(mktemp -d /tmp/swpkg.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

(cd "$build" && timeout 300 cpack -G DEB -B "$work/out") >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$work/out/stagewatch_${version}_amd64.deb
[[ -f $deb ]] || { ls -l "$work/out"; fail "no $(basename "$deb")"; }
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"

dpkg-deb -c "$deb" | awk '{print $1, $6}' | tee "$work/contents"
for want in "-rwxr-xr-x ./usr/bin/stagewatch" \
            "-rw-r--r-- ./etc/stagewatch/stagewatch.ini" \
            "-rw-r--r-- ./usr/lib/systemd/system/stagewatch@.service"; do
    grep -qxF -- "$want" "$work/contents" || fail "package lacks '$want'"
done

exec_bin=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/stagewatch@.service |
           sed -n 's/^ExecStart=\([^ ]*\).*/\1/p')
grep -qx -- "-rwxr-xr-x .$exec_bin" "$work/contents" || fail "the unit starts $exec_bin, which the package lacks"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libpcap0.8 libboost-program-options; do
    [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib"
done
[[ $(dpkg-deb -f "$deb" Architecture) == amd64 ]] || fail "architecture is not amd64"
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] || fail "version is not $version"
dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/stagewatch/stagewatch.ini "$work/control/conffiles" || fail "the sample config is not a conffile"

dpkg-deb -x "$deb" "$work/root"
ini=$work/root/etc/stagewatch/stagewatch.ini
grep -q '^# capture.buffer-size = 256MiB$' "$ini" || fail "the sample config lacks the capture options"
[[ -z $(grep -v '^#' "$ini" | grep -v '^$' || true) ]] || fail "the sample config sets something (all must be commented out)"
"$work/root/usr/bin/stagewatch" --config "$ini" -r "$src/pcaps/demo-smb.pcap" -o "$work/pkg-logs" --seed 1 \
    --progress never 2>"$work/pkg.err" || { cat "$work/pkg.err"; fail "the packaged binary failed"; }
"$build/stagewatch" -r "$src/pcaps/demo-smb.pcap" -o "$work/build-logs" --seed 1 --progress never 2>/dev/null
for log in "$work"/build-logs/*.log; do
    name=$(basename "$log")
    # stats.log's mem (third column) is each process's own resident MiB.
    mask=(cat)
    [[ $name == stats.log ]] && mask=(awk -F'\t' -v OFS='\t' '/^#/ {print; next} {$3 = "(mem)"; print}')
    diff <(grep -v '^#open\|^#close' "$log" | "${mask[@]}") \
        <(grep -v '^#open\|^#close' "$work/pkg-logs/$name" | "${mask[@]}") >/dev/null ||
        fail "$name of the packaged binary differs from the build's"
done
echo "packaged binary with the packaged config: $(cd "$work/pkg-logs" && ls | xargs) equal to the build's"

if command -v systemd-analyze >/dev/null; then
    unit=$work/root/usr/lib/systemd/system/stagewatch@.service
    cp "$unit" "$work/stagewatch@eth0.service"
    # verify checks that ExecStart's binary exists: point it at the extracted one.
    sed -i "s|ExecStart=/usr/bin/stagewatch|ExecStart=$work/root/usr/bin/stagewatch|" "$work/stagewatch@eth0.service"
    out=$(cd "$work" && systemd-analyze verify "./stagewatch@eth0.service" 2>&1) || { echo "$out"; fail "systemd-analyze verify rejects the unit"; }
    echo "$out" | grep -v 'Documentation\|man:' | grep . && fail "systemd-analyze verify warns about the unit" || true
    echo "systemd-analyze verify: unit accepted"
fi
echo PASS
