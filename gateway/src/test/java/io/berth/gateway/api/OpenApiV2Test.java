package io.berth.gateway.api;

import com.google.protobuf.CodedInputStream;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OpenAPI v2 document kubectl 1.20 reads, decoded back with gnostic's field numbers. */
class OpenApiV2Test {
    @Test
    void shouldBeASwaggerDocumentWithoutDefinitionsAndWithDryRunPatches() throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(OpenApiV2.protobuf());
        String swagger = null;
        List<String> paths = new ArrayList<>();
        boolean definitions = false;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag >>> 3) {
                case 1 -> swagger = in.readString();
                case 8 -> {
                    CodedInputStream p = CodedInputStream.newInstance(in.readByteArray());
                    for (int t; (t = p.readTag()) != 0; ) {
                        CodedInputStream named = CodedInputStream.newInstance(p.readByteArray());
                        named.readTag();
                        String name = named.readString();
                        named.readTag();
                        String item = new String(named.readByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1);
                        assertTrue(item.contains("dryRun") && item.contains("x-kubernetes-group-version-kind"), name);
                        paths.add(name + " " + (item.contains("kind: Deployment\n") ? "Deployment" : ""));
                    }
                }
                case 9 -> {
                    definitions = true;
                    in.skipField(tag);
                }
                default -> in.skipField(tag);
            }
        }
        assertEquals("2.0", swagger);
        assertTrue(!definitions, "no definitions: kubectl 1.20 would validate against them");
        assertTrue(paths.contains("/apis/apps/v1/namespaces/{namespace}/deployments/{name} Deployment"), paths.toString());
        assertEquals("2.0", OpenApiV2.json().getString("swagger"));
    }
}
