# shellcheck shell=bash
# Helpers shared by scripts/swift-aio and scripts/keystone-aio (sourced, not run).
#
# The sourcing script sets AIO_NAME (message prefix), STATE (state dir), RUN
# (pid files), LOG (log files) and defines cmd_marker NAME, which prints a
# string that /proc/PID/cmdline of daemon NAME contains.

# Everything here talks to loopback only: keep any HTTP proxy from the
# environment away from curl, Python and the daemons (keystonemiddleware).
export no_proxy="127.0.0.1,localhost,::1${no_proxy:+,$no_proxy}"
export NO_PROXY="$no_proxy"

say() { printf '%s: %s\n' "$AIO_NAME" "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}

# Install the Debian packages that are missing; a machine that has them all
# runs only dpkg-query. Usage: ensure_packages PKG...
ensure_packages() {
  local missing=() p t0=$SECONDS
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  say "installing Debian packages: ${missing[*]}"
  # No recommends: they pull in hundreds of unrelated packages (GTK among
  # them). The lock timeout waits for another apt run instead of failing.
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    --no-install-recommends "${missing[@]}" >&2
  say "packages installed in $((SECONDS - t0)) s"
}

# One command at a time per state dir (tests may call `start` concurrently).
lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  flock -w 300 9 || die "another $AIO_NAME command holds $STATE/.lock"
}

pidfile() { echo "$RUN/$1.pid"; }

# Print the recorded pid of daemon $1 if that process is alive and is ours
# (its command line still matches: guards against a recycled pid).
live_pid() {
  local f pid
  f=$(pidfile "$1")
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$(cmd_marker "$1")" || return 1
  echo "$pid"
}

# Start "$@" as daemon NAME in a new session (setsid: it leads its own process
# group, so Swift's "signal my whole group" on SIGTERM hits only this daemon,
# and stop_daemon can end it with all its children), output appended to
# log/NAME.log, pid recorded. A background child of a non-interactive bash is
# no group leader, so setsid does not fork and $! is the daemon itself.
spawn() {
  local name=$1
  shift
  printf '\n==== %s starting: %s\n' "$(date '+%F %T')" "$*" >>"$LOG/$name.log"
  # 9>&-: the daemon must not inherit (and so hold forever) our lock.
  setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$(pidfile "$name")"
}

# Does process group $1 still have a live (non-zombie) member? `kill -0` is not
# enough: our daemons get reparented to this machine's init, which reaps
# zombies only every couple of seconds.
group_alive() {
  local f line fields
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    read -r -a fields <<<"${line##*) }" # state ppid pgrp ...
    [[ ${fields[2]} == "$1" && ${fields[0]} != Z ]] && return 0
  done
  return 1
}

# Stop daemon $1 if it runs: SIGTERM to its process group, wait up to 10 s,
# then SIGKILL. Only the recorded pid's group is signalled, never by name.
stop_daemon() {
  local name=$1 pid i
  if pid=$(live_pid "$name"); then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
      group_alive "$pid" || break
      sleep 0.05
    done
    if group_alive "$pid"; then
      say "$name (pid $pid) ignored SIGTERM for 10 s: SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    say "stopped $name (pid $pid)"
  fi
  rm -f "$(pidfile "$name")" "$RUN/$name.confsum"
}

# Drop the pid files of daemons that are no longer alive (killed with the
# machine's session, or crashed), so a later "did it die while starting?"
# check only looks at daemons this run started. Usage: forget_dead NAME...
forget_dead() {
  local d
  for d in "$@"; do
    live_pid "$d" >/dev/null || rm -f "$(pidfile "$d")" "$RUN/$d.confsum"
  done
}

# Is something listening on 127.0.0.1:$1?
port_busy() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Value of HTTP header $1 (lower case) in the response head on stdin.
header() {
  awk -v h="$1" 'BEGIN { FS = ":" } tolower($1) == h { sub(/^[^:]*: */, ""); sub(/\r$/, ""); print }'
}

show_logs() {
  local f
  for f in "$LOG"/*.log; do
    [[ -e $f ]] || continue
    say "---- tail of $f"
    tail -n 25 "$f" >&2
  done
}
