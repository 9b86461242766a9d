#!/usr/bin/env bash
# wait_quiet.sh LOGFILE [MAX_WAIT_S]
# Waits until the machine has been nearly idle (other processes using under 15% of one core)
# for three consecutive 2-second samples, or MAX_WAIT_S (default 600) has passed; logs what it saw.
# Used as (part of) hyperfine's --prepare, so every timed run starts on a quiet machine.
set -u
log=$1
max=${2:-600}
sample() {
    local b0 t0 b1 t1
    read -r b0 t0 < <(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat)
    sleep 2
    read -r b1 t1 < <(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat)
    # percent of ONE core
    echo $(( (b1 - b0) * 100 * $(nproc) / (t1 - t0 > 0 ? t1 - t0 : 1) ))
}
start=$(date +%s)
calm=0
while :; do
    busy=$(sample)
    if [ "$busy" -lt 15 ]; then calm=$((calm + 1)); else calm=0; fi
    waited=$(( $(date +%s) - start ))
    if [ "$calm" -ge 3 ] || [ "$waited" -ge "$max" ]; then
        break
    fi
done
echo "$(date +%H:%M:%S) waited ${waited}s, last sample ${busy}% of a core busy$([ "$calm" -ge 3 ] || echo ' (NOT QUIET: gave up waiting)')" >>"$log"
