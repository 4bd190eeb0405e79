#!/usr/bin/env python3
"""Writes owners through the API, one after another, and remembers which writes were acknowledged
(issue #22, item 3: the failover test). Each owner has its own unified social credit code, which the
registry keeps unique: a write whose answer was lost (a connection cut, a 503 while the primary is
replaced) is sent again with the same code until it is answered — 201 (stored now) or 409 (stored by
the attempt whose answer was lost). So no write is doubled by retrying, and every owner the writer
counts as stored can be looked up afterwards.

  writer.py URL TOKEN OUT STOP [PREFIX]
Writes until the file STOP exists; appends one line per stored owner to OUT:
  <credit code> <ack|found> <unix time>
and one per failed attempt to OUT.failed: <unix time> <status, 0 for no answer>
and prints a progress line every 20 owners and every failure."""
import json
import os
import sys
import time
import urllib.error
import urllib.request

url, token, out_path, stop_path = sys.argv[1:5]
prefix = sys.argv[5] if len(sys.argv) > 5 else "0"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(n):
    """A valid GB 32100-2015 code: 91 (enterprise), 350102 (鼓楼区), a 9-character body, the check."""
    body = "91350102" + prefix + str(n).zfill(8)
    s = sum(ALPHABET.index(c) * w for c, w in zip(body, WEIGHTS))
    return body + ALPHABET[(31 - s % 31) % 31]


def post(code):
    body = json.dumps({
        "name": f"切换测试商户 {code[-6:]}", "credit_code": code, "address": "福州市鼓楼区测试路 1 号",
        "region_code": "350102", "industry": "market",
    }).encode()
    req = urllib.request.Request(url + "/api/v1/owners", data=body, method="POST", headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, ""
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")[:200]
    except Exception as e:  # connection refused or reset, timeout: the outcome is unknown
        return 0, repr(e)[:200]


stored = failures = 0
answers = {}  # failed attempts by status (0: no answer at all)
n = 0
with open(out_path, "a") as out:
    while not os.path.exists(stop_path):
        n += 1
        code = credit_code(n)
        attempts = 0
        while True:
            status, detail = post(code)
            attempts += 1
            if status == 409 and attempts == 1:
                print(f"owner {code}: 409 on its first attempt: the code was taken before the test", flush=True)
                sys.exit(1)
            if status in (201, 409):
                out.write(f"{code} {'ack' if status == 201 else 'found'} {time.time():.3f}\n")
                out.flush()
                stored += 1
                break
            failures += 1
            answers[status] = answers.get(status, 0) + 1
            with open(out_path + ".failed", "a") as failed:
                failed.write(f"{time.time():.3f} {status}\n")
            if status not in (0, 502, 503, 504):
                print(f"owner {code}: unexpected answer {status}: {detail}", flush=True)
                sys.exit(1)
            print(f"owner {code}: {status or 'no answer'} ({detail[:80]}), sending again", flush=True)
            time.sleep(0.5)
            if os.path.exists(stop_path):
                break
        if stored % 20 == 0:
            print(f"{stored} owners stored, {failures} attempts failed", flush=True)
print(f"done: {stored} owners stored, {failures} attempts failed: "
      + ", ".join(f"{n} × {'no answer' if s == 0 else s}" for s, n in sorted(answers.items())), flush=True)
# A server that hung, or cut connections, instead of answering 503 fails the test.
sys.exit(1 if answers.get(0) else 0)
