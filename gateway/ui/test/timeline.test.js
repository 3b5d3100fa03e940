import { describe, expect, it } from 'vitest';
import { agoText, changeLines, isLive, sliderStart } from '../src/timeline.js';
import { applyEvent, fromList, splitLines } from '../src/store.js';

describe('time slider', () => {
  it('should start at the oldest node, at most a week back', () => {
    const now = 1_800_000_000;
    const nodes = [{ metadata: { creationTimestamp: new Date((now - 3600) * 1000).toISOString() } }, { metadata: { creationTimestamp: new Date((now - 60) * 1000).toISOString() } }];
    expect(sliderStart(nodes, now)).toBe(now - 3600);
    expect(sliderStart([], now)).toBe(now - 600);
    expect(sliderStart([{ metadata: { creationTimestamp: '2000-01-01T00:00:00Z' } }], now)).toBe(now - 7 * 24 * 3600);
  });
  it('should be live at its right end only', () => {
    expect(isLive(100, 100)).toBe(true);
    expect(isLive(99, 100)).toBe(false);
  });
  it('should say how long ago', () => {
    expect(agoText(0, 3725)).toBe('1h 2m 5s ago');
    expect(agoText(0, 42)).toBe('42s ago');
  });
});

describe('changes between then and now', () => {
  it('should list each object with its fields, and leave out objects that changed only in noise', () => {
    const diff = { changes: [
      { change: 'changed', kind: 'Deployment', namespace: 'default', name: 'web', fields: [
        { path: 'spec.replicas', from: 2, to: 3 }, { path: 'status.berth.lastProgressAt', from: 'a', to: 'b' }] },
      { change: 'changed', kind: 'Node', namespace: '', name: 'n1', fields: [{ path: 'status.conditions[0].lastHeartbeatTime', from: 'a', to: 'b' }] },
      { change: 'created', kind: 'Pod', namespace: 'default', name: 'web-2', fields: [] },
      { change: 'deleted', kind: 'Pod', namespace: 'default', name: 'web-1', fields: [] }] };
    expect(changeLines(diff)).toEqual([
      { sign: '~', title: 'Deployment default/web', fields: ['spec.replicas: 2 → 3'] },
      { sign: '+', title: 'Pod default/web-2', fields: [] },
      { sign: '-', title: 'Pod default/web-1', fields: [] }]);
  });
});

describe('watch store', () => {
  it('should fold ADDED, MODIFIED, DELETED and follow resourceVersions; 410 asks for a new list', () => {
    const { items, resourceVersion } = fromList({ kind: 'PodList', metadata: { resourceVersion: '5' }, items: [{ metadata: { name: 'a', namespace: 'd' } }] });
    expect(resourceVersion).toBe('5');
    expect(items.get('d/a').kind).toBe('Pod');
    expect(applyEvent(items, { type: 'ADDED', object: { metadata: { name: 'b', namespace: 'd', resourceVersion: '6' } } }, 'Pod')).toEqual({ changed: true, resourceVersion: '6' });
    expect(items.get('d/b').kind).toBe('Pod');
    applyEvent(items, { type: 'MODIFIED', object: { kind: 'Pod', metadata: { name: 'b', namespace: 'd', resourceVersion: '7' }, status: { phase: 'Running' } } });
    expect(items.get('d/b').status.phase).toBe('Running');
    expect(applyEvent(items, { type: 'DELETED', object: { metadata: { name: 'a', namespace: 'd', resourceVersion: '8' } } }).changed).toBe(true);
    expect([...items.keys()]).toEqual(['d/b']);
    expect(applyEvent(items, { type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } })).toEqual({ changed: false, resourceVersion: '9' });
    expect(applyEvent(items, { type: 'ERROR', object: { code: 410, reason: 'Expired', message: 'too old' } }).expired).toBe(true);
  });
  it('should split a stream into whole lines across chunks', () => {
    const a = splitLines('', '{"a":1}\n{"b"');
    expect(a).toEqual({ lines: ['{"a":1}'], rest: '{"b"' });
    expect(splitLines(a.rest, ':2}\n\n')).toEqual({ lines: ['{"b":2}'], rest: '' });
  });
});
