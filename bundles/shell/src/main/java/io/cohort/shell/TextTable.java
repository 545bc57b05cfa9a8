package io.cohort.shell;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table whose columns are padded to their widest cell, separated by two spaces. */
final class TextTable {

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    TextTable(String... headers) {
        this.headers = List.of(headers);
    }

    /**
     * Adds a row. Null cells print as {@code -}.
     *
     * @throws IllegalArgumentException if the row has another number of cells than there are headers
     */
    TextTable row(String... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells; expected " + headers.size());
        }
        List<String> row = new ArrayList<>();
        for (String cell : cells) {
            row.add(cell == null ? "-" : cell);
        }
        rows.add(row);
        return this;
    }

    /** Returns the header line and one line per row, each ending with a line break and no trailing spaces. */
    String render() {
        int[] widths = new int[headers.size()];
        for (int column = 0; column < widths.length; column++) {
            widths[column] = headers.get(column).length();
            for (List<String> row : rows) {
                widths[column] = Math.max(widths[column], row.get(column).length());
            }
        }
        StringBuilder text = new StringBuilder();
        appendLine(text, headers, widths);
        for (List<String> row : rows) {
            appendLine(text, row, widths);
        }
        return text.toString();
    }

    private static void appendLine(StringBuilder text, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int column = 0; column < cells.size(); column++) {
            if (column > 0) {
                line.append("  ");
            }
            String cell = cells.get(column);
            line.append(cell).append(" ".repeat(widths[column] - cell.length()));
        }
        text.append(line.toString().stripTrailing()).append('\n');
    }
}
