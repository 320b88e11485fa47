"""Load test: N concurrent users asking questions of a running app on loopback, for a bounded time.

Starts app.py itself on a free 127.0.0.1 port with a throwaway index (the corpus is read, never
written), waits until it answers, then lets every user ask in a loop through gradio_client's
/ask endpoint until the time is up. Reports errors (must be 0), latency p50/p95 and the app's
resident memory before and after. Exit status 1 if any request failed.

    python scripts/loadtest.py --users 20 --seconds 120
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
REQUEST_TIMEOUT = 120.0  # seconds one request may take before it counts as an error
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # gradio_client would otherwise report usage to its makers
QUESTIONS = [
    "Which countries does the Amnesty report cover?",
    "Who is Denis Krivosheev?",
    "What did Russia promote about gay rights?",
    "Which countries banned same-sex marriage in their constitutions?",
    "What is the capital of Australia?",
    "<script>alert(1)</script>",
    "What law is in force in Belarus since 2016?",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(corpus: Path, index: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "RAG_CORPUS_DIR": str(corpus), "RAG_INDEX_DIR": str(index), "RAG_PORT": str(port), "RAG_HOST": "127.0.0.1"}
    log = open(index.parent / "app.log", "w")  # noqa: SIM115 - kept open for the app's lifetime
    return subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(url: str, app: subprocess.Popen, timeout: float = 300) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.poll() is not None:
            raise SystemExit(f"the app exited with status {app.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/gradio_api/info", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the app did not answer within {timeout:.0f} s")


def user(url: str, until: float, seed: int, latencies: list[float], errors: list[str], lock: threading.Lock) -> None:
    from gradio_client import Client

    # A person in a browser waits for an answer in a queue; 120 s bounds a request, not gradio_client's 20 s default.
    client = Client(url, verbose=False, analytics_enabled=False, httpx_kwargs={"timeout": REQUEST_TIMEOUT})
    i = seed
    while time.monotonic() < until:
        question = QUESTIONS[i % len(QUESTIONS)]
        i += 1
        started = time.perf_counter()
        try:
            answer = client.predict(question, [], api_name="/ask")
            if not isinstance(answer, dict) or "answer" not in answer:
                raise ValueError(f"unexpected reply {str(answer)[:200]}")
        except Exception as exc:  # every failure is counted and reported, none stops the test
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}"[:300])
            continue
        with lock:
            latencies.append((time.perf_counter() - started) * 1000)


def run(users: int, seconds: float, corpus: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="rag-load-") as tmp:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        app = start_app(corpus, Path(tmp) / "index", port)
        try:
            wait_ready(url, app)
            process = psutil.Process(app.pid)
            rss_before = process.memory_info().rss
            latencies: list[float] = []
            errors: list[str] = []
            lock = threading.Lock()
            until = time.monotonic() + seconds
            threads = [threading.Thread(target=user, args=(url, until, n, latencies, errors, lock)) for n in range(users)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=seconds + 120)
            rss_after = process.memory_info().rss
        finally:
            app.terminate()
            app.wait(timeout=30)
    ms = np.asarray(latencies) if latencies else np.zeros(1)
    return {
        "users": users,
        "seconds": seconds,
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:5],
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "max_ms": round(float(ms.max()), 1),
        "rss_before_mb": round(rss_before / 2**20, 1),
        "rss_after_mb": round(rss_after / 2**20, 1),
        "rss_growth_mb": round((rss_after - rss_before) / 2**20, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = run(args.users, args.seconds, args.corpus)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for key, value in report.items():
            print(f"{key:>15}: {value}")
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
