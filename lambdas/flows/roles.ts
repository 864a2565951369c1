// The roles of DESIGN.md section 16, lowest first: Cognito groups in AWS (lib/accounts.ts makes one
// per role), an account's role locally. Constants only: the CDK app loads this.
export const ROLES = ['member', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
