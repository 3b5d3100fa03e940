// The time slider's arithmetic and the diff it lists. Pure functions.

/** Where the slider starts (epoch seconds): the oldest node's creation, at most `maxBackSeconds` ago. */
export function sliderStart(nodes, nowSeconds, maxBackSeconds = 7 * 24 * 3600) {
  let oldest = nowSeconds - 600;
  for (const n of nodes) {
    const t = Date.parse(n.metadata?.creationTimestamp || '');
    if (!Number.isNaN(t)) oldest = Math.min(oldest, Math.floor(t / 1000));
  }
  return Math.max(oldest, nowSeconds - maxBackSeconds);
}

/** The slider at its right end (or past it) is live; anywhere else an instant in the past. */
export function isLive(valueSeconds, maxSeconds) {
  return valueSeconds >= maxSeconds;
}

/** "5m 3s ago" from two epoch-second instants. */
export function agoText(thenSeconds, nowSeconds) {
  let s = Math.max(0, Math.round(nowSeconds - thenSeconds));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? h + 'h ' : ''}${h || m ? m + 'm ' : ''}${s}s ago`;
}

const SIGN = { created: '+', deleted: '-', changed: '~' };
const show = (v) => (v === null || v === undefined ? '∅' : typeof v === 'object' ? JSON.stringify(v) : String(v));
/** Fields that change all the time without telling anything (heartbeats, progress stamps). */
const NOISE = [/^status\.conditions\[\d+\]\.(lastHeartbeatTime|lastProbeTime|lastUpdateTime)$/, /^status\.berth\.(lastProgressAt|stepStartedAt)$/,
  /^metadata\.(resourceVersion|managedFields)/];

/**
 * The gateway's Diff (GET /apis/berth.io/v1/diff) as lines a person reads: "~ Deployment default/web",
 * then "spec.replicas: 2 → 3" per field, noise dropped; objects whose every change is noise left out.
 */
export function changeLines(diff) {
  const out = [];
  for (const c of diff.changes || []) {
    const fields = (c.fields || []).filter((f) => !NOISE.some((r) => r.test(f.path))).map((f) => `${f.path}: ${show(f.from)} → ${show(f.to)}`);
    if (c.change === 'changed' && fields.length === 0) continue;
    out.push({ sign: SIGN[c.change] || '?', title: `${c.kind} ${c.namespace ? c.namespace + '/' : ''}${c.name}`, fields });
  }
  return out;
}
