// Accounts in the Cognito user pool, through the AWS SDK v3: AdminCreateUser (Cognito emails the
// invitation with a temporary password), AdminAddUserToGroup (the role), AdminDeleteUser; a role changed
// in Users & groups is mirrored with AdminListGroupsForUser, AdminAddUserToGroup, AdminRemoveUserFromGroup.
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  CognitoIdentityProviderClient,
  InvalidParameterException,
  UsernameExistsException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { ConflictError, ValidationError } from '../errors';
import { ROLES, type Role } from '../flows/roles';
import type { AccountDirectory, AccountInvitation } from './accounts';

export class CognitoAccounts implements AccountDirectory {
  constructor(
    private readonly userPoolId: string,
    private readonly client = new CognitoIdentityProviderClient({}),
  ) {}

  async invite({ email, name, role }: AccountInvitation): Promise<void> {
    try {
      await this.client.send(
        new AdminCreateUserCommand({
          UserPoolId: this.userPoolId,
          Username: email,
          UserAttributes: [
            { Name: 'email', Value: email },
            // The invitation goes to this address: whoever signs in with its password owns it.
            { Name: 'email_verified', Value: 'true' },
            { Name: 'name', Value: name },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
    } catch (err) {
      if (err instanceof UsernameExistsException) throw new ConflictError(`an account with the email ${email} already exists`, [{ email }]);
      if (err instanceof InvalidParameterException) throw new ValidationError([{ path: 'email', message: err.message }]);
      throw err;
    }
    try {
      await this.client.send(new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: email, GroupName: role }));
    } catch (err) {
      // Half an account is none: without its role it could sign in to nothing, and would block a second invitation.
      await this.remove(email).catch(() => undefined);
      throw err;
    }
  }

  async setRole(email: string, role: Role): Promise<boolean> {
    let groups: string[];
    try {
      // A person is in a handful of groups at most: one page (Cognito's default limit is 50).
      const listed = await this.client.send(new AdminListGroupsForUserCommand({ UserPoolId: this.userPoolId, Username: email }));
      groups = (listed.Groups ?? []).map((g) => g.GroupName ?? '');
    } catch (err) {
      if (err instanceof UserNotFoundException) return false;
      throw err;
    }
    // The new group first: a failure between the two leaves the person with both, whose highest role the
    // admin API does not read anyway (the directory user's is the one: lambdas/admin/access.ts).
    if (!groups.includes(role)) await this.client.send(new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: email, GroupName: role }));
    for (const other of groups.filter((g) => g !== role && (ROLES as readonly string[]).includes(g))) {
      await this.client.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: this.userPoolId, Username: email, GroupName: other }));
    }
    return true;
  }

  async remove(email: string): Promise<void> {
    try {
      await this.client.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: email }));
    } catch (err) {
      if (!(err instanceof UserNotFoundException)) throw err;
    }
  }
}
