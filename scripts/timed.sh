#!/usr/bin/env bash
# Runs one stage of `make test` and says how long it took, so that every CI log shows where the
# time goes (CI must stay well under 30 minutes: DEVELOPERS.md).
name=$1
shift
start=$(date +%s)
status=0
"$@" || status=$?
echo "stage $name: $(($(date +%s) - start)) s$([ "$status" = 0 ] || echo ", exit $status")"
exit "$status"
