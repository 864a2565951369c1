// Leaving a page with unpublished changes asks first (issue 20 item 1): closing or reloading the tab through
// the browser's own `beforeunload` question, moving inside the page (a link, the back button: a change of
// the hash) through a dialog of ours. The hash has already changed when `hashchange` fires, so the App puts
// it back (history.replaceState fires no event) and only moves on when the person says so.
import { useEffect } from 'preact/hooks';
import { Dialog } from './ui';

/** What the page that may lose something says when asked to leave (undefined: nothing to lose). */
type Guard = () => string | undefined;
let guard: Guard | undefined;

/** While `message` is set, leaving the page asks first with it. */
export function useLeaveGuard(message: string | undefined) {
  useEffect(() => {
    if (!message) return undefined;
    const mine: Guard = () => message;
    guard = mine;
    const onUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      // Chromium still wants returnValue set to show its question.
      e.returnValue = message;
    };
    window.addEventListener('beforeunload', onUnload);
    return () => {
      if (guard === mine) guard = undefined;
      window.removeEventListener('beforeunload', onUnload);
    };
  }, [message]);
}

/** The question to ask before going to another page, if any. */
export const leaveQuestion = () => guard?.();

/** Leaves without asking: for a page whose subject is gone (a flow just deleted). */
export function leaveWithoutAsking(hash: string) {
  guard = undefined;
  window.location.hash = hash;
}

export function LeaveDialog({ message, onStay, onLeave }: { message: string; onStay: () => void; onLeave: () => void }) {
  return (
    <Dialog title="Leave this page?" onClose={onStay}>
      <div class="form">
        <p>{message}</p>
        <footer class="dialog-foot">
          <button type="button" class="btn btn-primary" onClick={onStay}>
            Stay on this page
          </button>
          <button type="button" class="btn btn-ghost" onClick={onLeave}>
            Leave
          </button>
        </footer>
      </div>
    </Dialog>
  );
}
