"""Story bodies render as sanitised HTML: Markdown through markdown-it-py, then nh3."""

from lxml import html

from newsroom.stories.markdown import render_markdown
from newsroom.stories.models import Story


def elements(rendered: str):
    return html.fragment_fromstring(rendered, create_parent="div").iter()


def test_markdown_renders_to_html():
    rendered = render_markdown("Officials **told** the [FT](https://www.ft.com/).\n\n- one")

    assert "<strong>told</strong>" in rendered
    assert 'href="https://www.ft.com/"' in rendered
    assert "<li>one</li>" in rendered


def test_script_tags_are_stripped_with_their_content():
    rendered = render_markdown("Before\n\n<script>alert('x')</script>\n\nAfter")

    assert "<script" not in rendered
    assert "alert" not in rendered
    assert "After" in rendered


def test_event_handler_attributes_are_stripped():
    rendered = render_markdown(
        'An <img src="x" onerror="alert(1)"> and <abbr title="Financial Times" '
        'onclick="alert(2)">FT</abbr>'
    )

    assert all(
        not name.startswith("on") for element in elements(rendered) for name in element.attrib
    )
    assert "alert" not in rendered
    assert '<abbr title="Financial Times">FT</abbr>' in rendered  # allowed inline HTML stays


def test_javascript_links_lose_their_href():
    rendered = render_markdown('<a href="javascript:alert(1)">click</a>')

    assert "javascript:" not in rendered
    assert "click" in rendered


def test_story_renders_its_body():
    story = Story(body="<p onmouseover=x()>Hi</p> <iframe src=//evil></iframe>")

    assert story.rendered_body() == "<p>Hi</p> "
