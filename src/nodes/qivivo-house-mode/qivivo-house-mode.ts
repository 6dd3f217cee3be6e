import type { Node, NodeAPI } from 'node-red';
import { applyHouseMode, HouseModeRequest, HouseModeResult, houseModeTiming, parseHouseModePayload } from '../../lib/comap/house-mode-command';
import { DEFAULT_TIME_ZONE } from '../../lib/schedule/daily';
import type { QivivoAccountNode } from '../qivivo-account/qivivo-account';
import { CommandNodeDef, DAY_DEADLINE_MS, setupCommandNode } from '../shared/command-node';

type HouseModeAction = HouseModeRequest & { housing: string };


export default function register(RED: NodeAPI): void {
  function QivivoHouseMode(this: Node, def: CommandNodeDef): void {
    RED.nodes.createNode(this, def);
    const housing = typeof def.housing === 'string' ? def.housing : '';
    // Read-backs still waiting when the node closes end at once (one last read), leaving no timer.
    const closing = new AbortController();
    this.on('close', () => closing.abort());
    setupCommandNode<QivivoAccountNode, HouseModeAction, HouseModeResult>(RED, this, def, 'qivivo-account', {
      parse: (msg) => ({ ...parseHouseModePayload(msg.payload, Date.now()), housing }),
      // One target per housing: away, home, holiday and heating commands replace each other's waiting retries.
      resolve: async (account, action) => {
        const found = await account.session!.heating.housing(action.housing);
        return { target: `${found.id}/mode`, action: { ...action, housing: found.id } };
      },
      execute: (account, action) => {
        const { client, heating } = account.session!;
        const { housing: housingId, ...request } = action;
        return applyHouseMode({ client, heating, readBacksMs: houseModeTiming.readBacksMs, signal: closing.signal }, housingId, request);
      },
      deadline: (action, createdAt) => (action.mode === 'holiday' ? Date.parse(action.to) : createdAt + DAY_DEADLINE_MS),
      statusText: (result) =>
        // dates, or a catalog key the editor translates (shared/status.ts)
        result.mode === 'holiday' ? `${shortTime(result.from)} → ${shortTime(result.to)}` : `qivivo-house-mode.status.${result.mode}`,
    });
  }
  RED.nodes.registerType('qivivo-house-mode', QivivoHouseMode);
}

const shortFormat = new Intl.DateTimeFormat('en-GB', { timeZone: DEFAULT_TIME_ZONE, hourCycle: 'h23', day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });

/** "20/12", or "20/12 18:30" when not at midnight, in the household's time zone. */
function shortTime(value: string | undefined): string {
  const time = value === undefined ? NaN : Date.parse(value);
  if (!Number.isFinite(time)) return '?';
  const p: Record<string, string> = {};
  for (const part of shortFormat.formatToParts(new Date(time))) p[part.type] = part.value;
  const day = `${p.day}/${p.month}`;
  return p.hour === '00' && p.minute === '00' ? day : `${day} ${p.hour}:${p.minute}`;
}
