"""The server-drawn SVG charts: labelled for screen readers, names escaped, gaps kept."""

from opora.monitoring import charts


def test_bars_are_an_image_with_a_label_and_escape_the_names():
    svg = charts.bars([("Школа <№1> & Ко", 12.5), ("Пусто", None)], label="Охват, %", suffix=" %",
                      target=80)

    assert svg.startswith('<svg class="chart" role="img" aria-label="Охват, %"')
    assert "Школа &lt;№1&gt; &amp; Ко" in svg and "<№1>" not in svg
    assert "12,5 %" in svg and "—" in svg  # the unknown value is shown as a dash
    assert 'class="chart-target"' in svg


def test_a_series_skips_unknown_points_and_an_empty_one_draws_nothing():
    svg = charts.line([("01.10.2026", 70.0), ("01.11.2026", None), ("05.12.2026", 75.5)],
                      label="Охват во времени")

    assert svg.count("<circle") == 2
    assert charts.line([("01.10.2026", None)], label="x") == ""
    assert charts.bars([], label="x") == ""
