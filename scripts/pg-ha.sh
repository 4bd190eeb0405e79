#!/usr/bin/env bash
# A highly available PostgreSQL on loopback from Debian's packages (issue #22, item 3): etcd holds
# the leader key, two Patroni nodes run a primary and a synchronous streaming replica, and HAProxy
# sends the application to whichever node Patroni's REST API calls the primary (and reads to a
# replica). The same shape as production (docs/operations.md), on one machine, for the failover test.
#   scripts/pg-ha.sh start DIR BASE  — etcd :BASE, nodes :BASE+2/+3 (REST :BASE+4/+5), HAProxy
#                                      primary :BASE+6 and replica :BASE+7; prints two URLs
#   scripts/pg-ha.sh leader DIR      — the leader node's name (node1 or node2)
#   scripts/pg-ha.sh fail DIR NODE   — the node's machine dies: SIGKILL to its Patroni and PostgreSQL
#   scripts/pg-ha.sh rejoin DIR NODE — the failed node comes back (Patroni rewinds it to a replica)
#   scripts/pg-ha.sh stop DIR        — stop everything and delete DIR
set -euo pipefail
cmd=$1 dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# SIGKILL to a node's PostgreSQL: the postmaster named in its pid file, only if that process is
# still this node's (after a kill the file is stale and the number may be another process's).
kill_postmaster() {  # node
  local pid
  pid=$(head -n 1 "$dir/$1/postmaster.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-D $dir/$1 "; then kill -9 "$pid" 2>/dev/null || true; fi
  pkill -9 -f -- "-D $dir/$1 " 2>/dev/null || true
}
rest_port() { sed -n '/^restapi:/,/^[a-z]/s/^  listen: 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/$1.yml"; }

start_node() {  # name
  # Nothing of the caller's: a `$(pg-ha.sh start …)` would otherwise wait for Patroni to exit.
  as_pg bash -c "cd '$dir' && exec patroni '$dir/$1.yml' >>'$dir/$1.log' 2>&1" </dev/null >/dev/null 2>&1 &
  echo $! >"$dir/$1.pid"
}

node_config() {  # name pg-port rest-port
  cat >"$dir/$1.yml" <<YAML
scope: jiliang
name: $1
restapi:
  listen: 127.0.0.1:$3
  connect_address: 127.0.0.1:$3
etcd3:
  hosts: 127.0.0.1:$base
bootstrap:
  dcs:
    # Patroni's smallest leader lease: a dead primary is replaced in ttl + loop_wait seconds.
    ttl: 20
    loop_wait: 2
    retry_timeout: 5
    # A commit is acknowledged only once the replica has it, and only that replica may be promoted:
    # a failover loses no acknowledged write.
    synchronous_mode: true
    maximum_lag_on_failover: 0
    postgresql:
      use_pg_rewind: true
      parameters:
        max_connections: 200
        wal_log_hints: "on"
        hot_standby: "on"
        max_wal_senders: 10
        max_replication_slots: 10
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 trust
    - host all all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:$2
  connect_address: 127.0.0.1:$2
  data_dir: $dir/$1
  bin_dir: $bin
  pgpass: $dir/$1.pgpass
  authentication:
    replication: {username: replicator, password: replicator}
    superuser: {username: postgres, password: postgres}
    rewind: {username: postgres, password: postgres}
  parameters:
    unix_socket_directories: $dir
tags: {nofailover: false, noloadbalance: false, clonefrom: false, nosync: false}
YAML
}

case $cmd in
  start)
    base=$3
    # Whatever an interrupted run left here goes first (its processes, then its files).
    [ -d "$dir" ] && bash "$0" stop "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    etcd --name jiliang-ha --data-dir "$dir/etcd" \
      --listen-client-urls "http://127.0.0.1:$base" --advertise-client-urls "http://127.0.0.1:$base" \
      --listen-peer-urls "http://127.0.0.1:$((base + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((base + 1))" \
      --initial-cluster "jiliang-ha=http://127.0.0.1:$((base + 1))" </dev/null >"$dir/etcd.log" 2>&1 &
    echo $! >"$dir/etcd.pid"
    for _ in $(seq 1 40); do curl -sf "http://127.0.0.1:$base/health" >/dev/null && break; sleep 0.25; done
    curl -sf "http://127.0.0.1:$base/health" >/dev/null || { echo "etcd did not start (port $base in use?)"; tail -n 20 "$dir/etcd.log"; exit 1; }
    node_config node1 $((base + 2)) $((base + 4))
    node_config node2 $((base + 3)) $((base + 5))
    [ "$(id -u)" = 0 ] && chown postgres "$dir"/node*.yml
    start_node node1
    # The first node bootstraps the cluster; the second clones it once it leads.
    for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$((base + 4))/primary" >/dev/null && break; sleep 0.5; done
    curl -sf "http://127.0.0.1:$((base + 4))/primary" >/dev/null || { echo "node1 did not become primary"; tail -n 30 "$dir/node1.log"; exit 1; }
    start_node node2
    cat >"$dir/haproxy.cfg" <<CFG
global
  maxconn 400
defaults
  mode tcp
  timeout connect 2s
  timeout client 30m
  timeout server 30m
  timeout check 2s
  # A node that stops being what the listener wants has its connections cut, so the application's
  # pool opens new ones to the right node instead of writing into a demoted one.
  default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
CFG
    # One listener per role, each sending to the node whose Patroni answers for that role.
    # OPTIONS: Patroni answers with the status alone (a GET's body, cut off by the check, fills its log).
    for listener in "primary $((base + 6))" "replica $((base + 7))"; do
      read -r role port <<<"$listener"
      cat >>"$dir/haproxy.cfg" <<CFG
listen $role
  bind 127.0.0.1:$port
  option httpchk OPTIONS /$role
  http-check expect status 200
  server node1 127.0.0.1:$((base + 2)) check port $((base + 4))
  server node2 127.0.0.1:$((base + 3)) check port $((base + 5))
CFG
    done
    haproxy -f "$dir/haproxy.cfg" -D -p "$dir/haproxy.pid" </dev/null >"$dir/haproxy.log" 2>&1
    # Ready when the replica streams synchronously (Patroni lists it as the sync standby).
    for _ in $(seq 1 240); do
      curl -sf "http://127.0.0.1:$((base + 5))/sync" >/dev/null && break; sleep 0.5
    done
    curl -sf "http://127.0.0.1:$((base + 5))/sync" >/dev/null || { echo "node2 did not become the synchronous replica"; tail -n 30 "$dir/node2.log"; exit 1; }
    for _ in $(seq 1 40); do psql -q -h 127.0.0.1 -p $((base + 6)) -U postgres -d postgres -c 'select 1' >/dev/null 2>&1 && break; sleep 0.25; done
    echo "postgres://postgres:postgres@127.0.0.1:$((base + 6))/postgres"
    echo "postgres://postgres:postgres@127.0.0.1:$((base + 7))/postgres"
    ;;
  leader)
    for n in node1 node2; do
      [ -f "$dir/$n.yml" ] && curl -sf "http://127.0.0.1:$(rest_port $n)/primary" >/dev/null 2>&1 && { echo $n; exit 0; }
    done
    exit 1
    ;;
  fail)
    node=$3
    # The node's Patroni (under runuser) first, so that it does not restart its PostgreSQL.
    pkill -9 -f "$dir/$node.yml" || true
    kill_postmaster "$node"
    ;;
  rejoin)
    start_node "$3"
    ;;
  stop)
    pkill -9 -f "$dir/node[12].yml" 2>/dev/null || true
    for n in node1 node2; do kill_postmaster $n; done
    [ -f "$dir/haproxy.pid" ] && kill "$(cat "$dir/haproxy.pid")" 2>/dev/null || true
    [ -f "$dir/etcd.pid" ] && kill "$(cat "$dir/etcd.pid")" 2>/dev/null || true
    sleep 0.5
    rm -rf "$dir"
    ;;
esac
