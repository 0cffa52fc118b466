"""Grouping feed items into stories: wire copies, rewrites, translations, hard negatives, order, hostile input."""

from __future__ import annotations

import random
import time

import pytest

from benchmarks.feeds_data import labelled_items, story_inputs
from summarize.stories import (
    NEAR_DUPLICATE_JACCARD,
    SAME_EVENT_SIMILARITY,
    Story,
    StoryInput,
    group_stories,
    score_grouping,
)
from translate.errors import InputError, UsageError

ZH_TEXT = ("3月5日，广州海关通报称，查获一批走私冻品，案值约2.3亿元，12名犯罪嫌疑人被抓获。据介绍，这批冻品藏匿于集装箱夹层中，"
           "企图蒙混过关。海关关员在查验中发现报关单与实际货物不符。发言人王伟表示，将密切关注后续进展。目前，案件正在进一步侦办中。")
EN_TEXT = ("Customs in Guangzhou said on March 5 it had seized a batch of smuggled frozen meat worth about 230 million "
           "yuan and caught 12 suspects. The meat was hidden in the false walls of shipping containers to pass "
           "inspection. Officers found during inspection that the declaration did not match the goods. Wang Wei, a "
           "spokesperson, said they would closely follow further developments. The case is under further investigation.")


def item(key: str, *, feed: str = "", language: str = "en", title: str = "", lead: str = "", text: str = "",
         date: str = "2026-03-05T08:00:00Z", tt: str = "", lt: str = "") -> StoryInput:
    return StoryInput(key=key, language=language, title=title, lead=lead, text=text, title_translation=tt,
                      lead_translation=lt, date=date, feed=feed or f"https://feeds.example/{key}")


def groups(stories: list[Story]) -> set[frozenset[int]]:
    return {frozenset(s.members) for s in stories}


@pytest.fixture(scope="module")
def background() -> list[StoryInput]:
    """Other events around the pair under test: IDF needs a corpus to tell a place name from the words
    every report of the kind uses (thresholds were chosen on ~1,400 items; two items alone have no statistics)."""
    items, _ = labelled_items(300, seed=5)
    return story_inputs(items)


def together(pair: list[StoryInput], background: list[StoryInput]) -> bool:
    stories = group_stories(pair + background)
    story_of = {i: s for s in stories for i in s.members}
    return story_of[0] is story_of[1]


def test_thresholds_are_documented_numbers() -> None:
    assert 0 < NEAR_DUPLICATE_JACCARD <= 1 and 0 < SAME_EVENT_SIMILARITY <= 1


def test_wire_copies_group() -> None:
    copy = EN_TEXT.replace("about", "roughly") + " (Reporting by AP staff)"
    inputs = [item("a", title="Guangzhou customs seizes smuggled frozen meat", text=EN_TEXT),
              item("b", title="Guangzhou customs seizes smuggled frozen meat | AP", text=copy),
              item("c", title="Rainstorm hits Wuhan", text="Heavy rain hit Wuhan on Monday, flooding many roads.")]
    stories = group_stories(inputs)
    assert groups(stories) == {frozenset({0, 1}), frozenset({2})}
    assert stories[0].duplicates == ((0, 1),)


def test_chinese_wire_copies_group_despite_punctuation_and_spacing() -> None:
    copy = ZH_TEXT.replace("，", ", ").replace("。", "。 ") + "（来源：新华网）"
    inputs = [item("a", language="zh", title="广州海关查获走私冻品", text=ZH_TEXT),
              item("b", language="zh", title="广州海关查获走私冻品｜新华网", text=copy)]
    assert groups(group_stories(inputs)) == {frozenset({0, 1})}


def test_rewritten_same_event_groups(background: list[StoryInput]) -> None:
    inputs = [item("a", title="Torrential rain hits Suzhou, killing 37",
                   lead="Since February 11, Suzhou has been hit by torrential rain that has killed 37 people so far, "
                        "and more than 20,000 were evacuated."),
              item("b", title="Heavy rainfall in Suzhou leaves 37 dead",
                   lead="The Suzhou emergency management bureau said on February 11 that continuous heavy rain had "
                        "killed 37 people and over 20,000 were evacuated.")]
    assert together(inputs, background)


def test_cross_language_via_translations_groups(background: list[StoryInput]) -> None:
    inputs = [item("zh", language="zh", title="苏州强降雨造成37人死亡",
                   lead="苏州应急管理局2月11日表示，持续强降雨已导致37人死亡，2万多人被疏散。",
                   tt="Heavy rainfall in Suzhou leaves 37 dead",
                   lt="The Suzhou emergency management bureau said on February 11 that continuous heavy rain had "
                      "killed 37 people and over 20,000 were evacuated."),
              item("en", title="Torrential rain hits Suzhou, killing 37",
                   lead="Since February 11, Suzhou has been hit by torrential rain that has killed 37 people so far, "
                        "and more than 20,000 were evacuated.")]
    assert together(inputs, background)


def test_hard_negatives_stay_apart(background: list[StoryInput]) -> None:
    """The same kind of event on the same day, in another city with other numbers, is another story."""
    inputs = [item("a", title="Heavy rainfall in Suzhou leaves 37 dead",
                   lead="The Suzhou emergency management bureau said on February 11 that continuous heavy rain had "
                        "killed 37 people and over 20,000 were evacuated."),
              item("b", title="Heavy rainfall in Nanning leaves 13 dead",
                   lead="The Nanning emergency management bureau said on February 11 that continuous heavy rain had "
                        "killed 13 people and over 8,000 were evacuated.")]
    assert not together(inputs, background)


def test_same_event_far_apart_in_time_is_not_merged() -> None:
    lead = "Guangzhou customs seized smuggled frozen meat worth 230 million yuan and caught 12 suspects."
    inputs = [item("a", title="Guangzhou customs seizes frozen meat", lead=lead, date="2026-03-05T08:00:00Z"),
              item("b", title="Guangzhou customs seizes frozen meat", lead=lead + " Again.", date="2026-06-05T08:00:00Z",
                   text="Completely different body text about a later case that shares nothing.")]
    assert len(group_stories(inputs)) == 2


def test_order_by_sources_then_recency_and_representative() -> None:
    lead = "Guangzhou customs seized smuggled frozen meat worth 230 million yuan and caught 12 suspects."
    quake = "A magnitude 5.1 earthquake struck near Kunming on March 4 at a depth of 10 km, officials said."
    fire = "A fire broke out at a Huarui Electronics factory in Wuxi on March 6, injuring 7 workers."
    inputs = [
        item("q1", feed="f1", title="Magnitude 5.1 quake near Kunming", lead=quake, text=quake, date="2026-03-04T01:00:00Z"),
        item("c1", feed="f1", title="Guangzhou customs seizes frozen meat", lead=lead, text=lead,
             date="2026-03-05T09:00:00Z"),
        item("c2", feed="f2", title="Guangzhou customs seizes frozen meat", lead=lead, text=lead + " More detail here.",
             date="2026-03-05T10:00:00Z"),
        item("c3", feed="f2", title="Guangzhou customs seizes frozen meat", lead=lead, text=lead + " More detail here.",
             date="2026-03-05T08:00:00Z"),
        item("fi", feed="f3", title="Fire at Huarui Electronics plant in Wuxi", lead=fire, date="2026-03-06T01:00:00Z"),
        item("q2", feed="f2", title="Magnitude 5.1 quake near Kunming", lead=quake, text=quake, date="2026-03-04T02:00:00Z"),
    ]
    stories = group_stories(inputs)
    # customs: 2 feeds; quake: 2 feeds, older; fire: 1 feed (most recent, but fewer sources)
    assert [set(s.members) for s in stories] == [{1, 2, 3}, {0, 5}, {4}]
    assert stories[0].members[0] == 3      # most text; c2 ties on length, c3 is earlier
    assert stories[1].members[0] == 0      # same length: the earlier date


def test_deterministic_and_order_independent() -> None:
    items, _ = labelled_items(60, seed=2)
    inputs = story_inputs(items)
    first = group_stories(inputs)
    assert group_stories(inputs) == first
    order = list(range(len(inputs)))
    random.Random(7).shuffle(order)
    shuffled = group_stories([inputs[i] for i in order])
    assert {frozenset(order[j] for j in s.members) for s in shuffled} == groups(first)


def test_empty_and_single_and_blank_items() -> None:
    assert group_stories([]) == []
    assert group_stories([item("a", title="Only one")]) == [Story((0,))]
    blank = [item(str(i), title="", text="", lead="", date="") for i in range(5)]
    stories = group_stories(blank)
    assert sorted(s.members for s in stories) == [(i,) for i in range(5)]   # empty items are nobody's copy


def test_bad_dates_and_whitespace_only_text() -> None:
    inputs = [item("a", title=" \n\t", text="   ", date="not a date"),
              item("b", title="Title", text="\u3000\u3000", date="99999-99-99"),
              item("c", title="Title", date="2026-02-30T00:00:00Z")]
    assert sorted(m for s in group_stories(inputs) for m in s.members) == [0, 1, 2]


def test_one_megabyte_item_is_fast() -> None:
    big = "".join(random.Random(1).choices("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动", k=1_000_000))
    inputs = [item("big", language="zh", title="大文", text=big), item("small", language="zh", title="小文", text=ZH_TEXT),
              item("big2", language="zh", title="大文", text=big[:-10] + "结尾略有不同的文字")]
    start = time.perf_counter()
    stories = group_stories(inputs)
    assert time.perf_counter() - start < 2.0
    assert frozenset({0, 2}) in groups(stories)


def test_thousand_identical_items_are_one_story_fast() -> None:
    inputs = [item(str(i), feed=f"f{i % 7}", title="Guangzhou customs seizes frozen meat", text=EN_TEXT)
              for i in range(1000)]
    start = time.perf_counter()
    stories = group_stories(inputs)
    assert time.perf_counter() - start < 2.0
    assert len(stories) == 1 and sorted(stories[0].members) == list(range(1000))


def test_threshold_validation() -> None:
    with pytest.raises(UsageError) as caught:
        group_stories([item("a")], near_duplicate=0)
    assert caught.value.option == "near_duplicate"
    with pytest.raises(UsageError):
        group_stories([item("a")], same_event=1.5)


def test_score_grouping_by_hand() -> None:
    predicted = [Story((0, 1, 2)), Story((3,)), Story((4, 5))]
    gold = [[0, 1], [2, 3], [4, 5]]
    # predicted pairs: 01 02 12 45 (4); gold pairs: 01 23 45 (3); true: 01 45 (2)
    score = score_grouping(predicted, gold)
    assert score["precision"] == pytest.approx(0.5)
    assert score["recall"] == pytest.approx(2 / 3)
    assert score["f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert score_grouping([], []) == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "true_pairs": 0.0,
                                      "predicted_pairs": 0.0, "gold_pairs": 0.0}
    with pytest.raises(InputError):
        score_grouping(predicted, [[0, 1], [1, 2]])


def test_labelled_set_has_hard_negatives_and_translations() -> None:
    items, gold = labelled_items(50, seed=0)
    assert sorted(i for g in gold for i in g) == list(range(len(items)))
    assert any(it["language"] == "zh" and it["title_translation"] for it in items)
    assert any(it["language"] == "en" for it in items)
    assert labelled_items(50, seed=0) == (items, gold)


def test_held_out_labelled_set_quality() -> None:
    """Thresholds were chosen on seed 0; seed 1 is held out (benchmarks/feeds_data.py)."""
    items, gold = labelled_items(400, seed=1)   # what benchmarks/feeds_data.py reports
    score = score_grouping(group_stories(story_inputs(items)), gold)
    assert score["precision"] >= 0.9
    assert score["recall"] >= 0.8


@pytest.mark.slow
def test_twenty_thousand_items_group_without_comparing_all_pairs() -> None:
    items, gold = labelled_items(6000, seed=4)
    inputs = story_inputs(items)
    assert len(inputs) >= 20_000
    start = time.perf_counter()
    stories = group_stories(inputs)
    elapsed = time.perf_counter() - start
    assert sum(len(s.members) for s in stories) == len(inputs)
    assert elapsed < 120, elapsed   # about 10 s here; all pairs would be 200 million cosines
    assert score_grouping(stories, gold)["recall"] >= 0.8
