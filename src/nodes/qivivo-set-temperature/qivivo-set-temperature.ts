import type { Node, NodeAPI } from 'node-red';
import { CancelResult, TemperatureResult } from '../../lib/comap/heating';
import type { QivivoAccountNode } from '../qivivo-account/qivivo-account';
import { CommandNodeDef, setupCommandNode } from '../shared/command-node';
import { isCancel, parseDuration, parseSetpoint, settingNumber } from '../shared/input';

interface SetTemperatureDef extends CommandNodeDef {
  /** Fixed setpoint in °C; empty = from msg.payload. */
  setpoint?: number | string;
  duration: number | string;
  debounce: number | string;
}

type SetTemperatureAction = { cancel: true } | { cancel: false; setpoint: number; duration: number };

export default function register(RED: NodeAPI): void {
  function QivivoSetTemperature(this: Node, def: SetTemperatureDef): void {
    RED.nodes.createNode(this, def);
    const housing = typeof def.housing === 'string' ? def.housing : '';
    const defaultDuration = settingNumber(def.duration, 120, 1, 4320);
    const fixedSetpoint = def.setpoint === undefined || def.setpoint === '' ? undefined : def.setpoint;
    setupCommandNode<QivivoAccountNode, SetTemperatureAction, TemperatureResult | CancelResult>(RED, this, def, 'qivivo-account', {
      debounceMs: settingNumber(def.debounce, 1000, 0, 60_000),
      parse: (msg) => {
        const key = `${housing}/thermostat`;
        if (isCancel(msg.payload)) return { key, action: { cancel: true } };
        const setpoint = parseSetpoint(fixedSetpoint ?? msg.payload);
        const duration = parseDuration((msg as { duration?: unknown }).duration, defaultDuration);
        return { key, action: { cancel: false, setpoint, duration } };
      },
      execute: (account, action) => {
        const heating = account.session!.heating;
        return action.cancel ? heating.cancelTemperature(housing) : heating.setTemperature(housing, action.setpoint, action.duration);
      },
      statusText: (result) => ('cancelled' in result ? `${result.zone.name} · ${RED._('shared.status.cancelled')}` : `${result.setpoint} °C · ${result.duration} min`),
    });
  }
  RED.nodes.registerType('qivivo-set-temperature', QivivoSetTemperature);
}
