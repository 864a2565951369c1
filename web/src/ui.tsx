// Shared pieces: data loading that refreshes after every write, error notes, dialogs, status badges.
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { get } from './api';
import { describeError, type NameBook } from './human-errors';
import type { NumberStatus } from '../../lambdas/api-types';

/** A counter bumped after every successful write: every loaded view (banner included) reloads. */
export const RefreshContext = createContext<{ version: number; bump: () => void }>({ version: 0, bump: () => undefined });
export const useRefresh = () => useContext(RefreshContext);

export interface Loaded<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (null: nothing yet) and again whenever anything was written; keeps the old data while reloading. */
export function useApi<T>(path: string | null): Loaded<T> {
  const { version } = useRefresh();
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean; path: string | null }>({ loading: path !== null, path });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return undefined;
    let live = true;
    setState((s) => ({ ...(s.path === path ? s : {}), path, loading: true }));
    get<T>(path).then(
      (data) => live && setState({ data, loading: false, path }),
      (error) => live && setState((s) => ({ data: s.path === path ? s.data : undefined, error, loading: false, path })),
    );
    return () => {
      live = false;
    };
  }, [path, version, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.path === path ? state.data : undefined, error: state.path === path ? state.error : undefined, loading: state.loading, reload };
}

/** Runs a write, remembers its error for the control that made it, and refreshes the views after success. */
export function useAction() {
  const { bump } = useRefresh();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
      setBusy(true);
      setError(undefined);
      try {
        const result = await fn();
        bump();
        return result;
      } catch (err) {
        setError(err);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [bump],
  );
  return { run, error, busy, clear: () => setError(undefined) };
}

/**
 * What went wrong, next to the control that caused it, in words (human-errors.ts): names instead of ids,
 * the fields by name, no status code or API flag. `names` lets it name the users, groups and flows it mentions.
 */
export function ErrorNote({ error, id, names }: { error: unknown; id?: string; names?: NameBook }) {
  if (!error) return null;
  const { lead, items } = describeError(error, names);
  return (
    <div class="error-note" role="alert" id={id}>
      {lead}
      {items.length > 0 && (
        <ul>
          {items.map((item, i) => (
            <li key={i}>{item}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A page-level error: what failed and a way to try again, never a blank page. */
export function LoadError({ error, what, retry }: { error: unknown; what: string; retry?: () => void }) {
  return (
    <div class="panel load-error" role="alert">
      <p>
        <strong>Could not load {what}.</strong> {describeError(error).lead}
      </p>
      {retry && (
        <button class="btn" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export const Loading = ({ what }: { what: string }) => (
  <p class="muted" aria-busy="true">
    Loading {what}…
  </p>
);

const STATUS_LABEL: Record<NumberStatus, string> = { ok: 'OK', no_flow: 'No flow', no_call_flow: 'No call flow', no_sms_flow: 'No SMS flow' };
export const statusLabel = (s: NumberStatus) => STATUS_LABEL[s];

export function StatusBadge({ status }: { status: NumberStatus }) {
  return <span class={`badge ${status === 'ok' ? 'badge-ok' : 'badge-bad'}`}>{STATUS_LABEL[status]}</span>;
}

/**
 * A modal <dialog> (focus trapped by the browser, Esc closes). Focus starts on its first field (or its
 * first button past the close button) and goes back to where it was when the dialog closes.
 */
export function Dialog({ title, onClose, children, wide = false }: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    const before = document.activeElement as HTMLElement | null;
    if (d && !d.open) d.showModal();
    const first = d?.querySelector<HTMLElement>('input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])') ??
      d?.querySelector<HTMLElement>('form button:not([disabled]), div button:not([disabled])');
    first?.focus();
    return () => {
      // The element that opened the dialog may have been re-rendered away: then the page's main region.
      if (before && before.isConnected) before.focus();
      else document.getElementById('main')?.focus({ preventScroll: true });
    };
  }, []);
  return (
    <dialog ref={ref} class={wide ? 'dialog dialog-wide' : 'dialog'} aria-label={title} onClose={onClose} onCancel={onClose}>
      <header class="dialog-head">
        <h2>{title}</h2>
        <button class="btn-icon" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {children}
    </dialog>
  );
}

export const formatTime = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
};

export const formatDuration = (seconds?: number) =>
  seconds === undefined ? '' : `${Math.floor(seconds / 60)}:${String(Math.round(seconds % 60)).padStart(2, '0')}`;
