#!/usr/bin/env bash
# Measures the running dashboard the way an investor runs it: capwatch in a
# detached tmux pane (120×40), CPU share of one core from /proc/PID/stat
# ((utime+stime) delta ÷ clock ticks ÷ wall seconds × 100), RSS (VmRSS) at
# the end of each run, and the demo's first-frame time. Cases:
#   a) idle: demo feed effectively paused (--speed 0.001, a batch every ~17 min)
#   b) market closed: replay feed, history only
#   c) updating: demo feed at speed 1 with 30 watched symbols, a batch per second
# Goals: ≤0.5 % of one core idle (a, b), ≤3 % updating (c), first frame ≤200 ms.
# A case that misses its goal is then profiled with `perf record` (when perf
# is installed and allowed) and the functions costing the most are listed.
# Then it replaces the "Idle CPU, RSS and first frame" section of
# BENCHMARKS.md (between the idle-cpu markers) with the figures.
#
#   scripts/idle-cpu.sh                       # 60 s per case (~4 min in all)
#   SECONDS_PER_RUN=10 scripts/idle-cpu.sh    # quick look
#   BENCH_OUT=- scripts/idle-cpu.sh           # print only, leave BENCHMARKS.md alone
#
# The build is excluded from every figure. Needs bash, awk, go and tmux.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${SECONDS_PER_RUN:-60}
settle=${SETTLE_SECONDS:-5}          # after the first frame, before measuring (start-up work)
frame_runs=${FIRST_FRAME_RUNS:-5}    # extra launches of the plain demo, for the first frame
perf_mode=${PERF:-auto}              # auto: profile with perf a case that misses its goal; 0: never; 1: every case
perf_secs=${PERF_SECONDS:-20}        # length of that profile (after the measured window)
out=${BENCH_OUT:-BENCHMARKS.md}
replay=feeds/replay/testdata/replay
frame_re='Breakout flags [0-9]+/[0-9]+'  # the flags panel's title once a snapshot is shown

command -v tmux > /dev/null || { echo "idle-cpu.sh: tmux is required" >&2; exit 2; }
tmp=$(mktemp -d)
sock="capwatch-idle-$$"
cleanup() {
  tmux -L "$sock" kill-server 2> /dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "== go build (not timed)" >&2
go build -o "$tmp/capwatch" ./cmd/capwatch
bin="$tmp/capwatch"
tck=$(getconf CLK_TCK)
use_perf=0
if [ "$perf_mode" != 0 ] && command -v perf > /dev/null && perf record -q -o "$tmp/probe.data" -- true > /dev/null 2>&1; then
  use_perf=1
fi

# A 30-symbol watchlist: the pair, 10 extras and the 18 default sector legs.
cat > "$tmp/thirty.toml" <<'EOF'
feed = "demo"
[watchlist]
symbols = ["QQQ", "DIA", "MDY", "IJR", "VB", "VOO", "IVV", "VTI", "RSP", "XBI"]
EOF
chmod 600 "$tmp/thirty.toml"
nsyms=$(XDG_CACHE_HOME="$tmp/x" XDG_CONFIG_HOME="$tmp/x" XDG_STATE_HOME="$tmp/x" \
  "$bin" snapshot --config "$tmp/thirty.toml" --feed demo --format json 2> /dev/null |
  grep -o '"symbol": *"[A-Z.^-]*"' | sort -u | wc -l) || nsyms="?"

# A holder session starts the private tmux server, so launches below do not
# include the server's start-up.
tmux -L "$sock" -f /dev/null new-session -d -s hold -x 120 -y 40 "cat"

now() { echo "${EPOCHREALTIME/,/.}"; }
ms_since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.0f", (b - a) * 1000}'; }
ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }  # utime+stime
wakeups() { cat /proc/"$1"/task/*/status 2> /dev/null | awk '/^(non)?voluntary_ctxt_switches/ {n += $2} END {print n + 0}'; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# launch NAME ARGS...: starts capwatch in its own session with its own XDG
# directories; sets pid and t_launch.
launch() {
  local name=$1; shift
  local home="$tmp/home-$name"
  mkdir -p "$home/config" "$home/cache" "$home/state"
  t_launch=$(now)
  tmux -L "$sock" new-session -d -s "$name" -x 120 -y 40 \
    env -u CAPWATCH_CONFIG XDG_CONFIG_HOME="$home/config" XDG_CACHE_HOME="$home/cache" \
    XDG_STATE_HOME="$home/state" "$bin" "$@"
  pid=$(tmux -L "$sock" display-message -p -t "$name" '#{pane_pid}')
}

# first_frame NAME: polls the pane every 10 ms until the dashboard shows a
# snapshot; sets frame_ms (or "timeout").
first_frame() {
  local i
  frame_ms=timeout
  for ((i = 0; i < 3000; i++)); do
    if tmux -L "$sock" capture-pane -p -t "$1" | grep -E "$frame_re" > /dev/null; then
      frame_ms=$(ms_since "$t_launch")
      return
    fi
    sleep 0.01
  done
}

stop() {
  tmux -L "$sock" send-keys -t "$1" q 2> /dev/null || true
  local i
  for ((i = 0; i < 300; i++)); do
    [ -d "/proc/$2" ] || break
    sleep 0.01
  done
  tmux -L "$sock" kill-session -t "$1" 2> /dev/null || true
}

# measure NAME GOAL DESCRIPTION SHOWN ARGS...: one case; appends a table row
# (SHOWN is the command line as printed in the report).
rows=()
measure() {
  local name=$1 goal=$2 desc=$3 shown=$4; shift 4
  local load0 load1 c0 c1 w0 w1 x0 x1 startup cpu wk rss hwm ok statusline
  load0=$(cut -d' ' -f1 /proc/loadavg)
  echo "== $name: capwatch $shown (${secs}s)" >&2
  launch "$name" "$@"
  first_frame "$name"
  sleep "$settle"
  [ -d "/proc/$pid" ] || { echo "idle-cpu.sh: capwatch exited early in case $name" >&2; tmux -L "$sock" capture-pane -p -t "$name" >&2 || true; exit 1; }
  c0=$(ticks "$pid"); x0=$(wakeups "$pid"); w0=$(now)
  sleep "$secs"
  c1=$(ticks "$pid"); x1=$(wakeups "$pid"); w1=$(now)
  rss=$(status_kb "$pid" VmRSS); hwm=$(status_kb "$pid" VmHWM)
  tmux -L "$sock" capture-pane -p -t "$name" > "$tmp/screen-$name.txt"
  ok=$(awk -v x="$(awk -v c0="$c0" -v c1="$c1" -v w0="$w0" -v w1="$w1" -v t="$tck" 'BEGIN {print (c1 - c0) / t / (w1 - w0) * 100}')" -v g="$goal" 'BEGIN {print (x <= g) ? "✓" : "✗"}')
  if [ "$use_perf" = 1 ] && { [ "$perf_mode" = 1 ] || [ "$ok" = "✗" ]; }; then
    echo "   profiling $name with perf for ${perf_secs}s" >&2
    if perf record -q -F 999 -g -p "$pid" -o "$tmp/perf-$name.data" -- sleep "$perf_secs" > /dev/null 2>&1; then
      {
        echo
        echo "<details><summary>Where case $name's CPU goes: \`perf record -F 999 -g -p PID -- sleep $perf_secs\` after the measured window, \`perf report --children --sort symbol\` (user-space frames, ≥1 %)</summary>"
        echo
        echo '```'
        perf report -i "$tmp/perf-$name.data" --stdio --header-only 2> /dev/null | grep -o 'sample duration.*' || true
        perf report -i "$tmp/perf-$name.data" --stdio -g none 2> /dev/null | awk '/^# Samples:/ {print "samples: " $3 " at 999 Hz (≈ " $3 " ms of CPU)"}' || true
        echo "children  self  function"
        perf report -i "$tmp/perf-$name.data" --children --stdio -g none --sort symbol 2> /dev/null |
          awk '/^ *[0-9.]+%/ && $3 == "[.]" && $1 + 0 >= 1 && n < 30 {n++; sym = $4; for (i = 5; i <= NF && $i != "-"; i++) sym = sym " " $i; printf "%7s %6s  %s\n", $1, $2, sym}' || true
        echo '```'
        echo
        echo "</details>"
      } > "$tmp/perf-$name.md"
    fi
  fi
  statusline=$(head -n 1 "$tmp/screen-$name.txt" | sed 's/[[:space:]]\+/ /g; s/^ //; s/ $//; s/|/\\|/g')
  stop "$name" "$pid"
  load1=$(cut -d' ' -f1 /proc/loadavg)
  read -r cpu startup wk < <(awk -v c0="$c0" -v c1="$c1" -v w0="$w0" -v w1="$w1" -v t="$tck" -v x0="$x0" -v x1="$x1" \
    'BEGIN {printf "%.2f %.2f %.1f\n", (c1 - c0) / t / (w1 - w0) * 100, c0 / t, (x1 - x0) / (w1 - w0)}')
  printf '%-8s cpu %6s %% of one core (goal ≤%s %%) %s  rss %s MB  first frame %s ms  wakeups %s/s  load %s→%s\n' \
    "$name" "$cpu" "$goal" "$ok" "$((rss / 1024))" "$frame_ms" "$wk" "$load0" "$load1"
  echo "         status line: $statusline"
  rows+=("| $desc | \`capwatch $shown\` | **$cpu %** | ≤$goal % | $ok | $(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}') MB (peak $(awk -v k="$hwm" 'BEGIN {printf "%.1f", k / 1024}')) | $frame_ms ms | $startup s | $wk | $load0 → $load1 |")
  statuslines+=("- $desc: \`$statusline\`")
}

machine_load=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
statuslines=()
measure a 0.5 "a) idle: demo feed paused" "--feed demo --speed 0.001" --feed demo --speed 0.001
measure b 0.5 "b) market closed: replay, history only" "--feed replay --data $replay" --feed replay --data "$replay"
measure c 3 "c) demo updating $nsyms symbols every second" "--feed demo --config thirty.toml" --feed demo --config "$tmp/thirty.toml"
closed=no
grep -i 'closed' "$tmp/screen-b.txt" > /dev/null && closed=yes
# The session as the replay data's snapshot reports it (the status bar may
# give its room to a feed message at 120 columns).
session_b=$(XDG_CACHE_HOME="$tmp/x" XDG_CONFIG_HOME="$tmp/x" XDG_STATE_HOME="$tmp/x" \
  "$bin" snapshot --feed replay --data "$replay" --format json 2> /dev/null |
  awk '/"session"/ {on = 1} on && /"state"/ {gsub(/[",]/, "", $2); print $2; exit}') || true

# First frame of the plain demo (default watchlist, speed 1), several launches.
frames=()
for ((k = 1; k <= frame_runs; k++)); do
  launch "f$k" --feed demo
  first_frame "f$k"
  stop "f$k" "$pid"
  frames+=("$frame_ms")
done
frame_stats=$(printf '%s\n' "${frames[@]}" | awk '
  /^[0-9]+$/ { n++; v[n] = $1 } !/^[0-9]+$/ { bad++ }
  END {
    for (i = 2; i <= n; i++) { x = v[i]; j = i - 1; while (j > 0 && v[j] > x) { v[j+1] = v[j]; j-- } v[j+1] = x }
    if (n == 0 || bad) { print "timeout - - ✗"; exit }
    med = (n % 2) ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2
    printf "%.0f %d %d %s\n", med, v[1], v[n], (med <= 200) ? "✓" : "✗"
  }')
read -r f_med f_min f_max f_ok <<< "$frame_stats"
echo "first frame of the demo: median $f_med ms (min $f_min, max $f_max) over $frame_runs launches $f_ok" >&2
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo '<!-- idle-cpu:begin -->'
  echo '## Idle CPU, RSS and first frame'
  echo
  echo "Measured by \`SECONDS_PER_RUN=$secs scripts/idle-cpu.sh\` on $started; load average $machine_load at the start, $load_end at the end ($(nproc) CPUs, $(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo))."
  echo "Each case runs the freshly built binary (build time excluded) in a detached tmux pane (\`tmux new-session -d -x 120 -y 40\`) with empty temporary XDG config/cache/state directories, waits for the first frame and $settle s more (start-up work: history, the analog study), then reads utime+stime from \`/proc/PID/stat\` over $secs s of wall time: CPU % of one core = Δticks ÷ $tck ÷ seconds × 100. RSS is \`VmRSS\` from \`/proc/PID/status\` at the end of the run (peak: \`VmHWM\`). Wakeups/s are the voluntary plus involuntary context switches of all the process's threads per second. Start-up CPU is the CPU time spent before the measured window."
  echo
  echo "| Case | Command | CPU (one core) | goal | ok | RSS at end | first frame | start-up CPU | wakeups/s | load 1 min |"
  echo "|---|---|---:|---|:-:|---|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "First frame of the demo (\`capwatch --feed demo\`, default watchlist): **median $f_med ms** (min $f_min, max $f_max) over $frame_runs launches; goal ≤200 ms $f_ok. Timed from the \`tmux new-session\` call (the tmux server was already running) until \`tmux capture-pane -p\`, polled every 10 ms, shows the flags panel's title with a snapshot (\`$frame_re\`), so it includes process start, the demo's synthetic history and the first render."
  echo
  echo "Status line (top line of the pane) at the end of each run; case b: \"closed\" on the screen: $closed; \`capwatch snapshot --feed replay --format json\` session state: ${session_b:-unknown} (at $(date -u '+%H:%M UTC'))."
  echo
  printf '%s\n' "${statuslines[@]}"
  cat "$tmp"/perf-*.md 2> /dev/null || true
  echo '<!-- idle-cpu:end -->'
} > "$tmp/section.md"

if [ "$out" = "-" ]; then
  cat "$tmp/section.md"
  exit 0
fi
if [ -f "$out" ] && grep -qF '<!-- idle-cpu:begin -->' "$out"; then
  awk -v f="$tmp/section.md" '
    index($0, "<!-- idle-cpu:begin -->") { while ((getline l < f) > 0) print l; skip = 1; next }
    skip && index($0, "<!-- idle-cpu:end -->") { skip = 0; next }
    !skip { print }' "$out" > "$tmp/new.md"
else
  { [ -f "$out" ] && cat "$out" && echo; cat "$tmp/section.md"; } > "$tmp/new.md"
fi
mv "$tmp/new.md" "$out"
echo "updated $out" >&2
