// Where people's accounts live (DESIGN.md section 16): Cognito's user pool in AWS, the local OpenID
// provider's accounts with `npm start -- --auth`. An invitation creates one; removing the person removes it.
import type { Role } from '../flows/roles';

export interface AccountInvitation {
  email: string;
  name: string;
  role: Role;
}

export interface AccountDirectory {
  /** Creates the account and sends (or, locally, prints) the invitation with its temporary password. */
  invite(invitation: AccountInvitation): Promise<void>;
  /**
   * Gives the account of `email` this role and no other (the directory user's role is the account's:
   * docs/decisions.md, "One role per person"). False when there is no such account.
   */
  setRole(email: string, role: Role): Promise<boolean>;
  /** Removes the account of `email`; one that is not there is already removed. */
  remove(email: string): Promise<void>;
}

/** Local mode registers its accounts here (local/stack.ts): the admin function itself is the same code as in AWS. */
let local: AccountDirectory | undefined;
export function useLocalAccounts(accounts: AccountDirectory | undefined): void {
  local = accounts;
}
export const localAccounts = (): AccountDirectory | undefined => local;
