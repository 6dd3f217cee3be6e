import type { Node, NodeAPI } from 'node-red';
import { CancelResult, OrderResult } from '../../lib/comap/heating';
import { Order } from '../../lib/comap/orders';
import type { QivivoAccountNode } from '../qivivo-account/qivivo-account';
import { CommandNodeDef, setupCommandNode } from '../shared/command-node';
import { isCancel, parseDuration, parseOrderInput, parseReference, settingNumber } from '../shared/input';

interface ZoneOrderDef extends CommandNodeDef {
  zone: string;
  duration: number | string;
}

type ZoneOrderAction = { housing: string; zone: string; cancel: true } | { housing: string; zone: string; cancel: false; order: Order; duration: number };

export default function register(RED: NodeAPI): void {
  function QivivoZoneOrder(this: Node, def: ZoneOrderDef): void {
    RED.nodes.createNode(this, def);
    const housing = typeof def.housing === 'string' ? def.housing : '';
    const fixedZone = typeof def.zone === 'string' ? def.zone : '';
    const defaultDuration = settingNumber(def.duration, 120, 1, 4320);
    setupCommandNode<QivivoAccountNode, ZoneOrderAction, OrderResult | CancelResult>(RED, this, def, 'qivivo-account', {
      parse: (msg) => {
        const zone = fixedZone || parseReference((msg as { zone?: unknown }).zone, 'msg.zone');
        if (isCancel(msg.payload)) return { housing, zone, cancel: true };
        const order = parseOrderInput(msg.payload);
        const duration = parseDuration((msg as { duration?: unknown }).duration, defaultDuration);
        return { housing, zone, cancel: false, order, duration };
      },
      resolve: async (account, action) => {
        const found = await account.session!.heating.pilotWireZoneRef(action.housing, action.zone);
        return { target: `${found.housing.id}/zone/${found.zone.id}`, action: { ...action, housing: found.housing.id, zone: found.zone.id } };
      },
      execute: (account, action) => {
        const heating = account.session!.heating;
        return action.cancel ? heating.cancelZoneOrder(action.housing, action.zone) : heating.setZoneOrder(action.housing, action.zone, action.order, action.duration);
      },
      // An order asked for two hours means nothing three days later; a cancel as long as this node's orders last.
      deadline: (action, createdAt) => createdAt + (action.cancel ? defaultDuration : action.duration) * 60_000,
      // catalog keys, translated by the editor (shared/status.ts)
      statusText: (result) => ('cancelled' in result ? 'shared.status.cancelled' : `qivivo-zone-order.status.order.${result.order}`),
    });
  }
  RED.nodes.registerType('qivivo-zone-order', QivivoZoneOrder);
}
