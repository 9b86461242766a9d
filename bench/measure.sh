#!/usr/bin/env bash
# measure.sh LOGFILE COMMAND...
# Runs COMMAND under /usr/bin/time and appends one line to LOGFILE:
#   max_rss_kib wall_s user_s sys_s others_cpu_s
# others_cpu_s is the CPU time the whole machine spent during the run minus the command's own:
# how much other processes competed with the measurement (the machine may be shared).
set -u
log=$1
shift
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
before=$(busy)
times=$(mktemp)
/usr/bin/time -f '%M %e %U %S' -o "$times" "$@"
status=$?
after=$(busy)
hz=$(getconf CLK_TCK)
tail -1 "$times" | awk -v b="$before" -v a="$after" -v hz="$hz" \
    '{ others = (a - b) / hz - $3 - $4; if (others < 0) others = 0; printf "%s %s %s %s %.2f\n", $1, $2, $3, $4, others }' >>"$log"
rm -f "$times"
exit "$status"
