/** What went wrong talking to a panel, in terms the rest of the system can act on. */
export type PanelErrorKind =
  | 'unreachable' // refused, DNS, timeout, reset: the panel (or the path to it) is down
  | 'auth-failed' // the panel refused our credentials
  | 'session-rejected' // logged in, yet the call was still refused: the endpoint is absent in this version
  | 'rejected' // success:false with the panel's message
  | 'duplicate-email'
  | 'not-found'
  | 'unconfirmed' // the panel answered success, yet a read-back does not show what was written
  | 'protocol'; // not the panel's JSON envelope (HTML, 500 with empty body, unexpected status)

const MAX_DETAIL = 300;

export class PanelError extends Error {
  constructor(
    readonly kind: PanelErrorKind,
    /** The call that failed, e.g. `addClient`. */
    readonly label: string,
    detail: string,
    readonly panelMessage?: string,
  ) {
    super(`${label}: ${bounded(detail)}`);
    this.name = 'PanelError';
  }
}

export class PanelDuplicateEmailError extends PanelError {
  constructor(
    label: string,
    readonly email: string,
    panelMessage: string,
  ) {
    super('duplicate-email', label, `duplicate email ${email}`, panelMessage);
  }
}

/** Error text is cut to a bounded length so a panel's HTML page or a huge body never floods logs or events. */
export function bounded(text: string): string {
  const single = text.replace(/\s+/g, ' ').trim();
  return single.length > MAX_DETAIL ? `${single.slice(0, MAX_DETAIL)}…` : single;
}

/** Classifies a `success:false` message by the untranslated text in its parentheses (spec §4). */
export function classifyFailure(label: string, msg: string): PanelError {
  const inner = /\(([\s\S]*)\)\s*$/.exec(msg)?.[1]?.trim() ?? msg.trim();
  const duplicate = /^(?:Duplicate email|email already in use): (.+)$/.exec(inner);
  if (duplicate) return new PanelDuplicateEmailError(label, duplicate[1].trim(), msg);
  if (/record not found|not found/i.test(inner)) return new PanelError('not-found', label, inner, msg);
  return new PanelError('rejected', label, inner || msg, msg);
}
