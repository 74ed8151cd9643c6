/**
 * The roster reader moved to electron/core/roster/ (read.ts, model.ts, ...). This shim stays only for
 * electron/app/kiosk-api.ts, whose import moves with the API work of issue 10; new code imports from
 * ./roster/read and ./roster/model.
 */
export { readRosterFile } from './roster/read';
export type { RosterRow } from './roster/model';
