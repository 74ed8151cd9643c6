/**
 * checks.*: the examiner's own check-in actions. Each call gets its outcome directly from the check-in
 * flow (electron/core/chip-checkin.ts): a typed or wedge-scanned QR is held for the chip when a chip
 * reader is ready (`awaiting_chip`), or checked at once; "QR only" checks the held QR now; a typed ID
 * number (or the CAN of the card on the reader) is the manual fallback. Chip reads and hardware scans
 * reach the window as events instead (reader-hub.ts → events.ts).
 */
import { notInState } from '../../core/sessions';
import { KioskError } from '../../core/errors';
import type { AppContext, Handlers } from '../context';
import { qrReading } from '../dto';
import { err } from '../errors';

export function checksChannels(app: AppContext): Handlers<'checks'> {
  const awaitingChip = { status: 'awaiting_chip' as const, result: null };

  return {
    'checks.qr': (caller, req) => {
      const session = app.services.sessions.get(req.sessionCode);
      if (session.state !== 'open') throw notInState(session, 'open');
      app.clients.setActive(caller, req.sessionCode);
      // With a chip reader ready the QR is held: its CAN opens the chip, and the chip decides. An
      // earlier held QR it replaces is checked on its own (logged); the window moves on to this one.
      const r = app.checkin.scanQr(req.text);
      app.clients.get(caller).heldQr = r.held ? req.text : null;
      if (r.held) return awaitingChip;
      if (r.error) throw new KioskError(r.error.code, { vi: r.error.vi, en: r.error.en });
      // What the card says, shown beside the roster when they differ (parsed again: pure and cheap).
      return {
        status: 'checked' as const,
        result: app.dto.result(r.result!.record, qrReading(req.text), 'qr'),
      };
    },

    'checks.qrOnly': (caller, req) => {
      app.clients.setActive(caller, req.sessionCode);
      const r = app.checkin.checkHeldQr();
      if (!r) {
        throw err(
          'no_pending_qr',
          'Không có mã QR nào đang chờ đọc chip.',
          'No QR scan is waiting for a chip read.',
        );
      }
      const c = app.clients.get(caller);
      const text = c.heldQr;
      c.heldQr = null;
      return app.dto.result(r.record, text ? qrReading(text) : null, 'qr');
    },

    'checks.manual': (caller, req) => {
      // An unknown session is refused before anything else.
      app.services.sessions.get(req.sessionCode);
      if (app.checkin.chipExpected()) {
        // A chip reader is there: the typed digits are the CAN of the card on (or coming to) it.
        app.clients.setActive(caller, req.sessionCode);
        app.checkin.provideAccess({ can: req.number.slice(-6) });
        return awaitingChip;
      }
      // 6 digits: the CAN, printed on the card, names one candidate of the roster; 12: the ID number.
      const idNumber =
        req.number.length === 6 ? app.services.roster.idNumberOfCan(req.sessionCode, req.number) : req.number;
      const record = app.services.checks.checkTyped(req.sessionCode, idNumber, app.actor(caller));
      app.clients.get(caller).activeSession = req.sessionCode;
      return { status: 'checked' as const, result: app.dto.result(record, null, 'manual') };
    },

    'checks.recent': (_caller, req) => app.services.checks.recent(req.sessionCode, req.limit),

    'checks.setActiveSession': (caller, req) => {
      if (req.sessionCode) app.services.sessions.get(req.sessionCode);
      app.clients.setActive(caller, req.sessionCode);
      return {};
    },
  };
}
