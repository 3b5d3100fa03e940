package io.berth.ops.kubectl;

import java.util.List;

/**
 * The table a watch keeps printing below the list it started from, as kubectl does: the columns keep the
 * widths of the header and the rows already shown, and the header is printed only once, before the first
 * row when the list was empty. Shared by {@code get --watch} and {@code history --watch} so both align
 * their rows the same way.
 */
final class WatchTable {
    private final List<String> header;
    private final int[] widths;
    private boolean headerPrinted;

    /** @param shown the rows already printed under {@code header} (their header with them when not empty) */
    WatchTable(List<String> header, List<List<String>> shown) {
        this.header = header;
        this.widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) widths[i] = header.get(i).length();
        for (List<String> row : shown) widen(row);
        this.headerPrinted = !shown.isEmpty();
    }

    /** The text that prints {@code row}: preceded by the header (sized to fit this row) when none was printed yet. */
    String next(List<String> row) {
        if (headerPrinted) return pad(row, widths);
        widen(row);
        headerPrinted = true;
        return pad(header, widths) + pad(row, widths);
    }

    private void widen(List<String> row) {
        for (int i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i], row.get(i).length());
    }

    private static String pad(List<String> cells, int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            sb.append(cells.get(i));
            if (i < cells.size() - 1) sb.append(" ".repeat(Math.max(Math.max(widths[i] + 3, 6) - cells.get(i).length(), 1)));
        }
        return sb.append('\n').toString();
    }
}
