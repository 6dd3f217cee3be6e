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

type ZoneOrderAction = { zone: string; cancel: true } | { zone: string; cancel: false; order: Order; duration: number };

export default function register(RED: NodeAPI): void {
  function QivivoZoneOrder(this: Node, def: ZoneOrderDef): void {
    RED.nodes.createNode(this, def);
    const housing = typeof def.housing === 'string' ? def.housing : '';
    const fixedZone = typeof def.zone === 'string' ? def.zone : '';
    const defaultDuration = settingNumber(def.duration, 120, 1, 4320);
    setupCommandNode<QivivoAccountNode, ZoneOrderAction, OrderResult | CancelResult>(RED, this, def, 'qivivo-account', {
      parse: (msg) => {
        const zone = fixedZone || parseReference((msg as { zone?: unknown }).zone, 'msg.zone');
        const key = `${housing}/zone/${zone}`;
        if (isCancel(msg.payload)) return { key, action: { zone, cancel: true } };
        const order = parseOrderInput(msg.payload);
        const duration = parseDuration((msg as { duration?: unknown }).duration, defaultDuration);
        return { key, action: { zone, cancel: false, order, duration } };
      },
      execute: (account, action) => {
        const heating = account.session!.heating;
        return action.cancel ? heating.cancelZoneOrder(housing, action.zone) : heating.setZoneOrder(housing, action.zone, action.order, action.duration);
      },
      statusText: (result) => ('cancelled' in result ? `${result.zone.name} · ${RED._('shared.status.cancelled')}` : `${result.zone.name} · ${result.orderName}`),
    });
  }
  RED.nodes.registerType('qivivo-zone-order', QivivoZoneOrder);
}
