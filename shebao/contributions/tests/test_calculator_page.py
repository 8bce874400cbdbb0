"""The public calculator page (no login)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URL = "/calculator/"
BASE = {"hukou": "urban", "injury_class": "1", "injury_float": "100", "size": "small"}


def test_blank_form_needs_no_login(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "社保缴费计算器" in response.content.decode()


def test_shows_amounts_and_the_policy_rows_used(client):
    html = client.get(URL, {**BASE, "month": "2025-03", "wage": "12,000"}).content.decode()
    for text in ("1,920.00", "960.00", "243.00", "4,443.00", "2024 缴费年度",
                 "缴费基数上限", "35,283.00 元", "高（官方文件或原文转载）"):
        assert text in html


def test_maternity_after_2020_is_shown_as_merged(client):
    html = client.get(URL, {**BASE, "month": "2021-03", "wage": "9000"}).content.decode()
    assert "并入医疗" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"month": "2025-3x", "wage": "1"}, "不是有效的年月"),
        ({"month": "2025-03", "wage": "abc"}, "不是有效金额"),
        ({"month": "2025-03", "wage": "-5"}, "不能为负数"),
        ({"month": "1999-01", "wage": "1"}, "没有政策参数"),
        ({"month": "2025-03", "wage": "1", "injury_float": "80"}, "浮动费率只能为"),
        ({"month": "2015-03", "wage": "1", "injury_class": "6"}, "1–3 类"),
        ({"month": "2025-03", "wage": "1", "size": "huge"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_gets_a_chinese_message(client, params, message):
    response = client.get(URL, {**BASE, **params})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'id="result"' not in html
