"""HTTP benchmark with wrk: the app under gunicorn against a bare Flask + Jinja ceiling, and under mixed load.

    .venv/bin/python scripts/http_benchmark.py
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python scripts/http_benchmark.py
    BENCH_SECONDS=5 ...   # shorter runs

Both servers run gunicorn with 2 sync workers on this machine, and wrk runs with 2 threads and 16
connections. It prints:
- the board (140 debriefs, signed in as a reviewer and as the working group) against the reference rendering
  the same cards from memory, interleaved twice, as requests per second and the ratio;
- 16 clients of mixed traffic (board views, debrief pages, chronology rows, new chronology entries, action
  pages) with a second wrk measuring fragments alone meanwhile: errors, 5xx, "database is locked", and
  latency;
- worker CPU per request and memory per worker, and the board's and a 2,000-entry chronology's size gzipped.
Needs Debian's `wrk` (apt-get install -y wrk).
"""
from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import sqlalchemy as sa  # noqa: E402

from benchmark import PASSWORD, bench_app, chronology, database_url, subjects_everywhere  # noqa: E402
from tests.live import free_port  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
SECRET = "h" * 48
MIXED_LUA = """
local paths = {}
counter = 0
request = function()
  counter = counter + 1
  local n = counter % 20
  if n < 9 then return wrk.format("GET", "/board")
  elseif n < 12 then return wrk.format("GET", "/debriefs/" .. DEBRIEF)
  elseif n < 15 then return wrk.format("GET", "/debriefs/" .. DEBRIEF .. "/chronology/" .. ENTRY, {["HX-Request"]="true", ["Cookie"]=COOKIE})
  elseif n < 17 then return wrk.format("POST", "/debriefs/" .. DEBRIEF .. "/chronology",
      {["HX-Request"]="true", ["Cookie"]=COOKIE, ["X-CSRFToken"]=TOKEN, ["Content-Type"]="application/x-www-form-urlencoded",
       ["Referer"]=BASE .. "/"}, BODY)
  else return wrk.format("GET", "/actions", {["HX-Request"]="true", ["Cookie"]=COOKIE}) end
end
"""
FRAGMENT_LUA = """
counter = 0
request = function()
  counter = counter + 1
  if counter % 2 == 0 then
    return wrk.format("GET", "/debriefs/" .. DEBRIEF .. "/chronology/" .. ENTRY, {["HX-Request"]="true", ["Cookie"]=COOKIE})
  end
  return wrk.format("POST", "/debriefs/" .. DEBRIEF .. "/chronology",
      {["HX-Request"]="true", ["Cookie"]=COOKIE, ["X-CSRFToken"]=TOKEN, ["Content-Type"]="application/x-www-form-urlencoded",
       ["Referer"]=BASE .. "/"}, BODY)
end
"""


P95_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("p95 %d us\\n", latency:percentile(95)))
end
"""


def gunicorn(args: list[str], env: dict, log: Path, chdir: Path = ROOT) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                             "--error-logfile", str(log), *args], cwd=chdir, env={**os.environ, **env})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"gunicorn did not start: {log.read_text()}")


def sign_in(port: int, username: str) -> tuple[str, str]:
    """A session cookie and CSRF token, as a browser would get them."""
    jar: dict[str, str] = {}

    def call(method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", port)
        cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
        conn.request(method, path, body=body, headers={**(headers or {}), **({"Cookie": cookie} if jar else {})})
        r = conn.getresponse()
        for header in r.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";")[0].partition("=")
            jar[name.strip()] = value
        return r.read().decode()

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', call("GET", "/login")).group(1)
    call("POST", "/login", f"csrf_token={token}&username={username}&password={PASSWORD.replace(' ', '+')}",
         {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}/"})
    token = re.search(r'"X-CSRFToken": "([^"]+)"', call("GET", "/board")).group(1)
    return "; ".join(f"{k}={v}" for k, v in jar.items()), token


def wrk(port: int, path: str, cookie: str, seconds: int, connections: int = 16, script: str | None = None,
        variables: dict | None = None) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        prelude = "".join(f'{k} = "{v}"\n' for k, v in (variables or {}).items())
        f.write(prelude + (script or "") + P95_LUA)
        lua = f.name
    args += ["-s", lua]
    out = subprocess.run([*args, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    os.unlink(lua)

    def ms(label):
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "p50": ms("50"), "p90": ms("90"), "p99": ms("99"),
            "p95": int(re.search(r"p95 (\d+) us", out).group(1)) / 1000,
            "non_2xx_3xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else "none"}


def worker_pids(master: subprocess.Popen) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master.pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def pss_mb(pid: int) -> float:
    """The worker's fair share: its own pages plus its part of the pages shared with the other workers."""
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    return int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1)) / 1024


def gz_size(port: int, path: str, cookie: str) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
    r = conn.getresponse()
    body = r.read()
    plain = gzip.decompress(body) if r.getheader("Content-Encoding") == "gzip" else body
    return len(body), len(plain)


def setup(tmp: str) -> tuple[str, callable, dict]:
    from app.extensions import db
    from app.models import Agency
    from app.synthetic import bulk_debriefs

    url, cleanup = database_url(tmp)
    app, lead = bench_app(url, False, ("wg", "working_group"))
    with app.app_context():
        bulk_debriefs(140, [lead], max_days_ago=400)
    subjects_everywhere(app)
    entry_id, debrief_id = chronology(app)
    with app.app_context():
        police = db.session.scalar(sa.select(Agency.id).where(Agency.name == "Police"))
        db.engine.dispose()
    return url, cleanup, {"DEBRIEF": debrief_id, "ENTRY": entry_id, "POLICE": police, "app": app}


def reference_cards(port: int, cookie: str, path: Path) -> None:
    """The cards the app's board shows, as plain data for the reference."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/board", headers={"Cookie": cookie})
    page = conn.getresponse().read().decode()
    columns = []
    for section in re.findall(r'<section class="kcol.*?</section>', page, re.S):
        stage = re.search(r'data-stage="([a-z_]+)"', section)
        label = re.search(r"<h2[^>]*>\s*([^<]+?)\s*<", section)
        cards = []
        for card in re.findall(r"<article.*?</article>", section, re.S):
            def grab(pattern, default=""):
                m = re.search(pattern, card, re.S)
                return m.group(1).strip() if m else default
            cards.append({"id": grab(r'id="card-(\d+)"'), "stage": grab(r'data-stage="([a-z_]+)"'),
                          "reference": grab(r'class="kcard__ref"[^>]*>([^<]+)<'), "title": grab(r'kcard__title">([^<]*)<'),
                          "rag": grab(r'kcard--([a-z]+)'), "rag_label": grab(r'class="rag [^"]*"[^>]*>([^<]*)<'),
                          "rag_detail": grab(r'class="rag [^"]*" title="([^"]*)"'),
                          "category": grab(r'badge--([a-z_]+)'), "category_label": grab(r'badge badge--[a-z_]+">([^<]*)<'),
                          "context_label": grab(r'<span class="badge">([^·<]*)·'),
                          "subtype_label": grab(r'<span class="badge">[^·<]*· ([^<]*)<'),
                          "days": grab(r"(\d+)d since"), "in_stage": grab(r"(\d+)d in stage"),
                          "lead": grab(r"Lead: ([^<]*)<")})
        columns.append({"stage": stage.group(1) if stage else "", "label": label.group(1) if label else "",
                        "cards": cards})
    path.write_text(json.dumps(columns))


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")
    with tempfile.TemporaryDirectory() as tmp:
        url, cleanup, ids = setup(tmp)
        logs = Path(tmp)
        env = {"APP_ENV": "testing", "SECRET_KEY": SECRET, "DATABASE_URL": url, "SESSION_COOKIE_SECURE": "false"}
        app_proc, app_port = gunicorn(["wsgi:app"], env, logs / "app.log")
        ref_proc = None
        try:
            cookie, token = sign_in(app_port, "lead")
            wg_cookie, _ = sign_in(app_port, "wg")
            cards = logs / "cards.json"
            reference_cards(app_port, cookie, cards)
            ref_proc, ref_port = gunicorn(["reference_board:app"], {"REFERENCE_CARDS": str(cards)},
                                          logs / "ref.log", chdir=ROOT / "scripts")
            for port, c in ((app_port, cookie), (ref_port, "x=y")):
                wrk(port, "/board", c, 2)  # warm up
            rounds = []
            for _ in range(2):
                ref = wrk(ref_port, "/board", "x=y", SECONDS)
                before = cpu_seconds(worker_pids(app_proc))
                board = wrk(app_port, "/board", cookie, SECONDS)
                cpu = (cpu_seconds(worker_pids(app_proc)) - before) / max(board["requests"], 1) * 1000
                wg = wrk(app_port, "/board", wg_cookie, SECONDS)
                rounds.append((ref, board, wg, cpu))
            body = (f"entry_date=2025-02-03&date_precision=exact&agency_id={ids['POLICE']}&contact_type=call"
                    f"&summary=Benchmark+entry&version=0")
            variables = {"DEBRIEF": ids["DEBRIEF"], "ENTRY": ids["ENTRY"], "TOKEN": token, "COOKIE": cookie,
                         "BASE": f"http://127.0.0.1:{app_port}", "BODY": body}
            fragments_out = {}

            def fragments():
                fragments_out.update(wrk(app_port, "/", cookie, SECONDS * 3, connections=2, script=FRAGMENT_LUA,
                                         variables=variables))

            import threading
            side = threading.Thread(target=fragments)
            side.start()
            before = cpu_seconds(worker_pids(app_proc))
            mixed = wrk(app_port, "/", cookie, SECONDS * 3, script=MIXED_LUA, variables=variables)
            side.join()
            mixed_cpu = (cpu_seconds(worker_pids(app_proc)) - before) / max(
                mixed["requests"] + fragments_out["requests"], 1) * 1000
            chron = wrk(app_port, f"/debriefs/{ids['DEBRIEF']}/chronology", cookie, SECONDS, connections=2)
            locked = sum(p.read_text().count("database is locked") for p in logs.glob("*.log"))
            server_errors = sum(len(re.findall(r"unhandled error", p.read_text())) for p in logs.glob("app.log"))
            board_gz = gz_size(app_port, "/board", cookie)
            chron_gz = gz_size(app_port, f"/debriefs/{ids['DEBRIEF']}/chronology", cookie)
            memory = [(rss_mb(p), pss_mb(p)) for p in worker_pids(app_proc)]
        finally:
            app_proc.terminate()
            if ref_proc:
                ref_proc.terminate()
            cleanup()

    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"HTTP benchmark on {backend}: gunicorn 2 sync workers, wrk -t2 -c16, {SECONDS} s runs")
    for i, (ref, board, wg, cpu) in enumerate(rounds, 1):
        print(f"  round {i}: reference {ref['rps']:.1f} req/s; board (reviewer) {board['rps']:.1f} req/s = "
              f"{board['rps'] / ref['rps']:.2f} of the reference, p50 {board['p50']:.0f} ms, p95 {board['p95']:.0f} ms, "
              f"{cpu:.1f} ms CPU a request; board (working group) {wg['rps']:.1f} req/s = "
              f"{wg['rps'] / ref['rps']:.2f}")
    print(f"  mixed traffic, 16 clients, {SECONDS * 3} s: {mixed['requests']} requests, {mixed['rps']:.1f} req/s, "
          f"p50 {mixed['p50']:.0f} ms, p95 {mixed['p95']:.0f} ms, p99 {mixed['p99']:.0f} ms, non-2xx/3xx {mixed['non_2xx_3xx']}, "
          f"socket errors {mixed['socket_errors']}; {mixed_cpu:.1f} ms CPU a request")
    print(f"  fragments meanwhile (row GET and new entry POST, 2 clients): p50 {fragments_out['p50']:.0f} ms, "
          f"p95 {fragments_out['p95']:.0f} ms, p99 {fragments_out['p99']:.0f} ms, "
          f"non-2xx/3xx {fragments_out['non_2xx_3xx']}")
    print(f"  server errors logged: {server_errors}; 'database is locked': {locked}")
    print(f"  chronology, 2,000 entries, 2 clients: p50 {chron['p50']:.0f} ms, p95 {chron['p95']:.0f} ms")
    print(f"  sizes: board {board_gz[1] / 1024:.0f} KB ({board_gz[0] / 1024:.0f} KB gzipped); chronology "
          f"{chron_gz[1] / 1024:.0f} KB ({chron_gz[0] / 1024:.0f} KB gzipped)")
    print(f"  memory per worker after the runs (resident; proportional share): "
          f"{', '.join(f'{rss:.0f} MB; {pss:.0f} MB' for rss, pss in memory)}")


if __name__ == "__main__":
    main()
