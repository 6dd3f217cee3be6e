import type { EditorSession } from '../editor/connect';
import type { HeatingService, ProgramChoice } from './heating';
import type { ZoneKind } from './model';
import { COMAP_DEFAULTS, ComapSession, ComapSessionSettings, createComapSession } from './session';
import { checkEndpointUrl } from '../http/url-policy';

/** What the account dialog's Connect and the flow nodes' dropdowns show of a Comap account. */
export interface ComapListing {
  housings: Array<{
    id: string;
    name: string;
    zones: Array<{ id: string; name: string; kind: ZoneKind }>;
    /** As the deployed account's programs list: on a monozone housing its schedules too (spec §7.4). */
    programs: ProgramChoice[];
    schedules: Array<{ id: string; name: string }>;
  }>;
}

/** Everything a Comap login depends on, as the account node resolves it (same values, same login). */
export function comapLoginIdentity(settings: Pick<ComapSessionSettings, 'apiUrl' | 'authUrl' | 'clientId' | 'username' | 'password'>): string[] {
  return [
    'comap',
    checkEndpointUrl(settings.apiUrl || COMAP_DEFAULTS.apiUrl, 'apiUrl').toString(),
    checkEndpointUrl(settings.authUrl || COMAP_DEFAULTS.authUrl, 'authUrl').toString(),
    settings.clientId?.trim() || COMAP_DEFAULTS.clientId,
    settings.username,
    settings.password,
  ];
}

/** Every housing of the account with its zones, programs and schedules. */
export async function listComap(heating: HeatingService): Promise<ComapListing> {
  const housings = await heating.housings();
  return {
    housings: await Promise.all(
      housings.map(async (h) => {
        const [zones, programs, schedules] = await Promise.all([heating.zones(h.id), heating.programChoices(h.id), heating.schedules(h.id)]);
        return { id: h.id, name: h.name, zones: zones.map((z) => ({ id: z.id, name: z.name, kind: z.kind })), programs, schedules };
      }),
    ),
  };
}

/** A Comap session of the editor: the product's own client, listing every housing with its zones and programs. */
export function comapEditorSession(settings: ComapSessionSettings): EditorSession<ComapListing> {
  const session: ComapSession = createComapSession(settings);
  return { transport: session.transport, auth: session.auth, list: () => listComap(session.heating) };
}
