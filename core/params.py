"""Strict parsing of query-string values (issue 10: `?reply_to=²` gave a 500).

`str.isdigit()` accepts "²" (which `int()` refuses) and `int()` accepts "٣", " 3 " and "3_0";
a very long number overflows the database's integers. Here a number is 1 to 18 ASCII digits
(below 2**63, so every id column takes it), nothing else.
"""

import re

_ASCII_NUMBER = re.compile(r"[0-9]{1,18}")


def parse_int(value, default=None):
    """`value` (str or int) as a non-negative int if it is 1 to 18 ASCII digits, else `default`."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and _ASCII_NUMBER.fullmatch(value):
        return int(value)
    return default
