/**
 * roster.*: importing a candidate roster. The file is chosen in a dialog here (the renderer never sends
 * a path), previewed with its row errors, and imported only as previewed (the same rows, the same file
 * hash).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sha256Hex } from '../../core/canonical';
import { readRosterFile } from '../../core/roster/read';
import { PREVIEW_ROWS } from '../../shared/ipc-contract';
import type { Caller, PickedFile } from '../clients';
import type { AppContext, Handlers } from '../context';
import { rosterFields } from '../dto';
import { err } from '../errors';

export function rosterChannels(app: AppContext): Handlers<'roster'> {
  const pick = (caller: Caller, token: string): PickedFile => {
    const p = app.clients.get(caller).picks.get(token);
    if (!p) {
      throw err('file_not_chosen', 'Hãy chọn lại file danh sách.', 'Choose the roster file again.');
    }
    return p;
  };

  return {
    'roster.pickFile': async (caller) => {
      const file = await app.options.dialogs.openFile({
        title: {
          vi: 'Chọn danh sách thí sinh (CSV hoặc Excel)',
          en: 'Choose the candidate roster (CSV or Excel)',
        },
        filters: [{ name: 'CSV / Excel', extensions: ['csv', 'xlsx', 'txt'] }],
      });
      if (!file) return null;
      const token = randomUUID();
      app.clients.get(caller).picks.set(token, { path: file, fileName: path.basename(file) });
      return { token, fileName: path.basename(file) };
    },

    'roster.preview': async (caller, req) => {
      const picked = pick(caller, req.token);
      const session = app.services.sessions.get(req.sessionCode);
      const read = await readRosterFile(picked.path, { sheet: req.sheet });
      const existing = app.services.roster.counts(session.code).total;
      const errors = read.ok ? app.services.roster.validateForSession(session.code, read.rows) : read.errors;
      const rows = read.ok ? read.rows : [];
      if (read.ok && errors.length === 0) {
        picked.preview = {
          sessionCode: session.code,
          rows,
          format: read.format,
          sheet: read.sheet,
          fileHash: sha256Hex(fs.readFileSync(picked.path)),
        };
      } else {
        picked.preview = undefined;
      }
      return {
        token: req.token,
        fileName: picked.fileName,
        format: read.format,
        ...(read.sheet ? { sheet: read.sheet } : {}),
        totalRows: rows.length,
        rows: rows.slice(0, PREVIEW_ROWS).map((r) => ({
          rowNumber: r.rowNumber,
          ...rosterFields(r),
          idNumber: r.idNumber,
          hasPhoto: !!r.photo,
        })),
        errors: [...errors, ...read.warnings].sort((a, b) => a.rowNumber - b.rowNumber),
        existingCandidates: existing,
        canImport: read.ok && errors.length === 0 && session.state === 'open',
      };
    },

    'roster.import': (caller, req) => {
      const picked = pick(caller, req.token);
      const p = picked.preview;
      if (!p || p.sessionCode !== req.sessionCode) {
        throw err(
          'preview_required',
          'Hãy xem trước danh sách (không có lỗi) trước khi nhập.',
          'Preview the roster (without errors) before importing it.',
        );
      }
      const replaced = app.services.roster.importRows(
        req.sessionCode,
        p.rows,
        app.actor(caller),
        req.replace,
        {
          format: p.format,
          sheet: p.sheet,
          fileHash: p.fileHash,
        },
      );
      app.clients.get(caller).picks.delete(req.token);
      return { sessionCode: req.sessionCode, imported: p.rows.length, replaced };
    },
  };
}
