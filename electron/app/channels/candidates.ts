/** candidates.*: a session's roster with who is present (ID numbers masked), and a roster photo. */
import { maskIdNumber } from '../../core/report-service';
import type { CandidateDTO } from '../../shared/ipc-contract';
import type { AppContext, Handlers } from '../context';

export function candidatesChannels(app: AppContext): Handlers<'candidates'> {
  return {
    'candidates.search': (_caller, req) => {
      const list = app.services.roster.list(req.sessionCode, req.query?.trim() || undefined);
      const counts = app.services.roster.counts(req.sessionCode);
      return {
        candidates: list.map<CandidateDTO>((c) => ({
          id: c.id,
          candidateNo: c.candidateNo,
          fullName: c.fullName,
          dateOfBirth: c.dateOfBirth,
          idNumberMasked: maskIdNumber(c.idNumber),
          licenceClass: c.licenceClass,
          sex: c.sex,
          note: c.note,
          hasPhoto: c.hasPhoto,
          checkedInAt: c.checkedInAt,
        })),
        ...counts,
      };
    },

    'candidates.photo': (_caller, req) => ({ dataUrl: app.dto.rosterPhoto(req.candidateId) }),
  };
}
