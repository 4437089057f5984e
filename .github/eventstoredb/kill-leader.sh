#!/usr/bin/env bash
# Kills the container of the cluster's current leader (.github/eventstoredb/cluster.yml): run by
# the contract's concurrency test through EVENTSTORE_DISRUPT_COMMAND. Records which node it was.
set -euo pipefail
compose=(docker compose -f .github/eventstoredb/cluster.yml)
leader_ip=""
for port in 2111 2112 2113; do
  leader_ip=$(curl -fsS "http://127.0.0.1:${port}/gossip" 2>/dev/null \
    | jq -r '[.members[] | select(.isAlive and .state == "Leader") | .httpEndPointIp][0] // empty') || true
  [ -n "$leader_ip" ] && break
done
[ -n "$leader_ip" ] || { echo "no leader found to kill" >&2; exit 1; }
for node in node1 node2 node3; do
  ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' \
    "$("${compose[@]}" ps -q "$node")")
  if [ "$ip" = "$leader_ip" ]; then
    "${compose[@]}" kill "$node"
    echo "killed the leader: $node ($ip) at $(date -u +%FT%TZ)" | tee /tmp/esdb-killed-leader
    exit 0
  fi
done
echo "the leader $leader_ip is none of the cluster's containers" >&2
exit 1
