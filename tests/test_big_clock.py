from circle.tui.widgets.big_clock import draw, scale_for


def test_clock_grows_with_the_space_it_is_given():
    small = draw("1:30", 20, 3)
    large = draw("1:30", 160, 40)
    assert max(len(line.strip()) for line in large) > 4 * max(len(line.strip()) for line in small)
    assert scale_for("1:30", 20, 3) == 1
    assert scale_for("1:30", 160, 40) == 12  # 13 pixels wide: 160 // 13


def test_clock_is_centred_and_never_wider_than_its_region():
    for width, height in [(30, 5), (80, 20), (200, 50)]:
        lines = draw("+12:05", width, height)
        assert len(lines) <= height
        assert all(len(line) <= width for line in lines)
        drawn = [line for line in lines if line.strip()]
        left = min(len(line) - len(line.lstrip()) for line in drawn)
        right = width - max(len(line) for line in drawn)
        assert abs(left - right) <= 1 + scale_for("+12:05", width, height)


def test_digits_are_distinguishable():
    shapes = {d: "\n".join(draw(d, 3, 3)) for d in "0123456789"}
    assert len(set(shapes.values())) == 10
