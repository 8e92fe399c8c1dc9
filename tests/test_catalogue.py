"""The service catalogue: the demo data is complete and realistic; bad data is refused at load."""

import copy

import pytest
from sqlalchemy import func, select

from engine.catalogue.loader import DEMO_CATALOGUE, read_catalogue_file, validate_catalogue
from engine.catalogue.models import ItemMaterial, ServiceItem
from engine.errors import CatalogueError

RAW = read_catalogue_file(DEMO_CATALOGUE)


def test_demo_catalogue_covers_the_case_types_and_departments():
    catalogue = validate_catalogue(RAW, {"one_window"})
    assert len(catalogue["departments"]) >= 4 and len(catalogue["items"]) >= 10
    kinds = [item["case_type"] for item in catalogue["items"]]
    assert {"即办件", "承诺件", "联办件", "上报件"} <= set(kinds)
    for item in catalogue["items"]:
        assert item["promised_limit_days"] <= item["legal_limit_days"]
        assert any(m["mandatory"] for m in item["materials"])
        assert {m["form"] for m in item["materials"]} <= {"原件", "复印件", "原件及复印件", "电子件"}


def test_loaded_catalogue_is_in_the_database(engine):
    with engine.session() as session:
        items = session.scalar(select(func.count()).select_from(ServiceItem))
        materials = session.scalar(select(func.count()).select_from(ItemMaterial))
        joint = session.scalars(select(ServiceItem).where(ServiceItem.case_type == "联办件")).first()
        assert items == len(RAW["items"]) and materials == sum(len(i["materials"]) for i in RAW["items"])
        assert joint.co_department_codes and joint.department_code not in joint.co_department_codes


def _broken(path: str, value):
    """The demo catalogue with one field of the first promised item changed (None deletes it)."""
    raw = copy.deepcopy(RAW)
    item = next(i for i in raw["items"] if i["case_type"] == "承诺件")
    target, *rest = path.split(".")
    holder, key = (item, target) if not rest else (item["materials"][0], rest[0])
    if value is None:
        del holder[key]
    else:
        holder[key] = value
    return raw, item["code"]


@pytest.mark.parametrize("path, value, field", [
    ("promised_limit_days", 99, "promised_limit_days"),
    ("promised_limit_days", 0, "promised_limit_days"),
    ("legal_limit_days", "twenty", "legal_limit_days"),
    ("legal_limit_days", -1, "legal_limit_days"),
    ("case_type", "加急件", "case_type"),
    ("department", "NOPE", "department"),
    ("co_departments", ["ZJJ"], "co_departments"),
    ("delivery_options", ["drone"], "delivery_options.0"),
    ("delivery_options", [], "delivery_options"),
    ("process", "no_such_process", "process"),
    ("name", None, "name"),
    ("category", "娱乐", "category"),
    ("materials", [], "materials"),
    ("materials.mandatory", "yes", "materials.0.mandatory"),
    ("materials.form", "传真件", "materials.0.form"),
    ("materials.count", 0, "materials.0.count"),
    ("materials.colour", "red", "materials.0.colour"),
    ("surprise", 1, "surprise"),
    ("extension_days", 11, "extension_days"),
    ("co_review_days", 0, "co_review_days"),
    ("report_clock", "sometimes", "report_clock"),
])
def test_bad_items_are_refused_naming_item_and_field(path, value, field):
    raw, code = _broken(path, value)
    with pytest.raises(CatalogueError) as error:
        validate_catalogue(raw, {"one_window"})
    assert error.value.field == field
    assert f"item {code}: {field}" in error.value.message


def test_duplicates_and_inconsistencies_are_refused():
    raw = copy.deepcopy(RAW)
    raw["items"].append(copy.deepcopy(raw["items"][0]))
    with pytest.raises(CatalogueError, match="used by two items"):
        validate_catalogue(raw, {"one_window"})
    raw = copy.deepcopy(RAW)
    raw["items"][0]["materials"].append(copy.deepcopy(raw["items"][0]["materials"][0]))
    with pytest.raises(CatalogueError, match="used twice"):
        validate_catalogue(raw, {"one_window"})
    raw = copy.deepcopy(RAW)
    joint = next(i for i in raw["items"] if i["case_type"] == "联办件")
    joint["co_departments"] = [joint["department"]]
    with pytest.raises(CatalogueError, match="lead department cannot also co-review"):
        validate_catalogue(raw, {"one_window"})
    raw = copy.deepcopy(RAW)
    raw["departments"][0]["code"] = "bad code"
    with pytest.raises(CatalogueError, match="department bad code: code"):
        validate_catalogue(raw, {"one_window"})


@pytest.mark.parametrize("case_type, field, value, message", [
    ("联办件", "legal_limit_days", 46, "combined limit is at most 45 working days"),
    ("联办件", "extension_days", 16, "extended by at most 15 working days"),
    ("上报件", "higher_authority", " ", "names the higher authority"),
])
def test_limits_of_joint_and_forwarded_items_follow_the_law(case_type, field, value, message):
    raw = copy.deepcopy(RAW)
    item = next(i for i in raw["items"] if i["case_type"] == case_type)
    item[field] = value
    with pytest.raises(CatalogueError, match=message) as error:
        validate_catalogue(raw, {"one_window"})
    assert error.value.field == field


def test_a_refused_catalogue_writes_nothing(engine):
    raw, _ = _broken("promised_limit_days", 99)
    raw["items"][0]["name"] = "改过的名称"   # a valid change before the broken item
    with pytest.raises(CatalogueError):
        engine.load_catalogue(raw)
    with engine.session() as session:
        assert session.get(ServiceItem, RAW["items"][0]["code"]).name == RAW["items"][0]["name"]


def test_reloading_deactivates_dropped_items_and_keeps_cases(engine):
    raw = copy.deepcopy(RAW)
    dropped = raw["items"].pop()
    engine.load_catalogue(raw)
    with engine.session() as session:
        assert session.get(ServiceItem, dropped["code"]).active is False
    engine.load_catalogue(RAW)
    with engine.session() as session:
        assert session.get(ServiceItem, dropped["code"]).active is True


def test_unreadable_files_are_refused(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("center_name = \n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="not valid TOML"):
        read_catalogue_file(broken)
    with pytest.raises(CatalogueError, match="cannot read"):
        read_catalogue_file(tmp_path / "missing.toml")


def test_huge_and_binary_files_are_refused_before_parsing(tmp_path):
    huge = tmp_path / "huge.toml"
    huge.write_text('center_name = "' + "x" * (6 * 1024 * 1024) + '"\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match="larger than 1 MiB"):
        read_catalogue_file(huge)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe" + b"\x00" * 100)
    with pytest.raises(CatalogueError, match="not UTF-8"):
        read_catalogue_file(binary)
