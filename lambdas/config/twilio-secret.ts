// The Twilio secret as the stack creates it and the handlers read it, stated once for both: lib/ writes the
// placeholder into a new secret, and twilio/auth-token.ts recognises it and says what to put there instead.
// In config/ (which imports nothing) so that twilio/ need not import carrier/, which imports twilio/.

/** The placeholder the stack writes into the secret until an operator puts the real account SID there. */
export const PLACEHOLDER_ACCOUNT_SID = 'ACreplace-with-your-account-sid';
