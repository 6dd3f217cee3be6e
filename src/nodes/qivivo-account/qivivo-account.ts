import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ComapSession, createComapSession } from '../../lib/comap/session';
import { HeatingMonitor } from '../../lib/comap/monitor';
import { ModeHistory } from '../../lib/comap/mode-history';
import { ApiError, toApiError } from '../../lib/http/errors';
import { CommandDispatcher } from '../../lib/schedule/command-dispatcher';
import { settingNumber } from '../shared/input';
import { AccountUsers, SharedAccount } from '../shared/account-users';
import { nodeMemory } from '../shared/node-memory';
import { registerQivivoAdminRoutes } from './admin-routes';
import { comapLoginIdentity } from '../../lib/comap/editor-listing';
import { loginHash } from '../../lib/editor/editor-logins';
import { editorLoginsOf } from '../shared/editor-logins';

export interface QivivoAccountDef extends NodeDef {
  pollInterval: number | string;
  apiUrl: string;
  authUrl: string;
  clientId: string;
  /** Request timeout in seconds (Advanced). */
  timeout?: number | string;
}

interface QivivoCredentials {
  username?: string;
  password?: string;
}

/** What flow nodes use of their account. */
export interface QivivoAccountNode extends Node<QivivoCredentials>, SharedAccount {
  /** Set when the account's settings are unusable; every use reports it. */
  configError?: ApiError;
  session?: ComapSession;
  /** Digest of the values it logs in with: the dialog's Connect with the same values is answered by this session. */
  editorLoginHash?: string;
  monitor?: HeatingMonitor;
  /** Every command of the account, one queue per real target (product-spec §4.1). */
  commands: CommandDispatcher;
  /** Stops / restarts automatic polling for every node of the account; kept across redeploys. */
  setPaused(paused: boolean): void;
  /** Lets logins start again after a refused one (a flow node got `msg.topic = "login"`). */
  resumeLogins(): void;
  /**
   * Whether the housing (id, name, '' / undefined = first housing) was in away or holiday mode
   * all of `date` (Europe/Paris), from the states polled over the last 14 days; undefined = not known.
   */
  awayAllDay(housing: string | undefined, date: string): boolean | undefined;
}

const FIRST_POLL_DELAY_MS = 500;
/** Longest wait for commands under way when the account closes (Node-RED gives a close 15 s). */
const COMMANDS_CLOSE_WAIT_MS = 10_000;

export default function register(RED: NodeAPI): void {
  function QivivoAccount(this: QivivoAccountNode, def: QivivoAccountDef): void {
    RED.nodes.createNode(this, def);
    this.commands = new CommandDispatcher();
    // The session (tokens included) lives as long as this node: flow nodes come and go with
    // partial deploys without costing a new password login.
    const users = new AccountUsers();
    this.register = (user, status) => users.add(user, status);
    this.deregister = (user) => users.remove(user);
    const pausedMemory = nodeMemory<boolean>(this, 'paused');
    const showCondition = (): void => {
      const problem = this.session?.auth.problem;
      users.set(problem ? { loginProblem: problem } : this.monitor?.isPaused ? { paused: true } : undefined);
    };
    this.setPaused = (paused) => {
      if (paused) this.monitor?.pause();
      else this.monitor?.resume();
      pausedMemory.set(paused || undefined);
      showCondition();
    };
    this.resumeLogins = () => this.session?.auth.resume();
    // Kept like the pause, so a redeploy or (with a persistent store) a restart keeps the days.
    const modesMemory = nodeMemory<unknown>(this, 'modeHistory');
    const modes = ModeHistory.fromJson(modesMemory.get());
    this.awayAllDay = (housing, date) => modes.awayAllDay(housing, date);
    const minutes = settingNumber(def.pollInterval, 15, 0, 1440);
    try {
      const login = { apiUrl: def.apiUrl, authUrl: def.authUrl, clientId: def.clientId, username: this.credentials.username ?? '', password: this.credentials.password ?? '' };
      this.session = createComapSession({ ...login, timeoutMs: settingNumber(def.timeout, 20, 1, 120) * 1000 });
      // The dialog's Connect logged in with these very values: its tokens serve, no second login.
      this.editorLoginHash = loginHash(comapLoginIdentity(login));
      const handed = editorLoginsOf(RED).take(this.id, this.editorLoginHash);
      if (handed) this.session.auth.restore(handed);
      const intervalMs = minutes * 60_000;
      // Retries inside a cycle stay well within the cycle.
      const retryBaseMs = Math.min(5_000, intervalMs / 10);
      const auth = this.session.auth;
      this.monitor = new HeatingMonitor(this.session.heating, { intervalMs, retryBaseMs, firstDelayMs: FIRST_POLL_DELAY_MS, isLasting: (err) => err === auth.problem });
      if (pausedMemory.get()) this.monitor.pause();
      const heating = this.session.heating;
      this.monitor.observe((housingId, state) => {
        modes.record(state);
        if (housingId === '') modes.setFirst(state.housing.id);
        else if (modes.resolve('') === undefined) {
          // The housing list was just read for this poll: the first housing costs no request.
          void heating.housing('').then(
            (first) => {
              modes.setFirst(first.id);
              modesMemory.set(modes.toJson());
            },
            () => undefined,
          );
        }
        modesMemory.set(modes.toJson());
      });
    } catch (err) {
      this.configError = toApiError(err);
      this.warn(this.configError.message);
    }
    // A refused login shows on every node of the account at once (product-spec §4.1).
    const unwatch = this.session?.auth.watch(showCondition);
    showCondition();
    this.on('close', (removed: boolean, done: () => void) => {
      unwatch?.();
      this.monitor?.close();
      if (removed) {
        pausedMemory.forget();
        modesMemory.forget();
      }
      // Commands under way finish (their nodes' close waits for them too); after that nothing
      // more is sent on this session, not even the rest of a poll cycle (product-spec §4).
      void this.commands.close(COMMANDS_CLOSE_WAIT_MS).then(() => {
        this.session?.transport.close();
        this.session?.auth.reset();
        done();
      });
    });
  }

  RED.nodes.registerType<QivivoAccountNode, QivivoAccountDef, Record<string, never>, QivivoCredentials>('qivivo-account', QivivoAccount, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
  registerQivivoAdminRoutes(RED);
}
