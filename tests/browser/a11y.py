"""Checks of a page as people use it, for every browser test of the project.

Import what you need: `from tests.browser.a11y import assert_no_horizontal_scroll, tab_to`.
The fixtures built on them (`phone_page`, `english_page`, `assert_page_conforms`) are in
tests/browser/conftest.py.
"""

import re

# What base.html appends to every title (« Erreur — » comes first when a form has errors).
TITLE_SUFFIX = re.compile(r" — Mon espace privé — .+$")
ERROR_PREFIX = {"fr": "Erreur — ", "en": "Error — "}


def assert_no_horizontal_scroll(page) -> None:
    """The page fits the viewport's width: nobody has to scroll sideways (WCAG 1.4.10)."""
    overflow = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > width + 0.5)
                .map((el) => el.tagName.toLowerCase()
                    + (el.id ? "#" + el.id : "")
                    + (el.className && typeof el.className === "string"
                        ? "." + el.className.trim().split(/\\s+/).join(".") : "")
                    + " (" + Math.round(el.getBoundingClientRect().right) + "px)");
            return {width, scrollWidth: document.documentElement.scrollWidth, wide};
        }"""
    )
    assert overflow["scrollWidth"] <= overflow["width"], (
        f"{page.url} is {overflow['scrollWidth']}px wide in a {overflow['width']}px viewport; "
        f"too wide: {', '.join(overflow['wide'][:10])}"
    )


def assert_headings_in_order(page) -> None:
    """One h1, and no level skipped on the way down (RGAA 9.1).

    The error summary's heading, placed above the h1 as the GOV.UK pattern does, is left out.
    """
    levels = page.evaluate(
        """() => [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
            .filter((h) => !h.closest(".error-summary"))
            .map((h) => [Number(h.tagName[1]), h.textContent.trim()])"""
    )
    assert [level for level, _ in levels].count(1) == 1, f"{page.url}: one h1 expected: {levels}"
    assert levels[0][0] == 1, f"{page.url}: the first heading is not the h1: {levels}"
    for (previous, _), (level, text) in zip(levels, levels[1:], strict=False):
        assert level <= previous + 1, f"{page.url}: h{previous} then h{level} « {text} »"


def assert_title(page, what: str, *, error: bool = False) -> None:
    """The page title says where one is, and whether there is an error, before the site's name.

    E.g. assert_title(page, "Vos coordonnées — Étape 3 sur 7", error=True) for
    « Erreur — Vos coordonnées — Étape 3 sur 7 — Mon espace privé — CPS Saint-Barthélemy ».
    """
    title = page.title()
    language = page.evaluate("document.documentElement.lang")
    assert TITLE_SUFFIX.search(title), f"{title!r} does not end with the site's name"
    expected = (ERROR_PREFIX[language] if error else "") + what
    assert TITLE_SUFFIX.sub("", title) == expected, f"title {title!r}, expected {expected!r}…"


def focused(page) -> dict:
    """What has the keyboard focus: tag, accessible text, id."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
            return {
                tag: el.tagName.toLowerCase(),
                text: (el.getAttribute("aria-label") || label || el.innerText || el.value || "")
                    .trim(),
                id: el.id,
            };
        }"""
    )


def tab_to(page, text: str, *, max_presses: int = 60) -> dict:
    """Press Tab until the focused element's text is `text` (or a regex matches); return it.

    The keyboard-only journeys use it with Enter and Space instead of clicking.
    """
    pattern = text if isinstance(text, re.Pattern) else re.compile(re.escape(text) + "$")
    seen = []
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        element = focused(page)
        if pattern.match(element["text"]):
            return element
        seen.append(element["text"])
    raise AssertionError(f"Tab never reached {text!r} on {page.url}; reached: {seen}")


def keyboard_focus(page, selector: str, *, max_presses: int = 60) -> None:
    """Move the focus to the element `selector` names with the keyboard only.

    Tab through the page; in a group of radio buttons (one Tab stop), the arrow keys move to
    the wanted one, and by doing so select it, as they do for a person.
    """
    target = page.locator(selector)
    assert target.count() == 1, f"{selector!r} matches {target.count()} elements"
    element = target.element_handle()
    where = """(t) => { const a = document.activeElement;
        return a === t ? "there" : (a.type === "radio" && t.type === "radio" && a.name === t.name)
            ? "in its group" : "elsewhere"; }"""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        position = element.evaluate(where)
        if position == "in its group":
            for _ in range(
                page.locator(f'[type=radio][name="{element.get_attribute("name")}"]').count()
            ):
                page.keyboard.press("ArrowDown")
                position = element.evaluate(where)
                if position == "there":
                    break
        if position == "there":
            return
    raise AssertionError(f"Tab never reached {selector!r} on {page.url}")


def assert_focus_visible(page) -> None:
    """The focused element shows it: an outline of 2px at least, or a box shadow (WCAG 2.4.7)."""
    style = page.evaluate(
        """() => {
            const s = getComputedStyle(document.activeElement);
            return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                    shadow: s.boxShadow, tag: document.activeElement.tagName};
        }"""
    )
    visible = (style["outline"] != "none" and style["width"] >= 2) or style["shadow"] != "none"
    assert visible, f"no visible focus on {focused(page)} at {page.url}: {style}"


def assert_focus_on(page, css_class: str = "error-summary", timeout: float = 3000) -> None:
    """The focus lands on the element of that class (the error summary, by default).

    Without the script, the browser applies the `autofocus` attribute at its next rendering,
    a moment after the page has loaded: wait for it rather than reading the focus at once.
    """
    try:
        page.wait_for_function(
            "(css) => document.activeElement && document.activeElement.classList.contains(css)",
            arg=css_class,
            timeout=timeout,
        )
    except Exception as error:  # Playwright's TimeoutError, with the focus that is there
        where = page.evaluate("document.activeElement && document.activeElement.outerHTML")
        raise AssertionError(
            f"{page.url}: focus not on .{css_class} but on {where!r:.200}"
        ) from error
