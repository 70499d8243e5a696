"""The load generator: a separate process that sends HTTP requests to 127.0.0.1 only.

    python bench/loadgen.py < spec.json > result.json

Standard library only (asyncio with a small HTTP/1.1 protocol), so it costs little CPU per
request and starts fast.  gunicorn's sync workers close the connection after each answer, so
every request opens its own connection, as a browser's poll to such a server does.

Two modes, both bounded in requests and in time and both ending by themselves:

closed  -- `concurrency` clients each send the next request as soon as the previous answer
           came back, until `duration` seconds or `max_requests` requests: the server's
           throughput.  Requests cycle through `requests` ([{"path", "cookie"}, ...]).
live    -- every device of every conversation follows it like convo/static/live.js: ask
           `GET url?v=N`, then wait its own `interval` after the answer; a 200 moves N to the
           X-Convo-Version header.  Meanwhile each conversation's facilitator saves a point
           (POST .../items) every `change_every` seconds; the answer's version is the change
           every device of that conversation whose view shows points must see (a device
           with "shows_points": false, a phone, follows a version of its own that points
           don't move; each device starts from its own "version" when it has one).  Reports
           the polls' latency, the captures' latency and, per change and device, how long it
           took to be seen.

The spec's "host" must be a loopback address; anything else is refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import random
import resource
import sys
import time
from typing import Any
from urllib.parse import urlencode

TRACE: list | None = [] if os.environ.get("LOADGEN_TRACE") else None
MAX_DURATION = 300.0  # no run lasts longer than this, whatever the spec says
MAX_REQUESTS = 2_000_000


def _check_host(host: str) -> str:
    if host == "localhost" or ipaddress.ip_address(host).is_loopback:
        return host
    raise SystemExit(f"loadgen: refusing to send traffic to {host!r}: loopback only")


class _Exchange(asyncio.Protocol):
    """One request on its own connection; the answer ends when the server closes."""

    def __init__(self, payload: bytes, done: asyncio.Future) -> None:
        self.payload = payload
        self.done = done
        self.chunks: list[bytes] = []
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        transport.write(self.payload)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        # Finish as soon as the whole answer is in (by its Content-Length), not only when
        # the server closes.
        raw = b"".join(self.chunks)
        head_end = raw.find(b"\r\n\r\n")
        if head_end < 0:
            return
        lines = raw[:head_end].split(b"\r\n")
        if lines[0][9:12] in (b"204", b"304"):  # no body, whatever the headers say
            self._finish(raw)
            if self.transport is not None:
                self.transport.close()
            return
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                if len(raw) - head_end - 4 >= int(value.strip() or 0):
                    self._finish(raw)
                    if self.transport is not None:
                        self.transport.close()
                return

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            if exc is not None and not self.chunks:
                self.done.set_exception(exc)
            else:
                self._finish(b"".join(self.chunks))

    def _finish(self, raw: bytes) -> None:
        if self.done.done():
            return
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        try:
            status = int(lines[0].split()[1])
        except (IndexError, ValueError):
            self.done.set_exception(ConnectionError("bad answer"))
            return
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
        self.done.set_result((status, headers, body))


class Client:
    def __init__(self, host: str, port: int, timeout: float = 10.0) -> None:
        self.host = _check_host(host)
        self.port = port
        self.timeout = timeout
        self.loop = asyncio.get_running_loop()
        self.connect_times: list[float] = []  # how long each connection took to open

    def _payload(self, method: str, path: str, cookie: str | None, body: bytes = b"",
                 extra: dict[str, str] | None = None) -> bytes:
        headers = {"Host": f"{self.host}:{self.port}", "Connection": "close",
                   "Accept": "text/html"}
        if cookie:
            headers["Cookie"] = cookie
        headers.update(extra or {})
        lines = [f"{method} {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in headers.items()]
        if method == "POST":
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    async def request(self, method: str, path: str, cookie: str | None = None,
                      body: bytes = b"", extra: dict[str, str] | None = None
                      ) -> tuple[int, dict[str, str], bytes]:
        done: asyncio.Future = self.loop.create_future()
        payload = self._payload(method, path, cookie, body, extra)
        t0 = time.perf_counter()
        transport, _protocol = await asyncio.wait_for(self.loop.create_connection(
            lambda: _Exchange(payload, done), self.host, self.port), self.timeout)
        self.connect_times.append(time.perf_counter() - t0)
        try:
            return await asyncio.wait_for(done, self.timeout)
        finally:
            transport.close()


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- closed loop: throughput ------------------------------------------------------------------


async def closed(spec: dict[str, Any]) -> dict[str, Any]:
    client = Client(spec["host"], spec["port"])
    requests = spec["requests"]
    duration = min(float(spec["duration"]), MAX_DURATION)
    max_requests = min(int(spec.get("max_requests", MAX_REQUESTS)), MAX_REQUESTS)
    concurrency = int(spec.get("concurrency", 8))
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = 0
    sent = 0
    started = time.perf_counter()
    deadline = started + duration
    cpu_before = _cpu()

    async def worker(offset: int) -> None:
        nonlocal sent, errors
        n = offset
        while time.perf_counter() < deadline and sent < max_requests:
            sent += 1
            item = requests[n % len(requests)]
            n += concurrency
            t0 = time.perf_counter()
            try:
                status, _headers, _body = await client.request("GET", item["path"],
                                                                item.get("cookie"))
            except (OSError, asyncio.TimeoutError, ConnectionError):
                errors += 1
                continue
            latencies.append(time.perf_counter() - t0)
            statuses[str(status)] = statuses.get(str(status), 0) + 1

    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies), "errors": errors, "seconds": elapsed,
        "rps": len(latencies) / elapsed if elapsed else 0.0, "statuses": statuses,
        "p50_ms": (percentile(latencies, 0.50) or 0) * 1000,
        "p95_ms": (percentile(latencies, 0.95) or 0) * 1000,
        "connect_p95_ms": (percentile(client.connect_times, 0.95) or 0) * 1000,
        "loadgen_cpu": (_cpu() - cpu_before) / elapsed if elapsed else 0.0,
    }


# --- live: devices following conversations, facilitators saving points -----------------------


async def live(spec: dict[str, Any]) -> dict[str, Any]:
    client = Client(spec["host"], spec["port"], timeout=float(spec.get("timeout", 10.0)))
    duration = min(float(spec["duration"]), MAX_DURATION)
    change_every = float(spec["change_every"])
    settle = float(spec.get("settle", 3.0))  # no changes in the last `settle` seconds
    max_requests = min(int(spec.get("max_requests", MAX_REQUESTS)), MAX_REQUESTS)
    rng = random.Random(spec.get("seed", 1))
    started = time.perf_counter()
    deadline = started + duration
    poll_latencies: list[float] = []
    poll_statuses: dict[str, int] = {}
    poll_errors = 0
    by_kind: dict[str, list[float]] = {}  # page and status -> latencies
    capture_latencies: list[float] = []
    capture_statuses: dict[str, int] = {}
    capture_errors = 0
    sent = 0
    # conversation index -> list of (version, made_at); device sightings fill `seen`.
    changes: dict[int, list[tuple[int, float]]] = {}
    # (conversation, device) -> [(version, time first seen), ...] in the order seen
    seen: dict[tuple[int, int], list[tuple[int, float]]] = {}
    cpu_before = _cpu()

    async def device(ci: int, di: int, dev: dict[str, Any], version: int) -> None:
        nonlocal sent, poll_errors
        await asyncio.sleep(rng.random() * dev["interval"])  # devices don't poll in step
        failures = 0
        while time.perf_counter() < deadline and sent < max_requests:
            sent += 1
            url = dev["url"] + ("&" if "?" in dev["url"] else "?") + f"v={version}"
            t0 = time.perf_counter()
            try:
                status, headers, _body = await client.request("GET", url, dev["cookie"])
            except (OSError, asyncio.TimeoutError, ConnectionError):
                poll_errors += 1
                failures += 1
                await asyncio.sleep(min(5.0, dev["interval"] * 1.5 ** failures))
                continue
            now = time.perf_counter()
            poll_latencies.append(now - t0)
            kind = dev["url"].split("/")[1] + str(status)
            if TRACE is not None:
                TRACE.append((t0 - started, now - t0, kind))
            by_kind.setdefault(kind, []).append(now - t0)
            poll_statuses[str(status)] = poll_statuses.get(str(status), 0) + 1
            if status == 200:
                version = int(headers.get("x-convo-version", version))
                seen.setdefault((ci, di), []).append((version, now))
            elif status != 204:
                failures += 1
                await asyncio.sleep(min(5.0, dev["interval"] * 1.5 ** failures))
                continue
            failures = 0
            await asyncio.sleep(min(dev["interval"], max(0.0, deadline - time.perf_counter())))

    async def facilitator(ci: int, conv: dict[str, Any]) -> None:
        nonlocal sent, capture_errors
        await asyncio.sleep(rng.random() * change_every)
        n = 0
        while time.perf_counter() < deadline - settle and sent < max_requests:
            sent += 1
            n += 1
            body = urlencode({"text": f"Point {n} from the load test", "kind": "note",
                              "raised_by": "both", "client_id": f"bench-{ci}-{n}-{os.getpid()}",
                              "csrf_token": conv["csrf"]}).encode()
            t0 = time.perf_counter()
            try:
                status, _headers, raw = await client.request(
                    "POST", conv["capture_url"], conv["cookie"], body,
                    {"X-Requested-With": "fetch", "Accept": "application/json"})
            except (OSError, asyncio.TimeoutError, ConnectionError):
                capture_errors += 1
                await asyncio.sleep(min(change_every, max(0.0, deadline - time.perf_counter())))
                continue
            elapsed = time.perf_counter() - t0
            capture_statuses[str(status)] = capture_statuses.get(str(status), 0) + 1
            if status == 200:
                capture_latencies.append(elapsed)
                version = int(json.loads(raw or b"{}").get("version", 0))
                changes.setdefault(ci, []).append((version, t0))
            # Not past the end of the run: a last pause of `change_every` after the last
            # change would stretch the run by up to that long with no device polling, and
            # every rate below is over the run's time.
            await asyncio.sleep(min(change_every, max(0.0, deadline - time.perf_counter())))

    # How late this process's own loop wakes (a 5 ms sleep, measured): the latencies above are
    # the server's only while this stays small.
    lag: list[float] = []

    async def own_lag() -> None:
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            await asyncio.sleep(0.005)
            lag.append(time.perf_counter() - t0 - 0.005)

    tasks = [own_lag()]
    for ci, conv in enumerate(spec["conversations"]):
        for di, dev in enumerate(conv["devices"]):
            tasks.append(device(ci, di, dev, int(dev.get("version", conv["version"]))))
        if change_every > 0:
            tasks.append(facilitator(ci, conv))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started

    # Each change must reach each of its conversation's devices: the lag is from the moment
    # the facilitator pressed save to the first answer carrying that version or a later one.
    lags: list[float] = []
    missed = 0
    for ci, made in changes.items():
        shown_on = [di for di, dev in enumerate(spec["conversations"][ci]["devices"])
                    if dev.get("shows_points", True)]
        for version, made_at in made:
            for di in shown_on:
                first = next((t for v, t in seen.get((ci, di), []) if v >= version), None)
                if first is None:
                    missed += 1
                else:
                    lags.append(max(0.0, first - made_at))
    return {
        "seconds": elapsed,
        "polls": len(poll_latencies), "poll_errors": poll_errors, "poll_statuses": poll_statuses,
        "poll_rps": len(poll_latencies) / elapsed if elapsed else 0.0,
        "poll_p50_ms": (percentile(poll_latencies, 0.50) or 0) * 1000,
        "poll_p95_ms": (percentile(poll_latencies, 0.95) or 0) * 1000,
        "poll_max_ms": max(poll_latencies, default=0) * 1000,
        "poll_p95_ms_by_kind": {k: (percentile(v, 0.95) or 0) * 1000
                                for k, v in sorted(by_kind.items())},
        "captures": len(capture_latencies), "capture_errors": capture_errors,
        "capture_statuses": capture_statuses,
        "capture_p50_ms": (percentile(capture_latencies, 0.50) or 0) * 1000,
        "capture_p95_ms": (percentile(capture_latencies, 0.95) or 0) * 1000,
        "changes": sum(len(v) for v in changes.values()),
        "sightings": len(lags), "missed": missed,
        "visible_p95_s": percentile(lags, 0.95) or 0.0,
        "visible_max_s": max(lags, default=0.0),
        "connect_p50_ms": (percentile(client.connect_times, 0.50) or 0) * 1000,
        "connect_p95_ms": (percentile(client.connect_times, 0.95) or 0) * 1000,
        "loadgen_cpu": (_cpu() - cpu_before) / elapsed if elapsed else 0.0,
        "loadgen_lag_p95_ms": (percentile(lag, 0.95) or 0) * 1000,
        "loadgen_lag_max_ms": max(lag, default=0) * 1000,
    }


def main() -> None:
    spec = json.load(sys.stdin)
    mode = {"closed": closed, "live": live}[spec["mode"]]
    result = asyncio.run(mode(spec))
    if TRACE is not None:
        with open(os.environ["LOADGEN_TRACE"], "w") as handle:
            json.dump(TRACE, handle)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
