import assert from 'node:assert/strict';
import type { FlowNode } from '../../scripts/shared/demo-flows';
import { userFlows, withUserFlows } from '../../scripts/shared/demo-keep';

/** `npm start` keeps what a user added to the demo and deploys the example tabs afresh. */
describe('demo: a user’s own flows survive a restart', () => {
  const lastRun: FlowNode[] = [
    { id: 'demo-qivivo-account', type: 'qivivo-account' },
    { id: 'x0-hd-tab', type: 'tab' },
    { id: 'x0-hd-th-state', type: 'qivivo-thermostat-in', z: 'x0-hd-tab' },
    { id: 'x1-wd-water-demo-sync', type: 'inject', z: 'x1-wd-tab' },
    { id: 'a1b2c3d4e5f60718', type: 'tab', label: 'My flow' },
    { id: '0f1e2d3c4b5a6978', type: 'inject', z: 'a1b2c3d4e5f60718', wires: [['x0-hd-th-state']] },
    { id: '1122334455667788', type: 'debug', z: 'x0-hd-tab' },
    { id: '99aabbccddeeff00', type: 'debug', z: 'x7-gone-tab' },
    { id: '8877665544332211', type: 'qivivo-account', name: 'my real account' },
  ];

  it('keeps the user’s tabs, nodes and config nodes, not the demo’s', () => {
    assert.deepEqual(
      userFlows(lastRun).map((n) => n.id),
      ['a1b2c3d4e5f60718', '0f1e2d3c4b5a6978', '1122334455667788', '99aabbccddeeff00', '8877665544332211'],
    );
  });

  it('deploys them with the fresh examples; a node left on a tab that is gone is dropped', () => {
    const fresh: FlowNode[] = [
      { id: 'demo-qivivo-account', type: 'qivivo-account' },
      { id: 'x0-hd-tab', type: 'tab' },
      { id: 'x0-hd-th-state', type: 'qivivo-thermostat-in', z: 'x0-hd-tab' },
    ];
    const flows = withUserFlows(fresh, userFlows(lastRun));
    assert.deepEqual(
      flows.map((n) => n.id),
      ['demo-qivivo-account', 'x0-hd-tab', 'x0-hd-th-state', 'a1b2c3d4e5f60718', '0f1e2d3c4b5a6978', '1122334455667788', '8877665544332211'],
    );
  });
});
