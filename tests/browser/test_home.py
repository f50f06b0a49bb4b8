"""The home page in a real browser, with and without JavaScript."""


def test_home_page_has_no_accessibility_violation(live_server, page, assert_accessible):
    page.goto(live_server.url + "/")
    assert page.get_by_role("link", name="S'inscrire").first.is_visible()
    assert_accessible(page)


def test_home_page_leads_to_registration_without_javascript(live_server, nojs_page):
    nojs_page.goto(live_server.url + "/")
    nojs_page.get_by_role("navigation").get_by_role("link", name="S'inscrire").click()
    assert nojs_page.url.endswith("/inscription/")
