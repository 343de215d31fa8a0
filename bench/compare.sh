#!/bin/sh
# Whole `pim` processes against `sqlite3` floors on the same disk, in one run, as ratios.
#
# Usage: bench/compare.sh [USERS ASSIGNMENTS AUDIT]   (default 10000 100000 1000000)
#   BENCH_DIR=DIR keeps the labs in DIR and reuses them on the next run (seeding takes a minute).
#   RUNS=N        runs per measurement (default 15; the median is printed).
# Needs: sqlite3, strace, GNU time (/usr/bin/time), python3, oathtool (Debian packages).
set -eu
USERS=${1:-10000}
ASSIGNMENTS=${2:-100000}
AUDIT=${3:-1000000}
cd "$(dirname "$0")/.."
for tool in sqlite3 strace python3 oathtool; do
    command -v "$tool" > /dev/null || { echo "bench/compare.sh needs $tool (apt-get install $tool)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench/compare.sh needs GNU time (apt-get install time)" >&2; exit 1; }
cargo build --release --quiet --bin pim
if [ -n "${BENCH_DIR:-}" ]; then
    DIR=$BENCH_DIR
    mkdir -p "$DIR"
else
    DIR=$(mktemp -d)
    trap 'rm -rf "$DIR"' EXIT
fi
# Timed as users run it: `cargo install` (the README's way) copies the binary it built into
# place. The file the linker wrote in target/ starts measurably slower than a copy of it, by
# 0.5 to 1 ms per process on the machine of the README's table, the same for every command.
mkdir -p "$DIR/bin"
cp "target/$(rustc --print host-tuple)/release/pim" "$DIR/bin/pim.new"
mv "$DIR/bin/pim.new" "$DIR/bin/pim"
PIM=$DIR/bin/pim
export HOME="$DIR" XDG_STATE_HOME="$DIR/state" XDG_DATA_HOME="$DIR/data"

# A lab with pimuser eligible for Security Reader (MFA off, so activation measures the engine,
# not the authenticator) and both accounts signed in. $1 is the lab's file.
make_lab() {
    db=$1
    [ -f "$db.ready" ] && return 0
    rm -f "$db" "$db-wal" "$db-shm" "$db.json"
    "$PIM" --db "$db" lab --json > "$db.json"
    for n in 0 1; do
        upn=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accounts"][int(sys.argv[2])]["upn"])' "$db.json" $n)
        pw=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accounts"][int(sys.argv[2])]["password"])' "$db.json" $n)
        secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accounts"][int(sys.argv[2])]["totp_secret"])' "$db.json" $n)
        echo "$pw" | "$PIM" --db "$db" login --user "$upn" --password-stdin --otp "$(oathtool --totp -b "$secret")" > /dev/null
    done
    admin="--as admin@pimlab.onmicrosoft.com"
    "$PIM" --db "$db" settings set "Security Reader" --require-mfa off $admin > /dev/null
    "$PIM" --db "$db" assign "Security Reader" pimuser@pimlab.onmicrosoft.com --type eligible \
        --permanent --reason "benchmark" $admin > /dev/null
    if [ "${2:-}" = big ]; then
        started=$(date +%s.%N)
        /usr/bin/time -f "%M" -o "$db.seed-rss" \
            "$PIM" --db "$db" lab seed --users "$USERS" --assignments "$ASSIGNMENTS" --audit "$AUDIT" $admin
        python3 -c 'import sys; print(f"pim lab seed took {float(sys.argv[2]) - float(sys.argv[1]):.1f} s, peak RSS {int(open(sys.argv[3]).read().split()[-1]) / 1024:.1f} MiB")' \
            "$started" "$(date +%s.%N)" "$db.seed-rss" | tee "$db.seeded"
    fi
    touch "$db.ready"
}
echo "Preparing the labs in $DIR (three accounts; $USERS users, $ASSIGNMENTS assignments, $AUDIT audit entries)…" >&2
make_lab "$DIR/small.db"
make_lab "$DIR/big.db" big

# The floors: a sqlite3 process that commits one row with synchronous=FULL in WAL mode on the
# same disk, and one that runs one indexed query on the big lab.
rm -f "$DIR/floor.db" "$DIR/floor.db-wal" "$DIR/floor.db-shm"
sqlite3 "$DIR/floor.db" "PRAGMA journal_mode=WAL; CREATE TABLE t (id TEXT PRIMARY KEY, at INTEGER, note TEXT);" > /dev/null

RUNS=${RUNS:-15} PIM="$PIM" DIR="$DIR" python3 - <<'PY'
import json, os, re, statistics, subprocess, time

PIM, DIR, RUNS = os.environ["PIM"], os.environ["DIR"], int(os.environ["RUNS"])
ADMIN, USER = "admin@pimlab.onmicrosoft.com", "pimuser@pimlab.onmicrosoft.com"
ROLE = "Security Reader"

def run(argv, check=True):
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if check and p.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({p.returncode}): {p.stderr.decode()[-400:]}")
    return p

def times_ms(argv, before=None, after=None, runs=None):
    times = []
    for _ in range(runs or RUNS):
        if before: before()
        t = time.perf_counter(); run(argv); times.append((time.perf_counter() - t) * 1000)
        if after: after()
    return times

def median_ms(argv, before=None, after=None, runs=None):
    return statistics.median(times_ms(argv, before, after, runs))

def against_floor(argv, floor, after=None):
    """Times `argv` and its floor alternately, run for run, so that the disk's speed drifting
    during the run (it does, by a millisecond on a virtual disk) moves both: the times of
    `argv`, and the floor's median. Which goes first alternates too: a process that runs just
    after another's fsyncs waits on the disk longer. `floor` makes the floor's command line."""
    times, floors = [], []
    for i in range(RUNS):
        f = floor()
        for what in ((f, floors), (argv, times))[:: 1 if i % 2 == 0 else -1]:
            t = time.perf_counter(); run(what[0]); what[1].append((time.perf_counter() - t) * 1000)
        if after: after()
    return times, statistics.median(floors)

def syscalls(argv, calls="fsync,fdatasync,pwrite64,pread64", paths=()):
    """Counts of the given system calls made by one process (on `paths` only, when given)."""
    only = [a for p in paths for a in ("-P", p)]
    out = subprocess.run(["strace", "-f", "-c", "-e", "trace=" + calls, "-o", "/dev/stdout"] + only + argv,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
    counts = {c: 0 for c in calls.split(",")}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[-1] in counts:
            counts[parts[-1]] = int(parts[3])
    return counts

def rss_kb(argv):
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return int(p.stderr.decode().strip().splitlines()[-1])

def pim(db, who, *args):
    return [PIM, "--db", db] + list(args) + ["--as", who]

def sql(db, query):
    return ["sqlite3", db, query]

floor_db = f"{DIR}/floor.db"
n = [0]
def floor_insert():
    n[0] += 1
    return sql(floor_db, f"PRAGMA synchronous=FULL; INSERT INTO t VALUES ('row{n[0]}-{time.time_ns()}', {n[0]}, 'benchmark');")

def floor_insert_ms():
    times = []
    for _ in range(RUNS):
        argv = floor_insert()
        t = time.perf_counter(); run(argv); times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)

rows = []
def row(name, small, big, floor, unit="ms"):
    rows.append((name, small, big, floor, unit))

def ids(db):
    q = lambda s: subprocess.run(["sqlite3", db, s], stdout=subprocess.PIPE).stdout.decode().strip()
    return q(f"SELECT id FROM users WHERE upn = '{USER}'"), q(f"SELECT id FROM roles WHERE display_name = '{ROLE}'")

results = {}
insert_floor = floor_insert_ms()
floor_fsyncs = syscalls(floor_insert())["fsync"] + syscalls(floor_insert())["fdatasync"]
floor_fsyncs = syscalls(floor_insert())
max_rss = {}
for label in ("small", "big"):
    db = f"{DIR}/{label}.db"
    user_id, role_id = ids(db)
    r = results[label] = {}
    def deactivate():
        # Entra refuses deactivation in an activation's first five minutes: move the lab clock on.
        run(pim(db, ADMIN, "clock", "advance", "6m"))
        run(pim(db, USER, "deactivate", ROLE), check=False)
    activate = pim(db, USER, "activate", ROLE, "--for", "1h", "--reason", "benchmark")
    deactivate()
    # The write-ahead log is folded into the file by the change that takes it past its limit:
    # the median is an activation that does not fold, the mean spreads the folds over all.
    times, r["activate floor"] = against_floor(activate, floor_insert, after=deactivate)
    r["activate"], r["activate_mean"] = statistics.median(times), statistics.mean(times)
    # fsyncs over ten activations (some fold the log, most do not), per activation.
    total = {"fsync": 0, "fdatasync": 0}
    for _ in range(10):
        c = syscalls(activate); deactivate()
        total = {k: total[k] + c[k] for k in total}
    r["activate_sys"] = {k: v / 10 for k, v in total.items()}
    reads = {
        "status": pim(db, USER, "status", "--json"),
        "assignments --user": pim(db, ADMIN, "assignments", "--user", USER, "--json"),
        "assignments --role": pim(db, ADMIN, "assignments", "--role", "Global Administrator", "--json"),
        "audit --user": pim(db, ADMIN, "audit", "--user", USER, "--json"),
        "audit --role": pim(db, ADMIN, "audit", "--role", ROLE, "--limit", "50", "--json"),
        "audit --text": pim(db, ADMIN, "audit", "--text", "INC0042", "--json"),
        "alerts": pim(db, ADMIN, "alerts", "--json"),
    }
    # The floor for reads: one indexed query of the same shape in a bare sqlite3 process.
    query = sql(db, f"SELECT * FROM assignments WHERE principal_id = '{user_id}' AND ended_at IS NULL;")
    for name, argv in reads.items():
        run(argv)
        times, r[name + " floor"] = against_floor(argv, lambda: query)
        r[name] = statistics.median(times)
        # The database and its log, not the shared-memory index every process rebuilds.
        r[name + " writes"] = syscalls(argv, paths=(db, db + "-wal"))
        max_rss[(label, name)] = rss_kb(argv)
    max_rss[(label, "activate")] = rss_kb(activate); deactivate()
    verify = pim(db, ADMIN, "audit", "verify", "--json")
    # Seconds, the median of three (the first read of a freshly seeded log may come from disk).
    r["verify"] = median_ms(verify, runs=3) / 1000
    r["entries"] = int(subprocess.run(["sqlite3", db, "SELECT count(*) FROM audit"], stdout=subprocess.PIPE).stdout)
    max_rss[(label, "verify")] = rss_kb(verify)

big, small = results["big"], results["small"]
print()
print(f"Floors on this disk: insert+commit {insert_floor:.1f} ms ({floor_fsyncs['fsync'] + floor_fsyncs['fdatasync']} fsyncs), "
      f"query process {big['status floor']:.1f} ms; each row's floor below was timed alternately with it")
print()
print(f"{'operation':<22} {'3 accounts':>11} {'big tenant':>11} {'floor':>9} {'big/floor':>10} {'budget':>7}")
def line(name, s, b, f, budget):
    ratio = b / f
    mark = "ok" if ratio <= budget else "OVER"
    print(f"{name:<22} {s:>8.1f} ms {b:>8.1f} ms {f:>6.1f} ms {ratio:>9.2f}x {budget:>5.1f}x {mark}")
line("activate (MFA off)", small["activate"], big["activate"], big["activate floor"], 1.5)
for name, budget in (("status", 2), ("assignments --user", 2), ("assignments --role", 2), ("audit --user", 2),
                     ("audit --role", 2), ("audit --text", 3), ("alerts", 3)):
    line(name, small[name], big[name], big[name + " floor"], budget)
print()
fs = lambda c: c["fsync"] + c["fdatasync"]
print(f"activation, mean with the log's folds: {small['activate_mean']:.1f} ms (3 accounts), "
      f"{big['activate_mean']:.1f} ms (big) = {big['activate_mean'] / big['activate floor']:.2f}x the floor")
print(f"fsyncs per activation (mean of ten): {fs(small['activate_sys']):.1f} (3 accounts), {fs(big['activate_sys']):.1f} (big), "
      f"{fs(floor_fsyncs)} (sqlite3 process)")
writers = [n for n in ("status", "assignments --user", "audit --user", "alerts") if big[n + " writes"]["pwrite64"] or fs(big[n + " writes"])]
print("read commands that wrote: " + (", ".join(writers) if writers else "none"))
print(f"page reads (pread64) of status: {small['status writes']['pread64']} (3 accounts), {big['status writes']['pread64']} (big)")
rate = big["entries"] / big["verify"]
print(f"audit verify: {big['entries']} entries in {big['verify']:.2f} s = {rate / 1e6:.2f} M entries/s (budget >= 1 M/s {'ok' if rate >= 1e6 else 'OVER'})")
seeded = f"{DIR}/big.db.seed-rss"
if os.path.exists(seeded):
    max_rss[("big", "lab seed")] = int(open(seeded).read().split()[-1])
    print(open(f"{DIR}/big.db.seeded").read().strip() + " (when the lab was made)")
worst = max(max_rss.items(), key=lambda kv: kv[1])
print(f"peak RSS: {worst[1] / 1024:.1f} MiB ({worst[0][1]} on the {worst[0][0]} lab; budget 40 MiB {'ok' if worst[1] <= 40 * 1024 else 'OVER'})")
PY
