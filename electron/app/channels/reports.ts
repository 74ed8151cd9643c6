/** reports.*: the attendance report of a session, saved where the chair chooses. */
import fs from 'node:fs';
import path from 'node:path';
import { runReportInWorker } from '../../core/reports/runner';
import type { AppContext, Handlers } from '../context';

export function reportsChannels(app: AppContext): Handlers<'reports'> {
  return {
    'reports.export': async (_caller, req) => {
      const session = app.services.sessions.get(req.sessionCode);
      const defaultName = `bao-cao-${session.code.replace(/[^\p{L}\p{N}._-]+/gu, '-')}.${req.format}`;
      const file = await app.options.dialogs.saveFile({
        title: { vi: 'Lưu báo cáo', en: 'Save the report' },
        defaultName,
        filters: [{ name: req.format.toUpperCase(), extensions: [req.format] }],
      });
      if (!file) return { cancelled: true as const };
      const out = path.extname(file).toLowerCase() === `.${req.format}` ? file : `${file}.${req.format}`;
      // In a worker thread: the window and the readers stay responsive while a large report is written.
      await runReportInWorker({
        dbPath: app.services.dbPath,
        sessionCode: session.code,
        format: req.format,
        out,
        lang: req.lang,
        timeZone: app.services.timeZone,
      });
      const bytes = fs.statSync(out).size;
      app.logger.info('report.exported', { format: req.format, bytes });
      return { cancelled: false as const, path: out, fileName: path.basename(out), bytes };
    },
  };
}
