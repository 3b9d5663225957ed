"""Session 23 lead fixes: each test names the finding it holds (review22 F-numbers, rt7 D-numbers)."""
from decimal import Decimal

import pytest

from bidkit.rules.resolution import another_own_share, own_share_statements

SHARE = {Decimal(250000)}


@pytest.mark.parametrize("text", [
    "Der Eigenanteil für Maßnahme 3 250 000 € wird bereitgestellt.",
    "Der Eigenanteil von Nr. 2 250 000 Euro ist gedeckt.",
    "Eigenmittel Anlage 4 250 000 EUR",
])
def test_number_name_before_a_space_grouped_amount_reads_both_ways(text):
    """F16: „Maßnahme 3 250 000 €“ may be 3.250.000 € or measure 3's 250.000 €: neither is taken for the other."""
    assert another_own_share(text, SHARE, set()) is None
    values = [value for _, value, _ in own_share_statements(text)[0]]
    assert Decimal(250000) in values and len(values) == 2


def test_space_grouped_amount_without_a_number_name_is_one_amount():
    assert another_own_share("Der Eigenanteil beträgt 3 250 000 €.", SHARE, set())[1:] == (Decimal(3250000), "amount")
    # a wrong amount behind a number's name is still reported, as written
    assert another_own_share("Der Eigenanteil für Maßnahme 3 260 000 € steht.", SHARE, set())[1:] == (Decimal(3260000), "amount")
    # a no-break space groups thousands: one reading
    assert [v for _, v, _ in own_share_statements("Eigenanteil Maßnahme 3\u00a0250\u00a0000 €")[0]] == [Decimal(3250000)]
