#!/bin/sh
# Audit export streams: time and peak memory at N and 10×N entries. A memory ratio near 1
# means entries are not held; a time ratio near 10 means the cost is per entry.
# Usage: benches/audit-export.sh [N]   (default 100000; the 10×N run takes a while)
set -eu
N=${1:-100000}
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin pim --example seed_audit
# The build lands in target/<host tuple>/ (see .cargo/config.toml).
OUT=$PWD/target/$(rustc --print host-tuple)/release
PIM=$OUT/pim
SEED=$OUT/examples/seed_audit
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export PIM_DB="$DIR/lab.db" HOME="$DIR" XDG_STATE_HOME="$DIR/state" XDG_DATA_HOME="$DIR/data"
"$PIM" lab --json > "$DIR/lab.json"
secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accounts"][0]["totp_secret"])' "$DIR/lab.json")
password=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accounts"][0]["password"])' "$DIR/lab.json")
code=$(python3 - "$secret" <<'PY'
import base64, hashlib, hmac, struct, sys, time
key = base64.b32decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 8))
h = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000))
PY
)
echo "$password" | "$PIM" login --user admin@pimlab.onmicrosoft.com --password-stdin --otp "$code" > /dev/null
export_once() {
    /usr/bin/time -f "%e %M" "$PIM" audit export --format "$1" -o "$DIR/out.$1" 2>&1 >/dev/null | tail -1
}
"$SEED" "$PIM_DB" "$N"
small_csv=$(export_once csv); small_jsonl=$(export_once jsonl)
"$SEED" "$PIM_DB" $((N * 9))
big_csv=$(export_once csv); big_jsonl=$(export_once jsonl)
python3 - "$N" "$small_csv" "$big_csv" "$small_jsonl" "$big_jsonl" <<'PY'
import sys
n = int(sys.argv[1])
for name, small, big in (("csv", sys.argv[2], sys.argv[3]), ("jsonl", sys.argv[4], sys.argv[5])):
    st, sm = small.split(); bt, bm = big.split()
    print(f"{name:5} {n:>8} entries: {st:>6}s {sm:>7} KB | {10 * n:>8}: {bt:>6}s {bm:>7} KB"
          f" | time x{float(bt) / max(float(st), 0.01):.1f}, memory x{int(bm) / int(sm):.2f}")
PY
