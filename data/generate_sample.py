"""Deterministic generator of each jurisdiction's alliance registry, written as that bureau's messy exports.

    python data/generate_sample.py [--out DIR] [--seed 42]     # the committed Tianjin sample (data/sample/tianjin/)
    python data/generate_sample.py --sample zhejiang           # another bureau's (data/sample/zhejiang/)
    python data/generate_sample.py --all                       # all five (make sample)
    python data/generate_sample.py --scale [--out DIR]         # national-scale benchmark set (data/scale/)
    python data/generate_sample.py --scale --scale-size 450k   # the benchmark's sizes: 120k, 450k, 1.7m member rows

What the Tianjin sample models, and why each piece is there (the dashboard has to find or survive all
of it); the other four are described where they are built ("The other four jurisdictions" below):

* The registry: ~120 alliances under Tianjin's 2018 rules (备案, ≥10 members, three-year
  evaluation, ≤50万 filing / 50万 pilot / ≤30万 evaluation subsidies), filed 2010–2026 with a
  bump in 2016–2020 (十三五 growth). Fields are free text over the ten clusters with uneven
  coverage: 现代冶金 empty, 航空航天 and 现代石化 thin, and six fields fitting no cluster so the
  未归类 bucket is non-empty.
* Lifecycles: 申请 → 形式审查 → 技术审查 → 专家评审 → 公示 → 备案 a few weeks apart; failed applicants
  (不通过, back to 组建中) and ones still in progress (申请中); 三年评估 every three years, some
  deliberately overdue; revocations after 不合格, after missing annual reports or on request;
  national pilots; a 不合格 followed by a 复审.
* Members: 产·学·研·金·介 mixes with exactly one 理事长单位 (the 牵头单位 of the registry), a few
  alliances under the ten-member floor, ~8 % of units registered in Beijing or Hebei
  (京津冀), real universities and institutes next to invented firms, the same unit in several
  alliances, later joiners and leavers, and 统一社会信用代码 that pass the GB 32100-2015 check.
* Money and reports: subsidies paid under batch documents (津科资〔2019〕12号), two above the
  cap and one recovered; annual reports each year after filing with some missing.
* Messy exports, as bureaus really send them: title rows and merged cells, alias headers, dates
  as Excel cells, serial numbers, 2019/3/5, 2019年3月5日 and month-only 2019.03, money as
  "50万元", "300,000元" or bare 万元 numbers, GBK and UTF-8-with-BOM CSV, stray spaces and
  half-width brackets in names. Every value stays one a loader following loaders/schema.py
  accepts.

Only ``random.Random(seed)`` drives it and "today" is the constant TODAY, so the same seed gives
the same files; workbook properties and zip timestamps are fixed so the .xlsx are byte-stable.
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import time
import zipfile
from bisect import bisect
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate
from operator import mul
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Iterable, Sequence, TypeVar

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

TODAY = date(2026, 11, 21)        # the registry's "now": no date in the data is later
FIRST_DAY = date(2010, 1, 1)      # the programme's first day: no date in the data is earlier
LAST_REPORT_YEAR = 2025           # 2026 annual reports are not due before the year ends
EXCEL_EPOCH = date(1899, 12, 30)
WORKBOOK_TIME = datetime(2026, 11, 21, 9, 0, 0)
ZIP_TIME = (2026, 11, 21, 9, 0, 0)

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
SAMPLE_DIR = HERE / "sample"
SCALE_DIR = HERE / "scale"

# ---------------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """Where a unit is registered and an alliance is based."""

    registered_in: str   # 注册地 as written, e.g. 天津市滨海新区
    code6: str           # 行政区划代码, positions 3–8 of a credit code
    city: str            # prefix of company names: 天津, 北京, 廊坊
    region: str          # 所属区域 of an alliance based here
    abbr: str = "津"     # province abbreviation for document numbers (津科资〔…〕)


# Tianjin's 16 districts with their codes; weights skew filings to 滨海新区, 西青区 and 南开区.
TIANJIN_DISTRICTS: tuple[tuple[str, str, int], ...] = (
    ("和平区", "120101", 3), ("河东区", "120102", 2), ("河西区", "120103", 5), ("南开区", "120104", 12),
    ("河北区", "120105", 3), ("红桥区", "120106", 2), ("东丽区", "120110", 6), ("西青区", "120111", 14),
    ("津南区", "120112", 5), ("北辰区", "120113", 6), ("武清区", "120114", 5), ("宝坻区", "120115", 2),
    ("滨海新区", "120116", 30), ("宁河区", "120117", 1), ("静海区", "120118", 3), ("蓟州区", "120119", 1),
)
TIANJIN = tuple(Place(f"天津市{d}", code, "天津", d) for d, code, _ in TIANJIN_DISTRICTS)
TIANJIN_WEIGHTS = tuple(w for _, _, w in TIANJIN_DISTRICTS)

# Beijing and Hebei, where Tianjin alliances find their out-of-town (京津冀) members.
JINGJI = (
    Place("北京市海淀区", "110108", "北京", "海淀区", "京"), Place("北京市朝阳区", "110105", "北京", "朝阳区", "京"),
    Place("北京市大兴区", "110115", "北京", "大兴区", "京"), Place("北京市昌平区", "110114", "北京", "昌平区", "京"),
    Place("北京市西城区", "110102", "北京", "西城区", "京"), Place("河北省石家庄市", "130100", "石家庄", "石家庄市", "冀"),
    Place("河北省唐山市", "130200", "唐山", "唐山市", "冀"), Place("河北省秦皇岛市", "130300", "秦皇岛", "秦皇岛市", "冀"),
    Place("河北省保定市", "130600", "保定", "保定市", "冀"), Place("河北省沧州市", "130900", "沧州", "沧州市", "冀"),
    Place("河北省廊坊市", "131000", "廊坊", "廊坊市", "冀"),
)
PLACES = {p.registered_in: p for p in TIANJIN + JINGJI}

# Provinces for --scale: (name, code, abbreviation, cities). City codes are province + city
# index: plausible in shape, which is all a credit-code check looks at.
PROVINCES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("北京市", "11", "京", ()), ("天津市", "12", "津", ()), ("上海市", "31", "沪", ()), ("重庆市", "50", "渝", ()),
    ("河北省", "13", "冀", ("石家庄", "唐山", "秦皇岛", "邯郸", "保定", "沧州", "廊坊")),
    ("山西省", "14", "晋", ("太原", "大同", "长治", "晋城")),
    ("内蒙古自治区", "15", "蒙", ("呼和浩特", "包头", "鄂尔多斯")),
    ("辽宁省", "21", "辽", ("沈阳", "大连", "鞍山", "营口")),
    ("吉林省", "22", "吉", ("长春", "吉林", "四平")),
    ("黑龙江省", "23", "黑", ("哈尔滨", "齐齐哈尔", "大庆", "牡丹江")),
    ("江苏省", "32", "苏", ("南京", "无锡", "徐州", "常州", "苏州", "南通", "扬州", "泰州")),
    ("浙江省", "33", "浙", ("杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "台州")),
    ("安徽省", "34", "皖", ("合肥", "芜湖", "蚌埠", "马鞍山")),
    ("福建省", "35", "闽", ("福州", "厦门", "泉州", "漳州")),
    ("江西省", "36", "赣", ("南昌", "九江", "赣州", "上饶")),
    ("山东省", "37", "鲁", ("济南", "青岛", "淄博", "烟台", "潍坊", "济宁", "威海")),
    ("河南省", "41", "豫", ("郑州", "洛阳", "新乡", "许昌", "南阳")),
    ("湖北省", "42", "鄂", ("武汉", "黄石", "宜昌", "襄阳")),
    ("湖南省", "43", "湘", ("长沙", "株洲", "湘潭", "衡阳")),
    ("广东省", "44", "粤", ("广州", "深圳", "珠海", "佛山", "东莞", "中山", "惠州")),
    ("广西壮族自治区", "45", "桂", ("南宁", "柳州", "桂林")),
    ("海南省", "46", "琼", ("海口", "三亚")),
    ("四川省", "51", "川", ("成都", "绵阳", "德阳", "宜宾")),
    ("贵州省", "52", "黔", ("贵阳", "遵义")),
    ("云南省", "53", "滇", ("昆明", "曲靖", "玉溪")),
    ("西藏自治区", "54", "藏", ("拉萨",)),
    ("陕西省", "61", "陕", ("西安", "宝鸡", "咸阳", "渭南")),
    ("甘肃省", "62", "甘", ("兰州", "天水")),
    ("青海省", "63", "青", ("西宁",)),
    ("宁夏回族自治区", "64", "宁", ("银川",)),
    ("新疆维吾尔自治区", "65", "新", ("乌鲁木齐", "克拉玛依")),
)

# ---------------------------------------------------------------------------------------------
# Industries: sectors, the fields bureaus write, and the words invented firms are named with
# ---------------------------------------------------------------------------------------------

# sector -> (Tianjin cluster, or "" for fields no cluster covers; words in invented firm names)
SECTORS: dict[str, tuple[str, tuple[str, ...]]] = {
    "装备": ("高端装备", ("智能装备", "机器人", "精密机械", "数控技术", "自动化设备", "机电科技", "液压技术", "激光技术")),
    "信息": ("新一代信息技术", ("信息技术", "软件", "电子科技", "微电子", "数据科技", "网络科技", "智能科技", "通信技术")),
    "航空": ("航空航天", ("航空科技", "航天科技", "航空设备", "飞行器")),
    "汽车": ("汽车与新能源汽车", ("汽车零部件", "新能源汽车", "汽车电子", "汽车技术", "动力科技")),
    "医药": ("生物医药与健康", ("生物医药", "医疗器械", "制药", "生物技术", "医药科技", "基因科技", "药业")),
    "能源": ("新能源", ("新能源科技", "光伏科技", "风电设备", "储能技术", "氢能科技", "电池科技")),
    "材料": ("新材料", ("新材料", "复合材料", "膜科技", "纳米科技", "功能材料", "磁材科技")),
    "环保": ("节能环保", ("环保科技", "节能科技", "水处理技术", "环境工程", "再生资源")),
    "石化": ("现代石化", ("石化", "化工", "精细化工", "石油技术")),
    "农业": ("", ("农业科技", "种业", "农业发展")),
    "文化": ("", ("文化传媒", "创意设计", "数字文化")),
    "海洋": ("", ("海洋科技", "海洋工程", "海洋资源")),
    "物流": ("", ("物流", "供应链管理", "智慧物流")),
    "食品": ("", ("食品", "食品科技", "乳业")),
}

# sector -> (topic as it appears in the alliance name, 产业领域 as the bureau wrote it).
# The committed sample uses every topic exactly once, so these lists set its cluster mix.
TOPICS: dict[str, tuple[tuple[str, str], ...]] = {
    "装备": (
        ("工业机器人", "高端装备制造（机器人）"), ("智能制造装备", "智能制造"), ("高档数控机床", "数控机床"),
        ("海洋工程装备", "海工装备"), ("轨道交通装备", "轨道交通"), ("增材制造（3D打印）", "增材制造"),
        ("高端仪器仪表", "仪器仪表"), ("特种机器人", "机器人"), ("服务机器人", "服务机器人"),
        ("智能焊接装备", "高端装备制造（焊接）"), ("液压与气动", "液压"), ("激光加工", "激光加工"),
        ("工程机械", "工程机械"), ("电力装备", "电力装备"), ("精密轴承", "轴承"), ("数字化车间", "智能制造"),
        ("港口机械", "港口机械"), ("船舶与海工配套", "船舶"), ("工业自动化", "工业自动化"),
        ("智能检测装备", "高端装备"), ("农业机械", "农机装备"), ("工业母机", "工业母机"),
        ("精密仪器", "精密仪器"), ("自动化成套装备", "自动化装备"),
    ),
    "信息": (
        ("集成电路", "集成电路"), ("大数据", "大数据"), ("人工智能", "人工智能"), ("网络信息安全", "信息安全"),
        ("云计算", "云计算"), ("物联网", "物联网"), ("工业互联网", "工业互联网"), ("软件和信息服务", "软件"),
        ("区块链", "区块链"), ("智能芯片", "芯片"), ("虚拟现实", "虚拟现实"), ("信息技术应用创新（信创）", "信创"),
        ("5G通信", "5G"), ("高性能计算", "超级计算"), ("光电子", "光电子"), ("电子信息", "电子信息"),
        ("新型显示", "新型显示"), ("数据安全", "网络安全"), ("操作系统", "操作系统"), ("智能语音", "人工智能（语音识别）"),
        ("自主可控计算机", "自主可控"), ("电子元器件", "电子元器件"), ("数据库", "数据库"), ("算力网络", "算力"),
    ),
    "航空": (("航空航天", "航空航天"), ("民用直升机", "直升机")),
    "汽车": (
        ("新能源汽车", "新能源汽车"), ("汽车零部件", "汽车零部件"), ("智能网联汽车（车联网）", "智能网联汽车"),
        ("氢燃料电池汽车", "氢燃料电池汽车"), ("汽车轻量化", "汽车轻量化"), ("电动汽车充换电", "充换电"),
        ("汽车电子", "汽车电子"), ("商用车", "整车"), ("自动驾驶", "自动驾驶"), ("新能源汽车电驱动", "电驱动"),
    ),
    "医药": (
        ("生物医药", "生物医药"), ("医疗器械", "医疗器械"), ("中医药（中药现代化）", "中医药"),
        ("合成生物", "合成生物"), ("精准医学", "精准医疗"), ("生物制药", "生物制药"), ("细胞治疗", "细胞治疗"),
        ("化学制药", "化学药"), ("疫苗", "疫苗"), ("高端医疗装备", "医疗装备"), ("体外诊断", "体外诊断"),
        ("创新药物", "创新药"), ("抗体药物", "抗体"), ("大健康", "大健康"),
    ),
    "能源": (
        ("光伏", "光伏"), ("风电", "风力发电"), ("氢能", "氢能"), ("储能", "储能"), ("锂离子电池", "锂离子电池"),
        ("动力电池", "动力电池"), ("地热能", "地热"), ("智能电网", "智能电网"), ("核电", "核电"),
        ("太阳能热利用", "太阳能"), ("新型电力系统", "新型电力系统"), ("综合能源服务", "综合能源"),
    ),
    "材料": (
        ("稀土永磁", "稀土永磁材料"), ("膜材料与膜技术", "膜材料"), ("高性能纤维", "复合材料"), ("石墨烯", "石墨烯"),
        ("碳纤维", "碳纤维"), ("纳米材料", "纳米材料"), ("先进陶瓷", "先进陶瓷"), ("高分子材料", "高分子材料"),
        ("第三代半导体（碳化硅）", "半导体材料"), ("化工新材料", "化工新材料"), ("高温合金", "高温合金"),
        ("超导材料", "超导"), ("功能材料", "功能材料"), ("光学材料", "光学材料"),
    ),
    "环保": (
        ("节能环保装备", "节能环保装备"), ("水处理", "水处理"), ("大气污染防治", "污染防治"),
        ("固废资源化", "固体废物"), ("海水淡化", "海水淡化"), ("土壤修复", "土壤修复"), ("绿色建筑", "建筑节能"),
        ("再制造", "再制造"), ("工业节能", "节能"), ("环境监测", "环境监测"), ("余热利用", "余热利用"),
        ("资源循环利用", "资源循环利用"),
    ),
    "石化": (("石油化工", "现代石化"), ("精细化工", "精细化工")),
    "农业": (("现代农业", "现代农业"), ("种业", "种业")),
    "文化": (("文化创意", "文化创意"),),
    "海洋": (("海洋经济", "海洋经济"),),
    "物流": (("现代物流", "现代物流"),),
    "食品": (("食品加工", "食品加工"),),
}

# Divisions (归口处室) of the Tianjin bureau by sector.
DIVISIONS = {"医药": "社会发展科技处", "环保": "社会发展科技处", "农业": "农村科技处", "食品": "农村科技处",
             "文化": "成果转化处", "物流": "成果转化处"}
DEFAULT_DIVISION = "高新技术处"

# Industry associations, the typical 其他 member.
ASSOCIATIONS = {"装备": "机械工业", "信息": "软件行业", "航空": "航空航天产业", "汽车": "汽车工业", "医药": "医药行业",
                "能源": "新能源行业", "材料": "新材料行业", "环保": "环境保护产业", "石化": "石油和化学工业",
                "农业": "农业产业化", "文化": "文化创意产业", "海洋": "海洋经济", "物流": "物流与采购", "食品": "食品工业"}

# (name, 注册地, sectors it joins — "*" for all, head of its credit code). Real universities and
# institutes; their credit codes are invented. 河北工业大学 is a Hebei university seated in
# Tianjin, which is why its code says Hebei while its 注册地 says Tianjin.
Curated = tuple[str, str, str, str]
UNIVERSITIES: tuple[Curated, ...] = (
    ("天津大学", "天津市南开区", "*", "12100000"),
    ("南开大学", "天津市南开区", "信息 医药 材料 石化 环保 能源 农业 文化 海洋", "12100000"),
    ("河北工业大学", "天津市红桥区", "装备 能源 材料 汽车 信息", "12130000"),
    ("天津工业大学", "天津市西青区", "材料 装备 信息 环保 文化", "12120000"),
    ("天津科技大学", "天津市滨海新区", "医药 食品 装备 环保 海洋 农业", "12120000"),
    ("天津理工大学", "天津市西青区", "信息 材料 装备 环保 能源", "12120000"),
    ("天津医科大学", "天津市和平区", "医药", "12120000"),
    ("中国民航大学", "天津市东丽区", "航空 装备 信息 物流", "12100000"),
    ("天津师范大学", "天津市西青区", "信息 环保 文化", "12120000"),
    ("天津中医药大学", "天津市静海区", "医药", "12120000"),
    ("天津城建大学", "天津市西青区", "环保 材料 能源", "12120000"),
    ("天津职业技术师范大学", "天津市河西区", "装备 汽车 信息", "12120000"),
    ("天津商业大学", "天津市北辰区", "食品 物流 环保", "12120000"),
    ("天津农学院", "天津市西青区", "农业 食品", "12120000"),
    ("天津财经大学", "天津市河西区", "文化 物流", "12120000"),
    ("天津中德应用技术大学", "天津市津南区", "装备 汽车 能源", "12120000"),
    ("清华大学", "北京市海淀区", "*", "12100000"),
    ("北京理工大学", "北京市海淀区", "装备 汽车 航空 信息", "12100000"),
    ("北京航空航天大学", "北京市海淀区", "航空 装备 信息 材料", "12100000"),
    ("北京科技大学", "北京市海淀区", "材料 装备 环保", "12100000"),
    ("北京化工大学", "北京市朝阳区", "石化 材料 医药", "12100000"),
    ("中国农业大学", "北京市海淀区", "农业 食品", "12100000"),
    ("北京工业大学", "北京市朝阳区", "信息 环保 材料", "12110000"),
    ("河北大学", "河北省保定市", "医药 信息 材料", "12130000"),
    ("燕山大学", "河北省秦皇岛市", "装备 材料", "12130000"),
    ("河北科技大学", "河北省石家庄市", "医药 材料 环保", "12130000"),
    ("华北理工大学", "河北省唐山市", "材料 装备", "12130000"),
    ("河北农业大学", "河北省保定市", "农业 食品", "12130000"),
)
INSTITUTES: tuple[Curated, ...] = (
    ("中国科学院天津工业生物技术研究所", "天津市滨海新区", "医药 材料 食品 能源", "12100000"),
    ("中国电子科技集团公司第十八研究所", "天津市西青区", "能源 航空 汽车", "12100000"),
    ("中国电子科技集团公司第四十六研究所", "天津市河西区", "信息 材料", "12100000"),
    ("中国船舶集团有限公司第七〇七研究所", "天津市河北区", "装备 海洋 信息", "12100000"),
    ("中国汽车技术研究中心有限公司", "天津市东丽区", "汽车 能源", "91120000"),
    ("天津药物研究院有限公司", "天津市南开区", "医药", "91120000"),
    ("中海油天津化工研究设计院有限公司", "天津市红桥区", "石化 环保 材料", "91120000"),
    ("天津市生态环境科学研究院", "天津市南开区", "环保 海洋", "12120000"),
    ("国家海洋技术中心", "天津市南开区", "海洋 信息 装备", "12100000"),
    ("自然资源部天津海水淡化与综合利用研究所", "天津市南开区", "环保 海洋", "12100000"),
    ("天津市农业科学院", "天津市西青区", "农业 食品", "12120000"),
    ("国家超级计算天津中心", "天津市滨海新区", "信息", "12120000"),
    ("天津市计量监督检测科学研究院", "天津市河东区", "装备 信息 能源", "12120000"),
    ("中国医学科学院血液病医院（中国医学科学院血液学研究所）", "天津市和平区", "医药", "12100000"),
    ("中国医学科学院生物医学工程研究所", "天津市南开区", "医药", "12100000"),
    ("天津市水产研究所", "天津市河西区", "海洋 农业 食品", "12120000"),
    ("中国科学院自动化研究所", "北京市海淀区", "信息 装备", "12100000"),
    ("中国科学院过程工程研究所", "北京市海淀区", "石化 环保 能源 材料", "12100000"),
    ("中国有研科技集团有限公司", "北京市西城区", "材料 信息", "91110000"),
    ("中国航发北京航空材料研究院", "北京市海淀区", "航空 材料", "12100000"),
    ("中国电力科学研究院有限公司", "北京市海淀区", "能源", "91110000"),
    ("中国农业科学院", "北京市海淀区", "农业 食品", "12100000"),
    ("中国电子科技集团公司第五十四研究所", "河北省石家庄市", "信息 航空", "12100000"),
    ("河北省科学院", "河北省石家庄市", "材料 医药 能源", "12130000"),
)
HOSPITALS: tuple[Curated, ...] = (
    ("天津医科大学总医院", "天津市和平区", "医药", "12120000"),
    ("天津市第一中心医院", "天津市南开区", "医药", "12120000"),
    ("天津医科大学肿瘤医院", "天津市河西区", "医药", "12120000"),
    ("天津市人民医院", "天津市红桥区", "医药", "12120000"),
)

BRAND_CHARS = "华瑞德恒泰宇鑫达海博创新联通信源远盛凯中启智金力天光宏立安正和美嘉润晟航迈腾飞弘昊睿越友同汇普康捷云星辰峰晨祥拓卓锐众"
FORMS = ("有限公司",) * 6 + ("股份有限公司",) * 2 + ("有限责任公司", "（集团）有限公司")
FINANCE = ("创业投资有限公司", "股权投资基金管理有限公司", "融资担保有限公司", "融资租赁有限公司", "科技小额贷款有限公司")
SERVICES = ("知识产权代理有限公司", "科技企业孵化器有限公司", "技术转移服务有限公司", "科技咨询有限公司", "检验检测认证有限公司")
UNIVERSITY_SUFFIXES = ("大学", "理工学院", "科技学院", "职业技术学院")
MEMBER_KINDS = ("企业", "高校", "科研院所", "金融机构", "中介机构", "其他")
MEMBER_KIND_WEIGHTS = (64, 13, 13, 4, 4, 2)
OUTSIDE_SHARE = 0.08   # of non-lead members drawn from outside the home area (京津冀 for Tianjin)
CODE_SHOWN_SHARE = 0.85  # exports leave the credit code blank for the rest

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌宇浩鹏飞颖晨琳晓雪梅海波云峰辉宁欣悦"

# ---------------------------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015) with an embedded 组织机构代码 (GB 11714)
# ---------------------------------------------------------------------------------------------

CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_VALUES = {c: i for i, c in enumerate(CODE_CHARS)}
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_check_char(first17: str) -> str:
    """The GB 32100-2015 check character: 31 − (Σ value×weight mod 31), with 31 written as 0."""
    total = sum(map(mul, map(CODE_VALUES.__getitem__, first17), CODE_WEIGHTS))   # map: --scale makes 10⁵ codes
    return CODE_CHARS[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    return (len(code) == 18 and all(c in CODE_VALUES for c in code) and code[2:8].isdigit()
            and credit_check_char(code[:17]) == code[17])


def org_code(number: int) -> str:
    """A 9-character 组织机构代码: 8 digits and the GB 11714 check (10 → X, 11 → 0)."""
    body = f"{number:08d}"
    check = 11 - sum(map(mul, map(int, body), ORG_WEIGHTS)) % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code(head8: str, number: int) -> str:
    """Registration authority and type (2), region (6), organisation code (9), check (1)."""
    first17 = head8 + org_code(number)
    return first17 + credit_check_char(first17)


# ---------------------------------------------------------------------------------------------
# The registry model
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Unit:
    name: str
    kind: str            # 单位类型
    registered_in: str
    code: str


@dataclass(slots=True)
class Member:
    unit: Unit
    role: str
    core: bool
    joined: date
    left: date | None
    code_shown: bool     # whether the export carries the unit's credit code


@dataclass(slots=True)
class Event:
    kind: str
    day: date
    result: str = ""
    score: float | None = None
    note: str = ""


@dataclass(slots=True)
class Subsidy:
    year: int
    kind: str
    amount_wan: float    # 万元
    paid: date
    doc_no: str
    status: str = "已拨付"


@dataclass(slots=True)
class Report:
    year: int
    submitted: date
    activities: int
    joint_projects: int
    new_members: int
    standards: int
    patents: int
    transfers: int


@dataclass(slots=True)
class Fate:
    """What the plan decided for one alliance before any date is drawn."""

    outcome: str                 # filed / revoked / failed / pending
    filed_year: int = 0
    revoke_reason: str = ""
    flags: set[str] = field(default_factory=set)   # pilot, overdue, small, recheck, project, …


@dataclass(slots=True)
class Alliance:
    name: str
    field: str
    sector: str
    place: Place
    level: str
    fate: Fate
    status: str = ""
    founded: date = FIRST_DAY
    agreement: date = FIRST_DAY
    applied: date = FIRST_DAY
    filed: date | None = None
    pilot: date | None = None
    revoked: date | None = None
    division: str = ""
    recommender: str = ""
    staff: int | None = None
    contact: str = ""
    phone: str = ""
    renewed: date | None = None      # latest re-signing of the agreement (Heilongjiang: every 3–5 years)
    members: list[Member] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    subsidies: list[Subsidy] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)

    @property
    def lead_unit(self) -> str:
        return self.members[0].unit.name

    @property
    def sort_key(self) -> tuple[date, str]:
        return (self.filed or self.applied, self.name)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def between(rng: random.Random, lo: int, hi: int) -> int:
    """rng.randint(lo, hi) at a tenth of the cost (one C call); the --scale loops draw millions."""
    return lo + int(rng.random() * (hi - lo + 1))


def rand_day(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=between(rng, 0, max(0, (hi - lo).days)))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:          # 29 February
        return day.replace(year=day.year + years, day=28)


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Split total into integer parts proportional to weights (largest remainder)."""
    quotas = [total * w / sum(weights) for w in weights]
    parts = [int(q) for q in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - quotas[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def pick(rng: random.Random, items: Sequence[T]) -> T:
    """rng.choice without its Python-level rejection sampling: the member loop of --scale calls it 10⁶ times."""
    return items[int(rng.random() * len(items))]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN_CHARS, k=rng.choice((1, 2, 2))))


def phone_number(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return f"022-{rng.choice('2568')}{rng.randrange(10**7):07d}"
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def wan_text(wan: float) -> str:
    return f"{wan:g}"


# ---------------------------------------------------------------------------------------------
# Units: curated universities and institutes, invented firms, reused across alliances
# ---------------------------------------------------------------------------------------------


class UnitSource:
    """Hands out member units for alliances based at home places.

    A unit keeps its name and credit code wherever it appears, so the same firm or university
    in several alliances is recognisable, as in real registries.
    """

    def __init__(self, rng: random.Random, home: Sequence[Place], home_weights: Sequence[int],
                 outside: Sequence[Place], curated: Sequence[tuple[str, Curated]] = ()) -> None:
        self.rng = rng
        self.home, self.outside = list(home), list(outside)
        self.home_cum = list(accumulate(home_weights))   # for bisect: choices() would redo the sums per call
        self.units: dict[str, Unit] = {}
        self.codes: set[str] = set()
        self.pools: dict[tuple[str, str], list[Unit]] = {}
        outside_keys = {p.registered_in for p in outside}
        # (kind, is_outside) -> curated entries; "其他" holds hospitals
        self.curated: dict[tuple[str, bool], list[Curated]] = {}
        for kind, entry in curated:
            self.curated.setdefault((kind, entry[1] in outside_keys), []).append(entry)

    def unit(self, name: str, kind: str, registered_in: str, head8: str) -> Unit:
        found = self.units.get(name)
        if found is None:
            code = credit_code(head8, int(self.rng.random() * 1e8))
            while code in self.codes:
                code = credit_code(head8, int(self.rng.random() * 1e8))
            self.codes.add(code)
            found = self.units[name] = Unit(name, kind, registered_in, code)
        return found

    def near(self, place: Place) -> Place:
        """A home place for a member: often the alliance's own district, else anywhere at home."""
        if self.rng.random() < 0.4:
            return place
        return self.home[bisect(self.home_cum, self.rng.random() * self.home_cum[-1])]

    def brand(self) -> str:
        """Two different auspicious characters (华瑞, 泰达 …)."""
        n, rand = len(BRAND_CHARS), self.rng.random
        i, j = int(rand() * n), int(rand() * (n - 1))
        return BRAND_CHARS[i] + BRAND_CHARS[j + (j >= i)]

    def firm_name(self, place: Place, middle: str, form: str) -> str:
        rng, brand = self.rng, self.brand()
        r = rng.random()
        if r < 0.55:
            return f"{place.city}{brand}{middle}{form}"
        if r < 0.7:
            return f"{place.city}市{brand}{middle}{form}"
        if r < 0.85:   # subsidiaries of out-of-town groups: 瑞泰机器人（天津）有限公司
            return f"{brand}{middle}（{place.city}）{form.replace('（集团）', '')}"
        if place.region.endswith("区"):
            return f"{place.city}{place.region.removesuffix('新区').removesuffix('区')}{brand}{middle}{form}"
        return f"{place.city}{brand}{middle}{form}"

    def invented(self, place: Place, kind: str, make: Callable[[], str], head2: str,
                 pool: tuple[str, str] | None, reuse: float) -> Unit:
        """A new invented unit, or with probability ``reuse`` one already in ``pool``."""
        units = self.pools.setdefault(pool, []) if pool else None
        if units and self.rng.random() < reuse:
            return pick(self.rng, units)
        name = make()
        while name in self.units:
            name = make()
        made = self.unit(name, kind, place.registered_in, head2 + place.code6)
        if units is not None:
            units.append(made)
        return made

    def company(self, place: Place, sector: str, reuse: float = 0.3) -> Unit:
        words = SECTORS[sector][1]
        return self.invented(place, "企业", lambda: self.firm_name(place, pick(self.rng, words), pick(self.rng, FORMS)),
                             "91", (place.code6[:2], sector), reuse)

    def pick_curated(self, kind: str, outside: bool, sector: str, at: str | None = None) -> Unit | None:
        entries = [e for e in self.curated.get((kind, outside), ())
                   if (e[2] == "*" or sector in e[2].split()) and (at is None or e[1] == at)]
        if not entries:
            return None
        # comprehensive universities ("*") turn up in more alliances
        name, registered_in, sectors, head8 = self.rng.choices(entries, [2 if e[2] == "*" else 1 for e in entries])[0]
        return self.unit(name, kind, registered_in, head8)

    def lead(self, place: Place, sector: str) -> Unit:
        """The 理事长单位: mostly a firm of the alliance's district, sometimes a local university or institute."""
        if self.rng.random() < 0.2:
            kind = self.rng.choice(("高校", "科研院所"))
            found = self.pick_curated(kind, False, sector, at=place.registered_in)
            if found:
                return found
        return self.company(place, sector, reuse=0.0)

    def member(self, place: Place, sector: str, kind: str, outside: bool) -> Unit:
        rng = self.rng
        outside = outside and kind in ("企业", "高校", "科研院所") and bool(self.outside)
        at = pick(rng, self.outside) if outside else self.near(place)
        if kind == "企业":
            return self.company(at, sector)
        if kind == "高校":
            # real universities where a curated list exists; otherwise plausible names per city (--scale)
            found = self.pick_curated(kind, outside, sector)
            if found:
                return found
            return self.unit(f"{at.city}{rng.choice(UNIVERSITY_SUFFIXES)}", kind, at.registered_in, "12" + at.code6)
        if kind == "科研院所":
            found = self.pick_curated(kind, outside, sector) if rng.random() < 0.8 else None
            if found:
                return found
            # firms' own research institutes count as 科研院所 in alliance lists
            word = rng.choice(SECTORS[sector][1])
            return self.invented(at, kind, lambda: f"{at.city}{self.brand()}{word}研究院有限公司", "91", None, 0.0)
        if kind == "金融机构":
            return self.invented(at, kind, lambda: f"{at.city}{self.brand()}{rng.choice(FINANCE)}", "91", (at.code6[:2], kind), 0.5)
        if kind == "中介机构":
            return self.invented(at, kind, lambda: f"{at.city}{self.brand()}{rng.choice(SERVICES)}", "91", (at.code6[:2], kind), 0.5)
        if sector == "医药" and rng.random() < 0.6:
            found = self.pick_curated("其他", False, sector)
            if found:
                return found
        return self.unit(f"{at.city}市{ASSOCIATIONS[sector]}协会", "其他", at.registered_in, "51" + at.code6)


# ---------------------------------------------------------------------------------------------
# Planning: how many alliances of each fate, and which ones
# ---------------------------------------------------------------------------------------------

FILING_YEARS = tuple(range(2010, 2027))
FILING_WEIGHTS = (3, 3, 4, 5, 5, 6, 11, 13, 12, 12, 10, 6, 5, 4, 4, 5, 4)   # 十三五 bump; sums to 112
# per 120 alliances, as in the committed sample; --scale keeps the proportions
SHARES = {"failed": 5, "pending": 3, "revoked": 5, "pilot": 6, "overdue": 6, "small": 10, "recheck": 2,
          "project": 8, "over_cap_eval": 1, "over_cap_filing": 1, "recovered": 1}
REVOKE_REASONS = ("三年评估不合格", "三年评估不合格", "连续两年未提交年度报告", "三年评估不合格", "联盟申请撤销")


def share(n: int, key: str) -> int:
    return max(1, round(n * SHARES[key] / 120))


def plan_fates(rng: random.Random, n: int) -> list[Fate]:
    """Fates for n alliances: filing years with the 十三五 bump, and the deliberate oddities."""
    n_failed, n_pending = share(n, "failed"), share(n, "pending")
    counts = apportion(n - n_failed - n_pending, FILING_WEIGHTS)
    fates = [Fate("filed", y) for y, c in zip(FILING_YEARS, counts) for _ in range(c)]
    fates += [Fate("failed") for _ in range(n_failed)] + [Fate("pending") for _ in range(n_pending)]
    rng.shuffle(fates)

    def choose(key: str, ok: Callable[[Fate], bool]) -> list[Fate]:
        pool = [f for f in fates if f.outcome in ("filed", "revoked") and ok(f)]
        chosen = rng.sample(pool, min(share(len(fates), key), len(pool)))
        for f in chosen:
            f.flags.add(key)
        return chosen

    # eligibility windows make sure the oddity can happen before TODAY
    for i, f in enumerate(choose("revoked", lambda f: f.filed_year <= 2021)):
        f.outcome, f.revoke_reason = "revoked", REVOKE_REASONS[i % len(REVOKE_REASONS)]
    active = lambda f: f.outcome == "filed"  # noqa: E731
    choose("pilot", lambda f: active(f) and f.filed_year <= 2019)
    choose("overdue", lambda f: active(f) and f.filed_year <= 2022 and "pilot" not in f.flags)
    choose("recheck", lambda f: active(f) and f.filed_year <= 2021 and not f.flags)
    choose("small", lambda f: active(f))
    choose("project", lambda f: active(f) and f.filed_year <= 2024)
    choose("over_cap_eval", lambda f: active(f) and f.filed_year <= 2020 and not f.flags & {"overdue", "recheck"})
    choose("over_cap_filing", lambda f: active(f) and f.filed_year <= 2025)
    choose("recovered", lambda f: f.outcome == "revoked")
    return fates


# ---------------------------------------------------------------------------------------------
# Lifecycle: filing stages, evaluations, pilots, revocations
# ---------------------------------------------------------------------------------------------

STAGES = ("申请", "形式审查", "技术审查", "专家评审", "公示", "备案")
STAGE_GAPS = {"形式审查": (5, 20), "技术审查": (10, 30), "专家评审": (10, 35), "公示": (7, 20), "备案": (7, 12)}
EVENT_ORDER = {k: i for i, k in enumerate(STAGES + ("纳入国家试点", "三年评估", "复审", "撤销"))}
FAIL_NOTES = {"形式审查": "成员单位不足10家", "技术审查": "技术路线与产业需求结合不紧密", "专家评审": "评审得分未达到备案要求"}


def stage_event(rng: random.Random, stage: str, day: date, failed: bool = False) -> Event:
    if stage == "申请":
        return Event(stage, day)
    if stage == "专家评审":
        score = round(rng.uniform(50, 59.5) if failed else rng.uniform(72, 95), 1)
        return Event(stage, day, "不通过" if failed else "通过", score, FAIL_NOTES[stage] if failed else "")
    if stage == "公示":
        return Event(stage, day, "通过", None, "公示期内无异议")
    if stage == "备案":
        return Event(stage, day, "", None, f"{day.year}年度备案")
    return Event(stage, day, "不通过" if failed else "通过", None, FAIL_NOTES[stage] if failed else "")


def set_founding(rng: random.Random, a: Alliance, applied: date) -> None:
    a.applied = applied
    a.agreement = applied - timedelta(days=between(rng, 15, 90))
    a.founded = a.agreement - timedelta(days=0 if rng.random() < 0.6 else between(rng, 1, 45))


def file_alliance(rng: random.Random, a: Alliance) -> None:
    """Stages walked back from a filing day in the planned year, a few weeks apart."""
    year = a.fate.filed_year
    lo = date(2010, 10, 8) if year == FIRST_DAY.year else date(year, 1, 10)  # room for stages after 2010-01-01
    hi = TODAY - timedelta(days=3) if year == TODAY.year else date(year, 12, 25)
    days = [rand_day(rng, lo, hi)]
    for stage in reversed(STAGES[1:]):
        days.append(days[-1] - timedelta(days=between(rng, *STAGE_GAPS[stage])))
    days.reverse()
    set_founding(rng, a, days[0])
    a.filed = days[-1]
    a.events = [stage_event(rng, s, d) for s, d in zip(STAGES, days)]
    a.status = "已备案"


def apply_alliance(rng: random.Random, a: Alliance) -> None:
    """An applicant: failed at one stage (back to 组建中) or still under review (申请中)."""
    failed = a.fate.outcome == "failed"
    applied = rand_day(rng, date(2017, 3, 1), date(2026, 6, 30)) if failed else \
        rand_day(rng, TODAY - timedelta(days=120), TODAY - timedelta(days=10))
    set_founding(rng, a, applied)
    fail_at = rng.choice(("形式审查", "技术审查", "专家评审")) if failed else ""
    a.events, day = [Event("申请", applied)], applied
    for stage in STAGES[1:-1]:
        day += timedelta(days=between(rng, *STAGE_GAPS[stage]))
        if day > TODAY:
            break
        a.events.append(stage_event(rng, stage, day, failed=stage == fail_at))
        if stage == fail_at:
            break
    a.status = "组建中" if failed else "申请中"


def evaluation(rng: random.Random, day: date, score: float, note: str = "") -> Event:
    result = "优秀" if score >= 90 else "良好" if score >= 80 else "合格" if score >= 60 else "不合格"
    return Event("三年评估", day, result, score, note)


def evaluate(rng: random.Random, a: Alliance) -> None:
    """三年评估 due every three years after filing, done in the weeks before the due day.

    Overdue alliances skip the latest due evaluation; revoked ones stop at revocation.
    """
    fate, filed = a.fate, a.filed
    assert filed is not None
    reason = fate.revoke_reason
    if reason and reason != "三年评估不合格":   # revocation day fixed first; evaluations stop before it
        a.revoked = rand_day(rng, add_years(filed, 4 if "年度报告" in reason else 2), TODAY - timedelta(days=60))
    last_due = max(k for k in range(0, 6) if add_years(filed, 3 * k) <= TODAY)
    for k in range(1, 6):
        due = add_years(filed, 3 * k)
        day = due - timedelta(days=between(rng, 0, 60))
        if day > TODAY or (a.revoked and day >= a.revoked):
            break
        if "overdue" in fate.flags and k == last_due:
            break
        if k == 1 and reason == "三年评估不合格":
            a.events.append(evaluation(rng, day, round(rng.uniform(40, 59.5), 1), "评估不合格"))
            a.revoked = day + timedelta(days=between(rng, 30, 120))
            break
        if k == 1 and "recheck" in fate.flags:
            a.events.append(evaluation(rng, day, round(rng.uniform(50, 59.5), 1), "限期整改"))
            recheck = day + timedelta(days=between(rng, 90, 180))
            a.events.append(Event("复审", recheck, "合格", round(rng.uniform(62, 78), 1), "整改后复审"))
            continue
        score = round(rng.triangular(62, 99, 84), 1)
        if k == 1 and "over_cap_eval" in fate.flags:
            score = max(score, 85.0)
        a.events.append(evaluation(rng, day, score))
    if a.revoked:
        a.events.append(Event("撤销", a.revoked, "", None, reason))
        a.status = "已撤销"


def make_pilot(rng: random.Random, a: Alliance) -> None:
    assert a.filed is not None
    a.pilot = min(a.filed + timedelta(days=between(rng, 300, 1400)), TODAY - timedelta(days=30))
    a.events.append(Event("纳入国家试点", a.pilot, "", None, "科技部产业技术创新战略联盟试点"))
    a.level = "国家级"


def run_lifecycle(rng: random.Random, a: Alliance) -> None:
    if a.fate.outcome in ("failed", "pending"):
        apply_alliance(rng, a)
        return
    file_alliance(rng, a)
    evaluate(rng, a)
    if "pilot" in a.fate.flags:
        make_pilot(rng, a)
    a.events.sort(key=lambda e: (e.day, EVENT_ORDER[e.kind]))


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------


def member_count(rng: random.Random, a: Alliance) -> int:
    few = any(e.note == FAIL_NOTES["形式审查"] for e in a.events)
    if "small" in a.fate.flags or few:
        return rng.choice((8, 9))
    if a.fate.outcome in ("failed", "pending"):
        return between(rng, 10, 22)
    return 10 + int(rng.triangular(0, 31, 6))      # 10–40, most alliances around 15–25


def pick_units(rng: random.Random, a: Alliance, units: UnitSource, n: int) -> list[Unit]:
    """The lead, one university or institute (产学研), then a weighted mix; no unit twice."""
    picked = [units.lead(a.place, a.sector)]
    taken = {picked[0].name}
    kinds = ["高校" if rng.random() < 0.6 else "科研院所"] + rng.choices(MEMBER_KINDS, MEMBER_KIND_WEIGHTS, k=n - 2)
    for kind in kinds:
        for _ in range(8):
            unit = units.member(a.place, a.sector, kind, rng.random() < OUTSIDE_SHARE)
            if unit.name not in taken:
                break
        else:
            unit = units.company(a.place, a.sector, reuse=0.0)
        taken.add(unit.name)
        picked.append(unit)
    return picked


def add_members(rng: random.Random, a: Alliance, units: UnitSource) -> None:
    n = member_count(rng, a)
    picked = pick_units(rng, a, units, n)
    n_vice = between(rng, 2, 4) if n >= 12 else between(rng, 1, 2)
    n_council = between(rng, 3, 8) if n >= 15 else between(rng, 2, 3)
    roles = ["理事长单位"] + ["副理事长单位"] * n_vice + ["理事单位"] * n_council
    roles += ["成员单位"] * (n - len(roles))
    core_share = {"理事长单位": 1.0, "副理事长单位": 1.0, "理事单位": 0.85, "成员单位": 0.15}
    a.members = [Member(u, r, rng.random() < core_share[r], a.agreement, None, rng.random() < CODE_SHOWN_SHARE)
                 for u, r in zip(picked, roles)]
    if a.filed is None:
        return
    end = min(TODAY, (a.revoked or TODAY) - timedelta(days=1))
    if (end - a.filed).days < 400:
        return
    # later joiners (成员单位 only) feed 新增成员数; a few units leave again
    plain = [m for m in a.members if m.role == "成员单位"]
    for m in rng.sample(plain, int(len(plain) * rng.uniform(0, 0.35))):
        m.joined, m.core = rand_day(rng, a.filed + timedelta(days=30), end), False
    for m in a.members:
        lo = m.joined + timedelta(days=365)
        if m.role in ("理事单位", "成员单位") and rng.random() < 0.03 and lo < end:
            m.left = rand_day(rng, lo, end)


# ---------------------------------------------------------------------------------------------
# Subsidies and annual reports
# ---------------------------------------------------------------------------------------------


def pay(a: Alliance, year: int, kind: str, wan: float, paid: date) -> None:
    if paid <= TODAY and (a.revoked is None or paid < a.revoked):
        a.subsidies.append(Subsidy(year, kind, wan, paid, ""))


def number_documents(rng: random.Random, alliances: Sequence[Alliance]) -> None:
    """Batch documents: payments of one kind in one month share a 文号; numbers rise through each year."""
    batches: dict[tuple[str, int, int, str], str] = {}
    next_number: dict[tuple[str, int], int] = {}
    payments = sorted(((s.paid, s.kind, i, a.place.abbr, s) for i, a in enumerate(alliances) for s in a.subsidies),
                      key=lambda p: p[:3])
    for paid, kind, _, abbr, subsidy in payments:
        key = (abbr, paid.year, paid.month, kind)
        if key not in batches:
            number = next_number.get((abbr, paid.year)) or between(rng, 3, 15)
            next_number[(abbr, paid.year)] = number + between(rng, 1, 6)
            batches[key] = f"{abbr}科资〔{paid.year}〕{number}号"
        subsidy.doc_no = batches[key]


def add_subsidies(rng: random.Random, a: Alliance) -> None:
    """备案补贴 ≤50万 in the filing year, 50万 on national pilot, ≤30万 after a passed evaluation."""
    flags, filed = a.fate.flags, a.filed
    if filed is None:
        return
    if rng.random() < 0.88 or flags & {"over_cap_filing", "recovered"}:
        wan = 60.0 if "over_cap_filing" in flags else float(rng.choice((20, 30, 30, 40, 50, 50)))
        paid = max(filed, min(filed + timedelta(days=between(rng, 20, 100)), date(filed.year, 12, 28)))
        pay(a, filed.year, "备案补贴", wan, paid)
        if "recovered" in flags and a.subsidies:
            a.subsidies[-1].status = "已收回"
    if a.pilot:
        paid = min(a.pilot + timedelta(days=between(rng, 30, 120)), date(a.pilot.year, 12, 28))
        pay(a, a.pilot.year, "国家试点补贴", 50.0, max(paid, a.pilot))
    first = True
    for e in a.events:
        if e.kind != "三年评估" or e.result == "不合格":
            continue
        over = first and "over_cap_eval" in flags
        first = False
        if over or rng.random() < 0.8:
            wan = 35.0 if over else {"优秀": 30.0, "良好": 20.0, "合格": 10.0}[e.result]
            paid = e.day + timedelta(days=between(rng, 30, 90))
            pay(a, paid.year, "评估补贴", wan, paid)
    if "project" in flags:
        year = between(rng, filed.year + 1, min(TODAY.year, (a.revoked or TODAY).year))
        paid = rand_day(rng, date(year, 3, 1), min(date(year, 12, 20), TODAY))
        pay(a, year, "项目经费", rng.choice((12.5, 20.0, 35.0, 48.6, 80.0, 100.0, 150.0)), paid)
    a.subsidies.sort(key=lambda s: s.paid)


def add_reports(rng: random.Random, a: Alliance) -> None:
    """One report a year from the year after filing to 2025; some missing, 新增成员数 from late joiners."""
    if a.filed is None:
        return
    last = LAST_REPORT_YEAR
    if a.revoked:
        last = min(last, a.revoked.year - (3 if "年度报告" in a.fate.revoke_reason else 1))
    joins = Counter(m.joined.year for m in a.members if m.joined != a.agreement)
    size = len(a.members)
    for year in range(a.filed.year + 1, last + 1):
        if rng.random() < 0.07:
            continue
        submitted = rand_day(rng, date(year, 12, 1), date(year + 1, 3, 31))
        if submitted > TODAY or (a.revoked and submitted >= a.revoked):
            continue
        a.reports.append(Report(
            year, submitted, between(rng, 2, 6 + size // 4), between(rng, 0, 2 + size // 10), joins.get(year, 0),
            rng.choices((0, 1, 2, 3), (50, 30, 15, 5))[0], between(rng, 0, 4 + size // 2), between(rng, 0, 1 + size // 8)))


# ---------------------------------------------------------------------------------------------
# Building a registry
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Seed:
    """An alliance before its fate: name, field and home."""

    name: str
    field: str
    sector: str
    place: Place
    level: str


def build_registry(rng: random.Random, seeds: Sequence[Seed], units: UnitSource) -> list[Alliance]:
    fates = plan_fates(rng, len(seeds))
    alliances = []
    for seed, fate in zip(seeds, fates):
        a = Alliance(seed.name, seed.field, seed.sector, seed.place, seed.level, fate)
        run_lifecycle(rng, a)
        add_members(rng, a, units)
        add_subsidies(rng, a)
        add_reports(rng, a)
        a.division = DIVISIONS.get(a.sector, DEFAULT_DIVISION) if rng.random() < 0.9 else "产学研合作处"
        lead = a.members[0].unit
        a.recommender = lead.name if lead.kind == "高校" and rng.random() < 0.5 else f"{a.place.region}科技局"
        a.staff = between(rng, 1, 8) if rng.random() < 0.9 else None
        a.contact, a.phone = person_name(rng), phone_number(rng)
        alliances.append(a)
    alliances.sort(key=lambda a: a.sort_key)
    number_documents(rng, alliances)
    return alliances


def tianjin_seeds(rng: random.Random) -> list[Seed]:
    """One Tianjin alliance per topic, in a district drawn with the 滨海新区/西青区/南开区 skew."""
    seeds = []
    for sector, topics in TOPICS.items():
        for topic, field_text in topics:
            r = rng.random()
            suffix = "产业技术创新战略联盟" if r < 0.88 else "产业技术创新联盟"
            prefix = "天津" if rng.random() < 0.05 else "天津市"
            place = rng.choices(TIANJIN, TIANJIN_WEIGHTS)[0]
            seeds.append(Seed(f"{prefix}{topic}{suffix}", field_text, sector, place, "市级"))
    rng.shuffle(seeds)
    return seeds


def national_places() -> tuple[list[tuple[str, Place, str]], list[Place], list[int]]:
    """Name prefixes with their home place and level; all places with weights (capitals heavier)."""
    prefixes: list[tuple[str, Place, str]] = []
    places: list[Place] = []
    weights: list[int] = []
    for province, code2, abbr, cities in PROVINCES:
        if not cities:   # municipality: the province is the city
            place = Place(province, f"{code2}0100", province.removesuffix("市"), province, abbr)
            prefixes.append((province, place, "市级"))
            places.append(place)
            weights.append(4)
            continue
        city_places = [Place(f"{province}{c}市", f"{code2}{i + 1:02d}00", c, f"{c}市", abbr) for i, c in enumerate(cities)]
        prefixes.append((province, city_places[0], "省级"))
        for i, place in enumerate(city_places):
            prefixes.append((f"{place.city}市", place, "市级"))
            places.append(place)
            weights.append(3 if i == 0 else 1)
    return prefixes, places, weights


MORE_NAME_FORMS = ("产学研合作创新联盟", "产业创新发展联盟", "产业技术协作联盟")


def national_seeds(rng: random.Random, n: int) -> tuple[list[Seed], list[Place], list[int]]:
    """n alliances with unique names: place prefix × topic × name form, drawn without replacement."""
    prefixes, places, weights = national_places()
    topics = [(sector, topic, field_text) for sector, items in TOPICS.items() for topic, field_text in items]
    suffixes = ("产业技术创新战略联盟", "产业技术创新联盟", "产业协同创新联盟")
    if n > len(prefixes) * len(topics) * len(suffixes):   # only the 1.7m size needs more names than three forms give
        suffixes += MORE_NAME_FORMS
    capacity = len(prefixes) * len(topics) * len(suffixes)
    if n > capacity:
        raise SystemExit(f"--scale 最多生成 {capacity} 个名称不重复的联盟")
    seeds = []
    for index in rng.sample(range(capacity), n):
        p, rest = divmod(index, len(topics) * len(suffixes))
        t, s = divmod(rest, len(suffixes))
        prefix, place, level = prefixes[p]
        sector, topic, field_text = topics[t]
        seeds.append(Seed(f"{prefix}{topic}{suffixes[s]}", field_text, sector, place, level))
    return seeds, places, weights


def tianjin_registry(seed: int) -> list[Alliance]:
    rng = random.Random(seed)
    curated = ([("高校", e) for e in UNIVERSITIES] + [("科研院所", e) for e in INSTITUTES]
               + [("其他", e) for e in HOSPITALS])
    units = UnitSource(rng, TIANJIN, TIANJIN_WEIGHTS, JINGJI, curated)
    return build_registry(rng, tianjin_seeds(rng), units)


def national_registry(seed: int, n: int) -> list[Alliance]:
    rng = random.Random(seed)
    seeds, places, weights = national_seeds(rng, n)
    units = UnitSource(rng, places, weights, places)
    return build_registry(rng, seeds, units)


# ---------------------------------------------------------------------------------------------
# The other four jurisdictions: each registry under its own rules, written as its own bureau exports it
# ---------------------------------------------------------------------------------------------
#
# Same model as Tianjin (units, members, dates), different rules and different files:
#   zhejiang      省级联盟 in batches from 2010 (target 10 by 2010, 50 by 2015), 推荐单位 with the
#                 1–2 per recommender quota (broken twice), no review cycle or report; a workbook with
#                 one sheet per batch, members in GBK csv without credit codes, money in 元.
#   weinan        认定 by yearly document from 2015, ≥10 core members (two short), 复审 every three
#                 years (three overdue, two revoked), annual reports each November; dates as 2016.5.20.
#   heilongjiang  试点 from 2009 in the 15 target fields (plus a few outside them), agreements re-signed
#                 every 3–5 years or left to expire, members from other provinces, provincial R&D money.
#   most          national 试点 in four batches, members all over China, periodic 评估 with two removed.

SAMPLE_NAMES = ("tianjin", "zhejiang", "weinan", "heilongjiang", "most")
SAMPLE_PROFILES = {"tianjin": "tianjin-2018", "zhejiang": "zhejiang-2010", "weinan": "weinan-2015",
                   "heilongjiang": "heilongjiang-2009", "most": "most-2009"}

# Sectors only these registries use (company-name words; the Tianjin cluster slot stays empty).
SECTORS.update({
    "核电": ("", ("核电设备", "核能科技", "阀门", "精密机械")),
    "纺织": ("", ("纺织", "印染", "五金制品", "皮革")),
    "建材": ("", ("新型建材", "建材科技", "保温材料")),
})
ASSOCIATIONS.update({"核电": "核电产业", "纺织": "纺织工业", "建材": "建筑材料工业"})


@dataclass(frozen=True)
class Bureau:
    """One jurisdiction's sample: where its alliances are, what fields it writes, when it certified them."""

    key: str
    creator: str                                   # workbook author, as the bureau's office software stamps it
    prefix: str                                    # alliance names begin with it (浙江省…); "" for national
    places: tuple[Place, ...]
    weights: tuple[int, ...]
    outside: tuple[Place, ...]
    curated: tuple[tuple[str, Curated], ...]
    topics: dict[str, tuple[tuple[str, str], ...]]  # sector -> (topic in the name, 产业领域 as the bureau writes it)
    batches: tuple[tuple[date, int], ...]          # (day of the certifying document, alliances in it)
    level: str                                     # 级别 of its alliances
    seed_offset: int


def _places(abbr: str, city: str, rows: Sequence[tuple[str, str, str, int]]) -> tuple[tuple[Place, ...], tuple[int, ...]]:
    """(注册地, code, 所属区域, weight) rows as Places of one city or province."""
    return tuple(Place(r, c, city if city else region.removesuffix("市").removesuffix("地区"), region, abbr)
                 for r, c, region, _ in rows), tuple(w for *_, w in rows)


def _curated(kind: str, rows: Sequence[Curated]) -> list[tuple[str, Curated]]:
    return [(kind, r) for r in rows]


ZJ_PLACES, ZJ_WEIGHTS = _places("浙", "", [
    (f"浙江省{c}市", code, f"{c}市", w) for c, code, w in (
        ("杭州", "330100", 10), ("宁波", "330200", 8), ("温州", "330300", 5), ("嘉兴", "330400", 4),
        ("湖州", "330500", 3), ("绍兴", "330600", 4), ("金华", "330700", 4), ("衢州", "330800", 2),
        ("舟山", "330900", 2), ("台州", "331000", 4), ("丽水", "331100", 1))])
ZJ_OUTSIDE = (Place("上海市", "310100", "上海", "上海市", "沪"), Place("江苏省南京市", "320100", "南京", "南京市", "苏"))
ZHEJIANG = Bureau(
    key="zhejiang", creator="浙江省科学技术厅", prefix="浙江省", places=ZJ_PLACES, weights=ZJ_WEIGHTS,
    outside=ZJ_OUTSIDE,
    curated=tuple(_curated("高校", (
        ("浙江大学", "浙江省杭州市", "*", "12100000"), ("浙江工业大学", "浙江省杭州市", "装备 材料 医药 环保 信息", "12330000"),
        ("宁波大学", "浙江省宁波市", "海洋 材料 信息", "12330000"), ("浙江理工大学", "浙江省杭州市", "纺织 装备 材料", "12330000"),
        ("杭州电子科技大学", "浙江省杭州市", "信息 装备", "12330000"), ("中国计量大学", "浙江省杭州市", "装备 信息 能源", "12330000"),
        ("浙江农林大学", "浙江省杭州市", "农业 环保", "12330000"), ("浙江海洋大学", "浙江省舟山市", "海洋", "12330000"),
        ("温州医科大学", "浙江省温州市", "医药", "12330000"), ("上海交通大学", "上海市", "装备 能源 海洋 核电", "12100000"),
    )) + _curated("科研院所", (
        ("中国科学院宁波材料技术与工程研究所", "浙江省宁波市", "材料 能源 汽车", "12100000"),
        ("浙江省农业科学院", "浙江省杭州市", "农业 医药", "12330000"),
        ("浙江省化工研究院有限公司", "浙江省杭州市", "材料 环保", "91330000"),
        ("浙江省机电设计研究院有限公司", "浙江省杭州市", "装备 汽车", "91330000"),
        ("自然资源部第二海洋研究所", "浙江省杭州市", "海洋 环保", "12100000"),
        ("中国水稻研究所", "浙江省杭州市", "农业", "12100000"),
        ("上海核工程研究设计院有限公司", "上海市", "核电", "91310000"),
    ))),
    topics={
        "装备": (("纺织机械", "纺织机械"), ("数控机床", "数控机床"), ("工业机器人", "高端装备制造（机器人）"),
               ("泵阀", "泵阀"), ("精密轴承", "轴承"), ("轨道交通装备", "轨道交通"), ("通用航空", "通用航空"),
               ("智能制造装备", "智能装备"), ("电力装备", "电力装备")),
        "信息": (("物联网", "物联网"), ("传感器", "传感器与RFID"), ("安防视频监控", "安防监控"),
               ("软件与信息服务", "软件"), ("集成电路设计", "集成电路"), ("智慧城市", "智慧城市")),
        "医药": (("化学原料药", "原料药"), ("生物医药", "生物医药"), ("中药现代化", "中医药"), ("医疗器械", "医疗器械"),
               ("生物种业", "种业"), ("诊断试剂", "诊断试剂")),
        "能源": (("太阳能光伏", "太阳能光伏"), ("风电装备", "风电"), ("锂电池储能", "储能"), ("智能电网", "智能电网"),
               ("生物质能", "生物质能")),
        "汽车": (("纯电动汽车", "新能源汽车"), ("电动汽车驱动电机", "驱动电机"), ("动力电池", "动力电池"),
               ("电动客车", "电动客车")),
        "材料": (("磁性材料", "稀土永磁材料"), ("氟硅新材料", "氟硅新材料"), ("高性能纤维", "高性能纤维"),
               ("膜材料", "膜材料"), ("化工新材料", "化工新材料"), ("电子材料", "电子材料")),
        "环保": (("电机节能", "电机节能"), ("水处理", "污水处理"), ("烟气脱硫脱硝", "脱硫脱硝"), ("再生资源利用", "再生资源"),
               ("半导体照明", "半导体照明（LED）")),
        "海洋": (("海洋工程装备", "海洋工程装备"), ("船舶修造", "船舶"), ("海洋生物医药", "海洋生物医药"),
               ("海水淡化", "海水淡化")),
        "核电": (("核电关联装备", "核电装备"), ("核级泵阀", "核电阀门")),
        "纺织": (("纺织印染", "纺织印染"), ("五金制品", "五金"), ("皮革", "皮革制品")),
        "农业": (("茶产业", "茶叶"), ("竹产业", "竹木加工")),
    },
    # 二（三）: about 10 in 2010, about 50 by 2015; then 常年受理、集中审核
    batches=((date(2010, 11, 26), 9), (date(2011, 12, 16), 12), (date(2012, 12, 7), 11), (date(2013, 11, 29), 8),
             (date(2014, 12, 12), 5), (date(2015, 12, 4), 3), (date(2017, 11, 24), 2), (date(2019, 12, 6), 2)),
    level="省级", seed_offset=1000,
)

WN_PLACES, WN_WEIGHTS = _places("渭", "渭南", [
    ("陕西省渭南市临渭区", "610502", "临渭区", 8), ("陕西省渭南市华州区", "610503", "华州区", 3),
    ("陕西省渭南市潼关县", "610522", "潼关县", 1), ("陕西省渭南市大荔县", "610523", "大荔县", 3),
    ("陕西省渭南市合阳县", "610524", "合阳县", 1), ("陕西省渭南市澄城县", "610525", "澄城县", 1),
    ("陕西省渭南市蒲城县", "610526", "蒲城县", 3), ("陕西省渭南市白水县", "610527", "白水县", 2),
    ("陕西省渭南市富平县", "610528", "富平县", 4), ("陕西省韩城市", "610581", "韩城市", 4),
    ("陕西省华阴市", "610582", "华阴市", 2), ("陕西省渭南市高新区", "610502", "高新区", 6),
    ("陕西省渭南市经开区", "610502", "经开区", 3), ("陕西省渭南市卤阳湖现代产业开发区", "610526", "卤阳湖", 2)])
WN_OUTSIDE = (Place("陕西省西安市", "610100", "西安", "西安市", "陕"), Place("陕西省咸阳市", "610400", "咸阳", "咸阳市", "陕"),
              Place("陕西省杨凌示范区", "610403", "杨凌", "杨凌示范区", "陕"))
WEINAN = Bureau(
    key="weinan", creator="渭南市科学技术局", prefix="渭南市", places=WN_PLACES, weights=WN_WEIGHTS, outside=WN_OUTSIDE,
    curated=tuple(_curated("高校", (
        ("渭南师范学院", "陕西省渭南市临渭区", "*", "12610000"),
        ("陕西铁路工程职业技术学院", "陕西省渭南市临渭区", "装备 材料", "12610000"),
        ("西安交通大学", "陕西省西安市", "*", "12100000"), ("西北工业大学", "陕西省西安市", "装备 航空 材料", "12100000"),
        ("西北农林科技大学", "陕西省杨凌示范区", "农业 食品 医药", "12100000"),
        ("西安理工大学", "陕西省西安市", "装备 材料 能源", "12610000"), ("长安大学", "陕西省西安市", "汽车 环保", "12100000"),
        ("陕西中医药大学", "陕西省咸阳市", "医药", "12610000"),
    )) + _curated("科研院所", (
        ("西北有色金属研究院", "陕西省西安市", "材料", "12610000"),
        ("陕西省科学院", "陕西省西安市", "*", "12610000"),
        ("中国科学院西安光学精密机械研究所", "陕西省西安市", "装备 信息", "12100000"),
        ("渭南市农业科学研究院", "陕西省渭南市临渭区", "农业 食品", "12610000"),
        ("陕西省煤化工工程技术研究中心有限公司", "陕西省西安市", "石化 能源 环保", "91610000"),
    ))),
    topics={
        "装备": (("煤矿机械", "装备制造（煤矿机械）"), ("3D打印", "增材制造"), ("数控机床", "高档数控机床"),
               ("通用航空装备", "航空装备（通航）")),
        "材料": (("钼深加工", "钼及钼合金材料"), ("精细化工新材料", "化工新材料"), ("钛合金材料", "钛合金")),
        "石化": (("煤化工", "能源化工（煤化工）"), ("盐化工", "卤阳湖盐化工")),
        "能源": (("光伏发电", "光伏"), ("风电装备", "风电"), ("氢能", "氢能")),
        "医药": (("中药材", "中医药（中药材种植）"), ("生物医药", "生物医药"), ("医疗器械", "医疗器械")),
        "农业": (("苹果产业", "果业（苹果）"), ("奶山羊", "乳业（奶山羊）"), ("设施农业", "设施蔬菜"), ("小麦育种", "种业")),
        "环保": (("尾矿综合利用", "尾矿综合利用"), ("污水处理", "水处理")),
        "信息": (("大数据", "大数据"), ("电子信息", "电子信息")),
        "汽车": (("新能源汽车零部件", "新能源汽车零部件"),),
        "文化": (("数字文旅", "文化创意（数字文旅）"),),
    },
    # 13: certified by document of the bureau, about once a year since the 2015 measures
    batches=((date(2015, 11, 20), 5), (date(2016, 10, 28), 4), (date(2017, 11, 10), 4), (date(2018, 10, 26), 3),
             (date(2019, 11, 8), 3), (date(2020, 11, 27), 2), (date(2021, 10, 22), 2), (date(2023, 11, 17), 1),
             (date(2025, 10, 31), 1)),
    level="市级", seed_offset=2000,
)

HLJ_PLACES, HLJ_WEIGHTS = _places("黑", "", [
    (f"黑龙江省{c}", code, c, w) for c, code, w in (
        ("哈尔滨市", "230100", 12), ("齐齐哈尔市", "230200", 4), ("鸡西市", "230300", 2), ("鹤岗市", "230400", 1),
        ("双鸭山市", "230500", 1), ("大庆市", "230600", 4), ("伊春市", "230700", 1), ("佳木斯市", "230800", 3),
        ("七台河市", "230900", 1), ("牡丹江市", "231000", 3), ("黑河市", "231100", 1), ("绥化市", "231200", 2),
        ("大兴安岭地区", "232700", 1))])
HLJ_OUTSIDE = (Place("北京市海淀区", "110108", "北京", "海淀区", "京"), Place("吉林省长春市", "220100", "长春", "长春市", "吉"),
               Place("辽宁省沈阳市", "210100", "沈阳", "沈阳市", "辽"))
HEILONGJIANG = Bureau(
    key="heilongjiang", creator="黑龙江省科学技术厅", prefix="黑龙江省", places=HLJ_PLACES, weights=HLJ_WEIGHTS,
    outside=HLJ_OUTSIDE,
    curated=tuple(_curated("高校", (
        ("哈尔滨工业大学", "黑龙江省哈尔滨市", "*", "12100000"), ("哈尔滨工程大学", "黑龙江省哈尔滨市", "装备 能源 材料", "12100000"),
        ("东北农业大学", "黑龙江省哈尔滨市", "农业 食品 医药", "12230000"), ("东北林业大学", "黑龙江省哈尔滨市", "材料 环保 建材", "12100000"),
        ("哈尔滨理工大学", "黑龙江省哈尔滨市", "装备 材料 能源", "12230000"), ("黑龙江中医药大学", "黑龙江省哈尔滨市", "医药", "12230000"),
        ("齐齐哈尔大学", "黑龙江省齐齐哈尔市", "材料 食品", "12230000"), ("东北石油大学", "黑龙江省大庆市", "能源 石化", "12230000"),
        ("黑龙江八一农垦大学", "黑龙江省大庆市", "农业 食品", "12230000"), ("吉林大学", "吉林省长春市", "*", "12100000"),
    )) + _curated("科研院所", (
        ("中国农业科学院哈尔滨兽医研究所", "黑龙江省哈尔滨市", "医药 农业", "12100000"),
        ("黑龙江省农业科学院", "黑龙江省哈尔滨市", "农业 食品", "12230000"),
        ("黑龙江省科学院", "黑龙江省哈尔滨市", "*", "12230000"),
        ("哈尔滨焊接研究院有限公司", "黑龙江省哈尔滨市", "材料 装备", "91230000"),
        ("黑龙江省寒地建筑科学研究院", "黑龙江省哈尔滨市", "建材", "12230000"),
        ("中国科学院金属研究所", "辽宁省沈阳市", "材料", "12100000"),
    ))),
    topics={
        "材料": (("铝镁合金", "铝镁合金"), ("半导体照明", "半导体照明（LED）"), ("先进复合材料", "先进复合材料"),
               ("焊接", "焊接技术与装备"), ("硅基新材料", "硅基材料"), ("石墨", "石墨新材料"), ("碳化硅", "碳化硅")),
        "能源": (("风电装备", "风电"), ("核电装备", "核电装备"), ("生物质能", "清洁能源（生物质能）"),
               ("煤炭深加工", "煤炭深加工"), ("煤化工", "煤化工")),
        "农业": (("大豆", "大豆精深加工"), ("寒地水稻", "寒地水稻"), ("玉米深加工", "玉米深加工")),
        "医药": (("北药", "中药（北药）"), ("生物医药", "生物医药")),   # 乳业 and 兽用生物制品 still without one
        "建材": (("节能建材", "新型墙体材料"), ("寒地建筑", "寒地建筑节能")),
        "汽车": (("新能源汽车", "新能源汽车"),),
        "装备": (("重型装备", "重型装备制造"),),
    },
    # 9: pilots chosen by the seven-agency group; 5: the fields were to be built by 2010
    batches=((date(2009, 12, 18), 9), (date(2010, 9, 20), 7), (date(2011, 10, 14), 3), (date(2013, 6, 7), 2)),
    level="省级", seed_offset=3000,
)


def _national_places() -> tuple[tuple[Place, ...], tuple[int, ...]]:
    """One place per province (its capital), 所属区域 = the province, as the 31-province profile lists them."""
    heavy = {"北京市": 8, "上海市": 4, "江苏省": 4, "浙江省": 3, "广东省": 3, "山东省": 3, "湖北省": 2, "辽宁省": 2}
    places = [Place(p if not cities else f"{p}{cities[0]}市", f"{code}0100",
                    cities[0] if cities else p.removesuffix("市"), p, abbr) for p, code, abbr, cities in PROVINCES]
    return tuple(places), tuple(heavy.get(p.region, 1) for p in places)


MOST_PLACES, MOST_WEIGHTS = _national_places()
MOST = Bureau(
    key="most", creator="科学技术部", prefix="", places=MOST_PLACES, weights=MOST_WEIGHTS, outside=(),
    curated=tuple(_curated("高校", (
        ("清华大学", "北京市", "*", "12100000"), ("浙江大学", "浙江省杭州市", "*", "12100000"),
        ("上海交通大学", "上海市", "装备 汽车 信息 医药", "12100000"), ("哈尔滨工业大学", "黑龙江省哈尔滨市", "装备 材料 航空", "12100000"),
        ("西安交通大学", "陕西省西安市", "能源 装备 医药", "12100000"), ("华中科技大学", "湖北省武汉市", "装备 信息 能源", "12100000"),
        ("中南大学", "湖南省长沙市", "材料 装备", "12100000"), ("东北大学", "辽宁省沈阳市", "材料 装备", "12100000"),
        ("四川大学", "四川省成都市", "医药 材料 环保", "12100000"), ("华南理工大学", "广东省广州市", "材料 信息 食品", "12100000"),
        ("中国农业大学", "北京市", "农业 食品", "12100000"), ("北京科技大学", "北京市", "材料 环保", "12100000"),
    )) + _curated("科研院所", (
        ("中国科学院过程工程研究所", "北京市", "材料 环保 能源 石化", "12100000"),
        ("中国钢研科技集团有限公司", "北京市", "材料", "91110000"),
        ("中国农业科学院", "北京市", "农业 食品", "12100000"),
        ("中国电力科学研究院有限公司", "北京市", "能源", "91110000"),
        ("中国科学院上海微系统与信息技术研究所", "上海市", "信息", "12100000"),
        ("中国汽车技术研究中心有限公司", "天津市", "汽车", "91120000"),
        ("中国建筑科学研究院有限公司", "北京市", "建材 环保", "91110000"),
        ("煤炭科学研究总院有限公司", "北京市", "能源 装备", "91110000"),
    ))),
    topics={
        "材料": (("钢铁可循环流程", "钢铁"), ("稀土永磁", "稀土永磁材料"), ("先进复合材料", "复合材料"), ("有色金属", "有色金属")),
        "能源": (("煤炭清洁高效利用", "煤炭清洁高效利用"), ("风电", "风力发电"), ("太阳能光伏", "太阳能光伏"),
               ("智能电网", "智能电网"), ("半导体照明", "半导体照明")),
        "农业": (("农业装备", "农业机械"), ("玉米种业", "种业（玉米育种）"), ("茶产业", "茶叶"), ("乳业", "乳业")),
        "装备": (("数控机床", "数控机床"), ("工业机器人", "高端装备制造（机器人）"), ("轨道交通装备", "轨道交通"),
               ("仪器仪表", "仪器仪表"), ("矿山安全", "矿山安全")),
        "汽车": (("新能源汽车", "新能源汽车"), ("汽车轻量化", "汽车轻量化")),
        "信息": (("集成电路", "集成电路"), ("移动通信", "移动通信"), ("物联网", "物联网"), ("数字电视", "数字媒体"),
               ("卫星导航", "卫星导航")),
        "医药": (("抗体药物", "创新药物"), ("医疗器械", "医疗器械"), ("中药", "中药现代化")),
        "环保": (("水处理", "污水处理"), ("再生资源", "再生资源"), ("大气污染防治", "大气污染"), ("海水淡化", "海水淡化")),
        "石化": (("石油化工", "石油化工"),),
        "航空": (("航空航天", "航空航天"),),
        "建材": (("绿色建筑", "建筑节能"),),
    },
    # 第九条: pilots chosen in batches (dates are the sample's; the numbers are not the historical ones)
    batches=((date(2010, 1, 21), 12), (date(2012, 5, 18), 10), (date(2013, 9, 6), 8), (date(2016, 4, 15), 5)),
    level="国家级", seed_offset=4000,
)

BUREAUS = {b.key: b for b in (ZHEJIANG, WEINAN, HEILONGJIANG, MOST)}


def bureau_seeds(rng: random.Random, b: Bureau) -> list[Seed]:
    """One alliance per topic, in a place drawn by weight; the name as that bureau writes it."""
    seeds = []
    for sector, topics in b.topics.items():
        for topic, field_text in topics:
            suffix = "产业技术创新战略联盟" if rng.random() < 0.85 else "产业技术创新联盟"
            place = rng.choices(b.places, b.weights)[0]
            seeds.append(Seed(f"{b.prefix}{topic}{suffix}", field_text, sector, place, ""))
    rng.shuffle(seeds)
    assert len(seeds) == sum(n for _, n in b.batches), (b.key, len(seeds))
    return seeds


def certify(rng: random.Random, a: Alliance, day: date, with_events: bool) -> None:
    """Applied some months before the batch document, 论证 a few weeks before it, certified on its day."""
    applied = day - timedelta(days=between(rng, 60, 200))
    set_founding(rng, a, applied)
    a.filed, a.status = day, "已备案"
    if with_events:
        review = day - timedelta(days=between(rng, 20, 45))
        a.events = [Event("申请", applied), Event("专家评审", review, "通过", round(rng.uniform(72, 95), 1), "论证通过"),
                    Event("备案", day, "", None, f"{day.year}年度认定")]


def weinan_lifecycle(rng: random.Random, alliances: Sequence[Alliance]) -> None:
    """复审 every three years (15); three skip the latest one due, two are revoked; 认定/复审 money (16)."""
    old = [a for a in alliances if a.filed and add_years(a.filed, 3) <= TODAY]
    overdue = set(map(id, rng.sample(old, 3)))
    revoked = rng.sample([a for a in old if id(a) not in overdue and a.filed.year <= 2019], 2)
    for a in alliances:
        assert a.filed is not None
        a.status = "已认定"
        base, first = a.filed, True
        while (due := add_years(base, 3)) <= TODAY:      # three years from the last 复审 (or the 认定)
            if id(a) in overdue and add_years(due, 3) > TODAY:   # the latest one due is not done
                a.fate.flags.add("overdue")
                break
            day = due - timedelta(days=between(rng, 0, 50))
            if a is revoked[0] and first:
                a.events.append(Event("复审", day, "不合格", round(rng.uniform(45, 58), 1), "复审不合格"))
                a.revoked = day + timedelta(days=between(rng, 30, 90))
                a.events.append(Event("撤销", a.revoked, "", None, "复审不合格，撤销资质"))
                break
            if a is revoked[1] and first:     # never re-reviewed: 15 revokes it
                a.revoked = due + timedelta(days=between(rng, 60, 150))
                a.events.append(Event("撤销", a.revoked, "", None, "逾期未复审，撤销资质"))
                break
            a.events.append(Event("复审", day, "合格", round(rng.triangular(62, 96, 82), 1)))
            base, first = day, False
        if a.revoked:
            a.status = "已撤销"


def weinan_core_members(rng: random.Random, alliances: Sequence[Alliance]) -> None:
    """6（2）counts core members: most have 10–14 of them, two certified ones fewer (the deliberate misses)."""
    short = set(map(id, rng.sample(list(alliances), 2)))
    for a in alliances:
        want = rng.choice((8, 9)) if id(a) in short else between(rng, 10, 14)
        original = [m for m in a.members if m.joined == a.agreement]
        for i, m in enumerate(original):
            m.core = i < want
        if id(a) in short:
            a.fate.flags.add("small")


def weinan_reports(rng: random.Random, a: Alliance) -> None:
    """14: each November a report on the year; a few late (December) or missing."""
    assert a.filed is not None
    size = len(a.members)
    for year in range(a.filed.year + 1, LAST_REPORT_YEAR + 1):
        if rng.random() < 0.08 or (a.revoked and date(year, 11, 1) >= a.revoked):
            continue
        submitted = rand_day(rng, date(year, 11, 1), date(year, 11, 30)) if rng.random() < 0.85 else \
            rand_day(rng, date(year, 12, 1), date(year, 12, 28))
        a.reports.append(Report(year, submitted, between(rng, 2, 6 + size // 4), between(rng, 0, 2 + size // 10), 0,
                                rng.choices((0, 1, 2), (60, 30, 10))[0], between(rng, 0, 3 + size // 3),
                                between(rng, 0, 1 + size // 8)))


def heilongjiang_agreements(rng: random.Random, a: Alliance) -> None:
    """6: the agreement is re-signed every three to five years — by most, each time; the others' lapse."""
    day = a.agreement
    while rng.random() < 0.85:
        nxt = add_years(day, between(rng, 3, 5)) - timedelta(days=between(rng, 0, 40))
        if nxt > TODAY - timedelta(days=20):
            break
        day = nxt
    a.renewed = day if day != a.agreement else None


def most_evaluations(rng: random.Random, alliances: Sequence[Alliance]) -> None:
    """16: 定期评估 (rounds in 2014 and 2019 for the pilots by then), 动态调整: two removed after 不合格."""
    removed = set(map(id, rng.sample([a for a in alliances if a.filed and a.filed.year <= 2013], 2)))
    for round_day in (date(2014, 10, 17), date(2019, 11, 8)):
        for a in alliances:
            if not a.filed or a.filed > round_day - timedelta(days=700) or a.revoked:
                continue
            day = round_day - timedelta(days=between(rng, 0, 20))
            if id(a) in removed:
                a.events.append(Event("三年评估", day, "不合格", round(rng.uniform(40, 58), 1), "评估不合格"))
                a.revoked = day + timedelta(days=between(rng, 60, 120))
                a.events.append(Event("撤销", a.revoked, "", None, "动态调整，退出试点"))
                a.status = "已撤销"
                continue
            a.events.append(evaluation(rng, day, round(rng.triangular(62, 98, 83), 1)))


def bureau_money(rng: random.Random, b: Bureau, alliances: Sequence[Alliance]) -> None:
    """Each bureau's payments: none of the four texts sets an amount, so amounts are the sample's."""
    for a in alliances:
        assert a.filed is not None
        if b.key == "zhejiang" and rng.random() < 0.6:      # 予以重点支持: provincial key projects
            year = min(a.filed.year + 1, TODAY.year)
            pay(a, year, "项目经费", float(rng.choice((80, 100, 150, 200, 300))), rand_day(rng, date(year, 3, 1), date(year, 11, 30)))
        elif b.key == "weinan":                             # 16: 新认定或通过复审 → 一定的科研经费资助
            if rng.random() < 0.9:
                pay(a, a.filed.year, "备案补贴", float(rng.choice((5, 8, 10))), a.filed + timedelta(days=between(rng, 20, 50)))
            for e in a.events:
                if e.kind == "复审" and e.result == "合格" and rng.random() < 0.8:
                    paid = e.day + timedelta(days=between(rng, 20, 60))
                    pay(a, paid.year, "评估补贴", 5.0, paid)
        elif b.key == "heilongjiang" and rng.random() < 0.7:  # 7: 省应用技术研究与开发资金
            year = a.filed.year + between(rng, 1, 2)
            pay(a, year, "项目经费", float(rng.choice((50, 80, 100, 150, 200))), rand_day(rng, date(year, 4, 1), date(year, 11, 30)))
        elif b.key == "most":                               # 18: 无偿资助、贷款贴息、后补助
            if rng.random() < 0.7:
                year = a.filed.year + between(rng, 1, 2)
                pay(a, year, "项目经费", float(rng.choice((500, 800, 1200, 2000, 3000))),
                    rand_day(rng, date(year, 5, 1), date(year, 11, 30)))
            if rng.random() < 0.2:
                year = a.filed.year + between(rng, 2, 4)
                pay(a, year, "其他", float(rng.choice((100, 150, 300))), rand_day(rng, date(year, 6, 1), date(year, 12, 20)))
        a.subsidies.sort(key=lambda s: s.paid)


DOC_FORMS = {"zhejiang": "浙科发计〔{}〕{}号", "weinan": "渭科发〔{}〕{}号", "heilongjiang": "黑科发〔{}〕{}号",
             "most": "国科发计〔{}〕{}号"}


def bureau_documents(rng: random.Random, b: Bureau, alliances: Sequence[Alliance]) -> None:
    """Payments of one month share a document; numbers rise through each year."""
    batches: dict[tuple[int, int], str] = {}
    number: dict[int, int] = {}
    for s in sorted((s for a in alliances for s in a.subsidies), key=lambda s: (s.paid, s.kind)):
        key = (s.paid.year, s.paid.month)
        if key not in batches:
            number[key[0]] = number.get(key[0], between(rng, 2, 20)) + between(rng, 3, 30)
            batches[key] = DOC_FORMS[b.key].format(key[0], number[key[0]])
        s.doc_no = batches[key]


# 推荐单位: 各市科技局, 省级有关部门, 行业协会 (四（七）: each recommends 1–2 per batch)
ZJ_RECOMMENDERS = ("省经信委", "省农业厅", "省卫生厅", "省海洋与渔业局", "浙江省机械工业联合会", "浙江省医药行业协会",
                   "浙江省纺织工业协会")


def zhejiang_recommenders(rng: random.Random, alliances: Sequence[Alliance]) -> None:
    """Mostly the alliance's city bureau, else a provincial department or association; ≤2 per batch, but the
    first two batches of eight or more each have one recommender with 3 (the breaches a quota check must find)."""
    by_batch: dict[date, list[Alliance]] = {}
    for a in alliances:
        by_batch.setdefault(a.filed, []).append(a)
    breaches = 0
    for _, group in sorted(by_batch.items()):
        used: Counter[str] = Counter()
        for a in group:
            options = [f"{a.place.city}市科技局", *ZJ_RECOMMENDERS]
            rng.shuffle(options)
            options.sort(key=lambda o: not o.startswith(a.place.city))   # the city first, the rest shuffled
            a.recommender = next((o for o in options if used[o] < 2), options[0])
            used[a.recommender] += 1
        full = [o for o, n in used.items() if n == 2]
        movable = [a for a in group if used[a.recommender] == 1]
        if breaches < 2 and len(group) >= 8 and full and movable:
            movable[-1].recommender = full[0]
            breaches += 1


def bureau_registry(b: Bureau, seed: int) -> list[Alliance]:
    rng = random.Random(seed + b.seed_offset)
    units = UnitSource(rng, b.places, b.weights, b.outside, b.curated)
    seeds = bureau_seeds(rng, b)
    days = [day for day, n in b.batches for _ in range(n)]
    alliances = []
    for s, day in zip(seeds, days):
        a = Alliance(s.name, s.field, s.sector, s.place, b.level, Fate("filed", day.year))
        certify(rng, a, day, with_events=b.key == "weinan")
        alliances.append(a)
    if b.key == "weinan":
        weinan_lifecycle(rng, alliances)
    if b.key == "most":
        most_evaluations(rng, alliances)
    for a in alliances:
        add_members(rng, a, units)
        a.events.sort(key=lambda e: (e.day, EVENT_ORDER[e.kind]))
        a.contact, a.phone = person_name(rng), phone_number(rng)
        a.staff = between(rng, 1, 5) if rng.random() < 0.8 else None
    if b.key != "weinan":   # only Weinan's member list keeps join and leave dates; elsewhere the list is the current one
        for a in alliances:
            a.members = [m for m in a.members if m.left is None]
            for m in a.members:
                m.joined = a.agreement
    if b.key == "weinan":
        weinan_core_members(rng, alliances)
        for a in alliances:
            weinan_reports(rng, a)
    if b.key == "heilongjiang":
        for a in alliances:
            heilongjiang_agreements(rng, a)
    if b.key == "zhejiang":
        zhejiang_recommenders(rng, alliances)
        for a in alliances:
            a.division = {"医药": "社会发展处", "环保": "社会发展处", "农业": "农村处"}.get(a.sector, "高新处") \
                if rng.random() < 0.9 else "产学研合作处"
    bureau_money(rng, b, alliances)
    bureau_documents(rng, b, alliances)
    alliances.sort(key=lambda a: a.sort_key)
    return alliances


# ---------------------------------------------------------------------------------------------
# Invariants: checked before anything is written
# ---------------------------------------------------------------------------------------------


def validate(alliances: Sequence[Alliance], first_day: date = FIRST_DAY) -> None:
    """Raise AssertionError if the generated registry breaks a rule the sample promises."""
    names = [a.name for a in alliances]
    assert len(set(names)) == len(names), "duplicate alliance names"
    codes_checked: set[str] = set()
    for a in alliances:
        days = [a.founded, a.agreement, a.applied] + [e.day for e in a.events] + [s.paid for s in a.subsidies]
        days += [r.submitted for r in a.reports] + [m.joined for m in a.members] + [m.left for m in a.members if m.left]
        days += [a.renewed] if a.renewed else []
        assert all(first_day <= d <= TODAY for d in days), f"date out of range in {a.name}"
        assert a.founded <= a.agreement <= a.applied, a.name
        assert all(e.day >= a.founded for e in a.events), f"event before founding in {a.name}"
        assert [m.role for m in a.members].count("理事长单位") == 1 and a.members[0].role == "理事长单位", a.name
        assert len({m.unit.name for m in a.members}) == len(a.members), f"unit twice in {a.name}"
        assert len({m.unit.code for m in a.members}) == len(a.members), f"code twice in {a.name}"
        assert all(m.joined >= a.founded and (m.left is None or m.left > m.joined) for m in a.members), a.name
        assert (a.filed is None) == (a.status in ("组建中", "申请中")), a.name
        assert (a.revoked is None) == (a.status != "已撤销"), a.name
        assert all(a.filed and s.paid >= a.filed for s in a.subsidies), a.name
        assert all(a.filed and a.filed.year < r.year <= LAST_REPORT_YEAR for r in a.reports), a.name
        for m in a.members:
            if m.unit.code not in codes_checked:
                assert is_valid_credit_code(m.unit.code), m.unit.code
                codes_checked.add(m.unit.code)


# ---------------------------------------------------------------------------------------------
# Writing the committed sample: messy, as bureaus export
# ---------------------------------------------------------------------------------------------

REGISTRY_FILE = "天津市产业技术创新战略联盟备案名单.xlsx"
MEMBERS_FILE = "成员单位名单.csv"
SUBSIDIES_FILE = "资金补贴拨付明细.xlsx"
REPORTS_FILE = "年度报告.csv"

REGISTRY_HEADERS = ("序号", "联盟全称", "牵头单位", "所属区", "技术领域", "级别", "备案状态", "成立日期", "协议签署日期",
                    "申请日期", "认定日期", "纳入国家试点日期", "撤销日期", "归口处室", "推荐单位", "专职人员数", "联系人",
                    "联系电话")
EVENT_HEADERS = ("联盟名称", "事项", "日期", "结果", "得分", "备注")
MEMBER_HEADERS = ("序号", "联盟名称", "成员单位名称", "统一社会信用代码", "单位性质", "联盟职务", "注册地", "是否核心成员",
                  "加入日期", "退出日期")
SUBSIDY_HEADERS = ("序号", "联盟名称", "年度", "补贴类型", "金额", "拨付日期", "文号", "状态")
REPORT_HEADERS = ("联盟名称", "年度", "提交日期", "开展活动次数", "联合攻关项目数", "新增成员数", "制定标准数", "专利数",
                  "成果转化数")

DATE_CELL_FORMATS = ("yyyy-mm-dd", "yyyy/m/d", 'yyyy"年"m"月"d"日"')
# spellings from loaders/schema.py value_aliases, used now and then as real lists do
KIND_SPELLINGS = {"高校": "高等院校", "科研院所": "科研机构", "企业": "企业单位"}
ROLE_SHORT = {"理事长单位": "理事长", "副理事长单位": "副理事长", "理事单位": "理事", "成员单位": "成员"}
SUBSIDY_SPELLINGS = {"备案补贴": "备案资助", "评估补贴": "评估资助"}


def slash_date(d: date | None) -> str:
    return f"{d.year}/{d.month}/{d.day}" if d else ""


def messy_date(rng: random.Random, d: date | None, month_only: bool = False) -> tuple[object, str | None]:
    """A date as a hand-kept sheet holds it: a date cell, text in one of three forms, a serial number,
    or (for founding dates, where only the month is known) 2019.03. Returns (value, number format)."""
    if d is None:
        return None, None
    if month_only and rng.random() < 0.05:
        return f"{d.year}.{d.month:02d}", None
    r = rng.random()
    if r < 0.45:
        return d, rng.choice(DATE_CELL_FORMATS)
    if r < 0.62:
        return slash_date(d), None
    if r < 0.76:
        return f"{d.year}年{d.month}月{d.day}日", None
    if r < 0.9:
        return d.isoformat(), None
    return (d - EXCEL_EPOCH).days, None


def half_width(name: str) -> str:
    return name.replace("（", "(").replace("）", ")")


def name_spellings(rng: random.Random, alliances: Sequence[Alliance]) -> tuple[dict[str, str], dict[str, str]]:
    """How the registry sheet and the review sheet spell each name.

    A few registry names carry stray spaces; bracketed names come in (）and () across the two
    sheets, as when two clerks typed them.
    """
    registry = {a.name: a.name for a in alliances}
    review = dict(registry)
    bracketed = [a.name for a in alliances if "（" in a.name]
    half_in_registry = set(rng.sample(bracketed, min(2, len(bracketed))))
    for name in bracketed:
        if name in half_in_registry:
            registry[name] = half_width(name)
        elif rng.random() < 0.6:
            review[name] = half_width(name)
    plain = [a.name for a in alliances if "（" not in a.name]
    for name, pad in zip(rng.sample(plain, 4), (" {}", "{} ", "  {}", "{}\u3000")):
        registry[name] = pad.format(name)
    return registry, review


def set_cell(ws: Worksheet, row: int, col: int, value: object, number_format: str | None = None) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    if number_format:
        cell.number_format = number_format


def title_row(ws: Worksheet, title: str, width: int) -> None:
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def header_row(ws: Worksheet, row: int, headers: Sequence[str], widths: dict[str, int]) -> None:
    for col, header in enumerate(headers, 1):
        ws.cell(row=row, column=col, value=header).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = widths.get(header, 12)


def registry_status(rng: random.Random, a: Alliance) -> str:
    if a.status == "申请中":   # the stage reached, as the clerk would write it (value_aliases)
        last = a.events[-1].kind
        return "公示中" if last == "公示" else "评审中" if last in ("技术审查", "专家评审") else "申请中"
    if a.status == "已备案" and rng.random() < 0.03:
        return "正常"
    return a.status


def write_registry_sheet(rng: random.Random, ws: Worksheet, alliances: Sequence[Alliance], spelled: dict[str, str]) -> int:
    title_row(ws, "天津市产业技术创新战略联盟备案名单（2010—2026年）", len(REGISTRY_HEADERS))
    header_row(ws, 3, REGISTRY_HEADERS, {"联盟全称": 46, "牵头单位": 34, "技术领域": 20, "推荐单位": 24})
    for i, a in enumerate(alliances, 1):
        row = 3 + i
        values: list[tuple[object, str | None]] = [
            (i, None), (spelled[a.name], None), (a.lead_unit, None), (a.place.region, None), (a.field, None),
            (a.level, None), (registry_status(rng, a), None), messy_date(rng, a.founded, month_only=True),
            messy_date(rng, a.agreement, month_only=True), messy_date(rng, a.applied), messy_date(rng, a.filed),
            messy_date(rng, a.pilot), messy_date(rng, a.revoked), (a.division, None), (a.recommender, None),
            (a.staff, None), (a.contact, None), (a.phone, None)]
        for col, (value, fmt) in enumerate(values, 1):
            set_cell(ws, row, col, value, fmt)
    return len(alliances)


def write_review_sheet(rng: random.Random, ws: Worksheet, alliances: Sequence[Alliance], spelled: dict[str, str]) -> int:
    """All events of one alliance on consecutive rows, its name merged vertically over them."""
    header_row(ws, 1, EVENT_HEADERS, {"联盟名称": 46, "备注": 26})
    row = 2
    for a in alliances:
        top = row
        for e in a.events:
            kind = "三年期评估" if e.kind == "三年评估" and rng.random() < 0.1 else e.kind
            day: object = e.day if rng.random() < 0.85 else slash_date(e.day)
            set_cell(ws, row, 2, kind)
            set_cell(ws, row, 3, day, "yyyy-mm-dd" if isinstance(day, date) else None)
            set_cell(ws, row, 4, e.result or None)
            set_cell(ws, row, 5, e.score)
            set_cell(ws, row, 6, e.note or None)
            row += 1
        ws.cell(row=top, column=1, value=spelled[a.name]).alignment = Alignment(vertical="center")
        if row - top > 1:
            ws.merge_cells(start_row=top, start_column=1, end_row=row - 1, end_column=1)
    return row - 2


def messy_amount(rng: random.Random, wan: float) -> object:
    """"50万元", "300,000元", or a bare number meaning 万元 under the bare 金额 header."""
    r = rng.random()
    if r < 0.4:
        return int(wan) if wan == int(wan) else wan
    if r < 0.75:
        return f"{wan_text(wan)}万元"
    return f"{round(wan * 10000):,}元"


def write_subsidy_sheet(rng: random.Random, ws: Worksheet, alliances: Sequence[Alliance]) -> int:
    title_row(ws, "天津市产业技术创新战略联盟资金补贴拨付明细（2010—2026年）", len(SUBSIDY_HEADERS))
    header_row(ws, 2, SUBSIDY_HEADERS, {"联盟名称": 46, "文号": 20, "金额": 14})
    rows = sorted(((s, a) for a in alliances for s in a.subsidies), key=lambda p: (p[0].paid, p[1].sort_key))
    for i, (s, a) in enumerate(rows, 1):
        kind = SUBSIDY_SPELLINGS.get(s.kind, s.kind) if rng.random() < 0.1 else s.kind
        status = None if s.status == "已拨付" and rng.random() < 0.1 else s.status   # blank means 已拨付
        for col, value in enumerate((i, a.name, s.year, kind, messy_amount(rng, s.amount_wan), s.paid, s.doc_no, status), 1):
            set_cell(ws, 2 + i, col, value, "yyyy-mm-dd" if col == 6 else None)
    return len(rows)


def save_workbook_stable(wb: Workbook, path: Path, creator: str = "天津市科学技术局") -> None:
    """Save with fixed document properties and zip timestamps, so unchanged data gives identical bytes."""
    wb.properties.creator = creator
    wb.properties.created = wb.properties.modified = WORKBOOK_TIME
    buffer = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()   # save_workbook() would stamp "now"
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            stable = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            stable.compress_type = zipfile.ZIP_DEFLATED
            stable.external_attr = 0o644 << 16
            dst.writestr(stable, src.read(info.filename))


def member_rows(rng: random.Random, alliances: Sequence[Alliance]) -> Iterable[list[object]]:
    i = 0
    for a in alliances:
        short_roles = rng.random() < 0.2     # some alliances write 理事长 / 理事 / 成员
        for m in a.members:
            i += 1
            kind = KIND_SPELLINGS.get(m.unit.kind, m.unit.kind) if rng.random() < 0.05 else m.unit.kind
            role = ROLE_SHORT[m.role] if short_roles else m.role
            yield [i, a.name, m.unit.name, m.unit.code if m.code_shown else "", kind, role, m.unit.registered_in,
                   "是" if m.core else "否", slash_date(m.joined), slash_date(m.left)]


def write_sample(alliances: Sequence[Alliance], out: Path, seed: int) -> dict[str, int]:
    """The four files of the committed sample; returns rows written per file (and sheet)."""
    rng = random.Random(seed + 1)    # formatting choices, independent of the registry's draws
    out.mkdir(parents=True, exist_ok=True)
    registry_names, review_names = name_spellings(rng, alliances)
    rows: dict[str, int] = {}

    wb = Workbook()
    ws = wb.active
    ws.title = "联盟名录"
    rows[f"{REGISTRY_FILE} / 联盟名录"] = write_registry_sheet(rng, ws, alliances, registry_names)
    rows[f"{REGISTRY_FILE} / 评审记录"] = write_review_sheet(rng, wb.create_sheet("评审记录"), alliances, review_names)
    save_workbook_stable(wb, out / REGISTRY_FILE)

    with open(out / MEMBERS_FILE, "w", encoding="gbk", newline="") as f:   # strict: fails on a non-GBK character
        writer = csv.writer(f)
        writer.writerow(MEMBER_HEADERS)
        rows[MEMBERS_FILE] = sum(1 for _ in map(writer.writerow, member_rows(rng, alliances)))

    wb = Workbook()
    ws = wb.active
    ws.title = "补贴"
    rows[SUBSIDIES_FILE] = write_subsidy_sheet(rng, ws, alliances)
    save_workbook_stable(wb, out / SUBSIDIES_FILE)

    with open(out / REPORTS_FILE, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(REPORT_HEADERS)
        n = 0
        for a in alliances:
            for r in a.reports:
                year = f"{r.year}年" if rng.random() < 0.15 else r.year
                writer.writerow([a.name, year, r.submitted.isoformat(), r.activities, r.joint_projects, r.new_members,
                                 r.standards, r.patents, r.transfers])
                n += 1
        rows[REPORTS_FILE] = n
    return rows


# ---------------------------------------------------------------------------------------------
# Writing the other four samples, each in its bureau's own habits
# ---------------------------------------------------------------------------------------------

Cell = object   # a value, or (value, number format) for a date cell


def write_book(path: Path, creator: str, sheets: Sequence[tuple[str, str | None, Sequence[str], Sequence[Sequence[Cell]]]],
               merge_first_column: bool = False) -> dict[str, int]:
    """Sheets of (name, title row or None, headers, rows); optionally the first column merged over equal runs."""
    wb = Workbook()
    wb.remove(wb.active)
    counts = {}
    for name, title, headers, rows in sheets:
        ws = wb.create_sheet(name)
        top = 1
        if title:
            title_row(ws, title, len(headers))
            top = 3
        header_row(ws, top, headers, {"联盟名称": 44, "牵头单位": 34, "联盟牵头单位": 34, "成员单位": 34, "单位名称": 34})
        for i, row in enumerate(rows, top + 1):
            for col, cell in enumerate(row, 1):
                value, fmt = cell if isinstance(cell, tuple) else (cell, None)
                set_cell(ws, i, col, value, fmt)
        if merge_first_column:
            start = top + 1
            for i in range(top + 1, top + len(rows) + 2):
                value = ws.cell(row=i, column=1).value if i <= top + len(rows) else object()
                if value != ws.cell(row=start, column=1).value:
                    for j in range(start + 1, i):
                        ws.cell(row=j, column=1).value = None
                    if i - start > 1:
                        ws.merge_cells(start_row=start, start_column=1, end_row=i - 1, end_column=1)
                    start = i
        counts[f"{path.name} / {name}"] = len(rows)
    save_workbook_stable(wb, path, creator)
    return counts


def write_csv_file(path: Path, headers: Sequence[str], rows: Sequence[Sequence[object]], encoding: str) -> dict[str, int]:
    with open(path, "w", encoding=encoding, newline="") as f:   # GBK is strict: a character outside it fails here
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)
    return {path.name: len(rows)}


def cn_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def dot_date(d: date | None) -> str:
    return f"{d.year}.{d.month}.{d.day}" if d else ""


def mixed(rng: random.Random, d: date | None, text: Callable[[date], str], cell_format: str, share: float) -> Cell:
    """A date typed as text in the bureau's habit, or (share of the time) a real date cell."""
    if d is None:
        return None
    return (d, cell_format) if rng.random() < share else text(d)


def member_kind(rng: random.Random, kind: str) -> str:
    return KIND_SPELLINGS.get(kind, kind) if rng.random() < 0.1 else kind


def batch_label(i: int) -> str:
    return f"第{work_numeral(i)}批"


def work_numeral(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if n <= 10 else str(n)


def write_zhejiang(rng: random.Random, alliances: Sequence[Alliance], out: Path) -> dict[str, int]:
    """One sheet per batch under a title row; members in GBK without credit codes (2010-era lists); money in 元."""
    b = ZHEJIANG
    headers = ("序号", "联盟名称", "牵头单位", "所在市", "所属产业", "推荐单位", "归口处室", "组建时间", "确定时间", "备注")
    sheets = []
    for i, (day, _) in enumerate(b.batches, 1):
        batch = [a for a in alliances if a.filed == day]
        rows = [[n, a.name if rng.random() < 0.9 else half_width(a.name), a.lead_unit, a.place.region, a.field,
                 a.recommender, a.division, f"{a.founded.year}.{a.founded.month:02d}",
                 mixed(rng, a.filed, cn_date, 'yyyy"年"m"月"d"日"', 0.5), ""] for n, a in enumerate(batch, 1)]
        sheets.append((f"{batch_label(i)}（{day.year}年）", f"浙江省{batch_label(i)}产业技术创新战略联盟名单", headers, rows))
    counts = write_book(out / "浙江省产业技术创新战略联盟名单.xlsx", b.creator, sheets)
    roles = {"理事长单位": "理事长单位", "副理事长单位": "副理事长单位", "理事单位": "理事单位", "成员单位": "成员单位"}
    counts |= write_csv_file(out / "联盟成员单位.csv", ("联盟名称", "成员单位名称", "单位类别", "在联盟中的职务", "所在地", "是否核心层"),
                             [[a.name, m.unit.name, member_kind(rng, m.unit.kind), roles[m.role], m.unit.registered_in,
                               "是" if m.core else "否"] for a in alliances for m in a.members], "gbk")
    money = [[n, a.name, s.year, "项目", round(s.amount_wan * 10000) if rng.random() < 0.7 else f"{round(s.amount_wan * 10000):,}",
              cn_date(s.paid), s.doc_no]
             for n, (s, a) in enumerate(sorted(((s, a) for a in alliances for s in a.subsidies),
                                               key=lambda p: (p[0].paid, p[1].name)), 1)]
    counts |= write_book(out / "联盟资助经费.xlsx", b.creator, [(
        "资助经费", "浙江省产业技术创新战略联盟省级科技计划资助经费", ("序号", "联盟名称", "年度", "资助类型", "资助金额（元）",
                                                    "下达时间", "文号"), money)])
    return counts


def write_weinan(rng: random.Random, alliances: Sequence[Alliance], out: Path) -> dict[str, int]:
    """认定名单 with its 复审 sheet; GBK member list with credit codes; money as "5万元"; November reports."""
    b = WEINAN
    doc_of = {day: f"渭科发〔{day.year}〕{between(rng, 20, 90)}号" for day, _ in b.batches}
    registry = [[n, a.name, a.lead_unit, a.place.region, a.field, mixed(rng, a.filed, dot_date, "yyyy-mm-dd", 0.3),
                 doc_of[a.filed], a.contact, a.phone, a.status, dot_date(a.revoked)] for n, a in enumerate(alliances, 1)]
    events = [[a.name, {"备案": "认定"}.get(e.kind, e.kind), mixed(rng, e.day, dot_date, "yyyy-mm-dd", 0.5),
               e.result or None, e.score, e.note or None] for a in alliances for e in a.events]
    counts = write_book(out / "渭南市产业技术创新战略联盟认定名单.xlsx", b.creator, [
        ("认定名单", "渭南市市级产业技术创新战略联盟名单（截至2026年11月）",
         ("序号", "联盟名称", "牵头单位", "所在县市区", "所属领域", "认定时间", "认定文号", "联系人", "联系电话", "状态",
          "撤销时间"), registry),
        ("复审情况", None, ("联盟名称", "事项", "时间", "结论", "得分", "备注"), events)])
    counts |= write_csv_file(out / "联盟成员单位名册.csv", ("序号", "联盟名称", "单位名称", "统一社会信用代码", "单位性质", "职务",
                                                     "注册地", "核心成员", "加入时间", "退出时间"),
                             [[i, a.name, m.unit.name, m.unit.code if m.code_shown else "", member_kind(rng, m.unit.kind),
                               ROLE_SHORT[m.role] if rng.random() < 0.5 else m.role, m.unit.registered_in,
                               "是" if m.core else "否", dot_date(m.joined), dot_date(m.left)]
                              for i, (a, m) in enumerate(((a, m) for a in alliances for m in a.members), 1)], "gbk")
    kinds = {"备案补贴": "认定资助", "评估补贴": "复审资助"}
    money = [[n, a.name, s.year, kinds[s.kind], f"{wan_text(s.amount_wan)}万元" if rng.random() < 0.6 else s.amount_wan,
              dot_date(s.paid), s.doc_no]
             for n, (s, a) in enumerate(sorted(((s, a) for a in alliances for s in a.subsidies),
                                               key=lambda p: (p[0].paid, p[1].name)), 1)]
    counts |= write_book(out / "认定复审资助经费.xlsx", b.creator, [(
        "资助经费", "渭南市产业技术创新战略联盟认定及复审资助经费", ("序号", "联盟名称", "年度", "资助类别", "金额", "拨付时间", "文号"),
        money)])
    reports = [[n, a.name, f"{r.year}年度", mixed(rng, r.submitted, dot_date, "yyyy-mm-dd", 0.3), r.activities,
                r.joint_projects, r.new_members, r.standards, r.patents, r.transfers]
               for n, (a, r) in enumerate(sorted(((a, r) for a in alliances for r in a.reports),
                                                 key=lambda p: (p[1].year, p[1].submitted, p[0].name)), 1)]
    counts |= write_book(out / "年度工作总结报送情况.xlsx", b.creator, [(
        "报送情况", "渭南市产业技术创新战略联盟年度工作总结报送情况",
        ("序号", "联盟名称", "年度", "报送时间", "活动次数", "攻关项目数", "新增成员", "标准数", "专利", "成果转化"), reports)])
    return counts


def write_heilongjiang(rng: random.Random, alliances: Sequence[Alliance], out: Path) -> dict[str, int]:
    """试点名单 in 年月日 text; members in a workbook with the alliance name merged down its rows; money in 万元."""
    b = HEILONGJIANG
    registry = [[n, a.name, a.lead_unit, a.place.region, a.field, cn_date(a.renewed or a.agreement), cn_date(a.filed),
                 a.contact, a.phone] for n, a in enumerate(alliances, 1)]
    counts = write_book(out / "黑龙江省产业技术创新战略联盟试点名单.xlsx", b.creator, [(
        "试点联盟", "黑龙江省产业技术创新战略联盟试点名单",
        ("序号", "联盟名称", "牵头单位", "所在市（地）", "领域", "协议签订时间", "确定试点时间", "联系人", "联系电话"), registry)])
    members = [[a.name, m.unit.name, member_kind(rng, m.unit.kind), m.role, m.unit.registered_in]
               for a in alliances for m in a.members]
    counts |= write_book(out / "试点联盟成员单位.xlsx", b.creator, [(
        "成员单位", None, ("联盟名称", "成员单位", "单位类型", "联盟职务", "所在省市"), members)], merge_first_column=True)
    money = [[n, a.name, s.year, s.kind, s.amount_wan, cn_date(s.paid), s.doc_no]
             for n, (s, a) in enumerate(sorted(((s, a) for a in alliances for s in a.subsidies),
                                               key=lambda p: (p[0].paid, p[1].name)), 1)]
    counts |= write_book(out / "省应用技术研究与开发资金支持联盟项目.xlsx", b.creator, [(
        "支持项目", "省应用技术研究与开发资金支持产业技术创新战略联盟项目",
        ("序号", "联盟名称", "项目年度", "经费类型", "支持金额（万元）", "下达日期", "计划文号"), money)])
    return counts


def write_most(rng: random.Random, alliances: Sequence[Alliance], out: Path) -> dict[str, int]:
    """A workbook with one sheet per pilot batch; UTF-8 (BOM) member csv from the national system; 评估 results."""
    b = MOST
    headers = ("序号", "联盟名称", "联盟牵头单位", "所在省份", "技术领域", "确定试点时间", "联盟状态", "退出试点时间")
    sheets = []
    for i, (day, _) in enumerate(b.batches, 1):
        batch = [a for a in alliances if a.filed == day]
        rows = [[n, a.name, a.lead_unit, a.place.region, a.field, (a.filed, "yyyy-mm-dd"),
                 "已撤销" if a.revoked else "正常", (a.revoked, "yyyy-mm-dd") if a.revoked else None]
                for n, a in enumerate(batch, 1)]
        sheets.append((batch_label(i), f"{batch_label(i)}产业技术创新战略联盟试点名单（{day.year}年）", headers, rows))
    counts = write_book(out / "产业技术创新战略联盟试点名单.xlsx", b.creator, sheets)
    counts |= write_csv_file(out / "试点联盟成员单位.csv", ("联盟名称", "单位名称", "统一社会信用代码", "单位类型", "角色", "所在地区"),
                             [[a.name, m.unit.name, m.unit.code if m.code_shown else "", m.unit.kind, m.role,
                               m.unit.registered_in] for a in alliances for m in a.members], "utf-8-sig")
    events = [[a.name, "评估" if e.kind == "三年评估" else e.kind, (e.day, "yyyy-mm-dd"), e.result or None, e.score,
               e.note or None] for a in alliances for e in a.events]
    counts |= write_book(out / "试点联盟评估结果.xlsx", b.creator, [(
        "评估结果", None, ("联盟名称", "事项", "评估时间", "评估结果", "得分", "备注"), events)])
    money = [[a.name, s.year, s.kind, s.amount_wan, (s.paid, "yyyy-mm-dd"), s.doc_no]
             for s, a in sorted(((s, a) for a in alliances for s in a.subsidies), key=lambda p: (p[0].paid, p[1].name))]
    counts |= write_book(out / "国家科技计划支持情况.xlsx", b.creator, [(
        "支持情况", None, ("联盟名称", "年度", "支持方式", "金额（万元）", "拨付日期", "文号"), money)])
    return counts


WRITERS = {"zhejiang": write_zhejiang, "weinan": write_weinan, "heilongjiang": write_heilongjiang, "most": write_most}


def write_bureau(key: str, alliances: Sequence[Alliance], out: Path, seed: int) -> dict[str, int]:
    rng = random.Random(seed + BUREAUS[key].seed_offset + 1)   # formatting choices, apart from the registry's draws
    out.mkdir(parents=True, exist_ok=True)
    return WRITERS[key](rng, alliances, out)


# ---------------------------------------------------------------------------------------------
# Writing the national-scale set: plain UTF-8 CSV, header in line 1
# ---------------------------------------------------------------------------------------------

SCALE_FILES = {
    "联盟名录.csv": ("联盟名称", "对外责任主体单位", "所属区域", "产业领域", "级别", "状态", "成立日期", "协议签署日期",
                   "申请日期", "备案日期", "纳入国家试点日期", "撤销日期", "归口处室", "推荐单位", "专职人员数"),
    "成员单位.csv": ("联盟名称", "单位名称", "统一社会信用代码", "单位类型", "角色", "注册地", "是否核心成员", "加入日期",
                   "退出日期"),
    "资金补贴.csv": ("联盟名称", "年度", "补贴类型", "金额", "拨付日期", "文号", "状态"),
    "评审记录.csv": ("联盟名称", "事项", "日期", "结果", "得分", "备注"),
    "年度报告.csv": ("联盟名称", "年度", "提交日期", "开展活动次数", "联合攻关项目数", "新增成员数", "制定标准数", "专利数",
                   "成果转化数"),
}


def scale_rows(rng: random.Random, alliances: Sequence[Alliance]) -> dict[str, Iterable[tuple[object, ...]]]:
    """Row generators per file; one date in five written 2019/3/5, money mixed like the sample."""
    rand = rng.random

    def d(day: date | None) -> str:
        if day is None:
            return ""
        return slash_date(day) if rand() < 0.2 else day.isoformat()

    def money(wan: float) -> str:
        r = rand()
        return wan_text(wan) if r < 0.5 else f"{wan_text(wan)}万元" if r < 0.8 else f"{round(wan * 10000):,}元"

    return {
        "联盟名录.csv": ((a.name, a.lead_unit, a.place.region, a.field, a.level, a.status, d(a.founded), d(a.agreement),
                       d(a.applied), d(a.filed), d(a.pilot), d(a.revoked), a.division, a.recommender,
                       "" if a.staff is None else a.staff) for a in alliances),
        "成员单位.csv": ((a.name, m.unit.name, m.unit.code if m.code_shown else "", m.unit.kind, m.role,
                       m.unit.registered_in, "是" if m.core else "否", d(m.joined), d(m.left))
                      for a in alliances for m in a.members),
        "资金补贴.csv": ((a.name, s.year, s.kind, money(s.amount_wan), d(s.paid), s.doc_no, s.status)
                      for a in alliances for s in a.subsidies),
        "评审记录.csv": ((a.name, e.kind, d(e.day), e.result, "" if e.score is None else e.score, e.note)
                      for a in alliances for e in a.events),
        "年度报告.csv": ((a.name, r.year, d(r.submitted), r.activities, r.joint_projects, r.new_members, r.standards,
                       r.patents, r.transfers) for a in alliances for r in a.reports),
    }


# The benchmark's sizes, by member rows: alliances that give about that many.
MEMBERS_PER_ALLIANCE = 20.2
SCALE_SIZES = {"120k": 5_930, "450k": 22_230, "1.7m": 84_000}
SCALE_WORKBOOK = "全国联盟登记.xlsx"
XLSX_MAX_ROWS = 1_048_576        # Excel's sheet limit, header included


def write_scale(alliances: Sequence[Alliance], out: Path, seed: int, formats: Sequence[str] = ("csv",)) -> dict[str, int]:
    """The five files as plain UTF-8 CSV and/or one workbook with a sheet per file; the same rows in each format."""
    out.mkdir(parents=True, exist_ok=True)
    if "csv" in formats:
        for name, generator in scale_rows(random.Random(seed + 1), alliances).items():
            with open(out / name, "w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f, lineterminator="\n")
                writer.writerow(SCALE_FILES[name])
                writer.writerows(generator)
    if "xlsx" in formats:
        if sum(len(a.members) for a in alliances) >= XLSX_MAX_ROWS:
            raise SystemExit(f"成员单位超过 Excel 单表上限 {XLSX_MAX_ROWS:,} 行：请用 --scale-format csv")
        wb = Workbook(write_only=True)
        for name, generator in scale_rows(random.Random(seed + 1), alliances).items():   # same draws: same rows
            ws = wb.create_sheet(name.removesuffix(".csv"))
            ws.append(SCALE_FILES[name])
            for row in generator:
                ws.append(row)
        save_workbook_stable(wb, out / SCALE_WORKBOOK, creator="科学技术部")
    sizes = [len(alliances)] + [sum(len(getattr(a, attr)) for a in alliances)
                                for attr in ("members", "subsidies", "events", "reports")]
    return dict(zip(SCALE_FILES, sizes))


# ---------------------------------------------------------------------------------------------
# Summary and command line
# ---------------------------------------------------------------------------------------------


def summary(alliances: Sequence[Alliance]) -> dict[str, int]:
    """Counts that the report and the tests talk about."""
    count = lambda pred: sum(1 for a in alliances if pred(a))  # noqa: E731
    return {
        "alliances": len(alliances),
        "filed": count(lambda a: a.filed is not None),
        "active": count(lambda a: a.status == "已备案"),
        "revoked": count(lambda a: a.status == "已撤销"),
        "applicants": count(lambda a: a.filed is None),
        "failed": count(lambda a: a.status == "组建中"),
        "pending": count(lambda a: a.status == "申请中"),
        "national_pilots": count(lambda a: a.pilot is not None),
        "members": sum(len(a.members) for a in alliances),
        "subsidies": sum(len(a.subsidies) for a in alliances),
        "events": sum(len(a.events) for a in alliances),
        "reports": sum(len(a.reports) for a in alliances),
        "overdue": count(lambda a: "overdue" in a.fate.flags),
        "over_cap": sum(1 for a in alliances for s in a.subsidies
                        if s.amount_wan > {"备案补贴": 50, "国家试点补贴": 50, "评估补贴": 30}.get(s.kind, 1e9)),
        "under_10_members_filed": count(lambda a: a.filed is not None and len(a.members) < 10),
        "under_10_members_all": count(lambda a: len(a.members) < 10),
        "beijing_hebei_member_rows": sum(1 for a in alliances for m in a.members
                                         if m.unit.registered_in.startswith(("北京", "河北"))),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="生成各地产业技术创新战略联盟示例数据（或 --scale 全国规模基准数据）")
    parser.add_argument("--sample", choices=SAMPLE_NAMES, default="tianjin",
                        help="哪个地方的示例（默认 tianjin）：" + "、".join(f"{k}={v}" for k, v in SAMPLE_PROFILES.items()))
    parser.add_argument("--all", action="store_true", help="生成全部五个示例，各写入 data/sample/<名称>/")
    parser.add_argument("--out", type=Path, help="输出目录（默认 data/sample/<名称>/，--scale 时 data/scale/）")
    parser.add_argument("--seed", type=int, default=42, help="随机种子（默认 42）")
    parser.add_argument("--scale", action="store_true", help="生成全国规模基准数据（不提交）")
    # hidden: tests write a small set; the default gives ~21 members each, so well over 400,000 member rows
    parser.add_argument("--scale-alliances", type=int, default=21_000, help=argparse.SUPPRESS)
    parser.add_argument("--scale-size", choices=SCALE_SIZES,
                        help="基准规模（按成员单位行数）：" + "、".join(SCALE_SIZES) + "；决定联盟数")
    parser.add_argument("--scale-format", default="csv",
                        help="csv、xlsx 或 csv,xlsx（同样的行；xlsx 为一个工作簿，每表一个工作表）")
    args = parser.parse_args(argv)
    if args.scale_size:
        args.scale_alliances = SCALE_SIZES[args.scale_size]
    args.scale_format = tuple(f for f in args.scale_format.split(",") if f)
    if not set(args.scale_format) <= {"csv", "xlsx"}:
        parser.error("--scale-format：只能是 csv、xlsx 或 csv,xlsx")
    return args


def main(argv: Sequence[str] | None = None) -> dict[str, int]:
    """Generate, check the invariants, write; print files, rows and seconds; return the summary counts."""
    args = parse_args(argv)
    if args.all:
        stats: dict[str, int] = {}
        for name in SAMPLE_NAMES:
            stats |= {f"{name}.{k}": v for k, v in main(["--sample", name, "--seed", str(args.seed)]).items()}
        return stats
    started = time.perf_counter()
    if args.scale:
        out = args.out or SCALE_DIR
        alliances = national_registry(args.seed, args.scale_alliances)
        validate(alliances)
        rows = write_scale(alliances, out, args.seed, args.scale_format)
    elif args.sample == "tianjin":
        out = args.out or SAMPLE_DIR / "tianjin"
        alliances = tianjin_registry(args.seed)
        validate(alliances)
        rows = write_sample(alliances, out, args.seed)
    else:
        out = args.out or SAMPLE_DIR / args.sample
        alliances = bureau_registry(BUREAUS[args.sample], args.seed)
        validate(alliances, first_day=date(2009, 1, 1))   # Heilongjiang and MOST began in 2009
        rows = write_bureau(args.sample, alliances, out, args.seed)
    seconds = time.perf_counter() - started
    print(f"写入 {out}：")
    for name, n in rows.items():
        print(f"  {name}: {n:,} 行")
    stats = summary(alliances)
    print(", ".join(f"{k}={v:,}" for k, v in stats.items()))
    print(f"用时 {seconds:.1f} 秒")
    return stats


if __name__ == "__main__":
    main()
