"""Tokens for lexical search: English words lightly stemmed, Chinese segmented by jieba."""
from __future__ import annotations

import functools
import hashlib
import logging
import math
import re
import threading

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")

# Function words carry no topic; dropping them keeps BM25 and the coverage score honest.
EN_STOP = frozenset("""
a about above after again all also am an and any are as at be because been before being below between both but
by can could did do does doing don down during each few for from further had has have having he her here hers him
his how i if in into is it its itself just let me more most my no nor not of off on once only or other our out
over own please same she should so some such tell than that the their them then there these they this those through
to too under until up very was we were what when where which while who whom why will with would you your yours
really actually kind sort thing things something anything know mean means meant explain say said talk give show
ms mr b okay ok hey hi yes well much many way get got one like lot right
bit bits stuff wait exactly anyway basically pretty quite guess maybe alright ah oh hmm um uh yeah
specifically particularly still though tho imo imho btw lol tbh idk ngl pls plz thx suppose supposed
thank thanks haha hahaha hehe nvm omg oops yep yup nope nice sure awesome
dont doesnt didnt isnt arent wasnt werent wont wouldnt shouldnt couldnt im ive youre theyre thats whats hows wheres
whos wut wat hw ur""".split())
ZH_STOP = frozenset("""
的 了 是 吗 呢 吧 啊 呀 么 嘛 和 与 及 或 在 有 我 你 他 她 它 我们 你们 他们 这 那 这个 那个 这些 那些 什么 怎么 怎么样 怎样 如何
为什么 为何 哪 哪里 哪儿 哪些 哪个 多少 就 都 也 还 又 再 很 太 更 最 一 一个 一下 一些 一点 一种 一部 些 个 种 能 能不能 可以 会 要 想 请 给
说 说说 讲 讲讲 谈谈 聊聊 介绍 介绍一下 解释 解释一下 告诉 知道 是不是 不是 没有 到底 究竟 意思 指 所谓 对 把 被 让 从 到 里 中 上 下
之 其 而 而已 干嘛 干什么 啥 但 但是 因为 所以 如果 就是 还是 或者 以及 不 没 呀 哦 嗯 喔 吧 么 今天 看看 看 讲一讲 问 问题
东西 一堆 肯定 估计 应该 大概 可能 具体 得
哈 哈哈 哈哈哈 呃 额 嘿 算了 好吧 玩意 玩意儿 一类 这类 那类 哪类 这种 那种 哪种 这样 那样""".split())


def _transposed(word: str) -> set[str]:
    return {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)} - {word}


# A function word typed with two letters swapped ("waht", "teh", "hwo") is still a function word: left in,
# it reads as a term the documents never use, and the line is declined. Real words among the swaps are kept.
EN_STOP_SWAPPED = frozenset(t for w in EN_STOP if len(w) >= 3 for t in _transposed(w)) - EN_STOP - frozenset(
    "form three quiet won dose nay odes mots ist tis".split())
# What the stop lists are, for the key of the search cache that was tokenised with them.
STOP_ID = hashlib.sha256(" ".join(sorted(EN_STOP | ZH_STOP | EN_STOP_SWAPPED)).encode()).hexdigest()[:8]

_jieba_lock = threading.Lock()
_jieba = None
# Words jieba's general dictionary has seen fewer times than this are left out of ours: the full
# dictionary (349k words) took 0.6–0.8 s to load, the first Chinese question's whole budget; the 80k
# words kept load in ~0.1 s and segment the knowledge base's questions the same. Left-out words are
# rare, so they still weigh as rare (zh_weight) and are cut into their known parts.
MIN_WORD_FREQUENCY = 20
DICTIONARY_ID = f"jieba-min{MIN_WORD_FREQUENCY}"  # part of the search cache's key


def _segmenter():
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            tk.FREQ, tk.total = _dictionary(tk)
            tk.initialized = True
            _jieba = tk
    return _jieba


def _dictionary(tk) -> tuple[dict[str, int], int]:
    """jieba's prefix dictionary of the common words: from the cache, else built and cached."""
    import io
    import marshal

    import jieba

    from knowledge import storage

    path = storage.cache_dir() / f"{DICTIONARY_ID}-{jieba.__version__}.marshal"
    try:
        freq, total = marshal.loads(path.read_bytes())
        # Well-formed is not enough: one word with a count that isn't a number would fail every question.
        if isinstance(freq, dict) and type(total) is int and total > 0 and freq \
                and all(type(k) is str and type(v) is int and v >= 0 for k, v in freq.items()):
            return freq, total
    except (OSError, ValueError, EOFError, TypeError):
        pass  # missing or damaged: built again below
    with tk.get_dict_file() as f:
        kept = b"".join(line for line in f if _frequent(line))
    freq, total = tk.gen_pfdict(io.BytesIO(kept))
    try:
        storage.write_atomic(path, lambda p: p.write_bytes(marshal.dumps((freq, total))))
    except OSError:
        pass  # an unwritable cache only costs the ~0.5 s of building it next time too
    return freq, total


def _frequent(line: bytes) -> bool:
    parts = line.split()
    return len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) >= MIN_WORD_FREQUENCY


def _jieba_cut(text: str) -> list[str]:
    return list(_segmenter().cut_for_search(text))


@functools.lru_cache(maxsize=65536)
def zh_weight(token: str) -> float:
    """How much a Chinese word says, from its frequency in jieba's general dictionary (log inverse frequency).

    Within the knowledge base's own statistics, an everyday word it happens not to use (一部分, 到底) would
    look as telling as an unknown term (巴黎, 强化); general usage tells them apart. Words missing from the
    dictionary (English terms, rare names) count as the rarest.
    """
    tk = _segmenter()
    return math.log(tk.total / (tk.FREQ.get(token) or 1))


def stem(word: str) -> str:
    """A light English stemmer: enough to match layer/layers, learning/learn, networks/network."""
    for suffix, min_len in (("ations", 7), ("ation", 6), ("ings", 6), ("ing", 5), ("ies", 5), ("ed", 5),
                            ("es", 5), ("s", 4)):
        if word.endswith(suffix) and len(word) >= min_len:
            if suffix == "ies":
                return word[:-3] + "y"
            if suffix == "es" and not word.endswith(("ses", "xes", "ches", "shes")):
                return word[:-1]
            return word[: -len(suffix)]
    return word


# "what's" is "what", "they're" is "they": the clitic adds no topic (and the bare word may be a stop word).
_CLITIC = re.compile(r"'(?:s|re|ll|ve|d|m)$")


def en_tokens(text: str) -> list[str]:
    words = (_CLITIC.sub("", w) for w in _WORD.findall(text.lower().replace("\u2019", "'")))
    stems = (stem(w) for w in words if w not in EN_STOP and w not in EN_STOP_SWAPPED and len(w) > 1 or w.isdigit())
    return [t for t in stems if t not in EN_STOP or t.isdigit()]  # "whats" stems to "what"


def zh_tokens(text: str) -> list[str]:
    """Chinese words (jieba, search mode) plus the English words mixed into the text."""
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        out.extend(t for t in _jieba_cut(run) if t.strip() and t not in ZH_STOP)
    out.extend(en_tokens(_CJK_RUN.sub(" ", text)))
    return out


def tokens(text: str, lang: str) -> list[str]:
    return zh_tokens(text) if lang == "zh" else en_tokens(text)
