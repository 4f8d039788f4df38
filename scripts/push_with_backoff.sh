#!/usr/bin/env bash
# Push the current branch, rebasing on the remote branch when another writer pushed first.
# Retries with full jitter over a doubling window (1 s, 2 s ... capped at 60 s): PUSH_ATTEMPTS
# (default 10) attempts wait at most 243 s in all, well inside the aggregate job's timeout, and
# spread writers that collide so that each round lets one more through (scripts/bench_conflicts.py).
# A rebase that conflicts (someone else changed the same files) is not retried: it needs a person.
set -euo pipefail
attempts=${PUSH_ATTEMPTS:-10}
remote=${PUSH_REMOTE:-origin}
branch=$(git rev-parse --abbrev-ref HEAD)
for ((attempt = 1; attempt <= attempts; attempt++)); do
  if git push -q "$remote" "HEAD:$branch"; then
    exit 0
  fi
  if ((attempt == attempts)); then
    break
  fi
  window=$((1 << (attempt - 1)))
  window=$((window > 60 ? 60 : window))
  wait_ms=$((RANDOM * window * 1000 / 32767))
  echo "push rejected (attempt $attempt of $attempts): waiting ${wait_ms} ms, then rebasing on $remote/$branch"
  sleep "$((wait_ms / 1000)).$(printf '%03d' $((wait_ms % 1000)))"
  if ! git pull -q --rebase "$remote" "$branch"; then
    git rebase --abort || true
    echo "rebase on $remote/$branch conflicts: not pushed" >&2
    exit 1
  fi
done
echo "could not push after $attempts attempts" >&2
exit 1
