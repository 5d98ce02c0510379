"""Rich text keeps its formatting and loses anything that could run."""

from __future__ import annotations

from vanguard.lib.sanitize import clean_html, is_blank, text_to_html


def test_formatting_is_kept():
    html = "<h2>第一章</h2><p><strong>重点</strong>和<em>体会</em></p><ul><li>一</li></ul>"
    assert clean_html(html) == html


def test_scripts_and_their_content_are_removed():
    cleaned = clean_html("<p>学习</p><script>alert(1)</script><style>p{}</style>")
    assert cleaned == "<p>学习</p>"


def test_event_handlers_images_and_javascript_links_are_removed():
    cleaned = clean_html(
        '<img src=x onerror="alert(1)"><p onclick="alert(2)">文</p>'
        '<a href="javascript:alert(3)">链</a>'
    )
    assert "onerror" not in cleaned
    assert "<img" not in cleaned
    assert "onclick" not in cleaned
    assert "javascript:" not in cleaned
    assert "文" in cleaned and "链" in cleaned


def test_ordinary_links_are_kept_without_opener():
    cleaned = clean_html('<a href="https://example.org/">材料</a>')
    assert 'href="https://example.org/"' in cleaned
    assert "noopener" in cleaned


def test_plain_text_becomes_paragraphs_and_markup_in_it_stays_text():
    html = text_to_html("第一段\n第二行\n\n<script>alert(1)</script>")
    assert html == "<p>第一段<br>第二行</p><p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


def test_blank_detects_markup_without_text():
    assert is_blank("<p><br></p>")
    assert is_blank("<script>x</script>")
    assert not is_blank("<p>字</p>")
