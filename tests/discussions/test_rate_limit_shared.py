"""The posting rate limit holds across processes that share Redis (as gunicorn workers do)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

REDIS_URL = "redis://127.0.0.1:6379/3"
BASE_DIR = Path(__file__).resolve().parents[2]

# Each process counts `attempts` posts by the same member against the shared limit.
WORKER = """
import sys, types, django
django.setup()
from discussions.services import RateLimited, check_rate_limit
user = types.SimpleNamespace(pk=int(sys.argv[1]))
allowed = refused = 0
for _ in range(int(sys.argv[2])):
    try:
        check_rate_limit(user)
        allowed += 1
    except RateLimited:
        refused += 1
print(allowed, refused)
"""


@pytest.fixture
def shared_redis():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"test-rate-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_rate_limit_holds_across_two_processes_sharing_redis(shared_redis):
    if time.time() % 60 > 50:  # keep both processes inside one rate-limit minute
        time.sleep(61 - time.time() % 60)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="1",
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX=shared_redis,
    )
    member = str(uuid.uuid4().int % 10**9)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, member, "4"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        results.append(tuple(map(int, out.split())))
    # Limit 5 a minute: of 8 attempts in two processes, exactly 5 pass, whoever was first.
    assert sum(allowed for allowed, _ in results) == 5
    assert sum(refused for _, refused in results) == 3
