"""Random but valid applicants: names, identity numbers, phones, addresses."""

import random

from engine.cases.identity import resident_id_check, uscc_check

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰春梅海燕晓东"
SHOPS = ["好味餐饮", "鑫源商贸", "惠民药房", "兴旺运输", "安居置业", "绿源食品", "恒通物流", "佳美装饰", "康宁诊所", "宏达建设"]
STREETS = ["人民路", "解放路", "中山路", "建设路", "文化路", "和平路", "新华路", "胜利街", "光明路", "朝阳路"]
REGIONS = ["330102", "330105", "330106", "330108", "330110", "330281", "330782"]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def resident_id(rng: random.Random) -> str:
    birth = f"{rng.randint(1955, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"{rng.choice(REGIONS)}{birth}{rng.randint(0, 999):03d}"
    return first17 + resident_id_check(first17)


def uscc(rng: random.Random) -> str:
    body = "9133" + f"{rng.randint(0, 9999):04d}" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check(body)


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"


def address(rng: random.Random) -> str:
    return f"示范市{rng.choice(STREETS)}{rng.randint(1, 400)}号{rng.randint(1, 30)}幢{rng.randint(101, 2802)}室"


def applicant(rng: random.Random) -> dict:
    if rng.random() < 0.35:
        contact = person_name(rng)
        return {"kind": "organization", "name": f"示范市{rng.choice(SHOPS)}有限公司", "id_type": "统一社会信用代码",
                "id_number": uscc(rng), "phone": phone(rng), "address": address(rng), "contact_name": contact}
    return {"kind": "person", "name": person_name(rng), "id_type": "居民身份证", "id_number": resident_id(rng),
            "phone": phone(rng), "address": address(rng)}


def waybill(rng: random.Random) -> str:
    return f"11{rng.randint(10**10, 10**11 - 1)}"
