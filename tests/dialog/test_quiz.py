"""A quiz that tells the truth: numbered questions, ratings that mean something, a round's summary, reviews
that come back across topics, and a record of where each topic stands — never a percentage."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from dialog.engine import Conversation
from dialog.progress import Progress
from dialog.standing import date_text, standings, wait_text
from dialog.terminal.quiz_cmd import progress_record

WRONG = "it makes training faster on a GPU"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def conv(real_kb, tmp_path, clock):
    return Conversation(real_kb, progress=Progress(tmp_path / "p.sqlite3", clock=clock))


def _rating(conv, check_id):
    return {c.check_id: c.last_rating for c in conv.progress.cards()}[check_id]


def test_questions_are_numbered_within_the_round(conv):
    conv.respond("what is dropout?")
    first = conv.respond("/quiz")
    assert "Question 1 of 3:" in first.text
    second = conv.respond(WRONG)
    assert "Question 2 of 3:" in second.text


@pytest.mark.parametrize("line", ["no idea", "skip", "pass", "I don't know", "不知道", "跳过"])
def test_not_knowing_is_rated_again_met_kindly_and_given_the_answer(conv, real_kb, line):
    conv.respond("what is dropout?")
    conv.respond("/quiz")
    check = conv.state.asking
    reply = conv.respond(line)
    assert not reply.text.startswith("Not quite") and "That's fine" in reply.text
    assert real_kb.checks[check].answer["en"] in reply.text
    assert _rating(conv, check) == 1


def test_partly_right_is_hard_and_right_is_good(conv):
    conv.respond("what is dropout?")
    conv.respond("/quiz dropout")
    assert conv.state.asking == "dropout-1"
    partly = conv.respond("It stops the network from overfitting.")
    assert partly.text.startswith("Partly") and "randomly switches off neurons" in partly.text  # names what's missing
    assert _rating(conv, "dropout-1") == 2
    conv.respond("It stops overfitting: the network can't rely on any single unit, so it learns robust features.")
    assert _rating(conv, "dropout-3") == 3


def test_a_missing_point_is_named_in_the_learners_language(real_kb, tmp_path):
    conv = Conversation(real_kb, progress=Progress(tmp_path / "p.sqlite3"))
    conv.respond("dropout 是什么？")
    conv.respond("考考我")
    assert conv.state.asking == "dropout-1"
    reply = conv.respond("防止过拟合吧")
    assert reply.text.startswith("答对了一部分") and "训练时随机关闭一部分神经元" in reply.text


def test_a_round_ends_with_its_score_each_topics_state_and_the_question_back_first(conv, real_kb):
    conv.respond("what is dropout?")
    conv.respond("/quiz dropout")
    conv.respond("it prevents overfitting by randomly switching neurons off while training")
    conv.respond("no idea")
    end = conv.respond("no idea")
    assert "That's the round: 1 of 3 right — **Dropout**: learning, again in 1 minute." in end.text
    assert "“" + real_kb.checks["dropout-3"].question["en"] + "” first, in 1 minute" in end.text
    assert conv.state.asking is None and conv.state.quiz_answers == []


def test_the_round_summary_speaks_chinese_in_a_chinese_quiz(conv, real_kb):
    conv.respond("dropout 是什么？")
    conv.respond("考考我")
    assert conv.state.quiz_lang == "zh"
    for _ in range(3):
        end = conv.respond("不知道")
    assert "这一轮结束：3 题答对 0 题——**Dropout**：还在学，1 分钟后再考。" in end.text
    assert "最先回来的是「" in end.text


def test_a_chinese_quiz_answered_in_english_goes_on_in_chinese(conv):
    conv.respond("dropout 是什么？")
    conv.respond("考考我")
    reply = conv.respond("Dropout: A Simple Way to Prevent Neural Networks from Overfitting")
    assert reply.lang == "zh" and "第 2 题（共 3 题）" in reply.text and conv.state.quiz_lang == "zh"
    reply = conv.respond("The network can't rely on any single unit")
    assert reply.lang == "zh" and "第 3 题（共 3 题）" in reply.text
    reply = conv.respond("It learns less, so it overfits less")
    assert reply.lang == "zh" and "这一轮结束" in reply.text


def test_asking_for_the_other_language_keeps_the_question_and_its_number(conv):
    conv.respond("what is dropout?")
    conv.respond("/quiz")
    conv.respond(WRONG)
    again = conv.respond("用中文说")
    assert again.lang == "zh" and "第 2 题（共 3 题）" in again.text and conv.state.quiz_lang == "zh"


def test_after_a_failed_round_the_topic_is_learning_then_due_never_known(conv, real_kb, clock):
    conv.respond("what is dropout?")
    conv.respond("/quiz dropout")
    for _ in range(2):
        conv.respond("no idea")
    assert standings(real_kb, conv.progress)["dropout"].state == "learning"
    text = conv.respond("/progress").text
    assert "● Dropout — ✗ ✗ · learning, again in 1 minute" in text and "%" not in text
    clock.now += timedelta(minutes=2)
    assert standings(real_kb, conv.progress)["dropout"].state == "due"
    text = conv.respond("/progress").text
    assert "● Dropout — ✗ ✗ · due for review now" in text and "**2 reviews are due**" in text


def test_answers_right_twice_over_make_a_topic_known_until_a_date(conv, real_kb, clock):
    for _ in range(2):
        for check in ("dropout-1",):
            conv.progress.review(check, "dropout", 3, "right", "en", "…")
        clock.now += timedelta(minutes=11)
    st = standings(real_kb, conv.progress)["dropout"]
    assert st.state == "known" and st.due > clock.now + timedelta(days=1)
    assert f"known until {date_text(st.due, clock.now, 'en')}" in conv.respond("/progress").text


def test_review_runs_every_due_card_across_topics(conv, clock):
    for check, topic in (("dropout-1", "dropout"), ("resnet-2", "resnet"), ("gan-1", "gan"), ("cnn-1", "cnn")):
        conv.progress.review(check, topic, 1, "wrong", "en", "…")
    assert conv.respond("/review").text.startswith("Nothing is due for review now. The next one, “")
    clock.now += timedelta(minutes=5)
    first = conv.respond("/review")
    assert "4 questions are due" in first.text and "Question 1 of 4:" in first.text
    asked = [conv.state.asking]
    for _ in range(3):
        conv.respond(WRONG)
        asked.append(conv.state.asking)
    assert sorted(asked) == ["cnn-1", "dropout-1", "gan-1", "resnet-2"]
    end = conv.respond(WRONG)
    assert "0 of 4 right" in end.text and conv.state.asking is None


def test_review_with_nothing_checked_says_how_to_start(conv):
    assert conv.respond("/review").text.startswith("Nothing to review yet")


def test_the_record_carries_the_card_fields_and_state(real_kb, conv):
    conv.respond("what is dropout?")
    conv.respond("/quiz dropout")
    conv.respond("no idea")
    record = progress_record(real_kb, conv.progress, None)
    card = next(c for c in record["cards"] if c["check"] == "dropout-1")
    assert card["state"] == "learning" and card["last_rating"] == 1 and card["last_rating_name"] == "again"
    assert card["stability"] > 0 and 1 <= card["difficulty"] <= 10 and card["due"] and card["last_review"]
    assert "retrievability" not in card
    topic = next(t for t in record["topics"] if t["topic"] == "dropout")
    assert topic == {"topic": "dropout", "explored": True, "watched": False, "checks": 1, "last_grades": ["wrong"],
                     "state": "learning", "due": card["due"]}


@pytest.mark.parametrize("minutes, en, zh", [
    (0.2, "1 minute", "1 分钟"), (10, "10 minutes", "10 分钟"), (180, "3 hours", "3 小时"),
    (60 * 24 * 5, "5 days", "5 天"),
])
def test_waits_are_said_in_the_unit_that_fits(minutes, en, zh):
    assert wait_text(timedelta(minutes=minutes), "en") == en and wait_text(timedelta(minutes=minutes), "zh") == zh


@pytest.mark.parametrize("due, lang, said", [
    (0, "en", None), (1, "en", "1 review is due — type /review to run it."),
    (3, "en", "3 reviews are due — type /review to run them."), (2, "zh", "有 2 道题该复习了——输入 /review 开始。"),
])
def test_the_plain_chat_greets_with_the_reviews_due(monkeypatch, due, lang, said):
    import io

    from dialog.terminal import chat

    past = datetime.now(timezone.utc) - timedelta(days=1)
    store = Progress.default()
    store.clock = lambda: past
    for i in range(due):
        store.review(f"dropout-{i + 1}", "dropout", 1, "wrong", "en", "no idea")
    store.close()
    out = io.StringIO()
    assert chat.chat_plain(io.StringIO("/quit\n"), out, as_json=False, lang=lang, interactive=True) == 0
    first = out.getvalue().split("you> ")[0]
    assert (said in first) if said else ("review" not in first and "复习" not in first)


@pytest.mark.parametrize("answer, lang, grade", [
    ("it randomly switches off neurons during training so the network does not overfit", "en", "right"),
    ("It doesn't prevent overfitting; it randomly switches off neurons in training.", "en", "partial"),
    ("训练时随机关掉一部分神经元，这样网络就不会过拟合。", "zh", "right"),
    ("它不能防止过拟合，只是训练时随机关掉一些神经元。", "zh", "partial"),
])
def test_a_negation_carries_a_point_that_prevents_and_denies_one_it_turns(real_kb, answer, lang, grade):
    from dialog.judge import Judge

    assert Judge(real_kb).judge(real_kb.checks["dropout-1"], answer, lang).grade == grade


@pytest.mark.parametrize("answer, lang, grade", [
    ("skip connections", "en", "partial"),
    ("残差捷径", "zh", "partial"),
    ("Stacking is easy, but training a hundred layers took residual shortcuts.", "en", "right"),
])
def test_a_bare_keyword_is_not_a_whole_answer_to_a_question_that_asks_why(real_kb, answer, lang, grade):
    from dialog.judge import Judge

    assert Judge(real_kb).judge(real_kb.checks["resnet-3"], answer, lang).grade == grade


def test_a_bare_keyword_hears_that_the_idea_is_missing(conv):
    conv.respond("what is resnet?")
    conv.respond("/quiz resnet")
    while conv.state.asking != "resnet-3":
        conv.respond(WRONG)
    reply = conv.respond("skip connections")
    assert reply.text.startswith("You named the right thing") and _rating(conv, "resnet-3") == 2


@pytest.mark.parametrize("command, said", [("/quiz", "来个小测验"), ("/progress", "你目前的地图"),
                                            ("/review", "还没有要复习的")])
def test_a_command_after_chinese_questions_answers_in_chinese(conv, command, said):
    conv.respond("dropout 是什么？")
    reply = conv.respond(command)
    assert reply.lang == "zh" and said in reply.text


def test_a_paper_title_names_no_mechanism(real_kb):
    from dialog.judge import Judge

    title = "Dropout: A Simple Way to Prevent Neural Networks from Overfitting"
    assert Judge(real_kb).judge(real_kb.checks["dropout-1"], title, "en").grade != "right"  # "drop" ⊄ "dropout"


def test_a_round_started_mid_round_counts_only_its_own_answers(conv):
    conv.respond("what is dropout?")
    conv.respond("/quiz dropout")
    conv.respond("it prevents overfitting by randomly switching neurons off while training")
    conv.respond("/quiz dropout")
    assert conv.state.quiz_answers == [] and conv.state.quiz_at == (1, 3)
    conv.respond("no idea")
    conv.respond("no idea")
    assert "0 of 3 right" in conv.respond("no idea").text


def test_a_question_asking_for_a_name_comes_only_when_no_question_about_an_idea_is_left(conv, real_kb):
    conv.respond("what is dropout?")
    first = conv.respond("/quiz")
    asked = [conv.state.asking]
    while conv.state.asking is not None:
        conv.respond(WRONG)
        asked.append(conv.state.asking)
    assert [real_kb.checks[c].kind for c in asked if c] == ["recall", "misconception", "recall"] and "Question 1 of 3" in first.text
    conv.respond("/quiz")
    assert conv.state.asking == "dropout-2" and real_kb.checks["dropout-2"].kind == "fact"


def test_few_questions_ask_for_a_name_a_title_or_a_price(real_kb):
    facts = sum(c.kind == "fact" for c in real_kb.checks.values())
    assert 0 < facts <= len(real_kb.checks) / 5
