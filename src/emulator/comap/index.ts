export { ComapEmulator } from './server';
export type { ComapEmulatorOptions } from './server';
export { ComapState, ComapStateError } from './state';
export type { ComapStateOptions, NewUser, WriteRecord } from './state';
export type { Holiday, HouseModes, ModesSeed } from './modes';
export {
  COMAP_BEHAVIOUR,
  COMAP_CLIENT_IDS,
  COMAP_IDS,
  comapFixture,
  comapTimestamp,
  DEFAULT_EXPIRES_IN_S,
  DEMO_PASSWORD,
  DEMO_USERNAME,
} from './fixture';
export type { ComapFixture, FixtureHousing, FixtureSchedule, FixtureUser, FixtureZone } from './fixture';
