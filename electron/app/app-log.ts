import fs from 'node:fs';
import path from 'node:path';
import type { AppLogger, LogFields } from './ports';

/** Field values that could carry personal data are cut: the log holds codes, counts and timings. */
const MAX_VALUE = 120;
/** Anything that looks like an ID number (9 or 12 digits in a row) is masked, whatever the caller passed. */
const ID_LIKE = /\d{9,}/g;

export function scrubFields(fields: LogFields = {}): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (typeof v === 'string') out[k] = v.slice(0, MAX_VALUE).replace(ID_LIKE, (m) => '#'.repeat(m.length));
    else out[k] = v;
  }
  return out;
}

/**
 * The technical log of the app (support staff read it): one JSON line per event in
 * `<dir>/kiosk-app.log`, rotated at `maxBytes` (one old file kept). It never receives payloads,
 * names, ID numbers or photos; callers pass event names and codes only, and `scrubFields` masks
 * digit runs as a second line of defence.
 */
export class FileAppLogger implements AppLogger {
  private readonly file: string;

  constructor(
    dir: string,
    private readonly maxBytes = 5 * 1024 * 1024,
    private readonly echo?: (line: string) => void,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, 'kiosk-app.log');
  }

  get path(): string {
    return this.file;
  }

  info(event: string, fields?: LogFields): void {
    this.write('info', event, fields);
  }
  warn(event: string, fields?: LogFields): void {
    this.write('warn', event, fields);
  }
  error(event: string, fields?: LogFields): void {
    this.write('error', event, fields);
  }

  private write(level: string, event: string, fields?: LogFields): void {
    const line =
      JSON.stringify({ at: new Date().toISOString(), level, event, ...scrubFields(fields) }) + '\n';
    try {
      if (fs.existsSync(this.file) && fs.statSync(this.file).size + line.length > this.maxBytes) {
        fs.renameSync(this.file, this.file + '.1');
      }
      fs.appendFileSync(this.file, line);
    } catch {
      // A technical log that cannot be written must never stop a check.
    }
    this.echo?.(line);
  }
}
