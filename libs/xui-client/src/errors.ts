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

/**
 * Why a panel call failed, in words anyone may read: one of a fixed set, or what the panel said when it is one of
 * the messages the panel's reference lists. Never the panel's own text, which may repeat what we sent it.
 */
export type PanelFailureReason =
  | 'timeout'
  | 'refused'
  | 'unreachable'
  | 'auth failed'
  | 'bad response'
  | 'rejected by the panel'
  | `panel said: ${KnownMessage}`;

/** Messages of the panel's reference, each matched by the untranslated text in parentheses (§4). */
const KNOWN_MESSAGES = [
  { words: 'duplicate email', kind: 'duplicate-email', pattern: /^(?:Duplicate email|email already in use): \S/ },
  { words: 'record not found', kind: 'not-found', pattern: /^record not found$/ },
  {
    words: 'client not found',
    kind: 'not-found',
    pattern:
      /^(?:Inbound Not Found For Email|Client Not Found In Inbound For (?:Email|ID)): |^client with email .* not found$|^client ".*" not found in any inbound/,
  },
  { words: 'no client remained in inbound', kind: 'rejected', pattern: /^no client remained in Inbound$/ },
  { words: 'empty client id', kind: 'rejected', pattern: /^empty client ID$/ },
  { words: 'client email is required', kind: 'rejected', pattern: /^client email is required$/ },
  { words: 'port already exists', kind: 'rejected', pattern: /^Port already exists: \d+$/ },
  { words: 'subId already in use', kind: 'rejected', pattern: /^(?:subId already in use|Duplicate subId): / },
  { words: 'at least one inbound is required', kind: 'rejected', pattern: /^at least one inbound is required$/ },
  { words: 'unique constraint failed', kind: 'rejected', pattern: /^UNIQUE constraint failed: [\w.]+$/ },
  {
    words: 'invalid request',
    kind: 'rejected',
    pattern:
      /^(?:unexpected end of JSON input|json: cannot unmarshal |strconv\.\w+: parsing )|^The Input data format is invalid\.$/,
  },
] as const satisfies ReadonlyArray<{ words: string; kind: PanelErrorKind; pattern: RegExp }>;

type KnownMessage = (typeof KNOWN_MESSAGES)[number]['words'];

/** Our own detail in an error message (a path, a status, a timeout): bounded all the same. */
const MAX_DETAIL = 300;
/** The most of a panel's own text ever kept, for admins (and a log line). */
export const PANEL_TEXT_EXCERPT = 200;

export class PanelError extends Error {
  /** What a viewer may be shown. */
  readonly reason: PanelFailureReason;
  /** The panel's own words, scrubbed and cut to PANEL_TEXT_EXCERPT characters: for admins, never for viewers. */
  readonly panelText: string | null;

  /**
   * `detail` is our own words only (never the panel's text: that goes in `panelText`), so the message may be logged
   * and shown anywhere.
   */
  constructor(
    readonly kind: PanelErrorKind,
    /** The call that failed, e.g. `addClient`. */
    readonly label: string,
    detail: string,
    options: { reason?: PanelFailureReason; panelText?: string | null } = {},
  ) {
    super(`${label}: ${bounded(detail)}`);
    this.name = 'PanelError';
    this.reason = options.reason ?? DEFAULT_REASONS[kind];
    this.panelText = options.panelText ? panelExcerpt(options.panelText) : null;
  }
}

const DEFAULT_REASONS: Record<PanelErrorKind, PanelFailureReason> = {
  unreachable: 'unreachable',
  'auth-failed': 'auth failed',
  'session-rejected': 'bad response',
  rejected: 'rejected by the panel',
  'duplicate-email': 'panel said: duplicate email',
  'not-found': 'panel said: client not found',
  unconfirmed: 'bad response',
  protocol: 'bad response',
};

export class PanelDuplicateEmailError extends PanelError {
  constructor(
    label: string,
    /** The email the panel named (used to find the client in a batch; not part of the message). */
    readonly email: string,
    panelText: string,
  ) {
    super('duplicate-email', label, 'panel said: duplicate email', { panelText });
  }
}

/** Error text is cut to a bounded length so a huge detail never floods logs or events. */
export function bounded(text: string, max = MAX_DETAIL): string {
  const single = text.replace(/\s+/g, ' ').trim();
  return single.length > max ? `${single.slice(0, max)}…` : single;
}

/**
 * A panel's own text as it may be kept: long opaque runs (tokens, cookies, base64 or hex blobs, which is how an
 * echoed request would carry our credentials in an encoding no scrubber knows) are redacted, then the text is cut to
 * PANEL_TEXT_EXCERPT characters. Callers remove the credentials they know of first.
 */
export function panelExcerpt(text: string): string {
  return bounded(text.replace(/[A-Za-z0-9+/=_%-]{24,}/g, '[redacted]'), PANEL_TEXT_EXCERPT);
}

/** Classifies a `success:false` message (already scrubbed) by the untranslated text in its parentheses (spec §4). */
export function classifyFailure(label: string, msg: string): PanelError {
  const inner = /\(([\s\S]*)\)\s*$/.exec(msg)?.[1]?.trim() ?? msg.trim();
  const known = KNOWN_MESSAGES.find((message) => message.pattern.test(inner));
  if (known?.kind === 'duplicate-email') return new PanelDuplicateEmailError(label, inner.replace(/^[^:]*: /, ''), msg);
  if (known) {
    const reason = `panel said: ${known.words}` as const;
    return new PanelError(known.kind, label, reason, { reason, panelText: msg });
  }
  return new PanelError('rejected', label, 'rejected by the panel', { panelText: msg });
}
