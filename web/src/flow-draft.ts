// The editor's unpublished changes kept on the server (`/api/flows/{id}/draft`, issue 20 item 1), so they
// survive a reload, another page and another browser: read once when the flow page opens, saved a moment
// after each edit, deleted once nothing is left unpublished (published, discarded, or undone by hand).
import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from './api';
import type { FlowDraft } from '../../lambdas/api-types';
import type { FlowDocument } from './types';

/** How long the editor waits after an edit before saving the draft: typing a name is one save, not one per key. */
export const DRAFT_SAVE_DELAY_MS = 600;

export type DraftSave = { state: 'idle' } | { state: 'saving' } | { state: 'saved'; at: string } | { state: 'failed'; error: unknown };

const draftPath = (flowId: string) => `/api/flows/${encodeURIComponent(flowId)}/draft`;

/** A stored draft the editor can open: an object with a name (anything else is not restored). */
export function restorable(draft: FlowDraft | undefined): FlowDocument | undefined {
  const doc = draft?.document;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || typeof doc.name !== 'string') return undefined;
  return doc as unknown as FlowDocument;
}

/**
 * The stored draft, once read (`loaded`); undefined when there is none or it could not be read. `allowed`
 * false (a member: drafts are editors' and admins', DESIGN.md section 16): loaded at once, nothing asked.
 */
export function useStoredDraft(flowId: string, allowed = true) {
  const [read, setRead] = useState<{ loaded: boolean; draft?: FlowDraft; error?: unknown }>({ loaded: !allowed });
  useEffect(() => {
    if (!allowed) return setRead({ loaded: true });
    let live = true;
    request<FlowDraft | undefined>('GET', draftPath(flowId)).then(
      (r) => live && setRead({ loaded: true, draft: r.status === 200 ? r.body : undefined }),
      // The flow page still opens: without the draft, with a note saying it could not be read.
      (error) => live && setRead({ loaded: true, error }),
    );
    return () => {
      live = false;
    };
  }, [flowId, allowed]);
  return read;
}

/**
 * Saves `doc` as the flow's draft a moment after it last changed while `dirty`, and deletes the stored
 * draft once the editor holds nothing unpublished. Does nothing until `ready` (the stored draft was read:
 * deleting it before would lose what the page is about to restore). A save still waiting when the page
 * goes (another page of the dashboard, a reload, the tab closed) is sent at once, `keepalive` so the
 * browser finishes it after the page is gone.
 */
export function useDraftSaver(flowId: string, doc: FlowDocument | undefined, dirty: boolean, baseRevision: number | undefined, ready: boolean, storedAtStart: boolean) {
  const [save, setSave] = useState<DraftSave>({ state: 'idle' });
  const stored = useRef(storedAtStart);
  const pending = useRef<{ document: FlowDocument; baseRevision: number } | undefined>(undefined);
  useEffect(() => {
    stored.current = storedAtStart;
  }, [storedAtStart]);
  const flush = (leaving: boolean) => {
    const body = pending.current;
    if (!body) return;
    pending.current = undefined;
    stored.current = true;
    if (leaving) {
      void fetch(draftPath(flowId), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), keepalive: true, credentials: 'same-origin' }).catch(() => undefined);
      return;
    }
    request<FlowDraft>('PUT', draftPath(flowId), body).then(
      (r) => setSave({ state: 'saved', at: r.body.savedAt }),
      (error) => setSave({ state: 'failed', error }),
    );
  };
  const flushRef = useRef(flush);
  flushRef.current = flush;
  useEffect(() => {
    const onHide = () => flushRef.current(true);
    window.addEventListener('pagehide', onHide);
    return () => {
      window.removeEventListener('pagehide', onHide);
      flushRef.current(true);
    };
  }, []);
  useEffect(() => {
    if (!ready || !doc || baseRevision === undefined) return undefined;
    if (!dirty) {
      pending.current = undefined;
      if (!stored.current) return undefined;
      stored.current = false;
      setSave({ state: 'idle' });
      request('DELETE', draftPath(flowId)).catch(() => {
        // Left behind, it is offered again next time and found equal to the flow, then deleted.
        stored.current = true;
      });
      return undefined;
    }
    pending.current = { document: doc, baseRevision };
    setSave({ state: 'saving' });
    const timer = setTimeout(() => flushRef.current(false), DRAFT_SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [flowId, doc, dirty, baseRevision, ready]);
  return save;
}

/** "10:42" today, "Mar 2, 10:42" another day: when the restored changes were made. */
export function draftTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === now.toDateString() ? time : `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })}, ${time}`;
}
