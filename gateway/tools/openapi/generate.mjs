// Writes ../../src/main/resources/io/berth/gateway/api/kubernetes-schemas.json: the OpenAPI v3 component
// schemas (kube-apiserver's names, e.g. io.k8s.api.apps.v1.DeploymentSpec, with Kubernetes' field
// descriptions) of the kinds the gateway serves and of every type they reach. Source: the TypeScript
// declarations of the npm packages kubernetes-models and @kubernetes-models/apimachinery, which are
// generated from Kubernetes' own OpenAPI document. Run: npm install && node generate.mjs [SCHEMA_NAME…]
// (default: the kinds Discovery.GROUPS serves that Kubernetes defines; add a kind there, add it here).
import fs from "node:fs";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const roots = [
  ["kubernetes-models", "io.k8s.api", true],
  ["@kubernetes-models/apimachinery", "io.k8s.apimachinery.pkg", false],
];

// every exported type: its TS alias (IIoK8s…) -> {file, local, schema name}
const byAlias = new Map();
for (const [pkg, prefix, api] of roots) {
  const base = path.join(here, "node_modules", pkg);
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== "_schemas" && e.name !== "node_modules") walk(p);
      else if (e.name.endsWith(".d.ts")) {
        const text = fs.readFileSync(p, "utf8");
        const m = text.match(/export type \{ (\w+) as (IIoK8s\w+)/);
        if (!m) continue;
        const rel = path.relative(base, p).replace(/\.d\.ts$/, "").split(path.sep);
        const kind = rel.pop();
        let group = rel.length === 1 ? "core" : rel[0].replace(/\.k8s\.io$/, "").replace(/\.authorization$/, "");
        const name = api ? `${prefix}.${group}.${rel[rel.length - 1]}.${kind}` : `${prefix}.${rel.join(".")}.${kind}`;
        byAlias.set(m[2], { file: p, local: m[1], name, text });
      }
    }
  };
  walk(base);
}

function description(lines) {
  return lines.map((l) => l.replace(/^\s*\*\s?/, "")).join("\n").trim();
}

/** The schema of a TS type expression. */
function typeOf(t, refs) {
  t = t.trim().replace(/;$/, "").trim();
  if (t === "string" || /^"[^"]*"$/.test(t)) return { type: "string" };
  if (t === "number") return { type: "integer" };
  if (t === "boolean") return { type: "boolean" };
  if (t === "any" || t === "unknown" || t === "object") return { type: "object" };
  if (t === "string | number" || t === "number | string") return { "x-kubernetes-int-or-string": true };
  let m = t.match(/^Array<(.+)>$/s);
  if (m) return { type: "array", items: typeOf(m[1], refs) };
  m = t.match(/^\{\s*\[key: string\]: (.+?);?\s*\}$/s);
  if (m) return { type: "object", additionalProperties: typeOf(m[1], refs) };
  if (byAlias.has(t)) {
    const target = byAlias.get(t);
    const alias = target.text.match(new RegExp(`export type ${target.local} = ([^;]+);`));
    if (alias) {
      const inner = typeOf(alias[1], refs);
      if (target.name.endsWith(".Time") || target.name.endsWith(".MicroTime")) inner.format = "date-time";
      return inner;
    }
    refs.add(t);
    return { $ref: `#/components/schemas/${target.name}` };
  }
  return { type: "object" };
}

/** The object schema of an inline object type's field lines (documented fields, one per line). */
function inlineObject(lines, refs) {
  const out = { type: "object", properties: {} };
  let comment = [], inComment = false;
  for (const line of lines) {
    const s = line.trim();
    if (s.startsWith("/**")) { inComment = true; comment = []; if (s.endsWith("*/")) { comment.push(s.slice(3, -2)); inComment = false; } continue; }
    if (inComment) { if (s.endsWith("*/")) inComment = false; else comment.push(s); continue; }
    const f = s.match(/^"?([\w$-]+)"?(\?)?: (.*)$/);
    if (!f) continue;
    const p = typeOf(f[3], refs);
    const d = description(comment);
    out.properties[f[1]] = d ? (p.$ref ? { description: d, allOf: [p] } : { ...p, description: d }) : p;
    comment = [];
  }
  return out;
}

/** The object schema of one interface, with the aliases it references added to refs. */
function schemaOf(alias, refs) {
  const { text, local } = byAlias.get(alias);
  const header = text.match(new RegExp(`export interface ${local}( extends [^{]+)? \\{`));
  if (!header) return null;
  const start = header.index;
  const head = text.slice(0, start);
  const doc = head.lastIndexOf("/**");
  const out = { type: "object", properties: {} };
  if (doc >= 0) out.description = description(head.slice(doc + 3, head.lastIndexOf("*/")).split("\n"));
  const body = text.slice(start).split("\n").slice(1);
  const required = [];
  let comment = [], inComment = false;
  for (let i = 0; i < body.length; i++) {
    const line = body[i];
    if (/^\}/.test(line)) break;
    const s = line.trim();
    if (s.startsWith("/**")) { inComment = true; comment = []; if (s.endsWith("*/")) { comment.push(s.slice(3, -2)); inComment = false; } continue; }
    if (inComment) { if (s.endsWith("*/")) inComment = false; else comment.push(s); continue; }
    const f = s.match(/^"?([\w$-]+)"?(\?)?: (.*)$/);
    if (!f) continue;
    let type = f[3];
    let p;
    if (type.trim() === "Array<{") { // a list of a multi-line inline object type (StatefulSetSpec.volumeClaimTemplates)
      const lines = [];
      while (!/^\s*\}>;?$/.test(body[++i])) lines.push(body[i]);
      p = { type: "array", items: inlineObject(lines, refs) };
    } else {
      if (type.trim() === "{") { // a multi-line inline object type
        const parts = ["{"];
        while (!/^\s*\};?$/.test(body[++i])) parts.push(body[i].trim());
        parts.push("}");
        type = parts.join(" ");
      }
      p = typeOf(type, refs);
    }
    const d = description(comment);
    out.properties[f[1]] = d ? (p.$ref ? { description: d, allOf: [p] } : { ...p, description: d }) : p;
    if (!f[2]) required.push(f[1]);
    comment = [];
  }
  if (required.length) out.required = required;
  return out;
}

const SERVED = [
  "io.k8s.api.core.v1.ConfigMap", "io.k8s.api.core.v1.Endpoints", "io.k8s.api.core.v1.Event", "io.k8s.api.core.v1.Namespace",
  "io.k8s.api.core.v1.Node", "io.k8s.api.core.v1.PersistentVolumeClaim", "io.k8s.api.core.v1.Pod", "io.k8s.api.core.v1.Secret", "io.k8s.api.core.v1.Service",
  "io.k8s.api.apps.v1.ControllerRevision", "io.k8s.api.apps.v1.DaemonSet", "io.k8s.api.apps.v1.Deployment", "io.k8s.api.apps.v1.ReplicaSet", "io.k8s.api.apps.v1.StatefulSet", "io.k8s.api.batch.v1.Job", "io.k8s.api.batch.v1.CronJob",
  "io.k8s.api.authorization.v1.LocalSubjectAccessReview", "io.k8s.api.authorization.v1.SelfSubjectAccessReview",
  "io.k8s.api.authorization.v1.SubjectAccessReview",
  "io.k8s.api.rbac.v1.ClusterRoleBinding", "io.k8s.api.rbac.v1.ClusterRole", "io.k8s.api.rbac.v1.RoleBinding", "io.k8s.api.rbac.v1.Role",
];
const wanted = process.argv.length > 2 ? process.argv.slice(2) : SERVED;
const schemas = {};
const todo = [];
for (const w of wanted) {
  const alias = [...byAlias.entries()].find(([, v]) => v.name === w)?.[0];
  if (!alias) throw new Error(`no type ${w}`);
  todo.push(alias);
}
const seen = new Set();
while (todo.length) {
  const a = todo.pop();
  if (seen.has(a)) continue;
  seen.add(a);
  const refs = new Set();
  const s = schemaOf(a, refs);
  if (!s) continue;
  schemas[byAlias.get(a).name] = s;
  for (const r of refs) todo.push(r);
}
const sorted = Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k]]));
const out = path.join(here, "../../src/main/resources/io/berth/gateway/api/kubernetes-schemas.json");
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(sorted) + "\n");
console.log(`${Object.keys(sorted).length} schemas, ${fs.statSync(out).size} bytes -> ${path.relative(process.cwd(), out)}`);
