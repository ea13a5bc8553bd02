"""Terms -> Sieve: fold every term with the scanner's own fold table, give each folded character a
dense symbol id (most frequent first), set each term's flags, and hand the result to the native
builder."""

from __future__ import annotations

import bisect
import enum
import functools
import gc
import re
import warnings
from collections import Counter
from typing import Any, Callable, Iterable, NamedTuple, ParamSpec, TypeVar, Union

from . import _core
from ._version import __version__
from .disguise import DisguiseJudge
from .errors import BuildError, HansieveWarning, MatchError
from .fold import CHAR_FOLDS_PATH, TABLE_PATH, FoldMap, FoldOptions, fold_map
from .lexicon import CATEGORIES, FLAGS, SEVERITIES, Lexicon, PathLike, Rule, Term
from .verify import _CJK, ACTION_OF_RANK, SEPARATORS, _dictionary, attachments, suggested_freqs

TermLike = Union[str, Term]

# Native flag bits (TERM_* in _core.pxd, exported by the core).
_ALLOW, _HIDDEN, _WW_START, _WW_END, _VERIFY, _MASKED, _GLUED = (
    _core.TERM_FLAG_BITS[name] for name in ("allow", "hidden", "whole_word_start",
                                            "whole_word_end", "verify", "masked", "glued"))


#: variants="auto" expands lexicons up to this many deny terms.
VARIANTS_AUTO_MAX = 20_000
#: Caps chosen on the bundled lexicon: 140k variant keys for 5,214 terms, generated in about 3 s.
#: Cost measured with callgrind (native scan loop, 20,000 reviews): +38 % instructions against
#: variants off; +21 % with homophones off (they bring most common characters into the alphabet),
#: +31 % with homophones only for 4+ character terms. Homophone spellings are on only where the
#: disguise channel is off (_variants_setting): the channel reads every homophone.
VARIANT_DEFAULTS = {"mixed_limit": 24, "homophone_limit": 8, "reverse": True, "mask": True}


class MatchKind(str, enum.Enum):
    """Match semantics, fixed when a Sieve is compiled."""

    #: every occurrence of every term, overlapping ones included (screening)
    OVERLAPPING = "overlapping"
    #: non-overlapping; at each point the leftmost hit, and of those the longest (masking)
    LEFTMOST_LONGEST = "leftmost_longest"

    def __str__(self) -> str:
        return self.value


@functools.lru_cache(maxsize=16)
def _inverse_fold(options: FoldOptions) -> tuple[dict[str, list[int]], list[tuple[int, str]]]:
    """For one set of fold options: target character -> code points folding to it alone, and the
    code points that fold to several characters."""
    single: dict[str, list[int]] = {}
    multi: list[tuple[int, str]] = []
    for cp, folded in fold_map(options).mapping.items():
        if len(folded) == 1:
            single.setdefault(folded, []).append(cp)
        else:
            multi.append((cp, folded))
    return single, multi


#: Pinyin keys of at least this many syllables may match glued to other Latin letters
#: (verify.PinyinRunCheck decides). Measured on tests/eval (tune split): at 2, glued recall 94 %
#: but pinyin_foreign innocents flagged 8 -> 23 % (two-syllable keys read inside English words:
#: taiwa in taiwanese, nima in animate); at 3, glued recall 84 % and no innocent kind changes.
GLUED_MIN_SYLLABLES = 3

#: Most term outputs the automaton may hold, as bounded by :func:`_output_bound` (4 bytes each:
#: 2**27 is 512 MB). Every state stores the terms that end there, those of its failure chain
#: included, so terms that are suffixes of one another (大, 大大, ..., 大 x k) cost k(k+1)/2:
#: without a cap a hostile lexicon of 30,000 such terms exhausts memory. Real lexicons stay
#: far below (bounds: bundled lexicon with variants 7.2M, jieba's 349k words 8.3M, 20,000 jieba
#: words with variants 26M). Raise it here for a lexicon that needs more.
MAX_OUTPUTS = 1 << 27

#: Builds of at least this many automaton keys hand their freed memory back to the OS
#: (malloc_trim: a few milliseconds, worth it only after a build large enough to leave tens of
#: megabytes behind; hypothesis compiles thousands of tiny lexicons).
_RELEASE_MEMORY_MIN_KEYS = 20_000


def _output_bound(keys: list[str], tight: bool = False) -> int:
    """An upper bound on the automaton's flattened outputs.

    Two keys that are both suffixes of one state's string and have the same length are the same
    key, so a state at depth d holds at most c(d) = sum(mult[l] for key lengths l <= d) outputs,
    where mult[l] is the most times one key of length l occurs. Summing c over the states:
    ``F(x) = c(1) + ... + c(x) = (x + 1) * M(x) - W(x)`` with the prefix sums
    ``M(x) = sum(mult[l])`` and ``W(x) = sum(mult[l] * l)`` over key lengths l <= x.

    The quick bound (O(number of keys)) counts every prefix of every key as a state of its own,
    which over-counts keys that share prefixes (cubic for 大, 大大, 大大大...). The tight one
    sorts the keys and counts a key's prefixes only beyond what it shares with the key before
    it: those are exactly the trie's states."""
    unique = set(keys)      # cheaper than a Counter when, as usual, no key repeats
    by_len = Counter(map(len, unique))
    mult = dict.fromkeys(by_len, 1)
    distinct: Counter[str] | set[str] = unique
    if len(unique) != len(keys):
        distinct = Counter(keys)
        for key, n in distinct.items():
            if n > mult[len(key)]:
                mult[len(key)] = n
    lengths = sorted(by_len)
    m_sums, w_sums = [], []
    m_sum = w_sum = 0
    for length in lengths:
        m_sum += mult[length]
        w_sum += mult[length] * length
        m_sums.append(m_sum)
        w_sums.append(w_sum)

    def f(x: int) -> int:
        j = bisect.bisect_right(lengths, x) - 1
        return (x + 1) * m_sums[j] - w_sums[j] if j >= 0 else 0

    if not tight:
        return sum(by_len[length] * f(length) for length in lengths)
    total = 0
    previous = ""
    for key in sorted(distinct):
        total += f(len(key)) - f(_common_prefix_len(previous, key))
        previous = key
    return total


def _common_prefix_len(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:      # binary search with slice comparisons: C speed for long keys
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _is_word(s: str) -> bool:
    return s.isascii() and s.isalnum()


@functools.lru_cache(maxsize=8)
def _key_folder(options: FoldOptions) -> Any:
    """The fold of `options` as the native builder's per-code-point table (FoldMap.fold_terms
    in native code: ~3 ns a character instead of ~140)."""
    fm = fold_map(options)
    return _core._key_folder(fm.mapping, fm.noise_ranges)


@functools.lru_cache(maxsize=16)
def _word_table(options: FoldOptions) -> tuple[bytes, bytes]:
    """Code points that fold to ASCII letters or digits (full width, circled, mathematical...)."""
    fm = fold_map(options)
    cps = {cp for cp in range(128) if _is_word(chr(cp)) and cp not in fm.mapping}
    cps.update(cp for cp, s in fm.mapping.items() if _is_word(s))
    return _core._build_word_table(sorted(cps))


@functools.lru_cache(maxsize=1)
def _fold_table_sha256() -> str:
    """The fold's identity: its two tables, the generated fold table and the per-character
    variant folds (a layer of the fold since the variant layer joined its fixed point)."""
    import hashlib
    digest = hashlib.sha256()
    for path in (TABLE_PATH, CHAR_FOLDS_PATH):
        with open(path, "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()


def _as_terms(items: Iterable[object]) -> list[Term]:
    """_as_term of each item; a plain ``str`` becomes its Term without the NamedTuple's Python
    ``__new__`` (a 349k-word lexicon: 70 ms instead of 140)."""
    new = tuple.__new__
    no_flags: frozenset[str] = frozenset()
    return [new(Term, (item, None, None, (), no_flags, None, None)) if type(item) is str
            else _as_term(item) for item in items]


def _as_term(item: object) -> Term:
    if isinstance(item, Term):
        if not isinstance(item.text, str):
            raise TypeError(f"term text must be str, not {type(item.text).__name__}")
        return item
    if isinstance(item, str):
        return Term(item)
    raise TypeError(f"terms must be str or hansieve.Term, not {type(item).__name__}")


def _check_meta(entry: Term | Rule, where: str) -> None:
    if entry.severity is not None and entry.severity not in SEVERITIES:
        raise BuildError(f"[E006] term {entry.text!r}{where}: bad severity {entry.severity!r}")
    if entry.category is not None and entry.category not in CATEGORIES:
        # The taxonomy is fixed, as in lexicon files: a typo would silently make a new category.
        raise BuildError(f"[E012] term {entry.text!r}{where}: unknown category {entry.category!r} "
                         f"(use one of {', '.join(CATEGORIES)})")
    if not isinstance(entry, Term):
        return
    unknown = set(entry.flags) - FLAGS.keys()
    if unknown:
        raise BuildError(f"[E007] term {entry.text!r}{where}: unknown flags {sorted(unknown)}")


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _gc_paused(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run `fn` with the cyclic garbage collector paused: a large build makes millions of
    small objects (terms, keys, lists) and no cycles, and with the collector on, its passes
    over them add a large share of the build (349k words, same run: 2.3-2.5 s with it on,
    1.6-2.1 s off). The collector's state is
    restored afterwards; a build running in another thread meanwhile finds it paused too."""
    @functools.wraps(fn)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()
    return paused


@_gc_paused
def compile(
    terms: Iterable[TermLike] | Lexicon,
    *,
    allow: Iterable[TermLike] = (),
    rules: Iterable[Rule] = (),
    match_kind: MatchKind | str = MatchKind.OVERLAPPING,
    fold_chinese: bool = True,
    fold_compat: bool = True,
    fold_case: bool = True,
    skip_noise: bool = True,
    max_gap: int = 3,
    whole_word: bool = True,
    verify: str = "all",
    variants: bool | str | dict[str, Any] = "auto",
    collapse_repeats: bool = True,
    fold_variants: bool = True,
    channels: bool | str = "auto",
) -> _core.Sieve:
    """Compile lexicon terms into an immutable :class:`Sieve`.

    Parameters
    ----------
    terms
        Any iterable of ``str`` or :class:`Term`, or a :class:`Lexicon` (whose allowlist and
        rules are then compiled too). Each term is folded like the text it is matched against,
        so ``法輪功``, ``法轮功`` and ``法*轮*功`` are the same key.
    allow
        Allowlist entries: a hit whose span lies inside an allow entry's hit is dropped
        (allow ``大麻烦`` drops ``大麻`` inside it).
    rules
        Combination rules (:class:`Rule`), evaluated over one message's hits.
    match_kind
        ``"overlapping"`` (default: every hit) or ``"leftmost_longest"`` (non-overlapping).
        Either way, terms that share a spelling (``同姓恋`` and ``同性恋`` both read
        ``tong xing lian``; duplicates; ``法輪功`` and ``法轮功``) are each reported for the
        span, with their own category and severity.
    fold_chinese
        Traditional -> simplified Chinese, per character (OpenCC t2s, tw2s, hk2s).
    fold_compat
        Unicode compatibility folding (NFKC per code point: full width, circled and
        mathematical letters, Kangxi radicals, compatibility ideographs...).
    fold_case
        Lower-casing.
    fold_variants
        Per-character variant forms no standard fold covers: CJK radical forms (⻩ -> 黄),
        Japanese shinjitai (薬 -> 药), rare Unihan variants, Latin lookalikes (ѕех, ꜰᴜᴄᴋ)
        (``hansieve.fold.CHAR_FOLDS``).
    skip_noise
        Skip whitespace, punctuation, symbols, emoji, zero-width and format characters and
        combining marks inside a match, at most `max_gap` of them in a row.
    max_gap
        Most noise code points in a row that a match may span.
    whole_word
        A term that begins (ends) with an ASCII letter or digit does not match when a letter or
        digit (after folding) precedes (follows) it: ``sex`` is not in ``Sussex``. With every
        fold, `skip_noise` and `whole_word` off, hits are exactly those of a plain
        Aho-Corasick automaton.
    verify
        Word-boundary verification with jieba's segmentation (native): a hit is kept only when
        the segmentation of the text around it puts token boundaries at both its ends.
        ``"all"`` (default) verifies every CJK term and any hit that spans sentence
        punctuation; ``"auto"`` only terms flagged ``boundary``, CJK terms found inside longer
        words of jieba's dictionary or two characters long, and punctuation-spanning hits;
        ``"flagged"`` only flagged terms and punctuation-spanning hits; ``"off"`` nothing.
        Clean messages never reach the verifier. On the evaluation set (tests/eval), innocent
        messages flagged: off 50.1 %, auto 2.1 %, all 0.1 %; recall on fold kinds 100 / 99.8 /
        98.7 %; on COLD's offensive comments the share hit moves from 12.12 % (off) to 11.87 %
        (all): verifying every term costs little recall.
    collapse_repeats
        Read a repeated character inside a partial match as a stutter (法法轮轮功 is 法轮功) when
        the match cannot take it; a term that doubles the character (时时彩, 艾未未) still
        matches as written.
    variants
        Also match the spellings no per-character fold can undo: pinyin (full, initials,
        mixed with characters), homophones, split and lookalike characters, leet, other
        numerals, reversed terms (see :mod:`hansieve.variants`). ``"auto"`` (default): on for
        lexicons of up to 20,000 terms (about 27 keys per term; a 349k-word dictionary would
        become millions of keys), off beyond, with a :class:`hansieve.HansieveWarning`
        (``sieve.options["variants"]`` says which). ``True``/``False`` force it; a dict passes options
        to :func:`hansieve.variants.variants` (an empty dict: on, default options). Terms flagged
        ``pinyin`` get their pinyin spellings even with variants off. A variant's hit reports the term it stands for
        (``m.term``), with ``m.mechanism`` and the matched spelling ``m.via``.
    channels
        The disguise channel: also find a term written with other characters that sound or
        look the same, or with emoji, or with filler characters inside (冰犊 for 冰毒, 🐔头 for
        鸡头, 枪x支), by a second automaton over sound and shape classes (:mod:`hansieve.channels`).
        Such a hit is reported only when the disguise judge (:mod:`hansieve.disguise`) keeps
        it: its span is no dictionary word, its edges are token edges, and it is not far likelier
        as ordinary text than the term. A disguise reports the term with ``m.mechanism``
        ``"sound"``, ``"shape"``, ``"emoji"`` or ``"filler"`` and a severity of at most
        ``"review"``. Terms of two or more Chinese characters take part. ``"auto"`` (default):
        on for lexicons of up to 20,000 terms, off beyond with a
        :class:`hansieve.HansieveWarning`; ``True``/``False`` force it. Only overlapping
        matching has the channel (leftmost-longest masks the terms themselves: ``"auto"`` is
        off there, ``True`` an error); ``sieve.options["channels"]`` says whether it is on.

    Raises
    ------
    TypeError
        A term is not a ``str``; a switch (``fold_case``...) is not ``True`` or ``False``.
    BuildError
        A term is empty, or nothing is left of it after folding (only noise); a term or rule
        has an unknown category or severity.
    MatchError
        An unknown `match_kind`, a bad `max_gap`, or rules with leftmost-longest matching.

    Examples
    --------
    >>> import hansieve
    >>> s = hansieve.compile(["法轮功", "六四"])
    >>> [(m.term, m.start, m.end) for m in s.find("法輪功和六 四")]
    [('法轮功', 0, 3), ('六四', 4, 7)]
    """
    kind = _match_kind(match_kind)
    if not (channels == "auto" or isinstance(channels, bool)):
        raise MatchError(f"[E015] channels must be 'auto', True or False, got {channels!r}")
    _check_options(max_gap, verify, variants, {
        "fold_chinese": fold_chinese, "fold_compat": fold_compat, "fold_case": fold_case,
        "skip_noise": skip_noise, "whole_word": whole_word, "collapse_repeats": collapse_repeats,
        "fold_variants": fold_variants})
    plan = _collect(terms, allow, rules, kind)
    channel_on, channel_why = _channels_setting(channels, plan.n_deny, kind)
    variants_on, variant_options, variants_why = _variants_setting(variants, plan.n_deny,
                                                                   channel_on)
    options = FoldOptions(chinese=bool(fold_chinese), compat=bool(fold_compat),
                          case=bool(fold_case), noise=bool(skip_noise),
                          variants=bool(fold_variants))
    fm = fold_map(options)
    _fold_entries(plan, fm, bool(whole_word))
    if not variants_on and variants_why:
        warnings.warn(variants_why, HansieveWarning, stacklevel=3)
    _add_variants(plan, fm, bool(whole_word), variant_options if variants_on else None)
    _check_output_bound(plan.keys)
    verify_words: list[list[Any]] = []
    if verify != "off":
        verify_words = _choose_verification(
            plan, verify, dict(options=options, whole_word=whole_word, max_gap=max_gap,
                               collapse_repeats=collapse_repeats))
    code_table, n_syms = _alphabet(plan.keys, options, separators=verify != "off" and options.noise)
    categories, category_no = _categories(plan)
    if not channel_on and channel_why:
        warnings.warn(channel_why, HansieveWarning, stacklevel=3)
    channel = _Channel(plan, fm, options, max_gap) if channel_on else None
    header: dict[str, Any] = {
        "hansieve": __version__,
        "options": {
            "match_kind": kind.value,
            "fold_chinese": options.chinese,
            "fold_compat": options.compat,
            "fold_case": options.case,
            "fold_variants": options.variants,
            "skip_noise": options.noise,
            "max_gap": max_gap,
            "whole_word": bool(whole_word),
            "collapse_repeats": bool(collapse_repeats),
            "verify": verify,
            "variants": variants_on,
            "channels": channel is not None and channel.n > 0,
        },
        "counts": {"n_syms": n_syms, "n_deny": plan.n_deny, "n_allow": plan.n_allow,
                   "n_masked": sum(1 for f in plan.flags if f & _MASKED)},
        "categories": categories,
        "rules": [[plan.n_terms + i, *row] for i, row in enumerate(plan.rule_rows)],
        "extra": plan.extra(),
        "fold_table_sha256": _fold_table_sha256(),
        "lexicon": plan.lexicon_info,
        "verify": {"mode": verify, "words": verify_words},
        "mechanisms": plan.mechanisms,
    }
    entries = plan.entries + plan.rule_entries
    severities = [_SEVERITY_NO[e.severity] for e in entries]
    base_of = plan.base_of + list(range(plan.n_terms, len(entries)))
    channel_bytes = b""
    if channel is not None and channel.n:
        # The channel's entries are virtual entries after the rules: term i's disguise.
        header["counts"]["channel_first"] = len(entries)
        channel_bytes = channel.build().to_bytes()
        for i in channel.terms:
            entries.append(plan.entries[i])
            severities.append(_DISGUISE_SEVERITY[plan.entries[i].severity])
            base_of.append(i)
    sieve = _core._build_sieve(
        plan.keys,
        code_table,
        _word_table(options),
        bytes(plan.flags),
        [e.text for e in entries],
        [category_no.get(e.category, 0) for e in entries],
        severities,
        base_of,
        plan.mechanism_of + [0] * (len(entries) - plan.n_terms),
        header,
        channel_bytes,
    )
    if len(plan.keys) >= _RELEASE_MEMORY_MIN_KEYS:
        _core._release_build_memory()
    return sieve


# ---- the stages of compile() ------------------------------------------------------------------

#: Severity index of the native tables: 0 none, then SEVERITIES in order (strongest first).
_SEVERITY_NO: dict[str | None, int] = {None: 0, **{s: i + 1 for i, s in enumerate(SEVERITIES)}}


def _match_kind(match_kind: MatchKind | str) -> MatchKind:
    try:
        return MatchKind(match_kind)
    except ValueError:
        raise MatchError(f"[E001] unknown match_kind {match_kind!r}; "
                         f"use one of {[k.value for k in MatchKind]}") from None


def _check_options(max_gap: object, verify: object, variants: object,
                   switches: dict[str, object]) -> None:
    for name, value in switches.items():
        if not isinstance(value, bool):     # "no" would count as true
            raise TypeError(f"[E013] {name} must be True or False, not {value!r}")
    if isinstance(max_gap, bool) or not isinstance(max_gap, int) or not 0 <= max_gap <= 1 << 20:
        raise MatchError(f"[E002] max_gap must be an int in 0..{1 << 20}, got {max_gap!r}")
    if verify not in ("auto", "all", "flagged", "off"):
        raise MatchError(f"[E009] verify must be 'auto', 'all', 'flagged' or 'off', got {verify!r}")
    if not (variants == "auto" or isinstance(variants, (bool, dict))):
        raise MatchError(f"[E010] variants must be 'auto', a bool or a dict, got {variants!r}")


def _variants_setting(variants: bool | str | dict[str, Any], n_deny: int,
                      channel_on: bool) -> tuple[bool, dict[str, Any], str]:
    """(on, options for variants.variants(), why they are off when "auto" turned them off).
    Homophone spellings are generated only where the disguise channel is off: with it, they
    add keys and compile time and catch nothing more (tests/eval: homophone 88.6 % with them,
    87.1 % without; bundled compile 4.9 -> 2.8 s CPU)."""
    options = {**VARIANT_DEFAULTS, "homophones": not channel_on,
               **(variants if isinstance(variants, dict) else {})}
    if isinstance(variants, dict):
        return True, options, ""        # a dict of options turns variants on, even an empty one
    if variants != "auto":
        return bool(variants), options, ""
    if n_deny <= VARIANTS_AUTO_MAX:
        return True, options, ""
    return False, options, _variants_off_message(n_deny)


def _variants_off_message(n: int) -> str:
    return (f"variant spellings (pinyin, homophones, lookalike characters...) are off: the "
            f"lexicon has {n:,} terms, more than the {VARIANTS_AUTO_MAX:,} that variants='auto' "
            "expands (fa lun gong, 法仑功 pass unseen); turn them on with variants=True (command "
            "line: --variants), or pass variants=False to say off is meant")


class _Plan:
    """What compile() knows about the automaton's entries, stage by stage: deny terms, allow
    entries, rule operands, then variant spellings; each with its folded key and flag bits."""

    def __init__(self, deny: list[Term], allowed: list[Term], rules: list[Rule],
                 kind: MatchKind, lexicon_info: dict[str, Any]) -> None:
        self.entries: list[Term] = deny + allowed
        self.n_deny, self.n_allow = len(deny), len(allowed)
        self.flags: list[int] = [0] * len(deny) + [_ALLOW] * len(allowed)
        self.keys: list[str] = []
        self.base_of: list[int] = []
        self.mechanism_of: list[int] = []
        self.mechanisms: list[str] = ["exact"]
        self.lexicon_info = lexicon_info
        self.rule_rows: list[tuple[int, str, int, int | None]] = []
        self.rule_entries = [Term(r.text, r.category, r.severity, source=r.source) for r in rules]
        self.rules = rules

    @property
    def n_terms(self) -> int:
        """Automaton entries (rules are virtual entries after them)."""
        return len(self.entries)

    def extra(self) -> dict[str, dict[str, Any]]:
        """Per-entry metadata the native tables do not hold: tags, flags, a deny term's payload."""
        extra: dict[str, dict[str, Any]] = {}
        for i, e in enumerate(self.entries + self.rule_entries):
            if e.tags or e.flags:
                extra[str(i)] = {"tags": list(e.tags), "flags": sorted(e.flags)}
            if i < self.n_deny and e.payload is not None:
                extra.setdefault(str(i), {})["payload"] = e.payload
        return extra


def _collect(terms: Iterable[TermLike] | Lexicon, allow: Iterable[TermLike], rules: Iterable[Rule],
             kind: MatchKind) -> _Plan:
    """Stage 1: the entries, in automaton order: deny terms, allow entries (then rule operands,
    added by _fold_entries once their keys are known)."""
    if isinstance(terms, (str, bytes)):
        raise TypeError("terms must be an iterable of str, not a single string")
    lexicon_info: dict[str, Any] = {}
    if isinstance(terms, Lexicon):
        allow = list(terms.allow) + list(allow)
        rules = list(terms.rules) + list(rules)
        lexicon_info = {"version": terms.version, "digest": terms.digest}
        terms = terms.terms
    rule_list = list(rules)
    if rule_list and kind is MatchKind.LEFTMOST_LONGEST:
        raise MatchError("[E005] combination rules need match_kind='overlapping' (a rule "
                         "operand must not hide the terms it overlaps)")
    return _Plan(_as_terms(terms), _as_terms(allow), rule_list, kind, lexicon_info)


def _fold_entries(plan: _Plan, fm: FoldMap, whole_word: bool) -> None:
    """Stage 2: one operand entry per distinct rule operand; every entry's folded key (refusing
    empty ones) and flag bits (whole-word ends, the `boundary` flag)."""
    operand_ids: dict[str, int] = {}
    for rule in plan.rules:
        if rule.category is not None or rule.severity is not None:
            _check_meta(rule, f" ({rule.source})" if rule.source else "")
        ids = []
        for operand in (rule.a, rule.b):
            key = fm.fold_term(operand)
            if key not in operand_ids:
                operand_ids[key] = len(plan.entries)
                plan.entries.append(Term(operand, source=rule.source))
                plan.flags.append(_HIDDEN)
            ids.append(operand_ids[key])
        plan.rule_rows.append((ids[0], rule.op, ids[1], rule.within))
    entries, flags = plan.entries, plan.flags
    plan.keys = keys = _core._fold_keys(_key_folder(fm.options), [e.text for e in entries])
    # Whole-list passes at C speed; per-entry Python work only for the entries that need it
    # (errors are still reported for the first bad entry in entry order).
    first_empty = len(keys) if all(keys) else keys.index("")
    with_meta = [i for i, e in enumerate(entries)
                 if e.severity is not None or e.category is not None or e.flags]
    for i in with_meta:
        if i > first_empty:
            break
        entry = entries[i]
        _check_meta(entry, f" ({entry.source})" if entry.source else "")
        if "boundary" in entry.flags:
            flags[i] |= _VERIFY
    if first_empty < len(keys):
        entry = entries[first_empty]
        where = f" ({entry.source})" if entry.source else ""
        if not entry.text:
            raise BuildError(f"[E003] empty term{where}")
        raise BuildError(f"[E004] term {entry.text!r}{where} is empty after folding "
                         "(it is made of noise characters only)")
    # The whole-word rule only concerns keys with an ASCII end.
    ww = ([i for i, key in enumerate(keys) if key[0] < "\x80" or key[-1] < "\x80"] if whole_word
          else [i for i in with_meta if "whole-word" in entries[i].flags])
    for i in ww:
        flags[i] |= _whole_word_bits(keys[i], True)
    plan.base_of = list(range(len(plan.entries)))
    plan.mechanism_of = [0] * len(plan.entries)


def _whole_word_bits(key: str, on: bool) -> int:
    """The whole-word rule: the folded key's ends decide (ASCII letters and digits only)."""
    if not on or not (key[0] < "\x80" or key[-1] < "\x80"):
        return 0
    return (_WW_START if _is_word(key[0]) else 0) | (_WW_END if _is_word(key[-1]) else 0)


def _gluable(term: str, key: str) -> bool:
    """Whether a pinyin key may touch Latin letters (TERM_GLUED; the run around it must then
    split into pinyin syllables at its ends, verify.PinyinRunCheck): a key of letters only, for
    a term of GLUED_MIN_SYLLABLES or more CJK characters."""
    return key.isascii() and key.isalpha() and len(_CJK.findall(term)) >= GLUED_MIN_SYLLABLES


def _add_variants(plan: _Plan, fm: FoldMap, whole_word: bool,
                  options: dict[str, Any] | None) -> None:
    """Stage 3: variant spellings, entries of their own that report the deny term they stand
    for. With variants off (`options` None), only the pinyin spellings of terms flagged
    ``pinyin``."""
    pinyin_only = {"pinyin": True, "homophones": False, "chars": False, "reverse": False,
                   "mask": False}
    if options is None and not any("pinyin" in plan.entries[i].flags for i in range(plan.n_deny)):
        return
    from .variants import variants as variant_spellings
    folder = _key_folder(fm.options)
    new = tuple.__new__
    no_flags: frozenset[str] = frozenset()
    mechanism_no = {m: k for k, m in enumerate(plan.mechanisms)}
    add_entry, add_key, add_flags = plan.entries.append, plan.keys.append, plan.flags.append
    add_base, add_mechanism = plan.base_of.append, plan.mechanism_of.append
    for i in range(plan.n_deny):
        entry = plan.entries[i]
        if options is not None:
            wanted = options
        elif "pinyin" in entry.flags:
            wanted = pinyin_only
        else:
            continue
        # A spelling is skipped only when this term already owns it: a key shared with
        # another term (its exact key or one of its variants) gets an entry for each term, so
        # every term sharing a spelling is reported, with its own category and severity
        # (tong xing lian is 同姓恋 and 同性恋; issue 16).
        owned = {plan.keys[i]}
        spellings = variant_spellings(entry.text, **wanted)
        for v, key in zip(spellings, _core._fold_keys(folder, [v.text for v in spellings])):
            if not key or key in owned:
                continue    # nothing left, or this term's key already
            owned.add(key)
            mechanism = mechanism_no.get(v.mechanism)
            if mechanism is None:
                mechanism = mechanism_no[v.mechanism] = len(plan.mechanisms)
                plan.mechanisms.append(v.mechanism)
            # Term(...) without the NamedTuple's Python __new__ (240k variants of the bundled lexicon)
            add_entry(new(Term, (v.text, entry.category, entry.severity, (), no_flags,
                                 entry.source, None)))
            add_key(key)
            ww = _whole_word_bits(key, whole_word) if key[0] < "\x80" or key[-1] < "\x80" else 0
            add_flags(ww | (_MASKED if v.deleted and v.mechanism == "masked" else 0)
                      | (_GLUED if ww and v.mechanism == "pinyin" and _gluable(entry.text, key)
                         else 0))
            add_base(i)
            add_mechanism(mechanism)


def _check_output_bound(keys: list[str]) -> None:
    """Stage 4: refuse a lexicon whose flattened outputs could exhaust memory (E011)."""
    bound = _output_bound(keys)
    if bound > MAX_OUTPUTS:
        bound = _output_bound(keys, tight=True)
    if bound > MAX_OUTPUTS:
        raise BuildError(f"[E011] the automaton could hold up to {bound:,} term outputs (the limit is "
                         f"MAX_OUTPUTS = {MAX_OUTPUTS:,} of the hansieve.compile module): too many terms are "
                         "suffixes of one another (like 大, 大大, 大大大, ...)")


def _choose_verification(plan: _Plan, mode: str, probe_options: dict[str, Any]) -> list[list[Any]]:
    """Stage 5: set TERM_VERIFY on the boundary-sensitive deny terms and variants, and choose
    the words the verifying segmenter adds to jieba's dictionary. In "auto" mode, a term is
    sensitive when it is two characters long or found inside a longer word of jieba's
    dictionary (found by scanning the dictionary with an automaton of the candidates)."""
    keys, flags = plan.keys, plan.flags
    checked = [i for i in range(plan.n_terms) if plan.base_of[i] != i or i < plan.n_deny]
    if mode == "all":
        for i in checked:
            if _CJK.search(keys[i]):
                flags[i] |= _VERIFY
    elif mode == "auto":
        candidates = [i for i in checked if _CJK.search(keys[i]) and not flags[i] & _VERIFY]
        inside = _inside_dictionary_words([keys[i] for i in candidates], probe_options)
        for k, i in enumerate(candidates):
            if k in inside or len(keys[i]) <= 2:
                flags[i] |= _VERIFY
    # Only the lexicon's own terms join the segmenter's dictionary (as jieba's add_word would),
    # not their variant spellings, so a real occurrence is cut out as one word; words jieba
    # already knows keep their frequency.
    return suggested_freqs([keys[i] for i in range(plan.n_deny)
                            if flags[i] & _VERIFY and _CJK.search(keys[i])])


def _inside_dictionary_words(keys: list[str], probe_options: dict[str, Any]) -> set[int]:
    """Indexes of `keys` found in jieba's dictionary other than as a whole word."""
    if not keys:
        return set()
    text, starts, _ = _dictionary()
    o = probe_options["options"]
    probe = compile(keys, fold_chinese=o.chinese, fold_compat=o.compat, fold_case=o.case,
                    skip_noise=o.noise, fold_variants=o.variants, verify="off", variants=False,
                    whole_word=probe_options["whole_word"], max_gap=probe_options["max_gap"],
                    collapse_repeats=probe_options["collapse_repeats"])
    inside = set()
    for k, start, end in _core._raw_hits(probe, text):
        i = bisect.bisect_right(starts, start) - 1
        word_end = (starts[i + 1] - 1) if i + 1 < len(starts) else len(text)
        if (start, end) != (starts[i], word_end):
            inside.add(k)
    return inside


def _alphabet(keys: list[str], options: FoldOptions,
              separators: bool) -> tuple[tuple[bytes, bytes, bytes, bytes], int]:
    """Stage 6: dense symbol ids, most frequent character first (small ids for the hottest
    characters), and the per-code-point table of the scan: every code point folding to a term
    character, the expansions, the noise and (with verification) the separators."""
    sym = {chr(cp): i + 1 for i, cp in enumerate(_core._char_order(keys))}
    single, multi = _inverse_fold(options)
    sym_pairs = []
    for ch, sid in sym.items():
        sym_pairs.append((ord(ch), sid))
        for source in single.get(ch, ()):
            sym_pairs.append((source, sid))
    expansions = [(cp, [sym.get(c, 0) for c in s]) for cp, s in multi
                  if any(c in sym for c in s)]
    punct = [ord(c) for c in SEPARATORS] if separators else []
    fm = fold_map(options)
    return _core._build_code_table(sym_pairs, list(fm.noise_ranges), expansions, punct), len(sym)


def _channels_setting(channels: bool | str, n_deny: int, kind: MatchKind) -> tuple[bool, str]:
    """(on, why it is off when "auto" turned it off)."""
    if kind is MatchKind.LEFTMOST_LONGEST:
        # Masking wants the non-overlapping hits of the terms themselves; a disguise judged
        # after the scan could overlap them.
        if channels is True:
            raise MatchError("[E014] the disguise channel (channels=True) needs "
                             "match_kind='overlapping'")
        # "auto" means: where the match kind has one (documented; options["channels"] says).
        return False, ""
    if channels != "auto":
        return bool(channels), ""
    if n_deny <= VARIANTS_AUTO_MAX:
        return True, ""
    return False, (f"the disguise channel (homophones, lookalikes, emoji: 冰犊 for 冰毒) is off: the "
                   f"lexicon has {n_deny:,} terms, more than the {VARIANTS_AUTO_MAX:,} that "
                   "channels='auto' takes (冰犊, 🐔头 pass unseen); turn it on with channels=True "
                   "(command line: --channels), or pass channels=False to say off is meant")


#: A disguise's severity: the term's, but at most "review" (see Match.severity).
_DISGUISE_SEVERITY = {None: _SEVERITY_NO["review"], "block": _SEVERITY_NO["review"],
                      "review": _SEVERITY_NO["review"], "notice": _SEVERITY_NO["notice"]}


class _Channel:
    """Stage 8: the disguise channel's automaton: each deny term of two or more Chinese
    characters, keyed by its characters' classes (channels.py), over a code table that reads
    every text character as its class (after the scanner's own fold)."""

    def __init__(self, plan: _Plan, fm: FoldMap, options: FoldOptions, max_gap: int) -> None:
        from . import channels
        self.table = channels.table()
        self.terms: list[int] = []
        self.keys: list[str] = []
        for i in range(plan.n_deny):
            key = plan.keys[i]
            if len(key) < 2 or not all(_HAN_CHAR.match(c) for c in key):
                continue
            ck = channels.channel_key(key)
            if ck is not None and not any(c in self.table.fillers for c in key + ck):
                # (a term holding a filler, 呢 in 机西呢无, has no channel key: the channel reads
                # fillers as noise; the term automaton still finds it as written)
                self.terms.append(i)
                self.keys.append(ck)
        self.n = len(self.terms)
        self.fm, self.options = fm, options
        self.max_gap = max_gap
        self.texts = [plan.entries[i].text for i in self.terms]

    def _code_table(self) -> tuple[tuple[bytes, bytes, bytes, bytes], int]:
        t, fm = self.table, self.fm
        sym = {chr(cp): i + 1 for i, cp in enumerate(_core._char_order(self.keys))}
        single, multi = _inverse_fold(self.options)
        mapping = fm.mapping
        # A character a fold switched off would have changed (輪 under fold_chinese=False) gets
        # no class either: the switch means "these are other characters", for every channel.
        every_fold = fold_map(FoldOptions()).mapping
        pairs = []
        for c, r in t.rep.items():
            sid = sym.get(r)
            if sid is None or c in t.fillers:
                continue
            folded = mapping.get(ord(c))
            if folded is not None and folded != c:
                continue        # read after the scanner's fold (乾 is 干 first)
            if folded is None and every_fold.get(ord(c), c) != c:
                continue
            pairs.append((ord(c), sid))
            for source in single.get(c, ()):
                pairs.append((source, sid))
        expansions = []
        for cp, s in multi:
            syms = [sym.get(t.rep.get(c, ""), 0) for c in s]
            if any(syms):
                expansions.append((cp, syms))
        for e, name in t.emoji.items():
            syms = [sym.get(t.rep.get(c, ""), 0) for c in name]
            if not all(syms):
                continue
            if len(syms) == 1:
                pairs.append((ord(e), syms[0]))
            else:
                expansions.append((ord(e), syms))
        # Fillers are noise to the channel, and so is whatever folds to one (麼 is 么).
        fillers = sorted({ord(c) for c in t.fillers}
                         | {cp for c in t.fillers for cp in single.get(c, ())})
        noise = list(fm.noise_ranges) + [(cp, cp) for cp in fillers]
        punct = [ord(c) for c in SEPARATORS]
        return _core._build_code_table(pairs, noise, expansions, punct), len(sym)

    def build(self) -> _core.Sieve:
        code_table, n_syms = self._code_table()
        n = self.n
        header = {
            "hansieve": __version__,
            "options": {"match_kind": MatchKind.OVERLAPPING.value, "max_gap": self.max_gap,
                        # never collapsed: a class is no character (台态度 is no 台独)
                        "collapse_repeats": False, "channel_of": True},
            "counts": {"n_syms": n_syms, "n_deny": n, "n_allow": 0, "n_masked": 0},
            "categories": [], "rules": [], "extra": {}, "verify": {"mode": "off", "words": []},
            "mechanisms": ["exact"], "channel_table": self.table.version,
        }
        return _core._build_sieve(self.keys, code_table, _core._build_word_table([]),
                                  bytes(n), self.keys, [0] * n, [0] * n, list(range(n)),
                                  [0] * n, header)


_HAN_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f]")


def _categories(plan: _Plan) -> tuple[list[str], dict[str | None, int]]:
    """Stage 7: the category names and each one's index (0: none)."""
    categories = sorted({e.category for e in plan.entries + plan.rule_entries if e.category})
    if len(categories) > 250:
        raise BuildError(f"[E008] too many categories ({len(categories)} > 250)")
    return categories, {c: i + 1 for i, c in enumerate(categories)}


# ---- what every Sieve is handed when it is made (compile, load, from_bytes, pickle) ----------

class _Runtime(NamedTuple):
    match_kind: MatchKind
    severities: tuple[str, ...]
    actions: tuple[str, ...]
    verifier: Any
    rules: Any
    rule_stream: Any
    glued: Any
    disguise: Any


def _runtime(header: dict[str, Any]) -> _Runtime:
    """The match kind, the severity policy and the Python-side stages for a Sieve with this
    header: the native core takes them as data (it imports nothing of the package)."""
    attached = attachments(header)
    judge = DisguiseJudge(header["options"]) if header["options"].get("channels") else None
    return _Runtime(MatchKind(header["options"]["match_kind"]), SEVERITIES, ACTION_OF_RANK,
                    attached.verifier, attached.rules, attached.rule_stream, attached.glued,
                    judge)


_core._register_runtime(_runtime)


def load(path: PathLike) -> _core.Sieve:
    """Load a compiled file written by :meth:`Sieve.save` (memory-mapped, validated first).

    Raises
    ------
    hansieve.FormatError
        Truncated, corrupt, foreign or newer-version file.
    """
    return _core._load_path(path)
