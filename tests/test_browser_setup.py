"""Center setup in a real browser: the administrator creates a department and an item through the
pages, then uploads next year's calendar as CSV, checks the preview and imports it."""

from datetime import datetime

from tests.test_browser import CHINA, Person, server  # noqa: F401 (the fixture)


def test_the_administrator_sets_up_a_department_an_item_and_next_years_calendar(server, browser, tmp_path):  # noqa: F811
    admin = Person(browser, server, "admin")
    page = admin.page
    page.goto(f"{server}/admin/catalogue")
    page.fill("#department-form input[name=code]", "WGJ")
    page.fill("#department-form input[name=name]", "示范市文化广电旅游局")
    page.fill("#department-form input[name=short_name]", "文广旅")
    page.click("#department-form button[type=submit]")
    page.wait_for_load_state()
    assert "已保存部门 示范市文化广电旅游局" in page.content()

    page.click("text=新增事项")
    page.wait_for_load_state()
    form = "#item-form"
    page.fill(f"{form} input[name=code]", "WGJ-001")
    page.fill(f"{form} input[name=name]", "营业性演出许可")
    page.select_option(f"{form} select[name=department]", "WGJ")
    page.select_option(f"{form} select[name=case_type]", "承诺件")
    page.fill(f"{form} input[name=legal_limit_days]", "20")
    page.fill(f"{form} input[name=promised_limit_days]", "30")  # over the legal limit: refused
    page.fill(f"{form} textarea[name=legal_basis]", "《营业性演出管理条例》第六条")
    page.fill(f"{form} textarea[name=conditions]", "有与演出相适应的专职演员和器材设备")
    page.fill(f"{form} input[name=result_name]", "营业性演出许可证")
    page.fill(f"{form} input[name='materials-0-code']", "M01")
    page.fill(f"{form} input[name='materials-0-name']", "营业性演出申请书")
    page.check(f"{form} input[name='materials-0-mandatory']")
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()
    assert "承诺时限" in page.locator(".flash.error").inner_text()
    page.fill(f"{form} input[name=promised_limit_days]", "10")
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/admin/catalogue/items/WGJ-001") and "营业性演出许可 · v1" in page.content()
    admin.shot("setup-01-item")

    next_year = datetime.now(CHINA).year + 1
    schedule = tmp_path / f"{next_year}.csv"
    schedule.write_text(f"date,kind,name\n{next_year}-01-01,holiday,元旦\n", encoding="utf-8")
    page.goto(f"{server}/admin/calendar")
    page.set_input_files("#calendar-upload input[name=schedule]", str(schedule))
    page.fill("#calendar-upload input[name=source]", "国办发明电（测试）")
    page.click("#calendar-upload button[type=submit]")
    page.wait_for_load_state()
    assert f"{next_year}-01-01" in page.locator("table.calendar-changes").inner_text()
    admin.shot("setup-02-calendar-preview")
    page.click("#calendar-confirm button[type=submit]")
    page.wait_for_load_state()
    assert f"已导入 {next_year} 年日历 1 天" in page.content()
    assert "国办发明电（测试）" in page.content()
