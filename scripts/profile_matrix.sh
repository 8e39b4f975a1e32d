#!/usr/bin/env bash
# What each release-profile setting buys: builds `flows-assign` with the shipped profile and with one setting
# changed at a time (through CARGO_PROFILE_RELEASE_* overrides, each in its own target directory so the variants
# do not rebuild each other), then prints the binary size, the zipped size and the build time.
# Slow (a full release build per variant): `make profile-matrix`. Cold start is measured by `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${PROFILE_MATRIX_DIR:-target/profile-matrix}
variants=(
  "shipped:"
  "opt-level=3:CARGO_PROFILE_RELEASE_OPT_LEVEL=3"
  "opt-level=z:CARGO_PROFILE_RELEASE_OPT_LEVEL=z"
  "no-lto:CARGO_PROFILE_RELEASE_LTO=false"
  "codegen-units=16:CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16"
  "panic=unwind:CARGO_PROFILE_RELEASE_PANIC=unwind"
  "no-strip:CARGO_PROFILE_RELEASE_STRIP=false"
)
printf '%-18s %12s %12s %8s\n' variant binary zipped build_s
for v in "${variants[@]}"; do
  name=${v%%:*}; setting=${v#*:}
  dir="$base/$name"
  start=$(date +%s)
  env ${setting:+"$setting"} CARGO_TARGET_DIR="$dir" cargo build -q --release -p flows-functions --bin flows-assign
  took=$(( $(date +%s) - start ))
  bin="$dir/release/flows-assign"
  zipped=$(python3 -c 'import io,sys,zipfile; b=io.BytesIO(); z=zipfile.ZipFile(b,"w",zipfile.ZIP_DEFLATED,compresslevel=9); z.write(sys.argv[1],"bootstrap"); z.close(); print(b.tell())' "$bin")
  printf '%-18s %12s %12s %8s\n' "$name" "$(stat -c %s "$bin")" "$zipped" "$took"
done
