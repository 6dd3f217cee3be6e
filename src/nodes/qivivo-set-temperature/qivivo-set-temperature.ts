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

type SetTemperatureAction = { housing: string; cancel: true } | { housing: string; cancel: false; setpoint: number; duration: number };

export default function register(RED: NodeAPI): void {
  function QivivoSetTemperature(this: Node, def: SetTemperatureDef): void {
    RED.nodes.createNode(this, def);
    const housing = typeof def.housing === 'string' ? def.housing : '';
    const defaultDuration = settingNumber(def.duration, 120, 1, 4320);
    const fixedSetpoint = def.setpoint === undefined || def.setpoint === '' ? undefined : def.setpoint;
    setupCommandNode<QivivoAccountNode, SetTemperatureAction, TemperatureResult | CancelResult>(RED, this, def, 'qivivo-account', {
      debounceMs: settingNumber(def.debounce, 1000, 0, 60_000),
      parse: (msg) => {
        if (isCancel(msg.payload)) return { housing, cancel: true };
        const setpoint = parseSetpoint(fixedSetpoint ?? msg.payload);
        const duration = parseDuration((msg as { duration?: unknown }).duration, defaultDuration);
        return { housing, cancel: false, setpoint, duration };
      },
      // The thermostat's zone is one target with the zone orders for it, however the housing is named.
      resolve: async (account, action) => {
        const found = await account.session!.heating.thermostatZoneRef(action.housing);
        return { target: `${found.housing.id}/zone/${found.zone.id}`, action: { ...action, housing: found.housing.id } };
      },
      execute: (account, action) => {
        const heating = account.session!.heating;
        return action.cancel ? heating.cancelTemperature(action.housing) : heating.setTemperature(action.housing, action.setpoint, action.duration);
      },
      deadline: (action, createdAt) => createdAt + (action.cancel ? defaultDuration : action.duration) * 60_000,
      statusText: (result) => ('cancelled' in result ? `${result.zone.name} · ${RED._('shared.status.cancelled')}` : `${result.setpoint} °C · ${result.duration} min`),
    });
  }
  RED.nodes.registerType('qivivo-set-temperature', QivivoSetTemperature);
}
