package io.berth.ops.stack;

import java.util.ArrayList;
import java.util.List;

/** Splits a command string as a POSIX shell does (quotes, backslashes), as Swarm splits a string {@code command}. */
final class ShellWords {
    private ShellWords() {}

    /** @throws IllegalArgumentException on an unterminated quote */
    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'') {
                int end = s.indexOf('\'', i + 1);
                if (end < 0) throw new IllegalArgumentException("unterminated single quote in " + s);
                w.append(s, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                int j = i + 1;
                for (; j < s.length() && s.charAt(j) != '"'; j++) {
                    char d = s.charAt(j);
                    if (d == '\\' && j + 1 < s.length() && "\"\\$`\n".indexOf(s.charAt(j + 1)) >= 0) d = s.charAt(++j);
                    w.append(d);
                }
                if (j >= s.length()) throw new IllegalArgumentException("unterminated double quote in " + s);
                i = j;
                inWord = true;
            } else if (c == '\\' && i + 1 < s.length()) {
                w.append(s.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) out.add(w.toString());
                w.setLength(0);
                inWord = false;
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (inWord) out.add(w.toString());
        return out;
    }
}
