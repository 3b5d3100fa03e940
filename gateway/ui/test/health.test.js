import { describe, expect, it } from 'vitest';
import { podProblem, podsOf, selects, verdict } from '../src/health.js';

const pod = (name, { ready = true, phase = 'Running', waiting, last, labels = { app: 'web' }, restarts = 0 } = {}) => ({
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels },
  status: {
    phase,
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: [{ name: 'c', ready, restartCount: restarts, state: waiting ? { waiting: { reason: waiting } } : { running: {} },
      lastState: last !== undefined ? { terminated: { exitCode: last, reason: 'Error' } } : {} }],
  },
});
const deployment = (spec = {}, status = {}) => ({
  kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
  spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, ...spec },
  status: { replicas: 3, updatedReplicas: 3, readyReplicas: 3, ...status },
});

describe('podProblem', () => {
  it('should name a crash loop with the exit code of the run that ended', () => {
    expect(podProblem(pod('p', { ready: false, waiting: 'CrashLoopBackOff', last: 3 }))).toBe('CrashLoopBackOff: exit 3');
  });
  it('should say nothing of a ready pod, nor of one still creating its container', () => {
    expect(podProblem(pod('p'))).toBeNull();
    expect(podProblem(pod('p', { ready: false, phase: 'Pending', waiting: 'ContainerCreating' }))).toBeNull();
  });
  it('should name an unschedulable pod with the scheduler\'s message', () => {
    const p = { metadata: { name: 'p' }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', message: '0/3 nodes: insufficient cpu' }] } };
    expect(podProblem(p)).toBe('Unschedulable: 0/3 nodes: insufficient cpu');
  });
  it('should tell a running pod that is not ready, with its restarts', () => {
    expect(podProblem(pod('p', { ready: false, restarts: 2 }))).toBe('not ready (restarted 2 times)');
  });
});

describe('verdict', () => {
  it('should say "2 of 3 ready — web-x2 is CrashLoopBackOff: exit 3" for a crashing pod', () => {
    const pods = [pod('web-a1'), pod('web-b1'), pod('web-x2', { ready: false, waiting: 'CrashLoopBackOff', last: 3 })];
    expect(verdict(deployment({}, { readyReplicas: 2 }), pods)).toEqual({ level: 'bad', text: '2 of 3 ready — web-x2 is CrashLoopBackOff: exit 3' });
  });
  it('should say "3 of 3 ready" when all are', () => {
    expect(verdict(deployment(), [pod('a'), pod('b'), pod('c')])).toEqual({ level: 'ok', text: '3 of 3 ready' });
  });
  it('should say where a canary rollout is paused', () => {
    const d = deployment({ strategy: { type: 'Canary' } }, { berth: { phase: 'Paused', canaryStep: 1, canarySteps: 4 } });
    expect(verdict(d, []).text).toBe('rollout paused at canary step 2 of 4');
  });
  it('should report a failed rollout in its own words', () => {
    const d = deployment({}, { readyReplicas: 3, berth: { phase: 'Failed', message: 'Pod web-9 of revision 3 is crash-looping: restarted 3 times' } });
    expect(verdict(d, [])).toEqual({ level: 'bad', text: '3 of 3 ready — rollout failed: Pod web-9 of revision 3 is crash-looping: restarted 3 times' });
  });
  it('should tell a rollout in progress and a paused one', () => {
    expect(verdict(deployment({}, { updatedReplicas: 1, replicas: 4 }), [pod('a'), pod('b'), pod('c')]).text).toBe('3 of 3 ready — rolling out: 1 of 3 updated');
    expect(verdict(deployment({ paused: true }), []).text).toBe('3 of 3 ready — rollout paused');
  });
  it('should judge jobs, daemon sets and cron jobs', () => {
    const job = { kind: 'Job', metadata: { name: 'j', namespace: 'default' }, spec: { completions: 2 },
      status: { succeeded: 2, conditions: [{ type: 'Complete', status: 'True' }] } };
    expect(verdict(job, [])).toEqual({ level: 'ok', text: 'complete: 2 of 2 succeeded' });
    const failed = { kind: 'Job', metadata: {}, spec: {}, status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] } };
    expect(verdict(failed, []).text).toBe('failed: BackoffLimitExceeded — Job has reached the specified backoff limit');
    const ds = { kind: 'DaemonSet', metadata: {}, spec: {}, status: { desiredNumberScheduled: 3, numberReady: 3 } };
    expect(verdict(ds, [])).toEqual({ level: 'ok', text: '3 of 3 ready' });
    expect(verdict({ kind: 'CronJob', metadata: {}, spec: { suspend: true } }, []).text).toBe('suspended');
  });
});

describe('selects', () => {
  it('should match labels and expressions, never an empty selector', () => {
    expect(selects({ matchLabels: { app: 'web' } }, { app: 'web', x: '1' })).toBe(true);
    expect(selects({ matchLabels: { app: 'web' } }, { app: 'db' })).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, { tier: 'b' })).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, { tier: 'b' })).toBe(false);
    expect(selects({}, { app: 'web' })).toBe(false);
  });
  it('should find a workload\'s pods in its namespace only', () => {
    const other = { ...pod('o'), metadata: { name: 'o', namespace: 'prod', labels: { app: 'web' } } };
    expect(podsOf(deployment(), [pod('a'), other, pod('b', { labels: { app: 'db' } })]).map((p) => p.metadata.name)).toEqual(['a']);
  });
});
