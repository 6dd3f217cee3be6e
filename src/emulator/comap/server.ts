import { CognitoEmulator } from '../cognito';
import { EmulatorRequest, EmulatorResponse, EmulatorServer, json } from '../http-server';
import { COMAP_BEHAVIOUR, COMAP_CLIENT_IDS, ComapFixture, DEFAULT_EXPIRES_IN_S, DEMO_PASSWORD, DEMO_USERNAME } from './fixture';
import { ComapState, ComapStateError, NewUser } from './state';

export interface ComapEmulatorOptions {
  /** Clock of tokens, temporary instructions and timestamps. */
  now?: () => number;
  /** Lifetime of access tokens (Cognito's ExpiresIn). */
  expiresInS?: number;
  /** Delay before a temporary instruction shows in `set_point`. */
  applyDelayMs?: number;
  /** Users besides demo@example.com. */
  users?: NewUser[];
  fixture?: ComapFixture;
}

type Params = Record<string, string>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  run: (params: Params, req: EmulatorRequest, username: string) => unknown;
}

/**
 * The Comap Smart Home cloud on 127.0.0.1: Cognito `InitiateAuth` on `POST /` (dispatched on
 * X-Amz-Target) and the `/park` and `/thermal` API under the same origin, so
 * authUrl = `${url}/` and apiUrl = `${url}`.
 */
export class ComapEmulator {
  readonly server: EmulatorServer;
  readonly cognito: CognitoEmulator;
  readonly state: ComapState;
  /** Knob: status of API calls made with a revoked token (see `cognito.revokeAll()`). */
  staleTokenStatus: 401 | 403 = COMAP_BEHAVIOUR.staleTokenStatus;
  private readonly routes: Route[];
  private readonly expiresInS: number;

  constructor(options: ComapEmulatorOptions = {}) {
    const now = options.now ?? Date.now;
    this.state = new ComapState({ now, applyDelayMs: options.applyDelayMs, fixture: options.fixture });
    for (const user of options.users ?? []) this.state.addUser(user);
    this.cognito = new CognitoEmulator(COMAP_CLIENT_IDS, this.state.userList(), now);
    this.expiresInS = options.expiresInS ?? DEFAULT_EXPIRES_IN_S;
    this.cognito.knobs.expiresInS = this.expiresInS;
    this.server = new EmulatorServer((req) => this.handle(req));
    this.routes = this.buildRoutes();
  }

  start(port = 0): Promise<string> {
    return this.server.start(port);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  get url(): string {
    return this.server.url;
  }

  /** Cognito endpoint for the product's settings. */
  get authUrl(): string {
    return `${this.url}/`;
  }

  get apiUrl(): string {
    return this.url;
  }

  /**
   * Between tests sharing one emulator: seed data back, empty request log and writes, no faults,
   * Cognito counters and knobs at their defaults. Issued tokens stay valid.
   */
  reset(): void {
    this.state.reset();
    this.server.clearLog();
    this.server.resetFaults();
    this.staleTokenStatus = COMAP_BEHAVIOUR.staleTokenStatus;
    Object.assign(this.cognito.stats, { passwordLogins: 0, refreshes: 0, failures: 0 });
    Object.assign(this.cognito.knobs, { expiresInS: this.expiresInS, emptyBodyCount: 0, htmlBodyCount: 0, refreshDisabled: false });
  }

  /** Adds (or replaces) an account, owning `housingIds` of the fixture. */
  addUser(user: NewUser): void {
    const record = this.state.addUser(user);
    this.cognito.setUser(record);
  }

  /** An AccessToken obtained over HTTP, for tests that call the API directly. */
  async login(username = DEMO_USERNAME, password = DEMO_PASSWORD): Promise<string> {
    const response = await fetch(this.authUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
      body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password }, ClientId: COMAP_CLIENT_IDS[0] }),
    });
    const body = (await response.json()) as { AuthenticationResult?: { AccessToken?: string } };
    const token = body.AuthenticationResult?.AccessToken;
    if (!token) throw new Error(`emulator login failed: HTTP ${response.status}`);
    return token;
  }

  private async handle(req: EmulatorRequest): Promise<EmulatorResponse> {
    // Browser-style pre-flight, as KiboOst sends before every call; answered without a token.
    if (req.method === 'OPTIONS') return { status: 204, headers: CORS_HEADERS };
    if (CognitoEmulator.handles(req)) return this.cognito.handle(req);

    const auth = this.cognito.check(req.headers.authorization);
    if (!auth.ok) {
      if (auth.reason === 'expired') return json(401, { message: COMAP_BEHAVIOUR.expiredMessage });
      if (auth.reason === 'revoked' && this.staleTokenStatus === 403) return json(403, { message: COMAP_BEHAVIOUR.forbiddenMessage });
      return json(401, { message: COMAP_BEHAVIOUR.unauthorisedMessage });
    }

    const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
    for (const route of this.routes) {
      if (route.method !== req.method) continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      const params: Params = {};
      route.keys.forEach((key, i) => (params[key] = decodeURIComponent(match[i + 1])));
      // Another account's housing is answered as if it did not exist.
      if (params.h !== undefined && !this.state.canSee(auth.username, params.h)) return json(404, { message: 'Housing not found' });
      try {
        const body = route.run(params, req, auth.username);
        if (req.method !== 'GET') this.state.recordWrite(req.method, req.path, req.body);
        return json(200, body);
      } catch (err) {
        if (err instanceof ComapStateError) return json(err.status, { message: err.message });
        throw err;
      }
    }
    return json(404, { message: 'Not Found' });
  }

  private buildRoutes(): Route[] {
    const s = this.state;
    const routes: Route[] = [];
    const on = (method: string, template: string, run: Route['run']): void => {
      const keys: string[] = [];
      const source = template.replace(/:(\w+)/g, (_m, key: string) => {
        keys.push(key);
        return '([^/]+)';
      });
      routes.push({ method, pattern: new RegExp(`^${source}$`), keys, run });
    };
    const th = '/thermal/housings/:h';

    on('GET', '/park/housings', (_p, _r, user) => s.housingList(user));
    on('GET', '/park/housings/:h', (p) => s.housing(p.h));
    on('GET', '/park/housings/:h/connected-objects', (p) => s.connectedObjects(p.h));
    on('GET', '/park/connected-objects/:sn', (p, _r, user) => {
      const object = s.connectedObject(p.sn);
      if (!object || typeof object.housing_id !== 'string' || !s.canSee(user, object.housing_id)) throw new ComapStateError(404, 'Connected object not found');
      return object;
    });
    on('GET', `${th}/thermal-details`, (p) => s.thermalDetails(p.h));
    on('GET', `${th}/thermal-details/zones/:z`, (p) => s.zoneDetails(p.h, p.z));
    on('GET', `${th}/zones`, (p) => s.zoneConfigs(p.h));
    on('GET', `${th}/zones/:z`, (p) => s.zoneConfigOf(p.h, p.z));
    on('GET', `${th}/thermal-settings`, (p) => s.thermalSettings(p.h));
    on('GET', `${th}/custom-temperatures`, (p) => s.customTemperatures(p.h));
    on('PATCH', `${th}/custom-temperatures`, (p, r) => s.patchCustomTemperatures(p.h, r.body));
    on('PUT', `${th}/thermal-control/heating-system-state`, (p, r) => s.setHeatingSystemState(p.h, r.body));
    on('POST', `${th}/thermal-control/leave-home`, (p) => s.leaveHome(p.h));
    on('DELETE', `${th}/thermal-control/leave-home`, (p) => s.cancelLeaveHome(p.h));
    on('POST', `${th}/thermal-control/come-back-home`, (p) => s.comeBackHome(p.h));
    on('DELETE', `${th}/thermal-control/come-back-home`, (p) => s.cancelComeBackHome(p.h));
    on('POST', `${th}/thermal-control/absence`, (p, r) => s.setAbsence(p.h, r.body));
    on('DELETE', `${th}/thermal-control/absence`, (p) => s.cancelAbsence(p.h));
    on('POST', `${th}/thermal-control/zones/:z/temporary-instruction`, (p, r) => s.setTemporaryInstruction(p.h, p.z, r.body));
    on('DELETE', `${th}/thermal-control/zones/:z/temporary-instruction`, (p) => s.deleteTemporaryInstruction(p.h, p.z));
    on('GET', `${th}/programs`, (p) => s.programs(p.h));
    on('POST', `${th}/programs/:p/activate`, (p) => s.activateProgram(p.h, p.p));
    on('POST', `${th}/programs/:p/zones/:z`, (p, r) => s.setProgramZoneSchedule(p.h, p.p, p.z, r.body));
    on('GET', `${th}/schedules`, (p) => s.schedules(p.h));
    return routes;
  }
}

const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization,Content-Type',
};
