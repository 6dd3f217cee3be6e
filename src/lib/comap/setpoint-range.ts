/** The thermostat's setpoint range in °C (product-spec §3.2), also that of the presets (§7.3). */
export const SETPOINT_MIN = 5;
export const SETPOINT_MAX = 30;
