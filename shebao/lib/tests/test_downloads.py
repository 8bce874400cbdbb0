import pytest

from shebao.lib.downloads import attachment


def test_chinese_name_is_percent_encoded_with_an_ascii_fallback():
    assert attachment("增员表样.xlsx", "add.xlsx") == (
        "attachment; filename=\"add.xlsx\"; "
        "filename*=UTF-8''%E5%A2%9E%E5%91%98%E8%A1%A8%E6%A0%B7.xlsx")


def test_separators_in_the_name_cannot_break_the_header():
    header = attachment('a"; b.xlsx\r\nX: y', "a.xlsx")
    assert "\r" not in header and "\n" not in header and header.count('"') == 2


@pytest.mark.parametrize("fallback", ["表.xlsx", 'a".xlsx', "a;b.csv"])
def test_fallback_must_be_plain_ascii(fallback):
    with pytest.raises(ValueError):
        attachment("x.xlsx", fallback)
