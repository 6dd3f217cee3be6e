import type {
  ComapAbsenceEvent,
  ComapConnectedObject,
  ComapCustomTemperatures,
  ComapHousing,
  ComapInstruction,
  ComapProgram,
  ComapTimeShiftEvent,
} from '../../lib/comap/api-types';

/**
 * Seed data of the Comap emulator, and every guess the emulator makes about the cloud.
 *
 * Field names follow comap-api.md §1.4. Facts that document calls [uncertain] or [inferred] live
 * here, each with a short comment, so they can be corrected in one place when a real capture of
 * the service becomes available; the state and server only apply them.
 */

/** Choices about behaviour no public source records. */
export const COMAP_BEHAVIOUR = {
  /** [inferred from melec's parser `data[:19] + data[26:]`] six fractional digits and an offset. */
  timestampFractionDigits: 6,
  /** [uncertain] UTC offset written as `+00:00`; the housing's own offset is not known to be used. */
  timestampOffset: '+00:00',
  /**
   * [uncertain] DELETE of a temporary instruction when none exists: the emulator answers 200 with
   * the zone unchanged (idempotent cancel). Set to 404 to model a stricter cloud.
   */
  deleteWithoutInstruction: 'zone' as 'zone' | 404,
  /** [uncertain] body of the 409 sent when a temporary instruction already exists. */
  conflictMessage: 'A temporary instruction already exists',
  /**
   * [uncertain] server behaviour on a pilot-wire zone given a °C number, or a thermostat zone given
   * a fil-pilote order, is unknown (clients check it themselves); the emulator refuses with 400.
   */
  mismatchStatus: 400,
  /** [uncertain] server limits of a °C instruction; the plugin's popup allows 0–40. */
  temperatureRange: [0, 40] as const,
  /** [uncertain] 401 body; the shape of an API Gateway refusal. */
  unauthorisedMessage: 'Unauthorized',
  /** [uncertain] refused stale tokens: 401 by default, 403 also plausible (knob on the emulator). */
  staleTokenStatus: 401 as 401 | 403,
  /** [inferred from melec] live fields are left out of a zone with `transmission_error`. */
  transmissionErrorHidesLiveFields: true,
  /** [uncertain] content of `errors` during a transmission error. */
  transmissionErrors: [{ code: 'transmission_error', message: 'No data received from the device' }] as unknown[],
  /** ["Your applied schedule will cancel any temporary orders", rbiremon README] */
  scheduleChangeCancelsTemporary: true,
  /** [uncertain] the zone's next timeslot starts at the next whole hour. */
  nextTimeslotEveryMs: 3_600_000,
  /** [uncertain] pilot-wire orders under which a zone reports `heating_status: "cooling"` (idle). */
  pilotWireIdleOrders: ['stop', 'frost_protection'] as readonly string[],
  /** [uncertain] zone-config `instruction_type` of pilot-wire zones ("temperature" is attested for thermostat zones). */
  instructionType: { thermostat: 'temperature', pilot_wire: 'pilot_wire' },
  /** [uncertain] values of `services_available` (zones and housing) and `meters_registered`. */
  servicesAvailable: [] as unknown[],
  metersRegistered: false as unknown,
  /** [uncertain] API Gateway's message for an expired Cognito token. */
  expiredMessage: 'The incoming token has expired',
  /** [uncertain] body of 403 refusals. */
  forbiddenMessage: 'Forbidden',
  /**
   * [unknown, shape not public] answers of writes no client reads: PUT heating-system-state and
   * PATCH custom-temperatures answer the updated resource; program activation and schedule
   * assignment answer the updated program.
   */
  writeAnswers: 'updated resource',
  /** [inferred] the cloud parses JSON whatever the Content-Type (KiboOst sends form-urlencoded). */
  jsonRegardlessOfContentType: true,

  // ---- whole-house modes (#14, #18–#20) ----
  /**
   * [unknown, shape not public] answer of the mode writes (leave-home, come-back-home, absence,
   * heating-system-state): thermal-details as reads show it at that moment (clients only check
   * for a JSON body).
   */
  modeWriteAnswers: 'thermal-details as shown',
  /**
   * [uncertain] DELETE leave-home or DELETE absence when none is in place: 200 with nothing
   * changed (idempotent cancel, as for temporary instructions). 404 models a stricter cloud.
   */
  deleteWithoutMode: 'ok' as 'ok' | 404,
  /**
   * [uncertain] POST come-back-home ends a leave-home and a holiday in progress; a holiday planned
   * for later is kept (HA's docstring "cancel a programmed away mode" suggests it may go too: knob).
   */
  comeBackHomeCancelsPlannedAbsence: false,
  /**
   * [uncertain] DELETE come-back-home (melec: "Cancel 'come-back-home' signal") answers 200 and
   * changes nothing: the emulator's come-back-home acts at once, so nothing is left to cancel.
   */
  deleteComeBackHome: 'no change',
  /**
   * [uncertain] POST absence `{}` (KiboOst's setDeparture() without dates, HA's holiday switch):
   * a holiday from now with no end (`end_at: null`) until cancelled. 400 models a stricter cloud.
   */
  emptyAbsenceBody: 'open-ended' as 'open-ended' | 400,
  /**
   * [uncertain] absence times must be ISO date-times with an offset (`Z` or `±HH:MM`; KiboOst
   * sends `2020-09-03T22:00:12.000Z`); a bare date or a local time is refused with 400, as is an
   * `end_at` not after `begin_at` or already past.
   */
  absenceTimePattern: /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/,
  /** [uncertain] one holiday per housing: a new POST absence replaces the planned or running one. */
  absenceReplaces: true,
  /** [uncertain] a leave-home lasts until DELETE leave-home or come-back-home (no end of its own). */
  leaveHomeHasNoEnd: true,
  /**
   * [uncertain] set points the zones show while a mode runs (over the schedule and any temporary
   * instruction, which stays in `events` and resumes after): a running holiday → frost protection;
   * a leave-home → the `away` preset, `eco` on pilot-wire zones. Heating system off: set points
   * unchanged, every zone `heating_status: "cooling"`.
   */
  modeInstructions: {
    absence: { thermostat: 'frost_protection', pilot_wire: 'frost_protection' },
    time_shift: { thermostat: 'away', pilot_wire: 'eco' },
  } as Record<'absence' | 'time_shift', Record<ZoneKind, ComapInstruction>>,
};

/** [unknown, shape not public] `events.absence` of thermal-details, planned or running. */
export function absenceEvent(id: string, beginAt: number, endAt: number | null): ComapAbsenceEvent {
  return { id, begin_at: comapTimestamp(beginAt), end_at: endAt === null ? null : comapTimestamp(endAt) };
}

/** [unknown, shape not public] `events.time_shift` of thermal-details while a leave-home runs. */
export function timeShiftEvent(beginAt: number): ComapTimeShiftEvent {
  return { begin_at: comapTimestamp(beginAt) };
}

/** [uncertain] format of a holiday's id when the POST names none (melec sends its own `id`). */
export function absenceId(n: number): string {
  return `a-${String(n).padStart(4, '0')}`;
}

/** Fil-pilote orders a pilot-wire zone accepts (comap-api.md §2.1). */
export const PILOT_WIRE_ORDERS: readonly string[] = ['stop', 'frost_protection', 'eco', 'comfort_minus2', 'comfort_minus1', 'comfort'];

/** Preset names a thermostat zone accepts as instruction (comap-api.md §2.2). */
export const THERMOSTAT_PRESETS: readonly string[] = ['presence_1', 'presence_2', 'presence_3', 'presence_4', 'night', 'away', 'frost_protection'];

/** Flat keys of PATCH custom-temperatures that belong under `connected`. */
export const CONNECTED_PRESETS: readonly string[] = ['presence_1', 'presence_2', 'presence_3', 'presence_4'];

/** Flat keys of PATCH custom-temperatures kept at top level ([uncertain] `stop`, read by KiboOst). */
export const TOP_LEVEL_PRESETS: readonly string[] = ['night', 'away', 'frost_protection', 'stop'];

export const DEMO_USERNAME = 'demo@example.com';
export const DEMO_PASSWORD = 'demo-password';

/** The public Cognito clients: the web app's (KiboOst, HA) and melec's boto3 one. */
export const COMAP_CLIENT_IDS: readonly string[] = ['56jcvrtejpracljtirq7qnob44', '4pe1qvk2c0sr7hf90a1auv8ak1'];

/** [uncertain, Cognito default] lifetime of access tokens. */
export const DEFAULT_EXPIRES_IN_S = 3600;

/** Ids of the seed data, for tests and the demo. [uncertain] real ids' format is unknown. */
export const COMAP_IDS = {
  userDemo: 'u-demo-0001',
  maison: 'h-maison-0001',
  chalet: 'h-chalet-0002',
  zones: {
    sejour: 'z-sejour-0001',
    chambres: 'z-chambres-0002',
    sdb: 'z-sdb-0003',
    chalet: 'z-chalet-0001',
  },
  programs: {
    semaine: 'p-semaine-0001',
    vacances: 'p-vacances-0002',
    chalet: 'p-chalet-0001',
    chaletHiver: 'p-hiver-0002',
    /** Same title as the schedule `chaletWeekend`: such a name means the program. */
    chaletWeekend: 'p-weekend-0003',
  },
  schedules: {
    sejourSemaine: 's-sejour-semaine',
    sejourHorsGel: 's-sejour-hors-gel',
    filPiloteConfort: 's-fp-confort',
    filPiloteEco: 's-fp-eco',
    filPiloteHorsGel: 's-fp-hors-gel',
    chaletPresent: 's-chalet-present',
    chaletAbsent: 's-chalet-absent',
    chaletConfortMatin: 's-chalet-confort-matin',
    chaletWeekend: 's-chalet-weekend',
    semaineTravail: 's-semaine-travail',
  },
  /** [uncertain] serial formats; Qivivo v2 module serials were MAC addresses. */
  serials: {
    thermostat: 'TH-MAISON-0001',
    gateway: 'GW-MAISON-0001',
    moduleSejour: 'HM-MAISON-0001',
    moduleChambre1: 'HM-MAISON-0002',
    moduleChambre2: 'HM-MAISON-0003',
    moduleSdb: 'HM-MAISON-0004',
    chaletThermostat: 'TH-CHALET-0001',
    chaletGateway: 'GW-CHALET-0001',
    chaletModule: 'HM-CHALET-0001',
  },
} as const;

export interface FixtureUser {
  username: string;
  password: string;
  userId: string;
  housingIds: string[];
  /** Login answers with this Cognito challenge instead of tokens. */
  challenge?: string;
}

export type ZoneKind = 'thermostat' | 'pilot_wire';

export interface FixtureZone {
  id: string;
  title: string;
  kind: ZoneKind;
  connected_objects: string[];
  temperature: number | null;
  humidity: number | null;
  last_presence_detected: string | null;
  open_window: boolean;
  last_transmission: string;
  programming_type: string;
  /** Zone-config fields (#7). */
  area_type: string;
  heating_priority: string;
  /** Instruction used when no program gives this zone a schedule. */
  fallbackInstruction: ComapInstruction;
}

/** What a schedule asks for now and in its next slot (emulator-only, not served). */
export interface ScheduleSlots {
  current: ComapInstruction;
  next: ComapInstruction;
}

export interface FixtureSchedule {
  id: string;
  title: string;
  slots: ScheduleSlots;
}

export interface FixtureHousing {
  housing: ComapHousing;
  heating_system_state: 'on' | 'off';
  installation_type: string;
  objects: ComapConnectedObject[];
  zones: FixtureZone[];
  customTemperatures: ComapCustomTemperatures;
  programs: ComapProgram[];
  schedules: FixtureSchedule[];
}

export interface ComapFixture {
  users: FixtureUser[];
  housings: FixtureHousing[];
}

/** A timestamp as the cloud writes it, e.g. `2026-11-23T08:00:00.000000+00:00`. */
export function comapTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-23T08:00:00.000Z
  const millis = iso.slice(20, 23);
  const fraction = (millis + '000000').slice(0, COMAP_BEHAVIOUR.timestampFractionDigits);
  return `${iso.slice(0, 19)}${fraction ? '.' + fraction : ''}${COMAP_BEHAVIOUR.timestampOffset}`;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** A fresh copy of the seed data, with times relative to `now`. */
export function comapFixture(now: number = Date.now()): ComapFixture {
  const ago = (ms: number): string => comapTimestamp(now - ms);
  const ids = COMAP_IDS;
  const sn = ids.serials;

  // [uncertain] zone-config values: `area_type` names and `heating_priority` are not documented.
  const maisonZones: FixtureZone[] = [
    {
      id: ids.zones.sejour,
      title: 'Séjour',
      kind: 'thermostat',
      connected_objects: [sn.thermostat, sn.moduleSejour],
      temperature: 20.4,
      humidity: 47,
      last_presence_detected: ago(12 * MINUTE),
      open_window: false,
      last_transmission: ago(3 * MINUTE),
      programming_type: 'connected',
      area_type: 'living_room',
      heating_priority: 'normal',
      fallbackInstruction: 'presence_1',
    },
    {
      id: ids.zones.chambres,
      title: 'Chambres',
      kind: 'pilot_wire',
      connected_objects: [sn.moduleChambre1, sn.moduleChambre2],
      // [inferred] pilot-wire zones have no sensor: null measures (HA skips null presence).
      temperature: null,
      humidity: null,
      last_presence_detected: null,
      open_window: false,
      last_transmission: ago(5 * MINUTE),
      programming_type: 'connected',
      area_type: 'bedroom',
      heating_priority: 'normal',
      fallbackInstruction: 'comfort',
    },
    {
      id: ids.zones.sdb,
      title: 'Salle de bain',
      kind: 'pilot_wire',
      connected_objects: [sn.moduleSdb],
      temperature: null,
      humidity: null,
      last_presence_detected: null,
      open_window: false,
      last_transmission: ago(2 * MINUTE),
      programming_type: 'connected',
      area_type: 'bathroom',
      heating_priority: 'normal',
      fallbackInstruction: 'eco',
    },
  ];

  const maison: FixtureHousing = {
    // [uncertain] `type`, `usage` values; the fields themselves are attested (melec comap_obj).
    housing: {
      id: ids.maison,
      user_id: ids.userDemo,
      name: 'Maison',
      address: "1 rue de l'Exemple",
      zip_code: '00000',
      city: 'Exempleville',
      country: 'FR',
      longitude: 1.2345,
      latitude: 12.3456,
      type: 'house',
      usage: 'main',
      ip_address: '192.0.2.10',
      created_at: comapTimestamp(Date.UTC(2021, 4, 22, 9, 30)),
      timezone: 'Europe/Paris',
      connected_objects: [sn.thermostat, sn.gateway, sn.moduleSejour, sn.moduleChambre1, sn.moduleChambre2, sn.moduleSdb],
    },
    heating_system_state: 'on',
    installation_type: 'multizone',
    objects: [
      {
        serial_number: sn.thermostat,
        housing_id: ids.maison,
        model: 'thermostat',
        last_communication_time: ago(3 * MINUTE),
        first_communication_time: comapTimestamp(Date.UTC(2021, 4, 22, 9, 45)),
        is_new: false,
        firmware_version: '3.6.2',
        // [uncertain] unit of `voltage` (volts assumed, 3×1.5 V AAA).
        voltage: 4.1,
        voltage_percent: 80,
        last_temperature: 20.4,
      },
      {
        serial_number: sn.gateway,
        housing_id: ids.maison,
        model: 'gateway',
        last_communication_time: ago(1 * MINUTE),
        first_communication_time: comapTimestamp(Date.UTC(2021, 4, 22, 9, 40)),
        is_new: false,
        firmware_version: '2.4.0',
      },
      heatingModule(sn.moduleSejour, ids.maison, true, ago(4 * MINUTE)),
      { ...heatingModule(sn.moduleChambre1, ids.maison, false, ago(5 * MINUTE)), custom_name: 'Chambre parents' },
      { ...heatingModule(sn.moduleChambre2, ids.maison, false, ago(6 * MINUTE)), custom_name: 'Chambre enfants' },
      heatingModule(sn.moduleSdb, ids.maison, false, ago(2 * MINUTE)),
    ],
    zones: maisonZones,
    customTemperatures: {
      night: 17,
      away: 16,
      frost_protection: 7,
      connected: { presence_1: 20.5, presence_2: 20, presence_3: 19.5, presence_4: 19 },
      // [uncertain] keys of `smart` are unknown.
      smart: {},
    },
    programs: [
      {
        id: ids.programs.semaine,
        title: 'Semaine',
        is_activated: true,
        zones: [
          { id: ids.zones.sejour, schedule_id: ids.schedules.sejourSemaine },
          { id: ids.zones.chambres, schedule_id: ids.schedules.filPiloteConfort },
          { id: ids.zones.sdb, schedule_id: ids.schedules.filPiloteEco },
        ],
      },
      {
        id: ids.programs.vacances,
        title: 'Vacances',
        is_activated: false,
        zones: [
          { id: ids.zones.sejour, schedule_id: ids.schedules.sejourHorsGel },
          { id: ids.zones.chambres, schedule_id: ids.schedules.filPiloteHorsGel },
          { id: ids.zones.sdb, schedule_id: ids.schedules.filPiloteHorsGel },
        ],
      },
    ],
    // [unknown, shape not public] the day/time-slot structure of schedules; only `id` and `title` are served.
    schedules: [
      { id: ids.schedules.sejourSemaine, title: 'Séjour semaine', slots: { current: 'presence_1', next: 'night' } },
      { id: ids.schedules.sejourHorsGel, title: 'Séjour hors-gel', slots: { current: 'frost_protection', next: 'frost_protection' } },
      { id: ids.schedules.filPiloteConfort, title: 'Chambres confort', slots: { current: 'comfort', next: 'eco' } },
      { id: ids.schedules.filPiloteEco, title: 'Salle de bain éco', slots: { current: 'eco', next: 'comfort' } },
      { id: ids.schedules.filPiloteHorsGel, title: 'Hors-gel', slots: { current: 'frost_protection', next: 'frost_protection' } },
      { id: ids.schedules.semaineTravail, title: 'Semaine travail', slots: { current: 'presence_2', next: 'night' } },
    ],
  };

  const chalet: FixtureHousing = {
    housing: {
      id: ids.chalet,
      user_id: ids.userDemo,
      name: 'Chalet',
      address: "2 chemin de l'Exemple",
      zip_code: '00001',
      city: 'Exemple-les-Monts',
      country: 'FR',
      longitude: 2.3456,
      latitude: 23.4567,
      type: 'house',
      usage: 'secondary',
      ip_address: '192.0.2.20',
      created_at: comapTimestamp(Date.UTC(2022, 9, 22, 14, 0)),
      timezone: 'Europe/Paris',
      connected_objects: [sn.chaletThermostat, sn.chaletGateway, sn.chaletModule],
    },
    heating_system_state: 'on',
    // [inferred] any value other than "multizone" means monozone.
    installation_type: 'monozone',
    objects: [
      {
        serial_number: sn.chaletThermostat,
        housing_id: ids.chalet,
        model: 'thermostat',
        last_communication_time: ago(7 * MINUTE),
        first_communication_time: comapTimestamp(Date.UTC(2022, 9, 22, 14, 10)),
        is_new: false,
        firmware_version: '3.6.2',
        voltage: 3.9,
        voltage_percent: 55,
        last_temperature: 16.2,
      },
      {
        serial_number: sn.chaletGateway,
        housing_id: ids.chalet,
        model: 'gateway',
        last_communication_time: ago(2 * MINUTE),
        first_communication_time: comapTimestamp(Date.UTC(2022, 9, 22, 14, 5)),
        is_new: false,
        firmware_version: '2.4.0',
      },
      heatingModule(sn.chaletModule, ids.chalet, true, ago(8 * MINUTE)),
    ],
    zones: [
      {
        id: ids.zones.chalet,
        title: 'Chalet',
        kind: 'thermostat',
        connected_objects: [sn.chaletThermostat, sn.chaletModule],
        temperature: 16.2,
        humidity: 52,
        last_presence_detected: ago(3 * DAY),
        open_window: false,
        last_transmission: ago(7 * MINUTE),
        programming_type: 'connected',
        area_type: 'living_room',
        heating_priority: 'normal',
        fallbackInstruction: 'away',
      },
    ],
    customTemperatures: {
      night: 16,
      away: 14,
      frost_protection: 7,
      // A null preset: HA hides such presets.
      connected: { presence_1: 19.5, presence_2: 19, presence_3: 18.5, presence_4: null },
      smart: {},
    },
    // Monozone housings have programs too and activate them like any other (comap-api.md §1.5 correction).
    programs: [
      {
        id: ids.programs.chalet,
        title: 'Chalet',
        is_activated: true,
        zones: [{ id: ids.zones.chalet, schedule_id: ids.schedules.chaletAbsent }],
      },
      {
        id: ids.programs.chaletHiver,
        title: 'Hiver',
        is_activated: false,
        zones: [{ id: ids.zones.chalet, schedule_id: ids.schedules.chaletConfortMatin }],
      },
      {
        id: ids.programs.chaletWeekend,
        title: 'Week-end',
        is_activated: false,
        zones: [{ id: ids.zones.chalet, schedule_id: ids.schedules.chaletPresent }],
      },
    ],
    // [unknown, shape not public] slot structure, as for the other housing.
    schedules: [
      { id: ids.schedules.chaletPresent, title: 'Présent', slots: { current: 'presence_1', next: 'night' } },
      { id: ids.schedules.chaletAbsent, title: 'Absent', slots: { current: 'away', next: 'away' } },
      { id: ids.schedules.chaletConfortMatin, title: 'Confort matin', slots: { current: 'presence_2', next: 'night' } },
      { id: ids.schedules.chaletWeekend, title: 'Week-end', slots: { current: 'presence_3', next: 'presence_3' } },
    ],
  };

  return {
    users: [{ username: DEMO_USERNAME, password: DEMO_PASSWORD, userId: ids.userDemo, housingIds: [ids.maison, ids.chalet] }],
    housings: [maison, chalet],
  };
}

function heatingModule(serial: string, housingId: string, main: boolean, lastCommunication: string): ComapConnectedObject {
  return {
    serial_number: serial,
    housing_id: housingId,
    model: 'heating_module',
    last_communication_time: lastCommunication,
    first_communication_time: comapTimestamp(Date.UTC(2021, 4, 22, 10, 0)),
    is_new: false,
    firmware_version: '1.9.4',
    is_blinking: false,
    // true = the module follows the thermostat zone (plugin HEAD).
    main_heating_module: main,
  };
}
