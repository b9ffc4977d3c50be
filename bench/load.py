"""Pages under load: requests per second of each page as a ratio to /healthz on the same server.

Builds the demo township in a throw-away data folder, starts gunicorn with the production
settings on it (2 workers by default, as a township PC would), signs in as each demo role with
one session per client, and sends each page from N concurrent clients (default 8) for a fixed
time. /healthz is measured the same way just before each page, and the page's requests/s is
divided by that figure: the ratio says how much of the server's capacity a page takes, and the
machine's other work, which comes and goes, weighs on both alike. Run:
    .venv/bin/python bench/load.py [--clients 8] [--seconds 8] [--workers 2]
        [--roles township director1 ...] [--json]
Prints one row per role and page: requests/s, ratio to /healthz, p50 and p95 ms, errors;
`--json` prints one JSON object per line instead. Building the demo takes a minute or two.
"""

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "Load-bench-2026x"
HTTPS = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy adds

HOME_AND_PATROLS = [
    "/",
    "/patrols/rosters/",
    "/patrols/log/",
    "/patrols/attendance/",
    "/patrols/on-duty/",
    "/patrols/swaps/",
    "/patrols/rosters/unfilled/",
    "/patrols/points/",
]
REGISTRY = ["/registry/people/", "/registry/households/", "/registry/organisations/"]
BOOKS = [
    "/books/cases/",
    "/books/escalations/",
    "/books/mediation/",
    "/books/inspections/",
    "/books/orders/overdue/",
    "/books/opinions/",
]
# The demo's accounts (core/demo/__init__.py DEMO_ACCOUNTS) and what each opens; a page that answers
# anything but 200 to its role is reported as an error.
ROLES = {
    "township": HOME_AND_PATROLS + REGISTRY + BOOKS,
    "director1": HOME_AND_PATROLS + REGISTRY + ["/books/cases/", "/books/opinions/"],
    "police": ["/", "/books/cases/", "/books/escalations/"],
    "auditor": ["/", "/patrols/log/", "/books/cases/"],
    "mediator1": ["/", "/books/mediation/"],
    "patrol1": ["/", "/patrols/my/"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(data_dir: Path, port: int) -> dict:
    """Production settings for a throw-away server: fresh keys (kept in the data folder, so a
    built demo can be used again with --data-dir), plain HTTP on 127.0.0.1 with the proxy
    header a TLS-terminating nginx would add."""

    def key() -> str:
        return base64.urlsafe_b64encode(os.urandom(32)).decode()

    saved = data_dir / "bench-keys.json"
    if not saved.exists():
        keys = {
            "QUNFANG_SECRET_KEY": secrets.token_urlsafe(50),
            "QUNFANG_FIELD_KEYS": f"k1:{key()}",
            "QUNFANG_BLIND_INDEX_KEY": key(),
        }
        saved.write_text(json.dumps(keys))
    return {
        **os.environ,
        **json.loads(saved.read_text()),
        "QUNFANG_ENV": "production",
        "QUNFANG_DATA_DIR": str(data_dir),
        "QUNFANG_DATABASE_URL": f"sqlite:///{data_dir}/qunfang.sqlite3",
        "QUNFANG_ALLOWED_HOSTS": "127.0.0.1",
        "QUNFANG_CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
        "QUNFANG_LOG_LEVEL": "WARNING",
        "QUNFANG_AXES_ENABLED": "false",  # every client signs in from 127.0.0.1
        "PYTHONPATH": str(ROOT / "src"),
    }


def qunfang(env: dict, *args: str) -> None:
    command = [str(BIN / "qunfang"), *args]  # our own console script, fixed arguments
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def start_server(env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 (the venv's gunicorn, fixed arguments)
        [
            str(BIN / "gunicorn"),
            "qunfang.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    for _ in range(300):
        try:
            probe = httpx.get(f"http://127.0.0.1:{port}/healthz", headers=HTTPS, timeout=1)
            if probe.status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within a minute")


class Session:
    """One signed-in client. The production cookies are Secure, so they are kept by hand and
    sent with the https proxy header, as they would come through nginx."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self.http = httpx.Client(base_url=base, timeout=30)

    def headers(self) -> dict:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {
            **HTTPS,
            "Cookie": cookie,
            "Origin": self.origin(),
            "Referer": self.origin() + "/login/",
        }

    def origin(self) -> str:
        return self.base.replace("http://", "https://")

    def keep(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def get(self, url: str) -> httpx.Response:
        response = self.http.get(url, headers=self.headers())
        self.keep(response)
        return response

    def sign_in(self, username: str) -> None:
        page = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if not token:
            raise SystemExit(f"no sign-in form at /login/ ({page.status_code})")
        response = self.http.post(
            "/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
            headers=self.headers(),
        )
        self.keep(response)
        if response.status_code != 302:
            raise SystemExit(f"{username} could not sign in ({response.status_code})")


def hammer(sessions: list[Session], url: str, seconds: float) -> dict:
    """Every session requests `url` in a loop for `seconds`; requests/s, p50/p95 and errors."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(session: Session) -> None:
        mine, bad = [], 0
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                ok = session.get(url).status_code == 200
            except httpx.HTTPError:
                ok = False
            mine.append(time.perf_counter() - start)
            bad += not ok
        with lock:
            times.extend(mine)
            errors[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(times, n=20) if len(times) > 1 else times * 19
    return {
        "requests": len(times),
        "rps": round(len(times) / elapsed, 1),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(cuts[18] * 1000, 1),
        "errors": errors[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8, help="per page")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--roles", nargs="+", choices=list(ROLES), default=list(ROLES))
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="the folder of an earlier --keep run: its demo is used again, not rebuilt",
    )
    parser.add_argument("--keep", action="store_true", help="keep the data folder (--data-dir)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    reuse = args.data_dir is not None
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="qunfang-load-"))
    port = free_port()
    env = production_env(data_dir, port)
    say = (lambda *a: None) if args.json else (lambda *a: print(*a, file=sys.stderr, flush=True))
    started = time.perf_counter()
    qunfang(env, "migrate", "--no-input")
    qunfang(env, "collectstatic", "--no-input")
    if not reuse:
        qunfang(env, "demo", "--password", PASSWORD)
        say(f"demo built in {time.perf_counter() - started:.0f} s in {data_dir}")
    try:
        server = start_server(env, port, args.workers)
    except SystemExit:
        if not (args.keep or reuse):
            shutil.rmtree(data_dir, ignore_errors=True)
        raise
    try:
        base = f"http://127.0.0.1:{port}"
        anonymous = [Session(base) for _ in range(args.clients)]
        for s in anonymous:
            s.get("/healthz")
        rows = []
        for role in args.roles:
            sessions = [Session(base) for _ in range(args.clients)]
            for s in sessions:
                s.sign_in(role)
            for url in ROLES[role]:
                sessions[0].get(url)  # warm up
                health = hammer(anonymous, "/healthz", args.seconds / 2)
                page = hammer(sessions, url, args.seconds)
                ratio = round(page["rps"] / health["rps"], 3)
                rows.append(
                    {"role": role, "url": url, **page, "healthz_rps": health["rps"], "ratio": ratio}
                )
                say(f"{role} {url}: {page['rps']} requests/s, /healthz {health['rps']}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not (args.keep or reuse):
            shutil.rmtree(data_dir, ignore_errors=True)

    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    healthz = [r["healthz_rps"] for r in rows]
    print(
        f"/healthz: {min(healthz)} to {max(healthz)} requests/s, measured before each page "
        f"({args.clients} clients, {args.workers} workers, {args.seconds:g} s a page)"
    )
    print(
        f"{'role':<10} {'url':<28} {'req/s':>7} {'ratio':>6} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'errors':>6}"
    )
    for r in rows:
        print(
            f"{r['role']:<10} {r['url']:<28} {r['rps']:>7} {r['ratio']:>6.2f} {r['p50_ms']:>7} "
            f"{r['p95_ms']:>7} {r['errors']:>6}"
        )


if __name__ == "__main__":
    main()
