// Deleting a user or a group confirms first and says what it affects (issue 20 item 6); when published flows
// or groups still use them the refusal names those, by name, with a link to each, instead of ids.
import { useState } from 'preact/hooks';
import { ApiError, send } from './api';
import type { FlowList, Group, User } from '../../lambdas/api-types';
import { Dialog, ErrorNote, useAction, useApi } from './ui';

type Subject = { kind: 'user'; user: User } | { kind: 'group'; group: Group };

export function DeletePersonDialog({ subject, users, groups, onClose }: { subject: Subject; users: User[]; groups: Group[]; onClose: () => void }) {
  const action = useAction();
  const flows = useApi<FlowList>('/api/flows');
  const [done, setDone] = useState(false);
  const name = subject.kind === 'user' ? subject.user.name : subject.group.name;
  const id = subject.kind === 'user' ? subject.user.id : subject.group.id;
  const memberOf = subject.kind === 'user' ? groups.filter((g) => g.members.includes(id)) : [];
  const conflict = action.error instanceof ApiError && action.error.status === 409 ? action.error : undefined;
  const usedBy = (conflict?.details ?? []) as Array<{ flow?: string; group?: string }>;
  const flowName = (f: string) => flows.data?.flows.find((x) => x.id === f)?.name ?? 'a flow';
  const groupName = (g: string) => groups.find((x) => x.id === g)?.name ?? 'a group';
  if (done) return null;
  return (
    <Dialog title={`Delete ${name}?`} onClose={onClose}>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const ok = await action.run(async () => {
            await send('DELETE', `/api/${subject.kind === 'user' ? 'users' : 'groups'}/${encodeURIComponent(id)}`);
            return true;
          });
          if (ok) {
            setDone(true);
            onClose();
          }
        }}
      >
        {subject.kind === 'user' ? (
          <p>
            {name} is removed for good. Their voicemails and texts stay stored, but their mailbox no longer shows.
            {memberOf.length > 0 ? ` They are a member of ${memberOf.map((g) => g.name).join(', ')}: take them out of ${memberOf.length === 1 ? 'that group' : 'those groups'} first.` : ''}
          </p>
        ) : (
          <p>
            {name} is removed for good; its {subject.group.members.length === 1 ? 'member stays a user' : `${subject.group.members.length} members stay users`} ({subject.group.members.map((m) => users.find((u) => u.id === m)?.name ?? 'unknown').join(', ') || 'none'}).
          </p>
        )}
        {conflict ? (
          <div class="error-note" role="alert">
            {name} is still in use, so nothing was deleted. Change these first:
            <ul>
              {usedBy.map((u, i) =>
                u.flow ? (
                  <li key={i}>
                    the flow <a href={`#/flows/${encodeURIComponent(u.flow)}`}>{flowName(u.flow)}</a> {subject.kind === 'user' ? 'rings or messages them' : 'rings or messages it'}
                  </li>
                ) : u.group ? (
                  <li key={i}>
                    the group <a href="#/people">{groupName(u.group)}</a> has them as a member
                  </li>
                ) : null,
              )}
            </ul>
          </div>
        ) : (
          <ErrorNote error={action.error} />
        )}
        <footer class="dialog-foot">
          <button type="button" class="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-danger" disabled={action.busy}>
            Delete {name}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
