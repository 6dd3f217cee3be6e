import type { Node, NodeAPI } from 'node-red';
import { CommandDispatcher } from '../../lib/schedule/command-dispatcher';
import { AlertSettings, AlertsRequest, AlertsService, parseAlertsRequest } from '../../lib/veolia/alerts';
import type { VeoliaSession } from '../../lib/veolia/water';
import type { VeoliaAccountNode } from '../veolia-account/veolia-account';
import { CommandNodeDef, DAY_DEADLINE_MS, setupCommandNode } from '../shared/command-node';
import { readCode, submitMessageCode } from '../shared/veolia-code-input';

interface AlertsDef extends CommandNodeDef {
  /** `id_abonnement`; empty = the account's first contract. */
  contract: string;
}

type AlertsAction = AlertsRequest & { contract: string };

/** One alerts service per account session: the contract owners it learns serve every node. */
const services = new WeakMap<VeoliaSession, AlertsService>();
/**
 * The alert changes of one account, one queue per contract, whichever node sent them (spec
 * §4.1). A changed account is a new node object, and its alert nodes restart with it: each
 * withdraws its own commands when it closes, so nothing outlives them.
 */
const dispatchers = new WeakMap<VeoliaAccountNode, CommandDispatcher>();

function dispatcherOf(account: VeoliaAccountNode): CommandDispatcher {
  let dispatcher = dispatchers.get(account);
  if (!dispatcher) {
    dispatcher = new CommandDispatcher();
    dispatchers.set(account, dispatcher);
  }
  return dispatcher;
}

function serviceOf(session: VeoliaSession): AlertsService {
  let service = services.get(session);
  if (!service) {
    service = new AlertsService(session.client, session.water);
    services.set(session, service);
  }
  return service;
}

export default function register(RED: NodeAPI): void {
  function VeoliaAlerts(this: Node, def: AlertsDef): void {
    RED.nodes.createNode(this, def);
    const contract = typeof def.contract === 'string' ? def.contract : '';
    setupCommandNode<VeoliaAccountNode, AlertsAction, AlertSettings>(RED, this, def, 'veolia-account', {
      parse: (msg) => ({ contract, ...parseAlertsRequest(msg.payload) }),
      // Changes of one contract's alerts are one target whatever names it ('' = the first one);
      // a read has its own, so that it never replaces a change waiting for its retry.
      resolve: async (account, action) => {
        const found = await account.session!.water.contract(action.contract || undefined);
        return { target: `veolia/${found.id}/alerts${action.kind === 'get' ? '/read' : ''}`, action: { ...action, contract: found.id } };
      },
      execute: (account, action) => {
        const alerts = serviceOf(account.session!);
        return action.kind === 'get' ? alerts.read(action.contract) : alerts.change(action.contract, action.change);
      },
      dispatcher: dispatcherOf,
      // `{code}` answers the account's login challenge (spec §8.1): no alert is read or set.
      intercept: (account, msg, done) => {
        const code = readCode(msg.payload);
        if (code === undefined) return false;
        submitMessageCode(this, account, code, msg, done);
        return true;
      },
      deadline: (_action, createdAt) => createdAt + DAY_DEADLINE_MS,
      statusText: (result) => statusText(result),
    });
  }
  RED.nodes.registerType('veolia-alerts', VeoliaAlerts);
}

/**
 * Numbers and units ("300 L · 12 m³", "⌂" for an empty home), or a catalog key the editor
 * translates (shared/status.ts): no word of one language in another's browser.
 */
function statusText(settings: AlertSettings): string {
  const parts: string[] = [];
  if (settings.daily.enabled && !settings.emptyHome) parts.push(`${settings.daily.litres ?? '?'} L`);
  if (settings.monthly.enabled) parts.push(`${settings.monthly.m3 ?? '?'} m³`);
  if (parts.length === 0) return settings.emptyHome ? 'veolia-alerts.status.emptyHome' : 'veolia-alerts.status.none';
  return (settings.emptyHome ? ['⌂', ...parts] : parts).join(' · ');
}
