"""The ledger's table: many rows, only the lines on screen drawn, the header kept in place."""

from __future__ import annotations

from textual.app import App, ComposeResult

from circle.tui.widgets.rows_table import RowsTable


class TableApp(App):
    def compose(self) -> ComposeResult:
        yield RowsTable(id="t")


def lines(table: RowsTable) -> list[str]:
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


async def test_header_stays_while_rows_scroll_and_numbers_line_up():
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(RowsTable)
        table.set_columns(["Person", "Total"], right=[1], strong=[1])
        table.set_rows([(f"P{n:03d}", str(n * 10)) for n in range(200)])
        await pilot.pause()
        shown = lines(table)
        assert shown[0] == "Person  Total"
        assert shown[1:3] == ["P000        0", "P001       10"]
        table.focus()
        await pilot.press("end")
        await pilot.pause()
        shown = lines(table)
        assert shown[0] == "Person  Total"  # the header did not scroll away
        assert shown[-1] == "P199     1990"


async def test_wide_names_keep_the_columns_aligned():
    app = TableApp()
    async with app.run_test(size=(40, 6)) as pilot:
        table = app.query_one(RowsTable)
        table.set_columns(["Person", "Total"], right=[1])
        table.set_rows([("Ana", "5"), ("李小龍", "12"), ("Zoë", "7")])
        await pilot.pause()
        ends = [len(line) + sum(1 for ch in line if "\u4e00" <= ch <= "\u9fff") for line in lines(table)[:4]]
        assert len(set(ends)) == 1, lines(table)
