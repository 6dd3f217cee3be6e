import type { Node, NodeAPI } from 'node-red';
import { CancelResult, TemperatureResult } from '../../lib/comap/heating';
import { mergeTemperatureActions, nudgedSetpoint, parseNudge, TemperatureAction } from '../../lib/comap/setpoint-nudge';
import type { QivivoAccountNode } from '../qivivo-account/qivivo-account';
import { CommandNodeDef, setupCommandNode } from '../shared/command-node';
import { isCancel, parseDuration, parseSetpoint, settingNumber } from '../shared/input';

interface SetTemperatureDef extends CommandNodeDef {
  /** Fixed setpoint in °C; empty = from msg.payload. */
  setpoint?: number | string;
  duration: number | string;
  debounce: number | string;
}

/** A nudge's result also says the change asked (product-spec §7.5). */
type NudgeResult = TemperatureResult & { delta: number };

export default function register(RED: NodeAPI): void {
  function QivivoSetTemperature(this: Node, def: SetTemperatureDef): void {
    RED.nodes.createNode(this, def);
    const housing = typeof def.housing === 'string' ? def.housing : '';
    const defaultDuration = settingNumber(def.duration, 120, 1, 4320);
    const fixedSetpoint = def.setpoint === undefined || def.setpoint === '' ? undefined : def.setpoint;
    /**
     * The absolute setpoint of a nudge, worked out at its first attempt (inside the zone's queue,
     * after the writes before it) and kept for its retries: a retry repeats the same write and does
     * not add the change again to a setpoint that a lost answer had already changed.
     */
    const nudgeTargets = new WeakMap<TemperatureAction, number>();
    setupCommandNode<QivivoAccountNode, TemperatureAction, TemperatureResult | NudgeResult | CancelResult>(RED, this, def, 'qivivo-account', {
      debounceMs: settingNumber(def.debounce, 1000, 0, 60_000),
      merge: mergeTemperatureActions,
      parse: (msg) => {
        if (isCancel(msg.payload)) return { housing, cancel: true };
        // The node's own setpoint applies to any message: a nudge is read from msg.payload only.
        const delta = fixedSetpoint === undefined ? parseNudge(msg.payload) : undefined;
        const wish = delta === undefined ? { setpoint: parseSetpoint(fixedSetpoint ?? msg.payload) } : { delta };
        const duration = parseDuration((msg as { duration?: unknown }).duration, defaultDuration);
        return { housing, cancel: false, ...wish, duration };
      },
      // The thermostat's zone is one target with the zone orders for it, however the housing is named.
      resolve: async (account, action) => {
        const found = await account.session!.heating.thermostatZoneRef(action.housing);
        return { target: `${found.housing.id}/zone/${found.zone.id}`, action: { ...action, housing: found.housing.id } };
      },
      execute: async (account, action) => {
        const heating = account.session!.heating;
        if (action.cancel) return heating.cancelTemperature(action.housing);
        if (!('delta' in action)) return heating.setTemperature(action.housing, action.setpoint, action.duration);
        let setpoint = nudgeTargets.get(action);
        if (setpoint === undefined) {
          setpoint = await nudgedSetpoint(heating, action.housing, action.delta);
          nudgeTargets.set(action, setpoint);
        }
        return { ...(await heating.setTemperature(action.housing, setpoint, action.duration)), delta: action.delta };
      },
      deadline: (action, createdAt) => createdAt + (action.cancel ? defaultDuration : action.duration) * 60_000,
      statusText: (result) => ('cancelled' in result ? 'shared.status.cancelled' : `${result.setpoint} °C · ${result.duration} min`),
    });
  }
  RED.nodes.registerType('qivivo-set-temperature', QivivoSetTemperature);
}
