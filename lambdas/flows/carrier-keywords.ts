// The keywords Twilio answers itself on long codes and toll-free numbers (TWILIO.md "Delivery and
// opt-out", DESIGN.md section 17): opt-out, opt back in, help. Twilio matches a text whose whole body,
// trimmed of whitespace, is one of them, case-insensitively ("stop" and " Stop " do; "stop please",
// "STOP." do not). The webhook still receives the text: it is stored, but the flow answers nothing.
// Pure domain code.

export type CarrierKeywordKind = 'opt_out' | 'opt_in' | 'help';

export const CARRIER_KEYWORDS: Readonly<Record<CarrierKeywordKind, readonly string[]>> = {
  opt_out: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'],
  opt_in: ['START', 'YES', 'UNSTOP'],
  help: ['HELP', 'INFO'],
};

export interface CarrierKeyword {
  /** The keyword, upper case. */
  word: string;
  kind: CarrierKeywordKind;
}

const BY_WORD: ReadonlyMap<string, CarrierKeywordKind> = new Map(
  (Object.entries(CARRIER_KEYWORDS) as Array<[CarrierKeywordKind, readonly string[]]>).flatMap(([kind, words]) => words.map((w) => [w, kind] as const)),
);

/** The carrier keyword a text's body is, as Twilio matches it: the whole body, trimmed, any case. */
export function carrierKeyword(body: string): CarrierKeyword | undefined {
  const word = body.trim().toUpperCase();
  const kind = BY_WORD.get(word);
  return kind ? { word, kind } : undefined;
}

/** Whether a keyword rule's word is one Twilio keeps for itself (the checker's `reserved_keyword`). */
export const isReservedKeyword = (keyword: string): boolean => BY_WORD.has(keyword.trim().toUpperCase());
