package io.berth.ops.kubectl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What {@code -f FILE|DIR|-} names: a file, the .yaml/.yml/.json files of a directory (sorted), or stdin. */
final class ManifestFiles {
    private ManifestFiles() {}

    record Source(String name, String text) {}

    static List<Source> read(List<String> args, InputStream stdin) {
        List<Source> out = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("-")) {
                try {
                    out.add(new Source("-", new String(stdin.readAllBytes(), StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read stdin", e);
                }
                continue;
            }
            Path path = Path.of(arg);
            if (!Files.exists(path)) throw new IllegalArgumentException("the path \"" + arg + "\" does not exist");
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.list(path)) {
                    files.filter(ManifestFiles::isManifest).sorted().forEach(p -> out.add(readFile(p)));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + arg, e);
                }
            } else {
                out.add(readFile(path));
            }
        }
        return out;
    }

    private static boolean isManifest(Path p) {
        String name = p.getFileName().toString();
        return Files.isRegularFile(p) && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
    }

    private static Source readFile(Path p) {
        try {
            return new Source(p.toString(), Files.readString(p, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }
}
