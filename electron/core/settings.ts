import os from 'node:os';
import { z } from 'zod';
import type { Db } from './db';
import { storageError } from './errors';
import type { VerificationPolicy } from './verification';
import {
  FACE_THRESHOLD_MAX,
  FACE_THRESHOLD_MIN,
  readerSettingsSchema,
  type EditableSettingsDTO,
} from '../shared/ipc-contract';
import { DEFAULT_FACE_THRESHOLD } from '../../native/face/verdict';
import { LANGS } from '../../native/domain/vocabulary';

/** Settings kept in the database (app_settings), one JSON value per key: what the chair edits, and when the trust store was last imported. */
export interface StationSettings extends EditableSettingsDTO {
  trustStoreUpdatedAt: string | null;
}

export function defaultSettings(): StationSettings {
  return {
    stationName: (process.env.KIOSK_STATION ?? os.hostname()).slice(0, 64) || 'kiosk',
    language: 'vi',
    requireChip: false,
    requireTrustedIssuer: false,
    soundEnabled: true,
    verdictSeconds: 8,
    readers: {
      qrWedge: true,
      pcsc: { enabled: true, name: '' },
      pn532Port: '',
      serialScannerPort: '',
      hidPos: null,
    },
    trustStoreUpdatedAt: null,
    retentionDays: null,
    faceEnabled: false,
    faceThreshold: DEFAULT_FACE_THRESHOLD,
    cameraDeviceId: '',
    faceKeepEvidence: false,
  };
}

/** Validators for what is read back: a damaged or outdated value falls back to the default. */
const storedSchemas: { [K in keyof StationSettings]: z.ZodType<StationSettings[K]> } = {
  stationName: z.string().min(1).max(64),
  language: z.enum(LANGS),
  requireChip: z.boolean(),
  requireTrustedIssuer: z.boolean(),
  soundEnabled: z.boolean(),
  verdictSeconds: z.number().int().min(0).max(600),
  readers: readerSettingsSchema,
  trustStoreUpdatedAt: z.string().nullable(),
  retentionDays: z.number().int().min(0).max(36_500).nullable(),
  faceEnabled: z.boolean(),
  faceThreshold: z.number().min(FACE_THRESHOLD_MIN).max(FACE_THRESHOLD_MAX),
  cameraDeviceId: z.string().max(512),
  faceKeepEvidence: z.boolean(),
};

export class SettingsService {
  private cache: StationSettings | undefined;

  constructor(private readonly db: Db) {}

  get(): StationSettings {
    if (this.cache) return this.cache;
    const out = defaultSettings();
    const rows = this.db.prepare('SELECT key, value FROM app_settings').all() as {
      key: string;
      value: string;
    }[];
    for (const { key, value } of rows) {
      if (!(key in storedSchemas)) continue;
      const k = key as keyof StationSettings;
      try {
        const parsed = storedSchemas[k].safeParse(JSON.parse(value));
        if (parsed.success) (out as unknown as Record<string, unknown>)[k] = parsed.data;
      } catch {
        // keep the default
      }
    }
    this.cache = out;
    return out;
  }

  /** Stores the given keys; returns the names of the keys whose value changed. */
  update(patch: Partial<StationSettings>): (keyof StationSettings)[] {
    const current = this.get();
    const changed: (keyof StationSettings)[] = [];
    for (const [k, v] of Object.entries(patch) as [keyof StationSettings, unknown][]) {
      if (v === undefined || !(k in storedSchemas)) continue;
      if (JSON.stringify(current[k]) !== JSON.stringify(v)) changed.push(k);
    }
    if (!changed.length) return [];
    const at = new Date().toISOString();
    const put = this.db.prepare(
      `INSERT INTO app_settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    try {
      this.db.transaction(() => {
        for (const k of changed) put.run(k, JSON.stringify(patch[k]), at);
      })();
    } catch (err) {
      throw storageError(err);
    }
    this.cache = undefined;
    return changed;
  }

  policy(): VerificationPolicy {
    const s = this.get();
    return { requireChip: s.requireChip, requireTrustedIssuer: s.requireTrustedIssuer };
  }
}
