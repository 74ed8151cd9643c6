import fs from 'node:fs';
import type { Db } from './db';
import type { AuditLog } from './audit-log';
import { notInState, type SessionService } from './sessions';
import type { Actor } from './actor';
import type { RosterRow, RosterRowError } from './roster/model';
import { readRosterFile } from './roster/read';
import { KioskError, storageError } from './errors';
import { sha256Hex } from './canonical';
import { foldName, stripDiacritics } from '../../native/cccd/names';
import { candidateContext, type DataCipher } from './data-crypto';
import { checkInCondition, type CandidateRow } from './rows';

export interface ImportOptions {
  sheet?: string;
  /** Replace an existing roster (allowed only while nobody has checked in). */
  replace?: boolean;
}

export interface ImportResult {
  sessionCode: string;
  imported: number;
  replaced: number;
  format: 'csv' | 'xlsx';
  sheet?: string;
}

/** Thrown when rows are invalid; `errors` lists every bad row. Nothing was imported. */
export class RosterValidationError extends KioskError {
  constructor(readonly errors: RosterRowError[]) {
    const rows = new Set(errors.map((e) => e.rowNumber)).size;
    super(
      'roster_invalid',
      {
        vi: `Danh sách có ${rows} dòng lỗi; chưa nhập dòng nào. Sửa các dòng sau rồi nhập lại.`,
        en: `The roster has ${rows} bad row(s); nothing was imported. Fix the rows listed and import again.`,
      },
      errors,
    );
  }
}

export interface CandidateView {
  id: number;
  candidateNo: string;
  fullName: string;
  dateOfBirth: string;
  idNumber: string;
  oldIdNumber: string | null;
  licenceClass: string | null;
  sex: 'M' | 'F' | null;
  note: string | null;
  hasPhoto: boolean;
  /** Derived from the log: the first accepted check-in. */
  checkedInAt: string | null;
  checkInLogId: number | null;
}

export class RosterService {
  constructor(
    private readonly db: Db,
    private readonly log: AuditLog,
    private readonly sessions: SessionService,
    /** Encrypts photos and notes at rest (data-crypto.ts); callers see plain values. */
    private readonly cipher: DataCipher,
  ) {}

  /** Validates rows that were read (from a file or the UI preview) against the session. */
  validateForSession(sessionCode: string, rows: RosterRow[]): RosterRowError[] {
    const session = this.sessions.get(sessionCode);
    const errors: RosterRowError[] = [];
    if (session.licenceClasses.length) {
      for (const row of rows) {
        if (row.licenceClass && !session.licenceClasses.includes(row.licenceClass)) {
          errors.push({
            rowNumber: row.rowNumber,
            column: 'licenceClass',
            reason: {
              code: 'class_not_in_session',
              severity: 'error',
              vi: `Hạng ${row.licenceClass} không thuộc các hạng của kỳ sát hạch (${session.licenceClasses.join(', ')}).`,
              en: `Class ${row.licenceClass} is not among the session's classes (${session.licenceClasses.join(', ')}).`,
            },
          });
        }
      }
    }
    return errors;
  }

  async importFile(
    sessionCode: string,
    file: string,
    by: Actor,
    options: ImportOptions = {},
  ): Promise<ImportResult> {
    const session = this.sessions.get(sessionCode);
    if (session.state !== 'open') throw notInState(session, 'open');
    const read = await readRosterFile(file, { sheet: options.sheet });
    if (!read.ok) throw new RosterValidationError(read.errors);
    const sessionErrors = this.validateForSession(sessionCode, read.rows);
    if (sessionErrors.length) throw new RosterValidationError(sessionErrors);
    const fileHash = sha256Hex(fs.readFileSync(file));
    const count = this.importRows(sessionCode, read.rows, by, options.replace ?? false, {
      format: read.format,
      sheet: read.sheet,
      fileHash,
    });
    return {
      sessionCode,
      imported: read.rows.length,
      replaced: count,
      format: read.format,
      sheet: read.sheet,
    };
  }

  /** Inserts rows atomically. Returns how many existing candidates were replaced. */
  importRows(
    sessionCode: string,
    rows: RosterRow[],
    by: Actor,
    replace: boolean,
    meta: Record<string, unknown> = {},
  ): number {
    const session = this.sessions.get(sessionCode);
    if (session.state !== 'open') throw notInState(session, 'open');
    const tx = this.db.transaction(() => {
      const existing = (
        this.db.prepare('SELECT count(*) AS n FROM candidates WHERE session_id = ?').get(session.id) as {
          n: number;
        }
      ).n;
      if (existing > 0 && !replace) {
        throw new KioskError('roster_exists', {
          vi: `Kỳ sát hạch "${session.code}" đã có danh sách (${existing} thí sinh). Dùng --replace để thay thế.`,
          en: `Session "${session.code}" already has a roster (${existing} candidates). Use --replace to replace it.`,
        });
      }
      if (existing > 0) {
        const checked = this.db
          .prepare(
            `SELECT count(*) AS n FROM audit_log WHERE session_code = ? AND kind = 'check'
             AND identity_verdict = 'match' AND outcome != 'rejected'`,
          )
          .get(session.code) as { n: number };
        if (checked.n > 0) {
          throw new KioskError('roster_locked', {
            vi: `Không thể thay danh sách: đã có ${checked.n} thí sinh điểm danh trong kỳ "${session.code}".`,
            en: `Cannot replace the roster: ${checked.n} candidate(s) already checked in to "${session.code}".`,
          });
        }
        this.db.prepare('DELETE FROM candidates WHERE session_id = ?').run(session.id);
      }
      const insert = this.db.prepare(
        `INSERT INTO candidates (session_id, candidate_no, full_name, date_of_birth, id_number, old_id_number,
           licence_class, sex, photo, photo_mime, note, source_row)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const row of rows) {
        // Photos and notes (free text that may hold an address or remarks) are encrypted at rest,
        // bound to their session and candidate number.
        insert.run(
          session.id,
          row.candidateNo,
          row.fullName.normalize('NFC'),
          row.dateOfBirth,
          row.idNumber,
          // Not stored (Decree 13/2023, data minimisation): the check matches the 12-digit ID only.
          null,
          row.licenceClass ?? null,
          row.sex ?? null,
          row.photo
            ? this.cipher.encrypt(row.photo.data, candidateContext('photo', session.id, row.candidateNo))
            : null,
          row.photo?.mime ?? null,
          row.note
            ? this.cipher.encryptText(row.note, candidateContext('note', session.id, row.candidateNo))
            : null,
          row.rowNumber,
        );
      }
      this.log.append({
        kind: 'roster_imported',
        ...by,
        sessionCode: session.code,
        details: { candidates: rows.length, replaced: existing, ...meta },
      });
      return existing;
    });
    try {
      return tx.immediate();
    } catch (err) {
      throw storageError(err);
    }
  }

  list(sessionCode: string, search?: string): CandidateView[] {
    const session = this.sessions.get(sessionCode);
    const rows = this.db
      .prepare(
        `SELECT c.id, c.candidate_no, c.full_name, c.date_of_birth, c.id_number, c.old_id_number, c.licence_class,
                c.sex, c.note, c.photo IS NOT NULL AS has_photo,
                (SELECT l.id FROM audit_log l WHERE l.session_code = @code AND l.candidate_id = c.id
                   AND ${checkInCondition('l')} ORDER BY l.id LIMIT 1) AS log_id
         FROM candidates c WHERE c.session_id = @sid ORDER BY c.candidate_no`,
      )
      .all({ code: session.code, sid: session.id }) as (Pick<
      CandidateRow,
      | 'id'
      | 'candidate_no'
      | 'full_name'
      | 'date_of_birth'
      | 'id_number'
      | 'old_id_number'
      | 'licence_class'
      | 'sex'
      | 'note'
    > & { has_photo: number; log_id: number | null })[];
    const atOf = this.db.prepare('SELECT at FROM audit_log WHERE id = ?');
    const views = rows.map<CandidateView>((r) => ({
      id: r.id,
      candidateNo: r.candidate_no,
      fullName: r.full_name,
      dateOfBirth: r.date_of_birth,
      idNumber: r.id_number,
      oldIdNumber: r.old_id_number,
      licenceClass: r.licence_class,
      sex: r.sex,
      note:
        r.note === null
          ? null
          : this.cipher.decryptText(r.note, candidateContext('note', session.id, r.candidate_no)),
      hasPhoto: r.has_photo === 1,
      checkInLogId: r.log_id,
      checkedInAt: r.log_id ? (atOf.get(r.log_id) as { at: string }).at : null,
    }));
    if (!search) return views;
    const q = fold(search);
    return views.filter(
      (v) =>
        fold(v.fullName).includes(q) ||
        v.candidateNo.includes(search.trim()) ||
        v.idNumber.includes(search.trim()),
    );
  }

  /**
   * The ID number of the one candidate of the session whose ID ends with these 6 digits (a CAN typed
   * by the examiner); a bilingual error when none or several do.
   */
  idNumberOfCan(sessionCode: string, can: string): string {
    const session = this.sessions.get(sessionCode);
    const matches = this.db
      .prepare(`SELECT id_number FROM candidates WHERE session_id = ? AND substr(id_number, 7, 6) = ?`)
      .all(session.id, can) as Pick<CandidateRow, 'id_number'>[];
    if (matches.length === 0) {
      throw new KioskError('can_not_found', {
        vi: 'Không có thí sinh nào có 6 số cuối này. Hãy nhập đủ 12 số CCCD.',
        en: 'No candidate has these last 6 digits. Type the full 12-digit ID number.',
      });
    }
    if (matches.length > 1) {
      throw new KioskError('can_ambiguous', {
        vi: 'Có nhiều thí sinh cùng 6 số cuối. Hãy nhập đủ 12 số CCCD.',
        en: 'Several candidates share these last 6 digits. Type the full 12-digit ID number.',
      });
    }
    return matches[0]!.id_number;
  }

  /** Candidate numbers and names by candidate id (for lists of log entries); unknown ids are left out. */
  namesOf(ids: readonly number[]): Map<number, { candidateNo: string; fullName: string }> {
    const out = new Map<number, { candidateNo: string; fullName: string }>();
    const unique = [...new Set(ids)];
    if (unique.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT id, candidate_no, full_name FROM candidates WHERE id IN (${unique.map(() => '?').join(',')})`,
      )
      .all(...unique) as Pick<CandidateRow, 'id' | 'candidate_no' | 'full_name'>[];
    for (const r of rows) out.set(r.id, { candidateNo: r.candidate_no, fullName: r.full_name });
    return out;
  }

  /** The roster photo, decrypted; null when there is none. Throws a KioskError when it was altered. */
  photo(candidateId: number): { mime: string; data: Uint8Array } | null {
    const r = this.db
      .prepare('SELECT session_id, candidate_no, photo, photo_mime FROM candidates WHERE id = ?')
      .get(candidateId) as
      Pick<CandidateRow, 'session_id' | 'candidate_no' | 'photo' | 'photo_mime'> | undefined;
    if (!r?.photo || !r.photo_mime) return null;
    // Always ciphertext (the open-time migration encrypts older plain photos): anything else was altered.
    const data = this.cipher.decrypt(r.photo, candidateContext('photo', r.session_id, r.candidate_no));
    return { mime: r.photo_mime, data: new Uint8Array(data) };
  }

  counts(sessionCode: string): { total: number; present: number } {
    const session = this.sessions.get(sessionCode);
    const total = (
      this.db.prepare('SELECT count(*) AS n FROM candidates WHERE session_id = ?').get(session.id) as {
        n: number;
      }
    ).n;
    const present = (
      this.db
        .prepare(
          `SELECT count(DISTINCT l.candidate_id) AS n FROM audit_log l
           WHERE l.session_code = ? AND ${checkInCondition('l')}`,
        )
        .get(session.code) as { n: number }
    ).n;
    return { total, present };
  }
}

function fold(s: string): string {
  return stripDiacritics(foldName(s));
}

export { storageError };
