import pytest

from hotline.core.segments import count


@pytest.mark.parametrize("text, encoding, units, segments", [
    ("", "GSM-7", 0, 0),
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("€" * 80, "GSM-7", 160, 1),            # extension characters cost two septets
    ("[" + "a" * 159, "GSM-7", 161, 2),
    ("Canh bao lu: di chuyen den nha van hoa", "GSM-7", 38, 1),
    ("Cảnh báo lũ", "UCS-2", 11, 1),
    ("ả" * 70, "UCS-2", 70, 1),
    ("ả" * 71, "UCS-2", 71, 2),
    ("ả" * 134, "UCS-2", 134, 2),
    ("ả" * 135, "UCS-2", 135, 3),
    ("🌧" * 35, "UCS-2", 70, 1),            # an emoji is a surrogate pair
    ("đ", "UCS-2", 1, 1),
])
def test_it_counts_segments_like_the_network(text, encoding, units, segments):
    c = count(text)
    assert (c.encoding, c.units, c.segments) == (encoding, units, segments)


def test_the_basic_table_has_the_standards_128_characters_and_the_letters_it_shares_with_vietnamese():
    from hotline.core.segments import GSM7_BASIC, GSM7_EXTENDED

    assert len(GSM7_BASIC) == 128 and not GSM7_BASIC & GSM7_EXTENDED
    # è é ù ì ò à are GSM-7; most Vietnamese letters are not, so an accented reply goes UCS-2.
    assert count("è é ù ì ò à").encoding == "GSM-7" and count("ê").encoding == "UCS-2"
