"""Checksums of Chinese identity numbers, so a mistyped number is caught at the window.

居民身份证号码 (GB 11643-1999): 17 digits and a check character (0-9 or X).
统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet, last one a check.
"""

from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def resident_id_check(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


FORMAT, BIRTH_DATE, CHECK = "format", "birth_date", "check"


def gb11643_fault(number: str) -> str | None:
    """What is wrong with an 18-character GB 11643 number (the resident ID's structure, which the
    2017 外国人永久居留身份证 shares): FORMAT, BIRTH_DATE, CHECK, or None."""
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return FORMAT
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return BIRTH_DATE
    if resident_id_check(number[:17]) != number[17]:
        return CHECK
    return None


_RESIDENT_ID_FAULTS = {FORMAT: "居民身份证号码应为 17 位数字加 1 位数字或 X 校验位 "
                               "(a resident ID number is 17 digits and a check digit or X)",
                       BIRTH_DATE: "居民身份证号码中的出生日期不是有效日期 "
                                   "(the birth date inside the resident ID number is not a real date)",
                       CHECK: "居民身份证号码校验位不正确，请核对 "
                              "(the resident ID number's check digit is wrong: please check the number)"}


def resident_id_problem(number: str) -> str | None:
    fault = gb11643_fault(number)
    return _RESIDENT_ID_FAULTS[fault] if fault else None


def uscc_check(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    if len(code) != 18 or any(c not in _USCC_ALPHABET for c in code):
        return ("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z） "
                "(a unified social credit code is 18 digits or capital letters, without I, O, S, V or Z)")
    if uscc_check(code[:17]) != code[17]:
        return ("统一社会信用代码校验位不正确，请核对 "
                "(the unified social credit code's check character is wrong: please check the code)")
    return None
