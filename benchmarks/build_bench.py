"""Benchmark a whole ``feedsmith build`` against a local server, and the download floor under it.

Usage::

    python benchmarks/build_bench.py --quick            # smoke run: N=100, 1 repeat
    python benchmarks/build_bench.py                    # N=1000, latency 50 ms, 3 repeats,
                                                        # scaling at N=250,500,1000
    python benchmarks/build_bench.py --json             # the same, as one JSON object
    python benchmarks/build_bench.py --profile          # plus cProfile of a build and the rebuilds
    python benchmarks/build_bench.py --max-age 0        # pages never fresh: (b) revalidates too

What it measures, for N generated sources (a third each: selector pages, automatic card grids,
glued ticker strips; 20-40 synthetic Arabic-looking headlines per page):

(d) floor: download the same URLs (robots.txt once per host, then the pages) with plain
    ``requests`` and the same concurrency as ``fetch_all`` (same grouping by host:port, same
    number of workers, one request at a time per host), no parsing;
(a) full build: ``feedsmith.build.build()`` from an empty state and cache folder;
(b) rebuild within freshness: a second build right after (a), nothing changed; every page
    carries ``Cache-Control: max-age`` (``--max-age``, default 600 s: many news sites send a
    few minutes), so feedsmith asks the server nothing at all (the server's count shows it);
(b304) rebuild with ``build(revalidate=True)`` right after (b): nothing changed, freshness
    ignored, every page asked for again with its validators and answering 304;
(c) peak memory: the peak RSS (``ru_maxrss``) of the process that ran the full build;
(e) conditional floor (extra): (d) with If-None-Match, i.e. the network part of (b304); it
    asks for robots.txt once per host, which a rebuild within 24 h reads from feedsmith's cache.

Every measurement runs in a fresh child process (``python build_bench.py --_child ...``) so no
run inherits another's imports, caches or heap, and peak RSS is that process's own: the same
number ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` would give for a ``feedsmith build``
subprocess (it includes the interpreter and every import). The time measured is the call to
``build()`` (or the floor's download loop); interpreter start and imports are reported apart.
The child also times the build's stages by wrapping the functions ``feedsmith.build`` calls
(extract, split_headlines, store, render, validate, write) -- the wrappers are in the child
only; nothing in feedsmith is changed. build() reads each page as it arrives while the others
download, so the fetch stage is reported as ``fetch_wait`` (time build() spent waiting for the
next page) together with the time from the last page's arrival to the end of the build.

The server is a separate process (so it does not share the GIL with what is measured): one
``ThreadingHTTPServer`` per loopback address 127.0.0.2, 127.0.0.3, ... (``--hosts``, default
100; where only 127.0.0.1 exists, distinct ports of it, which ``fetch_all`` also counts as
distinct hosts since it keys hosts by host:port). It sleeps ``--latency-ms`` before every
answer (200, 304 and robots.txt alike: it stands for the network round trip), serves robots.txt
allowing all, and sends ETag, Last-Modified and ``Cache-Control: max-age=N`` (200 and 304
alike). It binds only loopback addresses, stops when this script's stdin pipe closes (so it
never outlives the benchmark) or after ``--max-minutes``. The freshness clock is the real one
(the build's ``now`` is fixed, the HTTP cache's is not), so (b) must start within ``--max-age``
seconds of (a)'s downloads; it does, right after. ``--max-age 0`` makes (b) revalidate too.

Targets (2 cores): (a)/(d) <= 1.5; (b)/(a) <= 0.2; (b304)/(a) <= 0.9 (the round trips,
(e)/(a), are most of it: not reading unchanged pages again must save a tenth of a full build);
(b304)/(e) <= 1.2 (a rebuild that revalidates costs little beyond its 304 round trips); peak
memory < 400 MB; and build CPU time per source that does not grow with N (largest N / smallest
N of ``--scaling`` <= 1.25; CPU time, not wall time, because other load on the machine moves
wall times). ``--check`` exits 1 when a target is missed.

All text is generated here from a small word list written for this script; no third-party text.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]

# Fixed build clocks, so runs are comparable: the full build at NOW, the rebuilds 10 and 20
# minutes on. (The HTTP cache's freshness runs on the real clock; see the module docstring.)
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
REBUILD_NOW = NOW + timedelta(minutes=10)
REVALIDATE_NOW = NOW + timedelta(minutes=20)
LAST_MODIFIED = "Sun, 01 Mar 2026 08:00:00 GMT"
KINDS = ("selector", "auto", "ticker")
TARGETS = {
    "a_over_d": 1.5,
    "b_over_a": 0.2,
    "b304_over_a": 0.9,
    "b304_over_e": 1.2,
    "peak_mb": 400.0,
    "scaling": 1.25,
}
FETCH_ALL_WORKERS = 8  # fetch_all's default, which build() uses

# --- synthetic headlines -----------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


# Written for this benchmark: common news vocabulary, no copied text.
SUBJECTS = _words(
    "الحكومة|الوزارة|الرئيس|البرلمان|المحافظ|الجيش|الشرطة|المجلس|اللجنة|الوفد|"
    "المنتخب|النادي|المصرف|الشركة|النقابة|الجامعة|المستشفى|البلدية|السفارة|"
    "الأمم المتحدة|وزير المالية|وزير الصحة|وزير الخارجية|الدفاع المدني|غرفة التجارة|"
    "المزارعون|الأطباء|الطلاب"
)
VERBS = _words(
    "تعلن|يعلن|تبحث|يبحث|تطلق|يطلق|تقر|يقر|ترفض|يرفض|تستقبل|يستقبل|تناقش|يناقش|تفتتح|"
    "يفتتح|تحذر من|يحذر من|تدعو إلى|يدعو إلى|توقع|يوقع|تنفي|ينفي|تؤكد|يؤكد|تتابع|"
    "يتابع"
)
OBJECTS = _words(
    "خطة|مشروع|اتفاق|قرار|حملة|برنامج|قانون|مبادرة|تقرير|اجتماع|مؤتمر|معرض|مهرجان|"
    "حزمة|موازنة|زيارة|مفاوضات|انتخابات|مباراة|بطولة|قافلة|شحنة|صفقة|دراسة"
)
QUALIFIERS = _words(
    "جديدة|جديد|عاجلة|واسعة|مشتركة|أولى|شاملة|طارئة|سنوية|دولية|محلية|إقليمية|"
    "اقتصادية|أمنية|صحية|رياضية|ثقافية|زراعية"
)
TOPIC_WORDS = _words(
    "النفط|الغاز|الكهرباء|المياه|القمح|الخبز|الأسعار|الليرة|الدولار|الذهب|الرواتب|"
    "الضرائب|الصادرات|المعابر|الحدود|الطرق|المدارس|اللقاحات|الكوليرا|الأدوية|الدوري|"
    "الكأس|الملعب|الأمن|التهريب|اللاجئين|المخيمات|السكن|الإعمار|الزيتون|السياحة|"
    "الطيران|المرفأ"
)
PLACES = _words(
    "دمشق|حلب|حمص|حماة|اللاذقية|طرطوس|إدلب|درعا|السويداء|الرقة|دير الزور|الحسكة|"
    "القامشلي|تدمر|بانياس|جبلة|الغوطة|القنيطرة"
)
LINKERS = ("في", "حول", "بشأن", "لدعم", "لتحسين", "مع", "قبل", "بعد", "خلال")
TAILS = _words(
    "الأسبوع المقبل|مطلع العام|رغم التحديات|وسط انتقادات|للمرة الأولى|بعد سنوات|"
    "خلال أيام|هذا الشهر|بمشاركة واسعة"
)
TOPICS = (
    ("economy", "اقتصاد", ["النفط", "الغاز", "الأسعار", "الليرة", "الدولار", "الذهب", "الرواتب"]),
    ("services", "خدمات", ["الكهرباء", "المياه", "الخبز", "القمح", "السكن", "الطرق"]),
    ("health", "صحة", ["اللقاحات", "الكوليرا", "الأدوية", "المستشفى", "الأطباء", "وزير الصحة"]),
    ("sports", "رياضة", ["المنتخب", "النادي", "الدوري", "الكأس", "مباراة", "بطولة"]),
    ("politics", "سياسة", ["الرئيس", "البرلمان", "وزير الخارجية", "انتخابات", "مفاوضات"]),
    ("security", "أمن", ["الجيش", "الشرطة", "الأمن", "التهريب", "الحدود"]),
    ("other", "منوعات", []),
)
NAV = ("الرئيسية", "سياسة", "اقتصاد", "رياضة", "ثقافة", "مجتمع", "صحة", "منوعات", "فيديو")


def headline(rng: random.Random) -> str:
    words = [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)]
    if rng.random() < 0.6:
        words.append(rng.choice(QUALIFIERS))
    words += [rng.choice(LINKERS), rng.choice(TOPIC_WORDS)]
    if rng.random() < 0.7:
        words += ["في", rng.choice(PLACES)]
    if rng.random() < 0.4:
        words.append(rng.choice(TAILS))
    text = " ".join(words)
    return text + "؟" if rng.random() < 0.08 else text


def page_of(index: int, seed: int) -> bytes:
    """The page of source ``index``: deterministic in (index, seed), whatever N is."""
    rng = random.Random(seed * 1_000_003 + index)
    kind = KINDS[index % len(KINDS)]
    count = rng.randint(20, 40)
    heads = [headline(rng) for _ in range(count)]
    times = [NOW - timedelta(minutes=7 * j + rng.randint(0, 6)) for j in range(count)]
    site = f"موقع الأخبار {index}"
    out = [
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>\n<meta charset="utf-8">\n',
        f"<title>آخر الأخبار - {site}</title>\n",
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        '<meta property="og:type" content="website">\n',
        '<link rel="stylesheet" href="/assets/main.css?v=3">\n',
        "<script>window.dataLayer=window.dataLayer||[];",
        "".join(
            f"var cfg{k}={{id:{k},slot:'s{k}',sizes:[[300,250],[728,90]]}};" for k in range(40)
        ),
        "</script>\n<style>",
        "".join(f".c{k}{{margin:{k}px;padding:{k % 7}px}}" for k in range(80)),
        "</style>\n</head>\n",
        '<body class="home rtl">\n<header class="site-header"><nav class="main-nav">',
        '<ul class="menu">',
        "".join(f'<li><a href="/category/{k}/">{w}</a></li>' for k, w in enumerate(NAV)),
        "</ul></nav></header>\n<main>\n",
    ]
    if kind == "selector":
        out.append('<h1>آخر الأخبار</h1>\n<ul class="latest">\n')
        for j, (head, when) in enumerate(zip(heads, times, strict=True)):
            out.append(
                f'<li><a href="/news/{index}/{j}.html">{head}</a>'
                f' <time datetime="{when.isoformat()}">{when:%H:%M}</time></li>\n'
            )
        out.append("</ul>\n")
    elif kind == "auto":
        out.append('<section class="top-stories"><h2>أبرز الأخبار</h2>\n<div class="news-grid">\n')
        for j, (head, when) in enumerate(zip(heads, times, strict=True)):
            summary = f"{headline(rng)} و{headline(rng)}."
            out.append(
                '<article class="card">'
                f'<div class="card-media"><a href="/news/{index}/{j}.html">'
                f'<img src="/media/{index}/{j}.jpg" alt=""></a></div>'
                f'<div class="card-body"><a class="card-cat" href="/category/{j % 9}/">'
                f"{NAV[j % len(NAV)]}</a>"
                f'<h3 class="card-title"><a href="/news/{index}/{j}.html">{head}</a></h3>'
                f"<p>{summary}</p>"
                f'<div class="card-meta"><time datetime="{when.isoformat()}">'
                f"{when:%Y-%m-%d}</time></div></div></article>\n"
            )
        out.append("</div></section>\n")
    else:
        out.append(
            '<div class="breaking-ticker"><span class="breaking-label">عاجل</span>'
            f'<div class="ticker-track">{"".join(heads)}</div></div>\n'
            "<p>تابعوا آخر المستجدات على مدار الساعة.</p>\n"
        )
    out.append('</main>\n<aside class="sidebar"><div class="most-read"><h3>الأكثر قراءة</h3><ul>')
    out += [f'<li><a href="/old/{index}/{k}.html">{headline(rng)}</a></li>' for k in range(5)]
    out.append("</ul></div></aside>\n<footer><ul>")
    out += [f'<li><a href="/page/{k}/">{w}</a></li>' for k, w in enumerate(NAV)]
    out.append(f"</ul><p>جميع الحقوق محفوظة - {site}</p></footer>\n</body>\n</html>\n")
    return "".join(out).encode("utf-8")


def source_entry(index: int, url: str) -> dict[str, Any]:
    kind = KINDS[index % len(KINDS)]
    entry: dict[str, Any] = {"name": f"{kind}-{index:05d}", "url": url}
    if kind == "selector":
        entry["items"] = "ul.latest li"
    elif kind == "ticker":
        entry["ticker"] = ".ticker-track"
    entry.update(delay=0, respect_robots=True, timeout=30)
    return entry


# --- the server (a child process) --------------------------------------------------------------


def host_address(k: int) -> str:
    return f"127.0.{k // 250}.{k % 250 + 2}"


def serve_main(args: argparse.Namespace) -> int:
    """Serve pages 0..sources-1 over ``hosts`` loopback servers; print the hosts as JSON."""
    latency = args.latency_ms / 1000
    latency_304 = (
        args.latency_304_ms if args.latency_304_ms is not None else args.latency_ms
    ) / 1000
    pages: dict[tuple[int, str], tuple[bytes, str]] = {}
    for index in range(args.sources):
        body = page_of(index, args.seed)
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        pages[(index % args.hosts, f"/{KINDS[index % 3]}/{index}/")] = (body, etag)
    robots = b"User-agent: *\nDisallow:\n"
    stats: dict[str, int] = {}
    stats_lock = threading.Lock()

    def count(key: str) -> None:
        with stats_lock:
            stats[key] = stats.get(key, 0) + 1

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "build-bench"
        timeout = 60  # an idle keep-alive connection gives its thread back after this
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and
        # the client's delayed ACK add ~40 ms to every response with a body.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *a: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def do_GET(self) -> None:
            host = self.server.bench_host  # type: ignore[attr-defined]
            if self.path == "/__stats":
                with stats_lock:
                    data = json.dumps(stats).encode()
                self._send(200, data, {"Content-Type": "application/json"})
                return
            if self.path == "/robots.txt":
                time.sleep(latency)
                count("robots")
                self._send(200, robots, {"Content-Type": "text/plain"})
                return
            found = pages.get((host, self.path))
            if found is None:
                time.sleep(latency)
                count("404")
                self._send(404, b"not found\n", {"Content-Type": "text/plain"})
                return
            body, etag = found
            validators = {
                "ETag": etag,
                "Last-Modified": LAST_MODIFIED,
                "Cache-Control": f"max-age={args.max_age}",
            }
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if (inm is not None and etag in [v.strip() for v in inm.split(",")]) or (
                inm is None and ims == LAST_MODIFIED
            ):
                time.sleep(latency_304)
                count("304")
                self._send(304, b"", validators)
                return
            time.sleep(latency)
            count("200")
            self._send(200, body, {"Content-Type": "text/html; charset=utf-8", **validators})

    addresses = [host_address(k) for k in range(args.hosts)]
    try:
        with socket.socket() as probe:
            probe.bind((addresses[-1], 0))
    except OSError:  # no 127.0.0.0/8 routing (macOS): distinct ports of 127.0.0.1
        addresses = ["127.0.0.1"] * args.hosts
    servers = []
    for k, address in enumerate(addresses):
        server = ThreadingHTTPServer((address, 0), Handler)
        server.daemon_threads = True
        server.bench_host = k  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, args=(0.2,), daemon=True).start()
        servers.append(server)
    hosts = [f"{s.server_address[0]}:{s.server_address[1]}" for s in servers]
    print(json.dumps({"hosts": hosts}), flush=True)
    # Stop when the parent closes our stdin (or dies), or after the time limit.
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait(timeout=args.max_minutes * 60)
    return 0  # the serving threads are daemons: leaving closes every socket


# --- the measured runs (child processes) -------------------------------------------------------


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024  # bytes vs KiB


def child_floor(args: argparse.Namespace) -> dict[str, Any]:
    """Download robots.txt once per host, then every page, grouped like fetch_all."""
    import requests

    urls = json.loads(Path(args.urls).read_text())
    etags: dict[str, str] = json.loads(Path(args.etags).read_text()) if args.conditional else {}
    groups: dict[str, list[str]] = {}
    for url in urls:
        groups.setdefault(urlsplit(url).netloc, []).append(url)
    session = requests.Session()
    got: dict[str, str] = {}
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def run(group: list[str]) -> None:
        origin = "http://" + urlsplit(group[0]).netloc
        _ = session.get(origin + "/robots.txt", timeout=30).content  # read it, like fetch
        for url in group:
            headers = {"If-None-Match": etags[url]} if url in etags else {}
            resp = session.get(url, timeout=30, headers=headers)
            _ = resp.content
            with lock:
                statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1
                if "ETag" in resp.headers:
                    got[url] = resp.headers["ETag"]

    start, cpu = time.perf_counter(), _cpu_s()
    with ThreadPoolExecutor(max_workers=max(1, min(args.workers, len(groups)))) as pool:
        list(pool.map(run, groups.values()))
    elapsed = time.perf_counter() - start
    if not args.conditional and args.etags:
        Path(args.etags).write_text(json.dumps(got))
    cpu = _cpu_s() - cpu
    return {"elapsed": elapsed, "cpu_s": cpu, "peak_mb": _maxrss_mb(), "statuses": statuses}


def child_build(args: argparse.Namespace) -> dict[str, Any]:
    """Run feedsmith.build.build() once, timing its stages by wrapping what it calls."""
    t0 = time.perf_counter()
    import feedsmith.build as fb
    from feedsmith.config import load_config
    from feedsmith.store import Store

    imported = time.perf_counter() - t0
    stages: dict[str, float] = {}

    def timed(name: str, func: Any) -> Any:
        def wrapper(*a: Any, **kw: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*a, **kw)
            finally:
                stages[name] = stages.get(name, 0.0) + time.perf_counter() - start

        return wrapper

    fetch = fb.fetch_as_completed
    build_started = [0.0]

    def fetch_timed(*a: Any, **kw: Any) -> Any:
        """fetch_as_completed, timing how long build() waits for the next page (fetch_wait)
        and when the last page arrived (downloads_done, from the start of build())."""
        if args.workers != FETCH_ALL_WORKERS:
            kw["workers"] = args.workers
        pages = fetch(*a, **kw)
        while True:
            start = time.perf_counter()
            try:
                outcome = next(pages)
            except StopIteration:
                return
            finally:
                now = time.perf_counter()
                stages["fetch_wait"] = stages.get("fetch_wait", 0.0) + now - start
                marks["downloads_done"] = now - build_started[0]
            yield outcome

    marks: dict[str, float] = {}
    fb.fetch_as_completed = fetch_timed
    for name in ("extract", "split_headlines", "_feed_specs"):
        setattr(fb, name, timed(name, getattr(fb, name)))
    fb._Reader.headlines = timed("_headlines", fb._Reader.headlines)
    for name in ("render_site", "_check_feeds", "write_site"):
        setattr(fb, name, timed(name, getattr(fb, name)))
    for name in (
        "upsert_items", "has_item", "record_success", "unchanged_guids", "reseen", "prune"
    ):  # fmt: skip
        setattr(Store, name, timed(f"store.{name}", getattr(Store, name)))

    config = load_config(Path(args.config))
    now = datetime.fromisoformat(args.now)
    profiler = None
    if args.profile_out:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start, cpu = time.perf_counter(), _cpu_s()
    build_started[0] = start
    report = fb.build(config, now=now, revalidate=args.revalidate)
    elapsed = time.perf_counter() - start
    cpu = _cpu_s() - cpu
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile_out)
    # _Reader.headlines contains extract and split (and re-reads of unchanged pages).
    stages["items_other"] = (
        stages.pop("_headlines", 0.0)
        - stages.get("extract", 0.0)
        - stages.get("split_headlines", 0.0)
    )
    stages["other"] = elapsed - sum(stages.values())
    return {
        "elapsed": elapsed,
        "cpu_s": cpu,
        "import_s": imported,
        "peak_mb": _maxrss_mb(),
        "items": report.items,
        "new_items": sum(s.new_items for s in report.sources),
        "failed": [f"{s.name}: {s.error}" for s in report.failed][:5],
        "failed_count": len(report.failed),
        "zero_item_sources": sum(1 for s in report.sources if s.ok and s.items == 0),
        "feeds": report.feeds,
        "stages": stages,
        # Time from the last page's arrival to the end of build(): the part not overlapped.
        "after_downloads": elapsed - marks.get("downloads_done", 0.0),
    }


def child_main(args: argparse.Namespace) -> int:
    result = child_floor(args) if args._child == "floor" else child_build(args)
    print(json.dumps(result))
    return 0


# --- orchestration -----------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.server: subprocess.Popen[str] | None = None
        self.hosts: list[str] = []

    def start_server(self, sources: int) -> None:
        a = self.args
        cmd = [
            sys.executable, __file__, "--_serve", "--sources", str(sources),
            "--hosts", str(a.hosts), "--latency-ms", str(a.latency_ms), "--seed", str(a.seed),
            "--max-minutes", str(a.max_minutes), "--max-age", str(a.max_age),
        ]  # fmt: skip
        if a.latency_304_ms is not None:
            cmd += ["--latency-304-ms", str(a.latency_304_ms)]
        self.server = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.server.stdout is not None
        line = self.server.stdout.readline()
        if not line:
            raise RuntimeError("the benchmark server did not start")
        self.hosts = json.loads(line)["hosts"]

    def stop_server(self) -> None:
        if self.server is None:
            return
        with contextlib.suppress(OSError):
            assert self.server.stdin is not None
            self.server.stdin.close()
        try:
            self.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.server.kill()  # our own child, by its handle
            self.server.wait()
        self.server = None

    def stats(self) -> dict[str, int]:
        with urllib.request.urlopen(f"http://{self.hosts[0]}/__stats", timeout=10) as resp:
            return json.loads(resp.read())

    def urls(self, n: int) -> list[str]:
        return [f"http://{self.hosts[i % len(self.hosts)]}/{KINDS[i % 3]}/{i}/" for i in range(n)]

    def write_config(self, n: int) -> Path:
        """feeds.yaml for the first n sources, in a folder of its own (state, cache, output)."""
        folder = self.work / f"n{n}"
        folder.mkdir(exist_ok=True)
        sources = [source_entry(i, url) for i, url in enumerate(self.urls(n))]
        topics = [{"slug": s, "title": t, **({"keywords": k} if k else {})} for s, t, k in TOPICS]
        config = {
            "site": {
                "title": "أخبار للقياس",
                "base_url": "https://bench.example/feeds/",
                "language": "ar",
                "output": "public",
                "catch_all": "other",
                "source_feeds": self.args.source_feeds,
            },
            "sources": sources,
            "topics": topics,
        }
        path = folder / "feeds.yaml"
        # JSON is YAML: no need for a YAML writer here.
        path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
        (folder / "urls.json").write_text(json.dumps(self.urls(n)))
        return path

    def clean(self, config: Path) -> None:
        for name in (".feedsmith", "public"):
            shutil.rmtree(config.parent / name, ignore_errors=True)

    def child(self, *extra: str, timeout: float) -> dict[str, Any]:
        cmd = [sys.executable, __file__, *extra]
        before = self.stats()
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, cwd=self.work, check=False
        )
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr[-4000:])
            raise RuntimeError(f"child failed ({proc.returncode}): {' '.join(extra[:2])}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        after = self.stats()
        counts = {k: after.get(k, 0) - before.get(k, 0) for k in after}
        result["server"] = {k: v for k, v in counts.items() if v}
        return result

    def floor(self, config: Path, conditional: bool = False) -> dict[str, Any]:
        extra = ["--conditional"] if conditional else []
        return self.child(
            "--_child", "floor", "--urls", str(config.parent / "urls.json"),
            "--etags", str(config.parent / "etags.json"), "--workers", str(self.args.workers),
            *extra, timeout=self.timeout(config),
        )  # fmt: skip

    def build(
        self, config: Path, now: datetime, profile: str = "", revalidate: bool = False
    ) -> dict[str, Any]:
        extra = ["--profile-out", profile] if profile else []
        extra += ["--revalidate"] if revalidate else []
        return self.child(
            "--_child", "build", "--config", str(config), "--now", now.isoformat(),
            "--workers", str(self.args.workers), *extra, timeout=self.timeout(config),
        )  # fmt: skip

    def timeout(self, config: Path) -> float:
        n = len(json.loads((config.parent / "urls.json").read_text()))
        return 120 + n * (1.0 + self.args.latency_ms / 1000 * 4)

    def log(self, message: str) -> None:
        if not self.args.json:
            print(message, file=sys.stderr, flush=True)


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    sizes = sorted({args.sources, *args.scaling})
    work = Path(tempfile.mkdtemp(prefix="feedsmith-bench-"))
    bench = Bench(args, work)
    out: dict[str, Any] = {
        "sources": args.sources,
        "latency_ms": args.latency_ms,
        "latency_304_ms": args.latency_304_ms
        if args.latency_304_ms is not None
        else args.latency_ms,
        "hosts": args.hosts,
        "max_age": args.max_age,
        "workers": args.workers,
        "repeats": args.repeats,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "load_before": os.getloadavg()[0],
        "by_n": {},
    }
    try:
        bench.start_server(max(sizes))
        fallback = bench.hosts[0].startswith("127.0.0.1:")
        out["addresses"] = "ports of 127.0.0.1" if fallback else "distinct 127.0.x.y"
        for n in sizes:
            config = bench.write_config(n)
            main = n == args.sources
            runs: dict[str, list[dict[str, Any]]] = {"d": [], "a": [], "b": [], "b304": [], "e": []}
            for r in range(args.repeats):
                bench.clean(config)
                runs["d"].append(bench.floor(config))
                runs["a"].append(bench.build(config, NOW))
                bench.log(
                    f"N={n} run {r + 1}/{args.repeats}: floor {runs['d'][-1]['elapsed']:.2f} s,"
                    f" build {runs['a'][-1]['elapsed']:.2f} s"
                    f" ({runs['a'][-1]['items']} items, {runs['a'][-1]['failed_count']} failed)"
                )
                if main:
                    runs["b"].append(bench.build(config, REBUILD_NOW))
                    runs["b304"].append(bench.build(config, REVALIDATE_NOW, revalidate=True))
                    runs["e"].append(bench.floor(config, conditional=True))
                    bench.log(
                        f"  rebuild {runs['b'][-1]['elapsed']:.2f} s"
                        f" (server {runs['b'][-1]['server']}),"
                        f" revalidating rebuild {runs['b304'][-1]['elapsed']:.2f} s"
                        f" (server {runs['b304'][-1]['server']}),"
                        f" conditional floor {runs['e'][-1]['elapsed']:.2f} s"
                    )
            entry: dict[str, Any] = {}
            for key, results in runs.items():
                if not results:
                    continue
                entry[key] = {
                    **summary([x["elapsed"] for x in results]),
                    "cpu_s": statistics.median(x["cpu_s"] for x in results),
                    "peak_mb": max(x["peak_mb"] for x in results),
                    "server": results[-1]["server"],
                }
                if key in ("a", "b", "b304"):
                    mid = sorted(results, key=lambda x: x["elapsed"])[len(results) // 2]
                    entry[key].update(
                        items=mid["items"],
                        new_items=mid["new_items"],
                        failed=mid["failed_count"],
                        failed_examples=mid["failed"],
                        zero_item_sources=mid["zero_item_sources"],
                        import_s=mid["import_s"],
                        feeds=mid["feeds"],
                        stages={k: round(v, 4) for k, v in mid["stages"].items()},
                        after_downloads=mid["after_downloads"],
                    )
            entry["a_per_source_ms"] = entry["a"]["median"] / n * 1000
            entry["d_per_source_ms"] = entry["d"]["median"] / n * 1000
            # The main thread's time not spent waiting for a page, per source.
            busy = entry["a"]["median"] - entry["a"]["stages"].get("fetch_wait", 0.0)
            entry["a_after_fetch_per_source_ms"] = busy / n * 1000
            entry["a_cpu_per_source_ms"] = entry["a"]["cpu_s"] / n * 1000
            out["by_n"][str(n)] = entry
        if args.profile:
            config = bench.write_config(args.sources)
            bench.clean(config)
            out["profile"] = {}
            for label, now, revalidate in (
                ("full", NOW, False),
                ("rebuild", REBUILD_NOW, False),
                ("revalidating rebuild", REVALIDATE_NOW, True),
            ):
                path = str(work / f"{label.replace(' ', '-')}.prof")
                bench.build(config, now, profile=path, revalidate=revalidate)
                out["profile"][label] = profile_top(path, args.profile_top)
    finally:
        bench.stop_server()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            out["work"] = str(work)
    out["load_after"] = os.getloadavg()[0]
    main = out["by_n"][str(args.sources)]
    out["a_over_d"] = main["a"]["median"] / main["d"]["median"]
    out["b_over_a"] = main["b"]["median"] / main["a"]["median"]
    out["b304_over_a"] = main["b304"]["median"] / main["a"]["median"]
    out["b304_over_e"] = main["b304"]["median"] / main["e"]["median"]
    out["e_over_a"] = main["e"]["median"] / main["a"]["median"]
    out["peak_mb"] = main["a"]["peak_mb"]
    # CPU time per source: unlike wall time, hardly moved by other load on the machine.
    per = [out["by_n"][str(n)]["a_cpu_per_source_ms"] for n in sizes]
    out["scaling_ratio"] = per[-1] / per[0] if len(per) > 1 and per[0] > 0 else 1.0
    out["targets"] = {
        "a_over_d": out["a_over_d"] <= TARGETS["a_over_d"],
        "b_over_a": out["b_over_a"] <= TARGETS["b_over_a"],
        "b304_over_a": out["b304_over_a"] <= TARGETS["b304_over_a"],
        "b304_over_e": out["b304_over_e"] <= TARGETS["b304_over_e"],
        "peak_mb": out["peak_mb"] < TARGETS["peak_mb"],
        "scaling": out["scaling_ratio"] <= TARGETS["scaling"],
    }
    return out


def profile_top(path: str, top: int) -> dict[str, list[str]]:
    import io
    import pstats

    result = {}
    for key in ("tottime", "cumulative"):
        buffer = io.StringIO()
        stats = pstats.Stats(path, stream=buffer)
        stats.strip_dirs().sort_stats(key).print_stats(top)
        lines = [ln for ln in buffer.getvalue().splitlines() if ln.strip()]
        start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
        result[key] = lines[start:]
    return result


def ok(flag: bool) -> str:
    return "ok" if flag else "MISSED"


def print_table(out: dict[str, Any]) -> None:
    n = out["sources"]
    main = out["by_n"][str(n)]
    print(
        f"N={n} sources on {out['hosts']} hosts ({out['addresses']}), latency"
        f" {out['latency_ms']:g} ms (304: {out['latency_304_ms']:g} ms),"
        f" max-age {out['max_age']:g} s, workers"
        f" {out['workers']}, repeats {out['repeats']}, {out['cpus']} CPUs, Python {out['python']}"
    )
    busy = max(out["load_before"], out["load_after"]) > 0.5
    print(
        f"load average (1 min) before {out['load_before']:.2f}, after {out['load_after']:.2f}"
        + ("  -- the machine was busy: wall times are inflated, compare CPU times" if busy else "")
    )

    def line(label: str, key: str) -> None:
        s = main[key]
        print(
            f"{label:<28} median {s['median']:6.2f} s   (min {s['min']:.2f}, max {s['max']:.2f};"
            f" CPU {s['cpu_s']:.2f} s)"
        )

    line("(d) floor download", "d")
    line("(a) full build", "a")
    line("(b) rebuild, all fresh", "b")
    line("(b304) rebuild, all 304", "b304")
    line("(e) floor, conditional", "e")
    print(
        f"{'(c) peak memory':<28} {out['peak_mb']:.0f} MB  (RSS of the full-build process;"
        f" rebuilds {main['b']['peak_mb']:.0f} MB fresh, {main['b304']['peak_mb']:.0f} MB 304)"
    )
    a, b, b304 = main["a"], main["b"], main["b304"]
    print(
        f"    full build: {a['items']} items, {a['failed']} failed sources,"
        f" {a['zero_item_sources']} sources with no items, {a['feeds']} feeds"
        if "feeds" in a
        else f"    full build: {a['items']} items, {a['failed']} failed sources,"
        f" {a['zero_item_sources']} sources with no items"
    )
    print(
        f"    server saw: full {a['server']}, rebuild {b['server'] or 'nothing'},"
        f" revalidating rebuild {b304['server']}"
    )
    for failure in a["failed_examples"]:
        print(f"    failed: {failure}")
    for label, key in (("full build", "a"), ("rebuild", "b"), ("revalidating rebuild", "b304")):
        stages = main[key]["stages"]
        parts = ", ".join(
            f"{k} {v:.2f}" for k, v in sorted(stages.items(), key=lambda kv: -kv[1]) if v >= 0.005
        )
        print(f"    {label} stages (s): {parts}")
        print(f"    {label}: {main[key]['after_downloads']:.2f} s after the last page arrived")
    print(
        f"(a)/(d) = {out['a_over_d']:.2f}  target <= {TARGETS['a_over_d']}"
        f"   {ok(out['targets']['a_over_d'])}"
    )
    print(
        f"(b)/(a) = {out['b_over_a']:.2f}  target <= {TARGETS['b_over_a']}"
        f"   {ok(out['targets']['b_over_a'])}"
    )
    print(
        f"(b304)/(a) = {out['b304_over_a']:.2f}  target <= {TARGETS['b304_over_a']}"
        f"   {ok(out['targets']['b304_over_a'])}"
        f"   (round trips alone: (e)/(a) = {out['e_over_a']:.2f})"
    )
    print(
        f"(b304)/(e) = {out['b304_over_e']:.2f}  target <= {TARGETS['b304_over_e']}"
        f"   {ok(out['targets']['b304_over_e'])}"
    )
    print(
        f"(c) = {out['peak_mb']:.0f} MB  target < {TARGETS['peak_mb']:.0f} MB"
        f"   {ok(out['targets']['peak_mb'])}"
    )
    parts = []
    for size, entry in out["by_n"].items():
        parts.append(
            f"N={size} {entry['a_per_source_ms']:.1f} ms/source"
            f" (CPU {entry['a_cpu_per_source_ms']:.1f},"
            f" not waiting for pages {entry['a_after_fetch_per_source_ms']:.1f},"
            f" floor {entry['d_per_source_ms']:.1f})"
        )
    print("scaling: " + "; ".join(parts))
    print(
        f"scaling: build CPU per source, largest N / smallest N ="
        f" {out['scaling_ratio']:.2f}  target <= {TARGETS['scaling']}"
        f"   {ok(out['targets']['scaling'])}"
    )
    for label, tables in out.get("profile", {}).items():
        for key, lines in tables.items():
            print(f"\nprofile, {label} build, by {key}:")
            print("\n".join(lines))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sources", type=int, default=1000, help="N sources (default 1000)")
    p.add_argument("--latency-ms", type=float, default=50.0, help="server latency per request")
    p.add_argument(
        "--latency-304-ms", type=float, default=None, help="latency of a 304 (default: the same)"
    )
    p.add_argument(
        "--max-age",
        type=int,
        default=600,
        help="Cache-Control max-age the pages carry, in seconds (default 600)",
    )
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--workers", type=int, default=FETCH_ALL_WORKERS, help="fetch workers (8)")
    p.add_argument("--hosts", type=int, default=100, help="distinct hosts (default 100)")
    p.add_argument("--scaling", default="250,500,1000", help="N values for time per source")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--source-feeds", action="store_true", help="set site.source_feeds")
    p.add_argument("--quick", action="store_true", help="smoke run: N=100, 1 repeat, no scaling")
    p.add_argument("--json", action="store_true", help="print one JSON object instead")
    p.add_argument("--json-out", type=Path, help="also write the JSON object to this file")
    p.add_argument("--profile", action="store_true", help="cProfile one build and one rebuild")
    p.add_argument("--profile-top", type=int, default=25)
    p.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.add_argument("--max-minutes", type=float, default=60, help="the server stops after this")
    # internal: the server and the measured children
    p.add_argument("--_serve", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--_child", choices=("floor", "build"), help=argparse.SUPPRESS)
    p.add_argument("--urls", help=argparse.SUPPRESS)
    p.add_argument("--etags", help=argparse.SUPPRESS)
    p.add_argument("--conditional", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--config", help=argparse.SUPPRESS)
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.add_argument("--profile-out", help=argparse.SUPPRESS)
    p.add_argument("--revalidate", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.sources, args.repeats, args.scaling = 100, 1, "100"
    args.scaling = [int(x) for x in str(args.scaling).split(",") if x.strip()]
    if args.sources < 1 or args.repeats < 1 or args.hosts < 1 or args.workers < 1:
        p.error("--sources, --repeats, --hosts and --workers must be at least 1")
    if args.max_age < 0:
        p.error("--max-age: at least 0")
    if args.hosts > 250 * 255:
        p.error("--hosts: at most 63750")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args._serve:
        return serve_main(args)
    if args._child:
        sys.path.insert(0, str(ROOT))
        return child_main(args)
    out = run(args)
    if args.json:
        print(json.dumps(out, indent=1, ensure_ascii=False))
    else:
        print_table(out)
    if args.json_out:
        args.json_out.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    return 1 if args.check and not all(out["targets"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
