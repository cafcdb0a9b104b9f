"""Policy profiles, taxonomies and field classification (queries/policy.py).

The expected figures are written out here from the policy texts in
/work/shared/policy-sources, so a wrong edit of a profile fails a test.
"""
from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from queries import policy
from queries.policy import (
    DEFAULT_PROFILE,
    PROFILES_DIR,
    TAXONOMIES_DIR,
    UNCLASSIFIED,
    Target,
    classify,
    classify_alliances,
    list_profiles,
    list_taxonomies,
    load_profile,
    load_taxonomy,
    read_overrides,
)

ALL_PROFILES = ["heilongjiang-2009", "most-2009", "tianjin-2018", "weinan-2015", "zhejiang-2010"]
ENTERPRISE_AND_ACADEMIA = (("企业",), ("高校", "科研院所"))
SHARED = Path("/work/shared")


@pytest.fixture(scope="module")
def tianjin():
    return load_taxonomy("tianjin-clusters")


@pytest.fixture(scope="module")
def heilongjiang():
    return load_taxonomy("heilongjiang-fields")


# ----------------------------------------------------------------------------- profiles


def test_all_profiles_listed_and_default_exists():
    assert list_profiles() == ALL_PROFILES
    assert DEFAULT_PROFILE in list_profiles()


@pytest.mark.parametrize("profile_id", ALL_PROFILES)
def test_every_profile_loads_and_refers_to_existing_files(profile_id):
    profile = load_profile(profile_id)
    assert profile.id == profile_id
    assert profile.name and profile.title and profile.issuer
    if SHARED.exists():  # the policy texts live outside the repository
        assert (SHARED / profile.source).is_file()
    if profile.taxonomy:
        assert profile.taxonomy in list_taxonomies()


RULE = re.compile(r'\s*(act|level|taxonomy|targets|minimum|counts_core_only|required_types|lead_registered_locally'
                  r'|local_places|neighbour_places|core_local_share_min|list|cycle_years|report_due'
                  r'|agreement_term_years|"[^"]+")\s*=|\s*\[(\[targets\]|subsidy_caps)\]')


@pytest.mark.parametrize("profile_id", ALL_PROFILES)
def test_every_rule_in_a_profile_cites_its_source(profile_id):
    # Rules must be traceable to a clause (or say 原文未规定): a comment directly above each.
    lines = (PROFILES_DIR / f"{profile_id}.toml").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines[1:], 2):
        if RULE.match(line):
            assert lines[number - 2].startswith("#"), f"{profile_id}.toml 第{number}行缺少出处注释：{line}"


def test_tianjin_2018_figures():
    p = load_profile("tianjin-2018")
    assert (p.act, p.level, p.issuer) == ("备案", "市级", "天津市科学技术局")
    assert p.taxonomy == "tianjin-clusters"
    # 第十一条（二）（三）
    assert p.members.minimum == 10 and not p.members.counts_core_only
    assert p.members.required_types == ENTERPRISE_AND_ACADEMIA
    assert p.members.lead_registered_locally
    assert p.members.local_places == ("天津",)
    assert p.members.neighbour_places == ("北京", "河北")  # 第三条（三）京津冀
    assert p.members.core_local_share_min == 0.5
    assert len(p.regions) == 16 and "滨海新区" in p.regions
    # 第十八条：每三年评估；第十三条、第十八条：50 / 50 / 30 万元
    assert p.review.cycle_years == 3
    assert p.review.agreement_term_years == 0
    assert p.subsidy_caps == {"备案补贴": 50.0, "国家试点补贴": 50.0, "评估补贴": 30.0}
    # 公开报道（2016）：十三五期间 80–100 个
    assert p.targets == (Target(label="十三五", year=2020, low=80, high=100, count_from=2016),)


def test_zhejiang_2010_figures():
    p = load_profile("zhejiang-2010")
    assert (p.act, p.level, p.issuer) == ("省级联盟", "省级", "浙江省科学技术厅")
    assert p.members.minimum == 0
    assert p.members.required_types == ENTERPRISE_AND_ACADEMIA
    assert len(p.regions) == 11 and "杭州市" in p.regions
    assert "浙江" in p.members.local_places
    assert (p.review.cycle_years, p.review.report_due) == (0, "")
    assert p.subsidy_caps == {}
    # 二（三）：2010年10个左右，到2015年50个左右，均累计
    assert [(t.year, t.low, t.high, t.count_from) for t in p.targets] == [(2010, 10, 10, 0), (2015, 50, 50, 0)]


def test_weinan_2015_figures():
    p = load_profile("weinan-2015")
    assert (p.act, p.level, p.issuer) == ("认定", "市级", "渭南市科学技术局")
    # 6（2）：核心成员不少于十家；牵头单位为市域内骨干企业
    assert p.members.minimum == 10 and p.members.counts_core_only
    assert p.members.lead_registered_locally
    assert "渭南" in p.members.local_places
    # 14：每年11月报告；15：每3年复审
    assert p.review.cycle_years == 3
    assert p.review.report_due.startswith("11-")
    assert p.review.report_due_date(2019) == date(2019, 11, 30)
    assert p.subsidy_caps == {} and p.targets == ()
    assert {"高新区", "经开区", "卤阳湖"} <= set(p.regions)


def test_heilongjiang_2009_figures():
    p = load_profile("heilongjiang-2009")
    assert (p.act, p.level) == ("试点", "省级")
    assert p.taxonomy == "heilongjiang-fields"
    # 6：“联盟协议三—五年签署一次”，取上限
    assert p.review.agreement_term_years == 5
    assert p.review.cycle_years == 0 and p.review.report_due == ""
    assert not p.members.lead_registered_locally  # 省外机构也可成为成员
    assert len(p.regions) == 13 and "大兴安岭地区" in p.regions
    assert p.targets == ()  # 目标是领域清单，不是数量


def test_most_2009_figures():
    p = load_profile("most-2009")
    assert (p.act, p.level) == ("试点", "国家级")
    if SHARED.exists():
        assert "国科发政〔2009〕648号" in (SHARED / p.source).read_text(encoding="utf-8")
    assert p.members.minimum == 0
    assert p.members.required_types == ENTERPRISE_AND_ACADEMIA
    assert not p.members.lead_registered_locally and p.members.local_places == ()
    assert len(p.regions) == 31
    assert p.review.cycle_years == 0 and p.subsidy_caps == {} and p.targets == ()


def test_report_due_date_none_when_no_report():
    assert load_profile("zhejiang-2010").review.report_due_date(2015) is None


# ----------------------------------------------------------------------------- broken profiles


def _write_profile(directory: Path, text: str, name: str = "tianjin-2018") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.toml").write_text(text, encoding="utf-8")
    return directory


def _tianjin_text() -> str:
    return (PROFILES_DIR / "tianjin-2018.toml").read_text(encoding="utf-8")


def test_copied_profile_loads_from_another_directory(tmp_path):
    directory = _write_profile(tmp_path, _tianjin_text())
    assert load_profile("tianjin-2018", directory) == load_profile("tianjin-2018")


def test_unknown_profile_id_names_the_file(tmp_path):
    with pytest.raises(ValueError, match=r"未找到政策配置「shanghai-2020」.*shanghai-2020\.toml"):
        load_profile("shanghai-2020")
    with pytest.raises(ValueError, match="无效"):
        load_profile("../secrets")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("minimum = 10\n", "", r"缺少必填项「members\.minimum」"),
        ("low = 80\n", "low = 120\n", r"「targets\[1\]\.low」下限 low=120 大于上限 high=100"),
        ('required_types = [["企业"], ["高校", "科研院所"]]', 'required_types = [["企业"], ["大学"]]',
         "未知的单位类型「大学」"),
        ("core_local_share_min = 0.5", "core_local_share_min = 50", "0 到 1"),
        ('"评估补贴" = 30', '"奖励" = 30', "不是已知的补贴类型"),
        ("minimum = 10\n", "minimum = true\n", "不小于 0 的整数"),
        ("minimum = 10\n", "minimun = 10\n", r"「members\.minimun」不是可用的配置项（拼写错误？）"),
        ('report_due = "12-31"', 'report_due = "11月"', "月-日"),
        ('act = "备案"', 'act = "登记"', "应为 试点、省级联盟、备案、认定 之一"),
        ('id = "tianjin-2018"', 'id = "tianjin"', "应与文件名一致"),
        ("cycle_years = 3\n", "cycle_years = 3\ncycle = 3\n", "不是可用的配置项"),
        ("[members]", "[members\n", "不是有效的 TOML"),
    ],
)
def test_broken_profile_raises_chinese_error_naming_the_file(tmp_path, old, new, message):
    text = _tianjin_text()
    assert old in text
    directory = _write_profile(tmp_path, text.replace(old, new, 1))
    with pytest.raises(ValueError, match=message) as error:
        load_profile("tianjin-2018", directory)
    assert "tianjin-2018.toml" in str(error.value)


# ----------------------------------------------------------------------------- taxonomies


ALL_TAXONOMIES = ["heilongjiang-fields", "national-emerging-2018", "national-mlp-fields", "tianjin-clusters",
                  "zhejiang-emerging"]


def test_taxonomies_listed():
    assert list_taxonomies() == ALL_TAXONOMIES


def test_every_profile_has_its_own_taxonomy():
    # Where the text names no list, a named public classification stands in (issue 11): never another bureau's.
    assert {p: load_profile(p).taxonomy for p in ALL_PROFILES} == {
        "heilongjiang-2009": "heilongjiang-fields",     # 5“目标任务”
        "most-2009": "national-mlp-fields",             # 第十三条（一）：《规划纲要》确定的重点领域
        "tianjin-2018": "tianjin-clusters",             # 第十一条（一）
        "weinan-2015": "national-emerging-2018",        # 6（1）：战略性新兴产业（未列清单）
        "zhejiang-2010": "zhejiang-emerging",           # 三（六）1：我省战略性新兴产业（未列清单）
    }


def test_profile_without_taxonomy_is_refused(tmp_path):
    text = _tianjin_text().replace('taxonomy = "tianjin-clusters"', 'taxonomy = ""', 1)
    with pytest.raises(ValueError, match=r"tianjin-2018\.toml：「taxonomy」不能为空"):
        load_profile("tianjin-2018", _write_profile(tmp_path, text))


@pytest.mark.parametrize("taxonomy_id", ALL_TAXONOMIES)
def test_every_taxonomy_says_what_it_is_and_where_each_entry_comes_from(taxonomy_id):
    taxonomy = load_taxonomy(taxonomy_id)
    assert taxonomy.noun in ("产业集群", "领域", "重点领域", "产业")
    assert "《" in taxonomy.source or "九大" in taxonomy.name, taxonomy.source   # a named document
    assert "统计" in taxonomy.basis and len(taxonomy.basis) < 200                # the page's one-line why
    assert all(e.source for e in taxonomy.entries)


def test_national_emerging_2018_has_the_nine_industries_in_code_order():
    taxonomy = load_taxonomy("national-emerging-2018")
    assert taxonomy.entry_names == ("新一代信息技术产业", "高端装备制造产业", "新材料产业", "生物产业", "新能源汽车产业",
                                    "新能源产业", "节能环保产业", "数字创意产业", "相关服务业")
    assert [e.source for e in taxonomy.entries] == [f"分类代码{i}" for i in range(1, 10)]


def test_zhejiang_emerging_has_the_nine_provincial_industries():
    assert set(load_taxonomy("zhejiang-emerging").entry_names) == {
        "生物产业", "新能源产业", "物联网产业", "高端装备制造业", "节能环保产业", "新材料产业", "新能源汽车产业",
        "海洋新兴产业", "核电关联产业"}


def test_national_mlp_fields_are_the_eleven_key_areas():
    assert load_taxonomy("national-mlp-fields").entry_names == (
        "能源", "水和矿产资源", "环境", "农业", "制造业", "交通运输业", "信息产业及现代服务业", "人口与健康",
        "城镇化与城市发展", "公共安全", "国防")


def test_tianjin_clusters_in_text_order(tianjin):
    # 第十一条（一）的顺序
    assert tianjin.entry_names == ("高端装备", "新一代信息技术", "航空航天", "汽车与新能源汽车", "生物医药与健康",
                                   "新能源", "新材料", "节能环保", "现代石化", "现代冶金")
    assert all(e.group == "" for e in tianjin.entries)


def test_heilongjiang_fields_by_domain(heilongjiang):
    by_group: dict[str, list[str]] = {}
    for e in heilongjiang.entries:
        by_group.setdefault(e.group, []).append(e.name)
    assert by_group == {
        "新材料": ["铝镁合金", "半导体照明", "先进复合材料", "焊接", "硅基新材料"],
        "能源装备": ["风电", "核电", "清洁能源", "煤炭深加工"],
        "农产品加工、种植": ["大豆", "乳业", "粳稻"],
        "生物、医药": ["兽用生物制品", "中药"],
        "建筑施工": ["节能建材"],
    }
    assert len(heilongjiang.entries) == 15


@pytest.mark.parametrize("taxonomy_id", ALL_TAXONOMIES)
def test_keyword_lists_are_generous_and_self_consistent(taxonomy_id):
    taxonomy = load_taxonomy(taxonomy_id)
    raw = tomllib.loads((TAXONOMIES_DIR / f"{taxonomy_id}.toml").read_text(encoding="utf-8"))
    for entry, listed in zip(taxonomy.entries, raw["entries"]):
        assert 10 <= len(listed["keywords"]) <= 30, entry.name
        for keyword in entry.keywords:  # each keyword on its own maps to its own entry
            assert classify(taxonomy, keyword)[0] == entry.name, keyword


def test_keyword_shared_by_two_entries_is_rejected(tmp_path):
    (tmp_path / "t.toml").write_text(
        'id = "t"\nname = "测试"\nnoun = "产业"\nsource = "某文件"\nbasis = "按某文件统计"\n'
        '[[entries]]\nname = "甲"\ngroup = ""\nsource = "一"\nkeywords = ["电池"]\n'
        '[[entries]]\nname = "乙"\ngroup = ""\nsource = "二"\nkeywords = ["电 池"]\n',
        encoding="utf-8")
    with pytest.raises(ValueError, match=r"t\.toml.*关键词「电 池」同时出现在「甲」和「乙」中"):
        load_taxonomy("t", tmp_path)


def test_unknown_taxonomy_raises():
    with pytest.raises(ValueError, match="未找到分类体系「shanghai」"):
        load_taxonomy("shanghai")


# ----------------------------------------------------------------------------- classify


@pytest.mark.parametrize(
    "name",
    ["高端装备", "新一代信息技术", "航空航天", "汽车与新能源汽车", "生物医药与健康",
     "新能源", "新材料", "节能环保", "现代石化", "现代冶金"],
)
def test_exact_cluster_name_maps_to_itself(tianjin, name):
    assert classify(tianjin, name)[0] == name


def test_domain_examples(tianjin):
    assert classify(tianjin, "高端装备制造（机器人）") == ("高端装备", "关键词「高端装备制造」")
    assert classify(tianjin, "稀土永磁材料") == ("新材料", "关键词「稀土永磁」")


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("高端装备制造(机器人)", "高端装备"),          # half-width brackets
        ("  集 成　电 路 ", "新一代信息技术"),        # spaces, including the ideographic one
        ("５Ｇ通信", "新一代信息技术"),               # full-width letters and digits
        ("5g 通信", "新一代信息技术"),                # case
        ("ＬＥＤ芯片封装", "新一代信息技术"),          # 芯片 — and LED is not a Tianjin keyword
        ("信创", "新一代信息技术"),
        ("新能源汽车动力电池", "汽车与新能源汽车"),     # longest keyword wins over 新能源 / 动力电池
        ("氢燃料电池", "新能源"),
        ("生物制药", "生物医药与健康"),
        ("医疗器械", "生物医药与健康"),
        ("光伏", "新能源"),
        ("石油化工", "现代石化"),
        ("化工新材料", "新材料"),
        ("钢铁", "现代冶金"),
        ("绿色建材", "节能环保"),
    ],
)
def test_classify_normalises_and_prefers_longest(tianjin, text, entry):
    assert classify(tianjin, text)[0] == entry


def test_unmapped_text(tianjin):
    assert classify(tianjin, "文化创意") == (UNCLASSIFIED, "未匹配任何关键词")


def test_ambiguous_text_is_not_guessed(tianjin):
    entry, reason = classify(tianjin, "新能源新材料")
    assert entry == UNCLASSIFIED
    assert reason == "同时匹配「新能源」「新材料」，无法确定"


@pytest.mark.parametrize("text", [None, "", "   ", "\u3000"])
def test_empty_field(tianjin, text):
    assert classify(tianjin, text) == (UNCLASSIFIED, "产业领域为空")


def test_heilongjiang_examples(heilongjiang):
    assert classify(heilongjiang, "寒地水稻种植")[0] == "粳稻"
    assert classify(heilongjiang, "光伏多晶硅")[0] == "硅基新材料"
    assert classify(heilongjiang, "新能源汽车")[0] == UNCLASSIFIED  # not one of the 15 fields


# Typical 产业领域 texts, classified by hand under each new taxonomy (longest keyword wins; a tie or no
# keyword stays 未归类, which is an entry of its own on every page).
@pytest.mark.parametrize(
    ("taxonomy_id", "text", "entry"),
    [
        ("national-emerging-2018", "高端装备制造（机器人）", "高端装备制造产业"),   # 高端装备 / 装备制造 / 机器人
        ("national-emerging-2018", "稀土永磁材料", "新材料产业"),                # 稀土永磁 (4) over 稀土, 永磁
        ("national-emerging-2018", "钼合金深加工", "新材料产业"),
        ("national-emerging-2018", "新能源汽车动力电池", "新能源汽车产业"),       # 新能源汽车 (5) over 新能源 (3)
        ("national-emerging-2018", "生物质发电", "新能源产业"),                  # 生物质发电 (5) over 生物 (2)
        ("national-emerging-2018", "中医药（中药材种植）", "生物产业"),
        ("national-emerging-2018", "尾矿综合利用", "节能环保产业"),
        ("national-emerging-2018", "动漫游戏", "数字创意产业"),
        ("national-emerging-2018", "煤化工", UNCLASSIFIED),                     # a 支柱产业, not in the classification
        ("national-emerging-2018", "果业（苹果）", UNCLASSIFIED),
        ("zhejiang-emerging", "高端装备制造（机器人）", "高端装备制造业"),
        ("zhejiang-emerging", "稀土永磁材料", "新材料产业"),
        ("zhejiang-emerging", "海洋生物医药", "海洋新兴产业"),                   # 海洋生物医药 (6) over 生物医药
        ("zhejiang-emerging", "核电阀门", "核电关联产业"),
        ("zhejiang-emerging", "传感器与RFID", "物联网产业"),
        ("zhejiang-emerging", "氟硅新材料", "新材料产业"),
        ("zhejiang-emerging", "纺织印染", UNCLASSIFIED),                         # 块状经济 (支柱), no provincial list
        ("zhejiang-emerging", "茶叶", UNCLASSIFIED),                             # 农业主导产业, no provincial list
        ("national-mlp-fields", "高端装备制造（机器人）", "制造业"),
        ("national-mlp-fields", "稀土永磁材料", "制造业"),
        ("national-mlp-fields", "煤炭清洁高效利用", "能源"),
        ("national-mlp-fields", "新能源汽车", "交通运输业"),                     # 新能源汽车 (5) over 能源 (2)
        ("national-mlp-fields", "中药现代化", "人口与健康"),
        ("national-mlp-fields", "食品安全检测", "公共安全"),                     # 食品安全 (4) over 食品 (2)
        ("national-mlp-fields", "石油化工", "制造业"),                           # 石油化工 (4) over 石油 / 化工 (2)
        ("national-mlp-fields", "航空航天", UNCLASSIFIED),                       # 纲要 lists it among 前沿技术, not a 领域
        ("national-mlp-fields", "新能源材料", "能源"),                           # 能源 the only keyword in it
        ("national-mlp-fields", "化工环保", UNCLASSIFIED),                       # 化工 (制造业) ties 环保 (环境)
    ],
)
def test_typical_fields_under_each_new_taxonomy(taxonomy_id, text, entry):
    assert classify(load_taxonomy(taxonomy_id), text)[0] == entry


# ----------------------------------------------------------------------------- overrides


def _overrides(tmp_path: Path, *rows: str, encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / "taxonomy_overrides.csv"
    path.write_text("\n".join(["联盟名称,分类体系,归入", *rows]) + "\n", encoding=encoding)
    return path


ROWS = [
    ("TJLM-001", "天津市工业机器人产业技术创新战略联盟", "高端装备制造（机器人）"),
    ("TJLM-002", "天津市新能源新材料产业技术创新战略联盟", "新能源新材料"),
    ("TJLM-003", "天津市某联盟", None),
]


def test_shipped_overrides_file_is_empty_with_bom():
    data = policy.OVERRIDES_PATH.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").strip() == "联盟名称,分类体系,归入"


def test_classify_alliances_without_overrides(tianjin, tmp_path):
    frame = classify_alliances(tianjin, ROWS, _overrides(tmp_path))
    assert list(frame.columns) == ["alliance_id", "entry", "reason", "raw_field"]
    assert list(frame["entry"]) == ["高端装备", UNCLASSIFIED, UNCLASSIFIED]
    assert frame.loc[1, "reason"] == "同时匹配「新能源」「新材料」，无法确定"
    assert frame.loc[0, "raw_field"] == "高端装备制造（机器人）"
    assert pd.isna(frame.loc[2, "raw_field"])


def test_override_wins(tianjin, tmp_path):
    path = _overrides(
        tmp_path,
        # half-width brackets and a stray space still match the name
        "天津市新能源新材料产业技术创新战略联盟 ,tianjin-clusters,新材料",
        "天津市工业机器人产业技术创新战略联盟,heilongjiang-fields,焊接",  # another taxonomy: ignored
    )
    frame = classify_alliances(tianjin, ROWS, path)
    assert list(frame["entry"]) == ["高端装备", "新材料", UNCLASSIFIED]
    assert list(frame["reason"])[:2] == ["关键词「高端装备制造」", "人工指定"]


def test_override_accepts_gbk_saved_by_excel(tianjin, tmp_path):
    path = _overrides(tmp_path, "天津市某联盟,tianjin-clusters,现代冶金", encoding="gbk")
    assert classify_alliances(tianjin, ROWS, path).loc[2, "entry"] == "现代冶金"


def test_override_with_unknown_entry_raises_with_line(tianjin, tmp_path):
    path = _overrides(tmp_path, "甲联盟,tianjin-clusters,新材料", "乙联盟,tianjin-clusters,人工智能")
    with pytest.raises(ValueError, match=r"taxonomy_overrides\.csv 第3行：「人工智能」不是分类体系"):
        classify_alliances(tianjin, ROWS, path)


def test_conflicting_overrides_raise(tianjin, tmp_path):
    path = _overrides(tmp_path, "甲联盟,tianjin-clusters,新材料", "甲联盟,tianjin-clusters,新能源")
    with pytest.raises(ValueError, match="第3行.*第2行"):
        read_overrides(tianjin, path)


def test_override_with_blank_cell_raises(tianjin, tmp_path):
    with pytest.raises(ValueError, match="第2行：缺少「归入」"):
        read_overrides(tianjin, _overrides(tmp_path, "甲联盟,tianjin-clusters,"))


def test_overrides_can_be_switched_off(tianjin):
    assert list(classify_alliances(tianjin, ROWS[:1], None)["reason"]) == ["关键词「高端装备制造」"]


def test_allowed_values_match_registry_schema():
    from loaders.schema import MEMBERS, SUBSIDIES
    assert policy.UNIT_TYPES == MEMBERS.column("unit_type").values
    assert policy.SUBSIDY_KINDS == SUBSIDIES.column("kind").values


@pytest.mark.parametrize("profile_id", list_profiles())
def test_profile_word_for_its_entries_is_its_taxonomys(profile_id: str) -> None:
    # The profile's [terms] cluster (cited from its text) and its taxonomy's noun name the same entries.
    profile = load_profile(profile_id)
    assert profile.terms.cluster == load_taxonomy(profile.taxonomy).noun
