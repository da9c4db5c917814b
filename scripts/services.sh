#!/usr/bin/env bash
# Makes sure the local PostgreSQL and Redis answer; starts the machine's own services if they are
# down, and otherwise says what to start. Remote servers (DATABASE_URL/REDIS_URL) are left alone.
set -u
db_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/qianqi}"
redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"

is_local() { [[ "$1" == *"127.0.0.1"* || "$1" == *"localhost"* ]]; }

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if is_local "$db_url" && ! pg_up; then
  echo "PostgreSQL is down; starting it" >&2
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >/dev/null 2>&1 || true
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 0.5; done
  pg_up || { echo "PostgreSQL is not running on 127.0.0.1:5432: start it (pg_ctlcluster <version> main start) or set DATABASE_URL" >&2; exit 1; }
fi

if is_local "$redis_url" && ! redis_up; then
  echo "Redis is down; starting it" >&2
  if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1 || true
  fi
  for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
  redis_up || { echo "Redis is not running on 127.0.0.1:6379: start it (redis-server) or set REDIS_URL" >&2; exit 1; }
fi
exit 0
