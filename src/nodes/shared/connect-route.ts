import type { Node, NodeAPI, NodeDef } from 'node-red';
import type { Request, Response } from 'express';
import { normaliseCode } from '../../lib/cognito/challenge';
import { answerEditorSession, closeEditorSession, connectEditorSession, ConnectOutcome, EditorSession } from '../../lib/editor/connect';
import { loginHash } from '../../lib/editor/editor-logins';
import { AttemptLimit } from '../../lib/schedule/attempt-limit';
import { ApiError, toApiError } from '../../lib/http/errors';
import { editorLoginsOf } from './editor-logins';

/** What the editor sends: the account as the form holds it. */
export interface ConnectBody {
  id?: unknown;
  settings?: unknown;
  credentials?: unknown;
  code?: unknown;
}

/** The form's values once the saved credentials filled what the form left unchanged. */
export interface ConnectForm {
  id: string;
  settings: Record<string, unknown>;
  credentials: Record<string, string>;
}

/** One account type's side of Connect: how its form becomes the product's session. */
export interface ConnectKind<L> {
  type: 'qivivo-account' | 'veolia-account';
  /** Credential names; the secret ones are used from the store only with the endpoints they were deployed with. */
  credentials: readonly string[];
  secrets: readonly string[];
  /** The session for these values (throws INVALID_INPUT / AUTH_FAILED before anything is sent). */
  open(form: ConnectForm): EditorSession<L>;
  /** Everything the login depends on, as the account node computes it. */
  identity(form: ConnectForm): string[];
  /** Where the credentials and the tokens they bring go (login and API endpoints) for these settings. */
  endpoints(settings: Record<string, unknown>): string;
  /** The listing from the running account itself, on its own session (undefined when it has none). */
  fromDeployed(account: Node): Promise<L> | undefined;
}

/** The editor's unchanged password (Node-RED's editor puts this in a password field it did not load). */
const UNCHANGED = '__PWRD__';
/** Editor logins per account and minute (spec §9); codes per account and minute (spec §8.1). */
const LOGINS_PER_MINUTE = 5;

export function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/**
 * POST `/<type>/connect` (and, when `withCode`, POST `/<type>/connect/code`), `<type>.write`
 * permission: logs in with the form's values and answers the listing, or `{error:{code, message,
 * challenge?}}`. Credentials are never sent back.
 *
 * An account running with the form's values answers on its own session. Otherwise no editor
 * session stays open: the transport is closed as soon as the answer is known. Its
 * tokens are kept in memory (never written) so that the account, deployed with the same values,
 * takes them instead of logging in again — one login for Connect and deploy, never two live
 * logins for one account; and a Veolia login answered with a code in the dialog asks for no
 * second code at deploy. A challenged login waits (no timer, no socket) for its code.
 */
export function registerConnectRoutes<L>(RED: NodeAPI, kind: ConnectKind<L>, withCode: boolean): void {
  const store = editorLoginsOf(RED);
  const logins = new AttemptLimit(LOGINS_PER_MINUTE);
  const codes = new AttemptLimit(LOGINS_PER_MINUTE);
  const t = (key: string): string => RED._(`${kind.type}.connect.runtime.${key}`);
  const permission = RED.auth.needsPermission(`${kind.type}.write`);

  /** `reason` tells the dialog which of its sentences fits (the message is in the runtime's language). */
  const fail = (res: Response, thrown: unknown, reason?: string): void => {
    const err = toApiError(thrown);
    const status = err.code === 'RATE_LIMITED' ? 429 : err.code === 'NOT_FOUND' ? 404 : err.transient || err.code === 'PROTOCOL' ? 502 : 400;
    res.status(status).json({ error: { code: err.code, message: err.message, ...(reason ? { reason } : {}), ...(err.challenge ? { challenge: err.challenge } : {}) } });
  };
  /** Why the form's values were refused before anything was sent. */
  const formReason = (err: unknown): string | undefined => {
    if (err instanceof FormError) return err.reason;
    const code = toApiError(err).code;
    return code === 'AUTH_FAILED' ? 'missing' : code === 'INVALID_INPUT' ? 'settings' : undefined;
  };
  const owner = (req: Request): string => text((req as Request & { user?: { username?: unknown } }).user?.username);

  /** The form's values, the saved credentials standing in for those the form left unchanged. */
  const formOf = (body: ConnectBody): ConnectForm => {
    const id = text(body.id);
    const settings = body.settings && typeof body.settings === 'object' ? (body.settings as Record<string, unknown>) : {};
    const typed = body.credentials && typeof body.credentials === 'object' ? (body.credentials as Record<string, unknown>) : {};
    const saved = (id ? (RED.nodes.getCredentials(id) as Record<string, unknown> | undefined) : undefined) ?? {};
    const credentials: Record<string, string> = {};
    let savedSecret = false;
    for (const name of kind.credentials) {
      const value = typed[name];
      if (typeof value === 'string' && value !== UNCHANGED) credentials[name] = value;
      else {
        credentials[name] = text(saved[name]);
        if (credentials[name] && kind.secrets.includes(name)) savedSecret = true;
      }
    }
    // A saved password (and the tokens it brings) goes only where it was deployed to: a form
    // pointing elsewhere must type it.
    const deployed = savedSecret ? deployedSettings(RED, id, kind.type) : undefined;
    if (savedSecret && (!deployed || kind.endpoints(settings) !== kind.endpoints(deployed))) {
      throw new FormError('password', t('typePassword'));
    }
    return { id, settings, credentials };
  };
  const accountKey = (form: ConnectForm): string => form.id || (form.credentials.username ?? '').trim().toLowerCase();

  const answer = (res: Response, key: string, hash: string, who: string, session: EditorSession<L>, outcome: ConnectOutcome<L>, reason?: string): void => {
    if ('listing' in outcome) {
      store.keep(key, hash, outcome.tokens);
      res.json(outcome.listing);
      return;
    }
    const replaced = store.wait(key, hash, who, session as EditorSession<unknown>);
    if (replaced) closeEditorSession(replaced);
    fail(res, outcome.challenge, reason);
  };

  RED.httpAdmin.post(`/${kind.type}/connect`, permission, (req: Request, res: Response) => {
    let key = '';
    let hash = '';
    let session: EditorSession<L>;
    let form: ConnectForm;
    try {
      form = formOf((req.body ?? {}) as ConnectBody);
      key = accountKey(form);
      if (!key) throw new ApiError('INVALID_INPUT', t('noAccount'));
      // Both throw on unusable values (a wrong URL, no password) before anything is sent.
      hash = loginHash(kind.identity(form));
      session = kind.open(form);
    } catch (err) {
      fail(res, err, formReason(err));
      return;
    }
    // The account runs with these very values: it answers on its own session — no second login.
    const running = form.id ? (RED.nodes.getNode(form.id) as (Node & { editorLoginHash?: string }) | null) : null;
    const own = running && running.type === kind.type && running.editorLoginHash === hash ? kind.fromDeployed(running) : undefined;
    if (own) {
      closeEditorSession(session);
      own.then(
        (listing) => res.json(listing),
        // A code the running account waits for goes to its own code route (reason "deployed").
        (err: unknown) => fail(res, err, toApiError(err).code === 'AUTH_CHALLENGE' ? 'deployed' : undefined),
      );
      return;
    }
    const saved = store.tokens(key, hash);
    if (!saved && !logins.take(key)) {
      closeEditorSession(session);
      fail(res, new ApiError('RATE_LIMITED', t('tooManyLogins')));
      return;
    }
    connectEditorSession(session, saved).then(
      (outcome) => answer(res, key, hash, owner(req), session, outcome),
      (err: unknown) => fail(res, err),
    );
  });

  if (!withCode) return;
  RED.httpAdmin.post(`/${kind.type}/connect/code`, permission, (req: Request, res: Response) => {
    const body = (req.body ?? {}) as ConnectBody;
    const who = owner(req);
    let key = '';
    let hash = '';
    try {
      const form = formOf(body);
      key = accountKey(form);
      hash = loginHash(kind.identity(form));
    } catch (err) {
      fail(res, err, formReason(err));
      return;
    }
    const session = key ? (store.pending(key, who) as EditorSession<L> | undefined) : undefined;
    if (!session) {
      fail(res, new ApiError('INVALID_INPUT', t('noChallenge')), 'noChallenge');
      return;
    }
    // Not a code: said at once, costing no attempt (as for a deployed account).
    if (normaliseCode(text(body.code)) === undefined) {
      fail(res, new ApiError('INVALID_INPUT', t('codeFormat')), 'code');
      return;
    }
    if (!codes.take(key)) {
      fail(res, new ApiError('RATE_LIMITED', t('tooManyCodes')));
      return;
    }
    answerEditorSession(session, text(body.code)).then(
      // Still challenged: the code was wrong, the login waits for another.
      (outcome) => answer(res, key, hash, who, session, outcome, 'code'),
      (err: unknown) => {
        // The challenge is over (stale code; the session is closed): a new Connect brings a new one.
        if (!session.auth.pendingChallenge) store.drop(key);
        fail(res, err, toApiError(err).code === 'AUTH_CHALLENGE' ? 'stale' : undefined);
      },
    );
  });
}

class FormError extends ApiError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super('INVALID_INPUT', message);
  }
}

/** The settings the account was last deployed with (undefined when it never was). */
function deployedSettings(RED: NodeAPI, id: string, type: string): Record<string, unknown> | undefined {
  let found: Record<string, unknown> | undefined;
  if (!id) return found;
  RED.nodes.eachNode((def: NodeDef) => {
    if (def.id === id && def.type === type) found = def as unknown as Record<string, unknown>;
  });
  return found;
}
