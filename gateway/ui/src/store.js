// The client's copy of the cluster: one Map per resource, kept current by watch events. Pure functions.

export const keyOf = (o) => `${o.metadata.namespace || ''}/${o.metadata.name}`;

/** A list answer as a Map by key, and its resourceVersion (where a watch resumes). */
export function fromList(list) {
  const m = new Map();
  for (const o of list.items || []) m.set(keyOf(o), withKind(o, list.kind));
  return { items: m, resourceVersion: list.metadata?.resourceVersion || '' };
}

/** Items of a list lack kind/apiVersion in Kubernetes' lists: put it back from the list's kind. */
function withKind(o, listKind) {
  if (o.kind || !listKind) return o;
  return { ...o, kind: listKind.replace(/List$/, '') };
}

/**
 * Applies one watch event to the map: {changed, resourceVersion, expired}. ERROR 410 (Expired/Gone) asks for a
 * new list; BOOKMARK only moves the resourceVersion.
 */
export function applyEvent(items, event, kind) {
  const o = event.object || {};
  const rv = o.metadata?.resourceVersion;
  switch (event.type) {
    case 'ADDED':
    case 'MODIFIED':
      items.set(keyOf(o), o.kind ? o : { ...o, kind });
      return { changed: true, resourceVersion: rv };
    case 'DELETED':
      return { changed: items.delete(keyOf(o)), resourceVersion: rv };
    case 'BOOKMARK':
      return { changed: false, resourceVersion: rv };
    case 'ERROR':
      return { changed: false, expired: o.code === 410 || o.reason === 'Expired' || o.reason === 'Gone', error: o.message || 'watch error' };
    default:
      return { changed: false };
  }
}

/** Splits a chunked JSON-lines stream: the complete lines of buffer+chunk, and the rest to keep. */
export function splitLines(buffer, chunk) {
  const text = buffer + chunk;
  const parts = text.split('\n');
  const rest = parts.pop();
  return { lines: parts.filter((l) => l.trim() !== ''), rest };
}
