import pytest

from hotline.core.phones import OLD_MOBILE_PREFIXES, InvalidPhone, mask, normalise


@pytest.mark.parametrize("raw, expected", [
    ("0912 345 678", "+84912345678"),
    ("0912.345.678", "+84912345678"),
    ("84912345678", "+84912345678"),
    ("+84 912-345-678", "+84912345678"),
    ("+84912345678", "+84912345678"),
    ("0084 912 345 678", "+84912345678"),
    ("912345678", "+84912345678"),
    ("(+84) 912 345 678", "+84912345678"),
    # the 2018 renumbering, written nationally, internationally and with 84
    ("01693456789", "+84393456789"),
    ("0169 345 6789", "+84393456789"),
    ("+841693456789", "+84393456789"),
    ("841693456789", "+84393456789"),
    ("01203456789", "+84703456789"),
    ("01293456789", "+84823456789"),
    ("01863456789", "+84563456789"),
    ("01993456789", "+84593456789"),
    # a Hanoi landline and a foreign mobile are valid numbers too
    ("024 3826 1234", "+842438261234"),
    ("+1 415 555 2671", "+14155552671"),
])
def test_it_normalises_to_e164(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize("old, new", sorted(OLD_MOBILE_PREFIXES.items()))
def test_every_old_eleven_digit_prefix_becomes_a_valid_ten_digit_number(old, new):
    assert normalise(f"0{old}2345678") == f"+84{new}2345678"


# The 2018 renumbering as the carriers published it (21 prefixes; e.g. MobiFone's "Ke hoach trien khai chuyen
# doi thue bao"), typed here rather than read from the code's table, so a wrong entry there cannot pass.
RENUMBERED = [
    ("0162", "032"), ("0163", "033"), ("0164", "034"), ("0165", "035"),      # Viettel
    ("0166", "036"), ("0167", "037"), ("0168", "038"), ("0169", "039"),
    ("0120", "070"), ("0121", "079"), ("0122", "077"), ("0126", "076"), ("0128", "078"),   # MobiFone
    ("0123", "083"), ("0124", "084"), ("0125", "085"), ("0127", "081"), ("0129", "082"),   # VinaPhone
    ("0186", "056"), ("0188", "058"),                                        # Vietnamobile
    ("0199", "059"),                                                         # Gmobile
]


@pytest.mark.parametrize("old, new", RENUMBERED)
@pytest.mark.parametrize("written", ["{p} 765 4321", "+84{i} 765 4321", "84{i}7654321"])
def test_each_old_prefix_becomes_the_one_the_carriers_gave_it(old, new, written):
    """The last seven digits stay; only the prefix changes, however the old number is written."""
    raw = written.format(p=old, i=old[1:])
    assert normalise(raw) == f"+84{new[1:]}7654321"


def test_only_the_renumbered_prefixes_are_rewritten():
    assert sorted(OLD_MOBILE_PREFIXES) == sorted(old[1:] for old, _ in RENUMBERED)


@pytest.mark.parametrize("raw, reason", [
    ("", "empty"),
    ("   ", "empty"),
    ("abc", "not_a_number"),
    ("0912 ABC 678", "not_a_number"),
    ("0912", "too_short"),
    ("+84 112 345 678", "invalid"),
    ("0999999999999", "invalid"),
])
def test_it_rejects_invalid_numbers_with_a_reason(raw, reason):
    with pytest.raises(InvalidPhone) as e:
        normalise(raw)
    assert e.value.reason == reason


def test_it_masks_numbers_for_logs():
    assert mask("+84912345678") == "+8491****678"
    assert "2345" not in mask("+84912345678")
    assert mask("") == ""
