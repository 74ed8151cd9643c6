/**
 * settings.*: the station settings (chair only to change; each change logged with its new values),
 * importing CSCA certificates into the trust folder, the attached readers, and the station check.
 */
import type { SettingsDTO } from '../../shared/ipc-contract';
import type { AppContext, Handlers } from '../context';
import { countTrustFiles, importTrustFolder } from '../trust-store-import';

export function settingsChannels(app: AppContext): Handlers<'settings'> {
  /** The station's public key (created on first use) for the settings screen; null when the keys are unavailable. */
  const stationKey = (): SettingsDTO['stationKey'] => {
    try {
      return {
        publicKey: app.services.stationKey.publicKeyPem(),
        fingerprint: app.services.stationKey.fingerprint(),
      };
    } catch (e) {
      app.logger.warn('keys.unavailable', { code: (e as { code?: string }).code ?? null });
      return null;
    }
  };

  const settingsDto = (): SettingsDTO => {
    const s = app.settings.get();
    return {
      stationName: s.stationName,
      language: s.language,
      requireChip: s.requireChip,
      requireTrustedIssuer: s.requireTrustedIssuer,
      soundEnabled: s.soundEnabled,
      verdictSeconds: s.verdictSeconds,
      readers: s.readers,
      trustStore: { files: countTrustFiles(app.options.trustStoreDir), updatedAt: s.trustStoreUpdatedAt },
      retentionDays: s.retentionDays,
      faceEnabled: s.faceEnabled,
      faceThreshold: s.faceThreshold,
      cameraDeviceId: s.cameraDeviceId,
      faceKeepEvidence: s.faceKeepEvidence,
      stationKey: stationKey(),
    };
  };

  return {
    'settings.get': () => settingsDto(),

    'settings.update': async (caller, req) => {
      const changed = app.settings.update(req);
      if (changed.length) {
        const s = app.settings.get();
        const values: Record<string, unknown> = {};
        for (const k of changed) values[k] = s[k];
        app.appendLog('settings_changed', app.actor(caller), {
          action: 'settings_updated',
          changed,
          values,
        });
        if (changed.includes('readers')) await app.readers()?.configure(s.readers);
      }
      return settingsDto();
    },

    'settings.importTrustStore': async (caller) => {
      const folder = await app.options.dialogs.openFolder({
        title: { vi: 'Chọn thư mục chứng thư CSCA', en: 'Choose the CSCA certificate folder' },
      });
      if (!folder)
        return {
          cancelled: true,
          imported: 0,
          skipped: [],
          total: countTrustFiles(app.options.trustStoreDir),
        };
      const { files, ...result } = importTrustFolder(folder, app.options.trustStoreDir);
      if (result.imported > 0) {
        app.settings.update({ trustStoreUpdatedAt: app.now().toISOString() });
        app.appendLog('settings_changed', app.actor(caller), {
          action: 'trust_store_imported',
          imported: result.imported,
          skipped: result.skipped.length,
          total: result.total,
          // Names, kinds and fingerprints of what is now trusted (public certificates only).
          files: files
            .filter((f) => f.copied)
            .map((f) => ({
              file: f.file,
              kind: f.kind,
              cscas: f.cscas,
              countries: f.countries,
              ...(f.signer ? { signerFingerprint: f.signer.fingerprint } : { fingerprints: f.fingerprints }),
            })),
        });
      }
      return { cancelled: false, ...result };
    },

    'settings.listReaders': async () => (await app.readers()?.listReaders()) ?? [],

    'settings.doctor': async () => {
      const { runDoctor } = await import('../../core/doctor');
      return runDoctor({
        dbPath: app.services.dbPath,
        trustDir: app.options.trustStoreDir,
        keyProvider: app.services.keyProvider,
      });
    },
  };
}
