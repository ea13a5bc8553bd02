"""Hot reload: swaps are atomic, broken lexicons are refused, scans never see a mix."""

import threading

import pytest

import hansieve


def write(folder, version):
    # Version v: terms t0..tv, so each version has a distinct, predictable result.
    (folder / "drugs.txt").write_text("".join(f"词{i}号\n" for i in range(version + 1)),
                                      encoding="utf-8")


def test_reload_and_refuse_broken_lexicon(tmp_path, caplog):
    write(tmp_path, 0)
    errors = []
    with hansieve.Reloader([tmp_path], interval=None, on_error=errors.append) as r:
        assert r.sieve.contains("词0号") and not r.sieve.contains("词1号")
        old = r.sieve
        write(tmp_path, 1)
        assert r.check() and r.version == 2 and r.sieve.contains("词1号")
        assert old.contains("词0号") and not old.contains("词1号")      # the old one is untouched
        (tmp_path / "drugs.txt").write_text("词0号\tseverity=urgent\n", encoding="utf-8")
        good = r.sieve
        assert not r.check()
        assert r.sieve is good and r.version == 2 and errors and r.last_error
        assert "lexicon refused" in caplog.text
        assert not r.check()            # the same broken files are not retried in a loop


def test_watcher_thread_picks_up_changes(tmp_path):
    write(tmp_path, 0)
    swapped = threading.Event()
    with hansieve.Reloader([tmp_path], interval=0.05, on_swap=lambda s: swapped.set()) as r:
        write(tmp_path, 3)
        assert swapped.wait(10)
        assert r.sieve.contains("词3号")


@pytest.mark.slow     # 100 compiles: over a minute on 2 busy cores
@pytest.mark.issue(5)
def test_scans_during_100_swaps_see_exactly_one_version(tmp_path):
    write(tmp_path, 0)
    text = "".join(f"词{i}号，" for i in range(120))
    # What each version finds: terms 0..v.
    expected = {v: [f"词{i}号" for i in range(v + 1)] for v in range(101)}
    by_result = {tuple(terms): v for v, terms in expected.items()}
    # What this checks (one version per scan) needs neither variants nor verification, which made
    # it the suite's slowest test (148 s): 101 compiles with both on.
    r = hansieve.Reloader([tmp_path], interval=None, variants=False, verify="off")
    stop = threading.Event()
    seen, bad = [], []

    def scan():
        while not stop.is_set():
            sieve = r.sieve                     # one reference per message
            got = tuple(m.term for m in sieve.find(text))
            (seen if got in by_result else bad).append(got)

    threads = [threading.Thread(target=scan) for _ in range(8)]    # issue 8: 8 scanners
    for t in threads:
        t.start()
    for v in range(1, 101):
        write(tmp_path, v)
        assert r.reload()
    stop.set()
    for t in threads:
        t.join()
    r.close()
    assert r.version == 101
    assert not bad, bad[:3]
    assert len(seen) > 100
    assert len({by_result[s] for s in seen}) > 1     # scans really ran across swaps


@pytest.mark.issue(17)
def test_an_emptied_lexicon_or_an_unlisted_file_is_refused_not_served(tmp_path):
    # A lexicon emptied by mistake compiled to a Sieve that passes every message; a file added
    # beside the manifest was silently ignored. Both are refused, and the last good one serves.
    write(tmp_path, 1)
    from hansieve.lexicon import write_manifest
    write_manifest(tmp_path)
    errors = []
    with hansieve.Reloader([tmp_path], interval=None, on_error=errors.append) as r:
        (tmp_path / "extra.txt").write_text("冰毒\n", encoding="utf-8")
        assert not r.check() and r.version == 1 and "E208" in str(errors[-1])
        (tmp_path / "extra.txt").unlink()
        (tmp_path / "drugs.txt").write_text("# emptied\n", encoding="utf-8")
        write_manifest(tmp_path)
        assert not r.check() and r.version == 1 and "E207" in str(errors[-1])
        assert r.sieve.contains("词1号")
