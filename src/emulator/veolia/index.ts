import { CognitoEmulator } from '../cognito';
import { EmulatorServer } from '../http-server';
import { DEMO_USER, REFRESH_TOKEN_LIFETIME_S, VEOLIA_CLIENT_IDS, VeoliaUserSeed } from './fixture';
import { VeoliaAlerts } from './alerts';
import { createVeoliaHandler } from './server';
import { VeoliaState } from './state';

export * from './fixture';
export { ContractState, VeoliaState } from './state';
export { ALERT_RULES, VeoliaAlerts } from './alerts';
export { COMMUNES, REFCOMMUNES_PREFIX } from './refcommunes';

export interface VeoliaEmulatorOptions {
  /** The emulator's clock: fixes the seeded history and token expiry. */
  now?: () => number;
  users?: VeoliaUserSeed[];
  /** Days between a day and its publication; default 2 (J-2). */
  publicationDelayDays?: number;
  /** Lifetime of refresh tokens, seconds; default REFRESH_TOKEN_LIFETIME_S (1 h). */
  refreshTokenLifetimeS?: number;
  /** The emulator's calendar starts this many days behind the clock (live demo, see `state.catchUpDay()`). */
  lagDays?: number;
}

/**
 * A local Veolia cloud: Cognito login and the consumption backend on one loopback port, with
 * seeded history, scenario knobs (`state`, `cognito.knobs`, `server.faults`) and a request log.
 */
export class VeoliaEmulator {
  readonly server: EmulatorServer;
  readonly cognito: CognitoEmulator;
  readonly state: VeoliaState;
  /** The alert settings of every contract (GET/POST /alertes). */
  readonly alerts = new VeoliaAlerts();
  private readonly users: readonly VeoliaUserSeed[];

  constructor(options: VeoliaEmulatorOptions = {}) {
    const now = options.now ?? Date.now;
    const users = options.users ?? [DEMO_USER];
    this.users = users;
    this.cognito = new CognitoEmulator(
      VEOLIA_CLIENT_IDS,
      users.map((u) => ({ username: u.username, password: u.password, challenge: u.challenge, acceptsNoCode: u.acceptsNoCode })),
      now,
      { refreshTokenLifetimeS: options.refreshTokenLifetimeS ?? REFRESH_TOKEN_LIFETIME_S },
    );
    this.state = new VeoliaState(now, users, options.lagDays);
    if (options.publicationDelayDays !== undefined) this.state.publicationDelayDays = options.publicationDelayDays;
    this.server = new EmulatorServer(createVeoliaHandler(this.state, this.cognito, this.alerts));
  }

  get url(): string {
    return this.server.url;
  }

  start(port = 0): Promise<string> {
    return this.server.start(port);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** The next `count` requests (to paths containing `match`, if given) answer `status`: 429 or a 5xx. */
  burst(status: number, count: number, match?: string): void {
    this.server.faults.match = match;
    if (status === 429) this.server.faults.rateLimitCount = count;
    else {
      this.server.faults.status5xx = status;
      this.server.faults.status5xxCount = count;
    }
  }

  /** The user's next logins ask for an e-mail code (or stop asking). */
  requireEmailCode(username: string, enabled = true): void {
    this.requireCode(username, enabled ? 'EMAIL_OTP' : undefined);
  }

  /**
   * The user's next password logins answer `challenge` (EMAIL_OTP: national portal; SMS_MFA:
   * Toulouse) instead of tokens; undefined stops it. `acceptsNoCode`: every code is refused (the
   * SMS that never arrives on migrated Toulouse accounts).
   */
  requireCode(username: string, challenge: string | undefined, options: { acceptsNoCode?: boolean } = {}): void {
    const user = this.users.find((u) => u.username.toLowerCase() === username.toLowerCase());
    if (!user) throw new Error(`no user ${username} in the emulator`);
    this.cognito.setUser({ username: user.username, password: user.password, challenge, acceptsNoCode: options.acceptsNoCode });
  }

  /** The last code "sent" to `username` by e-mail or SMS. */
  lastCode(username: string): string | undefined {
    return this.cognito.lastCode(username);
  }
}
