// Health verdicts in words: what an operator would say looking at the objects. Pure functions.

/** Whether a pod's Ready condition holds. */
export function podReady(pod) {
  return (pod.status?.conditions || []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The pod's trouble in a few words ("CrashLoopBackOff: exit 3"), or null when it has none. */
export function podProblem(pod) {
  const st = pod.status || {};
  if (pod.metadata?.deletionTimestamp) return null; // stopping: not a fault
  if (st.phase === 'Succeeded') return null;
  for (const c of [...(st.initContainerStatuses || []), ...(st.containerStatuses || [])]) {
    const w = c.state?.waiting;
    if (w && w.reason && w.reason !== 'ContainerCreating' && w.reason !== 'PodInitializing') {
      const last = c.lastState?.terminated;
      if (last && last.exitCode !== undefined) return `${w.reason}: exit ${last.exitCode}`;
      return w.message ? `${w.reason}: ${w.message}` : w.reason;
    }
    const t = c.state?.terminated;
    if (t && t.exitCode !== 0 && st.phase !== 'Running') return `${t.reason || 'Error'}: exit ${t.exitCode}`;
  }
  if (st.phase === 'Failed') return `Failed${st.reason ? ': ' + st.reason : ''}${st.message ? ' (' + st.message + ')' : ''}`;
  const scheduled = (st.conditions || []).find((c) => c.type === 'PodScheduled');
  if (scheduled && scheduled.status === 'False') return `Unschedulable${scheduled.message ? ': ' + scheduled.message : ''}`;
  if (st.phase === 'Running' && !podReady(pod)) {
    const restarts = (st.containerStatuses || []).reduce((n, c) => n + (c.restartCount || 0), 0);
    return restarts > 0 ? `not ready (restarted ${restarts} time${restarts === 1 ? '' : 's'})` : 'not ready';
  }
  return null;
}

/** Whether a workload's selector (matchLabels, matchExpressions In/NotIn/Exists/DoesNotExist) selects these labels. */
export function selects(selector, labels = {}) {
  if (!selector) return false;
  const ml = selector.matchLabels || {};
  const exprs = selector.matchExpressions || [];
  if (Object.keys(ml).length === 0 && exprs.length === 0) return false;
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  for (const e of exprs) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === 'In' && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** The pods of a workload: same namespace, selected by its selector (a CronJob's are its Jobs' pods: by owner name). */
export function podsOf(workload, pods) {
  const ns = workload.metadata.namespace;
  const name = workload.metadata.name;
  const selector = workload.kind === 'CronJob' ? null : workload.spec?.selector;
  return pods.filter((p) => p.metadata.namespace === ns && (selector ? selects(selector, p.metadata.labels)
    : (p.metadata.ownerReferences || []).some((o) => o.name.startsWith(name + '-'))));
}

const ok = (text) => ({ level: 'ok', text });
const progress = (text) => ({ level: 'progress', text });
const warn = (text) => ({ level: 'warn', text });
const bad = (text) => ({ level: 'bad', text });

/** The first pod in trouble, as "web-7f9c-x2 is CrashLoopBackOff: exit 3", or null. */
function troubled(pods) {
  const sorted = [...pods].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  for (const p of sorted) {
    const why = podProblem(p);
    if (why) return `${p.metadata.name} is ${why}`;
  }
  return null;
}

function replicated(desired, ready, pods, extra) {
  const counts = `${ready} of ${desired} ready`;
  const trouble = troubled(pods);
  if (trouble) return (ready < desired ? bad : warn)(`${counts} — ${trouble}`);
  if (extra) return extra(counts);
  if (desired === 0) return ok('scaled to zero');
  return ready >= desired ? ok(counts) : progress(`${counts} — starting`);
}

/** A Deployment's verdict: its rollout (paused, canary step, failed) first, then its pods. */
function deployment(d, pods) {
  const desired = d.spec?.replicas ?? 1;
  const st = d.status || {};
  const ready = st.readyReplicas || 0;
  const berth = st.berth || {};
  const counts = `${ready} of ${desired} ready`;
  if (berth.phase === 'Failed') {
    const why = berth.failedMessage || berth.message || berth.failedReason || berth.reason || 'rollout failed';
    const trouble = troubled(pods);
    return bad(`${counts} — rollout failed: ${why}${trouble ? '; ' + trouble : ''}`);
  }
  if (berth.canaryStep !== undefined && (berth.phase === 'Paused' || d.spec?.paused)) {
    return warn(`rollout paused at canary step ${berth.canaryStep + 1} of ${berth.canarySteps}`);
  }
  if (d.spec?.paused) return warn(`${counts} — rollout paused`);
  return replicated(desired, ready, pods, (c) => {
    const updated = st.updatedReplicas ?? desired;
    if (berth.phase === 'RolledBack') return warn(`${c} — rolled back${berth.failedMessage ? ' after: ' + berth.failedMessage : ''}`);
    if (updated < desired || (st.replicas || 0) > desired) {
      return progress(`${c} — rolling out: ${updated} of ${desired} updated`);
    }
    if (desired === 0) return ok('scaled to zero');
    return ready >= desired ? ok(c) : progress(`${c} — starting`);
  });
}

function job(j, pods) {
  const st = j.status || {};
  const cond = (t) => (st.conditions || []).find((c) => c.type === t && c.status === 'True');
  const completions = j.spec?.completions ?? 1;
  if (cond('Failed')) {
    const c = cond('Failed');
    return bad(`failed: ${c.reason || ''}${c.message ? ' — ' + c.message : ''}`.trim());
  }
  if (cond('Complete')) return ok(`complete: ${st.succeeded || 0} of ${completions} succeeded`);
  if (j.spec?.suspend || cond('Suspended')) return warn('suspended');
  const trouble = troubled(pods);
  const counts = `${st.succeeded || 0} of ${completions} succeeded, ${st.active || 0} running`;
  return trouble ? warn(`${counts} — ${trouble}`) : progress(counts);
}

function cronJob(c) {
  if (c.spec?.suspend) return warn('suspended');
  const active = (c.status?.active || []).length;
  const last = c.status?.lastScheduleTime;
  return ok(`schedule "${c.spec?.schedule}"${active ? `, ${active} running` : ''}${last ? ', last run ' + last : ', not run yet'}`);
}

/** The verdict of any workload Berth serves: {level: ok|progress|warn|bad, text}. */
export function verdict(workload, pods) {
  const st = workload.status || {};
  switch (workload.kind) {
    case 'Deployment': return deployment(workload, pods);
    case 'StatefulSet': return replicated(workload.spec?.replicas ?? 1, st.readyReplicas || 0, pods);
    case 'DaemonSet': return replicated(st.desiredNumberScheduled || 0, st.numberReady || 0, pods,
      (c) => ((st.desiredNumberScheduled || 0) === 0 ? warn('no node to run on') : (st.numberReady || 0) >= st.desiredNumberScheduled ? ok(c) : progress(c)));
    case 'Job': return job(workload, pods);
    case 'CronJob': return cronJob(workload);
    default: return ok('');
  }
}
