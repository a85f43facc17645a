#!/usr/bin/env bash
# Builds the libFuzzer targets .build-fuzz/datagram-fuzzer and .build-fuzz/http-fuzzer (see Fuzz/README.md).
#
# SwiftPM cannot build a libFuzzer binary (it would link its own main), so swiftc does it
# directly: the pure core (KademliaCore), the shell (Kademlia) and the test kit (for the
# reference decoder) as static library modules, instrumented for libFuzzer and ASan, then the harness against them; one package
# name, so `package` declarations are seen across them as SwiftPM builds them. The library is built -enable-testing only so the
# harness can hold the decoder to the internal reference decoder (Message.decodeViaTree).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ -d /opt/swift/usr/bin ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

SWIFTC="${SWIFTC:-swiftc}"
THREADS="$(nproc 2>/dev/null || echo 2)"
OUT=.build-fuzz
mkdir -p "$OUT/modules"
# An archive is added to, not replaced: objects of files since moved would linger twice.
rm -f "$OUT/libKademlia.a" "$OUT/libKademliaCore.a" "$OUT/libKademliaTestKit.a"

# -O with -g: fast enough to fuzz, symbolised stacks when something crashes.
# lld: gold warns about ASan's local symbols.
# FUZZ_OPT=-Onone builds faster, for a smoke run (CI); fuzzing for real wants -O.
FLAGS=(-swift-version 6 -parse-as-library "${FUZZ_OPT:--O}" -g -sanitize=fuzzer,address -use-ld=lld
       -I Sources/CLinux -I "$OUT/modules" -module-cache-path "$OUT/ModuleCache" -package-name KademliaDHT)

mapfile -t CORE < <(find Sources/KademliaCore -name '*.swift' | LC_ALL=C sort)
mapfile -t LIBRARY < <(find Sources/Kademlia -name '*.swift' | LC_ALL=C sort)
mapfile -t TESTKIT < <(find Sources/KademliaTestKit -name '*.swift' | LC_ALL=C sort)
mapfile -t HARNESS < <(find Fuzz/DatagramFuzzer -name '*.swift' | LC_ALL=C sort)
mapfile -t HTTP_HARNESS < <(find Fuzz/HTTPFuzzer -name '*.swift' | LC_ALL=C sort)

"$SWIFTC" "${FLAGS[@]}" -module-name KademliaCore -enable-testing -wmo -num-threads "$THREADS" \
    -emit-module -emit-module-path "$OUT/modules/KademliaCore.swiftmodule" \
    -emit-library -static -o "$OUT/libKademliaCore.a" \
    "${CORE[@]}"

"$SWIFTC" "${FLAGS[@]}" -module-name Kademlia -enable-testing -wmo -num-threads "$THREADS" \
    -emit-module -emit-module-path "$OUT/modules/Kademlia.swiftmodule" \
    -emit-library -static -o "$OUT/libKademlia.a" \
    "${LIBRARY[@]}"

"$SWIFTC" "${FLAGS[@]}" -module-name KademliaTestKit -wmo -num-threads "$THREADS" \
    -emit-module -emit-module-path "$OUT/modules/KademliaTestKit.swiftmodule" \
    -emit-library -static -o "$OUT/libKademliaTestKit.a" \
    "${TESTKIT[@]}"

"$SWIFTC" "${FLAGS[@]}" -module-name DatagramFuzzer -warnings-as-errors \
    "${HARNESS[@]}" "$OUT/libKademliaTestKit.a" "$OUT/libKademlia.a" "$OUT/libKademliaCore.a" \
    -o "$OUT/datagram-fuzzer"

# The HTTP parser is pure: its harness needs the core alone.
"$SWIFTC" "${FLAGS[@]}" -module-name HTTPFuzzer -warnings-as-errors \
    "${HTTP_HARNESS[@]}" "$OUT/libKademliaCore.a" \
    -o "$OUT/http-fuzzer"

echo "built $OUT/datagram-fuzzer and $OUT/http-fuzzer"
