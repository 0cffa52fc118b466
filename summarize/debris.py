"""Page debris as data: one table of patterns, and :func:`strip_debris` for debris *inside* a sentence.

News text carries debris that sentence splitting leaves glued to real sentences: a dateline opening
one ("新华社北京2月1日电（记者 张三）…", "WASHINGTON (CNN) -- …"), a photo credit before it, a source tag
or a link prompt after it ("…（中新网）", "…~~新民网", "…，戳这里→", "… - BBC News", "READ MORE: …").
Every pattern is a row of :data:`DEBRIS` with its examples and negatives, so the tests iterate the
table: a new shape is one new row, tested by being there.

Rows say *where* they may sit. ``start``, ``end`` and ``anywhere`` rows are what :func:`strip_debris`
removes; ``whole`` rows judge a whole unit (``quality.assess`` uses them: a unit that *is* a label or
a prompt is debris, and cutting it out would leave nothing). Stripping rows are stricter than the
whole-unit ones, because a wrong strip deletes part of a real sentence.

Every pattern must run in linear time on hostile input: quantifiers are bounded (``{0,30}``),
``anywhere`` rows never begin with unbounded whitespace, ``end`` rows are searched only in the last
:data:`END_REACH` characters, and ``start``/``end`` stripping stops after :data:`MAX_STEPS` pieces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from translate.languages import has_cjk

Where = Literal["start", "end", "anywhere", "whole"]

END_REACH = 256      # characters an end row may span (its pattern is bounded below this)
MAX_STEPS = 8        # debris pieces stripped at each end of a sentence: nobody stacks more
MIN_SUBSTANCE = 4    # letters, digits or CJK characters a stripped sentence must keep, else it is left alone

# pattern building blocks, substituted by _compile (a regex already uses every bracket kind)
_TOKENS = {
    "<H>": "\u4e00-\u9fff\u3400-\u4dbf",                       # Han characters
    "<N>": "0-9０-９一二三四五六七八九十〇零",                      # digits in dates
    "<F>": "。！？!?…~～",                                        # marks that end a sentence
    "<OUT>": "网|报|社|台|刊|杂志|新闻|财经|频道|客户端|周刊|在线|视点|传媒|观察",  # how outlet names end
    "<NOTNAME>": "了的在是和就也都去到把被着过说他她我们你这那个",           # never in an outlet's name
    "<AG>": "Reuters|AP|AFP|CNN|BBC|Bloomberg|UPI|PA|EPA|dpa|Xinhua|AAP|ANSA|Kyodo|Yonhap|TASS|NPR",
}
_PERSON = r"[<H>·]{2,4}(?:\s{0,3}[、和 ]\s{0,3}[<H>·]{2,4}){0,3}"   # one to four Chinese names
# "摄" as "photo by": a separator or the end after it, so never 拍摄, 摄影, 摄像, 摄下了这一幕, 摄得
_SHOT_BY = r"\s{0,3}(?<![拍录航抓偷])摄(?=[\s，,。.：:；;、/｜|）)】\]]|\Z)"
_REPORTER = r"(?:\s{0,3}[（(][^（）()\n]{0,30}[）)])?"                # （记者 张三） after a dateline
_DATE = r"(?:[<N>]{2,4}\s{0,2}年\s{0,2})?[<N>]{1,2}\s{0,2}月\s{0,2}[<N>]{1,3}\s{0,2}[日号]"
_DATE_BEFORE = r"(?:北京时间\s{0,2})?"


@dataclass(frozen=True)
class Debris:
    """One kind of debris: what it is, where it may sit, and units that show it.

    ``examples`` pair a unit with what :func:`strip_debris` leaves of it ("" for ``whole`` rows:
    the unit is debris as a whole); ``negatives`` are units this row must not find."""

    name: str
    kind: str
    where: Where
    pattern: re.Pattern[str]
    examples: tuple[tuple[str, str], ...]
    negatives: tuple[str, ...] = ()

    def find(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        """The row's match in ``text[pos:endpos]`` where the row may sit: at ``pos`` (after spaces) for a
        start row, ending at ``endpos`` (before spaces) for an end row, anywhere otherwise."""
        end = len(text) if endpos is None else endpos
        if self.where == "start":
            while pos < end and text[pos].isspace():
                pos += 1
            return self.pattern.match(text, pos, end)
        if self.where == "end":
            while end > pos and text[end - 1].isspace():
                end -= 1
            return self.pattern.search(text, max(pos, end - END_REACH), end)
        return self.pattern.search(text, pos, end)


def _compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    for token, value in _TOKENS.items():
        pattern = pattern.replace(token, value)
    return re.compile(pattern, flags)


def _row(name: str, kind: str, where: Where, pattern: str, examples: tuple[tuple[str, str], ...],
         negatives: tuple[str, ...] = (), flags: int = 0) -> Debris:
    return Debris(name, kind, where, _compile(pattern, flags), examples, negatives)


_ZH_NEGATIVES = ("他戳穿了谎言。", "新华社是国家通讯社，总部设在北京。", "新华社记者在现场看到，救援工作仍在进行。",
                 "我们在3月5日电话联系了他的家人。", "记者现场拍摄的视频显示，大桥已经合龙。",
                 "该视频的点击量超过一百万次。")
_EN_NEGATIVES = ("By the end of the year, the company had doubled its sales.", "Click-through rates rose.",
                 "He traveled to Paris via London.", "US - China talks resumed on Monday.")

DEBRIS: tuple[Debris, ...] = (
    # ---- start of a sentence: datelines, credits glued to it, fragments and labels before it ----
    _row("zh_dateline", "dateline", "start",
         r"[<H>]{1,8}?(?:<OUT>|讯)讯?\s{0,2}(?:[<H>]{1,8}?\s{0,2})?" + _DATE_BEFORE + _DATE
         + r"\s{0,2}(?:电(?![话视脑影子池梯器力动商台网费价信报讯缆线路站表量车压流磁灯扇饭机工气])|讯)"
         + _REPORTER + r"[\s，,：:—–-]{0,4}",
         (("新华社北京2月1日电 国家统计局1日发布了最新的就业数据。", "国家统计局1日发布了最新的就业数据。"),
          ("新华网北京5月3日电（记者 张三）国务院总理今天主持召开常务会议。", "国务院总理今天主持召开常务会议。"),
          ("中新网3月5日电 据气象部门消息，北方大部地区将迎来降温。", "据气象部门消息，北方大部地区将迎来降温。"),
          ("人民网北京5月6日讯 全国铁路今天迎来返程客流高峰。", "全国铁路今天迎来返程客流高峰。"),
          ("新浪科技讯 北京时间4月3日电，一家手机厂商今天发布了新款折叠屏手机。",
           "一家手机厂商今天发布了新款折叠屏手机。")),
         _ZH_NEGATIVES + ("人民网3月5日电视直播了这场发布会的全过程。", "记者3月5日从国家统计局获悉，物价总体平稳。")),
    _row("zh_local_dateline", "dateline", "start",
         r"本(?:报|刊|台|网|站)(?:[<H>]{1,8}?\s{0,2}" + _DATE + r"\s{0,2}电|讯)" + _REPORTER + r"[\s，,：:—–-]{0,4}",
         (("本报讯 (记者 李四) 昨天，市政府召开新闻发布会通报了防汛工作。",
           "昨天，市政府召开新闻发布会通报了防汛工作。"),
          ("本报讯（记者 李四 通讯员 王五）全市中小学今天正式开学。", "全市中小学今天正式开学。"),
          ("本报北京3月5日电（记者 李四）十四届全国人大二次会议今天开幕。", "十四届全国人大二次会议今天开幕。")),
         _ZH_NEGATIVES + ("本报记者在现场看到，救援工作仍在进行。",)),
    _row("zh_news_date", "dateline", "start",
         _DATE_BEFORE + _DATE + r"(?:凌晨|早间|上午|中午|下午|晚间|晚)?\s{0,2}消息\s{0,2}[，,：:]\s{0,2}",
         (("4月3日消息，一家软件公司公告称公司股东拟转让全部股份。", "一家软件公司公告称公司股东拟转让全部股份。"),
          ("北京时间10月8日晚间消息：一家芯片公司发布了第三季度财报。", "一家芯片公司发布了第三季度财报。")),
         _ZH_NEGATIVES + ("4月3日消息传出后，这家公司的股价大跌。",)),
    _row("zh_photo_credit", "credit", "start",
         r"(?:[<H>]{1,6}?(?:社|网|报|台)(?:特约记者|摄影记者|特约摄影|记者|通讯员|发)|特约记者|摄影记者|记者|通讯员)"
         r"\s{0,3}" + _PERSON + _SHOT_BY + r"[\s，,。.：:]{0,3}",
         (("新华社记者 谢环驰 摄 国家主席今天在人民大会堂会见了来访的外国元首。",
           "国家主席今天在人民大会堂会见了来访的外国元首。"),
          ("新华社发 张三 李四 摄 游客在景区内观赏盛开的樱花。", "游客在景区内观赏盛开的樱花。"),
          ("记者王小明摄 市民在公园里晨练。", "市民在公园里晨练。")),
         _ZH_NEGATIVES + ("记者张三摄影展今天在美术馆开幕。", "记者张三摄下了这一幕，引发网友热议。",
                          "记者王小明摄得一组珍贵的野生动物照片。", "通讯员李四摄于现场的视频已上传。",
                          "摄影记者赵六摄下的画面显示，大桥已经合龙。")),
    _row("zh_ellipsis_fragment", "fragment", "start",
         r"(?:等等|等|云云|之类的?|什么的)?\s{0,2}(?:…|⋯|\.{3}|。{3}){1,6}[\s，,。]{0,3}",
         (("……国家统计局当天还公布了最新的就业数据。", "国家统计局当天还公布了最新的就业数据。"),
          ("等等……这些问题都需要有关部门尽快解决。", "这些问题都需要有关部门尽快解决。")),
         _ZH_NEGATIVES + ("等待了三个小时后，他终于到了。",)),
    _row("zh_hashtag", "label", "start", r"#[^#\s]{1,30}#\s{0,2}",
         (("#春运#返乡的旅客从今天起可以购买火车票。", "返乡的旅客从今天起可以购买火车票。"),),
         _ZH_NEGATIVES + ("C#是一种常用的编程语言。", "#1 seed Nadal won the final in straight sets.")),
    _row("zh_title_bracket", "label", "start", r"【[^【】\n]{1,40}】\s{0,2}",
         (("【快讯】国家统计局18日发布了三季度经济数据。", "国家统计局18日发布了三季度经济数据。"),),
         _ZH_NEGATIVES + ("国家统计局【快讯】发布了三季度经济数据。",)),
    _row("en_byline", "byline", "start",
         r"(?:By|Posted by|Written by|Reported by|Words by)"
         r"(?:\s{1,3}(?:[A-Z][\w'’.-]{0,30},?|and|&|de|van|von|da)){1,8}"
         r"\s{0,3}[.|]\s{1,3}(?=[A-Z][a-z]|[A-Z]\s|[\"“‘(])",
         (("By John Smith. The bishop has resigned after the scandal.", "The bishop has resigned after the scandal."),
          ("By Daily Mail Reporter . The state issued an advisory.", "The state issued an advisory.")),
         _EN_NEGATIVES + ("By Tuesday, officials had left the building.",)),
    _row("en_published", "dateline", "start",
         r"(?:PUBLISHED|UPDATED|Published|Updated|Last updated|Posted|Created|Modified)\s{0,3}(?::|\s(?:at|on)\s)"
         r"[^\n]{0,60}?\b(?:\d{4}|\d{1,2}:\d{2}\s{0,2}(?:[AP]M|[ap]\.m\.|GMT|EST|EDT|BST|UTC|CET|PST|PDT)?)"
         r"\s{0,2}[.|]?\s{1,3}(?=[A-Z][a-z]|[A-Z]\s|[\"“‘(])",
         (("PUBLISHED: 14:11 EST, 25 October 2013. The bishop has resigned.", "The bishop has resigned."),
          ("UPDATED: . 15:36 EST, 25 October 2013 . The state issued an advisory.", "The state issued an advisory."),
          ("Last updated at 17:20 GMT The council approved the budget.", "The council approved the budget.")),
         _EN_NEGATIVES + ("Posted on Monday, the message spread quickly.", "Updated figures show strong growth.")),
    _row("en_dateline", "dateline", "start",
         r"[A-Z][A-Z.'’-]{2,20}(?:[ -][A-Z][A-Z.'’-]{1,20}){0,3}"
         r"(?:,\s{0,2}[A-Z][\w.'’-]{1,20}(?:\s[A-Z][\w.'’-]{1,20}){0,2})?"
         r"(?:\s{0,3}\([^()\n]{1,30}\)\s{0,3}(?:--|—|–|-)\s{0,3}"
         # without the agency, the dash must open the sentence: a capital after it, no second dash (an aside)
         r"|\s{0,3}(?:--|—)(?![^\n]{0,2000}?(?:--|—|\s–\s))\s{0,3}(?=[A-Z\"“‘]))",
         (("WASHINGTON (CNN) -- The Senate passed the bill on Tuesday.", "The Senate passed the bill on Tuesday."),
          ("LONDON, England (Reuters) -- Police said two men were arrested.", "Police said two men were arrested."),
          ("NEW YORK — Stocks rose sharply on Monday.", "Stocks rose sharply on Monday."),
          ("NEW YORK —  The index closed at a record high.", "The index closed at a record high."),
          ("WASHINGTON -- The president signed the order on Friday.", "The president signed the order on Friday."),
          ("PARIS — \"We will not give in,\" the minister said.", "\"We will not give in,\" the minister said.")),
         _EN_NEGATIVES + ("NASA -- the space agency -- said on Monday that the launch would go ahead.",
                          "FBI — which had opened an inquiry — declined to comment.",
                          "U.S. -- and European -- officials met on Friday.",
                          "NASA -- The agency -- said the launch would go ahead.",
                          "CIA -- not the FBI -- ran the operation.",
                          "OPEC — whose members are divided – met again on Monday.",
                          "NATO -- and only NATO -- can decide that.",
                          "IBM -- a pioneer of computing, said profits rose.")),
    _row("en_agency_start", "dateline", "start", r"\((?:<AG>)\)\s{0,3}(?:--|—|–|-)?\s{0,3}",
         (("(Reuters) - The Senate passed the bill on Tuesday.", "The Senate passed the bill on Tuesday."),),
         _EN_NEGATIVES),

    # ---- end of a sentence: prompts, source tags, credits, links after it ----
    _row("zh_prompt_end", "prompt", "end",
         r"(?:[，,；;、]?\s{0,2}(?<=[<F>，,；;、：:\s）)】\]”\"])(?:请|可|欢迎)?|请)\s{0,2}(?:[（(【\[]\s{0,2})?(?:"
         r"(?:猛戳|戳(?=这|此|我|链接|图|下方|下面|右|左|→|↓|👉|>|[:：\s）)】\]]|http|网页|\Z)"
         r"|[“\"]?点击[”\"]?(?=这|此|链接|查看|阅读|进入|下载|关注|图片|播放|观看|收听|了解|原文|全文|网页|[“\"]|→|↓|👉|>"
         r"|[:：\s]|\Z|左|右|下方|上方|文末|底部|蓝字)"
         r"|点此|点这里|点我|详情请戳)[^。！？!?\n]{0,40}?"
         # generic words are a prompt only before a link, @, an arrow, a prompt verb, "：" or the end:
         # never as a predicate ("负责人表示，了解更多情况后会及时公布")
         r"|(?:详情请见|详情见|详情请看|详见|了解更多|查看更多|更多详情|阅读原文|阅读全文|原文链接|网页链接|全文链接|视频链接)"
         r"\s{0,2}(?:(?:(?:请|可)\s{0,2})?(?:点击|猛戳|戳|访问|关注|登录|下载|扫码)[^。！？!?\n]{0,40}?"
         r"|[:：][^。！？!?\n]{0,40}?|(?:https?://|www\.|@|→|>>|＞＞|»|👉|↓|➡)[^。！？!?\n]{0,40}?)?)"
         r"[）)】\]]?[。！？!?~～]{0,3}\s*\Z",
         (("想知道这家小店是怎么开起来的，戳", "想知道这家小店是怎么开起来的"),
          ("国家统计局发布了三季度数据，详情请见：@新华视点", "国家统计局发布了三季度数据"),
          ("市政府公布了新的停车收费标准，猛戳→http://t.cn/abc123", "市政府公布了新的停车收费标准"),
          ("国家统计局发布了三季度数据，点击链接查看全文。", "国家统计局发布了三季度数据。"),
          ("国家统计局发布了三季度数据，请“点击”阅读原文", "国家统计局发布了三季度数据"),
          ("本次年会的演讲全文请点击：", "本次年会的演讲全文"),
          ("新的停车收费标准下月起实施。戳这里看详细规定", "新的停车收费标准下月起实施。"),
          ("新的停车收费标准下月起实施，了解更多请点击这里", "新的停车收费标准下月起实施"),
          ("新的停车收费标准下月起实施。了解更多>>", "新的停车收费标准下月起实施。"),
          ("新的停车收费标准下月起实施，详见http://t.cn/abc123", "新的停车收费标准下月起实施"),
          ("新的停车收费标准下月起实施。原文链接：https://example.com/a", "新的停车收费标准下月起实施。"),
          ("越来越多的年轻人选择回乡创业，网页链接", "越来越多的年轻人选择回乡创业")),
         _ZH_NEGATIVES + ("网友纷纷点击查看", "他的问题一针见血，戳中要害",
                          "市卫健委相关负责人表示，了解更多情况后会及时公布。", "他说，查看更多资料后才能下结论。",
                          "主办方称，更多详情将在下周的发布会上公布。", "他说，阅读全文后才发现问题所在。",
                          "有网友发现，原文链接已经失效。", "警方透露，视频链接在网上被大量转发。",
                          "具体安排如下，详见附件中的日程表。")),
    _row("zh_source_bracket_end", "source_tag", "end",
         r"\s{0,2}[（(【\[]\s{0,2}(?:(?:来源|消息来源|稿源|来自|转自|摘自|编译自|原载|原标题|原题为?|分享自|转载自"
         r"|据(?!悉|了解|介绍|报道|统计|称|说|估计|调查|测算|透露|初步|不完全))\s{0,2}[:：/｜|]?"
         r"|(?:责任编辑|责编|编辑|作者|文|图|记者|撰文|摄影)\s{0,2}[:：/｜|])"
         r"\s{0,2}[^（）()【】\[\]\n]{1,30}[）)】\]][。.]?\s*\Z",
         (("新修订的条例将于明年一月起施行。【来源:某某网】", "新修订的条例将于明年一月起施行。"),
          ("这段往事直到晚年才被他写进回忆录。（据某某杂志）", "这段往事直到晚年才被他写进回忆录。"),
          ("新款电池的续航里程提高了三成。（分享自@某某汽车）", "新款电池的续航里程提高了三成。"),
          ("前三季度经济运行总体平稳。（原标题：三季度经济平稳）", "前三季度经济运行总体平稳。"),
          ("市民可以通过热线电话反映问题（文/张三）", "市民可以通过热线电话反映问题")),
         _ZH_NEGATIVES + ("他在医院接受治疗（据悉已脱离危险）", "该剧由主管部门（文化部）审查通过")),
    _row("zh_outlet_bracket_end", "source_tag", "end",
         r"\s{0,2}[（(]\s{0,2}(?:[^（）()\n。，！？,\s]{1,14}?(?:<OUT>)|每经|新华社|中新社|路透社?|美联社|法新社|彭博社?"
         r"|央视|央广|完)\s{0,2}[）)]\s*\Z",
         (("气象专家提醒市民近期出行注意防暑(某某网)", "气象专家提醒市民近期出行注意防暑"),
          ("前三季度全省实现生产总值增长百分之五。（新华网）", "前三季度全省实现生产总值增长百分之五。"),
          ("今后企业办理投资项目将更加方便（每经）", "今后企业办理投资项目将更加方便"),
          ("会议号召全体党员干部积极投身改革。（完）", "会议号召全体党员干部积极投身改革。")),
         _ZH_NEGATIVES + ("他毕业于北京大学（北大）。", "患者张某（化名）目前情况稳定")),
    _row("zh_tag_after_end", "source_tag", "end", r"(?<=[。！？!?])\s{0,2}[（(][^（）()\n。！？!?，,]{1,16}[）)]\s*\Z",
         (("两家公司的合并预计在年底前完成。（ABC）", "两家公司的合并预计在年底前完成。"),),
         _ZH_NEGATIVES + ("他问我：“你真的一点都不生气？”", "记者问。（你真的一点都不生气？）")),
    _row("zh_label_end", "credit", "end",
         r"(?<=[<F>”\"」』）)\s])\s{0,2}(?:责任编辑|责编|编辑|主编|来源|稿件来源|文章来源|作者|撰文|摄影|校对|审核|监制)"
         r"\s{0,2}[:：/｜|丨]\s{0,2}[^。！？!?\n]{1,30}?\s*\Z",
         (("全市将在今年年底前完成老旧小区改造。责任编辑：赵六", "全市将在今年年底前完成老旧小区改造。"),
          ("全市将在今年年底前完成老旧小区改造。 来源：新华网", "全市将在今年年底前完成老旧小区改造。")),
         _ZH_NEGATIVES + ("他的身份是：责任编辑",)),
    _row("zh_outlet_end", "source_tag", "end",
         r"(?:(?<=[<F>”\"」』])|[~～]{1,4})\s{0,2}(?:(?![<NOTNAME>])[<H>]){1,10}?(?:<OUT>)"
         r"(?:(?:(?![<NOTNAME>])[<H>]){1,6}?频道)?\s{0,2}[:：]?\s*\Z",
         (("新建的三座公园将在国庆节前对外开放。新民网", "新建的三座公园将在国庆节前对外开放。"),
          ("江边步道建成后，周末散步的人多啦~~新民网", "江边步道建成后，周末散步的人多啦。"),
          ("店主笑着回答“明天再来吧”大河报", "店主笑着回答“明天再来吧”"),
          ("草原上的那达慕大会今天开幕。某某网草原频道：", "草原上的那达慕大会今天开幕。"),
          ("新出台的补贴政策覆盖了全部县区。某某日报", "新出台的补贴政策覆盖了全部县区。")),
         _ZH_NEGATIVES + ("“好。”他走进了报社", "他们说。这是人民网")),
    _row("via_end", "source_tag", "end",
         r"[\s~～]{0,4}(?:[（(]\s{0,2})?(?<![A-Za-z])(?i:via)(?:\s{0,2}[:：@]|(?=[<H>]))\s{0,2}@?[^\s（）()，,。]{1,20}"
         r"\s{0,2}[）)]?\s*\Z",
         (("周末的音乐节门票已经售罄，你去了吗？via:某某晚报", "周末的音乐节门票已经售罄，你去了吗？"),
          ("这条老街改造后成了网红打卡地。Via某某晨报", "这条老街改造后成了网红打卡地。"),
          ("The council approved the budget. via @Reuters", "The council approved the budget.")),
         _ZH_NEGATIVES + _EN_NEGATIVES + ("We chatted about trivia: sports",)),
    _row("mention_end", "credit", "end",
         r"(?<=[<F>”\"」』）)\s])\s{0,2}(?:(?:来自|转自|分享自|来源)\s{0,2}[:：]?\s{0,2})?"
         r"(?:@[^\s@，,。！？!?：:（）()]{1,30}\s{0,2}){1,5}\s*\Z",
         (("市场监管部门已责令商家整改。@某某市消费者协会", "市场监管部门已责令商家整改。"),
          ("三大股指今天全线上涨。 @人民日报 @新华视点", "三大股指今天全线上涨。"),
          ("越来越多的年轻人选择回乡创业。来自@某某Lee", "越来越多的年轻人选择回乡创业。")),
         _ZH_NEGATIVES + ("@某电商平台今天宣布将开通夜间配送服务。", "网友@小明说他不信")),
    _row("url_end", "link", "end",
         r"(?<=[<F>”\"」』）)\s：:→>])\s{0,2}(?:https?://|www\.)[^\s]{1,150}\s*\Z",
         (("最新的停车收费标准已经公布。http://t.cn/Abc123", "最新的停车收费标准已经公布。"),
          ("The full report is online. https://example.com/report.pdf", "The full report is online.")),
         _ZH_NEGATIVES + ("访问www.example.com可以查询。", "See example.com")),
    _row("en_click_end", "prompt", "end",
         r"(?:(?<=[.!?\"”])\s{0,3}|\s{0,3}[,;:]\s{0,3}|\s{0,3}[-–—(]\s{0,3})(?i:please\s{1,3})?(?i:click|tap)\s{1,3}"
         r"(?i:here|this\s{1,3}link|the\s{1,3}link|below|on\s{1,3}the\s{1,3}link)\b[^.!?\n]{0,120}[.!?)]?\s*\Z",
         (("The bishop has resigned. Click here to read the full statement.", "The bishop has resigned."),
          ("The council approved the plan, click here for details.", "The council approved the plan.")),
         _EN_NEGATIVES + ("Users can click here and there.",)),
    _row("en_read_more_end", "prompt", "end",
         r"(?:(?<=[.!?\"”)])\s{0,3}|\s{0,3}[-–—|]\s{0,3})(?:READ MORE|Read more|Read More|RELATED|Related|SEE ALSO"
         r"|See also|MORE)\s{0,3}[:>»|]\s{0,3}[^\n]{0,200}\Z",
         (("The bishop has resigned. READ MORE: Church leaders react to the scandal",
           "The bishop has resigned."),),
         _EN_NEGATIVES + ("Read more carefully, he said.",)),
    _row("en_source_paren_end", "source_tag", "end",
         r"(?:(?<=[.!?\"”’'])\s{0,3}\((?:[A-Z][\w&.'’-]{0,20}[\s/]?){1,4}\)|\s{0,3}\((?:<AG>)\))[.]?\s*\Z",
         (("The Senate passed the bill. (Reuters)", "The Senate passed the bill."),
          ("The Senate passed the bill on Tuesday (AP)", "The Senate passed the bill on Tuesday")),
         _EN_NEGATIVES + ("The fund is run by the World Bank (WB).", "He left. (He never came back.)")),
    _row("en_site_end", "source_tag", "end",
         r"\s{1,3}[-–—|]\s{1,3}(?:[A-Z][\w&.'’]{0,20}\s){0,4}(?:News|Times|Post|Journal|Herald|Guardian|Telegraph"
         r"|Tribune|Online|Reuters|Bloomberg|BBC|CNN|NPR|AP|AFP|Mail|Independent|Standard|Chronicle|Gazette|Observer"
         r"|Review|Wire|Magazine|[A-Za-z]{2,20}\.(?:com|co\.uk|org|net))\s*\Z",
         (("Stocks rose sharply on Monday - BBC News", "Stocks rose sharply on Monday"),
          ("Stocks rose sharply on Monday | Reuters", "Stocks rose sharply on Monday")),
         _EN_NEGATIVES + ("The score was 2 - 1 Today",)),
    _row("en_credit_end", "credit", "end",
         r"(?<=[.!?\"”])\s{1,3}(?:(?:Additional\s)?[Rr]eporting|Writing|Editing|Compiled|Edited|Photos?|Pictures?"
         r"|Images?|Video)\s{0,2}(?:by\b|credit\b|:)[^\n]{1,150}?\s*\Z",
         (("The bill passed easily. Reporting by John Smith; Editing by Jane Doe", "The bill passed easily."),
          ("The bridge reopened on Monday. Photo: Getty Images", "The bridge reopened on Monday.")),
         _EN_NEGATIVES + ("Editing by hand takes time.",)),

    # ---- anywhere: bracketed credits and prompts, repost marks, video prompts ----
    _row("zh_reporter_bracket", "credit", "anywhere",
         r"[（(]\s{0,2}(?:本报|特约|实习|首席)?(?:记者|通讯员|实习生)[^（）()\n]{1,30}[）)]",
         (("国家统计局（记者 李四）今天发布了最新数据。", "国家统计局今天发布了最新数据。"),
          ("（记者 李四 王五）全市中小学今天正式开学。", "全市中小学今天正式开学。")),
         _ZH_NEGATIVES + ("他曾是一名（前）记者。",)),
    _row("zh_photo_bracket", "credit", "anywhere",
         r"[（(]\s{0,2}(?:(?:[<H>]{1,6}?(?:社|网|报|台))?(?:摄影记者|记者|通讯员|发)?\s{0,3}" + _PERSON + _SHOT_BY
         + r"|(?:图片?来源|图片?来自)\s{0,2}[:：/｜|]?[^（）()\n]{0,20}"
         r"|(?:图片?|配图|摄影|视频)\s{0,2}[:：/｜|][^（）()\n]{0,20}"
         r"|资料图片?|图(?=\s{0,2}[）)]))\s{0,2}[）)]",
         (("国家主席在人民大会堂会见外国元首（新华社记者 谢环驰 摄）。", "国家主席在人民大会堂会见外国元首。"),
          ("游客在景区内观赏盛开的樱花（图片来源：视觉中国），景区预计客流将创新高。",
           "游客在景区内观赏盛开的樱花，景区预计客流将创新高。"),
          ("这座新建的大桥（资料图）今天正式通车。", "这座新建的大桥今天正式通车。")),
         _ZH_NEGATIVES + ("市里新建了（图书馆、体育馆）等设施。", "网友转发了（记者张三摄下的）这段视频。")),
    _row("zh_prompt_bracket", "prompt", "anywhere",
         r"[（(【\[]\s{0,2}(?:猛戳|戳这里|戳此|戳我|点击(?:这里|此处|链接|查看|阅读|进入|播放|观看)|点此|点这里|详情请见|详见"
         r"|阅读原文)[^（）()【】\[\]\n]{0,30}[）)】\]]",
         (("国家统计局发布了三季度数据（戳这里查看全文），增速符合预期。",
           "国家统计局发布了三季度数据，增速符合预期。"),),
         _ZH_NEGATIVES),
    _row("repost_mark", "credit", "anywhere", r"(?<![:/])//\s{0,2}@[^\s@:：/]{1,30}\s{0,2}[:：]\s{0,2}",
         (("//@人民日报:国家统计局今天发布了最新数据。", "国家统计局今天发布了最新数据。"),
          ("这个数据很重要//@人民日报:国家统计局今天发布了最新数据。", "这个数据很重要国家统计局今天发布了最新数据。")),
         _ZH_NEGATIVES + ("详见 http://@example.com:80 的说明",)),
    _row("en_photo_credit", "credit", "anywhere",
         r"[(\[]\s{0,2}(?:(?i:photos?|pictures?|images?|photograph|photo\s{1,2}credit|credit|pictured|video|source)"
         r"\s{0,2}[:：]\s{0,2}[^()\[\]\n]{1,60}|(?:AP|AFP|EPA|PA|Reuters|Getty)\s{0,2}(?:Photo|Images|Pictures)?\s{0,2}"
         r"/[^()\[\]\n]{1,40}|Getty Images|AP Photo)\s{0,2}[)\]]",
         (("The bishop (Photo: Getty Images) greeted the crowd.", "The bishop greeted the crowd."),
          ("Rescue teams reached the village (AP Photo/John Doe) on Monday.",
           "Rescue teams reached the village on Monday.")),
         _EN_NEGATIVES + ("The photo (taken at dawn) shows the bridge.",)),
    _row("en_scroll_prompt", "prompt", "anywhere",
         r"(?i:scroll\s{1,3}down\s{1,3}for\s{1,3}(?:the\s{1,3})?(?:videos?|more|pictures|photos))\b\s{0,2}[.:]?",
         (("Scroll down for video The bishop exposed hundreds to hepatitis A.",
           "The bishop exposed hundreds to hepatitis A."),
          ("Bishop exposes churchgoers. Scroll down for video. The state issued an advisory.",
           "Bishop exposes churchgoers. The state issued an advisory.")),
         _EN_NEGATIVES + ("Scroll down the page to read the rules.",)),

    # ---- whole units: quality.assess judges with these; they are never cut out of a sentence ----
    _row("zh_label", "credit", "whole",
         r"^\s*[（(【\[]?\s*(?:责任编辑|责编|编辑|主编|原标题|原题|标题|来源|本文来源|稿件来源|文章来源|出处|作者|"
         r"记者|通讯员|实习生|摄影|摄像|摄|图|图片|图片来源|配图|视频|文|文字|校对|审核|审校|监制|制作|"
         r"出品|策划|统筹|翻译|编译|整理|声明|免责声明|版权声明|注|附|相关阅读|延伸阅读|推荐阅读|相关新闻|"
         r"更多|关键词|标签|热门|扫码|二维码)\s*[：:｜|／/丨]",
         (("责任编辑：赵六", ""), ("原标题：三季度经济数据出炉", ""), ("图/本报记者 孙七", ""), ("来源：新华网", "")),
         _ZH_NEGATIVES),
    _row("zh_prompt", "prompt", "whole",
         r"(?:点击|戳|长按|扫描|扫一扫|扫码)\s*(?:查看|阅读|进入|下载|关注|链接|这里|此处|图片|识别|二维码|收听|观看|播放|"
         r"订阅|原文|左下角|右上角|下方|上方|“|\")|(?:详见|见)\s*(?:[：:，,]\s*)?$|关注\s*(?:我们|微信|公众号)|"
         r"(?:未经|严禁)\S{0,6}(?:授权|许可)\S{0,6}(?:转载|使用)",
         (("点击查看更多精彩内容", ""), ("扫描二维码关注我们", ""), ("详见，", ""), ("未经授权不得转载", "")),
         _ZH_NEGATIVES),
    _row("zh_dateline_date", "dateline", "whole",
         r"^\s*[^，。！？；\s]{0,16}?[<N>]{1,2}\s*月\s*[<N>]{1,3}\s*日\s*(?:电|讯)",
         (("新华社北京9月12日电（记者 张三）", ""), ("中新网3月5日电", "")), _ZH_NEGATIVES[:3]),
    _row("zh_dateline_agency", "dateline", "whole", r"^\s*\S{0,10}?(?:本报|本刊|本台|本网)\S{0,12}?(?:讯|电)",
         (("本报讯（记者 周八）", ""),), _ZH_NEGATIVES),
    _row("en_prefix", "dateline", "whole",
         r"^\s*(?:(?:By|Posted by|Written by|Reported by|Words by)(?:\s+(?:[A-Z][\w'’.-]*|and|&|,|de|van|von|da))*"
         r"\s*(?:[.|]\s*|$)"
         r"|(?:PUBLISHED|UPDATED|Published|Updated|Last updated|Posted|Created|Modified)\s*(?::|\bat\b|\bon\b)[^.]*?"
         r"(?:\.\s|\.?$)"
         r"|[A-Z][A-Z .,'-]{2,40}\s*(?:\([^)]{1,30}\))?\s*(?:--|—|–|-)\s+|\([A-Z][\w .]{1,20}\)\s*(?:--|—|–|-)?\s*)",
         (("By .", ""), ("By Daily Mail Reporter .", ""), ("PUBLISHED: .", ""),
          ("UPDATED: . 15:36 EST, 25 October 2013 .", "")),
         _EN_NEGATIVES[:2]),
    _row("en_label", "credit", "whole",
         r"^\s*(?:Photo|Photos|Picture|Pictures|Image|Images|Video|Graphic|Source|Sources|Credit|Credits|"
         r"Editing|Edited|Reporting|Additional reporting|Writing|Compiled|Contact|Email|E-mail|Follow|Tags?|"
         r"Related|Read more|See also|More|Copyright|Image copyright|Image caption|Media caption|Caption|"
         r"Getty Images|AP Photo|Reuters|AFP)\b\s*(?:by\b)?\s*[:|/-]?",
         (("Photo: Getty Images", ""), ("Editing by John Smith", "")), _EN_NEGATIVES),
    _row("en_prompt", "prompt", "whole",
         r"\b(?:click here|click to|scroll down|read more|sign up|subscribe|follow us|share this|"
         r"watch the video|media playback|is not supported on (?:this|your) device|download the app|"
         r"all rights reserved|this material may not be published)\b",
         (("Click here to read more.", ""), ("Media playback is not supported on this device", "")),
         _EN_NEGATIVES, re.IGNORECASE),
    _row("en_byline_word", "byline", "whole", r"^\s*By\b", (("By .", ""), ("By Daily Mail Reporter .", "")),
         ("Bystanders watched the fire.",)),
    _row("en_dateline_word", "dateline", "whole", r"^\s*(?:PUBLISHED|UPDATED|Published|Updated|Last updated)",
         (("PUBLISHED: .", ""), ("Last updated at 17:20 GMT", "")), ("The bishop updated his will.",)),
)

_BY_NAME = {r.name: r for r in DEBRIS}
_STARTS = tuple(r for r in DEBRIS if r.where in ("start", "anywhere"))
_ENDS = tuple(r for r in DEBRIS if r.where == "end")
_ANYWHERE = tuple(r for r in DEBRIS if r.where == "anywhere")

_FINAL = frozenset("。！？!?.…~～")
_TAIL_FINAL = re.compile(r"[。！？~～…]|[.!?](?!\S)")  # a sentence's end inside cut text (not a URL's dot)
_CLOSERS = "”\"’'」』)）]】"
_LEADING_JUNK = frozenset("，,、：:;；-—–|｜/·.。!?！？”’」』)）]】~～") | frozenset(" \t\r\n\u3000")
_TRAILING_JUNK = frozenset("，,、：:;；-—–|｜/·~～（(【[“‘「『→") | frozenset(" \t\r\n\u3000")
_CLAUSE = frozenset("，,、：:;；")
_CLAUSE_OR_FINAL = _CLAUSE | _FINAL
_NO_SPACE_AFTER = frozenset("([{“‘«（【「『")
_NO_SPACE_BEFORE = frozenset(".,;:!?)]}”’»%）】」』，。、：；！？")
_CJK = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\uac00-\ud7af]")


def row(name: str) -> Debris:
    """The table's row called ``name`` (``quality`` looks its whole-unit patterns up here)."""
    return _BY_NAME[name]


@dataclass(frozen=True)
class Cleaned:
    """A sentence with its debris cut out.

    ``kept`` are the spans of the original that remain, in order, without surrounding spaces (``()`` when
    nothing was removed): ``text`` is them joined by nothing or one space, plus a final 。/. when the
    sentence's own final mark went with the debris. ``removed`` is the kind of each piece cut, in order."""

    text: str
    kept: tuple[tuple[int, int], ...] = ()
    removed: tuple[str, ...] = ()


def strip_debris(text: str) -> Cleaned:
    """Cut datelines, credits, source tags, prompts and fragments out of one sentence; a sentence that
    would keep nothing of substance is returned as it is (a whole unit of debris is ``quality``'s job)."""
    start, end = 0, len(text)
    if len(text) <= MIN_SUBSTANCE or len(text) < 4 * MIN_SUBSTANCE and len("".join(text.split())) <= MIN_SUBSTANCE:
        return Cleaned(text)  # too short to hold debris and keep anything of substance
    while end > start and text[end - 1].isspace():
        end -= 1
    cuts: list[tuple[int, int, str]] = []
    start, stripped_start = _strip_start(text, start, end, cuts)
    end, tail = _strip_end(text, start, end, cuts)
    middle = _middle(text, start, end)
    if not cuts and not middle:
        return Cleaned(text)
    cuts.extend(middle)
    pieces = _pieces(text, start, end, middle)
    if stripped_start and pieces:
        pieces[0] = _trim(text, *pieces[0], lead=True)
    if tail and pieces:
        pieces[-1] = _trim(text, *pieces[-1], lead=False)
    pieces = [p for p in pieces if p[1] > p[0]]
    if sum(ch.isalnum() for a, b in pieces for ch in text[a:b]) < MIN_SUBSTANCE:
        return Cleaned(text)
    parts = [text[pieces[0][0]:pieces[0][1]]]
    for (_, left_end), (right_start, right_end) in zip(pieces, pieces[1:]):
        parts += [_joiner(text, left_end, right_start), text[right_start:right_end]]
    out = "".join(parts)
    if _TAIL_FINAL.search(tail) and not _ends_sentence(out):
        out += "。" if has_cjk(out) else "."  # Chinese text, not a full-width letter in English
    cuts.sort()
    return Cleaned(out, tuple(pieces), tuple(kind for _, _, kind in cuts))


def _strip_start(text: str, start: int, end: int, cuts: list[tuple[int, int, str]]) -> tuple[int, bool]:
    """Cut start rows (and anywhere rows sitting at the start) until none matches."""
    cut = False
    for _ in range(MAX_STEPS):
        while start < end and text[start].isspace():
            start += 1
        for r in _STARTS:
            m = r.pattern.match(text, start, end)
            if m and m.end() > start:
                cuts.append((start, m.end(), r.kind))
                start, cut = m.end(), True
                while start < end and text[start] in _LEADING_JUNK:
                    start += 1
                break
        else:
            break
    return start, cut


def _strip_end(text: str, start: int, end: int, cuts: list[tuple[int, int, str]]) -> tuple[int, str]:
    """Cut end rows until none matches; returns the new end and all that was cut after it ("" if nothing)."""
    tail_from = tail_to = end
    for _ in range(MAX_STEPS):
        for r in _ENDS:
            m = r.pattern.search(text, max(start, end - END_REACH), end)
            if m and m.start() < end:
                cuts.append((m.start(), end, r.kind))
                end = tail_from = m.start()
                while end > start and text[end - 1] in _TRAILING_JUNK:
                    end -= 1
                break
        else:
            break
    return end, text[tail_from:tail_to]


def _middle(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Non-overlapping anywhere-row matches inside [start, end), in order."""
    found = sorted((m.start(), -m.end(), r.kind) for r in _ANYWHERE for m in r.pattern.finditer(text, start, end)
                   if m.end() > m.start())
    chosen: list[tuple[int, int, str]] = []
    for s, neg_e, kind in found:
        if not chosen or s >= chosen[-1][1]:
            chosen.append((s, -neg_e, kind))
    return chosen


def _pieces(text: str, start: int, end: int, middle: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """What stays of [start, end) once the middle cuts are out: trimmed spans, clause marks not doubled."""
    spans, at = [], start
    for s, e, _ in middle:
        spans.append((at, s))
        at = e
    spans.append((at, end))
    pieces: list[tuple[int, int]] = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if pieces and a < b and text[pieces[-1][1] - 1] in _CLAUSE_OR_FINAL:
            while a < b and (text[a] in _CLAUSE or text[a].isspace()):
                a += 1
        if a < b:
            pieces.append((a, b))
    return pieces


def _trim(text: str, a: int, b: int, *, lead: bool) -> tuple[int, int]:
    if lead:
        while a < b and text[a] in _LEADING_JUNK:
            a += 1
    else:
        while b > a and text[b - 1] in _TRAILING_JUNK:
            b -= 1
    return a, b


def _joiner(text: str, left_end: int, right_start: int) -> str:
    """One space where the cut had space beside it between two non-CJK characters, else nothing."""
    left, right = text[left_end - 1], text[right_start]
    spaced = text[left_end].isspace() or text[right_start - 1].isspace()  # a cut lies between: both exist
    if not spaced or _CJK.match(left) or _CJK.match(right):
        return ""
    return "" if left in _NO_SPACE_AFTER or right in _NO_SPACE_BEFORE else " "


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _FINAL
