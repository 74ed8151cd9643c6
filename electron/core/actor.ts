/** Who did something, as the audit log records it: the station and the signed-in user (or the CLI's --examiner). */
export interface Actor {
  station: string;
  actor: string;
}
