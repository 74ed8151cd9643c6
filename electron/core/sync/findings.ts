/** The duplicate_check_in finding as the examiner and the chair read it: both stations, both clocks. */
import type { Reason } from '../../../native/domain/vocabulary';

export interface FindingSide {
  station: string;
  at: string;
  receivedAt: string;
}

export function duplicateReasonOf(candidateNo: string, first: FindingSide, second: FindingSide): Reason {
  return {
    code: 'duplicate_check_in',
    severity: 'error',
    vi: `Thí sinh số ${candidateNo} được điểm danh ở hai trạm: ${first.station} (giờ trạm ${first.at}, máy chủ nhận ${first.receivedAt}) và ${second.station} (giờ trạm ${second.at}, máy chủ nhận ${second.receivedAt}).`,
    en: `Candidate ${candidateNo} was checked in at two stations: ${first.station} (station time ${first.at}, server received ${first.receivedAt}) and ${second.station} (station time ${second.at}, server received ${second.receivedAt}).`,
  };
}
