"""A labelled set of feed items with known stories, for choosing and checking the grouping thresholds.

Each event (a template of an event type filled with slot values: city, company, goods, numbers, date)
is reported by several outlets:

- the **original** item;
- **wire copies**: the same text with small edits (a word or character changed, the outlet's suffix on
  the title, a credit line, two sentences swapped), and excerpts (title and lead only);
- **rewrites**: the same event and slot values in another phrasing (2-3 per template and language);
- **cross-language** items: the event written in the other language; Chinese items carry the English
  translation an ideal MT would give (their phrasing's English counterpart, with a synonym swapped
  here and there), since grouping compares translated gists across languages;
- **unrelated** items, among them **hard negatives**: the same event type on the same days with
  another city or company and other numbers — what word overlap gets wrong.

``labelled_items(n, seed=0)`` is the development split (thresholds are chosen on it);
``seed=1`` is held out. ``main_choose_thresholds()`` prints the sweep (``python benchmarks/feeds.py
--choose-thresholds``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from summarize.stories import StoryInput, group_stories, score_grouping

Item = dict[str, str]

CITIES = [("广州", "Guangzhou"), ("深圳", "Shenzhen"), ("武汉", "Wuhan"), ("成都", "Chengdu"), ("杭州", "Hangzhou"),
          ("南京", "Nanjing"), ("西安", "Xi'an"), ("重庆", "Chongqing"), ("天津", "Tianjin"), ("长沙", "Changsha"),
          ("郑州", "Zhengzhou"), ("青岛", "Qingdao"), ("厦门", "Xiamen"), ("昆明", "Kunming"), ("沈阳", "Shenyang"),
          ("大连", "Dalian"), ("济南", "Jinan"), ("福州", "Fuzhou"), ("合肥", "Hefei"), ("南宁", "Nanning"),
          ("贵阳", "Guiyang"), ("兰州", "Lanzhou"), ("哈尔滨", "Harbin"), ("长春", "Changchun"), ("太原", "Taiyuan"),
          ("石家庄", "Shijiazhuang"), ("南昌", "Nanchang"), ("宁波", "Ningbo"), ("苏州", "Suzhou"), ("无锡", "Wuxi"),
          ("温州", "Wenzhou"), ("佛山", "Foshan"), ("东莞", "Dongguan"), ("珠海", "Zhuhai"), ("汕头", "Shantou"),
          ("湛江", "Zhanjiang"), ("桂林", "Guilin"), ("柳州", "Liuzhou"), ("海口", "Haikou"), ("三亚", "Sanya"),
          ("拉萨", "Lhasa"), ("西宁", "Xining"), ("银川", "Yinchuan"), ("乌鲁木齐", "Urumqi"), ("呼和浩特", "Hohhot"),
          ("包头", "Baotou"), ("洛阳", "Luoyang"), ("开封", "Kaifeng"), ("徐州", "Xuzhou"), ("扬州", "Yangzhou"),
          ("常州", "Changzhou"), ("南通", "Nantong"), ("绍兴", "Shaoxing"), ("嘉兴", "Jiaxing"), ("金华", "Jinhua"),
          ("台州", "Taizhou"), ("泉州", "Quanzhou"), ("漳州", "Zhangzhou"), ("赣州", "Ganzhou"), ("九江", "Jiujiang"),
          ("宜昌", "Yichang"), ("襄阳", "Xiangyang"), ("岳阳", "Yueyang"), ("株洲", "Zhuzhou"), ("绵阳", "Mianyang"),
          ("宜宾", "Yibin"), ("遵义", "Zunyi"), ("大理", "Dali"), ("烟台", "Yantai"), ("潍坊", "Weifang"),
          ("临沂", "Linyi"), ("保定", "Baoding"), ("唐山", "Tangshan"), ("邯郸", "Handan"), ("大同", "Datong"),
          ("吉林", "Jilin"), ("齐齐哈尔", "Qiqihar"), ("鞍山", "Anshan"), ("芜湖", "Wuhu"), ("蚌埠", "Bengbu")]
# Fictional companies: two syllables and a trade, so names are as varied (and as rare) as real ones.
_SYLLABLES = [("华", "Hua"), ("瑞", "Rui"), ("天", "Tian"), ("金", "Jin"), ("恒", "Heng"), ("海", "Hai"), ("北", "Bei"),
              ("中", "Zhong"), ("新", "Xin"), ("蓝", "Lan"), ("鼎", "Ding"), ("光", "Guang"), ("云", "Yun"),
              ("江", "Jiang"), ("泰", "Tai"), ("飞", "Fei"), ("安", "An"), ("宏", "Hong"), ("兴", "Xing"), ("达", "Da"),
              ("盛", "Sheng"), ("明", "Ming"), ("润", "Run"), ("嘉", "Jia")]
_TRADES = [("电子", "Electronics"), ("航运", "Shipping"), ("汽车", "Motors"), ("银行", "Bank"), ("科技", "Technology"),
           ("地产", "Property"), ("化工", "Chemical"), ("食品", "Foods"), ("能源", "Energy"), ("通信", "Telecom"),
           ("制药", "Pharma"), ("物流", "Logistics"), ("钢铁", "Steel"), ("软件", "Software"), ("纺织", "Textiles"),
           ("水泥", "Cement"), ("电池", "Batteries"), ("保险", "Insurance")]
COMPANIES = [(a + b + t, f"{pa}{pb.lower()} {pt}") for a, pa in _SYLLABLES for b, pb in _SYLLABLES if a != b
             for t, pt in _TRADES]
SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"), ("赵", "Zhao"),
            ("黄", "Huang"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun"), ("胡", "Hu"), ("朱", "Zhu"),
            ("高", "Gao"), ("林", "Lin"), ("何", "He"), ("郭", "Guo"), ("马", "Ma"), ("罗", "Luo")]
GIVEN = [("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("强", "Qiang"), ("磊", "Lei"),
         ("军", "Jun"), ("洋", "Yang"), ("勇", "Yong"), ("艳", "Yan"), ("杰", "Jie"), ("涛", "Tao"), ("明", "Ming"),
         ("超", "Chao"), ("秀英", "Xiuying"), ("建华", "Jianhua"), ("志强", "Zhiqiang"), ("晓东", "Xiaodong"),
         ("海燕", "Haiyan"), ("国庆", "Guoqing"), ("丽华", "Lihua"), ("春梅", "Chunmei"), ("宇航", "Yuhang")]
ROLES = [("发言人", "spokesperson"), ("负责人", "official in charge"), ("副局长", "deputy director"),
         ("分析师", "analyst"), ("工作人员", "staff member"), ("专家", "expert")]
STATEMENTS = [("将密切关注后续进展", "they would closely follow further developments"),
              ("相关部门已介入处理", "the relevant departments had stepped in"),
              ("目前情况总体可控", "the situation was generally under control"),
              ("将尽快公布调查结果", "the findings would be published as soon as possible"),
              ("此事对当地影响有限", "the local impact was limited"),
              ("类似事件今年已发生多起", "several similar incidents had occurred this year"),
              ("公众无需过度担忧", "the public need not worry too much"),
              ("下一步将加强安全检查", "safety checks would be stepped up"),
              ("已向上级部门报告", "the matter had been reported to higher authorities"),
              ("感谢各方的支持与配合", "they were grateful for everyone's support"),
              ("具体损失仍在统计中", "the losses were still being counted"),
              ("将依法依规严肃处理", "the matter would be handled strictly according to law")]
QUOTES = {"zh": ("{role}{person}表示，{statement}。", "{person}（{role}）称，{statement}。"),
          "en": ("{person}, a {role}, said {statement}.", "{statement_cap}, {person}, a {role}, said.")}
GOODS = [("冻品", "frozen meat"), ("香烟", "cigarettes"), ("手机", "mobile phones"), ("象牙", "ivory"),
         ("燃油", "fuel oil"), ("芯片", "microchips"), ("奢侈品手表", "luxury watches"), ("药品", "medicines"),
         ("白糖", "sugar"), ("红木", "rosewood")]
OUTLETS = {"zh": ["新华网", "人民网", "澎湃新闻", "中新网", "财新网", "环球网", "央视新闻", "南方都市报", "新京报", "界面新闻"],
           "en": ["Reuters", "AP", "Xinhua English", "South China Morning Post", "Bloomberg", "CGTN", "China Daily",
                  "AFP", "Caixin Global", "Nikkei Asia"]}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
# What an MT system might say instead (applied to the ideal translation now and then).
MT_SYNONYMS = {"seizes": "seized", "smuggled": "contraband", "hits": "strikes", "killed": "dead", "said": "stated",
               "announced": "declared", "profit": "earnings", "rose": "increased", "fire": "blaze",
               "injured": "hurt", "jobs": "positions", "opens": "opened", "record": "all-time high",
               "acquire": "buy", "buys": "acquires", "evacuated": "relocated", "crash": "accident"}


@dataclass(frozen=True)
class EventType:
    """An event type: per language, phrasings of the title and lead (index-aligned: English phrasing j is
    the ideal translation of Chinese phrasing j), and body sentences in two wordings each."""

    name: str
    titles: dict[str, tuple[str, ...]]
    leads: dict[str, tuple[str, ...]]
    body: dict[str, tuple[tuple[str, str], ...]]


def _types() -> list[EventType]:
    return [
        EventType("customs", {
            "zh": ("{city}海关查获走私{goods}，案值{amt}亿元", "案值{amt}亿元！{city}海关破获一起{goods}走私案",
                   "{city}海关联手警方打掉{goods}走私团伙 涉案{amt}亿元"),
            "en": ("{city} customs seizes smuggled {goods} worth {amt_m} million yuan",
                   "{amt_m} million yuan: {city} customs cracks {goods} smuggling case",
                   "{city} customs and police bust {goods} smuggling ring, {amt_m} million yuan involved")}, {
            "zh": ("{date}，{city}海关通报称，查获一批走私{goods}，案值约{amt}亿元，{n}名犯罪嫌疑人被抓获。",
                   "记者从{city}海关获悉，该关近日破获一起走私{goods}案件，抓获嫌疑人{n}名，涉案金额{amt}亿元。",
                   "{city}海关{date}发布消息，一个走私{goods}的团伙被打掉，{n}人落网，涉案货值达{amt}亿元。"),
            "en": ("Customs in {city} said on {date} it had seized a batch of smuggled {goods} worth about {amt_m} million yuan and caught {n} suspects.",
                   "{city} customs recently cracked a case of smuggling {goods}, arresting {n} suspects, with {amt_m} million yuan involved.",
                   "{city} customs announced on {date} that a gang smuggling {goods} had been broken up, with {n} people arrested and goods worth {amt_m} million yuan.")}, {
            "zh": (("据介绍，这批{goods}藏匿于集装箱夹层中，企图蒙混过关。", "这批{goods}被藏在集装箱的夹层内，试图逃避监管。"),
                   ("海关关员在查验中发现报关单与实际货物不符。", "查验人员注意到申报信息与货物明显不一致。"),
                   ("目前，案件正在进一步侦办中。", "案件仍在进一步调查之中。"),
                   ("今年以来，{city}海关已累计查办走私案件{k}起。", "{city}海关今年已办理走私案件共{k}起。")),
            "en": (("The {goods} were hidden in the false walls of shipping containers to pass inspection.",
                    "The batch of {goods} was concealed inside container compartments to evade checks."),
                   ("Officers found during inspection that the declaration did not match the goods.",
                    "Inspectors noticed the declared information clearly differed from the cargo."),
                   ("The case is under further investigation.", "Investigators are still working on the case."),
                   ("Since January, {city} customs has handled {k} smuggling cases.",
                    "{city} customs has dealt with {k} smuggling cases this year."))}),
        EventType("rainstorm", {
            "zh": ("{city}遭遇特大暴雨 已致{n}人死亡", "暴雨袭击{city}，{n}人遇难{k}千人转移", "{city}强降雨造成{n}人死亡"),
            "en": ("Torrential rain hits {city}, killing {n}", "Rainstorm hits {city}: {n} dead, {k},000 evacuated",
                   "Heavy rainfall in {city} leaves {n} dead")}, {
            "zh": ("{date}起，{city}遭遇特大暴雨袭击，截至目前已造成{n}人死亡，{k}千余人紧急转移。",
                   "受强对流天气影响，{city}{date}出现暴雨，当地已确认{n}人遇难，约{k}千名群众被转移安置。",
                   "{city}应急管理局{date}表示，持续强降雨已导致{n}人死亡，{k}千多人被疏散。"),
            "en": ("Since {date}, {city} has been hit by torrential rain that has killed {n} people so far, and more than {k},000 were evacuated.",
                   "Severe convective weather brought a rainstorm to {city} on {date}; {n} deaths are confirmed and about {k},000 residents were relocated.",
                   "The {city} emergency management bureau said on {date} that continuous heavy rain had killed {n} people and over {k},000 were evacuated.")}, {
            "zh": (("多条道路积水严重，部分地铁站临时关闭。", "不少路段严重积水，一些地铁站暂停运营。"),
                   ("气象部门发布暴雨红色预警，提醒市民减少外出。", "气象台发出暴雨红色预警，建议市民尽量不要出门。"),
                   ("救援人员正在受灾地区搜救被困群众。", "救援队伍正在灾区搜寻被困人员。"),
                   ("当地已启动防汛二级应急响应。", "当地防汛应急响应已提升至二级。")),
            "en": (("Many roads were flooded and some metro stations closed temporarily.",
                    "Several streets were under water and some subway stations suspended service."),
                   ("Forecasters issued a red rainstorm alert, urging residents to stay indoors.",
                    "The weather service put out a red alert for rain and advised people not to go out."),
                   ("Rescuers are searching affected areas for trapped residents.",
                    "Rescue teams are looking for people trapped in the disaster zone."),
                   ("Authorities launched a level-two flood emergency response.",
                    "The local flood response was raised to level two."))}),
        EventType("earnings", {
            "zh": ("{company}一季度净利润同比增长{pct}%", "{company}发布财报：净利润大增{pct}%", "{company}季度盈利增{pct}% 营收{amt}亿元"),
            "en": ("{company} first-quarter net profit rose {pct}% year on year", "{company} results: net profit jumps {pct}%",
                   "{company} quarterly profit up {pct}%, revenue {amt_m} million yuan")}, {
            "zh": ("{company}{date}晚间发布公告，一季度实现营业收入{amt}亿元，净利润同比增长{pct}%。",
                   "{company}最新财报显示，公司第一季度净利润同比大增{pct}%，营收达到{amt}亿元。",
                   "据{company}{date}披露的季报，公司当季营收{amt}亿元，归母净利润增长{pct}%。"),
            "en": ("{company} announced on the evening of {date} first-quarter revenue of {amt_m} million yuan and a {pct}% rise in net profit.",
                   "The latest results of {company} show first-quarter net profit up {pct}% year on year, on revenue of {amt_m} million yuan.",
                   "According to the quarterly report {company} released on {date}, revenue was {amt_m} million yuan and net profit grew {pct}%.")}, {
            "zh": (("公司表示，业绩增长主要得益于海外市场销售放量。", "公司称，海外销售大幅增加推动了业绩增长。"),
                   ("毛利率较去年同期提升{k}个百分点。", "毛利率同比上升了{k}个百分点。"),
                   ("分析师认为，公司全年业绩有望超出市场预期。", "有分析人士指出，公司全年表现或将好于预期。"),
                   ("公告发布后，公司股价盘后上涨。", "消息公布后，该公司股价在盘后交易中走高。")),
            "en": (("The company said growth came mainly from higher overseas sales.",
                    "The company credited strong overseas sales for the growth."),
                   ("Gross margin improved by {k} percentage points from a year earlier.",
                    "Gross margin was up {k} percentage points year on year."),
                   ("Analysts expect full-year results to beat market forecasts.",
                    "Some analysts say the full year could come in above expectations."),
                   ("Shares rose in after-hours trading following the announcement.",
                    "The stock climbed after hours once the news was out."))}),
        EventType("earthquake", {
            "zh": ("{city}附近发生{mag}级地震", "{city}发生{mag}级地震 震源深度{k}公里", "突发：{city}{mag}级地震，暂无人员伤亡报告"),
            "en": ("Magnitude {mag} earthquake strikes near {city}", "{mag}-magnitude quake hits {city} at a depth of {k} km",
                   "Breaking: {mag} earthquake in {city}, no casualties reported yet")}, {
            "zh": ("中国地震台网正式测定，{date}{city}附近发生{mag}级地震，震源深度{k}公里。",
                   "据中国地震台网消息，{city}{date}发生{mag}级地震，震源深度约{k}公里，多地有震感。",
                   "{date}，{city}一带发生{mag}级地震，震源深度{k}公里，目前尚无伤亡报告。"),
            "en": ("The China Earthquake Networks Center measured a magnitude {mag} earthquake near {city} on {date}, at a depth of {k} kilometres.",
                   "A magnitude {mag} earthquake struck {city} on {date} at a depth of about {k} km and was felt in several places, the China Earthquake Networks Center said.",
                   "A magnitude {mag} quake hit the {city} area on {date} at a depth of {k} km, with no casualties reported so far.")}, {
            "zh": (("震中附近居民表示，房屋晃动明显。", "住在震中周边的居民说，房子摇晃得很厉害。"),
                   ("当地已派出工作组赶赴震区核查灾情。", "当地工作组已前往震区了解受灾情况。"),
                   ("铁路部门对途经线路进行了安全检查。", "铁路方面对相关线路开展了安全排查。"),
                   ("专家称，后续可能发生余震。", "有专家提醒，接下来可能出现余震。")),
            "en": (("Residents near the epicentre said their houses shook noticeably.",
                    "People living close to the epicentre said buildings swayed strongly."),
                   ("Local officials sent a team to the area to assess the damage.",
                    "A local task force went to the quake zone to check for damage."),
                   ("Railway operators carried out safety checks on nearby lines.",
                    "Rail authorities inspected the lines running through the area."),
                   ("Experts warned that aftershocks may follow.", "Experts said aftershocks were possible."))}),
        EventType("fire", {
            "zh": ("{city}一{company}工厂起火 {n}人受伤", "{company}位于{city}的工厂发生火灾，{n}人受伤", "{city}工厂大火：{company}厂房被烧毁"),
            "en": ("Fire breaks out at {company} factory in {city}, {n} injured", "{company} plant in {city} catches fire, injuring {n}",
                   "{city} factory blaze: {company} workshop destroyed")}, {
            "zh": ("{date}凌晨，{company}位于{city}的一处工厂发生火灾，造成{n}人受伤。",
                   "记者{date}获悉，{city}{company}厂区突发大火，{n}名工人受伤被送医。",
                   "{city}消防部门称，{company}工厂{date}起火，火势已被扑灭，{n}人受伤。"),
            "en": ("In the early hours of {date}, a fire broke out at a {company} factory in {city}, injuring {n} people.",
                   "A fire suddenly broke out at the {company} site in {city} on {date}, and {n} workers were taken to hospital.",
                   "The {city} fire department said a fire at the {company} factory on {date} had been put out, with {n} injured.")}, {
            "zh": (("消防部门出动{k}辆消防车赶赴现场。", "消防方面派出了{k}辆消防车前往救援。"),
                   ("起火原因正在调查中。", "火灾原因尚待查明。"),
                   ("伤者已被送往附近医院救治，暂无生命危险。", "受伤人员已送医，目前没有生命危险。"),
                   ("公司表示将配合调查并暂停相关生产线。", "该公司称会配合调查，相关产线已暂时停产。")),
            "en": (("Firefighters sent {k} engines to the scene.", "The fire service dispatched {k} fire trucks."),
                   ("The cause of the fire is under investigation.", "What started the fire is not yet known."),
                   ("The injured were taken to a nearby hospital and are in stable condition.",
                    "Those hurt are in hospital and their lives are not in danger."),
                   ("The company said it would cooperate with the inquiry and has halted the production line.",
                    "The firm said it is assisting investigators and has suspended the affected line."))}),
        EventType("layoffs", {
            "zh": ("{company}宣布裁员{n}人", "{company}将裁减约{n}个岗位", "{company}启动重组，计划裁员{n}人"),
            "en": ("{company} announces {n} job cuts", "{company} to cut about {n} jobs",
                   "{company} launches restructuring, plans to lay off {n}")}, {
            "zh": ("{company}{date}宣布，将在全球范围内裁员{n}人，以削减成本。",
                   "{company}{date}表示，公司计划裁减约{n}个工作岗位，占员工总数的{pct}%。",
                   "为应对需求放缓，{company}{date}启动重组计划，预计裁员{n}人。"),
            "en": ("{company} announced on {date} that it will cut {n} jobs worldwide to reduce costs.",
                   "{company} said on {date} it plans to eliminate about {n} positions, {pct}% of its workforce.",
                   "Facing slowing demand, {company} launched a restructuring plan on {date} that is expected to cut {n} jobs.")}, {
            "zh": (("裁员将主要涉及行政和销售部门。", "被裁岗位主要集中在行政和销售条线。"),
                   ("公司预计此举每年可节省约{k}亿元。", "公司估计，这一举措每年能节约{k}亿元左右。"),
                   ("工会对此表示反对。", "工会方面对裁员计划提出异议。"),
                   ("受影响员工将获得补偿。", "被裁员工将得到相应补偿。")),
            "en": (("The cuts will mainly affect administrative and sales staff.",
                    "Most of the positions are in administration and sales."),
                   ("The company expects to save about {k}00 million yuan a year.",
                    "The firm estimates annual savings of roughly {k}00 million yuan."),
                   ("Trade unions opposed the move.", "Unions have objected to the plan."),
                   ("Affected employees will receive compensation.", "Staff who lose their jobs will be compensated."))}),
        EventType("subway", {
            "zh": ("{city}地铁{line}号线正式开通", "{city}地铁{line}号线开通运营 全长{k}公里", "{city}又一条地铁线开通：{line}号线设{n}座车站"),
            "en": ("{city} metro line {line} officially opens", "{city} metro line {line} opens, {k} km long",
                   "Another {city} subway line opens: line {line} with {n} stations")}, {
            "zh": ("{date}，{city}地铁{line}号线正式开通运营，线路全长{k}公里，共设车站{n}座。",
                   "{city}地铁{line}号线于{date}开通，这条全长{k}公里的线路设有{n}座车站。",
                   "记者{date}从{city}地铁集团获悉，{line}号线当天开通，全长约{k}公里，{n}座车站。"),
            "en": ("On {date}, {city} metro line {line} officially opened; it is {k} km long with {n} stations.",
                   "{city} metro line {line} opened on {date}; the {k}-kilometre line has {n} stations.",
                   "{city} Metro Group said line {line} opened on {date}, about {k} km long with {n} stations.")}, {
            "zh": (("新线连接市中心与东部新区。", "该线路贯通中心城区和东部新区。"),
                   ("开通首日客流量超过预期。", "首日乘客数量高于预计。"),
                   ("至此，{city}地铁运营里程进一步增加。", "这使{city}地铁运营总里程再创新高。"),
                   ("全程票价最高为{pct}元。", "单程最高票价{pct}元。")),
            "en": (("The new line links the city centre with the eastern district.",
                    "The line connects downtown with the new eastern area."),
                   ("Ridership on the first day exceeded expectations.", "More passengers than expected rode on day one."),
                   ("The opening extends {city}'s metro network further.", "{city}'s metro network reaches a new length."),
                   ("The maximum fare is {pct} yuan.", "A single ride costs at most {pct} yuan."))}),
        EventType("crash", {
            "zh": ("{city}发生客车事故 致{n}死{k}伤", "{city}一大巴侧翻，{n}人死亡", "{city}境内高速发生严重车祸 {n}人遇难"),
            "en": ("Bus accident in {city} leaves {n} dead, {k} injured", "Bus overturns in {city}, killing {n}",
                   "Serious crash on {city} expressway kills {n}")}, {
            "zh": ("{date}下午，一辆客车在{city}境内发生事故，造成{n}人死亡、{k}人受伤。",
                   "据{city}交警通报，{date}一辆大巴在高速公路上侧翻，事故致{n}人死亡，{k}人受伤。",
                   "{date}，{city}境内一条高速公路发生严重交通事故，{n}人遇难，另有{k}人受伤。"),
            "en": ("On the afternoon of {date}, a bus crashed in {city}, killing {n} people and injuring {k}.",
                   "{city} traffic police said a bus overturned on the expressway on {date}, killing {n} and injuring {k}.",
                   "A serious traffic accident on an expressway in {city} on {date} killed {n} people and injured {k} others.")}, {
            "zh": (("伤者已被送往医院救治。", "受伤人员已送医。"),
                   ("事故原因正在进一步调查中。", "事故原因有待进一步调查。"),
                   ("事发路段一度实行交通管制。", "事故路段曾临时封闭。"),
                   ("当地政府已成立事故处置工作组。", "当地已组建专门工作组处理善后。")),
            "en": (("The injured were taken to hospital.", "Those hurt were sent to hospital."),
                   ("The cause of the accident is being investigated.", "Police are looking into the cause of the crash."),
                   ("Traffic on the section was closed for a time.", "The road section was temporarily shut."),
                   ("The local government set up a team to handle the aftermath.",
                    "Local authorities formed a task force to deal with the aftermath."))}),
    ]


EVENT_TYPES = _types()
DEFINING = {"customs": ("city",), "rainstorm": ("city",), "earnings": ("company",), "earthquake": ("city",),
            "fire": ("company",), "layoffs": ("company",), "subway": ("city",), "crash": ("city",)}


def _slots(rng: random.Random, kind: str, date: tuple[int, int], keep: dict[str, Any] | None = None) -> dict[str, Any]:
    """Slot values of one event; ``keep`` carries the values a hard negative shares with its sibling."""
    city = rng.randrange(len(CITIES))
    company = rng.randrange(len(COMPANIES))
    values: dict[str, Any] = {"city": city, "company": company, "goods": rng.randrange(len(GOODS)),
                              "amt": round(rng.uniform(0.2, 19.9), 1), "n": rng.randint(2, 150),
                              "k": rng.randint(2, 90), "pct": rng.randint(3, 95), "line": rng.randint(2, 25),
                              "mag": round(rng.uniform(3.0, 6.9), 1), "date": date, "kind": kind,
                              "quotes": [(rng.randrange(len(SURNAMES)), rng.randrange(len(GIVEN)), rng.randrange(len(ROLES)),
                                          rng.randrange(len(STATEMENTS))) for _ in range(rng.randint(1, 2))]}
    if kind == "layoffs":
        values["n"] = rng.randint(2, 90) * 100
    if keep:
        values.update(keep)
    return values


def _fill(template: str, slots: dict[str, Any], language: str) -> str:
    month, day = slots["date"]
    index = 0 if language == "zh" else 1
    return template.format(
        city=CITIES[slots["city"]][index], company=COMPANIES[slots["company"]][index],
        goods=GOODS[slots["goods"]][index], amt=slots["amt"], amt_m=int(round(slots["amt"] * 100)), n=slots["n"],
        k=slots["k"], pct=slots["pct"], line=slots["line"], mag=slots["mag"],
        date=f"{month}月{day}日" if language == "zh" else f"{MONTHS[month - 1]} {day}")


def _quotes(slots: dict[str, Any], language: str, wording: int) -> list[str]:
    """The event's own sentences: who said what (names and statements vary from event to event)."""
    index = 0 if language == "zh" else 1
    out = []
    for surname, given, role, statement in slots["quotes"]:
        person = (SURNAMES[surname][0] + GIVEN[given][0]) if index == 0 else f"{SURNAMES[surname][1]} {GIVEN[given][1]}"
        said = STATEMENTS[statement][index]
        out.append(QUOTES[language][wording].format(role=ROLES[role][index], person=person, statement=said,
                                                    statement_cap=said[:1].upper() + said[1:]))
    return out


def _join(sentences: Sequence[str], language: str) -> str:
    return ("" if language == "zh" else " ").join(sentences)


def _mt(text: str, rng: random.Random) -> str:
    """The ideal translation, with an MT system's word choice here and there."""
    words = text.split(" ")
    return " ".join(MT_SYNONYMS.get(w, w) if rng.random() < 0.3 else w for w in words)


@dataclass
class _Writer:
    rng: random.Random
    events: int = 0
    items: int = 0

    def item(self, event: EventType, slots: dict[str, Any], language: str, phrasing: int, wording: int,
             outlet: str, *, day_offset_h: int) -> Item:
        rng = self.rng
        title = _fill(event.titles[language][phrasing], slots, language)
        lead = _fill(event.leads[language][phrasing], slots, language)
        body = [_fill(pair[wording if rng.random() < 0.8 else 1 - wording], slots, language)
                for pair in event.body[language]]
        rng.shuffle(body)
        body = body[:rng.randint(2, len(body))]
        quotes = _quotes(slots, language, wording)
        at = rng.randint(0, len(body))
        text = _join([lead, *body[:at], *quotes, *body[at:]], language)
        month, day = slots["date"]
        hour = day_offset_h + rng.randint(0, 9)
        self.items += 1
        item = {"key": f"{outlet}#{self.items}", "feed": f"https://feeds.example/{outlet.replace(' ', '-').lower()}",
                "feed_title": outlet, "language": language, "title": title, "lead": lead, "text": text,
                "title_translation": "", "lead_translation": "",
                "date": f"2026-{month:02d}-{day + hour // 24:02d}T{hour % 24:02d}:{rng.randint(0, 59):02d}:00Z",
                "link": f"https://news.example/{self.items}"}
        if language == "zh":
            item["title_translation"] = _mt(_fill(event.titles["en"][phrasing], slots, "en"), rng)
            item["lead_translation"] = _mt(_fill(event.leads["en"][phrasing], slots, "en"), rng)
        return item

    def copy(self, original: Item, outlet: str, retitle: tuple[str, str] | None = None) -> Item:
        """A wire copy: the outlet's suffix or its own headline (``retitle``: title and its translation), a word
        or character changed, a credit line, maybe two sentences swapped; or an excerpt (title and lead only)."""
        rng = self.rng
        language = original["language"]
        item = dict(original)
        self.items += 1
        item.update(key=f"{outlet}#{self.items}", feed=f"https://feeds.example/{outlet.replace(' ', '-').lower()}",
                    feed_title=outlet, link=f"https://news.example/{self.items}")
        sep = "｜" if language == "zh" else " | "
        if retitle is not None:
            item["title"] = retitle[0]
            if language == "zh":
                item["title_translation"] = retitle[1]
        elif rng.random() < 0.5:
            item["title"] = f"{original['title']}{sep}{outlet}"
        if rng.random() < 0.2:
            item["text"] = original["lead"]
            return item
        if language == "zh":
            sentences = [s + "。" for s in original["text"].split("。") if s]
            credit = f"（来源：{outlet}，责任编辑：{rng.choice('王李张刘陈杨')}{rng.choice('明华强伟芳静')}）"
        else:
            sentences = [s + "." for s in original["text"].split(". ") if s]
            sentences = [s[:-1] if s.endswith("..") else s for s in sentences]
            credit = f"(Reporting by {outlet} staff; editing by {rng.choice(['Tom', 'Ann', 'Lee', 'Kim'])})"
        if len(sentences) > 2 and rng.random() < 0.5:
            a, b = rng.sample(range(1, len(sentences)), 2)
            sentences[a], sentences[b] = sentences[b], sentences[a]
        k = rng.randrange(len(sentences))
        s = sentences[k]
        if language == "zh" and len(s) > 4:
            at = rng.randrange(len(s) - 1)
            s = s[:at] + rng.choice("的了在和将已") + s[at + 1:]
        elif language != "zh":
            words = s.split(" ")
            at = rng.randrange(len(words))
            words[at] = rng.choice(["the", "a", "also", "now"])
            s = " ".join(words)
        sentences[k] = s
        item["text"] = _join([*sentences, credit], language)
        item["lead"] = sentences[0]  # what the pipeline takes as the lead: the text's first sentence
        return item


def labelled_items(n_groups: int, *, seed: int = 0, languages: Sequence[str] = ("zh", "en"),
                   hard_negative_share: float = 0.35, singleton_share: float = 0.3) -> tuple[list[Item], list[list[int]]]:
    """``n_groups`` events as items (dicts with the fields of ``StoryInput`` plus ``feed_title`` and ``link``),
    shuffled, and the gold groups (indexes into the items; one per event, singletons included). Chinese
    items carry their English translation; English items need none."""
    for language in languages:
        if language not in ("zh", "en"):
            raise ValueError(f"the labelled set is written in zh and en, not {language!r}")
    rng = random.Random(seed)
    writer = _Writer(rng)
    groups: list[list[Item]] = []
    previous: list[tuple[EventType, dict[str, Any]]] = []
    for _ in range(n_groups):
        if previous and rng.random() < hard_negative_share:
            # A hard negative: the same kind of event on the same days, in another place or at another company
            # (what defines the event changes; what does not may stay: the goods, the city of a company's fire).
            event, sibling = rng.choice(previous)
            month, day = sibling["date"]
            keep: dict[str, Any] = {"goods": sibling["goods"], "city": sibling["city"], "company": sibling["company"]}
            defining = DEFINING[event.name]
            for name in defining:
                del keep[name]
            slots = _slots(rng, event.name, (month, max(1, min(25, day + rng.randint(-1, 1)))), keep)
            for name in defining:
                while slots[name] == sibling[name]:
                    slots[name] = rng.randrange(len(CITIES if name == "city" else COMPANIES))
        else:
            event = rng.choice(EVENT_TYPES)
            slots = _slots(rng, event.name, (rng.randint(1, 12), rng.randint(1, 25)))
        previous.append((event, slots))
        language = rng.choice(list(languages))
        phrasing = rng.randrange(3)
        members = [writer.item(event, slots, language, phrasing, 0, rng.choice(OUTLETS[language]), day_offset_h=0)]
        if rng.random() >= singleton_share:
            for _ in range(rng.choice([0, 1, 1, 2, 3])):
                retitle = None
                if rng.random() < 0.25:  # the outlet's own headline over the wire text
                    other = rng.choice([p for p in range(3) if p != phrasing])
                    retitle = (_fill(event.titles[language][other], slots, language),
                               _mt(_fill(event.titles["en"][other], slots, "en"), rng))
                members.append(writer.copy(members[0], rng.choice(OUTLETS[language]), retitle))
            for _ in range(rng.choice([0, 1, 1, 2])):
                other = rng.choice([p for p in range(3) if p != phrasing])
                members.append(writer.item(event, slots, language, other, 1, rng.choice(OUTLETS[language]),
                                           day_offset_h=rng.randint(0, 30)))
            others = [lang for lang in languages if lang != language]
            if others:
                for _ in range(rng.choice([0, 1, 1, 2])):
                    foreign = rng.choice(others)
                    members.append(writer.item(event, slots, foreign, rng.randrange(3), rng.randrange(2),
                                               rng.choice(OUTLETS[foreign]), day_offset_h=rng.randint(0, 30)))
        groups.append(members)
    flat = [(g, item) for g, members in enumerate(groups) for item in members]
    rng.shuffle(flat)
    gold: list[list[int]] = [[] for _ in groups]
    items: list[Item] = []
    for index, (g, item) in enumerate(flat):
        gold[g].append(index)
        items.append(item)
    return items, gold


def story_inputs(items: Sequence[Item]) -> list[StoryInput]:
    """The items as ``group_stories`` takes them."""
    return [StoryInput(key=item["key"], language=item["language"], title=item["title"], lead=item["lead"],
                       text=item["text"], title_translation=item["title_translation"],
                       lead_translation=item["lead_translation"], date=item["date"], feed=item["feed"])
            for item in items]


NEAR_DUPLICATE_GRID = (0.5, 0.6, 0.7, 0.8, 0.9)
SAME_EVENT_GRID = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)
MIN_PRECISION = 0.95


def choose_thresholds(items: Sequence[Item], gold: Sequence[Sequence[int]], *,
                      near_duplicate_grid: Sequence[float] = NEAR_DUPLICATE_GRID,
                      same_event_grid: Sequence[float] = SAME_EVENT_GRID,
                      min_precision: float = MIN_PRECISION) -> tuple[float, float, list[dict[str, float]]]:
    """Sweep both thresholds; pick the best pairwise F1 (to 3 decimals) whose precision is at least
    ``min_precision``; among ties, the middle of the plateau (away from both edges). Returns
    (near_duplicate, same_event, table)."""
    inputs = story_inputs(items)
    table: list[dict[str, float]] = []
    for near in near_duplicate_grid:
        for same in same_event_grid:
            score = score_grouping(group_stories(inputs, near_duplicate=near, same_event=same), gold)
            table.append({"near_duplicate": near, "same_event": same, **score})
    eligible = [row for row in table if row["precision"] >= min_precision] or table
    top = max(round(row["f1"], 3) for row in eligible)
    ties = sorted((row for row in eligible if round(row["f1"], 3) == top),
                  key=lambda row: (row["near_duplicate"], row["same_event"]))
    best = ties[(len(ties) - 1) // 2]
    return best["near_duplicate"], best["same_event"], table


def main_choose_thresholds(n_groups: int = 400) -> tuple[float, float]:
    """Print the sweep on the development split (seed 0), the choice, and its held-out (seed 1) scores."""
    from summarize import stories

    items, gold = labelled_items(n_groups, seed=0)
    near, same, table = choose_thresholds(items, gold)
    print(f"development split: seed 0, {n_groups} events, {len(items)} items, "
          f"{sum(len(g) * (len(g) - 1) // 2 for g in gold)} same-story pairs")
    print(f"{'near_dup':>8} {'same_ev':>7} {'precision':>9} {'recall':>7} {'f1':>6}")
    for row in table:
        mark = " <" if (row["near_duplicate"], row["same_event"]) == (near, same) else ""
        print(f"{row['near_duplicate']:>8.2f} {row['same_event']:>7.2f} {row['precision']:>9.3f} "
              f"{row['recall']:>7.3f} {row['f1']:>6.3f}{mark}")
    print(f"chosen (best F1 with precision >= {MIN_PRECISION}): near_duplicate={near} same_event={same}; "
          f"in summarize/stories.py: NEAR_DUPLICATE_JACCARD={stories.NEAR_DUPLICATE_JACCARD} "
          f"SAME_EVENT_SIMILARITY={stories.SAME_EVENT_SIMILARITY}")
    held, held_gold = labelled_items(n_groups, seed=1)
    score = score_grouping(group_stories(story_inputs(held), near_duplicate=near, same_event=same), held_gold)
    print(f"held out (seed 1, {len(held)} items): precision {score['precision']:.3f} recall {score['recall']:.3f} "
          f"f1 {score['f1']:.3f}")
    choose_same_language(items, gold)
    return near, same


def garbled(inputs: Sequence[StoryInput], seed: int = 0) -> list[StoryInput]:
    """The inputs as a poor model would translate them: a third of each translation's words, shuffled."""
    import dataclasses

    rng = random.Random(seed)

    def garble(text: str) -> str:
        words = text.split()
        rng.shuffle(words)
        return " ".join(words[:max(1, len(words) // 3)]) if words else ""

    return [dataclasses.replace(i, title_translation=garble(i.title_translation),
                                lead_translation=garble(i.lead_translation)) if i.title_translation else i
            for i in inputs]


def choose_same_language(items: Sequence[Item], gold: Sequence[Sequence[int]]) -> float:
    """Sweep the stricter threshold at which two translated items of one language are joined by their source
    text: the highest recall with garbled translations while precision with ideal ones stays >= MIN_PRECISION."""
    from summarize import stories

    inputs = story_inputs(items)
    poor = garbled(inputs)
    print(f"{'same_lang':>9} {'ideal P':>8} {'ideal R':>8} {'garbled P':>10} {'garbled R':>10}")
    best, best_recall = 1.0, -1.0
    for value in (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0):
        ideal = score_grouping(group_stories(inputs, same_language=value), gold)
        bad = score_grouping(group_stories(poor, same_language=value), gold)
        print(f"{value:>9.2f} {ideal['precision']:>8.3f} {ideal['recall']:>8.3f} {bad['precision']:>10.3f} "
              f"{bad['recall']:>10.3f}")
        if ideal["precision"] >= MIN_PRECISION and bad["precision"] >= MIN_PRECISION and bad["recall"] > best_recall:
            best, best_recall = value, bad["recall"]
    print(f"chosen: same_language={best}; in summarize/stories.py: "
          f"SAME_LANGUAGE_SIMILARITY={stories.SAME_LANGUAGE_SIMILARITY}")
    return best


if __name__ == "__main__":
    main_choose_thresholds()
