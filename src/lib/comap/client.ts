import { CognitoAuth } from '../cognito/auth';
import { ApiError } from '../http/errors';
import { HttpRequest, Transport } from '../http/transport';
import type {
  ComapConnectedObject,
  ComapCustomTemperatures,
  ComapCustomTemperaturesPatch,
  ComapHousing,
  ComapInstruction,
  ComapProgram,
  ComapSchedule,
  ComapThermalDetails,
  ComapThermalSettings,
  ComapZoneDetails,
} from './api-types';

/**
 * One method per Comap endpoint the package uses (comap-api.md §1.3), each authorised through
 * the account's Cognito session. Answers are checked for their outer shape only.
 */
export class ComapClient {
  constructor(
    private readonly transport: Transport,
    private readonly auth: CognitoAuth,
    private readonly apiUrl: string,
  ) {}

  async housings(): Promise<ComapHousing[]> {
    return listOf<ComapHousing>(await this.call('GET', '/park/housings'), 'housings', hasId);
  }

  async connectedObjects(housingId: string): Promise<ComapConnectedObject[]> {
    const path = `/park/housings/${enc(housingId)}/connected-objects`;
    return listOf<ComapConnectedObject>(await this.call('GET', path), 'connected objects', (o) => typeof o.serial_number === 'string');
  }

  async thermalDetails(housingId: string): Promise<ComapThermalDetails> {
    const data = objectOf<ComapThermalDetails>(await this.call('GET', `${thermal(housingId)}/thermal-details`), 'thermal details');
    if (data.zones !== undefined && !Array.isArray(data.zones)) throw protocol('thermal details');
    return data;
  }

  async thermalSettings(housingId: string): Promise<ComapThermalSettings> {
    return objectOf<ComapThermalSettings>(await this.call('GET', `${thermal(housingId)}/thermal-settings`), 'thermal settings');
  }

  async customTemperatures(housingId: string): Promise<ComapCustomTemperatures> {
    return objectOf<ComapCustomTemperatures>(await this.call('GET', `${thermal(housingId)}/custom-temperatures`), 'custom temperatures');
  }

  async programs(housingId: string): Promise<ComapProgram[]> {
    const data = objectOf<{ programs?: unknown }>(await this.call('GET', `${thermal(housingId)}/programs`), 'programs');
    return listOf<ComapProgram>(data.programs ?? [], 'programs', hasId);
  }

  /** The housing's schedules (#25), a bare array. */
  async schedules(housingId: string): Promise<ComapSchedule[]> {
    return listOf<ComapSchedule>(await this.call('GET', `${thermal(housingId)}/schedules`), 'schedules', hasId);
  }

  /** POST a temporary instruction; the cloud answers 409 when one is already in place. */
  async setTemporaryInstruction(housingId: string, zoneId: string, instruction: ComapInstruction, durationMin: number): Promise<ComapZoneDetails> {
    const body = { duration: durationMin, set_point: { instruction } };
    return zoneOf(await this.call('POST', temporaryPath(housingId, zoneId), body));
  }

  async deleteTemporaryInstruction(housingId: string, zoneId: string): Promise<ComapZoneDetails> {
    return zoneOf(await this.call('DELETE', temporaryPath(housingId, zoneId)));
  }

  async activateProgram(housingId: string, programId: string): Promise<void> {
    await this.call('POST', `${thermal(housingId)}/programs/${enc(programId)}/activate`);
  }

  /** Assigns a schedule to a zone within a program (#23). */
  async setZoneSchedule(housingId: string, programId: string, zoneId: string, scheduleId: string): Promise<void> {
    await this.call('POST', `${thermal(housingId)}/programs/${enc(programId)}/zones/${enc(zoneId)}`, {
      programming_type: 'connected',
      schedule_id: scheduleId,
    });
  }

  /** Edits preset temperatures (#13, flat keys); the answer is not relied on (read back with #12). */
  async patchCustomTemperatures(housingId: string, patch: ComapCustomTemperaturesPatch): Promise<void> {
    await this.call('PATCH', `${thermal(housingId)}/custom-temperatures`, patch);
  }

  /** Heating system on or off for the whole housing (#14). */
  async setHeatingSystemState(housingId: string, state: 'on' | 'off'): Promise<void> {
    await this.call('PUT', `${control(housingId)}/heating-system-state`, { state });
  }

  /** Leave home now (#18 POST); shows as `events.time_shift`. */
  async leaveHome(housingId: string): Promise<void> {
    await this.call('POST', `${control(housingId)}/leave-home`);
  }

  /** Ends a leave-home (#18 DELETE). */
  async cancelLeaveHome(housingId: string): Promise<void> {
    await this.call('DELETE', `${control(housingId)}/leave-home`);
  }

  /** Back home now (#19 POST). */
  async comeBackHome(housingId: string): Promise<void> {
    await this.call('POST', `${control(housingId)}/come-back-home`);
  }

  /** A holiday from `beginAt` to `endAt` (#20 POST, ISO times); shows as `events.absence`. */
  async setAbsence(housingId: string, beginAt: string, endAt: string): Promise<void> {
    await this.call('POST', `${control(housingId)}/absence`, { begin_at: beginAt, end_at: endAt });
  }

  /** Cancels a planned or running holiday (#20 DELETE). */
  async cancelAbsence(housingId: string): Promise<void> {
    await this.call('DELETE', `${control(housingId)}/absence`);
  }

  private async call(method: HttpRequest['method'], path: string, body?: unknown): Promise<unknown> {
    const url = this.apiUrl.replace(/\/+$/, '') + path;
    const response = await this.auth.authorised((token) =>
      this.transport.request({ method, url, body, headers: { Authorization: `Bearer ${token}` } }),
    );
    return response.data;
  }
}

const enc = encodeURIComponent;
const thermal = (housingId: string): string => `/thermal/housings/${enc(housingId)}`;
const control = (housingId: string): string => `${thermal(housingId)}/thermal-control`;
const temporaryPath = (housingId: string, zoneId: string): string =>
  `${thermal(housingId)}/thermal-control/zones/${enc(zoneId)}/temporary-instruction`;

function protocol(what: string): ApiError {
  return new ApiError('PROTOCOL', `Comap sent unexpected ${what}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasId(value: Record<string, unknown>): boolean {
  return typeof value.id === 'string' || typeof value.id === 'number';
}

function objectOf<T>(value: unknown, what: string): T {
  if (!isObject(value)) throw protocol(what);
  return value as T;
}

/** An array of objects; entries without their key are dropped, ids become strings. */
function listOf<T>(value: unknown, what: string, keep: (item: Record<string, unknown>) => boolean): T[] {
  if (!Array.isArray(value)) throw protocol(what);
  return value.filter((item): item is Record<string, unknown> => isObject(item) && keep(item)).map((item) => {
    return (typeof item.id === 'number' ? { ...item, id: String(item.id) } : item) as T;
  });
}

function zoneOf(value: unknown): ComapZoneDetails {
  return isObject(value) && typeof value.id === 'string' ? (value as ComapZoneDetails) : ({ id: '' } as ComapZoneDetails);
}
