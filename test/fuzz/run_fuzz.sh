#!/usr/bin/env bash
# run_fuzz.sh EXE SEED_CORPUS WORKDIR SECONDS: a bounded libFuzzer run. SEED_CORPUS.dict, when
# there is one, is the target's dictionary (keywords of a text format).
# New inputs go to WORKDIR/corpus; the kept seed corpus is read only. A crash leaves its input in
# WORKDIR and fails the test.
set -euo pipefail
exe=$1 seed=$2 work=$3 secs=$4
mkdir -p "$work/corpus" "$seed"
dict=()
[[ -f ${seed%/}.dict ]] && dict=(-dict="${seed%/}.dict")
exec "$exe" "${dict[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work/corpus" "$seed"
