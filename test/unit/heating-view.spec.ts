import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../scripts/shared/node-red-runtime';

interface Msg {
  topic?: string;
  payload?: unknown;
  [key: string]: unknown;
}
type View = { state: { housing: { name: string } } | null; pending: Array<{ key: string; status: string; error?: { code: string } }>; error: { code: string } | null };

/** The *heating view* function of the Heating dashboard example, run as Node-RED runs it. */
function heatingView(): (msg: Msg) => [Msg & { payload: View }, Msg | null] {
  const flow = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'examples', 'Heating dashboard.json'), 'utf8')) as Array<{ type: string; name?: string; func?: string }>;
  const code = flow.find((n) => n.type === 'function' && n.name === 'heating view')?.func;
  assert.ok(code, 'the heating view function');
  const store = new Map<string, unknown>();
  const context = { get: (k: string) => store.get(k), set: (k: string, v: unknown) => void store.set(k, v) };
  const run = new Function('msg', 'context', code) as (msg: Msg, ctx: typeof context) => [Msg & { payload: View }, Msg | null];
  return (msg) => run(structuredClone(msg), context);
}

function state(overrides: Record<string, unknown> = {}): Msg {
  return {
    topic: 'qivivo/Maison',
    payload: {
      housing: { id: 'h1', name: 'Maison' },
      setpoint: 19.5,
      temporary: { active: false },
      programs: [{ id: 'p1', name: 'Semaine', active: true }, { id: 'p2', name: 'Vacances', active: false }],
      mode: { away: false, holiday: null, heatingSystem: 'on' },
      presets: { night: 17 },
      zones: [{ id: 'z2', name: 'Chambres', kind: 'pilot-wire', order: 5, temporary: { active: false } }],
      ...overrides,
    },
  };
}

describe('Heating dashboard: what the page shows after a command', () => {
  it('shows a command as sent at once, until a poll shows the cloud’s value', () => {
    const view = heatingView();
    view(state());
    const [shown, forward] = view({ topic: 'command', key: 'zone:z2', command: 'zone', zone: 'z2', payload: 1 });
    assert.deepEqual(forward, { topic: 'qivivo-command', command: 'zone', key: 'zone:z2', zone: 'z2', payload: 1 });
    assert.deepEqual(shown.payload.pending.map((p) => [p.key, p.status]), [['zone:z2', 'sent']]);
    assert.equal(shown.payload.state?.housing.name, 'Maison', 'the page keeps the latest state');
    // The command node's result: the cloud took it; the thermostat has not applied it yet.
    assert.deepEqual(view({ topic: 'qivivo-command', key: 'zone:z2', command: 'zone', payload: { order: 1 } })[0].payload.pending.map((p) => p.status), ['accepted']);
    assert.equal(view(state())[0].payload.pending.length, 1, 'a poll that does not show it yet keeps the line');
    const applied = view(state({ zones: [{ id: 'z2', name: 'Chambres', kind: 'pilot-wire', order: 5, temporary: { active: true, order: 1 } }] }));
    assert.deepEqual(applied[0].payload.pending, [], 'replaced by the cloud’s value');
  });

  it('says why a command failed', () => {
    const view = heatingView();
    view(state());
    view({ topic: 'command', key: 'setpoint', command: 'setpoint', payload: 35 });
    const [shown] = view({ topic: 'qivivo-command', key: 'setpoint', command: 'setpoint', payload: 35, error: { code: 'INVALID_INPUT', message: 'out of range' } });
    assert.deepEqual(shown.payload.pending.map((p) => [p.status, p.error?.code]), [['failed', 'INVALID_INPUT']]);
  });

  it('drops the temporary orders’ lines when the program changes (the cloud cancels them)', () => {
    const view = heatingView();
    view(state());
    view({ topic: 'command', key: 'setpoint', command: 'setpoint', payload: 21 });
    view({ topic: 'command', key: 'zone:z2', command: 'zone', zone: 'z2', payload: 2 });
    const [shown] = view({ topic: 'command', key: 'program', command: 'program', payload: 'Vacances' });
    assert.deepEqual(shown.payload.pending.map((p) => p.key), ['program']);
    const polled = view(state({ programs: [{ id: 'p1', name: 'Semaine', active: false }, { id: 'p2', name: 'Vacances', active: true }] }));
    assert.deepEqual(polled[0].payload.pending, []);
  });

  it('says why the state could not be read, and forgets it at the next good poll', () => {
    const view = heatingView();
    const [failed] = view({ topic: 'qivivo/Maison', error: { code: 'AUTH_FAILED', message: 'wrong password' } });
    assert.deepEqual(failed.payload.error, { code: 'AUTH_FAILED', message: 'wrong password' });
    assert.equal(failed.payload.state, null);
    assert.equal(view(state())[0].payload.error, null);
  });

  it('resolves house modes and presets from the state', () => {
    const view = heatingView();
    view(state());
    view({ topic: 'command', key: 'mode', command: 'mode', payload: 'away' });
    view({ topic: 'command', key: 'presets', command: 'presets', payload: { night: 16.5 } });
    const [shown] = view(state({ mode: { away: true, holiday: null, heatingSystem: 'on' }, presets: { night: 16.5 } }));
    assert.deepEqual(shown.payload.pending, []);
  });
});
